"""Word documents in the 公文 layout of GB/T 9704-2012 《党政机关公文格式》.

Offices file and send Word documents, so every document fazhi produces (the 审查意见书 of a
reviewed report, later the draft annual report, the 情况通报 of a campaign, the 整改通知书) is
built with :class:`GongwenDocument`, which knows the layout once:

- A4 paper; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm, so the text block
  (版心) is 156 mm x 225 mm.
- Title 2号 (22 pt) 方正小标宋简体, centred, one blank line below it; an optional subtitle in
  3号 楷体_GB2312.
- Body 3号 (16 pt) 仿宋_GB2312, first line indented by two characters, justified, fixed line
  spacing of 28.9 pt: GB/T 9704 asks for 22 lines on a page, and 225 mm / 22 = 10.23 mm =
  28.99 pt; 28.9 pt keeps the 22 lines inside the 版心 (22 x 28.9 pt = 224.3 mm).  GB/T 9704's
  28 characters a line are not enforced (that needs a character grid; at 16 pt 156 mm holds 27).
- Headings numbered 一、 (一级, 黑体), （一） (二级, 楷体_GB2312), 1. and （1） (三级 and 四级,
  仿宋_GB2312: the standard asks for no bold), all 3号 and indented like the body, and marked
  with an outline level so Word's navigation pane shows them.
- Page numbers "— 1 —": a PAGE field between 一字线, 4号 宋体, 7 mm below the 版心, odd pages
  at the right and even pages at the left, each one character in (GB/T 9704 7.5; the outer
  placement is what the standard prescribes for documents printed on both sides).
- 落款: issuer and 成文日期 (Arabic numerals, "2025年3月20日") right-aligned one blank line
  below the text; the issuer two characters in from the right, the date starting two characters
  to the right of the issuer's first character (or, if the date is longer, the date two
  characters in and the issuer moved left), as GB/T 9704 7.3.5.2 sets out for unsealed documents.
- Optional 主送 line, 附件说明, 附注, tables (4号 仿宋_GB2312, 黑体 header row repeated on every
  page, full borders) and the 版记 block (抄送, 印发机关 and 印发日期 between rules).  The 版记
  follows the text; GB/T 9704 wants it on the last lines of an even page, which needs manual
  page layout in Word.

Fonts are named as offices name them and set for both the ASCII and the East-Asian slot of
``w:rFonts``; on a machine without them Word substitutes a similar font and keeps the name.
All formatting lives in named paragraph styles (公文正文, 公文一级标题, …) so an office can
adjust the document in Word as it adjusts its own templates.

A document is a list of blocks.  ``to_bytes()``/``save()`` render them to .docx and
``outline()`` describes them as JSON-ready dicts.  Paragraphs and headings may carry ``cites``
(references to the records a sentence came from): they appear in ``outline()`` for a web
editor and never in the .docx, since the final document carries no citations.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import Any, Protocol

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.oxml.text.parfmt import CT_PPr
from docx.shared import Length, Mm, Pt, Twips
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

# A reference to the record a sentence came from (an id, or a dict such as {"task": 12}).
Cite = str | Mapping[str, Any]

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]  # 156 mm
# The page number's 一字线 sits 7 mm below the 版心 (35 mm from the page's bottom edge): with
# a 4号 line about 6 mm high the footer's lower edge is about 25 mm from the edge.
FOOTER_DISTANCE_MM = 25

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONTS = {1: "黑体", 2: "楷体_GB2312", 3: BODY_FONT, 4: BODY_FONT}
PAGE_NUMBER_FONT = "宋体"

SIZE_2 = 22.0  # 2号
SIZE_3 = 16.0  # 3号
SIZE_4 = 14.0  # 4号
LINE_PITCH = 28.9  # fixed line spacing of the body, see the module docstring
TITLE_LINE_PITCH = 35.0  # a two-line title is not cramped at 35 pt

_FONT_ATTRS = ("ascii", "hAnsi", "eastAsia", "cs")
_THEME_ATTRS = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")
# Characters XML 1.0 cannot hold (python-docx refuses them); newlines and tabs stay.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """``text`` without the control characters a .docx cannot hold."""
    return _XML_ILLEGAL.sub("", text)


def chinese_date(day: dt.date) -> str:
    """成文日期 as GB/T 9704-2012 writes it: Arabic numerals, no leading zeros (2025年3月20日)."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_numeral(n: int) -> str:
    """一 … 九十九, the numbers of 一级 and 二级 headings."""
    digits = "零一二三四五六七八九"
    if not 1 <= n <= 99:
        raise ValueError(f"标题序号只支持1至99：{n}")
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def heading_marker(level: int, n: int) -> str:
    """The marker of the ``n``-th heading of ``level``: 一、 （一） 1. （1）."""
    if level == 1:
        return f"{chinese_numeral(n)}、"
    if level == 2:
        return f"（{chinese_numeral(n)}）"
    if level == 3:
        return f"{n}."
    if level == 4:
        return f"（{n}）"
    raise ValueError(f"标题层级只能是1至4：{level}")


