"""Pages and REST API of 部署 and 督导: campaigns, the 责任分工表, progress and evidence (issue 10).

``pages`` (server-rendered) and ``api`` (under ``/api``) are thin shells over the service functions of
:mod:`fazhi.supervision`; the same functions serve the CLI.  The services check who may do what (an
:class:`~fazhi.supervision.access.Actor` of the signed-in user) and raise ``Forbidden``/``NotFound``/
``InputError``, which the app answers with 403/404/422.

Pages — the office (管理员、审核员 within its region; 查看 reads):

- ``/campaigns``: the campaigns, and a form to create one;
- ``/campaigns/{id}``: the campaign board on an as-of date (lights per lead unit, milestones), and the
  upload of a 分工表: an import with rows it cannot read shows them (row number and why) and keeps nothing;
  the user sends the file again with "忽略无法读取的行并导入" ticked;
- ``/campaigns/{id}/tasks``: the 分工表 with filters and lights, and its xlsx export;
- ``/campaigns/{id}/overdue``: the overdue tasks per unit on an as-of date;
- ``/tasks/{id}``: a task, its progress, evidence and proposals; review and proposal decisions;
- ``/sup-units/{id}``: a supervised unit's tasks across campaigns, its lights and members.

Pages — a unit user: ``/my/tasks`` (its unit's tasks and reminders), the progress form on the task's
page (text, figures "名称=值" one a line, evidence files), the leader's confirmation.

Uploads (a 分工表, evidence files) are multipart requests: :data:`UPLOAD_PATH` tells the app's body
limit that they may carry files.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from fazhi.db.base import INT_MAX
from fazhi.supervision import campaigns as campaign_service
from fazhi.supervision import evidence as evidence_store
from fazhi.supervision import progress as progress_service
from fazhi.supervision import reminders as reminder_service
from fazhi.supervision import tasks as task_service
from fazhi.supervision import unit_register
from fazhi.supervision.access import Actor, NotFound
from fazhi.supervision.errors import InputError, Unconfirmed
from fazhi.web import auth
from fazhi.web.deps import DB, ApiActor, ApiUser, PageActor, PageUser, RowId

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api")

#: request paths that carry files (the app lets them through its body limit for forms)
UPLOAD_PATH = re.compile(r"^(/api)?/(campaigns/[0-9]+/(import|tasks/import)|tasks/[0-9]+/progress|evidence)$")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AsOf = Annotated[dt.date | None, Query(title="截至日期", description="按这一天计算进度灯（YYYY-MM-DD，默认今天）")]
UnitFilter = Annotated[int | None, Query(ge=1, le=INT_MAX, title="单位编号", description="只看该单位牵头或配合的任务（单位编号）")]
StatusFilter = Annotated[Literal["assigned", "in_progress", "submitted", "accepted", "returned"] | None,
                         Query(title="任务状态", description="任务状态：assigned 已分派、in_progress 推进中、submitted 已报送、"
                                           "accepted 已办结、returned 已退回")]
LightFilter = Annotated[Literal["on_track", "due_soon", "overdue"] | None,
                        Query(title="进度灯", description="进度灯：on_track 正常、due_soon 临期、overdue 逾期")]
TextQuery = Annotated[str | None, Query(max_length=100, title="任务含", description="工作任务中包含的文字")]

CampaignId = Annotated[int, Path(ge=1, le=INT_MAX, title="督导活动编号", description="督导活动编号（见督导活动列表的 id）")]
TaskId = Annotated[int, Path(ge=1, le=INT_MAX, title="任务编号", description="任务编号（见任务列表的 id）")]
LinkId = Annotated[int, Path(ge=1, le=INT_MAX, title="提议编号", description="提议的佐证关联编号（见提议列表的 id）")]
SupUnitId = Annotated[int, Path(ge=1, le=INT_MAX, title="督导单位编号", description="督导单位编号（任务的 lead_unit.id）")]

_ERROR = {"$ref": "#/components/schemas/Error"}
_VALIDATION = {"$ref": "#/components/schemas/HTTPValidationError"}


def _errors(**codes: str) -> dict[int | str, dict[str, Any]]:
    """The error answers of an operation for the OpenAPI document (``e403="…"``); a 422 may be a
    parameter problem (a list) or the service's refusal (one sentence)."""
    out: dict[int | str, dict[str, Any]] = {}
    for key, description in codes.items():
        code = key.removeprefix("e")
        schema = {"anyOf": [_VALIDATION, _ERROR]} if code == "422" else _ERROR
        out[code] = {"description": description, "content": {"application/json": {"schema": schema}}}
    return out


