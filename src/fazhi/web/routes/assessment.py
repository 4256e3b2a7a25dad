"""Pages and REST API of 评价 and 考核, 督察 and 整改 (issue 11).

``pages`` (server-rendered) and ``api`` (under ``/api``) are thin shells over the service functions of
:mod:`fazhi.supervision`; the same functions serve the CLI (``fazhi profile``, ``fazhi assess``,
``fazhi inspect``).

- the office: ``/assessments`` (campaigns and where their assessment stands), the campaign's board
  ``/campaigns/{campaign_id}/assessment`` (import a 考核细则, open the assessment, per unit the self /
  reviewed / final scores, rank among comparable units, open appeals to decide, notify, lock, the xlsx),
  one unit's assessment ``/assessments/{assessment_id}``; 督察 ``/inspections`` (cases, a new case, the
  问题池) and ``/inspections/{case_id}`` (findings, rectification items, their steps and escalation);
- a scorer (a user of the 评分责任单位 of items, or the office): ``/scoring``;
- a unit user: ``/my/assessment`` (self-assessment, results, appeal) and ``/my/rectifications``.

Every write is one transaction and checks the session's CSRF token first.  The services refuse in
Chinese (``Forbidden`` 403, ``NotFound`` 404, ``InputError`` 422); their own ``ValueError`` kinds
(``AssessmentError``, ``InspectionError`` …) are answered as ``InputError``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.db.base import INT_MAX
from fazhi.supervision import access
from fazhi.supervision import assessment as A
from fazhi.supervision import assessment_export as X
from fazhi.supervision import assessment_results as R
from fazhi.supervision import campaigns as C
from fazhi.supervision import inspection_documents as D
from fazhi.supervision import inspections as I
from fazhi.supervision import models as m
from fazhi.supervision import profiles_store as P
from fazhi.supervision.errors import InputError
from fazhi.supervision.rules import fmt
from fazhi.units.models import Unit
from fazhi.web import auth
from fazhi.web.deps import DB, ApiActor, PageActor

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api")

T = TypeVar("T")


def _id(title: str) -> Any:
    return Path(ge=1, le=INT_MAX, title=title, description=f"{title}（正整数）")


CampaignId = Annotated[int, _id("考核任务编号")]
AssessmentId = Annotated[int, _id("单位考核编号")]
ItemId = Annotated[int, _id("考核项目编号")]
AppealId = Annotated[int, _id("申辩编号")]
CaseId = Annotated[int, _id("督察编号")]
FindingId = Annotated[int, _id("督察问题编号")]  # path parameter insp_finding_id
RectId = Annotated[int, _id("整改事项编号")]
DocumentId = Annotated[int, _id("督察文书编号")]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_ERR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


#: a 422 is either the services' refusal (one sentence) or FastAPI's list of parameter problems
_ERR_422 = {"content": {"application/json": {"schema": {"anyOf": [
    {"$ref": "#/components/schemas/Error"}, {"$ref": "#/components/schemas/HTTPValidationError"}]}}}}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {400: "请求体无法解析（不是 UTF-8 编码的 JSON 或表单）",
            403: "无权办理：不是该考核或督察的督导办公室、被考核单位或评分责任单位（含评分回避）；"
                 "或浏览器会话的写操作缺少正确的 X-CSRF-Token 头",
            404: "不存在，或不在您的查看范围内",
            422: "请求参数不正确（detail 为问题列表），或当前状态不允许此操作（detail 为一句说明）"}
    return {c: {"description": text[c], **(_ERR_422 if c == 422 else _ERR)} for c in codes}


READ_ERRORS = _errors(403, 404)
WRITE_ERRORS = _errors(400, 403, 404, 422)


def today() -> dt.date:
    return C.today()


# =========================================================================== plumbing
_SERVICE_ERRORS = (A.AssessmentError, I.InspectionError, P.ProfileImportError)


def _write(request: Request, fn: Callable[[Session], T]) -> T:
    """``fn(session)`` in one write transaction; the services' own refusals answered as ``InputError``."""
    from fazhi.supervision import scoring, sheets

    try:
        with request.app.state.WriteSession.begin() as s:
            return fn(s)
    except P.ProfileImportError as exc:
        raise InputError("；".join([str(exc), *exc.problems])) from None
    except (*_SERVICE_ERRORS, scoring.ScoringError, sheets.SheetError) as exc:
        raise InputError(str(exc)) from None


def _render(request: Request, name: str, **ctx: Any) -> HTMLResponse:
    from fazhi.web.routes.pages import render

    return render(request, name, n=_n, STEP_LABEL=STEP_LABEL, RECT_STATUS=I.words()["statuses"],
                  ESCALATION=_ESCALATION, **ctx)


def _next_rungs() -> dict[int, str]:
    """Level → the label of the rung above it (督办 one step), as the pages offer it; the top has none."""
    ladder = sorted(I.words()["escalation"], key=lambda s: s["level"])
    return {level: next(s["label"] for s in ladder if s["level"] > level) for level in [0, *(s["level"] for s in ladder[:-1])]}


_ESCALATION = _next_rungs()


STEP_LABEL = {"create": "制定整改事项", "start": "开始整改", "submit": "报送整改情况", "verify": "核验通过",
              "return": "退回", "close": "销号", "escalate": "督办", "carry_over": "转入下一轮"}


def _n(x: float | None) -> str:
    return "—" if x is None else fmt(x)


def _back(url: str, done: str = "") -> RedirectResponse:
    return RedirectResponse(url + (("&" if "?" in url else "?") + "done=" + quote(done, safe="") if done else ""),
                            status_code=303)


def _date(text: str | None, what: str) -> dt.date | None:
    if not text or not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{what}应为 YYYY-MM-DD 格式的日期（收到“{text[:20]}”）") from None


def _float(text: str | None, what: str) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        value = float(text.strip())
    except ValueError:
        raise InputError(f"{what}应为数字（收到“{text[:20]}”）") from None
    if value != value or abs(value) > 1e6:
        raise InputError(f"{what}超出范围")
    return value


