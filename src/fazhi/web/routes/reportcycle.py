"""Pages and REST API of the annual report's own cycle: drafts, self-check, submission, 审查意见书 (issue 12).

``pages`` (server-rendered) and ``api`` (under ``/api``) are thin shells over the service functions of
:mod:`fazhi.supervision`; the same functions serve the CLI.

Unit side: ``/my/report`` (the unit's campaigns, its report's state and drafts; a new draft from the
record), ``/drafts/{draft_id}`` (the draft by section, each sentence's sources on click, 【待补充】 gaps
marked, edit and save, self-check, comments, stage buttons, submission, .docx).  Office side:
``/annual-reports`` (the campaigns), ``/campaigns/{campaign_id}/reports?as_of=`` (who must report, and
their status as of a date; the 情况通报 .docx), ``/annual-reports/{annual_report_id}`` (versions, review,
通过 / 退回修改, 审查意见书, diff of a resubmission, publication).  ``/reports/{report_id}/opinion.docx``
is the 审查意见书 of any stored report (its review page has the button).

The services refuse with ``Forbidden``/``NotFound``/``InputError`` (403/404/422); their own
``ReportError``/``DraftError`` are answered as ``InputError``.  Every write checks the CSRF token
(form field or ``X-CSRF-Token`` header) before anything else.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.datastructures import FormData

from fazhi.corpus import reports as stored
from fazhi.db.base import INT_MAX
from fazhi.supervision import drafting, memo, reports, selfcheck
from fazhi.supervision.access import Actor, Forbidden
from fazhi.supervision.errors import InputError
from fazhi.supervision.models import Campaign
from fazhi.web import auth
from fazhi.web.deps import DB, ApiActor, ApiUser, PageActor, PageUser, RowId

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["年度报告"])

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NO_NUL = r"^[^\x00]*$"
MAX_FIELD = 2000
#: what a cite's ``type`` is, in Chinese (the record a sentence came from)
CITE_LABEL = {"progress": "任务进展", "evidence": "佐证材料", "task": "任务", "finding": "督察问题",
              "rectification": "整改事项", "assessment": "年度考核", "item_assessment": "考核项目",
              "report": "上年度报告"}
STAGE_ORDER = ("drafting", "first_draft", "discussion", "leader_review", "confirmed", "submitted")
STATUS_ORDER = tuple(reports.STATUSES)
SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
OP_LABEL = {"added": "新增", "removed": "删除", "changed": "修改"}


# =========================================================================== plumbing
@contextlib.contextmanager
def refusals() -> Iterator[None]:
    """The report services' own refusals (``ReportError``, ``DraftError``, ``SmoothingError``) as
    :class:`InputError`: 422 with their Chinese message."""
    from fazhi.supervision.smoothing import SmoothingError

    try:
        yield
    except (reports.ReportError, drafting.DraftError, SmoothingError) as exc:
        raise InputError(str(exc)) from None


def attachment(name: str, fallback: str) -> str:
    return f'attachment; filename="{fallback}"; filename*=UTF-8\'\'{quote(name, safe="")}'


def docx_response(data: bytes, name: str, fallback: str) -> Response:
    return Response(data, media_type=DOCX, headers={"Content-Disposition": attachment(name, fallback)})


async def page_form(request: Request) -> FormData:
    """A page form (no files): read, and its CSRF token checked (403 otherwise) before anything else."""
    form = await request.form(max_files=0, max_fields=4000, max_part_size=1024 * 1024)
    auth.verify_csrf(request, str(form.get("csrf_token") or ""))
    return form


async def api_write(request: Request, actor: ApiActor) -> Any:
    """The actor of a state-changing API call: the CSRF header (or an API token) checked before the body
    is validated."""
    auth.verify_csrf(request, None)
    return actor


PageForm = Annotated[FormData, Depends(page_form)]
ApiWriter = Annotated[Any, Depends(api_write)]
AsOf = Annotated[dt.date | None, Query(title="截至日期", description="截至这一天（YYYY-MM-DD，默认今天，中国时间）")]
Version = Annotated[int | None, Query(ge=1, le=10_000, title="版本", description="第几版（默认最新报送的一版）")]
CampaignId = Annotated[int, Path(ge=1, le=INT_MAX, title="督导活动编号", description="督导活动的编号")]
UnitId = Annotated[int, Path(ge=1, le=INT_MAX, title="单位编号", description="督导单位的编号")]
DraftId = Annotated[int, Path(ge=1, le=INT_MAX, title="草稿编号", description="年度报告草稿的编号")]
AnnualReportId = Annotated[int, Path(ge=1, le=INT_MAX, title="年度报告编号",
                                     description="单位在督导活动中的年度报告（报送）的编号")]


def _text(form: FormData, name: str, limit: int = MAX_FIELD) -> str:
    value = str(form.get(name) or "").replace("\x00", "")
    if len(value) > limit:
        raise InputError(f"“{name}”过长（{len(value)} 字，上限 {limit} 字）")
    return value


def _no_nul(value: Any) -> Any:
    """``value`` (text, or lists and dicts of it) without NUL characters (PostgreSQL stores none)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_no_nul(v) for v in value]
    if isinstance(value, dict):
        return {k: _no_nul(v) for k, v in value.items()}
    return value


def _date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{what}“{text}”应写成 YYYY-MM-DD（如 2026-03-01）") from None


def _write(request: Request) -> Any:
    return request.app.state.WriteSession.begin()


def _redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


