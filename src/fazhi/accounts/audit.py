"""The audit log: who changed what, when (append-only rows of ``audit_events``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from fazhi.accounts.models import AuditEvent, User
from fazhi.db.base import utcnow


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
