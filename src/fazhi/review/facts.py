"""Stage 7 — facts: the quantities that measure a catalogue indicator.

The catalogue is ``data/indicators.yaml`` (its header explains the matching
rules).  Matching is clause based and runs in one pass:

1. all signal phrases of the catalogue are found in the text with one
   compiled pattern (overlapping matches included);
2. for each quantity (stage 6), the signals that end shortly before it in the
   same sentence — after the previous figure, so that a signal is used by the
   figure nearest to it — and those that start right after it in the same
   clause are the candidates;
3. candidates whose indicator does not accept the quantity's unit, or whose
   ``exclude``/``requires`` expressions say no, are dropped; so are those
   whose clause names none of the indicator's ``subjects`` (a list's size is
   not a count of cases handled) or holds one of its ``qualifiers`` without
   calling the figure a whole (``totals``: "组织150名执法人员参加测试" counts
   those tested, "全区278名行政执法人员" the officers); the nearest remaining
   signal decides;
4. a figure right after a fact of the same sentence whose clause opens with
   one of the verbs the indicator ``counts`` ("收到行政复议申请58件，受理52件")
   is that indicator's figure, and replaces the fact before it unless that
   one's clause has such a verb too.

Each fact carries its evidence: the clause holding the figure, widened to the
signal when the signal sits in an earlier clause of the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fazhi import knowledge
from fazhi.knowledge import Knowledge
from fazhi.review.model import Fact, Quantity, Review, Span
from fazhi.units import divisions

_CLAUSE_DELIMS = "，,；;。！!？?\n"
_SENTENCE_DELIMS = "；;。！!？?\n"
_DELIM_RE = re.compile(f"[{re.escape(_CLAUSE_DELIMS)}]")
_SENTENCE_RE = re.compile(f"[{re.escape(_SENTENCE_DELIMS)}]")


def _after(chars: re.Pattern[str], text: str, pos: int) -> int:
    """The first of ``chars`` at or after ``pos`` (the text's end without one)."""
    m = chars.search(text, pos)
    return m.start() if m else len(text)


@dataclass(frozen=True, slots=True)
class Indicator:
    """One catalogue entry, compiled."""

    id: str
    name: str
    core: bool
    group: str
    units: frozenset[str]
    signals: tuple[str, ...]
    after: tuple[str, ...]
    max_distance: int
    after_distance: int
    exclude: re.Pattern[str] | None
    requires: re.Pattern[str] | None
    priority: int
    order: int
    ref: str | None = None
    better: str | None = None  # "higher" | "lower" | None (a size: neither way is better)
    subjects: re.Pattern[str] | None = None  # one of the nouns it counts must be named in the clause
    qualifiers: re.Pattern[str] | None = None  # in the clause: the figure counts a part or another measure…
    totals: re.Pattern[str] | None = None  # …unless the clause calls it a whole before the figure
    counts: re.Pattern[str] | None = None  # the verbs of the figures it counts, opening a clause

    def names_subject(self, text: str, start: int, end: int) -> bool:
        """Does ``text[start:end]`` name what this indicator counts (always, without ``subjects``)?"""
        return self.subjects is None or self.subjects.search(text, start, end) is not None

    def qualified(self, text: str, start: int, figure: int, end: int) -> bool:
        """Do the words of the clause ``text[start:end]`` make its figure (at ``figure``) a part or another
        measure: one of the ``qualifiers`` in the clause and none of the ``totals`` before the figure?"""
        if self.qualifiers is None or self.qualifiers.search(text, start, end) is None:
            return False
        return self.totals is None or self.totals.search(text, start, figure) is None


#: an indicator that uses a phrase: (its index, how far the phrase may be from the figure, -priority, order)
_Owner = tuple[int, int, int, int]
#: phrase prefix (its first two characters) -> [(phrase, its length, the indicators that use it)], longest first
_Table = dict[str, tuple[tuple[str, int, tuple[_Owner, ...]], ...]]


@dataclass(frozen=True)
class Catalogue:
    version: str
    indicators: tuple[Indicator, ...]
    groups: dict[str, str]
    # measure word -> (its signals before the figure, its phrases after it): only the indicators that
    # accept that measure word, so a figure looks up nothing it could not be
    tables: dict[str, tuple[_Table, _Table]]
    reach_before: int  # the longest max_distance + phrase length
    reach_after: int
    after_span: int  # after phrases start within this many characters of the figure

    def get(self, indicator_id: str) -> Indicator | None:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        return None

    @property
    def core_ids(self) -> list[str]:
        return [i.id for i in self.indicators if i.core]


def compile_catalogue(data: dict[str, Any]) -> Catalogue:
    """Compile a catalogue (the parsed ``indicators.yaml``)."""
    defaults = data.get("defaults") or {}
    dmax = int(defaults.get("max_distance", 12))
    dafter = int(defaults.get("after_distance", 4))
    dtotals = defaults.get("totals")
    inds: list[Indicator] = []
    for n, d in enumerate(data["indicators"]):
        inds.append(Indicator(
            id=d["id"], name=d["name"], core=bool(d.get("core", False)), group=d["group"],
            units=frozenset(u.replace("％", "%") for u in d["units"]),
            signals=tuple(d["signals"]), after=tuple(d.get("after") or ()),
            max_distance=int(d.get("max_distance", dmax)),
            after_distance=int(d.get("after_distance", dafter)),
            exclude=re.compile(d["exclude"]) if d.get("exclude") else None,
            requires=re.compile(d["requires"]) if d.get("requires") else None,
            priority=int(d.get("priority", 0)), order=n, ref=d.get("ref"), better=d.get("better"),
            subjects=_words(d.get("subjects")), qualifiers=_pattern(d.get("qualifiers")),
            totals=_pattern(d.get("totals", dtotals)), counts=_words(d.get("counts"), opening=True),
        ))
    longest = max((len(p) for i in inds for p in (*i.signals, *i.after)), default=0)
    units = sorted({u for i in inds for u in i.units})
    return Catalogue(
        version=str(data.get("version", "0")), indicators=tuple(inds),
        groups=dict(data.get("groups") or {}),
        tables={u: (_table(inds, u, after=False), _table(inds, u, after=True)) for u in units},
        reach_before=max((i.max_distance for i in inds), default=0) + longest,
        reach_after=max((i.after_distance for i in inds), default=0) + longest,
        after_span=max((i.after_distance for i in inds if i.after), default=-1) + 1,
    )


def _pattern(expr: str | None) -> re.Pattern[str] | None:
    return re.compile(expr) if expr else None


def _words(words: list[str] | None, *, opening: bool = False) -> re.Pattern[str] | None:
    """One pattern for literal ``words`` (``opening``: at the start of a clause, after 共/累计/依法 and the
    like)."""
    if not words:
        return None
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?:共|累计|全年|依法|先后|又)?(?:{alt})" if opening else alt)


