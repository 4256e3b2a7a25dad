"""Search, original files, bulk downloads, the list's new filters and sorting, and the unit page, through
the web: roles, region scope (out of scope is 404), CSRF on the bulk POST, escaping — on SQLite and
PostgreSQL where the store matters."""

from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import unquote

import pytest
from sqlalchemy import select, update

from fazhi.accounts.models import AuditEvent
from fazhi.corpus.models import ReportOriginal
from tests.web.conftest import JIAOZUO, XINYANG, Web, add_token, add_user, login_as, report_text

LANZHOU = "兰州市城关区人民政府"  # 甘肃省
NO_PARTS = "{unit}关于{year}年度法治政府建设情况的报告\n一、主要举措和成效\n全年组织集中学法{n}次，开展“法律明白人”培训。\n"


@pytest.fixture
def admin(app) -> Web:
    return login_as(app, "管理员", "admin")


def upload(w: Web, files: list[tuple[str, bytes]]) -> dict[str, int]:
    r = w.upload(files, csrf=w.csrf())
    assert r.status_code == 201, r.text
    return {x["file"]: x["id"] for x in r.json()["results"]}


@pytest.fixture
def three(backend_app) -> tuple[object, dict[str, int]]:
    """焦作 (中站区 2023, all four parts), 信阳 (平桥区 2022, all four parts), 兰州 (城关区 2023, only 举措和成效)."""
    w = login_as(backend_app, "管理员", "admin")
    ids = upload(w, [
        ("中站区.txt", report_text(JIAOZUO, extra="推行“双随机、一公开”监管，抽查企业86家。").encode("gb18030")),
        ("平桥区.txt", report_text(XINYANG, 2022, extra="抽查企业120家。").encode()),
        ("城关区.txt", NO_PARTS.format(unit=LANZHOU, year=2023, n=6).encode())])
    return backend_app, ids


# =========================================================================== search
def test_search_api_finds_phrases_within_the_scope(three):
    app, ids = three
    admin = login_as(app, "甲", "viewer")
    body = admin.get("/api/search", params={"q": "抽查企业"}).json()
    assert body["total"] == 2 and body["phrases"] == ["抽查企业"]
    assert body["index"] in ("fts5", "pg_trgm") and body["note"] is None
    got = {i["id"]: i for i in body["items"]}
    assert set(got) == {ids["中站区.txt"], ids["平桥区.txt"]}
    zz = got[ids["中站区.txt"]]
    assert zz["count"] == 1 and zz["issuer"]["county"] == "中站区"
    sn = zz["snippets"][0]
    assert [sn["text"][a:b] for a, b in sn["marks"]] == ["抽查企业"]
    # every phrase must be there; filters and sorting apply
    assert admin.get("/api/search", params={"q": "抽查企业 双随机"}).json()["total"] == 1
    assert [i["year"] for i in admin.get("/api/search", params={"q": "集中学法", "sort": "year"}).json()["items"]] \
        == [2022, 2023, 2023]
    only = admin.get("/api/search", params={"q": "集中学法", "shortcomings": "missing"}).json()
    assert [i["id"] for i in only["items"]] == [ids["城关区.txt"]]
    # a user scoped to 焦作市 finds only what is in 焦作市
    jz = login_as(app, "焦作", "viewer", region="焦作市")
    assert [i["id"] for i in jz.get("/api/search", params={"q": "抽查企业"}).json()["items"]] == [ids["中站区.txt"]]
    assert jz.get("/api/search", params={"q": "法律明白人"}).json()["total"] == 0
    # what cannot be searched for
    assert admin.get("/api/search", params={"q": "  "}).status_code == 422  # refused by the documented schema (a phrase needs one visible character)
    assert admin.get("/api/search", params={"q": "x", "sort": "size"}).status_code == 422
    assert admin.get("/api/search", params={"q": "x", "shortcomings": "gone"}).status_code == 422  # not a part status: refused by the documented schema
    assert Web(app).get("/api/search", params={"q": "抽查"}).status_code == 401


