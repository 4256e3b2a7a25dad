"""The year-end assessment (年终考核) of a campaign's units: its state machine and its three scores.

Per unit and campaign there is one :class:`models.Assessment` under a profile (考核细则) and one
:class:`models.ItemAssessment` per profile item.  Three scores are kept apart and every one stays
visible: the unit's self score (自评分, with its note), the scorer's score (考评分, with its reason;
the suggestion computed from the record beside it) and the final score (after an appeal).

States (``Assessment.status``)::

    not_started ▶ self_assessed ▶ in_review ▶ reviewed ▶ notified ▶ (appealed ▶ decided) ▶ final ▶ locked

- :func:`open_campaign` registers the units (the campaign's ``settings["unit_ids"]`` when the office
  listed them, else the units below the organiser and the units of its tasks) whose type a profile of
  the campaign covers; decides each item's applicability (:func:`applicability.decide`) and
  resolves each item's 评分责任单位 to a registered unit under the organiser;
- :func:`refresh` recomputes the suggested scores from the record (:mod:`assessment_inputs`): late
  and missing reports from the tasks' deadlines, task completion, the annual report's facts, accepted
  evidence; each suggestion explains itself;
- :func:`self_score` (the unit), :func:`score` (the scorer: a user of the item's 评分责任单位, or the
  office — never for their own unit), :func:`notify` (the office; opens the appeal window),
  :func:`appeal` (the unit, within the window), :func:`decide` (the office), :func:`finalise` and
  :func:`lock` (the office); :func:`correct` after locking writes a new :class:`AssessmentVersion`,
  never overwriting the locked one; :func:`set_applicability` brings an item in or out by hand, with
  a reason.

Every change writes an audit row.  Refusals raise :class:`AssessmentError`, :class:`access.Forbidden`
or :class:`access.NotFound`, each with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.orm import Session

from fazhi import config
from fazhi.accounts.audit import audit
from fazhi.db.base import utcnow
from fazhi.supervision import applicability, datafiles, profile, profiles_store, scoring
from fazhi.supervision import assessment_inputs as inputs
from fazhi.supervision import models as m
from fazhi.supervision.access import Actor, Forbidden, NotFound, in_scope, need_office
from fazhi.supervision.rules import fmt
from fazhi.units import service as units
from fazhi.units.models import UNIT_TYPES, Unit

STATES = ("not_started", "self_assessed", "in_review", "reviewed", "notified", "appealed", "decided", "final",
          "locked")
SELF_STATES = ("not_started", "self_assessed", "in_review")
SCORING_STATES = ("not_started", "self_assessed", "in_review", "reviewed")
APPEAL_STATES = ("notified", "appealed", "decided")
CLOSED_STATES = ("final", "locked")
OUTCOMES = ("upheld", "partly", "rejected")
_EPS = 1e-6


class AssessmentError(ValueError):
    """A step the assessment's state, the points or the dates do not allow (message in Chinese)."""


@cache
def words() -> Mapping[str, Any]:
    """``data/assessment.yaml``."""
    data: Mapping[str, Any] = datafiles.packaged("assessment")
    return data


def state_label(status: str) -> str:
    return str(words()["states"].get(status, status))


# =========================================================================== campaigns, profiles, units
def campaign_row(session: Session, campaign_id: int) -> m.Campaign:
    row = session.get(m.Campaign, campaign_id)
    if row is None:
        raise NotFound(f"没有编号为 {campaign_id} 的考核任务")
    return row


def office_campaign(session: Session, actor: Actor, campaign_id: int, what: str) -> m.Campaign:
    """The campaign, when the actor is its office."""
    campaign = campaign_row(session, campaign_id)
    need_office(actor, campaign.organiser, what)
    return campaign


def campaign_profiles(campaign: m.Campaign) -> list[int]:
    """The profiles of a campaign: ``profile_id`` and the others in ``settings["profile_ids"]``."""
    ids = [campaign.profile_id] if campaign.profile_id else []
    ids += [int(i) for i in (campaign.settings or {}).get("profile_ids", [])]
    return list(dict.fromkeys(ids))


def covered_types(unit_types: Iterable[str]) -> set[str] | None:
    """The unit types (``UNIT_TYPES``) a profile's unit-type labels cover; None: every unit."""
    labels = [t for t in unit_types if t]
    if not labels:
        return None
    out: set[str] = set()
    for label in labels:
        if label in UNIT_TYPES:
            out.add(label)
            continue
        hit = next((e for e in words()["profile_unit_types"] if re.search(e["pattern"], label)), None)
        if hit is not None:
            out.update(hit["types"])
    return out


def candidate_units(session: Session, campaign: m.Campaign) -> list[Unit]:
    """The campaign's registered units: those the office listed (``settings["unit_ids"]``), else the
    units below the organiser and the units leading or sharing its tasks (never the organiser)."""
    listed = (campaign.settings or {}).get("unit_ids")
    if listed:
        return list(session.scalars(select(Unit).where(Unit.id.in_([int(i) for i in listed])).order_by(Unit.id)))
    found: dict[int, Unit] = {}
    if campaign.organiser is not None:
        found.update((u.id, u) for u in units.descendants(session, campaign.organiser))
    task_units = select(m.TaskUnit.unit_id).join(m.Task).where(m.Task.campaign_id == campaign.id)
    lead_units = select(m.Task.lead_unit_id).where(m.Task.campaign_id == campaign.id)
    found.update((u.id, u) for u in session.scalars(select(Unit).where(Unit.id.in_(task_units) | Unit.id.in_(lead_units))))
    found.pop(campaign.organiser_id or -1, None)
    return sorted((u for u in found.values() if u.valid_to is None), key=lambda u: u.id)


def unit_attributes(unit: Unit) -> dict[str, Any]:
    """A unit's attributes as applicability expressions name them."""
    return {"type": unit.type, "level": unit.level, "enforcement": unit.enforcement, "region": unit.region_code,
            "name": unit.name}


def decide_applicability(item: m.ProfileItem, unit: Unit) -> applicability.Decision:
    """Whether an item concerns a unit by its expression (an expression that cannot be evaluated for
    this unit applies, and says why)."""
    try:
        return applicability.decide(item.applies, unit_attributes(unit))
    except applicability.ApplicabilityError as exc:
        return applicability.Decision(True, f"{exc}，按适用处理")


