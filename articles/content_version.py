"""One number that changes whenever public content changes.

Everything cached from public content (pages, feeds, the year list…) is keyed by the
current version, so bumping it invalidates all of it at once without scanning the cache.
The version lives in the shared cache: every app server sees the same number.
"""

import secrets

from django.core.cache import cache

VERSION_KEY = "pressroom:content-version"


def current():
    """Return the current content version, creating one when the cache has none."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = secrets.token_hex(8)
        # add() keeps a version another process stored first.
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY, version)
    return version


def bump():
    """Start a new version: everything cached under the old one is unreachable from now on.

    A random token rather than a counter: losing the key (a Redis restart, an eviction)
    must never bring an old version, and the entries cached under it, back to life.
    """
    cache.set(VERSION_KEY, secrets.token_hex(8), timeout=None)


def memoize(name, compute, *, timeout=300):
    """Return compute() cached under name for the current content version.

    timeout is a number of seconds, or a function of the computed value returning one,
    for a value that knows when it goes out of date (such as the next publication time).
    """
    key = f"pressroom:memo:{current()}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout(value) if callable(timeout) else timeout)
    return value