def text_width(text: str) -> float:
    """Width of ``text`` in characters of its font size: ASCII (digits) is half-width."""
    return sum(0.5 if ord(ch) < 128 else 1.0 for ch in text)


# ---------------------------------------------------------------------------------------------
# Styles


@dataclass(frozen=True)
class _StyleSpec:
    name: str
    font: str
    size: float
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY
    indent_chars: float = 0.0  # first-line indent
    line: float | None = LINE_PITCH  # fixed line spacing in pt; None: single
    outline_level: int | None = None  # 0 for 一级 headings
    keep_with_next: bool = False
    space_after: float = 0.0


NORMAL = "Normal"
BODY = "公文正文"
TITLE = "公文标题"
SUBTITLE = "公文副标题"
HEADINGS = {1: "公文一级标题", 2: "公文二级标题", 3: "公文三级标题", 4: "公文四级标题"}
SIGNATURE = "公文落款"
TABLE_TEXT = "公文表格"
TABLE_HEADER = "公文表头"
PAGE_NUMBER = "公文页码"
COLOPHON = "公文版记"

_STYLES = (
    _StyleSpec(NORMAL, BODY_FONT, SIZE_3),
    _StyleSpec(BODY, BODY_FONT, SIZE_3, indent_chars=2),
    _StyleSpec(TITLE, TITLE_FONT, SIZE_2, WD_ALIGN_PARAGRAPH.CENTER, line=TITLE_LINE_PITCH,
               space_after=LINE_PITCH),
    _StyleSpec(SUBTITLE, HEADING_FONTS[2], SIZE_3, WD_ALIGN_PARAGRAPH.CENTER, space_after=LINE_PITCH),
    *(
        _StyleSpec(name, HEADING_FONTS[level], SIZE_3, indent_chars=2, outline_level=level - 1,
                   keep_with_next=True)
        for level, name in HEADINGS.items()
    ),
    _StyleSpec(SIGNATURE, BODY_FONT, SIZE_3, WD_ALIGN_PARAGRAPH.RIGHT),
    _StyleSpec(TABLE_TEXT, BODY_FONT, SIZE_4, WD_ALIGN_PARAGRAPH.LEFT, line=None),
    _StyleSpec(TABLE_HEADER, HEADING_FONTS[1], SIZE_4, WD_ALIGN_PARAGRAPH.CENTER, line=None),
    _StyleSpec(PAGE_NUMBER, PAGE_NUMBER_FONT, SIZE_4, line=None),
    _StyleSpec(COLOPHON, BODY_FONT, SIZE_4, WD_ALIGN_PARAGRAPH.LEFT),
)


def _set_fonts(rpr: CT_RPr, name: str) -> None:
    """Name ``name`` for the ASCII, East-Asian and complex-script slots of an ``w:rPr``."""
    fonts = rpr.get_or_add_rFonts()
    for attr in _THEME_ATTRS:
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in _FONT_ATTRS:
        fonts.set(qn(f"w:{attr}"), name)


def _set_indent(ppr: CT_PPr, side: str, chars: float, size: float) -> None:
    """Indent ``side`` (firstLine, left, right, hanging) by ``chars`` characters of ``size`` pt.

    Both the absolute value and Word's character unit (``w:firstLineChars``…) are written, so
    the indent follows the font size when an office changes it."""
    ind = ppr.get_or_add_ind()
    ind.set(qn(f"w:{side}"), str(round(chars * size * 20)))
    ind.set(qn(f"w:{side}Chars"), str(round(chars * 100)))


