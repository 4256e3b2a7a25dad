"""The pages: 登录, 报告库/看板, 搜索, 上传, 审查结果, 相似报告, 单位历年情况, 对比, 账户, 用户管理, 审计日志, API 文档.

Server-rendered (Jinja2, autoescape on); every page works without
JavaScript, and ``static/app.js`` / ``static/dashboard.js`` add drag and drop
uploads with progress, in-place highlighting and the charts.  Every POST
checks the session's CSRF token (form field ``csrf_token``).
"""

from __future__ import annotations

import datetime as dt
import math
from functools import cache
from itertools import pairwise
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from fazhi._version import __version__
from fazhi.accounts import audit as audit_log
from fazhi.accounts import passwords, roles
from fazhi.accounts import service as accounts
from fazhi.accounts.models import Credential
from fazhi.accounts.roles import Actor
from fazhi.config import CHINA as BEIJING
from fazhi.config import Settings
from fazhi.corpus import bundle, search, similar_reports, unit_history, uploads
from fazhi.corpus import dashboard as charts
from fazhi.corpus import reports as stored
from fazhi.corpus.service import REGION_FIELDS, ReportFilter
from fazhi.review.model import REQUIRED_PARTS
from fazhi.units.identity import LEVEL_LABEL
from fazhi.web import auth, deps, labels
from fazhi.web.auth import Principal
from fazhi.web.deps import DB, PageUser, RowId

router = APIRouter(include_in_schema=False)

STATUS_MARK = {"dedicated": "✓", "embedded": "△", "missing": "✗"}
STATUS_LABEL = {"dedicated": "单列", "embedded": "散见", "missing": "缺失"}
SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
LEVELS = ("province", "city", "county", "township", "street", "department")
AUDIT_LABEL = {"report.upload": "上传报告", "report.upload_refused": "上传被拒", "report.delete": "删除报告",
               "report.refresh": "重新审查", "report.bulk_download": "批量下载报告", "compare.export": "导出对比表",
               "user.login": "登录",
               "user.login_failed": "登录失败（按来源地址汇总）", "user.login_blocked": "登录受限（频繁失败）", "user.logout": "退出",
               "user.create": "新建用户", "user.update": "修改用户", "user.password": "修改密码",
               "token.create": "创建 API 令牌", "token.revoke": "撤销 API 令牌",
               "knowledge.add": "上传规则/指标版本", "knowledge.activate": "启用规则/指标版本",
               "knowledge.deactivate": "恢复内置规则/指标", "knowledge.refresh": "按当前规则与指标重新审查",
               **labels.SUPERVISION_AUDIT_LABEL, **labels.REPORT_CYCLE_ACTIONS}


# =========================================================================== templates
def _fmt_value(value: Any, unit: str | None = None, approx: bool = False) -> str:
    if value is None:
        return ""
    v = float(value)
    s = f"{int(v):,}" if v.is_integer() else f"{v:,.4g}"
    return f"{'约' if approx else ''}{s}{unit or ''}"


def _when(t: dt.datetime | str | None) -> str:
    if not t:
        return ""
    if isinstance(t, str):
        t = dt.datetime.fromisoformat(t)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _part_label(name: str, short: bool = False) -> str:
    from fazhi.review.render import part_label

    try:
        return part_label(name, short=short)
    except Exception:
        return name


@cache
def env() -> Any:
    import jinja2

    e = jinja2.Environment(loader=jinja2.PackageLoader("fazhi.web", "templates"),
                           autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
                           trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                           auto_reload=False)  # templates ship with the package: no stat per render
    e.globals.update(version=__version__, ROLE_LABEL=roles.ROLE_LABEL, LEVEL_LABEL=LEVEL_LABEL, LEVELS=LEVELS,
                     STATUS_MARK=STATUS_MARK, STATUS_LABEL=STATUS_LABEL, SEVERITY_LABEL=SEVERITY_LABEL,
                     AUDIT_LABEL=AUDIT_LABEL, part_label=_part_label, REQUIRED_PARTS=REQUIRED_PARTS,
                     PASSWORD_RULE=passwords.POLICY_TEXT, MIN_PASSWORD=passwords.MIN_PASSWORD,
                     SORT_LABEL=SORT_LABEL, MAX_BULK=bundle.MAX_REPORTS)
    e.globals.update(labels.TEMPLATE_GLOBALS)
    e.filters.update(value=_fmt_value, when=_when)
    return e