def _json(data: Any, status: int = 200) -> JSONResponse:
    from fastapi.encoders import jsonable_encoder

    return JSONResponse(jsonable_encoder(data), status_code=status)


def _office_campaign(s: Session, actor: access.Actor, campaign_id: int) -> m.Campaign:
    """The campaign, if the actor may see it as its office or a viewer (else as if it did not exist)."""
    row = C.campaign_for(s, actor, campaign_id)
    if actor.unit_user:
        raise access.NotFound(f"没有编号为 {campaign_id} 的督导活动")
    return row


def _assessed_campaigns(s: Session, actor: access.Actor) -> list[dict[str, Any]]:
    """The campaigns the actor may see, with where their assessment stands."""
    out = []
    for c in C.list_campaigns(s, actor):
        profiles = A.campaign_profiles(s.get(m.Campaign, c.id))  # type: ignore[arg-type]
        board = A.board(s, actor, c.id) if not actor.unit_user else None
        out.append({"id": c.id, "name": c.name, "year": c.year, "organiser": c.organiser_name,
                    "profiles": profiles, "board": board})
    return out


def _profiles(s: Session, actor: access.Actor) -> list[dict[str, Any]]:
    return P.list_profiles(s, actor) if (actor.office or actor.role == "viewer") else []


def _board_ctx(s: Session, actor: access.Actor, campaign_id: int) -> dict[str, Any]:
    campaign = _office_campaign(s, actor, campaign_id)
    found = R.results(s, actor, campaign.id)
    groups: dict[str, list[R.UnitResult]] = {}
    for r in found:
        groups.setdefault(r.group, []).append(r)
    return {"campaign": campaign, "board": A.board(s, actor, campaign.id), "results": found, "groups": groups,
            "appeals": A.open_appeals(s, actor, campaign.id) if actor.office else [],
            "profiles": _profiles(s, actor), "campaign_profiles": A.campaign_profiles(campaign),
            "office": actor.office and access.in_scope(actor, campaign.organiser),
            "chart": [{"unit": r.unit["name"], "score": r.score, "max": r.max, "group": r.group} for r in found]}


# =========================================================================== office: assessments
@pages.get("/assessments", response_class=HTMLResponse)
def assessments_page(request: Request, actor: PageActor, s: DB) -> Response:
    if actor.unit_user:
        return RedirectResponse("/my/assessment", status_code=303)
    return _render(request, "assess_list.html.j2", title="考核", nav="assessments",
                   campaigns=_assessed_campaigns(s, actor), profiles=_profiles(s, actor), office=actor.office,
                   done=request.query_params.get("done") or "", error="")


@pages.post("/assessments/profiles", response_class=HTMLResponse)
async def profile_import_page(request: Request, actor: PageActor) -> Response:
    """Import a 考核细则 (xlsx/docx/csv/yaml); a refused one is shown with every reason."""
    form = await request.form(max_files=1, max_fields=8)
    auth.verify_csrf(request, str(form.get("csrf_token") or ""))
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise InputError("请选择考核细则文件（.xlsx、.docx、.csv 或 .yaml）")
    data = await upload.read()
    unit_type = str(form.get("unit_type") or "").strip()[:40] or None
    back = str(form.get("back") or "")
    try:
        result = _write(request, lambda s: P.import_profile(s, actor, data, upload.filename or "考核细则.xlsx",
                                                            unit_type=unit_type))
    except InputError as exc:
        with request.app.state.Session() as s:
            return _render(request, "assess_list.html.j2", status=422, title="考核", nav="assessments",
                           campaigns=_assessed_campaigns(s, actor), profiles=_profiles(s, actor),
                           office=actor.office, done="", error=f"考核细则未导入：{exc}")
    target = back if back.startswith("/campaigns/") and back.endswith("/assessment") else "/assessments"
    return _back(target, "；".join(result.summary()))


@pages.get("/campaigns/{campaign_id}/assessment", response_class=HTMLResponse)
def campaign_assessment_page(request: Request, campaign_id: CampaignId, actor: PageActor, s: DB) -> Response:
    ctx = _board_ctx(s, actor, campaign_id)
    return _render(request, "assess_board.html.j2", title=f"{ctx['campaign'].name} · 考核", nav="assessments",
                   done=request.query_params.get("done") or "", today=today(), **ctx)


@pages.get("/campaigns/{campaign_id}/assessment.xlsx")
def campaign_assessment_xlsx(campaign_id: CampaignId, actor: PageActor, s: DB) -> Response:
    return _xlsx(s, actor, campaign_id)


def _xlsx(s: Session, actor: access.Actor, campaign_id: int) -> Response:
    campaign = _office_campaign(s, actor, campaign_id)
    data = X.export_xlsx(s, actor, campaign.id, today=today())
    name = quote(f"{campaign.name}考核结果.xlsx")
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})


def _open(s: Session, actor: access.Actor, campaign_id: int, profile_ids: list[int]) -> A.OpenSummary:
    _office_campaign(s, actor, campaign_id)
    opened = A.open_campaign(s, actor, campaign_id, as_of=today(), profile_ids=profile_ids)
    A.refresh(s, actor, campaign_id, as_of=today())
    return opened


