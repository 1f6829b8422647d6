"""reverse() memoized for the URLs that every list repeats (articles, rubrics, tags).

A home page reverses about seventy URLs, a tenth of its rendering time, and the same
ones on every request. The key holds everything reverse() depends on besides its
arguments (the URLconf and the script prefix), so the result is always what reverse()
would give.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def cached_reverse(viewname, **kwargs):
    """Return reverse(viewname, kwargs=kwargs), memoized."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reverse(urlconf, get_script_prefix(), viewname, tuple(sorted(kwargs.items())))


# A page needs a few hundred at most; 2 048 keeps a crawled worker within its memory.
@lru_cache(maxsize=2048)
def _reverse(urlconf, prefix, viewname, kwargs):
    return reverse(viewname, urlconf=urlconf, kwargs=dict(kwargs))