# =========================================================================== views for the templates
def _cite(c: Mapping[str, Any]) -> dict[str, Any]:
    kind = str(c.get("type") or "")
    href = f"/reports/{c['id']}" if kind == "report" and c.get("id") else None
    if href and c.get("start") is not None:
        href += f"?hl={int(c['start'])}-{int(c['end'])}"
    return {"type": kind, "kind": CITE_LABEL.get(kind, kind), "label": str(c.get("label") or ""), "id": c.get("id"),
            "href": href}


def _segments(text: str) -> list[tuple[bool, str]]:
    """``text`` as (is a 【待补充】 gap, piece) pieces."""
    out: list[tuple[bool, str]] = []
    at = 0
    for m in drafting.GAP.finditer(text):
        if m.start() > at:
            out.append((False, text[at:m.start()]))
        out.append((True, m.group(0)))
        at = m.end()
    if at < len(text):
        out.append((False, text[at:]))
    return out


def draft_sections(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The draft's sections for the editor: each sentence with its pieces (gaps marked) and its sources."""
    from fazhi.documents.gongwen import heading_marker

    out = []
    n = level1 = 0
    for si, sec in enumerate(content.get("sections") or []):
        paras = []
        level1 += 1 if sec.get("heading") else 0
        level2 = 0
        for pi, p in enumerate(sec.get("paragraphs") or []):
            level2 += 1 if p.get("kind") == "heading" else 0
            sents = []
            for s in p.get("sentences") or [{"text": p.get("text") or "", "cites": []}]:
                n += 1
                sents.append({"sid": f"s{n}", "text": s.get("text") or "", "segments": _segments(s.get("text") or ""),
                              "cites": [_cite(c) for c in s.get("cites") or []]})
            paras.append({"index": pi, "kind": p.get("kind") or "text", "text": p.get("text") or "",
                          "sentences": sents, "marker": heading_marker(2, level2) if p.get("kind") == "heading" else ""})
        out.append({"index": si, "part": sec.get("part"), "heading": sec.get("heading"), "paragraphs": paras,
                    "marker": heading_marker(1, level1) if sec.get("heading") else ""})
    return out


def _stage_index(stage: str) -> int:
    return STAGE_ORDER.index(stage) if stage in STAGE_ORDER else 0


# =========================================================================== unit: my report
def _my_campaigns(s: Any, actor: Actor) -> list[dict[str, Any]]:
    from fazhi.supervision.campaigns import list_campaigns
    from fazhi.supervision.models import AnnualReport

    views = {c.id: c for c in list_campaigns(s, actor)}
    started = s.scalars(select(AnnualReport.campaign_id).where(AnnualReport.unit_id == actor.unit_id))
    for cid in started:
        if cid not in views:
            row = s.get(Campaign, cid)
            if row is not None:
                from fazhi.supervision.campaigns import _view

                views[cid] = _view(s, row)
    out = []
    unit_id: int = actor.unit_id or 0
    for c in sorted(views.values(), key=lambda c: (-c.year, -c.id)):
        report = reports.find_report(s, actor, c.id, unit_id)
        drafts = drafting.list_drafts(s, actor, c.id, unit_id)
        out.append({"campaign": c, "report": report, "drafts": drafts, "unit_id": unit_id,
                    "leader": actor.duty == "leader"})
    return out


@pages.get("/my/report", response_class=HTMLResponse)
def my_report(request: Request, s: DB, actor: PageActor) -> Response:
    if not actor.unit_user:
        return pages_render(request, "rc_my.html.j2", title="本单位年度报告", nav="my_report", items=[],
                            unit_name=None, office=actor.role in ("admin", "reviewer", "viewer"))
    from fazhi.units.models import Unit

    unit = s.get(Unit, actor.unit_id)
    return pages_render(request, "rc_my.html.j2", title="本单位年度报告", nav="my_report",
                        items=_my_campaigns(s, actor), unit_name=unit.name if unit else "", office=False)


@pages.post("/campaigns/{campaign_id}/units/{unit_id}/drafts")
def draft_create_page(request: Request, campaign_id: CampaignId, unit_id: UnitId, form: PageForm, actor: PageActor
                      ) -> Response:
    with refusals(), _write(request) as w:
        view = drafting.create_draft(w, actor, campaign_id, unit_id)
    return _redirect(f"/drafts/{view.id}")


MAX_FILE = 1024 * 1024 - 64 * 1024  # a report file sent from a page (the whole request stays under 1 MB)


async def _page_file(request: Request, *, required: bool) -> tuple[FormData, bytes | None, str]:
    form = await request.form(max_files=1, max_fields=16, max_part_size=64 * 1024)
    auth.verify_csrf(request, str(form.get("csrf_token") or ""))
    upload = form.get("files")
    if upload is None or isinstance(upload, str) or (not required and not upload.filename):
        if required:
            raise InputError("请选择一个报告文件（.docx .pdf .txt …）")
        return form, None, ""
    data = await upload.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise InputError(f"文件过大（上限 {MAX_FILE // 1024} KB）")
    if not data:
        raise InputError("文件是空的")
    return form, data, (upload.filename or "报告文件")[:200]


async def page_upload(request: Request) -> tuple[FormData, bytes, str]:
    """A page form with one report file (field ``files``): its CSRF token checked first; the file's bytes
    and name (422 when there is none or it is too large)."""
    form, data, name = await _page_file(request, required=True)
    assert data is not None
    return form, data, name


async def page_maybe_upload(request: Request) -> tuple[FormData, bytes | None, str]:
    """As :func:`page_upload`, the file optional (None when the form has none)."""
    return await _page_file(request, required=False)


PageUpload = Annotated[tuple[FormData, bytes, str], Depends(page_upload)]
PageMaybeUpload = Annotated[tuple[FormData, bytes | None, str], Depends(page_maybe_upload)]


@pages.post("/campaigns/{campaign_id}/units/{unit_id}/selfcheck", response_class=HTMLResponse)
def file_check_page(request: Request, campaign_id: CampaignId, unit_id: UnitId, upload: PageUpload, s: DB,
                    actor: PageActor) -> Response:
    """Self-check of a report file written outside fazhi, against the unit's record."""
    _, data, name = upload
    with refusals():
        result = selfcheck.self_check(s, actor, campaign_id, unit_id, data=data, filename=name)
    campaign = s.get(Campaign, campaign_id)
    from fazhi.units.models import Unit

    unit = s.get(Unit, unit_id)
    return pages_render(request, "rc_check.html.j2", title=f"自查：{name}", nav="my_report", check=result,
                        file=name, campaign=campaign, unit_name=unit.name if unit else "", severity=SEVERITY,
                        submit_to=f"/campaigns/{campaign_id}/units/{unit_id}/submit",
                        leader=actor.unit_user and actor.unit_id == unit_id and actor.duty == "leader")


@pages.post("/campaigns/{campaign_id}/units/{unit_id}/submit")
def file_submit_page(request: Request, campaign_id: CampaignId, unit_id: UnitId, upload: PageUpload,
                     actor: PageActor) -> Response:
    """The unit's 主要负责人 submits a report file written outside fazhi (or resubmits one returned)."""
    form, data, name = upload
    copies, note = _copies(_text(form, "copies_to", 500)), _text(form, "note", 500) or None
    with refusals(), _write(request) as w:
        view = reports.submit_report(w, actor, campaign_id, unit_id, data=data, filename=name, copies_to=copies,
                                     note=note)
    return _redirect(f"/annual-reports/{view.id}")


# =========================================================================== unit: the draft
def _draft_page(request: Request, s: Any, actor: Actor, draft_id: int, *, check: bool = False, edit: bool = False,
                error: str | None = None, status: int = 200) -> Response:
    view = drafting.get_draft(s, actor, draft_id)
    report = reports.find_report(s, actor, view.campaign_id or 0, view.unit_id) if view.campaign_id else None
    campaign = s.get(Campaign, view.campaign_id) if view.campaign_id else None
    result = None
    sections = draft_sections(view.content)
    if check:
        with refusals():
            result = selfcheck.self_check(s, actor, view.campaign_id or 0, view.unit_id, draft_id=view.id)
        for st in (st for sec in sections for p in sec["paragraphs"] for st in p["sentences"]):
            st["differs"] = [d.message for d in result.differences
                             if d.text.strip() and (d.text.strip() in st["text"] or st["text"].strip() in d.text)]
    member = actor.unit_user and actor.unit_id == view.unit_id
    returned = report is not None and report.status == "returned"
    editable = (member or actor.office) and (view.stage != "submitted")
    stage = view.stage
    i = _stage_index(stage)
    next_stage = STAGE_ORDER[i + 1] if stage in ("drafting", "first_draft", "discussion") else None
    comments = reports.list_comments(s, actor, "draft", view.id)
    return pages_render(
        request, "rc_draft.html.j2", status=status, title=view.title or "年度报告草稿", nav="my_report" if member else
        "annual_reports", draft=view, sections=sections, campaign=campaign, report=report,
        check=result, edit=edit and editable, editable=editable, member=member, leader=member and actor.duty == "leader",
        stages=[(k, reports.STAGES[k]) for k in STAGE_ORDER], stage_index=i, next_stage=next_stage,
        next_label=reports.STAGES.get(next_stage or "", ""), returned=returned, comments=comments,
        commentable=member and stage in ("first_draft", "discussion", "leader_review"), error=error,
        back_stages=[(k, reports.STAGES[k]) for k in STAGE_ORDER[:min(i, 4)]] if (stage != "submitted" or returned)
        else [], cite_json=json.dumps, severity=SEVERITY)


@pages.get("/drafts/{draft_id}", response_class=HTMLResponse)
def draft_page(request: Request, draft_id: DraftId, s: DB, actor: PageActor,
               check: Annotated[bool, Query()] = False, edit: Annotated[bool, Query()] = False) -> Response:
    return _draft_page(request, s, actor, draft_id, check=check, edit=edit)


def _draft_write(request: Request, s: Any, actor: Actor, draft_id: int, change: Any, done: str) -> Response:
    """Run ``change(write_session)``; a refusal of the input shows the draft again with its message (422)."""
    try:
        with refusals(), _write(request) as w:
            change(w)
    except InputError as exc:
        s.rollback()
        return _draft_page(request, s, actor, draft_id, error=str(exc), status=422)
    return _redirect(done)


def _edited(content: Mapping[str, Any], form: FormData) -> list[dict[str, Any]]:
    """The draft's sections with the texts of the form (``text-<section>-<paragraph>``; ``heading-<section>``)."""
    out = []
    for si, sec in enumerate(content.get("sections") or []):
        heading = sec.get("heading")
        if f"heading-{si}" in form and heading:
            heading = _text(form, f"heading-{si}", 200).strip() or heading
        paras = []
        for pi, p in enumerate(sec.get("paragraphs") or []):
            name = f"text-{si}-{pi}"
            text = _text(form, name, drafting.MAX_TEXT) if name in form else str(p.get("text") or "")
            paras.append({"kind": p.get("kind") or "text", "text": text.replace("\r", "").replace("\n", "")})
        extra = _text(form, f"new-{si}", drafting.MAX_TEXT).replace("\r", "").strip()
        paras += [{"kind": "text", "text": line} for line in extra.split("\n") if line.strip()]
        out.append({"part": sec.get("part"), "heading": heading, "paragraphs": paras})
    return out


@pages.post("/drafts/{draft_id}", response_class=HTMLResponse)
def draft_save_page(request: Request, draft_id: DraftId, form: PageForm, s: DB, actor: PageActor) -> Response:
    view = drafting.get_draft(s, actor, draft_id)
    sections = _edited(view.content, form)
    title = _text(form, "title", 200) or None
    return _draft_write(request, s, actor, draft_id,
                        lambda w: drafting.update_draft(w, actor, draft_id, sections, title=title),
                        f"/drafts/{draft_id}?saved=1")


@pages.post("/drafts/{draft_id}/stage", response_class=HTMLResponse)
def draft_stage_page(request: Request, draft_id: DraftId, form: PageForm, s: DB, actor: PageActor) -> Response:
    stage = _text(form, "stage", 40)
    return _draft_write(request, s, actor, draft_id, lambda w: reports.set_stage(w, actor, draft_id, stage),
                        f"/drafts/{draft_id}")


@pages.post("/drafts/{draft_id}/confirm", response_class=HTMLResponse)
def draft_confirm_page(request: Request, draft_id: DraftId, form: PageForm, s: DB, actor: PageActor) -> Response:
    return _draft_write(request, s, actor, draft_id, lambda w: reports.confirm_draft(w, actor, draft_id),
                        f"/drafts/{draft_id}")


@pages.post("/drafts/{draft_id}/comments", response_class=HTMLResponse)
def draft_comment_page(request: Request, draft_id: DraftId, form: PageForm, s: DB, actor: PageActor) -> Response:
    text = _text(form, "text", reports.MAX_COMMENT + 10)
    return _draft_write(request, s, actor, draft_id, lambda w: reports.add_comment(w, actor, "draft", draft_id, text),
                        f"/drafts/{draft_id}#comments")


def _copies(text: str) -> list[str]:
    return [c for c in re.split(r"[,，、;；\n]+", text) if c.strip()][:20]


@pages.post("/drafts/{draft_id}/submit", response_class=HTMLResponse)
def draft_submit_page(request: Request, draft_id: DraftId, form: PageForm, s: DB, actor: PageActor) -> Response:
    view = drafting.get_draft(s, actor, draft_id)
    copies, note = _copies(_text(form, "copies_to", 500)), _text(form, "note", 500) or None
    done: dict[str, int] = {}

    def change(w: Any) -> None:
        done["id"] = reports.submit_report(w, actor, view.campaign_id or 0, view.unit_id, draft_id=draft_id,
                                           copies_to=copies, note=note).id

    answer = _draft_write(request, s, actor, draft_id, change, "")
    return _redirect(f"/annual-reports/{done['id']}") if "id" in done else answer


@pages.get("/drafts/{draft_id}/draft.docx")
def draft_docx_page(draft_id: DraftId, s: DB, actor: PageActor) -> Response:
    data, name = drafting.draft_docx(s, actor, draft_id)
    return docx_response(data, name, f"draft-{draft_id}.docx")


# =========================================================================== office: campaigns and the board
@pages.get("/annual-reports", response_class=HTMLResponse)
def annual_reports_page(request: Request, s: DB, actor: PageActor) -> Response:
    from fazhi.supervision.campaigns import list_campaigns

    if actor.unit_user:
        return _redirect("/my/report")
    if actor.role not in ("admin", "reviewer", "viewer"):
        raise Forbidden("年报报送情况需要督导办公室或查看权限")
    return pages_render(request, "rc_index.html.j2", title="年报报送", nav="annual_reports",
                        campaigns=list_campaigns(s, actor))


def _counts(rows: list[reports.StatusRow]) -> list[tuple[str, str, int]]:
    return [(k, reports.STATUSES[k], sum(1 for r in rows if r.status == k)) for k in STATUS_ORDER]


@pages.get("/campaigns/{campaign_id}/reports", response_class=HTMLResponse)
def board_page(request: Request, campaign_id: CampaignId, s: DB, actor: PageActor, as_of: AsOf = None) -> Response:
    day = as_of or reports.today()
    rows = reports.report_status(s, actor, campaign_id, day)
    campaign = s.get(Campaign, campaign_id)
    return pages_render(request, "rc_board.html.j2", title=f"{campaign.name if campaign else ''} 年度报告报送情况",
                        nav="annual_reports", campaign=campaign, rows=rows, as_of=day, counts=_counts(rows),
                        china_day=reports.china_day, publish_by=reports.publish_by(campaign) if campaign else None)


@pages.get("/campaigns/{campaign_id}/reports/memo.docx")
def memo_page(campaign_id: CampaignId, s: DB, actor: PageActor, as_of: AsOf = None) -> Response:
    campaign = reports.campaign_board(s, actor, campaign_id)
    data = memo.memo_docx(s, actor, campaign_id, as_of)
    return docx_response(data, f"{campaign.name}年度报告报送情况通报.docx", f"memo-{campaign_id}.docx")


# =========================================================================== office: one unit's report
def _report_page(request: Request, s: Any, actor: Actor, annual_report_id: int, *, error: str | None = None,
                 status: int = 200) -> Response:
    view = reports.get_report(s, actor, annual_report_id)
    campaign = s.get(Campaign, view.campaign_id)
    diff = None
    if sum(1 for v in view.versions if v.kind == "submission") >= 2:
        with refusals():
            diff = reports.version_diff(s, actor, annual_report_id)
    check = reports.publication_check(s, actor, annual_report_id) if view.versions else None
    from fazhi.units.models import Unit

    organiser = s.get(Unit, campaign.organiser_id) if campaign and campaign.organiser_id else None
    from fazhi.supervision.access import in_scope

    office = actor.office and in_scope(actor, organiser)
    member = actor.unit_user and actor.unit_id == view.unit_id
    draft = None
    if member or office:
        drafts = drafting.list_drafts(s, actor, view.campaign_id, view.unit_id)
        draft = drafts[0] if drafts else None
    return pages_render(
        request, "rc_report.html.j2", status=status, title=f"{view.unit_name}{view.year}年度报告",
        nav="my_report" if member else "annual_reports", ar=view, campaign=campaign, diff=diff, check=check,
        office=office, member=member, draft=draft, error=error, review=view.review or {}, severity=SEVERITY,
        op_label=OP_LABEL, comments=reports.list_comments(s, actor, "annual_report", view.id),
        submissions=[v for v in view.versions if v.kind == "submission"])


@pages.get("/annual-reports/{annual_report_id}", response_class=HTMLResponse)
def report_page(request: Request, annual_report_id: AnnualReportId, s: DB, actor: PageActor) -> Response:
    return _report_page(request, s, actor, annual_report_id)


def _report_write(request: Request, s: Any, actor: Actor, annual_report_id: int, change: Any) -> Response:
    try:
        with refusals(), _write(request) as w:
            change(w)
    except InputError as exc:
        s.rollback()
        return _report_page(request, s, actor, annual_report_id, error=str(exc), status=422)
    return _redirect(f"/annual-reports/{annual_report_id}")


@pages.post("/annual-reports/{annual_report_id}/decision", response_class=HTMLResponse)
def decision_page(request: Request, annual_report_id: AnnualReportId, form: PageForm, s: DB, actor: PageActor) -> Response:
    decision = _text(form, "decision", 20)
    if decision not in ("accept", "return"):
        raise InputError("审查结论应为“通过”（accept）或“退回修改”（return）")
    reason = _text(form, "reason", MAX_FIELD) or None
    return _report_write(request, s, actor, annual_report_id, lambda w: reports.decide_report(
        w, actor, annual_report_id, accept=decision == "accept", reason=reason))


@pages.post("/annual-reports/{annual_report_id}/publication", response_class=HTMLResponse)
def publication_page(request: Request, annual_report_id: AnnualReportId, upload: PageMaybeUpload, s: DB,
                     actor: PageActor) -> Response:
    form, data, name = upload
    url, on = _text(form, "url", 500), _date(_text(form, "on", 20), "公开日期")
    return _report_write(request, s, actor, annual_report_id, lambda w: reports.publish_report(
        w, actor, annual_report_id, url=url, on=on, data=data, filename=name or None))


@pages.post("/annual-reports/{annual_report_id}/comments", response_class=HTMLResponse)
def report_comment_page(request: Request, annual_report_id: AnnualReportId, form: PageForm, s: DB, actor: PageActor
                        ) -> Response:
    text = _text(form, "text", reports.MAX_COMMENT + 10)
    return _report_write(request, s, actor, annual_report_id,
                         lambda w: reports.add_comment(w, actor, "annual_report", annual_report_id, text))


@pages.get("/annual-reports/{annual_report_id}/opinion.docx")
def opinion_page(annual_report_id: AnnualReportId, s: DB, actor: PageActor, version: Version = None) -> Response:
    data, name = reports.opinion(s, actor, annual_report_id, version=version)
    return docx_response(data, name, f"opinion-{annual_report_id}.docx")


def opinion_preview(s: Any, actor: Actor, annual_report_id: int, version: int | None = None) -> dict[str, Any]:
    """The 审查意见书 of a submitted version as :func:`fazhi.supervision.reports.opinion` writes it, as the
    blocks of its outline (for the page that previews it)."""
    from fazhi.corpus.models import Report
    from fazhi.documents.opinion import opinion_document
    from fazhi.supervision.access import NotFound

    view = reports.get_report(s, actor, annual_report_id)
    chosen = [v for v in view.versions if v.kind == "submission" and (version is None or v.number == version)]
    if not chosen:
        raise NotFound(f"年度报告 {annual_report_id} 没有{'第 ' + str(version) + ' 版' if version else '报送的版本'}")
    v = chosen[-1]
    report = s.get(Report, v.report_id)
    campaign = s.get(Campaign, view.campaign_id)
    conclusion = None
    if v.decision == "accepted":
        conclusion = "审查结论：通过。" + (v.decision_note or "")
    elif v.decision == "returned":
        conclusion = f"审查结论：退回修改。{v.decision_note or ''}"
    office = ((campaign.settings or {}).get("office") or campaign.organiser_name) if campaign else None
    doc = opinion_document(dict(report.review or {}) if report else {}, reviewer=actor.name or None, office=office,
                           date=reports.today(), conclusion=conclusion)
    return {"title": doc.title, "blocks": doc.outline(), "version": v.number, "view": view}


@pages.get("/annual-reports/{annual_report_id}/opinion", response_class=HTMLResponse)
def opinion_preview_page(request: Request, annual_report_id: AnnualReportId, s: DB, actor: PageActor,
                         version: Version = None) -> Response:
    got = opinion_preview(s, actor, annual_report_id, version)
    view = got["view"]
    return pages_render(request, "rc_opinion.html.j2", title=f"审查意见书 · {view.unit_name}",
                        nav="annual_reports", ar=view, doc=got)


# =========================================================================== any stored report's 审查意见书
def stored_opinion(s: Any, report_id: int, p: Any) -> tuple[bytes, str] | None:
    """The 审查意见书 of a stored report the user may read (None: not there or not in scope); when the
    report is a submitted version of a unit's annual report, with the office's decision on it."""
    from fazhi.documents.opinion import opinion_docx, opinion_filename
    from fazhi.supervision.models import AnnualReport, ReportVersion

    report = stored.get_report(s, report_id, p.scope)
    if report is None:
        return None
    version = s.scalar(select(ReportVersion).where(ReportVersion.report_id == report_id,
                                                   ReportVersion.kind == "submission")
                       .order_by(ReportVersion.id.desc()).limit(1))
    conclusion = office = None
    if version is not None and version.decision:
        conclusion = ("审查结论：通过。" if version.decision == "accepted" else "审查结论：退回修改。") + (
            version.decision_note or "")
        ar = s.get(AnnualReport, version.annual_report_id)
        campaign = s.get(Campaign, ar.campaign_id) if ar is not None else None
        if campaign is not None:
            office = (campaign.settings or {}).get("office") or campaign.organiser_name
    data = opinion_docx(dict(report.review or {}), reviewer=p.name, office=office, date=reports.today(),
                        conclusion=conclusion)
    return data, opinion_filename(report.title or f"报告{report_id}")


@pages.get("/reports/{report_id}/opinion.docx")
def report_opinion_page(report_id: RowId, s: DB, p: PageUser) -> Response:
    from fastapi import HTTPException

    if not p.can("read"):
        raise HTTPException(403, "权限不足：不能查看报告")
    got = stored_opinion(s, report_id, p)
    if got is None:
        raise HTTPException(404, "报告不存在，或不在您的查看范围内")
    return docx_response(got[0], got[1], f"opinion-{report_id}.docx")


# =========================================================================== the API
class ParagraphIn(BaseModel):
    model_config = ConfigDict(title="段落")
    kind: Literal["heading", "text"] = Field("text", title="类型", description="heading 小标题，text 正文")
    text: str = Field("", max_length=drafting.MAX_TEXT, title="文字")


class SectionIn(BaseModel):
    model_config = ConfigDict(title="部分")
    part: Literal["opening", "achievements", "shortcomings", "first_responsible", "next_year_plan", "other"] = Field(
        title="部分", description="opening 开头、achievements 举措和成效、shortcomings 不足和原因、first_responsible "
                                "第一责任人履职、next_year_plan 下一年度安排、other 其他")
    heading: str | None = Field(None, max_length=200, title="标题")
    paragraphs: list[ParagraphIn] = Field(default_factory=list, max_length=1000, title="段落")


class DraftIn(BaseModel):
    model_config = ConfigDict(title="修改后的草稿")
    sections: list[SectionIn] = Field(max_length=12, title="各部分")
    title: str | None = Field(None, max_length=200, title="标题")


class StageIn(BaseModel):
    model_config = ConfigDict(title="草稿阶段")
    stage: Literal["drafting", "first_draft", "discussion", "leader_review"] = Field(
        title="阶段", description="drafting 起草、first_draft 初稿、discussion 讨论稿、leader_review 主要负责人审核")


class CommentIn(BaseModel):
    model_config = ConfigDict(title="意见")
    text: str = Field(min_length=1, max_length=reports.MAX_COMMENT, pattern=NO_NUL, title="意见")


class SubmitIn(BaseModel):
    model_config = ConfigDict(title="报送")
    copies_to: list[Annotated[str, Field(max_length=100, pattern=NO_NUL)]] = Field(
        default_factory=list, max_length=20, title="抄送")
    note: str | None = Field(None, max_length=500, pattern=NO_NUL, title="报送说明")


class DecisionIn(BaseModel):
    model_config = ConfigDict(title="审查结论")
    accept: bool = Field(title="通过", description="true 通过，false 退回修改")
    reason: str | None = Field(None, max_length=MAX_FIELD, pattern=NO_NUL, title="意见或退回理由")


class PublicationIn(BaseModel):
    model_config = ConfigDict(title="公开情况")
    url: str = Field(max_length=500, pattern=NO_NUL, title="公开网址")
    on: dt.date = Field(title="公开日期")

_ERR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
#: the error answers of the cycle's operations (the services' refusals), for the OpenAPI document
READ_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "无权查看", **_ERR},
    404: {"description": "不存在，或不在您的查看范围内（单位用户只能看本单位的）", **_ERR},
    422: {"description": "请求参数不正确，或当前状态不能这样做（detail 为说明或问题列表）"}}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "请求体无法解析", **_ERR},
    403: {"description": "无权办理（如查看权限、非本单位用户、须主要负责人确认），或浏览器会话缺少正确的 X-CSRF-Token 头",
          **_ERR},
    404: READ_ERRORS[404],
    413: {"description": "请求内容过大", **_ERR},
    422: {"description": "请求体不符合要求，或当前状态不能这样做（如草稿还有【待补充】、须逐级推进；detail 为说明或问题列表）"}}


