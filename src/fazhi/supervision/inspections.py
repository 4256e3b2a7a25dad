"""督察 and 整改: inspection cases, their findings, rectification items to 销号, escalation, the 问题池.

The chain::

    InspectionCase (实地/进驻/专项/联动/个案/书面) ─< InspectionFinding (from the inspection, the year-end
    assessment, an annual report's review, 复议纠错, a complaint) ─< Rectification (measure, responsible
    unit and person, deadline)

A rectification item goes ``open ▶ in_progress ▶ submitted ▶ verified ▶ closed`` (销号); the office may
send a submission back (``submitted ▶ in_progress``, with its reason).  An item past its deadline and
not submitted climbs the escalation ladder of ``data/inspection.yaml`` (函询约谈 → 挂牌督办 → 通报批评)
when :func:`escalate_overdue` runs (a scheduled job, once a day); an item still open when a new round
starts is carried over (:func:`carry_over`, its ``round`` goes up) and stays in the 问题池
(:func:`problem_pool`) until it is closed.  Every step is a :class:`models.RectificationStep` and an
audit row.

A finding of a stored report's review is raised as a 督察 finding in one call
(:func:`raise_review_finding`): the unit is the supervised unit the report's issuer is, the text, rule
and quoted sentence come with it.  The documents of the record — 督察意见书, 整改通知书, the unit's
整改情况报告 — are built in :mod:`fazhi.supervision.inspection_documents`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi import config
from fazhi.accounts.audit import audit
from fazhi.corpus.models import Finding, Report
from fazhi.db.base import utcnow
from fazhi.supervision import datafiles
from fazhi.supervision import models as m
from fazhi.supervision.access import Actor, Forbidden, NotFound, can_see_unit, in_scope, need_office
from fazhi.units import service as units
from fazhi.units.models import Unit

OPEN = ("open", "in_progress")  # not yet submitted: what escalates
SEVERITIES = ("error", "warning", "info")


class InspectionError(ValueError):
    """A step the item's state or the input does not allow (message in Chinese)."""


@cache
def words() -> Mapping[str, Any]:
    """``data/inspection.yaml``."""
    data: Mapping[str, Any] = datafiles.packaged("inspection")
    return data


def kind_label(kind: str) -> str:
    return str(words()["kinds"].get(kind, kind))


def source_label(source: str) -> str:
    return str(words()["sources"].get(source, source))


def status_label(status: str) -> str:
    return str(words()["statuses"].get(status, status))


def case_status_label(status: str) -> str:
    return str(words()["case_statuses"].get(status, status))


def escalation_label(level: int) -> str:
    """函询约谈 / 挂牌督办 / 通报批评 ("" for none)."""
    return next((s["label"] for s in words()["escalation"] if s["level"] == level), "")


# =========================================================================== views
@dataclass(frozen=True)
class StepView:
    action: str
    from_status: str | None
    to_status: str | None
    escalation: int | None
    note: str | None
    at: dt.datetime
    by_id: int | None
    by: str | None = None  # the user's name (None: the daily job or the command line)


@dataclass(frozen=True)
class RectificationView:
    """A rectification item as pages show it; ``overdue_days`` as of the date asked (0: not overdue)."""

    id: int
    finding_id: int
    unit: dict[str, Any]
    measure: str
    person: str | None
    deadline: dt.date | None
    status: str
    status_label: str
    escalation: int
    escalation_label: str
    round: int
    overdue_days: int
    report_text: str | None
    finding_text: str
    steps: list[StepView]
    #: the evidence the unit sent with its report: id, title, filename, deleted
    evidence: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class FindingView:
    id: int
    case_id: int | None
    campaign_id: int | None
    unit: dict[str, Any]
    source: str
    source_label: str
    text: str
    severity: str
    quote: str | None
    report_id: int | None
    review_rule: str | None
    state: str  # 待制定整改措施 | 整改中 | 已销号
    items: list[RectificationView]
    documents: list[dict[str, Any]]


