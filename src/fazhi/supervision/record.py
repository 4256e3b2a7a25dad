"""What the record says about one unit in one campaign: the facts the annual report is drafted from
(:mod:`fazhi.supervision.drafting`) and checked against (:mod:`fazhi.supervision.selfcheck`).

The record is read, never typed in again ("collect each fact once"):

- the unit's tasks (it leads them) with their **accepted** progress — text and figures — and the evidence
  the office accepted on them (files, URLs, notes as citations; report facts as figures), grouped by the
  framework's 一级 indicator of the task's node, else by the task sheet's section;
- report facts the office accepted on the framework's nodes for this unit;
- the unit's open rectification items (整改) with the finding they answer, and a cause only where the
  record states one (the finding's text, the unit's 整改情况); items struck off during the year;
- its assessment in the campaign (total, and the items that lost points with the scorer's reason);
- last year's report (the unit's stored report of the year before): the items of its 下一年度安排, read
  by the review engine's parts on the stored text;
- next year's tasks already deployed to the unit (a campaign of the following year by the same office).

Every piece carries a :class:`Cite`: the record it came from, with a Chinese label a page can show.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from fazhi.corpus.models import Report
from fazhi.knowledge import Knowledge
from fazhi.supervision import datafiles
from fazhi.supervision.models import (
    AnnualReport,
    Assessment,
    Campaign,
    Evidence,
    EvidenceLink,
    IndicatorNode,
    InspectionFinding,
    ItemAssessment,
    Progress,
    Rectification,
    Task,
)
from fazhi.units.models import Unit
from fazhi.units.service import issuer_for

#: rectification states that are no longer open (checked and struck off)
SETTLED = frozenset({"verified", "closed"})
#: assessment states in which the unit knows its result
NOTIFIED = frozenset({"notified", "appealed", "decided", "final", "locked"})
_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．]|"
                        r"[一二三四五六七八九十]+是[，,：:]?)\s*")
_SENTENCE = re.compile(r"[^。！？\n]+[。！？]?")


# =========================================================================== citations
@dataclass(frozen=True)
class Cite:
    """The record a sentence came from: its type, id and a label to show (spans for a stored report)."""

    type: str  # progress | evidence | task | finding | rectification | assessment | item_assessment | report
    id: int
    label: str
    start: int | None = None
    end: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "id": self.id, "label": self.label}
        if self.start is not None:
            out.update(start=self.start, end=self.end)
        return out


# =========================================================================== the record's pieces
@dataclass(frozen=True)
class Figure:
    """A figure of the record: what it measures (a catalogue indicator, when known), value and source."""

    indicator: str | None
    name: str
    value: float
    unit: str | None
    cite: Cite
    when: dt.date  # when the record said it (the latest figure of an indicator is its value)
    quote: str | None = None  # the sentence it came from (a report fact)


@dataclass(frozen=True)
class Entry:
    """One accepted progress report on a task."""

    id: int
    period: str | None
    text: str
    figures: tuple[Figure, ...]
    cite: Cite


@dataclass(frozen=True)
class TaskRecord:
    """A task the unit leads, with what the record shows of it."""

    id: int
    title: str
    group: str | None  # the 一级 indicator or the sheet's section it belongs to
    group_order: float
    status: str
    due: dt.date | None
    entries: tuple[Entry, ...]
    facts: tuple[Figure, ...]  # accepted report facts on the task
    sources: tuple[Cite, ...]  # accepted files, URLs and notes on the task or its progress
    first_responsible: bool  # reports on the principal leader's duties (part 三)
    cite: Cite

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(f for e in self.entries for f in e.figures) + self.facts


@dataclass(frozen=True)
class Measure:
    """An open rectification item."""

    id: int
    measure: str
    deadline: dt.date | None
    status: str
    cite: Cite


@dataclass(frozen=True)
class Problem:
    """A finding the unit must still rectify, its cause where the record gives one, and its open items."""

    finding_id: int
    text: str  # the problem as the finding states it
    short: str  # its first sentence up to the clause that gives the cause (to name it in the plan)
    states_cause: bool  # the finding's own text already says why
    cause: str | None  # else a sentence of the unit's 整改情况 that gives the cause (None: the record gives none)
    cause_cite: Cite | None
    measures: tuple[Measure, ...]
    cite: Cite


@dataclass(frozen=True)
class Rectified:
    """A finding whose items were all struck off (销号) during the year."""

    finding_id: int
    text: str
    closed: dt.date
    cite: Cite


@dataclass(frozen=True)
class LostPoints:
    """An assessment item that scored below its points."""

    id: int
    content: str
    points: float
    score: float
    reason: str | None
    cite: Cite


@dataclass(frozen=True)
class AssessmentResult:
    id: int
    total: float | None
    status: str
    lost: tuple[LostPoints, ...]
    cite: Cite


@dataclass(frozen=True)
class PlanItem:
    """One item of last year's 下一年度安排: its first sentence, quoted, and the task with accepted progress
    that answers it best (same topic), if any."""

    text: str
    cite: Cite
    task_id: int | None


@dataclass(frozen=True)
class LastYear:
    report_id: int
    year: int
    title: str | None
    items: tuple[PlanItem, ...]


@dataclass(frozen=True)
class NextTask:
    id: int
    title: str
    due: dt.date | None
    campaign: str
    cite: Cite


@dataclass(frozen=True)
class UnitRecord:
    """The record of one unit in one campaign (see the module documentation)."""

    unit_id: int
    unit_name: str
    campaign_id: int
    campaign_name: str
    year: int
    tasks: tuple[TaskRecord, ...]
    node_facts: tuple[tuple[str, float, Figure], ...]  # (一级 indicator, its order, accepted report fact)
    problems: tuple[Problem, ...]
    rectified: tuple[Rectified, ...]
    assessment: AssessmentResult | None
    last_year: LastYear | None
    next_tasks: tuple[NextTask, ...]
    indicator_names: Mapping[str, str] = field(default_factory=dict)  # catalogue id → Chinese name

    def figures(self) -> list[Figure]:
        """Every figure of the record: accepted progress figures and accepted report facts."""
        return [f for t in self.tasks for f in t.figures] + [f for _, _, f in self.node_facts]

    @cached_property
    def values(self) -> dict[str, Figure]:
        """The record's value of each indicator: its latest figure (a year's progress accumulates)."""
        out: dict[str, Figure] = {}
        for f in sorted((f for f in self.figures() if f.indicator), key=lambda f: (f.when, f.cite.id)):
            out[str(f.indicator)] = f
        return out


# =========================================================================== small helpers
def strip_numbering(text: str) -> str:
    """A heading or item without its leading 一、 （一） 1. 一是 marker."""
    return _NUMBERING.sub("", text or "", count=1).strip()


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (each with its closing 。！？ when it has one), without blanks."""
    return [s.strip() for s in _SENTENCE.findall(text or "") if s.strip()]