def _download(what: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": f"成功：{what}（docx 文件下载，Content-Disposition: attachment）",
                  "content": {DOCX: {"schema": {"type": "string", "format": "binary", "title": "文件"}}}},
            **READ_ERRORS}


@api.get("/campaigns/{campaign_id}/reports/status", responses=READ_ERRORS,
         summary="年度报告报送情况",
         description="应报送年度报告的单位、期限和截至某日的状态（not_received 未报送、received 已报送、late 逾期报送、"
                     "returned 退回修改、accepted 审查通过、published 已公开）；与 `fazhi report status --format json` 相同。")
def api_status(campaign_id: CampaignId, s: DB, actor: ApiActor, as_of: AsOf = None) -> list[dict[str, Any]]:
    return [r.to_json() for r in reports.report_status(s, actor, campaign_id, as_of)]


@api.get("/campaigns/{campaign_id}/reports/memo.docx", summary="情况通报（Word）", response_class=Response,
         responses=_download("情况通报（Word）"),
         description="督导活动年度报告报送和审查情况的通报（公文格式 docx）。")
def api_memo(campaign_id: CampaignId, s: DB, actor: ApiActor, as_of: AsOf = None) -> Response:
    return memo_page(campaign_id, s, actor, as_of)


@api.get("/campaigns/{campaign_id}/units/{unit_id}/drafts", responses=READ_ERRORS,
         summary="单位的年度报告草稿",
         description="单位在督导活动中的年度报告草稿，新的在前。")
