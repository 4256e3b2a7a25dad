"""Stage 3 — outline (STUB)."""

from __future__ import annotations

from .model import Node, Review, Span


def title(review: Review) -> tuple[str | None, Span | None]:
    for ln in review.lines:
        if review.text[ln.start:ln.end].strip():
            return review.text[ln.start:ln.end].strip(), review.span(ln.start, ln.end)
    return None, None


def build(review: Review) -> list[Node]:
    return []
