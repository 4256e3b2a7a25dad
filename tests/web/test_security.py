"""Security over HTTP: CSRF, upload limits and file types, zip bombs, client file names, XSS, roles,
region scope (on SQLite and PostgreSQL), security headers, nothing loaded from outside.

Every refusal is checked twice: the status, and that nothing was stored."""

from __future__ import annotations

import builtins
import io
import re
import zipfile
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from fazhi.accounts.models import AuditEvent, User
from fazhi.web.app import plotly_js_path
from tests.web.conftest import (
    JIAOZUO,
    KB,
    XINYANG,
    Web,
    add_token,
    count_reports,
    login_as,
    report_text,
    stored_rows,
)

NOTHING = {"reports": 0, "facts": 0, "quantities": 0, "findings": 0, "parts": 0}


def _txt(unit: str = JIAOZUO, extra: str = "") -> bytes:
    return report_text(unit, extra=extra).encode("utf-8")


def _bomb() -> bytes:
    """A .docx whose document.xml declares 115 MB (compressed to well under 1 MB)."""
    buf = io.BytesIO()
    chunk = b"<w:p/>" * (1 << 17)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                   "</Relationships>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            for _ in range(150):
                f.write(chunk)
    data = buf.getvalue()
    assert len(data) < 256 * KB  # under the per-file limit: refused for what it expands to
    return data


def _exe() -> bytes:
    pe = bytearray(b"MZ" + b"\x90" * 58 + (64).to_bytes(4, "little"))
    pe += b"PE\x00\x00" + b"\x00" * 400
    return bytes(pe)


@pytest.fixture
def reviewer(app) -> Web:
    return login_as(app, "审核员甲", "reviewer")


# ============================================================================ CSRF
def _routes(routes) -> list:
    out = []
    for r in routes:
        inner = getattr(r, "original_router", None)  # FastAPI's included routers
        out.extend(_routes(inner.routes) if inner is not None else [r])
    return out


def _state_changing_routes(app) -> list[tuple[str, str]]:
    out = []
    for r in _routes(app.routes):
        if isinstance(r, APIRoute) or hasattr(r, "methods"):
            for m in sorted((getattr(r, "methods", None) or set()) - {"GET", "HEAD", "OPTIONS"}):
                out.append((m, r.path.replace("{report_id}", "1").replace("{user_id}", "1")
                            .replace("{token_id}", "1").replace("{version_id}", "1").replace("{name}", "rules")))
    return out


def test_every_state_changing_route_refuses_a_missing_or_wrong_csrf_token(app, reviewer):
    admin = login_as(app, "admin", "admin")
    r = reviewer.upload([("a.txt", _txt())], csrf=reviewer.csrf())
    assert r.status_code == 201
    routes = _state_changing_routes(app)
    assert {("POST", "/login"), ("POST", "/logout"), ("POST", "/upload"), ("POST", "/api/reports"),
            ("DELETE", "/api/reports/1"), ("POST", "/reports/1/delete"), ("POST", "/admin/users"),
            ("POST", "/admin/users/1"), ("POST", "/admin/users/1/password"), ("POST", "/account/tokens"),
            ("POST", "/account/password"), ("POST", "/admin/knowledge"), ("POST", "/admin/knowledge/versions/1/activate"),
            ("POST", "/admin/knowledge/rules/deactivate"), ("POST", "/api/knowledge"),
            ("POST", "/api/knowledge/versions/1/activate"), ("POST", "/api/knowledge/rules/deactivate")} <= set(routes)
    before_users = _users(app)
    for method, path in routes:
        for token in (None, "wrong-token"):
            data = {"csrf_token": token} if token else {}
            data.update({"name": "mallory", "role": "admin", "password": "p4ssword!!", "username": "admin"})
            headers = {"X-CSRF-Token": token} if token else {}
            r = admin.c.request(method, path, data=data if method == "POST" else None, headers=headers)
            assert r.status_code == 403, (method, path, token, r.status_code, r.text[:200])
            assert "CSRF" in r.text
    assert count_reports(app) == 1 and _users(app) == before_users
    # the same requests through the login-less path: the login form itself is protected
    anon = Web(app)
    r = anon.post("/login", data={"username": "admin", "password": "x", "csrf_token": "forged"})
    assert r.status_code == 403


def _users(app) -> list[str]:
    with app.state.Session() as s:
        return sorted(s.scalars(select(User.name)))


