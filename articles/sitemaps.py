"""What search engines read: sitemaps (general and Google News) and robots.txt."""

import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Greatest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from articles.conditional import NEWEST_FIRST
from articles.feeds.content import one_line
from articles.models import Agreement, Article, Rubric, Tag

# The protocol allows 50,000 URLs a file; smaller pages stay quick to build and fetch.
PAGE_SIZE = 5000
NEWS_MAX_AGE = datetime.timedelta(days=2)
# Google News reads at most 1,000 URLs from one news sitemap.
NEWS_PAGE_SIZE = 1000


def last_change():
    """Return an expression for when an article last changed for readers."""
    # A scheduled article may have been saved long before it went public.
    return Greatest("updated_at", "published_at")


def w3c(moment):
    """Return a moment in the site's time zone, to the second (W3C Datetime in XML)."""
    return timezone.localtime(moment).replace(microsecond=0) if moment else None


class PressroomSitemap(Sitemap):
    """A sitemap made per request, so that `now` is one moment for all its queries."""

    limit = PAGE_SIZE

    def __init__(self):
        self.now = timezone.now()

    def published(self):
        return Article.objects.published(self.now)


class ArticleSitemap(PressroomSitemap):
    def items(self):
        # Oldest first: a new article lands on the last page and earlier pages stay put.
        return self.published().annotate(changed_at=last_change()).only("pk", "slug").order_by("pk")

    def lastmod(self, article):
        return w3c(article.changed_at)

    def get_latest_lastmod(self):
        return w3c(self.published().aggregate(latest=Max(last_change()))["latest"])


class ArticleGroupSitemap(PressroomSitemap):
    """Rubrics or tags that hold at least one published article, with its last change."""

    model = None
    relation = None

    def items(self):
        newest = (
            self.published()
            .filter(**{self.relation: OuterRef("pk")})
            .annotate(changed_at=last_change())
            .order_by("-changed_at")
            .values("changed_at")[:1]
        )
        return (
            self.model.objects.annotate(changed_at=Subquery(newest))
            .filter(changed_at__isnull=False)
            .only("pk", "slug")
            .order_by("pk")
        )

    def lastmod(self, group):
        return w3c(group.changed_at)

    def get_latest_lastmod(self):
        grouped = self.published().filter(**{f"{self.relation}__isnull": False})
        return w3c(grouped.aggregate(latest=Max(last_change()))["latest"])


class RubricSitemap(ArticleGroupSitemap):
    model = Rubric
    relation = "rubrics"


class TagSitemap(ArticleGroupSitemap):
    model = Tag
    relation = "tags"


class AgreementSitemap(PressroomSitemap):
    def items(self):
        return Agreement.objects.only("pk", "slug", "updated_at").order_by("pk")

    def lastmod(self, agreement):
        return w3c(agreement.updated_at)

    def get_latest_lastmod(self):
        return w3c(Agreement.objects.aggregate(latest=Max("updated_at"))["latest"])


class NewsSitemap(PressroomSitemap):
    """Google News: articles published within the last two days."""

    limit = NEWS_PAGE_SIZE

    def items(self):
        return (
            self.published()
            .filter(published_at__gte=self.now - NEWS_MAX_AGE)
            .annotate(changed_at=last_change())
            .only("pk", "slug", "title", "published_at")
            .order_by(*NEWEST_FIRST)
        )

    def lastmod(self, article):
        return w3c(article.changed_at)

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            url["title"] = one_line(url["item"].title)
            url["publication_date"] = w3c(url["item"].published_at)
        return urls


SITEMAPS = {
    "articles": ArticleSitemap,
    "rubrics": RubricSitemap,
    "tags": TagSitemap,
    "agreements": AgreementSitemap,
}
NEWS_SITEMAPS = {"news": NewsSitemap}


def robots_txt(request):
    """Return robots.txt: the sitemaps by absolute URL, the admin and search kept out."""
    context = {
        "disallow": [reverse("admin:index"), reverse("articles:search")],
        "sitemaps": [
            request.build_absolute_uri(reverse("feeds:sitemap")),
            request.build_absolute_uri(reverse("feeds:sitemap-news")),
        ],
    }
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")