def test_search_page_highlights_the_phrase_and_escapes_report_text(app, admin):
    ids = upload(admin, [("海口.txt", report_text("海口市美兰区人民政府",
                                                extra="发布<script>alert(1)</script>行政执法公示清单。").encode())])
    rid = ids["海口.txt"]
    page = admin.get("/search", params={"q": "执法公示"}).text
    assert 'id="result-total">1<' in page
    assert "<mark>执法公示</mark>" in page
    # the snippet holds the report's markup as text (normalisation made its brackets full-width)
    assert "<script>alert" not in page and "&lt;script&gt;alert（1）&lt;/script&gt;" in page
    # the snippet links to the review page with the phrase highlighted (offsets of the normalised text)
    m = re.search(rf'href="/reports/{rid}\?hl=(\d+)-(\d+)#hl"', page)
    assert m and int(m.group(2)) - int(m.group(1)) == 4
    review = admin.get(f"/reports/{rid}?hl={m.group(1)}-{m.group(2)}").text
    assert "执法公示" in "".join(re.findall(r'class="seg[^"]* hl"[^>]*>([^<]*)<', review))
    # no query: the form only; a query without hits says so
    assert 'id="search-form"' in admin.get("/search").text
    assert 'id="no-results"' in admin.get("/search", params={"q": "没有这个词"}).text
    assert 'id="search-error"' in admin.get("/search", params={"q": " ".join(f"词{i}" for i in range(9))}).text


# =========================================================================== list filters and sorting
def test_report_list_filters_by_finding_score_and_part_and_sorts(three):
    app, ids = three
    w = login_as(app, "乙", "viewer")

    def listed(**params) -> list[int]:
        return [int(x) for x in re.findall(r'<tr data-report-id="(\d+)"', w.get("/", params=params).text)]

    assert listed(shortcomings="missing") == [ids["城关区.txt"]]
    assert sorted(listed(shortcomings="dedicated")) == sorted([ids["中站区.txt"], ids["平桥区.txt"]])
    assert listed(rule="part.missing") == [ids["城关区.txt"]]
    assert listed(sort="year")[0] == ids["平桥区.txt"]  # 2022 first
    assert listed(sort="-year")[-1] == ids["平桥区.txt"]
    scores = {i["id"]: i["score"] for i in w.get("/api/reports").json()["items"]}
    assert listed(sort="-score") == sorted(scores, key=lambda i: -scores[i])
    assert listed(score_min="101") == []
    page = w.get("/", params={"sort": "-score", "shortcomings": "missing"}).text
    assert 'aria-sort="descending"' in page and 'id="more-filters" open' in page
    assert re.search(r'<option value="part.missing" title="part.missing"\s*>报告缺少规定的必备内容：…</option>', page)
    api = w.get("/api/reports", params={"rule": "part.missing"}).json()
    assert [i["id"] for i in api["items"]] == [ids["城关区.txt"]]


# =========================================================================== original files
def test_original_file_download_checked_and_in_scope(three):
    app, ids = three
    jz = login_as(app, "焦作", "viewer", region="焦作市")
    zz, xy = ids["中站区.txt"], ids["平桥区.txt"]
    r = jz.get(f"/api/reports/{zz}/original")
    assert r.status_code == 200
    assert r.content == report_text(JIAOZUO, extra="推行“双随机、一公开”监管，抽查企业86家。").encode("gb18030")
    assert r.headers["content-type"] == "application/octet-stream"
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;") and unquote(disposition.split("UTF-8''")[1]) == "中站区.txt"
    # out of scope: 404, as for a report that does not exist
    assert jz.get(f"/api/reports/{xy}/original").status_code == 404
    assert jz.get("/api/reports/999999/original").status_code == 404
    # the review page offers it
    assert f'href="/api/reports/{zz}/original"' in jz.get(f"/reports/{zz}").text
    # damaged bytes are refused; a report stored without its file says so
    with app.state.WriteSession.begin() as s:
        s.execute(update(ReportOriginal).where(ReportOriginal.report_id == zz).values(data=b"damaged"))
        s.execute(ReportOriginal.__table__.delete().where(ReportOriginal.report_id == xy))
    r = jz.get(f"/api/reports/{zz}/original")
    assert r.status_code == 500 and "校验失败" in r.json()["detail"]
    admin = login_as(app, "丙", "admin")
    r = admin.get(f"/api/reports/{xy}/original")
    assert r.status_code == 404 and "没有保存原文件" in r.json()["detail"]
    assert 'id="no-original"' in admin.get(f"/reports/{xy}").text


