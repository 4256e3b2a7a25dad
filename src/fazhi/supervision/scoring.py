"""Scoring: an item's score from its rule and the facts, a block's, a unit's total — each explained.

:func:`score_item` computes one item from its rule (:mod:`fazhi.supervision.rules`) and an
:class:`ItemInputs` (the criterion level the scorer found, events such as late and missing
submissions, a survey value, a measured rate, the false-report and veto flags, a manual score).
Every step is an :class:`Explanation` — the clause, the events and evidence it used, the points it
added or took — and the steps add up to the score; ``reason`` is the one sentence a clerk reads
("迟报2次扣1分，漏报1次扣1分，得3分").  A score that cannot be computed yet (a criterion not
judged, a manual item not scored) is None, with the reason saying what is missing.

How an item is computed:

- it starts from its full points; from 0 when it is a bonus or penalty item, or when its rule only
  adds ("每开展一次加0.5分"); from the criterion level's share, the survey or the rate when the rule
  has one;
- per-occurrence and reporting clauses add or deduct per matching event, each up to its cap;
- the result stays within the item's range: [0, points] for a scored item; for a bonus or penalty
  item, [-points, 0] / [0, points] in the directions its rule can move (a 附加项 item that both
  adds and deducts gets [-points, points]);
- a false-report flag caps the item at the share its rule states (0 by default: 从重扣分 to
  nothing); the flag does nothing on an item whose rule has no such clause, and the reason says so;
- a veto flag on an item with a 一票否决 clause makes the unit's :func:`total` 0;
- a manual score is the item's score when its rule is, or has, a manual part (the rest of the
  rule is then a suggestion); on a rule fazhi computes it is refused — a scorer who departs from
  the computed score does so in the assessment, with a reason.

:func:`score_block` caps a block (附加项 ±3), :func:`total` adds the blocks with the profile's
shares and rescaling and caps the bonus.  Nothing here touches a database.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from . import rules
from .profile import ITEM_KINDS, Block, Profile
from .rules import fmt

_REPORTING = {"late": "迟报", "missing": "漏报"}
_EPS = 1e-9


class ScoringError(ValueError):
    """Inputs that contradict the rule or the points (a manual score above the points, a criterion
    level the rule does not have); the message is Chinese."""


@dataclass(frozen=True)
class Event:
    """Something that happened to a unit and counts for an item: a late or missing submission
    (kind ``late`` / ``missing``), or an occurrence of a per-occurrence clause (kind = the clause's
    ``event`` label).  ``ref`` is the record or evidence that shows it."""

    kind: str
    date: date | None = None
    ref: str | None = None
    note: str = ""


@dataclass(frozen=True)
class ItemInputs:
    """The facts an item is scored from.

    ``criterion``: the level the scorer found — ``full``, ``partial``, ``none`` or a level's label
    as written ("基本达到"); ``share``: the share granted for a level the rule leaves to the
    scorer (酌情); ``survey``: the survey value; ``rate``: the measured rate in per cent;
    ``manual``: the score of an item scored by hand; ``evidence``: refs supporting the judgement."""

    criterion: str | None = None
    share: float | None = None
    events: tuple[Event, ...] = ()
    survey: float | None = None
    rate: float | None = None
    false_report: bool = False
    veto: bool = False
    manual: float | None = None
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Explanation:
    """One step of a score: what it says (Chinese), the points it added (negative: deducted), the
    rule clause it applies, and the events and evidence it used.  ``in_reason`` is false for the
    starting points of an item that starts full (not worth a word in the reason)."""

    text: str
    delta: float
    clause: Mapping[str, Any] | None = None
    events: tuple[Event, ...] = ()
    evidence: tuple[str, ...] = ()
    in_reason: bool = True


@dataclass(frozen=True)
class ItemScore:
    """An item's score (None: not scorable yet), its range, the reason and the steps (whose deltas
    add up to the score).  ``suggested``: computed from evidence for the scorer to confirm;
    ``veto``: the 一票否决 condition this item triggered."""

    score: float | None
    max: float
    reason: str
    details: tuple[Explanation, ...] = ()
    min: float = 0.0
    suggested: bool = False
    veto: str | None = None

    @property
    def pending(self) -> bool:
        return self.score is None


@dataclass(frozen=True)
class BlockScore:
    name: str
    kind: str
    raw: float
    score: float
    max: float
    reason: str
    pending: int = 0


@dataclass(frozen=True)
class Total:
    """A unit's total under a profile: the score, its maximum, the reason, each block, the 一票否决
    that zeroed it (if any) and the refs of items not scored yet."""

    score: float
    max: float
    reason: str
    blocks: tuple[BlockScore, ...] = ()
    veto: str | None = None
    pending: tuple[str, ...] = ()


@dataclass
class _Run:
    """A score being computed: the steps so far, and what is still missing."""

    points: float
    lo: float
    hi: float
    steps: list[Explanation] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    veto: str | None = None

    @property
    def value(self) -> float:
        return sum(s.delta for s in self.steps)

    def add(self, text: str, delta: float, clause: Mapping[str, Any] | None = None,
            events: Sequence[Event] = (), evidence: Sequence[str] = (), in_reason: bool = True) -> None:
        refs = tuple(dict.fromkeys([*(e.ref for e in events if e.ref), *evidence]))
        self.steps.append(Explanation(text, round(delta, 6), clause, tuple(events), refs, in_reason))


# =========================================================================== items
def score_item(points: float, rule: Mapping[str, Any] | None, inputs: ItemInputs | None = None, *,
               kind: str = "score") -> ItemScore:
    """The score of an item worth ``points`` under ``rule`` (None: scored by hand) from ``inputs``;
    ``kind`` is the item's kind (score, bonus, penalty)."""
    inputs = inputs or ItemInputs()
    if points < 0 or kind not in ITEM_KINDS:
        raise ScoringError(f"分值 {fmt(points)} 或类型“{kind}”无效")
    clauses = rules.clauses(rule)
    lo, hi = _range(points, rule, kind)
    run = _Run(points, lo, hi)
    manual = [c for c in clauses if c["kind"] == "manual"]
    if inputs.manual is not None:
        if clauses and not manual:
            raise ScoringError("本项按评分标准计分，不接受人工评分")
        return _finish(run, _manual(run, inputs, manual[0] if manual else None))
    if not clauses or len(manual) == len(clauses):
        run.waiting.append("人工评分")
        return _finish(run, None)
    _start(run, clauses, inputs, kind)
    used: set[int] = set()
    for c in clauses:
        if c["kind"] == "per_occurrence":
            used |= _per_occurrence(run, c, inputs.events)
        elif c["kind"] == "reporting":
            used |= _reporting(run, c, inputs.events)
    _clamp(run, kind)
    _flags(run, clauses, inputs)
    _unused(run, inputs.events, used)
    for c in manual:
        run.add(f"另有评分标准需人工判断：“{c.get('text', '')}”", 0, c)
    return _finish(run, None if run.waiting else run.value, _nothing_found(rule))


