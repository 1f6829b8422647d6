"""A Redis cache that lets the site keep serving, uncached, while Redis is away.

Django's RedisCache raises redis.ConnectionError or TimeoutError from every call when
the server is stopped or unreachable, which turns each page into a 500. Here a failed
call behaves as a miss (reads) or a no-op (writes), logs one warning per interval, and
for a few seconds afterwards Redis is not even tried, so an outage costs microseconds
per call instead of a connect timeout each time.

A write lost during an outage must not leave an out-of-date value behind: a Redis that
was only unreachable (a network fault) still holds the old value when it comes back.
Such keys are remembered in the process and deleted before its first call that reaches
Redis again; for the content version (articles/content_version.py) that means a fresh
version, so no page cached before a lost bump is served after the outage.

get_watched() reads a key every request asks for (the content version) from the
process's own copy while Redis vouches that it has not changed (pressroom.key_watch).
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from pressroom.key_watch import NOTHING, KeyWatch

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)

# A cache on the same network answers in a millisecond: anything slower is an outage.
DEFAULT_POOL_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 1.0}
# After a failure, calls skip Redis for this many seconds before trying again.
RETRY_INTERVAL = 2.0
# While Redis stays away, the warning is repeated at most this often.
WARNING_INTERVAL = 60.0
# Keys whose write was lost and that expire on their own are remembered up to this many;
# keys without an expiry (the content version) and lost deletions are always kept.
MAX_LOST_EXPIRING_KEYS = 1000


class _Health:
    """What one process knows about one Redis server: is it away, and which writes were lost."""

    def __init__(self, retry_interval):
        self.lock = threading.Lock()
        self.retry_interval = retry_interval
        self.down_until = 0.0
        self.last_warning = None
        self.lost_forever = set()
        self.lost_expiring = set()

    def skipping(self):
        return time.monotonic() < self.down_until

    def failed(self, error, operation):
        now = time.monotonic()
        with self.lock:
            self.down_until = now + self.retry_interval
            if self.last_warning is None or now - self.last_warning >= WARNING_INTERVAL:
                self.last_warning = now
                logger.warning(
                    "Redis cache unavailable during %s (%s): serving without the cache, "
                    "trying again every %g s.",
                    operation,
                    error,
                    self.retry_interval,
                )

    def recovered(self):
        with self.lock:
            if self.down_until:
                self.down_until = 0.0
                logger.warning("Redis cache is reachable again.")

    def lose(self, keys, *, expiring):
        with self.lock:
            if not expiring:
                self.lost_forever.update(keys)
                self.lost_expiring.difference_update(keys)
                return
            room = max(0, MAX_LOST_EXPIRING_KEYS - len(self.lost_expiring))
            fresh = [key for key in keys if key not in self.lost_forever]
            self.lost_expiring.update(fresh[:room])

    def take_lost(self):
        """Return and forget the lost keys, as (keys without expiry, expiring keys)."""
        with self.lock:
            taken = self.lost_forever, self.lost_expiring
            self.lost_forever, self.lost_expiring = set(), set()
            return taken

    def give_back(self, forever, expiring):
        with self.lock:
            self.lost_forever |= forever
            self.lost_expiring |= expiring - self.lost_forever


_health_by_servers = {}
_health_lock = threading.Lock()


def health_of(servers, retry_interval=RETRY_INTERVAL):
    """Return the shared health record of a server list (one per process, for all threads)."""
    key = tuple(servers)
    with _health_lock:
        if key not in _health_by_servers:
            _health_by_servers[key] = _Health(retry_interval)
        return _health_by_servers[key]


class ResilientRedisCacheClient(RedisCacheClient):
    """RedisCacheClient whose calls fall back to a miss or a no-op when Redis is away."""

    def __init__(self, servers, *, health, **options):
        super().__init__(servers, **{**DEFAULT_POOL_OPTIONS, **options})
        self.health = health
        self._clients = {}
        self._watches = {}

    def get_client(self, key=None, *, write=False):
        """Return the redis.Redis client of a pool, made once.

        Django makes a new one per call, and making one (its table of ~170 response
        callbacks) costs a quarter of a page-cache hit. Clients are thread-safe: each
        command takes a connection from the pool.
        """
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def _call(self, operation, fallback, *args, lost_keys=(), expiring=True):
        """Run a parent operation; on an outage record lost writes and return fallback."""
        if self.health.skipping():
            self.health.lose(lost_keys, expiring=expiring)
            return fallback
        try:
            self._forget_lost_writes()
            result = getattr(super(), operation)(*args)
        except UNAVAILABLE as error:
            self.health.failed(error, operation)
            self.health.lose(lost_keys, expiring=expiring)
            return fallback
        self.health.recovered()
        return result

    def _forget_lost_writes(self):
        """Delete the keys whose writes were lost, before anything reads them again."""
        forever, expiring = self.health.take_lost()
        if not forever and not expiring:
            return
        try:
            self.get_client(None, write=True).delete(*forever, *expiring)
        except UNAVAILABLE:
            self.health.give_back(forever, expiring)
            raise
        self._written([*forever, *expiring])
        logger.warning(
            "Redis cache: dropped %d value(s) whose update was lost during the outage.",
            len(forever) + len(expiring),
        )

    def get_watched(self, key, default):
        """get(), answered from this process's copy while Redis vouches for it (key_watch)."""
        watch = self._watch(key)
        if watch is None or self.health.skipping():
            return self.get(key, default)
        value, generation = watch.copy()
        if value is NOTHING:
            value = self.get(key, NOTHING)
            if value is NOTHING:
                return default
            watch.keep(value, generation)
        return value

    def _watch(self, key):
        watch = self._watches.get(key)
        # With replicas, reads may come from a server other than the one watched.
        if watch is None and len(self._servers) == 1:
            watch = self._watches[key] = KeyWatch(
                self._servers[0],
                key,
                retry_interval=self.health.retry_interval,
                **self._pool_options,
            )
        return watch

    def _written(self, keys):
        """Drop the copies of watched keys this process wrote: their invalidation is on its way."""
        for key in keys:
            watch = self._watches.get(key)
            if watch is not None:
                watch.forget()

    def add(self, key, value, timeout):
        # Nothing stored: the honest answer, and an existing value was not touched.
        added = self._call("add", False, key, value, timeout)
        self._written([key])
        return added

    def get(self, key, default):
        return self._call("get", default, key, default)

    def set(self, key, value, timeout):
        self._call("set", None, key, value, timeout, lost_keys=[key], expiring=bool(timeout))
        self._written([key])

    def touch(self, key, timeout):
        return self._call("touch", False, key, timeout)

    def delete(self, key):
        deleted = self._call("delete", False, key, lost_keys=[key], expiring=False)
        self._written([key])
        return deleted

    def get_many(self, keys):
        return self._call("get_many", {}, keys)

    def has_key(self, key):
        return self._call("has_key", False, key)

    def incr(self, key, delta):
        result = self._call("incr", None, key, delta)
        if result is None:
            # As for a key that is not there: callers of incr() already handle it.
            raise ValueError(f"Key '{key}' not found.")
        return result

    def set_many(self, data, timeout):
        stored = self._call(
            "set_many", False, data, timeout, lost_keys=list(data), expiring=bool(timeout)
        )
        self._written(data)
        return stored

    def delete_many(self, keys):
        self._call("delete_many", None, keys, lost_keys=list(keys), expiring=False)
        self._written(keys)

    def clear(self):
        cleared = self._call("clear", False)
        self._written(list(self._watches))
        return cleared