def _style(doc: DocxDocument, spec: _StyleSpec) -> None:
    if spec.name == NORMAL:
        style = doc.styles[NORMAL]
    else:
        style = doc.styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles[NORMAL]
        style.quick_style = True
    assert isinstance(style, ParagraphStyle)
    _set_fonts(style.element.get_or_add_rPr(), spec.font)
    style.font.size = Pt(spec.size)
    fmt = style.paragraph_format
    fmt.alignment = spec.align
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(spec.space_after)
    if spec.line is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(spec.line)
    if spec.keep_with_next:
        fmt.keep_with_next = True
    ppr = style.element.get_or_add_pPr()
    if spec.indent_chars:
        _set_indent(ppr, "firstLine", spec.indent_chars, spec.size)
    if spec.outline_level is not None:
        ppr.get_or_add_outlineLvl().val = spec.outline_level


def _defaults(doc: DocxDocument) -> None:
    """Document defaults without theme fonts (they would override the named fonts) and in
    Chinese, so proofing and line breaking follow Chinese rules."""
    styles = doc.styles.element
    rpr = styles.xpath("w:docDefaults/w:rPrDefault/w:rPr")[0]
    _set_fonts(rpr, BODY_FONT)
    for lang in rpr.xpath("w:lang"):
        lang.set(qn("w:eastAsia"), "zh-CN")
    for spacing in styles.xpath("w:docDefaults/w:pPrDefault/w:pPr/w:spacing"):
        spacing.set(qn("w:after"), "0")


# ---------------------------------------------------------------------------------------------
# Page setup and page numbers


def _field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """A complex field (begin, instruction, separate, cached result, end) in ``paragraph``."""
    def fld_char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    fld_char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    fld_char("separate")
    paragraph.add_run(placeholder)
    fld_char("end")


def _page_number(paragraph: Paragraph, *, odd: bool) -> None:
    paragraph.style = PAGE_NUMBER
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    _set_indent(paragraph._p.get_or_add_pPr(), "right" if odd else "left", 1, SIZE_4)
    paragraph.add_run("— ")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(" —")


def _page_setup(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    for side, mm in MARGINS_MM.items():
        setattr(section, f"{side}_margin", Mm(mm))
    section.footer_distance = Mm(FOOTER_DISTANCE_MM)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], odd=True)
    _page_number(section.even_page_footer.paragraphs[0], odd=False)


def _new_document(title: str) -> DocxDocument:
    doc = Document()
    _defaults(doc)
    for spec in _STYLES:
        _style(doc, spec)
    _page_setup(doc)
    props = doc.core_properties
    props.title, props.author, props.comments, props.language = title, "", "", "zh-CN"
    return doc


# ---------------------------------------------------------------------------------------------
# Tables


def _borders(table: Table, sizes: Mapping[str, int]) -> None:
    """Table borders: ``sizes`` maps top/bottom/left/right/insideH/insideV to eighths of a
    point (0: none)."""
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        size = sizes.get(side, 0)
        edge.set(qn("w:val"), "single" if size else "nil")
        if size:
            edge.set(qn("w:sz"), str(size))
            edge.set(qn("w:space"), "0")
            edge.set(qn("w:color"), "000000")
        borders.append(edge)
    tbl_pr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                 "w:tblCaption", "w:tblDescription")


_TR_PR_ORDER = ("w:cantSplit", "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden",
                "w:ins", "w:del", "w:trPrChange")


def _row_flag(row: _Row, flag: str) -> None:
    """Set ``w:cantSplit`` or ``w:tblHeader`` on a table row, in schema order."""
    successors = _TR_PR_ORDER[_TR_PR_ORDER.index(flag) + 1:]
    row._tr.get_or_add_trPr().insert_element_before(OxmlElement(flag), *successors)


def _column_widths(table: Table, shares: Sequence[float]) -> None:
    total = sum(shares)
    widths = [Length(int(Mm(TEXT_WIDTH_MM) * share / total)) for share in shares]
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _fill(cell: _Cell, text: str, style: str) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = style
    paragraph.add_run(clean_text(text))


# ---------------------------------------------------------------------------------------------
# Blocks


