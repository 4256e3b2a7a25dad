"""The REST API under ``/api`` (OpenAPI at ``/api/openapi.json``, reference at ``/api/docs``).

Authentication: the browser session cookie (writes also need the
``X-CSRF-Token`` header with the session's token, which pages carry in
``<meta name="csrf-token">``), or an API token: ``Authorization: Bearer
fz_…``.  Roles: every GET needs a signed-in user (查看 and up); upload and
delete need 审核员 or 管理员, as do the xlsx/csv exports.  A user with a region
scope sees only the reports (and units) of that region: any other is 404.

Search (``/api/search``), a report's original file (``/api/reports/{id}/original``), several reports as
one zip (``POST /api/downloads``: a POST because a list of ids does not belong in a URL; it changes
nothing but the audit log, and a browser session needs the CSRF token like any other POST) and a unit's
years (``/api/units/{id}``) are for everyone who may read the reports.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from fazhi.accounts.audit import audit
from fazhi.config import Settings
from fazhi.corpus import bundle, originals, search, similar_reports, unit_history, uploads
from fazhi.corpus import reports as stored
from fazhi.corpus.service import ReportFilter
from fazhi.db.base import INT_MAX
from fazhi.web import auth, deps
from fazhi.web.auth import Principal
from fazhi.web.deps import DB, ApiUser, RowId

router = APIRouter(prefix="/api")


class FastJSON(JSONResponse):
    """JSON written straight from plain dicts and lists (no ``jsonable_encoder`` walk): review documents
    are large and already JSON."""

    def render(self, content: Any) -> bytes:
        return stored.dumps(content)

def need(action: str) -> Any:
    """The API's role check (an anonymous call is 401, a role that may not is 403)."""
    return deps.need(action, api=True)


#: a year, a range of years or a list of years (four digits each: ReportFilter's years)
YEAR_PATTERN = r"^[1-9][0-9]{3}(-[1-9][0-9]{3}|(,[1-9][0-9]{3})*)$"
Region = Annotated[str | None, Query(description="地区（任一级）：焦作市、解放区 …")]
Level = Annotated[str | None, Query(description="级别，可逗号分隔：province, city, county, township, street, department")]
Year = Annotated[str | None, Query(description="年度：2023、2021-2023、2022,2023（四位数）",
                                    pattern=YEAR_PATTERN, max_length=200)]
IssuerQ = Annotated[str | None, Query(description="报告主体名称的一部分，或单位 id", max_length=200)]
Code = Annotated[str | None, Query(description="行政区划代码前缀：4108 = 焦作市", pattern=r"^[0-9]{1,12}$")]
RULE_ID = r"[a-z_]+(\.[a-z_]+)*"
Rule = Annotated[str | None, Query(description="有某条审查意见的报告：规则 id，可逗号分隔（任一即可），如 part.missing",
                                   pattern=rf"^{RULE_ID}(,{RULE_ID})*$", max_length=500)]
ScoreMin = Annotated[float | None, Query(description="得分不低于（0–100）", ge=0, le=100)]
ScoreMax = Annotated[float | None, Query(description="得分不高于（0–100）", ge=0, le=100)]
PART_STATUS = "状态：dedicated 单列、embedded 散见、missing 缺失，可逗号分隔"
STATUS = "(dedicated|embedded|missing)"
_Status = {"pattern": rf"^{STATUS}(,{STATUS})*$", "max_length": 40}
Achievements = Annotated[str | None, Query(description="“举措和成效”的" + PART_STATUS, **_Status)]
Shortcomings = Annotated[str | None, Query(description="“不足和原因”的" + PART_STATUS, **_Status)]
FirstResponsible = Annotated[str | None, Query(description="“第一责任人履职”的" + PART_STATUS, **_Status)]
NextYearPlan = Annotated[str | None, Query(description="“下一年度安排”的" + PART_STATUS, **_Status)]


