"""督办 reminders: an in-app list for each unit, and a pluggable sender for those that should go out.

:func:`make_reminders` (the daily job) looks at every open campaign on a day and writes, for each lead
unit, one reminder per task and milestone that is due soon (``due_soon``, for the milestone's date) or
overdue (``overdue``), each once however often it runs, and one daily digest (``digest``) listing the
unit's overdue and due-soon tasks.  Returned progress writes a ``returned`` reminder at once
(:func:`notify`).  Reminders are rows (:class:`~fazhi.supervision.models.Reminder`): the unit's users see
them in the app (:func:`list_reminders`, :func:`mark_read`).

Sending is optional and needs no external service: a :class:`Sender` is anything with a ``name`` and a
``send(message)``; :func:`sender_from_env` picks one from ``FAZHI_REMINDER_SENDER``: ``none`` (default:
the in-app list only), ``log`` (the Python log), or ``file:/path/to/file.jsonl`` (one JSON object per line,
for tests and for a mail gateway that reads a spool file).  What was sent is marked (``sent_at``,
``channel``) and never sent again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.db.base import utcnow
from fazhi.supervision.access import Actor, NotFound
from fazhi.supervision.models import Campaign, Reminder
from fazhi.units.models import Unit

KINDS = {"due_soon": "临期提醒", "overdue": "逾期提醒", "digest": "每日督办摘要", "returned": "进展被退回",
         "escalated": "督办升级"}
ENV_SENDER = "FAZHI_REMINDER_SENDER"
log = logging.getLogger("fazhi.reminders")


# =========================================================================== senders
@dataclass(frozen=True)
class Message:
    """A reminder as a sender gets it."""

    reminder_id: int
    unit_id: int
    unit_name: str
    kind: str
    day: str
    message: str
    task_id: int | None


class Sender(Protocol):
    """Sends reminders somewhere (mail, SMS, a government messaging gateway …)."""

    name: str

    def send(self, message: Message) -> None: ...


class LogSender:
    """Writes each reminder to the Python log (``fazhi.reminders``)."""

    name = "log"

    def send(self, message: Message) -> None:
        log.info("督办提醒 %s %s：%s", message.unit_name, KINDS.get(message.kind, message.kind), message.message)


class FileSender:
    """Appends each reminder as one JSON line to a file (thread-safe within a process; each line is one
    write in append mode, so processes do not interleave lines)."""

    name = "file"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def send(self, message: Message) -> None:
        line = json.dumps(asdict(message), ensure_ascii=False) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(line)


def sender_from_env() -> Sender | None:
    """The sender ``FAZHI_REMINDER_SENDER`` names (``none``, ``log``, ``file:PATH``); None: in-app only."""
    spec = (os.environ.get(ENV_SENDER) or "none").strip()
    if spec in ("", "none"):
        return None
    if spec == "log":
        return LogSender()
    if spec.startswith("file:") and spec[5:]:
        return FileSender(spec[5:])
    raise ValueError(f"{ENV_SENDER}={spec!r}：应为 none、log 或 file:路径")


# =========================================================================== writing reminders
def notify(session: Session, unit_id: int, kind: str, message: str, *, task_id: int | None = None,
           day: dt.date | None = None) -> Reminder | None:
    """An in-app reminder for a unit, once per unit, kind, task and day (None when it exists already)."""
    from fazhi.supervision.campaigns import today

    when = day or today()
    exists = session.scalar(select(Reminder.id).where(
        Reminder.unit_id == unit_id, Reminder.kind == kind, Reminder.day == when,
        Reminder.task_id == task_id if task_id is not None else Reminder.task_id.is_(None)).limit(1))
    if exists is not None:
        return None
    row = Reminder(unit_id=unit_id, task_id=task_id, kind=kind, day=when, message=message)
    session.add(row)
    return row


@dataclass(frozen=True)
class ReminderRun:
    """What one run of :func:`make_reminders` wrote and sent."""

    day: dt.date
    created: int
    digests: int
    sent: int

    def to_json(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "created": self.created, "digests": self.digests, "sent": self.sent}


def _digest(unit_name: str, day: dt.date, late: list[Any], soon: list[Any]) -> str:
    def names(tasks: list[Any]) -> str:
        shown = "；".join(f"“{t.title[:30]}”（{t.next_due.isoformat()}）" for t in tasks[:5])
        return shown + (f" 等 {len(tasks)} 项" if len(tasks) > 5 else "")

    parts = [f"逾期 {len(late)} 项：{names(late)}" if late else "", f"临期 {len(soon)} 项：{names(soon)}" if soon else ""]
    return f"{unit_name}：截至 {day.isoformat()}，" + "；".join(p for p in parts if p) + "。请及时报送进展。"


def make_reminders(session: Session, day: dt.date, *, sender: Sender | None = None) -> ReminderRun:
    """Write the reminders of ``day`` for every open campaign and send those not sent (see the module)."""
    from fazhi.supervision.tasks import list_tasks

    actor = Actor.cli(name="督办提醒")
    created = digests = 0
    per_unit: dict[int, tuple[list[Any], list[Any]]] = defaultdict(lambda: ([], []))
    names: dict[int, str] = {}
    for campaign_id in session.scalars(select(Campaign.id).where(Campaign.status == "open").order_by(Campaign.id)):
        for task in list_tasks(session, actor, campaign_id, as_of=day):
            if task.lead.id is None or task.light == "on_track" or task.next_due is None:
                continue
            names[task.lead.id] = task.lead.name
            late, soon = per_unit[task.lead.id]
            (late if task.light == "overdue" else soon).append(task)
            what = "已逾期" if task.light == "overdue" else "即将到期"
            text = f"任务“{task.title[:40]}”的时间节点 {task.next_due.isoformat()} {what}，请及时报送进展。"
            created += notify(session, task.lead.id, task.light, text, task_id=task.id, day=task.next_due) is not None
    for unit_id, (late, soon) in per_unit.items():
        if notify(session, unit_id, "digest", _digest(names[unit_id], day, late, soon), day=day) is not None:
            digests += 1
    session.flush()
    sent = send_pending(session, sender) if sender is not None else 0
    return ReminderRun(day, created + digests, digests, sent)


def send_pending(session: Session, sender: Sender) -> int:
    """Send the reminders not sent yet; returns how many were sent."""
    rows = session.execute(select(Reminder, Unit.name).join(Unit, Unit.id == Reminder.unit_id).where(
        Reminder.sent_at.is_(None)).order_by(Reminder.id))
    sent = 0
    for reminder, unit_name in rows:
        sender.send(Message(reminder.id, reminder.unit_id, unit_name, reminder.kind, reminder.day.isoformat(),
                            reminder.message, reminder.task_id))
        reminder.sent_at, reminder.channel = utcnow(), sender.name
        sent += 1
    session.flush()
    return sent


# =========================================================================== the in-app list
@dataclass(frozen=True)
class ReminderView:
    id: int
    unit_id: int
    unit_name: str
    task_id: int | None
    kind: str
    day: dt.date
    message: str
    read: bool
    created_at: dt.datetime | None

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "unit": {"id": self.unit_id, "name": self.unit_name}, "task_id": self.task_id,
                "kind": self.kind, "kind_label": self.kind_label, "day": self.day.isoformat(),
                "message": self.message, "read": self.read,
                "created_at": self.created_at.isoformat() if self.created_at else None}


def list_reminders(session: Session, actor: Actor, *, unit_id: int | None = None, unread: bool = False,
                   limit: int = 100) -> list[ReminderView]:
    """Reminders, newest first: a unit user's own unit's; the office's for one unit or all it may see."""
    from fazhi.supervision.access import can_see_unit

    stmt = select(Reminder, Unit).join(Unit, Unit.id == Reminder.unit_id).order_by(Reminder.day.desc(),
                                                                                   Reminder.id.desc())
    if actor.unit_user:
        stmt = stmt.where(Reminder.unit_id == actor.unit_id)
    elif unit_id is not None:
        stmt = stmt.where(Reminder.unit_id == unit_id)
    if unread:
        stmt = stmt.where(Reminder.read_at.is_(None))
    out: list[ReminderView] = []
    for reminder, unit in session.execute(stmt.limit(max(1, min(limit, 1000)) * 2)):
        if can_see_unit(actor, unit) and len(out) < limit:
            out.append(ReminderView(reminder.id, unit.id, unit.name, reminder.task_id, reminder.kind, reminder.day,
                                    reminder.message, reminder.read_at is not None, reminder.created_at))
    return out


def mark_read(session: Session, actor: Actor, reminder_id: int) -> None:
    """A unit user marks one of their unit's reminders read."""
    row = session.get(Reminder, reminder_id)
    if row is None or not actor.unit_user or row.unit_id != actor.unit_id:
        raise NotFound(f"没有编号为 {reminder_id} 的提醒")
    row.read_at = row.read_at or utcnow()
    session.flush()


__all__ = ["ENV_SENDER", "KINDS", "FileSender", "LogSender", "Message", "ReminderRun", "ReminderView", "Sender",
           "list_reminders", "make_reminders", "mark_read", "notify", "send_pending", "sender_from_env"]
