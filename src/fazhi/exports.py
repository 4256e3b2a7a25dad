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
"""

from __future__ import annotations

from collections.abc import Iterable
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


def xlsx_row(ws: Any, values: Iterable[Any]) -> None:
    """``ws.append(values)`` — formula-like text stored as text (quote prefix)."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        _as_text(cell)


def _as_text(cell: Any) -> None:
    if risky(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


__all__ = ["FORMULA_START", "csv_row", "csv_value", "risky", "xlsx_cell", "xlsx_row"]
