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
