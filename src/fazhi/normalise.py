"""Stage 2 — normalise (STUB)."""

from __future__ import annotations

from .model import OffsetMap


def normalise(text: str) -> tuple[str, OffsetMap]:
    return text, OffsetMap()
