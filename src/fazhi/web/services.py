"""The service functions behind the web pages, the REST API and the ``fazhi user`` commands.

Everything a request does goes through here, so the pages, the API and the
CLI behave alike: the same limits, the same region scope, the same audit
events.  Functions take a SQLAlchemy session (or a session factory for
writes that commit one file at a time) and the caller's
:class:`~fazhi.accounts.roles.Scope` (``None``: every report — the CLI).

- uploads: :func:`store_uploads` / :func:`store_upload` (read by content with
  :func:`fazhi.review.read.read_bytes`, review with the database's knowledge in effect,
  check the scope, store in one transaction, audit);
- reports: :func:`list_reports`, :func:`get_report`, :func:`delete_report`;
- compare and export: :func:`compare_table`, :func:`export_compare`;
- charts: :func:`dashboard`;
- similar reports: :func:`similar_reports`, :func:`similar_pairs` (over
  :mod:`fazhi.corpus.similar` when it is there, else :class:`SimilarUnavailable`);
- accounts: :func:`create_user`, :func:`update_user`, :func:`set_password`,
  :func:`list_users`, :func:`create_token`, :func:`revoke_token`;
- :func:`audit`, :func:`list_audit`.

A client-supplied file name is only ever a display name: :func:`display_name`
keeps its last component, without control characters, and nothing here opens
or writes a file by a name that came from a client (exports are written to a
temporary folder under names made here).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, defer, joinedload, selectinload, sessionmaker

from fazhi.accounts import roles
from fazhi.accounts.models import ApiToken, Credential
from fazhi.accounts.roles import Scope, scoped
from fazhi.corpus import service
from fazhi.corpus.service import REGION_FIELDS, ReportFilter
from fazhi.db.models import AuditEvent, Fact, Issuer, PartRow, Report, User, utcnow
from fazhi.knowledge import versions as knowledge_store
from fazhi.lru import LRU, entries_only
from fazhi.web.isolate import ReviewFailed, ReviewPool, ReviewTimeout
from fazhi.web.settings import Settings

log = logging.getLogger("fazhi.web")

REQUIRED_PARTS = ("achievements", "shortcomings", "first_responsible", "next_year_plan")


# =========================================================================== audit
def audit(session: Session, user_id: int | None, action: str, object_type: str, object_id: int | None = None,
          detail: dict[str, Any] | None = None) -> None:
    """Record who did what (in the caller's transaction)."""
    session.add(AuditEvent(user_id=user_id, action=action[:64], object_type=object_type[:32], object_id=object_id,
                           detail=detail, at=utcnow()))


def list_audit(session: Session, *, action: str | None = None, user: str | None = None, limit: int = 100,
               offset: int = 0) -> tuple[int, list[AuditEvent]]:
    stmt: Select[Any] = select(AuditEvent)
    if action:
        stmt = stmt.where(AuditEvent.action.like(action.replace("%", "") + "%"))
    if user:
        stmt = stmt.where(AuditEvent.user_id.in_(select(User.id).where(User.name == user).scalar_subquery()))
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = list(session.scalars(stmt.options(joinedload(AuditEvent.user))
                                .order_by(AuditEvent.id.desc()).limit(limit).offset(offset)))
    return total, rows


# =========================================================================== uploads
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def display_name(name: str | None) -> str:
    """A client's file name made safe to keep and show: its last path component, without control or
    bidi characters, at most 200 characters (``../../etc/passwd.txt`` → ``passwd.txt``)."""
    s = _CONTROL.sub("", str(name or ""))
    s = s.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".") or ""
    if len(s) > 200:
        stem, dot, ext = s.rpartition(".")
        s = (stem[:190] + dot + ext[:9]) if dot and len(ext) <= 9 else s[:200]
    return s or "未命名"


_REASONS = (  # fazhi.review.read's reasons, in Chinese (the original follows in brackets)
    ("file too large", "文件过大"),
    ("zip bomb", "docx 解压后数据过大（疑似压缩炸弹），已拒绝"),
    ("empty file", "空文件"),
    ("encrypted", "文档已加密，请去掉密码后再上传"),
    ("a program", "这是程序文件，不是文档"),
    ("an image", "这是图片，不是文档（不支持 OCR）"),
    ("compressed archive", "这是压缩包，不是文档"),
    ("legacy .doc", "不支持旧版 .doc 格式，请另存为 .docx"),
    ("spreadsheet", "这是电子表格，不是报告"),
    ("presentation", "这是演示文稿，不是报告"),
    ("no text layer", "PDF 没有文字层（扫描件？），不支持 OCR"),
    ("not a text document", "不是文本文件（含二进制数据）"),
    ("unsupported file type", "不支持的文件类型"),
    ("not supported", "不支持的文件格式"),
    ("not a valid", "文件已损坏或与扩展名不符"),
    ("no text", "文档中没有文字"),
    ("damaged", "文件已损坏，无法读取"),
)


