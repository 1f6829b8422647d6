"""Copies of shared-cache values kept in this process, within a number of bytes.

Only for values whose key names the content version they were made under (pages,
cards): such a copy is as current as the shared entry for as long as that version is
the one a request reads, and the version is always read from the shared cache. A copy
saves the round trip and the unpickling of a value every request of a worker repeats.
"""

import threading
from collections import OrderedDict


class LocalCopies:
    """Values by key, the least recently used dropped first beyond max_bytes.

    size_of(value) gives the bytes a value counts for.
    """

    def __init__(self, max_bytes, size_of):
        self.max_bytes = max_bytes
        self.size_of = size_of
        self.values = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.values.get(key)
            if value is not None:
                self.values.move_to_end(key)
            return value

    def put(self, key, value):
        size = self.size_of(value)
        with self.lock:
            self._drop(key)
            if size > self.max_bytes:
                return
            self.values[key] = value
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

    def _drop(self, key):
        value = self.values.pop(key, None)
        if value is not None:
            self.size -= self.size_of(value)
