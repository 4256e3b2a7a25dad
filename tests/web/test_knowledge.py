"""规则与指标 over HTTP: an administrator uploads, activates and deactivates knowledge versions, and the
web's reviews follow the database's active set (on SQLite and PostgreSQL); refusals store nothing;
other roles, a missing CSRF token and a region-scoped administrator change nothing."""

from __future__ import annotations

import html
import re

import pytest
import yaml
from sqlalchemy import func, select

from fazhi import knowledge
from fazhi.accounts.models import AuditEvent
from fazhi.corpus.models import Report
from fazhi.knowledge.models import KnowledgeVersion
from tests.knowledge_helpers import RULE, local_rules
from tests.web.conftest import JIAOZUO, XINYANG, Web, add_token, login_as, report_text

NEW_MESSAGE = "不足部分没有分析原因（本地规则 2024.1-本地）"


def rules_yaml(version: str = "2024.1-本地", *, severity: str = "error", message: str = NEW_MESSAGE) -> str:
    """The packaged rules with the no-causes rule made an error with another message."""
    return local_rules(version, severity=severity, message=message)


def no_causes_report(unit: str = JIAOZUO, year: int = 2023) -> bytes:
    """A report whose shortcomings give no cause (the packaged rule: a warning)."""
    return report_text(unit, year).replace("主要原因是重视程度不够。", "").encode("utf-8")


def versions_count(app) -> int:
    with app.state.Session() as s:
        return int(s.scalar(select(func.count()).select_from(KnowledgeVersion)) or 0)


def knowledge_audit(app) -> list[str]:
    with app.state.Session() as s:
        return list(s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("knowledge.%"))
                              .order_by(AuditEvent.id)))


def page_form(w: Web, name: str, content: str | bytes, *, note: str = "", activate: bool = False,
              as_file: bool = True, csrf: str | None = "auto"):
    data = {"name": name, "note": note}
    if csrf == "auto":
        csrf = w.csrf("/admin/knowledge")
    if csrf is not None:
        data["csrf_token"] = csrf
    if activate:
        data["activate"] = "1"
    raw = content.encode("utf-8") if isinstance(content, str) else content
    if as_file:
        return w.post("/admin/knowledge", data=data, files={"file": (f"{name}.yaml", raw, "application/yaml")})
    return w.post("/admin/knowledge", data={**data, "content": raw.decode("utf-8")},
                  files={"file": ("", b"", "application/octet-stream")})


def finding(doc: dict, rule: str) -> dict | None:
    return next((f for f in doc["findings"] if f["rule"] == rule), None)


def upload_one(w: Web, name: str, data: bytes) -> dict:
    r = w.upload([(name, data)], csrf=w.csrf(), brief=False)
    assert r.status_code == 201, r.text[:300]
    return r.json()["results"][0]["review"]


@pytest.fixture
def admin(app) -> Web:
    return login_as(app, "admin", "admin")