def api_drafts(campaign_id: CampaignId, unit_id: UnitId, s: DB, actor: ApiActor) -> list[dict[str, Any]]:
    return [d.to_json() for d in drafting.list_drafts(s, actor, campaign_id, unit_id)]


@api.post("/campaigns/{campaign_id}/units/{unit_id}/drafts", responses=WRITE_ERRORS,
          status_code=201, summary="根据记录起草年度报告",
          description="根据单位全年的记录起草年度报告并保存为草稿；每句带数字的话注明来源，记录中没有的写【待补充】。")
def api_draft_create(request: Request, campaign_id: CampaignId, unit_id: UnitId, actor: ApiWriter) -> dict[str, Any]:
    with refusals(), _write(request) as w:
        return drafting.create_draft(w, actor, campaign_id, unit_id).to_json()


@api.get("/drafts/{draft_id}", responses=READ_ERRORS,
         summary="年度报告草稿", description="草稿的内容（fazhi.draft/1，含每句的来源）和阶段。")
def api_draft(draft_id: DraftId, s: DB, actor: ApiActor) -> dict[str, Any]:
    return drafting.get_draft(s, actor, draft_id).to_json()


@api.put("/drafts/{draft_id}", responses=WRITE_ERRORS,
          summary="修改年度报告草稿",
         description="保存修改后的草稿（各部分的段落文字）；原有句子保留来源，新写的句子没有来源。")