READ_ERRORS = _errors(e404="不存在，或不在您的查看范围内")
WRITE_ERRORS = _errors(e400="请求体无法解析（不是 UTF-8 编码的 JSON 或表单）",
                       e403="权限不足（见 detail），或浏览器会话缺少正确的 X-CSRF-Token 头",
                       e404="不存在，或不在您的查看范围内",
                       e422="请求参数不正确，或无法办理（detail 为一句中文说明，如原因、状态不允许）")


def _write(request: Request) -> Any:
    """The request's write transaction (one per request)."""
    return request.app.state.WriteSession.begin()


def _settings(request: Request) -> Any:
    return request.app.state.settings


def _query(**kw: Any) -> str:
    return urlencode({k: v for k, v in kw.items() if v not in (None, "", False)})


def _render(request: Request, name: str, **ctx: Any) -> HTMLResponse:
    from fazhi.web.routes.pages import render

    ctx.setdefault("nav", "campaigns")
    return render(request, name, **ctx)


Sent = tuple[list[tuple[str, bytes]], Any]


async def _read_form(request: Request) -> Sent:
    """The files and fields of a multipart (or urlencoded) form, after the CSRF check; a file over the
    size limit is refused (422) without being kept."""
    from fazhi.web.routes.pages import read_upload

    settings = _settings(request)
    files, form = await read_upload(request, settings)
    auth.verify_csrf(request, form.get("csrf_token"))
    files = [(name, data) for name, data in files if name or data]
    for name, data in files:
        if len(data) > settings.max_file_bytes:
            raise InputError(f"{name}：文件太大，上限是 {settings.max_file_bytes / 1048576:.0f} MB")
    return files, form


# The form of a write, read (and its CSRF token checked) as a dependency: before the path's ids are
# validated, so a forged request is refused as such whatever it aims at.
async def _page_form(request: Request, p: PageUser) -> Sent:
    return await _read_form(request)


async def _api_form(request: Request, p: ApiUser) -> Sent:
    return await _read_form(request)


async def _api_csrf(request: Request, p: ApiUser) -> None:
    """A JSON write's CSRF check (a browser session's X-CSRF-Token header; none for an API token)."""
    auth.verify_csrf(request, None)


PageForm = Annotated[Sent, Depends(_page_form)]
ApiForm = Annotated[Sent, Depends(_api_form)]
CSRF = [Depends(_api_csrf)]


def _text(form: Any, key: str, limit: int = 20_000) -> str:
    value = form.get(key)
    return value[:limit] if isinstance(value, str) else ""


def _flag(form: Any, key: str) -> bool:
    return _text(form, key, 10) in ("1", "on", "true", "yes")


def _figures(text: str) -> list[str]:
    """Figures typed one a line ("行政机关负责人出庭应诉率=100%")."""
    return [line.strip() for line in text.splitlines() if line.strip()][:50]


def _store_files(w: Session, actor: Actor, files: list[tuple[str, bytes]], max_bytes: int,
                 unit_id: int | None = None) -> list[evidence_store.EvidenceView]:
    return [evidence_store.add_file(w, actor, data, name or "file", unit_id=unit_id, max_bytes=max_bytes)[0]
            for name, data in files]


def _draft_of(s: Session, actor: Actor, task_id: int) -> int:
    """The task's progress waiting for its leader's confirmation."""
    draft = next((p for p in progress_service.history(s, actor, task_id) if p.status == "draft"), None)
    if draft is None:
        raise NotFound(f"任务 {task_id} 没有待确认的进展")
    return draft.id


def _attachment(name: str, fallback: str) -> str:
    return f'attachment; filename="{fallback}"; filename*=UTF-8\'\'{quote(name, safe="")}'


# =========================================================================== pages: the office
def _campaigns(request: Request, actor: Actor, s: Session, *, status: int = 200, error: str | None = None,
               form: dict[str, str] | None = None) -> HTMLResponse:
    rows = campaign_service.list_campaigns(s, actor)
    overdue = {c.id: len(task_service.list_tasks(s, actor, c.id, overdue=True)) for c in rows}
    return _render(request, "sup_campaigns.html.j2", status=status, title="督导活动", campaigns=rows,
                   overdue=overdue, office=actor.office, kinds=campaign_service.KINDS,
                   year=campaign_service.today().year, error=error, form=form or {})


@pages.get("/campaigns", response_class=HTMLResponse)
def campaigns_page(request: Request, actor: PageActor, s: DB) -> Response:
    return _campaigns(request, actor, s)


