"""The objects of the exchange format: their fields in the format's order, and line parsing.

Parsing checks everything a line can be checked for without the database: types, lengths,
dates, choices, file paths. It returns plain records; the importer resolves references.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.exchange import media
from articles.exchange.errors import LineError, shown
from articles.html import clean_text, sanitize_html, strip_control_characters
from articles.models import (
    Agreement,
    Article,
    ArticleUpdate,
    Organization,
    Photo,
    Rubric,
    Signatory,
    Tag,
)
from articles.models.base import KEY_MAX_LENGTH
from articles.models.tag import TAG_NAME_MAX_LENGTH, fold_tag_name, normalize_tag_name

# The order of the format's tables: export writes fields in this order.
FIELDS = {
    "rubric": ("key", "name", "slug", "position"),
    "organization": ("key", "name", "short_name", "country"),
    "agreement": (
        "key", "title", "kind", "number", "signed_on", "place", "event", "valid_from",
        "valid_until", "parties", "signatories", "continues", "implements", "summary",
        "document",
    ),
    "article": (
        "key", "title", "slug", "kind", "lead", "body", "status", "published_at", "rubrics",
        "tags", "photos", "agreements", "source_url", "updates",
    ),
}  # fmt: skip
TYPES = tuple(FIELDS)
SIGNATORY_FIELDS = ("name", "position", "party")
PHOTO_FIELDS = ("file", "caption", "credit", "credit_url", "alt")
UPDATE_FIELDS = ("at", "note")

MAX_ITEMS = 100
# A rubric's position is a PositiveSmallIntegerField; SQLite would not enforce its range.
POSITION_MAX = 32767
# Beyond this window a date is a typing error, and offsets near year 1 or 9999 overflow.
MIN_YEAR, MAX_YEAR = 1900, 2100
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?",
    re.ASCII,
)
_COUNTRY = re.compile(r"[A-Z]{2}", re.ASCII)

_JSON_TYPE_NAMES = {
    str: _("a string"),
    bool: _("true or false"),
    int: _("a number"),
    float: _("a number"),
    list: _("a list"),
    dict: _("an object"),
}


def _type_name(value):
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def item_path(path, number):
    """Return how a list item is named in messages, e.g. "photos, item 2"."""
    return _("%(field)s, item %(number)d") % {"field": path, "number": number}


class Fields:
    """Typed access to the fields of one JSON object; unknown fields are an error."""

    def __init__(self, data, allowed, path=""):
        unknown = [name for name in data if name not in allowed]
        if unknown:
            raise LineError(
                ngettext("unknown field: %(names)s", "unknown fields: %(names)s", len(unknown))
                % {"names": ", ".join(shown(name) for name in unknown)},
                path or None,
            )
        self.data = data
        self.path = path

    def where(self, name):
        return f"{self.path}, {name}" if self.path else name

    def error(self, name, reason):
        return LineError(reason, self.where(name))

    def value(self, name, kind, message, required=False):
        """Return a field's value checked to be of a JSON type; null counts as absent."""
        value = self.data.get(name)
        if value is None:
            if required:
                raise self.error(name, _("this field is required"))
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(name, message % {"got": _type_name(value)})
        return value

    def string(self, name, required=False):
        return self.value(name, str, _("must be a string (got %(got)s)"), required)

    def validate(self, name, model_field, value):
        return validate(model_field, value, self.where(name))

    def text(self, name, model_field, required=False, html=False):
        """Return a cleaned plain-text (or sanitised HTML) field, "" when absent."""
        raw = self.string(name, required)
        value = (sanitize_html(raw) if html else clean_text(raw)) if raw else ""
        if required and not value:
            if raw and raw.strip():
                raise self.error(name, _("nothing is left of the text once it is cleaned"))
            raise self.error(name, _("cannot be empty"))
        return self.validate(name, model_field, value)

    def key(self, name, required=False):
        value = self.string(name, required)
        if value is None:
            return None
        check_key(value, self.where(name))
        return value

    def slug(self, name, model_field):
        value = self.string(name)
        if not value:
            return None
        return self.validate(name, model_field, value)

    def integer(self, name, low, high):
        value = self.value(name, int, _("must be a whole number (got %(got)s)"))
        if value is None:
            return None
        if not low <= value <= high:
            raise self.error(
                name,
                _("must be between %(low)d and %(high)d") % {"low": low, "high": high},
            )
        return value

    def choice(self, name, choices, required=False):
        value = self.string(name, required)
        if value is None:
            return None
        if value not in choices.values:
            raise self.error(
                name,
                _("%(value)s is not one of: %(choices)s")
                % {"value": shown(value), "choices": ", ".join(choices.values)},
            )
        return value

    def url(self, name, model_field):
        return self.text(name, model_field)

    def date(self, name, required=False):
        value = self.string(name, required)
        if value is None:
            return None
        return parse_date(value, self.where(name))

    def datetime(self, name, required=False):
        value = self.string(name, required)
        if value is None:
            return None
        return parse_datetime(value, self.where(name))

    def items(self, name, required=False):
        """Return a list field with its items and the path of each, [] when absent."""
        value = self.value(name, list, _("must be a list (got %(got)s)"), required)
        if not value:
            if required:
                raise self.error(name, _("cannot be empty"))
            return []
        if len(value) > MAX_ITEMS:
            raise self.error(name, _("at most %(limit)d items are allowed") % {"limit": MAX_ITEMS})
        return [(item_path(self.where(name), n), item) for n, item in enumerate(value, 1)]

    def keys(self, name, required=False):
        """Return a list of keys, refusing repeats."""
        keys = []
        for path, item in self.items(name, required):
            if not isinstance(item, str):
                raise LineError(
                    _("must be a string (got %(got)s)") % {"got": _type_name(item)}, path
                )
            check_key(item, path)
            if item in keys:
                raise LineError(_("%(key)s is listed twice") % {"key": shown(item)}, path)
            keys.append(item)
        return keys

    def objects(self, name, allowed):
        """Return a Fields reader for every object of a list field."""
        readers = []
        for path, item in self.items(name):
            if not isinstance(item, dict):
                raise LineError(
                    _("must be an object (got %(got)s)") % {"got": _type_name(item)}, path
                )
            readers.append(Fields(item, allowed, path))
        return readers

    def media(self, name, folder, required=False):
        value = self.string(name, required)
        if not value:
            if required:
                raise self.error(name, _("cannot be empty"))
            return None
        try:
            return media.resolve(folder, value)
        except LineError as error:
            raise error.inside(self.where(name)) from None