def render(request: Request, name: str, *, status: int = 200, headers: dict[str, str] | None = None,
           **ctx: Any) -> HTMLResponse:
    me: Principal | None = request.scope.get("fazhi_principal")
    ctx.setdefault("page", name.removesuffix(".html.j2"))
    ctx.setdefault("title", "")
    html = env().get_template(name).render(request=request, me=me, csrf=auth.csrf_token(request) or "", **ctx)
    return HTMLResponse(html, status_code=status, headers=headers)


def error_page(request: Request, status: int, message: str, *, headers: dict[str, str] | None = None) -> HTMLResponse:
    try:
        if "fazhi_principal" not in request.scope:
            auth.principal(request)
    except HTTPException:
        request.scope["fazhi_principal"] = None
    except Exception:  # the error page must render whatever went wrong
        request.scope["fazhi_principal"] = None
    return render(request, "error.html.j2", status=status, headers=headers, code=status, message=message,
                  title=f"{status}")


# =========================================================================== dependencies
need = deps.need  # the pages' role check: anonymous → the login form, a role that may not → 403


def _settings(request: Request) -> Settings:
    return request.app.state.settings


#: the filters of the report lists (报告库, 搜索), as query parameters
LIST_FILTERS = ("region", "level", "year", "issuer", "rule", "score_min", "score_max", *REQUIRED_PARTS)
#: the sortable columns of the report lists (keys of fazhi.corpus.reports.SORTS)
SORT_LABEL = {"title": "标题", "issuer": "报告主体", "year": "年度", "date": "落款日期", "score": "得分",
              "created": "入库时间"}


def _filter(params: dict[str, str | None]) -> tuple[ReportFilter, str | None]:
    try:
        return stored.filter_from_query(params), None
    except ValueError as exc:
        return ReportFilter(ids=[]), f"筛选条件有误：{exc}"


def _list_query(request: Request) -> dict[str, str | None]:
    """The list filters and the sort of a report list page, as given (``sort`` only when it is one)."""
    q: dict[str, str | None] = {k: (request.query_params.get(k) or "").strip()[:100] or None for k in LIST_FILTERS}
    sort = request.query_params.get("sort") or ""
    q["sort"] = sort if sort.removeprefix("-") in stored.SORTS else None
    return q


def _rule_choices(s: Session) -> list[tuple[str, str]]:
    """(rule id, what a clerk reads) of the rules in effect, for the finding filter."""
    rules = stored.in_effect(s)["rules"].get("rules") or []
    return [(r["id"], labels.rule_label(r.get("message") or r["id"])) for r in rules]


def _query(**kw: Any) -> str:
    return urlencode({k: v for k, v in kw.items() if v not in (None, "", False)})


# =========================================================================== login
@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    if auth.principal(request) is not None:
        return RedirectResponse(auth.safe_next(next), status_code=303)
    with request.app.state.Session() as s:
        first = not accounts.has_users(s)
    cookie = Response()
    auth.ensure_anonymous_session(request, cookie)  # the login form is CSRF-protected too
    resp = render(request, "login.html.j2", next=auth.safe_next(next), error=None, first_run=first, username="",
                  title="登录")
    for value in cookie.headers.getlist("set-cookie"):
        resp.headers.append("set-cookie", value)
    return resp


