"""Profiles (考核细则): what a unit is assessed on — blocks, items, points, rules, scorers.

The national indicator system carries no points; an office's 考核细则 does, per unit type
(a county: 立法 5 + 执法 27 + … + 附加项 ±3; a department: 共性 50 rescaled to 100).  A
:class:`Profile` is that table as data: blocks (scored, bonus or penalty, with caps), items with
their points, the scoring rule read from the 评分标准 text (:mod:`fazhi.supervision.rules`), the
评分责任单位 as written, and an applicability expression (:mod:`fazhi.supervision.applicability`).

Two ways in, both returning ``(profile, problems)`` where a problem is ``(row, Chinese reason)``
for the clerk (an item whose rule is scored by hand, an unreadable points cell, a skipped row):

- :func:`profile_from_yaml` — a YAML file checked against ``data/schema/profile.schema.json``
  (fazhi ships two demo profiles, :func:`demo_profile`);
- :func:`profile_from_rows` — the rows of an xlsx/docx/csv table as read by the sheet reader,
  each a dict of canonical fields (block, seq, content, points, standard, method, self_score,
  review_score, note, scorer).  Block header rows, merged cells filled down, a repeated column
  header, 合计/小计 rows, bonus and penalty blocks and points written "5分"/"五"/"±3" are read
  with the words of ``data/profile_import.yaml``.

:func:`check_totals` then refuses a profile whose points do not add up (per unit type, naming
the difference), whose blocks do not add up to their stated points, or whose shares are not 100%.
Nothing here touches a database.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from . import applicability, rules
from .rules import fmt

ITEM_KINDS = ("score", "bonus", "penalty")
#: the canonical fields of a table row (as the sheet reader names them)
FIELDS = ("block", "seq", "content", "points", "standard", "method", "self_score", "review_score", "note",
          "scorer")
#: the demo profiles fazhi ships (written for fazhi; not any office's real 考核细则)
DEMOS = {"county": "profile_demo_county.yaml", "department": "profile_demo_department.yaml"}
_DEFAULT_BLOCK = "考评内容"
_EPS = 1e-6


class Problem(NamedTuple):
    """Something the clerk must see: the table row (None when not about one row) and why."""

    row: int | None
    reason: str


class ProfileError(ValueError):
    """A profile that cannot be read at all (a YAML file that breaks its schema, a bad
    applicability expression…); the message is Chinese and says where."""


@dataclass(frozen=True)
class Block:
    """A part of the profile (考评项目).  A scored block has points (its items should add up to
    them); a bonus or penalty block has a cap on its net (附加项 ±3)."""

    name: str
    points: float | None = None
    kind: str = "score"
    cap: float | None = None


@dataclass(frozen=True)
class ProfileItem:
    """One item (考评内容) of a profile.  ``kind`` is score, or bonus/penalty for the items of a
    bonus or penalty block; ``rule`` is the rule read from ``rule_text`` (None: scored by hand);
    ``applicability`` an expression over unit attributes (None: every unit); ``node_key`` a link to
    an indicator-system node."""

    block: str
    ref: str
    content: str
    points: float
    kind: str = "score"
    rule: dict[str, Any] | None = None
    rule_text: str = ""
    scorer: str | None = None
    applicability: str | None = None
    check_method: str | None = None
    evidence_required: tuple[str, ...] = ()
    node_key: str | None = None


@dataclass(frozen=True)
class Profile:
    """A 考核细则.  ``total`` is the stated full score; with ``bonus_in_total`` it includes the
    bonus cap (97 + 附加项 3 = 100), else bonus comes on top.  ``rescale_to`` turns the scored
    total into another scale (共性 50 → 100); ``shares`` weighs scored blocks by name (通用 30% /
    专用 50% / 外部评议 20%)."""

    name: str
    year: int | None
    unit_types: tuple[str, ...]
    total: float
    bonus_cap: float | None
    rescale_to: float | None
    shares: Mapping[str, float]
    blocks: tuple[Block, ...]
    items: tuple[ProfileItem, ...]
    bonus_in_total: bool = False
    demo: bool = False

    @property
    def scored_total(self) -> float:
        """The points the scored items are out of (the total without a bonus counted in it)."""
        return self.total - (self.bonus_cap or 0) if self.bonus_in_total else self.total

    def items_of(self, block: str) -> list[ProfileItem]:
        return [i for i in self.items if i.block == block]


def item_kind(block_kind: str, rule: Mapping[str, Any] | None) -> str:
    """An item's kind: score in a scored block; in a bonus/penalty block, bonus when its rule
    adds, penalty when it only deducts, else the block's kind."""
    if block_kind == "score":
        return "score"
    adds, deducts = rules.directions(rule)
    return "bonus" if adds else "penalty" if deducts else block_kind


