"""Import of articles: their references, tags, update notes and photos."""

from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from articles.exchange.catalog_import import RUBRIC_SLUG_ROOM
from articles.exchange.errors import LineError, shown
from articles.exchange.media import storage_digest, storage_size
from articles.exchange.schema import item_path, validate
from articles.exchange.writing import (
    BATCH_SIZE,
    CREATED,
    UNCHANGED,
    UPDATED,
    assign,
    chunked,
    slug_from_text,
)
from articles.images import attach_image, decode_image
from articles.models import Agreement, Article, ArticleUpdate, Photo, Rubric, Tag, TaggedArticle
from articles.models.article import SLUG_MAX_LENGTH
from articles.models.tag import fold_tag_name

# Photos being renumbered step aside to positions no photo uses, as (article, position)
# is unique at every moment.
_POSITION_OFFSET = 1_000_000
PHOTO_TEXT_FIELDS = ("caption", "credit", "credit_url", "alt")


class ArticleImport:
    """Writers of articles and their photos; a part of Importer."""

    def _write_articles(self):
        self._load_rubrics()
        for chunk in chunked(self.index["article"].items(), BATCH_SIZE):
            records = []
            for key, (number, offset) in chunk:
                record = self._read_record("article", key, number, offset)
                if record is not None:
                    records.append((number, record))
            existing = _existing_articles([record.key for _number, record in records])
            # Their search documents' costliest part is computed while the batch is written.
            self.body_vectors.request(
                record.body
                for _number, record in records
                if record.key not in existing or existing[record.key].body != record.body
            )
            self._prefetch_references([record for _number, record in records])
            with self._batch():
                new = [
                    (number, record)
                    for number, record in records
                    if record.key not in existing and not record.photos
                ]
                dealt_with = self._create_together(new)
                for number, record in records:
                    if record.key in dealt_with:
                        continue
                    self._apply(
                        "article",
                        record.key,
                        number,
                        partial(self._write_article, record, existing.get(record.key)),
                    )
            self._advance(len(chunk))

    def _prefetch_references(self, records):
        """Fill the agreement and tag lookups for a batch of articles in two queries."""
        keys = {key for record in records for key in record.agreements}
        keys -= self.ids["agreement"].keys()
        if keys:
            found = dict(Agreement.objects.filter(key__in=keys).values_list("key", "pk"))
            for key in keys:
                self.ids["agreement"][key] = found.get(key)
        folds = {fold_tag_name(name) for record in records for name in record.tags}
        folds -= self.tag_ids.keys()
        if folds:
            self.tag_ids.update(
                Tag.objects.filter(folded_name__in=folds).values_list("folded_name", "pk")
            )

    def _load_rubrics(self):
        self.rubrics = {"key": {}, "name": {}, "fold": {}}
        for pk, key, name in Rubric.objects.values_list("pk", "key", "name"):
            self.rubrics["key"][key] = pk
            self.rubrics["name"][name] = pk
            self.rubrics["fold"].setdefault(fold_tag_name(name), pk)

    def _find_rubric(self, reference, where):
        """Return the id of a rubric named by key or by name, or None for a new name.

        A new name is checked here, so that creating its rubric later cannot fail.
        """
        for table, value in (
            ("key", reference),
            ("name", reference),
            ("fold", fold_tag_name(reference)),
        ):
            pk = self.rubrics[table].get(value)
            if pk is not None:
                return pk
        if reference in self.failed["rubric"]:
            raise LineError(
                _("unknown rubric %(key)s: its line %(line)d has an error")
                % {"key": shown(reference), "line": self.index["rubric"][reference][0]},
                where,
            )
        validate(Rubric._meta.get_field("name"), reference, where)
        slug_from_text(reference, RUBRIC_SLUG_ROOM, where)
        return None

    def _create_rubric(self, name):
        """Create a rubric that articles name but no line describes; return its id."""
        pk = self.rubrics["fold"].get(fold_tag_name(name))
        if pk is not None:  # another spelling of a name created for the same line
            return pk
        rubric = Rubric(name=name, slug=self._free_rubric_slug(name, "rubrics"))
        rubric.save()
        self._remember(self.rubrics["key"], rubric.key, rubric.pk)
        self._remember(self.rubrics["name"], name, rubric.pk)
        self._remember(self.rubrics["fold"], fold_tag_name(name), rubric.pk)
        counts = self.result.counts["rubric"]
        counts.created += 1
        self._undo.append(lambda: setattr(counts, "created", counts.created - 1))
        return rubric.pk

    def _article_links(self, record, article=None):
        """Resolve what an article line refers to; raise LineError before writing anything."""
        agreement_ids = [
            self._reference("agreement", key, item_path("agreements", number))
            for number, key in enumerate(record.agreements, 1)
        ]
        rubrics = [
            (self._find_rubric(reference, item_path("rubrics", number)), reference)
            for number, reference in enumerate(record.rubrics, 1)
        ]
        if record.slug:
            slug = record.slug
        elif article is not None and article.title == record.title and article.slug:
            slug = article.slug
        else:
            slug = slug_from_text(record.title, SLUG_MAX_LENGTH, "title")
        # From here on nothing can fail on bad input: new rubrics may be created.
        rubric_ids = [pk if pk is not None else self._create_rubric(name) for pk, name in rubrics]
        return ArticleLinks(
            slug=slug,
            rubric_ids=list(dict.fromkeys(rubric_ids)),
            agreement_ids=agreement_ids,
            tags={fold_tag_name(name): name for name in record.tags},
            updates=[(update.at, update.note) for update in record.updates],
        )

    def _write_article(self, record, article):
        created = article is None
        links = self._article_links(record, article)
        article = article or Article(key=record.key)
        changed = assign(article, _article_values(record, links.slug))
        if created:
            self._save_article(article)
            self._link_new_articles([(article, links)])
            for position, photo in enumerate(record.photos):
                self._new_photo(article, position, photo)
            return CREATED, article.pk

        current_tags = {item.tag.folded_name: item.tag_id for item in article.tagged_items.all()}
        relations_changed = (
            set(links.rubric_ids) != {rubric.pk for rubric in article.rubrics.all()}
            or set(links.agreement_ids) != {agreement.pk for agreement in article.agreements.all()}
            or links.tags.keys() != current_tags.keys()
        )
        updates_changed = links.updates != [(u.at, u.note) for u in article.updates.all()]
        photo_plan = self._plan_photos(article, record.photos)
        if not (changed or relations_changed or updates_changed or photo_plan.changed):
            return UNCHANGED, article.pk
        self._save_article(article)
        if relations_changed:
            article.rubrics.set(links.rubric_ids)
            article.agreements.set(links.agreement_ids)
            stale = [pk for fold, pk in current_tags.items() if fold not in links.tags]
            TaggedArticle.objects.filter(content_object=article, tag_id__in=stale).delete()
            TaggedArticle.objects.bulk_create(
                [
                    TaggedArticle(content_object_id=article.pk, tag_id=self._tag_id(fold, name))
                    for fold, name in links.tags.items()
                    if fold not in current_tags
                ]
            )
        if updates_changed:
            article.updates.all().delete()
            ArticleUpdate.objects.bulk_create(
                ArticleUpdate(article=article, at=at, note=note) for at, note in links.updates
            )
        self._apply_photo_plan(article, photo_plan)
        return UPDATED, article.pk

    def _save_article(self, article):
        article.save()
        # Its search document is written with the vector of the body as stored.
        self._stored_bodies[article.pk] = article.body

    def _create_together(self, items):
        """Insert new articles without photos with a few queries for the whole batch.

        A line whose references fail is reported as usual. Returns the keys dealt with.
        On a database error everything is rolled back and the lines are left to the
        line-by-line path, which finds the culprit.
        """
        if len(items) < 2 or not connection.features.can_return_rows_from_bulk_insert:
            return set()
        self._undo = []
        dealt_with, prepared = set(), []
        try:
            with transaction.atomic():
                for number, record in items:
                    try:
                        links = self._article_links(record)
                    except LineError as error:
                        self._fail("article", number, record.key, error)
                        dealt_with.add(record.key)
                        continue
                    article = Article(key=record.key, **_article_values(record, links.slug))
                    prepared.append((article, links))
                Article.objects.bulk_create([article for article, _links in prepared])
                self._link_new_articles(prepared)
        except (IntegrityError, DataError):
            for undo in reversed(self._undo):
                undo()
            return dealt_with
        self.result.counts["article"].created += len(prepared)
        self._batch_articles.extend(article.pk for article, _links in prepared)
        self._stored_bodies.update((article.pk, article.body) for article, _links in prepared)
        return dealt_with | {article.key for article, _links in prepared}

    def _link_new_articles(self, pairs):
        """Insert the rubric, agreement, tag and update rows of new articles, once per table."""
        rubric_link = Article.rubrics.through
        rubric_link.objects.bulk_create(
            rubric_link(article_id=article.pk, rubric_id=pk)
            for article, links in pairs
            for pk in links.rubric_ids
        )
        agreement_link = Article.agreements.through
        agreement_link.objects.bulk_create(
            agreement_link(article_id=article.pk, agreement_id=pk)
            for article, links in pairs
            for pk in links.agreement_ids
        )
        TaggedArticle.objects.bulk_create(
            [
                TaggedArticle(content_object_id=article.pk, tag_id=self._tag_id(fold, name))
                for article, links in pairs
                for fold, name in links.tags.items()
            ]
        )
        ArticleUpdate.objects.bulk_create(
            ArticleUpdate(article_id=article.pk, at=at, note=note)
            for article, links in pairs
            for at, note in links.updates
        )

    def _tag_id(self, fold, name):
        pk = self.tag_ids.get(fold)
        if pk is None:
            tag = Tag.objects.filter(folded_name=fold).first()
            if tag is None:
                tag = Tag(name=name)
                tag.save()
            pk = tag.pk
            self._remember(self.tag_ids, fold, pk)
        return pk

    def _new_photo(self, article, position, record):
        photo = Photo(
            article=article,
            position=position,
            **{name: getattr(record, name) for name in PHOTO_TEXT_FIELDS},
        )
        where = f"{item_path('photos', position + 1)}, file"
        with record.file.open() as handle:
            upload = File(handle, name=record.file.path.name)
            try:
                if self.dry_run:
                    decode_image(upload)
                    return
                attach_image(photo, upload, original_name=record.file.path.name)
            except ValidationError as error:
                raise LineError(
                    _("%(path)s: %(reason)s")
                    % {"path": shown(record.file.name), "reason": " ".join(error.messages)},
                    where,
                ) from error
        self._saved(photo.original.storage, photo.original.name)
        for rendition in photo.renditions:
            self._saved(default_storage, rendition["path"])
        photo.save()

    def _plan_photos(self, article, records):
        """Match the line's photos with the article's by content; return what must change."""
        current = list(article.photos.all())
        plan = PhotoPlan()
        free = {photo.pk: photo for photo in current}
        same = _ContentComparison()
        for position, record in enumerate(records):
            in_place = current[position] if position < len(current) else None
            candidates = [in_place] if in_place and in_place.pk in free else []
            candidates += [photo for photo in free.values() if photo is not in_place]
            match = next((photo for photo in candidates if same(record.file, photo)), None)
            if match is None:
                plan.new.append((position, record))
                continue
            del free[match.pk]
            texts = {name: getattr(record, name) for name in PHOTO_TEXT_FIELDS}
            if any(getattr(match, name) != value for name, value in texts.items()):
                plan.texts.append((match, texts))
            if match.position != position:
                plan.moves.append((match, position))
        plan.removed = list(free.values())
        return plan

    def _apply_photo_plan(self, article, plan):
        for photo in plan.removed:
            self._delete_after_commit(photo.original.storage, [photo.original.name])
            self._delete_after_commit(default_storage, [r["path"] for r in photo.renditions])
            photo.delete()
        for photo, position in plan.moves:
            Photo.objects.filter(pk=photo.pk).update(position=_POSITION_OFFSET + position)
        for photo, position in plan.moves:
            Photo.objects.filter(pk=photo.pk).update(position=position)
        for photo, texts in plan.texts:
            Photo.objects.filter(pk=photo.pk).update(**texts)
        for position, record in plan.new:
            self._new_photo(article, position, record)


