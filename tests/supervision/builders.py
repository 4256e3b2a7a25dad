"""Build the files offices send — .xlsx, .docx, CSV — in code, in messy layouts, for the supervision tests."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

import docx
import openpyxl

Rows = Sequence[Any]
"""Rows of cells: each a sequence of values (None = empty)."""


def xlsx(rows: Rows, merges: Iterable[str] = (), *, title: str = "Sheet1",
         sheets: Sequence[tuple[str, Rows, Iterable[str]]] = ()) -> bytes:
    """A workbook whose first sheet holds ``rows`` from A1 (None = empty cell) with ``merges``
    ("A1:H1"), followed by the extra ``sheets`` (name, rows, merges)."""
    book = openpyxl.Workbook()
    first = book.active
    first.title = title
    _fill(first, rows, merges)
    for name, more_rows, more_merges in sheets:
        _fill(book.create_sheet(name), more_rows, more_merges)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(ws: Any, rows: Rows, merges: Iterable[str]) -> None:
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = ws.cell(r, c)
            if isinstance(value, Text):
                cell.value = value.text
                cell.data_type = "s"  # text that starts with "=" stays text
            else:
                cell.value = value
    for rng in merges:
        ws.merge_cells(rng)


class Text:
    """A cell value written as text even if it starts with "=" (openpyxl would make it a formula)."""

    def __init__(self, text: str) -> None:
        self.text = text


def with_cached(data: bytes, cached: dict[str, str], *, error: bool = False) -> bytes:
    """The workbook with cached results for formula cells (what Excel stores after computing them):
    openpyxl writes formulas with an empty <v/>; this fills it in, as an error value if ``error``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                text = content.decode("utf-8")
                for ref, value in cached.items():
                    kind = ' t="e"' if error else ""
                    text, n = re.subn(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/?>(?:</v>)?',
                                      rf'<c r="{ref}"\1{kind}><f>\2</f><v>{value}</v>', text)
                    assert n == 1, ref
                content = text.encode("utf-8")
            dst.writestr(info, content)
    return out.getvalue()


def docx_table(rows: Rows, *, vertical: Iterable[tuple[int, int, int]] = (),
               horizontal: Iterable[tuple[int, int, int]] = (), before: str = "") -> bytes:
    """A Word document with one table of ``rows`` (None = empty), a paragraph ``before`` it, cells
    merged vertically (column, first row, last row) and horizontally (row, first column, last column);
    indices 0-based.  The text of a merged range is the text of its first cell."""
    document = docx.Document()
    if before:
        document.add_paragraph(before)
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                table.cell(r, c).text = str(value)
    for col, first, last in vertical:
        for r in range(first + 1, last + 1):
            table.cell(r, col).text = ""
        table.cell(first, col).merge(table.cell(last, col))
    for row_index, first, last in horizontal:
        for c in range(first + 1, last + 1):
            table.cell(row_index, c).text = ""
        table.cell(row_index, first).merge(table.cell(row_index, last))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def csv_bytes(rows: Rows, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """A CSV file (no quoting needed for these rows) in ``encoding``."""
    text = "\r\n".join(delimiter.join("" if v is None else str(v) for v in row) for row in rows) + "\r\n"
    return text.encode(encoding)


def zip_bomb(member_mb: int = 30) -> bytes:
    """A small file that looks like an .xlsx but whose worksheet inflates to ``member_mb`` MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(member_mb):
                member.write(chunk)
    return out.getvalue()
