"""Stage 2 — normalise: the text as read → the text every later stage indexes.

What it does, keeping a map back to the offsets of the text as read
(:class:`~fazhi.review.model.OffsetMap`):

* full-width digits, Latin letters and ``％ ． ＋ ／`` become ASCII; Chinese
  punctuation stays full-width, and half-width ``, ; : ( ) ? !`` written in
  Chinese text become ``， ； ： （ ） ？ ！`` (a comma or colon between two
  digits — ``1,234`` ``10:30`` — is left alone); straight double quotes
  become “ ” pairs.  These are one-to-one, so they move no offset.
* Word and converter artefacts (``[bookmark: _GoBack]``, zero-width
  characters, soft hyphens) are dropped.
* spaces inside Chinese text (``依法护 航``, ``2023 年``) are dropped; lines are
  stripped; blank lines are dropped, so a paragraph is exactly one line.
* a paragraph broken by a page break, a blank line or PDF line wrapping is
  joined again, and a title split over two lines (``某区人民政府`` /
  ``关于……的报告``) becomes one line.  Headings, list items, dates,
  signature lines and a web page's source-and-time line (``来源：… 发布时间：…``)
  are never joined to what follows.
"""

from __future__ import annotations

import bisect
import re

from fazhi.review.model import OffsetMap
from fazhi.units import divisions

# --- one-to-one character mapping -----------------------------------------
_TRANS: dict[int, str] = {}
for _c in range(0xFF10, 0xFF1A):  # ０-９
    _TRANS[_c] = chr(_c - 0xFEE0)
for _c in list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B)):  # Ａ-Ｚ ａ-ｚ
    _TRANS[_c] = chr(_c - 0xFEE0)
_TRANS.update({ord("％"): "%", ord("．"): ".", ord("＋"): "+", ord("／"): "/",
               0x3000: " ", 0x00A0: " ", ord("\f"): "\n", 0x2028: "\n", 0x2029: "\n",
               0x000B: "\n", 0x0085: "\n"})

_CJK = "\u2e80-\u2fff\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff01-\uffef"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_TRANS_CHARS = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TRANS)) + "]")
# half-width punctuation, decided by its neighbours (see _half)
_HALF = re.compile(r"[,;:()?!]")
_HALF_MAP = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "?": "？", "!": "！"}
_QUOTES = re.compile(r'"([^"\n]*)"')
# both kinds in one pass (the mapping neither makes nor removes half-width punctuation)
_TRANS_OR_HALF = re.compile(_TRANS_CHARS.pattern[:-1] + re.escape(",;:()?!") + "]")

# --- deletions inside a line ------------------------------------------------
# candidates; a run of spaces is deleted only next to Chinese (see _deletable).  Written to start with one
# character class (a Word bookmark, an invisible character, spaces — told apart by looking back at that
# character), which lets the regular expression engine skip the text between candidates.
_DELETE = re.compile(r"[\[\u200b-\u200f\u2060\ufeff\u00ad ](?:(?<=\[)bookmark[:：][^\]\n]*\]|(?<= ) *|(?<=[^\[ ]))")
_LATIN = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz%")


def _is_cjk(ch: str) -> bool:
    return bool(ch) and _CJK_CHAR.match(ch) is not None


def _deletable(line: str, start: int, end: int) -> bool:
    """May ``line[start:end]`` (a candidate of ``_DELETE``) go?"""
    if line[start] != " ":
        return True  # an artefact or an invisible character
    before = line[start - 1] if start else ""
    after = line[end] if end < len(line) else ""
    if _is_cjk(after):
        return _is_cjk(before) or before in _LATIN  # 依法护 航, 2023 年, LED 屏
    return _is_cjk(before) and after in _LATIN  # 共 10 余场


def _half(t: str) -> str:
    """Half-width punctuation written in Chinese text becomes full-width; a comma
    or colon between two digits (1,234, 10:30) stays; ? and ! only after Chinese."""
    def repl(m: re.Match[str]) -> str:
        ch = m.group()
        i = m.start()
        if ch in ",:":
            if 0 < i < len(t) - 1 and t[i - 1].isdigit() and t[i + 1].isdigit():
                return ch
        elif ch in "?!" and not (i and _is_cjk(t[i - 1])):
            return ch
        return _HALF_MAP[ch]
    return _HALF.sub(repl, t)


# --- line joining -------------------------------------------------------------
_NUM = "一二三四五六七八九十百零〇两"
# A line that starts like this is a heading, a list item or a bullet: it starts a paragraph.
_STARTS_BLOCK = re.compile(
    rf"^(?:[-•·●▪◆■□◇○*#]|[{_NUM}]+[、.．]|（[{_NUM}\d]+）|\([{_NUM}\d]+\)|\d{{1,2}}[.、．](?!\d)"
    rf"|[{_NUM}]+是|第[{_NUM}\d]+[部章节条]|附件|附表|\d{{4}}年\d{{1,2}}月\d{{1,2}}日$|[二〇○零一]{{4}}年)"
)
_DATE_LINE = re.compile(rf"^(?:\d{{4}}|[二〇○零一二三四五六七八九]{{4}})\s*年[\d{_NUM}]{{1,3}}月[\d{_NUM}]{{1,3}}日?$")
# a line's last characters (a line holds no newline): closed by punctuation, a title's or a unit's ending
_CLOSING = frozenset("。！？；：…”’」』】）)!?;:")
_TITLE_ENDINGS = ("报告", "情况", "总结", "通知", "函")
_UNIT_ENDINGS = ("政府", "局", "委", "委员会", "办事处", "办公室", "街道", "镇", "乡", "区", "县", "市", "州", "盟", "旗", "厅",
                 "部", "院", "室", "中心", "办", "署", "会")
