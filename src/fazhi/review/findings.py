"""Stage 8 — findings: the rules of ``data/rules.yaml`` applied to a review.

Each rule names a built-in check; the check returns zero or more
``(fields, evidence)`` hits, and the rule's message template is filled from
``fields``.  Severity, wording, parameters and whether a rule runs at all are
data.  Every finding carries its evidence (spans of the normalised text);
a finding about something absent points at the place it should have been
(the title or the part's heading) when there is one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from fazhi import knowledge
from fazhi.knowledge import Knowledge
from fazhi.review.model import REQUIRED_PARTS, Finding, Review, Span
from fazhi.review.parts import items, region
from fazhi.units import divisions

Hit = tuple[dict[str, Any], list[Span]]
Check = Callable[[Review, dict[str, Any]], Iterator[Hit]]
CHECKS: dict[str, Check] = {}


def register_check(name: str) -> Callable[[Check], Check]:
    """Register a built-in check under the name rules refer to."""
    def deco(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn
    return deco


def _label(review: Review, part: str) -> str:
    return str(review.kn["parts"]["parts"][part]["label"])


def _anchor(review: Review) -> list[Span]:
    return [review.title_span] if review.title_span else []


@register_check("part_missing")
def _part_missing(review: Review, params: dict) -> Iterator[Hit]:
    for name in REQUIRED_PARTS:
        p = review.parts.get(name)
        if p is None or p.status == "missing":
            yield {"part": name, "label": _label(review, name), "suffix": name}, _anchor(review)


@register_check("part_embedded")
def _part_embedded(review: Review, params: dict) -> Iterator[Hit]:
    for name in REQUIRED_PARTS:
        p = review.parts.get(name)
        if p is not None and p.status == "embedded":
            where = "下级标题" if p.how and p.how.startswith("heading") else "正文"
            yield ({"part": name, "label": _label(review, name), "where": where, "suffix": name},
                   [p.evidence] if p.evidence else [])


@cache
def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def gives_causes(review: Review, causes: str) -> bool | None:
    """Does the shortcomings part say why (the pattern ``causes`` in its region)?  ``None``: no such part.
    Looked for once per review (the finding and the score both ask)."""
    key = f"causes:{causes}"
    if key not in review.memo:
        reg = region(review, "shortcomings")
        review.memo[key] = None if reg is None else \
            _rx(causes).search(divisions.simplified(review.text), reg[0], reg[1]) is not None
    return review.memo[key]


@register_check("no_causes")
def _no_causes(review: Review, params: dict) -> Iterator[Hit]:
    if gives_causes(review, params["causes"]) is False:
        yield {}, [review.parts["shortcomings"].evidence] if review.parts["shortcomings"].evidence else []


_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def _bigrams(s: str, stop: frozenset[str]) -> set[str]:
    """The pairs of adjacent Chinese characters of ``s`` that are not in ``stop``."""
    out = {word[i:i + 2] for word in _HAN_RUN.findall(s) for i in range(len(word) - 1)}
    return out - stop if stop else out


def _themes(kn: Knowledge, themes: dict[str, list[str]]) -> list[tuple[str, re.Pattern[str]]]:
    """Each theme of a rule's ``themes`` with one pattern for its words, compiled once per knowledge (the
    rule's parameters are part of the knowledge, so the dict itself is the key while it lives)."""
    cache: dict[int, tuple[Any, list[tuple[str, re.Pattern[str]]]]] = kn.compiled("findings.themes", dict)
    got = cache.get(id(themes))
    if got is None or got[0] is not themes:
        got = cache[id(themes)] = (themes, [(t, re.compile("|".join(re.escape(w) for w in words) or "(?!)"))
                                            for t, words in themes.items()])
    return got[1]


def unanswered(review: Review, params: dict) -> tuple[list[Span], list[Span]]:
    """(shortcoming items, those the plan does not answer); computed once per review."""
    key = "unanswered"
    if key not in review.memo:
        review.memo[key] = _unanswered_items(review, params)
    return review.memo[key]


