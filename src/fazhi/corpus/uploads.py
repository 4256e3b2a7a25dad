"""Uploads: read a file by its content, review it in a review process, check the scope, store it (with the
file as received) in one transaction, audit — the service behind the web upload and ``POST /api/reports``.

A client-supplied file name is only ever a display name: :func:`display_name` keeps its last
component, without control characters, and nothing here opens or writes a file by a name that came
from a client."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from fazhi.accounts.audit import audit
from fazhi.accounts.roles import Scope
from fazhi.clean import CONTROL
from fazhi.corpus import service
from fazhi.corpus.service import REGION_FIELDS
from fazhi.knowledge import versions as knowledge_store
from fazhi.review.pool import ReviewFailed, ReviewPool, ReviewTimeout
from fazhi.review.screen import not_a_report

log = logging.getLogger("fazhi.web")






def display_name(name: str | None) -> str:
    """A client's file name made safe to keep and show: its last path component, without control or
    bidi characters, at most 200 characters (``../../etc/passwd.txt`` → ``passwd.txt``)."""
    s = CONTROL.sub("", str(name or ""))
    s = s.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".") or ""
    if len(s) > 200:
        stem, dot, ext = s.rpartition(".")
        s = (stem[:190] + dot + ext[:9]) if dot and len(ext) <= 9 else s[:200]
    return s or "未命名"


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

    ``knowledge``: the YAML texts to review with (a database's active set; ``None``/``{}``: the files).
    The same texts give the same :class:`~fazhi.knowledge.Knowledge`, compiled once per process."""
    from fazhi import knowledge as kn
    from fazhi.review import read
    from fazhi.review.model import Source
    from fazhi.review.pipeline import Reviewer

    doc = read.read_bytes(data, name, max_bytes=max_bytes)
    source = Source(path=name, sha256=doc.sha256, format=doc.format, encoding=doc.encoding, size=doc.size)
    return Reviewer(kn.from_texts(knowledge)).review_source(doc.text, source).stored()


def issuer_label(issuer: dict[str, Any] | None) -> str:
    if not issuer:
        return "（未识别）"
    path = "".join(issuer.get(k) or "" for k in REGION_FIELDS)
    name = issuer.get("name") or path or "（未识别）"
    return name if not path or path == name else f"{name}〔{path}〕"


def store_uploads(Session: sessionmaker[Session], write: sessionmaker[Session], files: list[tuple[str, bytes]], *,
                  user_id: int | None, scope: Scope | None, max_bytes: int, reviewer: ReviewPool | None = None,
                  timeout: float = 60.0, force: bool = False) -> list[UploadResult]:
    """:func:`store_upload` for each file of one upload; the database's active knowledge versions are
    looked up once for the batch (one small query)."""
    with Session() as s:
        active = knowledge_store.active_set(s)
    return [store_upload(write, name, data, user_id=user_id, scope=scope, max_bytes=max_bytes, knowledge=active,
                         reviewer=reviewer, timeout=timeout, force=force)
            for name, data in files]


