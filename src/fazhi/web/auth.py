"""Authentication: passwords, sessions in signed cookies, CSRF, API tokens, the login rate limit.

Passwords and tokens
    :mod:`fazhi.accounts.passwords` (Argon2id; tokens kept as their SHA-256).

Sessions
    One cookie, ``fazhi_session``: ``{"u": user id, "v": session version,
    "c": CSRF token, "s": when the user signed in}`` signed with the secret
    key (``itsdangerous``, HMAC SHA-1 with a salt, timestamped).
    HttpOnly, SameSite=Lax, Path=/, Secure when the request came over https
    (or as configured).  A signed-in session ends after
    ``session_idle_minutes`` (30) without a request — every request re-signs
    a cookie older than a minute, so the signature's age is the idle time —
    and ``session_hours`` (12) after sign-in, whatever happens.  Nothing else
    is kept on the server: bumping the user's ``session_version`` (password
    change, account disabled, logout) ends every session of that user.  A visitor who is not signed in gets an
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
    Sign-in attempts are rows of ``login_failures`` (the database, so every
    worker process and a restart count the same).  An attempt is **reserved
    before its password is checked** (:func:`start_attempt`): in one write
    transaction, serialised per client address (SQLite's write lock; a
    PostgreSQL advisory lock on the address), the attempts in the window are
    counted and, under the limits, a row is added — so concurrent attempts
    cannot all pass the count.  After ``login_max_failures`` (5) attempts for
    one user name from one address within ``login_window_seconds`` (300 s),
    further attempts get 429 without the password being checked, until the
    window has passed; an address with ``login_max_failures_ip`` (50)
    attempts over any user names is stopped the same way.  A successful
    login removes that user name's rows for that address.

    Refused sign-ins are audited **per address and window**: one
    ``user.login_failed`` row per address, with the number of wrong
    passwords, of attempts refused by the limit and the names tried.

Password checks
    Argon2id takes 64 MB and tens of milliseconds a check: at most
    ``login_concurrency`` (2) run at once in a server process
    (:class:`PasswordLimiter`); more wait (without holding a thread) up to
    ``login_wait_seconds``, then get 503.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import anyio
from fastapi import HTTPException, Request, Response
from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from fazhi.accounts import roles
from fazhi.accounts.audit import audit
from fazhi.accounts.models import ApiToken, AppSetting, AuditEvent, Credential, LoginFailure, User
from fazhi.accounts.passwords import TOKEN_PREFIX, hash_password, token_hash, verify_password
from fazhi.accounts.roles import Scope
from fazhi.config import Settings
from fazhi.db.base import utcnow
from fazhi.web.dbsession import read_session

T = TypeVar("T")

COOKIE = "fazhi_session"
#: the ASGI scope key of a re-signed session cookie the response must carry (see SecurityMiddleware)
REFRESH_COOKIE = "fazhi_set_cookie"
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
    """Signs and reads the session cookie, and applies the session's time limits.

    A signed-in session ends ``idle`` seconds after its cookie was last
    signed and ``max_age`` seconds after sign-in; an anonymous one (the login
    form's CSRF token) ``max_age`` seconds after it was signed.  ``clock``
    (seconds, as ``time.time``) is the codec's own, so that tests can move it."""

    #: a signed-in session's cookie older than this is signed again by the next request
    REFRESH = 60

    def __init__(self, secret: str, max_age: int, idle: int | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        from itsdangerous import TimestampSigner, URLSafeTimedSerializer

        codec = self

        class Signer(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(codec.clock())

        self._s = URLSafeTimedSerializer(secret, salt="fazhi.session", signer=Signer)
        self.max_age = max_age
        self.idle = max_age if idle is None else min(idle, max_age)
        self.clock = clock

    def dumps(self, data: dict[str, Any]) -> str:
        return str(self._s.dumps(data))

    def read(self, raw: str | None) -> tuple[dict[str, Any], float] | None:
        """(the session, seconds since its cookie was signed), or None when invalid or over a limit."""
        if not raw or len(raw) > 4096:
            return None
        from itsdangerous import BadSignature

        try:
            data, signed = self._s.loads(raw, max_age=self.max_age, return_timestamp=True)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        now = self.clock()
        age = now - signed.timestamp()
        if data.get("u") is not None:
            started = data.get("s")
            if age > self.idle or (isinstance(started, int | float) and now - started > self.max_age):
                return None
        return data, age

    def loads(self, raw: str | None) -> dict[str, Any] | None:
        got = self.read(raw)
        return None if got is None else got[0]


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
    """The request's session (read once); a signed-in one whose cookie is older than
    :attr:`SessionCodec.REFRESH` is signed again for the response (the idle timeout slides)."""
    if "fazhi_session_data" not in request.scope:
        codec: SessionCodec = request.app.state.codec
        got = codec.read(request.cookies.get(COOKIE))
        data = None if got is None else got[0]
        if got is not None and data is not None and data.get("u") is not None and got[1] >= codec.REFRESH:
            request.scope[REFRESH_COOKIE] = _cookie_header(request, codec.dumps(data))
        request.scope["fazhi_session_data"] = data
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
    if who is None or not who.active or who.session_version != data.get("v") or who.role not in roles.ASSIGNABLE:
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
            or not who.active or who.role not in roles.ASSIGNABLE:
        raise bad
    stale = who.last_used_at is None or _aware(who.last_used_at) < now - dt.timedelta(minutes=5)
    tid = who.token_id
    p = Principal(who.id, who.name, who.role, Scope.of(who), "token", token_id=tid)
    if stale:  # at most one write per token every 5 minutes
        with state.WriteSession.begin() as w:
            w.execute(update(ApiToken).where(ApiToken.id == tid).values(last_used_at=now))
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


def _set_cookie(request: Request, response: Response, value: str) -> None:
    codec: SessionCodec = request.app.state.codec
    response.set_cookie(COOKIE, value, max_age=codec.max_age, path="/", httponly=True, samesite="lax",
                        secure=_secure(request))


def _cookie_header(request: Request, value: str) -> bytes:
    """The ``Set-Cookie`` header value of a session cookie (as :func:`set_session` sends it)."""
    r = Response()
    _set_cookie(request, r, value)
    return r.headers["set-cookie"].encode("latin-1")


def set_session(request: Request, response: Response, user_id: int | None, version: int | None) -> str:
    """Issue a new session cookie (new CSRF token); returns the token."""
    csrf = new_csrf()
    codec: SessionCodec = request.app.state.codec
    data = {"u": user_id, "v": version, "c": csrf, "s": int(codec.clock())}
    _set_cookie(request, response, codec.dumps(data))
    request.scope["fazhi_session_data"] = data
    request.scope.pop(REFRESH_COOKIE, None)
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
@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt reserved before its password is checked (its ``login_failures`` row counts
    towards the limits from the start; a successful sign-in removes it)."""

    id: int
    name: str  # the user name as counted: stripped, lower case
    ip: str


@dataclass(frozen=True)
class SignIn:
    """A right password: who, the session version to put in the cookie, and the password hashed again
    when its hash used weaker parameters (to be stored)."""

    user_id: int
    session_version: int
    new_hash: str | None = None


def _key(username: str) -> str:
    return username.strip().lower()[:128]


def _lock_address(session: Session, ip: str) -> None:
    """Serialise the sign-in bookkeeping of one client address in the caller's write transaction
    (SQLite: its write transactions are serialised already; PostgreSQL: an advisory lock)."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"fazhi-login:{ip}".encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def start_attempt(session: Session, username: str, ip: str, settings: Settings) -> Attempt | None:
    """Reserve a sign-in attempt (in the caller's write transaction), or None when the attempts in the
    window reach a limit (the refusal is counted in the address's audit row)."""
    ip = ip[:64]
    _lock_address(session, ip)
    now = utcnow()
    since = now - dt.timedelta(seconds=settings.login_window_seconds)
    key = _key(username)
    n = session.scalar(select(func.count()).select_from(LoginFailure)
                       .where(LoginFailure.username == key, LoginFailure.ip == ip, LoginFailure.at >= since))
    m = session.scalar(select(func.count()).select_from(LoginFailure)
                       .where(LoginFailure.ip == ip, LoginFailure.at >= since))
    if int(n or 0) >= settings.login_max_failures or int(m or 0) >= settings.login_max_failures_ip:
        _count_refusal(session, ip, key, settings, blocked=True)
        return None
    row = LoginFailure(username=key, ip=ip, at=now)
    session.add(row)
    session.flush()
    if random.random() < 0.05:  # prune now and then
        session.execute(delete(LoginFailure).where(
            LoginFailure.at < now - dt.timedelta(seconds=2 * settings.login_window_seconds)))
    return Attempt(row.id, key, ip)


def attempt_failed(session: Session, attempt: Attempt, settings: Settings) -> None:
    """A wrong password: the attempt's row stays (it is the failure); the address's audit row counts it."""
    _lock_address(session, attempt.ip)
    _count_refusal(session, attempt.ip, attempt.name, settings, blocked=False)


def attempt_dropped(session: Session, attempt: Attempt) -> None:
    """An attempt whose password was never checked (the server was busy): not a failure."""
    session.execute(delete(LoginFailure).where(LoginFailure.id == attempt.id))


def attempt_succeeded(session: Session, attempt: Attempt, signed_in: SignIn) -> None:
    """A successful sign-in: the user name's rows for the address go, a rehash is stored, it is audited."""
    clear_failures(session, attempt.name, attempt.ip)
    if signed_in.new_hash is not None:
        cred = session.get(Credential, signed_in.user_id)
        if cred is not None:
            cred.password_hash = signed_in.new_hash
    audit(session, signed_in.user_id, "user.login", "user", signed_in.user_id, {"ip": attempt.ip})


def clear_failures(session: Session, username: str, ip: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.username == _key(username), LoginFailure.ip == ip))


#: names kept in an address's audit row (the rest are counted only)
_NAMES_KEPT = 10


def _count_refusal(session: Session, ip: str, name: str, settings: Settings, *, blocked: bool) -> None:
    """Count a refused sign-in in the address's ``user.login_failed`` audit row of the current window
    (one row per address and window; made by the window's first refusal)."""
    now = utcnow()
    since = now - dt.timedelta(seconds=settings.login_window_seconds)
    rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.login_failed", AuditEvent.at > since,
                                                    AuditEvent.object_type == "address")
                           .order_by(AuditEvent.id.desc()))
    row = next((r for r in rows if (r.detail or {}).get("ip") == ip), None)
    detail: dict[str, Any] = (dict(row.detail or {}) if row is not None
                              else {"ip": ip, "failures": 0, "blocked": 0, "names": []})
    detail["blocked" if blocked else "failures"] = int(detail.get("blocked" if blocked else "failures") or 0) + 1
    names = list(detail.get("names") or [])
    if name[:64] not in names and len(names) < _NAMES_KEPT:
        names.append(name[:64])
    detail["names"] = names
    detail["last"] = now.isoformat(timespec="seconds")
    if row is None:
        audit(session, None, "user.login_failed", "address", None, detail)
    else:
        row.detail = detail


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
    if not ok or not cred.active or user.role not in roles.ASSIGNABLE:
        return None, None, False
    return user, cred, rehash


