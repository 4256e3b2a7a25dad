"""Evidence (佐证材料), stored once and linked to any number of tasks, progress reports and indicator nodes —
and the facts of stored annual reports proposed as evidence, so nothing the record holds is asked for again.

Files (:func:`add_file`) are checked on their content, as report uploads are: the format is sniffed from
the bytes (PDF, Word/Excel/PowerPoint .docx/.xlsx/.pptx, JPEG, PNG, plain text or CSV); executables,
archives, old or encrypted Office files, web pages, zip bombs (an OOXML package that inflates beyond the
limits) and renamed files (a name whose extension says another format than the content) are refused with
a Chinese reason; so is a file over the size limit.  A file whose bytes are stored already (same sha256)
is not stored again for the same unit: the stored evidence is returned and linked (another unit's copy of the
same file is its own evidence: a unit never sees another's).  A revision of a piece of evidence is a
new row with ``supersedes_id`` and the links of the one it replaces.  Evidence carries the period it covers
(``period_start``/``period_end``, not the upload date) and an expiry date.

Annual reports as evidence: :func:`propose_report_facts` takes a stored report whose issuer is a
registered unit (the same identity key) and, for each fact it holds (indicator, value, sentence), proposes
it — once — as evidence for that unit's tasks in campaigns of the report's year whose indicator node
names the indicator (the catalogue's name, or a signal phrase of four characters or more: "出庭应诉" for
行政机关负责人出庭应诉率), and for the indicator nodes of those campaigns' frameworks that measure it
(``IndicatorNode.indicators``).  A task is not proposed a fact only because its node measures it: the
tasks under one node are often about other things (学法 and 述法 under 领导干部学法).
The office accepts or rejects each proposal (:func:`decide`), which records who and when.  The corpus
never calls this module (``corpus/`` does not import ``supervision/``): ``fazhi ingest`` calls it after
storing, the web upload calls :func:`propose_report_facts` after storing a report, and the scheduled job
``report_facts`` calls :func:`propose_pending` for reports stored by any other way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fazhi.accounts.audit import audit
from fazhi.config import MAX_FILE_BYTES
from fazhi.db.base import utcnow
from fazhi.supervision.access import (
    OFFICE_ROLES,
    Actor,
    Forbidden,
    NotFound,
    can_see_unit,
    in_scope,
    need_office,
)
from fazhi.supervision.errors import InputError
from fazhi.supervision.models import Campaign, Evidence, EvidenceLink, IndicatorNode, Progress, Task, TaskUnit
from fazhi.units.models import Unit

MAX_BYTES = MAX_FILE_BYTES  # one limit for every file fazhi reads (fazhi.config)
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 10_000
MIN_PHRASE = 4  # a catalogue signal shorter than this ("学法", "常委会") names too many tasks
TARGETS = ("task", "progress", "node", "item_assessment", "finding", "rectification", "annual_report")
#: stored format → (Chinese name, extensions a file of that format may have)
FORMATS = {"pdf": ("PDF", (".pdf",)), "docx": ("Word", (".docx",)), "xlsx": ("Excel", (".xlsx",)),
           "pptx": ("PowerPoint", (".pptx",)), "jpeg": ("JPEG 图片", (".jpg", ".jpeg")),
           "png": ("PNG 图片", (".png",)), "txt": ("文本", (".txt", ".csv", ".md"))}
_EXTENSION = {ext: fmt for fmt, (_label, exts) in FORMATS.items() for ext in exts}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_REFUSED_MAGIC = (
    (b"\x7fELF", "可执行程序"), (b"\xcf\xfa\xed\xfe", "可执行程序"), (b"\xfe\xed\xfa\xce", "可执行程序"),
    (b"\xca\xfe\xba\xbe", "可执行程序"), (b"#!", "脚本程序"), (b"Rar!", "压缩包（RAR）"), (b"7z\xbc\xaf\x27\x1c", "压缩包（7z）"),
    (b"\x1f\x8b", "压缩包（gzip）"), (b"{\\rtf", "RTF 文档"), (b"GIF8", "GIF 动图"),
)
_MARKUP = re.compile(rb"^\s*(?:<!doctype html|<html|<script|<svg|<\?xml)", re.I)


# =========================================================================== sniffing
def _zip_format(data: bytes) -> str:
    """The OOXML format of a zip file, after the zip-bomb checks; InputError otherwise."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError("文件已损坏，无法打开") from None
    if len(infos) > MAX_MEMBERS:
        raise InputError(f"文件内含 {len(infos)} 个部件，超过上限 {MAX_MEMBERS}，可能是恶意构造的文件，已拒绝")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED:
        raise InputError(f"文件解压后有 {total / 1048576:.0f} MB（上限 {MAX_UNZIPPED / 1048576:.0f} MB），"
                         "可能是恶意构造的压缩文件，已拒绝")
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(f"文件中的“{info.filename}”压缩比异常，可能是恶意构造的压缩文件，已拒绝")
    names = {i.filename for i in infos}
    if "[Content_Types].xml" in names:
        for part, fmt in (("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"),
                          ("ppt/presentation.xml", "pptx")):
            if part in names:
                if any(n.lower().endswith(".bin") and "vbaproject" in n.lower() for n in names):
                    raise InputError("文件含有宏（VBA），已拒绝；请另存为不含宏的文件后上传")
                return fmt
    raise InputError("这是压缩包，不是可作为佐证的文件；请解压后上传其中的文件")


