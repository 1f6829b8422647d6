"""The registry of signed agreements, its open-data downloads and the agreement page."""

import csv

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from articles.metadata import agreement_json_ld
from articles.models import Agreement, Signatory
from articles.views.filters import AgreementFilterForm, country_name
from articles.views.mixins import counted_page, page_number, published_articles, request_now

AGREEMENTS_PER_PAGE = 50
EXPORT_FIELDS = (
    "id",
    "url",
    "title",
    "kind",
    "kind_label",
    "number",
    "signed_on",
    "place",
    "event",
    "valid_from",
    "valid_until",
    "status",
    "status_label",
    "parties",
    "countries",
    "document_url",
)
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def today(request):
    """Return the site's local date at the moment of this request."""
    return timezone.localdate(request_now(request))


def filtered_agreements(request):
    """Return the filter form and the agreements it selects, ready for a list."""
    form = AgreementFilterForm(request.GET)
    agreements = form.filter(Agreement.objects.all(), today(request))
    return form, agreements.prefetch_related("parties").order_by("-signed_on", "-id")


def with_status(agreements, day):
    """Attach each agreement's status on `day` as `current_status` and return the list."""
    agreements = list(agreements)
    for agreement in agreements:
        agreement.current_status = Agreement.Status(agreement.status_on(day))
    return agreements


class AgreementListView(TemplateView):
    """Every agreement with kind, parties, signing and validity, filtered by the reader."""

    template_name = "agreements/list.html"

    def get_context_data(self, **kwargs):
        form, agreements = filtered_agreements(self.request)
        page = counted_page(agreements, page_number(self.request), AGREEMENTS_PER_PAGE)
        page.object_list = with_status(page.object_list, today(self.request))
        return super().get_context_data(
            form=form,
            page_obj=page,
            canonical_url=self.request.build_absolute_uri(registry_address(form, page.number)),
            **kwargs,
        )


def registry_address(form, page_number):
    """Return the registry's address with the valid filters of form and the page number.

    Invalid filters and unknown parameters (such as utm_*) are left out, so every list
    has one canonical address.
    """
    params = {
        name: form.fields[name].prepare_value(value)
        for name, value in form.cleaned_data.items()
        if value not in (None, "")
    }
    if page_number > 1:
        params["page"] = page_number
    query = urlencode(params)
    return reverse("articles:agreements") + (f"?{query}" if query else "")


class AgreementExportView(View):
    """The filtered registry as open data: CSV or JSON, one row per agreement."""

    format = "csv"

    def get(self, request):
        _form, agreements = filtered_agreements(request)
        rows = [self.row(agreement) for agreement in with_status(agreements, today(request))]
        if self.format == "json":
            response = JsonResponse(
                {"count": len(rows), "agreements": rows},
                json_dumps_params={"ensure_ascii": False, "indent": 2},
            )
        else:
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            # The byte-order mark lets spreadsheet programs recognise UTF-8.
            response.write("\ufeff")
            writer = csv.DictWriter(response, fieldnames=EXPORT_FIELDS)
            writer.writeheader()
            writer.writerows({key: csv_cell(value) for key, value in row.items()} for row in rows)
        response["Content-Disposition"] = f'attachment; filename="agreements.{self.format}"'
        return response

    def row(self, agreement):
        parties = list(agreement.parties.all())
        return {
            "id": agreement.pk,
            "url": self.request.build_absolute_uri(agreement.get_absolute_url()),
            "title": agreement.title,
            "kind": agreement.kind,
            "kind_label": str(agreement.get_kind_display()),
            "number": agreement.number,
            "signed_on": agreement.signed_on.isoformat(),
            "place": agreement.place,
            "event": agreement.event,
            "valid_from": agreement.valid_from.isoformat() if agreement.valid_from else None,
            "valid_until": agreement.valid_until.isoformat() if agreement.valid_until else None,
            "status": agreement.current_status.value,
            "status_label": str(agreement.current_status.label),
            "parties": [party.name for party in parties],
            "countries": sorted({party.country for party in parties if party.country}),
            "document_url": (
                self.request.build_absolute_uri(
                    reverse("articles:agreement_document", kwargs={"pk": agreement.pk})
                )
                if agreement.document
                else None
            ),
        }


def csv_cell(value):
    """Return a value as CSV text that no spreadsheet would run as a formula."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(value)
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


class AgreementView(TemplateView):
    """One agreement: parties, signatories, period, the chain of documents, the news."""

    template_name = "agreements/detail.html"

    def get(self, request, *args, pk, slug, **kwargs):
        agreement = get_object_or_404(
            Agreement.objects.select_related("continues", "implements").prefetch_related(
                "parties",
                "continued_by",
                "implemented_by",
            ),
            pk=pk,
        )
        if slug != agreement.slug:
            return redirect(agreement, permanent=True)
        self.agreement = agreement
        return super().get(request, *args, pk=pk, slug=slug, **kwargs)

    def get_context_data(self, **kwargs):
        agreement = self.agreement
        parties = list(agreement.parties.all())
        canonical_url = self.request.build_absolute_uri(agreement.get_absolute_url())
        return super().get_context_data(
            agreement=agreement,
            breadcrumbs=[
                (reverse("articles:agreements"), _("Agreements registry")),
                (None, agreement.title),
            ],
            canonical_url=canonical_url,
            json_ld=agreement_json_ld(
                self.request, agreement, parties=parties, canonical_url=canonical_url
            ),
            status=Agreement.Status(agreement.status_on(today(self.request))),
            parties=[(party, country_name(party.country)) for party in parties],
            signatories=Signatory.objects.filter(agreement=agreement).select_related("party"),
            articles=published_articles(self.request)
            .filter(agreements=agreement)
            .order_by("-published_at", "-id")
            .only("id", "slug", "title", "published_at"),
            **kwargs,
        )
