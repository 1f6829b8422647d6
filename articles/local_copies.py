"""Copies of shared-cache values kept in this process, within a number of bytes.

Only for values whose key names the content version they were made under (pages,
cards, feed items): such a copy is as current as the shared entry for as long as that
version is the one a request reads, and the version is always read from the shared
cache. A copy saves the round trip and the unpickling of a value that every request of
a worker repeats (a feed's twenty items are ~225 kB).
"""

import threading
import time
from collections import OrderedDict

from django.conf import settings

# A worker serving cached pages keeps pages (the seven RSS feeds of ~225 kB fit), and
# one rendering them keeps the cards, feed items and article parts it uses most (a home
# page, the news feed, a hot article). Two budgets, so that neither pushes the other
# out; together they keep a worker within its 80 MiB (3 MiB of pages took cached
# workers to 80.4-80.9 MiB in a 1 000-article benchmark on 6 December).
LOCAL_PAGES_BYTES = 2 * 1024 * 1024
LOCAL_RENDERINGS_BYTES = 512 * 1024


def renderings_budget():
    """Return the bytes kept of renderings: the pages' share too when there is no page cache.

    Without a page cache (PRESSROOM_PAGE_CACHE_SECONDS=0) no page is ever kept, and every
    feed is made from its items: the news and rubric feeds' items (~11 kB each) then fit
    in the process instead of coming from the shared cache on each request.
    """
    if settings.PRESSROOM_PAGE_CACHE_SECONDS:
        return LOCAL_RENDERINGS_BYTES
    return LOCAL_RENDERINGS_BYTES + LOCAL_PAGES_BYTES


class LocalCopies:
    """Values by key, the least recently used dropped first beyond max_bytes.

    Each value counts for the size it is put with: its bytes, or 1 to count values.

    busy_seconds makes the copies resist cycles: a newcomer that would push out a value
    used within that many seconds is not kept. Requests cycling through more values than
    fit (a crawler, or aggregators polling every feed in turn) otherwise push each value
    out just before it is asked for again, and none is ever found; this way most are.
    """

    def __init__(self, max_bytes, *, busy_seconds=0.0):
        self.max_bytes = max_bytes
        self.busy_seconds = busy_seconds
        # {key: [value, size, monotonic time of the last put or get (with busy_seconds)]}
        self.values = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            kept = self.values.get(key)
            if kept is None:
                return None
            self.values.move_to_end(key)
            if self.busy_seconds:
                kept[2] = time.monotonic()
            return kept[0]

    def get_or_make(self, key, make, size_of=None):
        """Return the value kept under key, or make(), kept for the next time.

        size_of gives the size a made value counts for; without it, each counts for 1.
        """
        value = self.get(key)
        if value is None:
            value = make()
            self.put(key, value, 1 if size_of is None else size_of(value))
        return value

    def put(self, key, value, size):
        """Keep value, which counts for size bytes (what it holds, roughly)."""
        with self.lock:
            self._drop(key)
            if size > self.max_bytes:
                return
            now = time.monotonic() if self.busy_seconds else 0.0
            if self.busy_seconds and self._would_push_out_busy(size, now):
                return
            self.values[key] = [value, size, now]
            self.size += size
            while self.size > self.max_bytes:
                self._drop(next(iter(self.values)))

    def discard(self, key):
        with self.lock:
            self._drop(key)

    def clear(self):
        with self.lock:
            self.values.clear()
            self.size = 0

    def _would_push_out_busy(self, size, now):
        """Return whether making room for size would drop a value used lately."""
        excess = self.size + size - self.max_bytes
        recently = now - self.busy_seconds
        for _value, kept_size, used_at in self.values.values():  # least recently used first
            if excess <= 0:
                return False
            if used_at > recently:
                return True
            excess -= kept_size
        return False

    def _drop(self, key):
        kept = self.values.pop(key, None)
        if kept is not None:
            self.size -= kept[1]


# Page-cache entries (articles.pagecache). Feeds of ~225 kB, polled in turn, would
# otherwise push one another out.
local_pages = LocalCopies(LOCAL_PAGES_BYTES, busy_seconds=1.0)
# Renderings of articles and parts of pages (articles.cards, content_version.memoize).
local_renderings = LocalCopies(renderings_budget())