def _is_text(data: bytes) -> bool:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
        return controls <= len(text) // 200
    return False


def sniff(data: bytes) -> str:
    """The format of a file from its bytes (one of :data:`FORMATS`), or InputError with the reason."""
    if not data:
        raise InputError("文件是空的")
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_format(data)
    if head == _OLE:
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise InputError("文件设置了打开密码，请取消密码后上传")
        raise InputError("这是旧版 Office 文件（.doc/.xls/.ppt），请另存为 .docx/.xlsx/.pptx 或 PDF 后上传")
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"MZ") and b"PE\x00\x00" in data[:4096]:
        raise InputError("这是可执行程序，不能作为佐证材料上传")
    for magic, what in _REFUSED_MAGIC:
        if data.startswith(magic):
            raise InputError(f"这是{what}，不能作为佐证材料上传")
    if _MARKUP.match(data[:512]):
        raise InputError("这是网页或标记文件，请以网址（链接）作为佐证，或另存为 PDF 后上传")
    if _is_text(data):
        return "txt"
    raise InputError("无法识别的文件类型；佐证材料请用 PDF、Word（.docx）、Excel（.xlsx）、PowerPoint（.pptx）、"
                     "JPEG/PNG 图片或文本文件")


def check_file(data: bytes, filename: str, max_bytes: int = MAX_BYTES) -> str:
    """The format of an uploaded file, after every check (size, content, the extension matching it)."""
    if len(data) > max_bytes:
        raise InputError(f"{filename}：文件太大（{len(data) / 1048576:.1f} MB），上限是 {max_bytes / 1048576:.0f} MB")
    try:
        fmt = sniff(data)
    except InputError as exc:
        raise InputError(f"{filename}：{exc}") from None
    ext = PurePath(filename).suffix.lower()
    claimed = _EXTENSION.get(ext)
    if ext and claimed != fmt:
        label = FORMATS[fmt][0]
        raise InputError(f"{filename}：文件扩展名是 {ext}，内容却是 {label} 文件（可能被改过扩展名），请上传原文件")
    return fmt


# =========================================================================== views
@dataclass(frozen=True)
class EvidenceView:
    id: int
    kind: str
    title: str
    unit_id: int | None
    format: str | None
    filename: str | None
    size: int | None
    sha256: str | None
    url: str | None
    note: str | None
    report_id: int | None
    indicator: str | None
    value: float | None
    value_unit: str | None
    quote: str | None
    period_start: dt.date | None
    period_end: dt.date | None
    expires_on: dt.date | None
    supersedes_id: int | None
    created_at: dt.datetime | None

    def expired(self, on: dt.date) -> bool:
        return self.expires_on is not None and self.expires_on < on

    def to_json(self) -> dict[str, Any]:
        def iso(d: dt.date | None) -> str | None:
            return d.isoformat() if d else None

        return {"id": self.id, "kind": self.kind, "title": self.title, "unit_id": self.unit_id,
                "format": self.format, "filename": self.filename, "size": self.size, "sha256": self.sha256,
                "url": self.url, "note": self.note, "report_id": self.report_id, "indicator": self.indicator,
                "value": self.value, "value_unit": self.value_unit, "quote": self.quote,
                "period": [iso(self.period_start), iso(self.period_end)], "expires_on": iso(self.expires_on),
                "supersedes_id": self.supersedes_id,
                "created_at": self.created_at.isoformat() if self.created_at else None}