@pages.post("/campaigns", response_class=HTMLResponse)
async def campaign_create_page(request: Request, actor: PageActor, sent: PageForm) -> Response:
    _files, form = sent
    typed = {k: _text(form, k, 200) for k in ("name", "year", "organiser", "kind")}
    try:
        if not typed["year"].strip().isdigit():
            raise InputError(f"年度“{typed['year']}”应为四位数字")
        with _write(request) as w:
            view = campaign_service.create_campaign(
                w, actor, typed["name"], year=int(typed["year"]), organiser=typed["organiser"][:100],
                kind=typed["kind"] or "annual",
                settings={"leader_confirms": True} if _flag(form, "leader_confirms") else None)
    except InputError as exc:  # the form again, with what was typed and why it cannot be used
        with request.app.state.Session() as s:
            return _campaigns(request, actor, s, status=422, error=str(exc), form=typed)
    return RedirectResponse(f"/campaigns/{view.id}", status_code=303)


@pages.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(request: Request, campaign_id: RowId, actor: PageActor, s: DB, as_of: AsOf = None) -> Response:
    board = task_service.board(s, actor, campaign_id, as_of)
    return _render(request, "sup_board.html.j2", title=board.campaign.name, board=board, c=board.campaign,
                   office=actor.office, lights=task_service.LIGHTS, statuses=task_service.STATUSES,
                   as_of_q=_query(as_of=as_of.isoformat() if as_of else None))


@pages.post("/campaigns/{campaign_id}/import", response_class=HTMLResponse)
async def campaign_import_page(request: Request, campaign_id: RowId, actor: PageActor, sent: PageForm) -> Response:
    files, form = sent
    if not files:
        raise InputError("请选择要导入的责任分工表（.xlsx）")
    name, data = files[0]
    confirm = _flag(form, "confirm")
    refused: str | None = None
    outcome: Any = None
    try:
        with _write(request) as w:
            outcome = task_service.import_tasks(w, actor, campaign_id, data, name, confirm=confirm)
    except Unconfirmed as pending:  # nothing was kept: show the rows and ask again
        outcome = pending.outcome
    except InputError as exc:  # the file cannot be used at all (its type, no header, the same file again …)
        refused = str(exc)
    with request.app.state.Session() as s:
        c = campaign_service.get_campaign(s, actor, campaign_id)
    return _render(request, "sup_import.html.j2", title="导入责任分工表", c=c, outcome=outcome, file=name,
                   refused=refused, status=422 if refused else 200)


@pages.get("/campaigns/{campaign_id}/tasks", response_class=HTMLResponse)
def tasks_page(request: Request, campaign_id: RowId, actor: PageActor, s: DB, as_of: AsOf = None,
               unit_id: UnitFilter = None, status: StatusFilter = None, light: LightFilter = None,
               overdue: bool = False, q: TextQuery = None) -> Response:
    c = campaign_service.get_campaign(s, actor, campaign_id)
    rows = task_service.list_tasks(s, actor, campaign_id, as_of=as_of, unit_id=unit_id, status=status,
                                   light=light, overdue=overdue, q=q)
    units = task_service.by_unit(task_service.list_tasks(s, actor, campaign_id, as_of=as_of))
    when = as_of.isoformat() if as_of else None
    return _render(request, "sup_tasks.html.j2", title=f"{c.name} 责任分工表", c=c, tasks=rows, units=units,
                   lights=task_service.LIGHTS, statuses=task_service.STATUSES,
                   f={"as_of": when, "unit_id": unit_id, "status": status, "light": light, "overdue": overdue,
                      "q": q or ""},
                   export_q=_query(as_of=when, unit_id=unit_id, status=status,
                                   light="overdue" if overdue else light))


@pages.get("/campaigns/{campaign_id}/tasks.xlsx")
def tasks_export(request: Request, campaign_id: RowId, actor: PageActor, as_of: AsOf = None,
                 unit_id: UnitFilter = None, status: StatusFilter = None, light: LightFilter = None) -> Response:
    with _write(request) as w:  # the export is audited
        data = task_service.export_xlsx(w, actor, campaign_id, as_of=as_of, unit_id=unit_id, light=light,
                                        status=status)
    name = f"责任分工表-{campaign_id}-{(as_of or campaign_service.today()).isoformat()}.xlsx"
    return Response(data, media_type=XLSX,
                    headers={"Content-Disposition": _attachment(name, f"tasks-{campaign_id}.xlsx")})


@pages.get("/campaigns/{campaign_id}/overdue", response_class=HTMLResponse)
def overdue_page(request: Request, campaign_id: RowId, actor: PageActor, s: DB, as_of: AsOf = None) -> Response:
    c = campaign_service.get_campaign(s, actor, campaign_id)
    rows = task_service.list_tasks(s, actor, campaign_id, as_of=as_of, overdue=True)
    when = as_of or campaign_service.today()
    return _render(request, "sup_overdue.html.j2", title=f"{c.name} 逾期任务", c=c, tasks=rows,
                   units=task_service.by_unit(rows), as_of=when, as_of_q=_query(as_of=when.isoformat()))


