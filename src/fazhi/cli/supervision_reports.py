"""CLI of the annual report's own cycle: ``fazhi draft`` (a unit's report drafted from its record),
``fazhi memo`` (the campaign's 情况通报) and ``fazhi report`` (self-check, submit, accept or return with
the 审查意见书, diff of versions, publication, the office's status board) — thin shells over
:mod:`fazhi.supervision.drafting`, :mod:`~fazhi.supervision.selfcheck`, :mod:`~fazhi.supervision.reports`
and :mod:`~fazhi.supervision.memo`, one transaction per command.

The command line acts as the office (an unscoped administrator, recorded as ``--user`` when given), except
``draft``, ``report submit`` and ``report publish``, which act for the unit: as the unit user ``--user``
names when that user belongs to the unit, else as the unit's 主要负责人.  Messages go to standard error;
data (the gaps of a draft, JSON) to standard output.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from fazhi.cli.common import DbOption, die, err_console, iso_date, open_engine, out_console, read_input

report_app = typer.Typer(no_args_is_help=True,
                         help="年度报告的报送与审查：自查、报送、通过或退回、版本对比、公开、报送情况 (annual reports).")


class Format(StrEnum):
    table = "table"
    json = "json"


CampaignOption = Annotated[int, typer.Option("--campaign", help="督导活动编号。", show_default=False)]
UnitOption = Annotated[str, typer.Option("--unit", help="单位名称（或编号）。", show_default=False)]
UserOption = Annotated[str | None, typer.Option("--user", help="记录为该用户的操作。", show_default=False)]
FormatOption = Annotated[Format, typer.Option("--format", help="table（表格）或 json。")]


# =========================================================================== plumbing
@contextlib.contextmanager
def _session(db_opt: str | None) -> Iterator[Any]:
    """A session in one transaction; a refusal or bad input ends the command with its Chinese message."""
    from fazhi import db
    from fazhi.supervision.access import Forbidden, NotFound
    from fazhi.supervision.drafting import DraftError
    from fazhi.supervision.reports import ReportError
    from fazhi.supervision.smoothing import SmoothingError
    from fazhi.units.service import UnitError

    engine = open_engine(db_opt)
    try:
        db.ensure_schema(engine)
        with db.session_factory(engine, write=True).begin() as s:
            yield s
    except (DraftError, ReportError, SmoothingError, UnitError, Forbidden, NotFound) as exc:
        raise die(str(exc)) from None
    except db.StoreError as exc:
        raise die(str(exc)) from None
    finally:
        engine.dispose()


def _user(session: Any, name: str | None) -> Any:
    from sqlalchemy import select

    from fazhi.accounts.models import User

    return session.scalar(select(User).where(User.name == name)) if name else None


def _office(session: Any, user: str | None) -> Any:
    from fazhi.supervision.access import Actor

    row = _user(session, user)
    return Actor.cli(user_id=row.id, name=row.name) if row is not None else Actor.cli()


def _for_unit(session: Any, user: str | None, unit_id: int) -> Any:
    """Who acts for the unit: the unit user ``user`` if a member of it, else the unit's 主要负责人."""
    from fazhi.supervision.access import UNIT_ROLE, Actor
    from fazhi.units.models import UnitMember

    row = _user(session, user)
    member = session.get(UnitMember, row.id) if row is not None else None
    if member is not None and member.unit_id == unit_id:
        return Actor.of_user(session, row.id, UNIT_ROLE, name=row.name)
    return Actor(user_id=row.id if row is not None else None, role=UNIT_ROLE, unit_id=unit_id, duty="leader",
                 name=user or "命令行")


def _unit(session: Any, campaign_id: int, name: str) -> Any:
    """The registered unit ``name`` (or id) means in the campaign's organiser's terms."""
    from fazhi.supervision.models import Campaign
    from fazhi.units.models import Unit
    from fazhi.units.service import find

    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise die(f"没有编号为 {campaign_id} 的督导活动")
    organiser = session.get(Unit, campaign.organiser_id) if campaign.organiser_id else None
    unit = session.get(Unit, int(name)) if name.strip().isdigit() else find(session, name, organiser)
    if unit is None:
        raise die(f"单位“{name}”未登记（先用 fazhi unit 导入或建立单位）")
    return unit