def first_sentence(text: str) -> str:
    found = sentences(text)
    return found[0] if found else (text or "").strip()


def number(value: float | int) -> str:
    """A figure as reports write it: 12, 98.5 (never 12.0)."""
    v = float(value)
    return str(int(v)) if v.is_integer() else f"{v:g}"


def _day(ts: dt.datetime | dt.date | None) -> dt.date:
    if ts is None:
        return dt.date.min
    return ts.date() if isinstance(ts, dt.datetime) else ts


def _causes(kn: Knowledge) -> re.Pattern[str]:
    """The review's phrasings of a cause (rules.yaml, rule ``shortcomings.no_causes``)."""
    def make() -> re.Pattern[str]:
        rule = next((r for r in kn["rules"]["rules"] if r.get("check") == "no_causes"), None)
        return re.compile((rule or {}).get("params", {}).get("causes") or "原因")
    return kn.compiled("supervision.record.causes", make)


def problem_clause(text: str, kn: Knowledge) -> str:
    """The first sentence of a problem, up to the clause that gives its cause, without closing punctuation."""
    pattern = _causes(kn)
    kept = []
    for clause in re.split(r"(?<=[，；,;])", first_sentence(text)):
        if pattern.search(clause):
            break
        kept.append(clause)
    return ("".join(kept) or first_sentence(text)).strip().rstrip("。；;，,！？")


