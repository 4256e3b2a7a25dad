"""Accounts of the web application: credentials, roles' region scope, API tokens, login failures.

The person is a :class:`User` row (``users``: name, role); everything about
signing in hangs off it, and :class:`AuditEvent` records what each did:

- :class:`Credential` (``user_credentials``, one per user): the Argon2 hash of
  the password, whether the account may sign in, its **region scope** (the
  region path a scoped user is limited to, e.g. 河南省/焦作市: such a user sees
  only reports whose issuer is in that region or below), and a
  ``session_version`` that is bumped to log a user out everywhere (password
  changed, account disabled);
- :class:`ApiToken` (``api_tokens``): tokens for scripts, stored as the
  SHA-256 of the token (tokens are 256-bit random strings, so a fast hash is
  enough; the token itself is shown once);
- :class:`LoginFailure` (``login_failures``): failed sign-ins by user name and
  client address, which the login rate limit counts (kept in the database so
  that every worker process and a restart see the same count);
- :class:`AppSetting` (``app_settings``): small key/value settings of the
  installation, e.g. the generated secret key that signs session cookies when
  ``FAZHI_SECRET_KEY`` is not set.

Roles are ``users.role``: ``admin`` (管理员), ``reviewer`` (审核员), ``viewer``
(查看); see :mod:`fazhi.accounts.roles`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fazhi.db.base import Base, JSONType, utcnow


class User(Base):
    """Who did something.  Sign-in details are in :class:`Credential`."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    role: Mapped[str] = mapped_column(String(32), default="user")  # user | editor | admin | …
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"User(id={self.id}, name={self.name!r}, role={self.role!r})"


class AuditEvent(Base):
    """A change made to the store by someone (deletions, refreshes; creation is on the row itself)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))  # report.delete | report.refresh | …
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    user: Mapped[User | None] = relationship()

class Credential(Base):
    """How a user signs in, and what they may see (one row per user)."""

    __tablename__ = "user_credentials"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))  # Argon2id; None: cannot sign in
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: the region scope as shown (河南省焦作市), and its path; all None: every report
    region: Mapped[str | None] = mapped_column(String(255))
    region_code: Mapped[str | None] = mapped_column(String(32))
    province: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(64))
    county: Mapped[str | None] = mapped_column(String(64))
    township: Mapped[str | None] = mapped_column(String(64))
    #: part of every session cookie: bumping it ends every session of the user
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship()


class ApiToken(Base):
    """A token for scripts (``Authorization: Bearer <token>``), stored hashed."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, to recognise it in lists
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class LoginFailure(Base):
    """One failed sign-in (counted by the login rate limit, pruned after a while)."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_user_ip", "username", "ip", "at"),
        Index("ix_login_failures_ip", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(128))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AppSetting(Base):
    """A setting of the installation (``secret_key`` …)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


__all__ = ["ApiToken", "AppSetting", "AuditEvent", "Credential", "LoginFailure", "User"]
