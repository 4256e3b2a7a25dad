"""Scoring rules as data: read the 评分标准 an office writes into a small JSON rule.

A 考核细则 states how each item is scored in free Chinese text ("每件扣1分；核查不实的从重扣分").
:func:`parse_rule` reads such a text with the phrasing table ``data/rules.yaml`` (regular
expressions, extendable by an office without Python) into a rule dict that is stored, shown as
JSON and computed by :mod:`fazhi.supervision.scoring`.  The dict's shape is
``data/schema/rule.schema.json``: one clause (``{"kind": "per_occurrence", "event": "发现",
"unit": "起", "delta": -0.5}``) or ``{"kind": "combined", "clauses": [...]}``.

Nothing is guessed silently: a text with no phrasing fazhi knows is a ``manual`` rule; a text
partly understood keeps what was read plus a ``manual`` clause holding the rest, and the note
says which words were not understood.  Leftover words that state no scoring (the requirement
itself, how to check) are description and are ignored.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import yaml

#: clauses a cap (最多扣N分) or a floor (扣完为止) written after them applies to
_CAPPABLE = ("per_occurrence", "reporting", "rate")
#: kinds whose phrasings in one text add up to one clause (the others give a clause each)
_MERGED = ("criterion", "reporting", "false_report", "survey", "rate", "veto")
_LEVEL_LABELS = {"full": "达到要求", "partial": "部分达到要求", "none": "未达到要求"}
_SEPARATORS = re.compile(r"[，；。、：]+")
_PUNCTUATION = str.maketrans(",;:()", "，；：（）")
_CIRCLED = re.compile("[\u2460-\u2473]")
_ENUMERATOR = re.compile(r"(^|[；。，：])(?:（[0-9一二三四五六七八九十]+）|[0-9]{1,2}[、.](?!\d)|[一二三四五六七八九十]+、)")
_TOKEN = re.compile(r"\{([A-Z]+)(?::([a-z_]+))?\}")


class RuleError(ValueError):
    """A rule dict or a phrasing table that does not match its schema (message in Chinese)."""


@dataclass(frozen=True)
class ParsedRule:
    """What :func:`parse_rule` read: the rule (None for an empty text), its kind
    (``combined`` for several clauses), whether every scoring statement was understood, and a
    Chinese note for the clerk when it was not."""

    rule: dict[str, Any] | None
    kind: str
    recognised: bool
    note: str = ""


@dataclass(frozen=True)
class Phrasing:
    kind: str
    regex: re.Pattern[str]
    params: Mapping[str, Any]
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Phrasings:
    """A compiled phrasing table (office phrasings first, then fazhi's)."""

    items: tuple[Phrasing, ...]
    scoring_words: re.Pattern[str]


@dataclass
class _Fragment:
    """One phrasing matched in the text: where, which phrasing, and its named groups."""

    start: int
    text: str
    phrasing: Phrasing
    groups: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.phrasing.kind

    def param(self, name: str, default: Any = None) -> Any:
        return self.phrasing.params.get(name, default)

    def number(self, name: str) -> float | None:
        raw = self.groups.get(name)
        return None if raw is None else parse_number(raw)


# =========================================================================== numbers and text
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9}
_POWERS = {"十": 10, "百": 100}


def parse_number(text: str) -> float | None:
    """A number written in Arabic or Chinese numerals: "5", "2.5", "五", "十二", "两", "零点五",
    "半" (0.5); None when ``text`` is not one."""
    t = unicodedata.normalize("NFKC", text).strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", t):
        return float(t)
    if t in ("半", "一半"):
        return 0.5
    whole, _, frac = t.partition("点")
    if not whole or any(c not in _DIGITS and c not in _POWERS for c in whole):
        return None
    if frac and any(c not in _DIGITS for c in frac):
        return None
    value = _chinese_integer(whole)
    if frac:
        value += float("0." + "".join(str(_DIGITS[c]) for c in frac))
    return value


def _chinese_integer(text: str) -> float:
    total, digit = 0, 0
    for c in text:
        if c in _POWERS:
            total += (digit or 1) * _POWERS[c]
            digit = 0
        else:
            digit = _DIGITS[c]
    return float(total + digit)


def normalise(text: str) -> str:
    """Text as fazhi compares it: full-width digits and letters to half-width, ASCII punctuation
    to the Chinese forms (，；：（）), whitespace removed, a newline as "；"."""
    t = unicodedata.normalize("NFKC", text).replace("\n", "；")
    return re.sub(r"\s+", "", t).translate(_PUNCTUATION)


