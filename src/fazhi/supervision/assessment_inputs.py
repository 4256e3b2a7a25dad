"""What a unit's record says for each item of its 考核细则: the facts a suggested score is computed from.

The assessment never asks a unit for what the record already holds (collect each fact once).  For a
unit and a profile item it gathers, from part 1's tables and the corpus:

- **reporting events**: each deadline of the unit's tasks (the milestones, the due date last) is met
  by its submissions in order (progress ``submitted`` or ``accepted``, dated by when it was
  submitted, China time): a submission after the deadline is *late* (迟报), no submission by the
  as-of date is *missing* (漏报).  :func:`reporting_events` is that rule, alone;
- **task completion**: all the linked tasks accepted is 达到要求, some done is 部分达到, all overdue
  and undone is 未达到 (:func:`completion`);
- **facts of the unit's annual report** for the year (the report the unit submitted in the campaign,
  else the stored report of its issuer for the campaign's year) measuring an indicator the item
  measures, and accepted report-fact evidence;
- **accepted evidence** linked to the item's assessment, its indicator node, the linked tasks or
  their progress; a linked file that was deleted, or evidence past its expiry, is flagged and not
  used.

Tasks belong to an item when they are linked to the item's indicator node, or name its number as
their indicator.  An item scored on reporting events that no task is linked to counts all the
unit's tasks, and says so.  :func:`prepare` turns all this into :class:`scoring.ItemInputs` plus the
sentences, evidence and flags that explain the suggestion; :func:`suggestion` computes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Text, and_, cast, or_, select
from sqlalchemy.orm import Session

from fazhi.config import CHINA
from fazhi.corpus.models import Fact, Report
from fazhi.supervision import models as m
from fazhi.supervision import rules, scoring
from fazhi.units.models import Issuer, Unit

#: progress that counts as reported (a draft is not; a returned report is superseded by the next one)
REPORTED = ("submitted", "accepted")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def china_day(ts: dt.datetime) -> dt.date:
    """The calendar day in China of a stored timestamp (naive timestamps are UTC)."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.UTC)
    return ts.astimezone(CHINA).date()


# =========================================================================== the record
@dataclass(frozen=True)
class TaskRecord:
    """A task as the assessment needs it: its deadlines (ISO milestones, the due date last)."""

    id: int
    title: str
    deadlines: tuple[dt.date, ...]
    status: str
    node_id: int | None
    indicator_ref: str | None
    leads: frozenset[int]


@dataclass(frozen=True)
class Submission:
    """A progress report as submitted; its figures are kept as JSON text and read only when a rate
    is looked for."""

    progress_id: int
    day: dt.date
    status: str
    figures_json: str = "[]"

    @property
    def figures(self) -> list[Mapping[str, Any]]:
        found = json.loads(self.figures_json or "[]")
        return found if isinstance(found, list) else []


@dataclass(frozen=True)
class FactRecord:
    """A fact of a unit's annual report (the sentence it came from)."""

    id: int
    report_id: int
    report_title: str
    indicator: str
    value: float
    unit: str | None
    text: str


@dataclass(frozen=True)
class EvidenceRecord:
    id: int
    kind: str
    title: str
    quote: str | None
    indicator: str | None
    value: float | None
    value_unit: str | None
    deleted: bool
    expires_on: dt.date | None


@dataclass
class Record:
    """Everything a campaign's record holds for the units assessed, loaded in a few queries."""

    as_of: dt.date
    tasks: dict[int, list[TaskRecord]] = field(default_factory=dict)  # by unit id (as lead)
    submissions: dict[tuple[int, int], list[Submission]] = field(default_factory=dict)  # (task, unit)
    linked: set[tuple[str, Any]] = field(default_factory=set)  # ("node", id) / ("ref", ref) any task names
    by_link: dict[tuple[int, str, Any], list[TaskRecord]] = field(default_factory=dict)  # (unit, "node"|"ref", key)
    facts: dict[int, list[FactRecord]] = field(default_factory=dict)  # by unit id
    evidence: dict[tuple[str, int], list[EvidenceRecord]] = field(default_factory=dict)  # accepted links
    _events: dict[tuple[int, int], list[scoring.Event]] = field(default_factory=dict)

    def events(self, task: TaskRecord, unit_id: int) -> list[scoring.Event]:
        """The late and missing reports of a task by a unit (computed once per campaign refresh)."""
        key = (task.id, unit_id)
        if key not in self._events:
            self._events[key] = reporting_events(task, self.submissions.get(key, ()), self.as_of)
        return self._events[key]


