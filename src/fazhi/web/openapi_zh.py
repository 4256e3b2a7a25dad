"""The OpenAPI document (``/api/openapi.json``, and the ``/api/docs`` page made from it) in Chinese.

FastAPI writes its own English into the document: "Successful Response",
"Validation Error", the ``HTTPValidationError``/``ValidationError`` schemas'
titles, a title for every parameter made from its name ("Report Id") and for
every response model ("Response Me Api Me Get").  :func:`install` replaces
``app.openapi`` with a function that builds FastAPI's document once and then:

- describes the success responses in Chinese (200 成功, 201 已入库, 204 已删除)
  and the export downloads by their media types;
- adds the error responses each operation really gives, found from its
  dependencies — 401 for every operation behind :func:`routes_api.api_user`,
  403 for those behind a role check (``routes_api.need(action)``, with the role
  it needs; writes also need the session's CSRF token), 400 for those with the
  report filter, 404 for a ``{report_id}`` path — and from :data:`EXTRA` for
  what only the handler knows (the upload's 413/415/422, the similarity
  module's 501, the knowledge versions' 404/409/413), each with a Chinese
  description and the ``{"detail": …}`` body schema (:data:`ERROR_SCHEMA`) —
  or, where an answer has several shapes (:data:`EITHER`), each of them: the
  upload's per-file results (:data:`UPLOAD_SCHEMA`, which it answers with even
  when every file failed), a knowledge version's 422 (a list of parameter
  problems, or one sentence about the YAML);
- titles every parameter in Chinese (:data:`PARAM_LABEL`) and describes those
  that had no description;
- renames the validation error schemas' titles and fields in Chinese (their
  component names stay: OpenAPI allows only ASCII there), and drops the fields
  this app never sends (``input``, ``ctx``: see ``app._errors``);
- declares the two ways to authenticate (``securitySchemes``).

The document stays OpenAPI 3.1 (the version FastAPI writes).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from fazhi.accounts import roles

SUCCESS = {"200": "成功", "201": "已入库（有文件新入库）", "204": "已删除（无响应体）"}

#: parameter name → Chinese title
PARAM_LABEL = {"report_id": "报告 id", "limit": "条数上限", "offset": "跳过条数", "with_text": "包含全文",
               "brief": "简要结果", "k": "相似报告数", "region": "地区", "level": "级别", "year": "年度",
               "issuer": "报告主体", "code": "区划代码", "indicators": "指标", "core": "只含核心指标",
               "long": "逐值明细", "version_id": "版本编号", "name": "知识文件", "q": "查找内容", "sort": "排序",
               "rule": "审查意见（规则）", "score_min": "最低得分", "score_max": "最高得分",
               "achievements": "举措和成效", "shortcomings": "不足和原因", "first_responsible": "第一责任人履职",
               "next_year_plan": "下一年度安排", "issuer_id": "单位 id"}
#: descriptions for parameters declared without one
PARAM_DESCRIPTION = {"report_id": "报告 id（见报告列表各项的 id）", "limit": "最多返回的条数",
                     "offset": "跳过前面的条数（分页）", "k": "返回最相似的几份报告",
                     "version_id": "规则/指标版本的编号（见 GET /api/knowledge）",
                     "issuer_id": "单位 id（见报告列表各项的 issuer.id）",
                     "name": "知识文件：parts、rules、indicators 或 units"}

ERROR_SCHEMA = {"title": "错误", "description": "出错时的响应体：说明在 detail 中（中文）。", "type": "object",
                "required": ["detail"],
                "properties": {"detail": {"title": "错误说明", "type": "string"}}}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}
UPLOAD_SCHEMA = {
    "title": "上传结果", "description": "逐个文件的结果，及入库、失败的文件数。", "type": "object",
    "required": ["results", "stored", "failed"],
    "properties": {
        "results": {"title": "各文件结果", "type": "array", "items": {
            "title": "一个文件的结果", "type": "object", "required": ["file", "ok", "status", "code"],
            "properties": {
                "file": {"title": "文件名", "type": "string"},
                "ok": {"title": "是否入库", "type": "boolean"},
                "status": {"title": "状态", "type": "string", "enum": ["created", "exists", "error"],
                           "description": "created 新入库，exists 已存在，error 失败"},
                "code": {"title": "状态码", "type": "integer"},
                "id": {"title": "报告 id", "type": "integer"},
                "title": {"title": "标题", "type": ["string", "null"]},
                "issuer": {"title": "报告主体", "type": ["string", "null"]},
                "review": {"title": "审查结果", "type": "object", "description": "fazhi.review/1（brief=1 时不含）"},
                "error": {"title": "失败原因", "type": "string"},
                "reason": {"title": "原因代码", "type": "string", "description": "fazhi.review.read 的原始原因（英文）"}}}},
        "stored": {"title": "入库文件数", "type": "integer"},
        "failed": {"title": "失败文件数", "type": "integer"}}}
_UPLOAD_REF = {"$ref": "#/components/schemas/UploadResults"}

DESCRIPTION = {
    "400": "请求有误：筛选条件写法不对（如年度、级别）",
    "401": "未认证：没有有效的登录会话，或 API 令牌无效、已撤销、已过期（Authorization: Bearer <令牌>）",
    "404": "报告不存在，或不在您的查看范围内",
    "422": "请求参数不正确：类型或取值范围不符（如 id 不是整数、limit 超出范围）",
}

#: what only the handler knows: (method, path) → {status: description}
EXTRA: dict[tuple[str, str], dict[str, str]] = {
    ("post", "/api/reports"): {
        "200": "各文件均已存在（没有新入库）：逐个文件的结果",
        "201": "有文件新入库：逐个文件的结果（入库 id、状态、审查结果或失败原因）",
        "400": "没有收到文件（multipart 字段应为 files）、文件数超过上限，或各文件失败的状态码不同",
        "403": "权限不足（需要审核员及以上角色）、浏览器会话缺少正确的 X-CSRF-Token 头，"
               "或报告主体均不在您的地区范围内（未入库）",
        "413": "上传内容过大：单个文件或一次上传的合计超过上限（未入库）",
        "415": "文件类型不支持：图片、压缩包、程序、旧版 .doc 等（未入库）",
        "422": "文件均无法读取（空文件、已损坏、已加密、没有文字层等；未入库），或查询参数不正确",
    },
    ("get", "/api/reports/{report_id}/similar"): {"501": "相似度模块不可用"},
    ("get", "/api/search"): {"400": "查找内容为空、过长或词语过多，或筛选条件写法不对"},
    ("get", "/api/reports/{report_id}/original"): {
        "404": "报告不存在或不在您的查看范围内；或这份报告入库时没有保存原文件",
        "500": "保存的原文件校验失败（SHA-256 与入库时不符），不予下载"},
    ("post", "/api/downloads"): {
        "400": "没有选择报告、报告编号不是整数，或超过一次下载的上限",
        "403": "浏览器会话缺少正确的 CSRF 令牌（表单字段 csrf_token 或 X-CSRF-Token 头）",
        "404": "所选报告中有的不存在，或不在您的查看范围内（整体不下载）"},
    ("get", "/api/units/{issuer_id}"): {"404": "单位不存在，或不在您的查看范围内"},
    ("get", "/api/similar/pairs"): {"501": "相似度模块不可用"},
    ("post", "/api/knowledge"): {
        "201": "已存储新版本（activate=true 时已启用）",
        "400": "请求体无法解析（不是 UTF-8 编码的 JSON）",
        "409": "内容与已存储的版本相同，或版本号已被其他内容（已存版本、内置或本机文件）使用",
        "413": "内容过大（YAML 不超过 2 MB）",
        "422": "请求体不符合要求（detail 为问题列表），或 YAML 无法使用：不是 UTF-8、格式错误、不符合该文件的 "
               "JSON Schema、试审查失败（detail 为一句说明，含出错位置）",
    },
    ("get", "/api/knowledge/versions/{version_id}"): {"404": "没有这个编号的规则/指标版本"},
    ("post", "/api/knowledge/versions/{version_id}/activate"): {
        "404": "没有这个编号的规则/指标版本",
        "409": "另一位管理员刚刚修改了同一知识文件的版本，请重试",
        "422": "编号不是正整数（detail 为问题列表），或该版本在本版 fazhi 中无法使用（detail 为一句说明）",
    },
    ("post", "/api/knowledge/{name}/deactivate"): {"409": "另一位管理员刚刚修改了同一知识文件的版本，请重试"},
}
#: the rules and catalogue are for administrators without a region scope
KNOWLEDGE_403 = "权限不足：规则与指标只能由不限地区的管理员管理"

_VALIDATION_REF = {"$ref": "#/components/schemas/HTTPValidationError"}
#: answers with several shapes: (method, path) → {status: the schemas it may have}
EITHER: dict[tuple[str, str], dict[str, list[dict[str, str]]]] = {
    ("post", "/api/reports"): {"400": [_UPLOAD_REF, _ERROR_REF], "403": [_UPLOAD_REF, _ERROR_REF],
                               "413": [_UPLOAD_REF, _ERROR_REF], "415": [_UPLOAD_REF, _ERROR_REF],
                               "422": [_UPLOAD_REF, _VALIDATION_REF]},
    ("post", "/api/knowledge"): {"422": [_VALIDATION_REF, _ERROR_REF]},
    ("post", "/api/knowledge/versions/{version_id}/activate"): {"422": [_VALIDATION_REF, _ERROR_REF]},
}
#: bodies that are not JSON: (method, path) → media type
DOWNLOADS = {("get", "/api/compare.xlsx"): "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             ("get", "/api/compare.csv"): "text/csv; charset=utf-8",
             ("get", "/api/reports/{report_id}/original"): "application/octet-stream",
             ("post", "/api/downloads"): "application/zip"}

SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "API 令牌（fz_ 开头）：`fazhi user token NAME` 或“账户”页创建；"
                              "Authorization: Bearer <令牌>。用令牌的写操作不需要 CSRF 令牌。"},
    "session": {"type": "apiKey", "in": "cookie", "name": "fazhi_session",
                "description": "浏览器登录会话；写操作还需 X-CSRF-Token 头（页面 <meta name=\"csrf-token\">）。"},
}

_VALIDATION_TITLES = {
    "HTTPValidationError": ("参数校验错误", "请求参数不符合要求时的响应体：detail 逐项列出问题。",
                            {"detail": "问题列表"}),
    "ValidationError": ("参数问题", "一个不符合要求的参数。",
                        {"loc": "位置（如 query、limit）", "msg": "说明（中文）", "type": "错误类型（pydantic 的代码）"}),
}
_UNSENT = ("input", "ctx")  # app._errors keeps loc, msg and type only
_CJK = re.compile(r"[\u4e00-\u9fff]")


# =========================================================================== what an operation depends on
def _calls(route: APIRoute) -> Iterator[Callable[..., Any]]:
    stack = list(route.dependant.dependencies)
    while stack:
        d = stack.pop()
        if d.call is not None:
            yield d.call
        stack.extend(d.dependencies)


def _needs(call: Callable[..., Any]) -> str | None:
    """The action of a role check made by :func:`fazhi.web.deps.need`, else None."""
    action = getattr(call, "fazhi_action", None)
    return action if isinstance(action, str) else None


def _facts(route: APIRoute) -> dict[str, Any]:
    from fazhi.web import deps
    from fazhi.web.routes import api as routes_api

    calls = list(_calls(route))
    actions = [a for a in map(_needs, calls) if a]
    return {"auth": bool(actions) or any(c is deps.api_user for c in calls),
            "actions": actions,
            "filter": any(c is routes_api.report_filter for c in calls)}


def _forbidden(actions: list[str], method: str) -> str:
    need = max((roles.NEEDS.get(a, "viewer") for a in actions), key=roles.rank)
    text = f"权限不足：需要{roles.ROLE_LABEL.get(need, need)}及以上角色"
    if method not in ("get", "head", "options"):
        text += "；或浏览器会话的写操作缺少正确的 X-CSRF-Token 头"
    return text


# =========================================================================== the rewrite
def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": dict(_ERROR_REF)}}}


def _operation(method: str, path: str, op: dict[str, Any], facts: dict[str, Any]) -> None:
    responses: dict[str, Any] = op.setdefault("responses", {})
    for code, desc in SUCCESS.items():
        if code in responses:
            responses[code]["description"] = desc
    if (method, path) == ("post", "/api/reports"):  # every answer about files carries their results
        for code in ("200", "201"):
            responses.setdefault(code, {})["content"] = {"application/json": {"schema": dict(_UPLOAD_REF)}}
    for code, shapes in EITHER.get((method, path), {}).items():
        responses[code] = {"description": "", "content": {"application/json": {
            "schema": {"anyOf": [dict(ref) for ref in shapes]}}}}
    if (method, path) in DOWNLOADS:
        responses.setdefault("200", {})["content"] = {
            DOWNLOADS[(method, path)]: {"schema": {"type": "string", "format": "binary", "title": "文件"}}}
        responses["200"]["description"] = "成功：文件下载（Content-Disposition: attachment）"
    wanted: dict[str, str] = {}
    if facts["auth"]:
        wanted["401"] = DESCRIPTION["401"]
    if facts["actions"]:
        wanted["403"] = _forbidden(facts["actions"], method)
        if path.startswith("/api/knowledge"):
            wanted["403"] = KNOWLEDGE_403 + wanted["403"].removeprefix("权限不足")
    if facts["filter"]:
        wanted["400"] = DESCRIPTION["400"]
    if "{report_id}" in path:
        wanted["404"] = DESCRIPTION["404"]
    wanted.update(EXTRA.get((method, path), {}))
    for code, desc in wanted.items():
        if code in responses:
            responses[code]["description"] = desc
            if code not in SUCCESS and code != "422":
                responses[code].setdefault("content", {"application/json": {"schema": dict(_ERROR_REF)}})
        else:
            responses[code] = _error(desc)
    if "422" in responses and "422" not in wanted:
        responses["422"]["description"] = DESCRIPTION["422"]
    op["responses"] = dict(sorted(responses.items()))
    for prm in op.get("parameters") or []:
        name = prm.get("name", "")
        schema = prm.setdefault("schema", {})
        schema["title"] = PARAM_LABEL.get(name, schema.get("title", name))
        if not prm.get("description") and name in PARAM_DESCRIPTION:
            prm["description"] = schema["description"] = PARAM_DESCRIPTION[name]
    for resp in responses.values():  # response models: "Response Me Api Me Get" → the operation's summary
        for media in (resp.get("content") or {}).values():
            schema = media.get("schema") or {}
            if str(schema.get("title", "")).startswith("Response "):
                schema["title"] = f"{op.get('summary') or '响应'}（响应）"


def translate(spec: dict[str, Any], routes: dict[tuple[str, str], APIRoute] | None = None, *,
              max_files: int | None = None) -> dict[str, Any]:
    """FastAPI's document ``spec`` in Chinese, with the error responses (a new dict; ``spec`` is unchanged);
    ``max_files``: the most files one upload may carry (the upload's ``files`` array says so)."""
    out = copy.deepcopy(spec)
    upload = (out.get("paths") or {}).get("/api/reports", {}).get("post")
    if upload is not None and max_files is not None:
        files = upload["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]["files"]
        files.update(minItems=1, maxItems=max_files)
    for path, item in (out.get("paths") or {}).items():
        for method, op in item.items():
            if not isinstance(op, dict) or method not in ("get", "post", "put", "patch", "delete"):
                continue
            route = (routes or {}).get((method, path))
            facts = _facts(route) if route is not None else {"auth": False, "actions": [], "filter": False}
            _operation(method, path, op, facts)
    comps = out.setdefault("components", {})
    schemas = comps.setdefault("schemas", {})
    schemas["Error"] = copy.deepcopy(ERROR_SCHEMA)
    schemas["UploadResults"] = copy.deepcopy(UPLOAD_SCHEMA)
    for name, (title, description, props) in _VALIDATION_TITLES.items():
        sch = schemas.get(name)
        if not sch:
            continue
        sch["title"], sch["description"] = title, description
        for key in _UNSENT:
            sch.get("properties", {}).pop(key, None)
        for key, label in props.items():
            if key in sch.get("properties", {}):
                sch["properties"][key]["title"] = label
    comps["securitySchemes"] = copy.deepcopy(SECURITY_SCHEMES)
    out["security"] = [{"bearer": []}, {"session": []}]
    return out


def install(app: FastAPI) -> None:
    """Serve :func:`translate` of FastAPI's document as ``app.openapi()``.

    FastAPI builds its document once (again when routes are added); the
    translation is redone only when that document is a new one."""
    cache: dict[str, Any] = {"raw": None, "zh": None}

    def openapi() -> dict[str, Any]:
        raw = FastAPI.openapi(app)
        if raw is not cache["raw"]:
            cache["zh"] = translate(raw, _api_routes(app), max_files=app.state.settings.max_files)
            cache["raw"] = raw
        return cache["zh"]

    app.openapi = openapi  # type: ignore[method-assign]


def _api_routes(app: FastAPI) -> dict[tuple[str, str], APIRoute]:
    """(method, path) → route, for every route of the app."""
    from fazhi.web.routes import flat_routes

    out: dict[tuple[str, str], APIRoute] = {}
    for r in flat_routes(app.routes):
        if isinstance(r, APIRoute):
            for m in r.methods or ():
                out[(m.lower(), r.path)] = r
    return out


def english_left(spec: dict[str, Any]) -> list[str]:
    """Where FastAPI's English defaults are still in ``spec`` (for the tests): JSON paths."""
    bad = ("Successful Response", "Validation Error")
    out = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("title", "description") and isinstance(v, str) and (v in bad or not _CJK.search(v)) \
                        and "/components/securitySchemes" not in where:
                    out.append(f"{where}/{k}: {v}")
                walk(v, f"{where}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}/{i}")

    walk(spec, "")
    return out


__all__ = ["DESCRIPTION", "EITHER", "ERROR_SCHEMA", "EXTRA", "PARAM_LABEL", "UPLOAD_SCHEMA", "english_left", "install",
           "translate"]
