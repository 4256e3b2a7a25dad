"""The annual report's workflow, on the unit's side and on the office's.

Unit side (a unit's members; the state is ``Draft.stage``, mirrored in ``AnnualReport.status`` until the
report is submitted)::

    起草 drafting ▶ 初稿 first_draft ▶ 讨论稿 discussion (colleagues comment) ▶ 主要负责人审核 leader_review
      ▶ confirmed (the leader confirms) ▶ 报送 (to the office, copies to others) ▶ 公开 (URL and date)

A draft is submitted once its leader confirmed it and it has no 【待补充】 left; a file (written outside
fazhi) is submitted by the unit's leader.  Either way the text is reviewed under the database's knowledge
and stored as a corpus report (:func:`fazhi.corpus.service.save_review`), one :class:`ReportVersion` per
submission.

Office side, per campaign: the units that must report (:func:`reporting_units`) and their deadline
(:func:`report_due`: departments by 3月1日, governments by 4月1日 of the next year unless the campaign's
settings say otherwise), the status of each as of any date (:func:`report_status`: not_received, received,
late, returned, accepted, published), 通过 or 退回修改 with the 审查意见书 (:func:`decide_report`,
:func:`opinion`), a resubmission shown as a diff against the previous version (:func:`version_diff`), and
the publication check (:func:`publication_check`: published by the deadline? is the published copy the
submitted text?).

Every change writes an audit row; nothing commits (the caller owns the transaction).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fazhi import config
from fazhi.accounts.audit import audit
from fazhi.config import CHINA
from fazhi.corpus.models import Report
from fazhi.db.base import utcnow
from fazhi.supervision.access import Actor, NotFound, in_scope, need_member, need_office
from fazhi.supervision.campaigns import is_department, publish_by, report_due
from fazhi.supervision.drafting import (
    GAP,
    DraftView,
    annual_report_for,
    campaign_unit,
    draft_document,
    draft_for,
    draft_view,
)
from fazhi.supervision.models import AnnualReport, Campaign, Comment, Draft, ReportVersion, Task, TaskUnit
from fazhi.units.models import Unit
from fazhi.units.service import descendants

#: the unit side's stages before submission, in order, with their Chinese labels
STAGES = {"drafting": "起草", "first_draft": "初稿", "discussion": "讨论稿", "leader_review": "主要负责人审核",
          "confirmed": "主要负责人已确认", "submitted": "已报送"}
#: the office board's statuses (``fazhi report status``)
STATUSES = {"not_received": "未报送", "received": "已报送", "late": "逾期报送", "returned": "退回修改",
            "accepted": "审查通过", "published": "已公开"}
_BEFORE_SUBMISSION = ("drafting", "first_draft", "discussion", "leader_review")
_COMMENTABLE = ("first_draft", "discussion", "leader_review")
MAX_COMMENT = 2000


class ReportError(ValueError):
    """The report cannot be changed as asked (message in Chinese)."""


today = config.today  # today in China (the one definition: fazhi.config.today)


def china_time(ts: dt.datetime) -> dt.datetime:
    """A stored timestamp in China Standard Time (naive ones are UTC, as SQLite returns them)."""
    return (ts.replace(tzinfo=dt.UTC) if ts.tzinfo is None else ts).astimezone(CHINA)


def _china(ts: dt.datetime | None) -> dt.datetime | None:
    return china_time(ts) if ts is not None else None


def _utc(at: dt.datetime | None) -> dt.datetime:
    """``at`` (now by default) in UTC, as timestamps are stored."""
    return utcnow() if at is None else (at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC))


def china_day(ts: dt.datetime) -> dt.date:
    """The date (China Standard Time) of a stored timestamp."""
    return china_time(ts).date()


def at_day(day: dt.date) -> dt.datetime:
    """A time on ``day`` in China (noon), for a receipt recorded by its date."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=CHINA)