def reason_zh(reason: str) -> str:
    for key, zh in _REASONS:
        if key in reason:
            return f"{zh}（{reason}）"
    return f"无法读取文件（{reason}）"


def reason_status(reason: str) -> int:
    """HTTP status for a file that cannot be read: 413 too large, 415 not a report format, 422 otherwise."""
    if "too large" in reason or "zip bomb" in reason or "too much data" in reason:
        return 413
    if any(k in reason for k in ("unsupported", "not supported", "not a text document", "a program", "an image",
                                 "archive", "spreadsheet", "presentation", "PostScript", "not a valid")):
        return 415
    return 422


@dataclass
class UploadResult:
    """What became of one uploaded file."""

    file: str  # the display name
    ok: bool
    status: str  # created | exists | error
    code: int  # HTTP status of this file: 201 created, 200 already stored, 4xx refused
    id: int | None = None
    error: str | None = None
    reason: str | None = None  # fazhi.review.read's reason (English), for scripts
    review: dict[str, Any] | None = None
    title: str | None = None
    issuer: str | None = None

    def to_json(self, *, with_review: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {"file": self.file, "ok": self.ok, "status": self.status, "code": self.code}
        if self.ok:
            d.update(id=self.id, title=self.title, issuer=self.issuer)
            if with_review:
                d["review"] = self.review
        else:
            d.update(error=self.error, reason=self.reason)
        return d


def review_bytes(data: bytes, name: str, *, max_bytes: int,
                 knowledge: dict[str, str] | None = None) -> tuple[dict[str, Any], str]:
    """Read ``data`` by its content (``name`` is a hint and the display name) and review it:
    (``fazhi.review/1`` document, normalised text).  Raises :class:`fazhi.review.read.ReadError`.

    ``knowledge``: the YAML texts to review with (a database's active set, ``{}``: the files;
    ``None``: whatever is in effect); the review runs under :func:`fazhi.knowledge.using`, so a
    switch by another thread never lands halfway through it."""
    from fazhi import knowledge as kn
    from fazhi.review import pipeline, read
    from fazhi.review.model import Source

    doc = read.read_bytes(data, name, max_bytes=max_bytes)
    source = Source(path=name, sha256=doc.sha256, format=doc.format, encoding=doc.encoding, size=doc.size)
    with kn.using(knowledge):
        rv = pipeline.review_source(doc.text, source)
    out = rv.to_json()
    out["source"]["size"] = rv.source.size
    return out, rv.text


def issuer_label(issuer: dict[str, Any] | None) -> str:
    if not issuer:
        return "（未识别）"
    path = "".join(issuer.get(k) or "" for k in REGION_FIELDS)
    name = issuer.get("name") or path or "（未识别）"
    return name if not path or path == name else f"{name}〔{path}〕"


def store_uploads(Session: sessionmaker[Session], write: sessionmaker[Session], files: list[tuple[str, bytes]], *,
                  user_id: int | None, scope: Scope | None, max_bytes: int, reviewer: ReviewPool | None = None,
                  timeout: float = 60.0) -> list[UploadResult]:
    """:func:`store_upload` for each file of one upload; the database's active knowledge versions are
    looked up once for the batch (one small query)."""
    with Session() as s:
        active = knowledge_store.active_set(s)
    return [store_upload(write, name, data, user_id=user_id, scope=scope, max_bytes=max_bytes, knowledge=active,
                         reviewer=reviewer, timeout=timeout)
            for name, data in files]


def store_upload(write: sessionmaker[Session], name: str | None, data: bytes, *, user_id: int | None,
                 scope: Scope | None, max_bytes: int,
                 knowledge: knowledge_store.ActiveSet | None = None, reviewer: ReviewPool | None = None,
                 timeout: float = 60.0) -> UploadResult:
    """Review one uploaded file and store it (one transaction), or say why not.

    The review uses the database's active knowledge versions (``knowledge``,
    else looked up now) and runs in one of ``reviewer``'s processes (at most
    ``timeout`` seconds; without ``reviewer``: here).  Nothing is stored for
    a file that cannot be read, takes too long or too much memory to review,
    or whose issuer is outside the uploader's region scope.  The upload (or
    its refusal) is written to the audit log."""
    from fazhi.knowledge import KnowledgeError
    from fazhi.review.read import ReadError

    shown = display_name(name)
    if knowledge is None:
        with write() as s:
            knowledge = knowledge_store.active_set(s)
    try:
        if reviewer is None:
            doc, text = review_bytes(data, shown, max_bytes=max_bytes, knowledge=dict(knowledge.texts))
        else:
            doc, text = reviewer.run("fazhi.web.services:review_bytes", data, shown, timeout=timeout,
                                     max_bytes=max_bytes, knowledge=dict(knowledge.texts))
    except ReviewTimeout as exc:
        return _refuse(write, user_id, shown, 422,
                       f"审查超时：超过 {exc.seconds:g} 秒仍未完成，已停止（文件可能异常），未入库",
                       f"review timed out ({exc.seconds:g} s)")
    except ReviewFailed as exc:
        why = "所需内存超过上限" if "memory" in str(exc) else "审查进程意外结束"
        return _refuse(write, user_id, shown, 422, f"审查失败：{why}（文件可能异常），未入库", f"review failed: {exc}")
    except KnowledgeError as exc:  # an active version this fazhi cannot use: the administrator must act
        return _refuse(write, user_id, shown, 503,
                       f"规则与指标配置无法使用，未审查（请管理员在“规则与指标”页面检查启用的版本）：{exc}",
                       f"knowledge in effect cannot be used: {exc}")
    except ReadError as exc:
        return _refuse(write, user_id, shown, reason_status(exc.reason), reason_zh(exc.reason), exc.reason)
    except Exception as exc:  # a bug in a stage must not break the batch
        return _refuse(write, user_id, shown, 500, f"内部错误：{type(exc).__name__}",
                       f"internal error: {type(exc).__name__}: {exc}")
    iss = doc.get("issuer")
    if scope is not None and not scope.contains(iss):
        return _refuse(write, user_id, shown, 403,
                       f"报告主体 {issuer_label(iss)} 不在您的管辖范围（{scope.label}）内，未入库",
                       "issuer outside the uploader's region scope")
    sha = doc["source"]["sha256"]
    for attempt in (0, 1):
        try:
            with write.begin() as s:
                saved = service.save_review(s, doc, text, user=user_id)
                audit(s, user_id, "report.upload", "report", saved.id,
                      {"file": shown, "sha256": sha, "status": saved.status, "title": doc.get("title")})
            break
        except sa_exc.IntegrityError:  # the same file stored by a concurrent upload: it exists now
            if attempt:
                raise
    return UploadResult(shown, True, saved.status, 201 if saved.status == "created" else 200, id=saved.id,
                        review={**doc, "id": saved.id}, title=doc.get("title"), issuer=issuer_label(iss))


def _refuse(write: sessionmaker[Session], user_id: int | None, shown: str, code: int, error: str,
            reason: str) -> UploadResult:
    """A file not stored: the result saying why, written to the audit log (``report.upload_refused``)."""
    res = UploadResult(shown, False, "error", code, error=error, reason=reason)
    with write.begin() as s:
        audit(s, user_id, "report.upload_refused", "report", None,
              {"file": res.file, "code": res.code, "reason": res.reason})
    return res


def upload_status(results: list[UploadResult]) -> int:
    """The HTTP status of a whole upload: 200 when anything was stored, else the files' common status
    (400 when they differ)."""
    if any(r.ok for r in results):
        return 201 if any(r.code == 201 for r in results) else 200
    codes = {r.code for r in results}
    return codes.pop() if len(codes) == 1 else 400


# =========================================================================== reports
def list_reports(session: Session, flt: ReportFilter | None, scope: Scope | None, *, limit: int = 50,
                 offset: int = 0) -> tuple[int, list[Report]]:
    f = scoped(flt, scope)
    stmt = (f.apply(select(Report)).options(joinedload(Report.issuer), defer(Report.review), defer(Report.text))
            .order_by(Report.year, Report.issuer_id, Report.id).offset(offset).limit(limit))
    # as service.list_reports, without loading every review document and text
    return service.count_reports(session, f), list(session.scalars(stmt).unique())


_SUMMARY = (Report.id, Report.sha256, Report.title, Report.year, Report.date, Report.score_total,
            Report.issuer_name, Report.source_path, Report.format, Report.issuer_id, Issuer.name.label("i_name"),
            Issuer.level.label("i_level"), Issuer.code.label("i_code"),
            *(getattr(Issuer, k).label("i_" + k) for k in REGION_FIELDS))


def report_summaries(session: Session, flt: ReportFilter | None, scope: Scope | None, *, limit: int = 50,
                     offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """(how many reports match, one page of them as :func:`fazhi.corpus.service.report_summary` dicts),
    in one query: plain columns and the total as a window count (the API's list)."""
    f = scoped(flt, scope)
    stmt = (f.apply(select(*_SUMMARY, func.count().over().label("total")).select_from(Report))
            .order_by(Report.year, Report.issuer_id, Report.id).offset(offset).limit(limit))
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
        "issuer_name": r.issuer_name, "path": r.source_path, "format": r.format} for r in rows]