def report_filter(region: Region = None, level: Level = None, year: Year = None, issuer: IssuerQ = None,
                  code: Code = None, rule: Rule = None, score_min: ScoreMin = None, score_max: ScoreMax = None,
                  achievements: Achievements = None, shortcomings: Shortcomings = None,
                  first_responsible: FirstResponsible = None, next_year_plan: NextYearPlan = None) -> ReportFilter:
    try:
        return stored.filter_from_query({
            "region": region, "level": level, "year": year, "issuer": issuer, "code": code, "rule": rule,
            "score_min": score_min, "score_max": score_max, "achievements": achievements,
            "shortcomings": shortcomings, "first_responsible": first_responsible, "next_year_plan": next_year_plan})
    except ValueError as exc:
        raise HTTPException(400, f"筛选条件有误：{exc}") from None


Filter = Annotated[ReportFilter, Depends(report_filter)]
Sort = Annotated[str | None, Query(pattern=stored.SORT_PATTERN,
                                   description="排序：title 标题、issuer 报告主体、year 年度、date 落款日期、score 得分、"
                                               "created 入库时间；前加 - 为降序（如 -score）")]
NOT_VISIBLE = "报告不存在，或不在您的查看范围内"


def attachment(name: str, fallback: str) -> str:
    """A Content-Disposition header for a download called ``name`` (any characters: RFC 5987), with an
    ASCII ``fallback`` for old clients."""
    return f'attachment; filename="{fallback}"; filename*=UTF-8\'\'{quote(name, safe="")}'


def _report(s: Session, report_id: int, p: Principal) -> Any:
    report = stored.get_report(s, report_id, p.scope)
    if report is None:
        raise HTTPException(404, NOT_VISIBLE)
    return report


# =========================================================================== who am I
@router.get("/me", summary="当前用户", description="当前用户的名称、角色、地区范围和权限。")
def me(p: ApiUser) -> dict[str, Any]:
    return p.to_json()


# =========================================================================== reports
UPLOAD_BODY = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["files"],
        "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"},
                                 "description": "一个或多个报告文件（.txt .docx .pdf .html .md；按内容识别类型）"}}}}}},
}


@router.post("/reports", summary="上传并审查报告", openapi_extra=UPLOAD_BODY, status_code=201,
             description="上传一个或多个报告文件（multipart 字段 files）。每个文件按内容识别类型、审查并入库，"
                         "结果逐个返回：成功的给出入库 id 和 fazhi.review/1 审查结果，失败的给出原因和状态码"
                         "（413 过大，415 类型不支持，422 无法读取，403 报告主体不在您的地区范围内）。"
                         "整体状态：有文件入库为 201（新入库）或 200（均已存在）；全部失败时为各文件的共同状态码，"
                         "不同则为 400。文件数或总大小超限时整体拒绝（400 / 413），不入库任何文件。"
                         "brief=1 时不返回审查结果正文。不像法治政府建设年度报告的文本（过短、通知、新闻等）"
                         "以 422 拒绝并说明原因，force=1 时仍然入库。")
async def upload(request: Request, p: Annotated[Principal, Depends(need("upload"))],
                 brief: bool = Query(False, description="只返回 id 和状态，不含审查结果"),
                 force: bool = Query(False, title="仍然入库", description="不像年度报告的文本也入库")) -> Response:
    from fazhi.web.routes.pages import read_upload

    settings: Settings = request.app.state.settings
    files, _form = await read_upload(request, settings)
    auth.verify_csrf(request, None)
    if not files:
        raise HTTPException(400, "没有收到文件：multipart 字段名应为 files")
    write = request.app.state.WriteSession

    def work() -> list[uploads.UploadResult]:
        return uploads.store_uploads(request.app.state.Session, write, files, user_id=p.id, scope=p.scope,
                                      max_bytes=settings.max_file_bytes, force=force,
                                      reviewer=request.app.state.reviewer, timeout=settings.review_timeout_seconds)

    results = await run_in_threadpool(work)
    body = {"results": [r.to_json(with_review=not brief) for r in results],
            "stored": sum(1 for r in results if r.ok), "failed": sum(1 for r in results if not r.ok)}
    return JSONResponse(body, status_code=uploads.upload_status(results))


