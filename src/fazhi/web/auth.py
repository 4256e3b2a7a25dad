"""Authentication: passwords, sessions in signed cookies, CSRF, API tokens, the login rate limit.

Passwords and tokens
    :mod:`fazhi.accounts.passwords` (Argon2id; tokens kept as their SHA-256).

Sessions
    One cookie, ``fazhi_session``: ``{"u": user id, "v": session version,
    "c": CSRF token}`` signed with the secret key (``itsdangerous``, HMAC
    SHA-1 with a salt; timestamped, refused after the session lifetime).
    HttpOnly, SameSite=Lax, Path=/, Secure when the request came over https
    (or as configured).  Nothing else is kept on the server: bumping the
    user's ``session_version`` (password change, account disabled, logout)
    ends every session of that user.  A visitor who is not signed in gets an
    anonymous session (``u`` null) when the login page is shown, so the login
    form is CSRF-protected too; signing in issues a new cookie with a new
    CSRF token (no session fixation).

CSRF
    Every state-changing request authenticated by the cookie must carry the
    session's CSRF token: the form field ``csrf_token`` or the header
    ``X-CSRF-Token`` (the upload page's JavaScript).  Requests authenticated
    by an API token (``Authorization: Bearer …``) carry no cookie and need no
    CSRF token.  A cross-site ``Origin`` header is refused as well.

API tokens
    ``fz_`` + 43 URL-safe characters (256 random bits), shown once; the
    database keeps their SHA-256.  A request with an ``Authorization``
    header is judged by it alone (a bad token is 401, whatever the cookie).

Login rate limit
    Failed logins are rows of ``login_failures`` (the database, so every
    worker process and a restart count the same): after
    ``login_max_failures`` (5) failures for one user name from one address
    within ``login_window_seconds`` (300 s), further attempts get 429 without
    the password being checked, until the window has passed; an address with
    ``login_max_failures_ip`` (50) failures over any user names is stopped
    the same way.  A successful login clears that user name's failures from
    that address.
"""

from __future__ import annotations

import datetime as dt
import hmac
import random
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import HTTPException, Request, Response
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session

from fazhi.accounts import roles
from fazhi.accounts.models import ApiToken, AppSetting, Credential, LoginFailure, User
from fazhi.accounts.passwords import TOKEN_PREFIX, token_hash, verify_password
from fazhi.accounts.roles import Scope
from fazhi.config import Settings
from fazhi.db.base import utcnow
from fazhi.web.dbsession import read_session

COOKIE = "fazhi_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def new_csrf() -> str:
    return secrets.token_urlsafe(32)


# =========================================================================== secret key
def secret_key(session: Session, settings: Settings) -> str:
    """The key that signs cookies: configured, else the one kept in ``app_settings`` (made once)."""
    if settings.secret_key:
        return settings.secret_key
    found = session.get(AppSetting, "secret_key")
    if found is not None:
        return found.value
    from fazhi.corpus.service import _dialect_insert

    value = secrets.token_urlsafe(48)
    stmt = _dialect_insert(session, AppSetting).values(key="secret_key", value=value, updated_at=utcnow())
    session.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))
    session.commit()
    row = session.get(AppSetting, "secret_key", populate_existing=True)
    assert row is not None
    return row.value


class SessionCodec:
    """Signs and reads the session cookie."""

    def __init__(self, secret: str, max_age: int) -> None:
        from itsdangerous import URLSafeTimedSerializer

        self._s = URLSafeTimedSerializer(secret, salt="fazhi.session")
        self.max_age = max_age

    def dumps(self, data: dict[str, Any]) -> str:
        return str(self._s.dumps(data))

    def loads(self, raw: str | None) -> dict[str, Any] | None:
        if not raw or len(raw) > 4096:
            return None
        from itsdangerous import BadSignature

        try:
            data = self._s.loads(raw, max_age=self.max_age)
        except BadSignature:  # also SignatureExpired
            return None
        return data if isinstance(data, dict) and isinstance(data.get("c"), str) else None


# =========================================================================== who is asking
@dataclass
class Principal:
    """The signed-in user of a request."""

    id: int
    name: str
    role: str
    scope: Scope | None
    via: str  # "session" | "token"
    csrf: str | None = None  # the session's CSRF token (None for API tokens)
    token_id: int | None = None

    @property
    def role_label(self) -> str:
        return roles.ROLE_LABEL.get(self.role, self.role)

    def can(self, action: str) -> bool:
        return roles.allowed(self.role, action)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "role": self.role, "role_label": self.role_label,
                "scope": None if self.scope is None else {"label": self.scope.label, "code": self.scope.code,
                                                           **self.scope.fields()},
                "auth": self.via,
                "can": {a: self.can(a) for a in roles.NEEDS}}