def get_report(session: Session, report_id: int, scope: Scope | None, *, children: bool = False) -> Report | None:
    """One report if it exists **and** is in the scope (else None: the caller answers 404)."""
    stmt = select(Report).where(Report.id == report_id).options(joinedload(Report.issuer))
    if scope is not None:
        stmt = stmt.where(scope.condition())
    if children:
        stmt = stmt.options(selectinload(Report.facts), selectinload(Report.quantities),
                            selectinload(Report.findings), selectinload(Report.parts))
    return session.scalars(stmt).unique().first()


#: what identifies one version of a stored review (a re-review changes ``updated_at``; a report deleted
#: and stored again has a new ``created_at``, even where SQLite gives it the old id)
STAMP = (Report.id, Report.sha256, Report.created_at, Report.updated_at)
_HEAD = (*STAMP, Report.title, Report.year, Report.date, Report.source_path, Report.format, Report.chars,
         Report.score_total, func.coalesce(Issuer.name, Report.issuer_name).label("issuer_name"),
         Issuer.level.label("level"), *(getattr(Issuer, k).label(k) for k in REGION_FIELDS))


def stamp(row: Any) -> tuple[Any, ...]:
    """The cache key of a stored review (a row with the :data:`STAMP` columns)."""
    return (row.id, row.sha256, str(row.created_at), str(row.updated_at))


