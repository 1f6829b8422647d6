"""Admin for agreements and their signatories."""

from django.contrib import admin
from django.db.models import prefetch_related_objects
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin

from articles.admin.a11y import AccessibleAdminMixin
from articles.admin.filters import AgreementStatusFilter
from articles.admin.forms import AgreementAdminForm, SignatoryInlineForm, SignatoryInlineFormSet
from articles.admin.lookups import SafeLookupsMixin
from articles.models import Agreement, Signatory


class SignatoryInline(admin.TabularInline):
    model = Signatory
    form = SignatoryInlineForm
    formset = SignatoryInlineFormSet
    fields = ["order", "name", "position", "party"]
    autocomplete_fields = ["party"]
    ordering = ["order", "id"]
    extra = 2


def _links(agreements):
    """Return links to the admin pages of agreements, one per line, or a dash."""
    agreements = [agreement for agreement in agreements if agreement is not None]
    if not agreements:
        return "—"
    return format_html_join(
        mark_safe("<br>"),
        '<a href="{}">{}</a>',
        (
            (reverse("admin:articles_agreement_change", args=[agreement.pk]), agreement.title)
            for agreement in agreements
        ),
    )


@admin.register(Agreement)
class AgreementAdmin(AccessibleAdminMixin, SafeLookupsMixin, VersionAdmin):
    form = AgreementAdminForm
    inlines = [SignatoryInline]
    list_display = ["title", "kind", "number", "signed_on", "validity", "place"]
    list_filter = [AgreementStatusFilter, "kind", ("signed_on", admin.DateFieldListFilter)]
    search_fields = ["title", "number", "place", "event"]
    date_hierarchy = "signed_on"
    autocomplete_fields = ["parties", "continues", "implements"]
    readonly_fields = [
        "continues_link",
        "continued_by_links",
        "implements_link",
        "implemented_by_links",
        "document_file_size",
        "key",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "number"]}),
        (_("Signing"), {"fields": ["signed_on", "place", "event", "parties"]}),
        (
            _("Validity"),
            {
                "fields": ["valid_from", "valid_until"],
                "description": _(
                    "The status (in force, expired, not yet in force) follows from these dates; "
                    "without a start date the document counts from the day it was signed."
                ),
            },
        ),
        (_("Related documents"), {"fields": ["continues", "implements"]}),
        (
            _("Document chain"),
            {
                "fields": [
                    "continues_link",
                    "continued_by_links",
                    "implements_link",
                    "implemented_by_links",
                ]
            },
        ),
        (_("Text and file"), {"fields": ["summary", "document", "document_file_size"]}),
        (
            _("Service data"),
            {"fields": ["key", "created_at", "updated_at"], "classes": ["collapse"]},
        ),
    ]

    def get_object(self, request, object_id, from_field=None):
        agreement = super().get_object(request, object_id, from_field)
        if agreement is not None:
            prefetch_related_objects(
                [agreement], "continues", "implements", "continued_by", "implemented_by"
            )
        return agreement

    @admin.display(description=_("document size"))
    def document_file_size(self, agreement):
        return filesizeformat(agreement.document_size) if agreement.document_size else "—"

    @admin.display(description=_("validity"))
    def validity(self, agreement):
        return agreement.status.label

    @admin.display(description=_("continues the document"))
    def continues_link(self, agreement):
        return _links([agreement.continues])

    @admin.display(description=_("continued by"))
    def continued_by_links(self, agreement):
        return _links(agreement.continued_by.all()) if agreement.pk else "—"

    @admin.display(description=_("implements the document"))
    def implements_link(self, agreement):
        return _links([agreement.implements])

    @admin.display(description=_("implemented by"))
    def implemented_by_links(self, agreement):
        return _links(agreement.implemented_by.all()) if agreement.pk else "—"
