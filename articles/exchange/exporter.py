"""Export of the exchange format: streamed, in a fixed order, media named by their content.

Two exports of the same content give the same bytes: objects are sorted by key, fields
follow the format's tables, lists without an order of their own are sorted, and every
media file is written as media/<sha256>.<extension>. Photos are exported from their
original, so that an import makes the same renditions again.
"""

import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.exchange.errors import shown
from articles.exchange.reader import CONTENT_FILE, HEADER
from articles.exchange.schema import FIELDS, PHOTO_FIELDS, SIGNATORY_FIELDS, TYPES
from articles.models import (
    Agreement,
    Article,
    ArticleUpdate,
    Organization,
    Photo,
    Rubric,
    Signatory,
    TaggedArticle,
)

MEDIA_FOLDER = "media"
CHUNK_SIZE = 500


@dataclass
class ExportResult:
    """What an export wrote, and the files it could not copy."""

    path: Path
    counts: dict = field(default_factory=lambda: dict.fromkeys(TYPES, 0))
    files: int = 0
    problems: list = field(default_factory=list)


def export_content(folder, *, progress=None):
    """Write folder/content.jsonl and the media it names; return an ExportResult.

    `progress(total)` may return an object with update() and close() to show progress.
    """
    return Exporter(folder, progress=progress).run()


def _compact(type_or_none, names, values):
    """Return values in the order of `names`, leaving out those without a value."""
    result = {"type": type_or_none} if type_or_none else {}
    for name in names:
        value = values.get(name)
        if value is not None and value != "" and value != []:
            result[name] = value
    return result


def _moment(value):
    return timezone.localtime(value).isoformat() if value else None


def _day(value):
    return value.isoformat() if value else None


class Exporter:
    def __init__(self, folder, *, progress=None):
        self.folder = Path(folder)
        self.media = self.folder / MEDIA_FOLDER
        self.progress_factory = progress
        self.result = ExportResult(path=self.folder / CONTENT_FILE)
        self._written = set()

    def run(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        sources = {
            "rubric": (Rubric.objects.order_by("key"), self._rubric),
            "organization": (Organization.objects.order_by("key"), self._organization),
            "agreement": (self._agreements(), self._agreement),
            "article": (self._articles(), self._article),
        }
        total = sum(queryset.count() for queryset, _convert in sources.values())
        progress = self.progress_factory(total) if self.progress_factory else None
        partial = self.folder / f".{CONTENT_FILE}.{uuid.uuid4().hex}.part"
        try:
            with partial.open("x", encoding="utf-8", newline="\n") as out:
                out.write(_dumps(HEADER))
                for type_, (queryset, convert) in sources.items():
                    for instance in queryset.iterator(chunk_size=CHUNK_SIZE):
                        out.write(_dumps(_compact(type_, FIELDS[type_], convert(instance))))
                        self.result.counts[type_] += 1
                        if progress:
                            progress.update(1)
            os.replace(partial, self.result.path)
        finally:
            partial.unlink(missing_ok=True)
            if progress:
                progress.close()
        return self.result

    def _agreements(self):
        return (
            Agreement.objects.order_by("key")
            .select_related("continues", "implements")
            .prefetch_related(
                Prefetch("parties", queryset=Organization.objects.only("key")),
                Prefetch(
                    "signatories",
                    queryset=Signatory.objects.select_related("party").order_by("order", "id"),
                ),
            )
        )

    def _articles(self):
        return Article.objects.order_by("key").prefetch_related(
            Prefetch("rubrics", queryset=Rubric.objects.only("key")),
            Prefetch("agreements", queryset=Agreement.objects.only("key")),
            Prefetch("tagged_items", queryset=TaggedArticle.objects.select_related("tag")),
            Prefetch("photos", queryset=Photo.objects.order_by("position", "id")),
            Prefetch("updates", queryset=ArticleUpdate.objects.order_by("at", "id")),
        )

    def _rubric(self, rubric):
        return {
            "key": rubric.key,
            "name": rubric.name,
            "slug": rubric.slug,
            "position": rubric.position,
        }

    def _organization(self, organization):
        return {
            "key": organization.key,
            "name": organization.name,
            "short_name": organization.short_name,
            "country": organization.country,
        }

    def _agreement(self, agreement):
        document = None
        if agreement.document:
            document = self._copy(agreement.document, ".pdf", agreement.key)
        return {
            "key": agreement.key,
            "title": agreement.title,
            "kind": agreement.kind,
            "number": agreement.number,
            "signed_on": _day(agreement.signed_on),
            "place": agreement.place,
            "event": agreement.event,
            "valid_from": _day(agreement.valid_from),
            "valid_until": _day(agreement.valid_until),
            "parties": sorted(party.key for party in agreement.parties.all()),
            "signatories": [
                _compact(
                    None,
                    SIGNATORY_FIELDS,
                    {
                        "name": signatory.name,
                        "position": signatory.position,
                        "party": signatory.party.key if signatory.party else None,
                    },
                )
                for signatory in agreement.signatories.all()
            ],
            "continues": agreement.continues.key if agreement.continues else None,
            "implements": agreement.implements.key if agreement.implements else None,
            "summary": agreement.summary,
            "document": document,
        }

    def _article(self, article):
        photos = []
        for photo in article.photos.all():
            path = self._copy(photo.original, "", article.key)
            if path:
                values = {name: getattr(photo, name) for name in PHOTO_FIELDS[1:]}
                photos.append(_compact(None, PHOTO_FIELDS, {"file": path, **values}))
        return {
            "key": article.key,
            "title": article.title,
            "slug": article.slug,
            "kind": article.kind,
            "lead": article.lead,
            "body": article.body,
            "status": article.status,
            "published_at": _moment(article.published_at),
            "rubrics": sorted(rubric.key for rubric in article.rubrics.all()),
            "tags": sorted(item.tag.name for item in article.tagged_items.all()),
            "photos": photos,
            "agreements": sorted(agreement.key for agreement in article.agreements.all()),
            "source_url": article.source_url,
            "updates": [
                {"at": _moment(update.at), "note": update.note} for update in article.updates.all()
            ],
        }

    def _copy(self, field_file, default_extension, owner_key):
        """Copy a stored file to media/<sha256>.<ext>; return its path in the folder."""
        extension = PurePosixPath(field_file.name).suffix.lower() or default_extension
        self.media.mkdir(exist_ok=True)
        partial = self.media / f".{uuid.uuid4().hex}.part"
        sha = hashlib.sha256()
        try:
            with (
                field_file.storage.open(field_file.name, "rb") as source,
                partial.open("xb") as out,
            ):
                for chunk in source.chunks():
                    sha.update(chunk)
                    out.write(chunk)
            name = f"{sha.hexdigest()}{extension}"
            target = self.media / name
            if target.exists():
                partial.unlink()
            else:
                os.replace(partial, target)
        except OSError as error:
            partial.unlink(missing_ok=True)
            self.result.problems.append(
                _("Key %(key)s: the file %(name)s cannot be read and is left out (%(error)s).")
                % {"key": shown(owner_key), "name": field_file.name, "error": error}
            )
            return None
        if name not in self._written:
            self._written.add(name)
            self.result.files += 1
        return f"{MEDIA_FOLDER}/{name}"


def _dumps(value):
    return json.dumps(value, ensure_ascii=False) + "\n"