# ============================================================================ the whole round, both backends
def test_activated_rules_change_web_reviews_and_back_to_packaged_restores_them(backend_app):
    app = backend_app
    admin = login_as(app, "admin", "admin")
    before = upload_one(admin, "before.txt", no_causes_report(JIAOZUO))
    f = finding(before, RULE)
    assert f is not None and f["severity"] == "warning" and f["message"] != NEW_MESSAGE
    assert before["versions"]["rules"] == "2024.1"

    r = page_form(admin, "rules", rules_yaml(), note="不足未析因改为错误", activate=True)
    assert r.status_code == 303 and r.headers["location"] == "/admin/knowledge?done=activated"
    page = admin.get("/admin/knowledge").text
    assert re.search(r'id="knowledge-rules" data-name="rules" data-active="2024.1-本地"', page)
    assert "不足未析因改为错误" in page and "已启用该版本" not in page  # the message is shown after the redirect only
    assert "已启用该版本" in admin.get("/admin/knowledge?done=activated").text

    during = upload_one(admin, "during.txt", no_causes_report(XINYANG))
    f = finding(during, RULE)
    assert f is not None and f["severity"] == "error" and f["message"] == NEW_MESSAGE
    assert during["versions"]["rules"] == "2024.1-本地"
    with app.state.Session() as s:  # the stored report records the knowledge it was reviewed with
        rep = s.get(Report, during["id"])
        assert rep.versions["rules"] == "2024.1-本地" and "rules=2024.1-本地" in rep.knowledge
        old = s.get(Report, before["id"])
        assert "rules=2024.1;" in old.knowledge
    counts = admin.get("/api/knowledge").json()["reports"]
    assert (counts["current"], counts["other"], counts["total"]) == (1, 1, 2)

    r = admin.post("/admin/knowledge/rules/deactivate", data={"csrf_token": admin.csrf("/admin/knowledge")})
    assert r.status_code == 303
    after = upload_one(admin, "after.txt", no_causes_report(JIAOZUO, 2022))
    f = finding(after, RULE)
    assert f is not None and f["severity"] == "warning" and f["message"] == finding(before, RULE)["message"]
    assert after["versions"] == before["versions"]
    assert knowledge_audit(app) == ["knowledge.add", "knowledge.activate", "knowledge.deactivate"]
    audit_page = admin.get("/admin/audit").text
    for label in ("上传规则/指标版本", "启用规则/指标版本", "恢复内置规则/指标"):
        assert label in audit_page


def test_another_worker_process_activating_is_seen_at_the_next_upload(app, admin):
    """The check is against the database, not against what this process did: a version activated
    behind the app's back (another worker, the CLI) is used by the next upload."""
    from fazhi.knowledge import versions as ks

    with app.state.WriteSession.begin() as s:
        ks.add_version(s, "rules", rules_yaml("2024.1-cli"), activate_it=True)
    doc = upload_one(admin, "a.txt", no_causes_report())
    assert doc["versions"]["rules"] == "2024.1-cli" and finding(doc, RULE)["severity"] == "error"
    with app.state.WriteSession.begin() as s:
        ks.deactivate(s, "rules")
    doc = upload_one(admin, "b.txt", no_causes_report(XINYANG))
    assert doc["versions"]["rules"] == "2024.1" and finding(doc, RULE)["severity"] == "warning"


def test_an_upload_batch_asks_the_database_once(app, admin):
    """Several files in one upload: the active set is one query for the batch (plus nothing per file)."""
    from sqlalchemy import event

    engine = app.state.engine
    seen: list[str] = []

    def count(_conn, _cur, statement, *_a):
        if "knowledge_versions" in statement:
            seen.append(statement)

    page_form(admin, "rules", rules_yaml(), activate=True)
    event.listen(engine, "before_cursor_execute", count)
    try:
        files = [(f"{i}.txt", no_causes_report(unit, 2020 + i)) for i, unit in enumerate((JIAOZUO, XINYANG) * 2)]
        r = admin.upload(files, csrf=admin.csrf(), brief=False)
        assert r.status_code == 201
        assert all(x["review"]["versions"]["rules"] == "2024.1-本地" for x in r.json()["results"])
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(seen) == 1, seen


