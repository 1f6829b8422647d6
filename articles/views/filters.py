"""The filter form of the agreements registry: invalid values are ignored, never an error page."""

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from articles.models import Agreement, Organization

# Countries of the region's partners; any other code is shown as it is.
COUNTRY_NAMES = {
    "RU": _("Russia"),
    "KZ": _("Kazakhstan"),
    "BY": _("Belarus"),
    "UZ": _("Uzbekistan"),
    "KG": _("Kyrgyzstan"),
    "TJ": _("Tajikistan"),
    "TM": _("Turkmenistan"),
    "AM": _("Armenia"),
    "AZ": _("Azerbaijan"),
    "CN": _("China"),
    "MN": _("Mongolia"),
    "TR": _("Turkey"),
    "IN": _("India"),
}


def country_name(code):
    """Return the name of a country for its ISO code, or the code itself."""
    return COUNTRY_NAMES.get(code, code)


class AgreementFilterForm(forms.Form):
    party = forms.ModelChoiceField(
        label=_("Party"), queryset=Organization.objects.order_by("name"), required=False
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of document"),
        choices=[("", _("All kinds")), *Agreement.Kind.choices],
        required=False,
    )
    year = forms.TypedChoiceField(label=_("Year of signing"), coerce=int, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *Agreement.Status.choices],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].empty_label = _("All parties")
        countries = (
            Organization.objects.exclude(country="")
            .order_by("country")
            .values_list("country", flat=True)
            .distinct()
        )
        self.fields["country"].choices = [
            ("", _("All countries")),
            *((code, country_name(code)) for code in countries),
        ]
        years = Agreement.objects.dates("signed_on", "year", order="DESC")
        self.fields["year"].choices = [
            ("", _("All years")),
            *((day.year, day.year) for day in years),
        ]

    def filter(self, queryset, today):
        """Return queryset narrowed by every valid filter; invalid ones are left out."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("party"):
            queryset = queryset.filter(parties=data["party"])
        if data.get("country"):
            queryset = queryset.filter(
                Exists(
                    Agreement.parties.through.objects.filter(
                        agreement=OuterRef("pk"), organization__country=data["country"]
                    )
                )
            )
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("year"):
            queryset = queryset.filter(signed_on__year=data["year"])
        if data.get("status"):
            queryset = queryset.filter(Agreement.status_condition(data["status"], today))
        return queryset