# =========================================================================== YAML
def profile_from_yaml(text: str, *, where: str = "考核细则") -> tuple[Profile, list[Problem]]:
    """A profile from YAML (``data/schema/profile.schema.json``).  An item gives its ``rule`` as a
    dict or only its ``rule_text``, which is read with :func:`rules.parse_rule`; a text not
    understood is a problem (the item is scored by hand)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark is not None else ""
        raise ProfileError(f"{where}：YAML 格式有误 {loc}".strip()) from None
    try:
        rules.validated(data, "profile", where)
    except rules.RuleError as exc:
        raise ProfileError(str(exc)) from None
    problems: list[Problem] = []
    blocks, items = [], []
    for b in data["blocks"]:
        block = Block(b["name"], b.get("points"), b.get("kind", "score"), b.get("cap"))
        blocks.append(block)
        for it in b["items"]:
            items.append(_yaml_item(block, it, where, problems))
    profile = Profile(
        name=data["name"], year=data.get("year"), unit_types=tuple(data.get("unit_types", ())),
        total=data["total"], bonus_cap=data.get("bonus_cap"), rescale_to=data.get("rescale_to"),
        shares=dict(data.get("shares", {})), blocks=tuple(blocks), items=tuple(items),
        bonus_in_total=data.get("bonus_in_total", False), demo=data.get("demo", False))
    return profile, problems


def _yaml_item(block: Block, it: Mapping[str, Any], where: str, problems: list[Problem]) -> ProfileItem:
    ref, points, text = str(it["ref"]), float(it["points"]), it.get("rule_text", "")
    label = f"{where}：第 {ref} 项"
    if "rule" in it:
        rule = it["rule"]
        if rule is not None:
            try:
                rules.validate_rule(rule)
            except rules.RuleError as exc:
                raise ProfileError(f"{label}：{exc}") from None
    else:
        parsed = rules.parse_rule(text, points)
        rule = parsed.rule
        if not parsed.recognised:
            problems.append(Problem(None, f"第 {ref} 项：{parsed.note}"))
    expr = it.get("applies")
    try:
        applicability.check(expr)
    except applicability.ApplicabilityError as exc:
        raise ProfileError(f"{label}：{exc}") from None
    return ProfileItem(
        block=block.name, ref=ref, content=it["content"], points=points,
        kind=it.get("kind") or item_kind(block.kind, rule), rule=rule, rule_text=text,
        scorer=it.get("scorer"), applicability=expr, check_method=it.get("check_method"),
        evidence_required=tuple(it.get("evidence_required", ())), node_key=it.get("node_key"))


def load_profile(path: str | Path) -> tuple[Profile, list[Problem]]:
    """A profile from a YAML file."""
    p = Path(path)
    return profile_from_yaml(p.read_text(encoding="utf-8"), where=p.name)


@cache
def demo_profile(key: str) -> Profile:
    """One of the demo profiles fazhi ships (:data:`DEMOS`: county, department)."""
    profile, _ = profile_from_yaml(rules.data_text(DEMOS[key]), where=DEMOS[key])
    return profile


def profile_to_dict(profile: Profile) -> dict[str, Any]:
    """The profile as JSON-ready data (the shape ``fazhi profile show --format json`` prints)."""
    return {
        "name": profile.name, "year": profile.year, "unit_types": list(profile.unit_types),
        "total": rules.number(profile.total),
        "bonus_cap": None if profile.bonus_cap is None else rules.number(profile.bonus_cap),
        "bonus_in_total": profile.bonus_in_total,
        "rescale_to": None if profile.rescale_to is None else rules.number(profile.rescale_to),
        "shares": dict(profile.shares), "demo": profile.demo,
        "blocks": [{"name": b.name, "points": None if b.points is None else rules.number(b.points),
                    "kind": b.kind, "cap": None if b.cap is None else rules.number(b.cap)} for b in profile.blocks],
        "items": [{"block": i.block, "ref": i.ref, "content": i.content, "points": rules.number(i.points),
                   "kind": i.kind, "rule": i.rule, "rule_text": i.rule_text, "scorer": i.scorer,
                   "applicability": i.applicability, "check_method": i.check_method,
                   "evidence_required": list(i.evidence_required), "node_key": i.node_key}
                  for i in profile.items],
    }


# =========================================================================== table rows
@dataclass(frozen=True)
class _Words:
    header: frozenset[str]
    total: tuple[str, ...]
    subtotal: tuple[str, ...]
    ordinal: re.Pattern[str]
    kinds: tuple[tuple[str, re.Pattern[str]], ...]
    points: tuple[re.Pattern[str], ...]


@cache
def _words() -> _Words:
    d = rules.packaged("profile_import.yaml", "profile_import")
    norm = rules.normalise
    return _Words(
        header=frozenset(norm(w) for w in d["header_words"]), total=tuple(norm(w) for w in d["total_words"]),
        subtotal=tuple(norm(w) for w in d["subtotal_words"]), ordinal=re.compile(d["ordinal"]),
        kinds=tuple((k["kind"], re.compile(k["pattern"])) for k in d["block_kinds"]),
        points=tuple(re.compile(rules.expand(p)) for p in d["block_points"]))


def _cell(value: Any) -> str:
    """A cell as normalised text ("" for empty; a whole float such as 3.0 as "3")."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else rules.normalise(str(value))


