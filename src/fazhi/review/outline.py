"""Stage 3 — outline: the title and the tree of headings and list items.

Markers, by level (SPEC §2): ``一、`` / ``第一部分`` (1); ``（一）`` (2);
``1.`` ``1、`` ``（1）`` (3); ``一是`` ``二是`` … inline items (4).  A bullet
(``-`` ``•``) or markdown ``#`` may stand before any of them.  A markdown
heading without a marker gets its level from the number of ``#``.

Numbering is checked as the tree is built: a repeated or skipped number is
noted (``outline.numbering``) for the findings stage, never an error.  A run
of long ``一、`` paragraphs that restarts at 一 inside a section is a list, not
new top-level sections, and is demoted to level 3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from fazhi.review.model import Finding, Node, Review, Span
from fazhi.units import divisions

_NUM = "一二三四五六七八九十百零〇两"
_CN = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
       "八": 8, "九": 9}

_BULLET = r"(?:[-•·●▪◆■□◇○*]\s*)?"
_HEAD = re.compile(
    rf"^(?P<hash>#{{1,6}}\s*)?{_BULLET}(?:"
    rf"(?P<l1>[{_NUM}]{{1,3}}(?:、|[.．](?!\d)))"
    rf"|(?P<l1b>第[{_NUM}\d]{{1,3}}(?:部分|章)[、.．：:\s]?)"
    rf"|(?P<l2>[（(][{_NUM}]{{1,3}}[）)][、.．]?)"
    rf"|(?P<l3>\d{{1,2}}[.、．](?!\d)|[（(]\d{{1,2}}[）)]|[①-⑳])"
    rf")"
)
_NUM_SET = frozenset(_NUM)
# the characters a heading line can start with, besides a digit (a line starting otherwise is not tried)
_HEAD_FIRST = frozenset("#-•·●▪◆■□◇○*第（(" + _NUM + "".join(chr(c) for c in range(ord("①"), ord("⑳") + 1)))
# an inline item starts a line, or follows punctuation, a bullet or a lead-in word
_ITEM_AFTER_CHARS = frozenset("。；：，！？ -•\t")
_ITEM_AFTER_WORDS = ("比如", "例如", "其中", "主要有", "表现在")


def _item_starts(seg: str, i: int) -> bool:
    return i == 0 or seg[i - 1] in _ITEM_AFTER_CHARS or seg.endswith(_ITEM_AFTER_WORDS, 0, i)


def _items(seg: str) -> list[tuple[int, int]]:
    """(start, end) of the inline item markers in a line: 一是 … 十二是, 一方面/另一方面.

    Found from the rare characters 是 and 面 with ``str.find`` (much faster
    than a regular expression over every numeral of the text)."""
    found: list[tuple[int, int]] = []
    i = seg.find("是")
    while i > 0:
        j = i
        while j > 0 and i - j < 3 and seg[j - 1] in _NUM_SET:
            j -= 1
        if j < i and _item_starts(seg, j):
            found.append((j, i + 1))
        i = seg.find("是", i + 1)
    i = seg.find("方面")
    while i > 0:
        for lead in ("另一", "一"):
            j = i - len(lead)
            if j >= 0 and seg.startswith(lead, j) and _item_starts(seg, j):
                found.append((j, i + 2))
                break
        i = seg.find("方面", i + 1)
    found.sort()
    return found
_MD_HEAD = re.compile(r"^(#{1,6})\s*(\S.*)$")
_TITLE_HINT = re.compile(r"报告|总结|述职|(?:年|法治|依法行政).*情况")
_NOT_TITLE = re.compile(r"〔\d{4}〕|\[\d{4}\]|文件$|^(?:签发|密级|紧急|发文)")


@lru_cache(maxsize=1024)
def numeral(marker: str) -> int | None:
    """The number a marker carries: '（十二）' → 12, '3.' → 3, '二是' → 2."""
    digits = re.sub(r"\D", "", marker)
    if digits:
        return int(digits)
    if marker and marker[0] in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳":
        return "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳".index(marker[0]) + 1
    s = "".join(ch for ch in marker if ch in _CN or ch in "十百")
    if not s:
        return None
    total, cur = 0, 0
    for ch in s:
        if ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            cur = _CN[ch]
    return total + cur


def title(review: Review) -> tuple[str | None, Span | None]:
    """The report's title: one of the first lines, before the body starts.

    A title says what the document is (…报告 / …情况 / …总结) and is short;
    header lines (发文字号, …文件) are skipped; a report that opens with
    body text or a heading has no title.
    """
    text = review.text
    plain = divisions.simplified(text)  # a title in traditional characters: 報告
    for ln in review.lines[:6]:
        line = text[ln.start:ln.end].strip()
        if not line:
            continue
        md = _MD_HEAD.match(line)
        if md:
            line = md.group(2)
        if _NOT_TITLE.search(line) and len(line) < 40:
            continue
        if _HEAD.match(line) or line.endswith("：") or line.endswith(":"):
            return None, None  # opens with a heading or an addressee line
        at = text.find(line, ln.start, ln.end)
        if len(line) <= 80 and _TITLE_HINT.search(plain, at, at + len(line)) and not line.endswith("。"):
            start = ln.start + text[ln.start:ln.end].find(line)
            return line, Span(start, start + len(line), line)
        return None, None
    return None, None


@dataclass(slots=True)
class _Mark:
    level: int
    marker: str
    start: int  # where the node starts (line start, or the item's position)
    title_start: int
    title_end: int
    kind: str
    line_end: int
    md: bool = False


_STOP_ITEM = re.compile("[。；！？]")
_STOP_HEAD = re.compile("[。！？]")


def _title_end(text: str, start: int, line_end: int, item: bool) -> int:
    """A title ends at its first full stop (an item's also at ；), else at the line end."""
    m = (_STOP_ITEM if item else _STOP_HEAD).search(text, start, line_end)
    end = m.start() if m else line_end
    while end > start and text[end - 1] in "：:，,":
        end -= 1
    return end


def _marks(review: Review) -> list[_Mark]:
    text = review.text
    marks: list[_Mark] = []
    title_span = review.title_span
    for ln in review.lines:
        if title_span and ln.start <= title_span.start < ln.end + 1:
            continue
        line = text[ln.start:ln.end]
        m = _HEAD.match(line) if line[:1] in _HEAD_FIRST or line[:1].isdecimal() else None
        body_from = ln.start
        if m:
            hashes = len((m.group("hash") or "").strip())
            if m.group("l1") or m.group("l1b"):
                level, grp = 1, "l1" if m.group("l1") else "l1b"
            elif m.group("l2"):
                level, grp = 2, "l2"
            else:
                level, grp = 3, "l3"
            marker = m.group(grp).strip()
            ts = ln.start + m.end()
            te = _title_end(text, ts, ln.end, item=False)
            marks.append(_Mark(level, marker, ln.start, ts, te, "heading", ln.end, bool(hashes)))
            body_from = ts
        else:
            md = _MD_HEAD.match(line) if line[:1] == "#" else None
            if md:
                level = len(md.group(1))
                ts = ln.start + md.start(2)
                te = _title_end(text, ts, ln.end, item=False)
                marks.append(_Mark(level, "#" * level, ln.start, ts, te, "heading", ln.end, md=True))
                continue
        # inline items on this line
        seg = text[body_from:ln.end]
        for a, b in _items(seg):
            s = body_from + a
            ts = body_from + b
            te = _title_end(text, ts, ln.end, item=True)
            marks.append(_Mark(4, seg[a:b], s, ts, te, "item", ln.end))
    _fix_markdown_levels(marks)
    return marks


def _fix_markdown_levels(marks: list[_Mark]) -> None:
    """Markdown headings without a marker: '#' levels shift so the shallowest used is 1."""
    md = [m for m in marks if m.md and m.marker.startswith("#")]
    if not md:
        return
    top = min(m.level for m in md)
    for m in md:
        m.level = max(1, m.level - top + 1)


def _demote_restarted_lists(review: Review, marks: list[_Mark]) -> None:
    """Long 一、 paragraphs restarting at 一 inside a section are a list (level 3)."""
    text = review.text
    seen_top = 0
    i = 0
    while i < len(marks):
        m = marks[i]
        if m.kind == "heading" and m.level == 1 and not m.md:
            n = numeral(m.marker)
            body_like = (m.line_end - m.start) > 25 and text[m.line_end - 1:m.line_end] in "。；"
            if n == 1 and seen_top >= 1 and body_like:
                # demote this one and the following long level-1 paragraphs numbered 2, 3, …
                expect = 1
                j = i
                while j < len(marks):
                    mj = marks[j]
                    if mj.kind == "heading" and mj.level == 1 and numeral(mj.marker) == expect and (
                        mj.line_end - mj.start) > 25 and text[mj.line_end - 1:mj.line_end] in "。；":
                        mj.level = 3
                        expect += 1
                    elif mj.kind == "heading" and mj.level <= 1:
                        break
                    j += 1
                i = j
                continue
            seen_top += 1
        i += 1


def _check_numbering(review: Review, roots: list[Node]) -> None:
    def visit(siblings: list[Node]) -> None:
        by_level: dict[tuple[int, str], int] = {}
        for node in siblings:
            n = numeral(node.marker)
            if n is not None and node.kind == "heading" and not node.marker.startswith("#"):
                key = (node.level, _style(node.marker))
                prev = by_level.get(key)
                if prev is not None and n != prev + 1:
                    what = "重复" if n == prev else ("跳号" if n > prev + 1 else "倒序")
                    review.notes.append(Finding(
                        rule="outline.numbering", severity="info",
                        message=f"标题编号{what}：“{node.marker}”前一个同级编号为 {prev}",
                        evidence=[review.span(node.start, node.title_end)]))
                by_level[key] = n
            visit(node.children)
    visit(roots)


@lru_cache(maxsize=1024)
def _style(marker: str) -> str:
    return re.sub(rf"[{_NUM}\d]+", "N", marker)


def build(review: Review) -> list[Node]:
    """Build the outline tree of ``review`` (needs ``review.lines`` and the title)."""
    text = review.text
    marks = _marks(review)
    _demote_restarted_lists(review, marks)
    roots: list[Node] = []
    stack: list[Node] = []
    text_end = len(text)
    for m in marks:
        node = Node(m.level, m.marker, text[m.title_start:m.title_end].strip(), m.start, text_end,
                    m.title_start, m.title_end, m.kind)
        while stack and stack[-1].level >= node.level:
            closed = stack.pop()
            closed.end = node.start
        # an inline item ends with its line at the latest
        if stack:
            stack[-1].children.append(node)
        else:
            roots.append(node)
        stack.append(node)
    while stack:
        stack.pop()
    _set_ends(roots, len(text), review)
    _check_numbering(review, roots)
    return roots


def _set_ends(nodes: list[Node], parent_end: int, review: Review) -> None:
    """A node ends where its next sibling starts, its parent ends, or (an item) its line ends."""
    text = review.text
    last = len(nodes) - 1
    for i, node in enumerate(nodes):
        end = nodes[i + 1].start if i < last else parent_end
        if node.kind == "item":
            ln = review.line_at(node.start)
            if ln is not None and ln.end < end:
                end = ln.end
        if end < node.title_end:
            end = node.title_end
        # trailing newline is not part of the node
        while end > node.start and text[end - 1] == "\n":
            end -= 1
        node.end = end
        if node.children:
            _set_ends(node.children, end, review)
