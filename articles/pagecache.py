"""The page cache: public pages and feeds, stored whole for anonymous visitors.

The middleware is the outermost one, so a hit is answered with one cache round trip
(the content version and the page, read together) before any other middleware, URL
resolution or view runs. What the middleware below add to every response (security
and CSP headers, Vary) is stored with the page and served with it.

Never cached, neither read nor stored: requests that carry the session cookie or an
Authorization header (editors), the admin, previews and share links, the switch of the
version for the visually impaired, and every method but GET and HEAD. Their responses
say `Cache-Control: private, no-store`, to nginx and browsers as well.

Stored: 200 responses of the public views (CACHED_VIEWS) that set no cookie, vary on
nothing the key leaves out, allow caching, carry no CSP nonce and are not encoded; they
are stored compressed (articles.compressed_pages). The key holds the
scheme, host and full path and the visitor's low-vision settings, so one visitor's page
is never served to another; the entry holds the content version it was made under
(bumped by articles/signals.py on every write a visitor could see) and is served only
while that is still the current version, so a change shows at once. Time alone changes
pages too: an entry expires no later than the next scheduled publication and, on pages
that show whether an agreement is in force, the next local midnight; and no later than
PRESSROOM_PAGE_CACHE_SECONDS.
"""

import datetime
import hashlib
import logging
import math
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import DatabaseError
from django.db.models import Subquery
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import (
    cc_delim_re,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import parse_http_date_safe, quote_etag

from articles import compressed_pages, content_version, lowvision
from articles.local_copies import local_pages
from articles.models import Article

# Paths whose responses are personal: the editors' workspace, previews and share links,
# and the view that sets the low-vision cookie.
BYPASS_PREFIXES = ("/admin/", "/preview/", "/accessibility/set/")
SAFE_METHODS = frozenset({"GET", "HEAD"})
# The feeds namespace holds the feeds, the sitemaps and robots.txt.
CACHED_NAMESPACES = frozenset({"feeds"})
CACHED_VIEWS = frozenset(
    {
        "articles:home",
        "articles:archive_year",
        "articles:archive_month",
        "articles:article",
        "articles:rubric",
        "articles:tag",
        "articles:agreements",
        "articles:agreements_csv",
        "articles:agreements_json",
        "articles:agreement",
        "articles:search",
    }
)
# Pages that show an agreement's status (in force, expired, not yet), which turns at
# midnight in the site's time zone without any write.
DATE_DEPENDENT_VIEWS = frozenset(
    {
        "articles:agreements",
        "articles:agreements_csv",
        "articles:agreements_json",
        "articles:agreement",
    }
)
# Pages that show no article: no publication can change them.
TIMELESS_VIEWS = frozenset({"feeds:robots"})
UNCACHEABLE_DIRECTIVES = frozenset({"private", "no-store", "no-cache"})
NONCE_MARK = "'nonce-"
# Request headers a stored response may vary on: the key covers them, or the answer made
# from the entry does (Accept-Encoding: compressed or inflated, articles.compressed_pages).
KEYED_VARY = frozenset({"cookie", "accept-language", "accept-encoding"})
logger = logging.getLogger(__name__)
# The memo of the next publication is kept at most this long when nothing is scheduled.
MEMO_MAX_SECONDS = 3600
# Memos made until the next publication are correct until the content changes or a
# scheduled article comes out; the timeout only bounds how long an unused one stays.
MEMO_SECONDS = 3600
# Scheduled publications passed since the memo was made that a request walks past
# before it computes the value itself.
MAX_MEMO_HOPS = 4
# Request headers that may turn a hit into a 304: the WSGI shortcut leaves them to Django's
# conditional-response code.
CONDITIONAL_HEADERS = frozenset({"HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE"})


class PageCacheMiddleware:
    """Answer anonymous GET and HEAD requests for public pages from the shared cache."""

    def __init__(self, get_response):
        self.get_response = get_response
        # Static files keep WhiteNoise's headers: the page cache neither reads nor marks them.
        self.static_prefix = urlsplit(settings.STATIC_URL).path or "/static/"

    def __call__(self, request):
        if request.path_info.startswith(self.static_prefix):
            return self.get_response(request)  # WhiteNoise's own long-lived headers
        with content_version.pinned():
            return self.respond(request)

    def respond(self, request):
        if bypasses_cache(request):
            response = self.get_response(request)
            patch_cache_control(response, private=True, no_store=True)
            return response
        arrived = timezone.now()
        # The moment views see the site at (articles.views.mixins.request_now): the
        # deadline below is computed from the same moment.
        request.pressroom_now = arrived
        started = arrived.timestamp()
        seconds = settings.PRESSROOM_PAGE_CACHE_SECONDS
        key = page_key(request) if seconds else None
        version = None
        gzip = key is not None and wants_gzip(request.META)
        if key is not None:
            hit, version = look_up(request, key, started, gzip=gzip)
            if hit is not None:
                return hit
        # Read before the page is made: a write while it is made bumps the version, and
        # what is stored under this one (the page below, its cards) is then already out
        # of date rather than newer than its version.
        request.pressroom_version = version = version or content_version.current()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        if not is_storable(request, response):
            return response
        if not seconds and not settings.PRESSROOM_HTTP_MAX_AGE:
            return response
        try:
            deadline = content_deadline(request, since=started)
        except DatabaseError:
            return response  # the page was made; it just can't be dated for caching
        now = time.time()
        if deadline <= now:
            return response  # a publication came while the page was made
        if not response.has_header("ETag"):
            digest = hashlib.sha256(response.content).hexdigest()[:40]
            response["ETag"] = quote_etag(digest)
        if key is not None:
            # The page cache answers gzip-accepting clients with the page compressed.
            patch_vary_headers(response, ("Accept-Encoding",))
        stored_headers = dict(response.items())
        timeout = min(seconds, deadline - now)
        if key is not None and request.method == "GET" and timeout >= 1:
            # Backends count whole seconds (rounded down); the entry keeps the exact moment.
            entry = (version, now + timeout, deadline, stored_headers, response.content)
            kept = keep(key, compressed_pages.compress_entry(entry), now)
            if gzip:
                response = HttpResponse(kept[4], headers=kept[3])
        mark_public(response, deadline, now)
        response = conditional(request, response)
        response["X-Cache"] = "MISS"
        return response


class CachedPageApplication:
    """The WSGI application: page-cache hits answered before Django handles the request.

    A hit through PageCacheMiddleware still pays for Django's request handling around it
    (the request signals, which check every database connection, and the response
    object's close); here a hit is one cache round trip. The rules are the middleware's,
    through the same functions (bypasses_cache, page_key, look_up), and only a page the
    middleware stored under the same key can be served. Everything else, a host that
    is not allowed included, goes to Django, which answers as it always does.
    """

    def __init__(self, application):
        self.application = application
        self.static_prefix = urlsplit(settings.STATIC_URL).path or "/static/"

    def __call__(self, environ, start_response):
        try:
            found = self.hit(environ)
        except Exception:
            # Only a shortcut: whatever went wrong, Django handles the request in full.
            logger.exception("The page cache's WSGI shortcut failed; Django answers.")
            found = None
        if found is None:
            return self.application(environ, start_response)
        status, headers, content = found
        start_response(status, headers)
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else content]

    def hit(self, environ):
        """Return (status, headers, content) stored for the request in environ, or None."""
        if not settings.PRESSROOM_PAGE_CACHE_SECONDS:
            return None
        request = WSGIRequest(environ)
        if request.path_info.startswith(self.static_prefix) or bypasses_cache(request):
            return None
        try:
            key = page_key(request)
        except DisallowedHost:
            return None  # Django answers 400, as for any request with that host
        now = timezone.now().timestamp()
        entry, _version = find_entry(key, now, gzip=wants_gzip(environ))
        if entry is None:
            return None
        _version, _expires_at, deadline, headers, content = entry
        if CONDITIONAL_HEADERS.isdisjoint(environ) and "Cache-Control" not in headers:
            # What respond_from_entry() makes of it, without building a response object.
            cache_control = f"public, max-age={public_max_age(deadline, now)}"
            return "200 OK", [*headers.items(), ("Cache-Control", cache_control), HIT], content
        response = respond_from_entry(request, entry, now)
        status = f"{response.status_code} {response.reason_phrase}"
        return status, [*response.items()], response.content


