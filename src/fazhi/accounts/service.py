"""Accounts: users, roles, region scopes, passwords and API tokens — the services behind 用户管理, the
API and ``fazhi user``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fazhi.accounts import passwords, roles
from fazhi.accounts.audit import audit
from fazhi.accounts.models import ApiToken, Credential, User
from fazhi.accounts.roles import Scope
from fazhi.clean import one_line
from fazhi.config import Settings
from fazhi.db.base import utcnow


class AccountError(ValueError):
    """A user or token operation that cannot be done (message in Chinese)."""


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


def _apply_scope(cred: Credential, region: str | None) -> None:
    if region is None or not region.strip():
        cred.region = cred.region_code = cred.province = cred.city = cred.county = cred.township = None
        return
    try:
        sc = roles.resolve_region(region)
    except roles.RegionError as exc:
        raise AccountError(str(exc)) from None
    cred.region, cred.region_code = sc.label, sc.code
    cred.province, cred.city, cred.county, cred.township = sc.province, sc.city, sc.county, sc.township


def create_user(session: Session, name: str, role: str, password: str | None, settings: Settings, *,
                region: str | None = None, actor_id: int | None = None) -> User:
    """A new account (or credentials for a user row the CLI made with ``--user``)."""

    name, role = _check_name(name), _check_role(role)
    if password is not None:
        try:
            passwords.check_password_policy(password)
        except ValueError as exc:
            raise AccountError(str(exc)) from None
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
    _apply_scope(cred, region)
    session.add(cred)
    session.flush()
    audit(session, actor_id, "user.create", "user", user.id,
          {"name": name, "role": role, "region": cred.region})
    return user


def _active_admins(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User).join(Credential, Credential.user_id == User.id)
                              .where(User.role == "admin", Credential.active.is_(True))) or 0)


def update_user(session: Session, user_id: int, *, role: str | None = None, region: str | None = None,
                set_region: bool = False, active: bool | None = None, actor_id: int | None = None) -> User:
    """Change a user's role, region scope (``set_region``) or whether it may sign in.

    Any change ends the user's sessions.  The last active administrator cannot
    be demoted or disabled."""
    user = session.get(User, user_id)
    cred = session.get(Credential, user_id)
    if user is None or cred is None:
        raise AccountError("没有这个用户")
    before = {"role": user.role, "region": cred.region, "active": cred.active}
    was_admin = user.role == "admin" and cred.active
    if role is not None:
        user.role = _check_role(role)
    if set_region:
        _apply_scope(cred, region)
    if active is not None:
        cred.active = active
    if was_admin and (user.role != "admin" or not cred.active):
        session.flush()
        if _active_admins(session) == 0:
            raise AccountError("至少要保留一名启用的管理员")
    after = {"role": user.role, "region": cred.region, "active": cred.active}
    if after != before:
        cred.session_version += 1
        cred.updated_at = utcnow()
        audit(session, actor_id, "user.update", "user", user.id, {"name": user.name, "before": before, "after": after})
    session.flush()
    return user


def set_password(session: Session, user_id: int, password: str, settings: Settings, *,
                 actor_id: int | None = None) -> None:
    """Set a new password; the user's other sessions end."""

    cred = session.get(Credential, user_id)
    user = session.get(User, user_id)
    if cred is None or user is None:
        raise AccountError("没有这个用户")
    try:
        cred.password_hash = passwords.hash_password(password, settings)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    cred.password_changed_at = cred.updated_at = utcnow()
    cred.session_version += 1
    audit(session, actor_id, "user.password", "user", user_id, {"name": user.name})
    session.flush()


def list_users(session: Session) -> list[UserRow]:
    tokens = dict(session.execute(select(ApiToken.user_id, func.count()).where(ApiToken.revoked_at.is_(None))
                                  .group_by(ApiToken.user_id)).all())
    out = []
    for user, cred in session.execute(select(User, Credential).outerjoin(Credential, Credential.user_id == User.id)
                                      .order_by(User.id)):
        out.append(UserRow(user, cred, int(tokens.get(user.id, 0)), Scope.of(cred)))
    return out


def get_user(session: Session, name_or_id: str | int) -> User | None:
    if isinstance(name_or_id, int):
        return session.get(User, name_or_id)
    return session.scalar(select(User).where(User.name == name_or_id))


def create_token(session: Session, user_id: int, name: str = "", *, expires_days: float | None = None,
                 actor_id: int | None = None) -> tuple[ApiToken, str]:
    """A new API token for the user: (row, the token — shown once, stored hashed)."""

    if session.get(Credential, user_id) is None:
        raise AccountError("没有这个用户（或该用户没有登录凭据）")
    label = one_line(name)[:128] or "API"
    tok = passwords.new_token()
    now = utcnow()
    row = ApiToken(user_id=user_id, name=label, token_hash=passwords.token_hash(tok), prefix=tok[:10], created_at=now,
                   expires_at=now + dt.timedelta(days=expires_days) if expires_days else None)
    session.add(row)
    session.flush()
    audit(session, actor_id if actor_id is not None else user_id, "token.create", "api_token", row.id,
          {"user_id": user_id, "name": label, "prefix": row.prefix})
    return row, tok


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())))


def revoke_token(session: Session, token_id: int, *, user_id: int | None = None, actor_id: int | None = None) -> bool:
    """Revoke a token (of ``user_id`` when given); False when there is no such token."""
    row = session.get(ApiToken, token_id)
    if row is None or (user_id is not None and row.user_id != user_id) or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    audit(session, actor_id, "token.revoke", "api_token", row.id, {"user_id": row.user_id, "prefix": row.prefix})
    session.flush()
    return True


def has_users(session: Session) -> bool:
    return session.scalar(select(Credential.user_id).limit(1)) is not None