def cause_sentence(text: str, kn: Knowledge) -> str | None:
    """The sentences of ``text`` that state a cause (None: it states none)."""
    pattern = _causes(kn)
    found = [s for s in sentences(text) if pattern.search(s)]
    return "".join(found) or None


# =========================================================================== topics
def _topic_params(kn: Knowledge) -> dict[str, Any]:
    rule = next((r for r in kn["rules"]["rules"] if r.get("check") == "unanswered_shortcomings"), None)
    return dict((rule or {}).get("params") or {})


def _bigrams(text: str, stop: frozenset[str]) -> set[str]:
    out: set[str] = set()
    for word in re.sub(r"[^\u4e00-\u9fff]", " ", text).split():
        out.update(b for b in (word[i:i + 2] for i in range(len(word) - 1)) if b not in stop)
    return out


def topic_overlap(a: str, b: str, kn: Knowledge) -> int:
    """How strongly two texts share a topic, with the review's themes and stop words
    (``plan.unanswered_shortcomings``): 0 when they share neither a theme nor ``min_shared`` words,
    else the number of distinctive two-character words they share (at least 1)."""
    params = _topic_params(kn)
    stop = frozenset(params.get("stop", []))
    shared = len(_bigrams(a, stop) & _bigrams(b, stop))
    themes: dict[str, list[str]] = params.get("themes", {})
    same_theme = any(any(w in a for w in words) and any(w in b for w in words) for words in themes.values())
    if shared >= int(params.get("min_shared", 3)) or (same_theme and shared):
        return shared
    return 0


# =========================================================================== reading the record
def unit_record(session: Session, campaign: Campaign, unit: Unit, kn: Knowledge) -> UnitRecord:
    """The record of ``unit`` in ``campaign`` (see the module documentation)."""
    names = {str(i["id"]): str(i["name"]) for i in kn["indicators"].get("indicators", [])}
    nodes = _nodes(session, campaign)
    tasks = _tasks(session, campaign, unit, nodes, names, kn)
    return UnitRecord(
        unit_id=unit.id, unit_name=unit.name, campaign_id=campaign.id, campaign_name=campaign.name,
        year=campaign.year, tasks=tasks, node_facts=_node_facts(session, campaign, unit, nodes, names),
        problems=_problems(session, unit, kn), rectified=_rectified(session, unit, campaign.year),
        assessment=_assessment(session, campaign, unit),
        last_year=last_year(session, unit, campaign.year, tasks, kn),
        next_tasks=_next_tasks(session, campaign, unit), indicator_names=names)


def _nodes(session: Session, campaign: Campaign) -> dict[int, IndicatorNode]:
    if campaign.framework_id is None:
        return {}
    return {n.id: n for n in session.scalars(select(IndicatorNode).where(
        IndicatorNode.framework_id == campaign.framework_id))}


def _root(node_id: int | None, nodes: Mapping[int, IndicatorNode]) -> IndicatorNode | None:
    node = nodes.get(node_id) if node_id is not None else None
    while node is not None and node.parent_id is not None and node.parent_id in nodes:
        node = nodes[node.parent_id]
    return node


def _group(task: Task, nodes: Mapping[int, IndicatorNode]) -> tuple[str | None, float]:
    root = _root(task.node_id, nodes)
    if root is not None:
        return strip_numbering(root.name) or root.name, float(root.position)
    if task.section and strip_numbering(task.section):
        return strip_numbering(task.section), 1e6 + task.position
    return None, 2e6


def _is_first_responsible(task: Task, words: Sequence[str]) -> bool:
    text = " ".join(x for x in (task.title, task.section, task.indicator_name, task.target) if x)
    return any(w in text for w in words)


def _figure(raw: Mapping[str, Any], cite: Cite, when: dt.date, names: Mapping[str, str]) -> Figure | None:
    try:
        value = float(raw["value"])
    except (KeyError, TypeError, ValueError):
        return None
    indicator = raw.get("indicator") or None
    name = str(raw.get("name") or names.get(str(indicator), "") or "").strip()
    return Figure(indicator, name or str(indicator or ""), value, raw.get("unit") or None, cite, when)