class Block(Protocol):
    """One element of a document: renders itself into a .docx and describes itself."""

    def render(self, doc: DocxDocument) -> None: ...

    def describe(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Span:
    """A piece of a paragraph's text with the records it came from (e.g. one sentence)."""

    text: str
    cites: tuple[Cite, ...] = ()


@dataclass(frozen=True)
class TitleBlock:
    text: str  # "\n" breaks the title into lines
    subtitle: str | None = None

    def render(self, doc: DocxDocument) -> None:
        paragraph = doc.add_paragraph(style=TITLE)
        paragraph.add_run(clean_text(self.text))  # "\n" becomes a line break
        if self.subtitle:
            paragraph.paragraph_format.space_after = Pt(0)
            doc.add_paragraph(clean_text(self.subtitle), style=SUBTITLE)

    def describe(self) -> dict[str, Any]:
        return {"kind": "title", "text": self.text, "subtitle": self.subtitle}


@dataclass(frozen=True)
class AddresseeBlock:
    """主送机关: flush left, ending with a full-width colon."""

    text: str

    def render(self, doc: DocxDocument) -> None:
        doc.add_paragraph(clean_text(self.text), style=NORMAL)

    def describe(self) -> dict[str, Any]:
        return {"kind": "addressee", "text": self.text}


@dataclass(frozen=True)
class HeadingBlock:
    """A numbered heading; ``body`` continues the paragraph in the body font (a run-in
    heading such as "（一）加强组织领导。全年召开……")."""

    level: int
    marker: str
    text: str
    body: str | None = None
    cites: tuple[Cite, ...] = ()

    def render(self, doc: DocxDocument) -> None:
        paragraph = doc.add_paragraph(style=HEADINGS[self.level])
        paragraph.add_run(clean_text(self.marker + self.text))
        if self.body:
            run = paragraph.add_run(clean_text(self.body))
            _set_fonts(run._r.get_or_add_rPr(), BODY_FONT)

    def describe(self) -> dict[str, Any]:
        return {"kind": "heading", "level": self.level, "marker": self.marker, "text": self.text,
                "body": self.body, "cites": list(self.cites)}


@dataclass(frozen=True)
class ParagraphBlock:
    spans: tuple[Span, ...]
    indent: bool = True
    cites: tuple[Cite, ...] = ()

    @property
    def text(self) -> str:
        return "".join(span.text for span in self.spans)

    def render(self, doc: DocxDocument) -> None:
        doc.add_paragraph(clean_text(self.text), style=BODY if self.indent else NORMAL)

    def describe(self) -> dict[str, Any]:
        return {"kind": "paragraph", "text": self.text, "cites": list(self.cites),
                "spans": [{"text": s.text, "cites": list(s.cites)} for s in self.spans]}


@dataclass(frozen=True)
class TableBlock:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] | None = None  # relative column widths

    def render(self, doc: DocxDocument) -> None:
        table = doc.add_table(rows=1 + len(self.rows), cols=len(self.header))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _borders(table, {side: 4 for side in ("top", "left", "bottom", "right", "insideH", "insideV")})
        _column_widths(table, self.widths or [1.0] * len(self.header))
        for row, values, style in zip(table.rows, (self.header, *self.rows),
                                      (TABLE_HEADER, *[TABLE_TEXT] * len(self.rows)), strict=True):
            _row_flag(row, "w:cantSplit")
            for cell, value in zip(row.cells, values, strict=True):
                _fill(cell, value, style)
        _row_flag(table.rows[0], "w:tblHeader")
        doc.add_paragraph(style=NORMAL)  # Word needs a paragraph between a table and what follows

    def describe(self) -> dict[str, Any]:
        return {"kind": "table", "header": list(self.header), "rows": [list(r) for r in self.rows]}


def signature_indents(issuer: str | None, date_text: str) -> tuple[float, float]:
    """Right indents (in characters) of the issuer and the date lines of a 落款.

    GB/T 9704 7.3.5.2: the issuer two characters in from the right, the date's first character
    two characters to the right of the issuer's; a date longer than that gets two characters
    and the issuer moves left to keep the two-character step."""
    if not issuer:
        return 0.0, 2.0
    issuer_width, date_width = text_width(issuer), text_width(date_text)
    date_indent = 2 + issuer_width - 2 - date_width
    if date_indent >= 2:
        return 2.0, date_indent
    return 2 + date_width + 2 - issuer_width, 2.0


