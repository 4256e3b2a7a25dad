"""The corpus dashboard's figures (报告库看板): reports by region, level and year, completeness, indicator
distributions and rankings, within the user's region scope."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fazhi.accounts.roles import Scope
from fazhi.corpus.models import Fact, PartRow, Report
from fazhi.corpus.reports import in_effect
from fazhi.corpus.service import REGION_FIELDS, ReportFilter, scoped
from fazhi.knowledge import Knowledge
from fazhi.lru import LRU, entries_only
from fazhi.review.model import REQUIRED_PARTS
from fazhi.units.identity import LEVEL_LABEL
from fazhi.units.models import Issuer


def _group_field(scope: Scope | None, flt: ReportFilter | None) -> str:
    """Group reports by the region level below the narrowest one fixed by the scope or filter."""
    fixed = set(scope.fields()) if scope else set()
    if flt is not None:
        fixed |= {k for k in REGION_FIELDS if getattr(flt, k)}
    for k in REGION_FIELDS:
        if k not in fixed:
            return k
    return "township"


def data_version(session: Session) -> tuple[Any, ...]:
    """Changes whenever a report is stored, replaced or deleted (for caches of derived views)."""
    n, max_id, upd = session.execute(select(func.count(Report.id), func.max(Report.id),
                                            func.max(Report.updated_at))).one()
    bind = session.get_bind()
    return (str(getattr(bind, "url", "")), int(n or 0), max_id, str(upd))


_DASH: LRU[dict[str, Any]] = LRU(64, 1 << 30, entries_only)  # the last 64 dashboards


def dashboard_cached(session: Session, flt: ReportFilter | None, scope: Scope | None, *, key: tuple[Any, ...],
                     indicator: str | None = None) -> dict[str, Any]:
    """:func:`dashboard`, kept until the reports change (``key``: the filter as given, hashable)."""
    kn = in_effect(session)
    k = (data_version(session), kn.key, scope.key() if scope else "", key, indicator)
    return _DASH.get_or_make(k, lambda: dashboard(session, flt, scope, indicator=indicator, knowledge=kn))


def dashboard(session: Session, flt: ReportFilter | None, scope: Scope | None, *,
              indicator: str | None = None, top: int = 20, knowledge: Knowledge | None = None) -> dict[str, Any]:
    """Everything the corpus dashboard shows, as plain data (charts are drawn in the browser); indicator
    names from ``knowledge``'s catalogue (default: the files')."""
    from fazhi.review.facts import catalogue

    f = scoped(flt, scope)
    ids = f.apply(select(Report.id)).scalar_subquery()
    base = select(Report).where(Report.id.in_(ids))
    total = int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    n_issuers = int(session.scalar(select(func.count(func.distinct(Report.issuer_id))).where(Report.id.in_(ids)))
                    or 0)
    avg = session.scalar(select(func.avg(Report.score_total)).where(Report.id.in_(ids)))
    by_year = [(y, int(n)) for y, n in session.execute(
        select(Report.year, func.count()).where(Report.id.in_(ids)).group_by(Report.year).order_by(Report.year))]
    by_level = [(lv, int(n)) for lv, n in session.execute(
        select(Issuer.level, func.count()).select_from(Report).outerjoin(Issuer, Report.issuer_id == Issuer.id)
        .where(Report.id.in_(ids)).group_by(Issuer.level).order_by(func.count().desc()))]
    gfield = _group_field(scope, flt)
    gcol = getattr(Issuer, gfield)
    by_region = [(r or "（未识别）", int(n)) for r, n in session.execute(
        select(gcol, func.count()).select_from(Report).outerjoin(Issuer, Report.issuer_id == Issuer.id)
        .where(Report.id.in_(ids)).group_by(gcol).order_by(func.count().desc()).limit(top))]
    parts: dict[str, dict[str, int]] = {p: {"dedicated": 0, "embedded": 0, "missing": 0} for p in REQUIRED_PARTS}
    for name, status, n in session.execute(
            select(PartRow.name, PartRow.status, func.count()).where(PartRow.report_id.in_(ids),
                                                                      PartRow.name.in_(REQUIRED_PARTS))
            .group_by(PartRow.name, PartRow.status)):
        parts.setdefault(name, {})[status] = int(n)
    scores = [float(s) for (s,) in session.execute(
        select(Report.score_total).where(Report.id.in_(ids), Report.score_total.is_not(None)).limit(20000))]
    cat = catalogue(knowledge)
    counts: dict[str, int] = {ind: int(n) for ind, n in session.execute(
        select(Fact.indicator, func.count(func.distinct(Fact.report_id)))
        .where(Fact.report_id.in_(ids)).group_by(Fact.indicator))}
    indicators: list[dict[str, Any]] = [
        {"id": i.id, "name": i.name, "core": bool(i.core), "reports": counts.get(i.id, 0)}
                  for i in cat.indicators if counts.get(i.id)]
    indicators.sort(key=lambda d: (not d["core"], -d["reports"]))
    chosen = indicator if indicator and any(d["id"] == indicator for d in indicators) else \
        (indicators[0]["id"] if indicators else None)
    dist: dict[str, Any] = {"indicator": chosen, "name": None, "unit": None, "values": [], "ranking": [],
                            "better": None}
    if chosen:
        ind = cat.get(chosen)
        rows = session.execute(
            select(Fact.report_id, Fact.value, Fact.unit, Fact.approx, Fact.start, Fact.end, Report.year,
                   func.coalesce(Issuer.name, Report.issuer_name).label("issuer"))
            .select_from(Fact).join(Report, Fact.report_id == Report.id)
            .outerjoin(Issuer, Report.issuer_id == Issuer.id)
            .where(Fact.report_id.in_(ids), Fact.indicator == chosen)
            .order_by(Fact.report_id, Fact.start).limit(50000)).all()
        first: dict[int, Any] = {}
        for r in rows:  # one value per report: the first in text order (as the compare table)
            first.setdefault(r.report_id, r)
        unit = Counter(r.unit for r in first.values()).most_common(1)[0][0] if first else None
        vals = [r for r in first.values() if r.unit == unit]
        lower = bool(ind and ind.better == "lower")  # 败诉率: the best (lowest) first
        dist.update(name=ind.name if ind else chosen, unit=unit, values=[r.value for r in vals],
                    better=ind.better if ind else None,
                    ranking=[{"report_id": r.report_id, "issuer": r.issuer or "（未识别）", "year": r.year,
                              "value": r.value, "approx": bool(r.approx), "start": r.start, "end": r.end}
                             for r in sorted(vals, key=lambda r: r.value if lower else -r.value)[:top]])
    return {"total": total, "issuers": n_issuers, "avg_score": None if avg is None else round(float(avg), 1),
            "by_year": by_year, "by_level": [(LEVEL_LABEL.get(lv or "", lv or "（未识别）"), n) for lv, n in by_level],
            "region_level": gfield, "by_region": by_region, "parts": parts, "scores": scores,
            "indicators": indicators, "distribution": dist}
