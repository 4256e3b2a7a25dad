"""Who may do what in the supervision cycle: the acting user as an :class:`Actor`, and the checks every
service runs before it changes or shows anything.

Roles (``users.role``, see :mod:`fazhi.accounts.roles`):

- the **office** (依法治X办, 司法局): ``admin`` and ``reviewer`` (审核员) users.  They deploy and supervise
  campaigns whose organiser lies within their region scope (no scope: every campaign): import
  frameworks, profiles and 分工表, review progress, score, inspect, answer reports;
- a **unit user** (``unit``, 单位用户) belongs to one unit (:class:`fazhi.units.models.UnitMember`) as its
  填报 (``filler``: reports progress and evidence, self-assesses, drafts) or its 主要负责人 (``leader``:
  confirms before anything is submitted).  A unit user sees only their unit's tasks, scores, items and
  reports; when their unit is the 评分责任单位 of profile items, they score those items for the other
  units (never for their own unit: recusal);
- ``viewer`` (查看): reads what is in their scope, changes nothing.

The CLI acts as an unscoped office user (``Actor.cli()``) unless told who acts.  Every refusal raises
:class:`Forbidden` (message in Chinese); a service that hides an object outside the actor's scope raises
:class:`NotFound` instead, so ids cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.units.models import Unit, UnitMember
from fazhi.units.scope import Scope

OFFICE_ROLES = frozenset({"admin", "reviewer"})
UNIT_ROLE = "unit"


class Forbidden(PermissionError):
    """The actor may not do this (message in Chinese)."""


class NotFound(LookupError):
    """No such object — or not one the actor may see (message in Chinese)."""


@dataclass(frozen=True)
class Actor:
    """The user acting: id (None for the CLI), role, region scope (None: every region), unit and duty."""

    user_id: int | None
    role: str
    scope: Scope | None = None
    unit_id: int | None = None
    duty: str | None = None  # filler | leader (unit users)
    name: str = ""

    @classmethod
    def cli(cls, user_id: int | None = None, name: str = "命令行") -> Actor:
        """The command line: an unscoped office user (who may be recorded as ``user_id``)."""
        return cls(user_id=user_id, role="admin", name=name)

    @classmethod
    def of_user(cls, session: Session, user_id: int, role: str, scope: Scope | None = None, name: str = "") -> Actor:
        """An actor for a signed-in user, with their unit membership if they have one."""
        m = session.get(UnitMember, user_id)
        return cls(user_id=user_id, role=role, scope=scope, unit_id=m.unit_id if m else None,
                   duty=m.duty if m else None, name=name)

    @property
    def office(self) -> bool:
        return self.role in OFFICE_ROLES

    @property
    def unit_user(self) -> bool:
        return self.role == UNIT_ROLE and self.unit_id is not None


def in_scope(actor: Actor, unit: Unit | None) -> bool:
    """Whether ``unit`` lies within the actor's region scope (no scope: everywhere)."""
    if actor.scope is None:
        return True
    if unit is None:
        return False
    f = actor.scope.fields()
    return bool(f) and all(getattr(unit, k) == v for k, v in f.items())


def can_see_unit(actor: Actor, unit: Unit) -> bool:
    """An office user or a viewer in scope, or a member of that unit."""
    if actor.unit_user:
        return actor.unit_id == unit.id
    return actor.role in (*OFFICE_ROLES, "viewer") and in_scope(actor, unit)


def need_office(actor: Actor, organiser: Unit | None, what: str = "此操作") -> None:
    """Refuse unless the actor is the office for a campaign organised by ``organiser``."""
    if not actor.office:
        raise Forbidden(f"{what}需要督导办公室（管理员或审核员）权限")
    if not in_scope(actor, organiser):
        raise Forbidden(f"{what}超出您的管辖范围（{actor.scope.label if actor.scope else ''}）")


def need_member(actor: Actor, unit_id: int | None, what: str = "此操作", *, leader: bool = False) -> None:
    """Refuse unless the actor belongs to unit ``unit_id`` (as its leader when ``leader``)."""
    if not actor.unit_user or actor.unit_id != unit_id:
        raise Forbidden(f"{what}只能由本单位用户办理")
    if leader and actor.duty != "leader":
        raise Forbidden(f"{what}需要本单位主要负责人确认")


def member_units(session: Session, unit_id: int) -> list[int]:
    """The users of a unit (ids)."""
    return list(session.scalars(select(UnitMember.user_id).where(UnitMember.unit_id == unit_id)))


__all__ = ["OFFICE_ROLES", "UNIT_ROLE", "Actor", "Forbidden", "NotFound", "can_see_unit", "in_scope",
           "member_units", "need_member", "need_office"]