# =========================================================================== opening
@dataclass(frozen=True)
class OpenSummary:
    """What :func:`open_campaign` did."""

    campaign_id: int
    opened: list[str] = field(default_factory=list)  # units whose assessment was created
    existing: int = 0
    skipped: list[str] = field(default_factory=list)  # units no profile covers, with why
    unresolved_scorers: list[str] = field(default_factory=list)  # 评分责任单位 not registered
    items: int = 0
    suggested: int = 0

    def summary(self) -> list[str]:
        lines = [f"新建考核 {len(self.opened)} 个单位（{self.items} 项），已有 {self.existing} 个；"
                 f"生成建议分 {self.suggested} 项"]
        lines += [f"未纳入：{s}" for s in self.skipped]
        lines += [f"评分责任单位“{s}”未在单位名册中，该项由督导办公室评分" for s in self.unresolved_scorers]
        return lines


def open_campaign(session: Session, actor: Actor, campaign_id: int, *, as_of: dt.date,
                  profile_ids: Sequence[int] = (), unit_ids: Sequence[int] | None = None) -> OpenSummary:
    """Start the assessment of a campaign (again: new units and items are added, nothing is reset).

    ``profile_ids`` sets the campaign's profiles (the first is ``Campaign.profile_id``); ``unit_ids``
    registers the units to assess (``settings["unit_ids"]``)."""
    campaign = office_campaign(session, actor, campaign_id, "开展考核")
    if profile_ids:
        for pid in profile_ids:
            profiles_store.profile_row(session, pid)
        campaign.profile_id = profile_ids[0]
        campaign.settings = {**(campaign.settings or {}), "profile_ids": list(profile_ids[1:])}
    if unit_ids is not None:
        missing = sorted(set(unit_ids) - set(session.scalars(select(Unit.id).where(Unit.id.in_(unit_ids)))))
        if missing:
            raise NotFound(f"没有编号为 {'、'.join(map(str, missing))} 的单位")
        campaign.settings = {**(campaign.settings or {}), "unit_ids": list(unit_ids)}
    profiles = [profiles_store.profile_row(session, pid) for pid in campaign_profiles(campaign)]
    if not profiles:
        raise AssessmentError(f"考核任务“{campaign.name}”尚未指定考核细则")
    unresolved = _resolve_scorers(session, campaign, profiles)
    have = set(session.scalars(select(m.Assessment.unit_id).where(m.Assessment.campaign_id == campaign.id)))
    opened, skipped, created = [], [], []
    for unit in candidate_units(session, campaign):
        if unit.id in have:
            continue
        prof = next((p for p in profiles if _covers(p, unit)), None)
        if prof is None:
            skipped.append(f"{unit.name}（{unit.type}）：没有适用于该类单位的考核细则")
            continue
        a = m.Assessment(campaign_id=campaign.id, unit_id=unit.id, profile_id=prof.id, status="not_started",
                         updated_at=utcnow())
        session.add(a)
        created.append((a, unit, prof))
        opened.append(unit.name)
    session.flush()
    rows = []
    if created:
        suggest = _Suggester(session, campaign, [u for _, u, _ in created], as_of, {p.id for p in profiles})
        for a, unit, prof in created:
            for it in prof.items:
                applies = decide_applicability(it, unit).applies
                row = {"assessment_id": a.id, "item_id": it.id, "applicable": applies, "events": [],
                       "status": "not_started"}
                rows.append(row | ((suggest(it.id, unit.id, None) or {}) if applies else {}))
        session.execute(insert(m.ItemAssessment), rows)
    suggested = sum(1 for r in rows if r.get("suggested_score") is not None)
    audit(session, actor.user_id, "assessment.open", "campaign", campaign.id,
          {"units": opened, "skipped": skipped, "profiles": [p.id for p in profiles]})
    return OpenSummary(campaign.id, opened, len(have), skipped, unresolved, len(rows), suggested)


def _covers(prof: m.Profile, unit: Unit) -> bool:
    types = covered_types(prof.unit_types or ())
    return types is None or unit.type in types


def _resolve_scorers(session: Session, campaign: m.Campaign, profiles: Sequence[m.Profile]) -> list[str]:
    """Set each item's 评分责任单位 to the registered unit it names under the organiser; the names
    that name none."""
    unresolved: list[str] = []
    cache: dict[str, int | None] = {}
    for prof in profiles:
        for item in prof.items:
            if not item.scorer or item.scorer_unit_id is not None:
                continue
            if item.scorer not in cache:
                found = units.find(session, item.scorer, campaign.organiser)
                cache[item.scorer] = found.id if found is not None else None
                if found is None:
                    unresolved.append(item.scorer)
            item.scorer_unit_id = cache[item.scorer]
    return unresolved


# =========================================================================== suggestions
def refresh(session: Session, actor: Actor, campaign_id: int, *, as_of: dt.date) -> int:
    """Recompute the suggested scores of every assessment of the campaign not yet final, from the
    record as of ``as_of``; the number of items whose suggestion changed."""
    campaign = office_campaign(session, actor, campaign_id, "计算建议分")
    changed = _refresh(session, campaign, as_of, None)
    if changed:
        audit(session, actor.user_id, "assessment.refresh", "campaign", campaign.id,
              {"as_of": as_of.isoformat(), "changed": changed})
    return changed


class _Suggester:
    """Computes suggestions from a campaign's record, loaded once: ``suggester(item_id, unit_id,
    item_assessment_id)`` gives the columns of the suggestion (score, JSON with its digest, events)."""

    def __init__(self, session: Session, campaign: m.Campaign, unit_rows: Sequence[Unit], as_of: dt.date,
                 profile_ids: Iterable[int]) -> None:
        self.record = inputs.load_record(session, campaign, unit_rows, as_of)
        self.specs = _item_specs(session, profile_ids)
        self.cache: dict[tuple[int, scoring.ItemInputs], scoring.ItemScore] = {}

    def __call__(self, item_id: int, unit_id: int, item_assessment_id: int | None,
                 unless: str | None = None) -> dict[str, Any] | None:
        """The suggestion's columns; None when its digest is ``unless`` (nothing changed)."""
        spec = self.specs[item_id]
        facts = inputs.prepare(self.record, spec, unit_id, item_assessment_id)
        key = (item_id, facts.inputs)
        if key not in self.cache:
            self.cache[key] = inputs.compute(spec, facts.inputs)
        got = self.cache[key]
        fingerprint = inputs.digest(got, facts)
        if fingerprint == unless:
            return None
        return {"suggested_score": got.score, "suggestion": inputs.suggestion(got, facts, fingerprint),
                "events": inputs.event_dicts(facts.inputs.events)}


