"""The HTTP surface under odd requests (issue 8, defects 7, 11 and 13): integers beyond the database's range,
security headers on server errors, the methods a 405 names, exports that hold no lock, and answers shaped as
the OpenAPI document says."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from fazhi.bench.http import start_server
from fazhi.corpus import export
from fazhi.corpus.models import Report
from tests.security.conftest import JIAOZUO, XINYANG, Web, add_token, add_user, login_as, report_text

BIG = ("99999999999999999999", str(2**63), str(2**31), "-1", "0")
HEADERS = {"content-security-policy": "frame-ancestors 'none'", "x-content-type-options": "nosniff",
           "cache-control": "no-store", "x-frame-options": "DENY"}


def _has_security_headers(h: Any) -> bool:
    return all(v in h.get(k, "") for k, v in HEADERS.items())


@pytest.fixture
def signed(backend_app: Any) -> tuple[Any, dict[str, str], Web]:
    """The app on SQLite and on PostgreSQL, with a report, an administrator's token and session."""
    add_user(backend_app, "admin", "admin")
    h = {"Authorization": f"Bearer {add_token(backend_app, 'admin')}"}
    assert Web(backend_app).upload([("a.txt", report_text(JIAOZUO).encode())], headers=h).status_code == 201
    page = Web(backend_app)
    page.login("admin")
    return backend_app, h, page


# =========================================================================== integers (7, 13)
API_IDS = ["/api/reports/{}", "/api/reports/{}/facts", "/api/reports/{}/findings", "/api/reports/{}/parts",
           "/api/reports/{}/similar", "/api/knowledge/versions/{}"]
PAGE_IDS = ["/reports/{}", "/reports/{}/similar", "/admin/knowledge/versions/{}",
            "/admin/knowledge/versions/{}/download"]
POST_IDS = ["/api/knowledge/versions/{}/activate"]


def test_ids_beyond_the_integer_range_are_refused_not_errors(signed: tuple[Any, dict[str, str], Web]) -> None:
    app, h, page = signed
    api = Web(app)
    for n in BIG:
        for path in API_IDS:
            r = api.get(path.format(n), headers=h)
            assert r.status_code == 422 and r.json()["detail"][0]["loc"][0] == "path", (path, n, r.status_code)
        for path in POST_IDS:
            assert api.post(path.format(n), headers=h).status_code == 422
        assert api.delete(f"/api/reports/{n}", headers=h).status_code == 422
        for path in PAGE_IDS:
            r = page.get(path.format(n))
            assert r.status_code == 400 and "路径参数" in r.text, (path, n, r.status_code)
        for path in ("/reports/{}/delete", "/admin/users/{}", "/admin/users/{}/password",
                     "/account/tokens/{}/revoke", "/admin/tokens/{}/revoke"):
            r = page.post(path.format(n), data={"csrf_token": page.csrf(), "role": "viewer", "password": "x"})
            assert r.status_code == 400, (path, n, r.status_code)


def test_query_integers_and_filters_beyond_the_range(signed: tuple[Any, dict[str, str], Web]) -> None:
    app, h, page = signed
    api = Web(app)
    for n in BIG[:3]:
        assert api.get("/api/reports", params={"offset": n}, headers=h).status_code == 422
        assert api.get("/api/reports", params={"limit": n}, headers=h).status_code == 422
        for path in ("/api/reports", "/api/compare", "/api/compare.csv"):
            assert api.get(path, params={"year": n}, headers=h).status_code == 422
            r = api.get(path, params={"issuer": n}, headers=h)  # not a unit id: a name no unit has
            assert r.status_code == 200, (path, n, r.status_code)
        for path in ("/", "/compare"):
            for key in ("year", "issuer"):
                r = page.get(path, params={key: n})
                assert r.status_code == 200, (path, key, n, r.status_code)
            assert "筛选条件有误" in page.get(path, params={"year": n}).text
        assert page.get("/", params={"page": n}).status_code == 400
        assert page.get("/admin/audit", params={"page": n}).status_code == 400
    assert api.get("/api/reports", params={"issuer": "1"}, headers=h).status_code == 200


# =========================================================================== 500 answers (11)
def test_an_unhandled_error_is_a_500_with_the_security_headers(make_app: Any) -> None:
    app = make_app()

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    @app.get("/boom")
    def boom_page() -> None:
        raise RuntimeError("a bug")

    client = Web(app, raise_server_exceptions=False)
    for path in ("/api/boom", "/boom"):
        r = client.get(path)
        assert r.status_code == 500 and _has_security_headers(r.headers), (path, dict(r.headers))
        assert "服务器内部错误" in r.text and "a bug" not in r.text


