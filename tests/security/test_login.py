"""Signing in under attack (issue 8, defects 4, 8, 9, 10): concurrent login bursts over real HTTP against
the login limits and the bound on password checks, one audit row per address and window, the password
policy, the idle timeout, token lifetimes and who may list and revoke tokens."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import threading
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from fazhi.accounts.models import ApiToken, AuditEvent, LoginFailure
from fazhi.web import auth
from tests.security.conftest import PASSWORD, Web, add_token, add_user, login_as, serve
from tests.web.conftest import _make

_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')


class CheckCounter:
    """Wraps the password check: how many ran, and the most at once (each made to last a moment, so
    that concurrent requests overlap — the assertions are about counts, never about time)."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls = 0
        self.running = 0
        self.most = 0
        self._lock = threading.Lock()

    def __call__(self, *args: Any, **kw: Any) -> Any:
        with self._lock:
            self.calls += 1
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.02)
            return self.real(*args, **kw)
        finally:
            with self._lock:
                self.running -= 1


async def _burst(base: str, names: list[str], password: str) -> list[int]:
    """One client per name: each opens the login form, then all post their login at once."""
    clients = [httpx.AsyncClient(base_url=base, timeout=60) for _ in names]
    try:
        tokens = []
        for c in clients:
            found = _FIELD.search((await c.get("/login")).text)
            assert found is not None, "no csrf_token in the login form"
            tokens.append(found.group(1))
        posts = [c.post("/login", data={"username": n, "password": password, "csrf_token": t, "next": "/"})
                 for c, n, t in zip(clients, names, tokens, strict=True)]
        return [r.status_code for r in await asyncio.gather(*posts)]
    finally:
        for c in clients:
            await c.aclose()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> CheckCounter:
    counter = CheckCounter(auth.verify_password)
    monkeypatch.setattr(auth, "verify_password", counter)
    return counter


def test_a_burst_of_wrong_passwords_for_one_user_is_checked_at_most_five_times(db_url: str,
                                                                               counted: CheckCounter) -> None:
    app = _make(db_url, login_concurrency=2)
    try:
        add_user(app, "admin", "admin")
        with serve(app) as base:
            codes = asyncio.run(_burst(base, ["admin"] * 40, "wrong password"))
        assert sorted(set(codes)) == [401, 429] and codes.count(401) == 5, codes
        assert counted.calls == 5  # the limit is 5 per user name and address, concurrency or not
        assert counted.most <= 2  # login_concurrency
        with app.state.Session() as s:
            assert s.scalar(select(func.count()).select_from(LoginFailure)) == 5
            [row] = s.scalars(select(AuditEvent).where(AuditEvent.action == "user.login_failed"))
            assert (row.detail["failures"], row.detail["blocked"], row.detail["names"]) == (5, 35, ["admin"])
    finally:
        app.state.engine.dispose()


def test_a_burst_over_many_user_names_stops_at_the_address_limit(db_url: str, counted: CheckCounter) -> None:
    app = _make(db_url, login_max_failures_ip=10, login_concurrency=3)
    try:
        with serve(app) as base:
            codes = asyncio.run(_burst(base, [f"用户{i}" for i in range(30)], "wrong password"))
        assert codes.count(401) == 10 and codes.count(429) == 20, codes
        assert counted.calls == 10 and counted.most <= 3
    finally:
        app.state.engine.dispose()


def test_password_checks_beyond_the_bound_wait_and_then_get_503(make_app: Any, counted: CheckCounter) -> None:
    app = make_app(login_concurrency=1, login_wait_seconds=0.0)
    add_user(app, "admin", "admin")
    for i in range(6):
        add_user(app, f"u{i}", "viewer")
    with serve(app) as base:
        codes = asyncio.run(_burst(base, [f"u{i}" for i in range(6)], PASSWORD))
    assert 303 in codes and set(codes) <= {303, 503} and counted.most == 1, codes
    with app.state.Session() as s:  # a refused (503) attempt is not counted against the user
        assert s.scalar(select(func.count()).select_from(LoginFailure)) == 0