def api_draft_update(request: Request, draft_id: DraftId, body: DraftIn, actor: ApiWriter) -> dict[str, Any]:
    with refusals(), _write(request) as w:
        return drafting.update_draft(w, actor, draft_id, [_no_nul(sec.model_dump()) for sec in body.sections],
                                     title=_no_nul(body.title)).to_json()


@api.post("/drafts/{draft_id}/stage", responses=WRITE_ERRORS,
          summary="推进草稿阶段",
          description="起草 drafting、初稿 first_draft、讨论稿 discussion、主要负责人审核 leader_review：逐级推进，可退回。")
def api_draft_stage(request: Request, draft_id: DraftId, body: StageIn, actor: ApiWriter) -> dict[str, Any]:
    with refusals(), _write(request) as w:
        return reports.set_stage(w, actor, draft_id, body.stage).to_json()


@api.post("/drafts/{draft_id}/confirm", responses=WRITE_ERRORS,
          summary="主要负责人确认草稿",
          description="单位主要负责人确认处于“主要负责人审核”阶段的草稿，确认后可报送。")
def api_draft_confirm(request: Request, draft_id: DraftId, actor: ApiWriter) -> dict[str, Any]:
    with refusals(), _write(request) as w:
        return reports.confirm_draft(w, actor, draft_id).to_json()


