"""Stored reports as a user sees them: lists (sortable by :data:`SORTS`), one report, its review document,
deletion, the compare table and its exports — always within the user's region scope (``None``: every
report, the CLI)."""

from __future__ import annotations

import io
import json
import tempfile
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, joinedload, selectinload, sessionmaker

from fazhi.accounts.audit import audit
from fazhi.accounts.roles import Scope
from fazhi.corpus import service
from fazhi.corpus.models import Report, ReportOriginal
from fazhi.corpus.service import REGION_FIELDS, ReportFilter, scope_condition, scoped
from fazhi.db.base import utcnow
from fazhi.knowledge import Knowledge
from fazhi.knowledge import versions as knowledge_store
from fazhi.lru import LRU
from fazhi.units.models import Issuer

#: the sortable columns of report lists: key → SQL (the issuer's name as the unit register has it, else as the
#: report writes it; a subquery, so it sorts whether or not the statement joins the issuer)
SORTS: dict[str, Any] = {
    "title": Report.title,
    "issuer": func.coalesce(select(Issuer.name).where(Issuer.id == Report.issuer_id).correlate(Report)
                            .scalar_subquery(), Report.issuer_name),
    "year": Report.year, "date": Report.date, "score": Report.score_total, "created": Report.created_at,
}
#: what a ``sort`` parameter may be: a key of SORTS, ``-`` before it for descending order
SORT_PATTERN = "^-?(" + "|".join(SORTS) + ")$"


def order_by(sort: str | None) -> list[Any]:
    """ORDER BY for ``sort`` (``year``, ``-score`` …; empty values last), then year, unit and id; an unknown
    key is ignored."""
    key = (sort or "").removeprefix("-")
    out = []
    if key in SORTS:
        col = SORTS[key]
        out.append((col.desc() if (sort or "").startswith("-") else col.asc()).nulls_last())
    return [*out, Report.year, Report.issuer_id, Report.id]


_SUMMARY = (Report.id, Report.sha256, Report.title, Report.year, Report.date, Report.score_total,
            Report.issuer_name, Report.source_path, Report.format, Report.created_at, Report.issuer_id,
            Issuer.name.label("i_name"),
            Issuer.level.label("i_level"), Issuer.code.label("i_code"),
            *(getattr(Issuer, k).label("i_" + k) for k in REGION_FIELDS))


def report_summaries(session: Session, flt: ReportFilter | None, scope: Scope | None, *, limit: int = 50,
                     offset: int = 0, sort: str | None = None) -> tuple[int, list[dict[str, Any]]]:
    """(how many reports match, one page of them as :func:`fazhi.corpus.service.report_summary` dicts with
    ``created_at``, sorted by ``sort``), in one query: plain columns and the total as a window count (the
    report lists of the API and the pages)."""
    f = scoped(flt, scope)
    stmt = (f.apply(select(*_SUMMARY, func.count().over().label("total")).select_from(Report))
            .order_by(*order_by(sort)).offset(offset).limit(limit))
    if not f.needs_issuer():
        stmt = stmt.outerjoin(Issuer, Report.issuer_id == Issuer.id)
    rows = session.execute(stmt).all()
    total = int(rows[0].total) if rows else service.count_reports(session, f)
    return total, [{
        "id": r.id, "sha256": r.sha256, "title": r.title, "year": r.year,
        "date": r.date.isoformat() if r.date else None, "score": r.score_total,
        "issuer": None if r.issuer_id is None else {
            "id": r.issuer_id, "name": r.i_name, "level": r.i_level,
            **{k: getattr(r, "i_" + k) for k in REGION_FIELDS}, "code": r.i_code},
        "issuer_name": r.issuer_name, "path": r.source_path, "format": r.format,
        "created_at": r.created_at.isoformat() if r.created_at else None} for r in rows]