@pages.get("/tasks/{task_id}", response_class=HTMLResponse)
def task_page(request: Request, task_id: RowId, actor: PageActor, s: DB, as_of: AsOf = None) -> Response:
    detail = progress_service.task_detail(s, actor, task_id, as_of)
    t = detail.task
    settings = detail.campaign.settings or {}
    reporter = actor.unit_user and actor.unit_id == t.lead.id
    attached = {x.evidence.id for x in detail.evidence}
    reusable = [e for e in evidence_store.unit_evidence(s, actor, actor.unit_id)
                if e.kind != "report_fact" and e.id not in attached][:30] if reporter else []
    return _render(request, "sup_task.html.j2", title=t.title[:40], d=detail, t=t, c=detail.campaign,
                   office=actor.office, reporter=reporter, reusable=reusable,
                   leader=actor.duty == "leader", leader_confirms=bool(settings.get("leader_confirms")),
                   draft=next((p for p in detail.progress if p.status == "draft"), None),
                   submitted=next((p for p in reversed(detail.progress) if p.status == "submitted"), None),
                   max_mb=_settings(request).max_file_bytes / 1048576, formats=evidence_store.FORMATS,
                   nav="my_tasks" if actor.unit_user else "campaigns")


@pages.post("/tasks/{task_id}/progress", response_class=HTMLResponse)
async def task_report_page(request: Request, task_id: RowId, actor: PageActor, sent: PageForm) -> Response:
    files, form = sent
    with _write(request) as w:
        task_service.get_task(w, actor, task_id)  # refused before any file is stored
        stored = _store_files(w, actor, files, _settings(request).max_file_bytes)
        kept = [int(v) for v in form.getlist("evidence_id")[:50] if isinstance(v, str) and v.isdigit()
                and 0 < int(v) <= INT_MAX]  # the unit's stored evidence, reused (never asked for twice)
        progress_service.report_progress(w, actor, task_id, _text(form, "text"),
                                         figures=_figures(_text(form, "figures", 5000)),
                                         evidence_ids=list(dict.fromkeys([*kept, *(e.id for e in stored)])),
                                         submit=not _flag(form, "save"))
    return RedirectResponse(f"/tasks/{task_id}?done=reported#progress", status_code=303)


@pages.post("/tasks/{task_id}/confirm", response_class=HTMLResponse)
async def task_confirm_page(request: Request, task_id: RowId, actor: PageActor, sent: PageForm) -> Response:
    with _write(request) as w:
        progress_service.submit_progress(w, actor, _draft_of(w, actor, task_id))
    return RedirectResponse(f"/tasks/{task_id}?done=confirmed#progress", status_code=303)


@pages.post("/tasks/{task_id}/review", response_class=HTMLResponse)
async def task_review_page(request: Request, task_id: RowId, actor: PageActor, sent: PageForm) -> Response:
    _files, form = sent
    decision = _text(form, "decision", 10)
    if decision not in ("accept", "return"):
        raise InputError("请选择“通过”或“退回”")
    with _write(request) as w:
        progress_service.review_progress(w, actor, task_id, accept=decision == "accept",
                                         reason=_text(form, "reason", 2000))
    return RedirectResponse(f"/tasks/{task_id}?done={decision}#progress", status_code=303)


@pages.post("/evidence/proposals/{link_id}/decide", response_class=HTMLResponse)
async def proposal_decide_page(request: Request, link_id: RowId, actor: PageActor, sent: PageForm) -> Response:
    _files, form = sent
    decision = _text(form, "decision", 10)
    if decision not in ("accept", "reject"):
        raise InputError("请选择“采纳”或“不采纳”")
    with _write(request) as w:
        view = evidence_store.decide(w, actor, link_id, accept=decision == "accept",
                                     reason=_text(form, "reason", 2000) or None)
    back = f"/tasks/{view.target_id}#evidence" if view.target_type == "task" else "/campaigns"
    return RedirectResponse(back, status_code=303)


@pages.get("/tasks/{task_id}/evidence/{evidence_id}")
def evidence_download(request: Request, task_id: RowId, evidence_id: RowId, actor: PageActor, s: DB) -> Response:
    """A file attached to the task (or to one of its progress reports), as an attachment."""
    detail = progress_service.task_detail(s, actor, task_id)
    attached = {x.evidence.id for x in (*detail.evidence, *detail.proposals)}
    attached |= {x.evidence.id for p in detail.progress for x in p.evidence}
    if evidence_id not in attached:
        raise NotFound(f"任务 {task_id} 没有编号为 {evidence_id} 的佐证材料")
    data, name, _fmt = evidence_store.content(s, actor, evidence_id)
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": _attachment(name, f"evidence-{evidence_id}")})


