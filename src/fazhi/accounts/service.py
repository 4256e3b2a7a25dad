"""Accounts: users, roles, region scopes, passwords and API tokens — the services behind 用户管理, the
账户 page, the API and ``fazhi user``.

Every function that reads or changes accounts takes the **acting user**
(:class:`Actor`: id, role, region scope), and the rules are enforced here, so
the pages, the API and the command line cannot differ:

- only a role allowed ``manage_users`` (管理员) manages other accounts;
- an administrator sees, creates, changes, resets and disables only accounts
  whose region scope lies within their own (an unscoped administrator: every
  account; a 焦作市 administrator: accounts scoped to 焦作市 or below — not the
  unscoped ones, not 信阳市's); any other account does not exist for them
  (:attr:`AccountError.status` 404, as a report outside one's scope);
- nobody grants a role above their own or a scope wider than their own
  (a scoped administrator cannot create an unscoped account);
- nobody changes their own role or scope, or disables their own account;
- everyone may manage their own API tokens and password.

The command line acts as :data:`~fazhi.accounts.roles.SYSTEM`, an unscoped administrator with no id
(whoever can run ``fazhi user`` on the server can read the database anyway).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Session, joinedload

from fazhi.accounts import passwords, roles
from fazhi.accounts.audit import audit
from fazhi.accounts.models import ApiToken, Credential, User
from fazhi.accounts.roles import SYSTEM, Actor, Scope
from fazhi.clean import one_line
from fazhi.config import Settings
from fazhi.db.base import utcnow


class AccountError(ValueError):
    """A user or token operation that cannot be done (message in Chinese; ``status`` for HTTP: 400 a bad
    value, 403 not allowed, 404 no such account — or one outside the actor's scope)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


NOT_FOUND = "没有这个用户"
_NAME = re.compile(r"^[^\s\x00-\x1f\x7f/\\<>\"'&]{1,64}$")


@dataclass
class UserRow:
    user: User
    cred: Credential | None
    tokens: int = 0
    scope: Scope | None = field(default=None)

    @property
    def active(self) -> bool:
        return bool(self.cred and self.cred.active)


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not _NAME.match(name):
        raise AccountError("用户名须为 1–64 个字符，不含空格、斜杠、引号、尖括号和 &")
    return name


def _check_role(role: str) -> str:
    if role not in roles.ASSIGNABLE:
        raise AccountError(f"角色须为 {'、'.join(roles.ASSIGNABLE)} 之一（管理员 admin、审核员 reviewer、查看 viewer、"
                           "单位用户 unit）")
    return role


def _check_password(password: str, name: str) -> None:
    try:
        passwords.check_password_policy(password, name)
    except ValueError as exc:
        raise AccountError(str(exc)) from None


def _resolve_scope(region: str | None) -> Scope | None:
    if region is None or not region.strip():
        return None
    try:
        return roles.resolve_region(region)
    except roles.RegionError as exc:
        raise AccountError(str(exc)) from None


def _apply_scope(cred: Credential, sc: Scope | None) -> None:
    if sc is None:
        cred.region = cred.region_code = cred.province = cred.city = cred.county = cred.township = None
        return
    cred.region, cred.region_code = sc.label, sc.code
    cred.province, cred.city, cred.county, cred.township = sc.province, sc.city, sc.county, sc.township


# =========================================================================== what an actor may do
def _manager(actor: Actor) -> None:
    if not roles.allowed(actor.role, "manage_users"):
        raise AccountError("权限不足：只有管理员能管理其他用户", 403)


def _may_give(actor: Actor, role: str, scope: Scope | None) -> None:
    """Refuse a role above the actor's own or a scope wider than the actor's (403)."""
    if not actor.grants(role):
        raise AccountError(f"不能授予高于您自己的角色（{roles.ROLE_LABEL.get(actor.role, actor.role)}）", 403)
    if not actor.covers(scope):
        assert actor.scope is not None
        raise AccountError(f"查看范围不能超出您自己的范围（{actor.scope.label}）：请填写 {actor.scope.label} "
                           "或其下属地区", 403)


def _target(session: Session, actor: Actor, user_id: int) -> tuple[User, Credential]:
    """The account ``user_id`` if the actor may manage it — themselves, or an account within their scope —
    else 404 (an account outside one's scope does not exist for one)."""
    user = session.get(User, user_id)
    cred = session.get(Credential, user_id)
    if user is None or cred is None:
        raise AccountError(NOT_FOUND, 404)
    if actor.id is not None and actor.id == user_id:
        return user, cred
    if not roles.allowed(actor.role, "manage_users") or not actor.covers(Scope.of(cred)):
        raise AccountError(NOT_FOUND, 404)
    return user, cred


def scope_condition(actor: Actor) -> ColumnElement[bool]:
    """SQL on ``user_credentials``: the account lies within the actor's scope (true for an unscoped actor)."""
    if actor.scope is None:
        return true()
    fields = actor.scope.fields()
    if not fields:
        return false()
    return and_(*(getattr(Credential, k) == v for k, v in fields.items()))


def in_scope_user_ids(actor: Actor) -> Select[tuple[int]]:
    """A subquery of the ids of the accounts within the actor's scope (and the actor's own)."""
    own = Credential.user_id == actor.id if actor.id is not None else false()
    return select(Credential.user_id).where(or_(scope_condition(actor), own))


# =========================================================================== users
def create_user(session: Session, name: str, role: str, password: str | None, settings: Settings, *,
                region: str | None = None, actor: Actor) -> User:
    """A new account (or credentials for a user row the CLI made with ``--user``), made by ``actor``."""
    _manager(actor)
    name, role = _check_name(name), _check_role(role)
    scope = _resolve_scope(region)
    _may_give(actor, role, scope)
    if password is not None:
        _check_password(password, name)
    user = session.scalar(select(User).where(User.name == name))
    if user is not None and session.get(Credential, user.id) is not None:
        raise AccountError(f"用户 {name} 已存在")
    if user is None:
        user = User(name=name, role=role, created_at=utcnow())
        session.add(user)
        session.flush()
    user.role = role
    cred = Credential(user_id=user.id, active=True, session_version=1, updated_at=utcnow(),
                      password_hash=passwords.hash_password(password, settings) if password else None,
                      password_changed_at=utcnow() if password else None)
    _apply_scope(cred, scope)
    session.add(cred)
    session.flush()
    audit(session, actor.id, "user.create", "user", user.id,
          {"name": name, "role": role, "region": cred.region})
    return user


def _active_admins(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User).join(Credential, Credential.user_id == User.id)
                              .where(User.role == "admin", Credential.active.is_(True))) or 0)