def suggest(points: float, rule: Mapping[str, Any] | None, inputs: ItemInputs | None = None, *,
            kind: str = "score") -> ItemScore:
    """:func:`score_item` flagged as a suggestion (from evidence, for the scorer to confirm)."""
    return replace(score_item(points, rule, inputs, kind=kind), suggested=True)


def _range(points: float, rule: Mapping[str, Any] | None, kind: str) -> tuple[float, float]:
    if kind == "score":
        return 0.0, points
    adds, deducts = rules.directions(rule)
    if not adds and not deducts:  # scored by hand: the block's direction
        adds, deducts = kind == "bonus", kind == "penalty"
    return (-points if deducts else 0.0), (points if adds else 0.0)


def _manual(run: _Run, inputs: ItemInputs, clause: Mapping[str, Any] | None) -> float:
    value = float(inputs.manual or 0)
    if not run.lo - _EPS <= value <= run.hi + _EPS:
        raise ScoringError(f"人工评分 {fmt(value)} 分超出本项分值范围（{fmt(run.lo)} 至 {fmt(run.hi)} 分）")
    run.add("按评分人评定", value, clause, evidence=inputs.evidence)
    return value


def _start(run: _Run, clauses: Sequence[Mapping[str, Any]], inputs: ItemInputs, kind: str) -> None:
    """The starting points: a criterion level, a survey, a rate, else full or nothing."""
    base = next((c for c in clauses if c["kind"] in ("criterion", "survey", "rate")), None)
    if base is not None:
        {"criterion": _criterion, "survey": _survey, "rate": _rate}[base["kind"]](run, base, inputs)
    elif kind == "score" and rules.directions({"kind": "combined", "clauses": list(clauses)}) != (True, False):
        run.add(f"本项满分{fmt(run.points)}分", run.points, in_reason=False)
    else:
        run.add("本项从0分起计", 0, in_reason=False)


