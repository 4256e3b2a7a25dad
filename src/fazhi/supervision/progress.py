"""Progress on a task (督导): the lead unit reports, the unit's leader confirms when the campaign asks for it,
the office accepts or returns with a reason.

State machine of a task: ``assigned`` ▶ ``in_progress`` (progress saved, or waiting for the leader) ▶
``submitted`` ▶ ``accepted`` | ``returned`` (with the reason) ▶ ``in_progress``/``submitted`` again.  A
report answers one milestone (``period``: the first milestone without accepted progress, unless given);
accepting it covers that milestone and those before it, and the task is ``accepted`` (办结) only when no
milestone is left open — otherwise it goes back to ``in_progress`` for the next node.

Figures are given as written ("行政机关负责人出庭应诉率=100%") and kept with the review catalogue's
indicator they measure, when the name says so.  Evidence is attached by id (files are stored once by
:mod:`fazhi.supervision.evidence`): to the progress report and to the task.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.accounts.audit import audit
from fazhi.db.base import utcnow
from fazhi.supervision import evidence as evidence_store
from fazhi.supervision.access import Actor, NotFound, need_member, need_office
from fazhi.supervision.campaigns import get_campaign, today
from fazhi.supervision.errors import InputError
from fazhi.supervision.models import Campaign, Progress, Task
from fazhi.supervision.reminders import notify
from fazhi.supervision.tasks import TaskView, get_task, task_for
from fazhi.units.models import Unit

STATUSES = {"draft": "待确认", "submitted": "待审核", "accepted": "已采纳", "returned": "已退回"}
_FIGURE = re.compile(r"^\s*(?P<name>[^=＝:：]+?)\s*[=＝:：]\s*(?P<value>[+-]?\d+(?:\.\d+)?)\s*(?P<unit>\S*)\s*$")
MAX_TEXT = 20_000


@dataclass(frozen=True)
class ProgressView:
    id: int
    task_id: int
    unit_id: int | None
    period: str | None
    text: str
    figures: tuple[dict[str, Any], ...]
    status: str
    returned_reason: str | None
    created_at: dt.datetime | None
    created_by_id: int | None
    confirmed_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    reviewed_by_id: int | None
    evidence: tuple[evidence_store.LinkView, ...]

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    def to_json(self) -> dict[str, Any]:
        def iso(t: dt.datetime | None) -> str | None:
            return t.isoformat() if t else None

        return {"id": self.id, "task_id": self.task_id, "unit_id": self.unit_id, "period": self.period,
                "text": self.text, "figures": list(self.figures), "status": self.status,
                "status_label": self.status_label, "returned_reason": self.returned_reason,
                "created_at": iso(self.created_at), "created_by_id": self.created_by_id,
                "confirmed_at": iso(self.confirmed_at), "reviewed_at": iso(self.reviewed_at),
                "reviewed_by_id": self.reviewed_by_id, "evidence": [e.to_json() for e in self.evidence]}


def _view(session: Session, actor: Actor, row: Progress) -> ProgressView:
    links = evidence_store.links_of(session, actor, "progress", row.id)
    return ProgressView(row.id, row.task_id, row.unit_id, row.period, row.text, tuple(row.figures or ()),
                        row.status, row.returned_reason, row.created_at, row.created_by_id, row.confirmed_at,
                        row.reviewed_at, row.reviewed_by_id, tuple(links))


# =========================================================================== figures
def parse_figure(text: str | Mapping[str, Any], indicators: Mapping[str, evidence_store.CatalogueIndicator]) -> dict[str, Any]:
    """A figure written "名称=数值单位" ("行政机关负责人出庭应诉率=100%", "办理行政复议案件=12件"), with the
    catalogue indicator whose name (or a signal phrase) it names; InputError when it cannot be read."""
    if isinstance(text, Mapping):
        return dict(text)
    match = _FIGURE.match(unicodedata.normalize("NFKC", text or ""))
    if not match:
        raise InputError(f"数字“{text}”应写成 名称=数值（如 行政机关负责人出庭应诉率=100%）")
    name = match["name"].strip()
    indicator = next((i.id for i in indicators.values() if name in (i.id, i.name)), None) or next(
        (i.id for i in indicators.values() if i.named_in(name)), None)
    value = float(match["value"])
    return {"name": name, "indicator": indicator, "value": int(value) if value.is_integer() else value,
            "unit": match["unit"] or None, "text": text.strip()}


# =========================================================================== the unit's side
def _open_milestones(session: Session, task: Task) -> list[str]:
    """The task's milestones (ISO) without accepted progress for them."""
    dates = sorted(set(task.milestones or ()) | ({task.due.isoformat()} if task.due else set()))
    accepted = [p for p in session.scalars(select(Progress.period).where(
        Progress.task_id == task.id, Progress.status == "accepted")) if p]
    through = max(accepted) if accepted else None
    return [d for d in dates if through is None or d > through]