def _unanswered_items(review: Review, params: dict) -> tuple[list[Span], list[Span]]:
    short = items(review, "shortcomings")
    reg = region(review, "next_year_plan")
    if not short or reg is None:
        return short, []
    plain = divisions.simplified(review.text)  # the phrasings are simplified Chinese
    plan = plain[reg[0]:reg[1]]
    themes = _themes(review.kn, params.get("themes", {}))
    stop = frozenset(params.get("stop", []))
    plan_themes = {t for t, words in themes if words.search(plan)}
    plan_bg = _bigrams(plan, stop)
    need = int(params.get("min_shared", 3))
    left = []
    for it in short:
        said = plain[it.start:it.end]
        if any(words.search(said) for t, words in themes if t in plan_themes):
            continue
        if len(_bigrams(said, stop) & plan_bg) >= need:
            continue
        left.append(it)
    return short, left


@register_check("unanswered_shortcomings")
def _unanswered(review: Review, params: dict) -> Iterator[Hit]:
    _, left = unanswered(review, params)
    if left:
        names = "；".join(_short(s.text) for s in left)
        yield {"items": names, "n": len(left)}, left


def _short(s: str, n: int = 24) -> str:
    s = s.strip().rstrip("。；")
    return s if len(s) <= n else s[:n] + "…"


@register_check("no_figures")
def _no_figures(review: Review, params: dict) -> Iterator[Hit]:
    if not review.quantities:
        yield {}, _anchor(review)


@register_check("few_facts")
def _few_facts(review: Review, params: dict) -> Iterator[Hit]:
    if not review.quantities:
        return  # figures.none says it already
    core = core_indicators(review.kn)
    n = len({f.indicator for f in review.facts if f.indicator in core})
    if n < int(params.get("min", 3)):
        yield {"n": n, "min": params.get("min", 3)}, _anchor(review)


def core_indicators(kn: Knowledge) -> frozenset[str]:
    """The ids of the catalogue's core indicators."""
    return kn.compiled("findings.core", lambda: frozenset(
        i["id"] for i in kn["indicators"].get("indicators", []) if i.get("core")))


@register_check("late_date")
def _late(review: Review, params: dict) -> Iterator[Hit]:
    if not review.date or not review.year:
        return
    try:
        d = dt.date.fromisoformat(review.date)
        deadline = dt.date(review.year + 1, int(params.get("deadline_month", 4)),
                           int(params.get("deadline_day", 1)))
    except ValueError:
        return
    if d > deadline:
        ev = [review.date_evidence] if review.date_evidence else []
        yield {"date": review.date, "deadline": deadline.isoformat()}, ev


@register_check("no_date")
def _no_date(review: Review, params: dict) -> Iterator[Hit]:
    if not review.date:
        yield {}, []


@register_check("no_issuer")
def _no_issuer(review: Review, params: dict) -> Iterator[Hit]:
    iss = review.issuer
    if iss is None or not (iss.name or iss.province or iss.level or iss.candidates):
        yield {}, _anchor(review)


@register_check("ambiguous_issuer")
def _ambiguous(review: Review, params: dict) -> Iterator[Hit]:
    iss = review.issuer
    if iss is not None and iss.ambiguous:
        cands = "、".join("".join(str(c.get(k) or "") for k in ("province", "city", "county", "township"))
                         for c in iss.candidates[:5])
        yield {"name": iss.name or "", "candidates": cands}, [iss.evidence] if iss.evidence else []


@register_check("no_year")
def _no_year(review: Review, params: dict) -> Iterator[Hit]:
    if not review.year:
        yield {}, _anchor(review)


@register_check("no_title")
def _no_title(review: Review, params: dict) -> Iterator[Hit]:
    if not review.title:
        yield {}, []


def boilerplate_hits(review: Review, phrases: list[str]) -> list[Span]:
    """Occurrences of known formulaic phrases (longest first, no overlaps); found once per review."""
    key = "boilerplate:" + "|".join(phrases)
    if key not in review.memo:
        review.memo[key] = _boilerplate_hits(review, phrases)
    return review.memo[key]


def _boilerplate_hits(review: Review, phrases: list[str]) -> list[Span]:
    text = divisions.simplified(review.text)
    taken: list[tuple[int, int]] = []
    out: list[Span] = []
    for ph in sorted(phrases, key=len, reverse=True):
        start = 0
        while True:
            i = text.find(ph, start)
            if i < 0:
                break
            j = i + len(ph)
            if not any(a < j and i < b for a, b in taken):
                taken.append((i, j))
                out.append(review.span(i, j))
            start = j
    out.sort(key=lambda s: s.start)
    return out