def validate(model_field, value, where):
    """Return value after the model field's own validators (length, slug, URL) pass."""
    try:
        model_field.run_validators(value)
    except ValidationError as error:
        raise LineError(" ".join(error.messages), where) from error
    return value


def check_key(value, where):
    """Raise LineError unless value is a valid exchange key."""
    if not value:
        raise LineError(_("cannot be empty"), where)
    if value != value.strip():
        raise LineError(_("must not begin or end with a space"), where)
    if strip_control_characters(value) != value:
        raise LineError(_("must not contain control characters"), where)
    if len(value) > KEY_MAX_LENGTH:
        raise LineError(
            _("must be at most %(limit)d characters long (it has %(length)d)")
            % {"limit": KEY_MAX_LENGTH, "length": len(value)},
            where,
        )


def _year_in_range(value, where):
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise LineError(
            _("the year must be between %(min)d and %(max)d") % {"min": MIN_YEAR, "max": MAX_YEAR},
            where,
        )


def parse_date(value, where):
    """Return the date of a YYYY-MM-DD string."""
    if not _DATE.fullmatch(value):
        raise LineError(_("must be a date in the form YYYY-MM-DD, e.g. 2025-11-12"), where)
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError as error:
        raise LineError(
            _("%(value)s is not a real date") % {"value": shown(value)}, where
        ) from error
    _year_in_range(day, where)
    return day