def _table(inds: list[Indicator], unit: str, *, after: bool) -> _Table:
    """The phrases of the indicators that accept ``unit`` (their ``after`` phrases or their signals)."""
    owners: dict[str, list[_Owner]] = {}
    for i, ind in enumerate(inds):
        if unit in ind.units:
            reach = ind.after_distance if after else ind.max_distance
            for p in ind.after if after else ind.signals:
                owners.setdefault(p, []).append((i, reach, -ind.priority, ind.order))
    table: dict[str, list[tuple[str, int, tuple[_Owner, ...]]]] = {}
    for p in sorted(owners, key=len, reverse=True):
        table.setdefault(p[:2], []).append((p, len(p), tuple(owners[p])))
    return {k: tuple(v) for k, v in table.items()}


def catalogue(kn: Knowledge | None = None) -> Catalogue:
    """The indicator catalogue of ``kn`` (default: the files'), compiled once per knowledge."""
    k = kn or knowledge.files()
    return k.compiled("facts.catalogue", lambda: compile_catalogue(k["indicators"]))


def match(text: str, quantities: list[Quantity], cat: Catalogue | None = None) -> list[Fact]:
    """The facts among ``quantities`` of ``text`` (both as in a :class:`Review`)."""
    cat = cat or catalogue()
    if not quantities or not cat.indicators:
        return []
    tables = cat.tables
    # phrases are matched in simplified characters; evidence is quoted as written
    written, text = text, divisions.simplified(text)
    startswith = text.startswith
    backwards = text[::-1]
    size = len(text)
    # _before and _after, inlined: they run three times per figure
    find_sentence, find_delim = _SENTENCE_RE.search, _DELIM_RE.search
    reach_before, reach_after = cat.reach_before, cat.reach_after
    inds = cat.indicators
    facts: list[Fact] = []
    # indicators already measured in the current sentence (for 其中 breakdowns)
    seen_start, seen = -1, set[str]()
    n = len(quantities)
    for qi, q in enumerate(quantities):
        if q.unit not in tables:
            continue
        qs = q.start
        m = find_delim(backwards, size - qs)
        clause_start = size - m.start() if m else 0
        if m is not None and m.group() in _SENTENCE_DELIMS:
            sent_start = clause_start  # the clause's delimiter ends a sentence: the last one
        else:
            m = find_sentence(backwards, size - qs)
            sent_start = size - m.start() if m else 0
        m = find_delim(text, q.end)
        clause_end = m.start() if m else size
        prev_end = quantities[qi - 1].end if qi else 0
        next_start = quantities[qi + 1].start if qi + 1 < n else size
        lo = max(sent_start, prev_end, qs - reach_before)
        hi = min(clause_end, next_start, q.end + reach_after)

        # (distance, -priority, -phrase length, order, indicator, phrase start, phrase end, after)
        cands: list[tuple[int, int, int, int, int, int, int, bool]] = []
        before, after_table = tables[q.unit]
        lookup = before.get
        # signals ending before the figure (a phrase has two characters at least)
        for ps in range(lo, qs - 1):
            found = lookup(text[ps:ps + 2])
            if found is not None:
                for phrase, length, owners in found:
                    pe = ps + length
                    if pe <= qs and startswith(phrase, ps):
                        dist = qs - pe
                        for i, reach, neg_priority, order in owners:
                            if dist <= reach:
                                cands.append((dist, neg_priority, -length, order, i, ps, pe, False))
        # phrases starting right after it, within the clause
        if after_table:
            for ps in range(q.end, min(hi, q.end + cat.after_span)):
                found = after_table.get(text[ps:ps + 2])
                if found is not None:
                    for phrase, length, owners in found:
                        pe = ps + length
                        if pe <= hi and startswith(phrase, ps):
                            dist = ps - q.end
                            for i, reach, neg_priority, order in owners:
                                if dist <= reach:
                                    cands.append((dist, neg_priority, -length, order, i, ps, pe, True))
        if not cands:
            carried = _counted(text, written, q, facts, inds, sent_start, prev_end, max(clause_start, prev_end),
                               clause_end)
            if carried is not None:
                facts.append(carried)
            continue
        cands.sort()
        for _d, _p, _l, _o, i, ps, pe, after in cands:
            ind = inds[i]
            # exclude: the clause up to the figure, widened to the signal when
            # it sits in an earlier clause ("新增执法人员156名": 新增;
            # "人民调解组织共受理矛盾纠纷…": 受理); for a phrase after the
            # figure, also the words up to the phrase
            # — but not before the previous figure of the clause, which has its own
            # words ("学法讲座4场、集中学法活动10次": 讲座 is the 4's)
            if ind.exclude is not None:
                own = max(clause_start, prev_end)
                between = f"{text[own:q.start]}|{text[q.end:ps]}" if after else text[min(ps, own):q.start]
                if ind.exclude.search(between):
                    continue
            # before the figure: the sentence up to it ("…规范性文件7件，废止3件");
            # after it: the whole sentence ("6次通过常委会议…，研究部署法治建设")
            if ind.requires is not None and not ind.requires.search(
                    text, sent_start, _after(_SENTENCE_RE, text, q.start) if after else q.start):
                continue
            # "抽查155次，其中跨部门联合抽查30次": a breakdown of a total
            # already counted is not the indicator again
            if seen_start == sent_start and ind.id in seen and "其中" in text[clause_start:q.start]:
                continue
            start = min(clause_start, ps)
            end = max(clause_end, pe)
            # ind.names_subject and ind.qualified, inlined (they run for every candidate weighed)
            if ind.subjects is not None and ind.subjects.search(text, start, end) is None:
                continue
            if ind.qualifiers is not None and ind.qualifiers.search(text, start, end) is not None and (
                    ind.totals is None or ind.totals.search(text, start, q.start) is None):
                continue
            facts.append(Fact(ind.id, q.value, q.unit, q.approx, start, end, written[start:end],
                              Span(q.start, q.end, q.text), ind.name))
            if seen_start != sent_start:
                seen_start, seen = sent_start, set()
            seen.add(ind.id)
            break
    return facts