@register_check("boilerplate")
def _boilerplate(review: Review, params: dict) -> Iterator[Hit]:
    hits = boilerplate_hits(review, params.get("phrases", []))
    if len(hits) >= int(params.get("min", 3)):
        examples = "、".join(dict.fromkeys(f"“{h.text}”" for h in hits[:3]))
        yield {"n": len(hits), "examples": examples}, hits


@register_check("notes")
def _notes(review: Review, params: dict) -> Iterator[Hit]:
    yield from ()  # notes are merged in check() directly


# -- corpus mode -------------------------------------------------------------
# ``fazhi.corpus.similar.apply`` puts the comparison with the corpus into
# ``review.memo["corpus"]`` (a plain dict, see ``fazhi.corpus.similar.originality``);
# without it (a single report) these checks find nothing.

def _corpus_span(d: dict[str, Any]) -> Span:
    return Span(int(d["start"]), int(d["end"]), str(d["text"]))


@register_check("corpus_copied")
def _corpus_copied(review: Review, params: dict) -> Iterator[Hit]:
    ctx = review.memo.get("corpus")
    if not ctx:
        return
    shown = 0
    for m in ctx.get("matches", []):
        if m.get("same_issuer") or shown >= int(params.get("max_reports", 3)):
            continue
        own = [p for p in m.get("passages", []) if not p.get("boilerplate")]
        chars = sum(int(p.get("chars", 0)) for p in own)
        longest = max((int(p.get("chars", 0)) for p in own), default=0)
        if chars < int(params.get("min_chars", 150)) or longest < int(params.get("min_passage", 100)):
            continue
        shown += 1
        yield ({"other": m.get("label") or m.get("id"), "n": len(own), "sim": float(m.get("similarity", 0.0)),
                "chars": chars}, [_corpus_span(p["a"]) for p in own])


@register_check("corpus_formulaic")
def _corpus_formulaic(review: Review, params: dict) -> Iterator[Hit]:
    ctx = review.memo.get("corpus")
    if not ctx:
        return
    share = float(ctx.get("formulaic", 0.0))
    if share < float(params.get("min_share", 0.25)):
        return
    spans = sorted(ctx.get("formulaic_spans", []), key=lambda d: -(int(d["end"]) - int(d["start"])))
    top = spans[:int(params.get("max_evidence", 10))]
    examples = "、".join(dict.fromkeys(f"“{_short(d['text'], 16)}”" for d in top[:int(params.get("examples", 2))]))
    yield ({"share": share, "n": len(spans), "examples": examples, "issuers": ctx.get("common_issuers")},
           sorted((_corpus_span(d) for d in top), key=lambda s: s.start))


def rules(kn: Knowledge) -> list[dict[str, Any]]:
    """The enabled rules of ``kn``."""
    return kn.compiled("findings.rules", lambda: [r for r in kn["rules"]["rules"] if r.get("enabled", True)])


def rule(kn: Knowledge, rule_id: str) -> dict[str, Any] | None:
    """The enabled rule ``rule_id`` of ``kn`` (None: no such rule, or switched off)."""
    return next((r for r in rules(kn) if r["id"] == rule_id), None)


def check(review: Review) -> list[Finding]:
    """Apply every enabled rule to ``review``; notes from earlier stages are kept."""
    out: list[Finding] = []
    enabled = rules(review.kn)
    for r in enabled:
        fn = CHECKS.get(r["check"])
        if fn is None:
            raise knowledge.KnowledgeError(f"rule {r['id']}: unknown check {r['check']!r}")
        if r["check"] == "notes":
            for note in review.notes:
                if note.rule == r["id"]:
                    out.append(Finding(note.rule, r["severity"], note.message, note.evidence))
            continue
        for fields, evidence in fn(review, r.get("params") or {}):
            rid = r["id"] + (f".{fields['suffix']}" if "suffix" in fields else "")
            out.append(Finding(rid, r["severity"], r["message"].format(**fields), evidence))
    known = {r["id"] for r in enabled}
    out.extend(n for n in review.notes if n.rule not in known)
    order = {"error": 0, "warning": 1, "info": 2}
    out.sort(key=lambda f: order.get(f.severity, 3))
    return out