def report_head(session: Session, report_id: int, scope: Scope | None) -> Any | None:
    """What a review page shows above the review — title, year, date, file, issuer and its region —
    plus the stamp, as one row (no review document, no text); None when not there or not in scope."""
    stmt = select(*_HEAD).outerjoin(Issuer, Report.issuer_id == Issuer.id).where(Report.id == report_id)
    if scope is not None:
        stmt = stmt.where(scope.condition())
    return session.execute(stmt).first()


def report_stamp(session: Session, report_id: int, scope: Scope | None) -> Any | None:
    """The stamp of a report in scope (one indexed lookup), None when not there or not in scope."""
    stmt = select(*STAMP).where(Report.id == report_id)
    if scope is not None:
        stmt = stmt.where(scope.condition())
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


def filter_from_query(params: dict[str, str | None]) -> ReportFilter:
    """A ReportFilter from query parameters (region, level, year, issuer, code, province…, id).

    Raises ValueError with the bad parameter named."""
    where = [f"{k}={v.strip()}" for k, v in params.items() if v is not None and str(v).strip()]
    return ReportFilter.parse(where)


# =========================================================================== compare and export
def in_effect(session: Session) -> knowledge_store.ActiveSet:
    """Put the database's knowledge versions in effect in this process (one small query; nothing more
    when they are already): indicator names and units on pages and in exports follow the catalogue
    in effect, even in a server process that has reviewed nothing since another one activated it."""
    return knowledge_store.apply(session)


def compare_table(session: Session, flt: ReportFilter | None, scope: Scope | None, *,
                  indicators: list[str] | None = None, core_only: bool = False) -> Any:
    from fazhi.corpus import compare

    in_effect(session)
    return compare.build(session, scoped(flt, scope), indicators=indicators, core_only=core_only)


EXPORT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "csv": "text/csv; charset=utf-8"}


