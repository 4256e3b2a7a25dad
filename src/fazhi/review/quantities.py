"""Stage 6 — quantities: every statistical figure in the text.

A quantity is a number followed by a measure word (``data/units.yaml``) or
``%``: ``4次``, ``98.4万元`` (984000 元), ``两千余人`` (2000 人, approximate),
``近600余人次``.  Everything else that looks like a number is left out by
rules that hold for any report:

- no measure word, no quantity: dates and years (2023年, 7月, 19日), document
  numbers (〔2023〕9号), outline markers (1. （一） 一是), codes and hotlines
  (12345热线), versions (3.0升级版), anniversaries (75周年) never carry one;
- ordinals and ranks (第1位, 第二届, 前3名);
- figures joined to ``+ × /`` (“2+3+N”, 5+X, 7×24) are formulas or codes,
  and ``3-5个``, ``3～5个工作日`` are ranges;
- figures inside a short quotation “…” or a book title 《…》 are names
  (“四张清单”, “八五”普法, 《……（2021—2025年）》);
- set phrases listed in ``units.yaml`` ``names`` (三项制度, 一岗双责 …);
- vague Chinese numbers: 数万余人, 几十, 上千, 成百; the bare numeral 一 only
  counts after its noun at the end of a clause (“应急分队一个，”), never in
  一批/一套/一次性/每月一个 (“a batch of”, “once a month”).

The text is scanned once with one compiled pattern (built from the data file
at first use); offsets index ``review.text``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from fazhi.knowledge import Knowledge, files
from fazhi.review.model import Quantity, Review
from fazhi.units import divisions

# Full-width digits and signs mapped one to one, so offsets are unchanged.
_FULLWIDTH = str.maketrans("０１２３４５６７８９％．", "0123456789%.")
_HAS_FULLWIDTH = re.compile("[０-９％]")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}

_SP = "[ \u3000\t]{0,2}"
_AR = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]++)(?:\.[0-9]++)?"  # possessive: a shorter run of digits never fits better
_CN = "[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*"
_CN_ROUND = "[百千万](?=[余多])|(?<=[逾近超约])[百千万]"  # 百余人, 千余件, 万余份, 近千人
_PCT = "百分之(?:[0-9]+(?:\\.[0-9]+)?|[一二两三四五六七八九十百][零〇一二两三四五六七八九十百]*)"

# A clause or sentence ends here; the bare numeral 一 must be followed by one.
_CLAUSE_END = set("，,、；;。！!？?：:）)\n”\"") | {""}
_DASHES = set("-－~～—–")
_NUMERAL_END = set("0123456789０１２３４５６７８９一二两三四五六七八九十百千万")
_VAGUE_BEFORE = set("数几上成好每第")
_CN_ANY = set("零〇一二两三四五六七八九十百千万亿")
_PLUS = set("+＋×*/／")
_OPEN_BRACKETS = set("〔[【")
_REFUSED_BEFORE = frozenset(_PLUS | _OPEN_BRACKETS | {"第"})  # a formula, a code, a document number, an ordinal


def chinese_number(s: str) -> int | None:
    """``"十二"`` → 12, ``"两千"`` → 2000, ``"一万二千"`` → 12000; ``None`` when malformed."""
    if not s:
        return None
    total = 0  # the part counted in 万 and 亿
    section = 0  # current section below 万
    digit: int | None = None
    for ch in s:
        if ch in "零〇":  # a placeholder: 一百零五; 二〇二三 is a year, not a number
            if digit is not None:
                return None
            continue
        if ch in _CN_DIGITS:
            if digit is not None:  # two digits in a row: 二三十, 一二 — a range or a list
                return None
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        elif ch == "亿":  # everything so far is counted in 亿
            total = (total + section + (digit or 0)) or 1
            total *= 100_000_000
            section, digit = 0, None
        elif ch == "万":  # the section below 万 is counted in 万
            total += ((section + (digit or 0)) or 1) * 10_000
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


@dataclass(frozen=True)
class _Lexicon:
    pattern: re.Pattern[str]
    approx_before: re.Pattern[str]
    names: re.Pattern[str] | None
    multipliers: dict[str, int]
    typos: dict[str, tuple[str, str]]  # written -> (unit, not_before)
    not_units: tuple[str, ...]
    quotes: re.Pattern[str]
    approx_last: frozenset[str]  # last characters of the approximation words before a figure
    units: frozenset[str]  # the measure words (for table cells, whose unit is in a label)


# the groups of the quantity pattern, in order (``_quantity`` reads them with one ``groups()``)
_GROUPS = ("pct", "pafter", "ar", "cn", "mult", "between", "mult2", "unit", "after", "arm", "multm", "betm")
_UNIT = _GROUPS.index("unit") + 1


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _lexicon(kn: Knowledge) -> _Lexicon:
    return kn.compiled("quantities.lexicon", lambda: _compile(kn["units"]))


def _compile(data: dict[str, Any]) -> _Lexicon:
    units = [u.replace("％", "%") for u in data["units"]]
    typos = {t["written"]: (t["unit"], t.get("not_before", "")) for t in data.get("typos", [])}
    mult = {k: int(v) for k, v in data["multipliers"].items()}
    approx = data["approx"]
    m_alt, b_alt, a_alt = _alt(list(mult)), _alt(approx["between"]), _alt(approx["after"])
    # what may follow a number of a quantity: a multiplier, an approximation word or a measure word —
    # checked as one character class first, so that the many numerals of running text (进一步, 统一)
    # are passed over without trying every measure word
    follows = "".join(sorted({w[0] for w in (*mult, *approx["between"], *units, *typos)}))
    pattern = re.compile(
        # the lookahead lets the engine skip quickly to the next digit
        "(?=[0-9一二两三四五六七八九十百千万])(?:"
        # 百分之九十(以上)
        rf"(?P<pct>{_PCT})(?P<pafter>{a_alt})?"
        # 4万余份, 2000余人次, 两千余人, 98.4万元, 50余万元, 90%以上
        rf"|(?:(?P<ar>{_AR})|(?P<cn>{_CN}|{_CN_ROUND}))(?={_SP}[{re.escape(follows)}])"
        rf"(?:{_SP}(?P<mult>{m_alt}))?"
        rf"(?:{_SP}(?P<between>{b_alt}))?(?P<mult2>{m_alt})?"
        rf"{_SP}(?P<unit>{_alt(units + list(typos))})(?P<after>{a_alt})?"
        # 2.3万 with no measure word
        rf"|(?P<arm>{_AR}){_SP}(?P<multm>{m_alt})(?:{_SP}(?P<betm>{b_alt}))?"
        ")"
    )
    if tuple(pattern.groupindex) != _GROUPS or pattern.groups != len(_GROUPS):
        raise AssertionError("the quantity pattern's groups are not in the order _quantity reads them")
    approx_before = re.compile(rf"(?:{_alt(approx['before'])})[ \u3000]?$")
    names = data.get("names") or []
    names_re = re.compile("|".join(f"(?:{n})" for n in names)) if names else None
    quotes = re.compile(r"“[^“”\n]{1,30}”|\"[^\"\n]{1,30}\"|「[^「」\n]{1,30}」|‘[^‘’\n]{1,30}’"
                        r"|《[^《》\n]{1,80}》|<[^<>\n]{1,60}>")
    return _Lexicon(pattern, approx_before, names_re, mult, typos,
                    tuple(data.get("not_units") or ()), quotes,
                    frozenset(w[-1] for w in approx["before"]), frozenset(units))


def _decimal(s: str) -> Decimal | int | None:
    """The number written in Arabic digits: an ``int`` for a whole number (most are), else a ``Decimal`` (exact
    when multiplied: 98.4万 is 984000)."""
    if s.isdigit():
        return int(s)
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None


def _number(value: Decimal | int) -> int | float:
    if isinstance(value, int) or value == value.to_integral_value():
        return int(value)
    return float(value)


class _Quoted:
    """Spans of short quotations and book titles, computed on first use."""

    __slots__ = ("_ends", "_pattern", "_ready", "_starts", "_text")

    def __init__(self, text: str, pattern: re.Pattern[str]) -> None:
        self._text = text
        self._pattern = pattern
        self._ready = False
        self._starts: list[int] = []
        self._ends: list[int] = []

    def covers(self, start: int, end: int) -> bool:
        if not self._ready:
            for m in self._pattern.finditer(self._text):
                self._starts.append(m.start())
                self._ends.append(m.end())
            self._ready = True
        i = bisect.bisect_right(self._starts, start) - 1
        return i >= 0 and self._ends[i] >= end


def _prev_char(t: str, pos: int) -> str:
    i = pos - 1
    while i >= 0 and t[i] in " \u3000\t":
        i -= 1
    return t[i] if i >= 0 else ""


def scan(text: str, kn: Knowledge | None = None) -> list[Quantity]:
    """All quantities of ``text`` in order (offsets index ``text``), with the units of ``kn`` (default: the
    files')."""
    lex = _lexicon(kn or files())
    t = divisions.simplified(text)  # 場次, 萬元 in a report in traditional characters
    t = t.translate(_FULLWIDTH) if _HAS_FULLWIDTH.search(t) else t
    quoted = _Quoted(t, lex.quotes)
    out: list[Quantity] = []
    for m in lex.pattern.finditer(t):
        q = _quantity(t, text, m, lex, quoted)
        if q is not None:
            out.append(q)
    if "\t" in t:
        out = _with_table_cells(t, text, out, lex)
    return out


# --- tables -------------------------------------------------------------------
# A table row is one line, its cells separated by tabs (as read from .docx and
# as typed in .txt).  A cell holding a bare number takes its measure word from
# the row's label (行政复议案件（件）), a unit column (单位 / 计量单位) or its
# column's header (数量（件）); a number with no measure word anywhere (序号, a
# year) is no quantity.
_CELL_NUM = re.compile(rf"\s*(?P<n>{_AR})\s*(?P<mult>万|亿)?\s*")
_LABEL_UNIT = re.compile(r"[（(]\s*([^（）()\t]{1,6}?)\s*[）)]\s*$")
_UNIT_HEADERS = frozenset({"单位", "计量单位"})


def _cell_unit(s: str, lex: _Lexicon) -> tuple[str, int] | None:
    """'件' / '万元' / '%' → (measure word, multiplier); None if not a measure word."""
    s = s.strip().replace("％", "%")
    mult = 1
    for k in sorted(lex.multipliers, key=len, reverse=True):
        if s.startswith(k) and s[len(k):] in lex.units:
            mult, s = lex.multipliers[k], s[len(k):]
            break
    return (s, mult) if s in lex.units else None


def _cells(t: str, start: int, end: int) -> list[tuple[int, int]]:
    out, a = [], start
    while True:
        b = t.find("\t", a, end)
        if b < 0:
            out.append((a, end))
            return out
        out.append((a, b))
        a = b + 1


def _with_table_cells(t: str, text: str, found: list[Quantity], lex: _Lexicon) -> list[Quantity]:
    """``found`` with the bare numbers of table cells added (in text order)."""
    rows: list[tuple[int, int]] = []
    pos = 0
    for line in t.split("\n"):
        rows.append((pos, pos + len(line)))
        pos += len(line) + 1
    taken = [(q.start, q.end) for q in found]
    extra: list[Quantity] = []
    col_units: dict[int, tuple[str, int]] = {}
    unit_col: int | None = None
    in_table = False
    for a, b in rows:
        if "\t" not in t[a:b]:
            in_table = False
            continue
        cells = _cells(t, a, b)
        if not in_table:  # the first row of a table: its header
            in_table = True
            col_units, unit_col = {}, None
            for i, (ca, cb) in enumerate(cells):
                head = t[ca:cb].strip()
                if head in _UNIT_HEADERS:
                    unit_col = i
                m = _LABEL_UNIT.search(t, ca, cb)
                u = _cell_unit(m.group(1), lex) if m else None
                if u:
                    col_units[i] = u
        row_unit = None
        m = _LABEL_UNIT.search(t, cells[0][0], cells[0][1])
        if m:
            row_unit = _cell_unit(m.group(1), lex)
        if row_unit is None and unit_col is not None and unit_col < len(cells):
            row_unit = _cell_unit(t[cells[unit_col][0]:cells[unit_col][1]], lex)
        for i, (ca, cb) in enumerate(cells):
            if i == 0 or i == unit_col:
                continue
            m = _CELL_NUM.fullmatch(t, ca, cb)
            unit = row_unit or col_units.get(i)
            if m is None or unit is None:
                continue
            s, e = m.start("n"), m.end("mult") if m.group("mult") else m.end("n")
            if any(x < e and s < y for x, y in taken):
                continue
            value = _decimal(m.group("n"))
            if value is None:
                continue
            if m.group("mult"):
                value *= lex.multipliers[m.group("mult")]
            value *= unit[1]
            extra.append(Quantity(value=_number(value), unit=unit[0], approx=False, start=s, end=e,
                                  text=text[s:e]))
    if not extra:
        return found
    return sorted(found + extra, key=lambda q: q.start)


def _quantity(t: str, text: str, m: re.Match[str], lex: _Lexicon, quoted: _Quoted) -> Quantity | None:
    start, end = m.span()
    # all the groups at once, in the order of _GROUPS
    pct, pafter, ar, cn, mult1, between, mult2, unit, after, arm, multm, betm = m.groups()
    mult: str | None = None
    if pct is not None:  # 百分之九十
        unit = "%"
        after = pafter
    elif ar is None and cn is None:  # 2.3万
        ar, mult, between = arm, multm, betm
    else:
        mult = mult1 or mult2
        if mult1 and mult2:
            return None
        if unit in lex.typos:  # 160余其 → 160余起
            real, not_before = lex.typos[unit]
            nxt = t[m.end(_UNIT):m.end(_UNIT) + 1]
            if not between or (nxt and nxt in not_before):
                return None
            unit = real
        elif lex.not_units and t.startswith(lex.not_units, m.start(_UNIT)):
            return None  # 12单位, 3处罚款: no measure word

    # --- what comes before and after -------------------------------------
    prev = t[start - 1] if start else ""
    if prev in " \u3000\t":
        prev = _prev_char(t, start)
    if prev in _REFUSED_BEFORE:
        return None
    if prev in _DASHES and _prev_char(t, t.rfind(prev, 0, start)) in _NUMERAL_END:
        return None  # 3-5个, 3～5个工作日: a range (a dash after text is punctuation: ——全年…)
    if prev.isascii() and prev.isalpha():  # G20, No.3 — codes
        return None
    if t[end:end + 1] in _PLUS:  # 2+3+N, 1+4, 5+X
        return None
    if prev == "前" and unit in ("名", "位"):  # 前3名: a rank
        return None

    # --- the number -------------------------------------------------------
    value: Decimal | int | None
    if pct is not None:
        body = pct[3:]
        value = _decimal(body) if body[:1].isdigit() else chinese_number(body)
    elif ar is not None:
        value = int(ar) if ar.isdigit() else _decimal(ar)
    else:
        assert cn is not None
        if prev in _VAGUE_BEFORE or prev in _CN_ANY:  # 数万余人, 几十次
            return None
        if cn == "一" and not _lone_one_counts(t, start, end):
            return None
        value = chinese_number(cn)
    if value is None:
        return None
    if mult:
        if cn is not None:  # 五万 is read whole by the numeral pattern
            return None
        value *= lex.multipliers[mult]

    if lex.names is not None and lex.names.match(t, start):
        return None
    if cn is not None and _starts_place_name(t, start, end):
        return None  # 三台县, 七台河市, 三门峡市: a place, not a count
    if quoted.covers(start, end):
        return None

    # --- approximation ----------------------------------------------------
    quals: list[str] = []
    pm = lex.approx_before.search(t, max(0, start - 5), start) if prev in lex.approx_last else None
    if pm is not None:
        quals.append(pm.group().strip())
        start = pm.start()
    if between:
        quals.append(between)
    if after:
        quals.append(after)
    return Quantity(value if value.__class__ is int else _number(value), unit, bool(quals), start, end,
                    text[start:end], "…".join(quals) if quals else None)


def _starts_place_name(t: str, start: int, end: int) -> bool:
    """Does the name of an administrative division start at ``start`` and run past ``end``?"""
    table = divisions.load()
    for length in range(end - start + 1, min(end - start + 4, len(t) - start) + 1):
        if table.ids(t[start:start + length]):
            return True
    return False


def _lone_one_counts(t: str, start: int, end: int) -> bool:
    """The bare numeral 一 is a count only after its noun, closing a clause.

    "成立应急分队一个，" counts; "一批", "一套完整的", "一次性", "每月一个主题",
    "至少听取一次" do not.
    """
    if t[end:end + 1] not in _CLAUSE_END:
        return False
    before = t[max(0, start - 8):start]
    for stop in "，,；;。\n":
        i = before.rfind(stop)
        if i >= 0:
            before = before[i + 1:]
    if "每" in before or "至少" in before:
        return False
    prev = _prev_char(t, start)
    return "\u4e00" <= prev <= "\u9fff"


def extract(review: Review) -> list[Quantity]:
    """Stage 6: every statistical quantity of the report."""
    return scan(review.text, review.kn)
