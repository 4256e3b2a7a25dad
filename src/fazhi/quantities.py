"""Stage 6 — quantities (STUB)."""

from __future__ import annotations

from .model import Quantity, Review


def extract(review: Review) -> list[Quantity]:
    return []