def export_compare(session: Session, flt: ReportFilter | None, scope: Scope | None, fmt: str, *,
                   indicators: list[str] | None = None, core_only: bool = False, long: bool = False,
                   user_id: int | None = None, where: dict[str, Any] | None = None) -> tuple[bytes, str, int]:
    """The compare table as the CLI writes it (``fazhi compare --xlsx/--csv``): (bytes, file name, rows).

    Written in a temporary folder under a name made here, read back, removed.
    The export is audited (``compare.export``) when ``user_id`` is given or not."""
    from fazhi.corpus import compare, export

    if fmt not in EXPORT_TYPES:
        raise ValueError(f"unknown export format {fmt!r}")
    f = scoped(flt, scope)
    in_effect(session)
    table = compare.build(session, f, indicators=indicators, core_only=core_only)
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    fname = f"fazhi-compare-{stamp}.{fmt}"
    with tempfile.TemporaryDirectory(prefix="fazhi-export-") as tmp:
        path = Path(tmp) / f"export.{fmt}"
        if fmt == "xlsx":
            export.write_xlsx(table, path, findings=compare.findings_rows(session, f),
                              parts=compare.parts_rows(session, f))
        else:
            export.write_csv(table, path, long=long)
        data = path.read_bytes()
    audit(session, user_id, "compare.export", "compare", None,
          {"format": fmt, "rows": len(table.rows), "columns": len(table.columns), "where": where or {},
           "scope": scope.label if scope else None})
    return data, fname, len(table.rows)


# =========================================================================== dashboard
LEVEL_LABEL = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇", "street": "街道",
               "department": "部门"}


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
    return (str(session.get_bind().url), int(n or 0), max_id, str(upd))


_DASH: LRU[dict[str, Any]] = LRU(64, 1 << 30, entries_only)  # the last 64 dashboards


def dashboard_cached(session: Session, flt: ReportFilter | None, scope: Scope | None, *, key: tuple[Any, ...],
                     indicator: str | None = None) -> dict[str, Any]:
    """:func:`dashboard`, kept until the reports change (``key``: the filter as given, hashable)."""
    k = (data_version(session), in_effect(session).key, scope.key() if scope else "", key, indicator)
    return _DASH.get_or_make(k, lambda: dashboard(session, flt, scope, indicator=indicator))


