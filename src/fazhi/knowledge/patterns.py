"""Regular expressions from knowledge files, checked before anything runs them.

Users write regular expressions into the knowledge files (the part phrasings,
the causes of a shortcoming, an indicator's ``exclude``/``requires``, the set
phrases of ``units.yaml``).  Python's backtracking engine can take exponential
time on some of them — ``(([^。]|[^。])*)*x`` over a long sentence never ends —
and a review that never ends holds a server worker.  So every pattern of a
knowledge text is checked when the text is parsed (:func:`check_data`, called by
:func:`fazhi.knowledge.parse`), and a text with a dangerous one is refused with
the place of the pattern, before it can be stored, activated or used:

- an unbounded repetition inside another unbounded repetition (``(a+)*``,
  ``(?:x[^。]*)+``) — the classic exponential case;
- an unbounded repetition of an alternation whose branches can begin with the
  same character (``(a|ab)*``, ``([^。]|[^。])*``) — exponential as well;
- a pattern that does not compile, or one longer than :data:`MAX_LENGTH`.

The check is static and conservative (it may refuse a harmless pattern, never
the other way round for these two shapes).  Reviews that run new knowledge for
a trial also run in a child process with the same time and memory limits as
uploads, so a slow pattern that is none of these shapes still cannot hold a
server.  Measured on the packaged files: checking their 81 patterns takes about
40 ms (mostly compiling them), once per text; matching is unchanged (the
``re`` module runs them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

try:  # Python 3.11+
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _c
    import sre_parse as _p

#: the fields of each knowledge file that hold regular expressions (``*``: every key or item)
PATTERN_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "parts": (("parts", "*", "heading", "*"), ("parts", "*", "text", "*")),
    "rules": (("rules", "*", "params", "causes"),),
    "indicators": (("indicators", "*", "exclude"), ("indicators", "*", "requires"),
                   ("indicators", "*", "qualifiers"), ("indicators", "*", "totals"), ("defaults", "totals")),
    "units": (("names", "*"),),
}
MAX_LENGTH = 2000
_ALL = None  # "any character" in a first-character set
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT}
_POSSESSIVE = getattr(_c, "POSSESSIVE_REPEAT", None)
_ATOMIC = getattr(_c, "ATOMIC_GROUP", None)
_DIGITS = frozenset({(0x30, 0x39), (0xFF10, 0xFF19)})  # ASCII and full-width digits


class PatternError(ValueError):
    """A regular expression that may run for exponential time, or does not compile (message in Chinese);
    ``location`` is its place in the file (``parts/shortcomings/text/2``)."""

    def __init__(self, message: str, location: str = "") -> None:
        super().__init__(message)
        self.location = location


def _paths(data: Any, path: tuple[str, ...], where: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    if not path:
        yield "/".join(where), data
        return
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        keys = list(data) if head == "*" else [head] if head in data else []
        for k in keys:
            yield from _paths(data[k], rest, (*where, str(k)))
    elif isinstance(data, list) and head == "*":
        for i, item in enumerate(data):
            yield from _paths(item, rest, (*where, str(i)))


def check_data(name: str, data: Any) -> None:
    """Check every regular expression of the parsed knowledge file ``name``; raise :class:`PatternError`."""
    for path in PATTERN_FIELDS.get(name, ()):
        for location, value in _paths(data, path):
            if isinstance(value, str):
                check(value, location)


def check(pattern: str, location: str = "") -> None:
    """Refuse ``pattern`` (:class:`PatternError`) when it does not compile or may backtrack exponentially."""
    if len(pattern) > MAX_LENGTH:
        raise PatternError(f"正则表达式过长（{len(pattern)} 个字符，上限 {MAX_LENGTH}）", location)
    try:
        parsed = _p.parse(pattern)
        re.compile(pattern)
    except re.error as exc:
        raise PatternError(f"正则表达式无法编译：{exc}（{pattern}）", location) from None
    problem = _walk(list(parsed), inside=False)
    if problem:
        raise PatternError(f"正则表达式可能导致灾难性回溯（{problem}），请改写：{pattern}", location)


def _walk(seq: list[Any], inside: bool) -> str | None:
    """The first dangerous construct in the parsed ``seq`` (``inside``: within an unbounded repetition)."""
    for op, av in seq:
        if op in _REPEATS:
            _lo, hi, sub = av
            unbounded = hi == _c.MAXREPEAT
            if unbounded and _can_match_something(list(sub)):
                if inside:
                    return "无界重复嵌套在另一个无界重复之中"
                if _overlapping_branches(list(sub)):
                    return "无界重复内的分支可以从同一字符开始"
            problem = _walk(list(sub), inside or unbounded)
        elif op == _POSSESSIVE or op == _ATOMIC:  # no backtracking into these
            sub = av[2] if op == _POSSESSIVE else av
            problem = _walk(list(sub), False)
        elif op == _c.SUBPATTERN:
            problem = _walk(list(av[-1]), inside)
        elif op == _c.BRANCH:
            problem = next((p for b in av[1] if (p := _walk(list(b), inside))), None)
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            problem = _walk(list(av[1]), inside)
        else:
            problem = None
        if problem:
            return problem
    return None


def _can_match_something(seq: list[Any]) -> bool:
    return any(op not in (_c.AT, _c.ASSERT, _c.ASSERT_NOT) for op, _ in seq)


def _overlapping_branches(seq: list[Any]) -> bool:
    """Whether ``seq`` is (a group around) an alternation two of whose branches can start alike."""
    while len(seq) == 1 and seq[0][0] == _c.SUBPATTERN:
        seq = list(seq[0][1][-1])
    if len(seq) == 1 and seq[0][0] == _c.BRANCH:
        firsts = [_first(list(b)) for b in seq[0][1][1]]
        for i, a in enumerate(firsts):
            for b in firsts[i + 1:]:
                if a is _ALL or b is _ALL or _meet(a, b):
                    return True
    return False


def _meet(a: frozenset[tuple[int, int]], b: frozenset[tuple[int, int]]) -> bool:
    return any(lo1 <= hi2 and lo2 <= hi1 for lo1, hi1 in a for lo2, hi2 in b)


Chars = frozenset[tuple[int, int]]  # code point ranges (lo, hi), both ends included


def _first(seq: list[Any]) -> Chars | None:
    """The characters a match of ``seq`` can begin with (``None``: any character)."""
    out: set[tuple[int, int]] = set()
    for op, av in seq:
        got, optional = _first_one(op, av)
        if got is _ALL:
            return _ALL
        out |= got
        if not optional:
            return frozenset(out)
    return _ALL if not out else frozenset(out)  # the whole sequence may match nothing


def _first_one(op: Any, av: Any) -> tuple[Chars | None, bool]:
    """(first characters, whether the item may match the empty string)."""
    if op == _c.LITERAL:
        return frozenset({(av, av)}), False
    if op == _c.IN:
        return _in_set(av), False
    if op in _REPEATS or op == _POSSESSIVE:
        lo, _hi, sub = av
        return _first(list(sub)), lo == 0
    if op == _c.SUBPATTERN:
        return _first(list(av[-1])), False
    if op == _c.BRANCH:
        sets = [_first(list(b)) for b in av[1]]
        if any(s is _ALL for s in sets):
            return _ALL, False
        return frozenset().union(*(s for s in sets if s is not None)), False
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return frozenset(), True
    return _ALL, False  # ANY, NOT_LITERAL, CATEGORY outside a set, group references …


def _in_set(items: list[Any]) -> Chars | None:
    out: set[tuple[int, int]] = set()
    for op, av in items:
        if op == _c.NEGATE:
            return _ALL
        if op == _c.LITERAL:
            out.add((av, av))
        elif op == _c.RANGE:
            out.add(tuple(av))
        elif op == _c.CATEGORY and av == _c.CATEGORY_DIGIT:
            out |= _DIGITS
        else:
            return _ALL
    return frozenset(out)


__all__ = ["MAX_LENGTH", "PATTERN_FIELDS", "PatternError", "check", "check_data"]