@pages.post("/campaigns/{campaign_id}/assessment/open")
def campaign_open_page(request: Request, campaign_id: CampaignId, actor: PageActor, profile_id: str = Form(""),
                       csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    ids = [int(profile_id)] if profile_id.strip().isdigit() and int(profile_id) <= INT_MAX else []
    out = _write(request, lambda s: _open(s, actor, campaign_id, ids))
    return _back(f"/campaigns/{campaign_id}/assessment", "；".join(out.summary()))


@pages.post("/campaigns/{campaign_id}/assessment/notify")
def campaign_notify_page(request: Request, campaign_id: CampaignId, actor: PageActor, days: str = Form(""),
                         csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    n = _float(days, "申辩期天数")
    out = _write(request, lambda s: A.notify(s, actor, campaign_id, as_of=today(),
                                             appeal_days=None if n is None else int(n)))
    return _back(f"/campaigns/{campaign_id}/assessment", "；".join(out.summary("已通知")))


@pages.post("/campaigns/{campaign_id}/assessment/lock")
def campaign_lock_page(request: Request, campaign_id: CampaignId, actor: PageActor, as_of: str = Form(""),
                       csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    day = _date(as_of, "锁定日期") or today()
    out = _write(request, lambda s: A.lock(s, actor, campaign_id, as_of=day))
    return _back(f"/campaigns/{campaign_id}/assessment", "；".join(out.summary("已锁定")))


@pages.post("/appeals/{appeal_id}/decide")
def appeal_decide_page(request: Request, appeal_id: AppealId, actor: PageActor, outcome: str = Form(""),
                       decision: str = Form(""), score: str = Form(""), csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    value = _float(score, "调整后的得分")
    ap = _write(request, lambda s: A.decide(s, actor, appeal_id, outcome=outcome, decision=decision, value=value))
    with request.app.state.Session() as s:
        campaign_id = _appeal_campaign(s, ap.item_assessment_id)
    return _back(f"/campaigns/{campaign_id}/assessment", f"{ap.unit} 第 {ap.ref} 项申辩：{ap.status_label}")


def _appeal_campaign(s: Session, item_assessment_id: int) -> int:
    ia = s.get(m.ItemAssessment, item_assessment_id)
    assert ia is not None
    return ia.assessment.campaign_id


@pages.get("/assessments/{assessment_id}", response_class=HTMLResponse)
def assessment_page(request: Request, assessment_id: AssessmentId, actor: PageActor, s: DB) -> Response:
    view = A.assessment_view(s, actor, assessment_id)
    result = R.unit_result(s, actor, view.campaign_id, view.unit["id"])
    campaign = s.get(m.Campaign, view.campaign_id)
    diff = None
    if R.previous_campaign(s, campaign) is not None:  # type: ignore[arg-type]
        try:
            diff = R.year_diff(s, actor, view.campaign_id, view.unit["id"])
        except access.NotFound:
            diff = None
    return _render(request, "assess_unit.html.j2", title=f"{view.unit['name']} · 考核", nav="assessments",
                   view=view, result=result, campaign=campaign, diff=diff, mine=False,
                   done=request.query_params.get("done") or "", today=today())


# =========================================================================== the scorer
def _scoring_campaigns(s: Session, actor: access.Actor) -> list[m.Campaign]:
    """The campaigns in which the actor scores items: their unit is a 评分责任单位 (the office: every
    campaign it may see with an assessment)."""
    IA, PI, Asm = m.ItemAssessment, m.ProfileItem, m.Assessment
    if actor.unit_user:
        ids = select(Asm.campaign_id).join(IA, IA.assessment_id == Asm.id).join(PI, PI.id == IA.item_id) \
            .where(PI.scorer_unit_id == actor.unit_id)
    elif actor.office:
        ids = select(Asm.campaign_id)
    else:
        return []
    rows = s.scalars(select(m.Campaign).where(m.Campaign.id.in_(ids)).order_by(m.Campaign.year.desc(), m.Campaign.id))
    return [c for c in rows if actor.unit_user or access.in_scope(actor, c.organiser)]


@pages.get("/scoring", response_class=HTMLResponse)
def scoring_page(request: Request, actor: PageActor, s: DB,
                 campaign: int | None = Query(None, ge=1, le=INT_MAX, title="考核任务编号"),
                 pending: bool = Query(False, title="只看未评分")) -> Response:
    found = _scoring_campaigns(s, actor)
    current = next((c for c in found if c.id == campaign), found[0] if found else None)
    queue = A.scoring_queue(s, actor, current.id, pending_only=pending) if current else []
    return _render(request, "assess_scoring.html.j2", title="评分", nav="my_assessment" if actor.unit_user else "assessments",
                   campaigns=found, current=current, queue=queue, pending=pending,
                   done=request.query_params.get("done") or "")


def _scoring_back(request: Request, view: A.ItemView, text: str) -> RedirectResponse:
    back = str(request.headers.get("referer") or "")
    path = back.split("//", 1)[-1].partition("/")[2]
    target = "/" + path if path.startswith(("scoring", "assessments/", "my/assessment")) else "/scoring"
    return _back(target.split("&done=")[0].split("?done=")[0], text)


@pages.post("/assessment-items/{assessment_item_id}/score")
def item_score_page(request: Request, assessment_item_id: ItemId, actor: PageActor, score: str = Form(""),
                    reason: str = Form(""), csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    value = _float(score, "考评分")
    view = _write(request, lambda s: A.score(s, actor, assessment_item_id, value, reason[:2000] or None))
    return _scoring_back(request, view, f"{view.unit_name} 第 {view.ref} 项考评 {_n(view.scorer_score)} 分")


@pages.post("/assessment-items/{assessment_item_id}/self-score")
def item_self_score_page(request: Request, assessment_item_id: ItemId, actor: PageActor, score: str = Form(""),
                         note: str = Form(""), csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    value = _float(score, "自评分")
    if value is None:
        raise InputError("请填写自评分")
    view = _write(request, lambda s: A.self_score(s, actor, assessment_item_id, value, note[:2000] or None))
    return _scoring_back(request, view, f"第 {view.ref} 项自评 {_n(view.self_score)} 分")


@pages.post("/assessment-items/{assessment_item_id}/appeal")
def item_appeal_page(request: Request, assessment_item_id: ItemId, actor: PageActor, text: str = Form(""),
                     csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    ap = _write(request, lambda s: A.appeal(s, actor, assessment_item_id, text[:4000], as_of=today()))
    return _back("/my/assessment" if actor.unit_user else f"/assessments/{_assessment_of(request, ap)}",
                 f"第 {ap.ref} 项已申辩，等待督导办公室处理")


def _assessment_of(request: Request, ap: A.AppealView) -> int:
    with request.app.state.Session() as s:
        ia = s.get(m.ItemAssessment, ap.item_assessment_id)
        assert ia is not None
        return ia.assessment_id


# =========================================================================== the unit
def _my_assessments(s: Session, actor: access.Actor) -> list[dict[str, Any]]:
    if not actor.unit_user:
        return []
    out = []
    for a in s.scalars(select(m.Assessment).where(m.Assessment.unit_id == actor.unit_id).order_by(m.Assessment.id.desc())):
        view = A.assessment_view(s, actor, a.id)
        out.append({"view": view, "result": R.unit_result(s, actor, a.campaign_id, a.unit_id),
                    "campaign": s.get(m.Campaign, a.campaign_id)})
    return out


@pages.get("/my/assessment", response_class=HTMLResponse)
def my_assessment_page(request: Request, actor: PageActor, s: DB) -> Response:
    if not actor.unit_user:
        return RedirectResponse("/assessments", status_code=303)
    return _render(request, "assess_my.html.j2", title="我的考核", nav="my_assessment", mine=_my_assessments(s, actor),
                   scorer=bool(_scoring_campaigns(s, actor)), today=today(),
                   done=request.query_params.get("done") or "")


# =========================================================================== 督察 and 整改
def _units_in_scope(s: Session, actor: access.Actor) -> list[Unit]:
    if not actor.office:
        return []
    rows = s.scalars(select(Unit).where(Unit.valid_to.is_(None)).order_by(Unit.id).limit(2000))
    return [u for u in rows if access.in_scope(actor, u)]


@pages.get("/inspections", response_class=HTMLResponse)
def inspections_page(request: Request, actor: PageActor, s: DB) -> Response:
    if actor.unit_user:
        return RedirectResponse("/my/rectifications", status_code=303)
    return _render(request, "insp_list.html.j2", title="督察整改", nav="inspections",
                   cases=I.list_cases(s, actor), pool=I.problem_pool(s, actor, as_of=today()),
                   units=_units_in_scope(s, actor), kinds=I.words()["kinds"],
                   campaigns=C.list_campaigns(s, actor), office=actor.office, today=today(),
                   done=request.query_params.get("done") or "")


def _open_case(s: Session, actor: access.Actor, kind: str, title: str, unit_ids: list[int], campaign_id: int | None,
               start: dt.date | None, end: dt.date | None) -> I.CaseView:
    if campaign_id is not None:
        C.campaign_for(s, actor, campaign_id)
    return I.open_case(s, actor, kind=kind, title=title, unit_ids=unit_ids, campaign_id=campaign_id,
                       started_on=start, ended_on=end)


def _ids(values: list[str], what: str) -> list[int]:
    out = []
    for v in values:
        v = v.strip()
        if not v:
            continue
        if not v.isdigit() or not 1 <= int(v) <= INT_MAX:
            raise InputError(f"{what}应为正整数（收到“{v[:20]}”）")
        out.append(int(v))
    return out


@pages.post("/inspections")
async def case_open_page(request: Request, actor: PageActor) -> Response:
    form = await request.form(max_files=0, max_fields=200)
    auth.verify_csrf(request, str(form.get("csrf_token") or ""))
    unit_ids = _ids([str(v) for v in form.getlist("unit_id")], "被督察单位")
    campaign = _ids([str(form.get("campaign_id") or "")], "任务编号")
    start, end = _date(str(form.get("started_on") or ""), "开始日期"), _date(str(form.get("ended_on") or ""), "结束日期")
    case = _write(request, lambda s: _open_case(s, actor, str(form.get("kind") or ""), str(form.get("title") or "")[:200],
                                                unit_ids, campaign[0] if campaign else None, start, end))
    return _back(f"/inspections/{case.id}", f"已开展{case.kind_label}“{case.title}”")


@pages.get("/inspections/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: CaseId, actor: PageActor, s: DB) -> Response:
    view = I.case_view(s, actor, case_id, as_of=today())
    office = actor.office and all(access.in_scope(actor, s.get(Unit, u["id"])) for u in view.units)
    return _render(request, "insp_case.html.j2", title=view.title, nav="inspections", case=view, office=office,
                   review_findings=_review_findings(s, actor, view) if office else [],
                   sources=I.words()["sources"], today=today(), done=request.query_params.get("done") or "")


def _review_findings(s: Session, actor: access.Actor, case: I.CaseView) -> list[dict[str, Any]]:
    """The findings of the stored annual-report reviews of the case's units, not yet raised (to raise in one
    click)."""
    from fazhi.corpus.models import Finding, Report
    from fazhi.units.models import Issuer

    keys = [u.key for u in (s.get(Unit, x["id"]) for x in case.units) if u is not None and u.key]
    if not keys:
        return []
    issuers = select(Issuer.id).where(Issuer.key.in_(keys))
    raised = {(f.report_id, f.review_rule) for f in s.scalars(select(m.InspectionFinding).where(
        m.InspectionFinding.report_id.is_not(None)))}
    rows = s.execute(select(Finding, Report).join(Report, Report.id == Finding.report_id)
                     .where(Report.issuer_id.in_(issuers)).order_by(Report.id.desc(), Finding.id).limit(100))
    return [{"id": f.id, "report": r.title or f"报告 {r.id}", "year": r.year, "message": f.message, "severity": f.severity}
            for f, r in rows if (r.id, f.rule) not in raised]


@pages.post("/inspections/{case_id}/findings")
def finding_add_page(request: Request, case_id: CaseId, actor: PageActor, unit_id: str = Form(""), text: str = Form(""),
                     source: str = Form("inspection"), quote_text: str = Form(""), csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    unit = _ids([unit_id], "单位")
    if not unit:
        raise InputError("请选择问题所属单位")
    f = _write(request, lambda s: I.add_finding(s, actor, unit_id=unit[0], text=text[:4000], source=source,
                                                case_id=_case_in_reach(s, actor, case_id),
                                                quote=quote_text[:4000] or None))
    return _back(f"/inspections/{case_id}", f"已登记问题：{f.text}")


def _case_in_reach(s: Session, actor: access.Actor, case_id: int) -> int:
    I.case_view(s, actor, case_id)  # NotFound outside the actor's reach
    return case_id


@pages.post("/inspections/{case_id}/raise")
def finding_raise_page(request: Request, case_id: CaseId, actor: PageActor, review_finding_id: str = Form(""),
                       csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    rid = _ids([review_finding_id], "审查发现编号")
    if not rid:
        raise InputError("请选择年度报告审查发现")
    f = _write(request, lambda s: I.raise_review_finding(s, actor, rid[0], case_id=_case_in_reach(s, actor, case_id)))
    return _back(f"/inspections/{case_id}", f"已列为督察问题：{f.text}")


@pages.post("/findings/{insp_finding_id}/rectifications")
def rect_add_page(request: Request, insp_finding_id: FindingId, actor: PageActor, measure: str = Form(""),
                  deadline: str = Form(""), person: str = Form(""), csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    due = _date(deadline, "完成时限")
    r = _write(request, lambda s: I.add_rectification(s, actor, insp_finding_id, measure=measure[:2000], deadline=due,
                                                      person=person[:100] or None))
    return _back(_case_url(request, r.finding_id), f"已制定整改事项：{r.measure}")


@pages.post("/findings/{insp_finding_id}/documents")
def document_issue_page(request: Request, insp_finding_id: FindingId, actor: PageActor, kind: str = Form(""),
                        text: str = Form(""), csrf_token: str = Form("")) -> Response:
    auth.verify_csrf(request, csrf_token)
    doc = _write(request, lambda s: D.issue_document(s, actor, kind=kind, finding_ids=[insp_finding_id], on=today(),
                                                     text=text[:8000] or None))
    return _back(_case_url(request, insp_finding_id) if not actor.unit_user else "/my/rectifications",
                 f"已生成并存入记录：{doc.title}")


@pages.get("/inspection-documents/{insp_document_id}")
def document_download(insp_document_id: DocumentId, actor: PageActor, s: DB) -> Response:
    name, data = D.document_file(s, actor, insp_document_id)
    return Response(data, media_type=DOCX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


def _case_url(request: Request, finding_id: int) -> str:
    with request.app.state.Session() as s:
        f = s.get(m.InspectionFinding, finding_id)
        return f"/inspections/{f.case_id}" if f is not None and f.case_id else "/inspections"


STEPS = {"start", "submit", "verify", "return", "close", "escalate"}


def _step(s: Session, actor: access.Actor, rect_id: int, action: str, text: str, evidence: list[int]) -> I.RectificationView:
    if action == "start":
        return I.start_rectification(s, actor, rect_id, text or None)
    if action == "submit":
        return I.submit_rectification(s, actor, rect_id, text=text, evidence_ids=evidence)
    if action == "verify":
        return I.verify_rectification(s, actor, rect_id, accept=True, note=text or None)
    if action == "return":
        return I.verify_rectification(s, actor, rect_id, accept=False, note=text)
    if action == "escalate":
        return I.escalate(s, actor, rect_id, as_of=today(), note=text or None)
    return I.close_rectification(s, actor, rect_id, text or None)


def _rect_page(action: str) -> Callable[..., Response]:
    def handler(request: Request, rectification_id: RectId, actor: PageActor, text: str = Form(""),
                evidence: Annotated[list[str] | None, Form()] = None, back: str = Form(""),
                csrf_token: str = Form("")) -> Response:
        auth.verify_csrf(request, csrf_token)
        ev = _ids(",".join(evidence or [])[:2000].replace("，", ",").split(","), "佐证材料编号")
        if len(ev) > 50:
            raise InputError("一次最多附 50 份佐证材料")
        r = _write(request, lambda s: _step(s, actor, rectification_id, action, text[:4000], ev))
        target = "/my/rectifications" if actor.unit_user else _case_url(request, r.finding_id)
        if not actor.unit_user and back == "/inspections":  # from the 问题池: back to it
            target = back
        said = r.escalation_label if action == "escalate" else r.status_label
        return _back(target, f"整改事项 {r.id}（{r.unit['name']}）：{said}")

    handler.__name__ = f"rect_{action}_page"
    return handler


for _action in sorted(STEPS):
    pages.post(f"/rectifications/{{rectification_id}}/{_action}")(_rect_page(_action))


@pages.get("/my/rectifications", response_class=HTMLResponse)
def my_rectifications_page(request: Request, actor: PageActor, s: DB) -> Response:
    if not actor.unit_user:
        return RedirectResponse("/inspections", status_code=303)
    items = I.problem_pool(s, actor, as_of=today(), include_closed=True)
    docs = {r.finding_id: I.finding_view(s, actor, r.finding_id).documents for r in items}
    from fazhi.supervision import evidence as E

    mine = E.unit_evidence(s, actor, actor.unit_id) if actor.unit_id is not None else []
    return _render(request, "insp_my.html.j2", title="我的整改", nav="my_rectifications", items=items, docs=docs,
                   my_evidence=mine[:200], today=today(), done=request.query_params.get("done") or "")


# =========================================================================== REST API
class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OpenBody(_Body):
    model_config = ConfigDict(extra="forbid", title="开展考核")
    profile_ids: list[Annotated[int, Field(ge=1, le=INT_MAX)]] = Field(
        default_factory=list, max_length=20, title="考核细则编号", description="不同类型单位用不同细则；不给出：沿用任务已指定的细则")


class NotifyBody(_Body):
    model_config = ConfigDict(extra="forbid", title="通知考核结果")
    appeal_days: int | None = Field(None, ge=0, le=365, title="申辩期天数", description="不给出：默认天数")


class LockBody(_Body):
    model_config = ConfigDict(extra="forbid", title="锁定考核结果")
    as_of: dt.date | None = Field(None, title="按此日期", description="申辩期是否已过按此日期判断；不给出：今天")


class ScoreBody(_Body):
    model_config = ConfigDict(extra="forbid", title="考评分")
    score: float | None = Field(None, ge=-1000, le=1000, title="考评分", description="不给出：确认建议分")
    reason: str | None = Field(None, max_length=2000, title="评分理由", description="与建议分不同时必填")


class SelfScoreBody(_Body):
    model_config = ConfigDict(extra="forbid", title="自评分")
    score: float = Field(ge=-1000, le=1000, title="自评分", description="不超过本项分值")
    note: str | None = Field(None, max_length=2000, title="自评说明", description="自评的依据")


class AppealBody(_Body):
    model_config = ConfigDict(extra="forbid", title="申辩")
    text: str = Field(min_length=1, max_length=4000, title="申辩理由", description="在申辩期内提出")


class DecideBody(_Body):
    model_config = ConfigDict(extra="forbid", title="申辩处理")
    outcome: str = Field(pattern="^(upheld|partly|rejected)$", title="处理结果",
                         description="upheld 成立、partly 部分成立、rejected 不成立")
    decision: str = Field(min_length=1, max_length=2000, title="处理意见", description="写入最终得分的说明")
    score: float | None = Field(None, ge=-1000, le=1000, title="调整后的得分", description="成立或部分成立时必填")


class CaseBody(_Body):
    model_config = ConfigDict(extra="forbid", title="开展督察")
    kind: str = Field(pattern="^(onsite|stationed|special|joint|case|written)$", title="督察方式",
                      description="onsite 实地、stationed 进驻、special 专项、joint 联动、case 个案、written 书面")
    title: str = Field(min_length=1, max_length=200, title="督察名称", description="如“2025年度法治政府建设实地督察”")
    unit_ids: list[Annotated[int, Field(ge=1, le=INT_MAX)]] = Field(min_length=1, max_length=200, title="被督察单位编号",
                                                                    description="一个或多个单位")
    campaign_id: int | None = Field(None, ge=1, le=INT_MAX, title="所属任务编号", description="可不给出")
    started_on: dt.date | None = Field(None, title="开始日期", description="可不给出")
    ended_on: dt.date | None = Field(None, title="结束日期", description="可不给出")


class FindingBody(_Body):
    model_config = ConfigDict(extra="forbid", title="督察问题")
    unit_id: int = Field(ge=1, le=INT_MAX, title="问题所属单位编号", description="须为该督察的被督察单位")
    text: str = Field(min_length=1, max_length=4000, title="发现的问题", description="问题的表述")
    source: str = Field("inspection", pattern="^(inspection|assessment|report_review|reconsideration|complaint)$",
                        title="问题来源", description="inspection 督察、assessment 考核、report_review 年报审查、"
                                                  "reconsideration 复议纠错、complaint 投诉举报")
    quote: str | None = Field(None, max_length=4000, title="佐证原文", description="可不给出")


class RaiseBody(_Body):
    model_config = ConfigDict(extra="forbid", title="年报审查发现列为督察问题")
    review_finding_id: int = Field(ge=1, le=INT_MAX, title="审查发现编号", description="见报告的审查意见")


class RectBody(_Body):
    model_config = ConfigDict(extra="forbid", title="整改事项")
    measure: str = Field(min_length=1, max_length=2000, title="整改措施", description="具体措施")
    deadline: dt.date | None = Field(None, title="完成时限", description="逾期未报送的逐级督办")
    person: str | None = Field(None, max_length=100, title="责任人", description="可不给出")
    unit_id: int | None = Field(None, ge=1, le=INT_MAX, title="责任单位编号", description="不给出：问题所属单位")


class StepBody(_Body):
    model_config = ConfigDict(extra="forbid", title="整改进展")
    text: str | None = Field(None, max_length=4000, title="说明",
                             description="报送整改情况时为整改情况（必填）；退回时为理由（必填）；其他为备注")
    evidence_ids: list[Annotated[int, Field(ge=1, le=INT_MAX)]] = Field(
        default_factory=list, max_length=50, title="佐证材料编号", description="报送整改情况时附上的已上传材料")


def _csrf(request: Request) -> None:
    auth.verify_csrf(request, None)


@api.get("/assessments", summary="考核任务列表", responses=READ_ERRORS,
         description="您可查看的督导活动及其考核进度（单位数、各状态单位数、已评分项目、待处理申辩）。")
def api_assessments(actor: ApiActor, s: DB) -> Response:
    return _json(_assessed_campaigns(s, actor))


@api.get("/profiles", summary="考核细则列表", responses=READ_ERRORS, description="已导入的考核细则，新导入的在前。")
def api_profiles(actor: ApiActor, s: DB) -> Response:
    return _json(P.list_profiles(s, actor))


@api.post("/profiles", summary="导入考核细则", status_code=201, responses=WRITE_ERRORS,
          openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
              "type": "object", "required": ["file"], "title": "考核细则文件",
              "properties": {"file": {"type": "string", "format": "binary", "title": "文件",
                                      "description": ".xlsx、.docx（表格）、.csv 或 .yaml"},
                             "unit_type": {"type": "string", "maxLength": 40, "title": "适用的单位类型",
                                           "description": "如“县（市、区）”"}}}}}}},
          description="分值与总分不符的整表拒绝（422，说明相差的分值）；未能识别的评分标准按人工评分导入并列出。"
                      "返回新细则的编号和导入摘要。")
async def api_profile_import(request: Request, actor: ApiActor) -> Response:
    form = await request.form(max_files=1, max_fields=8)
    _csrf(request)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise InputError("请在 multipart 字段 file 中提供考核细则文件")
    data = await upload.read()
    unit_type = str(form.get("unit_type") or "").strip()[:40] or None
    result = _write(request, lambda s: P.import_profile(s, actor, data, upload.filename or "考核细则.xlsx",
                                                        unit_type=unit_type))
    return _json({"id": result.id, "existing": result.existing, "summary": result.summary()}, 201)


@api.get("/campaigns/{campaign_id}/assessment", summary="考核结果", responses=READ_ERRORS,
         description="每个单位的自评分、考评分、最终得分、同类单位中的排名及说明、逐项得分和理由"
                     "（与 fazhi assess compute --format json 相同）。")
def api_results(campaign_id: CampaignId, actor: ApiActor, s: DB) -> Response:
    campaign = _office_campaign(s, actor, campaign_id)
    return _json(R.results_json(R.results(s, actor, campaign.id)))


@api.get("/campaigns/{campaign_id}/assessment.xlsx", summary="导出考核结果", responses=READ_ERRORS,
         response_class=Response, description="考核结果汇总表和逐项得分表（xlsx，横向 A4，每页重复表头）。")
def api_results_xlsx(campaign_id: CampaignId, actor: ApiActor, s: DB) -> Response:
    return _xlsx(s, actor, campaign_id)


@api.post("/campaigns/{campaign_id}/assessment/open", summary="开展考核", responses=WRITE_ERRORS,
          description="登记被考核单位，判定每一项是否适用，按记录生成建议分。")
def api_open(request: Request, campaign_id: CampaignId, body: OpenBody, actor: ApiActor) -> Response:
    _csrf(request)
    out = _write(request, lambda s: _open(s, actor, campaign_id, list(body.profile_ids)))
    return _json({"opened": out.opened, "existing": out.existing, "skipped": out.skipped, "summary": out.summary()})


@api.post("/campaigns/{campaign_id}/assessment/notify", summary="通知考核结果", responses=WRITE_ERRORS,
          description="通知评分已完成的单位，开始申辩期。")
def api_notify(request: Request, campaign_id: CampaignId, body: NotifyBody, actor: ApiActor) -> Response:
    _csrf(request)
    out = _write(request, lambda s: A.notify(s, actor, campaign_id, as_of=today(), appeal_days=body.appeal_days))
    return _json({"done": out.done, "not_ready": out.not_ready})


@api.post("/campaigns/{campaign_id}/assessment/lock", summary="锁定考核结果", responses=WRITE_ERRORS,
          description="确定并锁定申辩期已过、申辩均已处理的单位的结果；锁定后只能更正（另存新版本）。")
def api_lock(request: Request, campaign_id: CampaignId, body: LockBody, actor: ApiActor) -> Response:
    _csrf(request)
    out = _write(request, lambda s: A.lock(s, actor, campaign_id, as_of=body.as_of or today()))
    return _json({"done": out.done, "not_ready": out.not_ready})


@api.get("/campaigns/{campaign_id}/appeals", summary="待处理的申辩", responses=READ_ERRORS,
         description="考核任务中等待督导办公室处理的申辩，先提出的在前。")
def api_appeals(campaign_id: CampaignId, actor: ApiActor, s: DB) -> Response:
    _office_campaign(s, actor, campaign_id)
    return _json(A.open_appeals(s, actor, campaign_id))


@api.get("/campaigns/{campaign_id}/scoring", summary="我的评分项目", responses=READ_ERRORS,
         description="考核任务中由您（评分责任单位的用户或督导办公室）评分的项目，未评分的在前；"
                     "每项有建议分及其依据和证据。不含本单位的项目（回避）。")
def api_scoring(campaign_id: CampaignId, actor: ApiActor, s: DB,
                pending: bool = Query(False, title="只看未评分", description="只列出尚未评分的项目")) -> Response:
    if not actor.unit_user:
        _office_campaign(s, actor, campaign_id)
    elif campaign_id not in {c.id for c in _scoring_campaigns(s, actor)}:
        raise access.NotFound(f"没有编号为 {campaign_id} 的督导活动")
    return _json(A.scoring_queue(s, actor, campaign_id, pending_only=pending))


@api.get("/assessments/{assessment_id}", summary="单位的考核", responses=READ_ERRORS,
         description="一个单位的考核：状态、三种总分、逐项的自评分、建议分（及依据）、考评分、最终得分、申辩和版本。")
def api_assessment(assessment_id: AssessmentId, actor: ApiActor, s: DB) -> Response:
    return _json(A.assessment_view(s, actor, assessment_id))


@api.get("/assessment-items/{assessment_item_id}", summary="考核项目", responses=READ_ERRORS,
         description="一个单位的一项考评内容：分值、评分标准、自评分、建议分及依据、考评分、最终得分、申辩。")
def api_item(assessment_item_id: ItemId, actor: ApiActor, s: DB) -> Response:
    return _json(A.item_view(s, actor, assessment_item_id))


@api.post("/assessment-items/{assessment_item_id}/score", summary="评分", responses=WRITE_ERRORS,
          description="确认建议分（不给出 score），或给出考评分并写明理由；评分人不能为本单位评分（回避，403）。")
def api_score(request: Request, assessment_item_id: ItemId, body: ScoreBody, actor: ApiActor) -> Response:
    _csrf(request)
    return _json(_write(request, lambda s: A.score(s, actor, assessment_item_id, body.score, body.reason)))


@api.post("/assessment-items/{assessment_item_id}/self-score", summary="自评", responses=WRITE_ERRORS,
          description="单位填写一项的自评分和说明（超出分值的拒绝，422）。")
def api_self_score(request: Request, assessment_item_id: ItemId, body: SelfScoreBody, actor: ApiActor) -> Response:
    _csrf(request)
    return _json(_write(request, lambda s: A.self_score(s, actor, assessment_item_id, body.score, body.note)))


@api.post("/assessment-items/{assessment_item_id}/appeal", summary="申辩", status_code=201, responses=WRITE_ERRORS,
          description="单位对已通知的得分提出申辩（申辩期内；期满后 422）。")
def api_appeal(request: Request, assessment_item_id: ItemId, body: AppealBody, actor: ApiActor) -> Response:
    _csrf(request)
    return _json(_write(request, lambda s: A.appeal(s, actor, assessment_item_id, body.text, as_of=today())), 201)


@api.post("/appeals/{appeal_id}/decide", summary="处理申辩", responses=WRITE_ERRORS,
          description="督导办公室处理申辩：成立或部分成立（给出调整后的得分），或不成立（考评分不变）。")
def api_decide(request: Request, appeal_id: AppealId, body: DecideBody, actor: ApiActor) -> Response:
    _csrf(request)
    return _json(_write(request, lambda s: A.decide(s, actor, appeal_id, outcome=body.outcome, decision=body.decision,
                                                    value=body.score)))


@api.get("/inspections", summary="督察列表", responses=READ_ERRORS,
         description="您可查看的督察，新开展的在前：方式、名称、被督察单位、日期、状态、整改事项销号数。")
def api_cases(actor: ApiActor, s: DB) -> Response:
    return _json(I.list_cases(s, actor))


@api.post("/inspections", summary="开展督察", status_code=201, responses=WRITE_ERRORS,
          description="对一个或多个单位开展督察（督导办公室，限管辖范围内的单位）。")
def api_case_open(request: Request, body: CaseBody, actor: ApiActor) -> Response:
    _csrf(request)
    return _json(_write(request, lambda s: _open_case(s, actor, body.kind, body.title, list(body.unit_ids),
                                                      body.campaign_id, body.started_on, body.ended_on)), 201)


@api.get("/inspections/{case_id}", summary="督察详情", responses=READ_ERRORS,
         description="督察的问题、整改事项（进展、逾期天数、督办级别、每一步记录）和文书。单位用户只看到本单位的问题。")
def api_case(case_id: CaseId, actor: ApiActor, s: DB) -> Response:
    return _json(I.case_view(s, actor, case_id, as_of=today()))


@api.post("/inspections/{case_id}/findings", summary="登记督察问题", status_code=201, responses=WRITE_ERRORS,
          description="登记督察中发现的问题（须为被督察单位的问题）。")
def api_finding_add(request: Request, case_id: CaseId, body: FindingBody, actor: ApiActor) -> Response:
    _csrf(request)
    return _json(_write(request, lambda s: I.add_finding(
        s, actor, unit_id=body.unit_id, text=body.text, source=body.source,
        case_id=_case_in_reach(s, actor, case_id), quote=body.quote)), 201)


@api.post("/inspections/{case_id}/raise", summary="年报审查发现列为督察问题", status_code=201, responses=WRITE_ERRORS,
          description="把年度报告审查的一条发现一步列为督察问题：单位为报告单位，问题、规则和原文随之带入。")
def api_finding_raise(request: Request, case_id: CaseId, body: RaiseBody, actor: ApiActor) -> Response:
    _csrf(request)
    return _json(_write(request, lambda s: I.raise_review_finding(
        s, actor, body.review_finding_id, case_id=_case_in_reach(s, actor, case_id))), 201)


@api.post("/findings/{insp_finding_id}/rectifications", summary="制定整改事项", status_code=201, responses=WRITE_ERRORS,
          description="为督察问题制定整改事项：措施、责任单位、责任人、完成时限。")
def api_rect_add(request: Request, insp_finding_id: FindingId, body: RectBody, actor: ApiActor) -> Response:
    _csrf(request)
    return _json(_write(request, lambda s: I.add_rectification(s, actor, insp_finding_id, measure=body.measure,
                                                               deadline=body.deadline, person=body.person,
                                                               unit_id=body.unit_id)), 201)


@api.get("/rectifications", summary="问题池", responses=READ_ERRORS,
         description="所有未销号的整改事项（各轮），逾期最久的在前；单位用户只看到本单位的。")
def api_pool(actor: ApiActor, s: DB,
             closed: bool = Query(False, title="含已销号", description="同时列出已销号的事项")) -> Response:
    return _json(I.problem_pool(s, actor, as_of=today(), include_closed=closed))


@api.get("/rectifications/{rectification_id}", summary="整改事项", responses=READ_ERRORS,
         description="整改事项的措施、责任单位和责任人、时限、状态、逾期天数、督办级别和每一步记录。")
def api_rect(rectification_id: RectId, actor: ApiActor, s: DB) -> Response:
    return _json(I.rectification_view(s, actor, rectification_id, as_of=today()))


STEP_TEXT = {"start": ("开始整改", "单位开始整改（待整改 → 整改中）。"),
             "submit": ("报送整改情况", "单位报送整改情况（text 必填），可附已上传的佐证材料。"),
             "verify": ("核验整改情况", "督导办公室核验已报送的整改情况（→ 已核验）。"),
             "return": ("退回整改情况", "督导办公室退回已报送的整改情况（text 为理由，必填；→ 整改中）。"),
             "close": ("销号", "督导办公室为已核验的整改事项销号。"),
             "escalate": ("督办", "督导办公室对逾期未报送的整改事项升级督办一级（函询约谈 → 挂牌督办 → 通报批评；"
                                "text 为督办说明，可不给出）；未逾期、已报送或已到最高一级的 422。")}


def _rect_api(action: str) -> Callable[..., Response]:
    def handler(request: Request, rectification_id: RectId, body: StepBody, actor: ApiActor) -> Response:
        _csrf(request)
        return _json(_write(request, lambda s: _step(s, actor, rectification_id, action, body.text or "",
                                                     list(body.evidence_ids))))

    handler.__name__ = f"api_rect_{action}"
    return handler


for _action in sorted(STEPS):
    api.post(f"/rectifications/{{rectification_id}}/{_action}", summary=STEP_TEXT[_action][0],
             description=STEP_TEXT[_action][1], responses=WRITE_ERRORS)(_rect_api(_action))


__all__ = ["api", "pages"]
