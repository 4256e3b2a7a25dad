"""Privilege escalation across scopes (issue 8, defect 1), for every pair of acting and target account, over
HTTP through 用户管理, and the same rules in the service the command line uses.

The rule, as an administrator reads it: you may create, change, reset or disable only accounts whose
region lies within yours; you never grant a role or a region wider than your own; you do not change your
own role, region or status.  The expected answers below are worked out from that rule by hand, with the
regions' containment written out (:data:`WITHIN`), not computed by the code under test."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from fazhi.accounts import service as accounts
from fazhi.accounts.models import Credential, User
from fazhi.accounts.roles import SYSTEM, Actor
from tests.security.conftest import PASSWORD, Web, add_user, snapshot

#: acting accounts: name → (role, region)
ACTORS = {"超管": ("admin", None), "焦作管理员": ("admin", "焦作市"), "中站管理员": ("admin", "焦作市中站区"),
          "焦作审核员": ("reviewer", "焦作市"), "全域查看": ("viewer", None)}
#: target accounts
TARGETS = {"另一超管": ("admin", None), "焦作查看者": ("viewer", "焦作市"), "中站审核": ("reviewer", "焦作市中站区"),
           "信阳审核": ("reviewer", "信阳市"), "苏州查看": ("viewer", "江苏省苏州市")}
#: (actor's region, region) pairs where the region lies within the actor's — by hand
WITHIN = {(None, r) for r in (None, "焦作市", "焦作市中站区", "信阳市", "江苏省苏州市")} | {
    ("焦作市", "焦作市"), ("焦作市", "焦作市中站区"), ("焦作市中站区", "焦作市中站区")}


def _may(actor: str, region: str | None) -> bool:
    """Whether ``actor`` may manage an account of ``region`` (administrators only, within their region)."""
    role, own = ACTORS[actor]
    return role == "admin" and (own, region) in WITHIN


def _user(app: Any, name: str) -> tuple[str, bool]:
    """(role, active) of the account ``name``."""
    with app.state.Session() as s:
        user = s.scalar(select(User).where(User.name == name))
        cred = s.get(Credential, user.id)
        return user.role, cred.active


def _uid(app: Any, name: str) -> int:
    with app.state.Session() as s:
        return int(s.scalar(select(User.id).where(User.name == name)))


@pytest.mark.parametrize("actor", list(ACTORS))
def test_every_actor_against_every_target(make_app: Any, actor: str) -> None:
    app = make_app()
    add_user(app, "最后的管理员", "admin")  # so that no change below is refused for leaving no administrator
    for name, (role, region) in {**TARGETS, actor: ACTORS[actor]}.items():
        add_user(app, name, role, region=region)
    me = Web(app)
    me.login(actor)
    for target, (role, region) in TARGETS.items():
        allowed = _may(actor, region)
        uid = _uid(app, target)
        before = snapshot(app)

        def post(path: str, data: dict[str, Any]) -> Any:
            return me.post(path, data={**data, "csrf_token": me.csrf("/account")})

        # reset the password, then sign in with it
        r = post(f"/admin/users/{uid}/password", {"password": "Taken over 4242"})
        assert (r.status_code == 303) == allowed, (actor, target, "password", r.status_code)
        assert r.status_code in (303, 403, 404)
        Web(app).login(target, "Taken over 4242" if allowed else PASSWORD)
        # make it an administrator of its region
        r = post(f"/admin/users/{uid}", {"role": "admin", "region": region or "", "active": "1"})
        assert (r.status_code == 303) == allowed, (actor, target, "role", r.status_code)
        assert _user(app, target)[0] == ("admin" if allowed else role)
        # widen its region to every region: only an administrator of every region may
        r = post(f"/admin/users/{uid}", {"role": _user(app, target)[0], "region": "", "active": "1"})
        widened = allowed and ACTORS[actor][1] is None
        assert (r.status_code == 303) == widened, (actor, target, "widen", r.status_code)
        # disable it
        r = post(f"/admin/users/{uid}", {"role": _user(app, target)[0],
                                         "region": "" if widened else region or "", "active": ""})
        assert (r.status_code == 303) == allowed, (actor, target, "disable", r.status_code)
        assert _user(app, target)[1] is (not allowed)
        if not allowed:
            assert snapshot(app) == before
    # the users list shows only what the actor may manage
    page = me.get("/admin/users")
    if ACTORS[actor][0] != "admin":
        assert page.status_code == 403
        return
    for target, (_role, region) in TARGETS.items():
        assert (f'data-user="{target}"' in page.text) == _may(actor, region), (actor, target)


@pytest.mark.parametrize("actor", [a for a, (role, _) in ACTORS.items() if role == "admin"])
def test_an_administrator_creates_accounts_only_within_their_region(make_app: Any, actor: str) -> None:
    app = make_app()
    role, region = ACTORS[actor]
    add_user(app, actor, role, region=region)
    me = Web(app)
    me.login(actor)
    for i, asked in enumerate((None, "焦作市", "焦作市中站区", "信阳市")):
        name = f"新建{i}"
        r = me.post("/admin/users", data={"name": name, "role": "admin", "region": asked or "",
                                          "password": "New account 42", "csrf_token": me.csrf()})
        ok = (region, asked) in WITHIN
        assert (r.status_code == 303) == ok, (actor, asked, r.status_code)
        if not ok:
            assert r.status_code == 403 and "查看范围不能超出" in r.text
            with app.state.Session() as s:
                assert s.scalar(select(User).where(User.name == name)) is None


@pytest.mark.parametrize("actor", list(ACTORS))
def test_nobody_changes_their_own_role_region_or_status(make_app: Any, actor: str) -> None:
    app = make_app()
    add_user(app, "最后的管理员", "admin")
    role, region = ACTORS[actor]
    uid = add_user(app, actor, role, region=region)
    me = Web(app)
    me.login(actor)
    before = snapshot(app)
    for change in ({"role": "admin", "region": region or "", "active": "1"},
                   {"role": role, "region": "", "active": "1"},
                   {"role": role, "region": region or "", "active": ""}):
        if change == {"role": role, "region": region or "", "active": "1"}:
            continue  # no change at all
        r = me.post(f"/admin/users/{uid}", data={**change, "csrf_token": me.csrf()})
        assert r.status_code == 403, (actor, change, r.status_code)
    assert snapshot(app) == before


def test_the_service_applies_the_same_rules_for_every_caller(app: Any) -> None:
    """The rules live in the service: a caller that forgets a check (a new page, an API) still cannot
    escalate — the command line's SYSTEM actor is the only unscoped one without an account."""
    boss = add_user(app, "超管", "admin")
    jz = add_user(app, "焦作管理员", "admin", region="焦作市")
    settings = app.state.settings
    actor = Actor(jz, "admin", accounts.roles.resolve_region("焦作市"))
    with app.state.WriteSession() as s:
        for call in (lambda: accounts.set_password(s, boss, "Taken over 4242", settings, actor=actor),
                     lambda: accounts.update_user(s, boss, active=False, actor=actor),
                     lambda: accounts.update_user(s, jz, region=None, set_region=True, actor=actor),
                     lambda: accounts.create_user(s, "无范围", "viewer", "New account 42", settings, actor=actor),
                     lambda: accounts.create_token(s, boss, "x", expires_days=1, actor=actor)):
            with pytest.raises(accounts.AccountError) as exc:
                call()
            assert exc.value.status in (403, 404)
            s.rollback()
        assert [u.user.name for u in accounts.list_users(s, actor)] == ["焦作管理员"]
        assert {u.user.name for u in accounts.list_users(s, SYSTEM)} == {"超管", "焦作管理员"}