@lru_cache(maxsize=4096)
def _deadlines(milestones_json: str | None, due: dt.date | None) -> tuple[dt.date, ...]:
    """A task's deadlines: its milestones (a JSON list of ISO dates, read as text) and its due date
    (tasks of a campaign share a few dozen of them: remembered)."""
    days = set()
    for iso in _ISO_DATE.findall(milestones_json or ""):
        try:
            days.add(dt.date.fromisoformat(iso))
        except ValueError:
            continue
    if due is not None:
        days.add(due)
    return tuple(sorted(days))


def load_record(session: Session, campaign: m.Campaign, units: Sequence[Unit], as_of: dt.date) -> Record:
    """The record of ``units`` in ``campaign``: tasks they lead, their submissions, their annual
    report's facts, and the evidence accepted on the campaign's objects (read as plain rows: a
    campaign of 500 units has tens of thousands of them)."""
    rec = Record(as_of)
    ids = {u.id for u in units}
    T = m.Task
    task_units: dict[int, set[int]] = defaultdict(set)
    for task_id, unit_id in session.execute(
            select(m.TaskUnit.task_id, m.TaskUnit.unit_id)
            .join(T, T.id == m.TaskUnit.task_id)
            .where(T.campaign_id == campaign.id, m.TaskUnit.role == "lead", m.TaskUnit.unit_id.is_not(None))):
        task_units[task_id].add(unit_id)
    lead_of: dict[int, int | None] = {}
    # JSON columns read as text: decoding tens of thousands of them is most of the cost of a campaign
    for task_id, title, milestones, due, status, node_id, ref, lead in session.execute(
            select(T.id, T.title, cast(T.milestones, Text), T.due, T.status, T.node_id, T.indicator_ref,
                   T.lead_unit_id)
            .where(T.campaign_id == campaign.id)):
        lead_of[task_id] = lead
        leads = frozenset(task_units[task_id] | ({lead} if lead else set()))
        record = TaskRecord(task_id, title, _deadlines(milestones, due), status, node_id, ref, leads)
        if node_id:
            rec.linked.add(("node", node_id))
        if ref:
            rec.linked.add(("ref", ref))
        for u in leads & ids:
            rec.tasks.setdefault(u, []).append(record)
            for key in (("node", node_id), ("ref", ref)):
                if key[1]:
                    rec.by_link.setdefault((u, *key), []).append(record)
    P = m.Progress
    for p_id, task_id, unit_id, created_at, status, figures in session.execute(
            select(P.id, P.task_id, P.unit_id, P.created_at, P.status, cast(P.figures, Text)).join(T, T.id == P.task_id)
            .where(T.campaign_id == campaign.id, P.status.in_(REPORTED)).order_by(P.created_at, P.id)):
        unit_id = unit_id if unit_id is not None else lead_of.get(task_id)
        if unit_id in ids:
            rec.submissions.setdefault((task_id, unit_id), []).append(
                Submission(p_id, china_day(created_at), status, figures or "[]"))
    rec.facts = _facts(session, campaign, units)
    rec.evidence = _evidence(session, campaign, as_of)
    return rec


def _facts(session: Session, campaign: m.Campaign, units: Sequence[Unit]) -> dict[int, list[FactRecord]]:
    """The facts of each unit's annual report for the campaign's year."""
    report_of: dict[int, int] = {}
    for unit_id, report_id in session.execute(
            select(m.AnnualReport.unit_id, m.AnnualReport.report_id)
            .where(m.AnnualReport.campaign_id == campaign.id, m.AnnualReport.report_id.is_not(None))):
        report_of[unit_id] = report_id
    keys = {u.key: u.id for u in units if u.key and u.id not in report_of}
    if keys:
        for key, report_id in session.execute(
                select(Issuer.key, Report.id).join(Report, Report.issuer_id == Issuer.id)
                .where(Issuer.key.in_(list(keys)), Report.year == campaign.year).order_by(Report.id)):
            report_of[keys[key]] = report_id  # the latest stored report wins
    if not report_of:
        return {}
    unit_of = {r: u for u, r in report_of.items()}
    out: dict[int, list[FactRecord]] = {}
    for f, title in session.execute(select(Fact, Report.title).join(Report, Report.id == Fact.report_id)
                                    .where(Fact.report_id.in_(list(unit_of))).order_by(Fact.id)):
        out.setdefault(unit_of[f.report_id], []).append(
            FactRecord(f.id, f.report_id, title or "年度报告", f.indicator, f.value, f.unit, f.text))
    return out


