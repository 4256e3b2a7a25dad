"""CLI of the supervision cycle, part 1 (部署 and 督导): ``fazhi unit``, ``framework``, ``campaign``, ``task``,
``evidence``, ``job`` and ``worker`` — thin shells over :mod:`fazhi.supervision` and
:mod:`fazhi.units.service`, one transaction per command.

The command line acts as the office (an unscoped administrator, recorded as ``--user`` when given), except
``task report``/``task confirm``, which act for the task's lead unit: as the unit user ``--user`` names
when that user is a member of the unit, else as the unit itself.  Imports that read rows they cannot use
print every such row with the reason and keep nothing until the user confirms: a prompt on a terminal,
``--yes`` otherwise; ``--strict`` fails instead.  Commands that create something print its id alone on
the last line of standard output, the rest on standard error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from fazhi.cli.common import DbOption, die, err_console, iso_date, open_engine, out_console, read_input

T = TypeVar("T")

unit_app = typer.Typer(no_args_is_help=True, help="督导单位名单：导入、列出、从行政区划建立、设置类型、单位用户 (units).")
framework_app = typer.Typer(no_args_is_help=True, help="指标体系：导入（YAML 或 Excel）、列出、映射 (frameworks).")
campaign_app = typer.Typer(no_args_is_help=True, help="督导活动：建立、列出、看板 (campaigns).")
task_app = typer.Typer(no_args_is_help=True,
                       help="责任分工表：导入、列出（进度灯、逾期）、导出、报告进展、审核 (tasks).")
evidence_app = typer.Typer(no_args_is_help=True, help="佐证材料：年度报告数字作为佐证的提议与审核 (evidence).")
job_app = typer.Typer(no_args_is_help=True, help="定时任务：立即运行、查看 (scheduled jobs).")


class Format(StrEnum):
    table = "table"
    json = "json"


class Duty(StrEnum):
    filler = "filler"
    leader = "leader"


FormatOption = Annotated[Format, typer.Option("--format", help="table（表格）或 json。")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="有无法读取的行时，确认导入其余各行（不再询问）。")]
StrictOption = Annotated[bool, typer.Option("--strict", help="有任何无法读取的行就失败，什么也不导入。")]
UserOption = Annotated[str | None, typer.Option("--user", help="记录为该用户的操作。", show_default=False)]
AsOfOption = Annotated[str | None, typer.Option("--as-of", help="按这一天计算进度灯（YYYY-MM-DD，默认今天）。",
                                                show_default=False)]


# =========================================================================== plumbing
@contextlib.contextmanager
def _session(db_opt: str | None, *, write: bool = True) -> Iterator[Any]:
    """A session in one transaction; a refusal or bad input ends the command with its Chinese message."""
    from fazhi import db
    from fazhi.supervision.access import Forbidden, NotFound
    from fazhi.supervision.errors import InputError
    from fazhi.units.service import UnitError

    engine = open_engine(db_opt)
    try:
        db.ensure_schema(engine)
        with db.session_factory(engine, write=write).begin() as s:
            yield s
    except (InputError, UnitError, Forbidden, NotFound) as exc:
        raise die(str(exc)) from None
    except db.StoreError as exc:
        raise die(str(exc)) from None
    finally:
        engine.dispose()


def _actor(session: Any, user: str | None) -> Any:
    from fazhi.corpus.service import get_or_create_user
    from fazhi.supervision.access import Actor

    if not user:
        return Actor.cli()
    row = get_or_create_user(session, user)
    return Actor.cli(user_id=row.id, name=row.name)


def _unit_actor(session: Any, user: str | None, unit_id: int | None) -> Any:
    """Who acts for a task's lead unit: the unit user ``user`` if a member of it, else the unit itself."""
    from sqlalchemy import select

    from fazhi.accounts.models import User
    from fazhi.supervision.access import UNIT_ROLE, Actor
    from fazhi.units.models import UnitMember

    row = session.scalar(select(User).where(User.name == user)) if user else None
    member = session.get(UnitMember, row.id) if row is not None else None
    if row is not None and member is not None and member.unit_id == unit_id:
        return Actor.of_user(session, row.id, UNIT_ROLE, name=row.name)
    return Actor(user_id=row.id if row is not None else None, role=UNIT_ROLE, unit_id=unit_id, duty="leader",
                 name=user or "命令行")