def test_cross_site_origin_is_refused_even_with_the_token(reviewer, app):
    token = reviewer.csrf()
    r = reviewer.upload([("a.txt", _txt())], csrf=token, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    assert stored_rows(app) == NOTHING
    r = reviewer.upload([("a.txt", _txt())], csrf=token, headers={"Origin": "http://testserver"})
    assert r.status_code == 201


def test_cookie_authenticated_api_write_needs_the_header(reviewer, app):
    r = reviewer.upload([("a.txt", _txt())])
    assert r.status_code == 403 and stored_rows(app) == NOTHING
    rid = reviewer.upload([("a.txt", _txt())], csrf=reviewer.csrf()).json()["results"][0]["id"]
    assert reviewer.delete(f"/api/reports/{rid}").status_code == 403
    assert count_reports(app) == 1
    assert reviewer.delete(f"/api/reports/{rid}", headers={"X-CSRF-Token": reviewer.csrf()}).status_code == 204


# ============================================================================ uploads: limits and types
def test_file_over_the_per_file_limit_is_413_and_nothing_is_stored(reviewer, app):
    big = _txt() + ("法治" * 50_000).encode()  # ~300 KB > 256 KB
    r = reviewer.upload([("big.txt", big)], csrf=reviewer.csrf())
    assert r.status_code == 413
    res = r.json()["results"][0]
    assert res["ok"] is False and res["code"] == 413 and "文件过大" in res["error"] and "big.txt" == res["file"]
    assert stored_rows(app) == NOTHING


def test_one_oversized_file_does_not_stop_the_others(reviewer, app):
    r = reviewer.upload([("ok.txt", _txt()), ("big.txt", b"x" * (300 * KB))], csrf=reviewer.csrf())
    assert r.status_code == 201
    codes = {x["file"]: x["code"] for x in r.json()["results"]}
    assert codes == {"ok.txt": 201, "big.txt": 413}
    assert count_reports(app) == 1


def test_request_over_the_total_limit_is_413_before_anything_is_read(reviewer, app):
    files = [(f"f{i}.txt", _txt(extra="数" * 80_000)) for i in range(5)]  # 5 × 240 KB: each under 256 KB
    assert sum(len(d) for _, d in files) > 1024 * KB
    r = reviewer.upload(files, csrf=reviewer.csrf())
    assert r.status_code == 413 and "合计不能超过" in r.json()["detail"]
    assert stored_rows(app) == NOTHING


def test_streamed_request_without_length_is_cut_at_the_limit(reviewer, app):
    token = reviewer.csrf()
    boundary = "fazhiboundary"

    def body():
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"s.txt\"\r\n"
               "Content-Type: text/plain\r\n\r\n").encode()
        for _ in range(40):  # 40 × 32 KB = 1.25 MB, no Content-Length
            yield b"z" * (32 * KB)
        yield f"\r\n--{boundary}--\r\n".encode()

    r = reviewer.post("/api/reports", content=body(),
                      headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "X-CSRF-Token": token})
    assert r.status_code == 413
    assert stored_rows(app) == NOTHING


def test_too_many_files_is_400_and_nothing_is_stored(reviewer, app):
    r = reviewer.upload([(f"r{i}.txt", _txt(extra=f"编号{i}")) for i in range(6)], csrf=reviewer.csrf())
    assert r.status_code == 400 and "最多上传 5 个文件" in r.json()["detail"]
    assert stored_rows(app) == NOTHING


def test_a_program_named_docx_is_refused_by_its_content(reviewer, app):
    r = reviewer.upload([("report.docx", _exe())], csrf=reviewer.csrf())
    assert r.status_code == 415
    res = r.json()["results"][0]
    assert res["code"] == 415 and "程序" in res["error"] and res["reason"] == "a program, not a document"
    assert stored_rows(app) == NOTHING


def test_zip_bomb_docx_is_refused_without_expanding_it(reviewer, app):
    r = reviewer.upload([("bomb.docx", _bomb())], csrf=reviewer.csrf())
    assert r.status_code == 413
    res = r.json()["results"][0]
    assert "压缩炸弹" in res["error"] and "zip bomb" in res["reason"]
    assert stored_rows(app) == NOTHING