@api.get("/drafts/{draft_id}/comments", responses=READ_ERRORS,
         summary="草稿的意见")
def api_draft_comments(draft_id: DraftId, s: DB, actor: ApiActor) -> list[dict[str, Any]]:
    return [c.to_json() for c in reports.list_comments(s, actor, "draft", draft_id)]


@api.post("/drafts/{draft_id}/comments", responses=WRITE_ERRORS,
          status_code=201, summary="对草稿提出意见",
          description="本单位同事对初稿、讨论稿或送审稿提出意见。")
def api_draft_comment(request: Request, draft_id: DraftId, body: CommentIn, actor: ApiWriter) -> dict[str, Any]:
    with refusals(), _write(request) as w:
        return reports.add_comment(w, actor, "draft", draft_id, body.text).to_json()


@api.get("/drafts/{draft_id}/selfcheck", responses=READ_ERRORS,
         summary="报送前自查",
         description="按审查规则审查草稿，并把草稿中的指标数字与记录核对：不一致的数字给出报告值和记录值。")
def api_selfcheck(draft_id: DraftId, s: DB, actor: ApiActor,
                  with_review: Annotated[bool, Query(title="含审查结果", description="包含完整的审查结果")] = False) -> dict[str, Any]:
    view = drafting.get_draft(s, actor, draft_id)
    with refusals():
        result = selfcheck.self_check(s, actor, view.campaign_id or 0, view.unit_id, draft_id=draft_id).to_json()
    if not with_review:
        result.pop("review", None)
    return result


