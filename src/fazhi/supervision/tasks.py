"""The 责任分工表 of a campaign: import from the sheet an office keeps, lists with traffic lights for any
as-of date, the overdue views (per campaign, per unit), and export back to xlsx with status columns.

Import (:func:`import_tasks`) reads the sheet with :func:`fazhi.supervision.sheets.read_table` and
:func:`fazhi.supervision.tasksheet.parse_tasks`, places every unit named (registered units, their aliases,
short forms in the organiser's terms), creates the units that are not registered yet (listed in the
result), keeps group names ("县直各有关单位") as groups, and links a task to the indicator node of the
campaign's framework that the sheet names.  A lead unit that cannot be placed ("张三", "市生态环境局西峡分
局" in a county's sheet without such a unit registered) makes its row unread; a co-unit that cannot be
placed is kept as written, with a warning.  Rows not read are named with the reason and nothing is kept
until the user confirms (:class:`~fazhi.supervision.errors.Unconfirmed`); one transaction per import; the
same file twice is refused.

Traffic lights (:func:`light_of`), for an as-of date: a task is **overdue** when a milestone (its due date
is the last one) lies before that date without accepted progress for it; **due soon** when its next open
milestone is within the campaign's ``due_soon_days``; otherwise **on track** (an accepted task, and a task
with no date such as 长期坚持, is on track).  Accepted progress for a milestone covers the milestones before
it.  The as-of date moves the calendar, not the record: progress counts as it stands now.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import Text, cast, func, insert, or_, select
from sqlalchemy.orm import Session

from fazhi.accounts.audit import audit
from fazhi.supervision.access import Actor, NotFound
from fazhi.supervision.campaigns import campaign_for, get_campaign, office_campaign, today
from fazhi.supervision.errors import InputError, Unconfirmed
from fazhi.supervision.models import Campaign, IndicatorNode, Progress, Task, TaskUnit
from fazhi.supervision.sheets import SheetError, SheetProblem, field_spec, read_table, safe_cell
from fazhi.supervision.tasksheet import ParsedTask, parse_tasks
from fazhi.units.models import Unit
from fazhi.units.names import UnitRef, looks_like_unit, region_of
from fazhi.units.service import Created, find, get_or_create

LIGHTS = {"on_track": "正常", "due_soon": "临期", "overdue": "逾期"}
STATUSES = {"assigned": "已分派", "in_progress": "推进中", "submitted": "已报送", "accepted": "已办结",
            "returned": "已退回"}
PERIODS = {"monthly": "每月", "quarterly": "每季度", "half-yearly": "每半年", "yearly": "每年"}


# =========================================================================== lights
class Light(NamedTuple):
    """A task's traffic light on a date, and its first milestone without accepted progress."""

    light: str
    next_due: dt.date | None


def light_of(milestones: Sequence[dt.date], status: str, accepted_through: dt.date | None, as_of: dt.date,
             soon_days: int) -> Light:
    """The light of a task with these milestones (sorted; the due date last) on ``as_of``, when accepted
    progress covers the milestones up to ``accepted_through`` (see the module documentation)."""
    if status == "accepted":
        return Light("on_track", None)
    open_ = [m for m in milestones if accepted_through is None or m > accepted_through]
    if not open_:
        return Light("on_track", None)
    first = open_[0]
    if first < as_of:
        return Light("overdue", first)
    if (first - as_of).days <= soon_days:
        return Light("due_soon", first)
    return Light("on_track", first)


# =========================================================================== views
@dataclass(frozen=True)
class UnitRefView:
    """A unit as a task names it: registered (``id``) or kept as written (a group, an unplaced name)."""

    id: int | None
    name: str
    kind: str = "unit"  # unit | group

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class TaskView:
    """A task with its units, deadline, state and light (on ``as_of``)."""

    id: int
    campaign_id: int
    seq: str | None
    title: str
    indicator_ref: str | None
    indicator_name: str | None
    node_id: int | None
    leads: tuple[UnitRefView, ...]  # the first is the lead unit; more when the sheet named several
    co_units: tuple[UnitRefView, ...]
    target: str | None
    due: dt.date | None
    due_text: str | None
    milestones: tuple[dt.date, ...]
    periodic: str | None
    ongoing: bool
    status: str
    returned_reason: str | None
    source_row: int | None
    notes: str | None
    light: str
    next_due: dt.date | None
    as_of: dt.date

    @property
    def lead(self) -> UnitRefView:
        return self.leads[0]

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def light_label(self) -> str:
        return LIGHTS[self.light]

    def to_json(self) -> dict[str, Any]:
        """The ``fazhi task list --format json`` object (exactly these fields).  Further lead units of a
        task whose lead cell named several come first among the co-units."""
        indicator = ({"ref": self.indicator_ref, "name": self.indicator_name}
                     if self.indicator_ref or self.indicator_name else None)
        return {"id": self.id, "seq": self.seq, "title": self.title, "indicator": indicator,
                "lead_unit": self.lead.to_json(),
                "co_units": [u.to_json() for u in (*self.leads[1:], *self.co_units)],
                "due": self.due.isoformat() if self.due else None, "due_text": self.due_text,
                "milestones": [m.isoformat() for m in self.milestones], "status": self.status,
                "source_row": self.source_row}


