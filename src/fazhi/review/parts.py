"""Stage 4 — required parts: which of the four parts the report has, and how.

``dedicated``: a top-level heading is about the part; ``embedded``: a lower
heading or the body text covers it; ``missing``: nothing does.  The phrasings
are data (``data/parts.yaml``); this module only applies them.  A report whose
top-level headings are all thematic (加强领导… / 科学决策…) and claimed by no
other part reports its work there: that is a dedicated achievements part.
"""

from __future__ import annotations

import re
from typing import Any

from fazhi.knowledge import Knowledge
from fazhi.review.model import PART_NAMES, Node, Part, Review, Span
from fazhi.review.text import sentence_bounds
from fazhi.units import divisions


def _patterns(kn: Knowledge) -> dict[str, dict]:
    return kn.compiled("parts.patterns", lambda: _compile(kn["parts"]["parts"]))


def _compile(data: dict[str, Any]) -> dict[str, dict]:
    out = {}
    for name, spec in data.items():
        out[name] = {
            "heading": re.compile("|".join(f"(?:{p})" for p in spec["heading"])) if spec["heading"] else None,
            "text": [re.compile(p) for p in spec["text"]],
            "generic": bool(spec.get("generic")),
        }
    return out


def _any_heading(kn: Knowledge) -> re.Pattern[str]:
    """Every part's heading phrasings in one pattern: most headings are thematic and match none of them."""
    def make() -> re.Pattern[str]:
        specs = kn["parts"]["parts"].values()
        return re.compile("|".join(f"(?:{p})" for spec in specs for p in spec["heading"]) or "(?!)")
    return kn.compiled("parts.any_heading", make)


_SEEN_MAX = 256  # heading titles remembered per knowledge (reports repeat their headings; a few suffice)


def classify_heading(title: str, kn: Knowledge) -> list[str]:
    """The parts a heading title is about (specific parts win over generic ones); remembered per knowledge,
    since reports share most of their headings (主要举措和成效, 存在的问题和不足 …)."""
    seen: dict[str, tuple[str, ...]] = kn.compiled("parts.seen_headings", dict)
    got = seen.get(title)
    if got is None:
        if len(seen) >= _SEEN_MAX:
            seen.clear()
        got = seen[title] = tuple(_classify(title, kn))
    return list(got)


def _classify(title: str, kn: Knowledge) -> list[str]:
    if _any_heading(kn).search(title) is None:
        return []
    pats = _patterns(kn)
    specific = [n for n, p in pats.items() if not p["generic"] and p["heading"] and p["heading"].search(title)]
    if specific:
        return specific
    return [n for n, p in pats.items() if p["generic"] and p["heading"] and p["heading"].search(title)]


def _heading_part(review: Review, node: Node, how: str) -> Part:
    return Part("dedicated" if how == "heading:1" else "embedded",
                review.span(node.start, node.title_end), heading=node.title, how=how)


def _text_part(review: Review, name: str) -> Part | None:
    text = divisions.simplified(review.text)
    # search the body, not the title
    begin = review.title_span.end if review.title_span else 0
    hits = []
    for pat in _patterns(review.kn)[name]["text"]:
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
    plain = divisions.simplified(review.text)  # phrasings are simplified Chinese
    titles = {id(n): plain[n.title_start:n.title_end] for n in headings}
    claims: dict[int, list[str]] = {id(n): classify_heading(titles[id(n)], review.kn) for n in headings}
    _claim_next_year(review, plain, headings, titles, claims, top)
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


_YEAR = re.compile(r"(?<!\d)(20\d\d)\s*年")
_BOOK = re.compile(r"《[^》\n]*》")
_SPECIFIC = ("shortcomings", "first_responsible", "other")


def _years(s: str) -> list[int]:
    if "年" not in s:
        return []
    if "《" in s:
        s = _BOOK.sub("", s)
    return [int(m.group(1)) for m in _YEAR.finditer(s)]


_PLAN_OPENING = re.compile(r"[。：:\s]*(?:下一步|下步|下一阶段|下一年度?|明年|新的一年|今后)")
_WILL = re.compile(r"(20\d\d)\s*年[^。\n]{0,12}?(?:将|要|继续|着力|重点抓好)")


