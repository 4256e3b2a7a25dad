"""The web application: :func:`create_app` builds it over a database.

- pages (:mod:`fazhi.web.routes.pages`), server-rendered with Jinja2 (autoescape
  on), Chinese throughout, with small scripts of our own in ``static/``;
- the REST API under ``/api`` (:mod:`fazhi.web.routes.api`), OpenAPI at
  ``/api/openapi.json`` (in Chinese, with each operation's error responses:
  :mod:`fazhi.web.openapi_zh`) and a reference page rendered from it at
  ``/api/docs`` (no Swagger UI: its assets would have to come from a CDN or a
  copied bundle);
- ``/vendor/plotly.min.js``: the plotly.js bundle of the installed ``plotly``
  Python package, served from the package's folder (never copied, never a
  CDN; plotly itself is not imported).

Every response carries a strict Content-Security-Policy (only this site's
scripts, styles, images and connections; no inline scripts; no framing),
``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``,
``Referrer-Policy: same-origin``; pages and API answers are ``no-store`` —
error answers included: an exception nothing handled is answered with a 500
by :class:`SecurityMiddleware`, with the headers, before it goes on to the
server's log.  A 405 lists every method the path allows (``Allow``).
Request bodies are limited before they are read: uploads
(``/api/reports``, ``/upload``) to ``max_request_bytes``, anything else to
``max_form_bytes`` (413), except a knowledge version (``/admin/knowledge``,
``/api/knowledge``: :data:`fazhi.web.routes.admin.REQUEST_LIMIT`).
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import logging
import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from fazhi import __version__, db
from fazhi.config import Settings
from fazhi.corpus import similar_reports
from fazhi.review import pool as review_pool
from fazhi.web import auth, deps, labels
from fazhi.web.cache import Caches
from fazhi.web.dbsession import close_session
from fazhi.web.routes import admin as routes_admin
from fazhi.web.routes import campaigns as routes_campaigns

log = logging.getLogger("fazhi.web")

HERE = Path(__file__).resolve().parent
UPLOAD_PATHS = frozenset({"/api/reports", "/upload"})

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]


FAVICON = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" '
           b'fill="#8b1a1a"/><path d="M4 4h8v2H6v2h5v2H6v3H4z" fill="#fff"/></svg>')


DEFAULT_DETAILS = {"Not Found": "页面或资源不存在", "Method Not Allowed": "不支持该请求方法",
                   "Unauthorized": "需要登录", "Forbidden": "无权访问", "Internal Server Error": "服务器内部错误",
                   "There was an error parsing the body": "请求体无法解析（应为 UTF-8 编码的 JSON 或表单）"}
SERVER_ERROR = "服务器内部错误：请求未能完成，错误已记入服务器日志"


class RequestTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"request body over {limit} bytes")


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}".removesuffix(".0") + " MB"


def too_large_message(limit: int, upload: bool) -> str:
    if upload:
        return f"上传内容过大：一次上传合计不能超过 {_mb(limit)}（请分批上传）"
    return f"请求内容过大（上限 {_mb(limit)}）"


async def _send_simple(send: Any, status: int, path: str, message: str) -> None:
    if path.startswith("/api"):
        body = json.dumps({"detail": message}, ensure_ascii=False).encode()
        ctype = b"application/json"
    else:
        from html import escape

        body = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{status}</title></head>'
                f'<body><h1>{status}</h1><p id="error-message">{escape(message)}</p>'
                f'<p><a href="/">返回首页</a></p></body></html>').encode()
        ctype = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *SECURITY_HEADERS, (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})


def _has_session_cookie(headers: list[tuple[bytes, bytes]]) -> bool:
    prefix = auth.COOKIE.encode() + b"="
    return any(k.lower() == b"set-cookie" and v.startswith(prefix) for k, v in headers)


class SecurityMiddleware:
    """Security headers on every response (a 500 for an unhandled exception included), the re-signed
    session cookie (the idle timeout slides), and request body limits (pure ASGI; the app's outermost
    layer)."""

    def __init__(self, app: Any, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self._handle(scope, receive, send)
        finally:
            close_session(scope)  # the request's read session (fazhi.web.dbsession), if it opened one

    async def _handle(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        https = scope.get("scheme") == "https"
        static = path.startswith(("/static/", "/vendor/"))
        started = False

        async def send_with_headers(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [h for h in SECURITY_HEADERS if h[0] not in names]
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"public, max-age=3600" if static else b"no-store"))
                if https:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                refresh = scope.get(auth.REFRESH_COOKIE)
                if refresh and not _has_session_cookie(headers):
                    headers.append((b"set-cookie", refresh))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self._limited(scope, receive, send_with_headers, lambda: started)
        except Exception:
            if not started:  # answer here, with the headers; the server logs the exception
                await _send_simple(send, 500, path, SERVER_ERROR)
            raise

    async def _limited(self, scope: Any, receive: Any, send: Any, started: Any) -> None:
        """The app, with the request body limited (413) for anything but GET, HEAD and OPTIONS."""
        path = scope.get("path", "")
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        upload = path in UPLOAD_PATHS or routes_campaigns.UPLOAD_PATH.match(path) is not None
        limit = self.settings.max_request_bytes if upload else self.settings.max_form_bytes
        if not upload and path.startswith(routes_admin.BODY_PATHS):
            limit = max(limit, routes_admin.REQUEST_LIMIT)
        declared = None
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                declared = v.decode("latin-1").strip()
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _send_simple(send, 413, path, too_large_message(limit, upload))
            return
        received = 0

        async def limited_receive() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RequestTooLarge(limit)
            return message

        try:
            await self.app(scope, limited_receive, send)
        except RequestTooLarge:
            if not started():
                await _send_simple(send, 413, path, too_large_message(limit, upload))


# --------------------------------------------------------------------------- plotly.js from the installed package
def plotly_js_path() -> Path | None:
    """``plotly/package_data/plotly.min.js`` of the installed ``plotly`` package (not imported)."""
    try:
        spec = importlib.util.find_spec("plotly")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        p = Path(loc) / "package_data" / "plotly.min.js"
        if p.is_file():
            return p
    return None


def _js_string(js: str, pos: int) -> tuple[str, int]:
    """The JavaScript string literal at ``js[pos]`` (after blanks): (its value, the position after it)."""
    while js[pos] in " \n\t":
        pos += 1
    quote = js[pos]
    if quote not in "\"'":
        raise ValueError(f"no string at {pos}")
    out = []
    pos += 1
    while js[pos] != quote:
        c = js[pos]
        if c == "\\":
            nxt = js[pos + 1]
            if nxt == "u":
                out.append(chr(int(js[pos + 2:pos + 6], 16)))
                pos += 6
                continue
            out.append({"n": "\n", "t": "\t", "r": "\r"}.get(nxt, nxt))
            pos += 2
            continue
        out.append(c)
        pos += 1
    return "".join(out), pos + 1


def plotly_css(js: str) -> str | None:
    """plotly.js's own style rules, read out of the bundle, as a style sheet.

    plotly.js injects them into an inline ``<style>``, which the CSP forbids;
    given ``<link id="plotly.js-style-global" class="no-inline-styles">`` it
    leaves that to the page.  None when this plotly.js has no such switch or
    the rules cannot be found (charts then still draw, without their toolbar
    styles)."""
    if "no-inline-styles" not in js:
        return None
    i = js.find('{"X,X div"')
    if i < 0:
        return None
    rules = []
    pos = i + 1
    try:
        while True:
            while js[pos] in " \n\t,":
                pos += 1
            if js[pos] == "}":
                break
            m = re.compile(r"[A-Za-z_$][\w$]*").match(js, pos)
            if m:  # an unquoted key (Y)
                sel, pos = m.group(), m.end()
            else:
                sel, pos = _js_string(js, pos)
            while js[pos] in " \n\t":
                pos += 1
            if js[pos] != ":":
                return None
            decl, pos = _js_string(js, pos + 1)
            sel = re.sub(r"^,", " ,", sel).replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
            rules.append(f"{sel}{{{decl}}}")
    except (ValueError, IndexError):
        return None
    return "/* plotly.js style rules, read from the installed plotly package */\n" + "\n".join(rules) + "\n"


class _Vendor:
    """The plotly bundle (with its gzip), its style sheet and the ids of the ``<style>`` elements it
    would inject (so a page can pre-empt them), read once on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, Any] | None = None

    def get(self) -> dict[str, Any] | None:
        if self._data is None:
            with self._lock:
                if self._data is None:
                    p = plotly_js_path()
                    if p is None:
                        return None
                    raw = p.read_bytes()
                    js = raw.decode("utf-8", "replace")
                    css = plotly_css(js)
                    self._data = {
                        "js": raw, "js_gz": gzip.compress(raw, 6),
                        "etag": '"' + hashlib.sha256(raw).hexdigest()[:32] + '"',
                        "css": css.encode() if css else None,
                        "style_ids": sorted(set(re.findall(
                            r'getElementById\("([0-9a-f]{64})"\)\)\{var \w+=document\.createElement\("style"\)', js))),
                    }
        return self._data