_COLUMNS = (Task.id, Task.campaign_id, Task.seq, Task.title, Task.indicator_ref, Task.indicator_name, Task.node_id,
            Task.lead_unit_id, Task.lead_name, Unit.name, Task.target, Task.due, Task.due_text,
            cast(Task.milestones, Text),  # as JSON text: tasks share their milestones, each list is read once
            Task.periodic, Task.ongoing, Task.status, Task.returned_reason, Task.source_row, Task.notes)


def _milestones(text: str | None, due: dt.date | None) -> tuple[dt.date, ...]:
    """A task's milestones (stored as a JSON list of ISO dates) and its due date, sorted."""
    return tuple(sorted({dt.date.fromisoformat(v) for v in json.loads(text or "[]") or ()} | ({due} if due else set())))


def _views(session: Session, where: Sequence[Any], as_of: dt.date) -> list[TaskView]:
    """Views of the tasks matching ``where``, in sheet order: three queries in all, read as plain rows (a
    campaign of 50,000 tasks is one board)."""
    conn = session.connection()
    rows = conn.execute(select(*_COLUMNS).outerjoin(Unit, Unit.id == Task.lead_unit_id).where(*where)
                        .order_by(Task.position, Task.id)).all()
    if not rows:
        return []
    ids = select(Task.id).where(*where).scalar_subquery()
    units: dict[int, list[tuple[str, UnitRefView]]] = defaultdict(list)
    for task_id, unit_id, name, role, kind, uname in conn.execute(
            select(TaskUnit.task_id, TaskUnit.unit_id, TaskUnit.name, TaskUnit.role, TaskUnit.kind, Unit.name)
            .outerjoin(Unit, Unit.id == TaskUnit.unit_id).where(TaskUnit.task_id.in_(ids))
            .order_by(TaskUnit.task_id, TaskUnit.position)).all():
        units[task_id].append((role, UnitRefView(unit_id, uname or name, kind)))
    accepted = {task_id: dt.date.fromisoformat(period) for task_id, period in conn.execute(
        select(Progress.task_id, func.max(Progress.period)).where(
            Progress.task_id.in_(ids), Progress.status == "accepted", Progress.period.is_not(None))
        .group_by(Progress.task_id)) if period}
    soon = {cid: int((s or {}).get("due_soon_days", 7)) for cid, s in conn.execute(
        select(Campaign.id, Campaign.settings).where(Campaign.id.in_({r[1] for r in rows})))}
    dates: dict[tuple[str | None, dt.date | None], tuple[dt.date, ...]] = {}  # tasks share their milestones: parse each list once
    out = []
    for (id_, cid, seq, title, ref, iname, node_id, lead_id, lead_name, unit_name, target, due, due_text,
         milestones, periodic, ongoing, status, returned, source_row, notes) in rows:
        key = (milestones, due)
        if key not in dates:
            dates[key] = _milestones(milestones, due)
        light = light_of(dates[key], status, accepted.get(id_), as_of, soon[cid])
        named = units.get(id_, ())
        leads = tuple(u for role, u in named if role == "lead") or (UnitRefView(lead_id, unit_name or lead_name or ""),)
        out.append(TaskView(id_, cid, seq, title, ref, iname, node_id, leads,
                            tuple(u for role, u in named if role == "co"), target, due, due_text, dates[key],
                            periodic, bool(ongoing), status, returned, source_row, notes, light.light,
                            light.next_due, as_of))
    return out


def _of_unit(unit_id: int) -> Any:
    """Tasks the unit leads or works on."""
    return or_(Task.lead_unit_id == unit_id,
               Task.id.in_(select(TaskUnit.task_id).where(TaskUnit.unit_id == unit_id)))


