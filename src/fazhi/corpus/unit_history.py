"""A unit over the years (单位历年情况): its reports year by year and each core indicator's trend.

The unit is an :class:`~fazhi.units.models.Issuer` (a unit as its reports name it, one row across years).
Its values come from the compare table (:func:`fazhi.corpus.compare.build`: the first figure a report
gives for an indicator, with the sentence it came from), one report per year: where a unit has several
reports of one year, the one stored last.  A value in another unit than the indicator's usual one (人
vs 人次) stays in the table but is left out of the chart, which could not compare it.

A unit outside the user's region scope is not there (None: the caller answers 404), exactly as a report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from fazhi.accounts.roles import Scope
from fazhi.corpus import compare
from fazhi.corpus.models import Report
from fazhi.corpus.service import REGION_FIELDS, ReportFilter
from fazhi.knowledge import Knowledge
from fazhi.units.models import Issuer


@dataclass
class Point:
    """One year's value of an indicator, with the sentence that gives it."""

    year: int
    report_id: int
    value: float
    unit: str | None
    approx: bool
    text: str
    start: int
    end: int
    comparable: bool  # in the indicator's usual unit (drawn in the chart)

    def to_json(self) -> dict[str, Any]:
        return {"year": self.year, "report_id": self.report_id, "value": self.value, "unit": self.unit,
                "approx": self.approx, "text": self.text, "start": self.start, "end": self.end,
                "comparable": self.comparable}


@dataclass
class Trend:
    """A core indicator over the unit's years (``points`` by year; empty when no report gives it)."""

    id: str
    name: str
    unit: str | None
    better: str | None
    points: list[Point] = field(default_factory=list)

    def at(self, year: int) -> Point | None:
        return next((p for p in self.points if p.year == year), None)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "unit": self.unit, "better": self.better,
                "points": [p.to_json() for p in self.points]}


@dataclass
class UnitReport:
    id: int
    year: int | None
    title: str | None
    score: float | None
    date: str | None
    in_trend: bool  # the report the trend takes for its year

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "year": self.year, "title": self.title, "score": self.score, "date": self.date,
                "in_trend": self.in_trend}


@dataclass
class UnitHistory:
    id: int
    name: str
    level: str | None
    region: str
    reports: list[UnitReport]
    years: list[int]
    trends: list[Trend]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "level": self.level, "region": self.region,
                "years": self.years, "reports": [r.to_json() for r in self.reports],
                "trends": [t.to_json() for t in self.trends]}


def find_issuer(session: Session, issuer_id: int, scope: Scope | None) -> Issuer | None:
    """The unit if it exists and lies in ``scope`` (a scope without any region field sees none)."""
    conds = [Issuer.id == issuer_id]
    if scope is not None:
        fields = scope.fields()
        if not fields:
            return None
        conds += [getattr(Issuer, k) == v for k, v in fields.items()]
    return session.scalars(select(Issuer).where(and_(*conds))).first()


def unit_history(session: Session, issuer_id: int, scope: Scope | None, *,
                 knowledge: Knowledge | None = None) -> UnitHistory | None:
    """The unit's reports and its core indicators' trends; None when the unit is not there or not in
    ``scope``.  Indicator names and units from ``knowledge``'s catalogue (default: the files')."""
    issuer = find_issuer(session, issuer_id, scope)
    if issuer is None:
        return None
    rows = session.execute(select(Report.id, Report.year, Report.title, Report.score_total, Report.date)
                           .where(Report.issuer_id == issuer_id).order_by(Report.year, Report.id)).all()
    chosen = {r.year: r.id for r in rows if r.year is not None}  # the last stored of each year
    reports = [UnitReport(r.id, r.year, r.title, r.score_total, r.date.isoformat() if r.date else None,
                          chosen.get(r.year) == r.id) for r in rows]
    table = compare.build(session, ReportFilter(issuer=issuer_id, ids=list(chosen.values())), core_only=True,
                          knowledge=knowledge)
    by_report = {row.report_id: row for row in table.rows}
    trends = []
    for col in table.columns:
        trend = Trend(col.id, col.name, col.unit, col.better)
        for year, rid in sorted(chosen.items()):
            cell = by_report[rid].cells.get(col.id) if rid in by_report else None
            if cell is not None:
                trend.points.append(Point(year, rid, cell.value, cell.unit, cell.approx, cell.text, cell.start,
                                          cell.end, cell.unit == col.unit))
        trends.append(trend)
    return UnitHistory(issuer.id, issuer.name or "（未命名）", issuer.level,
                       "".join(getattr(issuer, k) or "" for k in REGION_FIELDS), reports, sorted(chosen), trends)


__all__ = ["Point", "Trend", "UnitHistory", "UnitReport", "find_issuer", "unit_history"]