def get_report(session: Session, report_id: int, scope: Scope | None, *, children: bool = False) -> Report | None:
    """One report if it exists **and** is in the scope (else None: the caller answers 404)."""
    stmt = select(Report).where(Report.id == report_id).options(joinedload(Report.issuer))
    if scope is not None:
        stmt = stmt.where(scope_condition(scope))
    if children:
        stmt = stmt.options(selectinload(Report.facts), selectinload(Report.quantities),
                            selectinload(Report.findings), selectinload(Report.parts))
    return session.scalars(stmt).unique().first()


#: what identifies one version of a stored review (a re-review changes ``updated_at``; a report deleted
#: and stored again has a new ``created_at``, even where SQLite gives it the old id)
STAMP = (Report.id, Report.sha256, Report.created_at, Report.updated_at)
_HEAD = (*STAMP, Report.title, Report.year, Report.date, Report.source_path, Report.format, Report.chars,
         Report.score_total, Report.issuer_id, func.coalesce(Issuer.name, Report.issuer_name).label("issuer_name"),
         Issuer.level.label("level"), *(getattr(Issuer, k).label(k) for k in REGION_FIELDS),
         exists().where(ReportOriginal.report_id == Report.id).label("has_original"))


def stamp(row: Any) -> tuple[Any, ...]:
    """The cache key of a stored review (a row with the :data:`STAMP` columns)."""
    return (row.id, row.sha256, str(row.created_at), str(row.updated_at))


def report_head(session: Session, report_id: int, scope: Scope | None) -> Any | None:
    """What a review page shows above the review — title, year, date, file, issuer and its region, whether
    the original file is kept — plus the stamp, as one row (no review document, no text); None when not
    there or not in scope."""
    stmt = select(*_HEAD).outerjoin(Issuer, Report.issuer_id == Issuer.id).where(Report.id == report_id)
    if scope is not None:
        stmt = stmt.where(scope_condition(scope))
    return session.execute(stmt).first()


def report_stamp(session: Session, report_id: int, scope: Scope | None) -> Any | None:
    """The stamp of a report in scope (one indexed lookup), None when not there or not in scope."""
    stmt = select(*STAMP).where(Report.id == report_id)
    if scope is not None:
        stmt = stmt.where(scope_condition(scope))
    return session.execute(stmt).first()


def report_body(session: Session, report_id: int, *, with_text: bool = True) -> tuple[dict[str, Any], str | None]:
    """The stored review document and (``with_text``) the normalised text of a report."""
    cols = (Report.review, Report.text) if with_text else (Report.review,)
    row = session.execute(select(*cols).where(Report.id == report_id)).one()
    return dict(row[0] or {}), (row[1] if with_text else None)


def dumps(content: Any) -> bytes:
    """JSON as the API writes it: UTF-8, no ASCII escapes, compact."""
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def report_doc_bytes(session: Session, report_id: int, scope: Scope | None, cache: LRU[bytes] | None = None, *,
                     with_text: bool = False) -> bytes | None:
    """The ``fazhi.review/1`` document of a report in scope, with its ``id``, as JSON bytes (cached per
    stamp); None when not there or not in scope."""
    row = report_stamp(session, report_id, scope)
    if row is None:
        return None

    def make() -> bytes:
        doc, text = report_body(session, report_id, with_text=with_text)
        out = {**doc, "id": report_id}
        if with_text:
            out["text"] = text
        return dumps(out)

    return make() if cache is None else cache.get_or_make(("doc", stamp(row), with_text), make)


def delete_report(session: Session, report_id: int, scope: Scope | None, *, user_id: int | None) -> bool:
    """Delete a report in scope (audited as ``report.delete``); False when there is none to delete."""
    if get_report(session, report_id, scope) is None:
        return False
    return service.delete_report(session, report_id, user=user_id)


def report_doc(report: Report, *, with_text: bool = False) -> dict[str, Any]:
    """The stored ``fazhi.review/1`` document, with the report's ``id`` added."""
    return {**service.report_json(report, with_text=with_text), "id": report.id}