@dataclass(frozen=True)
class CaseView:
    id: int
    kind: str
    kind_label: str
    title: str
    campaign_id: int | None
    units: list[dict[str, Any]]
    started_on: dt.date | None
    ended_on: dt.date | None
    status: str
    status_label: str
    findings: list[FindingView]


def _unit_dict(u: Unit) -> dict[str, Any]:
    return {"id": u.id, "name": u.name, "type": u.type}


def _overdue(r: m.Rectification, as_of: dt.date) -> int:
    if r.status not in OPEN or r.deadline is None or as_of <= r.deadline:
        return 0
    return (as_of - r.deadline).days


def _rect_view(session: Session, r: m.Rectification, as_of: dt.date) -> RectificationView:
    unit = session.get(Unit, r.unit_id)
    assert unit is not None
    steps = [StepView(s.action, s.from_status, s.to_status, s.escalation, s.note, s.at, s.by_id, _user_name(session, s.by_id))
             for s in r.steps]
    return RectificationView(r.id, r.finding_id, _unit_dict(unit), r.measure, r.person, r.deadline, r.status,
                             status_label(r.status), r.escalation, escalation_label(r.escalation), r.round,
                             _overdue(r, as_of), r.report_text, r.finding.text, steps,
                             _linked(session, "rectification", r.id))


def _user_name(session: Session, user_id: int | None) -> str | None:
    from fazhi.accounts.models import User

    user = session.get(User, user_id) if user_id is not None else None
    return user.name if user is not None else None


def _linked(session: Session, target_type: str, target_id: int) -> list[dict[str, Any]]:
    rows = session.execute(select(m.Evidence.id, m.Evidence.title, m.Evidence.filename, m.Evidence.deleted_at)
                           .join(m.EvidenceLink, m.EvidenceLink.evidence_id == m.Evidence.id)
                           .where(m.EvidenceLink.target_type == target_type, m.EvidenceLink.target_id == target_id)
                           .order_by(m.Evidence.id))
    return [{"id": i, "title": t, "filename": f, "deleted": d is not None} for i, t, f, d in rows]


def _documents(session: Session, finding_id: int) -> list[dict[str, Any]]:
    rows = session.execute(select(m.Evidence.id, m.Evidence.title, m.Evidence.kind, m.Evidence.filename,
                                  m.Evidence.created_at, m.Evidence.deleted_at)
                           .join(m.EvidenceLink, m.EvidenceLink.evidence_id == m.Evidence.id)
                           .where(m.EvidenceLink.target_type == "finding", m.EvidenceLink.target_id == finding_id)
                           .order_by(m.Evidence.id))
    return [{"id": i, "title": t, "kind": k, "filename": f, "created_at": c.isoformat() if c else None,
             "deleted": d is not None} for i, t, k, f, c, d in rows]


def _finding_view(session: Session, f: m.InspectionFinding, as_of: dt.date) -> FindingView:
    unit = session.get(Unit, f.unit_id)
    assert unit is not None
    items = [_rect_view(session, r, as_of) for r in f.items]
    state = "待制定整改措施" if not items else "已销号" if all(i.status == "closed" for i in items) else "整改中"
    return FindingView(f.id, f.case_id, f.campaign_id, _unit_dict(unit), f.source, source_label(f.source), f.text,
                       f.severity, f.quote, f.report_id, f.review_rule, state, items, _documents(session, f.id))


# =========================================================================== loading and checks
def _unit(session: Session, unit_id: int) -> Unit:
    u = session.get(Unit, unit_id)
    if u is None:
        raise NotFound(f"没有编号为 {unit_id} 的单位")
    return u


def _case(session: Session, case_id: int) -> m.InspectionCase:
    c = session.get(m.InspectionCase, case_id)
    if c is None:
        raise NotFound(f"没有编号为 {case_id} 的督察")
    return c


def _finding(session: Session, finding_id: int) -> m.InspectionFinding:
    f = session.get(m.InspectionFinding, finding_id)
    if f is None:
        raise NotFound(f"没有编号为 {finding_id} 的督察问题")
    return f