def _needs_leader(session: Session, task: Task) -> bool:
    campaign = session.get(Campaign, task.campaign_id)
    return bool(campaign and (campaign.settings or {}).get("leader_confirms"))


def report_progress(session: Session, actor: Actor, task_id: int, text: str, *,
                    figures: Sequence[str | Mapping[str, Any]] = (), evidence_ids: Iterable[int] = (),
                    period: str | None = None, submit: bool = True) -> ProgressView:
    """The lead unit reports progress on a task: text, figures, evidence (ids of stored evidence).

    Submitted at once, unless ``submit`` is False (saved) or the campaign wants the unit's leader to confirm
    and the actor is not the leader (then it waits for :func:`submit_progress`).  A draft waiting is
    updated by the next report."""
    task = task_for(session, actor, task_id)
    need_member(actor, task.lead_unit_id, "报告任务进展")
    text = (text or "").strip()
    if not text:
        raise InputError("进展情况不能为空")
    if len(text) > MAX_TEXT:
        raise InputError(f"进展情况过长（{len(text)} 字，上限 {MAX_TEXT} 字）")
    if task.status == "accepted":
        raise InputError("任务已办结，不能再报告进展")
    if task.status == "submitted":
        raise InputError("上一次报送的进展尚待督导办公室审核，审核后才能再报送")
    open_ = _open_milestones(session, task)
    if period is not None and period not in open_:
        raise InputError(f"时间节点“{period}”不是本任务尚未办结的节点（{'、'.join(open_) or '无'}）")
    indicators = evidence_store.catalogue(session)
    parsed = [parse_figure(f, indicators) for f in figures]
    draft = session.scalar(select(Progress).where(Progress.task_id == task.id, Progress.status == "draft"))
    row = draft or Progress(task_id=task.id, unit_id=task.lead_unit_id, created_by_id=actor.user_id)
    row.period = period or (open_[0] if open_ else None)
    row.text, row.figures = text, parsed
    waits = not submit or (_needs_leader(session, task) and actor.duty != "leader")
    row.status = "draft" if waits else "submitted"
    if not waits and _needs_leader(session, task):
        row.confirmed_at, row.confirmed_by_id = utcnow(), actor.user_id
    session.add(row)
    session.flush()
    for evidence_id in evidence_ids:
        evidence_store.link(session, actor, evidence_id, "progress", row.id)
        evidence_store.link(session, actor, evidence_id, "task", task.id)
    task.status, task.updated_at = ("in_progress" if waits else "submitted"), utcnow()
    session.flush()
    audit(session, actor.user_id, "task.report", "task", task.id,
          {"progress_id": row.id, "status": row.status, "period": row.period, "figures": len(parsed),
           "evidence": list(evidence_ids)})
    return _view(session, actor, row)


def submit_progress(session: Session, actor: Actor, progress_id: int) -> ProgressView:
    """Submit a saved report; when the campaign wants it, only the unit's leader may (确认报送)."""
    row = session.get(Progress, progress_id)
    if row is None or row.status != "draft":
        raise NotFound(f"没有编号为 {progress_id} 的待确认进展")
    task = task_for(session, actor, row.task_id)
    leader = _needs_leader(session, task)
    need_member(actor, task.lead_unit_id, "确认报送进展", leader=leader)
    row.status = "submitted"
    if leader:
        row.confirmed_at, row.confirmed_by_id = utcnow(), actor.user_id
    task.status, task.updated_at = "submitted", utcnow()
    session.flush()
    audit(session, actor.user_id, "task.confirm", "task", task.id, {"progress_id": row.id})
    return _view(session, actor, row)