def _rule_text(text: str) -> str:
    """A 评分标准 normalised, with each enumerator opening a clause ("（1）", "2.", "③", "一、")
    turned into a separator."""
    return _ENUMERATOR.sub(r"\1；", normalise(_CIRCLED.sub("；", text)))


def number(x: float) -> float | int:
    """``x`` as stored in a rule: an int when whole (``1`` rather than ``1.0``), else rounded."""
    r = round(float(x), 4)
    return int(r) if r == int(r) else r


def fmt(x: float) -> str:
    """Points as a clerk reads them: "3", "2.5", "0.33" (at most two decimals)."""
    return str(number(round(float(x), 2)))


# =========================================================================== packaged data
def data_text(name: str) -> str:
    """The text of the packaged file ``data/<name>``."""
    return (resources.files(__package__) / "data" / name).read_text(encoding="utf-8")


@cache
def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(data_text(f"schema/{name}.schema.json"))
    return loaded


def validated(data: Any, schema: str, where: str) -> Any:
    """``data`` if it matches ``data/schema/<schema>.schema.json``, else RuleError naming
    ``where`` and the place in it."""
    try:
        jsonschema.validate(data, _schema(schema))
    except jsonschema.ValidationError as exc:
        loc = "/".join(str(p) for p in exc.absolute_path) or "（顶层）"
        raise RuleError(f"{where}：{loc}：{exc.message}") from None
    return data


@cache
def packaged(name: str, schema: str) -> Any:
    """The packaged YAML file ``data/<name>``, checked against its schema (loaded once; do not
    modify the result)."""
    return validated(yaml.safe_load(data_text(name)), schema, name)


# =========================================================================== the phrasing table
def _expand(pattern: str, tokens: Mapping[str, str], where: str) -> str:
    def token(m: re.Match[str]) -> str:
        if m.group(1) not in tokens:
            raise RuleError(f"{where}：未定义的记号 {{{m.group(1)}}}")
        body = tokens[m.group(1)]
        return f"(?P<{m.group(2)}>{body})" if m.group(2) else f"(?:{body})"

    return _TOKEN.sub(token, pattern)


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise RuleError(f"{where}：正则表达式有误：{exc}") from None


def load_phrasings(*office_yaml: str) -> Phrasings:
    """fazhi's phrasing table with an office's own tables (YAML texts of the same shape, checked
    against ``data/schema/rules.schema.json``) tried first.  An office table may define tokens
    of its own; its phrasings also see fazhi's tokens."""
    tables = [validated(yaml.safe_load(t), "rules", f"评分标准写法表 {i + 1}") for i, t in enumerate(office_yaml)]
    base = packaged("rules.yaml", "rules")
    tokens = {**base.get("tokens", {})}
    for t in tables:
        tokens.update(t.get("tokens", {}))
    items = []
    for i, table in enumerate([*tables, base]):
        for j, p in enumerate(table["phrasings"]):
            where = f"评分标准写法表 {i + 1} 第 {j + 1} 条"
            regex = _compile(_expand(p["pattern"], tokens, where), where)
            items.append(Phrasing(p["kind"], regex, p.get("params", {}), tuple(p["examples"])))
    words = _compile(_expand(base["scoring_words"], tokens, "scoring_words"), "scoring_words")
    return Phrasings(tuple(items), words)


def expand(pattern: str) -> str:
    """``pattern`` with the tokens of fazhi's phrasing table ({N}, {N:points}…) spelled out."""
    return _expand(pattern, packaged("rules.yaml", "rules").get("tokens", {}), "pattern")


@cache
def default_phrasings() -> Phrasings:
    """fazhi's own phrasing table (compiled once)."""
    return load_phrasings()


# =========================================================================== reading a text
def parse_rule(text: str | None, points: float, phrasings: Phrasings | None = None) -> ParsedRule:
    """Read the 评分标准 ``text`` of an item worth ``points`` into a rule.

    ``points`` turns points written in the text into shares ("基本完成得3分" of 5 → 0.6)."""
    t = _rule_text(text or "")
    if not t.strip("；"):
        return ParsedRule(None, "manual", False, "未写评分标准，按人工评分")
    table = phrasings or default_phrasings()
    fragments, leftover = _match(t, table)
    clauses, unplaced = _fold(fragments, points)
    unknown = [s for s in _SEPARATORS.split(leftover) if s and table.scoring_words.search(s)] + unplaced
    if not clauses:
        return ParsedRule({"kind": "manual"}, "manual", False, "评分标准未能识别，按人工评分项导入")
    note = ""
    if unknown:
        clauses.append({"kind": "manual", "text": "；".join(unknown)})
        note = f"部分评分标准未能识别，需人工评分：“{'；'.join(unknown)}”"
    rule: dict[str, Any] = clauses[0] if len(clauses) == 1 else {"kind": "combined", "clauses": clauses}
    return ParsedRule(rule, str(rule["kind"]), not unknown, note)


