"""Import of rubrics, organizations and agreements, with signatories and documents."""

import heapq
import itertools
import uuid
from collections import defaultdict
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from articles.exchange.errors import LineError, shown
from articles.exchange.media import same_content
from articles.exchange.schema import item_path
from articles.exchange.writing import (
    CREATED,
    UNCHANGED,
    UPDATED,
    assign,
    delete_files,
    save_changed,
    slug_from_text,
)
from articles.images import validate_pdf
from articles.models import Agreement, Organization, Rubric, Signatory

# Room left in a rubric's slug for a suffix such as "-2" when the name's slug is taken.
RUBRIC_SLUG_ROOM = Rubric._meta.get_field("slug").max_length - 4


class CatalogImport:
    """Writers of the objects that articles refer to; a part of Importer.

    Each writer takes a parsed record and returns (outcome, pk).
    """

    def _write_rubric(self, record):
        rubric = Rubric.objects.filter(key=record.key).first()
        other = Rubric.objects.filter(name=record.name).exclude(key=record.key).first()
        if other:
            raise LineError(
                _("another rubric, with the key %(key)s, already has this name")
                % {"key": shown(other.key)},
                "name",
            )
        if record.slug:
            other = Rubric.objects.filter(slug=record.slug).exclude(key=record.key).first()
            if other:
                raise LineError(
                    _("the slug is already used by the rubric %(name)s")
                    % {"name": shown(other.name)},
                    "slug",
                )
            slug = record.slug
        elif rubric and rubric.name == record.name:
            slug = rubric.slug
        else:
            slug = self._free_rubric_slug(record.name, "name", exclude=rubric)
        values = {"name": record.name, "slug": slug, "position": record.position}
        return save_changed(rubric or Rubric(key=record.key), values, created=rubric is None)

    def _free_rubric_slug(self, name, where, exclude=None):
        """Return a slug made from a rubric's name that no other rubric uses."""
        base = slug_from_text(name, RUBRIC_SLUG_ROOM, where)
        taken = Rubric.objects.filter(slug__startswith=base)
        if exclude is not None:
            taken = taken.exclude(pk=exclude.pk)
        taken = set(taken.values_list("slug", flat=True))
        for number in itertools.count(1):
            slug = base if number == 1 else f"{base}-{number}"
            if slug not in taken:
                return slug
        raise AssertionError("unreachable")

    def _write_organization(self, record):
        organization = Organization.objects.filter(key=record.key).first()
        values = {
            "name": record.name,
            "short_name": record.short_name,
            "country": record.country,
        }
        return save_changed(
            organization or Organization(key=record.key), values, created=organization is None
        )

    def _write_agreement(self, record):
        agreement = Agreement.objects.filter(key=record.key).first()
        created = agreement is None
        agreement = agreement or Agreement(key=record.key)
        parties = [
            self._reference("organization", key, item_path("parties", number))
            for number, key in enumerate(record.parties, 1)
        ]
        signatories = [
            (
                item.name,
                item.position,
                self._reference(
                    "organization", item.party, f"{item_path('signatories', number)}, party"
                )
                if item.party
                else None,
            )
            for number, item in enumerate(record.signatories, 1)
        ]
        links = {name: self._agreement_link(record, name) for name in ("continues", "implements")}
        if created or agreement.title != record.title:
            slug = slug_from_text(
                record.title, Agreement._meta.get_field("slug").max_length, "title"
            )
        else:
            slug = agreement.slug
        values = {
            "title": record.title,
            "slug": slug,
            "kind": record.kind,
            "number": record.number,
            "signed_on": record.signed_on,
            "place": record.place,
            "event": record.event,
            "valid_from": record.valid_from,
            "valid_until": record.valid_until,
            "continues_id": links["continues"],
            "implements_id": links["implements"],
            "summary": record.summary,
        }
        changed = assign(agreement, values)
        changed |= self._sync_document(agreement, record.document)
        current_parties = set() if created else set(agreement.parties.values_list("pk", flat=True))
        parties_changed = set(parties) != current_parties
        current_signatories = []
        if not created:
            current_signatories = list(
                agreement.signatories.order_by("order", "id").values_list(
                    "name", "position", "party_id"
                )
            )
        signatories_changed = signatories != current_signatories
        if not (created or changed or parties_changed or signatories_changed):
            return UNCHANGED, agreement.pk
        agreement.save()
        if parties_changed:
            agreement.parties.set(parties)
        if signatories_changed:
            agreement.signatories.all().delete()
            Signatory.objects.bulk_create(
                Signatory(
                    agreement=agreement, order=order, name=name, position=position, party_id=party
                )
                for order, (name, position, party) in enumerate(signatories)
            )
        return (CREATED if created else UPDATED), agreement.pk

    def _agreement_link(self, record, name):
        key = getattr(record, name)
        if key is None:
            return None
        try:
            return self._reference("agreement", key, name)
        except LineError:
            # Inside a cycle of links the target may simply not be written yet:
            # _write_cycles() sets the link once it is.
            if key in self.index["agreement"] and key not in self.failed["agreement"]:
                self._deferred_links.append((record.key, name, key))
                return None
            raise

    def _write_cycles(self, entries):
        """Write agreements that link to one another in a cycle: all of them, or none.

        Each is written first without the links that point ahead in the cycle; those are
        set once all are written. If any line of the group fails, the group is rolled
        back and every line in it is reported.
        """
        if not entries:
            return
        counts = self.result.counts["agreement"]
        failed_before = counts.failed
        with self._batch():
            savepoint = transaction.savepoint()
            self._deferred_links = []
            for key, (number, offset) in entries:
                record = self._read_record("agreement", key, number, offset)
                if record is not None:
                    self._apply("agreement", key, number, partial(self._write_agreement, record))
                self._advance()
            if counts.failed == failed_before:
                for source, name, target in self._deferred_links:
                    Agreement.objects.filter(pk=self.ids["agreement"][source]).update(
                        **{f"{name}_id": self.ids["agreement"][target]}
                    )
                transaction.savepoint_commit(savepoint)
                return
            transaction.savepoint_rollback(savepoint)
            delete_files(self._batch_files)
            self._batch_files = []
        culprit = next(key for key, _entry in entries if key in self.failed["agreement"])
        message = _(
            "not imported: it is linked in a cycle with the agreement %(key)s, whose line "
            "%(line)d has an error"
        ) % {"key": shown(culprit), "line": self.index["agreement"][culprit][0]}
        for key, (number, _offset) in entries:
            pk = self.ids["agreement"].pop(key, None)
            outcome = self._outcomes.pop(key, None)
            if pk is not None and key not in self.failed["agreement"]:
                setattr(counts, outcome, getattr(counts, outcome) - 1)
                self._fail("agreement", number, key, LineError(message))

    def _sync_document(self, agreement, media):
        """Store the agreement's document when it changed; return whether it did."""
        current = agreement.document.name if agreement.document else ""
        if media is None:
            if not current:
                return False
            self._delete_after_commit(default_storage, [current])
            agreement.document = ""
            agreement.document_size = None
            return True
        if current and same_content(media, agreement.document.storage, current):
            return False
        with media.open() as handle:
            document = File(handle, name=media.path.name)
            try:
                size = validate_pdf(document)
            except ValidationError as error:
                raise LineError(" ".join(error.messages), "document") from error
            if not self.dry_run:
                agreement.document.save(f"{uuid.uuid4().hex}.pdf", document, save=False)
                self._saved(agreement.document.storage, agreement.document.name)
        self._delete_after_commit(default_storage, [current])
        agreement.document_size = size
        return True

    def _agreement_order(self):
        """Return agreements so that a linked one comes first, then those in link cycles."""
        entries = self.index["agreement"]
        waiting = {}
        dependents = defaultdict(list)
        for key in entries:
            targets = {t for t in self.agreement_links.get(key, ()) if t in entries and t != key}
            waiting[key] = len(targets)
            for target in targets:
                dependents[target].append(key)
        ready = [(entries[key][0], key) for key, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        ordered = []
        while ready:
            _number, key = heapq.heappop(ready)
            ordered.append((key, entries[key]))
            for dependent in dependents[key]:
                waiting[dependent] -= 1
                if waiting[dependent] == 0:
                    heapq.heappush(ready, (entries[dependent][0], dependent))
        in_cycles = [(key, entries[key]) for key, count in waiting.items() if count > 0]
        return ordered, in_cycles
