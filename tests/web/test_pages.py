"""The pages, rendered and read as HTML: login, dashboard, upload (without JavaScript), the review page
and its highlighting, compare, account, user management, audit log, API reference."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from fazhi.accounts.models import Credential, User
from tests.web.conftest import JIAOZUO, XINYANG, Web, count_reports, login_as, report_text


@pytest.fixture
def admin(app) -> Web:
    return login_as(app, "admin", "admin")


def _upload_form(w: Web, files):
    return w.post("/upload", data={"csrf_token": w.csrf("/upload")},
                  files=[("files", (n, d, "application/octet-stream")) for n, d in files])


def _ids(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'<a class="report-link" href="/reports/(\d+)"', page)]


def _segments_text(page: str) -> str:
    body = page.split('id="report-text"', 1)[1].split("</div>", 1)[0]
    return html.unescape("".join(re.findall(r'<span class="seg[^"]*"[^>]*>([^<]*)</span>', body)))


def test_login_page(app):
    r = Web(app).get("/login")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for sel in ('id="login-form"', 'id="username"', 'id="password"', 'id="login-submit"', 'name="csrf_token"'):
        assert sel in r.text
    assert "登录" in r.text and 'lang="zh-CN"' in r.text


def test_upload_without_javascript_reports_each_file(admin, app):
    page = admin.get("/upload").text
    for sel in ('id="upload-form"', 'id="upload-input"', 'enctype="multipart/form-data"', 'id="dropzone"',
                'id="upload-list"', 'multiple'):
        assert sel in page
    r = _upload_form(admin, [("中站区.txt", report_text(JIAOZUO).encode()), ("空.txt", b""),
                             ("平桥区.txt", report_text(XINYANG).encode())])
    assert r.status_code == 201
    rows = re.findall(r'<tr class="upload-result (ok|failed)" data-file="([^"]*)" data-status="(\w+)" '
                      r'data-code="(\d+)"', r.text)
    assert rows == [("ok", "中站区.txt", "created", "201"), ("failed", "空.txt", "error", "422"),
                    ("ok", "平桥区.txt", "created", "201")]
    assert "空文件" in r.text and len(_ids(r.text)) == 2
    again = _upload_form(admin, [("again.txt", report_text(JIAOZUO).encode())])
    assert again.status_code == 200 and "已存在" in again.text
    assert _upload_form(admin, []).status_code == 400
    assert count_reports(app) == 2


def test_review_page_outline_parts_figures_findings_score(admin):
    r = _upload_form(admin, [("a.txt", report_text(JIAOZUO).encode())])
    rid = _ids(r.text)[0]
    doc = admin.get(f"/api/reports/{rid}?with_text=1").json()
    page = admin.get(f"/reports/{rid}").text
    assert html.escape(doc["title"]) in page and "河南省焦作市中站区" in page
    # the text panel holds exactly the stored text, cut into segments
    assert _segments_text(page) == doc["text"]
    # outline navigation: a link per heading and an anchor in the text at its start
    for node in doc["outline"]:
        assert f'href="#at-{node["start"]}"' in page and f'id="at-{node["start"]}"' in page
    # parts checklist
    for name, part in doc["parts"].items():
        if name == "other":
            continue
        assert re.search(rf'<tr data-part="{name}" data-status="{part["status"]}">', page), name
    assert page.count('class="mark dedicated"') == sum(1 for n, p in doc["parts"].items()
                                                       if n != "other" and p["status"] == "dedicated")
    # figures: each fact links to its sentence
    for f in doc["facts"]:
        assert f'data-start="{f["start"]}" data-end="{f["end"]}" data-indicator="{f["indicator"]}"' in page
    assert page.count('class="fact-link"') == len(doc["facts"])
    # findings with severity, score by dimension
    for fd in doc["findings"]:
        assert f'data-rule="{fd["rule"]}" data-severity="{fd["severity"]}"' in page
    for key in doc["score"]["dimensions"]:
        assert f'data-dimension="{key}"' in page
    assert 'id="similar-panel"' in page and f'data-src="/api/reports/{rid}/similar"' in page


def test_highlight_without_javascript(admin):
    rid = _ids(_upload_form(admin, [("a.txt", report_text(JIAOZUO).encode())]).text)[0]
    doc = admin.get(f"/api/reports/{rid}?with_text=1").json()
    fact = doc["facts"][0]
    page = admin.get(f"/reports/{rid}?hl={fact['start']}-{fact['end']}").text
    body = page.split('id="report-text"', 1)[1]
    marked = "".join(html.unescape(t) for t in re.findall(r'<span class="seg[^"]*\bhl\b[^"]*"[^>]*>([^<]*)</span>',
                                                           body))
    assert marked == fact["text"] == doc["text"][fact["start"]:fact["end"]]
    assert '<span id="hl"></span>' in body
    for bad in ("x", "5-2", "-1-4", "0-99999999", "1-"):
        r = admin.get(f"/reports/{rid}?hl={bad}")
        assert r.status_code == 200 and "seg hl" not in r.text and " hl\"" not in r.text


def test_dashboard(admin):
    _upload_form(admin, [("a.txt", report_text(JIAOZUO, 2022).encode()), ("b.txt", report_text(JIAOZUO).encode()),
                         ("c.txt", report_text(XINYANG).encode())])
    page = admin.get("/").text
    assert '<b id="kpi-reports">3</b>' in page
    for sel in ("chart-years", "chart-levels", "chart-regions", "chart-parts", "chart-dist", "chart-rank",
                "chart-scores", "similar-pairs", "reports-table", "dashboard-data", "filters"):
        assert f'id="{sel}"' in page, sel
    assert '<script src="/vendor/plotly.min.js" defer></script>' in page
    assert '<script src="/static/dashboard.js' in page
    assert len(re.findall(r'<tr data-report-id="\d+">', page)) == 3
    filtered = admin.get("/", params={"region": "信阳市"}).text
    assert '<b id="kpi-reports">1</b>' in filtered and len(re.findall(r'<tr data-report-id=', filtered)) == 1
    bad = admin.get("/", params={"year": "abc"})
    assert bad.status_code == 200 and 'id="filter-error"' in bad.text


def test_dashboard_paging(make_app):
    app = make_app(page_size=2)
    w = login_as(app, "admin", "admin")
    _upload_form(w, [(f"{i}.txt", report_text(JIAOZUO, 2016 + i).encode()) for i in range(5)])
    p1, p3 = w.get("/").text, w.get("/?page=3").text
    assert len(re.findall(r'<tr data-report-id=', p1)) == 2 and len(re.findall(r'<tr data-report-id=', p3)) == 1
    assert 'rel="next"' in p1 and 'rel="prev"' in p3


def test_compare_page_and_downloads(admin, app):
    _upload_form(admin, [("a.txt", report_text(JIAOZUO).encode()), ("b.txt", report_text(XINYANG).encode())])
    page = admin.get("/compare").text
    assert 'id="compare-table"' in page and len(re.findall(r'<tr data-report-id=', page)) == 2
    xlsx = re.search(r'id="download-xlsx" href="([^"]+)"', page).group(1)
    csv_ = re.search(r'id="download-csv" href="([^"]+)"', page).group(1)
    assert admin.get(html.unescape(xlsx)).status_code == 200 and admin.get(html.unescape(csv_)).status_code == 200
    page = admin.get("/compare", params={"region": "焦作市", "all": 1}).text
    assert len(re.findall(r'<tr data-report-id=', page)) == 1
    assert "region=%E7%84%A6%E4%BD%9C%E5%B8%82" in re.search(r'id="download-xlsx" href="([^"]+)"', page).group(1)


def test_admin_manages_users(admin, app):
    page = admin.get("/admin/users").text
    assert 'id="users-table"' in page and 'id="user-add-form"' in page and 'data-user="admin"' in page
    r = admin.post("/admin/users", data={"name": "焦作审核", "role": "reviewer", "region": "焦作市",
                                         "password": "long enough 1", "csrf_token": admin.csrf()})
    assert r.status_code == 303
    Web(app).login("焦作审核", "long enough 1")
    for bad, msg in (({"region": "鼓楼区"}, "同名"), ({"password": "short"}, "至少"), ({"name": "焦作审核"}, "已存在")):
        data = {"name": "新用户", "role": "viewer", "region": "", "password": "long enough 1",
                "csrf_token": admin.csrf(), **bad}
        r = admin.post("/admin/users", data=data)
        assert r.status_code == 400 and msg in r.text, bad
    with app.state.Session() as s:
        uid = s.scalar(select(User.id).where(User.name == "焦作审核"))
    r = admin.post(f"/admin/users/{uid}", data={"role": "viewer", "region": "信阳市", "active": "1",
                                                "csrf_token": admin.csrf()})
    assert r.status_code == 303
    with app.state.Session() as s:
        user, cred = s.get(User, uid), s.get(Credential, uid)
        assert user.role == "viewer" and cred.city == "信阳市" and cred.active
    r = admin.post(f"/admin/users/{uid}/password", data={"password": "reset pass 99", "csrf_token": admin.csrf()})
    assert r.status_code == 303 and "已重置" in admin.get(r.headers["location"]).text
    Web(app).login("焦作审核", "reset pass 99")
    r = admin.post(f"/admin/users/{uid}", data={"role": "viewer", "region": "", "csrf_token": admin.csrf()})
    Web(app).login("焦作审核", "reset pass 99", expect=401)  # unchecked "active": disabled


def test_audit_page_lists_who_did_what(admin, app):
    rid = _ids(_upload_form(admin, [("a.txt", report_text(JIAOZUO).encode())]).text)[0]
    admin.get("/api/compare.xlsx")
    admin.post(f"/reports/{rid}/delete", data={"csrf_token": admin.csrf()})
    page = admin.get("/admin/audit").text
    actions = re.findall(r'<tr data-action="([\w.]+)" data-user="([^"]*)">', page)
    assert ("report.upload", "admin") in actions and ("report.delete", "admin") in actions
    assert ("compare.export", "admin") in actions and ("user.login", "admin") in actions
    only = admin.get("/admin/audit", params={"action": "report.delete"}).text
    assert set(re.findall(r'<tr data-action="([\w.]+)"', only)) == {"report.delete"}


def test_delete_from_the_review_page(admin, app):
    rid = _ids(_upload_form(admin, [("a.txt", report_text(JIAOZUO).encode())]).text)[0]
    page = admin.get(f"/reports/{rid}").text
    assert 'id="delete-form"' in page and "data-confirm=" in page
    r = admin.post(f"/reports/{rid}/delete", data={"csrf_token": admin.csrf()})
    assert r.status_code == 303 and count_reports(app) == 0
    assert admin.get(f"/reports/{rid}").status_code == 404


def test_api_reference_page(admin):
    page = admin.get("/api/docs").text
    assert 'id="openapi-link"' in page and 'data-path="/api/reports"' in page and "上传并审查报告" in page
    assert "swagger" not in page.lower() and "cdn" not in page.lower()


def test_errors_are_pages_in_chinese(admin):
    r = admin.get("/reports/424242")
    assert r.status_code == 404 and 'id="error-message"' in r.text and "不存在" in r.text
    assert admin.get("/reports/abc").status_code == 400
    assert admin.get("/no-such-page").status_code == 404


def test_layout_has_the_navigation_for_the_role(app):
    viewer = login_as(app, "看", "viewer")
    page = viewer.get("/").text
    assert 'data-nav="dashboard"' in page and 'data-nav="compare"' in page
    assert 'data-nav="upload"' not in page and 'data-nav="users"' not in page
    admin = login_as(app, "管", "admin")
    page = admin.get("/").text
    assert all(f'data-nav="{n}"' in page for n in ("upload", "users", "audit", "api"))
    assert 'id="logout-form"' in page and 'data-user="管"' in page


def test_dashboard_ranks_loss_rates_lowest_first(admin):
    """败诉率 is better low: the dashboard's ranking lists the lowest first and says so; a size (案件数)
    is listed largest first."""
    files = [(f"{u}.txt", report_text(u, extra=f"办理行政应诉案件{c}件，行政诉讼败诉率{x}%。").encode())
             for u, c, x in ((JIAOZUO, 40, 5.0), (XINYANG, 10, 1.5), ("焦作市解放区人民政府", 25, 3.0))]
    assert _upload_form(admin, files).status_code == 201

    def ranking(ind: str) -> tuple[list[str], str]:
        page = admin.get(f"/?ind={ind}").text
        table = page.split('id="ranking-table"', 1)[1].split("</table>", 1)[0]
        order = re.search(r'id="ranking-order"[^>]*>([^<]*)<', page)
        return re.findall(r'<a href="/reports/\d+\?hl=[^"]*">([^<]*)</a>', table), order.group(1) if order else ""

    units, order = ranking("litigation_loss_rate")
    assert [u[:6] for u in units] == ["信阳市平桥区", "焦作市解放区", "焦作市中站区"] and "越低越好" in order
    units, order = ranking("admin_litigation_cases")
    assert [u[:6] for u in units] == ["焦作市中站区", "焦作市解放区", "信阳市平桥区"] and "从大到小" in order
