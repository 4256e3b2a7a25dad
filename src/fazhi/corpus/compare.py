"""Compare units and years: the indicator table over stored reviews.

Rows are reports (one unit in one year), columns are catalogue indicators,
and each cell is the value a report gives for an indicator with the evidence
it came from.  Around the table: year-over-year deltas for the same unit, and
each cell's rank and percentile among comparable units: those of the same
year and the same tier (:func:`rank_group`: a street office is ranked among
townships and street offices, never against districts; a county's bureau
among county departments).  Figures are compared when their measure words
count the same thing (人/名/位, 件/宗/起: ``measures`` in ``units.yaml``).

This is a service function over the store (the CLI and the web both call
:func:`build`); writing CSV and XLSX is in :mod:`fazhi.corpus.export`.

A report may state several figures for one indicator (人大建议 22 件、政协提案
21 件).  The cell holds the first in text order and keeps all of them in
``Cell.values``; nothing is summed, since figures of one indicator are not
always parts of one total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.corpus.models import Finding, PartRow, Report
from fazhi.corpus.service import ReportFilter, fact_rows
from fazhi.knowledge import Knowledge, files
from fazhi.review.facts import catalogue
from fazhi.units.models import Issuer


@dataclass(slots=True)
class Cell:
    value: float
    unit: str | None
    approx: bool
    text: str  # the evidence (clause or sentence)
    start: int
    end: int
    fact_id: int
    values: list[float] = field(default_factory=list)  # every figure the report gives for it
    delta: float | None = None  # against the same unit's previous reported year
    delta_pct: float | None = None
    prev_year: int | None = None
    measure: str | None = None  # what the unit counts (units.yaml measures: 名 and 人 are both 人)
    rank: int | None = None  # among comparable units (Row.rank_group) of the same year: 1 = best, else largest
    of: int | None = None
    percentile: float | None = None  # share of those units with a value ≤ this one


@dataclass(slots=True)
class Row:
    report_id: int
    sha256: str
    year: int | None
    issuer_id: int | None
    issuer: str
    level: str | None
    region: str
    code: str | None
    cells: dict[str, Cell] = field(default_factory=dict)
    rank_group: str = ""  # the units its cells are ranked among (with the same year): 县级, 乡镇（街道）…


@dataclass(slots=True)
class Column:
    id: str
    name: str
    core: bool
    group: str
    unit: str | None  # the unit most cells use (of the measure most cells use)
    better: str | None = None  # "higher" | "lower": ranks are 1 = best; None: 1 = largest
    measure: str | None = None  # the measure most cells use: only cells of it are ranked


@dataclass(slots=True)
class Table:
    columns: list[Column]
    rows: list[Row]
    where: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "columns": [{"id": c.id, "name": c.name, "core": c.core, "group": c.group, "unit": c.unit,
                         "better": c.better, "measure": c.measure}
                        for c in self.columns],
            "rows": [{"report_id": r.report_id, "sha256": r.sha256, "year": r.year, "issuer_id": r.issuer_id,
                      "issuer": r.issuer, "level": r.level, "region": r.region, "code": r.code,
                      "rank_group": r.rank_group,
                      "cells": {k: {"value": c.value, "unit": c.unit, "measure": c.measure, "approx": c.approx,
                                    "text": c.text,
                                    "start": c.start, "end": c.end, "values": c.values, "delta": c.delta,
                                    "delta_pct": c.delta_pct, "prev_year": c.prev_year, "rank": c.rank,
                                    "of": c.of, "percentile": c.percentile}
                                for k, c in r.cells.items()}}
                     for r in self.rows],
        }


def _region(row: Any) -> str:
    return "".join(x for x in (row.province, row.city, row.county, row.township) if x)


_TIER = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇（街道）", "street": "乡镇（街道）"}


def rank_group(level: str | None, province: str | None, city: str | None, county: str | None) -> str:
    """The comparable units a unit is ranked among: its tier of government (a township and a street office
    are one tier), a department among the departments of governments of its government's tier."""
    if level == "department":
        tier = "县级" if county else "市级" if city else "省级" if province else "国家"
        return f"{tier}部门"
    return _TIER.get(level or "", "级别未识别")


