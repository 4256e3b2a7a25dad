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
from .model import PART_NAMES, Node, Part, Review, Span
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


_INTRO = re.compile(r"虽然|虽|取得了|这些问题|以上问题|上述问题|^比如$|差距[。，]?$")
_LEAD = re.compile(r"\s*(?:比如|例如|主要是|主要有|具体表现在|表现在)[，：:]?")
_PLAN_START = re.compile(r"下一步|下步|下一阶段|下一年度?|明年|新的一年|今后")


def _node_at(review: Review, start: int) -> Node | None:
    for n in review.nodes():
        if n.start == start and n.kind == "heading":
            return n
    return None


def region(review: Review, name: str, part: Part | None = None) -> tuple[int, int] | None:
    """Where the content of a part lies: a heading's section body, or the
    paragraph from the sentence that reveals it (a shortcomings passage stops
    where the plan begins)."""
    part = part or review.parts.get(name)
    if part is None or part.evidence is None:
        return None
    if part.how and part.how.startswith("heading"):
        node = _node_at(review, part.evidence.start)
        if node is not None:
            return node.title_end, node.end
    ln = review.line_at(part.evidence.start)
    end = ln.end if ln else part.evidence.end
    if name == "shortcomings":
        m = _PLAN_START.search(review.text, part.evidence.end, end)
        if m:
            end = m.start()
    return part.evidence.start, end


def items(review: Review, name: str) -> list[Span]:
    """The separate points a part makes: its sub-headings or 一是/二是 items, else
    its sentences (or ；-separated clauses), leaving out introductory lines."""
    reg = region(review, name)
    if reg is None:
        return []
    start, end = reg
    part = review.parts[name]
    if part.how and part.how.startswith("heading"):
        node = _node_at(review, part.evidence.start)
        if node is not None and node.children:
            return [review.span(c.start, c.end) for c in node.children]
    text = review.text[start:end]
    out: list[Span] = []
    for m in re.finditer(r"[^。；！？\n]+[。；！？]?", text):
        piece = m.group(0)
        lead = _LEAD.match(piece)
        skip = lead.end() if lead else 0
        if len(piece.strip()) - skip < 8 or _INTRO.search(piece):
            continue
        s = start + m.start() + skip
        out.append(Span(s, s + len(piece) - skip, piece[skip:]))
    return out