@router.post("/login")
async def login_post(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/"),
                     csrf_token: str = Form("")) -> Response:
    """Sign in: the attempt is reserved (and counted) before the password is checked, the check runs
    under the app's limit of password checks at once (see :mod:`fazhi.web.auth`)."""
    auth.verify_csrf(request, csrf_token)
    state = request.app.state
    settings: Settings = state.settings
    ip = auth.client_ip(request)
    name = username.strip()[:128]

    def login_form(status: int, error: str, headers: dict[str, str] | None = None) -> HTMLResponse:
        return render(request, "login.html.j2", status=status, headers=headers, next=auth.safe_next(next),
                      error=error, first_run=False, username=name, title="登录")

    def write(fn: Any, *args: Any) -> Any:
        with state.WriteSession.begin() as w:
            return fn(w, *args)

    attempt = await run_in_threadpool(write, auth.start_attempt, name, ip, settings)
    if attempt is None:
        minutes = math.ceil(settings.login_window_seconds / 60)
        return login_form(429, f"登录失败次数过多，请 {minutes} 分钟后再试",
                          {"Retry-After": str(settings.login_window_seconds)})
    try:
        signed_in = await auth.password_check(request, auth.check_password, state.Session, name, password, settings)
    except HTTPException:  # too busy: the password was not checked, the attempt does not count
        await run_in_threadpool(write, auth.attempt_dropped, attempt)
        raise
    if signed_in is None:
        await run_in_threadpool(write, auth.attempt_failed, attempt, settings)
        return login_form(401, "用户名或密码错误")
    await run_in_threadpool(write, auth.attempt_succeeded, attempt, signed_in)
    resp = RedirectResponse(auth.safe_next(next), status_code=303)
    auth.set_session(request, resp, signed_in.user_id, signed_in.session_version)
    return resp


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    p = auth.principal(request)
    if p is not None and p.via == "session":
        with request.app.state.WriteSession.begin() as w:
            c = w.get(Credential, p.id)
            if c is not None:
                c.session_version += 1  # the cookie (and any copy of it) stops working
            audit_log.audit(w, p.id, "user.logout", "user", p.id, {"ip": auth.client_ip(request)})
    resp = RedirectResponse("/login", status_code=303)
    auth.clear_session(request, resp)
    return resp


# =========================================================================== dashboard
@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, p: PageUser, s: DB,
              ind: str | None = None, page: int = Query(1, ge=1, le=100000)) -> Response:
    if p.role == "unit":
        return RedirectResponse("/my/tasks", status_code=303)  # a unit user's home: its tasks
    q = _list_query(request)
    flt, error = _filter({k: q[k] for k in LIST_FILTERS})
    size = _settings(request).page_size
    data = charts.dashboard_cached(s, flt, p.scope, indicator=ind,
                                     key=tuple(q[k] for k in LIST_FILTERS) if error is None else ("error",))
    total, reports = stored.report_summaries(s, flt, p.scope, limit=size, offset=(page - 1) * size, sort=q["sort"])
    pages = max(1, math.ceil(total / size))
    vendor = request.app.state.vendor.get() or {}
    filters = {k: q[k] for k in LIST_FILTERS}
    return render(request, "dashboard.html.j2", title="报告库", data=data, plotly=bool(vendor),
                  plotly_css=bool(vendor.get("css")), plotly_style_ids=vendor.get("style_ids") or [], reports=reports, total=total, page=page,
                  pages=pages, q=q, ind=data["distribution"]["indicator"], error=error, rules=_rule_choices(s),
                  qs=lambda **kw: _query(**{**q, "ind": ind, **kw}), pairs_src="/api/similar/pairs?" + _query(**filters))


# =========================================================================== search
@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, p: PageUser, s: DB, q: str = "",
                page: int = Query(1, ge=1, le=100000)) -> Response:
    params = _list_query(request)
    flt, error = _filter({k: params[k] for k in LIST_FILTERS})
    size = _settings(request).page_size
    result = None
    if q.strip() and error is None:
        try:
            result = search.search(s, q, flt, p.scope, sort=params["sort"], limit=size, offset=(page - 1) * size)
        except search.QueryError as exc:
            error = str(exc)
    pages = max(1, math.ceil(result.total / size)) if result else 1
    return render(request, "search.html.j2", title="搜索", query=q, result=result, q=params, error=error,
                  rules=_rule_choices(s), page=page, pages=pages,
                  hits={h.report["id"]: h for h in result.hits} if result else {},
                  qs=lambda **kw: _query(**{**params, "q": q, **kw}))


# =========================================================================== review page
def _segments(text: str, marks: list[tuple[int, int]], numbers: list[tuple[int, int]], anchors: set[int],
              hl: tuple[int, int] | None) -> list[dict[str, Any]]:
    """The text cut at every boundary of a highlightable span (facts, parts' and findings' evidence,
    figures) and at outline headings: ``{s, e, text, num, hl, anchor}`` per piece."""
    n = len(text)
    cuts = {0, n}
    for s, e in (*marks, *numbers):
        if 0 <= s < e <= n:
            cuts.update((s, e))
    cuts.update(a for a in anchors if 0 <= a <= n)
    if hl is not None:
        cuts.update(x for x in hl if 0 <= x <= n)
    bounds = sorted(cuts)
    opens: dict[int, int] = {}
    for s, e in numbers:
        if 0 <= s < e <= n:
            opens[s] = opens.get(s, 0) + 1
            opens[e] = opens.get(e, 0) - 1
    depth = 0
    out = []
    for a, b in pairwise(bounds):
        depth += opens.get(a, 0)
        if a == b:
            continue
        out.append({"s": a, "e": b, "text": text[a:b], "num": depth > 0,
                    "hl": hl is not None and hl[0] <= a and b <= hl[1], "anchor": a in anchors})
    return out