def _rect(session: Session, rect_id: int) -> tuple[m.Rectification, Unit]:
    r = session.get(m.Rectification, rect_id)
    if r is None:
        raise NotFound(f"没有编号为 {rect_id} 的整改事项")
    return r, _unit(session, r.unit_id)


def _as_unit(actor: Actor, unit: Unit, what: str) -> None:
    """The unit itself, or its office recording on the unit's behalf."""
    if actor.unit_user and actor.unit_id == unit.id:
        return
    if actor.office and in_scope(actor, unit):
        return
    raise Forbidden(f"{what}只能由{unit.name}或督导办公室办理")


def _see(actor: Actor, unit: Unit) -> None:
    if not can_see_unit(actor, unit):
        raise NotFound("没有这条督察记录")


def _step(session: Session, actor: Actor | None, r: m.Rectification, action: str, to: str | None,
          note: str | None = None, escalation: int | None = None) -> None:
    session.add(m.RectificationStep(rectification_id=r.id, action=action, from_status=r.status, to_status=to,
                                    escalation=escalation, note=note, by_id=actor.user_id if actor else None))
    if to is not None:
        r.status = to


def _move(session: Session, actor: Actor, r: m.Rectification, unit: Unit, action: str, allowed: Sequence[str],
          to: str, note: str | None) -> None:
    if r.status not in allowed:
        raise InspectionError(f"整改事项{status_label(r.status)}，不能{_ACTIONS[action]}")
    _step(session, actor, r, action, to, note)
    session.flush()
    audit(session, actor.user_id, f"rectification.{action}", "rectification", r.id,
          {"unit": unit.name, "status": to, "note": note})


_ACTIONS = {"start": "开始整改", "submit": "报送整改情况", "verify": "核验", "return": "退回", "close": "销号"}


# =========================================================================== cases and findings
def open_case(session: Session, actor: Actor, *, kind: str, title: str, unit_ids: Sequence[int],
              campaign_id: int | None = None, started_on: dt.date | None = None,
              ended_on: dt.date | None = None) -> CaseView:
    """Open an inspection (督察) of some units."""
    if kind not in words()["kinds"]:
        raise InspectionError(f"督察方式应为 {'、'.join(f'{k}（{v}）' for k, v in words()['kinds'].items())} 之一")
    if not title.strip():
        raise InspectionError("请写明督察名称")
    if not unit_ids:
        raise InspectionError("请指定被督察单位")
    inspected = [_unit(session, i) for i in unit_ids]
    for u in inspected:
        need_office(actor, u, "开展督察")
    if campaign_id is not None and session.get(m.Campaign, campaign_id) is None:
        raise NotFound(f"没有编号为 {campaign_id} 的任务")
    if started_on and ended_on and ended_on < started_on:
        raise InspectionError("督察结束日期早于开始日期")
    case = m.InspectionCase(kind=kind, title=title.strip(), unit_ids=[u.id for u in inspected], campaign_id=campaign_id,
                            started_on=started_on, ended_on=ended_on, created_by_id=actor.user_id)
    session.add(case)
    session.flush()
    audit(session, actor.user_id, "inspection.open", "inspection_case", case.id,
          {"kind": kind, "title": case.title, "units": [u.name for u in inspected]})
    return case_view(session, actor, case.id)


def add_finding(session: Session, actor: Actor, *, unit_id: int, text: str, source: str = "inspection",
                case_id: int | None = None, campaign_id: int | None = None, severity: str = "warning",
                quote: str | None = None) -> FindingView:
    """Record a problem a unit must rectify (from an inspection, the assessment, 复议纠错, a complaint)."""
    unit = _unit(session, unit_id)
    need_office(actor, unit, "登记督察问题")
    if source not in words()["sources"]:
        raise InspectionError(f"问题来源应为 {'、'.join(words()['sources'])} 之一")
    if severity not in SEVERITIES:
        raise InspectionError(f"严重程度应为 {'、'.join(SEVERITIES)} 之一")
    if not text.strip():
        raise InspectionError("请写明发现的问题")
    if case_id is not None:
        case = _case(session, case_id)
        if unit.id not in (case.unit_ids or []):
            raise InspectionError(f"{unit.name}不是“{case.title}”的被督察单位")
        campaign_id = campaign_id or case.campaign_id
    f = m.InspectionFinding(case_id=case_id, campaign_id=campaign_id, unit_id=unit.id, source=source, text=text.strip(),
                            severity=severity, quote=quote, created_by_id=actor.user_id)
    session.add(f)
    session.flush()
    audit(session, actor.user_id, "inspection.finding", "inspection_finding", f.id,
          {"unit": unit.name, "source": source, "text": f.text})
    return _finding_view(session, f, config.today())