# --------------------------------------------------------------------------- the app
def _warm_up(Session: Any = None, reviewer: Any = None) -> None:
    """Start a review process (uploads are reviewed there), or — reviewing in this process — load what a
    review needs here, with the database's knowledge."""
    try:
        from fazhi.knowledge import versions as knowledge_store
        from fazhi.review.pipeline import Reviewer

        if reviewer is not None:
            reviewer.warm()
            return
        if Session is not None:
            with Session() as s:
                Reviewer(knowledge_store.active_knowledge(s)).warm_up()
    except Exception:  # only a warm-up: the first upload says what is wrong
        log.warning("warm-up failed", exc_info=True)


def create_app(db_url: str | None = None, *, settings: Settings | None = None) -> FastAPI:
    """The fazhi web application over the database ``db_url`` (see :func:`fazhi.db.resolve_url`).

    The schema is created or upgraded if needed."""
    settings = settings or db.settings(db_url)
    url = settings.database_url if db_url is None and settings.database_url else db.resolve_url(db_url)
    pool: dict[str, Any] = {} if url.startswith("sqlite") else {"pool_size": settings.db_pool_size, "max_overflow": settings.db_pool_overflow}
    engine = db.make_engine(url, ping_idle=settings.db_ping_idle_seconds, **pool)
    exposed = db.exposed_files(engine.url)
    if exposed:
        from fazhi.private import exposed_message

        log.warning("%s", exposed_message(exposed))
    db.ensure_schema(engine)
    Session = db.session_factory(engine, read=True)
    WriteSession = db.session_factory(engine, write=True)
    with WriteSession() as s:
        key = auth.secret_key(s, settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.warm_up:
            threading.Thread(target=_warm_up, args=(Session, app.state.reviewer), name="fazhi-warm-up",
                             daemon=True).start()
        yield
        engine.dispose()

    app = FastAPI(
        title="fazhi 法治政府建设年度报告审查 API",
        version=__version__,
        description=("审查、存储、检索和对比法治政府建设年度报告。认证：浏览器会话（写操作需 X-CSRF-Token 头），"
                     "或脚本用的 API 令牌（`Authorization: Bearer <令牌>`，由 `fazhi user token NAME` 或“账户”页创建）。"),
        openapi_url="/api/openapi.json", docs_url=None, redoc_url=None, lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.Session = Session
    app.state.WriteSession = WriteSession
    app.state.codec = auth.SessionCodec(key, settings.session_seconds, settings.idle_seconds)
    app.state.password_limiter = auth.PasswordLimiter(settings.login_concurrency, settings.login_wait_seconds)
    app.state.vendor = _Vendor()
    app.state.caches = Caches(int(settings.cache_mb * 1024 * 1024))
    app.state.similar = similar_reports.SimilarIndex(engine, url, settings)
    app.state.reviewer = (review_pool.shared_pool(settings.review_processes, settings.review_memory_mb or None)
                          if settings.review_processes > 0 else None)

    from fazhi.web import openapi_zh
    from fazhi.web.routes import api as routes_api
    from fazhi.web.routes import assessment as routes_assessment
    from fazhi.web.routes import help as routes_help
    from fazhi.web.routes import pages as routes_pages
    from fazhi.web.routes import reportcycle as routes_reportcycle

    app.include_router(routes_api.router)
    app.include_router(routes_admin.api)
    csrf_first = [Depends(deps.csrf_first)]  # a forged write is refused before its ids are even read
    for part in (routes_campaigns, routes_assessment, routes_reportcycle):  # the supervision cycle
        app.include_router(part.api, dependencies=csrf_first)
    app.include_router(routes_pages.router)
    app.include_router(routes_admin.pages)
    for part in (routes_campaigns, routes_assessment, routes_reportcycle, routes_help):
        app.include_router(part.pages, dependencies=csrf_first)
    openapi_zh.install(app)  # the OpenAPI document in Chinese, with each operation's error responses
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        got = app.state.vendor.get()
        if got is None:
            return Response("/* plotly is not installed: charts are shown as tables */",
                            media_type="text/javascript", status_code=404)
        headers = {"ETag": got["etag"], "Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
        if request.headers.get("if-none-match") == got["etag"]:
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(got["js_gz"], media_type="text/javascript",
                            headers={**headers, "Content-Encoding": "gzip"})
        return Response(got["js"], media_type="text/javascript", headers=headers)

    @app.get("/vendor/plotly.css", include_in_schema=False)
    def plotly_style() -> Response:
        got = app.state.vendor.get()
        if got is None or got["css"] is None:
            return Response("/* no plotly style sheet */", media_type="text/css", status_code=404)
        return Response(got["css"], media_type="text/css", headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})

    @app.exception_handler(auth.LoginRequired)
    async def _login(request: Request, exc: auth.LoginRequired) -> Response:
        return RedirectResponse(auth.login_redirect(request), status_code=303)

    def answer(request: Request, status: int, detail: Any, headers: dict[str, str] | None = None) -> Response:
        """An error as the API gives it (JSON ``detail``) or as a page."""
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": detail}, status_code=status, headers=headers)
        return routes_pages.error_page(request, status, str(detail), headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail
        if isinstance(detail, str) and detail in DEFAULT_DETAILS:  # Starlette's own English phrases
            detail = DEFAULT_DETAILS[detail]
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:  # Starlette names the methods of one route of the path: name them all
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(app, request.scope))}
        return answer(request, exc.status_code, detail, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": _errors(exc)}, status_code=422)
        return routes_pages.error_page(request, 400, "请求参数不正确：" + "；".join(
            f"{labels.validation_where(e)}{labels.validation_msg(e)}" for e in exc.errors()))

    @app.exception_handler(sa_exc.DBAPIError)
    async def _db_down(request: Request, exc: sa_exc.DBAPIError) -> Response:
        # a connection that dropped under a request (restart, failover) or a database that cannot be
        # reached: the pool has already let the connection go, so a retry gets a fresh one
        if not (exc.connection_invalidated or isinstance(exc, sa_exc.OperationalError)):
            raise exc
        log.warning("database unavailable for %s: %s", request.url.path, str(exc).splitlines()[0])
        return answer(request, 503, "数据库连接中断或暂时不可用，请稍后重试", {"Retry-After": "1"})

    # the supervision cycle's services refuse in Chinese: the same answer from every page and API route
    from fazhi.supervision import access as sup_access
    from fazhi.supervision import errors as sup_errors

    @app.exception_handler(sup_access.Forbidden)
    async def _forbidden(request: Request, exc: sup_access.Forbidden) -> Response:
        return answer(request, 403, str(exc))

    @app.exception_handler(sup_access.NotFound)
    async def _not_found(request: Request, exc: sup_access.NotFound) -> Response:
        return answer(request, 404, str(exc) or "未找到")

    @app.exception_handler(sup_errors.InputError)
    async def _bad_input(request: Request, exc: sup_errors.InputError) -> Response:
        return answer(request, 422, str(exc))

    @app.exception_handler(similar_reports.SimilarBuilding)
    async def _similar_building(request: Request, exc: similar_reports.SimilarBuilding) -> Response:
        return answer(request, 503, str(exc), {"Retry-After": "5"})

    @app.exception_handler(similar_reports.SimilarUnavailable)
    async def _no_similar(request: Request, exc: similar_reports.SimilarUnavailable) -> Response:
        return answer(request, 501, str(exc))

    app.add_middleware(SecurityMiddleware, settings=settings)
    return app


def allowed_methods(app: FastAPI, scope: Any) -> list[str]:
    """Every method some route of this request's path allows (the ``Allow`` header of a 405)."""
    from starlette.routing import Match

    from fazhi.web.routes import flat_routes

    methods: set[str] = set()
    for route in flat_routes(app.routes):
        if getattr(route, "methods", None) and route.matches(scope)[0] != Match.NONE:
            methods |= set(route.methods)
    return sorted(methods)


def _errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """The API's 422 body: where, what (in Chinese) and pydantic's error type (for programs)."""
    return [{"loc": list(e.get("loc", [])), "msg": labels.validation_msg(e), "type": e.get("type")}
            for e in exc.errors()]


def app_from_env() -> FastAPI:
    """The app for ``uvicorn --factory fazhi.web.app:app_from_env``: one server process, its settings loaded
    once (``fazhi serve`` hands the resolved database to its worker processes as ``FAZHI_DATABASE_URL``)."""
    return create_app(settings=db.settings())


__all__ = ["CSP", "SecurityMiddleware", "allowed_methods", "app_from_env", "create_app", "plotly_js_path"]