def measures(kn: Knowledge | None = None) -> dict[str, str]:
    """Measure word -> the measure it counts (``measures`` of ``units.yaml``; a word not listed is its own)."""
    k = kn or files()

    def make() -> dict[str, str]:
        return {w: name for name, words in (k["units"].get("measures") or {}).items() for w in words}
    return k.compiled("compare.measures", make)


def build(session: Session, flt: ReportFilter | None = None, *, indicators: list[str] | None = None,
          core_only: bool = False, knowledge: Knowledge | None = None) -> Table:
    """The indicator table of the reports matching ``flt``.

    Columns are the indicators with at least one value (catalogue order, core
    first), or exactly ``indicators`` when given.  Reports without any fact
    still get a row, so a missing figure is visible as an empty cell.  Indicator names, units and
    directions come from ``knowledge``'s catalogue (default: the files').
    """
    flt = flt or ReportFilter()
    cat = catalogue(knowledge)
    wanted = list(indicators) if indicators else None
    if core_only and wanted is None:
        wanted = cat.core_ids
    rows: dict[int, Row] = {}
    # every matching report gets a row
    stmt = flt.apply(select(Report.id, Report.sha256, Report.year, Report.issuer_id, Report.issuer_name))
    if not flt.needs_issuer():
        stmt = stmt.outerjoin(Issuer, Report.issuer_id == Issuer.id)
    stmt = stmt.add_columns(Issuer.name, Issuer.level, Issuer.province, Issuer.city, Issuer.county,
                            Issuer.township, Issuer.code)
    for r in session.execute(stmt):
        rows[r.id] = Row(report_id=r.id, sha256=r.sha256, year=r.year, issuer_id=r.issuer_id,
                         issuer=r.name or r.issuer_name or "（未识别）", level=r.level, region=_region(r),
                         code=r.code, rank_group=rank_group(r.level, r.province, r.city, r.county))
    measure_of = measures(knowledge)
    units: dict[str, dict[tuple[str | None, str | None], int]] = defaultdict(lambda: defaultdict(int))
    for f in fact_rows(session, flt, indicators=wanted):
        row = rows.get(f.report_id)
        if row is None:
            continue
        cell = row.cells.get(f.indicator)
        measure = measure_of.get(f.unit, f.unit) if f.unit is not None else None
        if cell is None:
            row.cells[f.indicator] = Cell(value=f.value, unit=f.unit, approx=bool(f.approx), text=f.text,
                                          start=f.start, end=f.end, fact_id=f.fact_id, values=[f.value],
                                          measure=measure)
        elif f.start < cell.start:  # keep the first in text order
            cell.values.insert(0, f.value)
            cell.value, cell.unit, cell.approx, cell.measure = f.value, f.unit, bool(f.approx), measure
            cell.text, cell.start, cell.end, cell.fact_id = f.text, f.start, f.end, f.fact_id
        else:
            cell.values.append(f.value)
        units[f.indicator][(measure, f.unit)] += 1
    present = {k for r in rows.values() for k in r.cells}
    order = {ind.id: i for i, ind in enumerate(cat.indicators)}
    if wanted is not None:
        ids = [i for i in wanted if i in order or i in present]
    else:
        core = set(cat.core_ids)
        ids = sorted(present, key=lambda i: (i not in core, order.get(i, len(order)), i))
    columns = []
    for i in ids:
        ind = cat.get(i)
        measure, unit = _common_unit(units.get(i, {}))
        columns.append(Column(id=i, name=ind.name if ind else i, core=bool(ind and ind.core),
                              group=cat.groups.get(ind.group, ind.group) if ind else "", unit=unit,
                              better=ind.better if ind else None, measure=measure))
    table = Table(columns=columns,
                  rows=sorted(rows.values(), key=lambda r: (r.code or "~", r.issuer, r.year or 0, r.report_id)))
    _deltas(table)
    _ranks(table)
    return table


def _common_unit(counted: dict[tuple[str | None, str | None], int]) -> tuple[str | None, str | None]:
    """(the measure most figures use, its measure word most figures use)."""
    if not counted:
        return None, None
    per_measure: dict[str | None, int] = defaultdict(int)
    for (measure, _unit), n in counted.items():
        per_measure[measure] += n
    measure = max(per_measure.items(), key=lambda kv: kv[1])[0]
    unit = max(((u, n) for (m, u), n in counted.items() if m == measure), key=lambda kv: kv[1])[0]
    return measure, unit


