"""What a process keeps of its own recent work: a bounded, thread-safe map
that forgets the entry used longest ago. Every caller keys it by what makes
an entry valid (the content version, the index commit, the language), so an
entry is never stale, only forgotten."""

from __future__ import annotations

import threading
from collections import OrderedDict

MISSING = object()


class Kept:
    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            value = self._entries.get(key, MISSING)
            if value is MISSING:
                return default
            self._entries.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class MadeOnSight(dict):
    """Each key's value made by ``make`` the first time it is asked for, and
    kept: looked up through ``map(made.__getitem__, keys)``, the many keys
    seen before stay in C (an lru_cache call per key cost twice as much).
    Emptied once it holds ``most``. For values that depend on the key alone
    (a word's search token, its verdict as a tag term)."""

    def __init__(self, make, most: int):
        super().__init__()
        self._make = make
        self._most = most

    def __missing__(self, key):
        if len(self) >= self._most:
            self.clear()
        value = self[key] = self._make(key)
        return value