def parse_points(value: Any) -> float | None:
    """Points as written in a 分值 cell: 5, "5分", "五分", "2.5", "±3", "3分（加分）"; None
    when the cell says something else."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    m = re.fullmatch(rules.expand(r"[±+]?{N:n}分?(?:（[^）]*）)?"), _cell(value))
    return rules.parse_number(m.group("n")) if m else None


@dataclass(frozen=True)
class _Title:
    name: str
    points: float | None
    kind: str


def _title(text: str) -> _Title:
    """A block title: "一、立法工作（5分）" → 立法工作, 5; "加分项，最高加3分" → 加分项, 3, bonus."""
    w = _words()
    t = w.ordinal.sub("", rules.normalise(text))
    points = None
    for p in w.points:
        m = p.search(t)
        if m:
            points = rules.parse_number(m.group("points"))
            t = (t[:m.start()] + t[m.end():]).replace("（）", "").strip("，：")
            break
    kind = next((k for k, pattern in w.kinds if pattern.search(t)), "score")
    return _Title(t or rules.normalise(text), points, kind)


@dataclass
class _Draft:
    """An item being read, possibly over several rows."""

    row: int
    block: str
    seq: str
    content: str
    points: str
    standard: list[str] = field(default_factory=list)
    method: list[str] = field(default_factory=list)
    note: list[str] = field(default_factory=list)
    scorer: str = ""

    def add(self, c: Mapping[str, str]) -> None:
        for key, parts in (("standard", self.standard), ("method", self.method), ("note", self.note)):
            if c[key] and c[key] not in parts:
                parts.append(c[key])
        self.points = self.points or c["points"]
        self.scorer = self.scorer or c["scorer"]

    def continues(self, c: Mapping[str, str], block: str) -> bool:
        """Whether row ``c`` is more of this item: merged cells filled down (the same sequence
        number, content and points) or a row carrying only more 评分标准 text."""
        if block != self.block:
            return False
        return all(c[k] == getattr(self, k) for k in ("seq", "content", "points") if c[k])


class _Reader:
    """Reads rows one by one into blocks and item drafts."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.drafts: list[_Draft] = []
        self.problems: list[Problem] = []
        self.stated_total: float | None = None

    def read(self, row: int, raw: Mapping[str, Any]) -> None:
        c = {k: _cell(raw.get(k)) for k in FIELDS}
        values = [v for v in c.values() if v]
        if not values or sum(v in _words().header for v in values) >= 2:
            return
        labels = [c["block"], c["seq"], c["content"]]
        if any(v.startswith(_words().subtotal) for v in labels):
            return
        total = next(((v, w) for v in labels for w in _words().total if v.startswith(w)), None)
        if total and not c["standard"]:
            label, word = total
            self.stated_total = parse_points(c["points"]) or parse_points(label[len(word):].strip("：（）"))
            return
        title = self._heading(c, values)
        if title is not None:
            self._open(title, parse_points(c["points"]) if c["points"] != title else None)
            return
        if c["block"] and (self.current is None or _title(c["block"]).name != self.current.name):
            self._open(c["block"], None)
        if self.current is None:
            self._open(_DEFAULT_BLOCK, None)
        assert self.current is not None
        if self.drafts and self.drafts[-1].continues(c, self.current.name):
            self.drafts[-1].add(c)
        elif not c["content"] and not c["standard"]:
            self.problems.append(Problem(row, "没有考评内容，已跳过"))
        else:
            draft = _Draft(row, self.current.name, c["seq"], c["content"] or c["standard"], c["points"])
            draft.add(c)
            self.drafts.append(draft)

    def _heading(self, c: Mapping[str, str], values: list[str]) -> str | None:
        """The block title when the row is a block heading, else None: a title merged over the
        whole row, a 考评项目 cell alone (with points), or a numbered heading without a rule."""
        if len(values) >= 2 and len(set(values)) == 1:
            return values[0]
        if c["block"] and not c["seq"] and not c["content"] and not c["standard"]:
            return c["block"]
        if not c["standard"]:
            numbered = re.fullmatch(r"[一二三四五六七八九十]+", c["seq"]) or _words().ordinal.match(c["seq"])
            if numbered or _words().ordinal.match(c["content"]):
                return c["content"] or c["block"] or c["seq"]
        return None

    def _open(self, text: str, points: float | None) -> None:
        t = _title(text)
        points = t.points if t.points is not None else points
        scored = t.kind == "score"
        block = Block(t.name, points if scored else None, t.kind, None if scored else points)
        known = next((i for i, b in enumerate(self.blocks) if b.name == t.name), None)
        if known is None:
            self.blocks.append(block)
        elif points is not None:
            self.blocks[known] = block
        self.current = next(b for b in self.blocks if b.name == t.name)