def _linked(session: Session, targets: Iterable[tuple[str, Sequence[int]]], unit_id: int | None = None
            ) -> list[tuple[EvidenceLink, Evidence]]:
    """Accepted, not deleted evidence linked to any of ``targets`` ((type, ids) pairs)."""
    conditions = [and_(EvidenceLink.target_type == kind, EvidenceLink.target_id.in_(ids))
                  for kind, ids in targets if ids]
    if not conditions:
        return []
    stmt = (select(EvidenceLink, Evidence).join(Evidence, Evidence.id == EvidenceLink.evidence_id)
            .where(EvidenceLink.status == "accepted", Evidence.deleted_at.is_(None), or_(*conditions))
            .order_by(Evidence.id))
    if unit_id is not None:
        stmt = stmt.where(or_(Evidence.unit_id == unit_id, Evidence.unit_id.is_(None)))
    return [(link, ev) for link, ev in session.execute(stmt).tuples()]


def _covers(evidence: Evidence, year: int) -> bool:
    """Evidence about the year (or undated)."""
    start, end = evidence.period_start, evidence.period_end
    return not ((end is not None and end.year < year) or (start is not None and start.year > year))


def _evidence_cite(ev: Evidence) -> Cite:
    return Cite("evidence", ev.id, f"佐证材料：{ev.title}")


def _fact(ev: Evidence, names: Mapping[str, str]) -> Figure | None:
    if ev.kind != "report_fact" or ev.value is None:
        return None
    name = names.get(ev.indicator or "", ev.indicator or ev.title)
    return Figure(ev.indicator, name, float(ev.value), ev.value_unit, _evidence_cite(ev),
                  _day(ev.period_end or ev.created_at), ev.quote)


def _tasks(session: Session, campaign: Campaign, unit: Unit, nodes: Mapping[int, IndicatorNode],
           names: Mapping[str, str], kn: Knowledge) -> tuple[TaskRecord, ...]:
    words = datafiles.packaged("reportcycle")["draft"]["first_responsible_words"]
    rows = list(session.scalars(select(Task).where(Task.campaign_id == campaign.id, Task.lead_unit_id == unit.id)
                                .order_by(Task.position, Task.id)))
    ids = [t.id for t in rows]
    progress = list(session.scalars(select(Progress).where(Progress.task_id.in_(ids), Progress.status == "accepted")
                                    .order_by(Progress.id))) if ids else []
    by_task: dict[int, list[Progress]] = {}
    for p in progress:
        by_task.setdefault(p.task_id, []).append(p)
    task_of_progress = {p.id: p.task_id for p in progress}
    facts: dict[int, list[Figure]] = {}
    sources: dict[int, list[Cite]] = {}
    for link, ev in _linked(session, [("task", ids), ("progress", list(task_of_progress))], unit.id):
        task_id = link.target_id if link.target_type == "task" else task_of_progress[link.target_id]
        if not _covers(ev, campaign.year):
            continue
        fact = _fact(ev, names)
        if fact is not None:
            if all(f.cite != fact.cite for f in facts.get(task_id, [])):
                facts.setdefault(task_id, []).append(fact)
        elif _evidence_cite(ev) not in sources.get(task_id, []):
            sources.setdefault(task_id, []).append(_evidence_cite(ev))
    out = []
    for t in rows:
        group, order = _group(t, nodes)
        entries = []
        for p in by_task.get(t.id, []):
            cite = Cite("progress", p.id, f"任务“{t.title}”的进展（{p.period or '已审核'}）")
            when = _day(p.reviewed_at or p.created_at)
            figs = tuple(f for f in (_figure(raw, cite, when, names) for raw in p.figures or []) if f is not None)
            entries.append(Entry(p.id, p.period, p.text.strip(), figs, cite))
        out.append(TaskRecord(t.id, t.title.strip(), group, order, t.status, t.due, current(entries),
                              tuple(facts.get(t.id, [])), tuple(sources.get(t.id, [])),
                              _is_first_responsible(t, words), Cite("task", t.id, f"任务：{t.title}")))
    return tuple(out)