def raise_review_finding(session: Session, actor: Actor, review_finding_id: int, *, case_id: int | None = None,
                         campaign_id: int | None = None) -> FindingView:
    """Raise a finding of a stored report's review (年报审查) as a 督察 finding of the unit that wrote the
    report, in one call: its message, rule, severity and quoted sentence come along."""
    from fazhi.units.service import unit_for_issuer

    rf = session.get(Finding, review_finding_id)
    if rf is None:
        raise NotFound(f"没有编号为 {review_finding_id} 的审查发现")
    report = session.get(Report, rf.report_id)
    assert report is not None
    unit = unit_for_issuer(session, report.issuer_id)
    if unit is None:
        raise InspectionError(f"报告“{report.title or report.id}”的报告单位（{report.issuer_name or '未识别'}）"
                              "尚未登记为被督导单位，请先登记单位")
    exists = session.scalar(select(m.InspectionFinding.id).where(
        m.InspectionFinding.report_id == report.id, m.InspectionFinding.review_rule == rf.rule,
        m.InspectionFinding.unit_id == unit.id))
    if exists is not None:
        raise InspectionError(f"该审查发现已列为督察问题（编号 {exists}）")
    quote = next((e.get("text") for e in rf.evidence or [] if e.get("text")), None)
    view = add_finding(session, actor, unit_id=unit.id, text=rf.message, source="report_review", case_id=case_id,
                       campaign_id=campaign_id, severity=rf.severity if rf.severity in SEVERITIES else "warning",
                       quote=quote)
    f = _finding(session, view.id)
    f.report_id, f.review_rule = report.id, rf.rule
    session.flush()
    return _finding_view(session, f, config.today())


# =========================================================================== rectification
def add_rectification(session: Session, actor: Actor, finding_id: int, *, measure: str, deadline: dt.date | None,
                      person: str | None = None, unit_id: int | None = None) -> RectificationView:
    """A rectification item of a finding (整改措施, 责任单位 — the finding's unit unless given —, 责任人,
    完成时限)."""
    f = _finding(session, finding_id)
    unit = _unit(session, unit_id or f.unit_id)
    need_office(actor, unit, "制定整改事项")
    if not measure.strip():
        raise InspectionError("请写明整改措施")
    r = m.Rectification(finding_id=f.id, unit_id=unit.id, measure=measure.strip(), person=(person or "").strip() or None,
                        deadline=deadline, status="open")
    session.add(r)
    session.flush()
    session.add(m.RectificationStep(rectification_id=r.id, action="create", from_status=None, to_status="open",
                                    note=f"完成时限：{deadline.isoformat() if deadline else '未定'}",
                                    by_id=actor.user_id))
    session.flush()
    audit(session, actor.user_id, "rectification.create", "rectification", r.id,
          {"unit": unit.name, "measure": r.measure, "deadline": deadline.isoformat() if deadline else None})
    return _rect_view(session, r, config.today())


def start_rectification(session: Session, actor: Actor, rect_id: int, note: str | None = None) -> RectificationView:
    """The unit starts work on an item (open ▶ in_progress)."""
    r, unit = _rect(session, rect_id)
    _as_unit(actor, unit, "整改")
    _move(session, actor, r, unit, "start", ("open",), "in_progress", note)
    return _rect_view(session, r, config.today())


