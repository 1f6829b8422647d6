"""One number that changes whenever public content changes.

Everything cached from public content (pages, feeds, the year list…) is keyed by the
current version, so bumping it invalidates all of it at once without scanning the cache.
The version lives in the shared cache: every app server sees the same number.
"""

import contextlib
import contextvars
import secrets
import time

from django.core.cache import cache

from articles.local_copies import LocalCopies, local_renderings

VERSION_KEY = "pressroom:content-version"
LOCAL_COPY_SECONDS = 60

# Within a request (see pinned()), the version it has read: {"version": …}, or None.
_request_versions = contextvars.ContextVar("pressroom_content_version", default=None)


def current():
    """Return the current content version, creating one when the cache has none.

    Within pinned(), the version is read once: a page's memos all come from one version,
    for one cache round trip instead of one per memo.
    """
    version = read()
    if version is None:
        version = secrets.token_hex(8)
        # add() keeps a version another process stored first.
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY, version)
    return pin(version)


def read():
    """Return the version in the shared cache, or None when it has none.

    Read once within pinned(). With Redis, each process keeps the version and Redis
    tells it when the version changes (pressroom.key_watch), so a request reads it
    without a round trip.
    """
    pinned_versions = _request_versions.get()
    if pinned_versions is not None and "version" in pinned_versions:
        return pinned_versions["version"]
    get_watched = getattr(cache, "get_watched", None)
    return pin(get_watched(VERSION_KEY) if get_watched else cache.get(VERSION_KEY))


def pin(version):
    """Keep version as the current one until the end of the request, if in one."""
    pinned_versions = _request_versions.get()
    if pinned_versions is not None and version is not None:
        pinned_versions["version"] = version
    return version


@contextlib.contextmanager
def pinned():
    """Read the version at most once while the block runs (one request).

    Another process's bump during the block is seen by the next request; a bump made in
    the block (a save committed by this request) is seen at once.
    """
    token = _request_versions.set({})
    try:
        yield
    finally:
        _request_versions.reset(token)


def bump():
    """Start a new version: everything cached under the old one is unreachable from now on.

    A random token rather than a counter: losing the key (a Redis restart, an eviction)
    must never bring an old version, and the entries cached under it, back to life.
    """
    version = secrets.token_hex(8)
    cache.set(VERSION_KEY, version, timeout=None)
    pin(version)


# Memos this process has read or made, by key: (monotonic expiry, value). A key names
# its content version, so a copy is as current as the shared entry; keeping it saves a
# round trip and unpickling the value on each of the memos a page reads. Small memos
# are counted (each counts for 1, under a kilobyte each: an article's row, a list's
# ids): when there are more, the least recently used goes first (an old version's, or
# one article's among many), and the site-wide memos every page reads stay.
LOCAL_MEMOS_MAX = 1024
_local_memos = LocalCopies(LOCAL_MEMOS_MAX)


def memoize(name, compute, *, timeout=300, size_of=None):
    """Return compute() cached under name for the current content version.

    timeout is a number of seconds, or a function of the computed value returning one,
    for a value that knows when it goes out of date (such as the next publication time).
    size_of, for large values (rendered HTML), gives the bytes a value counts for: its
    copy in this process is then kept within articles.local_copies' budget of
    renderings rather than among the small memos, which are counted rather than weighed.
    """
    key = f"pressroom:memo:{current()}:{name}"
    copies = _local_memos if size_of is None else local_renderings
    local = copies.get(key)
    if local is not None and time.monotonic() < local[0]:
        return local[1]
    value = cache.get(key)
    computed = value is None
    if computed:
        value = compute()
    seconds = timeout(value) if callable(timeout) else timeout
    if computed:
        cache.set(key, value, seconds)
    else:
        seconds = min(LOCAL_COPY_SECONDS, seconds)  # what the shared entry has left is unknown
    copies.put(key, (time.monotonic() + seconds, value), 1 if size_of is None else size_of(value))
    return value
