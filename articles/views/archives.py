"""Date archives: /news/YYYY/ and /news/YYYY/MM/, in the site's time zone."""

import datetime

from django.http import Http404
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone

from articles import pagecache
from articles.models import Article
from articles.views.mixins import ArticleListView, request_now

# Years outside this window cannot hold news and would overflow time-zone arithmetic.
MIN_YEAR = 1900
MAX_YEAR = 9998


def local_start(year, month=1):
    """Return the aware start of a month in the site's time zone."""
    return timezone.make_aware(datetime.datetime(year, month, 1))


class ArchiveView(ArticleListView):
    """Articles published within a period: a year, or a month of a year."""

    def get(self, request, *args, year, month=None, **kwargs):
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise Http404("No archive for this year.")
        self.year, self.month = year, month
        if month is None:
            self.start, self.end = local_start(year), local_start(year + 1)
        else:
            self.start = local_start(year, month)
            self.end = local_start(year + month // 12, month % 12 + 1)
        return super().get(request, *args, year=year, month=month, **kwargs)

    def memoized(self, name, compute):
        """Return compute(now) for this period, memoized until content changes."""
        key = f"archive-{name}:{self.start.isoformat()}:{self.end.isoformat()}"
        return pagecache.memo_until_publication(key, compute, request_now(self.request))

    def in_period(self, queryset):
        return queryset.filter(published_at__gte=self.start, published_at__lt=self.end)

    def get_queryset(self):
        return self.in_period(super().get_queryset())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # A year holds ~100 000 articles at 1 M: count once per content version.
        context["total"] = self.memoized(
            "count", lambda now: self.in_period(Article.objects.published(now)).count()
        )
        context.update(year=self.year, period_start=self.start)
        return context


class YearArchiveView(ArchiveView):
    template_name = "articles/archive_year.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(breadcrumbs=[(None, self.year)], **kwargs)
        context["months"] = self.memoized(
            "months",
            lambda now: list(
                self.in_period(Article.objects.published(now)).datetimes("published_at", "month")
            ),
        )
        return context


class MonthArchiveView(ArchiveView):
    template_name = "articles/archive_month.html"

    def get_context_data(self, **kwargs):
        year_url = reverse("articles:archive_year", kwargs={"year": self.year})
        month_name = date_filter(self.start, "F")
        return super().get_context_data(
            breadcrumbs=[(year_url, self.year), (None, month_name)], **kwargs
        )