def _refresh(session: Session, campaign: m.Campaign, as_of: dt.date, assessment_ids: Sequence[int] | None) -> int:
    q = select(m.Assessment).where(m.Assessment.campaign_id == campaign.id,
                                   m.Assessment.status.not_in(CLOSED_STATES))
    if assessment_ids is not None:
        q = q.where(m.Assessment.id.in_(assessment_ids))
    assessments = {a.id: a for a in session.scalars(q)}
    if not assessments:
        return 0
    unit_rows = list(session.scalars(select(Unit).where(Unit.id.in_({a.unit_id for a in assessments.values()}))))
    suggest = _Suggester(session, campaign, unit_rows, as_of, {a.profile_id for a in assessments.values()})
    updates = []
    IA = m.ItemAssessment
    # the stored suggestion is compared by its digest (read in SQL), not decoded: a campaign has 50,000 of them
    for ia_id, a_id, item_id, applicable, old_digest in session.execute(
            select(IA.id, IA.assessment_id, IA.item_id, IA.applicable, IA.suggestion["digest"].as_string())
            .where(IA.assessment_id.in_(list(assessments)))):
        if applicable:
            new = suggest(item_id, assessments[a_id].unit_id, ia_id, unless=old_digest)
            if new is not None:
                updates.append({"id": ia_id, **new})
    if updates:
        session.execute(update(m.ItemAssessment), updates)
        _expire_items(session)
    return len(updates)


def _item_specs(session: Session, profile_ids: Iterable[int]) -> dict[int, inputs.ItemSpec]:
    return {i.id: inputs.ItemSpec.of(i.id, i.ref, i.points, i.kind, i.rule, i.node_id, i.indicators or ())
            for i in session.scalars(select(m.ProfileItem).where(m.ProfileItem.profile_id.in_(list(profile_ids))))}


# =========================================================================== loading one item
@dataclass
class _Ctx:
    ia: m.ItemAssessment
    a: m.Assessment
    item: m.ProfileItem
    unit: Unit
    campaign: m.Campaign


def _ctx(session: Session, item_assessment_id: int) -> _Ctx:
    ia = session.get(m.ItemAssessment, item_assessment_id)
    if ia is None:
        raise NotFound(f"没有编号为 {item_assessment_id} 的考核项目")
    a = ia.assessment
    unit = session.get(Unit, a.unit_id)
    assert unit is not None
    return _Ctx(ia, a, ia.item, unit, campaign_row(session, a.campaign_id))


def find_item(session: Session, campaign_id: int, unit: str | int, ref: str) -> int:
    """The id of the item assessment of unit ``unit`` (a name as offices write it, or an id) and item
    number ``ref`` in a campaign (a helper for the command line)."""
    a = find_assessment(session, campaign_id, unit)
    ia = session.scalar(select(m.ItemAssessment.id).join(m.ProfileItem)
                        .where(m.ItemAssessment.assessment_id == a.id, m.ProfileItem.ref == ref))
    if ia is None:
        raise NotFound(f"考核细则中没有序号为“{ref}”的考评内容")
    return ia


def find_assessment(session: Session, campaign_id: int, unit: str | int) -> m.Assessment:
    """The assessment of unit ``unit`` (name or id) in a campaign."""
    campaign = campaign_row(session, campaign_id)
    found = session.get(Unit, int(unit)) if str(unit).isdigit() else units.find(session, str(unit), campaign.organiser)
    if found is None:
        raise NotFound(f"单位“{unit}”未登记")
    a = session.scalar(select(m.Assessment).where(m.Assessment.campaign_id == campaign_id,
                                                  m.Assessment.unit_id == found.id))
    if a is None:
        raise NotFound(f"{found.name}不在本次考核范围内")
    return a


def item_range(item: m.ProfileItem) -> tuple[float, float]:
    """The lowest and highest score of an item (a penalty item goes below 0)."""
    got = scoring.score_item(item.points, item.rule, kind=item.kind)
    return got.min, got.max


def _check_range(item: m.ProfileItem, value: float, what: str) -> None:
    lo, hi = item_range(item)
    if not lo - _EPS <= value <= hi + _EPS:
        raise AssessmentError(f"{what} {fmt(value)} 分超出本项分值（{fmt(lo)} 至 {fmt(hi)} 分）")


def _need_applicable(c: _Ctx) -> None:
    if not c.ia.applicable:
        raise AssessmentError(f"第 {c.item.ref} 项不适用于{c.unit.name}")


def _as_unit(actor: Actor, c: _Ctx, what: str) -> None:
    """The unit itself, or its office recording on the unit's behalf (代为录入)."""
    if actor.unit_user and actor.unit_id == c.unit.id:
        return
    if actor.office and in_scope(actor, c.campaign.organiser):
        return
    raise Forbidden(f"{what}只能由{c.unit.name}或督导办公室办理")


def _as_scorer(actor: Actor, c: _Ctx) -> None:
    """A user of the item's 评分责任单位, or the office; never a user of the unit assessed."""
    if actor.unit_id is not None and actor.unit_id == c.unit.id:
        raise Forbidden(f"评分回避：您是{c.unit.name}的用户，不能为本单位评分")
    if actor.office and in_scope(actor, c.campaign.organiser):
        return
    if actor.unit_user and c.item.scorer_unit_id is not None and actor.unit_id == c.item.scorer_unit_id:
        return
    who = c.item.scorer or "督导办公室"
    raise Forbidden(f"第 {c.item.ref} 项由{who}评分")


def _need_state(c: _Ctx, allowed: Sequence[str], what: str) -> None:
    if c.a.status not in allowed:
        raise AssessmentError(f"{c.unit.name}的考核{state_label(c.a.status)}，不能{what}")


