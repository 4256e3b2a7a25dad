"""规则与指标: administrators manage the knowledge versions of the database (page and REST API).

- ``/admin/knowledge`` (page): per knowledge file (parts, rules, indicators,
  units) the packaged version, the one in effect and the history; upload a
  new version (file or pasted text, checked before it is stored), activate
  one, go back to the packaged file, view and download any version; how
  many stored reports were reviewed with the knowledge in effect and how
  many with other knowledge (``fazhi ingest --refresh`` re-reviews those).
- ``/api/knowledge``: the same as JSON (GET list, GET one version with its
  text, POST add, POST activate, POST deactivate).

Administrators only (``manage_knowledge``), and only those without a region
scope (the knowledge applies to every report of the database): anyone else
gets 403 and nothing changes.  Every POST checks the CSRF token (page form field, API header; API
tokens need none), every change is in the audit log
(``knowledge.add|activate|deactivate``).  The service functions are those of
``fazhi knowledge`` (:mod:`fazhi.knowledge.versions`).  After a change the
new active set is put in effect in this process at once; other worker
processes pick it up at their next upload (one small query per upload).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from fazhi.accounts import audit as audit_log
from fazhi.corpus import refresh
from fazhi.knowledge import settings_form
from fazhi.knowledge import versions as ks
from fazhi.web import auth, deps
from fazhi.web.auth import Principal
from fazhi.web.deps import DB, RowId

log = logging.getLogger("fazhi.web")

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/knowledge")

ACTION = "manage_knowledge"
SCOPED = "权限不足：规则与指标对整个报告库生效，只能由不限地区的管理员管理（您的查看范围是 {}）"


#: a knowledge file's name, exactly (the API's schema; ``ks.check_name`` also takes ``Rules.yaml``)
NAME_PATTERN = "^(" + "|".join(ks.NAMES) + ")$"
KnowledgeName = Annotated[str, Path(pattern=NAME_PATTERN)]

#: a request to these paths may carry a knowledge file (see the app's body limits)
BODY_PATHS = ("/admin/knowledge", "/api/knowledge")
REQUEST_LIMIT = 2 * ks.MAX_BYTES + 64 * 1024  # JSON escapes may double the text


# =========================================================================== dependencies
def _unscoped(p: Principal) -> Principal:
    if p.scope is not None:
        raise HTTPException(403, SCOPED.format(p.scope.label))
    return p


async def page_admin(p: Annotated[Principal, Depends(deps.need(ACTION))]) -> Principal:
    return _unscoped(p)


async def api_admin(p: Annotated[Principal, Depends(deps.need(ACTION, api=True))]) -> Principal:
    return _unscoped(p)


def api_admin_write(request: Request, p: Annotated[Principal, Depends(api_admin)]) -> Principal:
    """An administrator's state-changing API request: the CSRF header (or an API token) is checked
    before the body is even validated."""
    auth.verify_csrf(request, None)
    return p


PageAdmin = Annotated[Principal, Depends(page_admin)]
ApiAdmin = Annotated[Principal, Depends(api_admin)]
ApiAdminWrite = Annotated[Principal, Depends(api_admin_write)]


def _change(request: Request, fn: Any) -> Any:
    """Run ``fn(write_session)`` in one transaction."""
    try:
        with request.app.state.WriteSession.begin() as w:
            out = fn(w)
    except sa_exc.IntegrityError:  # a concurrent add or activation of the same file won
        raise ks.KnowledgeStoreError("另一位管理员刚刚修改了同一知识文件的版本，请刷新页面后重试", 409) from None
    return out


# =========================================================================== the page
def _page(request: Request, s: Session, *, status: int = 200, error: str | None = None,
          message: str | None = None, form: dict[str, Any] | None = None) -> HTMLResponse:
    from fazhi.web.routes.pages import render

    ov = ks.overview(s)
    last = refresh.runs(s)
    return render(request, "admin_knowledge.html.j2", status=status, title="规则与指标", ov=ov,
                  files=ov["files"], reports=ov["reports"], names=ks.NAMES, labels=ks.LABEL,
                  key_pairs=ks.key_pairs, error=error, message=message, form=form or {},
                  max_mb=ks.MAX_BYTES // 1024 // 1024, refresh_now=refresh.running(s, last),
                  refresh_last=last[0] if last else None)


DONE = {"added": "已上传新版本", "activated": "已启用该版本：此后上传和入库的报告按它审查",
        "deactivated": "已恢复使用内置（或本机）文件",
        "refresh_started": "已开始按当前规则与指标重新审查已入库的报告（在后台进行，本页显示进度）",
        "refresh_running": "重新审查已在进行中，请等它完成"}


@pages.get("/admin/knowledge", response_class=HTMLResponse)
def knowledge_page(request: Request, p: PageAdmin, s: DB, done: str | None = None) -> Response:
    return _page(request, s, message=DONE.get(done or ""))


@pages.post("/admin/knowledge", response_class=HTMLResponse)
async def knowledge_add(request: Request, p: PageAdmin) -> Response:
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException as StarletteHTTPException
    from starlette.formparsers import MultiPartException

    try:
        form = await request.form(max_files=1, max_fields=16, max_part_size=ks.MAX_BYTES + 1024)
    except (StarletteHTTPException, MultiPartException) as exc:
        msg = str(getattr(exc, "detail", None) or getattr(exc, "message", "") or exc)
        raise HTTPException(400, f"上传内容无法解析（{msg}）") from None
    auth.verify_csrf(request, str(form.get("csrf_token") or ""))
    name = str(form.get("name") or "").strip()
    note = str(form.get("note") or "")
    pasted = str(form.get("content") or "")
    activate_it = str(form.get("activate") or "") in ("1", "on", "true")
    upload = form.get("file")
    data: bytes | str = pasted
    if upload is not None and not isinstance(upload, str):
        raw = await upload.read()
        await upload.close()
        if raw:
            data = raw
            if not name and upload.filename:
                name = upload.filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    keep = {"name": name, "note": note, "content": pasted, "activate": activate_it}

    def work() -> Response:
        try:
            if not data or (isinstance(data, str) and not data.strip()):
                raise ks.KnowledgeStoreError("没有收到内容：请选择 YAML 文件，或粘贴文件内容", 400)
            _change(request, lambda w: ks.add_version(w, name, data, note=note, user=p.id,
                                                      activate_it=activate_it))
        except ks.KnowledgeStoreError as exc:
            with request.app.state.Session() as s:
                return _page(request, s, status=exc.status, error=str(exc), form=keep)
        return RedirectResponse("/admin/knowledge?done=" + ("activated" if activate_it else "added"),
                                status_code=303)

    return await run_in_threadpool(work)


async def _csrf_form(request: Request) -> None:
    """A page form without files: read, and its CSRF token checked (403 otherwise)."""
    form = await request.form(max_files=0, max_fields=32)
    auth.verify_csrf(request, str(form.get("csrf_token") or ""))


async def _form_change(request: Request, change: Any, done: str) -> Response:
    """A page form's change (CSRF checked): made in one transaction, then back to the page; an error is
    shown on the page."""
    from starlette.concurrency import run_in_threadpool

    await _csrf_form(request)

    def work() -> Response:
        try:
            _change(request, change)
        except ks.KnowledgeStoreError as exc:
            with request.app.state.Session() as s:
                return _page(request, s, status=exc.status, error=str(exc))
        return RedirectResponse(f"/admin/knowledge?done={done}", status_code=303)

    return await run_in_threadpool(work)


@pages.post("/admin/knowledge/versions/{version_id}/activate", response_class=HTMLResponse)
async def knowledge_activate(request: Request, version_id: RowId, p: PageAdmin) -> Response:
    return await _form_change(request, lambda w: ks.activate(w, version_id, user=p.id), "activated")


@pages.post("/admin/knowledge/{name}/deactivate", response_class=HTMLResponse)
async def knowledge_deactivate(request: Request, name: str, p: PageAdmin) -> Response:
    return await _form_change(request, lambda w: ks.deactivate(w, name, user=p.id), "deactivated")


@pages.post("/admin/knowledge/refresh", response_class=HTMLResponse)
async def knowledge_refresh(request: Request, p: PageAdmin) -> Response:
    """Re-review the stored reports reviewed under other knowledge, from their stored text, in a process
    of its own (``fazhi refresh``); the page shows its progress from its run row."""
    from starlette.concurrency import run_in_threadpool

    await _csrf_form(request)

    def work() -> Response:
        with request.app.state.Session() as s:
            if refresh.running(s) is not None:
                return RedirectResponse("/admin/knowledge?done=refresh_running", status_code=303)
        url = request.app.state.engine.url.render_as_string(hide_password=False)
        proc = refresh.start_background(url, user=p.name)
        with request.app.state.WriteSession.begin() as w:
            audit_log.audit(w, p.id, "knowledge.refresh", "ingest_run", None, {"pid": proc.pid})
        return RedirectResponse("/admin/knowledge?done=refresh_started", status_code=303)

    return await run_in_threadpool(work)


# =========================================================================== the settings form
def _settings_page(request: Request, s: Session, *, status: int = 200, error: str | None = None,
                   values: dict[str, str] | None = None) -> HTMLResponse:
    from fazhi.web.routes.pages import render

    rf = settings_form.rules_form(s)
    cat = settings_form.catalogue(s)
    return render(request, "admin_knowledge_settings.html.j2", status=status, title="修改审查规则与评分权重",
                  page="admin_knowledge_settings", nav="knowledge", rf=rf, cat=cat, error=error,
                  values=values or {}, SEVERITIES=settings_form.SEVERITIES,
                  suggested=(values or {}).get("version") or settings_form.suggest_version(s, rf.version))


@pages.get("/admin/knowledge/settings", response_class=HTMLResponse)
def knowledge_settings_page(request: Request, p: PageAdmin, s: DB) -> Response:
    """Rules (on/off, severity, message) and score weights as a form; the indicator catalogue to browse."""
    return _settings_page(request, s)


@pages.post("/admin/knowledge/settings", response_class=HTMLResponse)
async def knowledge_settings_save(request: Request, p: PageAdmin) -> Response:
    """The form saved as a new version of rules.yaml, through the same checks as an uploaded file
    (:func:`fazhi.knowledge.versions.add_version`); activated at once when asked."""
    from starlette.concurrency import run_in_threadpool

    form = await request.form(max_files=0, max_fields=1000, max_part_size=64 * 1024)
    auth.verify_csrf(request, str(form.get("csrf_token") or ""))
    values = {k: str(v) for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    activate_it = values.get("activate") in ("1", "on", "true")

    def work() -> Response:
        try:
            with request.app.state.Session() as s:
                text, _origin = settings_form.in_effect_text(s, "rules")
                based_on = settings_form.rules_form(s).version
            import hashlib

            if values.get("base_sha256") != hashlib.sha256(text.encode("utf-8")).hexdigest():
                raise ks.KnowledgeStoreError("规则在您打开本页之后已被修改（另一位管理员启用了其他版本）："
                                             "请重新打开本页再修改", 409)
            new = settings_form.apply(text, values, values.get("version", ""), based_on=based_on)
            _change(request, lambda w: ks.add_version(w, "rules", new, note=values.get("note") or "网页表单修改",
                                                      user=p.id, activate_it=activate_it))
        except ks.KnowledgeStoreError as exc:
            with request.app.state.Session() as s:
                return _settings_page(request, s, status=exc.status, error=str(exc), values=values)
        return RedirectResponse("/admin/knowledge?done=" + ("activated" if activate_it else "added"), status_code=303)

    return await run_in_threadpool(work)


def _version_or_404(s: Session, version_id: int) -> ks.KnowledgeVersion:
    row = ks.get_version(s, version_id)
    if row is None:
        raise HTTPException(404, f"没有编号为 {version_id} 的规则/指标版本")
    return row


@pages.get("/admin/knowledge/versions/{version_id}", response_class=HTMLResponse)
def knowledge_version_page(request: Request, version_id: RowId, p: PageAdmin, s: DB) -> Response:
    from fazhi.web.routes.pages import render

    row = _version_or_404(s, version_id)
    return render(request, "admin_knowledge_version.html.j2", title=f"{row.name}.yaml 版本 {row.version}",
                  row=row, label=ks.LABEL[row.name] if row.name in ks.LABEL else row.name)


def _yaml_download(text: str, filename: str) -> Response:
    return Response(text.encode("utf-8"), media_type="application/yaml; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=\"{filename}\"; "
                                                    f"filename*=UTF-8''{quote(filename)}"})


@pages.get("/admin/knowledge/versions/{version_id}/download")
def knowledge_version_download(version_id: RowId, p: PageAdmin, s: DB) -> Response:
    row = _version_or_404(s, version_id)
    return _yaml_download(row.content, ks.safe_filename(row))


@pages.get("/admin/knowledge/files/{name}/download")
def knowledge_file_download(name: str, p: PageAdmin) -> Response:
    """The file used when no version is active (packaged, or ``FAZHI_KNOWLEDGE_DIR``'s)."""
    try:
        name = ks.check_name(name)
    except ks.KnowledgeStoreError as exc:
        raise HTTPException(404, str(exc)) from None
    b = ks.base(name)
    from pathlib import Path

    text = Path(b["path"]).read_text(encoding="utf-8")
    tag = "local" if b["local"] else "packaged"
    return _yaml_download(text, f"{name}-{tag}.yaml")


# =========================================================================== the API
class NewVersion(BaseModel):
    model_config = {"title": "新版本", "json_schema_extra": {"description": "一个新的规则/指标版本（POST /api/knowledge 的请求体）"}}

    name: str = Field(title="知识文件", pattern=NAME_PATTERN,
                      description="知识文件：parts（必备内容措辞）、rules（审查规则与评分权重）、"
                                  "indicators（指标目录）、units（计量单位）")
    content: str = Field(title="YAML 全文", description="YAML 全文（UTF-8，不超过 2 MB），须通过该文件的 JSON Schema，"
                                     "version: 为新的版本号")
    note: str | None = Field(None, title="说明", description="说明（可选，最多 500 字）")
    activate: bool = Field(False, title="立即启用", description="上传后立即启用")


def _error(exc: ks.KnowledgeStoreError) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=exc.status)


