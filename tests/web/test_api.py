"""The REST API: upload and review, list and filter, one report and its parts, delete, compare and
export, similar reports, OpenAPI — over SQLite and PostgreSQL where it matters."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from fazhi.accounts.models import AuditEvent
from fazhi.corpus import similar_reports
from tests.web.conftest import (
    JIAOZUO,
    XINYANG,
    Web,
    add_token,
    add_user,
    count_reports,
    login_as,
    report_text,
)


@pytest.fixture
def bot(backend_app) -> tuple[object, dict[str, str]]:
    add_user(backend_app, "bot", "reviewer")
    return backend_app, {"Authorization": f"Bearer {add_token(backend_app, 'bot')}"}


def _upload(app, headers, files, *, brief=False):
    return Web(app).upload(files, headers=headers, brief=brief)


def _audit(app, action):
    with app.state.Session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .options(joinedload(AuditEvent.user)).order_by(AuditEvent.id)))


def test_upload_returns_the_review_per_file_and_is_idempotent(bot):
    app, h = bot
    data = report_text(JIAOZUO).encode("gb18030")  # read by content: GB18030 text
    r = _upload(app, h, [("中站区.txt", data), ("bad.pdf", b"not a pdf at all \x00\x01\x02" * 10)])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["stored"] == 1 and body["failed"] == 1
    ok, bad = body["results"]
    assert ok["ok"] and ok["status"] == "created" and ok["code"] == 201 and isinstance(ok["id"], int)
    rv = ok["review"]
    assert rv["schema"] == "fazhi.review/1" and rv["id"] == ok["id"]
    assert rv["issuer"]["city"] == "焦作市" and rv["year"] == 2023 and rv["source"]["path"] == "中站区.txt"
    assert rv["source"]["format"] == "txt" and len(rv["source"]["sha256"]) == 64
    assert {f["indicator"] for f in rv["facts"]} >= {"law_study_sessions", "admin_reconsideration_cases"}
    assert not bad["ok"] and bad["code"] in (415, 422) and bad["error"] and bad["file"] == "bad.pdf"
    again = _upload(app, h, [("copy.txt", data)], brief=True)
    assert again.status_code == 200
    assert again.json()["results"][0] == {"file": "copy.txt", "ok": True, "status": "exists", "code": 200,
                                          "id": ok["id"], "title": ok["title"], "issuer": ok["issuer"]}
    assert count_reports(app) == 1
    ev = _audit(app, "report.upload")
    assert {e.detail["status"] for e in ev} == {"created", "exists"} and all(e.user.name == "bot" for e in ev)


def test_upload_formats_by_content(bot, tmp_path):
    from tests.helpers_formats import write_docx, write_html

    app, h = bot
    docx = write_docx(tmp_path / "r.docx", report_text(XINYANG)).read_bytes()
    page = write_html(tmp_path / "r.html", report_text("焦作市解放区民主街道办事处")).read_bytes()
    r = _upload(app, h, [("报告.txt", docx), ("page.htm", page)], brief=True)  # a .docx named .txt
    assert r.status_code == 201, r.text
    ids = [x["id"] for x in r.json()["results"]]
    w = Web(app)
    assert w.get(f"/api/reports/{ids[0]}", headers=h).json()["source"]["format"] == "docx"
    assert w.get(f"/api/reports/{ids[1]}", headers=h).json()["source"]["format"] == "html"


def test_list_filter_page_and_one_report(bot):
    app, h = bot
    files = [("a.txt", report_text(JIAOZUO, 2022).encode()), ("b.txt", report_text(JIAOZUO, 2023).encode()),
             ("c.txt", report_text(XINYANG, 2023).encode()), ("d.txt", report_text("信阳市人民政府", 2023).encode())]
    r = _upload(app, h, files, brief=True)
    assert r.status_code == 201
    w = Web(app)
    get = lambda path, **params: w.get(path, headers=h, params=params)  # noqa: E731
    assert get("/api/reports").json()["total"] == 4
    assert get("/api/reports", region="焦作市").json()["total"] == 2
    assert get("/api/reports", year="2023").json()["total"] == 3
    assert get("/api/reports", year="2021-2022").json()["total"] == 1
    assert get("/api/reports", level="city").json()["total"] == 1
    assert get("/api/reports", level="county,city", region="信阳市").json()["total"] == 2
    assert get("/api/reports", issuer="平桥").json()["total"] == 1
    assert get("/api/reports", code="4108").json()["total"] == 2
    page1 = get("/api/reports", limit=3, offset=0).json()
    page2 = get("/api/reports", limit=3, offset=3).json()
    assert len(page1["items"]) == 3 and len(page2["items"]) == 1
    assert {i["id"] for i in page1["items"]} & {i["id"] for i in page2["items"]} == set()
    assert get("/api/reports", year="twenty").status_code == 422  # the schema allows four-digit years only
    assert get("/api/reports", limit=0).status_code == 422
    rid = page1["items"][0]["id"]
    doc = get(f"/api/reports/{rid}").json()
    assert "text" not in doc and doc["id"] == rid
    full = get(f"/api/reports/{rid}", with_text=1).json()
    for f in full["facts"]:
        assert full["text"][f["start"]:f["end"]] == f["text"]
    facts = get(f"/api/reports/{rid}/facts").json()
    assert facts["facts"] == doc["facts"] and facts["quantities"] == doc["quantities"]
    findings = get(f"/api/reports/{rid}/findings").json()
    assert findings["findings"] == doc["findings"] and findings["score"]["total"] == doc["score"]["total"]
    parts = get(f"/api/reports/{rid}/parts").json()["parts"]
    assert set(parts) >= {"achievements", "shortcomings", "first_responsible", "next_year_plan"}
    assert get("/api/reports/987654").status_code == 404
    assert get("/api/reports/not-a-number").status_code == 422


def test_delete_is_audited_and_the_report_is_gone(bot):
    app, h = bot
    rid = _upload(app, h, [("a.txt", report_text(JIAOZUO).encode())], brief=True).json()["results"][0]["id"]
    w = Web(app)
    assert w.delete(f"/api/reports/{rid}", headers=h).status_code == 204
    assert w.get(f"/api/reports/{rid}", headers=h).status_code == 404
    assert w.delete(f"/api/reports/{rid}", headers=h).status_code == 404
    ev = _audit(app, "report.delete")
    assert len(ev) == 1 and ev[0].object_id == rid and ev[0].user.name == "bot"


def test_compare_json_xlsx_and_csv_are_what_the_cli_writes(bot):
    app, h = bot
    _upload(app, h, [("a.txt", report_text(JIAOZUO, 2022).encode()),
                     ("b.txt", report_text(JIAOZUO, 2023, extra="办理行政复议案件20件。").encode()),
                     ("c.txt", report_text(XINYANG).encode())], brief=True)
    w = Web(app)
    table = w.get("/api/compare", headers=h, params={"core": 1}).json()
    assert len(table["rows"]) == 3 and all(c["core"] for c in table["columns"])
    cols = {c["id"] for c in table["columns"]}
    assert "law_study_sessions" in cols
    only = w.get("/api/compare", headers=h, params={"region": "信阳市"}).json()
    assert [r["issuer"] for r in only["rows"]] == [XINYANG]
    r = w.get("/api/compare.xlsx", headers=h, params={"year": "2023"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert r.headers["content-disposition"].startswith('attachment; filename="fazhi-compare-')
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["指标数据", "指标明细", "审查意见", "必备内容"]
    units = [row[0].value for row in wb["指标数据"].iter_rows(min_row=2)]
    assert sorted(units) == sorted([JIAOZUO, XINYANG])
    r = w.get("/api/compare.csv", headers=h)
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["单位", "级别", "地区", "年度"] and len(rows) == 4
    long = list(csv.reader(io.StringIO(w.get("/api/compare.csv", headers=h, params={"long": 1}).content
                                       .decode("utf-8-sig"))))
    assert long[0][0] == "单位" and "原文" in long[0] and len(long) > 4
    ev = _audit(app, "compare.export")
    assert [e.detail["format"] for e in ev] == ["xlsx", "csv", "csv"] and ev[0].detail["where"] == {"year": "2023"}


def test_me_and_openapi(app):
    add_user(app, "u", "viewer", region="焦作市")
    h = {"Authorization": f"Bearer {add_token(app, 'u')}"}
    w = Web(app)
    me = w.get("/api/me", headers=h).json()
    assert me["role"] == "viewer" and me["role_label"] == "查看" and me["scope"]["label"] == "河南省焦作市"
    assert me["can"] == {"read": True, "upload": False, "delete": False, "export": False, "manage_users": False,
                         "audit": False, "manage_knowledge": False}
    spec = w.get("/api/openapi.json").json()  # public: the description of the API, no data
    paths = spec["paths"]
    for p in ("/api/reports", "/api/reports/{report_id}", "/api/reports/{report_id}/facts",
              "/api/reports/{report_id}/findings", "/api/reports/{report_id}/parts", "/api/compare",
              "/api/compare.xlsx", "/api/compare.csv", "/api/reports/{report_id}/similar", "/api/me"):
        assert p in paths, p
    assert "multipart/form-data" in paths["/api/reports"]["post"]["requestBody"]["content"]
    assert "delete" in paths["/api/reports/{report_id}"]
    assert not any(p.startswith(("/login", "/admin", "/upload")) for p in paths)  # pages are not API


def test_similar_reports_or_501_when_similarity_is_not_available(app, monkeypatch):
    add_user(app, "bot", "reviewer")
    h = {"Authorization": f"Bearer {add_token(app, 'bot')}"}
    base = report_text(JIAOZUO, extra="我们坚持同部署、同推进、同督促、同考核、同奖惩，建立健全法治政府建设考核评价体系。")
    copy = base.replace(JIAOZUO, XINYANG).replace("集中学法4次", "集中学法6次")
    r = _upload(app, h, [("a.txt", base.encode()), ("b.txt", copy.encode()),
                         ("c.txt", report_text("信阳市人民政府").encode())], brief=True)
    a, b, _c = (x["id"] for x in r.json()["results"])
    w = Web(app)
    try:
        similar_reports._sim()
    except similar_reports.SimilarUnavailable:
        available = False
    else:
        available = True
    r = w.get(f"/api/reports/{a}/similar", headers=h)
    if available:
        assert r.status_code == 200, r.text
        sim = r.json()["similar"]
        assert sim and sim[0]["report_id"] == b and 0 < sim[0]["similarity"] <= 1
        assert sim[0]["issuer"] == XINYANG and sim[0]["passages"]
        p = sim[0]["passages"][0]
        assert p["a"]["text"] and p["b"]["text"]
        pairs = w.get("/api/similar/pairs", headers=h).json()["pairs"]
        assert pairs and {pairs[0]["a"], pairs[0]["b"]} == {a, b} and pairs[0]["passages"]
    else:
        assert r.status_code == 501
    assert w.get("/api/reports/99999/similar", headers=h).status_code in (404, 501)

    def unavailable():
        raise similar_reports.SimilarUnavailable("相似度比对功能不可用：测试")

    monkeypatch.setattr(similar_reports, "_sim", unavailable)
    r = w.get(f"/api/reports/{a}/similar", headers=h)
    assert r.status_code == 501 and "不可用" in r.json()["detail"]
    assert w.get("/api/similar/pairs", headers=h).status_code == 501
    page = login_as(app, "viewer", "viewer").get(f"/reports/{a}/similar")
    assert page.status_code == 501 and "不可用" in page.text
