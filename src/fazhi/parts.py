"""Stage 4 — required parts (STUB)."""

from __future__ import annotations

from .model import PART_NAMES, Part, Review


def detect(review: Review) -> dict[str, Part]:
    return {p: Part("missing") for p in PART_NAMES}