@api.get("", summary="规则与指标版本列表",
         description="（仅管理员）每个知识文件（parts、rules、indicators、units）的内置版本、当前启用的版本和全部历史版本"
                     "（不含正文）、对本库生效的各文件版本（in_effect，即此后审查结果中记录的 versions），"
                     "以及库中报告按当前知识与按其他知识审查的数量（reports.current / reports.other）。")
def api_list(p: ApiAdmin, s: DB) -> dict[str, Any]:
    return ks.overview_json(ks.overview(s))


@api.get("/versions/{version_id}", summary="规则与指标版本（含全文）",
         description="（仅管理员）一个已存储版本的元数据和 YAML 全文（content）。")
def api_version(version_id: RowId, p: ApiAdmin, s: DB) -> dict[str, Any]:
    return ks.version_json(_version_or_404(s, version_id), content=True)


@api.post("", status_code=201, summary="上传规则与指标的新版本",
          description="（仅管理员）上传一个知识文件的新版本（JSON：name、content、note、activate）。"
                      "内容须为 UTF-8 的 YAML，通过该文件的 JSON Schema，并能试审查样例报告；"
                      "格式错误返回 422（消息中给出位置，如 rules/3/severity），内容与已存版本相同或版本号已被其他内容使用返回 409，"
                      "过大返回 413。成功返回 201 和该版本。activate=true 时随即启用：此后上传和入库的报告按它审查。"
                      "浏览器会话须带 X-CSRF-Token 头；API 令牌无须。")