def test_empty_and_binary_files_are_refused(reviewer, app):
    r = reviewer.upload([("empty.txt", b""), ("noise.txt", bytes(range(256)) * 20)], csrf=reviewer.csrf())
    assert r.status_code == 400  # different reasons: 422 and 415
    assert [x["code"] for x in r.json()["results"]] == [422, 415]
    assert stored_rows(app) == NOTHING


def test_refused_uploads_are_in_the_audit_log(reviewer, app):
    reviewer.upload([("report.docx", _exe())], csrf=reviewer.csrf())
    with app.state.Session() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "report.upload_refused")).one()
        assert ev.detail["file"] == "report.docx" and ev.detail["code"] == 415 and ev.user.name == "审核员甲"


# ============================================================================ client file names
def test_path_traversal_names_are_only_display_names_and_touch_no_file(reviewer, app, monkeypatch, tmp_path):
    opened: list[str] = []
    real_open = builtins.open

    def spy(file, *a, **kw):
        opened.append(str(file))
        return real_open(file, *a, **kw)

    monkeypatch.setattr(builtins, "open", spy)
    monkeypatch.chdir(tmp_path)
    names = ["../../etc/passwd.txt", "..\\..\\windows\\win.ini.txt", "/etc/shadow.txt", "C:\\x\\..\\evil.txt"]
    r = reviewer.upload([(n, _txt(extra=f"第{i}份")) for i, n in enumerate(names)], csrf=reviewer.csrf(), brief=False)
    assert r.status_code == 201, r.text
    shown = [x["file"] for x in r.json()["results"]]
    assert shown == ["passwd.txt", "win.ini.txt", "shadow.txt", "evil.txt"]
    assert all(x["review"]["source"]["path"] in shown for x in r.json()["results"])
    bad = [p for p in opened if any(k in p for k in ("passwd", "win.ini", "shadow", "evil", ".."))]
    assert bad == []
    assert all(p.name.startswith("web0.sqlite") for p in tmp_path.iterdir())  # the database, nothing else


def test_xss_in_file_names_is_shown_as_text(reviewer, app):
    name = "<img src=x onerror=alert(1)>.txt"
    r = reviewer.post("/upload", data={"csrf_token": reviewer.csrf("/upload")},
                      files=[("files", (name, _txt(), "text/plain"))])
    assert r.status_code == 201
    assert "<img src=x" not in r.text and "&lt;img src=x onerror=alert(1)&gt;.txt" in r.text
    rid = int(re.search(r'href="/reports/(\d+)"', r.text).group(1))
    page = reviewer.get(f"/reports/{rid}").text
    assert "<img src=x" not in page and "&lt;img src=x onerror=" in page


# ============================================================================ XSS in report text
def test_script_in_report_text_and_html_is_escaped_everywhere(reviewer, app):
    evil = '<script>alert("x")</script><img src=x onerror=alert(2)>'
    page_html = ("<html><head><script>document.write('site script')</script></head><body><article>"
                 f"<h1>{JIAOZUO}关于2023年度法治政府建设情况的报告</h1>"
                 f"<p>一、主要举措和成效</p><p>全年组织集中学法4次。&lt;script&gt;alert(3)&lt;/script&gt;</p>"
                 "<p>二、存在的不足和原因</p><p>宣传不够。</p><script>alert(4)</script></article></body></html>")
    r = reviewer.upload([("evil.txt", _txt(extra=evil)), ("page.html", page_html.encode())], csrf=reviewer.csrf())
    assert r.status_code == 201, r.text
    ids = [x["id"] for x in r.json()["results"]]
    for rid in ids:
        for path in (f"/reports/{rid}", f"/reports/{rid}?hl=0-20", "/", "/compare"):
            body = reviewer.get(path).text
            assert "<script>alert" not in body and "<img src=x" not in body, path
            scripts = re.findall(r"<script\b[^>]*>", body)
            assert all('src="/' in s or 'type="application/json"' in s for s in scripts), (path, scripts)
    text_page = reviewer.get(f"/reports/{ids[0]}").text
    assert "&lt;script&gt;alert（" in text_page and "&lt;img src=x onerror=alert（2）&gt;" in text_page  # normalised brackets
    html_page = reviewer.get(f"/reports/{ids[1]}").text
    assert "&lt;script&gt;alert（3）&lt;/script&gt;" in html_page  # the article's visible text, escaped
    assert "site script" not in html_page  # the page's own scripts are not report text