def list_tasks(session: Session, actor: Actor, campaign_id: int, *, as_of: dt.date | None = None,
               unit_id: int | None = None, status: str | None = None, light: str | None = None,
               overdue: bool = False, q: str | None = None) -> list[TaskView]:
    """The campaign's tasks in sheet order (a unit user: only its unit's), filtered by unit (lead or co),
    status, light, ``overdue`` (light overdue) or text ``q`` in the title, on ``as_of`` (default today)."""
    campaign_for(session, actor, campaign_id)
    where = [Task.campaign_id == campaign_id]
    if actor.unit_user:
        where.append(_of_unit(actor.unit_id or 0))
    if unit_id is not None:
        where.append(_of_unit(unit_id))
    if status:
        where.append(Task.status == status)
    if q:
        where.append(Task.title.contains(q.strip()))
    views = _views(session, where, as_of or today())
    wanted = "overdue" if overdue else light
    return [v for v in views if wanted is None or v.light == wanted]


def get_task(session: Session, actor: Actor, task_id: int, as_of: dt.date | None = None) -> TaskView:
    """One task the actor may see (NotFound otherwise)."""
    task = task_for(session, actor, task_id)
    return _views(session, [Task.id == task.id], as_of or today())[0]


def task_for(session: Session, actor: Actor, task_id: int) -> Task:
    """The task row, if the actor may see it (the office of its campaign, or its lead or co-unit)."""
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(f"没有编号为 {task_id} 的任务")
    try:
        campaign_for(session, actor, task.campaign_id)
    except NotFound:
        raise NotFound(f"没有编号为 {task_id} 的任务") from None
    if actor.unit_user and task.lead_unit_id != actor.unit_id and not session.scalar(
            select(TaskUnit.id).where(TaskUnit.task_id == task.id, TaskUnit.unit_id == actor.unit_id).limit(1)):
        raise NotFound(f"没有编号为 {task_id} 的任务")
    return task


# =========================================================================== overdue views
@dataclass(frozen=True)
class UnitLights:
    """A lead unit's tasks in a view: how many in each light, how many accepted, and the overdue ones."""

    unit_id: int | None
    unit_name: str
    total: int
    on_track: int
    due_soon: int
    overdue: int
    accepted: int
    overdue_tasks: tuple[TaskView, ...]

    def to_json(self) -> dict[str, Any]:
        return {"unit": {"id": self.unit_id, "name": self.unit_name}, "total": self.total,
                "on_track": self.on_track, "due_soon": self.due_soon, "overdue": self.overdue,
                "accepted": self.accepted, "overdue_tasks": [t.to_json() for t in self.overdue_tasks]}


@dataclass(frozen=True)
class Board:
    """A campaign on a date: its tasks counted by light and status, per lead unit, and the overdue tasks."""

    campaign: Any  # CampaignView
    as_of: dt.date
    lights: dict[str, int]
    statuses: dict[str, int]
    units: tuple[UnitLights, ...]
    overdue: tuple[TaskView, ...]

    def to_json(self) -> dict[str, Any]:
        return {"campaign": self.campaign.to_json(), "as_of": self.as_of.isoformat(), "lights": self.lights,
                "statuses": self.statuses, "units": [u.to_json() for u in self.units],
                "overdue": [t.to_json() for t in self.overdue]}


def by_unit(tasks: Iterable[TaskView]) -> list[UnitLights]:
    """Tasks grouped by lead unit, the units with most overdue tasks first."""
    groups: dict[tuple[int | None, str], list[TaskView]] = defaultdict(list)
    for t in tasks:
        groups[(t.lead.id, t.lead.name)].append(t)
    out = []
    for (unit_id, name), items in groups.items():
        late = tuple(t for t in items if t.light == "overdue")
        out.append(UnitLights(unit_id, name, len(items), sum(t.light == "on_track" for t in items),
                              sum(t.light == "due_soon" for t in items), len(late),
                              sum(t.status == "accepted" for t in items), late))
    out.sort(key=lambda u: (-u.overdue, -u.due_soon, u.unit_name))
    return out


def board(session: Session, actor: Actor, campaign_id: int, as_of: dt.date | None = None) -> Board:
    """The campaign board (督办): counts by light and status, per lead unit, and the overdue tasks."""
    tasks = list_tasks(session, actor, campaign_id, as_of=as_of)
    when = as_of or today()
    lights = {k: sum(t.light == k for t in tasks) for k in LIGHTS}
    statuses = {k: sum(t.status == k for t in tasks) for k in STATUSES}
    return Board(get_campaign(session, actor, campaign_id), when, lights, statuses, tuple(by_unit(tasks)),
                 tuple(t for t in tasks if t.light == "overdue"))