# =========================================================================== totals
@dataclass(frozen=True)
class _Scores:
    """One item's scores, as totals need them."""

    ref: str
    points: float
    applicable: bool
    self_score: float | None
    scorer_score: float | None
    final_score: float | None

    @property
    def final(self) -> float | None:
        return self.final_score if self.final_score is not None else self.scorer_score


def _scores(session: Session, assessment_id: int) -> list[_Scores]:
    """The scores of an assessment's items (plain rows: totals of 500 units stay fast)."""
    IA, PI = m.ItemAssessment, m.ProfileItem
    return [_Scores(*row) for row in session.execute(
        select(PI.ref, PI.points, IA.applicable, IA.self_score, IA.scorer_score, IA.final_score)
        .join(PI, PI.id == IA.item_id).where(IA.assessment_id == assessment_id))]


def _total(prof: profile.Profile, rows: Sequence[_Scores], score_of: Callable[[_Scores], float | None]) -> float:
    return scoring.total({r.ref: scoring.ItemScore(score_of(r), r.points, "") for r in rows if r.applicable},
                         prof).score


def profile_of(session: Session, profile_id: int) -> profile.Profile:
    """The stored profile as the scorer computes with it (profiles never change: kept per session)."""
    cache: dict[int, profile.Profile] = session.info.setdefault("fazhi.profiles", {})
    if profile_id not in cache:
        cache[profile_id] = profiles_store.as_profile(profiles_store.profile_row(session, profile_id))
    return cache[profile_id]


def item_rows(session: Session, a: m.Assessment) -> list[tuple[m.ItemAssessment, m.ProfileItem]]:
    """The assessment's items with their profile items, in profile order (one query)."""
    return [(ia, it) for ia, it in session.execute(
        select(m.ItemAssessment, m.ProfileItem).join(m.ProfileItem, m.ProfileItem.id == m.ItemAssessment.item_id)
        .where(m.ItemAssessment.assessment_id == a.id).order_by(m.ProfileItem.position))]


def _expire_items(session: Session) -> None:
    """Forget the item assessments loaded in the session (after a bulk UPDATE wrote past them)."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, m.ItemAssessment):
            session.expire(obj)


def _set_items(session: Session, a: m.Assessment, **values: Any) -> None:
    """Set columns of every applicable item of an assessment at once."""
    IA = m.ItemAssessment
    session.execute(update(IA).where(IA.assessment_id == a.id, IA.applicable.is_(True)).values(**values),
                    execution_options={"synchronize_session": False})
    _expire_items(session)


def _recompute(session: Session, a: m.Assessment) -> None:
    """The assessment's totals and its automatic states from its items."""
    prof = profile_of(session, a.profile_id)
    rows = _scores(session, a.id)
    live = [r for r in rows if r.applicable]
    a.self_total = _total(prof, rows, lambda r: r.self_score) \
        if live and all(r.self_score is not None for r in live) else None
    reviewed = bool(live) and all(r.scorer_score is not None for r in live)
    a.reviewed_total = _total(prof, rows, lambda r: r.scorer_score) if reviewed else None
    if a.status in APPEAL_STATES + CLOSED_STATES:
        a.final_total = _total(prof, rows, lambda r: r.final)
    elif a.status in SCORING_STATES:
        if reviewed:
            a.status = "reviewed"
        elif any(r.scorer_score is not None for r in live):
            a.status = "in_review"
        elif a.self_total is not None:
            a.status = "self_assessed"
        else:
            a.status = "not_started"
    a.updated_at = utcnow()


# =========================================================================== the unit's self score
def self_score(session: Session, actor: Actor, item_assessment_id: int, score: float, note: str | None = None) -> ItemView:
    """The unit's self score (自评分) of an item, with its note; before the review is done."""
    c = _ctx(session, item_assessment_id)
    _as_unit(actor, c, "自评")
    _need_state(c, SELF_STATES, "修改自评分")
    _need_applicable(c)
    _check_range(c.item, score, "自评分")
    before = c.ia.self_score
    c.ia.self_score, c.ia.self_note = score, (note or "").strip() or None
    if c.ia.status == "not_started":
        c.ia.status = "self_assessed"
    _recompute(session, c.a)
    audit(session, actor.user_id, "assessment.self_score", "item_assessment", c.ia.id,
          {"unit": c.unit.name, "item": c.item.ref, "before": before, "after": score, "note": c.ia.self_note,
           "on_behalf": not actor.unit_user})
    return item_view(session, actor, c.ia.id)


# =========================================================================== the scorer
def score(session: Session, actor: Actor, item_assessment_id: int, value: float | None = None,
          reason: str | None = None) -> ItemView:
    """The scorer's score (考评分) of an item: the suggestion confirmed (``value`` None or equal to it)
    or changed with a reason.  Refused for the scorer's own unit (recusal) and once notified."""
    c = _ctx(session, item_assessment_id)
    _as_scorer(actor, c)
    _need_state(c, SCORING_STATES, "修改考评分")
    _need_applicable(c)
    suggested = c.ia.suggested_score
    if value is None:
        if suggested is None:
            raise AssessmentError(f"第 {c.item.ref} 项没有建议分，请给出考评分")
        value = suggested
    _check_range(c.item, value, "考评分")
    said = (reason or "").strip()
    if not said:
        if suggested is not None and abs(value - suggested) <= _EPS:
            said = (c.ia.suggestion or {}).get("reason") or "确认建议分"
        elif suggested is not None:
            raise AssessmentError(f"考评分 {fmt(value)} 分与建议分 {fmt(suggested)} 分不同，请写明理由")
        elif abs(value - item_range(c.item)[1]) <= _EPS and c.item.kind == "score":
            said = "达到要求，得满分"
        else:
            raise AssessmentError("请写明评分理由（扣分原因）")
    before = (c.ia.scorer_score, c.ia.scorer_reason)
    c.ia.scorer_score, c.ia.scorer_reason = value, said
    c.ia.scorer_id, c.ia.scored_at, c.ia.status = actor.user_id, utcnow(), "reviewed"
    _recompute(session, c.a)
    audit(session, actor.user_id, "assessment.score", "item_assessment", c.ia.id,
          {"unit": c.unit.name, "item": c.item.ref, "before": before[0], "after": value, "suggested": suggested,
           "reason": said})
    return item_view(session, actor, c.ia.id)


