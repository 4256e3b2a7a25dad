"""Stage 9 — score (STUB)."""

from __future__ import annotations

from .model import Review, Score


def compute(review: Review) -> Score:
    return Score(0.0)