HIT = ("X-Cache", "HIT")


def find_entry(key, now, *, gzip=False):
    """Return (the entry stored under key that may be served at now, or None, the version).

    The entry as the client is served: compressed when it accepts gzip, else inflated.
    The version costs no round trip while Redis vouches for this process's copy of it
    (pressroom.key_watch), and the entry none when this process has a current copy of
    it: a repeated hit reads nothing from Redis. Otherwise, one round trip each.
    """
    version = content_version.read()
    entry = _local_copy(key, version, now)
    if entry is None:
        # Another process may have stored a newer one.
        entry = _copied(key, _current(cache.get(key), version, now))
    if entry is None or gzip:
        return entry, version
    return compressed_pages.inflate_entry(entry), version


def _local_copy(key, version, now):
    """Return this process's copy of the entry under key if it may be served at now."""
    copy = local_pages.get(key)
    if copy is not None:
        if copy[0] == version and now < copy[1]:
            return copy
        local_pages.discard(key)
    return None


def _current(entry, version, now):
    """Return entry, read from the shared cache, if it may be served at now; else None."""
    if entry is not None and entry[0] == version and now < entry[1]:
        return entry
    return None


def _copied(key, entry):
    """Keep a copy of entry (or None) in this process; return it."""
    if entry is not None:
        local_pages.put(key, entry, len(entry[4]))
    return entry