# ============================================================================ refusals store nothing
def test_a_schema_invalid_file_is_refused_with_the_place_and_nothing_is_stored(admin, app):
    bad = rules_yaml("2024.1-坏").replace("severity: error", "severity: fatal", 1)
    r = page_form(admin, "rules", bad, activate=True)
    assert r.status_code == 422
    err = html.unescape(re.search(r'id="knowledge-error"[^>]*>([^<]*)<', r.text).group(1))
    assert err.startswith("rules.yaml 未通过格式校验：rules/")
    # in Chinese, naming the rule by its place and its id, the value refused and the values allowed
    first = yaml.safe_load(bad)["rules"][0]
    assert first["severity"] == "fatal"
    assert f"rules/0/severity（rules的第 1 项（{first['id']}）的severity）" in err, err
    assert "取值 'fatal' 不在允许范围内（应为 'error'、'warning'、'info' 之一）" in err, err
    assert "is not one of" not in err
    # at the top of the page, before the versions and the upload form
    assert r.text.index('id="knowledge-error"') < r.text.index('id="knowledge-reports"')
    # the form keeps what was chosen, so the administrator can correct it
    assert re.search(r'<option value="rules" selected>', r.text) and 'id="knowledge-activate" checked' in r.text
    assert versions_count(app) == 0 and knowledge_audit(app) == []
    # the API says the same, as JSON
    r = admin.post("/api/knowledge", json={"name": "rules", "content": bad},
                   headers={"X-CSRF-Token": admin.csrf()})
    assert r.status_code == 422 and "取值 'fatal' 不在允许范围内" in r.json()["detail"]
    assert versions_count(app) == 0


@pytest.mark.parametrize(("content", "expect"), [
    ("version: \"x\"\nrules: [\n  - id: a\n", "rules.yaml 不是有效的 YAML（第 "),
    ("version: \"x\"\nrules:\n\t- id: a\n", "用了制表符 Tab 缩进，YAML 只能用空格缩进"),
    ("version: \"x\"\nrules: a: b\n", "此处不能出现“键: 值”"),
    ("- 1\n- 2\n", "rules.yaml 未通过格式校验：顶层：[1, 2] 的类型不对：应为键值映射"),
    ("version: \"2024.1-x\"\nrules: []\n", "rules.yaml 未通过格式校验：顶层：缺少必填字段 'score'"),
    ("version: \"2024.1-x\"\nrules:\n  - {id: a, check: b, severity: info, message: m, sevrity: x}\nscore: {}\n",
     "rules/0（rules的第 1 项（a））：有不允许的字段：'sevrity'（可能是拼写错误）"),
    ("a: &x [1, 2]\nb: *x\n", "YAML 别名"),
])
def test_broken_yaml_is_refused_with_where_and_why(admin, app, content, expect):
    r = admin.post("/api/knowledge", json={"name": "rules", "content": content},
                   headers={"X-CSRF-Token": admin.csrf()})
    assert r.status_code == 422 and expect in r.json()["detail"], r.json()
    assert versions_count(app) == 0


def test_a_rule_naming_an_unknown_check_fails_the_trial_review(admin, app):
    bad = rules_yaml("2024.1-坏").replace("check: no_causes", "check: no_such_check")
    r = page_form(admin, "rules", bad)
    assert r.status_code == 422
    err = html.unescape(re.search(r'id="knowledge-error"[^>]*>([^<]*)<', r.text).group(1))
    assert err.startswith("rules.yaml 无法使用：") and "no_such_check" in err
    assert versions_count(app) == 0


def test_duplicates_and_reused_version_numbers_are_refused(admin, app):
    h = {"X-CSRF-Token": admin.csrf()}
    ok = admin.post("/api/knowledge", json={"name": "rules", "content": rules_yaml(), "note": "第一版"}, headers=h)
    assert ok.status_code == 201 and ok.json()["version"] == "2024.1-本地" and not ok.json()["active"]
    again = admin.post("/api/knowledge", json={"name": "rules", "content": rules_yaml()}, headers=h)
    assert again.status_code == 409 and "已存储为版本 2024.1-本地" in again.json()["detail"]
    other = admin.post("/api/knowledge", json={"name": "rules", "content": rules_yaml(message="另一条消息")},
                       headers=h)
    assert other.status_code == 409 and "版本号 2024.1-本地 已被另一份内容" in other.json()["detail"]
    packaged_number = admin.post("/api/knowledge", json={"name": "rules", "content": rules_yaml("2024.1")},
                                 headers=h)
    assert packaged_number.status_code == 409 and "与内置版本相同" in packaged_number.json()["detail"]
    assert versions_count(app) == 1


