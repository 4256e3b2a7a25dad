"""Small text helpers shared by the stages (sentences and clauses of the normalised text)."""

from __future__ import annotations

_SENT_END = "。！？\n"
_CLAUSE_END = "。！？；，、：\n"


def sentence_bounds(text: str, pos: int, end: int | None = None) -> tuple[int, int]:
    """The sentence around ``pos`` (to ``end``): from after the previous 。！？ or
    line end up to and including the next one."""
    end = pos if end is None else end
    s = pos
    while s > 0 and text[s - 1] not in _SENT_END:
        s -= 1
    e = end
    n = len(text)
    while e < n and text[e] not in _SENT_END:
        e += 1
    if e < n and text[e] != "\n":
        e += 1
    return s, e


def clause_start(text: str, pos: int) -> int:
    """Start of the clause holding ``pos`` (after the previous ，；。 or line end)."""
    s = pos
    while s > 0 and text[s - 1] not in _CLAUSE_END:
        s -= 1
    return s