@pages.get("/sup-units/{unit_id}", response_class=HTMLResponse)
def sup_unit_page(request: Request, unit_id: RowId, actor: PageActor, s: DB, as_of: AsOf = None,
                  opened: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    return _unit_page(request, unit_id, actor, s, as_of, opened=opened)


def _unit_page(request: Request, unit_id: int, actor: Actor, s: Session, as_of: dt.date | None = None, *,
               opened: str | None = None, error: str | None = None, form: dict[str, str] | None = None,
               status: int = 200) -> Response:
    unit = unit_register.get_unit(s, actor, unit_id)
    rows = task_service.unit_tasks(s, actor, unit_id, as_of=as_of)
    names = {c.id: c.name for c in campaign_service.list_campaigns(s, actor)}
    me = request.scope.get("fazhi_principal")
    return _render(request, "sup_unit.html.j2", status=status, title=unit.name, unit=unit, tasks=rows,
                   campaigns=names, members=unit_register.list_members(s, actor, unit_id), lights=task_service.LIGHTS,
                   counts={k: sum(t.light == k for t in rows) for k in task_service.LIGHTS},
                   as_of=as_of.isoformat() if as_of else "", opened=opened, error=error, form=form or {},
                   may_open=bool(me and me.role == "admin" and actor.office),
                   nav="my_tasks" if actor.unit_user else "campaigns")


@pages.post("/sup-units/{unit_id}/members", response_class=HTMLResponse)
async def sup_unit_open_account_page(request: Request, unit_id: RowId, actor: PageActor, p: PageUser,
                                     sent: PageForm) -> Response:
    """An administrator opens a unit user's account for this unit (填报 or 主要负责人) in one step."""
    from fazhi.accounts import roles
    from fazhi.accounts.service import AccountError
    from fazhi.supervision.access import Forbidden

    _files, form = sent
    typed = {"name": _text(form, "name", 64).strip(), "duty": _text(form, "duty", 10) or "filler"}
    if p.role != "admin":
        raise Forbidden("开通单位用户需要管理员权限")
    try:
        with _write(request) as w:
            unit_register.open_account(w, actor, roles.Actor.of(p), unit_id, typed["name"], _text(form, "password", 200),
                                       request.app.state.settings, typed["duty"])
    except (AccountError, unit_register.UnitError) as exc:  # the form again, with what was typed and why
        with request.app.state.Session() as s:
            return _unit_page(request, unit_id, actor, s, error=str(exc), form=typed, status=422)
    return RedirectResponse(f"/sup-units/{unit_id}?{urlencode({'opened': typed['name']})}#unit-members",
                            status_code=303)


# =========================================================================== pages: a unit user
@pages.get("/my/tasks", response_class=HTMLResponse)
def my_tasks_page(request: Request, actor: PageActor, s: DB, as_of: AsOf = None) -> Response:
    if not actor.unit_user:
        if actor.role == "unit":
            return _render(request, "sup_my_tasks.html.j2", title="我的任务", unit=None, tasks=[], reminders=[],
                           lights=task_service.LIGHTS, campaigns={}, as_of="", nav="my_tasks")
        return RedirectResponse("/campaigns", status_code=303)
    unit = unit_register.get_unit(s, actor, actor.unit_id)
    rows = task_service.unit_tasks(s, actor, actor.unit_id, as_of=as_of)
    names = {c.id: c.name for c in campaign_service.list_campaigns(s, actor)}
    return _render(request, "sup_my_tasks.html.j2", title="我的任务", unit=unit, tasks=rows, campaigns=names,
                   reminders=reminder_service.list_reminders(s, actor, limit=50), lights=task_service.LIGHTS,
                   as_of=as_of.isoformat() if as_of else "", nav="my_tasks")


@pages.post("/my/reminders/{reminder_id}/read")
async def reminder_read_page(request: Request, reminder_id: RowId, actor: PageActor, sent: PageForm) -> Response:
    with _write(request) as w:
        reminder_service.mark_read(w, actor, reminder_id)
    return RedirectResponse("/my/tasks#reminders", status_code=303)


# =========================================================================== API
class CampaignIn(BaseModel):
    model_config = ConfigDict(title="建立督导活动", json_schema_extra={"description": "新督导活动：名称、年度、组织地区、类型"})

    name: str = Field(min_length=1, max_length=200, title="名称", description="督导活动名称")
    year: int = Field(ge=2000, le=2100, title="年度")
    organiser: str = Field(min_length=2, max_length=60, title="组织地区",
                           description="组织地区（行政区划名称或代码，如 西峡县、焦作市、411323）")
    kind: Literal["annual", "demonstration", "special", "report"] = Field(
        "annual", title="类型", description="annual 年度任务、demonstration 示范创建、special 专项督察、report 年度报告")
    leader_confirms: bool = Field(False, title="须负责人确认", description="单位进展须主要负责人确认后报送")


class ProgressIn(BaseModel):
    model_config = ConfigDict(title="报告任务进展", json_schema_extra={"description": "牵头单位报告的进展：文字、数字、佐证材料"})

    text: str = Field(min_length=1, max_length=20_000, title="进展情况")
    figures: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, max_length=50, title="数字", description="写成 名称=数值，如 行政机关负责人出庭应诉率=100%")
    evidence_ids: list[Annotated[int, Field(ge=1, le=INT_MAX)]] = Field(
        default_factory=list, max_length=50, title="佐证材料编号", description="已上传的佐证材料（POST /api/evidence）")
    submit: bool = Field(True, title="报送", description="false：只保存，不报送")


