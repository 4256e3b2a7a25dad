"""Shared fixtures: the real sample reports and their gold answers live in ../shared/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest_plugins = ["tests.conftest_db"]

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
GOLD_PATH = SHARED / "gold" / "seeds.json"


_DB_FIXTURES = frozenset({"db_url", "engine", "migrated", "pg_url", "pg_admin"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests by what they need (``-m`` selects them; ``make test-fast`` runs neither):

    - ``browser``: a real browser (tests/browser);
    - ``web``: the web application (tests/web, tests/security);
    - ``db``: a database (the SQLite/PostgreSQL fixtures);
    - ``pg``: PostgreSQL itself (a ``postgresql`` parameter or a PostgreSQL-only fixture);
    - ``slow`` is set by the tests that take long on their own (``@pytest.mark.slow``)."""
    for item in items:
        path = str(item.path)
        if "/tests/browser/" in path:
            item.add_marker(pytest.mark.browser)
        if "/tests/web/" in path or "/tests/security/" in path:
            item.add_marker(pytest.mark.web)
        names = set(getattr(item, "fixturenames", ()))
        if names & _DB_FIXTURES:
            item.add_marker(pytest.mark.db)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "pg_url" in names or "pg_admin" in names or "postgresql" in params.values():
            item.add_marker(pytest.mark.pg)


def _need_shared() -> None:
    if not SEEDS or not GOLD_PATH.exists():
        pytest.skip("../shared/seeds and ../shared/gold are not beside the repository")


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    _need_shared()
    return SEEDS


@pytest.fixture(scope="session")
def gold() -> dict:
    _need_shared()
    return json.loads(GOLD_PATH.read_text(encoding="utf-8"))["reports"]


@pytest.fixture(scope="session")
def seed_reviews(seed_paths):
    """stem -> Review for every seed, reviewed once per test session."""
    import fazhi

    return {p.stem: fazhi.review(p) for p in seed_paths}