def _criterion(run: _Run, c: Mapping[str, Any], inputs: ItemInputs) -> None:
    if inputs.criterion is None:
        run.waiting.append("达标情况")
        run.add("达标情况待评定", 0, c, in_reason=False)
        return
    level = _level(c, inputs.criterion)
    share = level["share"]
    if share is None:
        share = _discretion(run, level, inputs.share)
        if share is None:
            run.waiting.append("酌情确定的得分比例")
            run.add(level["label"], 0, c, evidence=inputs.evidence)
            return
        text = f"{level['label']}（评分人酌情按{fmt(share * 100)}%计）"
    elif level["level"] == "full":
        text = level["label"]
    elif share == 0:
        text = f"{level['label']}（不得分）"
    else:
        text = f"{level['label']}（按{fmt(share * 100)}%计）"
    run.add(text, share * run.hi, c, evidence=inputs.evidence)


def _level(c: Mapping[str, Any], wanted: str) -> Mapping[str, Any]:
    levels = c["levels"]
    exact = [lv for lv in levels if lv["label"] == wanted]
    by_level = [lv for lv in levels if lv["level"] == wanted]
    if exact or len(by_level) == 1:
        return (exact or by_level)[0]
    choices = "、".join(f"“{lv['label']}”" for lv in levels)
    if by_level:
        raise ScoringError(f"本项有多档“{wanted}”，请按名称选择：{choices}")
    raise ScoringError(f"本项评分标准没有“{wanted}”这一档，可选：{choices}")


def _discretion(run: _Run, level: Mapping[str, Any], share: float | None) -> float | None:
    """The share the scorer grants for a 酌情 level, checked against its range (视情扣1-3分)."""
    if share is None:
        return None
    if not 0 <= share <= 1:
        raise ScoringError(f"得分比例 {fmt(share)} 应在 0 至 1 之间")
    if "deduct" in level and run.points > 0:
        lo_d, hi_d = level["deduct"]
        taken = run.points * (1 - share)
        if not lo_d - _EPS <= taken <= hi_d + _EPS:
            raise ScoringError(f"“{level['label']}”应扣 {fmt(lo_d)} 至 {fmt(hi_d)} 分，"
                               f"所给比例相当于扣 {fmt(taken)} 分")
    return share


def _survey(run: _Run, c: Mapping[str, Any], inputs: ItemInputs) -> None:
    v = inputs.survey
    if v is None:
        run.waiting.append("测评结果")
        run.add("测评结果待录入", 0, c, in_reason=False)
        return
    scale = c.get("scale", 100)
    if v < 0 or ("factor" not in c and v > scale):
        raise ScoringError(f"测评结果 {fmt(v)} 应在 0 至 {fmt(scale)} 之间")
    if "factor" in c:
        got = v * c["factor"]
        text = f"测评结果{fmt(v)}，按{fmt(c['factor'] * 100)}%折算{fmt(got)}分"
    else:
        got = run.hi * v / scale
        text = f"测评结果{fmt(v)}（满分{fmt(scale)}），折算{fmt(got)}分"
    run.add(text, got, c, evidence=inputs.evidence)