def current(entries: Sequence[Entry]) -> tuple[Entry, ...]:
    """The entries still current: an entry whose figures a later entry gives again (the year's progress
    accumulates: 上半年7件, 全年18件) is superseded by it; entries on other things stay."""
    out = []
    for i, entry in enumerate(entries):
        later = {f.indicator for e in entries[i + 1:] for f in e.figures if f.indicator}
        if not any(f.indicator in later for f in entry.figures):
            out.append(entry)
    return tuple(out)


def _node_facts(session: Session, campaign: Campaign, unit: Unit, nodes: Mapping[int, IndicatorNode],
                names: Mapping[str, str]) -> tuple[tuple[str, float, Figure], ...]:
    out = []
    for link, ev in _linked(session, [("node", list(nodes))], unit.id):
        fact = _fact(ev, names) if ev.unit_id == unit.id and _covers(ev, campaign.year) else None
        root = _root(link.target_id, nodes)
        if fact is not None and root is not None:
            out.append((strip_numbering(root.name) or root.name, float(root.position), fact))
    return tuple(out)


def _problems(session: Session, unit: Unit, kn: Knowledge) -> tuple[Problem, ...]:
    items = list(session.scalars(select(Rectification).where(
        Rectification.unit_id == unit.id, Rectification.status.not_in(SETTLED)).order_by(Rectification.id)))
    by_finding: dict[int, list[Rectification]] = {}
    for item in items:
        by_finding.setdefault(item.finding_id, []).append(item)
    out = []
    for finding_id, open_items in by_finding.items():
        finding = session.get(InspectionFinding, finding_id)
        if finding is None:
            continue
        measures = tuple(Measure(i.id, i.measure.strip(), i.deadline, i.status,
                                 Cite("rectification", i.id, f"整改事项：{i.measure}")) for i in open_items)
        states = cause_sentence(finding.text, kn) is not None
        causes = [] if states else [(c, m.cite) for i, m in zip(open_items, measures, strict=True)
                                    if (c := cause_sentence(i.report_text or "", kn))]
        cause, cause_cite = causes[0] if causes else (None, None)
        out.append(Problem(finding.id, finding.text.strip(), problem_clause(finding.text, kn), states, cause,
                           cause_cite, measures,
                           Cite("finding", finding.id, f"问题：{finding.text}")))
    return tuple(out)


def _rectified(session: Session, unit: Unit, year: int) -> tuple[Rectified, ...]:
    items = list(session.scalars(select(Rectification).where(Rectification.unit_id == unit.id)
                                 .order_by(Rectification.id)))
    by_finding: dict[int, list[Rectification]] = {}
    for item in items:
        by_finding.setdefault(item.finding_id, []).append(item)
    out = []
    for finding_id, rows in by_finding.items():
        closed = [r.closed_at for r in rows if r.status == "closed" and r.closed_at is not None]
        if len(closed) != len(rows) or max(closed).year != year:
            continue
        finding = session.get(InspectionFinding, finding_id)
        if finding is not None:
            out.append(Rectified(finding.id, finding.text.strip(), _day(max(closed)),
                                 Cite("finding", finding.id, f"已销号问题：{finding.text}")))
    return tuple(out)


def _assessment(session: Session, campaign: Campaign, unit: Unit) -> AssessmentResult | None:
    """The unit's assessment in the campaign, once its result was notified to the unit."""
    row = session.scalar(select(Assessment).where(Assessment.campaign_id == campaign.id,
                                                  Assessment.unit_id == unit.id))
    if row is None or row.status not in NOTIFIED:
        return None
    total = row.final_total if row.final_total is not None else row.reviewed_total
    lost = []
    for item in session.scalars(select(ItemAssessment).where(ItemAssessment.assessment_id == row.id)
                                .order_by(ItemAssessment.id)):
        score = item.final_score if item.final_score is not None else item.scorer_score
        points = item.item.points
        if item.applicable and score is not None and item.item.kind == "score" and score < points:
            lost.append(LostPoints(item.id, item.item.content.strip(), points, score, item.scorer_reason,
                                   Cite("item_assessment", item.id, f"考核项目：{item.item.content}")))
    return AssessmentResult(row.id, total, row.status, tuple(lost),
                            Cite("assessment", row.id, f"{campaign.name}考核结果"))