def parse_datetime(value, where):
    """Return an aware date-time; one without an offset is read in the site's time zone."""
    if not _DATETIME.fullmatch(value):
        raise LineError(_("must be a date and time such as 2025-11-13T09:10:00+05:00"), where)
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise LineError(
            _("%(value)s is not a real date and time") % {"value": shown(value)}, where
        ) from error
    _year_in_range(moment, where)
    if moment.tzinfo is not None:
        return moment
    return _aware_in_site_zone(moment, value, where)


def _aware_in_site_zone(naive, value, where):
    zone = timezone.get_default_timezone()
    aware = naive.replace(tzinfo=zone)
    names = {"value": shown(value), "zone": zone}
    if aware.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise LineError(
            _(
                "%(value)s does not exist in the time zone %(zone)s (the clocks were moved "
                "forward then); give the time with its offset"
            )
            % names,
            where,
        )
    if naive.replace(tzinfo=zone, fold=1).utcoffset() != aware.utcoffset():
        raise LineError(
            _(
                "%(value)s happened twice in the time zone %(zone)s (the clocks were moved "
                "back then); give the time with its offset"
            )
            % names,
            where,
        )
    return aware


def _model_field(model, name):
    return model._meta.get_field(name)


@dataclass
class RubricRecord:
    key: str
    name: str
    slug: str | None
    position: int


@dataclass
class OrganizationRecord:
    key: str
    name: str
    short_name: str
    country: str


@dataclass
class SignatoryRecord:
    name: str
    position: str
    party: str | None


@dataclass
class AgreementRecord:
    key: str
    title: str
    kind: str
    number: str
    signed_on: datetime.date
    place: str
    event: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    parties: list[str]
    signatories: list[SignatoryRecord]
    continues: str | None
    implements: str | None
    summary: str
    document: media.MediaFile | None


@dataclass
class PhotoRecord:
    file: media.MediaFile
    caption: str
    credit: str
    credit_url: str
    alt: str


@dataclass
class UpdateRecord:
    at: datetime.datetime
    note: str


@dataclass
class ArticleRecord:
    key: str
    title: str
    slug: str | None
    kind: str
    lead: str
    body: str
    status: str
    published_at: datetime.datetime | None
    rubrics: list[str]
    tags: list[str]
    photos: list[PhotoRecord] = field(default_factory=list)
    agreements: list[str] = field(default_factory=list)
    source_url: str = ""
    updates: list[UpdateRecord] = field(default_factory=list)


def _fields(data, type_):
    return Fields(data, ("type", *FIELDS[type_]))


def parse_rubric(data, folder):
    """Return the RubricRecord of a line."""
    f = _fields(data, "rubric")
    return RubricRecord(
        key=f.key("key", required=True),
        name=f.text("name", _model_field(Rubric, "name"), required=True),
        slug=f.slug("slug", _model_field(Rubric, "slug")),
        position=f.integer("position", 0, POSITION_MAX) or 0,
    )


def parse_organization(data, folder):
    """Return the OrganizationRecord of a line."""
    f = _fields(data, "organization")
    record = OrganizationRecord(
        key=f.key("key", required=True),
        name=f.text("name", _model_field(Organization, "name"), required=True),
        short_name=f.text("short_name", _model_field(Organization, "short_name")),
        country=f.string("country") or "",
    )
    if record.country and not _COUNTRY.fullmatch(record.country):
        raise f.error("country", _("must be a two-letter country code in capitals, e.g. RU or KZ"))
    return record


def _parse_signatory(f):
    return SignatoryRecord(
        name=f.text("name", _model_field(Signatory, "name"), required=True),
        position=f.text("position", _model_field(Signatory, "position")),
        party=f.key("party"),
    )