def test_refused_logins_make_one_audit_row_per_address_and_window(app: Any) -> None:
    add_user(app, "admin", "admin")
    here, there = Web(app), Web(app, client=("10.9.8.7", 4000))
    for i in range(12):
        here.login(f"admin{i % 3}", "guess", expect=401)
    for _ in range(6):
        there.login("admin", "guess", expect=401 if _ < 5 else 429)
    with app.state.Session() as s:
        rows = {r.detail["ip"]: r.detail for r in s.scalars(select(AuditEvent)
                                                          .where(AuditEvent.action.like("user.login%")))}
    assert set(rows) == {"testclient", "10.9.8.7"}
    assert (rows["testclient"]["failures"], rows["testclient"]["names"]) == (12, ["admin0", "admin1", "admin2"])
    assert (rows["10.9.8.7"]["failures"], rows["10.9.8.7"]["blocked"]) == (5, 1)
    # a new window makes a new row
    with app.state.WriteSession.begin() as s:
        for r in s.scalars(select(AuditEvent)):
            r.at = r.at - dt.timedelta(seconds=app.state.settings.login_window_seconds + 1)
    here.login("admin", "guess", expect=401)
    with app.state.Session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == "user.login_failed")) == 3


# =========================================================================== the password policy
WEAK = [("        ", "空白"), (" " * 12, "空白"), ("short1A", "至少 10"), ("abcdefghijk", "至少 3 类"),
        ("Abcdefghijk", "至少 3 类"), ("abcdefgh12", "至少 3 类"), ("张三张三张三张三张三", "至少 3 类"),
        ("Xwangwu-2024x", "用户名")]


@pytest.mark.parametrize("password,why", WEAK)
def test_weak_passwords_are_refused_everywhere(app: Any, password: str, why: str) -> None:
    admin = login_as(app, "超管", "admin")
    r = admin.post("/admin/users", data={"name": "wangwu", "role": "viewer", "password": password,
                                         "csrf_token": admin.csrf()})
    assert r.status_code == 400 and why in r.text, (password, r.status_code)
    me = login_as(app, "wangwu", "viewer")
    r = me.post("/account/password", data={"current": PASSWORD, "new": password, "confirm": password,
                                           "csrf_token": me.csrf()})
    assert r.status_code == 200 and why in r.text and 'id="account-error"' in r.text
    Web(app).login("wangwu")  # the password did not change


def test_strong_passwords_pass(app: Any) -> None:
    admin = login_as(app, "超管", "admin")
    for i, password in enumerate(("correct horse 42", "Abcdefgh1j", "法治政府建设Fz2024", "GOOD pass word")):
        r = admin.post("/admin/users", data={"name": f"user{i}", "role": "viewer", "password": password,
                                             "csrf_token": admin.csrf()})
        assert r.status_code == 303, (password, r.text[-400:])
        Web(app).login(f"user{i}", password)


def test_cli_refuses_a_weak_password(tmp_path: Any) -> None:
    from fazhi.cli import app as cli

    r = CliRunner().invoke(cli, ["user", "add", "admin", "--role", "admin", "--password-stdin",
                                 "--db", str(tmp_path / "x.sqlite")], input=" " * 8 + "\n")
    assert r.exit_code == 1 and "空白" in r.output


# =========================================================================== sessions and tokens
def test_a_session_ends_after_30_idle_minutes_and_lives_while_used(app: Any) -> None:
    codec = app.state.codec
    now = [time.time()]
    codec.clock = lambda: now[0]
    w = login_as(app, "u", "viewer")
    for _ in range(5):  # used every 25 minutes: the cookie is signed again each time, the session goes on
        now[0] += 25 * 60
        r = w.get("/api/me")
        assert r.status_code == 200 and auth.COOKIE in r.headers.get("set-cookie", "")
    now[0] += 31 * 60  # unused for 31 minutes: over
    assert w.get("/api/me").status_code == 401
    assert w.get("/account").status_code == 303