@dataclass(frozen=True)
class LinkView:
    """Evidence attached to an object, with the office's decision for proposals."""

    id: int
    evidence: EvidenceView
    target_type: str
    target_id: int
    target_title: str
    status: str
    reason: str | None
    decided_at: dt.datetime | None
    decided_by_id: int | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "evidence": self.evidence.to_json(), "target_type": self.target_type,
                "target_id": self.target_id, "target_title": self.target_title, "status": self.status,
                "reason": self.reason, "decided_at": self.decided_at.isoformat() if self.decided_at else None,
                "decided_by_id": self.decided_by_id}


def evidence_view(row: Evidence) -> EvidenceView:
    return EvidenceView(row.id, row.kind, row.title, row.unit_id, row.format, row.filename, row.size, row.sha256,
                        row.url, row.note, row.report_id, row.indicator, row.value, row.value_unit, row.quote,
                        row.period_start, row.period_end, row.expires_on, row.supersedes_id, row.created_at)


def _target_title(session: Session, target_type: str, target_id: int) -> str:
    if target_type == "task":
        task = session.get(Task, target_id)
        return task.title if task else ""
    if target_type == "node":
        node = session.get(IndicatorNode, target_id)
        return f"{node.ref_id or ''} {node.name}".strip() if node else ""
    return f"{target_type} {target_id}"


def _link_view(session: Session, link: EvidenceLink) -> LinkView:
    return LinkView(link.id, evidence_view(link.evidence), link.target_type, link.target_id,
                    _target_title(session, link.target_type, link.target_id), link.status, link.reason,
                    link.decided_at, link.decided_by_id)


# =========================================================================== storing and linking
def _unit_for(session: Session, actor: Actor, unit_id: int | None) -> int | None:
    """The unit evidence belongs to: a unit user's own; for the office, the one given (in its scope)."""
    if actor.unit_user:
        if unit_id not in (None, actor.unit_id):
            raise Forbidden("只能为本单位上传佐证材料")
        return actor.unit_id
    if not actor.office:
        raise Forbidden("上传佐证材料需要单位用户或督导办公室权限")
    if unit_id is not None:
        unit = session.get(Unit, unit_id)
        if unit is None or not can_see_unit(actor, unit):
            raise NotFound(f"没有编号为 {unit_id} 的单位")
    return unit_id