# =========================================================================== deadlines and units
def reporting_units(session: Session, campaign: Campaign) -> list[Unit]:
    """The units that must report in ``campaign``: ``settings["report_units"]`` (unit ids) when set, else
    every current unit registered below the organiser, every unit with a task in the campaign, and every
    unit that started a report in it."""
    explicit = (campaign.settings or {}).get("report_units")
    if explicit:
        rows = session.scalars(select(Unit).where(Unit.id.in_([int(i) for i in explicit])))
        return sorted(rows, key=lambda u: (u.name, u.id))
    found: dict[int, Unit] = {}
    organiser = session.get(Unit, campaign.organiser_id) if campaign.organiser_id else None
    if organiser is not None:
        found.update((u.id, u) for u in descendants(session, organiser)[1:] if u.valid_to is None)
    task_units = select(Task.lead_unit_id).where(Task.campaign_id == campaign.id)
    co_units = select(TaskUnit.unit_id).join(Task, Task.id == TaskUnit.task_id).where(Task.campaign_id == campaign.id)
    started = select(AnnualReport.unit_id).where(AnnualReport.campaign_id == campaign.id)
    found.update((u.id, u) for u in session.scalars(select(Unit).where(
        or_(Unit.id.in_(task_units), Unit.id.in_(co_units), Unit.id.in_(started)))))
    found.pop(campaign.organiser_id or -1, None)
    return sorted(found.values(), key=lambda u: (u.name, u.id))


# =========================================================================== views
@dataclass(frozen=True)
class VersionView:
    number: int
    kind: str  # submission | published
    report_id: int
    title: str | None
    score: float | None
    submitted_at: dt.datetime
    decision: str | None  # accepted | returned
    decided_at: dt.datetime | None
    decision_note: str | None
    note: str | None

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "kind": self.kind, "report_id": self.report_id, "title": self.title,
                "score": self.score, "submitted_at": self.submitted_at.isoformat(), "decision": self.decision,
                "decided_at": self.decided_at.isoformat() if self.decided_at else None,
                "decision_note": self.decision_note, "note": self.note}


@dataclass(frozen=True)
class ReportView:
    """A unit's annual report in a campaign: its state, versions and the current version's review."""

    id: int
    campaign_id: int
    unit_id: int
    unit_name: str
    year: int
    due: dt.date | None
    status: str
    received_at: dt.datetime | None
    report_id: int | None
    recipients: tuple[str, ...]
    decision_note: str | None
    decided_at: dt.datetime | None
    published_url: str | None
    published_on: dt.date | None
    versions: tuple[VersionView, ...]
    review: dict[str, Any] | None = field(default=None, repr=False)  # the current version's fazhi.review/1

    @property
    def status_label(self) -> str:
        return STAGES.get(self.status) or STATUSES.get(self.status) or self.status

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "campaign_id": self.campaign_id, "unit": {"id": self.unit_id, "name": self.unit_name},
                "year": self.year, "due": self.due.isoformat() if self.due else None, "status": self.status,
                "status_label": self.status_label,
                "received_at": self.received_at.isoformat() if self.received_at else None,
                "report_id": self.report_id, "recipients": list(self.recipients),
                "decision_note": self.decision_note,
                "decided_at": self.decided_at.isoformat() if self.decided_at else None,
                "published_url": self.published_url,
                "published_on": self.published_on.isoformat() if self.published_on else None,
                "versions": [v.to_json() for v in self.versions], "review": self.review}


def _versions(session: Session, row: AnnualReport) -> tuple[VersionView, ...]:
    versions = session.scalars(select(ReportVersion).where(ReportVersion.annual_report_id == row.id)
                               .order_by(ReportVersion.number))
    out = []
    for v in versions:
        report = session.get(Report, v.report_id)
        out.append(VersionView(v.number, v.kind, v.report_id, report.title if report else None,
                               report.score_total if report else None, china_time(v.submitted_at), v.decision,
                               _china(v.decided_at),
                               v.decision_note, v.note))
    return tuple(out)


def report_view(session: Session, row: AnnualReport) -> ReportView:
    unit = session.get(Unit, row.unit_id)
    current = session.get(Report, row.report_id) if row.report_id else None
    return ReportView(row.id, row.campaign_id, row.unit_id, unit.name if unit else "", row.year, row.due, row.status,
                      _china(row.received_at), row.report_id, tuple(row.recipients or ()), row.decision_note,
                      _china(row.decided_at),
                      row.published_url, row.published_on, _versions(session, row),
                      dict(current.review) if current is not None else None)