def filter_from_query(params: dict[str, Any]) -> ReportFilter:
    """A ReportFilter from query parameters (region, level, year, issuer, code, province…, id, rule, a
    required part's status, and the score range as ``score_min``/``score_max``).

    Raises ValueError with the bad parameter named."""
    given = {k: str(v).strip() for k, v in params.items() if v is not None and str(v).strip()}
    low, high = given.pop("score_min", ""), given.pop("score_max", "")
    flt = ReportFilter.parse(f"{k}={v}" for k, v in given.items())
    try:
        flt.score_min = float(low) if low else None
        flt.score_max = float(high) if high else None
    except ValueError:
        raise ValueError(f"score range {low!r}–{high!r}: expected numbers") from None
    return flt


def in_effect(session: Session) -> Knowledge:
    """The database's knowledge (one small query): indicator names and units on pages and in exports follow
    its catalogue, even in a server process that has reviewed nothing since another one activated it."""
    return knowledge_store.active_knowledge(session)


def compare_table(session: Session, flt: ReportFilter | None, scope: Scope | None, *,
                  indicators: list[str] | None = None, core_only: bool = False) -> Any:
    from fazhi.corpus import compare

    return compare.build(session, scoped(flt, scope), indicators=indicators, core_only=core_only,
                         knowledge=in_effect(session))


EXPORT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "csv": "text/csv; charset=utf-8"}


def export_compare(read: sessionmaker[Session], write: sessionmaker[Session], flt: ReportFilter | None,
                   scope: Scope | None, fmt: str, *, indicators: list[str] | None = None, core_only: bool = False,
                   long: bool = False, user_id: int | None = None,
                   where: dict[str, Any] | None = None) -> tuple[Any, str, int]:
    """The compare table as the CLI writes it (``fazhi compare --xlsx/--csv``): (binary file, file name, rows).

    The rows are read in a session of ``read`` that is closed before the file
    is built, so a slow export holds no lock and no transaction (a deletion
    or an upload meanwhile does not wait); the file is written (linearly:
    :mod:`fazhi.corpus.export`) into a temporary file — in memory while small,
    on disk beyond — that the caller streams from its start and closes; then
    the export is audited (``compare.export``) in a short transaction of ``write``."""
    from fazhi.corpus import compare, export

    if fmt not in EXPORT_TYPES:
        raise ValueError(f"unknown export format {fmt!r}")
    f = scoped(flt, scope)
    with read() as session:
        table = compare.build(session, f, indicators=indicators, core_only=core_only, knowledge=in_effect(session))
        findings = compare.findings_rows(session, f) if fmt == "xlsx" else None
        parts = compare.parts_rows(session, f) if fmt == "xlsx" else None
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    fname = f"fazhi-compare-{stamp}.{fmt}"
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, prefix="fazhi-export-")
    try:
        if fmt == "xlsx":
            export.write_xlsx(table, out, findings=findings, parts=parts,
                              filter_text=export.filter_label(where, scope.label if scope else None))
        else:
            text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
            export.write_csv(table, text, long=long)
            text.detach()
        out.seek(0)
    except BaseException:
        out.close()
        raise
    with write.begin() as w:
        audit(w, user_id, "compare.export", "compare", None,
              {"format": fmt, "rows": len(table.rows), "columns": len(table.columns), "where": where or {},
               "scope": scope.label if scope else None})
    return out, fname, len(table.rows)


def _report_rows(actor: Any, by_user: Any) -> Any:
    """Audit rows about reports a scoped actor may read: the report is stored and in the scope — or it is
    not stored (refused, deleted) and the row was written by an account within the scope."""
    from sqlalchemy import and_, exists, or_

    from fazhi.accounts.models import AuditEvent

    # a stored report that existed when the row was written (SQLite may give a new report an old id)
    stored = exists().where(Report.id == AuditEvent.object_id, Report.created_at <= AuditEvent.at)
    in_scope = exists().where(Report.id == AuditEvent.object_id, Report.created_at <= AuditEvent.at,
                              scope_condition(actor.scope))
    return or_(in_scope, and_(~stored, by_user))


def audit_rules() -> dict[str, Any]:
    """The corpus's rules for a scoped administrator's audit log (:func:`fazhi.accounts.audit.visible_to`)."""
    return {"report": _report_rows}