def _rate(run: _Run, c: Mapping[str, Any], inputs: ItemInputs) -> None:
    r, target, measure = inputs.rate, c["target"], c.get("measure") or "完成率"
    if r is None:
        run.waiting.append(measure)
        run.add(f"{measure}待录入", 0, c, in_reason=False)
        return
    if not 0 <= r <= 100:
        raise ScoringError(f"{measure} {fmt(r)}% 应在 0 至 100 之间")
    seen = f"{measure}{fmt(r)}%"
    if c.get("proportional"):
        got = run.hi * min(1.0, r / target)
        run.add(f"{seen}，目标{fmt(target)}%，按比例计{fmt(got)}分", got, c, evidence=inputs.evidence)
        return
    run.add(f"本项满分{fmt(run.points)}分", run.hi, in_reason=False)
    if r >= target:
        run.add(f"{seen}，达到{fmt(target)}%", 0, c, evidence=inputs.evidence)
    elif "zero_below" in c and r < c["zero_below"]:
        run.add(f"{seen}，低于{fmt(c['zero_below'])}%，不得分", -run.hi, c, evidence=inputs.evidence)
    elif "delta" in c:
        gap = target - r
        steps = gap / c.get("step", 1)
        if c.get("rounding") == "up":
            steps = math.ceil(steps - _EPS)
        taken = min(steps * -c["delta"], c.get("cap", math.inf))
        run.add(f"{seen}，比目标{fmt(target)}%低{fmt(gap)}个百分点，扣{fmt(taken)}分", -taken, c,
                evidence=inputs.evidence)
    else:
        run.waiting.append(f"{measure}未达到目标时的得分")
        run.add(f"{seen}，未达到{fmt(target)}%，评分标准未写扣分办法", 0, c, evidence=inputs.evidence)


def _verb(delta: float) -> str:
    return "加" if delta > 0 else "扣"


def _per_occurrence(run: _Run, c: Mapping[str, Any], events: Sequence[Event]) -> set[int]:
    mine = [(i, e) for i, e in enumerate(events) if e.kind == c["event"]]
    if not mine:
        return set()
    n = 1 if c.get("once") else len(mine)
    amount = n * c["delta"]
    what = c["event"] if c.get("once") else f"{c['event']}{n}{c['unit']}"
    run.add(f"{what}{_verb(amount)}{fmt(abs(amount))}分", amount, c, [e for _, e in mine])
    _cap(run, c, amount)
    return {i for i, _ in mine}


def _reporting(run: _Run, c: Mapping[str, Any], events: Sequence[Event]) -> set[int]:
    used: set[int] = set()
    total = 0.0
    for kind, word in _REPORTING.items():
        mine = [(i, e) for i, e in enumerate(events) if e.kind == kind]
        if kind in c and mine:
            amount = len(mine) * c[kind]
            total += amount
            run.add(f"{word}{len(mine)}次扣{fmt(-amount)}分", amount, c, [e for _, e in mine])
            used |= {i for i, _ in mine}
    _cap(run, c, total)
    return used


def _cap(run: _Run, c: Mapping[str, Any], amount: float) -> None:
    cap = c.get("cap")
    if cap is not None and abs(amount) > cap + _EPS:
        excess = abs(amount) - cap
        run.add(f"以最多{_verb(amount)}{fmt(cap)}分为限", -math.copysign(excess, amount), c)