def confirm_suggestions(session: Session, actor: Actor, campaign_id: int, *, unit_id: int | None = None) -> int:
    """Confirm in one step every suggested score of the items the actor scores (those of
    :func:`scoring_queue` not yet scored and with a suggestion; one unit's when ``unit_id``); the
    number confirmed.  Each confirmed item takes the suggestion's reason; one audit row per unit."""
    IA, PI = m.ItemAssessment, m.ProfileItem
    q = _queue(session, actor, campaign_id).with_only_columns(
        IA.id, IA.assessment_id, IA.suggested_score, IA.suggestion["reason"].as_string(), PI.ref, Unit.name) \
        .where(IA.scorer_score.is_(None), IA.suggested_score.is_not(None), m.Assessment.status.in_(SCORING_STATES))
    if unit_id is not None:
        q = q.where(m.Assessment.unit_id == unit_id)
    rows = session.execute(q).all()
    now = utcnow()
    if rows:
        session.execute(update(IA), [{"id": ia_id, "scorer_score": score, "scorer_reason": reason or "确认建议分",
                                      "scorer_id": actor.user_id, "scored_at": now, "status": "reviewed"}
                                     for ia_id, _, score, reason, _, _ in rows])
        _expire_items(session)
    by_assessment: dict[int, tuple[str, list[str]]] = {}
    for _, a_id, _, _, ref, unit_name in rows:
        by_assessment.setdefault(a_id, (unit_name, []))[1].append(ref)
    for a_id, (unit_name, refs) in by_assessment.items():
        a = session.get(m.Assessment, a_id)
        assert a is not None
        _recompute(session, a)
        audit(session, actor.user_id, "assessment.confirm", "assessment", a_id, {"unit": unit_name, "items": refs})
    return len(rows)


def set_applicability(session: Session, actor: Actor, item_assessment_id: int, applies: bool, reason: str, *,
                      as_of: dt.date | None = None) -> ItemView:
    """Bring an item in or leave it out for a unit against its expression, with a reason (the office,
    before the results are notified); an item brought in gets its suggestion as of ``as_of`` (today)."""
    c = _ctx(session, item_assessment_id)
    need_office(actor, c.campaign.organiser, "调整适用范围")
    _need_state(c, SCORING_STATES, "调整适用范围")
    try:
        override = applicability.Override(applies, reason.strip(), actor.name)
    except ValueError as exc:
        raise AssessmentError(str(exc)) from None
    before = c.ia.applicable
    c.ia.applicable = applies
    c.ia.applicability_reason = applicability.decide(c.item.applies, {}, override).reason
    _recompute(session, c.a)
    if applies:
        _refresh(session, c.campaign, as_of or config.today(), [c.a.id])
    audit(session, actor.user_id, "assessment.applicability", "item_assessment", c.ia.id,
          {"unit": c.unit.name, "item": c.item.ref, "before": before, "after": applies, "reason": reason})
    return item_view(session, actor, c.ia.id)


# =========================================================================== notification and appeal
@dataclass(frozen=True)
class StepSummary:
    """Units an office step (notify, finalise, lock) did and did not reach, with why."""

    done: list[str] = field(default_factory=list)
    not_ready: list[str] = field(default_factory=list)

    def summary(self, what: str) -> list[str]:
        return [f"{what} {len(self.done)} 个单位" + (f"：{'、'.join(self.done)}" if self.done else "")] + [
            f"未{what}：{x}" for x in self.not_ready]


def _campaign_assessments(session: Session, campaign: m.Campaign, unit_ids: Sequence[int] | None) -> list[tuple[m.Assessment, Unit]]:
    q = select(m.Assessment, Unit).join(Unit, Unit.id == m.Assessment.unit_id) \
        .where(m.Assessment.campaign_id == campaign.id).order_by(m.Assessment.id)
    if unit_ids is not None:
        q = q.where(m.Assessment.unit_id.in_(unit_ids))
    return [(a, u) for a, u in session.execute(q)]


def notify(session: Session, actor: Actor, campaign_id: int, *, as_of: dt.date, appeal_days: int | None = None,
           unit_ids: Sequence[int] | None = None) -> StepSummary:
    """Notify the units whose every item is scored of their results; their appeal window (申辩期)
    runs ``appeal_days`` days from ``as_of``.  The final score starts as the scorer's."""
    campaign = office_campaign(session, actor, campaign_id, "通知考核结果")
    days = words()["appeal_days"] if appeal_days is None else appeal_days
    if days < 0:
        raise AssessmentError("申辩期天数不能为负数")
    out = StepSummary()
    for a, unit in _campaign_assessments(session, campaign, unit_ids):
        if a.status != "reviewed":
            out.not_ready.append(f"{unit.name}（{state_label(a.status)}）")
            continue
        _set_items(session, a, final_score=m.ItemAssessment.scorer_score)
        a.status, a.notified_at, a.appeal_until = "notified", utcnow(), as_of + dt.timedelta(days=days)
        _recompute(session, a)
        out.done.append(unit.name)
        audit(session, actor.user_id, "assessment.notify", "assessment", a.id,
              {"unit": unit.name, "total": a.final_total, "appeal_until": a.appeal_until.isoformat()})
    return out


@dataclass(frozen=True)
class AppealView:
    id: int
    item_assessment_id: int
    unit: str
    ref: str
    text: str
    status: str
    status_label: str
    filed_at: dt.datetime
    decision: str | None
    decided_score: float | None
    decided_at: dt.datetime | None


def _appeal_view(ap: m.Appeal, unit: Unit, item: m.ProfileItem) -> AppealView:
    label = "待处理" if ap.status == "open" else str(words()["appeal_outcomes"].get(ap.status, ap.status))
    return AppealView(ap.id, ap.item_assessment_id, unit.name, item.ref, ap.text, ap.status, label, ap.filed_at,
                      ap.decision, ap.decided_score, ap.decided_at)