def _report(session: Session, actor: Actor, annual_report_id: int, *, write: bool = False
            ) -> tuple[AnnualReport, Campaign, Unit]:
    row = session.get(AnnualReport, annual_report_id)
    if row is None:
        raise NotFound(f"没有编号为 {annual_report_id} 的年度报告")
    try:
        campaign, unit = campaign_unit(session, actor, row.campaign_id, row.unit_id, write=write)
    except NotFound:
        raise NotFound(f"没有编号为 {annual_report_id} 的年度报告") from None
    return row, campaign, unit


def get_report(session: Session, actor: Actor, annual_report_id: int) -> ReportView:
    return report_view(session, _report(session, actor, annual_report_id)[0])


def find_report(session: Session, actor: Actor, campaign_id: int, unit_id: int) -> ReportView | None:
    """The unit's annual report in the campaign (None: not started)."""
    campaign_unit(session, actor, campaign_id, unit_id, write=False)
    row = session.scalar(select(AnnualReport).where(AnnualReport.campaign_id == campaign_id,
                                                    AnnualReport.unit_id == unit_id))
    return report_view(session, row) if row is not None else None


# =========================================================================== the unit's side
def set_stage(session: Session, actor: Actor, draft_id: int, stage: str) -> DraftView:
    """Move a draft to 起草 / 初稿 / 讨论稿 / 主要负责人审核 (a member of the unit): forward one stage at a
    time, back to any earlier one; the leader confirms with :func:`confirm_draft`."""
    row = draft_for(session, actor, draft_id, write=True)
    need_member(actor, row.unit_id, "推进年度报告草稿")
    order = list(_BEFORE_SUBMISSION)
    if stage not in order:
        raise ReportError(f"草稿阶段“{stage}”应为 {'、'.join(f'{STAGES[s]}（{s}）' for s in order)} 之一")
    if row.stage == "submitted" and _status(session, row) != "returned":
        raise ReportError("草稿已报送，退回修改后才能重新修改")
    current = order.index(row.stage) if row.stage in order else len(order) - 1
    if order.index(stage) > current + 1:
        raise ReportError(f"草稿只能逐级推进：当前为“{STAGES[row.stage]}”，下一步是“{STAGES[order[current + 1]]}”")
    return _move(session, actor, row, stage)


def _status(session: Session, draft: Draft) -> str | None:
    """The status of the annual report a draft belongs to."""
    return session.scalar(select(AnnualReport.status).where(AnnualReport.campaign_id == draft.campaign_id,
                                                            AnnualReport.unit_id == draft.unit_id))


def _move(session: Session, actor: Actor, row: Draft, stage: str) -> DraftView:
    before = row.stage
    row.stage, row.updated_at, row.updated_by_id = stage, utcnow(), actor.user_id
    report = session.scalar(select(AnnualReport).where(AnnualReport.campaign_id == row.campaign_id,
                                                       AnnualReport.unit_id == row.unit_id))
    if report is not None and report.status in _BEFORE_SUBMISSION and stage in _BEFORE_SUBMISSION:
        report.status = stage
    session.flush()
    audit(session, actor.user_id, "draft.stage", "draft", row.id, {"before": before, "after": stage})
    return draft_view(session, row)


def confirm_draft(session: Session, actor: Actor, draft_id: int) -> DraftView:
    """The unit's 主要负责人 confirms a draft under review (主要负责人审核): it may then be submitted."""
    row = draft_for(session, actor, draft_id, write=True)
    need_member(actor, row.unit_id, "确认年度报告", leader=True)
    if row.stage != "leader_review":
        raise ReportError(f"草稿处于“{STAGES.get(row.stage, row.stage)}”阶段，送主要负责人审核后才能确认")
    return _move(session, actor, row, "confirmed")


@dataclass(frozen=True)
class CommentView:
    id: int
    target_type: str
    target_id: int
    text: str
    at: dt.datetime
    by: str | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "target_type": self.target_type, "target_id": self.target_id, "text": self.text,
                "at": self.at.isoformat(), "by": self.by}