def dashboard(session: Session, flt: ReportFilter | None, scope: Scope | None, *,
              indicator: str | None = None, top: int = 20) -> dict[str, Any]:
    """Everything the corpus dashboard shows, as plain data (charts are drawn in the browser)."""
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
    cat = catalogue()
    counts = dict(session.execute(select(Fact.indicator, func.count(func.distinct(Fact.report_id)))
                                  .where(Fact.report_id.in_(ids)).group_by(Fact.indicator)).all())
    indicators = [{"id": i.id, "name": i.name, "core": bool(i.core), "reports": int(counts.get(i.id, 0))}
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


# =========================================================================== similar reports
class SimilarUnavailable(RuntimeError):
    """Similarity cannot be computed here (the module is missing, too many reports, …); → 501."""


class SimilarBuilding(RuntimeError):
    """The similarity index is being built for the first time (in the background); → 503, retry later."""


def _sim() -> Any:
    try:
        from fazhi.corpus import similar as sim
    except Exception as exc:  # not there yet, or numpy missing
        raise SimilarUnavailable(f"相似度比对功能不可用：fazhi.corpus.similar 无法导入（{type(exc).__name__}: {exc}）") from None
    for name in ("CorpusIndex", "shared_passages"):
        if not hasattr(sim, name):
            raise SimilarUnavailable(f"相似度比对功能不可用：fazhi.corpus.similar 缺少 {name}")
    return sim


class SimilarIndex:
    """The app's view of the database's similarity index (:class:`fazhi.corpus.similar_store.StoreIndex`:
    persisted beside the database, shared with ``fazhi similar`` and the other server processes).

    A request takes the index as it is when nothing was stored since (one
    aggregate query tells); after a change it is brought up to date — in the
    request when that is a few reports, else in a background thread while
    requests go on with the index as it was.  Only when there is no index at
    all yet and the corpus is large does a request get :class:`SimilarBuilding`
    (503 with the progress).  The most similar pairs are computed once per
    version of the index.  A user's region scope filters the results, never
    the index."""

    def __init__(self, engine: Any, url: str, settings: Settings, *, inline_max: int = 2000) -> None:
        self.engine, self.url, self.settings, self.inline_max = engine, url, settings, inline_max
        self._store: Any = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.progress: tuple[int, int] = (0, 0)
        self.error: str | None = None
        self._pairs: tuple[Any, list[Any]] | None = None
        self._scopes: LRU[frozenset[str]] = LRU(16, 1 << 30, entries_only)  # reports in a scope

    def store(self) -> Any:
        if self._store is None:
            _sim()
            from fazhi.corpus.similar_store import StoreIndex

            self._store = StoreIndex(self.engine, self.url)
        return self._store

    def _background(self) -> None:
        def run() -> None:
            try:
                self.store().sync(progress=lambda done, total: setattr(self, "progress", (done, total)), workers=1)
                self.error = None
            except Exception as exc:  # reported to the next request
                log.exception("building the similarity index failed")
                self.error = f"{type(exc).__name__}: {exc}"
            finally:
                self._thread = None

        self._thread = threading.Thread(target=run, name="fazhi-similar-index", daemon=True)
        self._thread.start()

    def index(self) -> Any:
        """The index to answer from now (see the class documentation)."""
        store = self.store()
        with self._lock:
            loaded = store.loaded
            if self._thread is not None:  # a background sync is running
                if loaded is not None:
                    return loaded
                done, total = self.progress
                raise SimilarBuilding(f"相似度索引正在建立（已完成 {done} / {total} 份报告），请稍后刷新")
            if self.error is not None:
                err, self.error = self.error, None
                raise SimilarUnavailable(f"相似度索引建立失败：{err}")
            stamp = store.stamp()
            n = int(stamp[0])
            if n > self.settings.similar_max_reports:
                raise SimilarUnavailable(f"报告库共 {n} 份报告，超过网页端相似度比对的上限 "
                                         f"{self.settings.similar_max_reports} 份（FAZHI_SIMILAR_MAX_REPORTS）；"
                                         "请使用命令行 fazhi similar")
            if loaded is not None and store.synced_stamp == stamp:
                return loaded
            behind = abs(n - len(loaded)) if loaded is not None else store.missing()
            if behind <= self.inline_max:
                return store.sync(workers=1)
            self.progress = (0, behind)
            self._background()
            if loaded is not None:
                return loaded
            raise SimilarBuilding(f"相似度索引正在建立（共 {behind} 份报告待索引），请稍后刷新")

    def pairs(self, idx: Any) -> list[Any]:
        """The most similar pairs of the whole index (computed once per version of the index: a sync
        changes the index in place, so the version is the database stamp it was synced at)."""
        version = (id(idx), self.store().synced_stamp, len(idx))
        with self._lock:
            if self._pairs is not None and self._pairs[0] == version:
                return self._pairs[1]
        out = idx.pairs()
        with self._lock:
            self._pairs = (version, out)
        return out

    def shas_in(self, session: Session, scope: Scope | None) -> frozenset[str] | None:
        """The reports (sha256) in ``scope``; None: every report."""
        if scope is None:
            return None
        key = (scope.key(), self.store().synced_stamp)
        return self._scopes.get_or_make(
            key, lambda: frozenset(session.scalars(select(Report.sha256).where(scope.condition()))))


def _titles(session: Session, shas: Iterable[str]) -> dict[str, dict[str, Any]]:
    shas = list(dict.fromkeys(shas))
    if not shas:
        return {}
    rows = session.execute(select(Report.sha256, Report.id, Report.title, Report.year,
                                  func.coalesce(Issuer.name, Report.issuer_name))
                           .outerjoin(Issuer, Report.issuer_id == Issuer.id).where(Report.sha256.in_(shas)))
    return {sha: {"report_id": rid, "title": t, "year": y, "issuer": n or "（未识别）"} for sha, rid, t, y, n in rows}


def _interface_error(exc: Exception) -> SimilarUnavailable:
    return SimilarUnavailable(f"相似度比对功能不可用：fazhi.corpus.similar 接口不符（{exc}）")


def similar_reports(session: Session, report_id: int, scope: Scope | None, index: SimilarIndex, *,
                    k: int = 5) -> list[dict[str, Any]] | None:
    """The reports (in scope) closest to ``report_id``, with the passages they share; None: no such report."""
    _sim()
    row = report_stamp(session, report_id, scope)
    if row is None:
        return None
    idx = index.index()
    if row.sha256 not in idx:
        raise SimilarBuilding("这份报告尚未进入相似度索引，请稍后刷新")
    among = index.shas_in(session, scope)
    try:
        out = [m.to_json() for m in idx.similar(row.sha256, k=k, among=among)]
    except (AttributeError, TypeError, KeyError) as exc:
        raise _interface_error(exc) from None
    info = _titles(session, [m["id"] for m in out])
    found = []
    for m in out:
        if m["id"] not in info:  # deleted since the index was synced
            continue
        m["sha256"] = m["id"]
        m.update(info[m["sha256"]])
        m["id"] = m["report_id"]
        found.append(m)
    return found


def similar_pairs(session: Session, scope: Scope | None, index: SimilarIndex, *, limit: int = 10,
                  passages: int = 5) -> list[dict[str, Any]]:
    """The most similar pairs of reports in scope, the first ``passages`` with their shared passages."""
    sim = _sim()
    idx = index.index()
    among = index.shas_in(session, scope)
    try:
        pairs = [p for p in index.pairs(idx) if among is None or (p.a in among and p.b in among)]
        info = _titles(session, {x for p in pairs[:limit] for x in (p.a, p.b)})
        out = []
        for p in pairs:
            if len(out) >= limit:
                break
            if p.a not in info or p.b not in info:  # deleted since the index was synced
                continue
            d = p.to_json()
            if len(out) < passages:
                ta, tb = idx.text(p.a), idx.text(p.b)
                shared = sim.shared_passages(ta, tb, params=idx.params, is_common=idx.is_common) if ta and tb else []
                d["passages"] = [x.to_json() for x in sorted(shared, key=lambda x: -x.chars)[:5]]
            d.setdefault("passages", [])
            d["a_sha256"], d["b_sha256"] = p.a, p.b
            d["a_info"], d["b_info"] = info[p.a], info[p.b]
            d["a"], d["b"] = info[p.a]["report_id"], info[p.b]["report_id"]
            out.append(d)
    except (AttributeError, TypeError, KeyError) as exc:
        raise _interface_error(exc) from None
    return out


# =========================================================================== accounts
class AccountError(ValueError):
    """A user or token operation that cannot be done (message in Chinese)."""


_NAME = re.compile(r"^[^\s\x00-\x1f\x7f/\\<>\"'&]{1,64}$")


@dataclass
class UserRow:
    user: User
    cred: Credential | None
    tokens: int = 0
    scope: Scope | None = field(default=None)

    @property
    def active(self) -> bool:
        return bool(self.cred and self.cred.active)


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not _NAME.match(name):
        raise AccountError("用户名须为 1–64 个字符，不含空格、斜杠、引号、尖括号和 &")
    return name


def _check_role(role: str) -> str:
    if role not in roles.ROLES:
        raise AccountError(f"角色须为 {'、'.join(roles.ROLES)} 之一（管理员 admin、审核员 reviewer、查看 viewer）")
    return role


def _apply_scope(cred: Credential, region: str | None) -> None:
    if region is None or not region.strip():
        cred.region = cred.region_code = cred.province = cred.city = cred.county = cred.township = None
        return
    try:
        sc = roles.resolve_region(region)
    except roles.RegionError as exc:
        raise AccountError(str(exc)) from None
    cred.region, cred.region_code = sc.label, sc.code
    cred.province, cred.city, cred.county, cred.township = sc.province, sc.city, sc.county, sc.township


def create_user(session: Session, name: str, role: str, password: str | None, settings: Settings, *,
                region: str | None = None, actor_id: int | None = None) -> User:
    """A new account (or credentials for a user row the CLI made with ``--user``)."""
    from fazhi.web import auth

    name, role = _check_name(name), _check_role(role)
    if password is not None:
        try:
            auth.check_password_policy(password)
        except ValueError as exc:
            raise AccountError(str(exc)) from None
    user = session.scalar(select(User).where(User.name == name))
    if user is not None and session.get(Credential, user.id) is not None:
        raise AccountError(f"用户 {name} 已存在")
    if user is None:
        user = User(name=name, role=role, created_at=utcnow())
        session.add(user)
        session.flush()
    user.role = role
    cred = Credential(user_id=user.id, active=True, session_version=1, updated_at=utcnow(),
                      password_hash=auth.hash_password(password, settings) if password else None,
                      password_changed_at=utcnow() if password else None)
    _apply_scope(cred, region)
    session.add(cred)
    session.flush()
    audit(session, actor_id, "user.create", "user", user.id,
          {"name": name, "role": role, "region": cred.region})
    return user


def _active_admins(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User).join(Credential, Credential.user_id == User.id)
                              .where(User.role == "admin", Credential.active.is_(True))) or 0)