def unit_tasks(session: Session, actor: Actor, unit_id: int, *, as_of: dt.date | None = None,
               campaign_id: int | None = None, overdue: bool = False) -> list[TaskView]:
    """A unit's tasks (as lead or co-unit) in every open campaign the actor may see, or in one."""
    from fazhi.supervision.unit_register import get_unit

    get_unit(session, actor, unit_id)
    if campaign_id is not None:
        return list_tasks(session, actor, campaign_id, as_of=as_of, unit_id=unit_id, overdue=overdue)
    open_ids = session.scalars(select(Campaign.id).where(Campaign.status == "open").order_by(Campaign.id))
    out: list[TaskView] = []
    for cid in open_ids:
        try:
            out += list_tasks(session, actor, cid, as_of=as_of, unit_id=unit_id, overdue=overdue)
        except NotFound:
            continue
    return out


# =========================================================================== import
@dataclass
class TaskImport:
    """What a 分工表 import did (or, unconfirmed, would do)."""

    campaign_id: int
    read: str
    tasks: int = 0
    linked: int = 0  # tasks linked to an indicator node of the campaign's framework
    created: list[str] = field(default_factory=list)  # units created
    problems: list[SheetProblem] = field(default_factory=list)  # rows not imported
    warnings: list[SheetProblem] = field(default_factory=list)  # imported with a caveat
    kept: bool = True  # False: a preview of an unconfirmed import, nothing was stored

    def summary(self) -> str:
        done = "导入" if self.kept else "可导入（尚未导入）"
        lines = [self.read, f"{done}任务 {self.tasks} 项（关联指标 {self.linked} 项）；未导入 {len(self.problems)} 行；"
                            f"提醒 {len(self.warnings)} 条；{'' if self.kept else '将'}新建单位 {len(self.created)} 个"]
        lines += [f"未导入 {p}" for p in self.problems]
        lines += [f"提醒 {w}" for w in self.warnings]
        if self.created:
            lines.append("新建单位：" + "、".join(self.created))
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {"campaign_id": self.campaign_id, "tasks": self.tasks, "linked": self.linked,
                "created_units": self.created, "unread": [{"row": p.row, "reason": p.reason} for p in self.problems],
                "warnings": [{"row": w.row, "reason": w.reason} for w in self.warnings]}


class _Places:
    """Places the units a sheet names, once per name: registered units first, then new ones."""

    def __init__(self, session: Session, actor: Actor, organiser: Unit) -> None:
        self.session, self.actor, self.organiser = session, actor, organiser
        self.created = Created()
        self.seen: dict[str, tuple[Unit | None, str]] = {}
        self.place = "".join(organiser.region()) or organiser.name

    def unit(self, ref: UnitRef) -> tuple[Unit | None, str]:
        """The unit a name stands for (None for a group, or with the reason it cannot be placed)."""
        if ref.kind == "group":
            return None, ""
        if ref.name not in self.seen:
            self.seen[ref.name] = self._place(ref.name)
        return self.seen[ref.name]

    def _place(self, name: str) -> tuple[Unit | None, str]:
        if not looks_like_unit(name) or region_of(name) is None:
            found = find(self.session, name, self.organiser)  # registered under this name or as an alias
            if found is not None:
                return found, ""
        if not looks_like_unit(name):
            return None, f"“{name}”不像一个单位的名称"
        if region_of(name) is None:
            return None, (f"“{name}”无法确定是哪个单位（不是{self.place}的单位简称，单位名单中也没有）；"
                          "请先在单位名单中登记该单位或其别名")
        unit = get_or_create(self.session, name, organiser=self.organiser, how="task_import",
                             user_id=self.actor.user_id, created=self.created)
        return unit, ""


def _node_index(session: Session, framework_id: int | None) -> tuple[dict[str, int], dict[str, int]]:
    """A framework's node ids by path and by name (names shared by several nodes left out)."""
    if framework_id is None:
        return {}, {}
    rows = session.execute(select(IndicatorNode.id, IndicatorNode.path, IndicatorNode.name)
                           .where(IndicatorNode.framework_id == framework_id)).all()
    names: dict[str, list[int]] = defaultdict(list)
    for node_id, _path, name in rows:
        names[name].append(node_id)
    return {path: node_id for node_id, path, _name in rows}, {n: ids[0] for n, ids in names.items() if len(ids) == 1}