def _comment_target(session: Session, actor: Actor, target_type: str, target_id: int, *, write: bool) -> None:
    if target_type == "draft":
        row = draft_for(session, actor, target_id)
        if write:
            need_member(actor, row.unit_id, "对草稿提出意见")
            if row.stage not in _COMMENTABLE:
                raise ReportError(f"草稿处于“{STAGES.get(row.stage, row.stage)}”阶段，不能提出意见")
    elif target_type == "annual_report":
        _report(session, actor, target_id, write=write)
    else:
        raise ReportError(f"意见的对象“{target_type}”应为 draft 或 annual_report")


def add_comment(session: Session, actor: Actor, target_type: str, target_id: int, text: str) -> CommentView:
    """A colleague's comment on a draft (讨论稿), or a comment on a unit's annual report."""
    _comment_target(session, actor, target_type, target_id, write=True)
    text = (text or "").strip()
    if not text:
        raise ReportError("意见不能为空")
    if len(text) > MAX_COMMENT:
        raise ReportError(f"意见过长（{len(text)} 字，上限 {MAX_COMMENT} 字）")
    row = Comment(target_type=target_type, target_id=target_id, text=text, by_id=actor.user_id, at=utcnow())
    session.add(row)
    session.flush()
    audit(session, actor.user_id, "comment.add", target_type, target_id, {"comment_id": row.id})
    return CommentView(row.id, target_type, target_id, text, row.at, actor.name or None)


def list_comments(session: Session, actor: Actor, target_type: str, target_id: int) -> list[CommentView]:
    _comment_target(session, actor, target_type, target_id, write=False)
    rows = session.scalars(select(Comment).where(Comment.target_type == target_type, Comment.target_id == target_id)
                           .order_by(Comment.at, Comment.id))
    return [CommentView(r.id, r.target_type, r.target_id, r.text, r.at, r.by.name if r.by else None) for r in rows]


def _read(session: Session, data: bytes, filename: str) -> tuple[dict[str, Any], str]:
    """Read and review a file under the database's knowledge: (fazhi.review/1, normalised text)."""
    from fazhi.knowledge.versions import active_knowledge
    from fazhi.review.model import Source
    from fazhi.review.pipeline import Reviewer
    from fazhi.review.read import ReadError, read_bytes

    try:
        doc = read_bytes(data, filename)
    except ReadError as exc:
        raise ReportError(f"{filename}：{exc.message_zh()}") from None
    source = Source(path=filename, sha256=doc.sha256, format=doc.format, encoding=doc.encoding, size=doc.size)
    return Reviewer(active_knowledge(session)).review_source(doc.text, source).stored()


def _store(session: Session, actor: Actor, review: Mapping[str, Any], text: str) -> Report:
    """Store a reviewed file as a corpus report (the stored one when the same file is there already)."""
    from fazhi.corpus.service import save_review

    saved = save_review(session, review, text, user=actor.user_id)
    report = session.get(Report, saved.id)
    assert report is not None
    return report


