"""The base of every article feed: one instance per request, conditional GET, no drafts."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Subquery
from django.http import Http404, HttpResponse
from django.utils import feedgenerator, timezone
from django.utils.html import escape
from django.utils.text import Truncator

from articles import cards, pagecache
from articles.conditional import NEWEST_FIRST, Validators
from articles.feeds.content import (
    absolute_html,
    article_guid,
    changed_at,
    one_line,
    plain_text,
    update_notes_html,
    with_update_notes,
)
from articles.feeds.generators import RssFeed
from articles.models import Article
from articles.models.article import attach_page_relations
from articles.models.listing import group_listed_ids
from articles.prepared import PreparedQuery

MIME_TYPES = {"jpeg": "image/jpeg", "webp": "image/webp"}


def _feed_items_query(*, now, article_ids):
    visible = Article.objects.published(now).filter(pk__in=article_ids)
    return visible.for_page().order_by(*NEWEST_FIRST)


# Compiled once per number of items (see articles.prepared).
_FEED_ITEMS = PreparedQuery(_feed_items_query)
# Compiled once per feed class: every request of a feed runs it.
_FEED_WINDOW = PreparedQuery(lambda *, feed, **values: feed.window_query(**values))
SUMMARY_WORDS = 50
# Items of an old content version are unreachable; this only bounds how long they stay.
ITEM_SECONDS = 3600


class ArticleFeed(Feed):
    """Articles from Article.objects.published(), newest first, at most `limit` of them.

    Django keeps one Feed object for every request; ours is made per request by
    as_view(), so that item methods can use self.request (absolute URLs) and self.now
    (one moment for the validators and the items alike).

    Each item's XML is rendered once per content version and kept in the shared cache,
    as the list pages keep their cards (articles.cards): an item depends on its article
    alone, every write a reader could see bumps the version, and the version is read
    as the request arrives (request.pressroom_version), before any article is. Which
    articles a feed lists, and so scheduled ones coming out, is read afresh every time.
    """

    feed_type = RssFeed
    limit = 20
    # A timedelta: when set, only articles published within it (aggregator feeds).
    max_age = None
    # (link model, its group's field) of a rubric's or tag's feed: the feed's object
    # is the group, and the feed lists the articles its links list.
    links = None
    item_guid_is_permalink = False

    def __init__(self, request):
        self.request = request
        self.now = timezone.now()
        self.article_ids = []
        self.last_modified = None
        # The articles whose items are rendered in this request (items() fetches them).
        self.render_ids = []
        self.fetched = []

    @classmethod
    def as_view(cls):
        """Return a view that builds a fresh feed object for each request."""

        def view(request, *args, **kwargs):
            return cls(request)(request, *args, **kwargs)

        view.__name__ = view.__qualname__ = cls.__name__
        view.__module__, view.__doc__ = cls.__module__, cls.__doc__
        return view

    def __call__(self, request, *args, **kwargs):
        try:
            obj = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist as error:
            raise Http404("No such feed.") from error
        rows = self.window(obj)
        self.article_ids = [row[0] for row in rows]
        validators = Validators.from_rows(rows, scope=type(self).__name__)
        # The newest item's date: the channel's lastBuildDate or updated.
        self.last_modified = validators.last_modified
        return validators.respond(request, lambda: self.render(obj, request))

    def render(self, obj, request):
        """Return the feed document as a response, its items from the cache where it has them."""
        feed_class = type(self)
        kept = cards.KeptRenderings(
            "feed-item",
            getattr(request, "pressroom_version", None),
            f"{feed_class.__module__}.{feed_class.__qualname__}",
            request.build_absolute_uri("/"),  # the items' links are absolute
            seconds=ITEM_SECONDS,
        )
        stored = kept.get(self.article_ids)
        self.render_ids = [pk for pk in self.article_ids if pk not in stored]
        feed = self.get_feed(obj, request)
        # Kept as UTF-8 bytes: joined as they are, with no decoding or encoding.
        made = {
            article.pk: feed.item_fragment(item).encode()
            for article, item in zip(self.fetched, feed.items, strict=True)
        }
        kept.keep(made)
        # An article withdrawn since the window was read has no item: it is left out.
        found = (made.get(pk) or stored.get(pk) for pk in self.article_ids)
        if self.last_modified is not None:
            feed.latest_change = timezone.localtime(self.last_modified)
        document = feed.document([xml for xml in found if xml is not None])
        return HttpResponse(document, content_type=feed.content_type)

    def window(self, obj):
        """Return (id, published_at, updated_at) of the articles listed, newest first.

        Memoized per content version until the next publication, but for feeds of the
        articles of the last days (max_age), which change as time passes.
        """
        values = {}
        if self.links is not None:
            values["group_id"] = obj.pk
        constants = {"feed": type(self)}
        if self.max_age is not None:
            since = self.now - self.max_age
            return _FEED_WINDOW.rows(constants=constants, now=self.now, since=since, **values)

        def read(moment):
            return _FEED_WINDOW.rows(constants=constants, now=moment, **values)

        feed_class = type(self)
        group = values.get("group_id", "all")
        name = f"feed-window:{feed_class.__module__}.{feed_class.__qualname__}:{group}"
        return pagecache.memo_until_publication(name, read, self.now)

    @classmethod
    def window_query(cls, *, now, since=None, group_id=None):
        """Return the query of window() (built once per feed class, see _FEED_WINDOW).

        A rubric's or tag's newest articles are read off its links' index
        (articles.models.listing) rather than by probing the links of every article
        newest first, which a rare tag made slow.
        """
        articles = Article.objects.published(now)
        if since is not None:
            articles = articles.filter(published_at__gt=since)
        if cls.links is not None:
            ids = group_listed_ids(cls.links, group_id, now=now)[: cls.limit]
            articles = articles.filter(pk__in=Subquery(ids))
        newest = articles.order_by(*NEWEST_FIRST)[: cls.limit]
        return newest.values_list("pk", "published_at", "updated_at")

    def items(self, obj):
        # The window the validators were made from, with everything items show: the
        # rubrics, tags and update notes as JSON arrays, as on the article page.
        # Only the articles whose items are not in the cache (see render()).
        if not self.render_ids:
            return []
        articles = list(
            _FEED_ITEMS.run(now=self.now, article_ids=self.render_ids).prefetch_related("photos")
        )
        for article in articles:
            attach_page_relations(article)
        self.fetched = articles
        return articles

    def absolute(self, url):
        return self.request.build_absolute_uri(url)

    def image(self, photo):
        """Return an Enclosure for a photo's feed rendition, or None when it has none."""
        rendition = photo.feed_image
        if rendition is None:
            return None
        return feedgenerator.Enclosure(
            url=self.absolute(photo.url_of(rendition)),
            length=str(rendition["size"]),
            mime_type=MIME_TYPES[rendition["format"]],
        )

    def summary(self, article):
        """Return the lead, or the opening words of the body when there is no lead."""
        return article.lead or Truncator(plain_text(article.body)).words(SUMMARY_WORDS)

    def author_name(self, obj):
        return settings.PRESSROOM_PUBLISHER

    def subtitle(self, obj):
        return self._get_dynamic_attr("description", obj)

    def item_title(self, item):
        return one_line(item.title)

    def item_description(self, item):
        # RSS <description> and Atom <summary type="html"> hold HTML; the lead is text.
        return escape(with_update_notes(self.summary(item), item))

    def item_guid(self, item):
        return article_guid(item)

    def item_pubdate(self, item):
        return timezone.localtime(item.published_at)

    def item_updateddate(self, item):
        return changed_at(item)

    def item_author_name(self, item):
        return settings.PRESSROOM_PUBLISHER

    def item_categories(self, item):
        names = [rubric.name for rubric in item.rubrics.all()]
        names += [tag.name for tag in item.tags.all()]
        return [one_line(name) for name in names]

    def item_enclosures(self, item):
        photo = item.lead_photo
        enclosure = self.image(photo) if photo else None
        return [enclosure] if enclosure else []

    def item_extra_kwargs(self, item):
        body = absolute_html(item.body, self.absolute(item.get_absolute_url()))
        return {"content_encoded": body + update_notes_html(item)}
