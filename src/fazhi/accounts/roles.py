"""Roles and region scope.

Roles (``users.role``), each allowed what the one below is allowed:

- ``viewer`` 查看 — read: reports, the dashboard, the compare table, the API's GETs;
- ``reviewer`` 审核员 — and upload (review and store), delete reports, export xlsx/csv;
- ``admin`` 管理员 — and manage users and tokens, read the audit log, and manage the
  rule and catalogue versions of the database (规则与指标, ``manage_knowledge``).

A user may also have a **region scope** (河南省焦作市): they see only the
reports whose issuer is in that region or below (焦作市 itself, its districts
and counties, their townships and streets, and the departments of all of
them).  The scope is one more condition of a
:class:`~fazhi.corpus.service.ReportFilter` (:func:`fazhi.corpus.service.scoped`), so every list,
get, compare, export, chart and API call that goes through a filter respects
it.  A report outside the scope does not exist for that user: 404, never 403.
Reports whose issuer was not resolved are outside every scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fazhi.units.scope import RegionError, Scope, resolve_region

ROLES = ("viewer", "reviewer", "admin")
#: the roles' Chinese names; ``user`` is the role ``fazhi … --user NAME`` gives a name it records (an
#: uploader or deleter on the command line): such a user has no password and no role here, cannot sign in
#: until an administrator gives it one (用户管理 → 开通登录)
ROLE_LABEL = {"admin": "管理员", "reviewer": "审核员", "viewer": "查看", "unit": "单位用户",
              "user": "命令行用户（无登录权限）"}
#: the roles an account may be given: the ranked ones, and ``unit`` (单位用户: a member of one supervised unit,
#: :class:`fazhi.units.models.UnitMember`; it has no rank here, so none of the corpus's actions)
ASSIGNABLE = (*ROLES, "unit")
_RANK = {r: i for i, r in enumerate(ROLES)}

#: what each action needs
NEEDS = {"read": "viewer", "upload": "reviewer", "delete": "reviewer", "export": "reviewer",
         "manage_users": "admin", "audit": "admin", "manage_knowledge": "admin"}


def rank(role: str | None) -> int:
    """The power of a role; unknown roles (the CLI's ``user``) have none."""
    return _RANK.get(role or "", -1)


def allowed(role: str | None, action: str) -> bool:
    return rank(role) >= _RANK[NEEDS[action]]


@dataclass(frozen=True)
class Actor:
    """Who asks: their user id (None: the command line), role and region scope (None: every region)."""

    id: int | None
    role: str
    scope: Scope | None

    @classmethod
    def of(cls, who: Any) -> Actor:
        """The actor of anything with ``id``, ``role`` and ``scope`` (the web's signed-in user)."""
        return cls(who.id, who.role, who.scope)

    def covers(self, scope: Scope | None) -> bool:
        """Whether a region scope (an account's) lies within this actor's own (None: every region)."""
        if self.scope is None:
            return True
        return scope is not None and self.scope.contains(scope.fields())

    def grants(self, role: str) -> bool:
        """Whether this actor may give ``role`` (never one above their own; ``unit``, which has no rank, only
        an administrator gives)."""
        if role == "unit":
            return self.role == "admin"
        return 0 <= rank(role) <= rank(self.role)


#: the command line (``fazhi user …``): an unscoped administrator with no user id
SYSTEM = Actor(None, "admin", None)


__all__ = ["ASSIGNABLE", "NEEDS", "ROLES", "ROLE_LABEL", "SYSTEM", "Actor", "RegionError", "Scope", "allowed", "rank",
           "resolve_region"]