def submit_report(session: Session, actor: Actor, campaign_id: int, unit_id: int, *, draft_id: int | None = None,
                  data: bytes | None = None, filename: str | None = None, copies_to: Sequence[str] = (),
                  note: str | None = None, at: dt.datetime | None = None) -> ReportView:
    """The unit submits its report (报送) to the office, with copies to ``copies_to``: a draft its leader
    confirmed (``draft_id``), or a file (``data``, ``filename``) submitted by the leader.  ``at`` records
    when it was received (now by default).  A returned report is resubmitted the same way."""
    campaign, unit = campaign_unit(session, actor, campaign_id, unit_id, write=True)
    if (draft_id is None) == (data is None):
        raise ReportError("请提交一份草稿或一个文件（二者选一）")
    draft = None
    if draft_id is not None:
        need_member(actor, unit.id, "报送年度报告")
        draft = draft_for(session, actor, draft_id, write=True)
        if draft.campaign_id != campaign.id or draft.unit_id != unit.id:
            raise ReportError(f"草稿 {draft_id} 不是本单位在该督导活动中的草稿")
        if draft.stage != "confirmed":
            raise ReportError(f"草稿处于“{STAGES.get(draft.stage, draft.stage)}”阶段，须经主要负责人审核确认后才能报送")
        data, filename = draft_document(draft.content).to_bytes(), f"{draft.content.get('title') or '年度报告'}.docx"
    else:
        need_member(actor, unit.id, "报送年度报告文件", leader=True)
    assert data is not None
    row = annual_report_for(session, campaign, unit)
    if row.status in ("received", "accepted", "published"):
        raise ReportError(f"年度报告已报送（{STATUSES[row.status]}），退回修改后才能再次报送")
    review, text = _read(session, data, filename or "年度报告")
    gaps = GAP.findall(text)
    if gaps:
        raise ReportError(f"报告中还有 {len(gaps)} 处待补充内容（如{gaps[0]}），补充后才能报送")
    previous = row.versions[-1] if row.versions else None
    last = session.get(Report, previous.report_id) if previous is not None else None
    if last is not None and diff_texts(last.text, text).same:
        raise ReportError("报送的报告与上一次报送的版本相同，请修改后再报送")
    report = _store(session, actor, review, text)
    when = _utc(at)
    version = ReportVersion(annual_report_id=row.id, number=(previous.number if previous else 0) + 1,
                            kind="submission", report_id=report.id, submitted_at=when,
                            submitted_by_id=actor.user_id, note=(note or "").strip() or None)
    session.add(version)
    row.status, row.report_id = "received", report.id
    row.received_at = row.received_at or when
    row.due = row.due or report_due(campaign, unit)
    row.recipients = [c.strip() for c in copies_to if c.strip()]
    row.decision_note = row.decided_at = row.decided_by_id = None
    if draft is not None:
        draft.stage, draft.updated_at = "submitted", utcnow()
    session.flush()
    session.refresh(row)
    audit(session, actor.user_id, "report.submit", "annual_report", row.id,
          {"campaign_id": campaign.id, "unit": unit.name, "version": version.number, "report_id": report.id,
           "draft_id": draft_id, "copies_to": row.recipients, "received_at": when.isoformat()})
    return report_view(session, row)


# =========================================================================== the office's side
def decide_report(session: Session, actor: Actor, annual_report_id: int, *, accept: bool,
                  reason: str | None = None, at: dt.datetime | None = None) -> ReportView:
    """The office's answer to the submitted version: 通过 (``accept``) or 退回修改 with a ``reason`` (the
    审查意见书 of :func:`opinion` goes with it)."""
    row, campaign, _ = _report(session, actor, annual_report_id, write=True)
    need_office(actor, session.get(Unit, campaign.organiser_id) if campaign.organiser_id else None, "审查年度报告")
    if row.status != "received":
        raise ReportError(f"年度报告处于“{report_view(session, row).status_label}”状态，只能审查已报送待审查的报告")
    reason = (reason or "").strip() or None
    if not accept and reason is None:
        raise ReportError("退回修改须写明理由")
    version = row.versions[-1]
    when = _utc(at)
    decision = "accepted" if accept else "returned"
    version.decision, version.decided_at, version.decided_by_id, version.decision_note = (
        decision, when, actor.user_id, reason)
    row.status, row.decision_note, row.decided_at, row.decided_by_id = decision, reason, when, actor.user_id
    session.flush()
    audit(session, actor.user_id, f"report.{'accept' if accept else 'return'}", "annual_report", row.id,
          {"version": version.number, "reason": reason})
    return report_view(session, row)


def opinion(session: Session, actor: Actor, annual_report_id: int, *, version: int | None = None,
            day: dt.date | None = None) -> tuple[bytes, str]:
    """The 审查意见书 of a submitted version (the latest by default) as .docx, and its file name; signed by
    the campaign's office (``settings["office"]``, else the organiser), with the office's decision."""
    from fazhi.documents.opinion import opinion_docx, opinion_filename

    row, campaign, unit = _report(session, actor, annual_report_id)
    chosen = [v for v in row.versions if v.kind == "submission" and (version is None or v.number == version)]
    if not chosen:
        raise NotFound(f"年度报告 {annual_report_id} 没有{'第 ' + str(version) + ' 版' if version else '报送的版本'}")
    v = chosen[-1]
    report = session.get(Report, v.report_id)
    assert report is not None
    conclusion = None
    if v.decision == "accepted":
        conclusion = "审查结论：通过。" + (v.decision_note or "")
    elif v.decision == "returned":
        conclusion = f"审查结论：退回修改。{v.decision_note or ''}"
    office = (campaign.settings or {}).get("office") or campaign.organiser_name
    data = opinion_docx(report.review, reviewer=actor.name or None, office=office, date=day or today(),
                        conclusion=conclusion)
    return data, opinion_filename(f"{unit.name}{row.year}年度报告（第{v.number}版）")