def _report_id(session: Any, campaign_id: int, unit: Any) -> int:
    from sqlalchemy import select

    from fazhi.supervision.models import AnnualReport

    found = session.scalar(select(AnnualReport.id).where(AnnualReport.campaign_id == campaign_id,
                                                         AnnualReport.unit_id == unit.id))
    if found is None:
        raise die(f"{unit.name}在督导活动 {campaign_id} 中还没有年度报告")
    return int(found)


def _date(text: str | None, what: str = "日期") -> dt.date | None:
    return iso_date(text, what, "2026-03-01")


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise die(f"{path}：无法写入（{exc.strerror or exc}）") from None


def _say(message: str) -> None:
    err_console.print(message, highlight=False, markup=False)


def _json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")


# =========================================================================== draft and memo
def draft(
    campaign: CampaignOption, unit: UnitOption,
    out: Annotated[Path, typer.Option("--out", help="草稿写入的 Word 文件（.docx）。", show_default=False)],
    date: Annotated[str | None, typer.Option("--date", help="成文日期（YYYY-MM-DD，默认今天）。",
                                             show_default=False)] = None,
    smooth: Annotated[bool, typer.Option("--smooth", help="用 FAZHI_SMOOTHING_URL 配置的内网模型润色文字"
                                                          "（改动数字、名称、日期的润色一律不用）。")] = False,
    user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """根据单位全年的记录（任务进展、佐证、考核、整改、上年度报告）起草年度报告，保存草稿并写成公文格式的 Word 文件；
    标准输出列出需要补充的【待补充】内容。"""
    from fazhi.config import Settings
    from fazhi.supervision.drafting import create_draft, draft_document
    from fazhi.supervision.smoothing import Smoother

    day = _date(date, "成文日期")
    smoother = None
    if smooth:
        smoother = Smoother.from_settings(Settings.from_env())
        if smoother is None:
            raise die("未配置润色服务：请设置 FAZHI_SMOOTHING_URL（内网 OpenAI 兼容接口地址）", 2)
    with _session(db_opt) as s:
        target = _unit(s, campaign, unit)
        view = create_draft(s, _for_unit(s, user, target.id), campaign, target.id, day=day, smoother=smoother)
        _write(out, draft_document(view.content).to_bytes())
    for gap in view.gaps:
        sys.stdout.write(f"{gap['text']}\n")
    if view.smoothing is not None:
        sm = view.smoothing
        _say(f"润色：送出 {sm['sent']} 段，采用 {sm['accepted']} 段，拒绝 {len(sm['refused'])} 段"
             + (f"，失败 {len(sm['errors'])} 次（{sm['errors'][0]}）" if sm["errors"] else ""))
    _say(f"✓ 草稿 {view.id}：{view.title} → {out}；待补充 {len(view.gaps)} 处")


def memo(
    campaign: CampaignOption,
    out: Annotated[Path, typer.Option("--out", help="情况通报写入的 Word 文件（.docx）。", show_default=False)],
    as_of: Annotated[str | None, typer.Option("--as-of", help="截至这一天（YYYY-MM-DD，默认今天）。",
                                              show_default=False)] = None,
    db_opt: DbOption = None,
) -> None:
    """督导活动年度报告报送和审查情况的通报（公文格式 Word）：按时、逾期、未报送，必备内容，共性问题，核心指标，同类单位比较。"""
    from fazhi.supervision.access import Actor
    from fazhi.supervision.memo import campaign_memo, memo_document

    with _session(db_opt) as s:
        content = campaign_memo(s, Actor.cli(), campaign, _date(as_of, "截至日期"))
    _write(out, memo_document(content).to_bytes())
    _say(f"✓ 情况通报（{len(content.rows)} 个单位，收到 {len(content.received)} 份）→ {out}")


# =========================================================================== report
@report_app.command("status")
def report_status(
    campaign: CampaignOption, fmt: FormatOption = Format.table,
    as_of: Annotated[str | None, typer.Option("--as-of", help="截至这一天（YYYY-MM-DD，默认今天）。",
                                              show_default=False)] = None,
    db_opt: DbOption = None,
) -> None:
    """应报送年度报告的单位及其期限和状态：未报送、已报送、逾期报送、退回修改、审查通过、已公开。"""
    from rich.table import Table

    from fazhi.supervision import reports
    from fazhi.supervision.access import Actor

    with _session(db_opt) as s:
        rows = reports.report_status(s, Actor.cli(), campaign, _date(as_of, "截至日期"))
    if fmt == Format.json:
        _json([r.to_json() for r in rows])
        return
    table = Table("单位", "期限", "状态", "报送时间", "报告编号", "公开网址")
    for r in rows:
        table.add_row(r.unit_name, r.due.isoformat(), r.status_label,
                      reports.china_day(r.received_at).isoformat() if r.received_at else "—",
                      str(r.report_id or "—"), r.published_url or "—")
    out_console.print(table)


@report_app.command("check")
def report_check(
    file: Annotated[Path, typer.Argument(help="年度报告（草稿）文件。", show_default=False)],
    campaign: CampaignOption, unit: UnitOption, fmt: FormatOption = Format.table, db_opt: DbOption = None,
) -> None:
    """报送前自查：必备内容、不足与原因、安排是否回应不足和上年度安排、数字、日期，并把报告中的指标数字与记录核对。

    有需要修改的问题（错误或警告）时退出状态为 1。"""
    from fazhi.supervision.access import Actor
    from fazhi.supervision.selfcheck import self_check

    data = read_input(file)
    with _session(db_opt) as s:
        target = _unit(s, campaign, unit)
        result = self_check(s, Actor.cli(), campaign, target.id, data=data, filename=file.name)
    if fmt == Format.json:
        _json(result.to_json())
    else:
        from rich.markup import escape

        labels = {"error": "[red]错误[/red]", "warning": "[yellow]警告[/yellow]", "info": "提示"}
        for f in result.findings:
            out_console.print(f"{labels.get(f.severity, f.severity)} {escape(f.message)}", highlight=False)
        _say("✓ 自查未发现需要修改的问题" if result.ok else f"自查发现 {len(result.findings)} 项问题")
    if not result.ok:
        raise typer.Exit(1)


@report_app.command("submit")
def report_submit(
    file: Annotated[Path, typer.Argument(help="年度报告文件（.docx .pdf .txt …）。", show_default=False)],
    campaign: CampaignOption, unit: UnitOption,
    copy_to: Annotated[list[str] | None, typer.Option("--copy-to", help="抄送单位（可多次）。",
                                                      show_default=False)] = None,
    received: Annotated[str | None, typer.Option("--received", help="收到日期（YYYY-MM-DD，默认现在）。",
                                                 show_default=False)] = None,
    note: Annotated[str | None, typer.Option("--note", help="报送说明。", show_default=False)] = None,
    user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """以单位（主要负责人）的名义报送年度报告文件；退回修改后以同样方式重新报送。"""
    from fazhi.supervision.reports import at_day, submit_report

    data = read_input(file)
    day = _date(received, "收到日期")
    with _session(db_opt) as s:
        target = _unit(s, campaign, unit)
        view = submit_report(s, _for_unit(s, user, target.id), campaign, target.id, data=data, filename=file.name,
                             copies_to=copy_to or (), note=note, at=at_day(day) if day else None)
    _say(f"✓ {view.unit_name}的年度报告已报送（第 {len(view.versions)} 版，报告编号 {view.report_id}）")
    sys.stdout.write(f"{view.report_id}\n")


def _decide(campaign: int, unit: str, accept: bool, reason: str | None, opinion_dir: Path | None,
            user: str | None, db_opt: str | None) -> None:
    from fazhi.supervision.reports import decide_report, opinion

    with _session(db_opt) as s:
        target = _unit(s, campaign, unit)
        actor = _office(s, user)
        ar = _report_id(s, campaign, target)
        view = decide_report(s, actor, ar, accept=accept, reason=reason)
        document = opinion(s, actor, ar) if opinion_dir is not None else None
    if document is not None and opinion_dir is not None:
        _write(opinion_dir / document[1], document[0])
        _say(f"审查意见书 → {opinion_dir / document[1]}")
    _say(f"✓ {view.unit_name}的年度报告：{view.status_label}" + (f"（{reason}）" if reason else ""))


OpinionOption = Annotated[Path | None, typer.Option("--opinion", help="把审查意见书写入这个文件夹。",
                                                    show_default=False)]


@report_app.command("accept")
def report_accept(
    campaign: CampaignOption, unit: UnitOption,
    note: Annotated[str | None, typer.Option("--note", help="审查意见（可选）。", show_default=False)] = None,
    opinion_dir: OpinionOption = None, user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """督导办公室审查通过单位报送的年度报告。"""
    _decide(campaign, unit, True, note, opinion_dir, user, db_opt)


@report_app.command("return")
def report_return(
    campaign: CampaignOption, unit: UnitOption,
    reason: Annotated[str, typer.Option("--reason", help="退回修改的理由。", show_default=False)],
    opinion_dir: OpinionOption = None, user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """督导办公室把年度报告退回修改（附审查意见书）。"""
    _decide(campaign, unit, False, reason, opinion_dir, user, db_opt)


@report_app.command("opinion")
def report_opinion(
    campaign: CampaignOption, unit: UnitOption,
    out: Annotated[Path, typer.Option("--out", help="审查意见书写入的文件夹。", show_default=False)],
    version: Annotated[int | None, typer.Option("--version", help="第几版（默认最新报送的一版）。",
                                                show_default=False)] = None,
    user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """单位报送的年度报告的审查意见书（公文格式 Word）。"""
    from fazhi.supervision.reports import opinion

    with _session(db_opt) as s:
        target = _unit(s, campaign, unit)
        data, name = opinion(s, _office(s, user), _report_id(s, campaign, target), version=version)
    _write(out / name, data)
    _say(f"✓ 审查意见书 → {out / name}")


@report_app.command("diff")
def report_diff(campaign: CampaignOption, unit: UnitOption, fmt: FormatOption = Format.table,
                db_opt: DbOption = None) -> None:
    """重新报送的版本与上一版本相比改了什么（按段落：新增、删除、修改）。"""
    from fazhi.supervision.access import Actor
    from fazhi.supervision.reports import version_diff

    with _session(db_opt) as s:
        target = _unit(s, campaign, unit)
        result = version_diff(s, Actor.cli(), _report_id(s, campaign, target))
    if fmt == Format.json:
        _json(result.to_json())
        return
    counts = result.diff.counts
    _say(f"第 {result.old} 版 → 第 {result.new} 版：新增 {counts['added']} 段，删除 {counts['removed']} 段，"
         f"修改 {counts['changed']} 段")
    for p in result.diff.changes():
        if p.old is not None:
            sys.stdout.write(f"- {p.old}\n")
        if p.new is not None:
            sys.stdout.write(f"+ {p.new}\n")


@report_app.command("publish")
def report_publish(
    campaign: CampaignOption, unit: UnitOption,
    url: Annotated[str, typer.Option("--url", help="公开的网址。", show_default=False)],
    date: Annotated[str, typer.Option("--date", help="公开日期（YYYY-MM-DD）。", show_default=False)],
    file: Annotated[Path | None, typer.Option("--file", help="公开版本的文件（与报送的文本核对）。",
                                              show_default=False)] = None,
    user: UserOption = None, db_opt: DbOption = None,
) -> None:
    """登记年度报告的公开情况（网址、日期，可附公开版本），并核对是否按时公开、是否与报送文本一致。"""
    from fazhi.supervision.reports import publish_report

    day = _date(date, "公开日期")
    assert day is not None
    data = read_input(file) if file is not None else None
    with _session(db_opt) as s:
        target = _unit(s, campaign, unit)
        check = publish_report(s, _for_unit(s, user, target.id), _report_id(s, campaign, target), url=url, on=day,
                               data=data, filename=file.name if file is not None else None)
    _say(f"✓ 已登记公开：{check.url}（{day.isoformat()}，期限 {check.deadline.isoformat()}，"
         f"{'按时' if check.on_time else '逾期'}）")
    if check.diff is not None:
        counts = check.diff.counts
        _say("公开版本与报送文本一致" if check.diff.same else
             f"公开版本与报送文本不一致：新增 {counts['added']} 段，删除 {counts['removed']} 段，修改 {counts['changed']} 段")


def register(app: typer.Typer) -> None:
    """Add ``draft``, ``memo`` and ``report`` to the ``fazhi`` app."""
    app.command("draft")(draft)
    app.command("memo")(memo)
    app.add_typer(report_app, name="report")