def appeal(session: Session, actor: Actor, item_assessment_id: int, text: str, *, as_of: dt.date) -> AppealView:
    """The unit's appeal (申辩) against a notified item score, within the appeal window."""
    c = _ctx(session, item_assessment_id)
    _as_unit(actor, c, "申辩")
    _need_state(c, APPEAL_STATES, "申辩")
    _need_applicable(c)
    if c.a.appeal_until is not None and as_of > c.a.appeal_until:
        raise AssessmentError(f"申辩期已于{c.a.appeal_until.isoformat()}结束，不能再申辩")
    if not text.strip():
        raise AssessmentError("请写明申辩理由")
    if session.scalar(select(m.Appeal.id).where(m.Appeal.item_assessment_id == c.ia.id, m.Appeal.status == "open")):
        raise AssessmentError(f"第 {c.item.ref} 项已有待处理的申辩")
    ap = m.Appeal(item_assessment_id=c.ia.id, text=text.strip(), filed_by_id=actor.user_id)
    session.add(ap)
    c.ia.status, c.a.status = "appealed", "appealed"
    session.flush()
    audit(session, actor.user_id, "assessment.appeal", "appeal", ap.id,
          {"unit": c.unit.name, "item": c.item.ref, "text": ap.text})
    return _appeal_view(ap, c.unit, c.item)


def open_appeals(session: Session, actor: Actor, campaign_id: int) -> list[AppealView]:
    """The appeals of a campaign waiting for the office's decision, oldest first."""
    campaign = office_campaign(session, actor, campaign_id, "处理申辩")
    rows = session.execute(
        select(m.Appeal, Unit, m.ProfileItem).join(m.ItemAssessment, m.ItemAssessment.id == m.Appeal.item_assessment_id)
        .join(m.Assessment, m.Assessment.id == m.ItemAssessment.assessment_id)
        .join(Unit, Unit.id == m.Assessment.unit_id).join(m.ProfileItem, m.ProfileItem.id == m.ItemAssessment.item_id)
        .where(m.Assessment.campaign_id == campaign.id, m.Appeal.status == "open").order_by(m.Appeal.filed_at))
    return [_appeal_view(ap, unit, item) for ap, unit, item in rows]


def decide(session: Session, actor: Actor, appeal_id: int, *, outcome: str, decision: str,
           value: float | None = None) -> AppealView:
    """The office's decision on an appeal: upheld or partly (with the new score), or rejected (the
    scorer's score stands); the decision is the item's final reason."""
    ap = session.get(m.Appeal, appeal_id)
    if ap is None:
        raise NotFound(f"没有编号为 {appeal_id} 的申辩")
    c = _ctx(session, ap.item_assessment_id)
    need_office(actor, c.campaign.organiser, "处理申辩")
    if actor.unit_id is not None and actor.unit_id == c.unit.id:
        raise Forbidden(f"回避：您是{c.unit.name}的用户，不能处理本单位的申辩")
    if ap.status != "open":
        raise AssessmentError("该申辩已处理")
    if outcome not in OUTCOMES:
        raise AssessmentError(f"处理结果应为 {'、'.join(OUTCOMES)} 之一")
    if not decision.strip():
        raise AssessmentError("请写明处理意见")
    if outcome == "rejected":
        value = c.ia.scorer_score
    elif value is None:
        raise AssessmentError("申辩成立或部分成立时，请给出调整后的得分")
    else:
        _check_range(c.item, value, "调整后的得分")
    label = words()["appeal_outcomes"][outcome]
    ap.status, ap.decision, ap.decided_score = outcome, decision.strip(), value
    ap.decided_at, ap.decided_by_id = utcnow(), actor.user_id
    c.ia.final_score, c.ia.final_reason, c.ia.status = value, f"{label}：{ap.decision}", "decided"
    session.flush()
    if not session.scalar(select(m.Appeal.id).join(m.ItemAssessment)
                          .where(m.ItemAssessment.assessment_id == c.a.id, m.Appeal.status == "open")):
        c.a.status = "decided"
    _recompute(session, c.a)
    audit(session, actor.user_id, "assessment.decide", "appeal", ap.id,
          {"unit": c.unit.name, "item": c.item.ref, "outcome": outcome, "before": c.ia.scorer_score, "after": value,
           "reason": ap.decision})
    return _appeal_view(ap, c.unit, c.item)


# =========================================================================== final, locked, corrected
def finalise(session: Session, actor: Actor, campaign_id: int, *, as_of: dt.date,
             unit_ids: Sequence[int] | None = None) -> StepSummary:
    """Fix the final results of the notified units whose appeal window is over and whose appeals are
    all decided."""
    campaign = office_campaign(session, actor, campaign_id, "确定考核结果")
    out = StepSummary()
    for a, unit in _campaign_assessments(session, campaign, unit_ids):
        why = _not_final_yet(a, as_of)
        if why:
            out.not_ready.append(f"{unit.name}：{why}")
            continue
        if a.status != "final":
            a.status = "final"
            _set_items(session, a, status="final")
            _recompute(session, a)
            audit(session, actor.user_id, "assessment.finalise", "assessment", a.id,
                  {"unit": unit.name, "total": a.final_total})
        out.done.append(unit.name)
    return out


def _not_final_yet(a: m.Assessment, as_of: dt.date) -> str:
    if a.status in ("final", "locked"):
        return "" if a.status == "final" else "已锁定"
    if a.status == "appealed":
        return "有待处理的申辩"
    if a.status not in ("notified", "decided"):
        return f"考核{state_label(a.status)}，尚未通知结果"
    if a.status == "notified" and a.appeal_until is not None and as_of <= a.appeal_until:
        return f"申辩期至{a.appeal_until.isoformat()}，尚未结束"
    return ""


def lock(session: Session, actor: Actor, campaign_id: int, *, as_of: dt.date,
         unit_ids: Sequence[int] | None = None) -> StepSummary:
    """Lock the final results (finalising them first where they may be): each locked assessment keeps
    its results as version 1; after this only :func:`correct` changes them."""
    campaign = office_campaign(session, actor, campaign_id, "锁定考核结果")
    finalise(session, actor, campaign_id, as_of=as_of, unit_ids=unit_ids)
    out = StepSummary()
    for a, unit in _campaign_assessments(session, campaign, unit_ids):
        if a.status != "final":
            out.not_ready.append(f"{unit.name}：{_not_final_yet(a, as_of) or state_label(a.status)}")
            continue
        a.status, a.locked_at = "locked", utcnow()
        _set_items(session, a, status="locked")
        session.add(m.AssessmentVersion(assessment_id=a.id, version=a.version, snapshot=snapshot(session, a, unit),
                                        reason="锁定考核结果", created_by_id=actor.user_id))
        audit(session, actor.user_id, "assessment.lock", "assessment", a.id,
              {"unit": unit.name, "total": a.final_total, "version": a.version})
        out.done.append(unit.name)
    session.flush()
    return out


