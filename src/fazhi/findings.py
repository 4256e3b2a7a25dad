"""Stage 8 — findings (STUB)."""

from __future__ import annotations

from .model import Finding, Review


def check(review: Review) -> list[Finding]:
    return list(review.notes)