@router.get("/reports", response_class=FastJSON, summary="报告列表",
            description="按地区、级别、年度、报告主体、区划代码、审查意见、得分和必备内容状态筛选，可排序，分页。")
def reports(p: ApiUser, s: DB,
            flt: Filter, sort: Sort = None,
            limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=INT_MAX)) -> Response:
    total, items = stored.report_summaries(s, flt, p.scope, limit=limit, offset=offset, sort=sort)
    return FastJSON({"total": total, "limit": limit, "offset": offset, "items": items})


@router.get("/search", response_class=FastJSON, summary="全文搜索",
            description="在报告全文中查找词语（空格分隔的几个词语须同时出现；英文双引号把含空格的内容作为一个词语），"
                        "区分大小写，全角数字字母与半角相同。可与报告列表的各筛选条件、排序和分页同用。每份报告给出出现次数和"
                        "至多 3 段摘要（start/end 为在规范化全文中的位置，marks 为摘要内找到的词语位置）。"
                        "index 为所用全文索引（fts5、pg_trgm；null 表示没有索引，逐份查找，note 说明原因）。")
def search_reports(p: ApiUser, s: DB, flt: Filter,
                   q: str = Query(..., description="要查找的词语", min_length=1, max_length=search.MAX_QUERY_CHARS,
                                 pattern=r'^[^\x00-\x1f\x7f]*[^\s"\x00-\x1f\x7f][^\x00-\x1f\x7f]*$'),
                   sort: Sort = None, limit: int = Query(20, ge=1, le=200),
                   offset: int = Query(0, ge=0, le=INT_MAX)) -> Response:
    try:
        result = search.search(s, q, flt, p.scope, sort=sort, limit=limit, offset=offset)
    except search.QueryError as exc:
        raise HTTPException(400, str(exc)) from None
    return FastJSON(result.to_json())


@router.post("/downloads", summary="批量下载报告", response_class=Response,
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/x-www-form-urlencoded": {"schema": {
                     "type": "object", "required": ["ids"],
                     "properties": {"ids": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": INT_MAX},
                                            "minItems": 1, "maxItems": bundle.MAX_REPORTS, "title": "报告 id",
                                            "description": f"要下载的报告，至多 {bundle.MAX_REPORTS} 份"},
                                    "csrf_token": {"type": "string", "title": "CSRF 令牌",
                                                   "description": "浏览器会话须提供（或用 X-CSRF-Token 头）"}}}}}}},
             description=f"把选中的报告打成一个 zip 下载（边打包边发送）：每份报告一个文件夹，内含审查结果 JSON（含全文）、"
                         f"审查意见书（docx）和原文件（入库时保存了的），另附清单.csv。一次至多 {bundle.MAX_REPORTS} 份；"
                         "有一份不存在或不在您的查看范围内即整体 404。记入审计日志。")
async def reports_bulk(request: Request, p: ApiUser) -> Response:
    form = await request.form(max_files=0, max_fields=bundle.MAX_REPORTS + 8)
    auth.verify_csrf(request, str(form.get("csrf_token") or ""))
    try:
        ids = bundle.parse_ids(str(v) for v in form.getlist("ids"))
    except bundle.BundleError as exc:
        raise HTTPException(400, str(exc)) from None

    def check() -> list[bundle.Planned] | None:
        with request.app.state.Session() as s:
            planned = bundle.plan(s, ids, p.scope)
        if planned is not None:
            with request.app.state.WriteSession.begin() as w:
                audit(w, p.id, "report.bulk_download", "report", None, {"ids": ids[:50], "count": len(ids)})
        return planned

    planned = await run_in_threadpool(check)
    if planned is None:
        raise HTTPException(404, "所选报告中有的不存在，或不在您的查看范围内，未下载")
    name = bundle.zip_name()
    return StreamingResponse(bundle.stream(request.app.state.Session, planned), media_type="application/zip",
                             headers={"Content-Disposition": attachment(name, name)})


