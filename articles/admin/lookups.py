"""Admin lists and autocompletes that answer hostile parameters without a server error."""

from django.contrib.admin.options import IncorrectLookupParameters


def has_nul_byte(query):
    """Return whether any name or value of a QueryDict holds a NUL byte."""
    return any(
        "\x00" in name or any("\x00" in value for value in values) for name, values in query.lists()
    )


class SafeLookupsMixin:
    """Treat NUL bytes and impossible dates in list parameters as invalid filters.

    PostgreSQL refuses NUL in any string literal (a 500 from a list filter or an
    autocomplete term), and the date hierarchy builds datetime(year, …) from the raw
    year, which overflows for huge years. Django's answer to a bad filter is the list
    again with ?e=1, so these become that too.
    """

    def get_changelist_instance(self, request):
        if has_nul_byte(request.GET):
            raise IncorrectLookupParameters("NUL byte in a list parameter.")
        try:
            return super().get_changelist_instance(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error

    def get_search_results(self, request, queryset, search_term):
        if "\x00" in search_term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)