def update_user(session: Session, user_id: int, *, role: str | None = None, region: str | None = None,
                set_region: bool = False, active: bool | None = None, actor_id: int | None = None) -> User:
    """Change a user's role, region scope (``set_region``) or whether it may sign in.

    Any change ends the user's sessions.  The last active administrator cannot
    be demoted or disabled."""
    user = session.get(User, user_id)
    cred = session.get(Credential, user_id)
    if user is None or cred is None:
        raise AccountError("没有这个用户")
    before = {"role": user.role, "region": cred.region, "active": cred.active}
    was_admin = user.role == "admin" and cred.active
    if role is not None:
        user.role = _check_role(role)
    if set_region:
        _apply_scope(cred, region)
    if active is not None:
        cred.active = active
    if was_admin and (user.role != "admin" or not cred.active):
        session.flush()
        if _active_admins(session) == 0:
            raise AccountError("至少要保留一名启用的管理员")
    after = {"role": user.role, "region": cred.region, "active": cred.active}
    if after != before:
        cred.session_version += 1
        cred.updated_at = utcnow()
        audit(session, actor_id, "user.update", "user", user.id, {"name": user.name, "before": before, "after": after})
    session.flush()
    return user


def set_password(session: Session, user_id: int, password: str, settings: Settings, *,
                 actor_id: int | None = None) -> None:
    """Set a new password; the user's other sessions end."""
    from fazhi.web import auth

    cred = session.get(Credential, user_id)
    user = session.get(User, user_id)
    if cred is None or user is None:
        raise AccountError("没有这个用户")
    try:
        cred.password_hash = auth.hash_password(password, settings)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    cred.password_changed_at = cred.updated_at = utcnow()
    cred.session_version += 1
    audit(session, actor_id, "user.password", "user", user_id, {"name": user.name})
    session.flush()