def keep(key, entry, now):
    """Store entry under key in the shared cache, until it expires, and in this process."""
    seconds = math.floor(entry[1] - now)
    if seconds >= 1:  # backends count whole seconds (rounded down)
        cache.set(key, entry, seconds)
    local_pages.put(key, entry, len(entry[4]))
    return entry


def look_up(request, key, now, *, gzip=False):
    """Return (the stored response or None, the content version now current or None)."""
    entry, version = find_entry(key, now, gzip=gzip)
    if entry is None:
        return None, version
    return respond_from_entry(request, entry, now), version


def wants_gzip(meta):
    """Return whether the request (its META, or the WSGI environ) accepts gzip."""
    return compressed_pages.accepts_gzip(meta.get("HTTP_ACCEPT_ENCODING", ""))


def bypasses_cache(request):
    """Return whether request is personal: never answered from or stored in the cache."""
    return (
        request.method not in SAFE_METHODS
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or "HTTP_AUTHORIZATION" in request.META
        or request.path_info.startswith(BYPASS_PREFIXES)
    )


def page_key(request):
    """Return the cache key of the page request asks for, as this visitor sees it."""
    parts = [
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        # Normalised: a forged or reordered cookie selects one of the prepared looks.
        lowvision.serialize(lowvision.from_request(request)),
    ]
    if len(settings.LANGUAGES) > 1:
        parts.append(translation.get_language_from_request(request))
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "backslashreplace")).hexdigest()
    return f"pressroom:page:{digest}"