def test_a_session_ends_12_hours_after_sign_in_however_busy(app: Any) -> None:
    codec = app.state.codec
    now = [time.time()]
    codec.clock = lambda: now[0]
    w = login_as(app, "u", "viewer")
    for _ in range(28):  # 28 × 25 min = 11 h 40 min
        now[0] += 25 * 60
        assert w.get("/api/me").status_code == 200
    now[0] += 25 * 60  # 12 h 5 min after sign-in
    assert w.get("/api/me").status_code == 401


def test_the_idle_timeout_is_configurable(make_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from fazhi.config import Settings

    monkeypatch.setenv("FAZHI_SESSION_IDLE_MINUTES", "5")
    monkeypatch.setenv("FAZHI_TOKEN_DAYS", "7")
    s = Settings.from_env()
    assert (s.idle_seconds, s.token_days) == (300, 7.0)
    app = make_app(session_idle_minutes=5)
    now = [time.time()]
    app.state.codec.clock = lambda: now[0]
    w = login_as(app, "u", "viewer")
    now[0] += 6 * 60
    assert w.get("/api/me").status_code == 401


def _expires_in_days(app: Any, token_id: int) -> float:
    with app.state.Session() as s:
        row = s.get(ApiToken, token_id)
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
        return (expires - dt.datetime.now(dt.UTC)).total_seconds() / 86400


def test_tokens_expire_after_90_days_unless_asked_otherwise(app: Any, tmp_path: Any) -> None:
    w = login_as(app, "u", "viewer")
    for days, expected in (("", 90), ("30", 30)):
        w.post("/account/tokens", data={"name": "脚本", "days": days, "csrf_token": w.csrf()})
        with app.state.Session() as s:
            tid = s.scalar(select(func.max(ApiToken.id)))
        assert expected - 0.01 < _expires_in_days(app, tid) <= expected
    assert w.post("/account/tokens", data={"days": "0", "csrf_token": w.csrf()}).status_code == 400
    assert w.post("/account/tokens", data={"days": "4000", "csrf_token": w.csrf()}).status_code == 400
    from fazhi.cli import app as cli

    r = CliRunner().invoke(cli, ["user", "token", "u", "--db", str(app.state.engine.url.database)])
    assert r.exit_code == 0 and "到期时间" in r.output, r.output
    with app.state.Session() as s:
        tid = s.scalar(select(func.max(ApiToken.id)))
    assert 89.99 < _expires_in_days(app, tid) <= 90


def test_administrators_list_and_revoke_the_tokens_of_their_region(app: Any) -> None:
    add_user(app, "焦作审核员", "reviewer", region="焦作市")
    add_user(app, "信阳审核员", "reviewer", region="信阳市")
    jz, xy = add_token(app, "焦作审核员"), add_token(app, "信阳审核员")
    boss, local = login_as(app, "超管", "admin"), login_as(app, "焦作管理员", "admin", region="焦作市")
    page = local.get("/admin/users").text
    assert 'data-user="焦作审核员"' in page and 'id="admin-tokens-table"' in page
    assert jz[:10] in page and xy[:10] not in page  # the prefix of the token of its region only
    assert xy[:10] in boss.get("/admin/users").text
    with app.state.Session() as s:
        tokens = dict(s.execute(select(ApiToken.prefix, ApiToken.id)).all())
    r = local.post(f"/admin/tokens/{tokens[xy[:10]]}/revoke", data={"csrf_token": local.csrf()})
    assert r.status_code == 404
    assert Web(app).get("/api/me", headers={"Authorization": f"Bearer {xy}"}).status_code == 200
    r = local.post(f"/admin/tokens/{tokens[jz[:10]]}/revoke", data={"csrf_token": local.csrf()})
    assert r.status_code == 303
    assert Web(app).get("/api/me", headers={"Authorization": f"Bearer {jz}"}).status_code == 401