@dataclass(frozen=True)
class StatusRow:
    """One unit on the office's board as of a date.  :meth:`to_json` has exactly the fields of
    ``fazhi report status``; the rest is for pages."""

    unit_id: int
    unit_name: str
    unit_type: str
    due: dt.date
    status: str
    received_at: dt.datetime | None
    report_id: int | None
    published_url: str | None
    annual_report_id: int | None
    versions: int
    score: float | None

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    def to_json(self) -> dict[str, Any]:
        return {"unit": {"id": self.unit_id, "name": self.unit_name}, "due": self.due.isoformat(),
                "status": self.status, "received_at": self.received_at.isoformat() if self.received_at else None,
                "report_id": self.report_id, "published_url": self.published_url}


def status_as_of(row: AnnualReport | None, due: dt.date, as_of: dt.date) -> tuple[str, ReportVersion | None,
                                                                                    ReportVersion | None]:
    """(status, first version received, current version) of a report as it stood at the end of ``as_of``."""
    versions = [v for v in (row.versions if row is not None else [])
                if v.kind == "submission" and china_day(v.submitted_at) <= as_of]
    if row is None or not versions:
        return "not_received", None, None
    first, last = versions[0], versions[-1]
    if row.published_on is not None and row.published_on <= as_of:
        return "published", first, last
    if last.decision and last.decided_at is not None and china_day(last.decided_at) <= as_of:
        return last.decision, first, last
    return ("late" if china_day(first.submitted_at) > due else "received"), first, last


def campaign_board(session: Session, actor: Actor, campaign_id: int) -> Campaign:
    """The campaign, if the actor is its office or a viewer in its scope."""
    campaign = session.get(Campaign, campaign_id)
    organiser = session.get(Unit, campaign.organiser_id) if campaign and campaign.organiser_id else None
    if campaign is None or actor.role not in ("admin", "reviewer", "viewer") or not in_scope(actor, organiser):
        raise NotFound(f"没有编号为 {campaign_id} 的督导活动")
    return campaign


def report_status(session: Session, actor: Actor, campaign_id: int, as_of: dt.date | None = None
                  ) -> list[StatusRow]:
    """Every unit that must report in the campaign, with its deadline and its status at the end of ``as_of``
    (today by default), ordered by deadline and name."""
    campaign = campaign_board(session, actor, campaign_id)
    day = as_of or today()
    reports = {r.unit_id: r for r in session.scalars(select(AnnualReport).where(AnnualReport.campaign_id == campaign.id))}
    out = []
    for unit in reporting_units(session, campaign):
        row = reports.get(unit.id)
        due = (row.due if row is not None and row.due else None) or report_due(campaign, unit)
        status, first, last = status_as_of(row, due, day)
        report = session.get(Report, last.report_id) if last is not None else None
        out.append(StatusRow(unit.id, unit.name, unit.type, due, status, _china(first.submitted_at) if first else None,
                             last.report_id if last else None,
                             row.published_url if row is not None and status == "published" else None,
                             row.id if row is not None else None,
                             len([v for v in row.versions if v.kind == "submission"]) if row is not None else 0,
                             report.score_total if report is not None else None))
    return sorted(out, key=lambda r: (r.due, r.unit_name, r.unit_id))


# =========================================================================== diffs
@dataclass(frozen=True)
class DiffParagraph:
    """One paragraph of a diff: ``equal``, ``added``, ``removed`` or ``changed`` (with the changed pieces:
    ``segments`` of (``equal|added|removed``, text))."""

    op: str
    old: str | None
    new: str | None
    segments: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "old": self.old, "new": self.new, "segments": [list(s) for s in self.segments]}