def text_html(segments: list[dict[str, Any]], hl: tuple[int, int] | None) -> Markup:
    """The text panel's spans (built here rather than in the template: a long report has thousands)."""
    out = []
    for sg in segments:
        if hl is not None and sg["s"] == hl[0]:
            out.append('<span id="hl"></span>')
        cls = "seg" + (" num" if sg["num"] else "") + (" hl" if sg["hl"] else "")
        anchor = f' id="at-{sg["s"]}"' if sg["anchor"] else ""
        out.append(f'<span class="{cls}" data-s="{sg["s"]}" data-e="{sg["e"]}"{anchor}>{escape(sg["text"])}</span>')
    return Markup("".join(out))


def quantities_html(quantities: list[dict[str, Any]]) -> Markup:
    return Markup("、".join(
        f'<a class="quantity-link" href="?hl={int(q["start"])}-{int(q["end"])}#hl" data-start="{int(q["start"])}" '
        f'data-end="{int(q["end"])}">{escape(q.get("text") or "")}</a>' for q in quantities))


def _headings(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for nd in nodes or []:
        if nd.get("kind", "heading") != "heading":
            continue
        out.append({"level": nd.get("level"), "marker": nd.get("marker") or "", "title": nd.get("title") or "",
                    "start": nd.get("start", 0), "children": _headings(nd.get("children") or [])})
    return out


def _anchors(nodes: list[dict[str, Any]], acc: set[int]) -> set[int]:
    for nd in nodes:
        acc.add(int(nd["start"]))
        _anchors(nd["children"], acc)
    return acc


def _parse_hl(hl: str | None, n: int) -> tuple[int, int] | None:
    if not hl:
        return None
    a, sep, b = hl.partition("-")
    if not sep or not a.isdigit() or not b.isdigit():
        return None
    s, e = int(a), int(b)
    return (s, e) if 0 <= s < e <= n else None


SPLIT = "<!--fazhi:split-->"


def _review_body(report_id: int, doc: dict[str, Any], text: str, hl: str | None) -> tuple[Markup, Markup, Markup]:
    """The outline, the panels and the text of a review page (the same for every user)."""
    facts = sorted(doc.get("facts") or [], key=lambda f: (f.get("start", 0), f.get("end", 0)))
    parts = doc.get("parts") or {}
    findings = doc.get("findings") or []
    quantities = doc.get("quantities") or []
    marks = [(f["start"], f["end"]) for f in facts]
    marks += [(pt["evidence"]["start"], pt["evidence"]["end"]) for pt in parts.values()
              if pt and pt.get("evidence")]
    marks += [(ev["start"], ev["end"]) for fd in findings for ev in fd.get("evidence") or []]
    numbers = [(q["start"], q["end"]) for q in quantities]
    outline = _headings(doc.get("outline") or [])
    span = _parse_hl(hl, len(text))
    segments = _segments(text, marks, numbers, _anchors(outline, set()), span)
    html = env().get_template("_report_body.html.j2").render(
        report_id=report_id, facts=facts, parts=parts, findings=findings, quantities=quantities, outline=outline,
        text_html=text_html(segments, span), quantities_html=quantities_html(quantities), hl=span,
        score=doc.get("score") or {}, split=Markup(SPLIT))
    a, b, c = html.split(SPLIT)
    return Markup(a), Markup(b), Markup(c)


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(request: Request, report_id: RowId, p: PageUser, s: DB,
                hl: str | None = None) -> Response:
    head = stored.report_head(s, report_id, p.scope)
    if head is None:
        raise HTTPException(404, "报告不存在，或不在您的查看范围内")
    hl = hl if hl and len(hl) <= 24 else None

    def make() -> tuple[Markup, Markup, Markup]:
        doc, text = stored.report_body(s, report_id)
        return _review_body(report_id, doc, text or "", hl)

    # rendered once per stored review and highlight, then reused (fazhi.web.cache)
    outline, panels, text = request.app.state.caches.bodies.get_or_make(("body", stored.stamp(head), hl or ""), make)
    region = "".join(getattr(head, k) or "" for k in REGION_FIELDS)
    return render(request, "report.html.j2", title=head.title or "审查结果", report=head,
                  body_outline=outline, body_panels=panels, body_text=text, region=region,
                  issuer_name=head.issuer_name or "（未识别）", level=LEVEL_LABEL.get(head.level or "", ""))


@router.get("/units/{issuer_id}", response_class=HTMLResponse)
def unit_page(request: Request, issuer_id: RowId, p: PageUser, s: DB) -> Response:
    history = unit_history.unit_history(s, issuer_id, p.scope, knowledge=stored.in_effect(s))
    if history is None:
        raise HTTPException(404, "单位不存在，或不在您的查看范围内")
    vendor = request.app.state.vendor.get() or {}
    return render(request, "unit.html.j2", title=history.name, unit=history, data=history.to_json(),
                  level=LEVEL_LABEL.get(history.level or "", ""), plotly=bool(vendor),
                  plotly_css=bool(vendor.get("css")), plotly_style_ids=vendor.get("style_ids") or [])


@router.post("/reports/{report_id}/delete")
def report_delete(request: Request, report_id: RowId, p: Annotated[Principal, Depends(need("delete"))],
                  csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    with request.app.state.WriteSession.begin() as w:
        ok = stored.delete_report(w, report_id, p.scope, user_id=p.id)
    if not ok:
        raise HTTPException(404, "报告不存在，或不在您的查看范围内")
    return RedirectResponse("/?deleted=" + str(report_id), status_code=303)


@router.get("/reports/{report_id}/similar", response_class=HTMLResponse)
def report_similar(request: Request, report_id: RowId, p: PageUser,
                   s: DB) -> Response:
    report = stored.report_head(s, report_id, p.scope)
    if report is None:
        raise HTTPException(404, "报告不存在，或不在您的查看范围内")
    matches = similar_reports.similar_reports(s, report_id, p.scope, request.app.state.similar)
    return render(request, "similar.html.j2", title="相似报告", report=report, matches=matches or [])


@router.get("/similar", response_class=HTMLResponse)
def pairs_page(request: Request, p: PageUser, s: DB) -> Response:
    pairs = similar_reports.similar_pairs(s, p.scope, request.app.state.similar)
    return render(request, "pairs.html.j2", title="相似报告对", pairs=pairs)


# =========================================================================== upload
@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, p: Annotated[Principal, Depends(need("upload"))]) -> Response:
    st = _settings(request)
    return render(request, "upload.html.j2", title="上传报告", max_file=st.max_file_bytes,
                  max_request=st.max_request_bytes, max_files=st.max_files)


async def read_upload(request: Request, settings: Settings) -> tuple[list[tuple[str, bytes]], Any]:
    """The files of a multipart upload (at most ``max_files``), and the form; 400 with a clear message."""
    from starlette.exceptions import HTTPException as StarletteHTTPException
    from starlette.formparsers import MultiPartException

    try:
        form = await request.form(max_files=settings.max_files, max_fields=32, max_part_size=64 * 1024)
    except (StarletteHTTPException, MultiPartException) as exc:
        msg = str(getattr(exc, "detail", None) or getattr(exc, "message", "") or exc)
        if "Too many files" in msg:
            raise HTTPException(400, f"文件过多：一次最多上传 {settings.max_files} 个文件") from None
        raise HTTPException(400, f"上传内容无法解析（{msg}）") from None
    files = []
    for key, value in form.multi_items():
        if key in ("files", "file") and not isinstance(value, str):
            # never more than the file limit and one byte: a larger file is refused without being read whole
            files.append((value.filename or "", await value.read(settings.max_file_bytes + 1)))
            await value.close()
    return files, form


@router.post("/upload", response_class=HTMLResponse)
async def upload_post(request: Request, p: Annotated[Principal, Depends(need("upload"))]) -> Response:
    settings: Settings = request.app.state.settings
    files, form = await read_upload(request, settings)
    auth.verify_csrf(request, form.get("csrf_token"))
    if not files or all(not name and not data for name, data in files):
        raise HTTPException(400, "没有收到文件：请选择要上传的报告")
    write = request.app.state.WriteSession
    force = form.get("force") in ("1", "on", "true")

    def work() -> list[uploads.UploadResult]:
        return uploads.store_uploads(request.app.state.Session, write, files, user_id=p.id, scope=p.scope,
                                      max_bytes=settings.max_file_bytes, force=force,
                                      reviewer=request.app.state.reviewer, timeout=settings.review_timeout_seconds)

    results = await run_in_threadpool(work)
    return render(request, "upload_result.html.j2", status=uploads.upload_status(results), title="上传结果",
                  results=results)


# =========================================================================== compare
@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, p: PageUser, s: DB,
                 region: str | None = None, level: str | None = None, year: str | None = None,
                 issuer: str | None = None, all: bool = False) -> Response:
    flt, error = _filter({"region": region, "level": level, "year": year, "issuer": issuer})
    table = stored.compare_table(s, flt, p.scope, core_only=not all)
    q = {"region": region, "level": level, "year": year, "issuer": issuer}
    export_q = _query(**q, core=None if all else 1)
    limit = 500
    return render(request, "compare.html.j2", title="对比", table=table, rows=table.rows[:limit],
                  truncated=len(table.rows) > limit, q=q, all=all, error=error, export_q=export_q,
                  toggle_q=_query(**q, all=None if all else 1))