def last_year_report(session: Session, unit: Unit, year: int) -> Report | None:
    """The unit's report on the year before ``year``: the version it submitted in an earlier campaign,
    else its stored report of that year."""
    submitted = session.scalar(select(Report).join(AnnualReport, AnnualReport.report_id == Report.id).where(
        AnnualReport.unit_id == unit.id, AnnualReport.year == year - 1).order_by(AnnualReport.id.desc()).limit(1))
    if submitted is not None:
        return submitted
    issuer = issuer_for(session, unit)
    if issuer is None:
        return None
    return session.scalar(select(Report).where(Report.issuer_id == issuer.id, Report.year == year - 1)
                          .order_by(Report.date.desc().nulls_last(), Report.id.desc()).limit(1))


def plan_items(text: str, kn: Knowledge) -> list[tuple[str, int, int]]:
    """The items of a report's 下一年度安排 (the review engine's parts on ``text``): (first sentence,
    start, end) with offsets into the normalised text."""
    from fazhi.review.parts import items
    from fazhi.review.pipeline import Reviewer

    review = Reviewer(kn).review_text(text)
    out = []
    for span in items(review, "next_year_plan"):
        head = strip_numbering(first_sentence(span.text)).rstrip("。；;，,！？")
        if head:
            out.append((head, span.start, span.end))
    return out


def answering_task(item: str, tasks: Iterable[TaskRecord], kn: Knowledge) -> TaskRecord | None:
    """The task with accepted progress whose title and progress share most with a plan item."""
    scored = [(topic_overlap(item, t.title + " " + " ".join(e.text for e in t.entries), kn), t)
              for t in tasks if t.entries]
    best = max(scored, key=lambda st: st[0], default=(0, None))
    return best[1] if best[0] > 0 else None


def last_year(session: Session, unit: Unit, year: int, tasks: Sequence[TaskRecord], kn: Knowledge
              ) -> LastYear | None:
    """Last year's report of the unit with its plan items, each with the task that answers it."""
    report = last_year_report(session, unit, year)
    if report is None:
        return None
    label = f"{year - 1}年度报告《{report.title or unit.name}》"
    found = []
    for text, start, end in plan_items(report.text, kn):
        task = answering_task(text, tasks, kn)
        found.append(PlanItem(text, Cite("report", report.id, label, start, end), task.id if task else None))
    return LastYear(report.id, year - 1, report.title, tuple(found))


def _next_tasks(session: Session, campaign: Campaign, unit: Unit) -> tuple[NextTask, ...]:
    later = list(session.scalars(select(Campaign).where(Campaign.year == campaign.year + 1,
                                                        Campaign.organiser_id == campaign.organiser_id)))
    if campaign.organiser_id is None or not later:
        return ()
    names = {c.id: c.name for c in later}
    rows = session.scalars(select(Task).where(Task.campaign_id.in_(names), Task.lead_unit_id == unit.id)
                           .order_by(Task.campaign_id, Task.position, Task.id))
    return tuple(NextTask(t.id, t.title.strip(), t.due, names[t.campaign_id],
                          Cite("task", t.id, f"{names[t.campaign_id]}任务：{t.title}")) for t in rows)


__all__ = ["NOTIFIED", "SETTLED", "AssessmentResult", "Cite", "Entry", "Figure", "LastYear", "LostPoints", "Measure",
           "NextTask", "PlanItem", "Problem", "Rectified", "TaskRecord", "UnitRecord", "answering_task", "cause_sentence",
           "current", "first_sentence", "last_year", "last_year_report", "number", "plan_items", "problem_clause",
           "sentences", "strip_numbering", "topic_overlap", "unit_record"]
