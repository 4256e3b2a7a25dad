"""Cleaning text that came from a user before it is stored or shown: names, labels, notes.

Control characters, zero-width characters and bidirectional overrides can hide
or reorder what a reader sees (a file name that displays as ``报告.txt`` but is
not); they are removed from everything a user typed or uploaded that fazhi
keeps as a name or a note.
"""

from __future__ import annotations

import re

#: every control character, zero-width and bidi-override character (for one-line names and labels)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
#: the same, but tabs and line breaks are kept (for notes of several lines)
CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def one_line(text: str | None) -> str:
    """``text`` without control, zero-width and bidi characters (line breaks included), stripped."""
    return CONTROL.sub("", str(text or "")).strip()


def lines(text: str | None) -> str:
    """``text`` without control, zero-width and bidi characters, keeping tabs and line breaks; stripped."""
    return CONTROL_BUT_LINES.sub("", str(text or "")).strip()


__all__ = ["CONTROL", "CONTROL_BUT_LINES", "lines", "one_line"]