def _node_for(parsed: ParsedTask, by_path: dict[str, int], by_name: dict[str, int]) -> int | None:
    if parsed.indicator_ref and parsed.indicator_ref in by_path:
        return by_path[parsed.indicator_ref]
    return by_name.get(parsed.indicator_name or "")


def import_tasks(session: Session, actor: Actor, campaign_id: int, data: bytes, name: str, *,
                 confirm: bool = False, strict: bool = False) -> TaskImport:
    """Import a 责任分工表 into a campaign (see the module documentation).  Unread rows: with ``strict`` the
    import fails (:class:`InputError`), otherwise nothing is kept unless ``confirm``
    (:class:`Unconfirmed`, whose ``outcome`` is the would-be :class:`TaskImport`)."""
    campaign = office_campaign(session, actor, campaign_id, "导入责任分工表")
    organiser = session.get(Unit, campaign.organiser_id) if campaign.organiser_id else None
    if organiser is None:
        raise InputError("督导活动没有组织单位，无法确定表中单位简称所指")
    sha = hashlib.sha256(data).hexdigest()
    settings = dict(campaign.settings or {})
    done = [i for i in settings.get("imports", []) if i.get("sha256") == sha]
    if done:
        raise InputError(f"这个分工表已于 {done[0].get('at', '')[:16]} 导入过（{done[0].get('file')}），未重复导入")
    try:
        table = read_table(data, name, field_spec("tasks"))
    except SheetError as exc:
        raise InputError(f"{name}：{exc}") from None
    sheet = parse_tasks(table, campaign.year, "".join(organiser.region()) or organiser.name,
                        organiser.level or "county")
    result = TaskImport(campaign.id, table.summary(), problems=list(sheet.problems), warnings=list(sheet.warnings))
    places = _Places(session, actor, organiser)
    by_path, by_name = _node_index(session, campaign.framework_id)
    first = int(session.scalar(select(func.max(Task.position)).where(Task.campaign_id == campaign.id)) or 0)
    rows: list[dict[str, Any]] = []
    named: list[list[dict[str, Any]]] = []
    for parsed in sheet.tasks:
        leads = [(ref, *places.unit(ref)) for ref in parsed.lead]
        unplaced = [why for _ref, unit, why in leads if why]
        if unplaced:
            result.problems.append(SheetProblem(parsed.source_row, "牵头单位" + unplaced[0]))
            continue
        cos = [(ref, *places.unit(ref)) for ref in parsed.co]
        result.warnings += [SheetProblem(parsed.source_row, f"配合单位{why}，已按原文保留")
                            for _ref, _unit, why in cos if why]
        node_id = _node_for(parsed, by_path, by_name)
        result.linked += node_id is not None
        lead_ref, lead_unit, _ = leads[0]
        rows.append({
            "campaign_id": campaign.id, "position": first + len(rows) + 1, "seq": parsed.seq,
            "title": parsed.title, "node_id": node_id, "indicator_ref": parsed.indicator_ref,
            "indicator_name": parsed.indicator_name, "lead_unit_id": lead_unit.id if lead_unit else None,
            "lead_name": lead_unit.name if lead_unit else lead_ref.name, "target": parsed.target or None,
            "due": parsed.due.due, "due_text": parsed.due_text or None,
            "milestones": [m.isoformat() for m in parsed.due.milestones], "periodic": parsed.due.periodic,
            "ongoing": parsed.due.ongoing, "status": "assigned", "source_row": parsed.source_row,
            "notes": parsed.notes or None})
        named.append([{"unit_id": unit.id if unit else None, "name": unit.name if unit else ref.name,
                       "role": role, "kind": ref.kind, "position": i}
                      for i, (role, (ref, unit, _why)) in enumerate(
                          [("lead", x) for x in leads] + [("co", x) for x in cos])])
    result.problems.sort(key=lambda p: p.row)
    result.tasks, result.created = len(rows), places.created.names()
    if result.problems and strict:
        raise InputError("导入失败（--strict：有无法读取的行）：\n" + "\n".join(str(p) for p in result.problems))
    if result.problems and not confirm:
        result.kept = False
        raise Unconfirmed(result)
    if rows:  # one executemany per table (the ORM's bulk insert runs a statement per row here)
        conn = session.connection()
        conn.execute(insert(Task.__table__), rows)  # type: ignore[arg-type]
        ids: dict[int, int] = {pos: tid for pos, tid in conn.execute(
            select(Task.position, Task.id).where(Task.campaign_id == campaign.id, Task.position > first))}
        conn.execute(insert(TaskUnit.__table__), [{**u, "task_id": ids[row["position"]]}  # type: ignore[arg-type]
                                                  for row, us in zip(rows, named, strict=True) for u in us])
    settings["imports"] = [*settings.get("imports", []), {
        "file": name, "sha256": sha, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "tasks": len(rows), "by": actor.user_id}]
    campaign.settings = settings
    session.flush()
    audit(session, actor.user_id, "task.import", "campaign", campaign.id,
          {"file": name, "sha256": sha, "tasks": len(rows), "created_units": result.created,
           "unread": [str(p) for p in result.problems]})
    return result