def _claim_next_year(review: Review, plain: str, headings: list[Node], titles: dict[int, str],
                     claims: dict[int, list[str]], top: int | None) -> None:
    """Sections about the year after the one reported on are the plan, whatever
    their headings call them: a heading naming that year (四、2023年工作重点 /
    2023年主要任务 in a report on 2022), or a thematic top-level heading
    (四、以更高标准推进法治政府建设) whose section opens "下一步，……" or
    "2023年，我县将……".

    The year reported on is the title's; without one, the earliest year of the
    headings when they name two years."""
    base = None
    if review.title_span is not None:
        ys = _years(plain[review.title_span.start:review.title_span.end])
        base = ys[0] if ys else None
    if base is None:
        ys = sorted({y for n in headings for y in _years(titles[id(n)])})
        base = ys[0] if len(ys) >= 2 else None
    after = str(base + 1) if base is not None else None
    first_top = True
    for n in headings:
        c = claims[id(n)]
        if n.level == top:
            opening, first_top = not first_top, False
        else:
            opening = False
        if "next_year_plan" in c or any(p in c for p in _SPECIFIC):
            continue
        if after is not None and base is not None and after in titles[id(n)] and base + 1 in _years(titles[id(n)]):
            claims[id(n)] = ["next_year_plan"]
        elif opening and not c:  # a thematic section (never the first) opening with the plan
            body = plain[n.title_end:min(n.end, n.title_end + 80)]
            m = _WILL.match(body.lstrip("。：: \n"))
            if _PLAN_OPENING.match(body) or (m and after is not None and m.group(1) == after):
                claims[id(n)] = ["next_year_plan"]


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
    if part.how and part.how.startswith("heading") and part.evidence is not None:
        node = _node_at(review, part.evidence.start)
        if node is not None:
            split = _split_combined(review, node)
            if split is not None and name in split:
                return split[name]
            return node.title_end, node.end
    ln = review.line_at(part.evidence.start)
    end = ln.end if ln else part.evidence.end
    if name == "shortcomings":
        m = _PLAN_START.search(divisions.simplified(review.text), part.evidence.end, end)
        if m:
            end = m.start()
    return part.evidence.start, end


def _split_combined(review: Review, node: Node) -> dict[str, tuple[int, int]] | None:
    """A section about both the shortcomings and the plan (三、存在的问题及下一步打算):
    where each lies in it — before and from the sub-heading that opens the plan
    (（二）下一步打算), else before and from the sentence that does (下一步，……)."""
    key = f"combined:{node.start}"
    if key in review.memo:
        return review.memo[key]
    review.memo[key] = None
    plain = divisions.simplified(review.text)
    claims = classify_heading(plain[node.title_start:node.title_end], review.kn)
    if "shortcomings" not in claims or "next_year_plan" not in claims:
        return None
    cut = None
    for c in node.children:
        if c.kind == "heading" and c.start > node.title_end:
            cc = classify_heading(plain[c.title_start:c.title_end], review.kn)
            if "next_year_plan" in cc and "shortcomings" not in cc:
                cut = c.start
                break
    if cut is None:
        m = _PLAN_START.search(plain, node.title_end, node.end)
        if m is None:
            return None
        cut = m.start()
    split = {"shortcomings": (node.title_end, cut), "next_year_plan": (cut, node.end)}
    review.memo[key] = split
    return split


def items(review: Review, name: str) -> list[Span]:
    """The separate points a part makes: its sub-headings or 一是/二是 items, else
    its sentences (or ；-separated clauses), leaving out introductory lines (found
    once per review: the findings and the score both ask)."""
    key = f"items:{name}"
    if key not in review.memo:
        review.memo[key] = _items(review, name)
    return list(review.memo[key])


def _items(review: Review, name: str) -> list[Span]:
    reg = region(review, name)
    if reg is None:
        return []
    start, end = reg
    part = review.parts[name]
    plain = divisions.simplified(review.text)
    if part.how and part.how.startswith("heading") and part.evidence is not None:
        node = _node_at(review, part.evidence.start)
        if node is not None and node.children:
            kids = [c for c in node.children if start <= c.start < end]
            # a combined section: the points sit under its （一）存在的问题
            if len(kids) == 1 and kids[0].kind == "heading" and kids[0].children and \
                    name in classify_heading(plain[kids[0].title_start:kids[0].title_end], review.kn):
                kids = kids[0].children
            if kids:
                return [review.span(c.start, min(c.end, end)) for c in kids]
    text = plain[start:end]
    out: list[Span] = []
    for m in re.finditer(r"[^。；！？\n]+[。；！？]?", text):
        piece = m.group(0)
        lead = _LEAD.match(piece)
        skip = lead.end() if lead else 0
        if len(piece.strip()) - skip < 8 or _INTRO.search(piece):
            continue
        s = start + m.start() + skip
        out.append(review.span(s, s + len(piece) - skip))
    return out