# =========================================================================== bulk download
def test_bulk_download_needs_the_csrf_token_and_is_all_in_scope(three):
    app, ids = three
    zz, xy, lz = ids["中站区.txt"], ids["平桥区.txt"], ids["城关区.txt"]
    viewer = login_as(app, "丁", "viewer")
    # a browser session without the token (or with a wrong one) is refused before anything is read
    for token in (None, "forged"):
        r = viewer.post("/api/downloads", data={"ids": [str(zz)], **({"csrf_token": token} if token else {})})
        assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    token = viewer.csrf()
    r = viewer.post("/api/downloads", data={"ids": [str(zz), str(lz)], "csrf_token": token})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"].startswith('attachment; filename="fazhi-reports-')
    zf = zipfile.ZipFile(io.BytesIO(r.content))
    folders = {n.split("/")[0] for n in zf.namelist() if "/" in n}
    assert folders == {f"{zz:05d}_焦作市中站区人民政府_2023", f"{lz:05d}_兰州市城关区人民政府_2023"}
    for folder in folders:
        assert {n.split("/")[1] for n in zf.namelist() if n.startswith(folder + "/")} == \
            {"审查结果.json", "审查意见书.docx", "原文.txt"}
    assert "清单.csv" in zf.namelist()
    # the header works as well as the form field
    r = viewer.post("/api/downloads", data={"ids": f"{zz},{xy}"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200
    # out of scope: the whole download is 404
    jz = login_as(app, "焦作", "viewer", region="焦作市")
    r = jz.post("/api/downloads", data={"ids": [str(zz), str(xy)], "csrf_token": jz.csrf()})
    assert r.status_code == 404
    # nothing picked, not numbers, too many
    for data in ({}, {"ids": "a,b"}, {"ids": ",".join(str(i) for i in range(1, 202))}):
        r = viewer.post("/api/downloads", data={**data, "csrf_token": token})
        assert r.status_code == 400, (data, r.text)
    # an API token needs no CSRF token; downloads are in the audit log
    add_user(app, "脚本", "viewer")
    r = Web(app).post("/api/downloads", data={"ids": str(lz)},
                      headers={"Authorization": f"Bearer {add_token(app, '脚本')}"})
    assert r.status_code == 200
    with app.state.Session() as s:
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "report.bulk_download")
                                .order_by(AuditEvent.id)))
    assert [e.detail["ids"] for e in events] == [[zz, lz], [zz, xy], [lz]]
    assert Web(app).post("/api/downloads", data={"ids": str(zz)}).status_code == 401


def test_lists_offer_the_bulk_download_form(app, admin):
    upload(admin, [("a.txt", report_text("厦门市思明区人民政府").encode())])
    for path in ("/", "/search?q=集中学法"):
        page = admin.get(path).text
        assert 'action="/api/downloads"' in page and 'name="ids"' in page, path
        assert re.search(r'id="bulk-form"[^>]*>\s*<input type="hidden" name="csrf_token" value="[^"]+"', page), path


# =========================================================================== the unit page
def test_unit_page_shows_each_year_and_the_sentences(backend_app):
    app = backend_app
    admin = login_as(app, "管理员", "admin")
    ids = upload(admin, [(f"{y}.txt", report_text(JIAOZUO, y, extra=f"开展普法宣传活动{n}场次。").encode())
                         for y, n in ((2021, 30), (2022, 42), (2023, 35))])
    ids.update(upload(admin, [("xy.txt", report_text(XINYANG).encode())]))
    body = admin.get("/api/reports/" + str(ids["2022.txt"])).json()
    unit = admin.get("/api/reports", params={"issuer": "中站区"}).json()["items"][0]["issuer"]["id"]
    h = admin.get(f"/api/units/{unit}").json()
    assert h["years"] == [2021, 2022, 2023] and h["region"] == "河南省焦作市中站区"
    trend = {t["id"]: t for t in h["trends"]}
    assert [(p["year"], p["value"]) for p in trend["publicity_events"]["points"]] == [(2021, 30), (2022, 42), (2023, 35)]
    assert [(p["year"], p["value"]) for p in trend["law_study_sessions"]["points"]] == [(2021, 4), (2022, 4), (2023, 4)]
    page = admin.get(f"/units/{unit}").text
    assert 'id="unit-name">焦作市中站区人民政府<' in page
    assert all(f'href="/reports/{ids[f"{y}.txt"]}"' in page for y in (2021, 2022, 2023))
    cell = re.search(r'<tr data-indicator="publicity_events">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'class="value-link"[^>]*>([^<]*)<', cell) == ["30场次", "42场次", "35场次"]
    assert "开展普法宣传活动42场次" in cell
    assert 'id="unit-data"' in page and "/static/unit.js" in page
    # reachable from the review page and the list
    assert f'href="/units/{unit}"' in admin.get(f"/reports/{ids['2021.txt']}").text
    assert f'href="/units/{unit}"' in admin.get("/").text
    assert body["issuer"]["county"] == "中站区"
    # region scope: a unit elsewhere is 404 on the page and in the API
    xy_unit = admin.get("/api/reports", params={"issuer": "平桥区"}).json()["items"][0]["issuer"]["id"]
    jz = login_as(app, "焦作", "viewer", region="焦作市")
    assert jz.get(f"/units/{unit}").status_code == 200
    for path in (f"/units/{xy_unit}", f"/api/units/{xy_unit}", "/units/999999", "/api/units/999999"):
        assert jz.get(path).status_code == 404, path
