"""``fazhi bench --supervision``: the supervision cycle at the sizes offices reach, timed.

Two figures, on a temporary SQLite file (or the PostgreSQL database given):

* **import**: a generated 3,000-row 责任分工表 (.xlsx, a title row, merged 一级 cells, 50 units named in
  short form, deadlines in several forms) read, parsed, its units placed and created, its tasks stored —
  :func:`fazhi.supervision.tasks.import_tasks` in one transaction;
* **overdue view**: a campaign of 500 units × 100 tasks (50,000 tasks, quarterly milestones on a fifth of
  them, accepted progress on a tenth): the campaign board on a date (every task's light, counts per unit,
  the overdue list) — :func:`fazhi.supervision.tasks.board` — and one unit's overdue tasks.

Speed is reported, never asserted.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import time
from pathlib import Path
from typing import Any

DEADLINES = ("2025年6月底前", "9月30日前", "每季度末", "年底前", "2025年10月", "长期坚持", "3月31日前")


def task_sheet(rows: int, units: int = 50) -> bytes:
    """A 分工表 of ``rows`` tasks for ``units`` departments of a county, in the messy office form."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["某县法治政府建设重点任务责任分工表"])
    ws.append(["序号", "一级指标", "工作任务", "牵头单位", "配合单位", "完成时限", "备注"])
    for i in range(1, rows + 1):
        first = i % 100 == 1
        ws.append([i, f"{i // 100 + 1}、第{i // 100 + 1}类任务" if first else None, f"第{i}项重点任务的具体措施",
                   f"县第{i % units + 1}局", f"县第{(i + 7) % units + 1}局、县直各有关单位", DEADLINES[i % len(DEADLINES)],
                   None])
    ws.merge_cells("A1:G1")
    for start in range(3, rows + 3, 100):
        ws.merge_cells(start_row=start, start_column=2, end_row=min(start + 99, rows + 2), end_column=2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _engine(url: str | None, folder: Path) -> Any:
    from fazhi import db

    engine = db.make_engine(url or f"sqlite:///{folder / 'bench.sqlite'}")
    db.upgrade(engine)
    return engine


def _seconds(fn: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _import(engine: Any, rows: int) -> dict[str, Any]:
    from fazhi import db
    from fazhi.supervision import campaigns, tasks
    from fazhi.supervision.access import Actor

    office = Actor.cli()
    data = task_sheet(rows)
    with db.session_factory(engine, write=True).begin() as s:
        campaign = campaigns.create_campaign(s, office, "导入测试", year=2025, organiser="西峡县").id
    with db.session_factory(engine, write=True).begin() as s:
        seconds, result = _seconds(lambda: tasks.import_tasks(s, office, campaign, data, "bench.xlsx", confirm=True))
    return {"rows": rows, "tasks": result.tasks, "units_created": len(result.created), "bytes": len(data),
            "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds)}


def _big_campaign(engine: Any, units: int, per_unit: int) -> tuple[int, int]:
    """A campaign of ``units`` × ``per_unit`` tasks written directly (the view is measured, not the writes)."""
    from sqlalchemy import insert

    from fazhi import db
    from fazhi.supervision import campaigns
    from fazhi.supervision.access import Actor
    from fazhi.supervision.models import Progress, Task, TaskUnit
    from fazhi.units.models import Unit

    office = Actor.cli()
    quarters = ["2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31"]
    with db.session_factory(engine, write=True).begin() as s:
        campaign = campaigns.create_campaign(s, office, "督办测试", year=2025, organiser="宁乡市").id
        unit_ids = s.scalars(insert(Unit).returning(Unit.id, sort_by_parameter_order=True), [
            {"name": f"宁乡市测试单位{i}", "type": "部门-无执法权", "level": "department", "created_how": "bench"}
            for i in range(units)]).all()
        rows: list[dict[str, Any]] = []
        for n in range(units * per_unit):
            unit = unit_ids[n % units]
            due = dt.date(2025, 1 + n % 12, 28)
            quarterly = n % 5 == 0
            rows.append({"campaign_id": campaign, "position": n + 1, "seq": str(n + 1), "title": f"任务{n + 1}",
                         "lead_unit_id": unit, "lead_name": f"单位{unit}", "due": dt.date(2025, 12, 31) if quarterly
                         else due, "due_text": "每季度末" if quarterly else due.isoformat(),
                         "milestones": quarters if quarterly else [due.isoformat()], "status": "assigned",
                         "source_row": n + 3})
        ids = s.scalars(insert(Task).returning(Task.id, sort_by_parameter_order=True), rows).all()
        s.execute(insert(TaskUnit), [{"task_id": t, "unit_id": r["lead_unit_id"], "name": r["lead_name"],
                                      "role": "lead", "kind": "unit", "position": 0} for t, r in zip(ids, rows,
                                                                                                     strict=True)])
        s.execute(insert(Progress), [{"task_id": t, "unit_id": r["lead_unit_id"], "period": r["milestones"][0],
                                      "text": "已完成", "status": "accepted", "figures": []}
                                     for t, r in list(zip(ids, rows, strict=True))[::10]])
    return campaign, unit_ids[0]


def _overdue(engine: Any, units: int, per_unit: int) -> dict[str, Any]:
    from fazhi import db
    from fazhi.supervision import tasks
    from fazhi.supervision.access import Actor

    office = Actor.cli()
    campaign, first_unit = _big_campaign(engine, units, per_unit)
    as_of = dt.date(2025, 7, 1)
    with db.session_factory(engine)() as s:
        board_s, board = _seconds(lambda: tasks.board(s, office, campaign, as_of))
        unit_s, mine = _seconds(lambda: tasks.list_tasks(s, office, campaign, as_of=as_of, unit_id=first_unit,
                                                         overdue=True))
    return {"units": units, "tasks": units * per_unit, "overdue": len(board.overdue), "board_seconds": round(board_s, 3),
            "unit_overdue": len(mine), "unit_seconds": round(unit_s, 3)}


def run_supervision_bench(url: str | None = None, *, rows: int = 3000, units: int = 500,
                          per_unit: int = 100) -> dict[str, Any]:
    """Both figures (see the module documentation)."""
    from fazhi import db

    with tempfile.TemporaryDirectory(prefix="fazhi-bench-") as folder:
        engine = _engine(url, Path(folder))
        try:
            return {"database": db.describe(engine.url), "import": _import(engine, rows),
                    "overdue": _overdue(engine, units, per_unit)}
        finally:
            engine.dispose()


def format_supervision(result: dict[str, Any]) -> str:
    imp, view = result["import"], result["overdue"]
    return "\n".join([
        f"fazhi bench --supervision  ({result['database']})",
        f"  分工表 import   {imp['rows']:>6,} rows → {imp['tasks']:,} tasks, {imp['units_created']} units created  "
        f"{imp['seconds']:.2f} s  ({imp['rows_per_s']:,} rows/s, {imp['bytes'] / 1024:.0f} KB xlsx)",
        f"  overdue view    {view['units']} units × {view['tasks'] // view['units']} tasks = {view['tasks']:,} tasks  "
        f"board {view['board_seconds']:.2f} s ({view['overdue']:,} overdue); one unit {view['unit_seconds']:.3f} s "
        f"({view['unit_overdue']} overdue)",
    ])


__all__ = ["format_supervision", "run_supervision_bench", "task_sheet"]
