"""规则与指标 without YAML: the settings form switches a rule off, changes its severity or message and a
score weight, shows the indicator catalogue, and saves a new rules version through the same checks as an
uploaded file; the web's reviews follow it."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from fazhi import knowledge
from fazhi.knowledge.models import KnowledgeVersion
from tests.knowledge_helpers import RULE
from tests.web.conftest import JIAOZUO, XINYANG, Web, login_as
from tests.web.test_knowledge import finding, knowledge_audit, no_causes_report, upload_one, versions_count

pytestmark = pytest.mark.web

PACKAGED = yaml.safe_load(knowledge.packaged_path("rules").read_text(encoding="utf-8"))
CATALOGUE = yaml.safe_load(knowledge.packaged_path("indicators").read_text(encoding="utf-8"))


@pytest.fixture
def admin(app) -> Web:
    return login_as(app, "admin", "admin")


def form_values(page: str) -> dict[str, str]:
    """What the browser would send for the settings form as shown: every text, number and hidden input,
    every select's chosen option and every checked box."""
    form = re.search(r'<form method="post" action="/admin/knowledge/settings" id="settings-form".*?</form>', page, re.S)
    assert form, page[:300]
    out: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", form.group(0)):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag and " checked" not in tag:
            continue
        out[html.unescape(name.group(1))] = html.unescape(value.group(1) if value else "")
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form.group(0), re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        assert chosen, name
        out[html.unescape(name)] = chosen.group(1)
    return out


def stored_rules(app) -> dict[str, Any]:
    with app.state.Session() as s:
        row = s.scalars(select(KnowledgeVersion).where(KnowledgeVersion.name == "rules")
                        .order_by(KnowledgeVersion.id.desc())).first()
        assert row is not None
        return yaml.safe_load(row.content)


def test_the_form_shows_the_rules_weights_and_catalogue_in_effect(admin):
    r = admin.get("/admin/knowledge/settings")
    assert r.status_code == 200
    page = r.text
    values = form_values(page)
    for rule in PACKAGED["rules"]:
        assert values[f"message.{rule['id']}"] == rule["message"]
        assert values[f"severity.{rule['id']}"] == rule["severity"]
        assert (f"enabled.{rule['id']}" in values) == rule.get("enabled", True)
    for key, dim in PACKAGED["score"].items():
        assert float(values[f"weight.{key}"]) == dim["weight"]
        assert dim["label"] in page
    # rule codes are tooltips, not text a clerk reads
    assert f">{RULE}<" not in page and f'title="规则 {RULE}"' in page
    # every indicator of the catalogue, under its group
    listed = re.findall(r'<tr data-indicator="([^"]+)">', page)
    assert sorted(listed) == sorted(i["id"] for i in CATALOGUE["indicators"])
    core = next(i for i in CATALOGUE["indicators"] if i.get("core"))
    assert html.escape(core["name"]) in page
    assert values["version"] == "2024.1-网页1"
    # the 规则与指标 page leads here
    assert 'href="/admin/knowledge/settings"' in admin.get("/admin/knowledge").text


def test_changing_a_rule_and_weights_then_switching_the_rule_off_changes_the_next_reviews(admin, app):
    before = upload_one(admin, "before.txt", no_causes_report(JIAOZUO))
    assert finding(before, RULE)["severity"] == "warning"

    values = form_values(admin.get("/admin/knowledge/settings").text)
    values[f"severity.{RULE}"] = "error"
    values[f"message.{RULE}"] = "不足部分没有写原因（网页修改）"
    values["weight.completeness"] = "40"
    values["weight.originality"] = "5"
    values["note"] = "不足未析因改为错误"
    r = admin.post("/admin/knowledge/settings", data=values)
    assert r.status_code == 303 and r.headers["location"] == "/admin/knowledge?done=activated", r.text[:500]

    data = stored_rules(app)
    assert data["version"] == "2024.1-网页1"
    by_id = {x["id"]: x for x in data["rules"]}
    # the checks and their parameters are kept as they were, and every rule stays on
    for rule in PACKAGED["rules"]:
        assert by_id[rule["id"]]["check"] == rule["check"] and by_id[rule["id"]].get("params") == rule.get("params")
        assert by_id[rule["id"]].get("enabled", True) == rule.get("enabled", True)
    assert data["score"]["quantification"] == PACKAGED["score"]["quantification"]
    assert knowledge_audit(app) == ["knowledge.add", "knowledge.activate"]

    during = upload_one(admin, "during.txt", no_causes_report(XINYANG))
    assert during["versions"]["rules"] == "2024.1-网页1"
    f = finding(during, RULE)
    assert f["severity"] == "error" and f["message"] == "不足部分没有写原因（网页修改）"
    dims = during["score"]["dimensions"]
    assert dims["completeness"]["weight"] == 40 and dims["originality"]["weight"] == 5

    # the form now shows the version in effect and suggests the next number; switch the rule off
    values = form_values(admin.get("/admin/knowledge/settings").text)
    assert values[f"severity.{RULE}"] == "error" and values["version"] == "2024.1-网页2"
    values.pop(f"enabled.{RULE}")
    r = admin.post("/admin/knowledge/settings", data=values)
    assert r.status_code == 303
    assert {x["id"]: x for x in stored_rules(app)["rules"]}[RULE]["enabled"] is False
    after = upload_one(admin, "after.txt", no_causes_report(JIAOZUO, 2022))
    assert after["versions"]["rules"] == "2024.1-网页2" and finding(after, RULE) is None
    assert f'data-rule="{RULE}" data-enabled="0"' in admin.get("/admin/knowledge/settings").text


