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
   ``exclude``/``requires`` expressions say no, are dropped; the nearest
   remaining signal decides.

Each fact carries its evidence: the clause holding the figure, widened to the
signal when the signal sits in an earlier clause of the sentence.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from fazhi import knowledge
from fazhi.knowledge import Knowledge
from fazhi.review.model import Fact, Quantity, Review, Span
from fazhi.units import divisions

_CLAUSE_DELIMS = "，,；;。！!？?\n"
_SENTENCE_DELIMS = frozenset("；;。！!？?\n")
_DELIM_RE = re.compile(f"[{re.escape(_CLAUSE_DELIMS)}]")


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


@dataclass(frozen=True, slots=True)
class _Use:
    """One indicator's use of a catalogue phrase."""

    indicator: int  # index into Catalogue.indicators
    after: bool  # an `after` phrase (else a signal before the figure)
    length: int  # of the phrase


@dataclass(frozen=True)
class Catalogue:
    version: str
    indicators: tuple[Indicator, ...]
    groups: dict[str, str]
    # phrase prefix (its first two characters) -> [(phrase, uses)], longest first
    by_prefix: dict[str, tuple[tuple[str, tuple[_Use, ...]], ...]]
    reach_before: int  # the longest max_distance + phrase length
    reach_after: int
    after_span: int  # after phrases start within this many characters of the figure
    after_units: frozenset[str]  # units of the indicators that have after phrases

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
        ))
    # phrase -> who uses it; looked up by its first two characters
    owners: dict[str, list[_Use]] = {}
    for i, ind in enumerate(inds):
        for p in ind.signals:
            owners.setdefault(p, []).append(_Use(i, False, len(p)))
        for p in ind.after:
            owners.setdefault(p, []).append(_Use(i, True, len(p)))
    by_prefix: dict[str, list[tuple[str, tuple[_Use, ...]]]] = {}
    for p in sorted(owners, key=len, reverse=True):
        by_prefix.setdefault(p[:2], []).append((p, tuple(owners[p])))
    longest = max((len(p) for p in owners), default=0)
    return Catalogue(
        version=str(data.get("version", "0")), indicators=tuple(inds),
        groups=dict(data.get("groups") or {}),
        by_prefix={k: tuple(v) for k, v in by_prefix.items()},
        reach_before=max((i.max_distance for i in inds), default=0) + longest,
        reach_after=max((i.after_distance for i in inds), default=0) + longest,
        after_span=max((i.after_distance for i in inds if i.after), default=-1) + 1,
        after_units=frozenset(u for i in inds if i.after for u in i.units),
    )


def catalogue(kn: Knowledge | None = None) -> Catalogue:
    """The indicator catalogue of ``kn`` (default: the files'), compiled once per knowledge."""
    k = kn or knowledge.files()
    return k.compiled("facts.catalogue", lambda: compile_catalogue(k["indicators"]))


#: the last (phrase index, first-character pattern): the index itself is kept, so a new catalogue's
#: index can never be mistaken for it (an ``id()`` could be reused once the old one is freed)
_FIRST: tuple[dict[str, Any], re.Pattern[str]] | None = None


def _first_chars(by_prefix: dict[str, Any]) -> re.Pattern[str]:
    """A character class of the first characters of all phrases (lets the regex
    engine skip the positions where no phrase can start)."""
    global _FIRST
    last = _FIRST
    if last is not None and last[0] is by_prefix:
        return last[1]
    chars = sorted({k[0] for k in by_prefix})
    pat = re.compile("[" + "".join(re.escape(c) for c in chars) + "]")
    _FIRST = (by_prefix, pat)
    return pat


def _phrases(text: str, lo: int, hi: int, by_prefix: dict[str, Any]) -> list[tuple[int, _Use]]:
    """Catalogue phrases starting in ``text[lo:hi]``: (position, use) pairs."""
    out: list[tuple[int, _Use]] = []
    get = by_prefix.get
    startswith = text.startswith
    for m in _first_chars(by_prefix).finditer(text, lo, hi):
        pos = m.start()
        found = get(text[pos:pos + 2])
        if found is not None:
            for phrase, uses in found:
                if startswith(phrase, pos):
                    for u in uses:
                        out.append((pos, u))
    return out


