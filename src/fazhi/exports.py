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




# ---------------------------------------------------------------- a fast streamed workbook

class XCell:
    """A cell of a :class:`StreamBook` sheet with a look (``look``: one of :data:`LOOKS`) and a comment."""

    __slots__ = ("comment", "look", "value")

    def __init__(self, value: Any, look: str = "", comment: str | None = None) -> None:
        self.value, self.look, self.comment = value, look, comment


#: the looks of :class:`StreamBook` cells: name -> (number format id or None, wrapped)
LOOKS = {"": (None, False), "wrap": (None, True), "int": (3, False), "dec": (164, False), "approx_int": (165, False),
         "approx_dec": (166, False), "pct1": (167, False), "pct0": (9, False)}
_NUMFMTS = {164: "0.0#", 165: '"约"#,##0', 166: '"约"0.0#', 167: "0.0%"}
_BAD_XML = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF])
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _x(text: Any) -> str:
    s = str(text).translate(_BAD_XML)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


class StreamBook:
    """An XLSX workbook written straight into a zip, row by row: constant time per cell, so 10,000 reports'
    compare workbook takes seconds, where openpyxl (even write-only) spends tens of microseconds a cell.

    Written as :func:`sheet_start` lays a sheet out: creator fazhi, A4 landscape fitted to the width, the
    header row repeated on every printed page and filtered, frozen panes, the title and the date/filter line
    in the printed page header.  Text is stored inline and never as a formula; formula-like text (:func:`risky`)
    also gets the quote prefix; numbers stay numbers.  Cells may carry comments (:class:`XCell`)."""

    def __init__(self, target: Any, *, title: str | None = None, print_header: str | None = None) -> None:
        import zipfile

        self.zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self.title, self.print_header = title, print_header
        self.sheets: list[tuple[str, int, int, int, bool]] = []  # name, header row, columns, rows, comments

    # one sheet at a time
    def sheet(self, name: str, header: Sequence[str], widths: Sequence[float], *, freeze_columns: int = 0,
              header_height: float = 42) -> _StreamSheet:
        return _StreamSheet(self, name, list(header), list(widths), freeze_columns, header_height)

    def close(self) -> None:
        z = self.zip
        n = len(self.sheets)
        names = "".join(f'<sheet name="{_x(s[0])}" sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(self.sheets, 1))
        defined = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">\'{_x(s[0])}\'!$A$1:'
            f'${_col(s[2])}${1 + s[3]}</definedName>'
            f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">\'{_x(s[0])}\'!$1:$1</definedName>'
            for i, s in enumerate(self.sheets))
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_NS} '
                   f'{_NS_R}><bookViews><workbookView/></bookViews><sheets>{names}</sheets>'
                   f'<definedNames>{defined}</definedNames></workbook>')
        rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, n + 1))
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'{rels}<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>')
        z.writestr("xl/styles.xml", self._styles())
        over = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                       f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
        over += "".join(f'<Override PartName="/xl/comments{i}.xml" ContentType="application/'
                        f'vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"/>'
                        for i, s in enumerate(self.sheets, 1) if s[4])
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/styles.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                   '<Override PartName="/docProps/core.xml" ContentType="application/'
                   'vnd.openxmlformats-package.core-properties+xml"/>'
                   '<Override PartName="/docProps/app.xml" ContentType="application/'
                   f'vnd.openxmlformats-officedocument.extended-properties+xml"/>{over}</Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
                   '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
                   'metadata/core-properties" Target="docProps/core.xml"/>'
                   f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
                   '</Relationships>')
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        z.writestr("docProps/core.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
                   'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/'
                   'dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                   f'<dc:title>{_x(self.title or "")}</dc:title><dc:creator>{CREATOR}</dc:creator>'
                   f'<cp:lastModifiedBy>{CREATOR}</cp:lastModifiedBy>'
                   f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
                   f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>')
        z.writestr("docProps/app.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
                   '<Application>fazhi</Application></Properties>')
        z.close()

    @staticmethod
    def _styles() -> str:
        fmts = "".join(f'<numFmt numFmtId="{i}" formatCode="{_x(code)}"/>' for i, code in _NUMFMTS.items())
        xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
               '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" '
               'applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>']
        for fmt, wrap in LOOKS.values():
            for quote in (False, True):
                xfs.append(f'<xf numFmtId="{fmt or 0}" fontId="0" fillId="0" borderId="0" xfId="0"'
                           + (' applyNumberFormat="1"' if fmt else "") + (' quotePrefix="1"' if quote else "")
                           + (' applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>' if wrap else "/>"))
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<styleSheet {_NS}><numFmts count="{len(_NUMFMTS)}">{fmts}</numFmts>'
                '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
                '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/><family val="2"/></font></fonts>'
                '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill '
                'patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FF8B1A1A"/>'
                '</patternFill></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
                '</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
                f'</cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


_LOOK_XF = {name: 2 + 2 * i for i, name in enumerate(LOOKS)}  # + 1: with the quote prefix