def check_password(sessions: sessionmaker[Session], username: str, password: str,
                   settings: Settings) -> SignIn | None:
    """The password check of a sign-in (Argon2: run it through :class:`PasswordLimiter`)."""
    with sessions() as s:
        user, cred, rehash = authenticate(s, username, password, settings)
    if user is None or cred is None:
        return None
    return SignIn(user.id, cred.session_version, hash_password(password, settings) if rehash else None)


# =========================================================================== password checks at once
class PasswordBusy(Exception):
    """More password checks waited than the limiter let through in time (→ 503)."""


class PasswordLimiter:
    """At most ``n`` password checks (Argon2id: 64 MB, tens of ms) at once in this process; the others
    wait — in the event loop, holding no thread — at most ``wait`` seconds, then :class:`PasswordBusy`."""

    def __init__(self, n: int, wait: float) -> None:
        self.n = max(1, n)
        self.wait = wait
        self._limiter: anyio.CapacityLimiter | None = None

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        if self._limiter is None:  # made in the server's event loop
            self._limiter = anyio.CapacityLimiter(self.n)
        limiter = self._limiter
        try:
            limiter.acquire_nowait()
        except anyio.WouldBlock:
            with anyio.move_on_after(self.wait) as waited:
                await limiter.acquire()
            if waited.cancelled_caught:
                raise PasswordBusy from None
        try:
            return await anyio.to_thread.run_sync(lambda: fn(*args))
        finally:
            limiter.release()


async def password_check(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` — work that checks or hashes a password — under the app's :class:`PasswordLimiter`;
    503 when the server is too busy with them."""
    try:
        return await request.app.state.password_limiter.run(fn, *args)
    except PasswordBusy:
        raise HTTPException(503, "登录请求过多，服务器正忙，请稍后再试", headers={"Retry-After": "2"}) from None


__all__ = ["COOKIE", "CSRF_FIELD", "CSRF_HEADER", "REFRESH_COOKIE", "Attempt", "LoginRequired", "PasswordBusy",
           "PasswordLimiter", "Principal", "SessionCodec", "SignIn", "attempt_dropped", "attempt_failed",
           "attempt_succeeded", "authenticate", "check_password", "clear_failures", "clear_session", "client_ip",
           "csrf_token", "ensure_anonymous_session", "login_redirect", "password_check", "principal", "safe_next",
           "secret_key", "set_session", "start_attempt", "verify_csrf"]