def submit_rectification(session: Session, actor: Actor, rect_id: int, *, text: str,
                         evidence_ids: Sequence[int] = ()) -> RectificationView:
    """The unit reports what it did (整改情况), with evidence already in the record."""
    r, unit = _rect(session, rect_id)
    _as_unit(actor, unit, "报送整改情况")
    if not text.strip():
        raise InspectionError("请写明整改情况")
    for ev_id in evidence_ids:
        ev = session.get(m.Evidence, ev_id)
        if ev is None or ev.deleted_at is not None or ev.unit_id != unit.id:  # another unit's: as if absent
            raise InspectionError(f"佐证材料 {ev_id} 不存在或已删除（只能附{unit.name}的佐证材料）")
        if session.scalar(select(m.EvidenceLink.id).where(m.EvidenceLink.evidence_id == ev_id,
                                                          m.EvidenceLink.target_type == "rectification",
                                                          m.EvidenceLink.target_id == r.id)) is None:
            session.add(m.EvidenceLink(evidence_id=ev_id, target_type="rectification", target_id=r.id,
                                       status="accepted", created_by_id=actor.user_id))
    r.report_text, r.submitted_at = text.strip(), utcnow()
    _move(session, actor, r, unit, "submit", OPEN, "submitted", text.strip())
    return _rect_view(session, r, config.today())


def verify_rectification(session: Session, actor: Actor, rect_id: int, *, accept: bool = True,
                         note: str | None = None) -> RectificationView:
    """The office checks a submission: verified, or sent back with the reason (▶ in_progress)."""
    r, unit = _rect(session, rect_id)
    need_office(actor, unit, "核验整改")
    if accept:
        r.verified_at, r.verified_by_id = utcnow(), actor.user_id
        _move(session, actor, r, unit, "verify", ("submitted",), "verified", note)
    else:
        if not (note or "").strip():
            raise InspectionError("退回整改情况必须写明理由")
        _move(session, actor, r, unit, "return", ("submitted",), "in_progress", note)
    return _rect_view(session, r, config.today())


def close_rectification(session: Session, actor: Actor, rect_id: int, note: str | None = None) -> RectificationView:
    """销号: strike a verified item off; a case whose items are all closed is closed."""
    r, unit = _rect(session, rect_id)
    need_office(actor, unit, "销号")
    r.closed_at = utcnow()
    _move(session, actor, r, unit, "close", ("verified",), "closed", note)
    case_id = r.finding.case_id
    if case_id is not None:
        statuses = session.scalars(select(m.Rectification.status).join(m.InspectionFinding)
                                   .where(m.InspectionFinding.case_id == case_id))
        if all(s == "closed" for s in statuses):
            _case(session, case_id).status = "closed"
    return _rect_view(session, r, config.today())


# =========================================================================== escalation and the pool
@dataclass(frozen=True)
class Escalation:
    rectification_id: int
    unit: str
    measure: str
    overdue_days: int
    before: int
    after: int
    label: str


def escalate_overdue(session: Session, as_of: dt.date, actor: Actor | None = None) -> list[Escalation]:
    """Climb the escalation ladder for every item past its deadline and not submitted (each rung once,
    however often it runs); each rung a step, an audit row and a reminder for the unit.  The daily job."""
    ladder = sorted(words()["escalation"], key=lambda s: s["level"])
    out: list[Escalation] = []
    due = session.scalars(select(m.Rectification).where(m.Rectification.status.in_(OPEN),
                                                        m.Rectification.deadline < as_of)
                          .order_by(m.Rectification.id))
    for r in due:
        days = (as_of - r.deadline).days if r.deadline else 0
        rungs = [s for s in ladder if s["after_days"] <= days and s["level"] > r.escalation]
        if not rungs:
            continue
        unit = _unit(session, r.unit_id)
        before = r.escalation
        for rung in rungs:
            _step(session, actor, r, "escalate", None, f"逾期{days}天，{rung['label']}", rung["level"])
        r.escalation = rungs[-1]["level"]
        out.append(Escalation(r.id, unit.name, r.measure, days, before, r.escalation, rungs[-1]["label"]))
        audit(session, actor.user_id if actor else None, "rectification.escalate", "rectification", r.id,
              {"unit": unit.name, "before": before, "after": r.escalation, "days": days})
    for unit_id, items in _by_unit(session, out).items():
        session.add(m.Reminder(unit_id=unit_id, kind="escalated", day=as_of, message="；".join(
            f"整改事项“{e.measure}”逾期{e.overdue_days}天，已{e.label}" for e in items)))
    session.flush()
    return out