@dataclass
class ArticleLinks:
    """What an article line refers to, resolved to ids."""

    slug: str
    rubric_ids: list
    agreement_ids: list
    tags: dict
    updates: list


@dataclass
class PhotoPlan:
    new: list = field(default_factory=list)
    moves: list = field(default_factory=list)
    texts: list = field(default_factory=list)
    removed: list = field(default_factory=list)

    @property
    def changed(self):
        return bool(self.new or self.moves or self.texts or self.removed)


class _ContentComparison:
    """Compare files of the exchange folder with photo originals, reading each once."""

    def __init__(self):
        self.sizes = {}
        self.digests = {}

    def __call__(self, media, photo):
        storage, name = photo.original.storage, photo.original.name
        if photo.pk not in self.sizes:
            self.sizes[photo.pk] = storage_size(storage, name) if name else None
        if self.sizes[photo.pk] != media.size:
            return False
        if media.path not in self.digests:
            self.digests[media.path] = media.digest()
        if photo.pk not in self.digests:
            self.digests[photo.pk] = storage_digest(storage, name)
        return self.digests[photo.pk] == self.digests[media.path]


def _existing_articles(keys):
    """Return the articles with these keys, with what change detection compares."""
    if not keys:
        return {}
    articles = Article.objects.filter(key__in=keys).prefetch_related(
        "rubrics",
        "agreements",
        "updates",
        "photos",
        Prefetch("tagged_items", queryset=TaggedArticle.objects.select_related("tag")),
    )
    return {article.key: article for article in articles}


def _article_values(record, slug):
    return {
        "title": record.title,
        "slug": slug,
        "kind": record.kind,
        "lead": record.lead,
        "body": record.body,
        "status": record.status,
        "published_at": record.published_at,
        "source_url": record.source_url,
    }