def _evidence(session: Session, campaign: m.Campaign, as_of: dt.date) -> dict[tuple[str, int], list[EvidenceRecord]]:
    """Accepted evidence links on the campaign's item assessments, nodes, tasks and progress."""
    task_ids = select(m.Task.id).where(m.Task.campaign_id == campaign.id)
    progress_ids = select(m.Progress.id).where(m.Progress.task_id.in_(task_ids))
    ia_ids = select(m.ItemAssessment.id).join(m.Assessment).where(m.Assessment.campaign_id == campaign.id)
    node_ids = select(m.ProfileItem.node_id).join(m.Assessment, m.Assessment.profile_id == m.ProfileItem.profile_id) \
        .where(m.Assessment.campaign_id == campaign.id, m.ProfileItem.node_id.is_not(None))
    L = m.EvidenceLink
    where = or_(and_(L.target_type == "task", L.target_id.in_(task_ids)),
                and_(L.target_type == "progress", L.target_id.in_(progress_ids)),
                and_(L.target_type == "item_assessment", L.target_id.in_(ia_ids)),
                and_(L.target_type == "node", L.target_id.in_(node_ids)))
    out: dict[tuple[str, int], list[EvidenceRecord]] = {}
    for link, ev in session.execute(select(L, m.Evidence).join(m.Evidence, m.Evidence.id == L.evidence_id)
                                    .where(where, L.status == "accepted").order_by(L.id)):
        quote = ev.quote or ev.note or ev.url or ev.filename
        out.setdefault((link.target_type, link.target_id), []).append(EvidenceRecord(
            ev.id, ev.kind, ev.title, quote, ev.indicator, ev.value, ev.value_unit, ev.deleted_at is not None,
            ev.expires_on))
    return out


# =========================================================================== pure rules
def reporting_events(task: TaskRecord, submissions: Sequence[Submission], as_of: dt.date) -> list[scoring.Event]:
    """Late and missing reports of one task by one unit: the deadlines are met by the submissions in
    order; a submission after its deadline is late, a deadline passed (before ``as_of``) with no
    submission left is missing.  An accepted task with no progress on record has no events."""
    if not submissions and task.status == "accepted":
        return []
    events = []
    queue = sorted(submissions, key=lambda s: (s.day, s.progress_id))
    for deadline in task.deadlines:
        if queue:
            sub = queue.pop(0)
            if sub.day > deadline:
                late = (sub.day - deadline).days
                events.append(scoring.Event("late", sub.day, f"progress:{sub.progress_id}",
                                            f"任务“{task.title}”应于{deadline.isoformat()}前报送，"
                                            f"{sub.day.isoformat()}报送，迟{late}天"))
        elif as_of > deadline:
            events.append(scoring.Event("missing", deadline, f"task:{task.id}",
                                        f"任务“{task.title}”应于{deadline.isoformat()}前报送，"
                                        f"截至{as_of.isoformat()}未报送"))
    return events


def completion(tasks: Sequence[TaskRecord], as_of: dt.date) -> tuple[str | None, str]:
    """The criterion level the linked tasks suggest, and why: all accepted → full; some accepted or
    submitted → partial; none, and every deadline passed → none; else not yet judged (None)."""
    n = len(tasks)
    accepted = sum(t.status == "accepted" for t in tasks)
    pending = sum(t.status == "submitted" for t in tasks)
    overdue = sum(t.status not in ("accepted", "submitted") and bool(t.deadlines) and t.deadlines[-1] < as_of
                  for t in tasks)
    said = f"关联任务{n}项：已通过审核{accepted}项" + (f"，待审核{pending}项" if pending else "") + (
        f"，逾期未完成{overdue}项" if overdue else "")
    if accepted == n:
        return "full", f"关联任务{n}项均已通过审核"
    if accepted or pending:
        return "partial", said
    if overdue == n:
        return "none", f"关联任务{n}项均逾期未完成"
    return None, said + "，尚未到期"


