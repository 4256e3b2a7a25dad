"""Build what part 1 would have recorded — units, a campaign, tasks, progress, evidence, a stored annual
report — directly with the models, for the assessment and inspection tests.  All names and texts are
invented for fazhi's tests (real places, invented work)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

import fazhi
from fazhi.accounts.models import User
from fazhi.corpus import service as corpus
from fazhi.supervision import models as m
from fazhi.supervision.access import Actor
from fazhi.units.models import Unit, UnitMember

CHINA = dt.timezone(dt.timedelta(hours=8))


def at(day: str, hour: int = 10) -> dt.datetime:
    """A submission time on ``day`` (ISO), China time."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), CHINA)


def unit(session: Session, name: str, type: str, level: str, parent: Unit | None = None, **region: str) -> Unit:
    u = Unit(name=name, type=type, level=level, parent_id=parent.id if parent else None, created_how="manual", **region)
    session.add(u)
    session.flush()
    return u


def user(session: Session, name: str, role: str, unit_row: Unit | None = None, duty: str = "filler") -> Actor:
    """A user (and their unit membership) and the actor they are."""
    u = User(name=name, role=role)
    session.add(u)
    session.flush()
    if unit_row is not None:
        session.add(UnitMember(user_id=u.id, unit_id=unit_row.id, duty=duty))
        session.flush()
    return Actor.of_user(session, u.id, role, name=name)


def campaign(session: Session, organiser: Unit, year: int, name: str = "") -> m.Campaign:
    c = m.Campaign(name=name or f"{organiser.name}{year}年度法治政府建设考核", kind="annual", year=year,
                   organiser_id=organiser.id, organiser_name=organiser.name, settings={})
    session.add(c)
    session.flush()
    return c


def task(session: Session, c: m.Campaign, title: str, lead: Unit, due: str | None, *, ref: str | None = None,
         status: str = "assigned", milestones: Sequence[str] = ()) -> m.Task:
    t = m.Task(campaign_id=c.id, title=title, lead_unit_id=lead.id, lead_name=lead.name,
               due=dt.date.fromisoformat(due) if due else None, due_text=due, indicator_ref=ref, status=status,
               milestones=[*milestones, *([due] if due else [])])
    session.add(t)
    session.flush()
    return t


def progress(session: Session, t: m.Task, u: Unit, day: str, *, status: str = "submitted", text: str = "已报送",
             figures: Sequence[dict[str, object]] = ()) -> m.Progress:
    p = m.Progress(task_id=t.id, unit_id=u.id, text=text, status=status, created_at=at(day), figures=list(figures))
    session.add(p)
    session.flush()
    return p


def evidence(session: Session, target_type: str, target_id: int, title: str, *, deleted: bool = False,
             kind: str = "file", status: str = "accepted") -> m.Evidence:
    e = m.Evidence(kind=kind, title=title, filename=f"{title}.pdf", format="pdf", sha256="0" * 64, size=10,
                   deleted_at=at("2025-11-01") if deleted else None)
    session.add(e)
    session.flush()
    session.add(m.EvidenceLink(evidence_id=e.id, target_type=target_type, target_id=target_id, status=status))
    session.flush()
    return e


def store_report(session: Session, text: str) -> int:
    """Review ``text`` and store it as the corpus does; the report's id."""
    review = fazhi.review(text)
    return corpus.save_review(session, review.to_json(), review.text).id
