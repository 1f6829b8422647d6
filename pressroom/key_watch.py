"""A process's copy of one Redis key, trusted until Redis says the key changed.

Every page-cache hit and every uncached page first reads the content version
(articles/content_version.py), and that round trip to Redis was two thirds of a hit's
CPU. Redis can say when a key changes instead: with client-side caching in broadcast
mode (`CLIENT TRACKING ON BCAST PREFIX <key>`, Redis 6 and later), it sends an
invalidation on the watching connection whenever the key is written, deleted, expired
or evicted, by any client, flushes included. While that connection is up and has said
nothing, the copy is current, and reading it costs a poll of the socket.

Redis writes the broadcast invalidations of an event-loop turn before any reply of
that turn (beforeSleep in its server.c), so on loopback a watcher holds the message by
the time the writer has its "OK" (a flush's comes a moment later); across a network it
is as late as any read would be.
What makes
a copy untrusted: anything arriving on the connection, the connection failing, the
process forking (gunicorn's preloaded master), and a write of the key through this
process's cache (forget()), since its own invalidation is still on the way.
"""

import logging
import os
import threading
import time
import weakref

import redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

NOTHING = object()
# Invalidations read at once before the connection is given up as out of step.
MAX_MESSAGES = 256
# A copy is trusted only while its connection answered a PING within this many seconds.
VERIFY_SECONDS = 1.0

_watches = weakref.WeakSet()


class KeyWatch:
    """Keep one key's value in the process while a tracking connection vouches for it.

    copy() returns (value or NOTHING, generation); a caller that had to read the key
    from Redis hands the value back with keep(value, generation), which keeps it only if
    nothing was invalidated since that copy() call.
    """

    def __init__(self, url, key, *, retry_interval, **connection_options):
        self.key = key
        # Only to parse the URL (TLS, password, database) into a connection's arguments.
        pool = redis.ConnectionPool.from_url(url, protocol=3, **connection_options)
        self._connection_class = pool.connection_class
        self._connection_kwargs = pool.connection_kwargs
        self._retry_interval = retry_interval
        self._lock = threading.Lock()
        self._connection = None
        self._copy = NOTHING
        self._generation = 0
        self._retry_at = 0.0
        self._verify_at = 0.0
        self._unsupported = False
        _watches.add(self)

    def copy(self):
        with self._lock:
            if self._connection is None and not self._open():
                return NOTHING, self._generation
            try:
                if self._connection.can_read(timeout=0):
                    self._read_invalidations()
                if time.monotonic() >= self._verify_at:
                    self._verify()
            except (RedisError, OSError, ValueError):
                self._close()
            return self._copy, self._generation

    def keep(self, value, generation):
        with self._lock:
            if self._connection is not None and generation == self._generation:
                self._copy = value

    def forget(self):
        with self._lock:
            self._drop_copy()

    def _drop_copy(self):
        self._copy = NOTHING
        self._generation += 1

    def _read_invalidations(self):
        """Read what Redis sent unasked: invalidations, each of which drops the copy."""
        for _message in range(MAX_MESSAGES):
            self._connection.read_response(push_request=True)
            self._drop_copy()
            if not self._connection.can_read(timeout=0):
                return
        raise RedisError("too many invalidations at once")

    def _verify(self):
        """PING the connection: a connection silently cut (a firewall dropping idle ones)
        would never bring another invalidation, so a copy is trusted only while the
        connection answered within the last VERIFY_SECONDS. Invalidations sent before
        the PONG arrive before it (their replies are None)."""
        self._connection.send_command("PING")
        for _message in range(MAX_MESSAGES):
            if self._connection.read_response(push_request=True) is not None:
                self._verify_at = time.monotonic() + VERIFY_SECONDS
                return
            self._drop_copy()
        raise RedisError("too many invalidations at once")

    def _open(self):
        """Connect and start tracking; return whether the watch now vouches for copies."""
        if self._unsupported or time.monotonic() < self._retry_at:
            return False
        connection = self._connection_class(**self._connection_kwargs)
        try:
            connection.connect()
            connection.send_command("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", self.key)
            connection.read_response()
        except redis.ResponseError as error:
            # An old Redis, or a proxy without client tracking: read the key every time.
            self._unsupported = True
            logger.warning("Redis can't track %s (%s): it is read on every use.", self.key, error)
            connection.disconnect()
            return False
        except (RedisError, OSError):
            self._retry_at = time.monotonic() + self._retry_interval
            connection.disconnect()
            return False
        self._connection = connection
        self._verify_at = time.monotonic() + VERIFY_SECONDS
        self._drop_copy()  # whatever was kept before tracking began is not vouched for
        return True

    def _close(self):
        self._drop_copy()
        if self._connection is not None:
            self._connection.disconnect()
            self._connection = None

    def _after_fork(self):
        # The parent's connection and lock are its own: the child starts afresh. redis-py
        # only closes its descriptor of a socket made by another process.
        self._lock = threading.Lock()
        self._close()


def _reset_after_fork():
    for watch in list(_watches):
        watch._after_fork()


os.register_at_fork(after_in_child=_reset_after_fork)