def is_storable(request, response):
    """Return whether response may be stored and served to every anonymous visitor."""
    match = request.resolver_match
    if match is None or not (
        match.view_name in CACHED_VIEWS or match.namespace in CACHED_NAMESPACES
    ):
        return False
    if response.status_code != 200 or response.streaming:
        return False
    if response.has_header("Content-Encoding"):
        return False  # the cache compresses pages itself, and inflates them for some clients
    if response.cookies or response.has_header("Set-Cookie"):
        return False
    if NONCE_MARK in response.get("Content-Security-Policy", ""):
        return False  # a nonce is for one response only
    directives = {
        directive.split("=", 1)[0].lower()
        for directive in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    if directives & UNCACHEABLE_DIRECTIVES:
        return False
    varies = {header.lower() for header in cc_delim_re.split(response.get("Vary", "")) if header}
    return varies <= KEYED_VARY


def content_deadline(request, *, since):
    """Return the moment (a timestamp) a page made at `since` may stop being true."""
    view_name = request.resolver_match.view_name
    deadline = math.inf if view_name in TIMELESS_VIEWS else next_publication(since)
    if view_name in DATE_DEPENDENT_VIEWS:
        deadline = min(deadline, next_local_midnight(since))
    return deadline


def next_publication(since):
    """Return when the first article scheduled after `since` goes public; inf if none.

    One query per content version: scheduling, rescheduling or withdrawing an article
    is a write, which bumps the version, and the memo itself expires at that time.
    """
    valid_from, last_passed, upcoming = content_version.memoize(
        "next-publication:2", lambda: _publications_around(since), timeout=_memo_seconds
    )
    if valid_from <= since < upcoming:
        return upcoming
    if last_passed <= since < valid_from:
        # Asked about a moment before the memo was made (by a memo made earlier than
        # it), but no article came out in between: the next one is the same.
        return upcoming
    return _publications_around(since)[2]


def memo_until_publication(name, compute, now, *, timeout=MEMO_SECONDS, size_of=None):
    """Return compute(now), memoized per content version until the next publication.

    Edits bump the content version; a scheduled article coming out changes nothing in
    the database, so a memo made before it is valid only until then, and the memo made
    after it is keyed by that moment. timeout bounds how long an unused memo is kept;
    size_of weighs a large value (see content_version.memoize).
    """
    weigh = None if size_of is None else (lambda memo: size_of(memo[1]))

    def seconds(memo):
        # Gone when the next article comes out, here and in every process's copy: a memo
        # kept past it would send each later request hopping to the one made after it,
        # with a query to find when the old one ended.
        return _seconds_until(next_publication(memo[0]), at_most=timeout)

    for _ in range(MAX_MEMO_HOPS):
        computed_at, value = content_version.memoize(
            name, lambda: (now.timestamp(), compute(now)), timeout=seconds, size_of=weigh
        )
        deadline = next_publication(computed_at)
        if computed_at <= now.timestamp() < deadline:
            return value
        name = f"{name.split('@')[0]}@{deadline}"
    return compute(now)


def _publications_around(since):
    """Return (since, the last publication at or before it, the first after it).

    Timestamps; -inf when nothing was published yet, inf when nothing is scheduled. One
    query: a UNION of two index lookups.
    """
    moment = datetime.datetime.fromtimestamp(since, datetime.UTC)
    last = Article.objects.published(moment).order_by("-published_at").values("pk")[:1]
    first = Article.objects.scheduled(moment).order_by("published_at").values("pk")[:1]
    times = (
        Article.objects.filter(pk__in=Subquery(last))
        .order_by()
        .values_list("published_at", flat=True)
        .union(
            Article.objects.filter(pk__in=Subquery(first))
            .order_by()
            .values_list("published_at", flat=True),
            all=True,
        )
    )
    stamps = [moment_.timestamp() for moment_ in times]
    passed = [stamp for stamp in stamps if stamp <= since]
    upcoming = [stamp for stamp in stamps if stamp > since]
    return since, max(passed, default=-math.inf), min(upcoming, default=math.inf)


def _memo_seconds(memo):
    _valid_from, _last_passed, upcoming = memo
    return _seconds_until(upcoming, at_most=MEMO_MAX_SECONDS)


def _seconds_until(deadline, *, at_most):
    """Return a cache timeout: whole seconds from now to deadline (a timestamp), capped."""
    return max(0, math.floor(min(at_most, deadline - time.time())))


def next_local_midnight(since):
    """Return the timestamp of the first midnight after `since` in the site's time zone."""
    today = timezone.localdate(datetime.datetime.fromtimestamp(since, datetime.UTC))
    tomorrow = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(tomorrow).timestamp()


def mark_public(response, deadline, now):
    """Let nginx and browsers keep response for a few seconds, never past its deadline."""
    patch_cache_control(response, public=True, max_age=public_max_age(deadline, now))


def public_max_age(deadline, now):
    """Return the max-age, in whole seconds, of a page that stops being true at deadline."""
    return max(0, math.floor(min(settings.PRESSROOM_HTTP_MAX_AGE, deadline - now)))


def respond_from_entry(request, entry, now):
    """Return the response stored in a cache entry, or 304 when the client has it."""
    _version, _expires_at, deadline, headers, content = entry
    response = HttpResponse(content, headers=headers)
    mark_public(response, deadline, now)
    response = conditional(request, response)
    response["X-Cache"] = "HIT"
    return response


def conditional(request, response):
    """Return 304 Not Modified when the client's copy matches response, else response."""
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(response.get("Last-Modified") or ""),
        response=response,
    )
