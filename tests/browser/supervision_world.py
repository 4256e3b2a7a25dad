"""What the supervision cycle's browser tests share: a write transaction on the live server's database, and the
assessment world of ``tests/web/test_assessment.py`` (counties, units, a campaign, accounts) built there."""

from __future__ import annotations

from typing import Any

from fazhi import db
from tests.browser.conftest import PASSWORD, LiveServer
from tests.web.test_assessment import build


def services(url: str, fn: Any) -> Any:
    """``fn(session)`` in one write transaction on the database ``url`` (committed unless it raises)."""
    engine = db.make_engine(url)
    try:
        with db.session_factory(engine, write=True).begin() as s:
            return fn(s)
    finally:
        engine.dispose()


def assessment_world(live_server: LiveServer) -> dict[str, Any]:
    """The assessment world on the live server's database, its accounts able to sign in; ``url`` is that
    database."""
    from fazhi.bench.http import make_account

    engine = db.make_engine(live_server.db_url)
    try:
        return {**build(engine, lambda name, role: make_account(live_server.db_url, name, role, PASSWORD) or name),
                "url": live_server.db_url}
    finally:
        engine.dispose()
