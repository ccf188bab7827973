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
