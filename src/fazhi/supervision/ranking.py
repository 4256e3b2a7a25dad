"""Ranking among comparable units only: the same type and the same level, and saying so.

A county government is not ranked against a township or a department.  :func:`rank` groups the
entries by (type, level), ranks each group on its scores (equal scores share a rank: 1, 2, 2, 4),
and says in Chinese where each unit stands ("在 12 个县级政府中排第 3").  When the units of a group
were scored under profiles with different full marks (共性 50 vs 100), every score is first
normalised to 100 and the sentence says so.  A unit without a score, or alone in its group, gets no
rank and a sentence saying why.  The group names are data (``data/assessment.yaml``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from fazhi.supervision import datafiles
from fazhi.supervision.rules import fmt

_EPS = 1e-9


@dataclass(frozen=True)
class Entry:
    """A unit to rank: its key, type and level, its score (None: none yet) out of ``max``."""

    key: Hashable
    type: str
    level: str | None
    score: float | None
    max: float


@dataclass(frozen=True)
class Placed:
    """Where a unit stands: its rank (None: not ranked), the sentence, its group and the score ranked
    on (normalised to 100 when the group's full marks differ)."""

    rank: int | None
    among: str
    group: str
    size: int
    ranked_on: float | None


def group_label(unit_type: str, level: str | None) -> str:
    """The name of a group of comparable units: 县级政府, 乡镇, 有行政执法权的部门 …"""
    data = datafiles.packaged("assessment")
    groups: Sequence[Mapping[str, str]] = data["comparable_groups"]
    for g in groups:
        if g["type"] == unit_type and g.get("level") in (None, level):
            return g["label"]
    return f"{unit_type}（{data['level_labels'].get(level or '', level or '未定层级')}）"


def rank(entries: Iterable[Entry], *, basis: str = "") -> dict[Hashable, Placed]:
    """Each entry's place among the entries of the same type and level.  ``basis`` names the score
    ranked on when it is not the final one ("考评分")."""
    groups: dict[tuple[str, str | None], list[Entry]] = defaultdict(list)
    for e in entries:
        groups[(e.type, e.level)].append(e)
    out: dict[Hashable, Placed] = {}
    for (unit_type, level), members in groups.items():
        label = group_label(unit_type, level)
        scored = [e for e in members if e.score is not None]
        normalise = len({e.max for e in scored}) > 1
        values = {e.key: _value(e, normalise) for e in scored}
        ordered = sorted(values.values(), reverse=True)
        n = len(members)
        note = "（按百分制折算后比较）" if normalise else ""
        by = f"（按{basis}）" if basis else ""
        for e in members:
            v = values.get(e.key)
            if v is None:
                out[e.key] = Placed(None, f"尚无得分，未参加排名（同类共 {n} 个{label}）", label, n, None)
            elif len(scored) == 1:
                out[e.key] = Placed(None, f"同类单位（{label}）中只有本单位有得分，不排名", label, n, v)
            else:
                place = 1 + sum(1 for x in ordered if x > v + _EPS)
                ties = sum(1 for x in ordered if abs(x - v) <= _EPS)
                tie = f"（与另 {ties - 1} 个单位并列）" if ties > 1 else ""
                out[e.key] = Placed(place, f"在 {len(scored)} 个{label}中排第 {place}{tie}{by}{note}", label, n, v)
    return out


def _value(e: Entry, normalise: bool) -> float:
    assert e.score is not None
    return round(e.score * 100 / e.max, 4) if normalise and e.max > 0 else e.score


def describe_change(now: float | None, before: float | None) -> str:
    """"比上年提高 2.5 分" / "比上年下降 1 分" / "与上年持平"; "" when one of them is missing."""
    if now is None or before is None:
        return ""
    diff = round(now - before, 4)
    if abs(diff) <= _EPS:
        return "与上年持平"
    return f"比上年{'提高' if diff > 0 else '下降'} {fmt(abs(diff))} 分"


__all__ = ["Entry", "Placed", "describe_change", "group_label", "rank"]