# ============================================================================ roles
def test_viewer_cannot_upload_delete_or_export(backend_app):
    app = backend_app
    rv = login_as(app, "rev", "reviewer")
    rid = rv.upload([("a.txt", _txt())], csrf=rv.csrf()).json()["results"][0]["id"]
    viewer = login_as(app, "查看者", "viewer")
    token = viewer.csrf()
    assert viewer.upload([("b.txt", _txt(XINYANG))], csrf=token).status_code == 403
    assert viewer.get("/upload").status_code == 403
    r = viewer.post("/upload", data={"csrf_token": token}, files=[("files", ("b.txt", _txt(XINYANG), "text/plain"))])
    assert r.status_code == 403 and "权限不足" in r.text
    assert viewer.delete(f"/api/reports/{rid}", headers={"X-CSRF-Token": token}).status_code == 403
    assert viewer.post(f"/reports/{rid}/delete", data={"csrf_token": token}).status_code == 403
    assert viewer.get("/api/compare.xlsx").status_code == 403
    assert viewer.get("/api/compare.csv").status_code == 403
    assert viewer.get("/admin/users").status_code == 403 and viewer.get("/admin/audit").status_code == 403
    assert count_reports(app) == 1
    # reading is allowed
    assert viewer.get(f"/api/reports/{rid}").status_code == 200 and viewer.get(f"/reports/{rid}").status_code == 200
    assert viewer.get("/api/compare").status_code == 200
    page = viewer.get("/compare").text
    assert 'id="download-xlsx"' not in page and 'id="export-note"' in page
    # the same with an API token of the viewer
    h = {"Authorization": f"Bearer {add_token(app, '查看者')}"}
    assert viewer.upload([("b.txt", _txt(XINYANG))], headers=h).status_code == 403
    assert Web(app).delete(f"/api/reports/{rid}", headers=h).status_code == 403
    assert count_reports(app) == 1


def test_reviewer_is_not_admin(reviewer):
    assert reviewer.get("/admin/users").status_code == 403
    r = reviewer.post("/admin/users", data={"name": "x", "role": "admin", "password": "p4ssword!!",
                                            "csrf_token": reviewer.csrf()})
    assert r.status_code == 403


# ============================================================================ region scope, on both backends
def test_jiaozuo_reviewer_cannot_see_xinyang_reports(backend_app):
    app = backend_app
    admin = login_as(app, "admin", "admin")
    r = admin.upload([("xy.txt", _txt(XINYANG)), ("jz.txt", _txt(JIAOZUO))], csrf=admin.csrf())
    assert r.status_code == 201, r.text
    ids = {x["file"]: x["id"] for x in r.json()["results"]}
    xy, jz = ids["xy.txt"], ids["jz.txt"]
    rev = login_as(app, "焦作审核员", "reviewer", region="焦作市")
    assert rev.get("/api/me").json()["scope"]["label"] == "河南省焦作市"
    # lists and filters
    items = rev.get("/api/reports").json()
    assert [i["id"] for i in items["items"]] == [jz] and items["total"] == 1
    assert rev.get("/api/reports", params={"region": "信阳市"}).json()["total"] == 0
    assert rev.get("/api/reports", params={"issuer": "平桥"}).json()["total"] == 0
    # one report: 404, exactly as for a report that does not exist
    for path in (f"/api/reports/{xy}", f"/api/reports/{xy}/facts", f"/api/reports/{xy}/findings",
                 f"/api/reports/{xy}/parts", f"/api/reports/{xy}/similar", f"/reports/{xy}", f"/reports/{xy}/similar"):
        r = rev.get(path)
        assert r.status_code == 404, (path, r.status_code)
        assert r.status_code == rev.get(path.replace(str(xy), "999999")).status_code
    assert rev.get(f"/api/reports/{jz}").status_code == 200
    # compare, export, dashboard
    table = rev.get("/api/compare").json()
    assert [row["report_id"] for row in table["rows"]] == [jz]
    for fmt in ("csv", "xlsx"):
        r = rev.get(f"/api/compare.{fmt}")
        assert r.status_code == 200
        assert "平桥".encode() not in r.content and (fmt == "xlsx" or "中站区".encode() in r.content)
    if True:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(rev.get("/api/compare.xlsx").content))
        cells = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
        assert "中站区" in cells and "平桥" not in cells
    for path in ("/", "/compare"):
        page = rev.get(path).text
        assert "平桥" not in page and "中站区" in page, path
    # writes: delete is 404 and changes nothing; an upload of a 信阳 report is refused and not stored
    token = rev.csrf()
    assert rev.delete(f"/api/reports/{xy}", headers={"X-CSRF-Token": token}).status_code == 404
    assert rev.post(f"/reports/{xy}/delete", data={"csrf_token": token}).status_code == 404
    r = rev.upload([("xy2.txt", _txt("信阳市人民政府"))], csrf=token)
    assert r.status_code == 403 and "管辖范围" in r.json()["results"][0]["error"]
    assert count_reports(app) == 2
    # the administrator (no scope) sees both
    assert admin.get("/api/reports").json()["total"] == 2
    assert admin.get(f"/reports/{xy}").status_code == 200