def _clamp(run: _Run, kind: str) -> None:
    value = run.value
    if value < run.lo - _EPS:
        text = "扣至0分为止" if run.lo == 0 else f"本项最多扣{fmt(-run.lo)}分"
        run.add(text, run.lo - value)
    elif value > run.hi + _EPS:
        text = f"以本项分值{fmt(run.hi)}分为限" if kind == "score" else f"本项最多加{fmt(run.hi)}分"
        run.add(text, run.hi - value)


def _flags(run: _Run, clauses: Sequence[Mapping[str, Any]], inputs: ItemInputs) -> None:
    if inputs.false_report:
        fr = next((c for c in clauses if c["kind"] == "false_report"), None)
        if fr is None:
            run.add("评分人标记了核查不实，但本项评分标准没有相应规定，未据此扣分", 0)
        else:
            limit = run.lo + fr["share"] * (run.hi - run.lo)
            said = fr.get("condition") or "提供的情况经核查不实"
            outcome = "本项不得分" if fr["share"] == 0 else f"本项得分不超过{fmt(limit)}分"
            run.add(f"{said}，{outcome}", min(0.0, limit - run.value), fr, evidence=inputs.evidence)
    if inputs.veto:
        veto = next((c for c in clauses if c["kind"] == "veto"), None)
        if veto is None:
            run.add("评分人标记了一票否决，但本项评分标准没有一票否决规定，未计入", 0)
        else:
            run.veto = veto.get("condition") or "触发一票否决情形"
            run.add(f"一票否决：{run.veto}", 0, veto, evidence=inputs.evidence)


def _unused(run: _Run, events: Sequence[Event], used: set[int]) -> None:
    rest = [e for i, e in enumerate(events) if i not in used]
    if rest:
        kinds = "、".join(dict.fromkeys(e.kind for e in rest))
        run.add(f"另有{len(rest)}条记录（{kinds}）不属于本项评分标准，未计分", 0, None, rest)


def _nothing_found(rule: Mapping[str, Any] | None) -> str:
    """What the reason says when no event moved the score."""
    adds, deducts = rules.directions(rule)
    return "未发现加分或扣分情形" if adds and deducts else "未发现加分情形" if adds else "未发现扣分情形"


def _finish(run: _Run, score: float | None, nothing: str = "") -> ItemScore:
    said = [s.text for s in run.steps if s.in_reason]
    if not said and score is not None:
        said = [nothing]
    if score is None:
        tail = f"待评定：{'、'.join(run.waiting)}"
    else:
        score = round(score, 4) + 0.0  # no "-0"
        tail = f"得{fmt(score)}分"
    reason = "，".join([*said, tail])
    return ItemScore(score, run.hi, reason, tuple(run.steps), run.lo, veto=run.veto)


# =========================================================================== blocks and totals
def score_block(block: Block, scores: Sequence[ItemScore]) -> BlockScore:
    """A block's score from its items': a scored block within [0, its points], a bonus or penalty
    block's net within ±its cap (附加项 ±3).  Items not scored yet count 0 and are counted."""
    raw = round(sum(s.score for s in scores if s.score is not None), 4)
    pending = sum(1 for s in scores if s.score is None)
    if block.kind == "score":
        top = block.points if block.points is not None else sum(s.max for s in scores)
        score = min(max(raw, 0.0), top)
        said = f"{block.name}得{fmt(score)}分"
        if score != raw:
            said += f"（各项合计{fmt(raw)}分，以{fmt(top)}分为限）"
        return BlockScore(block.name, block.kind, raw, score, top, said, pending)
    cap = block.cap
    score = raw if cap is None else min(max(raw, -cap), cap)
    top = cap if cap is not None else sum(s.max for s in scores)
    said = f"{block.name}{_verb(score)}{fmt(abs(score))}分" if score else f"{block.name}未加减分"
    if score != raw:
        said += f"（加扣分合计{fmt(raw)}分，以{fmt(cap or 0)}分为限）"
    return BlockScore(block.name, block.kind, raw, score, top, said, pending)