def update_user(session: Session, user_id: int, *, role: str | None = None, region: str | None = None,
                set_region: bool = False, active: bool | None = None, actor: Actor) -> User:
    """Change a user's role, region scope (``set_region``) or whether it may sign in.

    Any change ends the user's sessions.  The last active administrator cannot
    be demoted or disabled; nobody changes their own role, scope or status."""
    user, cred = _target(session, actor, user_id)
    _manager(actor)
    before = {"role": user.role, "region": cred.region, "active": cred.active}
    new_role = _check_role(role) if role is not None else user.role
    new_scope = _resolve_scope(region) if set_region else Scope.of(cred)
    new_active = cred.active if active is None else active
    changes = (new_role != user.role, set_region and _key(new_scope) != _key(Scope.of(cred)),
               new_active != cred.active)
    if not any(changes):
        return user
    if actor.id == user_id:
        raise AccountError("不能修改自己的角色、查看范围或启用状态（请另一位管理员修改）", 403)
    _may_give(actor, new_role, new_scope)
    was_admin = user.role == "admin" and cred.active
    user.role = new_role
    if set_region:
        _apply_scope(cred, new_scope)
    cred.active = new_active
    if was_admin and (user.role != "admin" or not cred.active):
        session.flush()
        if _active_admins(session) == 0:
            raise AccountError("至少要保留一名启用的管理员")
    after = {"role": user.role, "region": cred.region, "active": cred.active}
    cred.session_version += 1
    cred.updated_at = utcnow()
    audit(session, actor.id, "user.update", "user", user.id, {"name": user.name, "before": before, "after": after})
    session.flush()
    return user


def _key(scope: Scope | None) -> str:
    return "" if scope is None else scope.key()