def test_server_errors_over_real_http_carry_the_headers(tmp_path: Path) -> None:
    """uvicorn in a process of its own, over a database whose stored review is damaged."""
    from tests.web.conftest import _make

    url = f"sqlite:///{tmp_path / 'damaged.sqlite'}"
    app = _make(url)
    add_user(app, "admin", "admin")
    token = add_token(app, "admin")
    h = {"Authorization": f"Bearer {token}"}
    rid = Web(app).upload([("a.txt", report_text(XINYANG).encode())], headers=h).json()["results"][0]["id"]
    with app.state.WriteSession.begin() as s:
        s.execute(update(Report).values(review=[1, 2, 3]))  # not a review document any more
    app.state.engine.dispose()
    with start_server(url, env={"FAZHI_REVIEW_PROCESSES": "0"}, log_path=tmp_path / "server.log") as server:
        answers = [httpx.get(server.url + f"/api/reports/{rid}", headers=h),
                   httpx.get(server.url + "/api/reports/1.5", headers=h),  # 422: an exception handler's answer
                   httpx.put(server.url + f"/api/reports/{rid}", headers=h),  # 405
                   httpx.get(server.url + "/nowhere")]  # 404
        assert [r.status_code for r in answers] == [500, 422, 405, 404]
        for r in answers:
            assert _has_security_headers(r.headers), (r.status_code, dict(r.headers))
        assert "服务器内部错误" in answers[0].json()["detail"]
        assert "TypeError" in server.log_tail()  # the error is in the server's log, not in the answer


# =========================================================================== 405 (13)
def test_a_405_names_every_method_the_path_allows(app: Any) -> None:
    add_user(app, "admin", "admin")
    h = {"Authorization": f"Bearer {add_token(app, 'admin')}"}
    w = Web(app)
    for method, path, allow in (("PUT", "/api/reports/1", "DELETE, GET"), ("PATCH", "/api/reports", "GET, POST"),
                                ("OPTIONS", "/api/knowledge", "GET, POST"), ("DELETE", "/login", "GET, POST"),
                                ("POST", "/api/reports/1/facts", "GET")):
        r = w.request(method, path, headers=h)
        assert r.status_code == 405 and r.headers["allow"] == allow, (method, path, r.headers.get("allow"))


# =========================================================================== exports and the write lock (13)
def test_an_export_holds_no_lock_while_it_writes_the_file(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the workbook is being written another connection can take the write lock at once (a
    deletion or an upload does not wait for a slow export)."""
    rev = login_as(app, "审核员", "reviewer")
    assert rev.upload([("a.txt", report_text(JIAOZUO).encode())], csrf=rev.csrf()).status_code == 201
    db = app.state.engine.url.database
    seen: list[str] = []
    real = export.write_xlsx

    def write_while_checking(*args: Any, **kw: Any) -> None:
        other = sqlite3.connect(db, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # "database is locked" if the export held the lock
            other.execute("ROLLBACK")
            seen.append("free")
        finally:
            other.close()
        real(*args, **kw)

    monkeypatch.setattr(export, "write_xlsx", write_while_checking)
    r = rev.get("/api/compare.xlsx")
    assert r.status_code == 200 and seen == ["free"]


# =========================================================================== answers as documented (13)
def _schema(app: Any, method: str, path: str, code: str) -> dict[str, Any]:
    spec = Web(app).get("/api/openapi.json").json()
    schema = spec["paths"][path][method]["responses"][code]["content"]["application/json"]["schema"]
    return {"spec": spec, "schema": schema}


def _validates(spec: dict[str, Any], schema: dict[str, Any], body: Any) -> bool:
    import jsonschema

    resolver = {"$defs": {}, **schema, "components": spec["components"]}
    try:
        jsonschema.Draft202012Validator({**resolver}).validate(body)
    except jsonschema.ValidationError:
        return False
    return True


def test_knowledge_422_and_mixed_upload_400_bodies_are_documented(app: Any) -> None:
    add_user(app, "admin", "admin")
    h = {"Authorization": f"Bearer {add_token(app, 'admin')}"}
    w = Web(app)
    r = w.post("/api/knowledge", json={"name": "rules", "content": "version: [未闭合"}, headers=h)
    assert r.status_code == 422 and isinstance(r.json()["detail"], str)
    doc = _schema(app, "post", "/api/knowledge", "422")
    assert _validates(doc["spec"], doc["schema"], r.json())
    r = w.post("/api/knowledge", json={"name": "rules"}, headers=h)
    assert r.status_code == 422 and isinstance(r.json()["detail"], list)
    assert _validates(doc["spec"], doc["schema"], r.json())
    r = w.upload([("empty.txt", b""), ("noise.txt", bytes(range(256)) * 20)], headers=h)
    assert r.status_code == 400 and {x["code"] for x in r.json()["results"]} == {415, 422}
    doc = _schema(app, "post", "/api/reports", "400")
    assert _validates(doc["spec"], doc["schema"], r.json())
    spec = doc["spec"]
    for path, item in spec["paths"].items():
        if path.startswith("/api/knowledge"):
            for op in item.values():
                assert {"401", "403"} <= set(op["responses"]), path
    assert "404" in spec["paths"]["/api/knowledge/versions/{version_id}"]["get"]["responses"]
    files = spec["paths"]["/api/reports"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert files["properties"]["files"]["maxItems"] == app.state.settings.max_files
    name = spec["paths"]["/api/knowledge/{name}/deactivate"]["post"]["parameters"][0]["schema"]
    assert name["pattern"] == "^(parts|rules|indicators|units)$"
    json.dumps(spec)
