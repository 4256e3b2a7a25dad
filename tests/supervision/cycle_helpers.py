"""Helpers of the supervision-cycle database tests: transactions, the office and unit actors, a campaign
with a 分工表 built in code."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fazhi import db
from fazhi.supervision import campaigns, tasks
from fazhi.supervision.access import Actor
from fazhi.units.models import Unit
from tests.supervision.builders import xlsx

OFFICE = Actor.cli()
HEADER = ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"]


@contextlib.contextmanager
def tx(engine: Engine) -> Iterator[Session]:
    """A write session in one transaction (committed unless the block raises)."""
    with db.session_factory(engine, write=True).begin() as s:
        yield s


def unit_actor(unit_id: int, duty: str = "filler", user_id: int | None = None) -> Actor:
    return Actor(user_id=user_id, role="unit", unit_id=unit_id, duty=duty)


def sheet(rows: Sequence[Sequence[Any]], title: str = "2025年法治政府建设重点任务责任分工表") -> bytes:
    """A plain 分工表: a title row, the header, the rows."""
    return xlsx([[title], HEADER, *rows], ["A1:E1"])


def new_campaign(engine: Engine, organiser: str, *, year: int = 2025, framework_id: int | None = None,
                 settings: dict[str, Any] | None = None) -> int:
    with tx(engine) as s:
        return campaigns.create_campaign(s, OFFICE, f"{organiser}{year}年法治政府建设", year=year, organiser=organiser,
                                         framework_id=framework_id, settings=settings).id


def imported(engine: Engine, organiser: str, rows: Sequence[Sequence[Any]], **kw: Any) -> tuple[int, tasks.TaskImport]:
    """A new campaign of ``organiser`` with the 分工表 ``rows`` imported (confirmed)."""
    campaign_id = new_campaign(engine, organiser, **kw)
    with tx(engine) as s:
        return campaign_id, tasks.import_tasks(s, OFFICE, campaign_id, sheet(rows), "分工表.xlsx", confirm=True)


def unit_id(engine: Engine, name: str) -> int:
    with tx(engine) as s:
        found = s.scalar(select(Unit.id).where(Unit.name == name))
        assert found is not None, name
        return found


def by_title(engine: Engine, campaign_id: int, **kw: Any) -> dict[str, tasks.TaskView]:
    with tx(engine) as s:
        return {t.title: t for t in tasks.list_tasks(s, OFFICE, campaign_id, **kw)}
