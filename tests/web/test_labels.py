"""What the pages show of stored codes, in Chinese: the audit log's details and object types, and the role
of users the command line made (``user``)."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from fazhi.accounts import roles
from fazhi.accounts.models import Credential, User
from fazhi.corpus.service import get_or_create_user
from fazhi.web import labels
from fazhi.web.auth import Principal
from tests.web.conftest import JIAOZUO, Web, login_as, report_text

#: detail keys the audit events write (services, store.service, the login routes)
KNOWN_KEYS = ("file", "sha256", "status", "title", "code", "reason", "name", "role", "region", "active", "before",
              "after", "ip", "format", "rows", "columns", "where", "scope", "user_id", "prefix", "path", "versions",
              "run_id")


@pytest.fixture
def admin(app) -> Web:
    return login_as(app, "admin", "admin")


def _rows(page: str) -> list[dict[str, str]]:
    """The audit table's rows: action (data-action), the cells' HTML."""
    out = []
    for action, body in re.findall(r'<tr data-action="([\w.]+)"[^>]*>(.*?)</tr>', page, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
        out.append({"action": action, "row": body, "when": cells[0], "user": cells[1], "op": cells[2],
                    "object": cells[3], "detail": cells[4]})
    return out


def _text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: its text, without tags and attributes."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def _labels(detail: str) -> list[str]:
    return [html.unescape(b) for b in re.findall(r"<b>(.*?)</b>", detail)]


def test_audit_page_shows_details_and_objects_in_chinese(admin, app):
    w = admin
    csrf = w.csrf("/upload")
    files = [("中站区.txt", report_text(JIAOZUO).encode()), ("空.txt", b"")]
    r = w.post("/upload", data={"csrf_token": csrf}, files=[("files", (n, d, "text/plain")) for n, d in files])
    assert r.status_code == 201
    r = w.post("/upload", data={"csrf_token": csrf}, files=[("files", ("again.txt", report_text(JIAOZUO).encode(),
                                                                       "text/plain"))])
    assert r.status_code == 200
    assert w.get("/api/compare.xlsx", params={"year": "2023", "level": "county"}).status_code == 200
    r = w.post("/admin/users", data={"name": "小李", "role": "viewer", "region": "", "password": "long enough 1",
                                     "csrf_token": w.csrf()})
    assert r.status_code == 303
    with app.state.Session() as s:
        uid = s.scalar(select(User.id).where(User.name == "小李"))
    r = w.post(f"/admin/users/{uid}", data={"role": "reviewer", "region": "焦作市", "active": "1",
                                            "csrf_token": w.csrf()})
    assert r.status_code == 303
    assert w.post("/account/tokens", data={"name": "脚本", "days": "", "csrf_token": w.csrf()}).status_code == 200

    page = w.get("/admin/audit").text
    rows = _rows(page)
    by_action = {}
    for row in rows:
        by_action.setdefault(row["action"], row)
    assert {"report.upload", "report.upload_refused", "compare.export", "user.create", "user.update",
            "token.create", "user.login"} <= set(by_action)

    # no detail key is shown as its English name; each known key has its Chinese label
    for row in rows:
        shown = _labels(row["detail"])
        assert shown, row
        for label in shown:
            assert label not in KNOWN_KEYS, (row["action"], label)
            assert re.search(r"[\u4e00-\u9fff]", label) or label == "SHA-256", (row["action"], label)
    up = by_action["report.upload"]
    assert {"文件", "SHA-256", "状态", "标题"} <= set(_labels(up["detail"]))
    statuses = {_text(re.search(r'data-key="status"[^>]*>.*?<span class="val">(.*?)</span>', r["detail"]).group(1))
                for r in rows if r["action"] == "report.upload"}
    assert statuses == {"新入库", "已存在"}
    assert "created" not in _text(page) and "exists" not in _text(page)

    refused = _text(by_action["report.upload_refused"]["detail"])
    assert "文件：空.txt" in refused and "原因：空文件" in refused and "状态码：422（无法读取）" in refused

    export = by_action["compare.export"]
    assert {"格式", "行数", "筛选条件", "范围"} <= set(_labels(export["detail"]))
    text = _text(export["detail"])
    assert "Excel（xlsx）" in text and "年度：2023" in text and "级别：县级" in text and "范围：全部地区" in text

    update = by_action["user.update"]
    text = _text(update["detail"])
    assert "修改前：" in text and "修改后：" in text
    assert "角色：查看" in text and "角色：审核员" in text and "查看范围：河南省焦作市" in text and "启用：是" in text
    assert 'class="kv changed" data-key="role"' in update["detail"]  # what changed stands out
    assert 'class="kv" data-key="active"' in update["detail"]  # what did not, does not
    assert "角色：查看" in _text(by_action["user.create"]["detail"])
    assert "来源地址：" in _text(by_action["user.login"]["detail"])
    assert "令牌名称：脚本" in _text(by_action["token.create"]["detail"])

    # object types in Chinese, the codes kept for whoever greps
    objects = {r["action"]: _text(r["object"]).strip() for r in rows}
    assert objects["report.upload"].startswith("报告 #") and objects["compare.export"] == "对比表"
    assert objects["user.create"].startswith("用户 #") and objects["token.create"].startswith("API 令牌 #")
    for row in rows:
        assert f'title="{row["action"]}"' in row["op"] or f'title="{row["action"]}"' in row["row"]
    assert 'data-object-type="api_token"' in page and 'data-key="sha256"' in page


def test_audit_details_from_uploaders_stay_text(admin, app):
    r = admin.post("/upload", data={"csrf_token": admin.csrf("/upload")},
                   files=[("files", ('<img src=x onerror="alert(1)">.txt', b"", "text/plain"))])
    assert r.status_code == 422
    page = admin.get("/admin/audit").text
    assert "<img src=x" not in page and "&lt;img src=x onerror=" in page


def test_audit_detail_labels():
    items = labels.audit_detail({"name": "甲", "before": {"role": "viewer", "region": None, "active": True},
                                 "after": {"role": "admin", "region": None, "active": False}, "mystery": "x"}, "user")
    got = {i.key: i for i in items}
    assert got["name"].label == "用户名" and got["name"].value == "甲"
    before = {i.key: (i.label, i.value, i.changed) for i in got["before"].items}
    after = {i.key: (i.label, i.value, i.changed) for i in got["after"].items}
    assert before["role"] == ("角色", "查看", False) and before["region"] == ("查看范围", "全部地区", False)
    assert after["role"] == ("角色", "管理员", True) and after["active"] == ("启用", "否", True)
    assert after["region"][2] is False
    assert got["mystery"].label == "mystery" and got["mystery"].value == "x"  # unknown keys as they are
    # the same key can mean another thing for another object
    assert labels.audit_detail({"name": "脚本"}, "api_token")[0].label == "令牌名称"
    sha = labels.audit_detail({"sha256": "ab" * 32})[0]
    assert sha.value == "abababababab…" and sha.full == "ab" * 32
    assert labels.value_label("reason", "issuer outside the uploader's region scope") == "报告主体不在上传者的查看范围内"
    assert labels.value_label("reason", "empty") == "空文件"  # a refused file is recorded by its read-error code
    assert labels.value_label("status", "replaced").startswith("已更新")
    assert labels.value_label("role", "user") == roles.ROLE_LABEL["user"]
    assert labels.value_label("where", {}) == "无（全部报告）"
    assert labels.object_label("report") == "报告" and labels.object_label("ingest_thing") == "ingest_thing"


# =========================================================================== the command line's ``user``
def test_every_role_has_a_chinese_label():
    for role in (*roles.ROLES, "user"):
        assert re.search(r"[\u4e00-\u9fff]", roles.ROLE_LABEL[role]), role
    p = Principal(1, "ingest", "user", None, "token")
    assert p.role_label == roles.ROLE_LABEL["user"] != "user"
    assert p.to_json()["role_label"] == roles.ROLE_LABEL["user"]  # what /api/me answers


def test_admin_gives_a_command_line_user_a_role(admin, app):
    with app.state.WriteSession.begin() as s:
        uid = get_or_create_user(s, "ingest-bot").id  # as `fazhi ingest --user ingest-bot` does
    page = admin.get("/admin/users").text
    row = re.search(r'<tr data-user="ingest-bot" data-role="user".*?</tr>', page, re.S)
    assert row, "the command-line user is listed"
    assert roles.ROLE_LABEL["user"] in _text(row.group(0))
    assert not re.search(r">\s*user\s*<", row.group(0))  # the bare code is not what is shown
    assert 'class="inline user-grant-form" data-user="ingest-bot"' in row.group(0)
    # the row's form: a role, a password, and the user may sign in
    r = admin.post("/admin/users", data={"name": "ingest-bot", "role": "reviewer", "region": "",
                                         "password": "long enough 2", "csrf_token": admin.csrf()})
    assert r.status_code == 303
    with app.state.Session() as s:
        assert s.get(User, uid).role == "reviewer" and s.get(Credential, uid) is not None
    w = Web(app)
    w.login("ingest-bot", "long enough 2")
    me = w.get("/api/me").json()
    assert me["role"] == "reviewer" and me["role_label"] == "审核员"
    page = admin.get("/admin/users").text
    assert re.search(r'<tr data-user="ingest-bot" data-role="reviewer"', page)


# =========================================================================== validation errors
def test_invalid_parameters_are_explained_in_chinese(admin):
    r = admin.get("/", params={"page": 0})
    assert r.status_code == 400
    message = html.unescape(re.search(r'id="error-message">(.*?)<', r.text).group(1))
    assert message == "请求参数不正确：page（查询参数）应不小于 1"
    r = admin.get("/reports/abc")
    assert "report_id（路径参数）应为整数" in html.unescape(r.text)
    r = admin.get("/api/reports", params={"limit": 9999})
    assert r.status_code == 422
    assert r.json()["detail"] == [{"loc": ["query", "limit"], "msg": "应不大于 500", "type": "less_than_equal"}]
    # a form without a field it needs
    r = admin.post("/admin/users/1", data={"csrf_token": admin.csrf()})
    assert r.status_code == 400 and "role（表单字段）缺少必填参数" in html.unescape(r.text)
    # a type not in the table keeps pydantic's message rather than saying nothing
    assert labels.validation_msg({"type": "url_parsing", "msg": "Input should be a valid URL"}) == \
        "Input should be a valid URL"