def _match(text: str, phrasings: Phrasings) -> tuple[list[_Fragment], str]:
    """Every phrasing's matches, earlier phrasings first; a span taken is masked with "；" so no
    later phrasing reads it again.  Returns the fragments in text order and what is left."""
    masked, found = text, []
    for ph in phrasings.items:
        hits = [m for m in ph.regex.finditer(masked) if m.end() > m.start()]
        for m in hits:
            groups = {k: v for k, v in m.groupdict().items() if v is not None}
            found.append(_Fragment(m.start(), m.group(0), ph, groups))
            masked = masked[:m.start()] + "；" * (m.end() - m.start()) + masked[m.end():]
    return sorted(found, key=lambda f: f.start), masked


def _fold(fragments: list[_Fragment], points: float) -> tuple[list[dict[str, Any]], list[str]]:
    """Fragments in text order → clauses.  Fragments of a merged kind join that kind's clause; a
    cap or floor applies to the clause before it.  Returns the clauses and the texts that could
    not be placed (a cap with nothing before it, a rate without a target…)."""
    clauses: list[dict[str, Any]] = []
    unplaced: list[str] = []
    for f in fragments:
        if f.kind == "ignore":
            continue
        if f.kind in ("cap", "floor"):
            target = next((c for c in reversed(clauses) if c["kind"] in _CAPPABLE), None)
            if target is None:
                unplaced.append(f.text)
            elif f.kind == "cap":
                target["cap"] = number(f.number("cap") or 0)
            continue
        clause = next((c for c in clauses if c["kind"] == f.kind), None) if f.kind in _MERGED else None
        if clause is None:
            clause = {"kind": f.kind}
            clauses.append(clause)
        if not _BUILDERS[f.kind](clause, f, points):
            unplaced.append(f.text)
    kept = [c for c in clauses if _complete(c)]
    unplaced += [c.pop("_text") for c in clauses if c not in kept and "_text" in c]
    for c in kept:
        c.pop("_text", None)
    return _distinct_events(_full_marks_only(kept)), unplaced


def _complete(clause: dict[str, Any]) -> bool:
    """Whether a merged clause got what it needs (a rate needs a target; a criterion its levels)."""
    if clause["kind"] == "rate":
        if "target" not in clause and clause.get("proportional"):
            clause["target"] = 100
        return "target" in clause
    if clause["kind"] == "criterion":
        if not clause.get("levels"):
            return False
        if not any(lv["level"] == "full" for lv in clause["levels"]):
            clause["levels"].insert(0, {"level": "full", "share": 1, "label": _LEVEL_LABELS["full"]})
    return True


