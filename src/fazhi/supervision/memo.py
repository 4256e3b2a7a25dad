"""The 情况通报 of a campaign's annual reports: the Word document an office circulates after the deadline.

From the office's board (:func:`fazhi.supervision.reports.report_status`) and the review of each report
received (its current version's stored ``fazhi.review/1``), as of a date:

- 一、报送情况: who reported on time, late, not at all (and which reports were returned);
- 二、必备内容完整情况: for each required part, how many reports have it as a section of its own, only in
  the text, or not at all (naming the units that miss it);
- 三、存在的共性问题: the review findings that at least two units share, most shared first;
- 四、核心指标情况: the core indicators (the review catalogue's ``core``) across the reports: how many
  report each, the total (a rate: the average), the highest and the lowest with their units;
- 五、同类单位比较: the best and the weakest review score among comparable units only — the same type
  and level — and it says so.

Wording is data (``reportcycle.yaml``, ``memo``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from fazhi.corpus.models import Report
from fazhi.documents.gongwen import GongwenDocument, chinese_date
from fazhi.review.model import REQUIRED_PARTS
from fazhi.supervision import datafiles
from fazhi.supervision.access import Actor
from fazhi.supervision.models import Campaign
from fazhi.supervision.record import number
from fazhi.supervision.reports import StatusRow, campaign_board, china_day, report_status, today
from fazhi.units.models import Unit

LEVELS = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇级", "street": "街道级",
          "department": "部门"}


def wording() -> dict[str, Any]:
    result: dict[str, Any] = datafiles.packaged("reportcycle")["memo"]
    return result


@dataclass(frozen=True)
class Received:
    """A received report: its unit, comparable group and stored review."""

    row: StatusRow
    group: str  # the comparable group's label: 部门-有执法权（部门）
    review: Mapping[str, Any]


@dataclass(frozen=True)
class IndicatorLine:
    name: str
    units: int
    aggregate: float
    rate: bool
    unit_word: str
    highest: tuple[str, float]
    lowest: tuple[str, float]


@dataclass(frozen=True)
class GroupResult:
    label: str
    scores: tuple[tuple[str, float], ...]  # (unit, score), best first


@dataclass(frozen=True)
class Memo:
    """The 情况通报's content (see the module documentation)."""

    campaign_id: int
    campaign_name: str
    year: int
    office: str
    as_of: dt.date
    rows: tuple[StatusRow, ...]
    received: tuple[Received, ...]
    parts: dict[str, dict[str, Any]]  # part → {"label", "dedicated", "embedded", "missing", "missing_units"}
    common: tuple[tuple[str, tuple[str, ...]], ...]  # (problem, units) most shared first
    indicators: tuple[IndicatorLine, ...]
    groups: tuple[GroupResult, ...]

    def units(self, *statuses: str) -> list[str]:
        return [r.unit_name for r in self.rows if r.status in statuses]

    @property
    def on_time(self) -> list[str]:
        return [r.unit_name for r in self.rows if r.status != "not_received" and r.received_at is not None
                and _received_day(r) <= r.due]

    @property
    def late(self) -> list[str]:
        return [r.unit_name for r in self.rows if r.status != "not_received" and r.received_at is not None
                and _received_day(r) > r.due]

    def to_json(self) -> dict[str, Any]:
        return {"campaign": {"id": self.campaign_id, "name": self.campaign_name}, "year": self.year,
                "as_of": self.as_of.isoformat(), "on_time": self.on_time, "late": self.late,
                "not_received": self.units("not_received"), "returned": self.units("returned"),
                "parts": self.parts, "common": [{"problem": p, "units": list(u)} for p, u in self.common],
                "indicators": [{"name": i.name, "units": i.units, "aggregate": i.aggregate, "rate": i.rate,
                                "unit": i.unit_word, "highest": list(i.highest), "lowest": list(i.lowest)}
                               for i in self.indicators],
                "groups": [{"label": g.label, "scores": [list(s) for s in g.scores]} for g in self.groups]}


