"""Applicability: which units an item of a 考核细则 concerns, as a tiny safe expression.

A profile item may concern only some units: ``type in ['乡镇','街道']``, ``enforcement and level ==
'county'``, ``not type == '政府'``, ``'执法' in name``.  The expression is read by the small parser
below (a tokenizer and a recursive-descent parser over a fixed grammar) and evaluated over a unit's
attributes; it is never handed to ``eval`` and can name nothing but the unit attributes listed in
:data:`ATTRIBUTES`, so a text such as ``__import__('os')`` is refused with the position of the
offending word.  Chinese spellings are accepted too: ``类型 属于 ['乡镇','街道'] 且 执法权``.

Grammar::

    expr   := and ('or' and)*
    and    := unary ('and' unary)*
    unary  := 'not' unary | compare
    compare:= value (('==' | '!=' | 'in' | 'not in') value)?
    value  := ATTRIBUTE | STRING | NUMBER | true | false | '[' (value (',' value)*)? ']' | '(' expr ')'

A unit may be brought in or left out by hand against the expression: an :class:`Override` says
which, by whom, and why (a reason is required).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

#: the unit attributes an expression may use, with their Chinese names
ATTRIBUTES = {"type": "类型", "level": "层级", "enforcement": "执法权", "region": "区划代码", "name": "名称"}
#: attributes that are true or false (a check can try both values)
BOOLEAN_ATTRIBUTES = ("enforcement",)

_WORDS = {
    "and": "and", "且": "and", "并且": "and", "or": "or", "或": "or", "或者": "or", "not": "not", "非": "not",
    "in": "in", "属于": "in", "不属于": "not in", "等于": "==", "不等于": "!=",
    "true": True, "True": True, "是": True, "false": False, "False": False, "否": False,
    "类型": "type", "层级": "level", "执法权": "enforcement", "有执法权": "enforcement",
    "区划代码": "region", "区划": "region", "名称": "name",
}
_CHINESE_WORDS = sorted((w for w in _WORDS if not w.isascii()), key=len, reverse=True)
_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<string>'[^']*'|\"[^\"]*\"|‘[^’]*’|“[^”]*”)"
    r"|(?P<number>\d+(?:\.\d+)?)"
    r"|(?P<op>==|!=|[\[\]()，,【】（）])"
    r"|(?P<word>[A-Za-z_][A-Za-z_0-9]*|" + "|".join(_CHINESE_WORDS) + ")"
)
_PUNCT = {"，": ",", "【": "[", "】": "]", "（": "(", "）": ")"}


class ApplicabilityError(ValueError):
    """An expression that cannot be read or evaluated; ``position`` is 1-based (0: the whole
    expression), the message is Chinese and names it."""

    def __init__(self, message: str, position: int = 0) -> None:
        where = f"第 {position} 个字符处：" if position else ""
        super().__init__(f"适用条件有误：{where}{message}")
        self.position = position


@dataclass(frozen=True)
class Override:
    """A unit brought into or left out of an item by hand, against its expression."""

    applies: bool
    reason: str
    by: str = ""

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("人工调整适用范围必须写明理由")


@dataclass(frozen=True)
class Decision:
    """Whether an item applies to a unit, and why (Chinese)."""

    applies: bool
    reason: str


@dataclass(frozen=True)
class _Token:
    kind: str  # string, number, op, word, end
    value: Any
    pos: int  # 1-based


@dataclass(frozen=True)
class Node:
    """A parsed expression: op is attr, const, list, not, and, or, ==, !=, in, not in."""

    op: str
    args: tuple[Any, ...]
    pos: int


# =========================================================================== reading
def _tokens(text: str) -> list[_Token]:
    out, i = [], 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if m is None:
            run = re.match(r"[\u4e00-\u9fff]+", text[i:])
            if run:
                raise ApplicabilityError(f"不认识的名称“{run.group(0)}”（文字要加引号，如 '乡镇'）", i + 1)
            hint = "（比较相等请写“==”）" if text[i] == "=" else ""
            raise ApplicabilityError(f"无法识别“{text[i]}”{hint}", i + 1)
        kind, raw = m.lastgroup or "", m.group(0)
        if kind == "string":
            out.append(_Token("string", raw[1:-1], i + 1))
        elif kind == "number":
            out.append(_Token("number", float(raw) if "." in raw else int(raw), i + 1))
        elif kind == "op":
            out.append(_Token("op", _PUNCT.get(raw, raw), i + 1))
        elif kind == "word":
            out.append(_word(raw, i + 1))
        i = m.end()
    return [*out, _Token("end", None, len(text) + 1)]


def _word(raw: str, pos: int) -> _Token:
    meaning = _WORDS.get(raw, raw)
    if isinstance(meaning, bool):
        return _Token("const", meaning, pos)
    if meaning in ATTRIBUTES:
        return _Token("attr", meaning, pos)
    if meaning in ("and", "or", "not", "in", "not in", "==", "!="):
        return _Token("op", meaning, pos)
    known = "、".join(f"{k}（{v}）" for k, v in ATTRIBUTES.items())
    raise ApplicabilityError(f"不认识的名称“{raw}”，只能使用单位属性 {known}", pos)


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    @property
    def tok(self) -> _Token:
        return self.toks[self.i]

    def take(self, *values: Any) -> _Token | None:
        t = self.tok
        if t.kind == "op" and t.value in values:
            self.i += 1
            return t
        return None

    def expect(self, value: str) -> None:
        if self.take(value) is None:
            raise ApplicabilityError(f"此处应为“{value}”，却是{_describe(self.tok)}", self.tok.pos)

    def parse(self) -> Node:
        node = self.or_()
        if self.tok.kind != "end":
            raise ApplicabilityError(f"多余的{_describe(self.tok)}", self.tok.pos)
        return node

    def or_(self) -> Node:
        node = self.and_()
        while (t := self.take("or")) is not None:
            node = Node("or", (node, self.and_()), t.pos)
        return node

    def and_(self) -> Node:
        node = self.unary()
        while (t := self.take("and")) is not None:
            node = Node("and", (node, self.unary()), t.pos)
        return node

    def unary(self) -> Node:
        t = self.take("not")
        if t is not None:
            if self.take("in") is not None:
                raise ApplicabilityError("“not in”前缺少要比较的值", t.pos)
            return Node("not", (self.unary(),), t.pos)
        return self.compare()

    def compare(self) -> Node:
        left = self.value()
        t = self.tok
        if self.take("==", "!=", "in", "not in") is not None:
            return Node(t.value, (left, self.value()), t.pos)
        if self.take("not") is not None:  # "x not in [...]"
            self.expect("in")
            return Node("not in", (left, self.value()), t.pos)
        return left

    def value(self) -> Node:
        t = self.tok
        if t.kind in ("attr", "string", "number", "const"):
            self.i += 1
            return Node("attr" if t.kind == "attr" else "const", (t.value,), t.pos)
        if self.take("[") is not None:
            items: list[Node] = []
            while self.take("]") is None:
                if items:
                    self.expect(",")
                items.append(self.value())
            return Node("list", tuple(items), t.pos)
        if self.take("(") is not None:
            node = self.or_()
            self.expect(")")
            return node
        raise ApplicabilityError(f"此处应为单位属性、带引号的文字、数字或列表，却是{_describe(t)}", t.pos)


def _describe(t: _Token) -> str:
    return "表达式的结尾" if t.kind == "end" else f"“{t.value}”"


@lru_cache(maxsize=1024)
def parse(expr: str) -> Node:
    """The parsed expression (cached); raises :class:`ApplicabilityError` with the position."""
    if not expr.strip():
        raise ApplicabilityError("适用条件为空")
    return _Parser(expr).parse()


def check(expr: str | None) -> None:
    """Refuse an expression that cannot be read (None or empty: the item applies to every unit)."""
    if expr is not None and expr.strip():
        parse(expr)


def names(expr: str | None) -> frozenset[str]:
    """The unit attributes an expression uses."""
    if expr is None or not expr.strip():
        return frozenset()
    found: set[str] = set()
    stack = [parse(expr)]
    while stack:
        node = stack.pop()
        if node.op == "attr":
            found.add(node.args[0])
        else:
            stack.extend(a for a in node.args if isinstance(a, Node))
    return frozenset(found)


# =========================================================================== evaluating
def _eval(node: Node, attrs: Mapping[str, Any]) -> Any:
    op, args = node.op, node.args
    if op == "const":
        return args[0]
    if op == "attr":
        if args[0] not in attrs:
            raise ApplicabilityError(f"单位缺少属性“{args[0]}”（{ATTRIBUTES[args[0]]}）", node.pos)
        return attrs[args[0]]
    if op == "list":
        return [_eval(a, attrs) for a in args]
    if op == "not":
        return not _eval(args[0], attrs)
    if op == "and":
        return bool(_eval(args[0], attrs)) and bool(_eval(args[1], attrs))
    if op == "or":
        return bool(_eval(args[0], attrs)) or bool(_eval(args[1], attrs))
    left, right = _eval(args[0], attrs), _eval(args[1], attrs)
    if op in ("==", "!="):
        return (left == right) == (op == "==")
    if isinstance(right, str) and isinstance(left, str):
        found = left in right
    elif isinstance(right, list):
        found = left in right
    else:
        raise ApplicabilityError("“in”的右边应为列表或文字", node.pos)
    return found == (op == "in")


def applies(expr: str | None, unit_attrs: Mapping[str, Any], override: Override | None = None) -> bool:
    """Whether an item with applicability ``expr`` concerns a unit with ``unit_attrs`` (keys of
    :data:`ATTRIBUTES`); an override decides instead of the expression."""
    return decide(expr, unit_attrs, override).applies


def decide(expr: str | None, unit_attrs: Mapping[str, Any], override: Override | None = None) -> Decision:
    """:func:`applies` with the reason, for the record of an assessment."""
    if override is not None:
        by = f"（{override.by}）" if override.by else ""
        return Decision(override.applies, f"人工调整为{'适用' if override.applies else '不适用'}{by}：{override.reason}")
    if expr is None or not expr.strip():
        return Decision(True, "适用于所有单位")
    result = bool(_eval(parse(expr), unit_attrs))
    return Decision(result, f"适用条件“{expr}”{'成立' if result else '不成立'}")