class _StreamSheet:
    def __init__(self, book: StreamBook, name: str, header: list[str], widths: list[float], freeze: int,
                 height: float) -> None:
        self.book, self.name, self.header = book, name, header
        self.index = len(book.sheets) + 1
        self.n = 1  # rows written (the header is row 1)
        self.comments: list[tuple[str, int, int, str]] = []
        self.out = book.zip.open(f"xl/worksheets/sheet{self.index}.xml", "w", force_zip64=True)
        self.cols = [_col(i) for i in range(1, len(header) + 1)]
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
        fc = _col(freeze + 1)
        pane = (f'<pane xSplit="{freeze}" ySplit="1" topLeftCell="{fc}2" activePane="bottomRight" state="frozen"/>'
                if freeze else '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>')
        self._w('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<worksheet {_NS} {_NS_R}><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
                f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
                f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>')
        cells = "".join(f'<c r="{c}1" s="1" t="inlineStr"><is><t>{_x(h)}</t></is></c>'
                        for c, h in zip(self.cols, header, strict=True))
        self._w(f'<row r="1" ht="{height}" customHeight="1">{cells}</row>')

    def _w(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))

    def __enter__(self) -> _StreamSheet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def row(self, values: Sequence[Any]) -> None:
        """Append a row: ``None`` is an empty cell, text is text, numbers are numbers; an :class:`XCell` has a
        look and a comment."""
        self.n += 1
        r = self.n
        parts = [f'<row r="{r}">']
        for j, (col, v) in enumerate(zip(self.cols, values, strict=False)):
            look, comment = "", None
            if isinstance(v, XCell):
                v, look, comment = v.value, v.look, v.comment
            if v is None:
                continue
            xf = _LOOK_XF[look]
            if isinstance(v, bool) or not isinstance(v, int | float):
                text = str(v)
                parts.append(f'<c r="{col}{r}" s="{xf + 1 if risky(text) else xf}" t="inlineStr"><is>'
                             f'<t xml:space="preserve">{_x(text)}</t></is></c>')
            else:
                parts.append(f'<c r="{col}{r}" s="{xf}"><v>{v!r}</v></c>')
            if comment:
                self.comments.append((f"{col}{r}", r - 1, j, comment))
        parts.append("</row>")
        self._w("".join(parts))

    def close(self) -> None:
        last = f"{self.cols[-1]}{self.n}"
        title = "　".join(x for x in (self.book.title, self.book.print_header) if x).replace("&", "&&")
        legacy = '<legacyDrawing r:id="rId2"/>' if self.comments else ""
        self._w(f'</sheetData><autoFilter ref="A1:{last}"/><printOptions horizontalCentered="1"/>'
                '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
                f'<headerFooter><oddHeader>&amp;C&amp;9{_x(title)}</oddHeader>'
                f'<oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter>{legacy}</worksheet>')
        self.out.close()
        z, i = self.book.zip, self.index
        if self.comments:
            z.writestr(f"xl/worksheets/_rels/sheet{i}.xml.rels",
                       '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                       '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       f'<Relationship Id="rId1" Type="{_REL}/comments" Target="../comments{i}.xml"/>'
                       f'<Relationship Id="rId2" Type="{_REL}/vmlDrawing" Target="../drawings/vmlDrawing{i}.vml"/>'
                       '</Relationships>')
            with z.open(f"xl/comments{i}.xml", "w", force_zip64=True) as out:
                out.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments {_NS}>'
                          f'<authors><author>{CREATOR}</author></authors><commentList>'.encode())
                for ref, _r, _c, text in self.comments:
                    out.write(f'<comment ref="{ref}" authorId="0"><text><t xml:space="preserve">{_x(text)}</t>'
                              '</text></comment>'.encode())
                out.write(b"</commentList></comments>")
            with z.open(f"xl/drawings/vmlDrawing{i}.vml", "w", force_zip64=True) as out:
                blocks = ",".join(str(b) for b in range(1, (1024 + len(self.comments)) // 1024 + 1))
                out.write(('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:'
                           'office" xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
                           f'<o:idmap v:ext="edit" data="{blocks}"/></o:shapelayout><v:shapetype id="_x0000_t202" '
                           'coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke '
                           'joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
                           ).encode())
                for k, (_ref, r, c, _text) in enumerate(self.comments, 1):
                    out.write(f'<v:shape id="_x0000_s{1024 + k}" type="#_x0000_t202" style="position:absolute;'
                              'margin-left:59.25pt;margin-top:1.5pt;width:240pt;height:90pt;z-index:1;'
                              'visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
                              '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
                              '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"/></v:textbox>'
                              '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
                              f'<x:AutoFill>False</x:AutoFill><x:Row>{r}</x:Row><x:Column>{c}</x:Column>'
                              '</x:ClientData></v:shape>'.encode())
                out.write(b"</xml>")
        self.book.sheets.append((self.name, 1, len(self.header), self.n - 1, bool(self.comments)))


__all__ = ["CREATOR", "FORMULA_START", "LOOKS", "StreamBook", "XCell", "csv_row", "csv_value", "risky", "sheet_end",
           "sheet_start", "stamp", "styled", "workbook", "xlsx_cell", "xlsx_row", "xlsx_value"]
