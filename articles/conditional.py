"""ETag and Last-Modified for feeds and pages, computed from one cheap query.

Validators are derived from rows of visible articles: (id, published_at, updated_at)
of a window taken from Article.objects.published(). Editing an article changes its
updated_at; publishing a scheduled article at its time adds its id to the window, even
though no row was written; withdrawing or deleting one removes its id. Each of these
changes the ETag.

A withdrawal or a deletion can lower Last-Modified, so a client that sends only
If-Modified-Since may keep an outdated copy; clients that send If-None-Match (browsers
and feed readers do) always see the change.
"""

import datetime
import hashlib
from dataclasses import dataclass
from functools import wraps
from typing import NamedTuple

from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

from articles import pagecache
from articles.models import Article
from articles.prepared import PreparedQuery
from articles.reversing import cached_reverse
from articles.views.mixins import request_now

# Part of every ETag: bump it when a template or a feed format changes, so that clients
# holding a copy made by the old code fetch the new one.
FORMAT_VERSION = "2"
# The size of the "Последние новости" block on article pages.
LATEST_NEWS_SIZE = 5
NEWEST_FIRST = ("-published_at", "-id")


@dataclass(frozen=True)
class Validators:
    """A quoted ETag and the Last-Modified time (None when there is nothing to date)."""

    etag: str
    last_modified: datetime.datetime | None = None

    @classmethod
    def from_rows(cls, rows, *, scope=""):
        """Return validators for rows of (id, published_at, updated_at) and a scope name."""
        digest = hashlib.sha256(f"{FORMAT_VERSION}|{scope}|".encode())
        last_modified = None
        for pk, published_at, updated_at in rows:
            digest.update(f"{pk},{published_at.isoformat()},{updated_at.isoformat()};".encode())
            changed = max(published_at, updated_at)
            last_modified = changed if last_modified is None else max(last_modified, changed)
        return cls(etag=quote_etag(digest.hexdigest()[:40]), last_modified=last_modified)

    def respond(self, request, render):
        """Answer 304 (or 412) when the client's copy is current, else call render()."""
        timestamp = int(self.last_modified.timestamp()) if self.last_modified else None
        response = get_conditional_response(request, etag=self.etag, last_modified=timestamp)
        if response is None:
            response = render()
            if response.status_code != 200:
                return response
        if request.method in ("GET", "HEAD"):
            response.headers.setdefault("ETag", self.etag)
            if timestamp is not None:
                response.headers.setdefault("Last-Modified", http_date(timestamp))
        return response


def conditional(validators_func):
    """Decorate a view: validators_func(request, *args, **kwargs) -> Validators or None.

    On GET and HEAD the view runs only when the client's copy is outdated; None means
    "no validators" (for instance a page the public cannot see) and runs the view as is.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            validators = validators_func(request, *args, **kwargs)
            if validators is None:
                return view(request, *args, **kwargs)
            return validators.respond(request, lambda: view(request, *args, **kwargs))

        return wrapper

    return decorator


class ListedArticle(NamedTuple):
    """What the article page reads of an article before its parts: enough to link to it."""

    pk: int
    slug: str
    title: str
    published_at: datetime.datetime
    updated_at: datetime.datetime

    def get_absolute_url(self):
        return cached_reverse("articles:article", pk=self.pk, slug=self.slug)


def _listed_query(*, now, pk):
    return Article.objects.published(now).filter(pk=pk).values_list(*ListedArticle._fields)


def _latest_query(*, now):
    newest = Article.objects.published(now).order_by(*NEWEST_FIRST)
    return newest.values_list(*ListedArticle._fields)[:LATEST_NEWS_SIZE]


# Built and compiled once per process (articles.prepared).
_LISTED = PreparedQuery(_listed_query)
_LATEST = PreparedQuery(_latest_query)


class _NotListed(Exception):
    """The article is not public: nothing is memoized (any id may be asked for)."""


def article_window(pk, *, now):
    """Return the article pk and the latest news visible at now, newest first, or None.

    ListedArticles, from two memos kept per content version until the next publication
    (as the page's parts are): the article's own, small enough for a worker to keep
    hundreds, and the latest news, one for the whole site. Every save bumps the version,
    so an edit, a withdrawal or a new article shows at once, and a scheduled one at its
    time. Only a public article's memo is kept: any id may be asked for.
    """

    def read_listed(moment):
        rows = _LISTED.rows(now=moment, pk=pk)
        if not rows:
            raise _NotListed
        return ListedArticle._make(rows[0])

    def read_latest(moment):
        return [ListedArticle._make(row) for row in _LATEST.rows(now=moment)]

    try:
        listed = pagecache.memo_until_publication(f"listed-article:{pk}", read_listed, now)
    except _NotListed:
        return None
    latest = pagecache.memo_until_publication("latest-news", read_latest, now)
    window = {item.pk: item for item in (listed, *latest)}.values()
    return sorted(window, key=_newest_first, reverse=True)


def _newest_first(item):
    return (item.published_at, item.pk)


def article_validators(request, pk, *args, **kwargs):
    """Return validators for an article page, or None when the public cannot see it.

    They cover the article itself (its updated_at changes with every save in the admin,
    including tags, rubrics and photos edited inline) and the state of the latest-news
    block: the ids and times of the newest visible articles (article_window()).
    """
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    window = article_window(pk, now=request_now(request))
    if window is None:
        return None
    listed = next(item for item in window if item.pk == pk)
    # Its id, slug, title and times: all the article view reads of it while the
    # page's parts of it are kept (articles.views.news.ArticleView).
    request.pressroom_page_article = listed
    # The window is the latest-news block plus this article: the page shows it from here
    # (see articles.templatetags.pressroom.latest_news) instead of asking again.
    request.pressroom_latest_news = (
        window if len(window) <= LATEST_NEWS_SIZE else [a for a in window if a.pk != pk]
    )
    rows = [(item.pk, item.published_at, item.updated_at) for item in window]
    # A signed-in editor may see a different page (edit links): never share a copy.
    user = getattr(request, "user", None)
    viewer = user.pk if user is not None and user.is_authenticated else "anonymous"
    return Validators.from_rows(rows, scope=f"article:{pk}:{viewer}")


def conditional_article(view):
    """Decorate the article view (which takes `pk`) with ETag, Last-Modified and 304s.

    Function view: `conditional_article(article_view)`; class-based view:
    `method_decorator(conditional_article, name="get")`.
    """
    return conditional(article_validators)(view)
