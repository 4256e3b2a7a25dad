"""The 责任分工表: the year's tasks, each with its lead and co-units, indicator, target and deadline.

:func:`parse_tasks` reads a table (from :func:`fazhi.supervision.sheets.read_table`
with the ``tasks`` field spec) into :class:`ParsedTask` records for a campaign
of a given year and organiser.  Unit cells are split and short forms
qualified (:mod:`~fazhi.units.names`), deadlines read as written
(:mod:`~fazhi.supervision.deadlines`).  Nothing is stored here.

Decisions:

* A row without task text or without a lead unit is a problem: it is not
  imported, and it is named with the reason.
* A deadline that cannot be read ("视情况", "2月30日") or is empty is NOT a
  problem: the task imports with no due date, and a warning names the row and
  the reason, so the office can fix the date later without re-importing.
  A sheet with no deadline column gets one warning, not one per task.
* Several units in the lead cell are kept, in the order written, the first
  being the lead; a unit marked "（牵头）" moves to the front, one marked
  "（配合）" or listed after "配合：" moves to the co-units.  A co-unit that is
  also a lead is dropped from the co-units.  A group as lead ("各乡镇（街道）")
  is kept and warned about: the task is every member's.
* Indicator columns (一级/二级/三级指标 or 指标) that are merged or left blank
  under a value repeat the value above; a row with only indicator cells sets
  the indicator for the rows below and is no task.  Without indicator
  columns, a full-width section row ("一、……") above the tasks is their
  indicator.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fazhi.supervision.deadlines import Due, parse_due
from fazhi.supervision.frameworks import fill_levels, split_ref
from fazhi.supervision.sheets import SheetProblem, SheetRow, SheetTable
from fazhi.units.names import UnitRef, qualify, split_units

INDICATOR_FIELDS = ("level1", "level2", "level3", "indicator")
_TASK_FIELDS = ("title", "lead", "co", "due", "target", "notes")


@dataclass(frozen=True)
class ParsedTask:
    """One task of the sheet, as read; ``source_row`` is its row in the sheet (1-based)."""

    seq: str | None
    title: str
    indicator_ref: str | None
    indicator_name: str | None
    indicator_path: tuple[str, ...]
    lead: tuple[UnitRef, ...]
    co: tuple[UnitRef, ...]
    target: str
    due: Due
    due_text: str
    source_row: int
    notes: str


@dataclass(frozen=True)
class TaskSheet:
    """The tasks read from a 责任分工表, the rows not imported (problems) and the caveats (warnings)."""

    tasks: tuple[ParsedTask, ...]
    problems: tuple[SheetProblem, ...]
    warnings: tuple[SheetProblem, ...]
    table: SheetTable

    def summary(self) -> str:
        """Chinese lines for the importer: what was read, then every row not imported and every warning."""
        lines = [self.table.summary(), f"任务 {len(self.tasks)} 项；未导入 {len(self.problems)} 行；提醒 {len(self.warnings)} 条"]
        lines += [f"未导入 {p}" for p in self.problems]
        lines += [f"提醒 {w}" for w in self.warnings]
        return "\n".join(lines)


def _indicator(path: tuple[str, ...]) -> tuple[str | None, str | None]:
    """The ref path ("一/1") when every level has a number, and the deepest level's name."""
    if not path:
        return None, None
    refs = [split_ref(level)[0] for level in path]
    ref_path = "/".join(r for r in refs if r) if all(refs) else None
    return ref_path, split_ref(path[-1])[1]


def _units(refs: list[UnitRef], organiser_name: str, organiser_level: str) -> list[UnitRef]:
    return [replace(u, name=qualify(u.name, organiser_name, organiser_level)) for u in refs]


def _lead_and_co(row: SheetRow, organiser_name: str,
                 organiser_level: str) -> tuple[tuple[UnitRef, ...], tuple[UnitRef, ...]]:
    named = _units(split_units(row.text("lead")), organiser_name, organiser_level)
    lead = [u for u in named if u.role == "lead"] + [u for u in named if u.role is None]
    co = [u for u in named if u.role == "co"] + _units(split_units(row.text("co")), organiser_name, organiser_level)
    leads = {u.name for u in lead}
    unique_co: dict[str, UnitRef] = {}
    for unit in co:
        if unit.name not in leads:
            unique_co.setdefault(unit.name, unit)
    return tuple(lead), tuple(unique_co.values())


def _due_warnings(number: int, due: Due, year: int) -> list[SheetProblem]:
    if not due.recognised and not due.text:
        return [SheetProblem(number, "没有填写完成时限，任务已导入，没有截止日期")]
    if not due.recognised:
        return [SheetProblem(number, f"完成时限“{due.text}”无法识别：{due.reason}；任务已导入，没有截止日期")]
    if due.due is not None and due.due.year < year:
        return [SheetProblem(number, f"完成时限 {due.due.isoformat()} 早于 {year} 年，请核对")]
    return []


def parse_tasks(table: SheetTable, year: int, organiser_name: str, organiser_level: str) -> TaskSheet:
    """The tasks of a 责任分工表 for a campaign of ``year`` run by the organiser (see the module's decisions)."""
    levels = [f for f in INDICATOR_FIELDS if f in table.columns]
    tasks: list[ParsedTask] = []
    problems: list[SheetProblem] = list(table.problems)
    has_due = "due" in table.columns
    warnings = [] if has_due else [SheetProblem(table.header_row, "表中没有“完成时限”列，任务都没有截止日期")]
    previous: list[str] = []
    for row in table.rows:
        if levels:
            previous = fill_levels([row.text(f) for f in levels], previous)
        path = tuple(c for c in previous if c) if levels else ((row.section,) if row.section else ())
        if not any(row.text(f) for f in _TASK_FIELDS):
            continue  # an indicator row, or a numbered empty row
        title = row.text("title")
        lead, co = _lead_and_co(row, organiser_name, organiser_level)
        if not title or not lead:
            problems.append(SheetProblem(row.number, "没有工作任务内容" if not title else "没有牵头单位"))
            continue
        warnings += [SheetProblem(row.number, f"牵头单位“{u.name}”是一类单位，不是一个单位")
                     for u in lead if u.kind == "group"]
        due = parse_due(row.values.get("due"), year)
        warnings += _due_warnings(row.number, due, year) if has_due else []
        ref, name = _indicator(path)
        tasks.append(ParsedTask(row.text("seq") or None, title, ref, name, path, lead, co, row.text("target"),
                                due, due.text, row.number, row.text("notes")))
    return TaskSheet(tuple(tasks), tuple(sorted(problems, key=lambda p: p.row)), tuple(warnings), table)