@dataclass(frozen=True)
class TextDiff:
    paragraphs: tuple[DiffParagraph, ...]

    @property
    def counts(self) -> dict[str, int]:
        return {op: sum(1 for p in self.paragraphs if p.op == op) for op in ("added", "removed", "changed")}

    @property
    def same(self) -> bool:
        return all(p.op == "equal" for p in self.paragraphs)

    def changes(self) -> list[DiffParagraph]:
        return [p for p in self.paragraphs if p.op != "equal"]

    def to_json(self) -> dict[str, Any]:
        return {"same": self.same, "counts": self.counts, "paragraphs": [p.to_json() for p in self.paragraphs]}


_SPACE = re.compile(r"\s+")
_CHANGED_MIN_RATIO = 0.5  # two paragraphs this similar are one changed paragraph, else a removal and an addition


def comparable(paragraph: str) -> str:
    """A paragraph as compared: NFKC (full- and half-width alike), without whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", paragraph))


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _segments(old: str, new: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("equal", new[j1:j2]))
            continue
        if i2 > i1:
            out.append(("removed", old[i1:i2]))
        if j2 > j1:
            out.append(("added", new[j1:j2]))
    return tuple(out)


def _pair(old: Sequence[str], new: Sequence[str]) -> list[DiffParagraph]:
    """Paragraphs replaced by others: each old one paired, in order, with the most similar new one still
    free (a changed paragraph), the rest removed or added."""
    out: list[DiffParagraph] = []
    j = 0
    for o in old:
        scores = [(difflib.SequenceMatcher(None, comparable(o), comparable(n), autojunk=False).ratio(), k)
                  for k, n in enumerate(new[j:], j)]
        ratio, k = max(scores, default=(0.0, -1))
        if ratio < _CHANGED_MIN_RATIO:
            out.append(DiffParagraph("removed", o, None))
            continue
        out += [DiffParagraph("added", None, n) for n in new[j:k]]
        out.append(DiffParagraph("changed", o, new[k], _segments(o, new[k])))
        j = k + 1
    out += [DiffParagraph("added", None, n) for n in new[j:]]
    return out


def diff_texts(old: str, new: str) -> TextDiff:
    """Paragraph-level diff of two texts: paragraphs kept, added, removed, or changed (with the changed
    characters); whitespace and full- or half-width forms are not differences."""
    a, b = paragraphs(old), paragraphs(new)
    matcher = difflib.SequenceMatcher(None, [comparable(p) for p in a], [comparable(p) for p in b], autojunk=False)
    out: list[DiffParagraph] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [DiffParagraph("equal", x, y) for x, y in zip(a[i1:i2], b[j1:j2], strict=True)]
        elif op == "delete":
            out += [DiffParagraph("removed", x, None) for x in a[i1:i2]]
        elif op == "insert":
            out += [DiffParagraph("added", None, y) for y in b[j1:j2]]
        else:
            out += _pair(a[i1:i2], b[j1:j2])
    return TextDiff(tuple(out))


@dataclass(frozen=True)
class VersionDiff:
    old: int
    new: int
    diff: TextDiff

    def to_json(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, **self.diff.to_json()}


def version_diff(session: Session, actor: Actor, annual_report_id: int, *, old: int | None = None,
                 new: int | None = None) -> VersionDiff:
    """What changed between two submitted versions (by default the latest and the one before it)."""
    row, _, _ = _report(session, actor, annual_report_id)
    versions = {v.number: v for v in row.versions if v.kind == "submission"}
    numbers = sorted(versions)
    new = new if new is not None else (numbers[-1] if numbers else None)
    old = old if old is not None else max((n for n in numbers if new is not None and n < new), default=None)
    if new not in versions or old not in versions:
        raise ReportError("没有可比较的两个报送版本（退回修改并重新报送后才有）")
    texts = [session.get(Report, versions[n].report_id) for n in (old, new)]
    return VersionDiff(old, new, diff_texts(texts[0].text if texts[0] else "", texts[1].text if texts[1] else ""))


# =========================================================================== publication
@dataclass(frozen=True)
class PublicationCheck:
    """Was the report published by the deadline, and is the published copy the submitted text?"""

    annual_report_id: int
    deadline: dt.date
    url: str | None
    on: dt.date | None
    published: bool
    on_time: bool | None  # None: not published (yet)
    overdue: bool  # not published and the deadline has passed (as of the day checked)
    submitted_report_id: int | None
    published_report_id: int | None
    diff: TextDiff | None  # the published copy against the submitted text (None: no copy uploaded)

    @property
    def same_text(self) -> bool | None:
        return self.diff.same if self.diff is not None else None

    def to_json(self) -> dict[str, Any]:
        return {"annual_report_id": self.annual_report_id, "deadline": self.deadline.isoformat(), "url": self.url,
                "on": self.on.isoformat() if self.on else None, "published": self.published,
                "on_time": self.on_time, "overdue": self.overdue, "same_text": self.same_text,
                "submitted_report_id": self.submitted_report_id, "published_report_id": self.published_report_id,
                "differences": [p.to_json() for p in self.diff.changes()] if self.diff is not None else None}


def _check(session: Session, row: AnnualReport, campaign: Campaign, as_of: dt.date) -> PublicationCheck:
    deadline = publish_by(campaign)
    published = row.published_on is not None and row.published_on <= as_of
    submitted = [v for v in row.versions if v.kind == "submission"]
    diff = None
    if row.published_report_id is not None and submitted:
        texts = [session.get(Report, rid) for rid in (submitted[-1].report_id, row.published_report_id)]
        diff = diff_texts(texts[0].text if texts[0] else "", texts[1].text if texts[1] else "")
    return PublicationCheck(row.id, deadline, row.published_url if published else None,
                            row.published_on if published else None, published,
                            (row.published_on <= deadline) if published and row.published_on else None,
                            not published and as_of > deadline, submitted[-1].report_id if submitted else None,
                            row.published_report_id, diff)


def publication_check(session: Session, actor: Actor, annual_report_id: int, as_of: dt.date | None = None
                      ) -> PublicationCheck:
    row, campaign, _ = _report(session, actor, annual_report_id)
    return _check(session, row, campaign, as_of or today())


def publish_report(session: Session, actor: Actor, annual_report_id: int, *, url: str, on: dt.date,
                   data: bytes | None = None, filename: str | None = None) -> PublicationCheck:
    """Record that the report was made public (公开) at ``url`` on ``on``; with the published copy
    (``data``), it is stored and compared with the submitted text."""
    row, campaign, unit = _report(session, actor, annual_report_id, write=True)
    if actor.unit_user:
        need_member(actor, unit.id, "登记年度报告公开情况")
    url = (url or "").strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ReportError(f"公开网址“{url}”应以 http:// 或 https:// 开头")
    if not any(v.kind == "submission" for v in row.versions):
        raise ReportError("年度报告尚未报送，报送后再登记公开情况")
    if data is not None:
        report = _store(session, actor, *_read(session, data, filename or "公开版本"))
        number = max(v.number for v in row.versions) + 1
        session.add(ReportVersion(annual_report_id=row.id, number=number, kind="published", report_id=report.id,
                                  submitted_by_id=actor.user_id, note=url))
        row.published_report_id = report.id
    row.published_url, row.published_on, row.status = url, on, "published"
    session.flush()
    session.refresh(row)
    check = _check(session, row, campaign, max(on, today()))
    audit(session, actor.user_id, "report.publish", "annual_report", row.id,
          {"url": url, "on": on.isoformat(), "on_time": check.on_time, "same_text": check.same_text})
    return check


__all__ = ["CHINA", "STAGES", "STATUSES", "CommentView", "DiffParagraph", "PublicationCheck", "ReportError",
           "ReportView", "StatusRow", "TextDiff", "VersionDiff", "VersionView", "add_comment", "at_day", "campaign_board",
           "china_day", "china_time", "comparable", "confirm_draft", "decide_report", "diff_texts", "find_report", "get_report",
           "is_department", "list_comments", "opinion", "paragraphs", "publication_check", "publish_by",
           "publish_report", "report_due", "report_status", "report_view", "reporting_units", "set_stage",
           "status_as_of", "submit_report", "today"]
