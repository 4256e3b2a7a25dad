"""Real-browser fixtures: the fazhi web app under uvicorn and Debian's Chromium driven by Playwright.

- ``live_server`` (module): a fresh SQLite database in a temporary folder,
  four accounts made with the app's own service functions (管理员 ``admin``,
  审核员 ``reviewer``, 查看 ``viewer``, and 审核员 ``jiaozuo`` scoped to 焦作市)
  plus an API token of the administrator for checks behind the browser's
  back, and ``uvicorn fazhi.web.app:app_from_env`` in a subprocess on
  127.0.0.1 and a free port (:func:`fazhi.bench.http.start_server`); stopped
  with its process group afterwards.
- ``browser`` (module): ``/usr/bin/chromium`` (or ``$FAZHI_CHROMIUM``)
  launched headless by the ``playwright`` Python package — its bundled driver
  only, never ``playwright install``.
- ``pages``: ``pages("viewer")`` is a new page in that role's browser
  context (one context per role for the module, signed in once through the
  login form, 1366×768, zh-CN).  Every page records JavaScript dialogs,
  page errors and console errors; a dialog fails the test.
- ``uploaded`` (module): the reviewer uploads the five sample reports through
  the upload page's file input; ``{stem: {"id", "status", …}}``.

Without Chromium (or the playwright package) the tests are skipped — except
under CI (``$CI`` set), where they fail: CI must run them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("FAZHI_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1366, "height": 768}
PASSWORD = "fazhi-浏览器-测试-2024"
#: name -> (role, region scope)
ACCOUNTS = {"admin": ("admin", None), "reviewer": ("reviewer", None), "viewer": ("viewer", None),
            "jiaozuo": ("reviewer", "焦作市")}
TIMEOUT_MS = 20_000


def browser_problem() -> str | None:
    """Why the browser tests cannot run here (None: they can)."""
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium is not installed at {CHROMIUM} (Debian package `chromium`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"the playwright Python package is not installed ({exc})"
    return None


def require_browser() -> None:
    problem = browser_problem()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(problem + " — CI must run the browser tests (apt-get install chromium; pip install playwright)")
    pytest.skip(problem)


@dataclass
class LiveServer:
    url: str
    db_url: str
    admin_token: str
    server: Any

    def log_tail(self) -> str:
        return self.server.log_tail()

    def api(self, method: str, path: str, **kw: Any) -> Any:
        """A request with the administrator's API token (no browser involved)."""
        import httpx

        headers = {"Authorization": f"Bearer {self.admin_token}", **kw.pop("headers", {})}
        return httpx.request(method, self.url + path, headers=headers, timeout=30.0, **kw)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    require_browser()
    from fazhi.bench.http import make_account, start_server

    tmp = tmp_path_factory.mktemp("web")
    db_url = f"sqlite:///{tmp / 'fazhi.sqlite'}"
    token = None
    for name, (role, region) in ACCOUNTS.items():
        tok = make_account(db_url, name, role, PASSWORD, region=region, token=name == "admin")
        token = token or tok
    assert token
    server = start_server(db_url, workers=1, log_path=tmp / "server.log",
                          env={"FAZHI_SECRET_KEY": "browser-tests-" + "x" * 32})
    try:
        yield LiveServer(server.url, db_url, token, server)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(live_server: LiveServer) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()
    finally:
        pw.stop()


@dataclass
class PageLog:
    """What the pages of a test showed besides their content."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # uncaught exceptions and console errors

    def watch(self, page: Any) -> Any:
        def on_dialog(d: Any) -> None:
            self.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        return page

    def csp_violations(self) -> list[str]:
        return [e for e in self.errors if "Content Security Policy" in e]


def sign_in(page: Any, name: str, password: str = PASSWORD, next: str | None = "/account") -> Any:
    """Fill and submit the login form (of ``/login?next=…``, or of the page shown when ``next`` is None);
    returns the response of the POST.  (``/account`` by default: the dashboard would load plotly.js.)"""
    if next is not None:
        page.goto("/login?next=" + next)
    page.fill("#username", name)
    page.fill("#password", password)
    with page.expect_response(lambda r: r.url.endswith("/login") and r.request.method == "POST") as info:
        page.click("#login-submit")
    page.wait_for_load_state()
    return info.value


@pytest.fixture(scope="module")
def contexts(browser: Any, live_server: LiveServer) -> Iterator[Callable[[str], Any]]:
    """``contexts(name)``: the browser context of that account, signed in (made once per module)."""
    made: dict[str, Any] = {}

    def get(name: str) -> Any:
        if name not in made:
            ctx = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="zh-CN",
                                      timezone_id="Asia/Shanghai", accept_downloads=True)
            ctx.set_default_timeout(TIMEOUT_MS)
            if name != "anonymous":
                log = PageLog()
                page = log.watch(ctx.new_page())
                resp = sign_in(page, name)
                assert resp.status == 303, f"login as {name}: {resp.status}\n{live_server.log_tail()}"
                assert page.locator("#current-user").get_attribute("data-user") == name
                assert not log.dialogs
                page.close()
            made[name] = ctx
        return made[name]

    yield get
    for ctx in made.values():
        ctx.close()


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def pages(contexts: Callable[[str], Any], page_log: PageLog) -> Iterator[Callable[[str], Any]]:
    """``pages(name)``: a new page in that account's context; closed after the test.  A JavaScript
    dialog (alert, confirm, prompt) on any of them fails the test."""
    opened: list[Any] = []

    def new(name: str) -> Any:
        page = page_log.watch(contexts(name).new_page())
        opened.append(page)
        return page

    yield new
    for p in opened:
        p.close()
    assert not page_log.dialogs, f"a JavaScript dialog fired: {page_log.dialogs}"


@pytest.fixture(scope="module")
def uploaded(contexts: Callable[[str], Any], seed_paths: list[Path], live_server: LiveServer) -> dict[str, Any]:
    """The reviewer uploads the five sample reports through the upload page (file input, JavaScript
    uploads with progress per file): ``{stem: {"id", "status", "file", "detail", "progress"}}``."""
    log = PageLog()
    page = log.watch(contexts("reviewer").new_page())
    try:
        resp = page.goto("/upload")
        assert resp is not None and resp.status == 200
        page.set_input_files("#upload-input", [str(p) for p in seed_paths])
        n = len(seed_paths)
        page.wait_for_selector(f'#upload-summary[data-done="{n}"]', timeout=120_000)
        items = page.eval_on_selector_all("#upload-list li.upload-item", """els => els.map(li => ({
            file: li.dataset.fileName, state: li.dataset.status, id: li.dataset.reportId || null,
            status: li.querySelector('.upload-status').textContent,
            detail: li.querySelector('.upload-detail').textContent,
            progress: li.querySelector('progress') ? li.querySelector('progress').value : null}))""")
        summary = page.text_content("#upload-summary")
    finally:
        page.close()
    assert not log.dialogs, log.dialogs
    out = {Path(it["file"]).stem: {**it, "id": int(it["id"]) if it["id"] else None} for it in items}
    out["_summary"] = summary  # type: ignore[assignment]
    return out


@pytest.fixture(scope="module")
def seed_ids(uploaded: dict[str, Any]) -> dict[str, int]:
    """stem -> report id of the five uploaded samples (the upload must have stored them all)."""
    ids = {k: v["id"] for k, v in uploaded.items() if not k.startswith("_")}
    assert all(ids.values()), f"some samples were not stored: {uploaded}"
    return ids