def set_password(session: Session, user_id: int, password: str, settings: Settings, *, actor: Actor) -> None:
    """Set a new password (one's own, or an account's within the actor's scope); its other sessions end."""
    user, cred = _target(session, actor, user_id)
    _check_password(password, user.name)
    cred.password_hash = passwords.hash_password(password, settings)
    cred.password_changed_at = cred.updated_at = utcnow()
    cred.session_version += 1
    audit(session, actor.id, "user.password", "user", user_id, {"name": user.name})
    session.flush()


def list_users(session: Session, actor: Actor) -> list[UserRow]:
    """The users the actor may manage (a scoped administrator: the accounts within their scope)."""
    _manager(actor)
    tokens: dict[int, int] = {uid: int(n) for uid, n in session.execute(
        select(ApiToken.user_id, func.count()).where(ApiToken.revoked_at.is_(None)).group_by(ApiToken.user_id))}
    stmt = select(User, Credential).outerjoin(Credential, Credential.user_id == User.id).order_by(User.id)
    if actor.scope is not None:
        stmt = stmt.where(User.id.in_(in_scope_user_ids(actor)))
    return [UserRow(user, cred, int(tokens.get(user.id, 0)), Scope.of(cred)) for user, cred in session.execute(stmt)]


def get_user(session: Session, name_or_id: str | int) -> User | None:
    if isinstance(name_or_id, int):
        return session.get(User, name_or_id)
    return session.scalar(select(User).where(User.name == name_or_id))


# =========================================================================== API tokens
MAX_TOKEN_DAYS = 3650


def create_token(session: Session, user_id: int, name: str = "", *, expires_days: float, actor: Actor
                 ) -> tuple[ApiToken, str]:
    """A new API token for the user (one's own, or — an administrator — an account's within scope) that
    expires after ``expires_days`` days: (row, the token — shown once, stored hashed)."""
    try:
        user, _cred = _target(session, actor, user_id)
    except AccountError:
        raise AccountError("没有这个用户（或该用户没有登录凭据）", 404) from None
    if not 0 < expires_days <= MAX_TOKEN_DAYS:
        raise AccountError(f"有效期须为 1–{MAX_TOKEN_DAYS} 天")
    label = one_line(name)[:128] or "API"
    tok = passwords.new_token()
    now = utcnow()
    row = ApiToken(user_id=user.id, name=label, token_hash=passwords.token_hash(tok), prefix=tok[:10], created_at=now,
                   expires_at=now + dt.timedelta(days=expires_days))
    session.add(row)
    session.flush()
    audit(session, actor.id if actor.id is not None else user.id, "token.create", "api_token", row.id,
          {"user_id": user.id, "name": label, "prefix": row.prefix})
    return row, tok


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """One user's tokens, newest first (the 账户 page)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())))


def managed_tokens(session: Session, actor: Actor) -> list[ApiToken]:
    """The tokens not yet revoked of every account the actor manages, with their users (用户管理)."""
    _manager(actor)
    stmt = (select(ApiToken).options(joinedload(ApiToken.user)).where(ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.user_id, ApiToken.id.desc()))
    if actor.scope is not None:
        stmt = stmt.where(ApiToken.user_id.in_(in_scope_user_ids(actor)))
    return list(session.scalars(stmt))


def revoke_token(session: Session, token_id: int, *, actor: Actor) -> bool:
    """Revoke a token — one's own, or (an administrator) one of an account within scope; False when there
    is no such token for the actor (or it is revoked already)."""
    row = session.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None:
        return False
    try:
        _target(session, actor, row.user_id)
    except AccountError:
        return False
    row.revoked_at = utcnow()
    audit(session, actor.id, "token.revoke", "api_token", row.id, {"user_id": row.user_id, "prefix": row.prefix})
    session.flush()
    return True


def has_users(session: Session) -> bool:
    return session.scalar(select(Credential.user_id).limit(1)) is not None


__all__ = ["MAX_TOKEN_DAYS", "NOT_FOUND", "SYSTEM", "AccountError", "Actor", "UserRow", "create_token",
           "create_user", "get_user", "has_users", "in_scope_user_ids", "list_tokens", "list_users",
           "managed_tokens", "revoke_token", "scope_condition", "set_password", "update_user"]
