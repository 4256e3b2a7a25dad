"""Fixtures for the web tests: the app over a real database, users, a client that logs in.

- ``app`` / ``web``: the app over a SQLite file in ``tmp_path``;
- ``backend_app`` / ``backend_web``: the same over each backend of the store's
  ``db_url`` fixture (SQLite and PostgreSQL; PostgreSQL is skipped locally
  when unreachable and fails under CI);
- :class:`Web`: a TestClient with helpers to log in, read the CSRF token of
  the session and upload files;
- :func:`report_text`: a small report for a given issuer (the issuer stage
  resolves its region from the title).

Argon2 runs with tiny parameters here (the production defaults take ~50 ms a
hash), and the limits are small so oversize cases stay cheap: 256 KB per file,
1 MB per request, 5 files per request.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette.testclient`")

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from fazhi.accounts import service as accounts  # noqa: E402
from fazhi.accounts.roles import SYSTEM  # noqa: E402
from fazhi.config import Settings  # noqa: E402
from fazhi.corpus.models import Fact, Finding, PartRow, Quantity, Report  # noqa: E402
from fazhi.web.app import create_app  # noqa: E402

PASSWORD = "correct horse 42"
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
KB = 1024


def web_settings(**overrides: Any) -> Settings:
    s = Settings(argon2=dict(FAST_ARGON2), warm_up=False, max_file_bytes=256 * KB, max_request_bytes=1024 * KB,
                 max_files=5, secret_key=None)
    for k, v in overrides.items():
        setattr(s, k, v)
    return s


def report_text(unit: str, year: int = 2023, extra: str = "") -> str:
    """A short report of ``unit`` with the four parts and a few core figures."""
    return (f"{unit}关于{year}年度法治政府建设情况的报告\n"
            f"一、{year}年推进法治政府建设的主要举措和成效\n"
            f"（一）加强学法用法。全年组织集中学法4次，办理行政复议案件12件，受理法律援助案件35件。{extra}\n"
            "二、存在的不足和原因\n一是法治宣传不够深入。主要原因是重视程度不够。\n"
            "三、党政主要负责人履行推进法治建设第一责任人职责情况\n主要负责人带头学法，研究法治工作3次。\n"
            f"四、{year + 1}年工作安排\n一是加强法治宣传。\n{unit}\n{year + 1}年2月20日\n")


JIAOZUO = "焦作市中站区人民政府"
XINYANG = "信阳市平桥区人民政府"


def add_user(app: Any, name: str, role: str, *, region: str | None = None, password: str = PASSWORD) -> int:
    with app.state.WriteSession.begin() as s:
        return accounts.create_user(s, name, role, password, app.state.settings, region=region, actor=SYSTEM).id


def add_token(app: Any, name: str, **kw: Any) -> str:
    with app.state.WriteSession.begin() as s:
        user = accounts.get_user(s, name)
        assert user is not None
        kw.setdefault("expires_days", app.state.settings.token_days)
        return accounts.create_token(s, user.id, "test", actor=SYSTEM, **kw)[1]


def count_reports(app: Any) -> int:
    with app.state.Session() as s:
        return int(s.scalar(select(func.count()).select_from(Report)) or 0)


def stored_rows(app: Any) -> dict[str, int]:
    """Rows of every table a stored review writes: all zero means nothing was stored."""
    with app.state.Session() as s:
        return {m.__tablename__: int(s.scalar(select(func.count()).select_from(m)) or 0)
                for m in (Report, Fact, Quantity, Finding, PartRow)}


_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')


class Web:
    """A TestClient that logs in and knows its session's CSRF token."""

    def __init__(self, app: Any, **kw: Any) -> None:
        self.app = app
        self.c = TestClient(app, follow_redirects=False, **kw)

    def __getattr__(self, name: str) -> Any:  # get, post, delete … of the client
        return getattr(self.c, name)

    def login_page_csrf(self) -> str:
        r = self.c.get("/login")
        assert r.status_code == 200, r.text
        m = _CSRF_FIELD.search(r.text)
        assert m, "no csrf_token in the login form"
        return m.group(1)

    def login(self, name: str, password: str = PASSWORD, *, expect: int = 303) -> Any:
        token = self.login_page_csrf()
        r = self.c.post("/login", data={"username": name, "password": password, "csrf_token": token, "next": "/"})
        assert r.status_code == expect, (r.status_code, r.text[:500])
        return r

    def csrf(self, path: str = "/account") -> str:
        r = self.c.get(path)
        assert r.status_code == 200, (r.status_code, r.text[:300])
        m = _CSRF_META.search(r.text)
        assert m and m.group(1), "no csrf token on the page"
        return m.group(1)

    def upload(self, files: list[tuple[str, bytes]], *, csrf: str | None = None, brief: bool = True,
               headers: dict[str, str] | None = None) -> Any:
        h = dict(headers or {})
        if csrf is not None:
            h["X-CSRF-Token"] = csrf
        return self.c.post("/api/reports" + ("?brief=1" if brief else ""), headers=h,
                           files=[("files", (name, data, "application/octet-stream")) for name, data in files])


def _make(url: str, **overrides: Any) -> Any:
    return create_app(url, settings=web_settings(**overrides))


@pytest.fixture
def make_app(tmp_path) -> Iterator[Any]:
    """A factory: ``make_app(**settings)`` → an app over a fresh SQLite file (disposed afterwards)."""
    apps: list[Any] = []

    def factory(url: str | None = None, **overrides: Any) -> Any:
        app = _make(url or f"sqlite:///{tmp_path / f'web{len(apps)}.sqlite'}", **overrides)
        apps.append(app)
        return app

    yield factory
    for a in apps:
        a.state.engine.dispose()


@pytest.fixture
def app(make_app) -> Any:
    return make_app()


@pytest.fixture
def web(app) -> Web:
    return Web(app)


@pytest.fixture
def backend_app(db_url) -> Iterator[Any]:
    """The app over SQLite and over PostgreSQL (the store's ``db_url`` fixture)."""
    a = _make(db_url)
    yield a
    a.state.engine.dispose()


def login_as(app: Any, name: str, role: str, *, region: str | None = None) -> Web:
    """A new user ``name`` with ``role`` (and region scope), logged in."""
    add_user(app, name, role, region=region)
    w = Web(app)
    w.login(name)
    return w
