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

from fazhi.lru import LRU


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