def rescale(score: float, from_total: float, to_total: float) -> float:
    """``score`` out of ``from_total`` as a score out of ``to_total`` (共性 42/50 → 84/100)."""
    if from_total <= 0:
        raise ScoringError("折算前的满分必须大于0")
    return round(score * to_total / from_total, 4)


def total(unit_items: Mapping[str, ItemScore], profile: Profile, *, veto: str | None = None) -> Total:
    """A unit's total: ``unit_items`` maps the refs of the items that apply to the unit to their
    scores (an item absent does not apply).  Scored blocks are added — weighted by
    ``profile.shares`` when it has them — and rescaled to ``profile.rescale_to``; the bonus and
    penalty blocks' net is added, capped at ±``profile.bonus_cap``.  An item score carrying a veto,
    or ``veto`` (a reason), sets the total to 0."""
    known = {i.ref for i in profile.items}
    unknown = sorted(set(unit_items) - known)
    if unknown:
        raise ScoringError(f"细则中没有序号为“{'、'.join(unknown)}”的考评内容")
    blocks = tuple(score_block(b, [unit_items[i.ref] for i in profile.items_of(b.name) if i.ref in unit_items])
                   for b in profile.blocks)
    base, said = _scored_part(blocks, profile)
    bonus, bonus_said = _bonus_part(blocks, profile)
    top = (profile.rescale_to or profile.scored_total) + (profile.bonus_cap or 0)
    pending = tuple(r for r, s in unit_items.items() if s.score is None)
    parts = [said, *bonus_said]
    if pending:
        parts.append(f"{len(pending)}项尚未评分（按0分计）")
    vetoes = [s.veto for s in unit_items.values() if s.veto] + ([veto] if veto else [])
    if vetoes:
        reason = "，".join([*parts, f"一票否决：{'；'.join(vetoes)}，总分记0分"])
        return Total(0.0, top, reason, blocks, "；".join(vetoes), pending)
    score = round(base + bonus, 4)
    return Total(score, top, "，".join([*parts, f"总分{fmt(score)}分"]), blocks, None, pending)


def _scored_part(blocks: Sequence[BlockScore], profile: Profile) -> tuple[float, str]:
    scored = [b for b in blocks if b.kind == "score"]
    raw = sum(b.score for b in scored)
    scale = profile.rescale_to or profile.scored_total
    if profile.shares:
        missing = [b.name for b in scored if b.name not in profile.shares]
        if missing:
            raise ScoringError(f"考评项目“{'、'.join(missing)}”没有权重")
        pieces, got = [], 0.0
        for b in scored:
            share = profile.shares[b.name]
            part = (b.score / b.max if b.max else 0.0) * share * scale
            got += part
            pieces.append(f"{b.name}{fmt(b.score)}分（满分{fmt(b.max)}分，权重{fmt(share * 100)}%，计{fmt(part)}分）")
        return got, "；".join(pieces)
    if profile.rescale_to:
        got = rescale(raw, profile.scored_total, profile.rescale_to)
        return got, (f"各项得分合计{fmt(raw)}分（满分{fmt(profile.scored_total)}分），"
                     f"折算为{fmt(profile.rescale_to)}分制得{fmt(got)}分")
    return raw, f"各项得分合计{fmt(raw)}分"


def _bonus_part(blocks: Sequence[BlockScore], profile: Profile) -> tuple[float, list[str]]:
    extra = [b for b in blocks if b.kind != "score"]
    if not extra:
        return 0.0, []
    raw = sum(b.score for b in extra)
    cap = profile.bonus_cap
    got = raw if cap is None else min(max(raw, -cap), cap)
    said = f"加扣分项{_verb(got)}{fmt(abs(got))}分" if got else "加扣分项未加减分"
    if got != raw:
        said += f"（合计{fmt(raw)}分，以{fmt(cap or 0)}分为限）"
    return got, [said]