def match(text: str, quantities: list[Quantity], cat: Catalogue | None = None) -> list[Fact]:
    """The facts among ``quantities`` of ``text`` (both as in a :class:`Review`)."""
    cat = cat or catalogue()
    if not quantities or not cat.by_prefix:
        return []
    # phrases are matched in simplified characters; evidence is quoted as written
    written, text = text, divisions.simplified(text)
    delims = [m.start() for m in _DELIM_RE.finditer(text)]
    sentence_delims = [p for p in delims if text[p] in _SENTENCE_DELIMS]
    inds = cat.indicators
    facts: list[Fact] = []
    # indicators already measured in the current sentence (for 其中 breakdowns)
    seen_start, seen = -1, set[str]()
    n = len(quantities)
    for qi, q in enumerate(quantities):
        if q.unit is None:
            continue
        k = bisect.bisect_left(sentence_delims, q.start)
        sent_start = sentence_delims[k - 1] + 1 if k else 0
        sent_end = sentence_delims[k] if k < len(sentence_delims) else len(text)
        k = bisect.bisect_left(delims, q.start)
        clause_start = delims[k - 1] + 1 if k else 0
        k = bisect.bisect_left(delims, q.end)
        clause_end = delims[k] if k < len(delims) else len(text)
        prev_end = quantities[qi - 1].end if qi else 0
        next_start = quantities[qi + 1].start if qi + 1 < n else len(text)
        lo = max(sent_start, prev_end, q.start - cat.reach_before)
        hi = min(clause_end, next_start, q.end + cat.reach_after)

        # (distance, -priority, -phrase length, order, indicator, phrase start, phrase end, after)
        cands: list[tuple[int, int, int, int, int, int, int, bool]] = []
        found = _phrases(text, lo, q.start, cat.by_prefix)
        if q.unit in cat.after_units:
            found += _phrases(text, q.end, min(hi, q.end + cat.after_span), cat.by_prefix)
        for h, u in found:
            ind = inds[u.indicator]
            if q.unit not in ind.units:
                continue
            ps, pe = h, h + u.length
            if u.after:
                if ps < q.end or pe > hi:
                    continue
                dist = ps - q.end
                if dist > ind.after_distance:
                    continue
            else:
                if pe > q.start:
                    continue
                dist = q.start - pe
                if dist > ind.max_distance:
                    continue
            cands.append((dist, -ind.priority, ps - pe, ind.order, u.indicator, ps, pe, u.after))
        if not cands:
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
            own = max(clause_start, prev_end)
            if after:
                between = f"{text[own:q.start]}|{text[q.end:ps]}"
            else:
                between = text[min(ps, own):q.start]
            if ind.exclude is not None and ind.exclude.search(between):
                continue
            # before the figure: the sentence up to it ("…规范性文件7件，废止3件");
            # after it: the whole sentence ("6次通过常委会议…，研究部署法治建设")
            if ind.requires is not None and not ind.requires.search(
                    text, sent_start, sent_end if after else q.start):
                continue
            # "抽查155次，其中跨部门联合抽查30次": a breakdown of a total
            # already counted is not the indicator again
            if seen_start == sent_start and ind.id in seen and "其中" in text[clause_start:q.start]:
                continue
            start = min(clause_start, ps)
            end = max(clause_end, pe)
            facts.append(Fact(indicator=ind.id, value=q.value, unit=q.unit, approx=q.approx,
                              start=start, end=end, text=written[start:end],
                              quantity=Span(q.start, q.end, q.text), name=ind.name))
            if seen_start != sent_start:
                seen_start, seen = sent_start, set()
            seen.add(ind.id)
            break
    return facts


def extract(review: Review) -> list[Fact]:
    """Stage 7: the facts among ``review.quantities``."""
    return match(review.text, review.quantities, catalogue(review.kn))
