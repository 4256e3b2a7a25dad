"""The REST API under ``/api`` (OpenAPI at ``/api/openapi.json``, reference at ``/api/docs``).

Authentication: the browser session cookie (writes also need the
``X-CSRF-Token`` header with the session's token, which pages carry in
``<meta name="csrf-token">``), or an API token: ``Authorization: Bearer
fz_…``.  Roles: every GET needs a signed-in user (查看 and up); upload and
delete need 审核员 or 管理员, as do the xlsx/csv exports.  A user with a region
scope sees only the reports of that region: any other report is 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from fazhi.config import Settings
from fazhi.corpus import reports as stored
from fazhi.corpus import similar_reports, uploads
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
Code = Annotated[str | None, Query(description="行政区划代码前缀：4108 = 焦作市")]


def report_filter(region: Region = None, level: Level = None, year: Year = None, issuer: IssuerQ = None,
                  code: Code = None) -> ReportFilter:
    try:
        return stored.filter_from_query({"region": region, "level": level, "year": year, "issuer": issuer,
                                           "code": code})
    except ValueError as exc:
        raise HTTPException(400, f"筛选条件有误：{exc}") from None


Filter = Annotated[ReportFilter, Depends(report_filter)]


def _report(s: Session, report_id: int, p: Principal) -> Any:
    report = stored.get_report(s, report_id, p.scope)
    if report is None:
        raise HTTPException(404, "报告不存在，或不在您的查看范围内")
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
                         "brief=1 时不返回审查结果正文。")
async def upload(request: Request, p: Annotated[Principal, Depends(need("upload"))],
                 brief: bool = Query(False, description="只返回 id 和状态，不含审查结果")) -> Response:
    from fazhi.web.routes.pages import read_upload

    settings: Settings = request.app.state.settings
    files, _form = await read_upload(request, settings)
    auth.verify_csrf(request, None)
    if not files:
        raise HTTPException(400, "没有收到文件：multipart 字段名应为 files")
    write = request.app.state.WriteSession

    def work() -> list[uploads.UploadResult]:
        return uploads.store_uploads(request.app.state.Session, write, files, user_id=p.id, scope=p.scope,
                                      max_bytes=settings.max_file_bytes,
                                      reviewer=request.app.state.reviewer, timeout=settings.review_timeout_seconds)

    results = await run_in_threadpool(work)
    body = {"results": [r.to_json(with_review=not brief) for r in results],
            "stored": sum(1 for r in results if r.ok), "failed": sum(1 for r in results if not r.ok)}
    return JSONResponse(body, status_code=uploads.upload_status(results))


@router.get("/reports", response_class=FastJSON, summary="报告列表", description="按地区、级别、年度、报告主体、区划代码筛选，分页。")
def reports(p: ApiUser, s: DB,
            flt: Filter,
            limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=INT_MAX)) -> Response:
    total, items = stored.report_summaries(s, flt, p.scope, limit=limit, offset=offset)
    return FastJSON({"total": total, "limit": limit, "offset": offset, "items": items})


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
    data, fname, _rows = stored.export_compare(state.Session, state.WriteSession, flt, p.scope, fmt,
                                               indicators=_indicators(indicators), core_only=core, long=long,
                                               user_id=p.id, where=where)
    return Response(data, media_type=stored.EXPORT_TYPES[fmt],
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