def escalate(session: Session, actor: Actor, rect_id: int, *, as_of: dt.date, note: str | None = None) -> RectificationView:
    """督办 by the office: one overdue item, not yet submitted, one rung up the ladder (函询约谈 → 挂牌督办 →
    通报批评) whatever the days say; a step (who, when, why), an audit row and a reminder for the unit."""
    r, unit = _rect(session, rect_id)
    need_office(actor, unit, "督办")
    ladder = sorted(words()["escalation"], key=lambda s: s["level"])
    days = _overdue(r, as_of)
    if r.status not in OPEN:
        raise InspectionError(f"整改事项{status_label(r.status)}，不能督办")
    if days <= 0:
        due = r.deadline.isoformat() if r.deadline else "未定"
        raise InspectionError(f"整改事项未逾期（完成时限：{due}），不能督办")
    rung = next((s for s in ladder if s["level"] > r.escalation), None)
    if rung is None:
        raise InspectionError(f"整改事项已{escalation_label(r.escalation)}，督办已到最高一级")
    before = r.escalation
    text = f"逾期{days}天，{rung['label']}" + (f"：{note.strip()}" if note and note.strip() else "")
    _step(session, actor, r, "escalate", None, text, rung["level"])
    r.escalation = rung["level"]
    said = f"整改事项“{r.measure}”逾期{days}天，已{rung['label']}"
    today_s = session.scalar(select(m.Reminder).where(m.Reminder.unit_id == unit.id, m.Reminder.kind == "escalated",
                                                      m.Reminder.task_id.is_(None), m.Reminder.day == as_of))
    if today_s is not None:  # one reminder a unit a day: say it in the same one
        today_s.message = f"{today_s.message}；{said}"
    else:
        session.add(m.Reminder(unit_id=unit.id, kind="escalated", day=as_of, message=said))
    session.flush()
    audit(session, actor.user_id, "rectification.escalate", "rectification", r.id,
          {"unit": unit.name, "before": before, "after": r.escalation, "days": days, "note": note})
    return _rect_view(session, r, as_of)


def _by_unit(session: Session, found: Sequence[Escalation]) -> dict[int, list[Escalation]]:
    out: dict[int, list[Escalation]] = {}
    for e in found:
        r = session.get(m.Rectification, e.rectification_id)
        assert r is not None
        out.setdefault(r.unit_id, []).append(e)
    return out


def carry_over(session: Session, actor: Actor, *, note: str | None = None,
               unit_ids: Sequence[int] | None = None) -> list[RectificationView]:
    """Start a new round: every item not closed stays open into it (``round`` + 1, a step each)."""
    q = select(m.Rectification).where(m.Rectification.status != "closed").order_by(m.Rectification.id)
    if unit_ids is not None:
        q = q.where(m.Rectification.unit_id.in_(unit_ids))
    out = []
    for r in session.scalars(q):
        unit = _unit(session, r.unit_id)
        if not (actor.office and in_scope(actor, unit)):
            continue
        r.round += 1
        _step(session, actor, r, "carry_over", None, note or f"未销号，转入第{r.round}轮整改")
        audit(session, actor.user_id, "rectification.carry_over", "rectification", r.id,
              {"unit": unit.name, "round": r.round})
        out.append(r)
    session.flush()
    return [_rect_view(session, r, config.today()) for r in out]