# =========================================================================== one item
@dataclass(frozen=True)
class ItemFacts:
    """What the suggestion of one item for one unit rests on."""

    inputs: scoring.ItemInputs
    basis: tuple[str, ...] = ()  # sentences: where the inputs came from
    evidence: tuple[dict[str, Any], ...] = ()  # JSON-ready evidence entries
    flags: tuple[str, ...] = ()  # problems the scorer must see (a deleted file still linked …)


@dataclass(frozen=True)
class ItemSpec:
    """The parts of a profile item the record is searched by."""

    id: int
    ref: str
    points: float
    kind: str
    rule: Mapping[str, Any] | None
    node_id: int | None
    indicators: tuple[str, ...]
    kinds: frozenset[str] = frozenset()  # the kinds of the rule's clauses: reporting, criterion, rate …

    @classmethod
    def of(cls, id: int, ref: str, points: float, kind: str, rule: Mapping[str, Any] | None, node_id: int | None,
           indicators: Sequence[str]) -> ItemSpec:
        return cls(id, ref, points, kind, rule, node_id, tuple(indicators), frozenset(rules.kinds(rule)))


def _linked_tasks(rec: Record, item: ItemSpec, unit_id: int) -> list[TaskRecord]:
    """The unit's tasks linked to the item's node or naming its number."""
    by_node = rec.by_link.get((unit_id, "node", item.node_id), []) if item.node_id is not None else []
    by_ref = rec.by_link.get((unit_id, "ref", item.ref), [])
    if not by_ref:
        return list(by_node)
    return list({t.id: t for t in [*by_node, *by_ref]}.values())


def _is_linked(rec: Record, item: ItemSpec) -> bool:
    return ("node", item.node_id) in rec.linked or ("ref", item.ref) in rec.linked


def _evidence_entry(ev: EvidenceRecord, as_of: dt.date) -> tuple[dict[str, Any], str | None]:
    flag = None
    if ev.deleted:
        flag = f"证据“{ev.title}”的文件已删除，但仍关联在本项，未作为评分依据"
    elif ev.expires_on is not None and ev.expires_on < as_of:
        flag = f"证据“{ev.title}”已于{ev.expires_on.isoformat()}过期，未作为评分依据"
    return {"kind": ev.kind, "id": ev.id, "title": ev.title, "quote": ev.quote, "ref": f"evidence:{ev.id}",
            "flag": flag}, flag


def prepare(rec: Record, item: ItemSpec, unit_id: int, item_assessment_id: int | None) -> ItemFacts:
    """The inputs of one item for one unit, with the sentences, evidence and flags explaining them."""
    kinds = item.kinds
    tasks = _linked_tasks(rec, item, unit_id)
    basis: list[str] = []
    events: list[scoring.Event] = []
    if "reporting" in kinds:
        counted = tasks
        if not tasks and not _is_linked(rec, item):
            counted = rec.tasks.get(unit_id, [])
            if counted:
                basis.append(f"本项未关联具体任务，按本单位全部{len(counted)}项任务的报送情况计")
        for t in counted:
            events += rec.events(t, unit_id)
    entries: list[dict[str, Any]] = []
    flags: list[str] = []
    usable: list[EvidenceRecord] = []
    targets = [("item_assessment", item_assessment_id), ("node", item.node_id)]
    if rec.evidence:
        targets += [("task", t.id) for t in tasks]
        targets += [("progress", s.progress_id) for t in tasks for s in rec.submissions.get((t.id, unit_id), ())]
    seen: set[int] = set()
    for kind, target in targets if rec.evidence else ():
        if target is None:
            continue
        for ev in rec.evidence.get((kind, target), ()):
            if ev.id in seen:
                continue
            seen.add(ev.id)
            entry, flag = _evidence_entry(ev, rec.as_of)
            entries.append(entry)
            if flag:
                flags.append(flag)
            else:
                usable.append(ev)
    facts = [f for f in rec.facts.get(unit_id, ()) if f.indicator in item.indicators]
    for f in facts:
        entries.append({"kind": "report_fact", "id": f.id, "title": f.report_title, "quote": f.text,
                        "ref": f"report_fact:{f.id}", "flag": None})
    criterion = None
    if "criterion" in kinds:
        if tasks:
            criterion, said = completion(tasks, rec.as_of)
            basis.append(said)
        elif facts or usable:
            criterion = "full"
            basis.append("年度报告或佐证材料表明已开展：" + "；".join(
                f"“{x}”" for x in [*(f.text for f in facts), *(e.quote or e.title for e in usable)][:3]))
    rate = None
    if "rate" in kinds:
        rate, said = _rate(facts, usable, [s for t in tasks for s in rec.submissions.get((t.id, unit_id), ())],
                           item.indicators)
        if said:
            basis.append(said)
    refs = tuple([f"report_fact:{f.id}" for f in facts] + [f"evidence:{e.id}" for e in usable])
    inputs = scoring.ItemInputs(criterion=criterion, events=tuple(events), rate=rate, evidence=refs)
    return ItemFacts(inputs, tuple(basis), tuple(entries), tuple(flags))