@router.get("/reports/{report_id}/original", summary="原文件", response_class=Response,
            description="报告入库时的原文件（逐字节原样，下载前校验 SHA-256）。早于保存原文件的版本入库的报告没有原文件（404，"
                        "重新上传或入库同一文件即可补存）；校验失败时 500，不予下载。")
def report_original(report_id: RowId, p: ApiUser, s: DB) -> Response:
    if stored.report_stamp(s, report_id, p.scope) is None:
        raise HTTPException(404, NOT_VISIBLE)
    try:
        got = originals.read_original(s, report_id)
    except originals.OriginalDamaged as exc:
        raise HTTPException(500, str(exc)) from None
    if got is None:
        raise HTTPException(404, originals.NO_ORIGINAL)
    return Response(got.data, media_type=got.media_type, headers={
        "Content-Disposition": attachment(got.download_name, f"report-{report_id}.{got.extension}")})


@router.get("/reports/{report_id}", response_class=FastJSON, summary="审查结果", description="fazhi.review/1 审查结果（加 id）；with_text=1 时含规范化全文。")
def report(request: Request, report_id: RowId, p: ApiUser, s: DB,
           with_text: bool = Query(False, description="包含偏移量所指的规范化全文")) -> Response:
    body = stored.report_doc_bytes(s, report_id, p.scope, request.app.state.caches.docs, with_text=with_text)
    if body is None:
        raise HTTPException(404, "报告不存在，或不在您的查看范围内")
    return Response(body, media_type="application/json")


@router.get("/reports/{report_id}/facts", response_class=FastJSON, summary="指标数据", description="报告中的指标数据（含原文证据）。")
def report_facts(report_id: RowId, p: ApiUser, s: DB) -> Response:
    r = _report(s, report_id, p)
    return FastJSON({"id": r.id, "facts": (r.review or {}).get("facts") or [],
                     "quantities": (r.review or {}).get("quantities") or []})


@router.get("/reports/{report_id}/findings", response_class=FastJSON, summary="审查意见", description="审查意见（规则、级别、说明、证据）。")
def report_findings(report_id: RowId, p: ApiUser, s: DB) -> Response:
    r = _report(s, report_id, p)
    return FastJSON({"id": r.id, "findings": (r.review or {}).get("findings") or [],
                     "score": (r.review or {}).get("score")})


@router.get("/reports/{report_id}/parts", response_class=FastJSON, summary="必备内容", description="四项必备内容的状态（单列/散见/缺失）及依据。")
def report_parts(report_id: RowId, p: ApiUser, s: DB) -> Response:
    r = _report(s, report_id, p)
    return FastJSON({"id": r.id, "parts": (r.review or {}).get("parts") or {}})


@router.delete("/reports/{report_id}", status_code=204, summary="删除报告",
               description="删除一份报告及其指标、意见等数据（审核员及以上；记入审计日志）。")
def report_delete(request: Request, report_id: RowId, p: Annotated[Principal, Depends(need("delete"))]) -> Response:
    auth.verify_csrf(request, None)
    with request.app.state.WriteSession.begin() as w:
        ok = stored.delete_report(w, report_id, p.scope, user_id=p.id)
    if not ok:
        raise HTTPException(404, "报告不存在，或不在您的查看范围内")
    return Response(status_code=204)


@router.get("/reports/{report_id}/similar", summary="相似报告",
            description="与该报告最相似的报告（在您的地区范围内）及共有段落。相似度模块不可用时返回 501；"
                        "相似度索引首次建立时返回 503（Retry-After）。")
def report_similar(request: Request, report_id: RowId, p: ApiUser, s: DB,
                   k: int = Query(5, ge=1, le=20)) -> dict[str, Any]:
    out = similar_reports.similar_reports(s, report_id, p.scope, request.app.state.similar, k=k)
    if out is None:
        raise HTTPException(404, "报告不存在，或不在您的查看范围内")
    return {"id": report_id, "similar": out}


