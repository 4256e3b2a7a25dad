"""``fazhi profile``, ``fazhi assess`` and ``fazhi inspect``: the year-end assessment and 督察/整改 from
the command line — thin shells over :mod:`fazhi.supervision.profiles_store`, ``assessment``,
``assessment_results``, ``assessment_export``, ``inspections`` and ``inspection_documents``.

Each command is one transaction (nothing half-written on an error), writes the audit log through the
services, prints its summary on stderr and — for a command that creates something — the new id alone
on stdout's last line.  The command line acts as the office (``Actor.cli()``) unless ``--user NAME``
names the user who acts (a unit's user self-scores and appeals, a scorer unit's user scores).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, is_dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from fazhi import config
from fazhi.cli.common import DbOption, die, err_console, open_engine, out_console

T = TypeVar("T")

profile_app = typer.Typer(no_args_is_help=True, help="考核细则（profiles）：导入、查看。")
assess_app = typer.Typer(no_args_is_help=True, help="年终考核（assessment）：开展、自评、评分、通知、申辩、锁定、导出。")
inspect_app = typer.Typer(no_args_is_help=True, help="督察与整改（inspection）：督察、问题、整改事项、销号、督办、文书。")


class Format(StrEnum):
    json = "json"
    text = "text"


class Outcome(StrEnum):
    upheld = "upheld"
    partly = "partly"
    rejected = "rejected"


class Kind(StrEnum):
    onsite = "onsite"
    stationed = "stationed"
    special = "special"
    joint = "joint"
    case = "case"
    written = "written"


class Source(StrEnum):
    inspection = "inspection"
    assessment = "assessment"
    report_review = "report_review"
    reconsideration = "reconsideration"
    complaint = "complaint"


class DocKind(StrEnum):
    opinion = "opinion"
    notice = "notice"
    report = "report"


CampaignOpt = Annotated[int, typer.Option("--campaign", help="考核任务（campaign）编号。")]
UnitOpt = Annotated[str, typer.Option("--unit", help="单位名称（按督导办公室的写法，如“县司法局”）或编号。")]
ItemOpt = Annotated[str, typer.Option("--item", help="考评内容的序号（考核细则中的写法，如 1.2）。")]
UserOpt = Annotated[str | None, typer.Option("--user", help="以该用户的身份办理（默认：命令行，视为督导办公室）。")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="按此日期计算（YYYY-MM-DD，默认今天）。",
                                             show_default=False)]
FormatOpt = Annotated[Format, typer.Option("--format", help="输出格式：json 或 text。")]


# =========================================================================== plumbing
def _date(text: str | None, what: str = "--as-of") -> dt.date:
    if text is None:
        return config.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise die(f"{what} 应为 YYYY-MM-DD 格式的日期（收到“{text}”）") from None


def _actor(session: Any, user: str | None) -> Any:
    from fazhi.accounts import service as accounts
    from fazhi.supervision.access import Actor

    if user is None:
        return Actor.cli()
    row = accounts.get_user(session, user)
    if row is None:
        raise die(f"没有名为“{user}”的用户")
    return Actor.of_user(session, row.id, row.role, name=row.name)


def _run(db_opt: str | None, user: str | None, fn: Callable[[Any, Any], T]) -> T:
    """Run ``fn(session, actor)`` in one write transaction; refusals become a Chinese message, exit 1."""
    from sqlalchemy import exc as sa_exc

    from fazhi import db
    from fazhi.corpus.ingest import db_error_message
    from fazhi.supervision import assessment, inspections, profiles_store, scoring, sheets
    from fazhi.supervision.access import Forbidden, NotFound

    engine = open_engine(db_opt)
    try:
        db.ensure_schema(engine)
        with db.session_factory(engine, write=True).begin() as session:
            return fn(session, _actor(session, user))
    except profiles_store.ProfileImportError as exc:
        for p in exc.problems:
            err_console.print(f"  {p}", highlight=False, markup=False)
        raise die(str(exc)) from None
    except (Forbidden, NotFound, assessment.AssessmentError, inspections.InspectionError, scoring.ScoringError,
            sheets.SheetError) as exc:
        raise die(str(exc)) from None
    except sa_exc.DBAPIError as exc:
        raise die(db_error_message(exc, engine)) from None
    finally:
        engine.dispose()


def _say(lines: Sequence[str]) -> None:
    for line in lines:
        err_console.print(line, highlight=False, markup=False)


def _json(data: Any) -> None:
    def plain(o: Any) -> Any:
        if is_dataclass(o) and not isinstance(o, type):
            return asdict(o)
        if isinstance(o, dt.date | dt.datetime):
            return o.isoformat()
        return str(o)

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=plain) + "\n")


def _id(n: int) -> None:
    sys.stdout.write(f"{n}\n")


# =========================================================================== fazhi profile
@profile_app.command("import")
def profile_import(
    file: Annotated[Path, typer.Argument(help="考核细则文件：.xlsx、.docx（表格）、.csv 或 .yaml。")],
    framework: Annotated[int | None, typer.Option("--framework", help="关联的指标体系编号；不指定时以细则本身的考评项目和内容另存为指标体系。",
                                                  show_default=False)] = None,
    unit_type: Annotated[str | None, typer.Option("--unit-type", help="适用的单位类型（如“县（市、区）”“乡镇（街道）”“部门”）。",
                                                  show_default=False)] = None,
    name: Annotated[str | None, typer.Option("--name", help="细则名称（默认取文件名）。", show_default=False)] = None,
    db_opt: DbOption = None,
) -> None:
    """导入考核细则：分值不符的整表拒绝导入（列出相差的分值），未能识别的评分标准按人工评分导入并列出；新细则的编号单独输出在最后一行。"""
    from fazhi.supervision import profiles_store

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise die(f"{file}：无法读取（{exc.strerror or exc}）") from None
    result = _run(db_opt, None, lambda s, a: profiles_store.import_profile(
        s, a, data, file.name, framework_id=framework, unit_type=unit_type, name=name))
    _say(result.summary())
    _id(result.id)


@profile_app.command("show")
def profile_show(
    profile_id: Annotated[int, typer.Argument(help="考核细则编号。")],
    fmt: FormatOpt = Format.json,
    db_opt: DbOption = None,
) -> None:
    """查看考核细则：每一项的考评项目、序号、内容、分值、类型、评分规则、评分标准原文和评分责任单位。"""
    from fazhi.supervision import profiles_store
    from fazhi.supervision.rules import fmt as points

    data = _run(db_opt, None, lambda s, a: profiles_store.profile_json(s, a, profile_id))
    if fmt == Format.json:
        _json(data)
        return
    out_console.print(f"{data['name']}（编号 {data['id']}，总分 {data['total']} 分）", highlight=False, markup=False)
    for i in data["items"]:
        rule = (i["rule"] or {}).get("kind", "manual")
        out_console.print(f"  {i['block']} {i['ref']} {i['content']}（{points(i['points'])}分，{rule}）"
                          f" 评分责任单位：{i['scorer'] or '—'}", highlight=False, markup=False)


@profile_app.command("list")
def profile_list(fmt: FormatOpt = Format.text, db_opt: DbOption = None) -> None:
    """列出已导入的考核细则。"""
    from fazhi.supervision import profiles_store

    rows = _run(db_opt, None, profiles_store.list_profiles)
    if fmt == Format.json:
        _json(rows)
        return
    for r in rows:
        out_console.print(f"{r['id']:>4}  {r['name']}  {r['items']} 项  {r['total']} 分  {'、'.join(r['unit_types'])}",
                          highlight=False, markup=False)


# =========================================================================== fazhi assess
def _open(s: Any, a: Any, campaign: int, profiles: Sequence[int], units: Sequence[str], as_of: dt.date) -> Any:
    from fazhi.supervision import assessment, inspections

    c = assessment.campaign_row(s, campaign)
    unit_ids = [inspections.find_unit(s, u, c.organiser).id for u in units] if units else None
    return assessment.open_campaign(s, a, campaign, as_of=as_of, profile_ids=list(profiles), unit_ids=unit_ids)


@assess_app.command("open")
def assess_open(
    campaign: CampaignOpt,
    profile: Annotated[list[int] | None, typer.Option("--profile", help="考核细则编号（可多次给出：不同类型单位用不同细则）。")] = None,
    unit: Annotated[list[str] | None, typer.Option("--unit", help="被考核单位（可多次给出；默认：组织单位下属的全部登记单位和任务承担单位）。")] = None,
    as_of: AsOfOpt = None,
    db_opt: DbOption = None,
) -> None:
    """开展年终考核：登记被考核单位，判定每一项是否适用，按记录生成建议分。"""
    day = _date(as_of)
    result = _run(db_opt, None, lambda s, a: _open(s, a, campaign, profile or [], unit or [], day))
    _say(result.summary())


@assess_app.command("compute")
def assess_compute(
    campaign: CampaignOpt,
    fmt: FormatOpt = Format.json,
    profile: Annotated[list[int] | None, typer.Option("--profile", help="考核细则编号（任务尚未指定细则时）。")] = None,
    as_of: AsOfOpt = None,
    db_opt: DbOption = None,
) -> None:
    """计算考核结果：补登被考核单位，按记录重新计算建议分，输出每个单位的得分、同类排名和逐项得分说明。"""
    from fazhi.supervision import assessment, assessment_results

    day = _date(as_of)

    def run(s: Any, a: Any) -> Any:
        opened = _open(s, a, campaign, profile or [], [], day)
        assessment.refresh(s, a, campaign, as_of=day)
        return opened, assessment_results.results(s, a, campaign)

    opened, found = _run(db_opt, None, run)
    if opened.opened or opened.skipped or opened.unresolved_scorers:
        _say(opened.summary())
    if fmt == Format.json:
        _json(assessment_results.results_json(found))
        return
    for r in found:
        score = r.final if r.final is not None else r.reviewed
        out_console.print(f"{r.unit['name']}  {r.status_label}  自评{_n(r.self)}  考评{_n(r.reviewed)}  最终{_n(r.final)}"
                          f"  {r.rank_among}", highlight=False, markup=False)
        for i in r.deductions if score is not None else []:
            out_console.print(f"    第{i.ref}项扣{_n(i.lost)}分：{i.reason}", highlight=False, markup=False)


def _n(x: float | None) -> str:
    from fazhi.supervision.rules import fmt

    return "—" if x is None else fmt(x)


@assess_app.command("show")
def assess_show(campaign: CampaignOpt, unit: UnitOpt, fmt: FormatOpt = Format.text, user: UserOpt = None,
                db_opt: DbOption = None) -> None:
    """查看一个单位的考核：每一项的自评分、建议分（及依据）、考评分、最终得分和说明。"""
    from fazhi.supervision import assessment

    view = _run(db_opt, user, lambda s, a: assessment.assessment_view(
        s, a, assessment.find_assessment(s, campaign, unit).id))
    if fmt == Format.json:
        _json(view)
        return
    out_console.print(f"{view.unit['name']}：{view.status_label}，自评{_n(view.self_total)}，考评{_n(view.reviewed_total)}，"
                      f"最终{_n(view.final_total)}（满分{_n(view.max)}）", highlight=False, markup=False)
    for i in view.items:
        applies = "" if i.applicable else f"［不适用：{i.applicability_reason}］"
        out_console.print(f"  {i.ref} {i.content}（{_n(i.points)}分）{applies} 自评{_n(i.self_score)} 建议{_n(i.suggested_score)}"
                          f" 考评{_n(i.scorer_score)} 最终{_n(i.final_score)}：{i.reason or ''}", highlight=False,
                          markup=False)
        for flag in i.flags:
            out_console.print(f"    ！{flag}", highlight=False, markup=False)


@assess_app.command("self-score")
def assess_self_score(campaign: CampaignOpt, unit: UnitOpt, item: ItemOpt,
                      score: Annotated[float, typer.Option("--score", help="自评分。")],
                      note: Annotated[str | None, typer.Option("--note", help="自评说明。")] = None,
                      user: UserOpt = None, db_opt: DbOption = None) -> None:
    """单位自评：填写一项的自评分和说明（超出分值的拒绝）。"""
    from fazhi.supervision import assessment

    view = _run(db_opt, user, lambda s, a: assessment.self_score(s, a, assessment.find_item(s, campaign, unit, item),
                                                                 score, note))
    _say([f"{view.unit_name} 第{view.ref}项自评{_n(view.self_score)}分"])


@assess_app.command("score")
def assess_score(campaign: CampaignOpt, unit: UnitOpt, item: ItemOpt,
                 score: Annotated[float | None, typer.Option("--score", help="考评分（不给出：确认建议分）。",
                                                             show_default=False)] = None,
                 reason: Annotated[str | None, typer.Option("--reason", help="评分理由（与建议分不同时必填）。")] = None,
                 user: UserOpt = None, db_opt: DbOption = None) -> None:
    """评分：确认建议分，或给出考评分并写明理由；评分人不能为本单位评分（回避）。"""
    from fazhi.supervision import assessment

    view = _run(db_opt, user, lambda s, a: assessment.score(s, a, assessment.find_item(s, campaign, unit, item),
                                                            score, reason))
    _say([f"{view.unit_name} 第{view.ref}项考评{_n(view.scorer_score)}分：{view.scorer_reason}"])


@assess_app.command("applicability")
def assess_applicability(campaign: CampaignOpt, unit: UnitOpt, item: ItemOpt,
                         applies: Annotated[bool, typer.Option("--applies/--not-applies", help="适用或不适用。")],
                         reason: Annotated[str, typer.Option("--reason", help="人工调整的理由（必填）。")],
                         db_opt: DbOption = None) -> None:
    """人工调整一项对某单位是否适用（须写明理由）。"""
    from fazhi.supervision import assessment

    view = _run(db_opt, None, lambda s, a: assessment.set_applicability(
        s, a, assessment.find_item(s, campaign, unit, item), applies, reason))
    _say([f"{view.unit_name} 第{view.ref}项：{view.applicability_reason}"])


@assess_app.command("notify")
def assess_notify(campaign: CampaignOpt,
                  days: Annotated[int | None, typer.Option("--days", help="申辩期天数（默认见 assessment.yaml）。",
                                                           show_default=False)] = None,
                  as_of: AsOfOpt = None, db_opt: DbOption = None) -> None:
    """通知考核结果（评分已完成的单位），开始申辩期。"""
    from fazhi.supervision import assessment

    day = _date(as_of)
    out = _run(db_opt, None, lambda s, a: assessment.notify(s, a, campaign, as_of=day, appeal_days=days))
    _say(out.summary("已通知"))


@assess_app.command("appeal")
def assess_appeal(campaign: CampaignOpt, unit: UnitOpt, item: ItemOpt,
                  text: Annotated[str, typer.Option("--text", help="申辩理由。")],
                  as_of: AsOfOpt = None, user: UserOpt = None, db_opt: DbOption = None) -> None:
    """单位申辩（在申辩期内）；申辩编号单独输出在最后一行。"""
    from fazhi.supervision import assessment

    day = _date(as_of)
    ap = _run(db_opt, user, lambda s, a: assessment.appeal(s, a, assessment.find_item(s, campaign, unit, item), text,
                                                           as_of=day))
    _say([f"{ap.unit} 第{ap.ref}项已申辩"])
    _id(ap.id)


@assess_app.command("decide")
def assess_decide(appeal_id: Annotated[int, typer.Argument(help="申辩编号。")],
                  outcome: Annotated[Outcome, typer.Option("--outcome", help="upheld 成立 | partly 部分成立 | rejected 不成立。")],
                  decision: Annotated[str, typer.Option("--decision", help="处理意见。")],
                  score: Annotated[float | None, typer.Option("--score", help="调整后的得分（成立或部分成立时）。",
                                                             show_default=False)] = None,
                  db_opt: DbOption = None) -> None:
    """处理申辩。"""
    from fazhi.supervision import assessment

    ap = _run(db_opt, None, lambda s, a: assessment.decide(s, a, appeal_id, outcome=outcome.value, decision=decision,
                                                           value=score))
    _say([f"{ap.unit} 第{ap.ref}项申辩：{ap.status_label}，{ap.decision}"])


@assess_app.command("lock")
def assess_lock(campaign: CampaignOpt, as_of: AsOfOpt = None, db_opt: DbOption = None) -> None:
    """确定并锁定考核结果（申辩期已过、申辩均已处理的单位）；锁定后只能更正，每次更正另存一版。"""
    from fazhi.supervision import assessment

    day = _date(as_of)
    out = _run(db_opt, None, lambda s, a: assessment.lock(s, a, campaign, as_of=day))
    _say(out.summary("已锁定"))


@assess_app.command("correct")
def assess_correct(campaign: CampaignOpt, unit: UnitOpt, item: ItemOpt,
                   score: Annotated[float, typer.Option("--score", help="更正后的得分。")],
                   reason: Annotated[str, typer.Option("--reason", help="更正理由（必填）。")],
                   db_opt: DbOption = None) -> None:
    """更正已锁定的考核结果：另存为新版本，原版本保留。"""
    from fazhi.supervision import assessment

    v = _run(db_opt, None, lambda s, a: assessment.correct(s, a, assessment.find_item(s, campaign, unit, item), score,
                                                           reason))
    _say([f"已另存为第 {v.version} 版：{v.reason}；总分 {_n(v.final)}"])


@assess_app.command("export")
def assess_export(campaign: CampaignOpt,
                  xlsx: Annotated[Path, typer.Option("--xlsx", help="写出的 Excel 文件。")],
                  group: Annotated[str | None, typer.Option("--group", help="只导出一类可比单位（如“县级政府”）。",
                                                            show_default=False)] = None,
                  db_opt: DbOption = None) -> None:
    """导出考核结果汇总表（含逐项得分；横向 A4、适应页宽、每页重复表头）。"""
    from fazhi.supervision import assessment_export

    data = _run(db_opt, None, lambda s, a: assessment_export.export_xlsx(s, a, campaign, group=group))
    try:
        xlsx.write_bytes(data)
    except OSError as exc:
        raise die(f"{xlsx}：无法写入（{exc.strerror or exc}）") from None
    _say([f"已导出：{xlsx}"])


@assess_app.command("diff")
def assess_diff(campaign: CampaignOpt, unit: UnitOpt,
                previous: Annotated[int | None, typer.Option("--previous", help="对比的考核任务编号（默认：上一年）。",
                                                             show_default=False)] = None,
                fmt: FormatOpt = Format.text, db_opt: DbOption = None) -> None:
    """与上一年的考核对比：哪些项目下降了，为什么。"""
    from fazhi.supervision import assessment_results

    diff = _run(db_opt, None, lambda s, a: assessment_results.year_diff(s, a, campaign, unit, previous))
    if fmt == Format.json:
        _json(diff)
        return
    for line in diff.lines():
        out_console.print(line, highlight=False, markup=False)


# =========================================================================== fazhi inspect
@inspect_app.command("open")
def inspect_open(kind: Annotated[Kind, typer.Option("--kind", help="onsite 实地 | stationed 进驻 | special 专项 | joint 联动 | case 个案 | written 书面。")],
                 title: Annotated[str, typer.Option("--title", help="督察名称。")],
                 unit: Annotated[list[str], typer.Option("--unit", help="被督察单位（可多次给出）。")],
                 campaign: Annotated[int | None, typer.Option("--campaign", help="所属任务编号。", show_default=False)] = None,
                 start: Annotated[str | None, typer.Option("--from", help="开始日期。", show_default=False)] = None,
                 end: Annotated[str | None, typer.Option("--to", help="结束日期。", show_default=False)] = None,
                 db_opt: DbOption = None) -> None:
    """开展督察；督察编号单独输出在最后一行。"""
    from fazhi.supervision import assessment, inspections

    start_on = _date(start, "--from") if start else None
    end_on = _date(end, "--to") if end else None

    def run(s: Any, a: Any) -> Any:
        organiser = assessment.campaign_row(s, campaign).organiser if campaign else None
        ids = [inspections.find_unit(s, u, organiser).id for u in unit]
        return inspections.open_case(s, a, kind=kind.value, title=title, unit_ids=ids, campaign_id=campaign,
                                     started_on=start_on, ended_on=end_on)

    case = _run(db_opt, None, run)
    _say([f"{case.kind_label}“{case.title}”：{'、'.join(u['name'] for u in case.units)}"])
    _id(case.id)


@inspect_app.command("finding")
def inspect_finding(unit: UnitOpt, text: Annotated[str, typer.Option("--text", help="发现的问题。")],
                    case: Annotated[int | None, typer.Option("--case", help="督察编号。", show_default=False)] = None,
                    campaign: Annotated[int | None, typer.Option("--campaign", help="任务编号。", show_default=False)] = None,
                    source: Annotated[Source, typer.Option("--source", help="来源：inspection 督察 | assessment 考核 | report_review 年报审查 | reconsideration 复议纠错 | complaint 投诉。")] = Source.inspection,
                    quote: Annotated[str | None, typer.Option("--quote", help="佐证原文。")] = None,
                    db_opt: DbOption = None) -> None:
    """登记督察问题；问题编号单独输出在最后一行。"""
    from fazhi.supervision import inspections

    f = _run(db_opt, None, lambda s, a: inspections.add_finding(
        s, a, unit_id=inspections.find_unit(s, unit).id, text=text, source=source.value, case_id=case,
        campaign_id=campaign, quote=quote))
    _say([f"{f.unit['name']}：{f.text}（{f.source_label}）"])
    _id(f.id)


@inspect_app.command("raise")
def inspect_raise(review_finding: Annotated[int, typer.Argument(help="年度报告审查发现的编号。")],
                  case: Annotated[int | None, typer.Option("--case", help="督察编号。", show_default=False)] = None,
                  campaign: Annotated[int | None, typer.Option("--campaign", help="任务编号。", show_default=False)] = None,
                  db_opt: DbOption = None) -> None:
    """把年度报告审查发现列为督察问题（一步完成）；问题编号单独输出在最后一行。"""
    from fazhi.supervision import inspections

    f = _run(db_opt, None, lambda s, a: inspections.raise_review_finding(s, a, review_finding, case_id=case,
                                                                         campaign_id=campaign))
    _say([f"{f.unit['name']}：{f.text}（{f.source_label}）"])
    _id(f.id)


@inspect_app.command("rectify")
def inspect_rectify(finding: Annotated[int, typer.Argument(help="督察问题编号。")],
                    measure: Annotated[str, typer.Option("--measure", help="整改措施。")],
                    deadline: Annotated[str, typer.Option("--deadline", help="完成时限（YYYY-MM-DD）。")],
                    person: Annotated[str | None, typer.Option("--person", help="责任人。")] = None,
                    unit: Annotated[str | None, typer.Option("--unit", help="责任单位（默认：问题所属单位）。",
                                                             show_default=False)] = None,
                    db_opt: DbOption = None) -> None:
    """制定整改事项；整改事项编号单独输出在最后一行。"""
    from fazhi.supervision import inspections

    due = _date(deadline, "--deadline")
    r = _run(db_opt, None, lambda s, a: inspections.add_rectification(
        s, a, finding, measure=measure, deadline=due, person=person,
        unit_id=inspections.find_unit(s, unit).id if unit else None))
    _say([f"{r.unit['name']}：{r.measure}（{r.deadline}前）"])
    _id(r.id)


def _rect_step(db_opt: str | None, user: str | None, fn: Callable[[Any, Any], Any]) -> None:
    r = _run(db_opt, user, fn)
    _say([f"整改事项 {r.id}（{r.unit['name']}）：{r.status_label}"])


@inspect_app.command("start")
def inspect_start(item: Annotated[int, typer.Argument(help="整改事项编号。")], user: UserOpt = None,
                  db_opt: DbOption = None) -> None:
    """开始整改。"""
    from fazhi.supervision import inspections

    _rect_step(db_opt, user, lambda s, a: inspections.start_rectification(s, a, item))


@inspect_app.command("submit")
def inspect_submit(item: Annotated[int, typer.Argument(help="整改事项编号。")],
                   text: Annotated[str, typer.Option("--text", help="整改情况。")],
                   evidence: Annotated[list[int] | None, typer.Option("--evidence", help="已上传的佐证材料编号（可多次）。")] = None,
                   user: UserOpt = None, db_opt: DbOption = None) -> None:
    """报送整改情况。"""
    from fazhi.supervision import inspections

    _rect_step(db_opt, user, lambda s, a: inspections.submit_rectification(s, a, item, text=text,
                                                                           evidence_ids=evidence or []))


@inspect_app.command("verify")
def inspect_verify(item: Annotated[int, typer.Argument(help="整改事项编号。")],
                   back: Annotated[str | None, typer.Option("--return", help="退回并写明理由。", show_default=False)] = None,
                   note: Annotated[str | None, typer.Option("--note", help="核验意见。")] = None,
                   db_opt: DbOption = None) -> None:
    """核验整改情况（或退回）。"""
    from fazhi.supervision import inspections

    _rect_step(db_opt, None, lambda s, a: inspections.verify_rectification(s, a, item, accept=back is None,
                                                                           note=back or note))


@inspect_app.command("close")
def inspect_close(item: Annotated[int, typer.Argument(help="整改事项编号。")],
                  note: Annotated[str | None, typer.Option("--note", help="销号意见。")] = None,
                  db_opt: DbOption = None) -> None:
    """销号（已核验的整改事项）。"""
    from fazhi.supervision import inspections

    _rect_step(db_opt, None, lambda s, a: inspections.close_rectification(s, a, item, note))


@inspect_app.command("escalate")
def inspect_escalate(
    item: Annotated[int | None, typer.Option("--item", help="只督办这一项逾期整改事项，升一级（与网页上的“督办”按钮相同）；"
                                                          "不给出时按逾期天数督办全部（每日定时任务所做的）。",
                                             show_default=False)] = None,
    note: Annotated[str | None, typer.Option("--note", help="督办说明（与 --item 同用）。", show_default=False)] = None,
    as_of: AsOfOpt = None, user: UserOpt = None, db_opt: DbOption = None,
) -> None:
    """督办逾期整改事项：函询约谈 → 挂牌督办 → 通报批评（每级只升一次）。"""
    from fazhi.supervision import inspections

    day = _date(as_of)
    if item is not None:
        view = _run(db_opt, user, lambda s, a: inspections.escalate(s, a, item, as_of=day, note=note))
        _say([f"整改事项 {view.id}“{view.measure}”：{view.escalation_label}"])
        return
    found = _run(db_opt, user, lambda s, a: inspections.escalate_overdue(s, day, a))
    _say([f"{e.unit}：“{e.measure}”逾期{e.overdue_days}天，{e.label}" for e in found] or ["没有需要升级督办的整改事项"])


@inspect_app.command("carry-over")
def inspect_carry_over(note: Annotated[str | None, typer.Option("--note", help="说明。")] = None,
                       db_opt: DbOption = None) -> None:
    """开始新一轮整改：未销号的整改事项全部转入下一轮（问题池）。"""
    from fazhi.supervision import inspections

    found = _run(db_opt, None, lambda s, a: inspections.carry_over(s, a, note=note))
    _say([f"转入下一轮 {len(found)} 项"])


@inspect_app.command("pool")
def inspect_pool(unit: Annotated[str | None, typer.Option("--unit", help="只看一个单位。", show_default=False)] = None,
                 as_of: AsOfOpt = None, fmt: FormatOpt = Format.text, user: UserOpt = None,
                 db_opt: DbOption = None) -> None:
    """问题池：所有未销号的整改事项（逾期最久的在前）。"""
    from fazhi.supervision import inspections

    day = _date(as_of)
    found = _run(db_opt, user, lambda s, a: inspections.problem_pool(
        s, a, as_of=day, unit_id=inspections.find_unit(s, unit).id if unit else None))
    if fmt == Format.json:
        _json(found)
        return
    for r in found:
        late = f"，逾期{r.overdue_days}天" if r.overdue_days else ""
        esc = f"，{r.escalation_label}" if r.escalation else ""
        out_console.print(f"{r.id:>4}  {r.unit['name']}  {r.measure}  {r.deadline or '—'}  {r.status_label}{late}{esc}"
                          f"（第{r.round}轮）", highlight=False, markup=False)


@inspect_app.command("document")
def inspect_document(kind: Annotated[DocKind, typer.Option("--kind", help="opinion 督察意见书 | notice 整改通知书 | report 整改情况报告。")],
                     out: Annotated[Path, typer.Option("--out", help="写出的 Word 文件。")],
                     case: Annotated[int | None, typer.Option("--case", help="督察编号（与 --unit 一起）。", show_default=False)] = None,
                     unit: Annotated[str | None, typer.Option("--unit", help="单位。", show_default=False)] = None,
                     finding: Annotated[list[int] | None, typer.Option("--finding", help="督察问题编号（可多次）。")] = None,
                     text: Annotated[str | None, typer.Option("--text", help="整改情况报告的正文。")] = None,
                     office: Annotated[str | None, typer.Option("--office", help="发文单位（默认：任务的组织单位）。")] = None,
                     on: Annotated[str | None, typer.Option("--date", help="成文日期（默认今天）。", show_default=False)] = None,
                     user: UserOpt = None, db_opt: DbOption = None) -> None:
    """生成督察文书并存入记录（关联到相应问题）；文书（证据）编号单独输出在最后一行。"""
    from fazhi.supervision import inspection_documents, inspections

    day = _date(on, "--date")

    def run(s: Any, a: Any) -> Any:
        ids = list(finding or [])
        if case is not None and unit is not None:
            ids += inspection_documents.case_findings(s, case, inspections.find_unit(s, unit).id)
        return inspection_documents.issue_document(s, a, kind=kind.value, finding_ids=ids, on=day, office=office,
                                                   text=text)

    doc = _run(db_opt, user, run)
    try:
        out.write_bytes(doc.data)
    except OSError as exc:
        raise die(f"{out}：无法写入（{exc.strerror or exc}）") from None
    _say([f"{doc.title}：已存入记录并写出 {out}"])
    _id(doc.evidence_id)


@inspect_app.command("show")
def inspect_show(case: Annotated[int, typer.Argument(help="督察编号。")], fmt: FormatOpt = Format.text,
                 as_of: AsOfOpt = None, user: UserOpt = None, db_opt: DbOption = None) -> None:
    """查看督察：问题、整改事项及其进展、文书。"""
    from fazhi.supervision import inspections

    day = _date(as_of)
    view = _run(db_opt, user, lambda s, a: inspections.case_view(s, a, case, as_of=day))
    if fmt == Format.json:
        _json(view)
        return
    out_console.print(f"{view.kind_label}“{view.title}”（{view.status_label}）", highlight=False, markup=False)
    for f in view.findings:
        out_console.print(f"  问题 {f.id} {f.unit['name']}：{f.text}［{f.state}］", highlight=False, markup=False)
        for r in f.items:
            out_console.print(f"    整改 {r.id}：{r.measure}（{r.deadline or '—'}）{r.status_label}"
                              + (f"，{r.escalation_label}" if r.escalation else ""), highlight=False, markup=False)
        for d in f.documents:
            out_console.print(f"    文书 {d['id']}：{d['title']}", highlight=False, markup=False)


@inspect_app.command("list")
def inspect_list(campaign: Annotated[int | None, typer.Option("--campaign", help="任务编号。", show_default=False)] = None,
                 fmt: FormatOpt = Format.text, db_opt: DbOption = None) -> None:
    """列出督察。"""
    from fazhi.supervision import inspections

    rows = _run(db_opt, None, lambda s, a: inspections.list_cases(s, a, campaign_id=campaign))
    if fmt == Format.json:
        _json(rows)
        return
    for r in rows:
        out_console.print(f"{r['id']:>4}  {r['kind_label']}  {r['title']}  {'、'.join(r['units'])}  "
                          f"整改{r['closed']}/{r['items']}已销号", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Add ``profile``, ``assess`` and ``inspect`` to the ``fazhi`` app."""
    app.add_typer(profile_app, name="profile")
    app.add_typer(assess_app, name="assess")
    app.add_typer(inspect_app, name="inspect")
