"""What search engines read: sitemaps (general and Google News) and robots.txt."""

import datetime

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Exists, Max, OuterRef, Subquery
from django.db.models.functions import Greatest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from articles import pagecache
from articles.conditional import NEWEST_FIRST
from articles.feeds.content import one_line
from articles.models import Agreement, Article, Rubric, Tag, TaggedArticle

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


class CountedPaginator(Paginator):
    """A paginator told its number of items instead of counting them."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self.count = count  # takes the place of Paginator's cached COUNT query


class SectionSitemap(PressroomSitemap):
    """A section of the sitemap index, paged by a count memoized per content version.

    The index reads every section's number of pages on each request, and each page of a
    section checks its number against it: at a million articles the articles' COUNT
    takes 84 ms and the tags' (a subquery per tag) 48 ms. The count holds until content
    changes or the next scheduled publication (pagecache.memo_until_publication). Not for the news
    sitemap, whose two-day window also moves with time alone.
    """

    @property
    def paginator(self):
        count = pagecache.memo_until_publication(
            f"sitemap-count:{type(self).__name__}", lambda now: self.items().count(), self.now
        )
        return CountedPaginator(self._items(), self.limit, count=count)


class ArticleSitemap(SectionSitemap):
    def items(self):
        # Oldest first: a new article lands on the last page and earlier pages stay put.
        return self.published().annotate(changed_at=last_change()).only("pk", "slug").order_by("pk")

    def lastmod(self, article):
        return w3c(article.changed_at)

    def get_latest_lastmod(self):
        # Two index reads (article_public_order_idx, article_public_changed_idx) rather
        # than the greatest of both over every published row.
        published = self.published()
        last_edit = published.order_by("-updated_at").values("updated_at")[:1]
        latest = (
            published.order_by("-published_at")
            .annotate(last_edit=Subquery(last_edit))
            .values_list("published_at", "last_edit")
            .first()
        )
        return w3c(max(latest)) if latest else None


class ArticleGroupSitemap(SectionSitemap):
    """Rubrics or tags that hold at least one published article, dated by the newest one.

    The newest by id (the link table's (group, article) index read backwards until a
    published article turns up) stands in for the newest published, and the group is
    dated by that article's last change. The greatest change over all of a group's
    articles would read every one of them: minutes for the whole sitemap at a million
    articles, where this is one short index read per group.
    """

    model = None
    link_model = None
    group_field = None
    article_field = None

    def newest_links(self):
        """Return the links to published articles of the outer group, newest first."""
        article = self.article_field
        return (
            self.link_model.objects.filter(
                **{
                    self.group_field: OuterRef("pk"),
                    f"{article}__status": Article.Status.PUBLISHED,
                    f"{article}__published_at__lte": self.now,
                }
            )
            .order_by(f"-{article}_id")
            .annotate(changed_at=Greatest(f"{article}__updated_at", f"{article}__published_at"))
        )

    def items(self):
        newest = self.newest_links().values("changed_at")[:1]
        return (
            self.model.objects.annotate(changed_at=Subquery(newest))
            .filter(changed_at__isnull=False)
            .only("pk", "slug")
            .order_by("pk")
        )

    def lastmod(self, group):
        return w3c(group.changed_at)

    def get_latest_lastmod(self):
        """Return the date of the newest published article that is in some group."""
        in_a_group = self.link_model.objects.filter(**{self.article_field: OuterRef("pk")})
        newest = (
            self.published()
            .filter(Exists(in_a_group))
            .order_by(*NEWEST_FIRST)
            .annotate(changed_at=last_change())
            .values_list("changed_at", flat=True)
            .first()
        )
        return w3c(newest)


class RubricSitemap(ArticleGroupSitemap):
    model = Rubric
    link_model = Article.rubrics.through
    group_field = "rubric"
    article_field = "article"


class TagSitemap(ArticleGroupSitemap):
    model = Tag
    link_model = TaggedArticle
    group_field = "tag"
    article_field = "content_object"


class AgreementSitemap(SectionSitemap):
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