@dataclass(frozen=True)
class SignatureBlock:
    """落款: issuer and 成文日期, one blank line below the text."""

    issuer: str | None
    date: dt.date

    def render(self, doc: DocxDocument) -> None:
        date_text = chinese_date(self.date)
        issuer_indent, date_indent = signature_indents(self.issuer, date_text)
        lines = [(self.issuer, issuer_indent)] if self.issuer else []
        for i, (text, indent) in enumerate([*lines, (date_text, date_indent)]):
            paragraph = doc.add_paragraph(clean_text(text), style=SIGNATURE)
            _set_indent(paragraph._p.get_or_add_pPr(), "right", indent, SIZE_3)
            if i == 0:
                paragraph.paragraph_format.space_before = Pt(LINE_PITCH)

    def describe(self) -> dict[str, Any]:
        return {"kind": "signature", "issuer": self.issuer, "date": self.date.isoformat(),
                "text": chinese_date(self.date)}


@dataclass(frozen=True)
class AttachmentsBlock:
    """附件说明: "附件：1.××" one blank line below the text; further names aligned under the first."""

    names: tuple[str, ...]

    def lines(self) -> list[str]:
        if len(self.names) == 1:
            return [f"附件：{self.names[0]}"]
        numbered = [f"{i}.{name}" for i, name in enumerate(self.names, 1)]
        return [f"附件：{numbered[0]}", *numbered[1:]]

    def render(self, doc: DocxDocument) -> None:
        for i, line in enumerate(self.lines()):
            paragraph = doc.add_paragraph(clean_text(line), style=NORMAL)
            ppr = paragraph._p.get_or_add_pPr()
            _set_indent(ppr, "left", 5, SIZE_3)  # 2 characters + "附件："
            if i == 0:
                _set_indent(ppr, "hanging", 3, SIZE_3)
                paragraph.paragraph_format.space_before = Pt(LINE_PITCH)

    def describe(self) -> dict[str, Any]:
        return {"kind": "attachments", "names": list(self.names)}


@dataclass(frozen=True)
class NoteBlock:
    """附注: in parentheses, two characters in, below the date."""

    text: str

    def render(self, doc: DocxDocument) -> None:
        doc.add_paragraph(clean_text(f"（{self.text}）"), style=BODY)

    def describe(self) -> dict[str, Any]:
        return {"kind": "note", "text": self.text}


# The 印发日期 ends one character before the cell's right edge (default cell margins 108 twips).
_COLOPHON_TAB = Length(Mm(TEXT_WIDTH_MM) - Twips(2 * 108) - Pt(SIZE_4))


@dataclass(frozen=True)
class ColophonBlock:
    """版记: 抄送 and 印发机关/印发日期 between a thick rule above and below and thin rules
    between (GB/T 9704 7.4)."""

    copies_to: tuple[str, ...] = ()
    printed_by: str | None = None
    printed_on: dt.date | None = None

    def lines(self) -> list[str]:
        lines = [f"抄送：{'，'.join(self.copies_to)}。"] if self.copies_to else []
        printed = f"{chinese_date(self.printed_on)}印发" if self.printed_on else ""
        if self.printed_by or printed:
            lines.append(f"{self.printed_by or ''}\t{printed}")
        return lines

    def render(self, doc: DocxDocument) -> None:
        lines = self.lines()
        if not lines:
            return
        table = doc.add_table(rows=len(lines), cols=1)
        _borders(table, {"top": 8, "bottom": 8, "insideH": 6})  # 0.35 mm and 0.25 mm rules
        _column_widths(table, [1.0])
        for row, line in zip(table.rows, lines, strict=True):
            _fill(row.cells[0], line, COLOPHON)
            fmt = row.cells[0].paragraphs[0].paragraph_format
            fmt.left_indent = fmt.right_indent = Pt(SIZE_4)  # 左右各空一字
            fmt.tab_stops.add_tab_stop(_COLOPHON_TAB, WD_TAB_ALIGNMENT.RIGHT)

    def describe(self) -> dict[str, Any]:
        return {"kind": "colophon", "copies_to": list(self.copies_to), "printed_by": self.printed_by,
                "printed_on": self.printed_on.isoformat() if self.printed_on else None}


# ---------------------------------------------------------------------------------------------
# The builder