def list_users(session: Session) -> list[UserRow]:
    tokens = dict(session.execute(select(ApiToken.user_id, func.count()).where(ApiToken.revoked_at.is_(None))
                                  .group_by(ApiToken.user_id)).all())
    out = []
    for user, cred in session.execute(select(User, Credential).outerjoin(Credential, Credential.user_id == User.id)
                                      .order_by(User.id)):
        out.append(UserRow(user, cred, int(tokens.get(user.id, 0)), Scope.of(cred)))
    return out


def get_user(session: Session, name_or_id: str | int) -> User | None:
    if isinstance(name_or_id, int):
        return session.get(User, name_or_id)
    return session.scalar(select(User).where(User.name == name_or_id))


def create_token(session: Session, user_id: int, name: str = "", *, expires_days: float | None = None,
                 actor_id: int | None = None) -> tuple[ApiToken, str]:
    """A new API token for the user: (row, the token — shown once, stored hashed)."""
    from fazhi.web import auth

    if session.get(Credential, user_id) is None:
        raise AccountError("没有这个用户（或该用户没有登录凭据）")
    label = _CONTROL.sub("", (name or "").strip())[:128] or "API"
    tok = auth.new_token()
    now = utcnow()
    row = ApiToken(user_id=user_id, name=label, token_hash=auth.token_hash(tok), prefix=tok[:10], created_at=now,
                   expires_at=now + dt.timedelta(days=expires_days) if expires_days else None)
    session.add(row)
    session.flush()
    audit(session, actor_id if actor_id is not None else user_id, "token.create", "api_token", row.id,
          {"user_id": user_id, "name": label, "prefix": row.prefix})
    return row, tok


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())))


def revoke_token(session: Session, token_id: int, *, user_id: int | None = None, actor_id: int | None = None) -> bool:
    """Revoke a token (of ``user_id`` when given); False when there is no such token."""
    row = session.get(ApiToken, token_id)
    if row is None or (user_id is not None and row.user_id != user_id) or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    audit(session, actor_id, "token.revoke", "api_token", row.id, {"user_id": row.user_id, "prefix": row.prefix})
    session.flush()
    return True


def has_users(session: Session) -> bool:
    return session.scalar(select(Credential.user_id).limit(1)) is not None


__all__ = [
    "AccountError",
    "SimilarBuilding",
    "SimilarIndex",
    "SimilarUnavailable",
    "UploadResult",
    "UserRow",
    "audit",
    "compare_table",
    "create_token",
    "create_user",
    "dashboard",
    "delete_report",
    "display_name",
    "export_compare",
    "filter_from_query",
    "get_report",
    "get_user",
    "has_users",
    "in_effect",
    "list_audit",
    "list_reports",
    "list_tokens",
    "list_users",
    "reason_status",
    "reason_zh",
    "report_body",
    "report_doc",
    "report_doc_bytes",
    "report_head",
    "report_stamp",
    "report_summaries",
    "review_bytes",
    "revoke_token",
    "set_password",
    "similar_pairs",
    "similar_reports",
    "stamp",
    "store_upload",
    "store_uploads",
    "update_user",
    "upload_status",
]