def profile_from_rows(rows: Iterable[tuple[int, Mapping[str, Any]]], *, name: str, unit_types: Sequence[str],
                      year: int | None = None, total: float | None = None,
                      bonus_in_total: bool | None = None) -> tuple[Profile, list[Problem]]:
    """A profile from the rows of a 考核细则 table: ``(row number, {canonical field: value})``.

    The total is ``total`` if given, else the table's 合计 row, else the sum of the scored blocks'
    stated points, else the sum of the items.  ``bonus_in_total`` (when not given) is true when the
    合计 row counts the bonus cap in (97 + 附加项 3 = 合计 100).  Returns the profile and the
    problems to show; call :func:`check_totals` before using the profile."""
    reader = _Reader()
    for row, raw in rows:
        reader.read(row, raw)
    problems = reader.problems
    items = [_row_item(d, reader, problems) for d in reader.drafts]
    items = _with_refs(items, reader.blocks)
    blocks = tuple(b for b in reader.blocks if any(i.block == b.name for i in items) or b.points)
    caps = [b.cap for b in blocks if b.kind == "bonus"]
    bonus_cap = sum(c for c in caps if c is not None) if caps and None not in caps else None
    score_sum = sum(i.points for i in items if i.kind == "score")
    stated = reader.stated_total
    if bonus_in_total is None:
        bonus_in_total = bool(stated is not None and bonus_cap and abs(stated - score_sum) > _EPS
                              and abs(stated - score_sum - bonus_cap) < _EPS)
    block_points = [b.points for b in blocks if b.kind == "score"]
    if total is None:
        total = stated if stated is not None else (
            sum(p for p in block_points if p is not None) if block_points and None not in block_points
            else score_sum)
    profile = Profile(name=name, year=year, unit_types=tuple(unit_types), total=total, bonus_cap=bonus_cap,
                      rescale_to=None, shares={}, blocks=blocks, items=tuple(items),
                      bonus_in_total=bonus_in_total)
    return profile, problems


def _row_item(d: _Draft, reader: _Reader, problems: list[Problem]) -> ProfileItem:
    block = next(b for b in reader.blocks if b.name == d.block)
    points = parse_points(d.points)
    if points is None and block.kind != "score" and block.cap is not None:
        points = block.cap
    if points is None:
        said = f"“{d.points}”无法识别" if d.points else "为空"
        problems.append(Problem(d.row, f"“{_short(d.content)}”的分值{said}，按0分导入"))
        points = 0.0
    text = "；".join(d.standard) or "；".join(d.note)
    parsed = rules.parse_rule(text, points)
    if not parsed.recognised:
        problems.append(Problem(d.row, f"“{_short(d.content)}”：{parsed.note}"))
    return ProfileItem(
        block=d.block, ref=d.seq, content=d.content, points=points, kind=item_kind(block.kind, parsed.rule),
        rule=parsed.rule, rule_text=text, scorer=d.scorer or None, check_method="；".join(d.method) or None)