_MARKER_HEAD = re.compile(rf"^(?:[{_NUM}]+[、.．]|（[{_NUM}\d]+）|\d{{1,2}}[.、．](?!\d)|第[{_NUM}\d]+部分|#+)")


# a line a web page puts above the article: 来源：X区司法局 发布时间：2023-02-14 10:20:11
_WEB_META = re.compile(
    r"^(?:(?:信息|文章)?来源|发布(?:时间|日期|机构|单位)|作者|(?:责任)?编辑|浏览(?:次数)?|点击(?:数|量)|阅读(?:数|量)|字号)[：:]"
    r"|(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}\s*\d{1,2}:\d{2}")


def _should_join(a: str, b: str) -> bool:
    """Is line ``b`` the continuation of line ``a`` (one paragraph broken in two)?"""
    if not a or not b:
        return False
    if "\t" in a or "\t" in b:  # table rows
        return False
    if _STARTS_BLOCK.match(b) or _DATE_LINE.match(b):
        return False
    closed = a[-1] in _CLOSING
    if (not closed and len(a) <= 40 and a.endswith(_UNIT_ENDINGS)
            and (b.startswith("关于") or (len(b) <= 60 and b.endswith(_TITLE_ENDINGS) and not a.endswith(_TITLE_ENDINGS)))):
        return not _web_meta(a, b)  # a title split after the issuer's name
    if closed or a.endswith(_TITLE_ENDINGS):
        return False
    if _MARKER_HEAD.match(a) and len(a) < 40:
        return False  # a short heading: what follows is its body
    if len(a) < 20:
        return False  # a short line without punctuation: a heading, a name, a signature
    return not _web_meta(a, b)


def _web_meta(a: str, b: str) -> bool:
    """Is one of the lines a web page's source and time (a line of its own)?"""
    return _WEB_META.search(a) is not None or _WEB_META.search(b) is not None


def normalise(text: str) -> tuple[str, OffsetMap]:
    """Normalise a report's text; return it with the map back to ``text``'s offsets."""
    if "\r" in text:
        if "\n" not in text:
            text = text.replace("\r", "\n")  # old Mac line ends: one-to-one
        # "\r\n": the "\r" is stripped with the line's other white space below
    t = text
    # one to one, so the characters present are replaced one after the other (faster than translate)
    found = set(_TRANS_OR_HALF.findall(text))
    for ch in found:
        if ch not in _HALF_MAP:
            t = t.replace(ch, _TRANS[ord(ch)])
    if not found.isdisjoint(_HALF_MAP):
        t = _half(t)
    if '"' in t:
        t = _QUOTES.sub(lambda m: "“" + m.group(1) + "”", t)

    out: list[str] = []
    # the anchors of the offset map: normalised offsets and the original offsets they map to
    norm_at: list[int] = []
    orig_at: list[int] = []
    n = 0  # length of the output so far
    prev = ""  # the previous kept line, for joining
    # lines are judged in simplified characters (報告 ends a title as 报告 does)
    t2s = divisions.t2s_table() if divisions.is_traditional(t) else None
    # what may be deleted, found in one pass (no candidate crosses a line or the white space stripped
    # from a line's ends); each line looks at its own
    cands = [m.span() for m in _DELETE.finditer(t)]
    starts = [a for a, _ in cands]
    pos = 0
    for raw in t.split("\n"):
        line_start = pos
        pos += len(raw) + 1
        # strip, remembering where the kept content starts in the original
        lstripped = raw.lstrip(" \t\r\u200b\ufeff")
        s0 = line_start + (len(raw) - len(lstripped))
        content = lstripped.rstrip(" \t\r\u200b\ufeff")
        if not content:
            continue
        # deletions inside the line, with an anchor after each
        pieces: list[tuple[str, int]] = []  # (text, original start)
        last = 0
        k = bisect.bisect_left(starts, s0)
        while k < len(cands) and cands[k][0] < s0 + len(content):
            a, b = cands[k][0] - s0, cands[k][1] - s0
            k += 1
            if not _deletable(content, a, b):
                continue
            if a > last:
                pieces.append((content[last:a], s0 + last))
            last = b
        if last < len(content):
            pieces.append((content[last:], s0 + last))
        if not pieces:
            continue
        clean = pieces[0][0] if len(pieces) == 1 else "".join([p for p, _ in pieces])
        if not clean.strip():
            continue
        if out:
            if _should_join(prev, clean) if t2s is None else _should_join(prev.translate(t2s), clean.translate(t2s)):
                if prev[-1:].isascii() and prev[-1:].isalpha() and clean[:1].isascii() and clean[:1].isalpha():
                    norm_at.append(n)
                    orig_at.append(line_start - 1)
                    out.append(" ")
                    n += 1
                prev = prev[:40] + "…" + clean[-40:] if len(prev) + len(clean) > 200 else prev + clean
            else:
                norm_at.append(n)
                orig_at.append(line_start - 1)
                out.append("\n")
                n += 1
                prev = clean
        else:
            prev = clean
        for p, o in pieces:
            norm_at.append(n)
            orig_at.append(o)
            out.append(p)
            n += len(p)
    result = "".join(out)
    divisions.remember_simplified(result, result if t2s is None else result.translate(t2s))
    return result, OffsetMap.of(norm_at, orig_at)