class ReviewIn(BaseModel):
    model_config = ConfigDict(title="审核进展", json_schema_extra={"description": "督导办公室对报送进展的审核：通过或退回"})

    accept: bool = Field(title="通过", description="true 通过；false 退回（须写明原因）")
    reason: str | None = Field(None, max_length=2000, title="退回原因")


class DecisionIn(BaseModel):
    model_config = ConfigDict(title="审核提议的佐证", json_schema_extra={"description": "督导办公室采纳或不采纳提议的佐证"})

    accept: bool = Field(title="采纳")
    reason: str | None = Field(None, max_length=2000, title="理由")


class LinkIn(BaseModel):
    model_config = ConfigDict(title="关联佐证材料", json_schema_extra={"description": "要关联到任务的已保存佐证材料"})

    evidence_id: int = Field(ge=1, le=INT_MAX, title="佐证材料编号")


@api.get("/campaigns", summary="督导活动列表", description="您可查看的督导活动（办公室：本地区组织的；单位用户：有本单位任务的）。")
def api_campaigns(actor: ApiActor, s: DB,
                  year: Annotated[int | None, Query(ge=2000, le=2100, title="年度", description="只列出该年度")] = None
                  ) -> list[dict[str, Any]]:
    return [c.to_json() for c in campaign_service.list_campaigns(s, actor, year=year)]


@api.post("/campaigns", dependencies=CSRF, summary="建立督导活动", status_code=201, responses=WRITE_ERRORS,
          description="建立督导活动（含部署、年中、年终、报送、公开等默认时间节点）；需要督导办公室（管理员或审核员）"
                      "权限，组织地区须在您的地区范围内。")
def api_campaign_create(request: Request, body: CampaignIn, actor: ApiActor) -> dict[str, Any]:
    with _write(request) as w:
        view = campaign_service.create_campaign(
            w, actor, body.name, year=body.year, organiser=body.organiser, kind=body.kind,
            settings={"leader_confirms": True} if body.leader_confirms else None)
    return view.to_json()


@api.get("/campaigns/{campaign_id}", summary="督导活动", responses=READ_ERRORS,
         description="一个督导活动：组织单位、指标体系、时间节点、设置和任务数。")
def api_campaign(campaign_id: CampaignId, actor: ApiActor, s: DB) -> dict[str, Any]:
    return campaign_service.get_campaign(s, actor, campaign_id).to_json()


@api.get("/campaigns/{campaign_id}/board", summary="督导活动看板", responses=READ_ERRORS,
         description="某日的看板：按进度灯和状态的任务数、各牵头单位的任务和逾期任务。")
def api_board(campaign_id: CampaignId, actor: ApiActor, s: DB, as_of: AsOf = None) -> dict[str, Any]:
    return task_service.board(s, actor, campaign_id, as_of).to_json()


@api.get("/campaigns/{campaign_id}/tasks", summary="责任分工表（任务列表）", responses=READ_ERRORS,
         description="督导活动的任务，按表中顺序；字段与 fazhi task list --format json 相同（id, seq, title, indicator, "
                     "lead_unit, co_units, due, due_text, milestones, status, source_row）。单位用户只看到本单位的任务。")
def api_tasks(campaign_id: CampaignId, actor: ApiActor, s: DB, as_of: AsOf = None, unit_id: UnitFilter = None,
              status: StatusFilter = None, light: LightFilter = None,
              overdue: Annotated[bool, Query(title="只看逾期", description="只列出逾期任务")] = False,
              q: TextQuery = None) -> list[dict[str, Any]]:
    rows = task_service.list_tasks(s, actor, campaign_id, as_of=as_of, unit_id=unit_id, status=status, light=light,
                                   overdue=overdue, q=q)
    return [t.to_json() for t in rows]


@api.get("/campaigns/{campaign_id}/overdue", summary="逾期任务（按单位）", responses=READ_ERRORS,
         description="某日逾期的任务（有时间节点已过而没有通过审核的进展），按牵头单位分组，逾期多的单位在前；"
                     "各任务的字段与任务列表相同。")