# =========================================================================== the office's side
def review_progress(session: Session, actor: Actor, task_id: int, *, accept: bool,
                    reason: str | None = None) -> ProgressView:
    """The office accepts the task's submitted progress, or returns it with a reason (the unit is told)."""
    task = task_for(session, actor, task_id)
    campaign = session.get(Campaign, task.campaign_id)
    need_office(actor, session.get(Unit, campaign.organiser_id) if campaign and campaign.organiser_id else None,
                "审核任务进展")
    row = session.scalar(select(Progress).where(Progress.task_id == task.id, Progress.status == "submitted")
                         .order_by(Progress.id.desc()).limit(1))
    if row is None:
        raise InputError("这项任务没有待审核的进展")
    reason = (reason or "").strip()
    if not accept and not reason:
        raise InputError("退回须写明原因")
    row.reviewed_at, row.reviewed_by_id = utcnow(), actor.user_id
    if accept:
        row.status = "accepted"
        session.flush()
        task.status = "in_progress" if _open_milestones(session, task) else "accepted"
        task.returned_reason = None
    else:
        row.status, row.returned_reason = "returned", reason
        task.status, task.returned_reason = "returned", reason
        if task.lead_unit_id is not None:
            notify(session, task.lead_unit_id, "returned", f"任务“{task.title[:40]}”的进展被退回：{reason}",
                   task_id=task.id, day=today())
    task.updated_at = utcnow()
    session.flush()
    audit(session, actor.user_id, "task.accept" if accept else "task.return", "task", task.id,
          {"progress_id": row.id, "period": row.period, "reason": reason or None, "status": task.status})
    return _view(session, actor, row)


# =========================================================================== a task's page
@dataclass(frozen=True)
class TaskDetail:
    """Everything a task's page shows: the task (with its light), the campaign, the progress reports,
    the evidence attached and the report facts proposed for it."""

    task: TaskView
    campaign: Any  # CampaignView
    progress: tuple[ProgressView, ...]
    evidence: tuple[evidence_store.LinkView, ...]
    proposals: tuple[evidence_store.LinkView, ...]

    def to_json(self) -> dict[str, Any]:
        return {"task": {**self.task.to_json(), "light": self.task.light, "next_due": (
                    self.task.next_due.isoformat() if self.task.next_due else None),
                    "returned_reason": self.task.returned_reason, "target": self.task.target},
                "campaign": {"id": self.campaign.id, "name": self.campaign.name},
                "progress": [p.to_json() for p in self.progress],
                "evidence": [e.to_json() for e in self.evidence],
                "proposals": [e.to_json() for e in self.proposals]}


def history(session: Session, actor: Actor, task_id: int) -> list[ProgressView]:
    """A task's progress reports, oldest first."""
    task = task_for(session, actor, task_id)
    rows = session.scalars(select(Progress).where(Progress.task_id == task.id).order_by(Progress.id))
    return [_view(session, actor, row) for row in rows]


def task_detail(session: Session, actor: Actor, task_id: int, as_of: dt.date | None = None) -> TaskDetail:
    """A task with its progress, evidence and proposals (see :class:`TaskDetail`)."""
    view = get_task(session, actor, task_id, as_of)
    links = evidence_store.links_of(session, actor, "task", task_id)
    return TaskDetail(view, get_campaign(session, actor, view.campaign_id), tuple(history(session, actor, task_id)),
                      tuple(x for x in links if x.status != "proposed"),
                      tuple(x for x in links if x.status == "proposed"))


__all__ = ["STATUSES", "ProgressView", "TaskDetail", "history", "parse_figure", "report_progress",
           "review_progress", "submit_progress", "task_detail"]
