"""Helpers shared by the tests that compare reviews with hand-made expectations
(``test_examples.py``, ``test_adversarial.py``)."""

from __future__ import annotations

import re

PARTS = ("achievements", "shortcomings", "first_responsible", "next_year_plan")
REGION = ("level", "province", "city", "county", "township")
# the finding families whose absence is checked too (SPEC §1, §5)
FAMILIES = ("part.missing.", "part.embedded.", "shortcomings.no_causes",
            "plan.unanswered_shortcomings", "date.late", "figures.none")

_CN = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
       "八": 8, "九": 9}


def numeral(marker: str | None) -> int | None:
    """'（十二）' / '二、' / '第三部分' / '3.' -> 12 / 2 / 3 / 3 (as shared/tools/evaluate.py reads markers)."""
    s = re.sub(r"[^0-9零〇一二三四五六七八九十]", "", marker or "")
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return _CN.get(tens, 1) * 10 + _CN.get(ones, 0)
    return _CN.get(s)


def squeeze(s: str | None) -> str:
    return re.sub(r"\s+", "", s or "")