def snapshot(session: Session, a: m.Assessment, unit: Unit) -> dict[str, Any]:
    """The assessment's results as kept in a version."""
    return {"unit": {"id": unit.id, "name": unit.name}, "status": a.status, "self": a.self_total,
            "reviewed": a.reviewed_total, "final": a.final_total,
            "items": [{"ref": item.ref, "applicable": ia.applicable, "self": ia.self_score,
                       "reviewed": ia.scorer_score, "final": ia.final_score,
                       "reason": ia.final_reason or ia.scorer_reason} for ia, item in item_rows(session, a)]}


@dataclass(frozen=True)
class VersionView:
    assessment_id: int
    version: int
    reason: str | None
    created_at: dt.datetime
    final: float | None


def correct(session: Session, actor: Actor, item_assessment_id: int, value: float, reason: str) -> VersionView:
    """Correct a locked result: the item's final score changes, and the assessment gets a new version
    (the locked one stays as it was)."""
    c = _ctx(session, item_assessment_id)
    need_office(actor, c.campaign.organiser, "更正考核结果")
    if c.a.status != "locked":
        raise AssessmentError(f"{c.unit.name}的考核{state_label(c.a.status)}：锁定前请按评分或申辩流程修改")
    _need_applicable(c)
    if not reason.strip():
        raise AssessmentError("更正考核结果必须写明理由")
    _check_range(c.item, value, "更正后的得分")
    before = c.ia.final_score
    c.ia.final_score, c.ia.final_reason = value, f"更正：{reason.strip()}"
    c.a.version += 1
    _recompute(session, c.a)
    v = m.AssessmentVersion(assessment_id=c.a.id, version=c.a.version, snapshot=snapshot(session, c.a, c.unit),
                            reason=f"第 {c.item.ref} 项由 {fmt(before or 0)} 分更正为 {fmt(value)} 分：{reason.strip()}",
                            created_by_id=actor.user_id)
    session.add(v)
    session.flush()
    audit(session, actor.user_id, "assessment.correct", "assessment", c.a.id,
          {"unit": c.unit.name, "item": c.item.ref, "before": before, "after": value, "reason": reason.strip(),
           "version": c.a.version})
    return VersionView(c.a.id, v.version, v.reason, v.created_at, c.a.final_total)


# =========================================================================== views
@dataclass(frozen=True)
class ItemView:
    """One item of one unit's assessment, everything a page shows."""

    id: int
    assessment_id: int
    unit_id: int
    unit_name: str
    ref: str
    block: str | None
    content: str
    points: float
    kind: str
    rule_text: str | None
    check_method: str | None
    scorer: str | None
    scorer_unit_id: int | None
    applicable: bool
    applicability_reason: str
    applicability_manual: bool
    self_score: float | None
    self_note: str | None
    suggested_score: float | None
    suggestion_reason: str | None
    basis: list[str]
    evidence: list[dict[str, Any]]
    events: list[dict[str, Any]]
    flags: list[str]
    scorer_score: float | None
    scorer_reason: str | None
    final_score: float | None
    final_reason: str | None
    status: str
    appeals: list[AppealView]

    @property
    def score(self) -> float | None:
        """The current score: final, else the scorer's, else the suggestion."""
        for s in (self.final_score, self.scorer_score, self.suggested_score):
            if s is not None:
                return s
        return None

    @property
    def reason(self) -> str | None:
        """The reason of the current score."""
        if self.final_reason and self.final_score is not None:
            return self.final_reason
        if self.scorer_score is not None:
            return self.scorer_reason
        return self.suggestion_reason


def _item_view(ia: m.ItemAssessment, item: m.ProfileItem, unit: Unit, appeals: Sequence[AppealView]) -> ItemView:
    sug = ia.suggestion or {}
    manual = ia.applicability_reason is not None
    reason = ia.applicability_reason if manual else decide_applicability(item, unit).reason
    return ItemView(
        ia.id, ia.assessment_id, unit.id, unit.name, item.ref, item.block, item.content, item.points, item.kind,
        item.rule_text, item.check_method, item.scorer, item.scorer_unit_id, ia.applicable, reason or "", manual,
        ia.self_score, ia.self_note, ia.suggested_score, sug.get("reason"), list(sug.get("basis", [])),
        list(sug.get("evidence", [])), list(ia.events or []), list(sug.get("flags", [])), ia.scorer_score,
        ia.scorer_reason, ia.final_score, ia.final_reason, ia.status, list(appeals))


def _may_see(actor: Actor, c: _Ctx) -> None:
    if actor.unit_user:
        if actor.unit_id in (c.unit.id, c.item.scorer_unit_id):
            return
        raise NotFound("没有这个考核项目")
    if actor.role in ("admin", "reviewer", "viewer") and in_scope(actor, c.campaign.organiser):
        return
    raise NotFound("没有这个考核项目")


def item_view(session: Session, actor: Actor, item_assessment_id: int) -> ItemView:
    """One item of a unit's assessment (its unit, its scorer and the office see it)."""
    c = _ctx(session, item_assessment_id)
    _may_see(actor, c)
    appeals = [_appeal_view(ap, c.unit, c.item) for ap in session.scalars(
        select(m.Appeal).where(m.Appeal.item_assessment_id == c.ia.id).order_by(m.Appeal.id))]
    return _item_view(c.ia, c.item, c.unit, appeals)


@dataclass(frozen=True)
class AssessmentView:
    """A unit's assessment in a campaign, with its items and versions."""

    id: int
    campaign_id: int
    unit: dict[str, Any]
    profile_id: int
    status: str
    status_label: str
    self_total: float | None
    reviewed_total: float | None
    final_total: float | None
    max: float
    version: int
    notified_at: dt.datetime | None
    appeal_until: dt.date | None
    locked_at: dt.datetime | None
    items: list[ItemView]
    versions: list[VersionView]


