"""Stage 5 — who wrote the report (issuer), the year reported on, the signing date.

Sources of the issuer, in order of trust:

1. the title lines at the top (``XX区人民政府关于2023年度……的报告``, ``中共XX县委
   XX县人民政府关于……``, ``XX区司法局2023年……``, a title whose issuer line is
   split from the rest);
2. the signature block at the end (issuer line(s) above the date line);
3. the body, for the many reports that reach a reviewer without their title: the
   unit the opening names as the subject of a sentence (``2022年，水利部坚持……``,
   ``X乡在县委、县政府的正确领导下``, ``市生态环境局紧紧围绕……``), chosen to agree
   with what the report calls itself (``我乡``/``我街道``/``全县``/``我局``/``部党组``);
   else the most mentioned unit of that level.  A central body (data file
   ``central_bodies.yaml``) has level ``department`` and no region; a department
   named without its region (``县司法局``) is placed in the county or city the text
   names (``法治修水``, 《西宁市……》).

An addressee line (``西宁市人民政府：``) is never the issuer but places it: the
issuer is within the addressee's region.  Names are matched against the
divisions table (:mod:`fazhi.units.divisions`).  A name that several divisions share
(鼓楼区, 城关镇) is decided by the other place names of the report: its ancestors
(南京市, 江苏省), its descendants and siblings (townships, neighbouring
counties), the addressee, and the level of the government the text calls its
superior without naming it (``在县委、县政府的领导下``: a township of a 县); when
they do not decide, the issuer is returned ``ambiguous`` with ``candidates`` and
the undecided fields left None.

The year reported on is, in order: the title's; the year of the sentence that
announces the report (``现将我乡2022年法治政府建设情况报告如下``); a year opening a
sentence of the opening paragraphs (``2022年，……``); another year there — never a
year inside a cited title (《……（2020—2025年）》), a range, a comparison (``较2021年``)
or a deadline (``到2025年``); else the year before the signing date.

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
_BODY_YEAR = re.compile(rf"(?<!\d)(20[1-4]\d)\s*年(?!\s*\d{{1,2}}\s*月)"
                        rf"|(二[{_CN_Y}]{{3}})\s*年(?!\s*[一二三四五六七八九十]{{1,2}}\s*月)")
# years that are not the year reported on: a range (纲要（2021—2025年）), a comparison
# (较2021年, 与2020年相比), a deadline (到2025年, 2025年底前) or a plan (2023年工作安排)
_YEAR_RANGE = re.compile(rf"(?:20\d\d|二[{_CN_Y}]{{3}})\s*年?\s*(?:[—–\-－~～]{{1,2}}|至|到)\s*"
                         rf"(?:20\d\d|二[{_CN_Y}]{{3}})\s*年?")
_YEAR_BEFORE_NOT = re.compile(r"(?:较|比|与|相较|较之|低于|高于|超过|(?<!截)[到至])\s*$")
_YEAR_AFTER_NOT = re.compile(r"\s*度?(?:工作)?(?:要点|计划|安排|打算)|\s*底?(?:以)?前(?![一二三四五六七八九十\d])")
# the sentence announcing the report: 现将我乡2022年法治政府建设情况报告如下
_REPORT_SENT = re.compile(r"现(?:将|就|把)([^。；;！!\n]{0,60}?)(?:报告|汇报)如下")
_CLOCK = re.compile(r"\d{1,2}\s*[:：]\s*\d{2}")
_QUOTED = re.compile(r"《[^》\n]*》")
_SENT_END = re.compile(r"[。；;！!？?]")
_OUTLINE = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[、.．])")
_DOCNO = re.compile(r"〔\s*20\d\d\s*〕|\[\s*20\d\d\s*\]|［20\d\d］|第\s*\d+\s*号$|^\s*附件|此件|公开发布|^\s*签发人")
_WEB_META = re.compile(r"来源[：:]|发布(?:时间|日期)|浏览|点击|字号|当前位置|首页\s*[>＞]|打印本页|关闭窗口")
_SOURCE = re.compile(r"来源[：:]")
_ANNOUNCE = re.compile(r"[，,]|如下")
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
_NEW_TOWN = re.compile(r"\s*(?:人民政府|政府)?([\u4e00-\u9fff]{1,6}?(?:街道|镇|乡))(?:办事处|街道办|人民政府|政府)?"
                       + _DEPT_END)
# a development zone the table does not list, after its city (银川市经济技术开发区管委会) or
# after the city's short name (西安高新技术产业开发区管理委员会)
_ZONE_WORDS = r"(?:开发区|园区|新区|试验区|示范区|合作区|保税区|高新区|经开区)"
_NEW_ZONE = re.compile(r"\s*([\u4e00-\u9fff]{0,10}?" + _ZONE_WORDS + r")(?:管理委员会|管委会|工作委员会)?" + _DEPT_END)
_SHORT_ZONE = re.compile(r"\s*(?:中国)?([\u4e00-\u9fff]{2,3}?)([\u4e00-\u9fff]{0,10}?" + _ZONE_WORDS
                         + r")(?:管理委员会|管委会|工作委员会)?" + _DEPT_END)
_ZONE_END = re.compile(_ZONE_WORDS + "$")
# what the report calls itself: 我乡, 本街道, 全县 (its region); 我局, 本委 (a department)
_SELF = re.compile(r"([我全本])(省|自治区|市(?!场)|州|盟|区(?!域)|县(?!域|级)|旗|镇|乡(?!镇)|街道)")
_SELF_DEPT = re.compile(r"[我本](?:局|厅|委(?!员)|办(?!法)|中心)")
_LEVEL_ORDER = ("街道", "乡", "镇", "旗", "县", "区", "市", "州", "盟", "省", "自治区")
_LEVEL_SUFFIX = {"省": ("省", "自治区", "市"), "市": ("市",), "州": ("州",), "盟": ("盟",), "区": ("区",),
                 "县": ("县",), "旗": ("旗",), "镇": ("镇",), "乡": ("乡", "苏木"), "街道": ("街道",)}
_HINT_LEVELS = {"省": {"P"}, "市": {"C", "X"}, "州": {"C"}, "盟": {"C"}, "区": {"X"}, "县": {"X"},
                "旗": {"X"}, "镇": {"T"}, "乡": {"T"}, "街道": {"S", "O"}}

# the opening of a clause before its subject: 2022年， / 一年来， / 中共
_LEAD = re.compile(rf"\s*(?:[一二三四五六七八九十]{{1,2}}\s*、\s*)?(?:(?:(?:20\d\d|二[{_CN_Y}]{{3}})\s*年度?(?:以来|全年)?|一年来|一年以来|今年以来|近年来"
                   rf"|过去一年)\s*[，,]?\s*)?(?:中共)?")
_CLAUSE_BREAK = re.compile(r"[，,。；;：:！!？?]")
# a department named after its region in the body (五常市司法局坚持……), or with the level
# word only (县司法局紧紧围绕……, 区政府办公室, 县委依法治县办): the department's own
# words, never a verb phrase (坚持……中心, 在县委)
_BODY_DEPT = re.compile(r"(?:人民政府)?([\u4e00-\u9fff]{1,12}?(?:局|委员会|办公室|厅))")
_BODY_BARE_DEPT = re.compile(
    r"(省|自治区|市(?!场)|州|盟|县(?![域级区])|区(?![域县])|旗|镇(?!村)|乡(?![镇村])|街道)"
    r"((?:人民)?政府办公(?:室|厅)|委(?:全面)?依法治[省市州县区旗](?:委员会)?办(?:公室)?"
    r"|(?!委|人民政府|政府)[\u4e00-\u9fff]{1,12}?(?:局|委员会|办公室|厅|中心))")
# a government named by its level word only: 县政府在……领导下, 镇党委、政府, 街道办事处
_BODY_BARE_GOV = re.compile(r"(省|自治区|市|州|盟|县|区|旗|镇|乡|街道)(?:人民政府|政府|党委|党工委|办事处|街道办)")
_NOT_DEPT = re.compile(r"在|以|对|把|将|按|向|从|为|与|由|经|根据|坚持|认真|深入|全面|紧紧|始终|围绕|聚焦|着力|持续"
                       r"|不断|积极|切实|扎实|进一步|大力|严格|高度|贯彻|落实|立足|召开|成立|组织|印发|制定|出台|建立"
                       r"|健全|完善|推进|推动|开展|加强|强化|构建|打造|实施|创新|通过|结合|充分|统筹|优化|提升|牢固|筑牢")
# a central body's branch, not the body: 国家税务总局兰州市税务局, 中国人民银行西宁中心支行
_BRANCH = re.compile(r"[\u4e00-\u9fff]{0,8}?(?:分局|分行|支行|分署|办事处|专员办|派出机构|直属)")
# a township or street named with its government in front: 瑶海区人民政府明光路街道办事处
_GOV_GAP = re.compile(r"\s*(?:人民政府|政府)\s*")
# a short name in 法治兰州, 法治修水建设: a place the report belongs to
_FAZHI_SHORT = re.compile(r"法治([\u4e00-\u9fff]{2,4}?)(?=建设|示范|[”\"，,。、；]|之|的|$)")
# a two-character name that starts with a conjunction (和县) is one only when it does not
# read as "and the county's …" (市政府和县委)
_CONJUNCTION = re.compile(r"[和与及同暨并]")
_CONJOINED = re.compile(r"委|政府|人民政府|人大|政协|法院|检察院|纪委|监委|级|直|域|乡镇|两级")
# the government above the issuer, named by its level only: 在县委、县政府的领导下, 区委区政府
_SUPERIOR = re.compile(r"(县|区|市|旗|州|盟)(?:委|人民政府|政府)")

# the level of a government named by its level word only (市 may be a city or a county-level city)
_WORD_LEVEL = {"省": "province", "自治区": "province", "州": "city", "盟": "city", "县": "county", "区": "county",
               "旗": "county", "镇": "township", "乡": "township", "街道": "street"}

Hit = tuple[int, int, list[int]]


@dataclass(slots=True)
class _Hint:
    """What a report calls itself (see :meth:`_Context.self_hint`)."""

    org: str | None  # central | department | None
    region: str | None  # the level word of its region: 乡, 街道, 县 …
    own: bool  # said with 我/本 (我镇), not only as a scope (全县)
    spans: list[Span]  # where it says so


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
    named: bool = True  # False when the text does not name the issuer (我局 in a report of 全市)


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
        self.div_central = divisions.central_bodies()
        self._scan: list[Hit] | None = None
        self.head_idx: list[int] = []
        self.body_from = 0  # index in self.lines of the first body line
        self.sig_idx: list[int] = []
        # lines naming a region that holds the issuer: the addressee (西宁市人民政府：), a web
        # page's source line (来源：湄潭县人民政府)
        self.outer_idx: list[int] = []
        self.meta_idx: list[int] = []  # a web page's lines: 来源：…  发布时间：2023-02-14
        self._short: list[Hit] | None = None
        self._hint: _Hint | None = None

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
                if _ANNOUNCE.search(t):
                    break  # the body: 现将我局2022年……报告如下：
                self.outer_idx.append(i)  # addressee: 市人民政府：
                continue
            if (_DOCNO.search(t) and len(t) <= 40) or _WEB_META.search(t):
                if _SOURCE.search(t):
                    self.outer_idx.append(i)
                if _WEB_META.search(t):
                    self.meta_idx.append(i)
                continue
            if len(t) > 80 or _SENT_END.search(t) or _OUTLINE.match(t) or t.count("，") + t.count(",") >= 2 \
                    or _REPORT_SENT.search(t):
                break
            out.append(i)
        else:
            i += 1
        self.body_from = i  # after the title, addressee and header lines
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
        """The year reported on: the title's, the announcing sentence's, the opening's
        (see the module docstring), else the year before the signing date (or the date a
        web page published it)."""
        date = date or self.published()
        signed = int(date[:4]) if date else None
        title_lines = [i for i in head if _TITLE_WORDS.search(self.line(i))] or head
        for rx in (_YEAR_RE, _YEAR_BARE):
            for i in title_lines:
                s, e = self.lines[i]
                found = self._years(rx, s, e)
                if found:
                    return found[0][0], self.span(found[0][1], found[0][2])
        opening = [self.lines[i] for i in range(self.body_from, min(len(self.lines), self.body_from + 4))]
        for s, e in opening:
            for m in _REPORT_SENT.finditer(self.text, s, min(e, s + 800)):
                found = self._years(_BODY_YEAR, m.start(1), m.end(1), signed)
                if found:
                    return found[0][0], self.span(found[0][1], found[0][2])
        found = [y for s, e in opening[:3] for y in self._years(_BODY_YEAR, s, min(e, s + 300), signed)]
        starts = [y for y in found if self._clause_start(y[1])]
        if starts:
            return starts[0][0], self.span(starts[0][1], starts[0][2])
        for s, e in opening[:2]:  # the first year the opening mentions
            for y in self._years(_BODY_YEAR, s, min(e, s + 200), signed):
                return y[0], self.span(y[1], y[2])
        if signed and date:
            # reports are signed early in the next year; one signed in Oct-Dec is a same-year summary
            return (signed if int(date[5:7]) >= 10 else signed - 1), None
        return None, None

    def published(self) -> str | None:
        """The date of a web page's 发布时间 line above the report, as ISO."""
        for i in self.meta_idx:
            t = self.line(i)
            for rx in _DATE_RES:
                m = rx.search(t)
                if m and (iso := _parse_date(m)):
                    return iso
        return None

    def _years(self, rx: re.Pattern[str], s: int, e: int,
               latest: int | None = None) -> list[tuple[int, int, int]]:
        """``(year, start, end)`` of the years in ``text[s:e]`` that can be the year reported
        on: not in a cited title, a range, a comparison, a deadline or a plan, not after
        ``latest`` (the signing year)."""
        text = self.text
        skip: list[tuple[int, int]] | None = None  # cited titles and ranges, found on the first year
        out = []
        for m in rx.finditer(text, s, e):
            if skip is None:
                skip = [(q.start(), q.end()) for q in _QUOTED.finditer(text, s, e)]
                skip += [(r.start(), r.end()) for r in _YEAR_RANGE.finditer(text, s, e)]
            if any(a <= m.start() < b for a, b in skip) or _YEAR_BEFORE_NOT.search(text, max(s, m.start() - 3),
                                                                                    m.start()):
                continue
            if m.end() < e and text[m.end() - 1] == "年" and _YEAR_AFTER_NOT.match(text, m.end(), e):
                continue
            y = _year_of(m)
            if y is not None and (latest is None or y <= latest):
                out.append((y, m.start(), m.end()))
        return out

    def _clause_start(self, pos: int) -> bool:
        """True when ``pos`` opens a line or a clause (after ，。；： or a heading marker)."""
        before = self.text[max(0, pos - 12): pos]
        line = before.rsplit("\n", 1)[-1]
        return not line.strip() or line.rstrip()[-1] in "，,。；;：:" or bool(_OUTLINE.fullmatch(line))

    # -- names in the text ------------------------------------------------------
    def scan(self) -> list[Hit]:
        if self._scan is None:
            self._scan = self._names(self.div.scan(self.text))
        return self._scan

    def hits_in(self, s: int, e: int) -> list[Hit]:
        if self._scan is not None:
            return [h for h in self._scan if h[0] >= s and h[1] <= e]
        return self._names(self.div.scan(self.text, s, e))

    def _names(self, hits: list[Hit]) -> list[Hit]:
        """``hits`` without a two-character name that reads as a conjunction and a level word
        (和县 in 市政府和县委; 和县 in 马鞍山市和县人民政府, after its city, is a county)."""
        text = self.text
        ends = {h[1] for h in hits}
        return [h for h in hits if not (h[1] - h[0] == 2 and _CONJUNCTION.match(text, h[0]) and h[0] > 0
                                        and "\u4e00" <= text[h[0] - 1] <= "\u9fff" and h[0] not in ends
                                        and _CONJOINED.match(text, h[1]))]

    def short_hits(self) -> list[Hit]:
        """Places named by their short name after 法治 (法治兰州建设, 法治修水): a place the
        report belongs to, with every province, city or county of that short name."""
        if self._short is None:
            out: list[Hit] = []
            for m in _FAZHI_SHORT.finditer(self.text):
                ids = [r.id for r in self.div.lookup(m.group(1), current=True) if r.level in ("P", "C", "X")]
                if ids:
                    out.append((m.start(1), m.end(1), ids))
            self._short = out
        return self._short

    def _run(self, hits: list[Hit]) -> list[Hit]:
        """The run of adjacent names that starts with ``hits[0]`` (兰州市七里河区); a
        township or street may follow its government's name (七里河区人民政府敦煌路街道办事处)."""
        chain = [hits[0]]
        for h in hits[1:]:
            gap = self.text[chain[-1][1]: h[0]]
            if gap.strip() and not (_GOV_GAP.fullmatch(gap) and
                                    any(self.div.rows[i].level in ("T", "S", "O") for i in h[2])):
                break
            chain.append(h)
        return chain

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
                kind = "central" if self._is_central(m.group(1)) else "department"  # 生态环境局
                return _Unit([], kind, s + lead, s + m.end(), source, department=m.group(1))
            return None
        chain = self._run(hits)
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

    def _is_central(self, name: str) -> bool:
        """True when a department named without a region is a central body: one of the data
        file, a 国家/国务院 body, or a ministry (…部, but not 县委宣传部)."""
        return name in self.div_central.official or name.startswith(("国家", "国务院", "中华人民共和国")) or \
            (name.endswith("部") and name[0] not in "省市州盟县区旗镇乡")

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

    # -- the body's own naming of itself ------------------------------------------
    def self_hint(self) -> _Hint:
        """What the report calls itself: a central body (部党组, 我部), a department (我局,
        本委; 我办 unless it is a street office's 我街道), and the level of its region (我乡,
        本街道, 全县 …).  我/本 forms outrank 全 forms (a township writes 我镇 and 全县); the
        lower level wins a tie."""
        if self._hint is None:
            self._hint = self._self_hint()
        return self._hint

    def _self_hint(self) -> _Hint:
        region, own, spans = self._self_region()
        central = self.div_central.self_words.search(self.text)
        dept = _SELF_DEPT.search(self.text)
        if dept and dept.group().endswith("办") and own and region == "街道":
            dept = None  # 我办: the street office (街道办事处) itself
        if central:
            return _Hint("central", region, own, [self.span(central.start(), central.end()), *spans])
        if dept:
            return _Hint("department", region, own, [self.span(dept.start(), dept.end()), *spans])
        return _Hint(None, region, own, spans)

    def _self_region(self) -> tuple[str | None, bool, list[Span]]:
        """The level word of the region the report calls its own, whether it says so with
        我/本, and where."""
        own: dict[str, list[re.Match[str]]] = {}
        scope: dict[str, list[re.Match[str]]] = {}
        for m in _SELF.finditer(self.text):
            (scope if m.group(1) == "全" else own).setdefault(m.group(2), []).append(m)
        for counts in (own, scope):
            if not counts:
                continue
            ranked = sorted(counts.items(), key=lambda kv: (-len(kv[1]), _LEVEL_ORDER.index(kv[0])))
            word, found = ranked[0]
            if counts is own or len(found) >= 2 or len(counts) == 1:
                span = self.span(found[0].start(), found[0].end())
                return ("省" if word == "自治区" else word), counts is own, [span]
        return None, False, []

    def first_subject(self, hint: _Hint) -> _Unit | None:
        """The first unit the opening paragraphs name as the subject of a clause that can be
        the issuer (:meth:`_accepts`): the one the sentence announcing the report names
        (现将X镇2022年……报告如下), else in order ``2022年，水利部坚持……``, ``兴平乡在县委……``,
        ``市生态环境局紧紧围绕……``."""
        text = self.text
        starts = {h[0]: k for k, h in enumerate(self.scan())}
        opening = self.lines[self.body_from: self.body_from + 3]
        for s, e in opening:
            for m in _REPORT_SENT.finditer(text, s, min(e, s + 800)):
                u = self._subject_at(m.start(1), m.end(1), starts)
                if u is not None and self._accepts(u, hint):
                    return u
        for s, e in opening:
            for p in [s, *(m.end() for m in _CLAUSE_BREAK.finditer(text, s, min(e, s + 400)))]:
                lead = _LEAD.match(text, p, e)
                found = self._subject_at(lead.end() if lead else p, e, starts)
                if found is not None and self._accepts(found, hint):
                    return found
        return None

    def _accepts(self, u: _Unit, hint: _Hint) -> bool:
        """A subject agreeing with what a report calls itself with 我/本 or a department's or
        central body's word (:meth:`_agrees`); with a scope only (全县) or nothing, any
        subject — a central body only when the text speaks of no region (全市)."""
        if hint.org or hint.own:
            return self._agrees(u, hint)
        return u.kind != "central" or hint.region is None

    def _subject_at(self, q: int, e: int, starts: dict[int, int]) -> _Unit | None:
        text = self.text
        hits = self.scan()
        m = self.div_central.at(text, q, e)
        if m is not None:
            if m.end() in starts:  # a branch named after its place: 国家税务总局兰州市税务局
                unit = self._named_subject(hits[starts[m.end()]:], e)
                unit.start = q
                return unit
            if not _BRANCH.match(text, m.end(), e):
                return _Unit([], "central", q, m.end(), "body",
                             department=self.div_central.official[m.group("name")])
        if q in starts:
            return self._named_subject(hits[starts[q]:], e)
        m = _BODY_BARE_DEPT.match(text, q, e)
        if m and not _NOT_DEPT.match(m.group(2)):
            dept = m.group(2)
            kind = "office" if dept.startswith(("政府", "人民政府")) else "department"
            return _Unit([], kind, q, m.end(), "body", department=dept, hint=m.group(1))
        m = _BODY_BARE_GOV.match(text, q, e)
        if m:
            return _Unit([], "government", q, m.end(), "body", hint=m.group(1))
        return None

    def _named_subject(self, hits: list[Hit], e: int) -> _Unit:
        """The unit whose name starts at ``hits[0]``: a government, or a department of it."""
        chain = self._run(hits)
        end = chain[-1][1]
        m = _BODY_DEPT.match(self.text, end, e)
        if m and not _NOT_DEPT.match(m.group(1)) and not m.group(1).startswith(("委", "党")):
            return _Unit(chain, "department", chain[0][0], m.end(), "body", department=m.group(1))
        return _Unit(chain, "government", chain[0][0], end, "body")

    def _agrees(self, u: _Unit, hint: _Hint) -> bool:
        """True when the subject ``u`` is what the report calls itself: a central body for
        部党组; a department for 我局 (of the level of 全市 …); a government of the level of
        我乡/我市 (a report that says 我市 and not 我局 is the city's, not a department's)."""
        if hint.org == "central":
            return u.kind == "central"
        if (hint.org == "department") != (u.kind in ("department", "office", "central")):
            return False
        if hint.region is None or u.kind == "central":
            return hint.region is None
        if u.hint is not None:
            return u.hint == hint.region or (u.hint == "自治区" and hint.region == "省")
        return self._fits(u.chain[-1], hint.region)

    def _fits(self, h: Hit, word: str, levels: set[str] | None = None) -> bool:
        """True when the name ``h`` is a unit of the level ``word`` (区, 乡, 街道 …), written
        with its suffix (城东区, 建兰路街道办事处) or after 法治 (法治兰州)."""
        if not self._narrow(h, word, levels)[2]:
            return False
        name = self.text[h[0]: h[1]]
        return name.endswith((*_LEVEL_SUFFIX.get(word, ()), "办事处", "街道办", "街办")) or h in self.short_hits()

    def _narrow(self, h: Hit, word: str, levels: set[str] | None) -> Hit:
        """``h`` with only the divisions of the level ``word`` (法治朝阳 in a report of 全区: 朝阳区)."""
        suffixes = _LEVEL_SUFFIX.get(word, ())
        allowed = levels or _HINT_LEVELS.get(word, set())
        rows = self.div.rows
        return h[0], h[1], [i for i in h[2] if rows[i].level in allowed and rows[i].name.endswith(suffixes)]

    def body_claim(self) -> _Unit | None:
        """The issuer as the body names it: the first subject of the opening that agrees
        with what the report calls itself; else a unit of that level the text names."""
        hint = self.self_hint()
        unit = self.first_subject(hint)
        if unit is None:
            if hint.org is None and hint.region is None:
                return None
            unit = self._self_named(hint)
        unit.clues = [sp for sp in hint.spans if not unit.start <= sp.start < unit.end] + unit.clues
        return unit

    def _self_named(self, hint: _Hint) -> _Unit:
        """The issuer when no subject names it: the central body it names most (部党组); a
        department of its region's level (我局 … 全市); the unit of its level the text
        names, else a government of that level to place (我县 with 县 named nowhere)."""
        at = hint.spans[0]
        if hint.org == "central":
            return _Unit([], "central", at.start, at.end, "body", department=self._central_named())
        if hint.org == "department":
            return _Unit([], "department", at.start, at.end, "body", hint=hint.region, named=False)
        word = hint.region or ""
        found = self.body_unit(word, own=hint.own)
        return found or _Unit([], "government", at.start, at.end, "body", hint=word, named=False)

    def _central_named(self) -> str | None:
        """The central body a report that calls itself 部党组 names most, if any."""
        counts: dict[str, int] = {}
        for m in self.div_central.names.finditer(self.text):
            name = self.div_central.official[m.group("name")]
            counts[name] = counts.get(name, 0) + 1
        return max(counts, key=lambda k: counts[k]) if counts else None

    def body_unit(self, hint: str, levels: set[str] | None = None, own: bool = False) -> _Unit | None:
        """The unit of the level ``hint`` the text names: the only one the opening paragraphs
        name (在市委领导下，平桥区……), else the most mentioned one, else the only one named in
        a cited title or after 法治 (《西宁市……》, 法治修水), or the only one named at all in
        a report that calls itself by that level (``own``: 我县) or of a township's.  When
        several are named as often (``own``), all of them, as candidates."""
        hits = self.scan()
        chain_of = self._chains(hits)
        short = [self._narrow(h, hint, levels) for h in self.short_hits() if self._fits(h, hint, levels)]
        places: dict[frozenset[int], list[Hit]] = {}  # mentions of one place (兰州市, 法治兰州)
        for h in [h for h in hits if self._fits(h, hint, levels)] + short:
            places.setdefault(frozenset(self.div.current(self.div.rows[i]).id for i in h[2]), []).append(h)
        if not places:
            return None
        lim_line = min(len(self.lines), self.body_from + 3)
        lo = self.lines[self.body_from][0] if self.body_from < len(self.lines) else 0
        hi = self.lines[lim_line - 1][1] if lim_line > 0 else 0
        opening = [min(hs, key=lambda x: x[0]) for hs in places.values() if any(lo <= h[0] < hi for h in hs)]
        ranked = sorted(places.values(), key=len, reverse=True)
        top = ranked[0]
        # named once: in a cited title or after 法治; the only one of the level of a report
        # that calls itself by it (我县) or of a township's
        strong = len(places) == 1 and (own or hint in ("乡", "镇", "街道") or
                                       any(h in short or self._quoted(h[0]) for h in top))
        if len(opening) == 1 or ((len(top) >= 2 or strong) and (len(ranked) == 1 or len(top) > len(ranked[1]))):
            h = opening[0] if len(opening) == 1 else top[0]
            chain = chain_of.get(h[0], [h])
            return _Unit(chain, "government", chain[0][0], h[1], "body")
        tied = [g for g in ranked if len(g) == len(top)]
        if own and 1 < len(tied) <= 4:  # several places the report may call its own: candidates
            first = min((g[0] for g in tied), key=lambda x: x[0])
            ids = sorted({i for g in tied for i in g[0][2]})
            return _Unit([(first[0], first[1], ids)], "government", first[0], first[1], "body",
                         clues=[self.span(g[0][0], g[0][1]) for g in tied], named=False)
        return None

    def _quoted(self, pos: int) -> bool:
        """True when ``pos`` is inside a cited title 《……》 of its line."""
        line_start = self.text.rfind("\n", 0, pos) + 1
        before = self.text[line_start: pos]
        return before.rfind("《") > before.rfind("》")

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
        units = self._stated_units(head, sig)
        named = [u for u in units if u.chain]
        unit = named[0] if named else None
        if unit is None:
            stated = [u for u in units if u.hint or u.kind in ("central", "department", "office")]
            unit = stated[0] if stated else self.body_claim()
            if unit is None:
                return None
            if unit.kind == "central":
                return self._central(unit)
            if not unit.chain:
                placed = self._place(unit)
                if placed is None:
                    return self._unresolved(unit)
                unit = placed
        return self._build(unit, [u for u in named if u is not unit], year)

    def _stated_units(self, head: list[int], sig: list[int]) -> list[_Unit]:
        """The issuer as the title lines state it (else the first of them that names a unit),
        and as the signature block does."""
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
        return units

    def _place(self, u: _Unit) -> _Unit | None:
        """A unit named by its level word only (市生态环境局, 县政府, 我局 with 全市): under
        the region of that level the text names; else, when the addressee names a region,
        its only unit of that level (吉林省人民政府： … 州政府 → 延边朝鲜族自治州), or for a
        department without a level word, the addressee's region (海口市……办公室： … 我局)."""
        outer = self._outer()
        word = u.hint
        dept = u.kind in ("department", "office")
        if word is None and dept and u.department and u.department[0] in _WORD_LEVEL:
            word = u.department[0]  # 县委宣传部
        elif word is None and dept:  # 生态环境局 in a report of 全市: a department of the city
            word = self.self_hint().region
        if word is None:
            if outer is None or not dept:
                return None
            chain, clues = [outer[0]], [outer[1]]
        else:
            word = "省" if word == "自治区" else word
            levels = {"P"} if word == "省" else None
            body = self.body_unit(word, levels, own=True)
            if body is not None:
                chain = body.chain
                clues = body.clues or [self.span(chain[0][0], chain[-1][1])]
            elif outer is not None and dept and self._fits(outer[0], word, levels):
                chain, clues = [outer[0]], [outer[1]]  # 海口市……办公室： … 市市场监督管理局
            elif outer is not None and (only := self._only_child(outer[0], word, levels)) is not None:
                chain, clues = [only], [outer[1]]
            else:
                return None
        return _Unit(chain, u.kind, u.start, u.end, u.source, department=u.department,
                     clues=[*u.clues, *clues], named=u.named)

    def _outer(self) -> tuple[Hit, Span] | None:
        """The region of the addressee line or the web page's source line, and that line."""
        for i in self.outer_idx:
            s, e = self.lines[i]
            hits = self.hits_in(s, e)
            if hits:
                return self._run(hits)[-1], self.span(s, e)
        return None

    def _only_child(self, h: Hit, word: str, levels: set[str] | None) -> Hit | None:
        """The only current unit of the level ``word`` directly under the region ``h``, as a
        hit of no length (it is not named in the text)."""
        if len(h[2]) != 1:
            return None
        parent = self.div.current(self.div.rows[h[2][0]])
        suffixes = _LEVEL_SUFFIX.get(word, ())
        allowed = levels or _HINT_LEVELS.get(word, set())
        kids = [k for k in self.div.children(parent) if self.div.is_current(k) and k.level in allowed
                and k.name.endswith(suffixes)]
        return (h[1], h[1], [kids[0].id]) if len(kids) == 1 else None

    def _central(self, u: _Unit) -> Issuer:
        name: str | None = self.review.text[u.start: u.end].strip()
        if u.source == "body":  # the body's name for it (原国土资源部 → 国土资源部), or none (部党组)
            m = self.div_central.at(self.text, u.start, u.end)
            name = m.group("name") if m else u.department
        return Issuer(name=name, level="department", kind="department", department=u.department,
                      evidence=self.span(u.start, u.end), clues=list(u.clues))

    def _unresolved(self, u: _Unit) -> Issuer:
        """An issuer the text does not place: a department's level, or a government's level
        from its level word (县政府 → county), every region field None."""
        level = "department" if u.kind in ("department", "office") else _WORD_LEVEL.get(u.hint or "")
        name = self.review.text[u.start: u.end].strip() if u.named else None
        return Issuer(name=name, level=level, kind=u.kind, department=u.department,
                      evidence=self.span(u.start, u.end), clues=list(u.clues))

    def _build(self, unit: _Unit, others: list[_Unit], year: int | None) -> Issuer:
        div = self.div
        rows = div.rows
        name = self.review.text[unit.start: unit.end].strip() if unit.named else None
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
        # the same unit under an old and a new name counts once; old rows only for old years,
        # and an old name a current unit bears is that unit's in later years (兴平乡 in 2022 is
        # 西吉县's, not 尉犁县's renamed in 2018)
        by_cur: dict[int, divisions.Division] = {}
        named_now = any(div.is_current(c) for c in cands)
        for c in cands:
            cur = div.current(c)
            if year is not None and ((not div.is_current(cur) and year > cur.last_year + 1)
                                     or (named_now and not div.is_current(c) and year > c.last_year + 1)):
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
                self._place_unlisted(iss, self.text[unplaced[-1][0]: unplaced[-1][1]], dept_kind)
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
        """Decide between same-named candidates: those within the addressee's region, those
        under a government of the level the text calls its superior (县委 → a 县), then
        the best scored by the other place names of the report."""
        div = self.div
        rows = div.rows
        clues: list[Span] = []
        for keep, clue in (self._within_outer(cands), self._under_superior(cands)):
            if keep and len(keep) < len(cands) and clue is not None:
                cands = keep
                clues.append(clue)
        if len(cands) == 1:
            return cands, clues
        own = {(h[0], h[1]) for h in unit.chain}
        cand_ids = {c.id for c in cands}
        strong = set()
        for u in others:
            for h in u.chain:
                strong.add((h[0], h[1]))
        for i in self.head_idx + self.sig_idx + self.outer_idx:
            s, e = self.lines[i]
            for h in self.hits_in(s, e):
                strong.add((h[0], h[1]))
        mentions: dict[str, list[Hit]] = {}
        for h in self.scan():
            if (h[0], h[1]) in own:
                continue
            mentions.setdefault(self.text[h[0]: h[1]], []).append(h)
        for h in self.short_hits():  # 法治兰州: counted as 兰州市
            mentions.setdefault(rows[h[2][0]].name if len(h[2]) == 1 else self.text[h[0]: h[1]], []).append(h)
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
            found = []
            for r in ids:
                for h in via.get(r, [])[:2]:
                    found.append(self.span(h[0], h[1]))
            found.sort(key=lambda sp: sp.start)
            return [c], clues + found[:5]
        return [c for sc, c in scored], clues

    def _within_outer(self, cands: list[divisions.Division]) -> tuple[list[divisions.Division], Span | None]:
        """The candidates within the region of the addressee (西宁市人民政府：) or of the web
        page's source line (来源：湄潭县人民政府)."""
        found = self._outer()
        if found is None:
            return [], None
        outer = [self.div.rows[r] for r in found[0][2]]
        return [c for c in cands if any(self.div.is_within(c, o) for o in outer)], found[1]

    def _under_superior(self, cands: list[divisions.Division]) -> tuple[list[divisions.Division], Span | None]:
        """Townships and streets under a government of the level the text names without its
        name (在县委、县政府的领导下 → a 县; 区委区政府 → a 区; else 市委 → a 县级市)."""
        rows = self.div.rows
        if not all(c.level in ("T", "S", "O") and c.parent is not None for c in cands):
            return [], None
        ends = {h[1] for h in self.scan()}
        found: dict[str, list[re.Match[str]]] = {}
        for m in _SUPERIOR.finditer(self.text):
            if m.start() + 1 not in ends:  # not the end of a name: 平遥县委
                found.setdefault(m.group(1), []).append(m)
        below_county: list[str] = [w for w in ("县", "区", "旗") if w in found]
        words = below_county or [w for w in ("市",) if w in found]
        if not words:
            return [], None
        word = max(words, key=lambda w: len(found[w]))
        keep = [c for c in cands if rows[c.parent].name.endswith(word)]  # type: ignore[index]
        m = found[word][0]
        return keep, self.span(m.start(), m.end())