class LoginRequired(Exception):
    """A page needs a signed-in user: the app answers with a redirect to the login page."""

    def __init__(self, next_url: str = "/") -> None:
        self.next_url = next_url


def client_ip(request: Request) -> str:
    return (request.client.host if request.client else "") or "unknown"


def _session_data(request: Request) -> dict[str, Any] | None:
    if "fazhi_session_data" not in request.scope:
        codec: SessionCodec = request.app.state.codec
        request.scope["fazhi_session_data"] = codec.loads(request.cookies.get(COOKIE))
    return request.scope["fazhi_session_data"]


# The two look-ups every request makes, built once with bound parameters: plain columns (no ORM
# objects to build), and a statement whose cache key SQLAlchemy computes once, not per request.
_WHO = (User.id, User.name, User.role, Credential.active, Credential.session_version, Credential.region,
        Credential.region_code, Credential.province, Credential.city, Credential.county, Credential.township)
_USER_BY_ID = (select(*_WHO).join(Credential, Credential.user_id == User.id)
               .where(User.id == bindparam("user_id")))
_USER_BY_TOKEN = (select(*_WHO, ApiToken.id.label("token_id"), ApiToken.revoked_at, ApiToken.expires_at,
                         ApiToken.last_used_at)
                  .select_from(ApiToken).join(User, ApiToken.user_id == User.id)
                  .join(Credential, Credential.user_id == User.id)
                  .where(ApiToken.token_hash == bindparam("token_hash")))


def _load_user(session: Session, user_id: int) -> Any | None:
    """The user and credential columns of ``user_id`` (a row; None when there is no such account)."""
    return session.execute(_USER_BY_ID, {"user_id": user_id}).first()


def principal(request: Request) -> Principal | None:
    """The user of this request (from the Bearer token, else the session cookie), or None.

    A request with an ``Authorization`` header that is not a valid token is
    refused (401) rather than treated as anonymous."""
    if "fazhi_principal" in request.scope:
        return request.scope["fazhi_principal"]
    found = _resolve(request)
    request.scope["fazhi_principal"] = found
    return found


def _resolve(request: Request) -> Principal | None:
    auth = request.headers.get("authorization")
    if auth is not None:
        scheme, _, tok = auth.partition(" ")
        if scheme.lower() != "bearer" or not tok.strip():
            raise HTTPException(401, "Authorization 头应为 Bearer <令牌>", headers={"WWW-Authenticate": "Bearer"})
        return _from_token(request, tok.strip())
    data = _session_data(request)
    if not data or not isinstance(data.get("u"), int):
        return None
    who = _load_user(read_session(request), data["u"])
    if who is None or not who.active or who.session_version != data.get("v") or roles.rank(who.role) < 0:
        return None
    return Principal(who.id, who.name, who.role, Scope.of(who), "session", csrf=data["c"])


def _from_token(request: Request, tok: str) -> Principal:
    state = request.app.state
    bad = HTTPException(401, "API 令牌无效、已撤销或已过期", headers={"WWW-Authenticate": "Bearer"})
    if not tok.startswith(TOKEN_PREFIX) or len(tok) > 200:
        raise bad
    now = utcnow()
    who = read_session(request).execute(_USER_BY_TOKEN, {"token_hash": token_hash(tok)}).first()
    if who is None or who.revoked_at is not None or (who.expires_at is not None and _aware(who.expires_at) <= now) \
            or not who.active or roles.rank(who.role) < 0:
        raise bad
    stale = who.last_used_at is None or _aware(who.last_used_at) < now - dt.timedelta(minutes=5)
    tid = who.token_id
    p = Principal(who.id, who.name, who.role, Scope.of(who), "token", token_id=tid)
    if stale:  # at most one write per token every 5 minutes
        with state.WriteSession.begin() as w:
            w.execute(ApiToken.__table__.update().where(ApiToken.id == tid).values(last_used_at=now))
    return p


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


# =========================================================================== cookies and CSRF
def csrf_token(request: Request) -> str | None:
    data = _session_data(request)
    return data.get("c") if data else None


def _secure(request: Request) -> bool:
    settings: Settings = request.app.state.settings
    if settings.cookie_secure is not None:
        return settings.cookie_secure
    return request.url.scheme == "https"


