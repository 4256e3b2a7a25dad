"""Fixtures of the security suite: the web tests' apps and clients, a server on loopback, and a "world".

- the fixtures of ``tests/web/conftest.py`` (``make_app``, ``backend_app`` on
  SQLite and PostgreSQL) are imported here, and ``app`` is made as there;
- :func:`serve`: the app object under a real uvicorn server in a thread of
  this process, on 127.0.0.1 and a free port — real HTTP and real
  concurrency, while the test can still look inside the app (and patch it);
- :func:`build_world` / ``world``: reports, accounts and tokens in two
  regions (焦作市, 信阳市) and none, and a knowledge version, so that every
  test can aim at something inside and something outside a scope;
- :func:`snapshot`: every row a state-changing request could change, to prove
  that a refused request changed nothing.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from fazhi.accounts.models import ApiToken, Credential, User
from fazhi.bench.http import free_port
from fazhi.corpus.models import Report
from fazhi.knowledge.models import KnowledgeVersion
from tests.web.conftest import (  # noqa: F401  (fixtures used by the tests of this folder)
    JIAOZUO,
    PASSWORD,
    XINYANG,
    Web,
    add_token,
    add_user,
    backend_app,
    login_as,
    make_app,
    report_text,
)


@pytest.fixture
def app(make_app: Any) -> Any:  # noqa: F811
    """The app over a SQLite file in ``tmp_path`` (as in ``tests/web``)."""
    return make_app()


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """``app`` under uvicorn on loopback in a thread of this process: yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off", access_log=False))
    thread = threading.Thread(target=server.run, name="fazhi-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class World:
    """Things in 焦作市, in 信阳市 and in no region, by name: ``reports``, ``users`` (ids), ``tokens`` (ids)."""

    app: Any
    reports: dict[str, int] = field(default_factory=dict)
    issuers: dict[str, int] = field(default_factory=dict)  # the units of those reports
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, int] = field(default_factory=dict)
    token_values: dict[str, str] = field(default_factory=dict)
    version: int = 0
    #: path parameters of the supervision cycle (``campaign_id``, ``task_id`` …): a thing of 焦作市 (``inside``)
    #: and the same kind of thing of 信阳市 (``outside``), filled by the ``world_*.py`` modules of this folder
    inside: dict[str, Any] = field(default_factory=dict)
    outside: dict[str, Any] = field(default_factory=dict)


#: name → (role, region scope)
ACCOUNTS = {"超管": ("admin", None), "焦作管理员": ("admin", "焦作市"), "焦作审核员": ("reviewer", "焦作市"),
            "焦作查看": ("viewer", "焦作市"), "信阳管理员": ("admin", "信阳市"), "信阳审核员": ("reviewer", "信阳市"),
            "全域查看": ("viewer", None)}


def build_world(app: Any) -> World:
    """Accounts of :data:`ACCOUNTS` (each with an API token), a report of 焦作市 and one of 信阳市, and a
    stored (inactive) rules version."""
    from fazhi.knowledge import versions as ks
    from tests.knowledge_helpers import local_rules

    w = World(app)
    for name, (role, region) in ACCOUNTS.items():
        w.users[name] = add_user(app, name, role, region=region)
        w.token_values[name] = add_token(app, name)
    with app.state.Session() as s:
        for tok in s.scalars(select(ApiToken)):
            w.tokens[next(n for n, uid in w.users.items() if uid == tok.user_id)] = tok.id
    h = {"Authorization": f"Bearer {w.token_values['超管']}"}
    r = Web(app).upload([("jz.txt", report_text(JIAOZUO).encode()), ("xy.txt", report_text(XINYANG).encode())],
                        headers=h)
    assert r.status_code == 201, r.text
    w.reports = {"焦作": r.json()["results"][0]["id"], "信阳": r.json()["results"][1]["id"]}
    with app.state.Session() as s:
        w.issuers = {k: s.scalar(select(Report.issuer_id).where(Report.id == rid)) for k, rid in w.reports.items()}
    with app.state.WriteSession.begin() as s:
        w.version = ks.add_version(s, "rules", local_rules("2024.1-安全"), user=w.users["超管"]).id
    for extend in world_extensions():
        extend(w)
    return w


def world_extensions() -> list[Any]:
    """The ``build(world)`` function of every ``tests/security/world_*.py`` module, in name order: each adds
    the things of one part of the app (a campaign of 焦作市 and one of 信阳市 …) to ``world.inside`` and
    ``world.outside`` — one file per part, so that parts can be added without touching this one."""
    import importlib
    import pkgutil

    import tests.security as pkg

    names = sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if m.name.startswith("world_"))
    return [importlib.import_module(f"tests.security.{n}").build for n in names]


@pytest.fixture
def world(app: Any) -> World:
    return build_world(app)


#: tables a refused request may still write to (the audit log records refusals; sign-ins and their failures)
UNWATCHED = frozenset({"audit_events", "login_failures", "app_settings", "job_runs"})


def snapshot(app: Any) -> dict[str, Any]:
    """Every row a state-changing request of the web could change: reports, accounts, tokens, versions by
    their columns that matter, and every other table (the supervision cycle's) row by row."""
    from sqlalchemy import text

    from fazhi.db.base import Base

    with app.state.Session() as s:
        named = {"reports", "users", "user_credentials", "api_tokens", "knowledge_versions"}
        rest = {t.name: sorted(repr(tuple(r)) for r in s.execute(text(f'SELECT * FROM "{t.name}"')))
                for t in Base.metadata.sorted_tables if t.name not in UNWATCHED | named}
        return {"tables": rest,
            "reports": sorted(s.scalars(select(Report.id))),
            "users": sorted(s.execute(select(User.id, User.name, User.role)).all()),
            "credentials": sorted(s.execute(select(
                Credential.user_id, Credential.password_hash, Credential.active, Credential.region,
                Credential.session_version)).all()),
            "tokens": sorted(s.execute(select(ApiToken.id, ApiToken.user_id, ApiToken.revoked_at)).all()),
            "versions": sorted(s.execute(select(KnowledgeVersion.id, KnowledgeVersion.active)).all()),
        }