def _deltas(table: Table) -> None:
    """Year-over-year change for the same unit (against its previous reported year)."""
    by_unit: dict[int, list[Row]] = defaultdict(list)
    for r in table.rows:
        if r.issuer_id is not None and r.year is not None:
            by_unit[r.issuer_id].append(r)
    for rs in by_unit.values():
        rs.sort(key=lambda r: r.year or 0)
        for prev, cur in pairwise(rs):
            if prev.year == cur.year:
                continue
            for k, c in cur.cells.items():
                p = prev.cells.get(k)
                if p is None or p.measure != c.measure:
                    continue
                c.prev_year = prev.year
                c.delta = c.value - p.value
                c.delta_pct = (c.delta / p.value) if p.value else None


RANK_ORDER = {"higher": "越高越好", "lower": "越低越好", None: "从大到小"}  # how a column is ranked


def rank_scope(row: Row) -> str:
    """Where a row's ranks were counted, in words: 2023年·县级."""
    return f"{row.year}年·{row.rank_group}" if row.year else row.rank_group


def _ranks(table: Table) -> None:
    """Rank and percentile of each cell among the comparable rows (same year, same :func:`rank_group`) whose
    figure is of the column's measure: 1 = best where the catalogue says which way is better (``better``),
    else 1 = largest; the percentile is the share of those rows this one is at least as good as (as large
    as)."""
    for col in table.columns:
        by_group: dict[tuple[int | None, str], list[Cell]] = defaultdict(list)
        for r in table.rows:
            c = r.cells.get(col.id)
            if c is not None and c.measure == col.measure:
                by_group[(r.year, r.rank_group)].append(c)
        for cells in by_group.values():
            vals = sorted(c.value for c in cells)
            n = len(vals)
            lower = col.better == "lower"
            for c in cells:
                c.rank = 1 + sum(1 for v in vals if (v < c.value if lower else v > c.value))
                c.of = n
                c.percentile = sum(1 for v in vals if (v >= c.value if lower else v <= c.value)) / n


def findings_rows(session: Session, flt: ReportFilter | None = None) -> list[dict[str, Any]]:
    """The findings of the matching reports, one dict per finding, for export."""
    flt = flt or ReportFilter()
    ids = flt.apply(select(Report.id)).scalar_subquery()
    stmt = (select(Report.id, Report.year, Report.issuer_name, Issuer.name, Issuer.province, Issuer.city,
                   Issuer.county, Issuer.township, Finding.rule, Finding.severity, Finding.message,
                   Finding.evidence)
            .select_from(Finding).join(Report, Finding.report_id == Report.id)
            .outerjoin(Issuer, Report.issuer_id == Issuer.id)
            .where(Report.id.in_(ids))
            .order_by(Issuer.province, Issuer.city, Issuer.county, Issuer.township, Report.year, Finding.id))
    out = []
    for r in session.execute(stmt):
        ev = r.evidence or []
        out.append({"report_id": r.id, "year": r.year, "issuer": r.name or r.issuer_name or "（未识别）",
                    "region": _region(r), "rule": r.rule, "severity": r.severity, "message": r.message,
                    "evidence": "；".join(e.get("text", "") for e in ev[:3]) if isinstance(ev, list) else ""})
    return out


def parts_rows(session: Session, flt: ReportFilter | None = None) -> list[dict[str, Any]]:
    """The required-parts checklist of the matching reports: one dict per report."""
    flt = flt or ReportFilter()
    ids = flt.apply(select(Report.id)).scalar_subquery()
    stmt = (select(Report.id, Report.year, Report.issuer_name, Report.score_total, Issuer.name, Issuer.province,
                   Issuer.city, Issuer.county, Issuer.township, PartRow.name.label("part"), PartRow.status)
            .select_from(PartRow).join(Report, PartRow.report_id == Report.id)
            .outerjoin(Issuer, Report.issuer_id == Issuer.id)
            .where(Report.id.in_(ids))
            .order_by(Issuer.province, Issuer.city, Issuer.county, Issuer.township, Report.year, Report.id))
    rows: dict[int, dict[str, Any]] = {}
    for r in session.execute(stmt):
        d = rows.setdefault(r.id, {"report_id": r.id, "year": r.year,
                                   "issuer": r.name or r.issuer_name or "（未识别）", "region": _region(r),
                                   "score": r.score_total})
        d[r.part] = r.status
    return list(rows.values())
