"""The cheap request path: one read session per request, cached review pages and review JSON, the API's
one-query list — and that none of it ever shows a stale review, a report out of scope, or a 500 when the
database drops a connection.  Over SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from fazhi.corpus import service, uploads
from tests.web.conftest import JIAOZUO, XINYANG, Web, add_token, add_user, login_as, report_text


def _store(app, unit: str, year: int = 2023, extra: str = "") -> int:
    """Store a report through the same service the upload uses; its id."""
    data = report_text(unit, year, extra).encode("utf-8")
    res = uploads.store_upload(app.state.WriteSession, f"{unit}{year}.txt", data, user_id=None, scope=None,
                                max_bytes=1 << 20)
    assert res.ok, res.error
    assert res.id is not None
    return res.id


def _rereview(app, report_id: int, extra: str) -> None:
    """Re-review a stored report with other content under the same sha256 (as `ingest --refresh` does)."""
    with app.state.Session() as s:
        sha = s.execute(text("SELECT sha256 FROM reports WHERE id = :i"), {"i": report_id}).scalar_one()
    doc, txt = uploads.review_bytes(report_text(JIAOZUO, 2023, extra).encode("utf-8"), "x.txt", max_bytes=1 << 20)
    doc["source"]["sha256"] = sha
    with app.state.WriteSession.begin() as w:
        assert service.save_review(w, doc, txt, replace=True).status == "replaced"


@pytest.fixture
def bot(backend_app) -> tuple[object, dict[str, str]]:
    add_user(backend_app, "bot", "reviewer")
    return backend_app, {"Authorization": f"Bearer {add_token(backend_app, 'bot')}"}


def test_review_json_and_page_follow_a_re_review(bot):
    app, h = bot
    rid = _store(app, JIAOZUO)
    web = Web(app)
    first = web.get(f"/api/reports/{rid}", headers=h)
    assert first.status_code == 200 and first.json()["id"] == rid
    assert web.get(f"/api/reports/{rid}", headers=h).content == first.content  # served again, unchanged
    reviewer = login_as(app, "rev", "reviewer")
    assert "受理法律援助案件35件" in reviewer.get(f"/reports/{rid}").text
    assert "开展普法活动77场" not in reviewer.get(f"/reports/{rid}").text

    _rereview(app, rid, "开展普法活动77场。")

    again = web.get(f"/api/reports/{rid}", headers=h).json()
    assert again["id"] == rid
    assert any("77场" in q["text"] for q in again["quantities"])  # the new review, not the cached one
    assert "开展普法活动77场" in reviewer.get(f"/reports/{rid}").text
    with_text = web.get(f"/api/reports/{rid}?with_text=1", headers=h).json()
    assert "开展普法活动77场" in with_text["text"] and "text" not in again


def test_deleted_report_is_gone_though_it_was_cached(bot):
    app, h = bot
    rid = _store(app, JIAOZUO)
    web = Web(app)
    assert web.get(f"/api/reports/{rid}", headers=h).status_code == 200
    reviewer = login_as(app, "rev", "reviewer")
    assert reviewer.get(f"/reports/{rid}").status_code == 200
    assert web.delete(f"/api/reports/{rid}", headers=h).status_code == 204
    assert web.get(f"/api/reports/{rid}", headers=h).status_code == 404
    assert reviewer.get(f"/reports/{rid}").status_code == 404


def test_cached_review_is_still_out_of_scope(bot):
    """An administrator's request fills the caches; a 信阳市 reviewer still gets 404 for a 焦作市 report."""
    app, h = bot
    rid = _store(app, JIAOZUO)
    web = Web(app)
    assert web.get(f"/api/reports/{rid}", headers=h).status_code == 200
    admin = login_as(app, "boss", "admin")
    assert admin.get(f"/reports/{rid}").status_code == 200
    add_user(app, "xy", "reviewer", region="信阳市")
    xy_token = {"Authorization": f"Bearer {add_token(app, 'xy')}"}
    assert web.get(f"/api/reports/{rid}", headers=xy_token).status_code == 404
    xy = Web(app)
    xy.login("xy")
    assert xy.get(f"/reports/{rid}").status_code == 404
    assert xy.get(f"/reports/{rid}?hl=0-5").status_code == 404


def test_api_list_matches_the_store_summaries(bot):
    """The API list is built from plain columns in one query; it must say what the store's
    report_summary says of the same reports, in the same order, with the same total."""
    app, h = bot
    for unit, year in ((JIAOZUO, 2022), (JIAOZUO, 2023), (XINYANG, 2023), ("北京市朝阳区人民政府", 2021)):
        _store(app, unit, year)
    web = Web(app)
    for query, where in (("", []), ("?year=2023", ["year=2023"]), ("?region=焦作市", ["region=焦作市"]),
                         ("?level=county&limit=2&offset=1", ["level=county"])):
        got = web.get("/api/reports" + query, headers=h)
        assert got.status_code == 200, got.text
        body = got.json()
        with app.state.Session() as s:
            flt = service.ReportFilter.parse(where)
            everything = service.list_reports(s, flt)
            expected = [service.report_summary(r) for r in everything]
        offset = body["offset"]
        assert body["total"] == len(everything), query
        assert body["items"] == json.loads(json.dumps(expected[offset:offset + body["limit"]])), query
    beyond = web.get("/api/reports?offset=100", headers=h).json()
    assert beyond["items"] == [] and beyond["total"] == 4


def test_a_dropped_database_connection_is_not_a_500(pg_url, make_app, pg_admin):
    """PostgreSQL ends the server's connections (restart, failover, idle timeout): a connection that
    was idle is checked before use, and one dropped under load answers 503 once, not 500."""
    from sqlalchemy.engine import make_url

    db_url = pg_url
    app_name = make_url(db_url).query["application_name"]

    def kill() -> int:
        with pg_admin.connect() as conn:
            return len(conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                         "WHERE application_name = :a AND pid <> pg_backend_pid()"),
                                    {"a": app_name}).all())

    # idle connections are pinged (threshold 0 s): the next request does not notice
    app = make_app(db_url, db_ping_idle_seconds=0.0)
    add_user(app, "bot", "reviewer")
    h = {"Authorization": f"Bearer {add_token(app, 'bot')}"}
    rid = _store(app, JIAOZUO)
    web = Web(app)
    assert web.get(f"/api/reports/{rid}", headers=h).status_code == 200
    assert kill() >= 1
    assert web.get(f"/api/reports/{rid}", headers=h).status_code == 200

    # a connection used again at once is not pinged: if it died meanwhile, 503 (retry), then fine
    busy = make_app(db_url, db_ping_idle_seconds=3600.0)
    web = Web(busy)
    assert web.get(f"/api/reports/{rid}", headers=h).status_code == 200
    assert kill() >= 1
    r = web.get(f"/api/reports/{rid}", headers=h)
    assert r.status_code in (200, 503), r.text
    if r.status_code == 503:
        assert r.headers.get("retry-after") and "数据库" in r.json()["detail"]
    assert web.get(f"/api/reports/{rid}", headers=h).status_code == 200
    reviewer = login_as(busy, "rev", "reviewer")
    assert reviewer.get(f"/reports/{rid}").status_code == 200
    assert kill() >= 1
    page = reviewer.get(f"/reports/{rid}")
    assert page.status_code in (200, 503)
    if page.status_code == 503:
        assert "数据库" in page.text
    assert reviewer.get(f"/reports/{rid}").status_code == 200
