"""What the web app keeps between requests: rendered review bodies and serialised review documents.

A stored review changes only when its report is re-reviewed (``updated_at``)
or deleted and stored again (``created_at``), so both are cached per report
*stamp* — ``(id, sha256, created_at, updated_at)`` — which a request reads
with one small query (that same query applies the user's region scope).  A
hit skips loading the review document from the database, decoding it and
encoding it again, or rendering thousands of text spans.

Each cache is an LRU bounded by entries and by bytes, one per app (so two
apps over two databases in one process never share entries), safe to use
from the thread pool.
"""

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


def _markup_size(parts: tuple[str, ...]) -> int:
    return sum(len(p) for p in parts) * 2  # roughly: mostly CJK text held as str


class Caches:
    """The app's caches (``app.state.caches``)."""

    def __init__(self, max_bytes: int) -> None:
        #: ``(stamp, with_text)`` → the review document as JSON bytes (``GET /api/reports/{id}``)
        self.docs: LRU[bytes] = LRU(4096, max_bytes // 2, len)
        #: ``(stamp, highlight)`` → the review page's outline, panels and text, rendered
        self.bodies: LRU[tuple[str, ...]] = LRU(1024, max_bytes // 2, _markup_size)


__all__ = ["LRU", "Caches"]
