"""The audit log: who changed what, when (append-only rows of ``audit_events``), and who may read which rows.

An administrator without a region scope reads every row.  A **scoped**
administrator (焦作市) reads only the rows about things within their scope:

- a report (``report.upload``, ``report.delete``, ``report.refresh`` …): the
  report is stored and in the scope — or it is not stored (refused, deleted)
  and the row was written by an account within the scope;
- an account or an API token: the account lies within the scope;
- an export of the compare table: written by an account within the scope
  (an export never leaves its author's scope);
- nothing else: sign-in failures by address (they name no account of
  theirs), knowledge versions and re-reviews (unscoped administrators' work).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from fazhi.accounts.models import ApiToken, AuditEvent, User
from fazhi.accounts.roles import Actor
from fazhi.db.base import utcnow


def audit(session: Session, user_id: int | None, action: str, object_type: str, object_id: int | None = None,
          detail: dict[str, Any] | None = None) -> None:
    """Record who did what (in the caller's transaction)."""
    session.add(AuditEvent(user_id=user_id, action=action[:64], object_type=object_type[:32], object_id=object_id,
                           detail=detail, at=utcnow()))


#: how a domain says which of its audit rows a scoped actor may read: (actor, "written by one of the actor's
#: accounts" condition) -> condition on AuditEvent; keyed by the rows' ``object_type``
ObjectRule = Callable[[Actor, ColumnElement[bool]], ColumnElement[bool]]


def visible_to(actor: Actor, rules: Mapping[str, ObjectRule] | None = None) -> ColumnElement[bool] | None:
    """SQL: the audit rows ``actor`` may read (None: every row — an unscoped actor).  Accounts, tokens and
    exports are decided here; the rows about other domains' objects by the ``rules`` those domains give
    (e.g. :func:`fazhi.corpus.reports.audit_rules` for reports); an object type without a rule is hidden."""
    if actor.scope is None:
        return None
    from fazhi.accounts.service import in_scope_user_ids

    users = in_scope_user_ids(actor)
    by_user = AuditEvent.user_id.in_(users)
    domain = [and_(AuditEvent.object_type == kind, rule(actor, by_user)) for kind, rule in (rules or {}).items()]
    return or_(
        *domain,
        and_(AuditEvent.object_type == "user", AuditEvent.object_id.in_(users)),
        and_(AuditEvent.object_type == "api_token",
             AuditEvent.object_id.in_(select(ApiToken.id).where(ApiToken.user_id.in_(users)))),
        and_(AuditEvent.object_type == "compare", by_user),
    )


def list_audit(session: Session, actor: Actor, *, action: str | None = None, user: str | None = None,
               limit: int = 100, offset: int = 0, rules: Mapping[str, ObjectRule] | None = None
               ) -> tuple[int, list[AuditEvent]]:
    """(how many rows ``actor`` may read that match, one page of them, newest first); ``rules``: see
    :func:`visible_to`."""
    stmt: Select[Any] = select(AuditEvent)
    cond = visible_to(actor, rules)
    if cond is not None:
        stmt = stmt.where(cond)
    if action:
        stmt = stmt.where(AuditEvent.action.like(action.replace("%", "") + "%"))
    if user:
        stmt = stmt.where(AuditEvent.user_id.in_(select(User.id).where(User.name == user).scalar_subquery()))
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = list(session.scalars(stmt.options(joinedload(AuditEvent.user))
                                .order_by(AuditEvent.id.desc()).limit(limit).offset(offset)))
    return total, rows


__all__ = ["ObjectRule", "audit", "list_audit", "visible_to"]
