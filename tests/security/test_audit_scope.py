"""The audit log of a scoped administrator (issue 8, defect 6): only rows about reports, accounts and tokens
of their region, and the exports of their region's users — never another region's uploads, titles or
accounts, nor the sign-in failures and knowledge changes of the whole installation."""

from __future__ import annotations

import re

import pytest

from tests.security.conftest import JIAOZUO, XINYANG, Web, World, add_token, report_text

ROW = re.compile(r'<tr data-action="([^"]+)" data-user="([^"]*)">(.*?)</tr>', re.S)


def _rows(client: Web) -> list[tuple[str, str, str]]:
    page = client.get("/admin/audit")
    assert page.status_code == 200
    return ROW.findall(page.text)


@pytest.fixture
def busy(world: World) -> World:
    """The world, and a day's work in it: uploads and a refusal, an export, logins good and bad, a deletion."""
    app = world.app
    jz = Web(app)
    jz.login("焦作审核员")
    assert jz.upload([("中站.txt", report_text(JIAOZUO, 2022).encode())], csrf=jz.csrf()).status_code == 201
    xy = Web(app)
    xy.login("信阳审核员")
    xy.upload([("平桥.txt", report_text(XINYANG, 2022).encode())], csrf=xy.csrf())
    xy.upload([("越权.txt", report_text(JIAOZUO, 2021).encode())], csrf=xy.csrf())  # refused: 焦作 for 信阳
    assert xy.get("/api/compare.csv").status_code == 200
    Web(app).login("超管", "wrong password", expect=401)
    h = {"Authorization": f"Bearer {world.token_values['超管']}"}
    assert Web(app).delete(f"/api/reports/{world.reports['信阳']}", headers=h).status_code == 204
    add_token(app, "信阳管理员")
    return world


def test_a_scoped_administrator_reads_only_the_rows_of_their_region(busy: World) -> None:
    local = Web(busy.app)
    local.login("焦作管理员")
    rows = _rows(local)
    text = " ".join(body for _a, _u, body in rows)
    assert "平桥" not in text and "信阳" not in text and "越权" not in text  # nothing of 信阳市
    actions = {a for a, _u, _b in rows}
    assert "user.login_failed" not in actions and not any(a.startswith("knowledge.") for a in actions)
    users = {u for _a, u, _b in rows}
    assert users <= {"超管", "焦作审核员", "焦作管理员", "焦作查看", ""}, users
    # what it does see: its reports (uploaded by anyone), its accounts, their sign-ins and exports
    assert ("report.upload", "焦作审核员") in {(a, u) for a, u, _b in rows}
    assert ("report.upload", "超管") in {(a, u) for a, u, _b in rows}  # the 焦作 report of the world
    assert {"user.create", "user.login", "token.create"} <= actions
    assert "中站" in text


def test_an_administrator_of_every_region_reads_every_row(busy: World) -> None:
    boss = Web(busy.app)
    boss.login("超管")
    rows = _rows(boss)
    text = " ".join(body for _a, _u, body in rows)
    actions = {a for a, _u, _b in rows}
    assert "平桥" in text and "越权" in text and "信阳" in text
    assert {"user.login_failed", "knowledge.add", "report.delete", "report.upload_refused", "compare.export"} <= actions


def test_the_audit_filters_do_not_reach_past_the_region(busy: World) -> None:
    local = Web(busy.app)
    local.login("焦作管理员")
    for query in ({"user": "信阳审核员"}, {"action": "report.upload_refused"}, {"action": "knowledge"},
                  {"action": "user.login_failed"}):
        page = local.get("/admin/audit", params=query).text
        assert ROW.findall(page) == [], query
        assert "共 0 条" in page