def _json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")


def _say(text: str) -> None:
    err_console.print(text, markup=False, highlight=False)


def _confirmed_import(db_opt: str | None, run: Callable[[Any, bool], T], yes: bool, *, stderr: bool = False) -> T:
    """Run an import; when it has unread rows and is not confirmed, show them (on stdout, or ``stderr``) and
    ask (on a terminal)."""
    from fazhi.supervision.errors import Unconfirmed

    try:
        with _session(db_opt) as s:
            return run(s, yes)
    except Unconfirmed as pending:
        outcome = pending.outcome
    if stderr:
        _say(outcome.summary())
    else:
        sys.stdout.write(outcome.summary() + "\n")
    n = len(outcome.problems)
    if sys.stdin.isatty() and typer.confirm(f"有 {n} 行无法读取（见上）。仍导入其余各行？", default=False):
        with _session(db_opt) as s:
            return run(s, True)
    raise die(f"未导入任何内容：有 {n} 行无法读取（见上）。请核对后重新导入，或加 --yes 导入其余各行")


# =========================================================================== units
@unit_app.command("import")
def unit_import(
    file: Annotated[Path, typer.Argument(help="单位名单（.xlsx、.docx 或 .csv）：单位名称、单位类型、是否有执法权、上级单位、别名…",
                                         show_default=False)],
    organiser: Annotated[str | None, typer.Option(
        "--organiser", help="名单所属地区（如 西峡县）：“县司法局”等简称按该地区补全。", show_default=False)] = None,
    yes: YesOption = False, strict: StrictOption = False, user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """导入单位名单：新单位建立，已有单位更新类型、执法权、上级和别名。"""
    from fazhi.supervision import unit_register as service

    data = read_input(file)
    outcome = _confirmed_import(db_opt, lambda s, ok: service.import_units(
        s, _actor(s, user), data, file.name, organiser=organiser, confirm=ok, strict=strict), yes)
    sys.stdout.write(outcome.summary() + "\n")


@unit_app.command("list")
def unit_list(
    fmt: FormatOption = Format.table,
    under: Annotated[str | None, typer.Option("--under", help="只列出该单位（编号或名称）及其下级。",
                                              show_default=False)] = None,
    kind: Annotated[str | None, typer.Option("--type", help="只列出这一类型（政府、部门-有执法权…）。",
                                             show_default=False)] = None,
    db_opt: DbOption = None,
) -> None:
    """列出督导单位。"""
    from rich.table import Table

    from fazhi.supervision import unit_register as service
    from fazhi.supervision.access import Actor

    with _session(db_opt, write=False) as s:
        actor = Actor.cli()
        root = service.resolve(s, actor, under).id if under else None
        units = service.list_units(s, actor, under=root, type=kind)
    if fmt is Format.json:
        _json([u.to_json() for u in units])
        return
    table = Table(title=f"{len(units)} 个单位")
    for column in ("编号", "名称", "类型", "执法权", "区划", "上级", "别名"):
        table.add_column(column)
    for u in units:
        table.add_row(str(u.id), u.name, u.type, "有" if u.enforcement else "", u.region, u.parent_name or "",
                      "、".join(u.aliases))
    out_console.print(table)


@unit_app.command("from-division")
def unit_from_division(
    region: Annotated[str, typer.Argument(help="行政区划：西峡县、河南省南阳市、411323 …", show_default=False)],
    user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """把一个地区的人民政府及其直接下级（乡镇、街道或县区）建为督导单位；打印新建的单位，最后一行为该政府的单位编号。"""
    from fazhi.supervision import unit_register as service

    with _session(db_opt) as s:
        top, created = service.create_from_division(s, _actor(s, user), region)
    _say(f"{top.name}：新建单位 {len(created)} 个" + ("：" + "、".join(u.name for u in created) if created else ""))
    sys.stdout.write(f"{top.id}\n")


@unit_app.command("set")
def unit_set(
    unit: Annotated[str, typer.Argument(help="单位编号或名称。", show_default=False)],
    kind: Annotated[str | None, typer.Option("--type", help="单位类型：政府、部门-有执法权、部门-无执法权、乡镇、街道、其他。",
                                             show_default=False)] = None,
    enforcement: Annotated[bool | None, typer.Option("--enforcement/--no-enforcement", help="是否有行政执法权。",
                                                     show_default=False)] = None,
    alias: Annotated[list[str] | None, typer.Option("--alias", help="再登记一个别名（可多次）。", show_default=False)] = None,
    user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """设置单位的类型、执法权和别名。"""
    from fazhi.supervision import unit_register as service

    with _session(db_opt) as s:
        actor = _actor(s, user)
        row = service.resolve(s, actor, unit)
        view = service.update_unit(s, actor, row.id, type=kind, enforcement=enforcement, aliases=alias or ())
    _say(f"✓ {view.name}：{view.type}，{'有' if view.enforcement else '无'}执法权"
         + (f"，别名 {'、'.join(view.aliases)}" if view.aliases else ""))


@unit_app.command("member")
def unit_member(
    user_name: Annotated[str, typer.Argument(metavar="USER", help="用户名（角色为单位用户 unit）。", show_default=False)],
    unit: Annotated[str, typer.Argument(help="单位编号或名称。", show_default=False)],
    duty: Annotated[Duty, typer.Option("--duty", help="filler 填报 | leader 主要负责人（报送前确认）。")] = Duty.filler,
    user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """让一个单位用户属于某单位，作为填报人或主要负责人。"""
    from fazhi.supervision import unit_register as service

    with _session(db_opt) as s:
        actor = _actor(s, user)
        member = service.add_member(s, actor, user_name, service.resolve(s, actor, unit).id, duty.value)
    _say(f"✓ {member.user_name} 是 {member.unit_name} 的{service.DUTIES[member.duty]}")


# =========================================================================== frameworks
@framework_app.command("import")
def framework_import(
    file: Annotated[str, typer.Argument(
        help="指标体系文件（.yaml，或 .xlsx/.docx/.csv 表格），或内置指标体系的名称（national-2021-verified、"
             "demo-county-2025）。", show_default=False)],
    urn: Annotated[str | None, typer.Option("--urn", help="表格导入时的标识（默认由文件名生成；同一标识再次导入为新版本）。",
                                            show_default=False)] = None,
    name: Annotated[str | None, typer.Option("--name", help="表格导入时的名称（默认为文件名）。", show_default=False)] = None,
    edition: Annotated[str | None, typer.Option("--edition", help="版别，如 2025。", show_default=False)] = None,
    yes: YesOption = False, strict: StrictOption = False, user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """导入指标体系：摘要写到标准错误，新指标体系的编号单独写在标准输出最后一行。

    同一内容再次导入不会重复保存（打印已有版本的编号）；内容有变化则成为同一标识的下一版本。
    """
    from fazhi.supervision import framework_store

    path = Path(file)
    if not path.exists() and file in framework_store.packaged_names():
        with _session(db_opt) as s:
            outcome = framework_store.import_packaged(s, _actor(s, user), file)
    else:
        data = read_input(path)

        def run(s: Any, ok: bool) -> framework_store.FrameworkImport:
            return framework_store.import_framework(s, _actor(s, user), data, path.name, urn=urn, title=name,
                                                    edition=edition, confirm=ok, strict=strict)

        outcome = _confirmed_import(db_opt, run, yes, stderr=True)
    _say(outcome.summary())
    sys.stdout.write(f"{outcome.framework.id}\n")


@framework_app.command("list")
def framework_list(fmt: FormatOption = Format.table, db_opt: DbOption = None) -> None:
    """列出已导入的指标体系（每个版本一行）。"""
    from rich.table import Table

    from fazhi.supervision import framework_store
    from fazhi.supervision.access import Actor

    with _session(db_opt, write=False) as s:
        rows = framework_store.list_frameworks(s, Actor.cli())
    if fmt is Format.json:
        _json([r.to_json() for r in rows])
        return
    table = Table(title=f"{len(rows)} 个指标体系版本")
    for column in ("编号", "名称", "标识", "版本", "指标数", "使用的督导活动"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r.id), r.name, r.urn, str(r.version), str(r.nodes), str(r.campaigns))
    out_console.print(table)


@framework_app.command("map")
def framework_map(
    file: Annotated[str, typer.Argument(help="映射文件（.yaml）或内置映射的名称。", show_default=False)],
    user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """导入两个指标体系版本之间的映射（两个版本须已导入）；映射编号写在标准输出最后一行。"""
    from fazhi.supervision import framework_store

    path = Path(file)
    data = read_input(path) if path.exists() else None
    with _session(db_opt) as s:
        view = framework_store.import_mapping(s, _actor(s, user), data, path.name if data is not None else file)
    _say(f"映射“{view.name}”：{view.pairs} 对指标" + ("" if view.created else "（已导入过）"))
    sys.stdout.write(f"{view.id}\n")


# =========================================================================== campaigns
@campaign_app.command("create")
def campaign_create(
    name: Annotated[str, typer.Argument(help="督导活动名称。", show_default=False)],
    year: Annotated[int, typer.Option("--year", help="年度，如 2025。", show_default=False)],
    organiser: Annotated[str, typer.Option("--organiser", help="组织地区，如 西峡县（其人民政府和下级成为督导单位）。",
                                           show_default=False)],
    kind: Annotated[str, typer.Option("--kind", help="annual 年度任务 | demonstration 示范创建 | special 专项督察 | "
                                                     "report 年度报告。")] = "annual",
    framework: Annotated[int | None, typer.Option("--framework", help="所用指标体系的编号。", show_default=False)] = None,
    leader_confirms: Annotated[bool, typer.Option("--leader-confirms", help="单位进展须主要负责人确认后报送。")] = False,
    user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """建立督导活动（含部署、年中、年终、报送、公开等默认时间节点）；编号单独写在标准输出最后一行。"""
    from fazhi.supervision import campaigns

    with _session(db_opt) as s:
        view = campaigns.create_campaign(s, _actor(s, user), name, year=year, organiser=organiser, kind=kind,
                                         framework_id=framework,
                                         settings={"leader_confirms": True} if leader_confirms else None)
    _say(f"督导活动“{view.name}”（{view.year} 年，{view.kind_label}，组织：{view.organiser_name}）已建立；时间节点："
         + "、".join(f"{m.name} {m.due.isoformat()}" for m in view.milestones))
    sys.stdout.write(f"{view.id}\n")


@campaign_app.command("list")
def campaign_list(fmt: FormatOption = Format.table, db_opt: DbOption = None) -> None:
    """列出督导活动。"""
    from rich.table import Table

    from fazhi.supervision import campaigns
    from fazhi.supervision.access import Actor

    with _session(db_opt, write=False) as s:
        rows = campaigns.list_campaigns(s, Actor.cli())
    if fmt is Format.json:
        _json([r.to_json() for r in rows])
        return
    table = Table(title=f"{len(rows)} 个督导活动")
    for column in ("编号", "名称", "年度", "类型", "组织", "任务数", "指标体系"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r.id), r.name, str(r.year), r.kind_label, r.organiser_name, str(r.tasks),
                      r.framework_name or "")
    out_console.print(table)


@campaign_app.command("show")
def campaign_show(
    campaign: Annotated[int, typer.Argument(help="督导活动编号。", show_default=False)],
    fmt: FormatOption = Format.table, as_of: AsOfOption = None, db_opt: DbOption = None,
) -> None:
    """督导活动看板：时间节点、按进度灯和状态的任务数、各牵头单位的逾期任务。"""
    from rich.table import Table

    from fazhi.supervision import tasks
    from fazhi.supervision.access import Actor

    with _session(db_opt, write=False) as s:
        board = tasks.board(s, Actor.cli(), campaign, iso_date(as_of))
    if fmt is Format.json:
        _json(board.to_json())
        return
    c = board.campaign
    out_console.print(f"{c.name}（{c.year} 年，{c.kind_label}，组织：{c.organiser_name}）截至 {board.as_of.isoformat()}",
                      markup=False, highlight=False)
    out_console.print("时间节点：" + "、".join(f"{m.name} {m.due.isoformat()}" for m in c.milestones), markup=False)
    out_console.print("进度：" + "，".join(f"{tasks.LIGHTS[k]} {v}" for k, v in board.lights.items())
                      + "；状态：" + "，".join(f"{tasks.STATUSES[k]} {v}" for k, v in board.statuses.items() if v),
                      markup=False)
    table = Table(title="各牵头单位")
    for column in ("单位", "任务", "逾期", "临期", "已办结", "逾期任务"):
        table.add_column(column)
    for u in board.units:
        table.add_row(u.unit_name, str(u.total), str(u.overdue), str(u.due_soon), str(u.accepted),
                      "；".join(f"{t.seq or t.id} {t.title[:24]}" for t in u.overdue_tasks[:3]))
    out_console.print(table)


# =========================================================================== tasks
@task_app.command("import")
def task_import(
    file: Annotated[Path, typer.Argument(help="责任分工表（.xlsx、.docx 或 .csv）。", show_default=False)],
    campaign: Annotated[int, typer.Option("--campaign", help="督导活动编号。", show_default=False)],
    yes: YesOption = False, strict: StrictOption = False, user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """导入责任分工表：打印摘要、每个无法读取的行（行号和原因）、提醒和新建的单位。"""
    from fazhi.supervision import tasks

    data = read_input(file)
    outcome = _confirmed_import(db_opt, lambda s, ok: tasks.import_tasks(
        s, _actor(s, user), campaign, data, file.name, confirm=ok, strict=strict), yes)
    sys.stdout.write(outcome.summary() + "\n")


@task_app.command("list")
def task_list(
    campaign: Annotated[int, typer.Option("--campaign", help="督导活动编号。", show_default=False)],
    fmt: FormatOption = Format.table,
    overdue: Annotated[bool, typer.Option("--overdue", help="只列出逾期任务（有节点已过而没有通过审核的进展）。")] = False,
    as_of: AsOfOption = None,
    unit: Annotated[str | None, typer.Option("--unit", help="只列出该单位牵头或配合的任务（编号或名称）。",
                                             show_default=False)] = None,
    status: Annotated[str | None, typer.Option("--status", help="只列出这一状态：assigned、in_progress、submitted、"
                                                                "accepted、returned。", show_default=False)] = None,
    db_opt: DbOption = None,
) -> None:
    """列出督导活动的任务（JSON 字段：id, seq, title, indicator, lead_unit, co_units, due, due_text,
    milestones, status, source_row）。"""
    from rich.table import Table

    from fazhi.supervision import tasks
    from fazhi.supervision import unit_register as service
    from fazhi.supervision.access import Actor

    with _session(db_opt, write=False) as s:
        actor = Actor.cli()
        unit_id = service.resolve(s, actor, unit).id if unit else None
        rows = tasks.list_tasks(s, actor, campaign, as_of=iso_date(as_of), unit_id=unit_id, status=status,
                                overdue=overdue)
    if fmt is Format.json:
        _json([t.to_json() for t in rows])
        return
    when = rows[0].as_of.isoformat() if rows else (as_of or "今天")
    table = Table(title=f"{len(rows)} 项任务（截至 {when}{'，逾期' if overdue else ''}）")
    for column in ("编号", "序号", "工作任务", "牵头单位", "完成时限", "下一节点", "状态", "进度"):
        table.add_column(column, overflow="fold")
    for t in rows:
        table.add_row(str(t.id), t.seq or "", t.title, t.lead.name, t.due_text or "",
                      t.next_due.isoformat() if t.next_due else "", t.status_label, t.light_label)
    out_console.print(table)


@task_app.command("export")
def task_export(
    campaign: Annotated[int, typer.Option("--campaign", help="督导活动编号。", show_default=False)],
    xlsx: Annotated[Path, typer.Option("--xlsx", help="写出的 Excel 文件。", show_default=False)],
    as_of: AsOfOption = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只导出逾期任务。")] = False,
    user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """把责任分工表连同状态和进度灯导出为 Excel（横向、适合页宽、每页重复表头）。"""
    from fazhi.supervision import tasks

    with _session(db_opt) as s:
        data = tasks.export_xlsx(s, _actor(s, user), campaign, as_of=iso_date(as_of),
                                 light="overdue" if overdue else None)
    try:
        xlsx.write_bytes(data)
    except OSError as exc:
        raise die(f"{xlsx}：无法写入（{exc.strerror or exc}）") from None
    _say(f"✓ 已导出 {xlsx}")


@task_app.command("report")
def task_report(
    task: Annotated[int, typer.Argument(metavar="TASK_ID", help="任务编号。", show_default=False)],
    text: Annotated[str, typer.Option("--text", help="进展情况。", show_default=False)],
    figure: Annotated[list[str] | None, typer.Option(
        "--figure", help="数字，写成 名称=数值（如 行政机关负责人出庭应诉率=100%），可多次。", show_default=False)] = None,
    evidence: Annotated[list[Path] | None, typer.Option("--evidence", help="佐证材料文件，可多次。",
                                                        show_default=False)] = None,
    save: Annotated[bool, typer.Option("--save", help="只保存，不报送。")] = False,
    user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """以任务牵头单位的身份报告进展（附数字和佐证材料）；进展编号写在标准输出最后一行。"""
    from fazhi.supervision import evidence as evidence_store
    from fazhi.supervision import progress
    from fazhi.supervision.models import Task

    files = [(p.name, read_input(p)) for p in evidence or ()]
    with _session(db_opt) as s:
        row = s.get(Task, task)
        actor = _unit_actor(s, user, row.lead_unit_id if row is not None else None)
        ids = []
        for name, data in files:
            stored, reused = evidence_store.add_file(s, actor, data, name)
            ids.append(stored.id)
            _say(f"佐证材料 {name}：" + ("已存在，直接引用" if reused else f"已保存（{stored.format}）"))
        view = progress.report_progress(s, actor, task, text, figures=figure or (), evidence_ids=ids,
                                        submit=not save)
    _say(f"✓ 任务 {task} 的进展{view.status_label}" + (f"（时间节点 {view.period}）" if view.period else ""))
    sys.stdout.write(f"{view.id}\n")


@task_app.command("confirm")
def task_confirm(
    task: Annotated[int, typer.Argument(metavar="TASK_ID", help="任务编号。", show_default=False)],
    user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """牵头单位（主要负责人）确认并报送已保存的进展。"""
    from sqlalchemy import select

    from fazhi.supervision import progress
    from fazhi.supervision.models import Progress, Task

    with _session(db_opt) as s:
        row = s.get(Task, task)
        actor = _unit_actor(s, user, row.lead_unit_id if row is not None else None)
        draft = s.scalar(select(Progress.id).where(Progress.task_id == task, Progress.status == "draft"))
        if draft is None:
            raise die(f"任务 {task} 没有待确认的进展")
        view = progress.submit_progress(s, actor, draft)
    _say(f"✓ 任务 {task} 的进展已报送")
    sys.stdout.write(f"{view.id}\n")


@task_app.command("review")
def task_review(
    task: Annotated[int, typer.Argument(metavar="TASK_ID", help="任务编号。", show_default=False)],
    accept: Annotated[bool, typer.Option("--accept", help="通过审核。")] = False,
    reason: Annotated[str | None, typer.Option("--return", help="退回，并写明原因。", show_default=False)] = None,
    user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """督导办公室审核任务最近报送的进展：--accept 通过，或 --return 原因 退回。"""
    from fazhi.supervision import progress, tasks
    from fazhi.supervision.access import Actor

    if accept == (reason is not None):
        raise die("请给出 --accept 或 --return 原因 之一", 2)
    with _session(db_opt) as s:
        progress.review_progress(s, _actor(s, user), task, accept=accept, reason=reason)
        status = tasks.get_task(s, Actor.cli(), task).status_label
    _say(f"✓ 任务 {task} 的进展{'已通过审核' if accept else '已退回：' + (reason or '')}；任务状态：{status}")


# =========================================================================== evidence
@evidence_app.command("propose")
def evidence_propose(
    report: Annotated[list[int] | None, typer.Option("--report", help="只看这些已入库报告（编号，可多次）。",
                                                     show_default=False)] = None,
    db_opt: DbOption = None,
) -> None:
    """把已入库年度报告中的数字（及其原句）提议为其单位相应任务和指标的佐证。"""
    from fazhi.supervision import evidence as evidence_store

    with _session(db_opt) as s:
        n = evidence_store.propose_pending(s, _actor(s, None), report_ids=report)
    sys.stdout.write(f"提议佐证 {n} 条\n")


@evidence_app.command("list")
def evidence_list(
    campaign: Annotated[int | None, typer.Option("--campaign", help="只列出该督导活动的任务的提议。",
                                                 show_default=False)] = None,
    status: Annotated[str, typer.Option("--status", help="proposed 待审核 | accepted 已采纳 | rejected 未采纳。")
                      ] = "proposed",
    fmt: FormatOption = Format.table, db_opt: DbOption = None,
) -> None:
    """列出年度报告数字作为佐证的提议。"""
    from fazhi.supervision import evidence as evidence_store
    from fazhi.supervision.access import Actor

    with _session(db_opt, write=False) as s:
        rows = evidence_store.proposals(s, Actor.cli(), campaign_id=campaign, status=status)
    if fmt is Format.json:
        _json([r.to_json() for r in rows])
        return
    for r in rows:
        out_console.print(f"[{r.id}] {r.target_title}：{r.reason}", markup=False, highlight=False)
    _say(f"{len(rows)} 条")


@evidence_app.command("decide")
def evidence_decide(
    link: Annotated[int, typer.Argument(metavar="PROPOSAL_ID", help="提议编号（evidence list 的方括号内）。",
                                        show_default=False)],
    accept: Annotated[bool, typer.Option("--accept/--reject", help="采纳或不采纳。")] = True,
    reason: Annotated[str | None, typer.Option("--reason", help="理由。", show_default=False)] = None,
    user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """督导办公室采纳或不采纳一条提议的佐证（记录审核人和时间）。"""
    from fazhi.supervision import evidence as evidence_store

    with _session(db_opt) as s:
        view = evidence_store.decide(s, _actor(s, user), link, accept=accept, reason=reason)
    _say(f"✓ 提议 {view.id}：{'已采纳' if view.status == 'accepted' else '未采纳'}")


def propose_after_ingest(db_opt: str | None, run_id: int | None, quiet: bool = False) -> None:
    """After ``fazhi ingest``: the facts of the reports stored by run ``run_id`` proposed as evidence for
    their units' tasks (never fails the ingest: a problem is printed)."""
    if run_id is None:
        return
    from sqlalchemy import select

    from fazhi import db
    from fazhi.corpus.models import Report
    from fazhi.supervision import evidence as evidence_store

    engine = open_engine(db_opt)
    try:
        with db.session_factory(engine, write=True).begin() as s:
            ids = list(s.scalars(select(Report.id).where(Report.ingest_run_id == run_id)))
            n = evidence_store.propose_pending(s, _actor(s, None), report_ids=ids)
    except Exception as exc:  # the reports are stored; the proposals wait for the scheduled job
        err_console.print(f"[yellow]年度报告数字作为佐证：未能提议（{exc}）；定时任务会再试[/yellow]", highlight=False)
        return
    finally:
        engine.dispose()
    if n and not quiet:
        _say(f"年度报告数字作为佐证：提议 {n} 条（fazhi evidence list 查看并审核）")


# =========================================================================== jobs and the worker
@job_app.command("run")
def job_run(
    name: Annotated[str, typer.Argument(help="定时任务：reminders、lights、report_facts、rereview。", show_default=False)],
    at: Annotated[str | None, typer.Option("--at", help="按这一时刻运行（ISO，如 2025-07-01T07:00+08:00；默认现在）。"
                                                        "同一时刻只运行一次。", show_default=False)] = None,
    db_opt: DbOption = None,
) -> None:
    """立即运行一个定时任务（同一任务同一时刻只运行一次，多个进程也一样）；结果为 JSON。"""
    from fazhi import db
    from fazhi.supervision import jobs
    from fazhi.supervision.campaigns import CHINA

    if name not in jobs.JOBS:
        raise die(f"没有定时任务“{name}”（可用：{'、'.join(jobs.JOBS)}）", 2)
    try:
        when = dt.datetime.fromisoformat(at) if at else dt.datetime.now(dt.UTC)
    except ValueError:
        raise die(f"时刻“{at}”应写成 ISO 格式，如 2025-07-01T07:00+08:00", 2) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=CHINA)
    engine = open_engine(db_opt)
    try:
        db.ensure_schema(engine)
        outcome = jobs.run_job(engine, name, when)
    finally:
        engine.dispose()
    _json(outcome.to_json())
    if outcome.status == "failed":
        raise typer.Exit(1)


@job_app.command("list")
def job_list(db_opt: DbOption = None) -> None:
    """列出定时任务及其最近的运行。"""
    from sqlalchemy import select

    from fazhi.supervision import jobs
    from fazhi.supervision.models import JobRun

    with _session(db_opt, write=False) as s:
        for job in jobs.JOBS.values():
            last = s.scalar(select(JobRun).where(JobRun.job == job.name).order_by(JobRun.id.desc()).limit(1))
            seen = f"{last.slot} {last.status}" if last else "尚未运行"
            out_console.print(f"{job.name:13} {job.label}（cron {job.schedule}，UTC）最近：{seen}", markup=False)


def worker(
    db_opt: DbOption = None,
    once: Annotated[bool, typer.Option("--once", help="运行到期的任务后退出（PostgreSQL：队列清空后退出）。")] = False,
) -> None:
    """运行定时任务：PostgreSQL 上为任务队列的工作进程（可多个，每个任务每个时刻只运行一次）；
    SQLite 上为进程内的调度器。Ctrl-C 停止。"""
    import time

    from fazhi import db
    from fazhi.supervision import jobs

    url = db.resolve_url(db_opt)
    engine = open_engine(db_opt)
    try:
        db.ensure_schema(engine)
    except Exception as exc:
        raise die(f"{db.describe(url)}: {exc}") from None
    _say(f"fazhi worker：{db.describe(url)}；定时任务 {'、'.join(jobs.JOBS)}")
    try:
        if db.sqlite_path(url) is None:
            engine.dispose()
            jobs.run_worker(url, wait=not once)
            return
        scheduler = jobs.Scheduler(engine)
        while True:
            for outcome in scheduler.run_due():
                _say(f"{outcome.job} {outcome.slot}：{outcome.status}")
            if once:
                return
            time.sleep(scheduler.tick)
    except KeyboardInterrupt:
        return
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    """Add ``unit``, ``framework``, ``campaign``, ``task``, ``evidence``, ``job`` and ``worker`` to the app."""
    app.add_typer(unit_app, name="unit")
    app.add_typer(framework_app, name="framework")
    app.add_typer(campaign_app, name="campaign")
    app.add_typer(task_app, name="task")
    app.add_typer(evidence_app, name="evidence")
    app.add_typer(job_app, name="job")
    app.command("worker")(worker)


__all__ = ["propose_after_ingest", "register"]