def _rate(facts: Iterable[FactRecord], evidence: Iterable[EvidenceRecord], submissions: Iterable[Submission],
          indicators: Sequence[str]) -> tuple[float | None, str]:
    """A measured rate (per cent) for the item: from the annual report, accepted evidence, or a figure
    reported with the linked tasks' progress (any per-cent figure when the item names no indicator)."""
    for f in facts:
        if f.unit == "%":
            return f.value, f"年度报告：“{f.text}”"
    for e in evidence:
        if e.value is not None and e.value_unit == "%" and (e.indicator in indicators or not indicators):
            return e.value, f"佐证材料：“{e.quote or e.title}”"
    for s in submissions:
        for fig in s.figures:
            if fig.get("unit") == "%" and fig.get("value") is not None and (
                    fig.get("indicator") in indicators or not indicators):
                return float(fig["value"]), f"进度报送：“{fig.get('text') or fig.get('name')}”"
    return None, ""


def compute(item: ItemSpec, given: scoring.ItemInputs) -> scoring.ItemScore:
    """The suggested score of an item from its inputs (a contradiction becomes a reason, not an error)."""
    try:
        return scoring.suggest(item.points, item.rule, given, kind=item.kind)
    except scoring.ScoringError as exc:
        return scoring.ItemScore(None, item.points, f"无法计算建议分：{exc}")


def digest(got: scoring.ItemScore, facts: ItemFacts) -> str:
    """A fingerprint of everything a suggestion shows (score, steps, basis, evidence, flags, events): a
    refresh rewrites only the suggestions whose fingerprint changed, without decoding the stored ones."""
    parts = [repr(got.score), got.reason, *(f"{s.text}|{s.delta}|{','.join(s.evidence)}" for s in got.details),
             *facts.basis, *facts.flags,
             *(f"{e['kind']}|{e['id']}|{e['quote']}|{e['flag']}" for e in facts.evidence),
             *(f"{e.kind}|{e.date}|{e.ref}|{e.note}" for e in facts.inputs.events)]
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=12).hexdigest()


def suggestion(got: scoring.ItemScore, facts: ItemFacts, fingerprint: str | None = None) -> dict[str, Any]:
    """The JSON kept with a suggested score: the reason (which rule, which evidence, and the events it
    counted, each named), the steps, the basis, the evidence (the events among it: late and missing
    reports with the task and the progress record), the flags and the :func:`digest`."""
    events = [e for step in got.details for e in step.events]
    reason = got.reason + (f"（{'；'.join(e.note for e in events)}）" if events else "")
    return {
        "score": got.score, "reason": reason, "basis": list(facts.basis),
        "steps": [{"text": s.text, "delta": s.delta, "evidence": list(s.evidence)} for s in got.details if s.in_reason],
        "evidence": [*facts.evidence, *({"kind": e.kind, "id": None, "title": e.note, "quote": None, "ref": e.ref,
                                         "flag": None} for e in events)],
        "flags": list(facts.flags), "digest": fingerprint or digest(got, facts),
    }


def event_dicts(events: Iterable[scoring.Event]) -> list[dict[str, Any]]:
    """Events as stored with an item assessment."""
    return [{"kind": e.kind, "date": e.date.isoformat() if e.date else None, "ref": e.ref, "note": e.note}
            for e in events]


__all__ = ["REPORTED", "EvidenceRecord", "FactRecord", "ItemFacts", "ItemSpec", "Record", "Submission", "TaskRecord",
           "china_day", "completion", "compute", "digest", "event_dicts", "load_record", "prepare", "reporting_events", "suggestion"]