def problem_pool(session: Session, actor: Actor, *, as_of: dt.date, unit_id: int | None = None,
                 include_closed: bool = False) -> list[RectificationView]:
    """The 问题池: every item not closed (in every round), most overdue first; a unit user sees its own."""
    q = select(m.Rectification).order_by(m.Rectification.deadline, m.Rectification.id)
    if not include_closed:
        q = q.where(m.Rectification.status != "closed")
    if actor.unit_user:
        unit_id = actor.unit_id
    if unit_id is not None:
        q = q.where(m.Rectification.unit_id == unit_id)
    views = [_rect_view(session, r, as_of) for r in session.scalars(q)
             if can_see_unit(actor, _unit(session, r.unit_id))]
    return sorted(views, key=lambda v: -v.overdue_days)


# =========================================================================== reading
def case_view(session: Session, actor: Actor, case_id: int, *, as_of: dt.date | None = None) -> CaseView:
    """A case with its findings (a unit user sees only its own findings)."""
    case = _case(session, case_id)
    inspected = [u for u in (session.get(Unit, i) for i in case.unit_ids or []) if u is not None]
    visible = [u for u in inspected if can_see_unit(actor, u)]
    if not visible:
        raise NotFound("没有这条督察记录")
    ids = {u.id for u in visible}
    findings = session.scalars(select(m.InspectionFinding).where(m.InspectionFinding.case_id == case.id)
                               .order_by(m.InspectionFinding.id))
    day = as_of or config.today()
    return CaseView(case.id, case.kind, kind_label(case.kind), case.title, case.campaign_id,
                    [_unit_dict(u) for u in visible], case.started_on, case.ended_on, case.status,
                    case_status_label(case.status), [_finding_view(session, f, day) for f in findings if f.unit_id in ids])


def finding_view(session: Session, actor: Actor, finding_id: int, *, as_of: dt.date | None = None) -> FindingView:
    f = _finding(session, finding_id)
    _see(actor, _unit(session, f.unit_id))
    return _finding_view(session, f, as_of or config.today())


def rectification_view(session: Session, actor: Actor, rect_id: int, *, as_of: dt.date | None = None) -> RectificationView:
    r, unit = _rect(session, rect_id)
    _see(actor, unit)
    return _rect_view(session, r, as_of or config.today())


def list_cases(session: Session, actor: Actor, *, campaign_id: int | None = None) -> list[dict[str, Any]]:
    """The cases the actor may see, newest first: id, kind, title, units, dates, status, counts."""
    q = select(m.InspectionCase).order_by(m.InspectionCase.id.desc())
    if campaign_id is not None:
        q = q.where(m.InspectionCase.campaign_id == campaign_id)
    out = []
    for c in session.scalars(q):
        inspected = [u for u in (session.get(Unit, i) for i in c.unit_ids or []) if u is not None]
        if not any(can_see_unit(actor, u) for u in inspected):
            continue
        items = list(session.scalars(select(m.Rectification.status).join(m.InspectionFinding)
                                     .where(m.InspectionFinding.case_id == c.id)))
        out.append({"id": c.id, "kind": c.kind, "kind_label": kind_label(c.kind), "title": c.title,
                    "units": [u.name for u in inspected], "started_on": c.started_on, "ended_on": c.ended_on,
                    "status": c.status, "status_label": case_status_label(c.status), "items": len(items), "closed": items.count("closed")})
    return out


def find_unit(session: Session, name_or_id: str, organiser: Unit | None = None) -> Unit:
    """A unit by id or by a name as offices write it (a helper for the command line)."""
    found = session.get(Unit, int(name_or_id)) if name_or_id.isdigit() else units.find(session, name_or_id, organiser)
    if found is None:
        raise NotFound(f"单位“{name_or_id}”未登记")
    return found


__all__ = ["OPEN", "CaseView", "Escalation", "FindingView", "InspectionError", "RectificationView", "StepView",
           "add_finding", "add_rectification", "carry_over", "case_status_label", "case_view", "close_rectification", "escalate", "escalate_overdue",
           "escalation_label", "find_unit", "finding_view", "kind_label", "list_cases", "open_case", "problem_pool",
           "raise_review_finding", "rectification_view", "source_label", "start_rectification", "status_label",
           "submit_rectification", "verify_rectification", "words"]
