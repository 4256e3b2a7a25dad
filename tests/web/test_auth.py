"""Accounts and sign-in: Argon2 passwords, signed session cookies, logout, the login rate limit,
API tokens, the persisted secret key, and the ``fazhi user`` commands."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from typer.testing import CliRunner

from fazhi.accounts import passwords
from fazhi.accounts import service as accounts
from fazhi.accounts.models import ApiToken, AppSetting, AuditEvent, Credential, LoginFailure
from fazhi.accounts.roles import SYSTEM
from fazhi.web import auth
from tests.web.conftest import JIAOZUO, PASSWORD, Web, add_token, add_user, login_as, report_text


def _audit(app, action: str) -> list[AuditEvent]:
    with app.state.Session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


# ----------------------------------------------------------------------------- passwords and login
def test_password_is_stored_as_argon2id(app):
    uid = add_user(app, "张三", "viewer")
    with app.state.Session() as s:
        cred = s.get(Credential, uid)
        assert cred.password_hash.startswith("$argon2id$")
        assert PASSWORD not in cred.password_hash


def test_weak_password_and_bad_names_are_refused(app):
    with app.state.WriteSession() as s:
        for name, role, pw in (("a", "viewer", "short"), ("有 空格", "viewer", PASSWORD), ("<x>", "viewer", PASSWORD),
                               ("ok", "root", PASSWORD)):
            try:
                accounts.create_user(s, name, role, pw, app.state.settings, actor=SYSTEM)
            except accounts.AccountError as exc:
                assert str(exc)  # a message in Chinese
            else:
                raise AssertionError(f"{name!r}/{role!r} was accepted")


def test_login_sets_a_signed_httponly_samesite_cookie_and_rotates_the_csrf_token(app):
    add_user(app, "admin", "admin")
    w = Web(app)
    r = w.c.get("/login")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(auth.COOKIE + "=")
    low = cookie.lower()
    assert "httponly" in low and "samesite=lax" in low and "path=/" in low and "secure" not in low
    before = w.login_page_csrf()
    r = w.login("admin")
    assert r.headers["location"] == "/"
    after = w.csrf()
    assert after != before  # a new session on login: no fixation
    me = w.get("/api/me").json()
    assert me["name"] == "admin" and me["role"] == "admin" and me["scope"] is None and me["can"]["manage_users"]
    assert [e.user_id for e in _audit(app, "user.login")] == [me["id"]]


def test_cookie_is_secure_over_https(app):
    add_user(app, "admin", "admin")
    w = Web(app, base_url="https://testserver")
    r = w.c.get("/login")
    assert "secure" in r.headers["set-cookie"].lower()
    assert r.headers["strict-transport-security"].startswith("max-age=")


def test_wrong_password_and_unknown_user_get_the_same_answer(app):
    add_user(app, "admin", "admin")
    w = Web(app)
    a = w.login("admin", "wrong password", expect=401)
    b = w.login("nobody", "wrong password", expect=401)
    assert "用户名或密码错误" in a.text and "用户名或密码错误" in b.text
    assert w.get("/api/me").status_code == 401
    [row] = _audit(app, "user.login_failed")  # aggregated per address and window
    assert row.detail["failures"] == 2 and row.detail["names"] == ["admin", "nobody"]


def test_tampered_or_foreign_cookie_is_anonymous(app):
    add_user(app, "admin", "admin")
    w = Web(app)
    w.login("admin")
    value = w.c.cookies.get(auth.COOKIE)
    w.c.cookies.set(auth.COOKIE, value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert w.get("/api/me").status_code == 401
    # a cookie signed with another key (another installation) is not accepted either
    other = auth.SessionCodec("another secret key", 3600).dumps({"u": 1, "v": 1, "c": "x"})
    w.c.cookies.set(auth.COOKIE, other)
    assert w.get("/api/me").status_code == 401
    r = w.get("/")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_next_only_goes_to_this_site(app):
    add_user(app, "admin", "admin")
    w = Web(app)
    token = w.login_page_csrf()
    for bad in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        r = w.c.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token, "next": bad})
        assert r.status_code == 303 and r.headers["location"] == "/", bad
        token = w.csrf()
        w.post("/logout", data={"csrf_token": token})
        token = w.login_page_csrf()
    r = w.c.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token, "next": "/compare"})
    assert r.headers["location"] == "/compare"


def test_pages_redirect_to_login_and_api_answers_401(app):
    w = Web(app)
    for path in ("/", "/upload", "/compare", "/reports/1", "/admin/users", "/admin/audit", "/account", "/api/docs"):
        r = w.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
    for path in ("/api/me", "/api/reports", "/api/reports/1", "/api/compare", "/api/compare.xlsx"):
        r = w.get(path)
        assert r.status_code == 401, path
        assert r.json()["detail"] and r.headers["www-authenticate"] == "Bearer"


def test_first_run_login_page_says_how_to_create_the_admin(app):
    r = Web(app).get("/login")
    assert "fazhi user add" in r.text and "--role admin" in r.text


# ----------------------------------------------------------------------------- sessions end
def test_logout_ends_the_session_even_for_a_copied_cookie(app):
    add_user(app, "admin", "admin")
    w = Web(app)
    w.login("admin")
    stolen = w.c.cookies.get(auth.COOKIE)
    r = w.post("/logout", data={"csrf_token": w.csrf()})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    thief = Web(app)
    thief.c.cookies.set(auth.COOKIE, stolen)
    assert thief.get("/api/me").status_code == 401
    assert _audit(app, "user.logout")


def test_password_change_ends_other_sessions_and_keeps_this_one(app):
    add_user(app, "admin", "admin")
    a, b = Web(app), Web(app)
    a.login("admin")
    b.login("admin")
    r = a.post("/account/password", data={"current": PASSWORD, "new": "a Brand new pass", "confirm": "a Brand new pass",
                                          "csrf_token": a.csrf()})
    assert r.status_code == 303
    assert a.get("/api/me").status_code == 200
    assert b.get("/api/me").status_code == 401
    Web(app).login("admin", "a Brand new pass")
    Web(app).login("admin", PASSWORD, expect=401)


def test_wrong_current_password_changes_nothing(app):
    w = login_as(app, "u1", "viewer")
    r = w.post("/account/password", data={"current": "not it", "new": "another pass 1", "confirm": "another pass 1",
                                          "csrf_token": w.csrf()})
    assert r.status_code == 200 and "当前密码不正确" in r.text
    Web(app).login("u1", PASSWORD)


def test_disabled_user_cannot_sign_in_and_its_session_ends(app):
    add_user(app, "admin", "admin")
    uid = add_user(app, "bob", "reviewer")
    bob = Web(app)
    bob.login("bob")
    with app.state.WriteSession.begin() as s:
        accounts.update_user(s, uid, active=False, actor=SYSTEM)
    assert bob.get("/api/me").status_code == 401
    Web(app).login("bob", expect=401)


def test_last_admin_cannot_be_demoted_or_disabled(app):
    uid = add_user(app, "admin", "admin")
    with app.state.WriteSession() as s:
        for kw in ({"role": "viewer"}, {"active": False}):
            try:
                accounts.update_user(s, uid, **kw, actor=SYSTEM)
            except accounts.AccountError as exc:
                assert "管理员" in str(exc)
                s.rollback()
            else:
                raise AssertionError(kw)


# ----------------------------------------------------------------------------- rate limiting
def test_login_rate_limit_429_after_five_failures_for_a_user_and_address(app):
    add_user(app, "admin", "admin")
    add_user(app, "other", "viewer")
    w = Web(app)
    for _ in range(5):
        w.login("admin", "guess", expect=401)
    r = w.login("admin", PASSWORD, expect=429)  # even the right password: not checked any more
    assert "次数过多" in r.text and int(r.headers["retry-after"]) == 300
    assert w.get("/api/me").status_code == 401
    with app.state.Session() as s:
        assert s.scalar(select(func.count()).select_from(LoginFailure)) == 5
    [row] = _audit(app, "user.login_failed")  # one row for the address: five wrong passwords, one refused
    assert (row.detail["ip"], row.detail["failures"], row.detail["blocked"]) == ("testclient", 5, 1)
    # another user name from the same address, and the same name from another address, may still sign in
    Web(app).login("other")
    Web(app, client=("10.1.2.3", 5555)).login("admin")
    # when the window has passed, the user may try again
    with app.state.WriteSession.begin() as s:
        s.execute(update(LoginFailure).values(at=LoginFailure.at - dt.timedelta(seconds=301)))
    w.login("admin")
    with app.state.Session() as s:  # a successful login clears the failures of that name and address
        assert s.scalar(select(func.count()).select_from(LoginFailure)
                        .where(LoginFailure.ip == "testclient")) == 0


def test_rate_limit_is_kept_in_the_database_across_app_instances(make_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    a1 = make_app(url)
    add_user(a1, "admin", "admin")
    w1 = Web(a1)
    for _ in range(3):
        w1.login("admin", "guess", expect=401)
    a2 = make_app(url)  # another worker process, or a restart
    w2 = Web(a2)
    for _ in range(2):
        w2.login("admin", "guess", expect=401)
    w2.login("admin", PASSWORD, expect=429)


# ----------------------------------------------------------------------------- secret key
def test_generated_secret_key_is_kept_in_the_database_so_sessions_survive_a_restart(make_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    a1 = make_app(url)
    add_user(a1, "admin", "admin")
    w = Web(a1)
    w.login("admin")
    cookie = w.c.cookies.get(auth.COOKIE)
    a2 = make_app(url)
    w2 = Web(a2)
    w2.c.cookies.set(auth.COOKIE, cookie)
    assert w2.get("/api/me").json()["name"] == "admin"
    with a2.state.Session() as s:
        key = s.get(AppSetting, "secret_key").value
        assert len(key) >= 48


def test_configured_secret_key_wins(make_app):
    app = make_app(secret_key="a fixed key shared by several servers")
    add_user(app, "admin", "admin")
    w = Web(app)
    w.login("admin")
    data = auth.SessionCodec("a fixed key shared by several servers", 3600, 1800).loads(w.c.cookies.get(auth.COOKIE))
    assert data is not None and isinstance(data["u"], int)


# ----------------------------------------------------------------------------- API tokens
def test_api_token_works_for_reads_and_writes_without_csrf_and_is_stored_hashed(app):
    add_user(app, "bot", "reviewer")
    token = add_token(app, "bot")
    assert token.startswith("fz_") and len(token) > 40
    h = {"Authorization": f"Bearer {token}"}
    w = Web(app)
    assert w.get("/api/me", headers=h).json()["auth"] == "token"
    r = w.upload([("a.txt", report_text(JIAOZUO).encode())], headers=h)
    assert r.status_code == 201, r.text
    with app.state.Session() as s:
        row = s.scalars(select(ApiToken)).one()
        assert row.token_hash == passwords.token_hash(token) and token not in (row.token_hash, row.prefix)
        assert row.last_used_at is not None


def test_bad_revoked_and_expired_tokens_are_401(app):
    add_user(app, "bot", "reviewer")
    token = add_token(app, "bot")
    w = Web(app)
    for value in ("Bearer fz_nottherighttoken", "Bearer ", "Basic Ym90OnBhc3M=", f"Token {token}"):
        r = w.get("/api/me", headers={"Authorization": value})
        assert r.status_code == 401, value
    with app.state.WriteSession.begin() as s:
        tid = s.scalars(select(ApiToken.id)).one()
        assert accounts.revoke_token(s, tid, actor=SYSTEM)
    assert w.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    expired = add_token(app, "bot", expires_days=1)
    with app.state.WriteSession.begin() as s:
        s.execute(update(ApiToken).where(ApiToken.token_hash == passwords.token_hash(expired))
                  .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))
    assert w.get("/api/me", headers={"Authorization": f"Bearer {expired}"}).status_code == 401


def test_account_page_creates_a_token_shown_once_and_revokes_it(app):
    w = login_as(app, "u", "viewer")
    r = w.post("/account/tokens", data={"name": "脚本", "days": "30", "csrf_token": w.csrf()})
    assert r.status_code == 200
    token = r.text.split('<code id="new-token">', 1)[1].split("<", 1)[0]
    assert Web(app).get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    page = w.get("/account").text
    assert token not in page and token[:10] in page  # the prefix only
    with app.state.Session() as s:
        tid = s.scalars(select(ApiToken.id)).one()
    r = w.post(f"/account/tokens/{tid}/revoke", data={"csrf_token": w.csrf()})
    assert r.status_code == 303
    assert Web(app).get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert _audit(app, "token.create") and _audit(app, "token.revoke")


# ----------------------------------------------------------------------------- the CLI
def test_cli_user_add_list_token(tmp_path):
    from fazhi.cli.accounts import _standalone

    runner = CliRunner()
    cli = _standalone()
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    r = runner.invoke(cli, ["user", "add", "admin", "--role", "admin", "--password-stdin", "--db", url],
                      input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["user", "add", "jz", "--role", "reviewer", "--region", "焦作市", "--password-stdin",
                            "--db", url], input=PASSWORD + "\n")
    assert r.exit_code == 0 and "河南省焦作市" in r.output, r.output
    r = runner.invoke(cli, ["user", "add", "gl", "--role", "viewer", "--region", "鼓楼区", "--password-stdin",
                            "--db", url], input=PASSWORD + "\n")
    assert r.exit_code == 1 and "同名" in r.output  # ambiguous: the candidates are listed
    r = runner.invoke(cli, ["user", "add", "admin", "--role", "admin", "--password-stdin", "--db", url],
                      input=PASSWORD + "\n")
    assert r.exit_code == 1 and "已存在" in r.output
    r = runner.invoke(cli, ["user", "list", "--db", url])
    assert r.exit_code == 0 and "jz" in r.output and "河南省焦作市" in r.output
    r = runner.invoke(cli, ["user", "token", "jz", "--db", url])
    assert r.exit_code == 0
    token = next(line for line in r.output.splitlines() if line.startswith("fz_"))
    r = runner.invoke(cli, ["user", "set", "jz", "--role", "viewer", "--db", url])
    assert r.exit_code == 0, r.output
    from fazhi.web.app import create_app
    from tests.web.conftest import web_settings

    app = create_app(url, settings=web_settings())
    try:
        me = Web(app).get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()
        assert me["name"] == "jz" and me["role"] == "viewer" and me["scope"]["city"] == "焦作市"
        Web(app).login("admin")
        with app.state.Session() as s:
            assert {e.action for e in s.scalars(select(AuditEvent))} >= {"user.create", "token.create", "user.update"}
    finally:
        app.state.engine.dispose()
