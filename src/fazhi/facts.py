"""Stage 7 — facts (STUB)."""

from __future__ import annotations

from .model import Fact, Review


def extract(review: Review) -> list[Fact]:
    return []
