"""A small thread-safe LRU map, bounded by entries and by bytes — for the caches of fazhi's processes
(parsed knowledge texts, report texts for passages, the web app's rendered pages and JSON)."""


from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LRU(Generic[V]):
    """A thread-safe least-recently-used map bounded by ``entries`` and by ``max_bytes`` (the sum of
    ``size(value)``); a value larger than a quarter of ``max_bytes`` is not kept."""

    def __init__(self, entries: int, max_bytes: int, size: Callable[[V], int]) -> None:
        self.entries = max(0, entries)
        self.max_bytes = max(0, max_bytes)
        self._size = size
        self._data: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._data.get(key)
            if found is None:
                return None
            self._data.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: V) -> V:
        n = self._size(value)
        if self.entries == 0 or n > self.max_bytes // 4:
            return value
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._data[key] = (value, n)
            self._bytes += n
            while self._data and (len(self._data) > self.entries or self._bytes > self.max_bytes):
                _k, (_v, m) = self._data.popitem(last=False)
                self._bytes -= m
        return value

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The cached value, or ``make()`` stored and returned (made outside the lock)."""
        found = self.get(key)
        return found if found is not None else self.put(key, make())


def entries_only(_value: object) -> int:
    """A ``size`` for an :class:`LRU` bounded by its number of entries only."""
    return 0


__all__ = ["LRU", "entries_only"]