def test_scope_below_a_county_and_unresolved_issuers(backend_app):
    app = backend_app
    admin = login_as(app, "admin", "admin")
    r = admin.upload([("street.txt", _txt("焦作市解放区民主街道办事处")), ("noissuer.txt",
                                                                          "关于2023年法治政府建设情况的报告\n一、主要举措\n集中学法4次。".encode())],
                     csrf=admin.csrf())
    assert r.status_code == 201, r.text
    street = login_as(app, "街道", "viewer", region="焦作市解放区")
    assert [i["issuer"]["township"] for i in street.get("/api/reports").json()["items"]] == ["民主街道"]
    other = login_as(app, "中站", "viewer", region="焦作市中站区")
    assert other.get("/api/reports").json()["total"] == 0  # neither the street of 解放区 nor the unknown issuer


# ============================================================================ headers and offline
def test_security_headers_on_pages_api_static_and_errors(reviewer):
    for path in ("/", "/login", "/api/reports", "/static/app.css", "/reports/12345", "/api/reports/12345",
                 "/vendor/plotly.min.js", "/api/openapi.json"):
        r = reviewer.get(path)
        h = r.headers
        csp = h["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "default-src 'none'" in csp, path
        assert "http:" not in csp and "https:" not in csp and "*" not in csp and "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp
        assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY", path
        assert h["referrer-policy"] == "same-origin"
        if not path.startswith(("/static", "/vendor")):
            assert h["cache-control"] == "no-store", path


def test_pages_load_nothing_from_outside_and_have_no_inline_script(app, reviewer):
    rid = reviewer.upload([("a.txt", _txt())], csrf=reviewer.csrf()).json()["results"][0]["id"]
    admin = login_as(app, "admin", "admin")
    for path in ("/", f"/reports/{rid}", "/compare", "/upload", "/account", "/admin/users", "/admin/audit",
                 "/admin/knowledge", "/api/docs", "/login"):
        body = (admin if path != "/login" else Web(app)).get(path).text
        assert not re.search(r'(?:src|href|action)="(?:https?:)?//', body), path
        assert "@import" not in body and "url(http" not in body
        for tag in re.findall(r"<script\b[^>]*>", body):
            assert 'src="/' in tag or 'type="application/json"' in tag, (path, tag)
        assert " style=" not in body and "<style" not in body, path  # the CSP allows no inline style
        assert " on" not in re.sub(r">[^<]*<", "><", body).replace(" one", "")  # no inline event handlers
    for asset in ("/static/app.css", "/static/app.js", "/static/dashboard.js"):
        body = reviewer.get(asset).text
        assert "http://" not in body and "https://" not in body and "@font-face" not in body, asset


def test_chart_javascript_is_served_from_the_installed_plotly_package(reviewer):
    src = plotly_js_path()
    assert src is not None and ("site-packages" in str(src) or "dist-packages" in str(src))
    r = reviewer.get("/vendor/plotly.min.js")
    assert r.status_code == 200 and r.content == src.read_bytes()
    assert r.headers["content-type"].startswith("text/javascript")
    css = reviewer.get("/vendor/plotly.css")
    assert css.status_code == 200 and ".js-plotly-plot .plotly" in css.text
    repo = Path(__file__).resolve().parents[2]
    assert not list(repo.glob("src/**/plotly*.js")), "plotly.js must not be copied into the repository"
    r = reviewer.get("/vendor/plotly.min.js", headers={"If-None-Match": r.headers["etag"]})
    assert r.status_code == 304