def api_overdue(campaign_id: CampaignId, actor: ApiActor, s: DB, as_of: AsOf = None) -> dict[str, Any]:
    rows = task_service.list_tasks(s, actor, campaign_id, as_of=as_of, overdue=True)
    when = as_of or campaign_service.today()
    return {"as_of": when.isoformat(), "tasks": len(rows),
            "units": [u.to_json() for u in task_service.by_unit(rows)]}


IMPORT_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "责任分工表（.xlsx、.docx 或 .csv）"},
                   "confirm": {"type": "boolean", "description": "有无法读取的行时，仍导入其余各行"},
                   "strict": {"type": "boolean", "description": "有任何无法读取的行就失败"}}}}}}}


@api.post("/campaigns/{campaign_id}/tasks/import", summary="导入责任分工表", status_code=201,
          openapi_extra=IMPORT_BODY,
          responses={**WRITE_ERRORS, **_errors(
              e409="有无法读取的行，未导入任何内容：detail 为说明，outcome 为将导入的摘要和每个无法读取的行"
                   "（row 行号、reason 原因）；确认后以 confirm=true 重新提交")},
          description="导入责任分工表（multipart 字段 file）：返回导入的任务数、关联指标数、新建单位、提醒。"
                      "有无法读取的行时不导入任何内容（409，列出行号和原因），除非 confirm=true；strict=true 则失败（422）。")
async def api_task_import(request: Request, campaign_id: CampaignId, actor: ApiActor, sent: ApiForm) -> Response:
    files, form = sent
    if not files:
        raise InputError("没有收到文件：multipart 字段名应为 file")
    name, data = files[0]
    try:
        with _write(request) as w:
            outcome = task_service.import_tasks(w, actor, campaign_id, data, name, confirm=_flag(form, "confirm"),
                                                strict=_flag(form, "strict"))
    except Unconfirmed as pending:
        return JSONResponse({"detail": str(pending), "outcome": pending.outcome.to_json()}, status_code=409)
    return JSONResponse(outcome.to_json(), status_code=201)


@api.get("/tasks/{task_id}", summary="任务详情", responses=READ_ERRORS,
         description="一项任务：进度灯、进展记录、佐证材料，以及年度报告中提议作为佐证的数字。")
def api_task(task_id: TaskId, actor: ApiActor, s: DB, as_of: AsOf = None) -> dict[str, Any]:
    return progress_service.task_detail(s, actor, task_id, as_of).to_json()


@api.post("/tasks/{task_id}/progress", dependencies=CSRF, summary="报告任务进展", status_code=201, responses=WRITE_ERRORS,
          description="牵头单位的单位用户报告进展：文字、数字（名称=数值）、佐证材料编号。直接报送，除非 submit=false "
                      "或督导活动要求主要负责人确认（此时等待确认）。")
def api_task_report(request: Request, task_id: TaskId, body: ProgressIn, actor: ApiActor) -> dict[str, Any]:
    with _write(request) as w:
        view = progress_service.report_progress(w, actor, task_id, body.text, figures=body.figures,
                                                evidence_ids=body.evidence_ids, submit=body.submit)
    return view.to_json()


@api.post("/tasks/{task_id}/confirm", dependencies=CSRF, summary="确认报送进展", responses=WRITE_ERRORS,
          description="牵头单位（督导活动要求时，须主要负责人）确认并报送已保存的进展。")
def api_task_confirm(request: Request, task_id: TaskId, actor: ApiActor) -> dict[str, Any]:
    with _write(request) as w:
        view = progress_service.submit_progress(w, actor, _draft_of(w, actor, task_id))
    return view.to_json()


@api.post("/tasks/{task_id}/review", dependencies=CSRF, summary="审核任务进展", responses=WRITE_ERRORS,
          description="督导办公室审核任务最近报送的进展：accept=true 通过；false 退回（reason 必填，单位会收到提醒）。")
def api_task_review(request: Request, task_id: TaskId, body: ReviewIn, actor: ApiActor) -> dict[str, Any]:
    with _write(request) as w:
        view = progress_service.review_progress(w, actor, task_id, accept=body.accept, reason=body.reason)
    return view.to_json()


EVIDENCE_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": "佐证材料：PDF、Word（.docx）、Excel（.xlsx）、PowerPoint（.pptx）、JPEG/PNG 图片或文本"},
                   "task_id": {"type": "integer", "minimum": 1, "description": "同时关联到这项任务"},
                   "unit_id": {"type": "integer", "minimum": 1, "description": "所属单位（督导办公室上传时；单位用户为本单位）"}}}}}}}


def _form_id(form: Any, key: str) -> int | None:
    value = _text(form, key, 12).strip()
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= INT_MAX:
        raise InputError(f"{key} 应为正整数")
    return int(value)