@api.get("/drafts/{draft_id}/docx", summary="草稿（Word）", response_class=Response,
         responses=_download("草稿（Word）"),
         description="草稿的公文格式 docx（不含来源标注）。")
def api_draft_docx(draft_id: DraftId, s: DB, actor: ApiActor) -> Response:
    return draft_docx_page(draft_id, s, actor)


@api.post("/drafts/{draft_id}/submit", responses=WRITE_ERRORS,
          summary="报送年度报告",
          description="把主要负责人已确认的草稿报送督导办公室（可抄送）；退回修改后以同样方式重新报送。")
def api_draft_submit(request: Request, draft_id: DraftId, actor: ApiWriter,
                     body: Annotated[SubmitIn | None, Body(title="报送")] = None) -> dict[str, Any]:
    body = body or SubmitIn(note=None)
    with refusals(), _write(request) as w:
        view = drafting.get_draft(w, actor, draft_id)
        return reports.submit_report(w, actor, view.campaign_id or 0, view.unit_id, draft_id=draft_id,
                                     copies_to=body.copies_to, note=body.note).to_json()


@api.get("/annual-reports/{annual_report_id}", responses=READ_ERRORS,
         summary="单位的年度报告（报送）",
         description="状态、期限、各报送版本及审查结论、当前版本的审查结果。")