@router.get("/similar/pairs", summary="最相似的报告对",
            description="范围内最相似的报告对（近似重复）及共有段落。相似度模块不可用时返回 501。")
def similar_pairs(request: Request, p: ApiUser, s: DB,
                  limit: int = Query(10, ge=1, le=50)) -> dict[str, Any]:
    return {"pairs": similar_reports.similar_pairs(s, p.scope, request.app.state.similar, limit=limit)}


# =========================================================================== units
@router.get("/units/{issuer_id}", response_class=FastJSON, summary="单位历年情况",
            description="一个报告单位（按报告识别的报告主体）历年的报告，及各项核心指标逐年的数值和原文语句"
                        "（同一年有多份报告时取最后入库的一份；与该指标常用单位不同的数值 comparable 为 false）。")
def unit(issuer_id: RowId, p: ApiUser, s: DB) -> Response:
    got = unit_history.unit_history(s, issuer_id, p.scope, knowledge=stored.in_effect(s))
    if got is None:
        raise HTTPException(404, "单位不存在，或不在您的查看范围内")
    return FastJSON(got.to_json())


# =========================================================================== compare and export
def _indicators(indicators: str | None) -> list[str] | None:
    return [i.strip() for i in indicators.split(",") if i.strip()] if indicators else None


Indicators = Annotated[str | None, Query(description="指标 id，逗号分隔（默认：有数据的全部指标）")]
Core = Annotated[bool, Query(description="只含 18 项核心指标")]


@router.get("/compare", response_class=FastJSON, summary="指标对比表", description="单位 × 指标的对比表（同比变化、排名、百分位、原文证据）。")
def compare(p: ApiUser, s: DB,
            flt: Filter, indicators: Indicators = None,
            core: Core = False) -> Response:
    return FastJSON(stored.compare_table(s, flt, p.scope, indicators=_indicators(indicators),
                                           core_only=core).to_json())


def _export(request: Request, fmt: str, p: Principal, flt: ReportFilter, indicators: str | None, core: bool,
            long: bool = False) -> Response:
    where = {k: v for k, v in request.query_params.items() if k in ("region", "level", "year", "issuer", "code",
                                                                     "indicators", "core", "long")}
    state = request.app.state
    out, fname, _rows = stored.export_compare(state.Session, state.WriteSession, flt, p.scope, fmt,
                                              indicators=_indicators(indicators), core_only=core, long=long,
                                              user_id=p.id, where=where)

    def chunks() -> Any:  # streamed from the temporary file, closed (and removed) at the end
        try:
            while block := out.read(256 * 1024):
                yield block
        finally:
            out.close()

    return StreamingResponse(chunks(), media_type=stored.EXPORT_TYPES[fmt],
                             headers={"Content-Disposition": f'attachment; filename="{fname}"'})


@router.get("/compare.xlsx", summary="导出对比表（Excel）",
            description="与 `fazhi compare --xlsx` 相同的工作簿：指标数据、指标明细、审查意见、必备内容四个工作表。",
            response_class=Response)
def compare_xlsx(request: Request, p: Annotated[Principal, Depends(need("export"))], flt: Filter,
                 indicators: Indicators = None, core: Core = False) -> Response:
    return _export(request, "xlsx", p, flt, indicators, core)


@router.get("/compare.csv", summary="导出对比表（CSV）", description="与 `fazhi compare --csv` 相同（UTF-8 带 BOM）；long=1 为逐值明细。",
            response_class=Response)
def compare_csv(request: Request, p: Annotated[Principal, Depends(need("export"))], flt: Filter,
                indicators: Indicators = None, core: Core = False,
                long: bool = Query(False, description="每行一个数值（含证据、同比、排名）")) -> Response:
    return _export(request, "csv", p, flt, indicators, core, long)


__all__ = ["router"]
