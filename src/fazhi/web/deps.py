"""FastAPI dependencies shared by the page and API routes: the request's database session, the
signed-in user, and the role checks.

One read session per request
    :data:`DB` is the request's session (:mod:`fazhi.web.dbsession`): the
    sign-in check (:func:`fazhi.web.auth.principal`) and the route share it,
    so a request checks out one pooled connection, not two.

Who is asking
    Pages and the API differ only in what an anonymous request gets: a page
    redirects to the login form (:class:`~fazhi.web.auth.LoginRequired`),
    the API answers 401.  :func:`need` makes the role check for either.

Ids in paths
    :data:`RowId` is every ``{…_id}`` path parameter: an integer from 1 to
    PostgreSQL's int4 maximum, so that no id can overflow a query (the API
    answers 422, a page 400 naming the parameter, as for any bad parameter).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import unquote_plus

from fastapi import Depends, HTTPException, Path, Request
from sqlalchemy.orm import Session

from fazhi.db.base import INT_MAX
from fazhi.web import auth
from fazhi.web.auth import Principal
from fazhi.web.dbsession import close_session, read_session

ACTION_LABEL = {"read": "查看报告", "upload": "上传报告", "delete": "删除报告", "export": "导出数据",
                "manage_users": "管理用户", "audit": "查看审计日志", "manage_knowledge": "管理规则与指标"}


async def get_db(request: Request) -> Session:
    # async: making a Session does no I/O, so it needs no trip through the thread pool
    return read_session(request)


DB = Annotated[Session, Depends(get_db)]
RowId = Annotated[int, Path(ge=1, le=INT_MAX)]


def page_user(request: Request) -> Principal:
    """The signed-in user of a page; anonymous visitors are sent to the login form."""
    p = auth.principal(request)
    if p is None:
        raise auth.LoginRequired()
    return p


def api_user(request: Request) -> Principal:
    """The signed-in user (session cookie or API token) of an API call; 401 otherwise."""
    p = auth.principal(request)
    if p is None:
        raise HTTPException(401, "需要登录，或在 Authorization 头中提供 API 令牌（Bearer）",
                            headers={"WWW-Authenticate": "Bearer"})
    return p


PageUser = Annotated[Principal, Depends(page_user)]
ApiUser = Annotated[Principal, Depends(api_user)]


def _allowed(p: Principal, action: str) -> Principal:
    if not p.can(action):
        raise HTTPException(403, f"权限不足：{p.role_label}不能{ACTION_LABEL.get(action, action)}")
    return p


def need(action: str, *, api: bool = False) -> Callable[..., Any]:
    """A dependency (``Depends(need("upload"))``): the user — of a page, or of the API with
    ``api=True`` — allowed to do ``action``; 403 naming the role and the action otherwise.

    (async: the check does no I/O, so it needs no trip through the thread pool.)"""
    dep: Callable[..., Any]
    if api:
        async def api_dep(p: ApiUser) -> Principal:
            return _allowed(p, action)
        dep = api_dep
    else:
        async def page_dep(p: PageUser) -> Principal:
            return _allowed(p, action)
        dep = page_dep
    dep.fazhi_action = action  # type: ignore[attr-defined]  # what the OpenAPI document says it needs
    return dep


_CSRF_FIELD = re.compile(rb"(?:^|&)csrf_token=([^&]*)")


async def csrf_first(request: Request) -> None:
    """A router's first dependency: a write of a signed-in browser session is refused (403) without the
    session's CSRF token — the ``X-CSRF-Token`` header, or the ``csrf_token`` field of a urlencoded form —
    before its path ids and body are validated, so a forged request is refused as such whatever it aims at.
    Anonymous requests (the route's own check answers them) and API tokens pass.

    The form is not parsed here: a route reads it under its own limits (files, fields, part size), which a
    form parsed and kept here would replace.  A urlencoded body (at most the request limit for forms) is
    read as bytes, which the route's own parse reads again; a multipart body is left to the route, whose
    form dependency checks the token before anything else.  (A route with ``Form()`` parameters has its form
    read by FastAPI before any dependency runs: that form is the one read here.)"""
    if request.method in auth.SAFE_METHODS:
        return
    p = auth.principal(request)
    if p is None or p.via == "token":
        return
    submitted = None
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        try:
            found = _CSRF_FIELD.search(await request.body())
            submitted = unquote_plus(found.group(1).decode("ascii", "replace")) if found else None
        except RuntimeError:  # a route with Form() parameters: FastAPI has read the form already, kept
            value = (await request.form()).get("csrf_token")
            submitted = value if isinstance(value, str) else None
    elif request.headers.get("content-type", "").startswith("multipart/form-data") \
            and not request.headers.get(auth.CSRF_HEADER):
        return  # the route's form dependency reads the field and checks it
    auth.verify_csrf(request, submitted)


def _actor(request: Request, p: Principal) -> Any:
    from fazhi.supervision.access import Actor

    return Actor.of_user(read_session(request), p.id, p.role, p.scope, p.name)


async def page_actor(request: Request, p: PageUser) -> Any:
    """The signed-in user of a page of the supervision cycle as its services' :class:`~fazhi.supervision.
    access.Actor` (role, region scope, unit and duty); the services check what the actor may do and raise
    ``Forbidden``/``NotFound``/``InputError``, which the app answers with 403/404/422 (page or JSON)."""
    return _actor(request, p)


async def api_actor(request: Request, p: ApiUser) -> Any:
    """As :func:`page_actor`, for the API (an anonymous call is 401)."""
    return _actor(request, p)


PageActor = Annotated[Any, Depends(page_actor)]
ApiActor = Annotated[Any, Depends(api_actor)]


__all__ = [
    "ACTION_LABEL",
    "DB",
    "ApiActor",
    "ApiUser",
    "PageActor",
    "PageUser",
    "RowId",
    "api_user",
    "close_session",
    "csrf_first",
    "get_db",
    "need",
    "page_user",
    "read_session",
]
