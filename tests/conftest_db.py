"""Database fixtures for the store tests: real SQLite files and a real PostgreSQL.

The root ``tests/conftest.py`` loads these fixtures as a plugin for every test
(``pytest_plugins``).  ``db_url`` is parametrised over both backends:

- SQLite: a file in ``tmp_path``;
- PostgreSQL: ``$FAZHI_TEST_PG_URL`` (default
  ``postgresql+psycopg://postgres@127.0.0.1:5432/test``), each test in a
  schema of its own (``search_path`` and ``application_name`` set in the
  URL's ``options``), dropped afterwards.  The ``pg_trgm`` extension (the
  full-text index of migration 0005) is created once in ``public``, so that no
  test's migration creates it in its own schema, where dropping the schema
  would drop it (and every other test's index using it) as well.  When PostgreSQL cannot be
  reached the PostgreSQL cases are skipped — except under CI (``$CI`` set),
  where they fail: CI must run them.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from functools import cache

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from fazhi import db

PG_URL = os.environ.get("FAZHI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]

__all__ = ["BACKENDS", "PG_URL", "assert_consistent", "consistent", "db_url", "engine", "migrated", "pg_admin", "pg_schema_url", "pg_url", "require_pg"]


@cache
def _pg_problem() -> str | None:
    try:
        eng = create_engine(db.resolve_url(PG_URL), connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
        return None
    except Exception as exc:  # unreachable, no such database, …
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"


def require_pg() -> None:
    """Skip (locally) or fail (under CI) when PostgreSQL cannot be reached."""
    problem = _pg_problem()
    if problem is None:
        return
    msg = f"PostgreSQL at {make_url(PG_URL).render_as_string(hide_password=True)} is not reachable: {problem}"
    if os.environ.get("CI"):
        pytest.fail(msg + " (CI must run the PostgreSQL tests)")
    pytest.skip(msg)


@cache
def _pg_trgm_in_public() -> None:
    """``CREATE EXTENSION pg_trgm`` in ``public``, once per session (see the module documentation); a
    database that refuses it leaves the migrations to run without the index."""
    eng = create_engine(db.resolve_url(PG_URL), isolation_level="AUTOCOMMIT")
    try:
        with eng.connect() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
    except Exception:  # not available, not allowed, or created by a concurrent run meanwhile
        pass
    finally:
        eng.dispose()


def pg_schema_url(schema: str) -> str:
    """The test URL with every connection placed in ``schema`` and named after it."""
    u = make_url(db.resolve_url(PG_URL)).update_query_dict(
        {"options": f"-csearch_path={schema}", "application_name": f"fazhi_{schema}"})
    return u.render_as_string(hide_password=False)


@pytest.fixture
def pg_admin() -> Iterator[Engine]:
    """An engine on the test database outside any test schema (to create, drop, kill)."""
    require_pg()
    eng = create_engine(db.resolve_url(PG_URL), isolation_level="AUTOCOMMIT")
    yield eng
    eng.dispose()


@contextlib.contextmanager
def _pg_schema() -> Iterator[str]:
    require_pg()
    _pg_trgm_in_public()
    schema = "fz_" + uuid.uuid4().hex[:12]
    admin = create_engine(db.resolve_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield pg_schema_url(schema)
    finally:
        with admin.connect() as conn:
            # connections a test left behind (killed runs, threads) must not block the DROP
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE application_name = :app AND pid <> pg_backend_pid()"),
                         {"app": f"fazhi_{schema}"})
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fazhi.sqlite'}"
        return
    with _pg_schema() as url:
        yield url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL of a fresh PostgreSQL schema (for what only a database server has: connections to lose)."""
    with _pg_schema() as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the empty test database (no schema yet)."""
    eng = db.make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def migrated(engine: Engine) -> Engine:
    """The test database upgraded to head."""
    db.upgrade(engine)
    return engine


def assert_consistent(eng: Engine) -> int:
    """No half-written report: every report has exactly the rows its stored review lists, and no
    row belongs to a missing report.  Returns the number of reports."""
    from sqlalchemy import func, select

    from fazhi.corpus.models import Fact, Finding, PartRow, Quantity, Report

    with db.session_factory(eng)() as s:
        want = {rid: (len(doc.get("facts") or []), len(doc.get("quantities") or []),
                      len(doc.get("findings") or []), len(doc.get("parts") or {}))
                for rid, doc in s.execute(select(Report.id, Report.review))}
        got: dict[int, list[int]] = {rid: [0, 0, 0, 0] for rid in want}
        for i, model in enumerate((Fact, Quantity, Finding, PartRow)):
            for rid, n in s.execute(select(model.report_id, func.count()).group_by(model.report_id)):
                assert rid in got, f"{model.__tablename__} rows of a missing report {rid}"
                got[rid][i] = n
        assert {k: tuple(v) for k, v in got.items()} == want
        return len(want)


@pytest.fixture
def consistent():
    """:func:`assert_consistent`, as a fixture (so test modules need not import this plugin)."""
    return assert_consistent
