"""Read a .docx back the way Word resolves it: a run's own properties, then its paragraph's
style and the styles that style is based on."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import docx
from docx.document import Document
from docx.oxml.ns import qn
from docx.shared import Length
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph
from docx.text.run import Run


def open_docx(data: bytes) -> Document:
    return docx.Document(io.BytesIO(data))


def all_xml(data: bytes) -> str:
    """Every XML part of the package, concatenated (to look for text anywhere)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


def _styles(paragraph: Paragraph) -> Iterator[ParagraphStyle]:
    style: ParagraphStyle | None = paragraph.style
    while style is not None:
        yield style
        style = style.base_style


def font(paragraph: Paragraph, slot: str = "eastAsia", run: Run | None = None) -> str | None:
    """The font named for ``slot`` (ascii or eastAsia) of ``run`` (default: the first run)."""
    run = run or paragraph.runs[0]
    rprs = [run._r.rPr, *(s.element.rPr for s in _styles(paragraph))]
    for rpr in rprs:
        if rpr is not None and rpr.rFonts is not None and rpr.rFonts.get(qn(f"w:{slot}")):
            return rpr.rFonts.get(qn(f"w:{slot}"))
    return None


def size_pt(paragraph: Paragraph, run: Run | None = None) -> float | None:
    run = run or paragraph.runs[0]
    sizes = [run.font.size, *(s.font.size for s in _styles(paragraph))]
    return next((s.pt for s in sizes if s is not None), None)


def fmt(paragraph: Paragraph, attr: str) -> object:
    """A paragraph-format property (alignment, line_spacing, first_line_indent…), direct or
    from the style chain."""
    direct = getattr(paragraph.paragraph_format, attr)
    if direct is not None:
        return direct
    return next((v for s in _styles(paragraph) if (v := getattr(s.paragraph_format, attr)) is not None), None)


def pt(value: object) -> float:
    assert isinstance(value, Length), value
    return value.pt


def texts(document: Document) -> str:
    """The body's paragraphs and table cells, one per line."""
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += ["\t".join(c.text for c in row.cells) for row in table.rows]
    return "\n".join(lines)