# =========================================================================== account
def _account(request: Request, p: Principal, s: Session, **ctx: Any) -> HTMLResponse:
    tokens = accounts.list_tokens(s, p.id)
    ctx.setdefault("new_token", None)
    ctx.setdefault("message", None)
    ctx.setdefault("error", None)
    return render(request, "account.html.j2", title="我的账户", tokens=tokens, now=dt.datetime.now(dt.UTC),
                  token_days=_settings(request).token_days, **ctx)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, p: PageUser, s: DB) -> Response:
    return _account(request, p, s)


def token_days(days: str, default: float) -> float:
    """The lifetime a token form asked for (empty: the default); 400 for anything else."""
    try:
        value = float(days) if days.strip() else default
    except ValueError:
        value = -1
    if not 0 < value <= accounts.MAX_TOKEN_DAYS:
        raise HTTPException(400, f"有效期须为 1–{accounts.MAX_TOKEN_DAYS} 天，或留空（{default:g} 天）")
    return value


@router.post("/account/tokens", response_class=HTMLResponse)
def token_create(request: Request, p: PageUser, name: str = Form(""),
                 days: str = Form(""), csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    expires = token_days(days, _settings(request).token_days)
    with request.app.state.WriteSession.begin() as w:
        _row, tok = accounts.create_token(w, p.id, name, expires_days=expires, actor=Actor.of(p))
    with request.app.state.Session() as s:
        return _account(request, p, s, new_token=tok, message="已创建 API 令牌：请立即复制保存，它只显示这一次")


def _revoke(request: Request, p: Principal, token_id: int) -> None:
    with request.app.state.WriteSession.begin() as w:
        ok = accounts.revoke_token(w, token_id, actor=Actor.of(p))
    if not ok:
        raise HTTPException(404, "没有这个令牌，或它已撤销")


@router.post("/account/tokens/{token_id}/revoke")
def token_revoke(request: Request, token_id: RowId, p: PageUser, csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    _revoke(request, p, token_id)
    return RedirectResponse("/account", status_code=303)


@router.post("/account/password", response_class=HTMLResponse)
async def password_change(request: Request, p: PageUser, current: str = Form(""),
                          new: str = Form(""), confirm: str = Form(""), csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    state = request.app.state

    def check() -> Any:
        with state.Session() as s:
            return auth.authenticate(s, p.name, current, state.settings)[0]

    if await auth.password_check(request, check) is None:
        with state.Session() as s:
            return _account(request, p, s, error="当前密码不正确")
    if new != confirm:
        with state.Session() as s:
            return _account(request, p, s, error="两次输入的新密码不一致")

    def change() -> int:
        with state.WriteSession.begin() as w:
            accounts.set_password(w, p.id, new, state.settings, actor=Actor.of(p))
            c = w.get(Credential, p.id)
            return c.session_version if c else 0

    try:
        version = await auth.password_check(request, change)
    except accounts.AccountError as exc:
        with state.Session() as s:
            return _account(request, p, s, error=str(exc))
    resp = RedirectResponse("/account?changed=1", status_code=303)
    auth.set_session(request, resp, p.id, version)  # this session goes on, the others end
    return resp


# =========================================================================== admin
Manager = Annotated[Principal, Depends(need("manage_users"))]


def _users_page(request: Request, p: Principal, s: Session, *, status: int = 200, error: str | None = None,
                message: str | None = None) -> HTMLResponse:
    actor = Actor.of(p)
    return render(request, "admin_users.html.j2", status=status, title="用户管理",
                  users=accounts.list_users(s, actor), tokens=accounts.managed_tokens(s, actor),
                  roles_list=[r for r in roles.ROLES if actor.grants(r)], error=error, message=message)


def _users_change(request: Request, p: Principal, change: Any, done: str) -> Response:
    """Make an account change in one transaction; back to 用户管理 (or the page with the refusal)."""
    state = request.app.state
    try:
        with state.WriteSession.begin() as w:
            change(w, Actor.of(p))
    except accounts.AccountError as exc:
        if exc.status == 404:
            raise HTTPException(404, str(exc)) from None
        with state.Session() as s:
            return _users_page(request, p, s, status=exc.status, error=str(exc))
    return RedirectResponse(done, status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
def admin_users(request: Request, p: Manager, s: DB) -> Response:
    return _users_page(request, p, s, message=USERS_DONE.get(request.query_params.get("done") or ""))


USERS_DONE = {"password": "密码已重置，该用户需重新登录", "revoked": "已撤销该 API 令牌"}


@router.post("/admin/users", response_class=HTMLResponse)
def admin_user_add(request: Request, p: Manager, name: str = Form(""), role: str = Form("viewer"),
                   region: str = Form(""), password: str = Form(""), csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    settings = _settings(request)
    return _users_change(request, p, lambda w, actor: accounts.create_user(
        w, name, role, password, settings, region=region or None, actor=actor),
        "/admin/users?" + _query(created=name.strip()))


@router.post("/admin/users/{user_id}", response_class=HTMLResponse)
def admin_user_update(request: Request, user_id: RowId, p: Manager, role: str = Form(...), region: str = Form(""),
                      active: str = Form(""), csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    return _users_change(request, p, lambda w, actor: accounts.update_user(
        w, user_id, role=role, region=region or None, set_region=True, active=active in ("1", "on", "true"),
        actor=actor), "/admin/users")


@router.post("/admin/users/{user_id}/password", response_class=HTMLResponse)
def admin_user_password(request: Request, user_id: RowId, p: Manager, password: str = Form(""),
                        csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    settings = _settings(request)
    return _users_change(request, p, lambda w, actor: accounts.set_password(
        w, user_id, password, settings, actor=actor), "/admin/users?done=password")


@router.post("/admin/tokens/{token_id}/revoke")
def admin_token_revoke(request: Request, token_id: RowId, p: Manager, csrf_token: str = Form("")) -> Response:
    """Revoke an API token of an account the administrator manages (用户管理 lists them)."""
    auth.verify_csrf(request, csrf_token)
    _revoke(request, p, token_id)
    return RedirectResponse("/admin/users?done=revoked#tokens", status_code=303)


@router.get("/admin/audit", response_class=HTMLResponse)
def admin_audit(request: Request, p: Annotated[Principal, Depends(need("audit"))], s: DB,
                action: str | None = None, user: str | None = None,
                page: int = Query(1, ge=1, le=100000)) -> Response:
    size = 100
    total, events = audit_log.list_audit(s, Actor.of(p), action=action, user=user, limit=size,
                                         offset=(page - 1) * size, rules=stored.audit_rules())
    return render(request, "admin_audit.html.j2", title="审计日志", events=events, total=total, page=page,
                  pages=max(1, math.ceil(total / size)), q={"action": action, "user": user},
                  qs=lambda **kw: _query(action=action, user=user, **kw))


# =========================================================================== API reference
@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request, p: PageUser) -> Response:
    spec = request.app.openapi()
    ops = []
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            ops.append({"method": method.upper(), "path": path, "summary": op.get("summary") or "",
                        "description": op.get("description") or "", "parameters": op.get("parameters") or [],
                        "body": op.get("requestBody"), "responses": op.get("responses") or {}})
    return render(request, "api_docs.html.j2", title="API 文档", spec=spec, ops=ops)


__all__ = ["env", "error_page", "read_upload", "render", "router"]