def _short(text: str, n: int = 20) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _with_refs(items: list[ProfileItem], blocks: Sequence[Block]) -> list[ProfileItem]:
    """Items keep their 序号 as ref when those are all present and distinct; otherwise refs are
    "block number.序号" (or the position in the block when that still repeats), e.g. "2.3"."""
    seqs = [i.ref for i in items]
    if all(seqs) and len(set(seqs)) == len(seqs):
        return items
    number = {b.name: n for n, b in enumerate(blocks, 1)}
    seen: Counter[str] = Counter()
    positions = []
    for it in items:
        seen[it.block] += 1
        positions.append(seen[it.block])
    refs = [f"{number[i.block]}.{i.ref or p}" for i, p in zip(items, positions, strict=True)]
    if len(set(refs)) != len(refs):
        refs = [f"{number[i.block]}.{p}" for i, p in zip(items, positions, strict=True)]
    return [replace(i, ref=r) for i, r in zip(items, refs, strict=True)]


# =========================================================================== checks
def check_totals(profile: Profile) -> list[Problem]:
    """What does not add up, each with the difference: the scored items against the total (per
    unit type when items apply to some types only), each scored block against its stated points,
    the shares against 100%, and duplicate refs.  Empty when the profile may be used."""
    problems: list[Problem] = []
    refs = [i.ref for i in profile.items]
    for ref in sorted({r for r in refs if refs.count(r) > 1}):
        problems.append(Problem(None, f"序号“{ref}”重复"))
    for label, items in _variants(profile):
        scored = [i for i in items if i.kind == "score"]
        if not profile.shares:
            problems += _sum_problem(label, sum(i.points for i in scored), profile)
        for b in profile.blocks:
            if b.kind == "score" and b.points is not None:
                got = sum(i.points for i in scored if i.block == b.name)
                if abs(got - b.points) > _EPS:
                    problems.append(Problem(None, f"{label}“{b.name}”各项分值合计 {fmt(got)} 分，"
                                                  f"与该项目 {fmt(b.points)} 分相差 {fmt(abs(got - b.points))} 分"))
    return problems + _share_problems(profile)


def _sum_problem(label: str, got: float, profile: Profile) -> list[Problem]:
    bonus = profile.bonus_cap or 0 if profile.bonus_in_total else 0
    if abs(got + bonus - profile.total) <= _EPS:
        return []
    with_bonus = f"，加附加项 {fmt(bonus)} 分共 {fmt(got + bonus)} 分" if bonus else ""
    return [Problem(None, f"{label}各项分值合计 {fmt(got)} 分{with_bonus}，与总分 {fmt(profile.total)} 分"
                          f"相差 {fmt(abs(got + bonus - profile.total))} 分")]


def _share_problems(profile: Profile) -> list[Problem]:
    if not profile.shares:
        return []
    problems = []
    names = {b.name for b in profile.blocks}
    for name in profile.shares:
        if name not in names:
            problems.append(Problem(None, f"权重中的“{name}”不是本细则的考评项目"))
    for b in profile.blocks:
        if b.kind == "score" and b.name not in profile.shares:
            problems.append(Problem(None, f"考评项目“{b.name}”没有权重"))
    got = sum(profile.shares.values())
    if abs(got - 1) > _EPS:
        problems.append(Problem(None, f"各部分权重合计 {fmt(got * 100)}%，应为 100%"))
    return problems


def _variants(profile: Profile) -> list[tuple[str, list[ProfileItem]]]:
    """The item sets units of the profile's types get, with a label for each ("" when all units
    get the same items).  Boolean attributes an expression uses (执法权) are tried both ways; an
    expression that needs another attribute (level, region, name) counts as applying."""
    exprs = [i.applicability for i in profile.items if i.applicability]
    if not exprs:
        return [("", list(profile.items))]
    used = [a for a in applicability.BOOLEAN_ATTRIBUTES if any(a in applicability.names(e) for e in exprs)]
    groups: dict[tuple[str, ...], tuple[list[str], list[ProfileItem]]] = {}
    for unit_type in profile.unit_types or ("",):
        for values in itertools.product((True, False), repeat=len(used)):
            attrs: dict[str, Any] = dict(zip(used, values, strict=True))
            if unit_type:
                attrs["type"] = unit_type
            chosen = [i for i in profile.items if _may_apply(i, attrs)]
            key = tuple(i.ref for i in chosen)
            flags = "".join(f"（{'有' if v else '无'}{applicability.ATTRIBUTES[a]}）" for a, v in attrs.items()
                            if a in used)
            groups.setdefault(key, ([], chosen))[0].append(f"{unit_type or '单位'}{flags}")
    if len(groups) == 1:
        return [("", next(iter(groups.values()))[1])]
    return [(f"{'、'.join(labels)}：", chosen) for labels, chosen in groups.values()]


def _may_apply(item: ProfileItem, attrs: Mapping[str, Any]) -> bool:
    try:
        return applicability.applies(item.applicability, attrs)
    except applicability.ApplicabilityError:
        return True