def _counted(text: str, written: str, q: Quantity, facts: list[Fact], inds: tuple[Indicator, ...],
             sent_start: int, prev_end: int, own: int, clause_end: int) -> Fact | None:
    """A figure without a signal of its own, right after a fact of the same sentence (the figure before it,
    ending at ``prev_end``), whose words open with a verb that fact's indicator ``counts`` ("收到行政复议申请58件，
    受理52件": 52 is the indicator's): its fact, which replaces the one before it (removed from ``facts`` here)
    unless that one's words have such a verb too.  ``own`` is where the figure's own words start."""
    if not facts or facts[-1].start < sent_start:
        return None
    prev = facts[-1]
    shown = prev.quantity
    ind = next((i for i in inds if i.id == prev.indicator), None)
    if shown is None or shown.end != prev_end or ind is None or ind.counts is None or q.unit not in ind.units:
        return None
    if ind.counts.fullmatch(text, own, q.start) is None:
        return None
    if ind.counts.search(text, prev.start, shown.start) is None:
        facts.pop()
    return Fact(indicator=ind.id, value=q.value, unit=q.unit, approx=q.approx, start=prev.start, end=clause_end,
                text=written[prev.start:clause_end], quantity=Span(q.start, q.end, q.text), name=ind.name)


def extract(review: Review) -> list[Fact]:
    """Stage 7: the facts among ``review.quantities``."""
    return match(review.text, review.quantities, catalogue(review.kn))