class GongwenDocument:
    """A 公文-layout document, built block by block.

    >>> doc = GongwenDocument("关于开展2025年度法治政府建设督察的通知")
    >>> doc.addressee("各县（市、区）人民政府")
    >>> doc.heading("督察内容", 1)
    '一、'
    >>> doc.paragraph("全年受理行政复议案件86件。", cites=[{"task": 7}])
    >>> doc.signature("某市法治政府建设办公室", dt.date(2025, 3, 20))
    >>> data = doc.to_bytes()
    """

    def __init__(self, title: str, subtitle: str | None = None) -> None:
        self.title = title
        self._blocks: list[Block] = [TitleBlock(title, subtitle)]
        self._counters = [0, 0, 0, 0]  # headings numbered so far, per level

    @property
    def blocks(self) -> tuple[Block, ...]:
        return tuple(self._blocks)

    def addressee(self, text: str) -> None:
        """主送机关, e.g. "各县（市、区）人民政府"; the full-width colon is added."""
        self._blocks.append(AddresseeBlock(text.rstrip("：:") + "："))

    def heading(self, text: str, level: int, *, body: str | None = None, numbered: bool = True,
                cites: Sequence[Cite] = ()) -> str:
        """A heading of ``level`` 1–4, numbered 一、（一）1.（1） within its parent unless
        ``numbered`` is false (the text carries its own marker).  Returns the marker."""
        if level not in HEADINGS:
            raise ValueError(f"标题层级只能是1至4：{level}")
        marker = ""
        if numbered:
            self._counters[level - 1] += 1
            self._counters[level:] = [0] * (4 - level)
            marker = heading_marker(level, self._counters[level - 1])
        self._blocks.append(HeadingBlock(level, marker, text, body, tuple(cites)))
        return marker

    def paragraph(self, text: str | Sequence[Span], *, indent: bool = True,
                  cites: Sequence[Cite] = ()) -> None:
        """A body paragraph; ``text`` may be a sequence of :class:`Span` with their own cites."""
        spans = (Span(text),) if isinstance(text, str) else tuple(text)
        self._blocks.append(ParagraphBlock(spans, indent, tuple(cites)))

    def table(self, header: Sequence[str], rows: Sequence[Sequence[object]],
              widths: Sequence[float] | None = None) -> None:
        """A bordered table; the header row repeats on every page.  ``widths`` are relative
        (e.g. [3, 1, 1, 6]) and share the text width; values are shown with ``str``."""
        if widths is not None and len(widths) != len(header):
            raise ValueError("列宽个数与表头列数不一致")
        cells = tuple(tuple("" if v is None else str(v) for v in row) for row in rows)
        if any(len(row) != len(header) for row in cells):
            raise ValueError("表格各行的列数必须与表头一致")
        self._blocks.append(TableBlock(tuple(header), cells, tuple(widths) if widths else None))

    def signature(self, issuer: str | None, date: dt.date) -> None:
        """落款: issuer (may be None) and 成文日期."""
        self._blocks.append(SignatureBlock(issuer, date))

    def attachments(self, names: Sequence[str]) -> None:
        """附件说明 for the attachments ``names`` (no punctuation after a name)."""
        if names:
            self._blocks.append(AttachmentsBlock(tuple(n.rstrip("。.，,；;") for n in names)))

    def note(self, text: str) -> None:
        """附注, e.g. "此件公开发布" (the parentheses are added)."""
        self._blocks.append(NoteBlock(text.strip("（）()")))

    def colophon(self, *, copies_to: Sequence[str] = (), printed_by: str | None = None,
                 printed_on: dt.date | None = None) -> None:
        """版记: 抄送机关, 印发机关 and 印发日期."""
        self._blocks.append(ColophonBlock(tuple(copies_to), printed_by, printed_on))

    def outline(self) -> list[dict[str, Any]]:
        """The blocks as JSON-ready dicts, with the cites of paragraphs and headings (for a
        web editor); the .docx never carries the cites."""
        return [block.describe() for block in self._blocks]

    def to_bytes(self) -> bytes:
        doc = _new_document(clean_text(self.title.replace("\n", ""))[:255])  # core properties' limit
        for block in self._blocks:
            block.render(doc)
        buffer = io.BytesIO()
        doc.save(buffer)
        return buffer.getvalue()

    def save(self, path: str | PathLike[str]) -> None:
        with open(path, "wb") as out:
            out.write(self.to_bytes())
