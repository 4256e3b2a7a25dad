"""Spreadsheet cells that cannot run: the formula-injection guard of every export fazhi writes.

Report text, unit names and file names come from uploaders.  A spreadsheet
program treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab
or carriage return before them) as a formula — ``=cmd|' /C calc'!A0`` runs a
program when the file is opened (CSV/formula injection).  Every export
(:mod:`fazhi.corpus.export`, and those of the supervision cycle to come)
passes its cells through one rule, :func:`risky`:

- CSV: such text is written with a leading ``'`` (:func:`csv_value`,
  :func:`csv_row`), which spreadsheet programs take as "this is text";
- XLSX: such text is stored as a string cell marked ``quotePrefix`` (text,
  shown without the apostrophe), never as a formula (:func:`xlsx_cell`,
  :func:`xlsx_row`) — openpyxl would otherwise store ``=…`` as a formula.

Numbers stay numbers: only text is touched, and text that is a plain number
(``-12``, ``+3.5``, ``-0.25``) is not formula-like.

Every XLSX workbook fazhi writes is also made and laid out here, the same way
(:func:`workbook`, :func:`sheet_start`, :func:`sheet_end`): creator "fazhi",
A4 landscape fitted to the page width, the header row repeated on every
printed page, and the title with the export date and the filter used — as a
title row above the header (:func:`sheet_start` with ``title``) and in the
printed page header.  Rows are appended with :func:`xlsx_row`, which works on
a write-only (streamed) workbook as on an ordinary one and never looks at the
sheet's size: writing n rows takes time linear in n.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

#: what makes a spreadsheet read a cell as a formula (OWASP's list)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def risky(value: Any) -> bool:
    """Whether ``value`` is text a spreadsheet program would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START) and not _number(value)


def csv_value(value: Any) -> Any:
    """``value`` as a CSV cell: formula-like text gets a leading ``'``; anything else is unchanged."""
    return "'" + value if risky(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A CSV row (``csv.writer.writerow``) with every cell passed through :func:`csv_value`."""
    return [csv_value(v) for v in values]


def xlsx_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """``ws.cell(row, column, value)`` — formula-like text stored as text (quote prefix); the cell."""
    cell = ws.cell(row=row, column=column, value=value)
    _as_text(cell)
    return cell


def xlsx_value(ws: Any, value: Any) -> Any:
    """``value`` ready for ``ws.append``: formula-like text as a text cell (quote prefix), anything else as is
    (a cell made by :func:`styled` passes through)."""
    if not risky(value):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value)
    _as_text(cell)
    return cell


def styled(ws: Any, value: Any, **style: Any) -> Any:
    """A cell of ``ws`` holding ``value`` (formula-like text as text) with ``style`` (``font``, ``fill``,
    ``alignment``, ``number_format``, ``comment``, ``style`` …), for :func:`xlsx_row`."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value)
    _as_text(cell)
    for name, v in style.items():
        setattr(cell, name, v)
    return cell


def xlsx_row(ws: Any, values: Iterable[Any]) -> None:
    """``ws.append(values)`` — formula-like text stored as text (quote prefix).  Constant time per row
    (the sheet's size is never asked), on a write-only workbook as on an ordinary one."""
    ws.append([xlsx_value(ws, v) for v in values])


def _as_text(cell: Any) -> None:
    if risky(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


# ---------------------------------------------------------------- workbooks and their page setup

CREATOR = "fazhi"


def workbook(*, write_only: bool = False, title: str | None = None) -> Any:
    """A new workbook whose creator is fazhi (``write_only``: streamed, rows are written as appended; its
    sheets are made with ``create_sheet``)."""
    from openpyxl import Workbook

    book = Workbook(write_only=write_only)
    book.properties.creator = CREATOR
    book.properties.lastModifiedBy = CREATOR
    if title:
        book.properties.title = title
    return book


def stamp(filter_text: str | None = None, *, today: dt.date | None = None) -> str:
    """The line under an export's title: the date and the filter used (导出日期：… 筛选：…)."""
    from fazhi.config import CHINA

    day = today or dt.datetime.now(CHINA).date()
    return f"导出日期：{day.isoformat()}　　筛选：{filter_text or '全部'}"


def sheet_start(ws: Any, header: Sequence[Any], widths: Sequence[float], *, title: str | None = None,
                stamp_line: str | None = None, freeze_columns: int = 0, header_style: dict[str, Any] | None = None,
                header_height: float | None = None, repeat_title: bool = False) -> int:
    """Lay out a sheet and write its first rows; return the header row's number.

    Column widths, frozen header (and ``freeze_columns`` first columns), A4 landscape fitted to the page
    width, the header row repeated on every printed page, the title and ``stamp_line`` (date and filter) in
    the printed page header.  With ``title``: a title row (and the stamp row) above the header, repeated
    with it on every printed page when ``repeat_title``.  Call it
    before any other row is written (a write-only sheet writes its layout with the first row)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    head_row = 1 + (1 if title else 0) + (1 if title and stamp_line else 0)
    ws.freeze_panes = f"{get_column_letter(freeze_columns + 1)}{head_row + 1}"
    ws.print_title_rows = f"{1 if repeat_title else head_row}:{head_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    printed = "　".join(x for x in (title, stamp_line) if x)
    if printed:
        ws.oddHeader.center.text = printed.replace("&", "&&")
        ws.oddHeader.center.size = 9
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if header_height is not None:
        ws.row_dimensions[head_row].height = header_height
    if title:
        ws.append([styled(ws, title, font=Font(bold=True, size=14),
                          alignment=Alignment(horizontal="center", vertical="center", wrap_text=True))])
        ws.row_dimensions[1].height = 30
        if stamp_line:
            ws.append([xlsx_value(ws, stamp_line)])
        if hasattr(ws, "merge_cells"):  # an ordinary sheet: the title lines span the table (a streamed one
            last = get_column_letter(max(len(header), 1))  # has no merged cells)
            for row in range(1, head_row):
                ws.merge_cells(f"A{row}:{last}{row}")
    style = header_style if header_style is not None else {"font": Font(bold=True)}
    ws.append([styled(ws, name, **style) for name in header])
    return head_row


def sheet_end(ws: Any, head_row: int, columns: int, rows: int) -> None:
    """After the last of ``rows`` data rows: the header row's filter over them (no sheet size is asked)."""
    from openpyxl.utils import get_column_letter

    ws.auto_filter.ref = f"A{head_row}:{get_column_letter(max(columns, 1))}{head_row + max(rows, 0)}"


__all__ = ["CREATOR", "FORMULA_START", "csv_row", "csv_value", "risky", "sheet_end", "sheet_start", "stamp",
           "styled", "workbook", "xlsx_cell", "xlsx_row", "xlsx_value"]
