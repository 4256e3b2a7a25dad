"""The OpenAPI document and the API reference page: Chinese throughout, the error responses each operation
really gives, and still a well-formed OpenAPI 3 document."""

from __future__ import annotations

import re

import jsonschema
import pytest

from fazhi.web.openapi_zh import english_left
from tests.web.conftest import Web, add_token, add_user, login_as

CJK = re.compile(r"[\u4e00-\u9fff]")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
REPORT_PATHS = ("/api/reports/{report_id}", "/api/reports/{report_id}/facts", "/api/reports/{report_id}/findings",
                "/api/reports/{report_id}/parts", "/api/reports/{report_id}/similar")


@pytest.fixture
def spec(app) -> dict:
    r = Web(app).get("/api/openapi.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert "Successful Response" not in r.text and "Validation Error" not in r.text
    return r.json()


def _ops(spec: dict):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield method, path, op


def _resolve(spec: dict, ref: str) -> dict:
    assert ref.startswith("#/"), ref
    node = spec
    for part in ref[2:].split("/"):
        assert part in node, f"unresolved $ref {ref}"
        node = node[part]
    return node


def _refs(node, where=""):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield where, v
            else:
                yield from _refs(v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _refs(v, f"{where}/{i}")


def test_openapi_is_in_chinese(spec):
    assert english_left(spec) == []
    ops = list(_ops(spec))
    assert len(ops) >= 12
    for method, path, op in ops:
        assert CJK.search(op.get("summary") or ""), (method, path)
        for code, resp in op["responses"].items():
            assert CJK.search(resp["description"]), (method, path, code, resp["description"])
        for prm in op.get("parameters") or []:
            assert CJK.search(prm["schema"]["title"]), (method, path, prm["name"])
    schemas = spec["components"]["schemas"]
    assert schemas["HTTPValidationError"]["title"] == "参数校验错误"
    assert CJK.search(schemas["ValidationError"]["title"]) and CJK.search(schemas["ValidationError"]["description"])
    # what the app's 422 answers carry (loc, msg, type) and nothing it does not send
    assert set(schemas["ValidationError"]["properties"]) == {"loc", "msg", "type"}


def test_openapi_documents_the_errors_each_route_gives(spec):
    paths = spec["paths"]
    for path in REPORT_PATHS:
        responses = paths[path]["get"]["responses"]
        assert {"200", "401", "404", "422"} <= set(responses), path
        assert "403" not in responses, path  # every signed-in role may read: no 403 to document
        assert "不存在" in responses["404"]["description"]
        assert responses["401"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    delete = paths["/api/reports/{report_id}"]["delete"]["responses"]
    assert {"204", "401", "403", "404"} <= set(delete)
    assert "审核员" in delete["403"]["description"] and "CSRF" in delete["403"]["description"]
    upload = paths["/api/reports"]["post"]["responses"]
    assert {"200", "201", "400", "401", "403", "413", "415", "422"} <= set(upload)
    assert upload["201"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/UploadResults"}
    for path in ("/api/compare.xlsx", "/api/compare.csv"):
        responses = paths[path]["get"]["responses"]
        assert {"200", "400", "401", "403"} <= set(responses) and "审核员" in responses["403"]["description"]
    assert "spreadsheetml" in next(iter(paths["/api/compare.xlsx"]["get"]["responses"]["200"]["content"]))
    for path in ("/api/reports", "/api/compare"):
        assert {"400", "401"} <= set(paths[path]["get"]["responses"]) and "403" not in paths[path]["get"]["responses"]
    assert "501" in paths["/api/similar/pairs"]["get"]["responses"]
    assert set(paths["/api/me"]["get"]["responses"]) == {"200", "401"}
    assert set(spec["components"]["securitySchemes"]) == {"bearer", "session"}


def test_the_documented_errors_are_the_real_ones(app):
    """A few of the documented answers, asked for: 401 without credentials, 403 for a viewer's delete,
    404 for a report that is not there, 422 for a year the schema does not allow."""
    w = Web(app)
    assert w.get("/api/reports/1").status_code == 401
    add_user(app, "看", "viewer")
    h = {"Authorization": f"Bearer {add_token(app, '看')}"}
    assert w.get("/api/reports/424242", headers=h).status_code == 404
    assert w.delete("/api/reports/1", headers=h).status_code == 403
    assert w.get("/api/compare.csv", headers=h).status_code == 403
    r = w.get("/api/reports", params={"year": "明年"}, headers=h)  # the schema's pattern: four-digit years
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "year"]


def test_openapi_is_well_formed(spec):
    """A structural check of OpenAPI 3.1 (no validator package is installed): the required fields, responses
    keyed by status code with a description, parameters with a name and a place (path ones required),
    every $ref resolves, and every schema is a valid JSON Schema (2020-12, which OpenAPI 3.1 uses)."""
    assert re.fullmatch(r"3\.\d+\.\d+", spec["openapi"])
    assert spec["info"]["title"] and spec["info"]["version"]
    op_ids = []
    for _method, path, op in _ops(spec):
        assert path.startswith("/")
        op_ids.append(op["operationId"])
        assert op["responses"]
        for code, resp in op["responses"].items():
            assert re.fullmatch(r"[1-5]\d\d|default", code), (path, code)
            assert isinstance(resp["description"], str)
            for media in (resp.get("content") or {}).values():
                jsonschema.Draft202012Validator.check_schema(media.get("schema", {}))
        for name in re.findall(r"{(\w+)}", path):
            prm = [p for p in op["parameters"] if p["name"] == name]
            assert prm and prm[0]["in"] == "path" and prm[0]["required"] is True, (path, name)
        for prm in op.get("parameters") or []:
            assert prm["in"] in ("query", "header", "path", "cookie") and prm["name"]
            jsonschema.Draft202012Validator.check_schema(prm["schema"])
    assert len(op_ids) == len(set(op_ids))
    for name, schema in spec["components"]["schemas"].items():
        assert re.fullmatch(r"[A-Za-z0-9._-]+", name)
        jsonschema.Draft202012Validator.check_schema(schema)
    for scheme in spec["components"]["securitySchemes"].values():
        assert scheme["type"] in ("apiKey", "http", "oauth2", "openIdConnect", "mutualTLS")
    for req in spec["security"]:
        assert set(req) <= set(spec["components"]["securitySchemes"])
    for where, ref in _refs(spec):
        assert _resolve(spec, ref), where


def test_api_reference_page_is_in_chinese(app):
    admin = login_as(app, "admin", "admin")
    page = admin.get("/api/docs").text
    assert "Successful Response" not in page and "Validation Error" not in page
    op = re.search(r'data-method="GET" data-path="/api/reports/\{report_id\}">.*?</section>', page, re.S).group(0)
    assert re.search(r'<tr data-code="404"><td><code>404</code></td><td>报告不存在', op)
    assert re.search(r'<tr data-code="401">', op)
    assert re.search(r'<tr data-param="report_id">.*?报告 id.*?路径', op, re.S)
    assert ">path<" not in page and ">query<" not in page
    # the page still follows the document: an upload is documented with its limits
    upload = re.search(r'data-method="POST" data-path="/api/reports">.*?</section>', page, re.S).group(0)
    assert 'data-code="413"' in upload and 'data-code="415"' in upload