def _check_period(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and end < start:
        raise InputError(f"佐证材料的起止日期有误：{start.isoformat()} 晚于 {end.isoformat()}")


def _visible_evidence(session: Session, actor: Actor, evidence_id: int) -> Evidence:
    row = session.get(Evidence, evidence_id)
    if row is None or row.deleted_at is not None:
        raise NotFound(f"没有编号为 {evidence_id} 的佐证材料")
    if actor.unit_user:
        if row.unit_id != actor.unit_id:
            shared = session.scalar(select(EvidenceLink.id).join(Task, Task.id == EvidenceLink.target_id).where(
                EvidenceLink.evidence_id == row.id, EvidenceLink.target_type == "task",
                Task.lead_unit_id == actor.unit_id).limit(1))
            if shared is None:
                raise NotFound(f"没有编号为 {evidence_id} 的佐证材料")
        return row
    if actor.role not in (*OFFICE_ROLES, "viewer"):
        raise NotFound(f"没有编号为 {evidence_id} 的佐证材料")
    if actor.scope is None:
        return row
    # an office or a viewer with a region scope: the evidence of a unit in that region, or evidence linked to a
    # task of a campaign organised there
    owner = session.get(Unit, row.unit_id) if row.unit_id is not None else None
    if owner is not None and in_scope(actor, owner):
        return row
    organisers = session.scalars(select(Campaign.organiser_id).join(Task, Task.campaign_id == Campaign.id)
                                 .join(EvidenceLink, EvidenceLink.target_id == Task.id)
                                 .where(EvidenceLink.evidence_id == row.id, EvidenceLink.target_type == "task"))
    if any(in_scope(actor, session.get(Unit, o)) for o in set(organisers) if o is not None):
        return row
    raise NotFound(f"没有编号为 {evidence_id} 的佐证材料")


def add_file(session: Session, actor: Actor, data: bytes, filename: str, *, unit_id: int | None = None,
             title: str | None = None, period_start: dt.date | None = None, period_end: dt.date | None = None,
             expires_on: dt.date | None = None, supersedes_id: int | None = None,
             max_bytes: int = MAX_BYTES) -> tuple[EvidenceView, bool]:
    """Store a file as evidence, checked on its content: (the evidence, whether it was stored before —
    then nothing new is stored and the stored one is returned)."""
    owner = _unit_for(session, actor, unit_id)
    fmt = check_file(data, filename, max_bytes)
    _check_period(period_start, period_end)
    sha = hashlib.sha256(data).hexdigest()
    same = session.scalar(select(Evidence).where(
        Evidence.sha256 == sha, Evidence.kind == "file", Evidence.deleted_at.is_(None),
        Evidence.unit_id == owner if owner is not None else Evidence.unit_id.is_(None)).order_by(Evidence.id).limit(1))
    if same is not None:
        return evidence_view(same), True
    previous = _visible_evidence(session, actor, supersedes_id) if supersedes_id else None
    name = PurePath(filename.replace("\\", "/")).name[:200] or f"file.{fmt}"
    row = Evidence(kind="file", title=(title or "").strip() or PurePath(name).stem, unit_id=owner, sha256=sha,
                   size=len(data), format=fmt, filename=name, content=data, period_start=period_start,
                   period_end=period_end, expires_on=expires_on, supersedes_id=previous.id if previous else None,
                   created_by_id=actor.user_id)
    session.add(row)
    session.flush()
    if previous is not None:  # a revision is attached wherever the version it replaces was
        for link in previous.links:
            session.add(EvidenceLink(evidence_id=row.id, target_type=link.target_type, target_id=link.target_id,
                                     status=link.status, reason=link.reason, created_by_id=actor.user_id))
        session.flush()
    audit(session, actor.user_id, "evidence.add", "evidence", row.id,
          {"file": name, "sha256": sha, "format": fmt, "size": len(data), "supersedes": supersedes_id})
    return evidence_view(row), False


def add_record(session: Session, actor: Actor, *, title: str, url: str | None = None, note: str | None = None,
               unit_id: int | None = None, period_start: dt.date | None = None,
               period_end: dt.date | None = None) -> EvidenceView:
    """A link (网址) or a note as evidence, for what is better shown than uploaded."""
    owner = _unit_for(session, actor, unit_id)
    _check_period(period_start, period_end)
    if url is not None and not re.match(r"^https?://[^\s<>\"']+$", url.strip()):
        raise InputError(f"网址“{url}”应以 http:// 或 https:// 开头，且不含空格")
    if not (url or note):
        raise InputError("请填写网址或说明")
    row = Evidence(kind="url" if url else "note", title=title.strip() or (url or "说明")[:60], unit_id=owner,
                   url=url.strip() if url else None, note=note, period_start=period_start, period_end=period_end,
                   created_by_id=actor.user_id)
    session.add(row)
    session.flush()
    audit(session, actor.user_id, "evidence.add", "evidence", row.id, {"title": row.title, "url": row.url})
    return evidence_view(row)


def _check_target(session: Session, actor: Actor, target_type: str, target_id: int) -> None:
    if target_type not in TARGETS:
        raise InputError(f"佐证材料不能关联到“{target_type}”")
    if target_type == "task":
        from fazhi.supervision.tasks import task_for

        task_for(session, actor, target_id)
    elif target_type == "progress":
        from fazhi.supervision.tasks import task_for

        progress = session.get(Progress, target_id)
        if progress is None:
            raise NotFound(f"没有编号为 {target_id} 的进展")
        task_for(session, actor, progress.task_id)
    elif target_type == "node" and session.get(IndicatorNode, target_id) is None:
        raise NotFound(f"没有编号为 {target_id} 的指标")


def link(session: Session, actor: Actor, evidence_id: int, target_type: str, target_id: int, *,
         status: str = "accepted", reason: str | None = None) -> LinkView:
    """Attach evidence to an object (once: linking it again returns the existing link)."""
    row = _visible_evidence(session, actor, evidence_id)
    _check_target(session, actor, target_type, target_id)
    existing = session.scalar(select(EvidenceLink).where(
        EvidenceLink.evidence_id == row.id, EvidenceLink.target_type == target_type,
        EvidenceLink.target_id == target_id))
    if existing is not None:
        return _link_view(session, existing)
    new = EvidenceLink(evidence_id=row.id, target_type=target_type, target_id=target_id, status=status,
                       reason=reason, created_by_id=actor.user_id)
    session.add(new)
    session.flush()
    audit(session, actor.user_id, "evidence.link", "evidence", row.id,
          {"target_type": target_type, "target_id": target_id, "status": status})
    return _link_view(session, new)


def links_of(session: Session, actor: Actor, target_type: str, target_id: int, *,
             status: str | None = None) -> list[LinkView]:
    """The evidence attached to an object (current versions only: a replaced revision is left out)."""
    _check_target(session, actor, target_type, target_id)
    replaced = select(Evidence.supersedes_id).where(Evidence.supersedes_id.is_not(None),
                                                    Evidence.deleted_at.is_(None))
    stmt = (select(EvidenceLink).join(Evidence, Evidence.id == EvidenceLink.evidence_id)
            .where(EvidenceLink.target_type == target_type, EvidenceLink.target_id == target_id,
                   Evidence.deleted_at.is_(None), Evidence.id.not_in(replaced)).order_by(EvidenceLink.id))
    if status:
        stmt = stmt.where(EvidenceLink.status == status)
    return [_link_view(session, row) for row in session.scalars(stmt)]


def content(session: Session, actor: Actor, evidence_id: int) -> tuple[bytes, str, str]:
    """A stored file's bytes, display name and format (for a download served as an attachment)."""
    row = _visible_evidence(session, actor, evidence_id)
    if row.kind != "file" or row.content is None:
        raise NotFound("这条佐证材料不是文件")
    return row.content, row.filename or f"evidence-{row.id}.{row.format}", row.format or ""


def unit_evidence(session: Session, actor: Actor, unit_id: int) -> list[EvidenceView]:
    """A unit's evidence (its files, links, notes and report facts), newest first, to reuse it."""
    unit = session.get(Unit, unit_id)
    if unit is None or not can_see_unit(actor, unit):
        raise NotFound(f"没有编号为 {unit_id} 的单位")
    rows = session.scalars(select(Evidence).where(Evidence.unit_id == unit_id, Evidence.deleted_at.is_(None))
                           .order_by(Evidence.id.desc()))
    return [evidence_view(r) for r in rows]


# =========================================================================== annual reports as evidence
@dataclass(frozen=True)
class CatalogueIndicator:
    """An indicator of the review catalogue, with the phrases that name it in a task's text."""

    id: str
    name: str
    phrases: tuple[str, ...]  # the name and the signals of MIN_PHRASE+ characters

    def named_in(self, text: str) -> bool:
        return any(p in text for p in self.phrases)


def catalogue(session: Session) -> dict[str, CatalogueIndicator]:
    """The review catalogue's indicators the database uses (its active version), by id."""
    from fazhi.knowledge.versions import active_knowledge

    data = active_knowledge(session)["indicators"]
    out = {}
    for entry in data.get("indicators", []):
        phrases = (entry["name"], *(s for s in entry.get("signals", ()) if len(s) >= MIN_PHRASE))
        out[entry["id"]] = CatalogueIndicator(entry["id"], entry["name"], tuple(dict.fromkeys(phrases)))
    return out


def _fmt(value: float | None, unit: str | None) -> str:
    if value is None:
        return ""
    return f"{int(value) if float(value).is_integer() else value:g}{unit or ''}"


def _fact_evidence(session: Session, actor: Actor, report: Any, fact: Any, unit: Unit,
                   indicator: CatalogueIndicator | None) -> Evidence:
    """The evidence of one fact: found by the report, the indicator and the sentence's span (so a re-review,
    which replaces the fact rows, keeps the evidence, its links and the office's decisions), else created."""
    row = session.scalar(select(Evidence).where(
        Evidence.kind == "report_fact", Evidence.report_id == report.id, Evidence.indicator == fact.indicator,
        Evidence.start == fact.start, Evidence.end == fact.end).limit(1))
    if row is not None:
        row.fact_id = fact.id
        return row
    name = indicator.name if indicator else (fact.name or fact.indicator)
    year = report.year
    row = Evidence(kind="report_fact", title=f"{report.title or '年度报告'}：{name} {_fmt(fact.value, fact.unit)}",
                   unit_id=unit.id, report_id=report.id, fact_id=fact.id, indicator=fact.indicator,
                   value=fact.value, value_unit=fact.unit, start=fact.start, end=fact.end, quote=fact.text,
                   period_start=dt.date(year, 1, 1) if year else None,
                   period_end=dt.date(year, 12, 31) if year else None, created_by_id=actor.user_id)
    session.add(row)
    session.flush()
    return row


def _targets(session: Session, unit: Unit, year: int) -> tuple[list[Task], dict[int, IndicatorNode]]:
    """The unit's tasks (lead or co) in campaigns of ``year``, and the nodes of those campaigns' frameworks."""
    campaigns = list(session.scalars(select(Campaign).where(Campaign.year == year)))
    if not campaigns:
        return [], {}
    ids = [c.id for c in campaigns]
    tasks = list(session.scalars(select(Task).where(Task.campaign_id.in_(ids), or_(
        Task.lead_unit_id == unit.id, Task.id.in_(select(TaskUnit.task_id).where(TaskUnit.unit_id == unit.id))))
        .order_by(Task.id)))
    frameworks = {c.framework_id for c in campaigns if c.framework_id}
    nodes = {n.id: n for n in session.scalars(select(IndicatorNode).where(IndicatorNode.framework_id.in_(frameworks)))}
    return tasks, nodes


def propose_report_facts(session: Session, actor: Actor, report_id: int) -> list[LinkView]:
    """Propose the facts of a stored report as evidence for its unit's tasks and indicator nodes (see the
    module documentation); returns the proposals made now (none twice, a rejected one never again)."""
    from fazhi.corpus.models import Fact, Report
    from fazhi.units.service import unit_for_issuer

    report = session.get(Report, report_id)
    if report is None:
        raise NotFound(f"没有编号为 {report_id} 的报告")
    unit = unit_for_issuer(session, report.issuer_id)
    if unit is None or report.year is None:
        return []
    tasks, nodes = _targets(session, unit, report.year)
    if not tasks and not nodes:
        return []
    indicators = catalogue(session)
    made: list[EvidenceLink] = []
    existing = {(link.evidence_id, link.target_type, link.target_id) for link in session.scalars(
        select(EvidenceLink).join(Evidence, Evidence.id == EvidenceLink.evidence_id)
        .where(Evidence.report_id == report.id))}
    for fact in session.scalars(select(Fact).where(Fact.report_id == report.id).order_by(Fact.id)):
        indicator = indicators.get(fact.indicator)
        measured = {nid for nid, n in nodes.items() if fact.indicator in (n.indicators or ())}
        matches: list[tuple[str, int, str]] = [("node", nid, nodes[nid].name) for nid in sorted(measured)]
        for task in tasks:
            text = " ".join(x for x in (task.title, task.target) if x)
            if indicator is not None and indicator.named_in(text):
                matches.append(("task", task.id, task.title))
        if not matches:
            continue
        evidence = _fact_evidence(session, actor, report, fact, unit, indicator)
        name = indicator.name if indicator else fact.indicator
        for target_type, target_id, title in matches:
            if (evidence.id, target_type, target_id) in existing:
                continue
            row = EvidenceLink(evidence_id=evidence.id, target_type=target_type, target_id=target_id,
                               status="proposed", created_by_id=actor.user_id,
                               reason=f"{report.year}年度报告所述“{fact.text}”（{name} {_fmt(fact.value, fact.unit)}）"
                                      f"可作为“{title}”的佐证")
            session.add(row)
            existing.add((evidence.id, target_type, target_id))
            made.append(row)
    session.flush()
    if made:
        audit(session, actor.user_id, "evidence.propose", "report", report.id,
              {"unit": unit.name, "year": report.year, "proposals": len(made)})
    return [_link_view(session, row) for row in made]


def propose_pending(session: Session, actor: Actor, *, report_ids: Iterable[int] | None = None) -> int:
    """Proposals for the given stored reports, or for every report of a registered unit (the scheduled
    job); returns how many were made."""
    from fazhi.corpus.models import Report
    from fazhi.units.models import Issuer

    if report_ids is None:
        report_ids = session.scalars(select(Report.id).join(Issuer, Issuer.id == Report.issuer_id)
                                     .where(Issuer.key.in_(select(Unit.key).where(Unit.key.is_not(None))))
                                     .order_by(Report.id))
    return sum(len(propose_report_facts(session, actor, rid)) for rid in list(report_ids))


def proposals(session: Session, actor: Actor, *, campaign_id: int | None = None, unit_id: int | None = None,
              status: str = "proposed") -> list[LinkView]:
    """Report facts proposed (or decided, by ``status``) as evidence, for the office's decision."""
    stmt = (select(EvidenceLink).join(Evidence, Evidence.id == EvidenceLink.evidence_id)
            .where(Evidence.kind == "report_fact", EvidenceLink.status == status).order_by(EvidenceLink.id))
    if unit_id is not None:
        stmt = stmt.where(Evidence.unit_id == unit_id)
    if actor.unit_user:
        stmt = stmt.where(Evidence.unit_id == actor.unit_id)
    if campaign_id is not None:
        stmt = stmt.where(EvidenceLink.target_type == "task",
                          EvidenceLink.target_id.in_(select(Task.id).where(Task.campaign_id == campaign_id)))
    out = []
    for row in session.scalars(stmt):
        unit = session.get(Unit, row.evidence.unit_id) if row.evidence.unit_id else None
        if unit is not None and can_see_unit(actor, unit):
            out.append(_link_view(session, row))
    return out


def decide(session: Session, actor: Actor, link_id: int, *, accept: bool, reason: str | None = None) -> LinkView:
    """The office accepts or rejects a proposed piece of evidence; who and when are recorded."""
    row = session.get(EvidenceLink, link_id)
    if row is None:
        raise NotFound(f"没有编号为 {link_id} 的佐证关联")
    unit = session.get(Unit, row.evidence.unit_id) if row.evidence.unit_id else None
    organiser = None
    if row.target_type == "task":
        task = session.get(Task, row.target_id)
        campaign = session.get(Campaign, task.campaign_id) if task else None
        organiser = session.get(Unit, campaign.organiser_id) if campaign and campaign.organiser_id else None
    need_office(actor, organiser or unit, "审核佐证材料")
    if not accept and not (reason or "").strip():
        reason = "不采用"
    before = row.status
    row.status = "accepted" if accept else "rejected"
    row.reason = (reason or "").strip() or row.reason
    row.decided_at, row.decided_by_id = utcnow(), actor.user_id
    session.flush()
    audit(session, actor.user_id, "evidence.accept" if accept else "evidence.reject", "evidence", row.evidence_id,
          {"link_id": row.id, "target_type": row.target_type, "target_id": row.target_id, "before": before,
           "reason": row.reason if not accept else None})
    return _link_view(session, row)


__all__ = ["FORMATS", "MAX_BYTES", "TARGETS", "CatalogueIndicator", "EvidenceView", "LinkView", "add_file",
           "add_record", "catalogue", "check_file", "content", "decide", "evidence_view", "link", "links_of",
           "proposals", "propose_pending", "propose_report_facts", "sniff", "unit_evidence"]