def parse_agreement(data, folder):
    """Return the AgreementRecord of a line."""
    f = _fields(data, "agreement")
    key = f.key("key", required=True)
    record = AgreementRecord(
        key=key,
        title=f.text("title", _model_field(Agreement, "title"), required=True),
        kind=f.choice("kind", Agreement.Kind, required=True),
        number=f.text("number", _model_field(Agreement, "number")),
        signed_on=f.date("signed_on", required=True),
        place=f.text("place", _model_field(Agreement, "place")),
        event=f.text("event", _model_field(Agreement, "event")),
        valid_from=f.date("valid_from"),
        valid_until=f.date("valid_until"),
        parties=f.keys("parties", required=True),
        signatories=[_parse_signatory(item) for item in f.objects("signatories", SIGNATORY_FIELDS)],
        continues=f.key("continues"),
        implements=f.key("implements"),
        summary=f.text("summary", _model_field(Agreement, "summary")),
        document=f.media("document", folder),
    )
    if record.valid_from and record.valid_until and record.valid_until < record.valid_from:
        raise f.error("valid_until", _("the end of validity cannot precede valid_from"))
    for name in ("continues", "implements"):
        if getattr(record, name) == key:
            raise f.error(name, _("a document cannot continue or implement itself"))
    return record


def _parse_photo(f, folder):
    return PhotoRecord(
        file=f.media("file", folder, required=True),
        caption=f.text("caption", _model_field(Photo, "caption")),
        credit=f.text("credit", _model_field(Photo, "credit")),
        credit_url=f.url("credit_url", _model_field(Photo, "credit_url")),
        alt=f.text("alt", _model_field(Photo, "alt")),
    )


def _parse_update(f):
    return UpdateRecord(
        at=f.datetime("at", required=True),
        note=f.text("note", _model_field(ArticleUpdate, "note"), required=True),
    )


def _parse_tags(f):
    tags, folded = [], set()
    name_field = _model_field(Tag, "name")
    for path, item in f.items("tags"):
        if not isinstance(item, str):
            raise LineError(_("must be a string (got %(got)s)") % {"got": _type_name(item)}, path)
        name = normalize_tag_name(clean_text(item))
        if not name:
            raise LineError(_("cannot be empty"), path)
        fold = fold_tag_name(name)
        validate(name_field, name, path)
        if len(fold) > TAG_NAME_MAX_LENGTH:  # folding may lengthen a name ("ß" -> "ss")
            validate(name_field, fold, path)
        if fold not in folded:
            folded.add(fold)
            tags.append(name)
    return tags


def _parse_rubric_references(f):
    references = []
    for path, item in f.items("rubrics"):
        if not isinstance(item, str):
            raise LineError(_("must be a string (got %(got)s)") % {"got": _type_name(item)}, path)
        reference = clean_text(item)
        if not reference:
            raise LineError(_("cannot be empty"), path)
        if reference not in references:
            references.append(reference)
    return references


def parse_article(data, folder):
    """Return the ArticleRecord of a line."""
    f = _fields(data, "article")
    record = ArticleRecord(
        key=f.key("key", required=True),
        title=f.text("title", _model_field(Article, "title"), required=True),
        slug=f.slug("slug", _model_field(Article, "slug")),
        kind=f.choice("kind", Article.Kind) or Article.Kind.NEWS,
        lead=f.text("lead", _model_field(Article, "lead")),
        body=f.text("body", _model_field(Article, "body"), required=True, html=True),
        status=f.choice("status", Article.Status, required=True),
        published_at=f.datetime("published_at"),
        rubrics=_parse_rubric_references(f),
        tags=_parse_tags(f),
        photos=[_parse_photo(item, folder) for item in f.objects("photos", PHOTO_FIELDS)],
        agreements=f.keys("agreements"),
        source_url=f.url("source_url", _model_field(Article, "source_url")),
        updates=[_parse_update(item) for item in f.objects("updates", UPDATE_FIELDS)],
    )
    if record.status == Article.Status.PUBLISHED and record.published_at is None:
        raise f.error("published_at", _("a published article needs a publication time"))
    return record


PARSERS = {
    "rubric": parse_rubric,
    "organization": parse_organization,
    "agreement": parse_agreement,
    "article": parse_article,
}