@pytest.mark.parametrize(("change", "status", "expect"), [
    ({f"message.{RULE}": "   "}, 422, f"规则 {RULE} 的提示语不能为空"),
    ({f"severity.{RULE}": "fatal"}, 422, f"规则 {RULE} 的级别须为 错误、警告、提示 之一"),
    ({"weight.completeness": "很多"}, 422, "“内容完整性”的权重须为数字"),
    ({"weight.completeness": "-5"}, 422, "“内容完整性”的权重须在 0 到 1000 之间"),
    ({"version": "2024.1"}, 409, "与内置版本相同"),
    ({"version": ""}, 422, "请填写新版本号"),
    ({"base_sha256": "0" * 64}, 409, "已被修改"),
    # a placeholder the rule's check does not fill would break every review in which the rule fires
    ({"message.part.missing": "缺少：{不存在}"}, 422, "规则 part.missing 的提示语中的 {不存在} 不是这条规则能填入的内容；可用的有：{label}"),
    ({"message.part.missing": "缺少 {label"}, 422, "规则 part.missing 的提示语中花括号不成对"),
])
def test_what_the_form_cannot_take_is_refused_at_the_top_and_nothing_is_stored(admin, app, change, status, expect):
    values = {**form_values(admin.get("/admin/knowledge/settings").text), **change, "note": "保留的说明"}
    r = admin.post("/admin/knowledge/settings", data=values)
    assert r.status_code == status
    err = html.unescape(re.search(r'id="knowledge-error"[^>]*>([^<]*)<', r.text).group(1))
    assert expect in err, err
    assert r.text.index('id="knowledge-error"') < r.text.index('id="settings-form"')
    assert 'value="保留的说明"' in r.text  # what was typed is kept
    assert versions_count(app) == 0 and knowledge_audit(app) == []


@pytest.mark.parametrize("role", ["reviewer", "viewer"])
def test_only_an_unscoped_administrator_uses_the_form(app, role):
    admin = login_as(app, "admin", "admin")
    values = form_values(admin.get("/admin/knowledge/settings").text)
    for w in (login_as(app, "someone", role), login_as(app, "焦作管理员", "admin", region="焦作市")):
        assert w.get("/admin/knowledge/settings").status_code == 403
        r = w.post("/admin/knowledge/settings", data={**values, "csrf_token": w.csrf()})
        assert r.status_code == 403
    r = admin.post("/admin/knowledge/settings", data={**values, "csrf_token": "forged"})
    assert r.status_code == 403
    assert Web(app).get("/admin/knowledge/settings").status_code == 303
    assert versions_count(app) == 0


def test_the_api_says_what_is_wrong_with_a_request_body_in_chinese(admin):
    r = admin.post("/api/knowledge", json={"name": "rulez", "content": 1}, headers={"X-CSRF-Token": admin.csrf()})
    assert r.status_code == 422
    msgs = {tuple(e["loc"]): e["msg"] for e in r.json()["detail"]}
    assert msgs[("body", "name")].startswith("格式不符（应匹配 ^(parts|rules|indicators|units)$")
    assert msgs[("body", "content")] == "应为文字"
    r = admin.post("/api/knowledge", content=b"{not json", headers={"X-CSRF-Token": admin.csrf(),
                                                                    "Content-Type": "application/json"})
    assert r.status_code == 422 and "不是有效的 JSON" in str(r.json()["detail"])
