"""Stage 5 — who wrote the report (issuer), the year reported on, the signing date.

Sources, in order of trust:

1. the title lines at the top (``XX区人民政府关于2023年度……的报告``, ``中共XX县委
   XX县人民政府关于……``, ``XX区司法局2023年……``, a title whose issuer line is
   split from the rest); an addressee line (``市人民政府：``) is skipped;
2. the signature block at the end (issuer line(s) above the date line);
3. the body: the unit the report calls itself (``我区``/``我县``/``我镇``…) named in
   the first paragraphs (``平桥区坚持……``), else the most mentioned unit of that level.

Names are matched against the divisions table (:mod:`fazhi.units.divisions`).  A name
that several divisions share (鼓楼区, 城关镇) is decided by the other place names
of the report: its ancestors (南京市, 江苏省), its descendants and siblings
(townships, neighbouring counties); when they do not decide, the issuer is
returned ``ambiguous`` with ``candidates`` and the undecided fields left None.

Conventions (see also :mod:`fazhi.units.divisions`): a department (区司法局,
县人民政府办公室) has level ``department`` and the region of its government; a
central department (司法部, 国家税务总局) has every region field None; a
district of a municipality has ``city`` None; a county-level unit directly under
a province (济源市, 仙桃市 …) is level ``county`` with ``city`` None; a unit
named by an older name (密云县, 长治县) is reported by its current successor
(密云区, 上党区), its name kept as written.  Text in traditional characters is
converted first (one character for one, so spans are unchanged).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fazhi.review.model import Issuer, Review, Span
from fazhi.units import divisions

__all__ = ["IssuerResult", "resolve"]


@dataclass(slots=True)
class IssuerResult:
    issuer: Issuer | None = None
    year: int | None = None
    year_evidence: Span | None = None
    date: str | None = None
    date_evidence: Span | None = None


# ----------------------------------------------------------------------------
# patterns
_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
_CN_Y = "〇零○Ｏ0一二三四五六七八九"
_DATE_RES = (
    re.compile(r"(?P<y>20\d\d)\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
    re.compile(rf"(?P<y>二[{_CN_Y}]{{3}})\s*年\s*(?P<m>[一二三四五六七八九十]{{1,2}})\s*月"
               rf"\s*(?P<d>[一二三四五六七八九十]{{1,3}})\s*日"),
    re.compile(r"(?<![\d.])(?P<y>20\d\d)\s*[.\-/．]\s*(?P<m>\d{1,2})\s*[.\-/．]\s*(?P<d>\d{1,2})(?![\d.])"),
)
_DATE_LABEL = re.compile(r"发布|来源|时间|日期|浏览|点击|更新|阅读|字号|打印|分享|印发|抄送")
_YEAR_RE = re.compile(rf"(?<!\d)(20[1-4]\d)\s*年|(二[{_CN_Y}]{{3}})\s*年")
_YEAR_BARE = re.compile(r"(?<!\d)(20[1-4]\d)(?!\d)")
_BODY_YEAR = re.compile(r"(?<!\d)(20[1-4]\d)\s*年(?!\s*\d{1,2}\s*月)")
_CLOCK = re.compile(r"\d{1,2}\s*[:：]\s*\d{2}")
_QUOTED = re.compile(r"《[^》\n]*》")
_SENT_END = re.compile(r"[。；;！!？?]")
_OUTLINE = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[、.．])")
_DOCNO = re.compile(r"〔\s*20\d\d\s*〕|\[\s*20\d\d\s*\]|［20\d\d］|第\s*\d+\s*号$|^\s*附件|此件|公开发布|^\s*签发人")
_WEB_META = re.compile(r"来源[：:]|发布(?:时间|日期)|浏览|点击|字号|当前位置|首页\s*[>＞]|打印本页|关闭窗口")
_TITLE_WORDS = re.compile(r"报告|总结|情况|法治|依法行政")
_CLAUSE_SEP = "，,、；;：:。（）()《》“”\"' \u3000\t"

# organisation words after a region name
_GOV_OFFICE = re.compile(r"\s*((?:人民)?政府(?:办公室|办公厅|办))")
_GOV = re.compile(r"\s*(人民政府|政府|行政公署|管理委员会|管委会|街道办事处|办事处|街道办|街道|街办)")
_PARTY = re.compile(r"\s*(委员会|委)(?=\s|、|和|与|及|$|关于|20\d\d|[二〇]|[\u4e00-\u9fff]{2,8}(?:人民政府|政府))")
_DEPT_END = r"(?=关于|20\d\d|二[〇零○]|[（(]|法治|依法|年度|\s|$|：|:)"
_DEPT = re.compile(r"\s*((?:人民政府)?[\u4e00-\u9fff]{1,16}?(?:局|厅|委员会|委|办公室|办|署|中心|大队|支队|总队|院|所))"
                   + _DEPT_END)
# a department named without its region: 市司法局, 区人民政府办公室, 县委依法治县办
_BARE_DEPT = re.compile(r"\s*(?:中共)?(省|自治区|市|州|盟|县|区|旗|镇|乡|街道)(?!委)((?:人民)?政府(?:办公室|办公厅|办)"
                        r"|[\u4e00-\u9fff]{1,16}?(?:局|厅|委员会|办公室|署|中心|大队|支队))" + _DEPT_END)
_BARE_GOV = re.compile(r"\s*(?:中共)?(省|自治区|市|州|盟|县|区|旗|镇|乡|街道)(人民政府|政府|办事处)")
# a central department: 司法部, 国家税务总局, 国务院国有资产监督管理委员会
_CENTRAL = re.compile(r"\s*((?:中华人民共和国|国务院|国家|中国)?[\u4e00-\u9fff]{1,16}?(?:部|总局|局|委员会|署|院|办公厅|银行))"
                      + _DEPT_END)
# a township or street the table does not list (created after the data year), after its county
_NEW_TOWN = re.compile(r"\s*([\u4e00-\u9fff]{1,6}?(?:街道|镇|乡))(?:办事处|街道办|人民政府|政府)?" + _DEPT_END)
# a development zone the table does not list, after its city (银川市经济技术开发区管委会) or
# after the city's short name (西安高新技术产业开发区管理委员会)
_ZONE_WORDS = r"(?:开发区|园区|新区|试验区|示范区|合作区|保税区|高新区|经开区)"
_NEW_ZONE = re.compile(r"\s*([\u4e00-\u9fff]{0,10}?" + _ZONE_WORDS + r")(?:管理委员会|管委会|工作委员会)?" + _DEPT_END)
_SHORT_ZONE = re.compile(r"\s*(?:中国)?([\u4e00-\u9fff]{2,3}?)([\u4e00-\u9fff]{0,10}?" + _ZONE_WORDS
                         + r")(?:管理委员会|管委会|工作委员会)?" + _DEPT_END)
_ZONE_END = re.compile(_ZONE_WORDS + "$")
_SELF = re.compile(r"[我全本](省|区|县|市|旗|镇|乡|街道|州|盟)")
_LEVEL_SUFFIX = {"省": ("省", "自治区", "市"), "市": ("市",), "州": ("州",), "盟": ("盟",), "区": ("区",),
                 "县": ("县",), "旗": ("旗",), "镇": ("镇",), "乡": ("乡", "苏木"), "街道": ("街道",)}
_HINT_LEVELS = {"省": {"P"}, "市": {"C", "X"}, "州": {"C"}, "盟": {"C"}, "区": {"X"}, "县": {"X"},
                "旗": {"X"}, "镇": {"T"}, "乡": {"T"}, "街道": {"S", "O"}}

Hit = tuple[int, int, list[int]]


@dataclass(slots=True)
class _Unit:
    """An issuer as found in one place of the text."""

    chain: list[Hit]  # region names, outermost first
    kind: str  # government | party_government | party | department | office | central
    start: int
    end: int
    source: str  # title | signature | body
    department: str | None = None
    hint: str | None = None  # level word when no region is named (市司法局 → 市)
    unlisted: tuple[int, int] | None = None  # a township name under the chain that the table lacks
    clues: list[Span] = field(default_factory=list)


# ----------------------------------------------------------------------------
def resolve(review: Review) -> IssuerResult:
    """Find the issuer, the year reported on and the signing date of ``review``."""
    text = divisions.simplified(review.text)
    lines = [(ln.start, ln.end) for ln in review.lines] if review.lines else _split_lines(text)
    nonempty = [(s, e) for s, e in lines if text[s:e].strip()]
    if not nonempty:
        return IssuerResult()
    ctx = _Context(review, text, nonempty)
    head = ctx.head_lines()
    sig_date, sig_lines = ctx.signature()
    date, date_span = sig_date if sig_date else ctx.head_date(head)
    year, year_span = ctx.year(head, date)
    issuer = ctx.issuer(head, sig_lines, year)
    return IssuerResult(issuer=issuer, year=year, year_evidence=year_span, date=date,
                        date_evidence=date_span)


def _split_lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for chunk in text.split("\n"):
        out.append((pos, pos + len(chunk)))
        pos += len(chunk) + 1
    return out


def _cn_int(s: str) -> int | None:
    """二〇二四 → 2024, 十九 → 19, 2 → 2."""
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        t = _CN_DIGIT.get(tens, 1) if tens else 1
        o = _CN_DIGIT.get(ones, 0) if ones else 0
        return t * 10 + o
    v = 0
    for ch in s:
        if ch not in _CN_DIGIT:
            return None
        v = v * 10 + _CN_DIGIT[ch]
    return v


def _parse_date(m: re.Match[str]) -> str | None:
    y, mo, d = _cn_int(m.group("y")), _cn_int(m.group("m")), _cn_int(m.group("d"))
    if y is None or mo is None or d is None or not (2015 <= y <= 2040 and 1 <= mo <= 12 and 1 <= d <= 31):
        return None
    if d > (31, 29 if y % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[mo - 1]:
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _year_of(m: re.Match[str]) -> int | None:
    y = _cn_int(m.group(1) or m.group(2))
    return y if y is not None and 2010 <= y <= 2049 else None


class _Context:
    def __init__(self, review: Review, text: str, nonempty: list[tuple[int, int]]) -> None:
        self.review = review
        self.text = text
        self.lines = nonempty
        self.div = divisions.load()
        self._scan: list[Hit] | None = None
        self.head_idx: list[int] = []
        self.body_from = 0  # index in self.lines of the first body line
        self.sig_idx: list[int] = []

    def span(self, s: int, e: int) -> Span:
        return Span(s, e, self.review.text[s:e])

    def line(self, i: int) -> str:
        s, e = self.lines[i]
        return self.text[s:e]

    # -- layout ---------------------------------------------------------------
    def head_lines(self) -> list[int]:
        """Indexes of the title-like lines at the top (addressees, document numbers skipped)."""
        out: list[int] = []
        i = 0
        for i in range(min(len(self.lines), 8)):
            t = self.line(i).strip()
            if t.endswith(("：", ":")) and len(t) <= 40:
                continue  # addressee: 市人民政府：
            if (_DOCNO.search(t) and len(t) <= 40) or _WEB_META.search(t):
                continue
            if len(t) > 80 or _SENT_END.search(t) or _OUTLINE.match(t) or t.count("，") + t.count(",") >= 2:
                break
            out.append(i)
        else:
            i += 1
        self.body_from = i if out else 0
        ts = self.review.title_span
        if ts is not None:  # a title found further down by the outline stage
            for j, (s, e) in enumerate(self.lines):
                if s < ts.end and e > ts.start and j not in out and j < 12:
                    out.append(j)
                    self.body_from = max(self.body_from, j + 1)
        self.head_idx = sorted(out)
        return self.head_idx

    def signature(self) -> tuple[tuple[str, Span] | None, list[int]]:
        """The signing date and the issuer lines above it, from the last lines."""
        n = len(self.lines)
        lo = max(self.body_from, n - 6)
        for i in range(n - 1, lo - 1, -1):
            t = self.line(i)
            if len(t.strip()) > 40 or _DATE_LABEL.search(t):
                continue
            for rx in _DATE_RES:
                m = rx.search(t)
                if not m:
                    continue
                rest = (t[: m.start()] + t[m.end():]).strip(" \u3000\t（）()")
                if rest and (_SENT_END.search(rest) or len(rest) > 30 or _CLOCK.search(rest)):
                    continue  # a sentence, or a web page's time stamp
                iso = _parse_date(m)
                if iso is None:
                    continue
                s = self.lines[i][0]
                sig: list[int] = []
                if rest:
                    sig.append(i)
                for j in range(i - 1, max(lo - 1, i - 3), -1):
                    tj = self.line(j).strip()
                    if len(tj) > 40 or _SENT_END.search(tj) or "，" in tj or "," in tj:
                        break
                    sig.insert(0, j)
                self.sig_idx = sig
                return (iso, self.span(s + m.start(), s + m.end())), sig
        # a whole report on one line (poor extraction): a date closing the text after 。 or the issuer
        t = self.line(n - 1)
        if len(t) > 40:
            for rx in _DATE_RES:
                found = list(rx.finditer(t, max(0, len(t) - 60)))
                m = found[-1] if found else None
                if m and not t[m.end():].strip() and \
                        re.search(r"(?:[。！]|政府|办事处|局|委员会|委|厅)\s*$", t[: m.start()]):
                    iso = _parse_date(m)
                    if iso:
                        s = self.lines[n - 1][0]
                        return (iso, self.span(s + m.start(), s + m.end())), []
        # no date: a last line naming a unit
        if n - 1 >= max(self.body_from, 1):
            t = self.line(n - 1).strip()
            if len(t) <= 40 and not _SENT_END.search(t) and re.search(r"(政府|办事处|局|委员会|厅)$", t):
                self.sig_idx = [n - 1]
        return None, self.sig_idx

    def head_date(self, head: list[int]) -> tuple[str | None, Span | None]:
        """A date line under the title: ``（2024年2月19日）``."""
        for i in range(0, min(len(self.lines), (head[-1] + 3) if head else 3)):
            t = self.line(i)
            if len(t.strip()) > 24 or _DATE_LABEL.search(t):
                continue
            for rx in _DATE_RES:
                m = rx.search(t)
                if m and not (t[: m.start()] + t[m.end():]).strip(" \u3000\t（）()"):
                    iso = _parse_date(m)
                    if iso:
                        s = self.lines[i][0]
                        return iso, self.span(s + m.start(), s + m.end())
        return None, None

    # -- year -------------------------------------------------------------------
    def year(self, head: list[int], date: str | None) -> tuple[int | None, Span | None]:
        signed = int(date[:4]) if date else None
        title_lines = [i for i in head if _TITLE_WORDS.search(self.line(i))] or head
        for rx in (_YEAR_RE, _YEAR_BARE):
            for i in title_lines:
                s, e = self.lines[i]
                quoted = [(q.start(), q.end()) for q in _QUOTED.finditer(self.text, s, e)]
                for m in rx.finditer(self.text, s, e):
                    if any(a <= m.start() < b for a, b in quoted):
                        continue  # 《法治政府建设实施纲要（2021—2025年）》 names a document
                    if y := _year_of(m):
                        return y, self.span(m.start(), m.end())
        # the body's opening: "2023年，在市委……"
        for i in range(self.body_from, min(len(self.lines), self.body_from + 2)):
            s, e = self.lines[i]
            m = _BODY_YEAR.search(self.text, s, min(e, s + 200))
            if m and (y := _year_of(m)) and (signed is None or y <= signed):
                return y, self.span(m.start(), m.end())
        if signed and date:
            # reports are signed early in the next year; one signed in Oct-Dec is a same-year summary
            return (signed if int(date[5:7]) >= 10 else signed - 1), None
        return None, None

    # -- names in the text ------------------------------------------------------
    def scan(self) -> list[Hit]:
        if self._scan is None:
            self._scan = self.div.scan(self.text)
        return self._scan

    def hits_in(self, s: int, e: int) -> list[Hit]:
        if self._scan is not None:
            return [h for h in self._scan if h[0] >= s and h[1] <= e]
        return self.div.scan(self.text, s, e)

    def parse_unit(self, s: int, e: int, source: str) -> _Unit | None:
        """The issuer named in ``text[s:e]`` (a title or signature line)."""
        text = self.text
        hits = [h for h in self.hits_in(s, e) if text[h[0] - 1: h[0]] not in ("《", "“", "\"")]
        if not hits:
            zone = self._short_zone(s, e, source)
            if zone is not None:
                return zone
            seg = text[s:e]
            for rx, kind in ((_BARE_DEPT, "department"), (_BARE_GOV, "government")):
                m = rx.match(seg)
                if m:
                    dept = m.group(2) if kind == "department" else None
                    if dept and re.match(r"(?:人民)?政府", dept):
                        kind = "office"
                    lead = len(seg) - len(seg.lstrip())
                    return _Unit([], kind, s + lead, s + m.end(), source, department=dept, hint=m.group(1))
            m = _CENTRAL.match(seg)
            if m and not re.match(r"\s*(?:关于|法治|依法)", seg):
                lead = len(seg) - len(seg.lstrip())
                return _Unit([], "central", s + lead, s + m.end(), source, department=m.group(1))
            return None
        # the first run of adjacent names
        chain = [hits[0]]
        for h in hits[1:]:
            if text[chain[-1][1]: h[0]].strip():
                break
            chain.append(h)
        start, end = chain[0][0], chain[-1][1]
        if text[max(s, start - 2): start] == "中共":
            start -= 2
        elif text[max(s, start - 6): start] == "中国共产党":
            start -= 5
        kind = "government"
        dept = None
        rest_at = end
        m = _PARTY.match(text, end, e)
        if m:
            kind, rest_at = "party", m.end()
            # 中共XX县委 XX县人民政府: a joint issuer
            nxt = [h for h in hits if h[0] >= rest_at]
            if nxt and not text[rest_at: nxt[0][0]].strip(" \u3000\t\n、和与及,，"):
                j = nxt[0][1]
                while True:
                    more = [h for h in nxt if h[0] == j]
                    if not more:
                        break
                    j = more[0][1]
                g = _GOV.match(text, j, e)
                if g:
                    kind, end = "party_government", g.end()
                    chain2 = [h for h in nxt if h[1] <= j]
                    if len(chain2) > len(chain):
                        chain = chain2
            else:
                end = rest_at
        unlisted = None
        if kind == "government" and chain[-1][1] == end:
            m = _NEW_TOWN.match(text, end, e) or _NEW_ZONE.match(text, end, e)
            if m and not re.match(r"\s*(?:关于|法治|依法)", text[end:e]):
                unlisted = (end + m.group(0).index(m.group(1)), end + m.group(0).index(m.group(1)) + len(m.group(1)))
                end = m.end()
        if kind == "government" and unlisted is None:
            m = _GOV_OFFICE.match(text, end, e)
            if m:
                kind, dept, end = "office", m.group(1), m.end()
            else:
                m = _GOV.match(text, end, e)
                if m:
                    end = m.end()
                    m2 = _DEPT.match(text, end, e)
                    if m2 and not re.match(r"\s*(?:关于|法治|依法)", text[end:e]):
                        kind, dept, end = "department", m2.group(1), m2.end()
                else:
                    m = _DEPT.match(text, end, e)
                    if m and not re.match(r"\s*(?:关于|法治|依法)", text[end:e]):
                        kind, dept, end = "department", m.group(1), m.end()
        if dept and dept.startswith("委") and len(dept) > 3:  # 县委全面依法治县委员会办公室
            dept = dept[1:]
        return _Unit(chain, kind, start, end, source, department=dept, unlisted=unlisted)

    def _short_zone(self, s: int, e: int, source: str) -> _Unit | None:
        """A zone named after its city's short name (西安高新技术产业开发区管委会): the city
        when the short name is one city's (or province's), the zone unlisted under it."""
        m = _SHORT_ZONE.match(self.text, s, e)
        if m is None:
            return None
        rows = [r for r in self.div.lookup(m.group(1)) if r.level in ("C", "P") and self.div.is_current(r)]
        if len(rows) != 1:
            return None
        hit: Hit = (m.start(1), m.end(1), [rows[0].id])
        return _Unit([hit], "government", m.start(1), m.end(), source, unlisted=(m.start(1), m.end(2)))

    def self_hint(self) -> str | None:
        """The level the report calls itself: 我区 / 全县 / 本镇 … (most frequent)."""
        counts: dict[str, int] = {}
        for m in _SELF.finditer(self.text):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
        if not counts:
            return None
        best = max(counts.items(), key=lambda kv: kv[1])
        return best[0] if best[1] >= 2 or len(counts) == 1 else None

    def body_unit(self, hint: str | None, levels: set[str] | None = None) -> _Unit | None:
        """The unit named in the opening paragraphs (平桥区坚持……) or, failing that,
        the most mentioned unit of the hinted level."""
        if hint is None:
            return None
        suffixes = _LEVEL_SUFFIX.get(hint, ())
        allowed = levels or _HINT_LEVELS.get(hint, set())
        rows = self.div.rows

        def fits(h: Hit) -> bool:
            name = self.text[h[0]: h[1]]
            return any(rows[i].level in allowed and rows[i].name.endswith(suffixes) for i in h[2]) and \
                (name.endswith(suffixes) or name.endswith(("办事处", "街道办", "街办")))

        hits = self.scan()
        lim_line = min(len(self.lines), self.body_from + 3)
        lo = self.lines[self.body_from][0] if self.body_from < len(self.lines) else 0
        hi = self.lines[lim_line - 1][1] if lim_line > 0 else 0
        chain_of = self._chains(hits)
        for h in hits:
            if lo <= h[0] < hi and fits(h):
                chain = chain_of[h[0]]
                return _Unit(chain, "government", chain[0][0], h[1], "body")
        counts: dict[str, list[Hit]] = {}
        for h in hits:
            if fits(h):
                counts.setdefault(self.text[h[0]: h[1]], []).append(h)
        if not counts:
            return None
        ranked = sorted(counts.values(), key=len, reverse=True)
        if len(ranked[0]) >= 2 and (len(ranked) == 1 or len(ranked[0]) > len(ranked[1])):
            h = ranked[0][0]
            chain = chain_of[h[0]]
            return _Unit(chain, "government", chain[0][0], h[1], "body")
        return None

    def _chains(self, hits: list[Hit]) -> dict[int, list[Hit]]:
        """For each hit start: the run of adjacent names that ends with it."""
        out: dict[int, list[Hit]] = {}
        prev: list[Hit] = []
        for h in hits:
            if prev and prev[-1][1] == h[0]:
                prev = [*prev, h]
            else:
                prev = [h]
            out[h[0]] = prev
        return out

    # -- the issuer ---------------------------------------------------------------
    def issuer(self, head: list[int], sig: list[int], year: int | None) -> Issuer | None:
        units: list[_Unit] = []
        titled = [i for i in head if _TITLE_WORDS.search(self.line(i))]
        for idx, source in ((titled, "title"), (head, "title"), (sig, "signature")):
            if units and source == "title":
                continue
            k = 0
            while k < len(idx):
                s, e = self.lines[idx[k]]
                u = self.parse_unit(s, e, source)
                if u and u.kind == "party" and k + 1 < len(idx):
                    # 中共XX县委 / XX县人民政府 on two lines
                    s2, e2 = self.lines[idx[k + 1]]
                    u2 = self.parse_unit(s2, e2, source)
                    if u2 and u2.kind == "government" and u2.chain and u.chain and \
                            self.text[u2.chain[-1][0]: u2.chain[-1][1]] == self.text[u.chain[-1][0]: u.chain[-1][1]]:
                        u = _Unit(u2.chain if len(u2.chain) > len(u.chain) else u.chain, "party_government",
                                  u.start, u2.end, source)
                        k += 1
                if u:
                    units.append(u)
                    break
                k += 1
        named = [u for u in units if u.chain]
        unit = named[0] if named else None
        if unit is None:
            bare = [u for u in units if u.kind == "central"]
            hinted = [u for u in units if u.hint]
            if hinted:
                h = hinted[0]
                levels = {"P"} if h.hint in ("省", "自治区") else None
                body = self.body_unit("省" if h.hint == "自治区" else h.hint, levels)
                if body is None:
                    return self._unresolved(h)
                unit = _Unit(body.chain, h.kind, h.start, h.end, h.source, department=h.department,
                             clues=[self.span(body.chain[0][0], body.chain[-1][1])])
            elif bare:
                c = bare[0]
                return Issuer(name=self.review.text[c.start: c.end].strip(), level="department",
                              kind="department", department=c.department,
                              evidence=self.span(c.start, c.end))
            else:
                unit = self.body_unit(self.self_hint())
                if unit is None:
                    return None
        return self._build(unit, [u for u in named if u is not unit], year)

    def _unresolved(self, u: _Unit) -> Issuer:
        level = "department" if u.kind in ("department", "office") else None
        return Issuer(name=self.review.text[u.start: u.end].strip(), level=level, kind=u.kind,
                      department=u.department, evidence=self.span(u.start, u.end))

    def _build(self, unit: _Unit, others: list[_Unit], year: int | None) -> Issuer:
        div = self.div
        rows = div.rows
        name = self.review.text[unit.start: unit.end].strip()
        evidence = self.span(unit.start, unit.end)
        # candidates of the innermost name, kept when inside the outer names of the chain
        chain = unit.chain
        cands: list[divisions.Division] = []
        depth = len(chain)
        while depth > 0 and not cands:
            last = chain[depth - 1]
            cands = [rows[i] for i in last[2]]
            for outer in chain[: depth - 1]:
                cands = [c for c in cands if any(div.is_within(c, rows[o]) for o in outer[2])]
            if not cands:
                depth -= 1
        unplaced = chain[depth:] if depth < len(chain) else []
        # the same unit under an old and a new name counts once; old rows only for old years
        by_cur: dict[int, divisions.Division] = {}
        for c in cands:
            cur = div.current(c)
            if year is not None and not div.is_current(cur) and year > cur.last_year + 1:
                continue
            by_cur.setdefault(cur.id, cur)
        if not by_cur and cands:
            by_cur = {div.current(c).id: div.current(c) for c in cands}
        final = list(by_cur.values())
        if any(c.level != "O" for c in final):  # 开发区/农场 rows only when nothing else fits
            final = [c for c in final if c.level != "O"]
        clues: list[Span] = list(unit.clues)
        if len(final) > 1:
            final, clues2 = self._decide(final, unit, others)
            clues += clues2
        dept_kind = unit.kind in ("department", "office")
        iss = Issuer(name=name, kind=unit.kind, department=unit.department, evidence=evidence, clues=clues)
        if len(final) == 1:
            p = div.path(final[0])
            iss.level = "department" if dept_kind else p["level"]
            iss.province, iss.city, iss.county, iss.township = p["province"], p["city"], p["county"], p["township"]
            iss.code = p["code"]
            if unplaced:  # a name under the resolved unit that the table lacks (new or renamed)
                last = self.text[unplaced[-1][0]: unplaced[-1][1]]
                self._place_unlisted(iss, last, dept_kind)
            elif unit.unlisted and iss.township is None:
                self._place_unlisted(iss, self.text[unit.unlisted[0]: unit.unlisted[1]], dept_kind)
            return iss
        paths = [div.path(c) for c in final]
        iss.ambiguous = True
        iss.candidates = [{k: p[k] for k in ("code", "name", "level", "province", "city", "county", "township")}
                          for p in paths]
        for k in ("province", "city", "county", "township"):
            vals = {p[k] for p in paths}
            if len(vals) == 1:
                setattr(iss, k, vals.pop())
        levels = {p["level"] for p in paths}
        iss.level = "department" if dept_kind else (levels.pop() if len(levels) == 1 else None)
        return iss

    @staticmethod
    def _place_unlisted(iss: Issuer, name: str, dept_kind: bool) -> None:
        if name.endswith(("街道", "办事处", "街道办", "街办")):
            level, iss.township = "street", re.sub(r"(?:办事处|街道办|街办)$", "", name)
            if not iss.township.endswith("街道"):
                iss.township += "街道"
        elif name.endswith(("镇", "乡", "苏木")):
            level, iss.township = "township", name
        elif _ZONE_END.search(name) and iss.level in ("province", "city", "county"):
            # a zone: county level under a city or a municipality, township level under a county
            if iss.level == "county":
                level, iss.township = "township", name
            else:
                level, iss.county = "county", name
        elif name.endswith(("区", "县", "市", "旗")) and iss.level == "city":
            level, iss.county = "county", name
        else:
            return
        iss.code = None
        if not dept_kind:
            iss.level = level

    def _decide(self, cands: list[divisions.Division], unit: _Unit,
                others: list[_Unit]) -> tuple[list[divisions.Division], list[Span]]:
        """Score same-named candidates by the other place names of the report."""
        div = self.div
        rows = div.rows
        own = {(h[0], h[1]) for h in unit.chain}
        cand_ids = {c.id for c in cands}
        strong = set()
        for u in others:
            for h in u.chain:
                strong.add((h[0], h[1]))
        for i in self.head_idx + self.sig_idx:
            s, e = self.lines[i]
            for h in self.hits_in(s, e):
                strong.add((h[0], h[1]))
        mentions: dict[str, list[Hit]] = {}
        for h in self.scan():
            if (h[0], h[1]) in own:
                continue
            mentions.setdefault(self.text[h[0]: h[1]], []).append(h)
        direct: dict[int, float] = {}
        below: dict[int, float] = {}
        via: dict[int, list[Hit]] = {}
        for nm, hs in mentions.items():
            curs = {div.current(rows[i]).id for i in hs[0][2]}
            if curs & cand_ids:
                continue  # the candidate's own name
            w = (1.0 if len(nm) >= 3 else 0.3) / len(curs)
            w *= min(len(hs), 3) + (3 if any((h[0], h[1]) in strong for h in hs) else 0)
            for r in curs:
                direct[r] = direct.get(r, 0.0) + w
                via.setdefault(r, []).append(hs[0])
                for a in div.ancestors(rows[r]):
                    below[a.id] = below.get(a.id, 0.0) + w
                    via.setdefault(a.id, []).append(hs[0])
        scored = []
        for c in cands:
            anc = div.ancestors(c)
            sc = sum(direct.get(a.id, 0.0) for a in anc) + 0.5 * below.get(c.id, 0.0)
            if c.parent is not None:
                sib = below.get(c.parent, 0.0) - below.get(c.id, 0.0) - direct.get(c.id, 0.0)
                sc += 0.2 * max(sib, 0.0)
            scored.append((sc, c))
        scored.sort(key=lambda x: -x[0])
        best, second = scored[0][0], scored[1][0]
        if best > 0 and best >= 2 * second:
            c = scored[0][1]
            ids = {a.id for a in div.ancestors(c)} | {c.id}
            clues = []
            for r in ids:
                for h in via.get(r, [])[:2]:
                    clues.append(self.span(h[0], h[1]))
            clues.sort(key=lambda sp: sp.start)
            return [c], clues[:5]
        return [c for sc, c in scored], []