def api_add(request: Request, body: NewVersion, p: ApiAdminWrite) -> Response:
    return _api_version_change(request, lambda w: ks.add_version(
        w, body.name, body.content, note=body.note, user=p.id, activate_it=body.activate), 201)


def _api_version_change(request: Request, change: Any, status: int = 200) -> Response:
    """An API change of one version (in one transaction): the version as it is now, or the refusal."""
    try:
        row = _change(request, change)
    except ks.KnowledgeStoreError as exc:
        return _error(exc)
    with request.app.state.Session() as s:
        return JSONResponse(ks.version_json(_version_or_404(s, row.id)), status_code=status)


@api.post("/versions/{version_id}/activate", summary="启用规则与指标版本",
          description="（仅管理员）启用一个已存储的版本（同一知识文件原先启用的版本随之停用）。"
                      "此后上传和入库的报告按它审查；已入库的报告不变（可在“规则与指标”页面或用 fazhi refresh 重新审查）。")
def api_activate(request: Request, version_id: RowId, p: ApiAdminWrite) -> Response:
    return _api_version_change(request, lambda w: ks.activate(w, version_id, user=p.id))


@api.post("/{name}/deactivate", summary="恢复内置规则与指标",
          description="（仅管理员）停用该知识文件（parts、rules、indicators、units）启用的版本，恢复使用内置文件"
                      "（或本机 FAZHI_KNOWLEDGE_DIR 中的文件）。没有启用的版本时不做改动（deactivated 为 null）。")
def api_deactivate(request: Request, name: KnowledgeName, p: ApiAdminWrite) -> Response:
    try:
        row = _change(request, lambda w: ks.deactivate(w, name, user=p.id))
    except ks.KnowledgeStoreError as exc:
        return _error(exc)
    return JSONResponse({"name": ks.check_name(name),
                         "deactivated": {"id": row.id, "version": row.version} if row is not None else None})


__all__ = ["BODY_PATHS", "REQUEST_LIMIT", "api", "pages"]