def api_report(annual_report_id: AnnualReportId, s: DB, actor: ApiActor) -> dict[str, Any]:
    return reports.get_report(s, actor, annual_report_id).to_json()


@api.post("/annual-reports/{annual_report_id}/decision", responses=WRITE_ERRORS,
          summary="审查通过或退回修改",
          description="督导办公室对已报送的版本作出结论：accept=true 通过，false 退回修改（须写明理由）。")
def api_decision(request: Request, annual_report_id: AnnualReportId, body: DecisionIn, actor: ApiWriter) -> dict[str, Any]:
    with refusals(), _write(request) as w:
        return reports.decide_report(w, actor, annual_report_id, accept=body.accept, reason=body.reason).to_json()


@api.get("/annual-reports/{annual_report_id}/opinion.docx", summary="审查意见书（Word）", response_class=Response,
         responses=_download("审查意见书（Word）"),
         description="报送版本（默认最新一版）的审查意见书（公文格式 docx），含督导办公室的结论。")
def api_opinion(annual_report_id: AnnualReportId, s: DB, actor: ApiActor, version: Version = None) -> Response:
    return opinion_page(annual_report_id, s, actor, version)


@api.get("/annual-reports/{annual_report_id}/diff", responses=READ_ERRORS,
         summary="版本对比",
         description="两个报送版本（默认最新一版和上一版）按段落对比：新增、删除、修改（含改动的文字）。")
def api_diff(annual_report_id: AnnualReportId, s: DB, actor: ApiActor,
             old: Annotated[int | None, Query(ge=1, le=10_000, title="旧版本", description="默认为新版本的上一版")] = None,
             new: Annotated[int | None, Query(ge=1, le=10_000, title="新版本", description="默认为最新报送的一版")] = None) -> dict[str, Any]:
    with refusals():
        return reports.version_diff(s, actor, annual_report_id, old=old, new=new).to_json()


@api.get("/annual-reports/{annual_report_id}/publication", responses=READ_ERRORS,
         summary="公开情况核对",
         description="是否在期限前公开，公开版本（如已上传）是否与报送文本一致。")
def api_publication(annual_report_id: AnnualReportId, s: DB, actor: ApiActor, as_of: AsOf = None) -> dict[str, Any]:
    return reports.publication_check(s, actor, annual_report_id, as_of).to_json()


@api.post("/annual-reports/{annual_report_id}/publication", responses=WRITE_ERRORS,
          summary="登记公开情况",
          description="登记年度报告公开的网址和日期，并核对是否按时公开。")
def api_publish(request: Request, annual_report_id: AnnualReportId, body: PublicationIn, actor: ApiWriter) -> dict[str, Any]:
    with refusals(), _write(request) as w:
        return reports.publish_report(w, actor, annual_report_id, url=body.url, on=body.on).to_json()


@api.get("/reports/{report_id}/opinion.docx", summary="审查意见书（Word）", response_class=Response,
         responses=_download("审查意见书（Word）"),
         description="入库报告的审查意见书（公文格式 docx）；报告是单位报送的版本时附督导办公室的结论。")
def api_report_opinion(report_id: RowId, s: DB, p: ApiUser) -> Response:
    return report_opinion_page(report_id, s, p)


# =========================================================================== rendering
def pages_render(request: Request, name: str, **ctx: Any) -> HTMLResponse:
    from fazhi.web.routes.pages import render

    ctx.setdefault("STAGE_LABEL", reports.STAGES)
    ctx.setdefault("REPORT_STATUS", reports.STATUSES)
    return render(request, name, **ctx)


__all__ = ["api", "draft_sections", "pages", "stored_opinion"]
