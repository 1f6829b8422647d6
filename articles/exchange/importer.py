"""Import of the exchange format: idempotent by key, each object written atomically.

The file is read twice, lazily. The first pass checks that every line is a JSON object
with a type and a key, refuses repeated keys and remembers where each object's line
starts. The second pass writes objects so that references can be resolved whatever the
order of the lines: rubrics and organizations, then agreements (an agreement that another
one continues or implements comes first), then articles.

Every line is written in its own savepoint inside a transaction per batch of lines: a
line that fails leaves nothing behind, neither rows nor files. New articles without
photos are inserted together, a few queries per batch, and fall back to one savepoint
per line on a database error. A dry run does the same work inside a transaction that is
rolled back, and only checks files instead of storing them.

The writers live in catalog_import.py (rubrics, organizations, agreements) and
article_import.py (articles and photos).
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, reset_queries, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.exchange.article_import import ArticleImport
from articles.exchange.catalog_import import CatalogImport
from articles.exchange.errors import LineError, shown
from articles.exchange.reader import (
    iter_lines,
    parse_line,
    read_header,
    read_line_at,
    refuse_nul,
)
from articles.exchange.schema import PARSERS, TYPES, Fields
from articles.exchange.search_documents import BodyVectors
from articles.exchange.writing import (
    BATCH_SIZE,
    UNCHANGED,
    UNKNOWN,
    UNKNOWN_FAILED,
    chunked,
    delete_files,
)
from articles.models import Agreement, Organization, Rubric
from articles.search import refresh_search_document
from articles.signals import one_bump

MODELS = {"rubric": Rubric, "organization": Organization, "agreement": Agreement}
# After this many rows written, PostgreSQL's planner statistics are refreshed at once:
# until autovacuum gets to it, plans made for the tables as they were (a few rows) walk
# the newly imported thousands on every page view.
ANALYZE_AFTER_ROWS = 1000


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0


@dataclass
class ImportResult:
    """What an import did, per type of object."""

    dry_run: bool = False
    counts: dict = field(default_factory=lambda: {type_: Counts() for type_ in TYPES})
    unreadable: int = 0

    @property
    def failed(self):
        return self.unreadable + sum(counts.failed for counts in self.counts.values())


_SUMMARY = {
    "rubric": _(
        "Rubrics: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
        "%(failed)d failed."
    ),
    "organization": _(
        "Organizations: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
        "%(failed)d failed."
    ),
    "agreement": _(
        "Agreements: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
        "%(failed)d failed."
    ),
    "article": _(
        "Articles: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
        "%(failed)d failed."
    ),
}


def summary_lines(result):
    """Return the lines that sum an import up for the person who ran it."""
    lines = [str(_SUMMARY[type_] % vars(result.counts[type_])) for type_ in TYPES]
    if result.unreadable:
        lines.append(
            str(_("Lines that could not be read: %(count)d.") % {"count": result.unreadable})
        )
    if result.dry_run:
        lines.append(str(_("Dry run: nothing was saved.")))
    return lines


def failure_message(result):
    count = result.failed
    return ngettext(
        "%(count)d line could not be imported.", "%(count)d lines could not be imported.", count
    ) % {"count": count}


def refresh_statistics(result):
    """VACUUM and ANALYZE the content tables on PostgreSQL after an import of many rows.

    ANALYZE: plans made for the empty tables would walk every new row. VACUUM marks the
    new rows all-visible, so index-only scans (a deep page's ids, the listing indexes)
    read no table rows now rather than after autovacuum's turn: page 2 000 of 100 000
    fresh articles fetched 71 000 rows without it. VACUUM can't run in a transaction;
    inside one (an import run from other code's atomic block), ANALYZE alone.
    """
    written = sum(counts.created + counts.updated for counts in result.counts.values())
    if connection.vendor != "postgresql" or written < ANALYZE_AFTER_ROWS:
        return
    models = apps.get_app_config("articles").get_models(include_auto_created=True)
    tables = sorted({connection.ops.quote_name(model._meta.db_table) for model in models})
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {', '.join(tables)}")


def import_content(source, *, dry_run=False, on_error=None, progress=None):
    """Import a located exchange file and return an ImportResult.

    `on_error(message)` receives each error as it is found; `progress(total)` may return
    an object with update() and close() to show progress. Raises FileRefused when the
    file as a whole is not an exchange file.
    """
    return Importer(source, dry_run=dry_run, on_error=on_error, progress=progress).run()


class Importer(CatalogImport, ArticleImport):
    """One import of one file; see the module's docstring for the passes."""

    def __init__(self, source, *, dry_run=False, on_error=None, progress=None):
        self.source = source
        self.dry_run = dry_run
        self.on_error = on_error or (lambda message: None)
        self.progress_factory = progress
        self.progress = None
        self.result = ImportResult(dry_run=dry_run)
        # key -> (line number, byte offset), in the order of the file; from the first pass.
        self.index = {type_: {} for type_ in TYPES}
        self.failed = {type_: set() for type_ in TYPES}
        self.agreement_links = {}
        # Lookups by key, filled as objects are read or written.
        self.ids = {type_: {} for type_ in MODELS}
        self.rubrics = None
        self.tag_ids = {}
        self._line_files = []
        self._batch_files = []
        self._batch_articles = []
        # Article id -> body as saved, for the articles saved in the current batch.
        self._stored_bodies = {}
        self.body_vectors = BodyVectors()
        self._undo = []
        self._deferred_links = []
        self._outcomes = {}
        self._handle = None

    def run(self):
        with self.source.path.open("rb") as handle:
            self._handle = handle
            header_line = read_header(handle)
            self._scan(header_line)
            total = sum(len(entries) for entries in self.index.values())
            self.progress = self.progress_factory(total) if self.progress_factory else None
            try:
                with self._dry_run_transaction():
                    self._write_all()
            finally:
                self.body_vectors.close()
                if self.progress:
                    self.progress.close()
        if not self.dry_run:
            refresh_statistics(self.result)
        return self.result

    @contextmanager
    def _dry_run_transaction(self):
        if not self.dry_run:
            yield
            return
        with transaction.atomic():
            yield
            transaction.set_rollback(True)

    def _scan(self, header_line):
        """First pass: index every line by type and key; report lines that can't be read."""
        for raw in iter_lines(self._handle, number=header_line):
            key = None
            try:
                data = parse_line(raw)
                key = data.get("key")
                type_ = _type_of(data)
            except LineError as error:
                self.result.unreadable += 1
                self._report(raw.number, key if isinstance(key, str) else None, error)
                continue
            try:
                refuse_nul(raw, data)
                _check_top_key(key)
                earlier = self.index[type_].get(key)
                if earlier:
                    raise LineError(
                        _("the key %(key)s is already used on line %(line)d")
                        % {"key": shown(key), "line": earlier[0]},
                        "key",
                    )
            except LineError as error:
                self.result.counts[type_].failed += 1
                self._report(raw.number, key if isinstance(key, str) else None, error)
                continue
            self.index[type_][key] = (raw.number, raw.offset)
            if type_ == "agreement":
                links = {data.get(name) for name in ("continues", "implements")}
                self.agreement_links[key] = {link for link in links if isinstance(link, str)}

    def _write_all(self):
        for type_, write in (
            ("rubric", self._write_rubric),
            ("organization", self._write_organization),
        ):
            self._write_in_batches(type_, self.index[type_].items(), write)
        ordered, in_cycles = self._agreement_order()
        self._write_in_batches("agreement", ordered, self._write_agreement)
        self._write_cycles(in_cycles)
        self._write_articles()

    def _write_in_batches(self, type_, entries, write):
        for chunk in chunked(entries, BATCH_SIZE):
            with self._batch():
                for key, (number, offset) in chunk:
                    record = self._read_record(type_, key, number, offset)
                    if record is not None:
                        self._apply(type_, key, number, partial(write, record))
                    self._advance()

    def _read_record(self, type_, key, number, offset):
        """Read an indexed line again and parse it into a record, or report why not."""
        raw = read_line_at(self._handle, number, offset)
        try:
            return PARSERS[type_](parse_line(raw), self.source.folder)
        except LineError as error:
            self._fail(type_, number, key, error)
            return None

    def _advance(self, lines=1):
        if self.progress:
            self.progress.update(lines)

    @contextmanager
    def _batch(self):
        """Run a batch of lines in one transaction; on an interruption remove its files."""
        self._batch_files = []
        self._batch_articles = []
        self._stored_bodies = {}
        try:
            # One bump of the page cache's content version per batch, not one per row.
            with one_bump(), transaction.atomic():
                yield
                # The search document is derived from title, lead, body and tags.
                # Lines rolled back left bodies here: only _batch_articles' ids are refreshed.
                refresh_search_document(
                    self._batch_articles,
                    body_vectors=self.body_vectors.collect(self._stored_bodies),
                )
        except BaseException:
            delete_files(self._batch_files)
            raise
        _forget_queries()

    def _apply(self, type_, key, number, write):
        """Write one line in a savepoint; record its outcome or report its error."""
        self._line_files, self._undo = [], []
        try:
            try:
                with transaction.atomic():
                    outcome, pk = write()
            except ValidationError as error:
                raise LineError(" ".join(error.messages)) from error
            except (IntegrityError, DataError) as error:
                raise LineError(
                    _("conflicts with data already stored (%(error)s)") % {"error": error}
                ) from error
        except LineError as error:
            delete_files(self._line_files)
            for undo in reversed(self._undo):
                undo()
            self._fail(type_, number, key, error)
        except BaseException:
            delete_files(self._line_files)
            raise
        else:
            self._batch_files.extend(self._line_files)
            counts = self.result.counts[type_]
            setattr(counts, outcome, getattr(counts, outcome) + 1)
            if type_ in self.ids:
                self.ids[type_][key] = pk
            if type_ == "agreement":
                self._outcomes[key] = outcome
            if type_ == "article" and outcome != UNCHANGED:
                self._batch_articles.append(pk)

    def _fail(self, type_, number, key, error):
        self.result.counts[type_].failed += 1
        if self.index[type_].get(key, (None,))[0] == number:
            self.failed[type_].add(key)
        self._report(number, key, error)

    def _report(self, number, key, error):
        if key is None:
            message = _("Line %(line)d: %(reason)s") % {"line": number, "reason": error}
        else:
            message = _("Line %(line)d, key %(key)s: %(reason)s") % {
                "line": number,
                "key": shown(key),
                "reason": error,
            }
        self.on_error(str(message))

    def _remember(self, mapping, key, value):
        """Put a value in a lookup table, to be taken out again if the line fails."""
        mapping[key] = value
        self._undo.append(lambda: mapping.pop(key, None))

    def _saved(self, storage, name):
        self._line_files.append((storage, name))

    def _delete_after_commit(self, storage, names):
        names = [name for name in names if name]
        if names and not self.dry_run:
            transaction.on_commit(lambda: delete_files([(storage, name) for name in names]))

    def _reference(self, type_, key, where):
        """Return the id of the object of `type_` with `key`, or raise LineError."""
        cache = self.ids[type_]
        if key not in cache:
            cache[key] = MODELS[type_].objects.filter(key=key).values_list("pk", flat=True).first()
        pk = cache[key]
        if pk is None:
            entry = self.index[type_].get(key)
            if entry and key in self.failed[type_]:
                message = UNKNOWN_FAILED[type_] % {"key": shown(key), "line": entry[0]}
            else:
                message = UNKNOWN[type_] % {"key": shown(key)}
            raise LineError(message, where)
        return pk


def _type_of(data):
    type_ = data.get("type")
    if type_ is None:
        raise LineError(_("this field is required"), "type")
    if type_ not in TYPES:
        shown_type = shown(type_) if isinstance(type_, str) else shown(repr(type_))
        raise LineError(
            _("unknown type %(type)s; expected rubric, organization, agreement or article")
            % {"type": shown_type},
            "type",
        )
    return type_


def _check_top_key(key):
    Fields({"key": key}, ("key",)).key("key", required=True)


def _forget_queries():
    """Empty the query log that DEBUG keeps, unless a test is counting queries."""
    if not connection.force_debug_cursor:
        reset_queries()