def store_upload(write: sessionmaker[Session], name: str | None, data: bytes, *, user_id: int | None,
                 scope: Scope | None, max_bytes: int,
                 knowledge: knowledge_store.ActiveSet | None = None, reviewer: ReviewPool | None = None,
                 timeout: float = 60.0, force: bool = False) -> UploadResult:
    """Review one uploaded file and store it (one transaction), or say why not.

    The review uses the database's active knowledge versions (``knowledge``,
    else looked up now) and runs in one of ``reviewer``'s processes (at most
    ``timeout`` seconds; without ``reviewer``: here).  Nothing is stored for
    a file that cannot be read, takes too long or too much memory to review,
    or whose issuer is outside the uploader's region scope, nor for a text
    that is not an annual report at all (:func:`fazhi.review.screen.not_a_report`:
    "hello world", a notice, a news item) unless ``force``.  The upload (or
    its refusal) is written to the audit log."""
    from fazhi.knowledge import KnowledgeError
    from fazhi.review.read import ReadError, too_large_reason

    shown = display_name(name)
    if len(data) > max_bytes:  # refused here: an oversized file is never pickled and sent to a review process
        # the web reads an upload only to the limit and one byte: its size beyond is not known
        too_large = ReadError(shown, too_large_reason(None, max_bytes), "too_large")
        return _refuse(write, user_id, shown, too_large.http_status, _read_message(too_large, max_bytes),
                       too_large.reason, read_error=too_large.code)
    if knowledge is None:
        with write() as s:
            knowledge = knowledge_store.active_set(s)
    try:
        if reviewer is None:
            doc, text = review_bytes(data, shown, max_bytes=max_bytes, knowledge=dict(knowledge.texts))
        else:
            doc, text = reviewer.run("fazhi.corpus.uploads:review_bytes", data, shown, timeout=timeout,
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
        return _refuse(write, user_id, shown, exc.http_status, _read_message(exc, max_bytes), exc.reason,
                       read_error=exc.code)
    except Exception as exc:  # a bug in a stage must not break the batch
        return _refuse(write, user_id, shown, 500, "审查时发生内部错误，未入库（已记入审计日志，请告知管理员）",
                       f"internal error: {type(exc).__name__}: {exc}")
    unlike = None if force else not_a_report(doc, text)
    if unlike:
        return _refuse(write, user_id, shown, 422,
                       f"这份文件不像法治政府建设年度报告：{unlike}；未入库（确是年度报告的，勾选“仍然入库”后重新上传）",
                       "not an annual report", read_error="not_a_report")
    iss = doc.get("issuer")
    if scope is not None and not scope.contains(iss):
        return _refuse(write, user_id, shown, 403,
                       f"报告主体 {issuer_label(iss)} 不在您的管辖范围（{scope.label}）内，未入库",
                       "issuer outside the uploader's region scope")
    sha = doc["source"]["sha256"]
    for attempt in (0, 1):
        try:
            with write.begin() as s:
                saved = service.save_review(s, doc, text, user=user_id, original=service.Original(shown, data))
                audit(s, user_id, "report.upload", "report", saved.id,
                      {"file": shown, "sha256": sha, "status": saved.status, "title": doc.get("title")})
            break
        except sa_exc.IntegrityError:  # the same file stored by a concurrent upload: it exists now
            if attempt:
                raise
    return UploadResult(shown, True, saved.status, 201 if saved.status == "created" else 200, id=saved.id,
                        review={**doc, "id": saved.id}, title=doc.get("title"), issuer=issuer_label(iss))


def _read_message(exc: Any, max_bytes: int) -> str:
    """What a user reads of a :class:`~fazhi.review.read.ReadError`: Chinese only (the English reason stays in
    the result's ``reason`` and the audit log, for scripts and administrators)."""
    from fazhi.review.read import READ_ERRORS

    text = READ_ERRORS[exc.code][1]
    if exc.code == "too_large":
        text += f"（单个文件上限 {max_bytes / 1048576:.1f} MB）".replace(".0 MB", " MB")
    elif exc.code in _WRONG_KIND:
        text += "；请上传 .txt、.docx、.pdf（含文字层）、.html 或 .md 格式的报告"
    return text + "，未入库"


#: refusals whose advice is the formats fazhi reads
_WRONG_KIND = {"unsupported", "program", "archive", "image", "binary", "spreadsheet", "presentation", "mismatch"}


def _refuse(write: sessionmaker[Session], user_id: int | None, shown: str, code: int, error: str,
            reason: str, *, read_error: str | None = None) -> UploadResult:
    """A file not stored: the result saying why, written to the audit log (``report.upload_refused``; a file
    that could not be read is recorded by its :class:`~fazhi.review.read.ReadError` code, the English
    reason beside it)."""
    res = UploadResult(shown, False, "error", code, error=error, reason=reason)
    detail: dict[str, Any] = {"file": res.file, "code": res.code, "reason": read_error or res.reason}
    if read_error:
        detail["message"] = reason
    with write.begin() as s:
        audit(s, user_id, "report.upload_refused", "report", None, detail)
    return res


def upload_status(results: list[UploadResult]) -> int:
    """The HTTP status of a whole upload: 200 when anything was stored, else the files' common status
    (400 when they differ)."""
    if any(r.ok for r in results):
        return 201 if any(r.code == 201 for r in results) else 200
    codes = {r.code for r in results}
    return codes.pop() if len(codes) == 1 else 400