def assessment_view(session: Session, actor: Actor, assessment_id: int) -> AssessmentView:
    """A unit's whole assessment (the unit, the office; a scorer sees their items with :func:`scoring_queue`)."""
    a = session.get(m.Assessment, assessment_id)
    if a is None:
        raise NotFound(f"没有编号为 {assessment_id} 的考核")
    unit = session.get(Unit, a.unit_id)
    campaign = campaign_row(session, a.campaign_id)
    assert unit is not None
    if not (actor.unit_id == unit.id and actor.unit_user) and not (
            actor.role in ("admin", "reviewer", "viewer") and in_scope(actor, campaign.organiser)):
        raise NotFound("没有这个考核")
    appeals: dict[int, list[AppealView]] = {}
    for ap, ia in session.execute(select(m.Appeal, m.ItemAssessment).join(m.ItemAssessment)
                                  .where(m.ItemAssessment.assessment_id == a.id).order_by(m.Appeal.id)):
        appeals.setdefault(ia.id, []).append(_appeal_view(ap, unit, ia.item))
    prof = profile_of(session, a.profile_id)
    versions = [VersionView(a.id, v.version, v.reason, v.created_at, v.snapshot.get("final"))
                for v in session.scalars(select(m.AssessmentVersion).where(m.AssessmentVersion.assessment_id == a.id)
                                         .order_by(m.AssessmentVersion.version))]
    return AssessmentView(
        a.id, a.campaign_id, {"id": unit.id, "name": unit.name, "type": unit.type, "level": unit.level},
        a.profile_id, a.status, state_label(a.status), a.self_total, a.reviewed_total, a.final_total,
        max_total(prof), a.version, a.notified_at, a.appeal_until, a.locked_at,
        [_item_view(ia, item, unit, appeals.get(ia.id, [])) for ia, item in item_rows(session, a)], versions)


@dataclass(frozen=True)
class Board:
    """Where a campaign's assessment stands: units by state, items scored and suggested, open appeals."""

    units: int
    by_status: dict[str, int]
    items: int
    self_scored: int
    suggested: int
    scored: int
    open_appeals: int


def board(session: Session, actor: Actor, campaign_id: int) -> Board:
    """The office's overview of a campaign's assessment (counts; the table is :func:`assessment_results.results`)."""
    campaign = campaign_row(session, campaign_id)
    if not (actor.role in ("admin", "reviewer", "viewer") and in_scope(actor, campaign.organiser)):
        raise Forbidden("查看考核进度需要督导办公室权限")
    A, IA = m.Assessment, m.ItemAssessment
    statuses = list(session.scalars(select(A.status).where(A.campaign_id == campaign.id)))
    by_status = {state_label(s): statuses.count(s) for s in STATES if s in statuses}
    items, self_scored, suggested, scored = session.execute(
        select(func.count(), func.count(IA.self_score), func.count(IA.suggested_score), func.count(IA.scorer_score))
        .select_from(IA).join(A, A.id == IA.assessment_id)
        .where(A.campaign_id == campaign.id, IA.applicable.is_(True))).one()
    appeals = session.scalar(select(func.count()).select_from(m.Appeal).join(IA).join(A, A.id == IA.assessment_id)
                             .where(A.campaign_id == campaign.id, m.Appeal.status == "open"))
    return Board(len(statuses), by_status, items, self_scored, suggested, scored, int(appeals or 0))


def max_total(prof: profile.Profile) -> float:
    """The highest total a unit can get under a profile."""
    return (prof.rescale_to or prof.scored_total) + (prof.bonus_cap or 0)


def _queue(session: Session, actor: Actor, campaign_id: int) -> Select[Any]:
    """The applicable items of a campaign the actor scores: those whose 评分责任单位 is the actor's
    unit (every item for the office), never the actor's own unit's."""
    campaign = campaign_row(session, campaign_id)
    IA, PI, A = m.ItemAssessment, m.ProfileItem, m.Assessment
    q = select(IA, PI, Unit).join(PI, PI.id == IA.item_id).join(A, A.id == IA.assessment_id) \
        .join(Unit, Unit.id == A.unit_id).where(A.campaign_id == campaign.id, IA.applicable.is_(True))
    if actor.unit_user:
        return q.where(PI.scorer_unit_id == actor.unit_id, A.unit_id != actor.unit_id)
    if actor.office and in_scope(actor, campaign.organiser):
        return q.where(A.unit_id != actor.unit_id) if actor.unit_id is not None else q
    raise Forbidden("只有评分责任单位和督导办公室可以评分")


def scoring_queue(session: Session, actor: Actor, campaign_id: int, *, pending_only: bool = False) -> list[ItemView]:
    """The items a scorer scores in a campaign (see :func:`_queue`), the unscored first."""
    q = _queue(session, actor, campaign_id)
    if pending_only:
        q = q.where(m.ItemAssessment.scorer_score.is_(None), m.Assessment.status.in_(SCORING_STATES))
    rows = [_item_view(ia, item, unit, []) for ia, item, unit in session.execute(q.order_by(m.ProfileItem.position, Unit.id))]
    return sorted(rows, key=lambda v: v.scorer_score is not None)


__all__ = [
    "APPEAL_STATES",
    "CLOSED_STATES",
    "OUTCOMES",
    "SCORING_STATES",
    "STATES",
    "AppealView",
    "AssessmentError",
    "AssessmentView",
    "Board",
    "ItemView",
    "OpenSummary",
    "StepSummary",
    "VersionView",
    "appeal",
    "assessment_view",
    "board",
    "campaign_profiles",
    "campaign_row",
    "candidate_units",
    "confirm_suggestions",
    "correct",
    "covered_types",
    "decide",
    "decide_applicability",
    "finalise",
    "find_assessment",
    "find_item",
    "item_range",
    "item_rows",
    "item_view",
    "lock",
    "max_total",
    "notify",
    "office_campaign",
    "open_appeals",
    "open_campaign",
    "profile_of",
    "refresh",
    "score",
    "scoring_queue",
    "self_score",
    "set_applicability",
    "snapshot",
    "state_label",
    "unit_attributes",
    "words",
]
