"""The documents of a 督察 in the record: 督察意见书 and 整改通知书 (the office to a unit) and the unit's
整改情况报告, each a 公文-layout Word file (:class:`fazhi.documents.gongwen.GongwenDocument`) stored as
evidence (:class:`models.Evidence`, ``kind="file"``) and linked to the findings it is about, so the
record of a finding holds what was sent and answered.  The wording is data (``documents`` in
``data/inspection.yaml``).

- 督察意见书 (``opinion``): the inspection, the problems found, the demands (a 整改方案 within N days);
- 整改通知书 (``notice``): the problems with their measures, responsible persons and deadlines, and the
  escalation that follows a missed deadline;
- 整改情况报告 (``report``): the unit's own account (its text) with the table of its items and their
  state; written by the unit, or by its office on the unit's behalf.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.accounts.audit import audit
from fazhi.documents.gongwen import GongwenDocument, chinese_date
from fazhi.supervision import inspections as I
from fazhi.supervision import models as m
from fazhi.supervision.access import Actor, Forbidden, NotFound, can_see_unit, need_office
from fazhi.units.models import Unit

KINDS = ("opinion", "notice", "report")


@dataclass(frozen=True)
class Document:
    """A document stored in the record: its evidence id, title, file name and bytes."""

    evidence_id: int
    title: str
    filename: str
    data: bytes
    finding_ids: list[int]


class _Fields(dict[str, str]):
    """Placeholders of the wording; an unknown one stays as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _period(case: m.InspectionCase | None) -> str:
    if case is None or case.started_on is None:
        return "近期"
    if case.ended_on is None or case.ended_on == case.started_on:
        return chinese_date(case.started_on)
    return f"{chinese_date(case.started_on)}至{chinese_date(case.ended_on)}"


def _findings(session: Session, finding_ids: Sequence[int]) -> tuple[list[m.InspectionFinding], Unit]:
    if not finding_ids:
        raise I.InspectionError("请指定督察问题")
    found = []
    for fid in finding_ids:
        f = session.get(m.InspectionFinding, fid)
        if f is None:
            raise NotFound(f"没有编号为 {fid} 的督察问题")
        found.append(f)
    if len({f.unit_id for f in found}) > 1:
        raise I.InspectionError("一份文书只能发给一个单位：所选问题属于不同单位")
    unit = session.get(Unit, found[0].unit_id)
    assert unit is not None
    return found, unit


def case_findings(session: Session, case_id: int, unit_id: int) -> list[int]:
    """The ids of a case's findings for one unit (what its documents are about)."""
    return list(session.scalars(select(m.InspectionFinding.id).where(
        m.InspectionFinding.case_id == case_id, m.InspectionFinding.unit_id == unit_id).order_by(m.InspectionFinding.id)))


def issue_document(session: Session, actor: Actor, *, kind: str, finding_ids: Sequence[int], on: dt.date,
                   office: str | None = None, text: str | None = None) -> Document:
    """Write a document about some findings of one unit and keep it in the record, linked to them.

    ``office`` is the issuing office (default: the organiser of the findings' campaign); ``text`` is
    the unit's own account in a 整改情况报告."""
    if kind not in KINDS:
        raise I.InspectionError(f"文书种类应为 {'、'.join(KINDS)} 之一")
    findings, unit = _findings(session, finding_ids)
    if kind == "report":
        if not (actor.unit_user and actor.unit_id == unit.id) and not actor.office:
            raise Forbidden(f"整改情况报告只能由{unit.name}或督导办公室报送")
        if not (text or "").strip():
            raise I.InspectionError("请写明整改情况")
    else:
        need_office(actor, unit, "印发督察文书")
    case = session.get(m.InspectionCase, findings[0].case_id) if findings[0].case_id else None
    office = office or _office(session, findings)
    fields = _Fields(office=office, unit=unit.name, case=case.title if case else "督察",
                     kind=I.kind_label(case.kind) if case else "督察", period=_period(case))
    wording = I.words()["documents"][kind]
    build = {"opinion": _opinion, "notice": _notice, "report": _report}[kind]
    doc = build(wording, fields, findings, unit, office, on, text or "")
    data = doc.to_bytes()
    title = doc.title if kind != "report" else f"{unit.name}{doc.title}"
    filename = f"{title}（{unit.name}，{on.isoformat()}）.docx" if kind != "report" else f"{title}.docx"
    ev = m.Evidence(kind="file", title=title, unit_id=unit.id, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                    format="docx", filename=filename, content=data, period_start=on, created_by_id=actor.user_id)
    session.add(ev)
    session.flush()
    for f in findings:
        session.add(m.EvidenceLink(evidence_id=ev.id, target_type="finding", target_id=f.id, status="accepted",
                                   reason=wording["title"].format_map(fields), created_by_id=actor.user_id))
    if kind == "opinion" and case is not None and case.status == "open":
        case.status = "reported"
    session.flush()
    audit(session, actor.user_id, f"inspection.document.{kind}", "evidence", ev.id,
          {"unit": unit.name, "title": title, "findings": [f.id for f in findings]})
    return Document(ev.id, title, filename, data, [f.id for f in findings])