def _full_marks_only(clauses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A criterion that only says when full marks are given ("按要求完成的得满分"): beside other
    clauses it restates them ("未发生败诉的得满分；每败诉一件扣1分") and is dropped; alone it
    means nothing is given otherwise (a "none" level, 0)."""
    out = []
    for c in clauses:
        if c["kind"] == "criterion" and all(lv["level"] == "full" for lv in c["levels"]):
            if len(clauses) > 1:
                continue
            c["levels"].append({"level": "none", "share": 0, "label": _LEVEL_LABELS["none"]})
        out.append(c)
    return out


def _distinct_events(clauses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per-occurrence clauses are told apart by their event label: make the labels distinct."""
    seen: dict[str, int] = {}
    for c in clauses:
        if c["kind"] == "per_occurrence":
            n = seen[c["event"]] = seen.get(c["event"], 0) + 1
            if n > 1:
                c["event"] = f"{c['event']}（{n}）"
    return clauses


# =========================================================================== clause builders
def _sign(f: _Fragment) -> int:
    return 1 if re.fullmatch(r"增加|奖励|加", f.groups.get("sign", "")) else -1


def _remember(clause: dict[str, Any], f: _Fragment) -> None:
    """Keep the text of a merged clause's fragments, to name it if the clause is dropped."""
    clause["_text"] = "；".join(x for x in (clause.get("_text"), f.text) if x)


def _criterion(clause: dict[str, Any], f: _Fragment, points: float) -> bool:
    level, share = f.param("level"), f.param("share")
    score = f.number("score")
    if score is not None:
        if points <= 0 or score > points:
            return False
        share = score / points
        if level == "auto":
            level = "full" if share >= 1 else "none" if share <= 0 else "partial"
    when = f.groups.get("when", "").removesuffix("的")
    entry: dict[str, Any] = {"level": level, "share": None if share is None else number(share),
                             "label": when if when not in ("", "否则") else _LEVEL_LABELS[level]}
    lo, hi = f.number("lo"), f.number("hi")
    if lo is not None and hi is not None:
        lo, hi = min(lo, hi), max(lo, hi)
        if f.param("range") == "score":  # 得0-5分: a deduction of 5 − 5 to 5 − 0
            if hi > points:
                return False
            lo, hi = points - hi, points - lo
        entry["deduct"] = [number(lo), number(hi)]
    _remember(clause, f)
    clause.setdefault("levels", []).append(entry)
    return True


def _per_occurrence(clause: dict[str, Any], f: _Fragment, points: float) -> bool:
    sign = _sign(f)
    label = (f.groups.get("event", "") + f.groups.get("object", "")).removesuffix("的")
    clause.update(event=label or ("加分情形" if sign > 0 else "扣分情形"), unit=f.groups.get("unit", "次"),
                  delta=number(sign * (f.number("amount") or 0)))
    if f.param("once"):
        clause["once"] = True
    return True


def _reporting(clause: dict[str, Any], f: _Fragment, points: float) -> bool:
    for event in f.param("events", ()):
        clause[event] = number(-(f.number("amount") or 0))
    return True


def _false_report(clause: dict[str, Any], f: _Fragment, points: float) -> bool:
    share = f.param("share")
    deduct = f.number("deduct")
    if deduct is not None:
        share = max(0.0, (points - deduct) / points) if points > 0 else 0.0
    clause["share"] = number(share or 0)
    if f.groups.get("condition"):
        clause["condition"] = f.groups["condition"]
    return True


def _survey(clause: dict[str, Any], f: _Fragment, points: float) -> bool:
    factor = f.number("factor")
    if factor is not None:
        clause["factor"] = number(factor / 100 if f.groups.get("pct") else factor)
    else:
        clause["scale"] = number(f.param("scale", 100))
    return True


def _rate(clause: dict[str, Any], f: _Fragment, points: float) -> bool:
    part = f.param("part")
    _remember(clause, f)
    if part == "target":
        clause.update(measure=f.groups.get("measure", ""), target=number(f.number("target") or 0))
    elif part == "step":
        clause.update(step=number(f.number("step") or 1), delta=number(-(f.number("delta") or 0)))
    elif part == "rounding":
        clause["rounding"] = f.param("rounding")
    elif part == "zero_below":
        clause["zero_below"] = number(f.number("zero_below") or 0)
    else:
        clause["proportional"] = True
    return True


def _veto(clause: dict[str, Any], f: _Fragment, points: float) -> bool:
    if f.groups.get("condition"):
        clause["condition"] = f.groups["condition"]
    return True


_BUILDERS: dict[str, Callable[[dict[str, Any], _Fragment, float], bool]] = {
    "criterion": _criterion, "per_occurrence": _per_occurrence, "reporting": _reporting,
    "false_report": _false_report, "survey": _survey, "rate": _rate, "veto": _veto,
}


# =========================================================================== rule dicts
def validate_rule(rule: Mapping[str, Any]) -> None:
    """Refuse a rule dict that does not match ``data/schema/rule.schema.json`` (RuleError)."""
    validated(dict(rule), "rule", "评分规则")


def clauses(rule: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    """The clauses of a rule (one for a single-clause rule; none for no rule)."""
    if rule is None:
        return []
    return list(rule["clauses"]) if rule["kind"] == "combined" else [rule]


def kinds(rule: Mapping[str, Any] | None) -> list[str]:
    """The kinds of a rule's clauses, in order."""
    return [c["kind"] for c in clauses(rule)]


def directions(rule: Mapping[str, Any] | None) -> tuple[bool, bool]:
    """Whether a rule can add points to an item that starts from nothing (a bonus) and whether it
    can deduct: (adds, deducts).  A criterion, survey or rate grants points, so it adds."""
    adds = deducts = False
    for c in clauses(rule):
        if c["kind"] == "per_occurrence":
            adds, deducts = adds or c["delta"] > 0, deducts or c["delta"] < 0
        elif c["kind"] in ("criterion", "survey", "rate"):
            adds = True
        elif c["kind"] in ("reporting", "false_report"):
            deducts = True
    return adds, deducts


def examples(phrasings: Phrasings | None = None) -> Iterable[tuple[str, str]]:
    """(kind, example text) of every phrasing, for tests and documentation."""
    for p in (phrasings or default_phrasings()).items:
        for e in p.examples:
            yield p.kind, e