def test_a_text_over_the_limit_is_refused(admin, app):
    big = rules_yaml("2024.1-大") + "#" + "x" * (2 * 1024 * 1024) + "\n"
    r = page_form(admin, "rules", big)
    assert r.status_code == 413 and "过大" in r.text
    assert versions_count(app) == 0


# ============================================================================ who may
@pytest.mark.parametrize("role", ["reviewer", "viewer"])
def test_other_roles_get_403_on_the_page_and_the_api_and_nothing_changes(app, role):
    admin = login_as(app, "admin", "admin")
    r = admin.post("/api/knowledge", json={"name": "rules", "content": rules_yaml()},
                   headers={"X-CSRF-Token": admin.csrf()})
    vid = r.json()["id"]
    w = login_as(app, "someone", role)
    assert 'href="/admin/knowledge"' not in w.get("/").text
    assert 'href="/admin/knowledge"' in admin.get("/").text
    csrf = w.csrf()
    for method, path, kw in (
        ("GET", "/admin/knowledge", {}),
        ("GET", f"/admin/knowledge/versions/{vid}", {}),
        ("GET", f"/admin/knowledge/versions/{vid}/download", {}),
        ("GET", "/admin/knowledge/files/rules/download", {}),
        ("POST", "/admin/knowledge", {"data": {"csrf_token": csrf, "name": "rules", "content": rules_yaml("x.1")}}),
        ("POST", f"/admin/knowledge/versions/{vid}/activate", {"data": {"csrf_token": csrf}}),
        ("POST", "/admin/knowledge/rules/deactivate", {"data": {"csrf_token": csrf}}),
        ("GET", "/api/knowledge", {}),
        ("GET", f"/api/knowledge/versions/{vid}", {}),
        ("POST", "/api/knowledge", {"json": {"name": "rules", "content": rules_yaml("x.2")},
                                    "headers": {"X-CSRF-Token": csrf}}),
        ("POST", f"/api/knowledge/versions/{vid}/activate", {"headers": {"X-CSRF-Token": csrf}}),
    ):
        r = w.c.request(method, path, **kw)
        assert r.status_code == 403, (method, path, r.status_code)
        assert "管理规则与指标" in r.text
    # an API token of that role: the same
    tok = add_token(app, "someone")
    r = Web(app).post(f"/api/knowledge/versions/{vid}/activate", headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 403
    assert versions_count(app) == 1 and knowledge_audit(app) == ["knowledge.add"]
    assert admin.get("/api/knowledge").json()["files"][1]["active"] is None
    # nobody signed in: the page asks to log in, the API says 401
    anon = Web(app)
    assert anon.get("/admin/knowledge").status_code == 303
    assert anon.get("/api/knowledge").status_code == 401


def test_a_region_scoped_administrator_cannot_change_what_applies_to_every_report(app):
    w = login_as(app, "焦作管理员", "admin", region="焦作市")
    assert 'href="/admin/knowledge"' not in w.get("/").text
    r = w.get("/admin/knowledge")
    assert r.status_code == 403 and "不限地区的管理员" in r.text
    r = w.post("/api/knowledge", json={"name": "rules", "content": rules_yaml()}, headers={"X-CSRF-Token": w.csrf()})
    assert r.status_code == 403 and versions_count(app) == 0


def test_without_the_csrf_token_nothing_changes_but_an_api_token_needs_none(admin, app):
    r = page_form(admin, "rules", rules_yaml(), csrf=None)
    assert r.status_code == 403 and "CSRF" in r.text
    r = admin.post("/api/knowledge", json={"name": "rules", "content": rules_yaml()})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    assert versions_count(app) == 0
    tok = add_token(app, "admin")
    bearer = {"Authorization": f"Bearer {tok}"}
    r = Web(app).post("/api/knowledge", json={"name": "rules", "content": rules_yaml(), "activate": True},
                      headers=bearer)
    assert r.status_code == 201 and r.json()["active"] and r.json()["created_by"] == "admin"
    vid = r.json()["id"]
    r = admin.post(f"/admin/knowledge/versions/{vid}/activate", data={})
    assert r.status_code == 403
    r = admin.post("/admin/knowledge/rules/deactivate", data={"csrf_token": "forged"})
    assert r.status_code == 403
    assert Web(app).get("/api/knowledge", headers=bearer).json()["files"][1]["active"]["id"] == vid
    r = Web(app).post("/api/knowledge/rules/deactivate", headers=bearer)
    assert r.status_code == 200 and r.json() == {"name": "rules", "deactivated": {"id": vid, "version": "2024.1-本地"}}
    r = Web(app).post("/api/knowledge/rules/deactivate", headers=bearer)
    assert r.json()["deactivated"] is None
    r = Web(app).post(f"/api/knowledge/versions/{vid}/activate", headers=bearer)
    assert r.status_code == 200 and r.json()["active"] and r.json()["activated_by"] == "admin"
    assert Web(app).post("/api/knowledge/versions/999/activate", headers=bearer).status_code == 404


# ============================================================================ showing and downloading
def test_yaml_and_notes_are_shown_escaped_and_downloaded_under_a_name_made_here(admin, app):
    evil = rules_yaml("2024.1-<script>alert(1)</script>", message="<script>alert('规则')</script>不足未析因")
    evil = "# </pre><script>alert('注释')</script>\n" + evil
    r = page_form(admin, "rules", evil, note="<img src=x onerror=alert(1)>说明", as_file=False)
    assert r.status_code == 303, r.text[-800:]
    with app.state.Session() as s:
        vid = s.scalar(select(KnowledgeVersion.id))
    for path in ("/admin/knowledge", f"/admin/knowledge/versions/{vid}"):
        page = admin.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;说明" in page
    page = admin.get(f"/admin/knowledge/versions/{vid}").text
    shown = re.search(r'<pre id="knowledge-content" class="knowledge-yaml">(.*?)</pre>', page, re.S).group(1)
    assert html.unescape(shown) == evil
    d = admin.get(f"/admin/knowledge/versions/{vid}/download")
    assert d.status_code == 200 and d.content.decode("utf-8") == evil
    cd = d.headers["content-disposition"]
    assert cd.startswith('attachment; filename="rules-2024.1-_script_alert_1_') and cd.count('"') == 2
    assert "<" not in cd and "\n" not in cd
    api = admin.get(f"/api/knowledge/versions/{vid}").json()
    assert api["content"] == evil and api["note"] == "<img src=x onerror=alert(1)>说明"
    packaged = admin.get("/admin/knowledge/files/rules/download")
    assert packaged.status_code == 200 and 'filename="rules-packaged.yaml"' in packaged.headers["content-disposition"]
    assert packaged.content == knowledge.packaged_path("rules").read_bytes()
    assert admin.get("/admin/knowledge/files/evil/download").status_code == 404
    assert admin.get("/admin/knowledge/versions/999").status_code == 404


def test_page_lists_packaged_active_history_and_report_counts(admin, app):
    upload_one(admin, "a.txt", no_causes_report(JIAOZUO))
    page = admin.get("/admin/knowledge").text
    for name in knowledge.NAMES:
        assert f'id="knowledge-{name}" data-name="{name}" data-active=""' in page
    assert 'id="reports-current">1<' in page and 'id="reports-other">0<' in page and "refresh-note" not in page
    page_form(admin, "rules", rules_yaml(), note="第一版", activate=True)
    page_form(admin, "rules", rules_yaml("2024.1-本地2", message="第二版的消息"), note="第二版")
    page = admin.get("/admin/knowledge").text
    rows = re.findall(r'<tr data-id="(\d+)" data-version="([^"]*)" data-active="(\d)">', page)
    assert [(v, a) for _i, v, a in rows] == [("2024.1-本地2", "0"), ("2024.1-本地", "1")]
    assert 'id="reports-current">0<' in page and 'id="reports-other">1<' in page
    assert "fazhi ingest --refresh" in page
    api = admin.get("/api/knowledge").json()
    rules = next(f for f in api["files"] if f["name"] == "rules")
    assert rules["packaged"] == "2024.1" and rules["active"]["version"] == "2024.1-本地"
    assert [v["note"] for v in rules["versions"]] == ["第二版", "第一版"]
    packaged_indicators = yaml.safe_load(knowledge.packaged_path("indicators").read_text(encoding="utf-8"))
    assert api["in_effect"]["rules"] == "2024.1-本地"
    assert api["in_effect"]["indicators"] == packaged_indicators["version"]  # none uploaded: the packaged one
    spec = admin.get("/api/openapi.json").json()
    assert spec["paths"]["/api/knowledge"]["get"]["summary"] == "规则与指标版本列表"
    assert "/admin/knowledge" not in spec["paths"]


def test_indicator_catalogue_versions_change_the_facts_of_uploads(admin, app):
    """A catalogue version that drops an indicator: uploads no longer find it; back to packaged: found."""
    data = yaml.safe_load(knowledge.packaged_path("indicators").read_text(encoding="utf-8"))
    data["version"] = "2024.1-无复议"
    data["indicators"] = [i for i in data["indicators"] if i["id"] != "admin_reconsideration_cases"]
    r = page_form(admin, "indicators", yaml.safe_dump(data, allow_unicode=True), activate=True)
    assert r.status_code == 303
    doc = upload_one(admin, "a.txt", report_text(JIAOZUO).encode())
    assert "admin_reconsideration_cases" not in {f["indicator"] for f in doc["facts"]}
    assert doc["versions"]["indicators"] == "2024.1-无复议"
    admin.post("/admin/knowledge/indicators/deactivate", data={"csrf_token": admin.csrf("/admin/knowledge")})
    doc = upload_one(admin, "b.txt", report_text(XINYANG).encode())
    assert "admin_reconsideration_cases" in {f["indicator"] for f in doc["facts"]}


def test_indicator_names_follow_a_version_activated_by_another_process(admin, app):
    """The compare table, its export and the dashboard name indicators with the database's catalogue,
    also in a server process that has not applied it yet (another worker activated it)."""
    from fazhi.knowledge import versions as ks

    upload_one(admin, "a.txt", report_text(JIAOZUO).encode())
    data = yaml.safe_load(knowledge.packaged_path("indicators").read_text(encoding="utf-8"))
    data["version"] = "2024.1-改名"
    for ind in data["indicators"]:
        if ind["id"] == "law_study_sessions":
            ind["name"] = "领导干部集中学法次数（本省口径）"
    with app.state.WriteSession.begin() as s:
        ks.add_version(s, "indicators", yaml.safe_dump(data, allow_unicode=True), activate_it=True)
    table = admin.get("/api/compare").json()
    names = {c["id"]: c["name"] for c in table["columns"]}
    assert names["law_study_sessions"] == "领导干部集中学法次数（本省口径）"
    assert "本省口径" in admin.get("/api/compare.csv").content.decode("utf-8-sig")
    assert "本省口径" in admin.get("/?ind=law_study_sessions").text


def test_a_stored_active_version_this_fazhi_cannot_use_refuses_uploads_clearly(admin, app):
    """An active row whose text no longer validates (changed behind the app's back, or a newer schema):
    uploads are refused with a message for the administrator, nothing is stored."""
    from sqlalchemy import update

    page_form(admin, "rules", rules_yaml(), activate=True)
    with app.state.WriteSession.begin() as s:
        s.execute(update(KnowledgeVersion).values(content="version: \"2024.1-本地\"\nrules: 1\n",
                                                  sha256="0" * 64))
    r = admin.upload([("a.txt", no_causes_report())], csrf=admin.csrf())
    assert r.status_code == 503
    assert "规则与指标配置无法使用" in r.json()["results"][0]["error"]
    with app.state.Session() as s:
        assert s.scalar(select(func.count()).select_from(Report)) == 0


def test_who_added_a_version_is_recorded(admin, app):
    page_form(admin, "units", re.sub(r'^version: "[^"]*"', 'version: "2024.1-u"',
                                     knowledge.packaged_path("units").read_text(encoding="utf-8"), count=1,
                                     flags=re.M), note="单位")
    v = admin.get("/api/knowledge").json()["files"][3]["versions"][0]
    assert v["created_by"] == "admin" and v["version"] == "2024.1-u" and v["activated_by"] is None


# ============================================================================ re-review what is stored
def test_the_page_re_reviews_stored_reports_in_the_background(admin, app):
    """After an activation the page offers to re-review the reports stored under other knowledge; the
    re-review runs in a process of its own (from the stored text) and the page reports how it went."""
    import time

    from fazhi.corpus.models import IngestRun

    first = upload_one(admin, "a.txt", no_causes_report())
    upload_one(admin, "b.txt", no_causes_report(XINYANG))
    assert finding(first, RULE)["severity"] == "warning"
    page_form(admin, "rules", rules_yaml(), activate=True)
    page = admin.get("/admin/knowledge").text
    assert 'id="refresh-form"' in page and "重新审查这 2 份报告" in page
    assert admin.post("/admin/knowledge/refresh", data={}).status_code == 403  # no CSRF token
    r = admin.post("/admin/knowledge/refresh", data={"csrf_token": admin.csrf("/admin/knowledge")})
    assert r.status_code == 303 and r.headers["location"].endswith("done=refresh_started")
    deadline = time.monotonic() + 90
    while True:
        with app.state.Session() as s:
            run = s.scalars(select(IngestRun).order_by(IngestRun.id.desc())).first()
        if (run is not None and run.status != "running") or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert run is not None and run.status == "completed" and (run.refreshed, run.failed) == (2, 0), run.message
    with app.state.Session() as s:
        docs = [d for (d,) in s.execute(select(Report.review))]
    assert {d["versions"]["rules"] for d in docs} == {"2024.1-本地"}
    assert all(finding(d, RULE)["severity"] == "error" for d in docs)
    page = admin.get("/admin/knowledge").text
    assert 'id="reports-other">0<' in page and 'id="refresh-form"' not in page
    assert 'id="refresh-last" data-status="completed"' in page and "2 / 2 份" in page
    assert "knowledge.refresh" in knowledge_audit(app)


def test_a_running_re_review_is_shown_and_not_started_twice(admin, app):
    import os
    import socket

    from fazhi.corpus import service

    upload_one(admin, "a.txt", no_causes_report())
    page_form(admin, "rules", rules_yaml(), activate=True)
    with app.state.WriteSession.begin() as s:  # a refresh in progress (this process stands in for it)
        run = service.start_run(s, args={"refresh": "stored"}, total=1)
        run.host, run.pid = socket.gethostname(), os.getpid()
    page = admin.get("/admin/knowledge").text
    assert 'id="refresh-status" data-status="running"' in page and 'http-equiv="refresh"' in page
    assert 'id="refresh-form"' not in page
    r = admin.post("/admin/knowledge/refresh", data={"csrf_token": admin.csrf("/admin/knowledge")})
    assert r.status_code == 303 and r.headers["location"].endswith("done=refresh_running")
    assert "knowledge.refresh" not in knowledge_audit(app)


def test_only_an_administrator_re_reviews(app):
    for role in ("viewer", "reviewer"):
        w = login_as(app, role, role)
        r = w.post("/admin/knowledge/refresh", data={"csrf_token": w.csrf("/account")})
        assert r.status_code == 403