# =========================================================================== export
EXPORT_HEADER = ("序号", "指标", "工作任务", "牵头单位", "配合单位", "完成时限（原文）", "截止日期", "时间节点",
                 "目标", "状态", "进度", "下一节点", "退回原因", "原表行号")


def export_rows(tasks: Iterable[TaskView]) -> list[list[Any]]:
    """The rows of the export (text as written, dates as dates, row numbers as numbers)."""
    return [[t.seq, " ".join(x for x in (t.indicator_ref, t.indicator_name) if x) or None, t.title,
             "、".join(u.name for u in t.leads), "、".join(u.name for u in t.co_units) or None, t.due_text, t.due,
             "、".join(m.isoformat() for m in t.milestones[:-1]) or None, t.target, t.status_label, t.light_label,
             t.next_due, t.returned_reason, t.source_row] for t in tasks]


def export_xlsx(session: Session, actor: Actor, campaign_id: int, *, as_of: dt.date | None = None,
                unit_id: int | None = None, light: str | None = None, status: str | None = None) -> bytes:
    """The campaign's 分工表 as an .xlsx with status and light columns: a title row with the date and the
    filter, print titles, landscape, fit to width; no cell can become a formula."""
    from openpyxl.styles import Alignment, PatternFill

    from fazhi.exports import sheet_end, sheet_start, styled, workbook

    when = as_of or today()
    tasks = list_tasks(session, actor, campaign_id, as_of=when, unit_id=unit_id, light=light, status=status)
    campaign = get_campaign(session, actor, campaign_id)
    filters = [f"牵头或配合单位：{unit_id}" if unit_id else "", f"进度：{LIGHTS.get(light or '', '')}" if light else "",
               f"状态：{STATUSES.get(status or '', '')}" if status else ""]
    book = workbook(title=f"{campaign.name} 责任分工表")
    ws = book.active
    ws.title = "责任分工表"
    title = (f"{campaign.name} 责任分工表（截至 {when.isoformat()}；"
             f"筛选：{'；'.join(f for f in filters if f) or '全部任务'}）")
    widths = (6, 18, 40, 20, 24, 14, 12, 16, 20, 8, 6, 12, 20, 8)
    head = sheet_start(ws, EXPORT_HEADER, widths, title=safe_cell(title), repeat_title=True)
    fills = {"逾期": PatternFill("solid", fgColor="F8CBAD"), "临期": PatternFill("solid", fgColor="FFE699")}
    top = Alignment(wrap_text=True, vertical="top")
    light_at = EXPORT_HEADER.index("进度")
    for row in export_rows(tasks):
        cells = []
        for i, v in enumerate(row):
            style: dict[str, Any] = {"alignment": top}
            if isinstance(v, dt.date):
                style["number_format"] = "yyyy-mm-dd"
            if i == light_at and v in fills:
                style["fill"] = fills[v]
            cells.append(styled(ws, safe_cell(v), **style))
        ws.append(cells)
    sheet_end(ws, head, len(EXPORT_HEADER), len(tasks))
    out = io.BytesIO()
    book.save(out)
    audit(session, actor.user_id, "task.export", "campaign", campaign_id,
          {"format": "xlsx", "rows": len(tasks), "as_of": when.isoformat(), "where": [f for f in filters if f]})
    return out.getvalue()


__all__ = ["EXPORT_HEADER", "LIGHTS", "PERIODS", "STATUSES", "Board", "Light", "TaskImport", "TaskView", "UnitLights",
           "UnitRefView", "board", "by_unit", "export_rows", "export_xlsx", "get_task", "import_tasks", "light_of",
           "list_tasks", "task_for", "unit_tasks"]