class ResilientRedisCache(RedisCache):
    """Django's RedisCache that serves misses instead of errors while Redis is away.

    OPTIONS go to redis-py's connection pool as usual (short socket timeouts are the
    default here); RETRY_INTERVAL, in seconds, is how long calls skip Redis after a failure.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        options = dict(self._options)
        retry_interval = float(options.pop("RETRY_INTERVAL", RETRY_INTERVAL))
        self._options = options
        self.health = health_of(self._servers, retry_interval)
        self._watched_keys = {}
        self._class = lambda servers, **opts: ResilientRedisCacheClient(
            servers, health=self.health, **opts
        )

    def get_watched(self, key, default=None, version=None):
        """Like get(), without a round trip while Redis vouches for this process's copy.

        For a small key read on every request and rarely written (the content version):
        the process keeps it and Redis tells when it changes (pressroom.key_watch).
        """
        # Every request asks for the same key: made and checked once (~2.4 µs a time).
        made = self._watched_keys.get((key, version))
        if made is None:
            made = self._watched_keys[key, version] = self.make_and_validate_key(key, version)
        return self._cache.get_watched(made, default)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        """Store several values; return the keys not stored, as BaseCache promises."""
        if not data:
            return []
        safe_data = {self.make_and_validate_key(key, version=version): key for key in data}
        values = {made: data[key] for made, key in safe_data.items()}
        stored = self._cache.set_many(values, self.get_backend_timeout(timeout))
        return [] if stored is not False else list(data)
