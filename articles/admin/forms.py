"""The editors' forms: everything typed or uploaded in the admin is checked here."""

import datetime
import html
import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from articles.admin.a11y import LabelledInlineFormSetMixin, LabelledSplitDateTime
from articles.admin.fields import (
    ArticleTagField,
    PlainTextField,
    SlugInputField,
    check_tag_name,
)
from articles.admin.ordering import OrderedInlineFormSet
from articles.html import clean_text, sanitize_html
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
from articles.models.base import KEY_MAX_LENGTH, new_key
from articles.models.photo import private_storage
from articles.models.tag import fold_tag_name, normalize_tag_name
from articles.slugs import SlugError, slug_from_title
from articles.storage import check_writable

EARLIEST_PUBLICATION_YEAR = 2000
LATEST_PUBLICATION_YEARS_AHEAD = 5
MAX_CHAIN_LENGTH = 100


def url_as_https(db_field, **kwargs):
    """Make a form field, assuming https for addresses typed without a scheme."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class SlugFromSourceMixin:
    """Fill an empty slug from another field by transliteration, on the server."""

    slug_source = "title"
    slug_error = _(
        "No Latin address can be made from the title: enter the address yourself in "
        "Latin letters, e.g. forum-v-uralske."
    )

    def fill_slug(self):
        if self.cleaned_data.get("slug") or "slug" in self.errors:
            return
        source = self.cleaned_data.get(self.slug_source)
        if not source:
            return
        max_length = self._meta.model._meta.get_field("slug").max_length
        try:
            self.cleaned_data["slug"] = slug_from_title(source, max_length)
        except SlugError:
            self.add_error("slug", self.slug_error)


def publication_window(now=None):
    """Return the earliest and latest publication times an editor may set."""
    now = now or timezone.now()
    earliest = timezone.make_aware(datetime.datetime(EARLIEST_PUBLICATION_YEAR, 1, 1))
    latest = now + datetime.timedelta(days=366 * LATEST_PUBLICATION_YEARS_AHEAD)
    return earliest, latest


class ArticleAdminForm(SlugFromSourceMixin, forms.ModelForm):
    tags = ArticleTagField(
        label=capfirst(_("tags")),
        required=False,
        help_text=_(
            "Persons, positions, regions, countries and topics, separated by commas: "
            "«Евгений Солнцев, Казахстан, приграничное сотрудничество»."
        ),
    )

    # A new article's exchange key, chosen when the add form is shown: a second post of
    # the same form (a double click, a resent request) finds the key taken and is refused.
    creation_token = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=KEY_MAX_LENGTH
    )

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "kind",
            "lead",
            "body",
            "status",
            "published_at",
            "rubrics",
            "tags",
            "agreements",
            "source_url",
        ]
        field_classes = {"title": PlainTextField, "lead": PlainTextField, "slug": SlugInputField}
        widgets = {
            "published_at": LabelledSplitDateTime(_("Publication date"), _("Publication time"))
        }
        formfield_callback = url_as_https

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["creation_token"].initial = new_key()

    def clean_creation_token(self):
        token = self.cleaned_data.get("creation_token", "")
        if self.instance.pk is not None or not re.fullmatch(r"[0-9a-f]{32}", token):
            return ""  # a change form, or a token the form never issued: keep the default key
        if Article.objects.filter(key=token).exists():
            raise ValidationError(
                _(
                    "This article has already been saved: the form was sent twice. "
                    "Find the article in the list of articles."
                ),
                code="sent_twice",
            )
        self.instance.key = token
        return token

    def clean_body(self):
        body = sanitize_html(self.cleaned_data.get("body", ""))
        if not html.unescape(strip_tags(body)).strip():
            raise ValidationError(
                _("The text is empty once unsafe markup is removed: write the article text."),
                code="empty_body",
            )
        return body

    def clean_published_at(self):
        published_at = self.cleaned_data.get("published_at")
        if published_at is None or "published_at" not in self.changed_data:
            # An unchanged time (e.g. of an imported archive item) is not questioned again.
            return published_at
        earliest, latest = publication_window()
        if not earliest <= published_at <= latest:
            raise ValidationError(
                _("Set a publication time between 1 January %(earliest)d and five years from now.")
                % {"earliest": EARLIEST_PUBLICATION_YEAR},
                code="out_of_window",
            )
        return published_at

    def clean(self):
        cleaned = super().clean()
        self.fill_slug()
        if (
            cleaned.get("status") == Article.Status.PUBLISHED
            and cleaned.get("published_at") is None
            and "published_at" not in self.errors
        ):
            self.add_error(
                "published_at",
                ValidationError(
                    _(
                        "A published article needs a publication time. Set the current time "
                        "to publish now or a future time to schedule the article."
                    ),
                    code="published_without_time",
                ),
            )
        return cleaned


class ArticleUpdateInlineForm(forms.ModelForm):
    class Meta:
        model = ArticleUpdate
        fields = ["at", "note"]
        field_classes = {"note": PlainTextField}
        help_texts = {
            "at": _("Leave empty to use the current time."),
            "note": _("What changed, for readers, e.g. «уточнены сроки»."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["at"].required = False

    def clean_at(self):
        return self.cleaned_data.get("at") or timezone.now()


class PhotoInlineForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("photo file"),
        required=False,
        help_text=_("JPEG, PNG or WebP. Choose a new file to replace the photo."),
    )

    class Meta:
        model = Photo
        fields = ["upload", "position", "alt", "caption", "credit", "credit_url"]
        field_classes = {"alt": PlainTextField, "caption": PlainTextField, "credit": PlainTextField}
        formfield_callback = url_as_https

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        if self.instance.pk is None:
            self.fields["position"].initial = None
            self.fields["position"].help_text = _("Leave empty to put the photo last.")

    def clean_upload(self):
        from articles import images  # loads Pillow: at the first upload, not in every worker

        upload = self.cleaned_data.get("upload")
        if upload:
            images.decode_image(upload)
            upload.seek(0)
            # The files are written when the article is saved, too late for a form error.
            check_writable(private_storage(), "originals")
            check_writable(default_storage, "photos")
        elif self.instance.pk is None:
            raise ValidationError(_("Choose the photo file to upload."), code="required")
        return upload

    def save(self, commit=True):
        from articles import images  # loads Pillow: at the first upload, not in every worker

        # A replaced file is not deleted: older revisions of the article still refer to
        # it, and reverting to one of them must bring the photo back whole.
        upload = self.cleaned_data.get("upload")
        if upload:
            images.attach_image(self.instance, upload, original_name=clean_text(upload.name or ""))
        return super().save(commit)


class PhotoInlineFormSet(LabelledInlineFormSetMixin, OrderedInlineFormSet):
    """Photos in order; a deleted photo keeps its files so that history can restore it."""

    order_field = "position"
    duplicate_message = _("Two photos of one article cannot share a number.")


class AgreementAdminForm(SlugFromSourceMixin, forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "title",
            "slug",
            "kind",
            "number",
            "signed_on",
            "place",
            "event",
            "valid_from",
            "valid_until",
            "parties",
            "continues",
            "implements",
            "summary",
            "document",
        ]
        field_classes = {
            "title": PlainTextField,
            "slug": SlugInputField,
            "number": PlainTextField,
            "place": PlainTextField,
            "event": PlainTextField,
            "summary": PlainTextField,
        }

    def clean_document(self):
        from articles import images  # loads Pillow: at the first upload, not in every worker

        document = self.cleaned_data.get("document")
        if isinstance(document, UploadedFile):
            self.instance.document_size = images.validate_pdf(document)
            check_writable(Agreement._meta.get_field("document").storage, "agreements")
        elif document is False:
            self.instance.document_size = None
        return document

    def _check_chain(self, field):
        """Refuse a link that points back at this document, directly or down the chain."""
        target = self.cleaned_data.get(field)
        if target is None or self.instance.pk is None:
            return
        seen = set()
        current = target
        while current is not None and current.pk not in seen and len(seen) < MAX_CHAIN_LENGTH:
            if current.pk == self.instance.pk:
                self.add_error(
                    field,
                    ValidationError(
                        _("A document cannot continue or implement itself, even through others."),
                        code="cycle",
                    ),
                )
                return
            seen.add(current.pk)
            current = getattr(current, field)

    def clean(self):
        cleaned = super().clean()
        self.fill_slug()
        self._check_chain("continues")
        self._check_chain("implements")
        document = cleaned.get("document")
        if isinstance(document, UploadedFile):
            # A random stored name: the file's address cannot be guessed from the title;
            # the download view names the file after the slug.
            document.name = f"{uuid.uuid4().hex}.pdf"
        return cleaned


class SignatoryInlineForm(forms.ModelForm):
    class Meta:
        model = Signatory
        fields = ["order", "name", "position", "party"]
        field_classes = {"name": PlainTextField, "position": PlainTextField}
        labels = {"name": _("full name of the person"), "position": _("job title")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        if self.instance.pk is None:
            self.fields["order"].initial = None


class SignatoryInlineFormSet(LabelledInlineFormSetMixin, OrderedInlineFormSet):
    order_field = "order"
    duplicate_message = _("Two signatories cannot share one place in the order.")


class OrganizationAdminForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "short_name", "country"]
        field_classes = {"name": PlainTextField, "short_name": PlainTextField}

    def clean_country(self):
        country = (self.cleaned_data.get("country") or "").strip().upper()
        if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
            raise ValidationError(
                _("Enter a two-letter Latin country code, e.g. RU or KZ."), code="country"
            )
        return country


class RubricAdminForm(SlugFromSourceMixin, forms.ModelForm):
    slug_source = "name"
    slug_error = _(
        "No Latin address can be made from the name: enter the address yourself in "
        "Latin letters, e.g. ekonomika."
    )

    class Meta:
        model = Rubric
        fields = ["name", "slug", "position"]
        field_classes = {"name": PlainTextField, "slug": SlugInputField}
        error_messages = {
            "name": {"unique": _("A rubric with this name already exists.")},
            "slug": {"unique": _("Another rubric already has this address.")},
        }

    def clean(self):
        cleaned = super().clean()
        self.fill_slug()
        return cleaned


class TagAdminForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "slug", "kind"]
        field_classes = {"name": PlainTextField, "slug": SlugInputField}
        help_texts = {
            "slug": _("Latin part of the tag's address; made from the name when left empty."),
        }
        error_messages = {"slug": {"unique": _("Another tag already has this address.")}}

    def clean_name(self):
        name = normalize_tag_name(self.cleaned_data.get("name", ""))
        check_tag_name(name)
        twins = Tag.objects.filter(folded_name=fold_tag_name(name)).exclude(pk=self.instance.pk)
        twin = twins.first()
        if twin is not None:
            raise ValidationError(
                _("The tag «%(name)s» already exists; case and ё do not make a new tag.")
                % {"name": twin.name},
                code="duplicate_tag",
            )
        return name

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name")
        if name and not cleaned.get("slug") and "slug" not in self.errors:
            cleaned["slug"] = unique_tag_slug(name, exclude_pk=self.instance.pk)
        return cleaned


def unique_tag_slug(name, *, exclude_pk=None):
    """Return a transliterated slug for a tag name that no other tag uses."""
    base = Tag().slugify(name)
    taken = set(
        Tag.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    return next(slug for i in range(1, len(taken) + 2) if (slug := f"{base}-{i}") not in taken)