@api.post("/evidence", summary="上传佐证材料", status_code=201, openapi_extra=EVIDENCE_BODY,
          responses=WRITE_ERRORS,
          description="上传一个佐证材料文件（multipart 字段 file）：按内容识别类型（扩展名须与内容相符），大小有上限；"
                      "同一单位的同一文件只保存一次（reused=true）。给出 task_id 时同时关联到该任务。")
async def api_evidence_upload(request: Request, actor: ApiActor, sent: ApiForm) -> Response:
    files, form = sent
    if not files:
        raise InputError("没有收到文件：multipart 字段名应为 file")
    name, data = files[0]
    task_id, unit_id = _form_id(form, "task_id"), _form_id(form, "unit_id")
    with _write(request) as w:
        if task_id is not None:
            task_service.get_task(w, actor, task_id)
        view, reused = evidence_store.add_file(w, actor, data, name or "file", unit_id=unit_id,
                                               max_bytes=_settings(request).max_file_bytes)
        link = evidence_store.link(w, actor, view.id, "task", task_id).to_json() if task_id is not None else None
    return JSONResponse({"evidence": view.to_json(), "reused": reused, "link": link}, status_code=201)


@api.post("/tasks/{task_id}/evidence", dependencies=CSRF, summary="关联佐证材料", status_code=201, responses=WRITE_ERRORS,
          description="把已保存的佐证材料关联到任务（只保存一次，可关联到多项任务；重复关联返回已有的关联）。")
def api_evidence_link(request: Request, task_id: TaskId, body: LinkIn, actor: ApiActor) -> dict[str, Any]:
    with _write(request) as w:
        return evidence_store.link(w, actor, body.evidence_id, "task", task_id).to_json()


@api.get("/evidence/proposals", summary="年度报告数字作为佐证的提议",
         description="已入库年度报告中的数字（及原句）提议作为其单位任务的佐证，待督导办公室采纳或不采纳。")
def api_proposals(actor: ApiActor, s: DB,
                  campaign_id: Annotated[int | None, Query(ge=1, le=INT_MAX, title="督导活动编号", description="只看该督导活动的任务")] = None,
                  status: Annotated[Literal["proposed", "accepted", "rejected"], Query(
                      title="审核状态", description="proposed 待审核、accepted 已采纳、rejected 未采纳")] = "proposed"
                  ) -> list[dict[str, Any]]:
    return [x.to_json() for x in evidence_store.proposals(s, actor, campaign_id=campaign_id, status=status)]


@api.post("/evidence/proposals/{link_id}/decide", dependencies=CSRF, summary="采纳或不采纳提议的佐证", responses=WRITE_ERRORS,
          description="督导办公室采纳（accept=true）或不采纳一条提议的佐证；记录审核人和时间。")
def api_proposal_decide(request: Request, link_id: LinkId, body: DecisionIn, actor: ApiActor) -> dict[str, Any]:
    with _write(request) as w:
        return evidence_store.decide(w, actor, link_id, accept=body.accept, reason=body.reason).to_json()


@api.get("/sup-units/{unit_id}/tasks", summary="督导单位的任务", responses=READ_ERRORS,
         description="一个督导单位牵头或配合的任务（各进行中的督导活动），含进度灯和下一节点。")
def api_unit_tasks(unit_id: SupUnitId, actor: ApiActor, s: DB, as_of: AsOf = None) -> list[dict[str, Any]]:
    rows = task_service.unit_tasks(s, actor, unit_id, as_of=as_of)
    return [{**t.to_json(), "campaign_id": t.campaign_id, "light": t.light,
             "next_due": t.next_due.isoformat() if t.next_due else None} for t in rows]


@api.get("/my/tasks", summary="本单位的任务", responses=_errors(e403="只有单位用户有“我的任务”"),
         description="单位用户：本单位牵头或配合的任务（各进行中的督导活动），含进度灯和下一节点。")
def api_my_tasks(actor: ApiActor, s: DB, as_of: AsOf = None) -> list[dict[str, Any]]:
    if not actor.unit_user:
        from fazhi.supervision.access import Forbidden

        raise Forbidden("只有单位用户有“我的任务”")
    return api_unit_tasks(actor.unit_id, actor, s, as_of)


@api.get("/my/reminders", summary="本单位的督办提醒",
         description="单位用户：本单位的督办提醒（临期、逾期、每日摘要、进展被退回），新的在前；办公室：可查看的单位的提醒。")
def api_my_reminders(actor: ApiActor, s: DB,
                     unread: Annotated[bool, Query(title="只看未读", description="只列出未读的")] = False) -> list[dict[str, Any]]:
    return [r.to_json() for r in reminder_service.list_reminders(s, actor, unread=unread)]


__all__ = ["UPLOAD_PATH", "api", "pages"]