def set_session(request: Request, response: Response, user_id: int | None, version: int | None) -> str:
    """Issue a new session cookie (new CSRF token); returns the token."""
    csrf = new_csrf()
    data = {"u": user_id, "v": version, "c": csrf}
    codec: SessionCodec = request.app.state.codec
    response.set_cookie(COOKIE, codec.dumps(data), max_age=codec.max_age, path="/", httponly=True,
                        samesite="lax", secure=_secure(request))
    request.scope["fazhi_session_data"] = data
    return csrf


def ensure_anonymous_session(request: Request, response: Response) -> str:
    """The CSRF token of the current session, issuing an anonymous session if there is none."""
    tok = csrf_token(request)
    return tok if tok else set_session(request, response, None, None)


def clear_session(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))


def check_origin(request: Request) -> None:
    """Refuse a state-changing request whose Origin (or Referer) is another site."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return
    o = urlsplit(origin)
    host = request.headers.get("host", "")
    if o.netloc and o.netloc != host:
        raise HTTPException(403, "跨站请求被拒绝（来源与本站不符）")


def verify_csrf(request: Request, submitted: str | None) -> None:
    """403 unless ``submitted`` (form field) or the X-CSRF-Token header is the session's token.

    Requests authenticated by an API token need none."""
    if request.method in SAFE_METHODS:
        return
    p = request.scope.get("fazhi_principal")
    if p is not None and p.via == "token":
        return
    check_origin(request)
    expected = csrf_token(request)
    given = submitted or request.headers.get(CSRF_HEADER) or ""
    if not expected or not given or not hmac.compare_digest(expected.encode(), given.encode()):
        raise HTTPException(403, "CSRF 校验失败：页面已过期或请求来源不可信，请刷新页面后重试")


def login_redirect(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(target, safe="")


def safe_next(value: str | None) -> str:
    """Where to go after login: a path on this site only."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(c in value for c in "\r\n\t") or value.startswith("/login"):
        return "/"
    return value


# =========================================================================== login
def login_blocked(session: Session, username: str, ip: str, settings: Settings) -> bool:
    """True when the failures in the window reach the limit (→ 429)."""
    since = utcnow() - dt.timedelta(seconds=settings.login_window_seconds)
    key = _key(username)
    n = session.scalar(select(func.count()).select_from(LoginFailure)
                       .where(LoginFailure.username == key, LoginFailure.ip == ip, LoginFailure.at >= since))
    if int(n or 0) >= settings.login_max_failures:
        return True
    m = session.scalar(select(func.count()).select_from(LoginFailure)
                       .where(LoginFailure.ip == ip, LoginFailure.at >= since))
    return int(m or 0) >= settings.login_max_failures_ip


def _key(username: str) -> str:
    return username.strip().lower()[:128]


def record_failure(session: Session, username: str, ip: str, settings: Settings) -> None:
    now = utcnow()
    session.add(LoginFailure(username=_key(username), ip=ip[:64], at=now))
    if random.random() < 0.05:  # prune now and then
        session.execute(delete(LoginFailure).where(
            LoginFailure.at < now - dt.timedelta(seconds=2 * settings.login_window_seconds)))


def clear_failures(session: Session, username: str, ip: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.username == _key(username), LoginFailure.ip == ip))


def authenticate(session: Session, username: str, password: str,
                 settings: Settings) -> tuple[User | None, Credential | None, bool]:
    """(user, credential, needs rehash) when the name and password are right and the account is
    active with a role; ``(None, None, False)`` otherwise.  Reads only: the caller records the
    outcome (and stores a rehash) in a write transaction of its own."""
    name = username.strip()
    row = session.execute(select(User, Credential).join(Credential, Credential.user_id == User.id)
                          .where(User.name == name)).first() if name and len(name) <= 128 else None
    if row is None:
        verify_password(None, password, settings)
        return None, None, False
    user, cred = row
    ok, rehash = verify_password(cred.password_hash, password, settings)
    if not ok or not cred.active or roles.rank(user.role) < 0:
        return None, None, False
    return user, cred, rehash


__all__ = ["COOKIE", "CSRF_FIELD", "CSRF_HEADER", "LoginRequired", "Principal", "SessionCodec", "authenticate",
           "clear_failures", "clear_session", "client_ip", "csrf_token", "ensure_anonymous_session", "login_blocked",
           "login_redirect", "principal", "record_failure", "safe_next", "secret_key", "set_session", "verify_csrf"]
