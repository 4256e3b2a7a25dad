"""Stage 4 — required parts: which of the four parts the report has, and how.

``dedicated``: a top-level heading is about the part; ``embedded``: a lower
heading or the body text covers it; ``missing``: nothing does.  The phrasings
are data (``data/parts.yaml``); this module only applies them.  A report whose
top-level headings are all thematic (加强领导… / 科学决策…) and claimed by no
other part reports its work there: that is a dedicated achievements part.
"""

from __future__ import annotations

import re
from functools import cache

from . import knowledge
from .model import PART_NAMES, Node, Part, Review
from .text import sentence_bounds


@cache
def _patterns() -> dict[str, dict]:
    data = knowledge.load("parts")["parts"]
    out = {}
    for name, spec in data.items():
        out[name] = {
            "heading": re.compile("|".join(f"(?:{p})" for p in spec["heading"])) if spec["heading"] else None,
            "text": [re.compile(p) for p in spec["text"]],
            "generic": bool(spec.get("generic")),
        }
    return out


def classify_heading(title: str) -> list[str]:
    """The parts a heading title is about (specific parts win over generic ones)."""
    pats = _patterns()
    specific = [n for n, p in pats.items() if not p["generic"] and p["heading"] and p["heading"].search(title)]
    if specific:
        return specific
    return [n for n, p in pats.items() if p["generic"] and p["heading"] and p["heading"].search(title)]


def _heading_part(review: Review, node: Node, how: str) -> Part:
    return Part("dedicated" if how == "heading:1" else "embedded",
                review.span(node.start, node.title_end), heading=node.title, how=how)


def _text_part(review: Review, name: str) -> Part | None:
    text = review.text
    # search the body, not the title
    begin = review.title_span.end if review.title_span else 0
    hits = []
    for pat in _patterns()[name]["text"]:
        m = pat.search(text, begin) if name not in ("shortcomings", "next_year_plan") else None
        if name in ("shortcomings", "next_year_plan"):
            for m2 in pat.finditer(text, begin):
                m = m2  # the last one: closing paragraphs carry these parts
        if m:
            hits.append(m)
    if not hits:
        return None
    m = max(hits, key=lambda x: x.start()) if name in ("shortcomings", "next_year_plan") else min(
        hits, key=lambda x: x.start())
    s, e = sentence_bounds(text, m.start(), m.end())
    return Part("embedded", review.span(s, e), how="text")


def detect(review: Review) -> dict[str, Part]:
    """Status and evidence of every part for ``review`` (needs the outline)."""
    headings = [n for n in review.nodes() if n.kind == "heading" and n.title]
    top = min((n.level for n in headings), default=None)
    claims: dict[int, list[str]] = {id(n): classify_heading(n.title) for n in headings}
    result: dict[str, Part] = {}
    for name in PART_NAMES:
        found = None
        for n in headings:
            if n.level == top and name in claims[id(n)]:
                found = _heading_part(review, n, "heading:1")
                break
        if found is None:
            for n in headings:
                if n.level != top and name in claims[id(n)]:
                    found = _heading_part(review, n, f"heading:{n.level}")
                    break
        if found is None or (found.status == "embedded" and name == "achievements"):
            thematic = [n for n in headings if n.level == top and not claims[id(n)]]
            if name == "achievements" and thematic:
                n = thematic[0]
                found = Part("dedicated", review.span(n.start, n.title_end), heading=n.title,
                             how="heading:thematic")
        if found is None and name != "other":
            found = _text_part(review, name)
        result[name] = found or Part("missing")
    return result
