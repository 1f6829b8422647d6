"""RSS 2.0 and Atom feeds of the latest news: site-wide, per rubric and per tag."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from articles.feeds.base import ArticleFeed
from articles.feeds.generators import AtomFeed
from articles.models import RubricLink, TaggedArticle
from articles.models.rubric import rubric_by_slug
from articles.models.tag import tag_by_slug


class LatestNewsFeed(ArticleFeed):
    """The 20 newest articles of the site."""

    def title(self, obj):
        return settings.PRESSROOM_SITE_NAME

    def description(self, obj):
        return _("Latest news")

    def link(self, obj):
        return reverse("articles:home")


class RubricNewsFeed(ArticleFeed):
    """The 20 newest articles of one rubric."""

    def get_object(self, request, slug):
        return rubric_by_slug(slug)

    links = (RubricLink, "rubric_id")

    def title(self, rubric):
        return _("%(site)s: %(rubric)s") % {
            "site": settings.PRESSROOM_SITE_NAME,
            "rubric": rubric.name,
        }

    def description(self, rubric):
        return _("Latest news in the rubric “%(rubric)s”") % {"rubric": rubric.name}

    def link(self, rubric):
        return rubric.get_absolute_url()


class TagNewsFeed(ArticleFeed):
    """The 20 newest articles with one tag."""

    def get_object(self, request, slug):
        return tag_by_slug(slug)

    links = (TaggedArticle, "tag_id")

    def title(self, tag):
        return _("%(site)s: news on “%(tag)s”") % {
            "site": settings.PRESSROOM_SITE_NAME,
            "tag": tag.name,
        }

    def description(self, tag):
        return _("Latest news on “%(tag)s”") % {"tag": tag.name}

    def link(self, tag):
        return tag.get_absolute_url()


class LatestNewsAtomFeed(LatestNewsFeed):
    feed_type = AtomFeed


class RubricNewsAtomFeed(RubricNewsFeed):
    feed_type = AtomFeed


class TagNewsAtomFeed(TagNewsFeed):
    feed_type = AtomFeed