def _office(session: Session, findings: Sequence[m.InspectionFinding]) -> str:
    campaign = session.get(m.Campaign, findings[0].campaign_id) if findings[0].campaign_id else None
    if campaign is None:
        raise I.InspectionError("请写明发文单位（这些问题不属于任何任务，无法确定组织单位）")
    return campaign.organiser_name


def _opinion(w: Mapping[str, Any], fields: _Fields, findings: Sequence[m.InspectionFinding], unit: Unit,
             office: str, on: dt.date, _text: str) -> GongwenDocument:
    doc = GongwenDocument(w["title"].format_map(fields))
    doc.addressee(unit.name)
    doc.paragraph(w["intro"].format_map(fields))
    doc.heading(w["findings_heading"], 1)
    for n, f in enumerate(findings, 1):
        doc.paragraph(f"{n}. {f.text}" + (f"（{f.quote}）" if f.quote else ""))
    doc.heading(w["demands_heading"], 1)
    doc.paragraph(w["demands"].format_map(_Fields(fields, days=str(w["days"]))))
    doc.signature(office, on)
    return doc


def _items(findings: Sequence[m.InspectionFinding], with_state: bool) -> list[list[str]]:
    rows: list[list[str]] = []
    for f in findings:
        items: Sequence[m.Rectification | None] = f.items or [None]
        for r in items:
            row = [str(len(rows) + 1), f.text, r.measure if r else "（待制定）", (r.person or "") if r else "",
                   chinese_date(r.deadline) if r and r.deadline else ""]
            if with_state:
                row.append(I.status_label(r.status) if r else "待制定整改措施")
            rows.append(row)
    return rows


def _notice(w: Mapping[str, Any], fields: _Fields, findings: Sequence[m.InspectionFinding], unit: Unit,
            office: str, on: dt.date, _text: str) -> GongwenDocument:
    doc = GongwenDocument(w["title"].format_map(fields))
    doc.addressee(unit.name)
    doc.paragraph(w["intro"].format_map(fields))
    doc.table(w["table"], _items(findings, with_state=False), widths=[1, 5, 5, 2, 3])
    doc.signature(office, on)
    return doc


def _report(w: Mapping[str, Any], fields: _Fields, findings: Sequence[m.InspectionFinding], unit: Unit,
            office: str, on: dt.date, text: str) -> GongwenDocument:
    doc = GongwenDocument(w["title"].format_map(fields))
    doc.addressee(office)
    doc.paragraph(w["intro"].format_map(fields))
    for para in (p.strip() for p in text.splitlines()):
        if para:
            doc.paragraph(para)
    doc.table(w["table"], _items(findings, with_state=True), widths=[1, 4, 4, 2, 3, 2])
    doc.signature(unit.name, on)
    return doc


def document_file(session: Session, actor: Actor, evidence_id: int) -> tuple[str, bytes]:
    """A stored document's file name and bytes (whoever may see its unit)."""
    ev = session.get(m.Evidence, evidence_id)
    if ev is None or ev.content is None or ev.deleted_at is not None:
        raise NotFound(f"没有编号为 {evidence_id} 的文书")
    unit = session.get(Unit, ev.unit_id) if ev.unit_id else None
    if unit is None or not can_see_unit(actor, unit):
        raise NotFound(f"没有编号为 {evidence_id} 的文书")
    return ev.filename or f"{ev.title}.docx", ev.content


__all__ = ["KINDS", "Document", "case_findings", "document_file", "issue_document"]