def _received_day(row: StatusRow) -> dt.date:
    assert row.received_at is not None
    return china_day(row.received_at)


# =========================================================================== the content
def _parts(received: Sequence[Received], labels: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    out = {}
    for part in REQUIRED_PARTS:
        counts = {"dedicated": 0, "embedded": 0, "missing": 0}
        missing = []
        for r in received:
            status = ((r.review.get("parts") or {}).get(part) or {}).get("status") or "missing"
            counts[status if status in counts else "missing"] += 1
            if status not in ("dedicated", "embedded"):
                missing.append(r.row.unit_name)
        out[part] = {"label": labels.get(part, part), **counts, "missing_units": missing}
    return out


def _label(rule: str, message: str, labels: Mapping[str, str]) -> str:
    pieces = rule.split(".")
    for n in range(len(pieces), 0, -1):
        if ".".join(pieces[:n]) in labels:
            return labels[".".join(pieces[:n])]
    return message


def _common(received: Sequence[Received], w: Mapping[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Problems at least ``min_units`` units share: the findings grouped by the problem they name."""
    by_problem: dict[str, list[str]] = {}
    for r in received:
        for f in r.review.get("findings") or []:
            if f.get("severity") not in ("error", "warning"):
                continue
            label = _label(str(f.get("rule") or ""), str(f.get("message") or ""), w["labels"])
            units = by_problem.setdefault(label, [])
            if r.row.unit_name not in units:
                units.append(r.row.unit_name)
    shared = [(p, tuple(u)) for p, u in by_problem.items() if len(u) >= int(w["min_units"])]
    return tuple(sorted(shared, key=lambda pu: -len(pu[1])))


def _indicators(received: Sequence[Received], catalogue: Sequence[Mapping[str, Any]]) -> tuple[IndicatorLine, ...]:
    out = []
    for entry in (e for e in catalogue if e.get("core")):
        values: list[tuple[str, float, str]] = []
        for r in received:
            fact = next((f for f in r.review.get("facts") or [] if f.get("indicator") == entry["id"]), None)
            if fact is not None:
                values.append((r.row.unit_name, float(fact["value"]), fact.get("unit") or ""))
        if not values:
            continue
        rate = all(u == "%" for _, _, u in values)
        total = sum(v for _, v, _ in values)
        out.append(IndicatorLine(entry["name"], len(values), round(total / len(values), 1) if rate else total,
                                 rate, values[0][2], max(values, key=lambda x: x[1])[:2],
                                 min(values, key=lambda x: x[1])[:2]))
    return tuple(out)


def _groups(received: Sequence[Received]) -> tuple[GroupResult, ...]:
    groups: dict[str, list[tuple[str, float]]] = {}
    for r in received:
        score = (r.review.get("score") or {}).get("total")
        if isinstance(score, int | float):
            groups.setdefault(r.group, []).append((r.row.unit_name, float(score)))
    return tuple(GroupResult(label, tuple(sorted(scores, key=lambda s: (-s[1], s[0]))))
                 for label, scores in groups.items())  # in the board's order: departments (due first) first


def campaign_memo(session: Session, actor: Actor, campaign_id: int, as_of: dt.date | None = None) -> Memo:
    """The 情况通报's content for the campaign as of ``as_of`` (today by default)."""
    from fazhi.knowledge.versions import active_knowledge

    campaign: Campaign = campaign_board(session, actor, campaign_id)
    day = as_of or today()
    rows = report_status(session, actor, campaign_id, day)
    received = []
    for r in rows:
        report = session.get(Report, r.report_id) if r.report_id is not None else None
        unit = session.get(Unit, r.unit_id)
        if report is not None and unit is not None:
            group = f"{unit.type}（{LEVELS.get(unit.level or '', unit.level or '未定级别')}）"
            received.append(Received(r, group, report.review))
    kn = active_knowledge(session)
    labels = {k: v["label"] for k, v in kn["parts"]["parts"].items()}
    office = str((campaign.settings or {}).get("office") or campaign.organiser_name)
    return Memo(campaign.id, campaign.name, campaign.year, office, day, tuple(rows), tuple(received),
                _parts(received, labels), _common(received, wording()["shortcomings"]),
                _indicators(received, kn["indicators"].get("indicators", [])), _groups(received))


# =========================================================================== the document
def _names(units: Sequence[str], none: str) -> str:
    return "、".join(units) if units else none


def memo_document(memo: Memo, *, day: dt.date | None = None) -> GongwenDocument:
    """The 情况通报 as a 公文-layout document, signed by the office and dated ``day`` (the as-of date)."""
    w = wording()
    h = w["headings"]
    doc = GongwenDocument(w["title"].format(year=memo.year))
    doc.addressee(w["addressee"])
    doc.paragraph(w["opening"].format(campaign=memo.campaign_name, year=memo.year, date=chinese_date(memo.as_of),
                                      count=len(memo.rows)))
    s = w["submission"]
    doc.heading(h["submission"], 1)
    for key, units in (("on_time", memo.on_time), ("late", memo.late), ("missing", memo.units("not_received"))):
        doc.paragraph(s[key].format(count=len(units), units=_names(units, s["none"])))
    returned = memo.units("returned")
    if returned:
        doc.paragraph(s["returned"].format(count=len(returned), units=_names(returned, s["none"])))
    c = w["completeness"]
    doc.heading(h["completeness"], 1)
    if memo.received:
        doc.paragraph(c["intro"].format(count=len(memo.received)))
        for i, part in enumerate(memo.parts.values(), 1):
            detail = c["detail_missing"].format(units="、".join(part["missing_units"])) if part["missing_units"] else ""
            doc.paragraph(f"{i}." + c["part"].format(detail=detail, **part))
    else:
        doc.paragraph(c["none"])
    sh = w["shortcomings"]
    doc.heading(h["shortcomings"], 1)
    if memo.common:
        doc.paragraph(sh["intro"])
        for i, (problem, sharing) in enumerate(memo.common, 1):
            doc.paragraph(f"{i}." + sh["item"].format(label=problem, count=len(sharing), units="、".join(sharing)))
    else:
        doc.paragraph(sh["none"])
    ind = w["indicators"]
    doc.heading(h["indicators"], 1)
    if memo.indicators:
        doc.paragraph(ind["intro"])
        doc.table(ind["header"], [
            [i.name, i.units, f"{number(i.aggregate)}{i.unit_word}",
             f"{i.highest[0]}（{number(i.highest[1])}{i.unit_word}）",
             f"{i.lowest[0]}（{number(i.lowest[1])}{i.unit_word}）"] for i in memo.indicators],
            widths=[3, 1.2, 1.6, 3, 3])
    else:
        doc.paragraph(ind["none"])
    cmp_ = w["comparison"]
    doc.heading(h["comparison"], 1)
    if memo.groups:
        doc.paragraph(cmp_["intro"])
        for g in memo.groups:
            if len(g.scores) < 2:
                doc.paragraph(cmp_["single"].format(label=g.label, unit=g.scores[0][0]))
                continue
            (best, best_score), (worst, worst_score) = g.scores[0], g.scores[-1]
            doc.paragraph(cmp_["group"].format(label=g.label, count=len(g.scores), best=best,
                                               best_score=number(best_score), worst=worst,
                                               worst_score=number(worst_score)))
    else:
        doc.paragraph(cmp_["none"])
    doc.signature(memo.office, day or memo.as_of)
    return doc


def memo_docx(session: Session, actor: Actor, campaign_id: int, as_of: dt.date | None = None) -> bytes:
    """The campaign's 情况通报 as .docx."""
    return memo_document(campaign_memo(session, actor, campaign_id, as_of)).to_bytes()


__all__ = [
    "LEVELS",
    "GroupResult",
    "IndicatorLine",
    "Memo",
    "Received",
    "campaign_memo",
    "memo_document",
    "memo_docx",
    "wording",
]
