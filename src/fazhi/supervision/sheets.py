"""Read a table an office already keeps (.xlsx, a .docx table, or CSV), robustly.

Offices send the 责任分工表 or their 考核细则 as they have them: a title row
merged across the table, a header in row 7 or over two rows, columns in any
order, merged 一级/二级 cells, blank rows, notes below the table, formulas,
dates typed as dates.  :func:`read_table` turns any of these into rows of
canonical fields, names every row it could not read and why, and refuses
what it cannot read (a renamed .xls, a PDF, an image, a zip bomb) with a
Chinese message saying what to do.  The kind of file is sniffed from its
content; the name only sharpens a refusal (.et vs .xls).

Header synonyms per kind of table are data (``data/columns.yaml``).  Nothing
here evaluates a formula: a formula cell gives its cached value, or makes its
row unread.  Text that starts with ``=`` is data; :func:`safe_cell` keeps it
so when exported.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from fazhi.config import MAX_FILE_BYTES
from fazhi.supervision import datafiles

Value = str | date | float | None
"""A cell as the rest of the cycle sees it: text, a date (or datetime), a number, or nothing."""

MAX_BYTES = MAX_FILE_BYTES  # one limit for every file fazhi reads (fazhi.config)
MAX_UNZIPPED = 100 * 1024 * 1024
"""Largest total uncompressed size of an .xlsx/.docx; checked before the file is opened."""
MAX_RATIO = 200
"""Largest compression ratio of one zip member over 1 MB: real sheets stay well below it."""
HEADER_SCAN_ROWS = 30

_RATIO_FLOOR = 1024 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (
    (b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"),
    (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"),
)
_ARCHIVES = ((b"Rar!", "RAR"), (b"7z\xbc\xaf\x27\x1c", "7z"), (b"\x1f\x8b", "gzip"))
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_NOTE = re.compile(r"^(?:注|备注|说明|填表说明|附注)\s*[0-9一二三四五六七八九十]*\s*(?:[:：、.．]|$)")
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")
_UNSAFE_START = ("=", "+", "-", "@", "\t", "\r")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_REFUSE_HINT = "请导入 Excel（.xlsx）、Word（.docx）或 CSV 文件"


class SheetError(ValueError):
    """The file cannot be read as a table; the message says why, in Chinese, for the user."""


# ----------------------------------------------------------------- field specs


@dataclass(frozen=True)
class FieldSpec:
    """Which columns a kind of table has: canonical field → header synonyms, in order of preference."""

    kind: str
    label: str
    fields: Mapping[str, tuple[str, ...]]
    required: tuple[tuple[str, ...], ...] = ()

    def describe(self) -> str:
        """The expected columns, in Chinese, for an error message."""
        needed = {f for group in self.required for f in group}

        def name(f: str) -> str:
            first, *others = self.fields[f]
            return f"{first}（或{'、'.join(others[:3])}）" if others else first

        groups = ["、".join(name(f) for f in group) if len(group) == 1
                  else "至少一列：" + " / ".join(name(f) for f in group) for group in self.required]
        optional = "、".join(self.fields[f][0] for f in self.fields if f not in needed)
        return "；".join(groups) + (f"；可选：{optional}" if optional else "")


def field_specs(data: Mapping[str, Any]) -> dict[str, FieldSpec]:
    """The field specs of a parsed ``columns.yaml`` (already checked against its schema)."""
    specs = {}
    for kind, entry in data["kinds"].items():
        fields = {f: tuple(syns) for f, syns in entry["fields"].items()}
        required = tuple(tuple(group) for group in entry["required"])
        unknown = sorted({f for group in required for f in group} - fields.keys())
        if unknown:
            raise datafiles.DataFileError(f"columns.yaml：{kind} 的 required 提到了未定义的列 {', '.join(unknown)}")
        specs[kind] = FieldSpec(kind, entry["label"], fields, required)
    return specs


def field_spec(kind: str) -> FieldSpec:
    """The packaged field spec of a kind of table: ``tasks``, ``framework`` or ``units``."""
    return field_specs(datafiles.packaged("columns"))[kind]


# ----------------------------------------------------------------- results


@dataclass(frozen=True)
class Column:
    """A recognised (or ignored) column: its letter and its header as written."""

    letter: str
    index: int
    header: str


@dataclass(frozen=True)
class SheetRow:
    """One data row: its sheet row number (1-based), its fields and all its cells.

    ``section`` is the text of the last full-width merged row above it inside
    the table (a 分工表 often groups tasks under "一、……" rows)."""

    number: int
    values: Mapping[str, Value]
    raw: tuple[Value, ...]
    section: str | None = None

    def text(self, name: str) -> str:
        """The field as text ('' when empty); numbers without a fraction print as integers."""
        return cell_text(self.values.get(name))


@dataclass(frozen=True)
class SheetProblem:
    """A row that could not be read (or was read with a caveat), and why."""

    row: int
    reason: str

    def __str__(self) -> str:
        return f"第{self.row}行：{self.reason}"


@dataclass(frozen=True)
class SheetTable:
    """A table read from a file: the header found, the data rows, the rows not read and the notes."""

    sheet: str
    format: str
    header_row: int
    header_rows: int
    columns: Mapping[str, Column]
    ignored: tuple[Column, ...]
    rows: tuple[SheetRow, ...]
    problems: tuple[SheetProblem, ...]
    notes: tuple[str, ...]

    def summary(self) -> str:
        """A few Chinese lines on what was read, for the importer's output."""
        last = self.header_row + self.header_rows - 1
        where = f"第{self.header_row}行" if last == self.header_row else f"第{self.header_row}—{last}行"
        lines = [f"读取“{self.sheet}”（{self.format}），表头在{where}：" + "、".join(
            f"{c.header}（{c.letter}列）" for c in sorted(self.columns.values(), key=lambda c: c.index))]
        if self.ignored:
            lines.append("未识别、已忽略的列：" + "、".join(f"{c.header}（{c.letter}列）" for c in self.ignored))
        lines.append(f"数据 {len(self.rows)} 行，无法读取 {len(self.problems)} 行，表后说明 {len(self.notes)} 条")
        return "\n".join(lines)


# ----------------------------------------------------------------- cells


def cell_text(value: Value) -> str:
    """A cell value as text: '' for None, dates in ISO form, 3.0 as '3'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def safe_cell(value: Any) -> Any:
    """``value`` as it may be written to a sheet or CSV: text never becomes a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
    prefixed with an apostrophe (the OWASP advice against CSV/formula
    injection); :func:`read_table` drops that apostrophe again on import.
    Numbers, dates and everything else are returned unchanged."""
    if isinstance(value, str) and value.startswith(_UNSAFE_START):
        return "'" + value
    return value


def _value(raw: Any) -> Value:
    """A cell as read from a file, normalised: trimmed text or None, dates without midnight time."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, datetime):
        return raw.date() if raw.time() == time() else raw
    if isinstance(raw, date | int | float):
        return raw
    if isinstance(raw, time | timedelta):
        return str(raw)
    text = str(raw).translate(_INVISIBLE).replace("\r\n", "\n").replace("\r", "\n").strip()
    if text[:1] == "'" and text[1:2] in _UNSAFE_START:
        text = text[1:]
    return text or None


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ----------------------------------------------------------------- grids


@dataclass
class _Grid:
    """A sheet or a Word table as a rectangle of merge-filled values.

    ``origin`` maps each cell covered by a merge (other than its top-left cell)
    to that top-left cell; ``bad`` maps cells whose value cannot be trusted
    (a formula without a cached result) to the reason."""

    name: str
    cells: list[list[Value]]
    origin: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    bad: dict[tuple[int, int], str] = field(default_factory=dict)

    def root(self, r: int, c: int) -> tuple[int, int]:
        return self.origin.get((r, c), (r, c))

    def own(self, r: int, c: int) -> Value:
        """The cell's value unless it was copied from a merge that starts in another row."""
        return self.cells[r][c] if self.root(r, c)[0] == r else None

    def merge(self, r0: int, c0: int, r1: int, c1: int) -> None:
        """Fill the range with its top-left value (clamped to the grid)."""
        r1, c1 = min(r1, len(self.cells) - 1), min(c1, len(self.cells[0]) - 1 if self.cells else -1)
        top_left = self.cells[r0][c0] if r0 <= r1 and c0 <= c1 else None
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    self.cells[r][c] = top_left
                    self.origin[(r, c)] = (r0, c0)


def _rectangle(rows: list[list[Value]]) -> list[list[Value]]:
    """Rows padded to one width, without trailing blank rows and columns."""
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    width = max((max((i + 1 for i, v in enumerate(row) if v is not None), default=0) for row in rows), default=0)
    return [(row + [None] * width)[:width] for row in rows]


# ----------------------------------------------------------------- sniffing


def _refuse_binary(data: bytes, name: str) -> None:
    """Raise the refusal for a file that is none of xlsx/docx/csv, if its signature says what it is."""
    lower = name.lower()
    if data.startswith(_OLE):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise SheetError("这个文件设置了打开密码，请在 Excel/WPS 中取消密码后再导入")
        if "WordDocument".encode("utf-16-le") in data or lower.endswith((".doc", ".wps")):
            raise SheetError("这是旧版 Word（.doc）或 WPS 文字（.wps）文件，请在 Word/WPS 中另存为 .docx 后再导入")
        if lower.endswith(".et"):
            raise SheetError("这是 WPS 表格（.et）文件，请在 WPS 中另存为 .xlsx 后再导入")
        raise SheetError("这是旧版 Excel（.xls）文件，请在 Excel/WPS 中另存为 .xlsx 后再导入")
    if data.startswith(b"%PDF"):
        raise SheetError(f"这是 PDF 文件，无法从中读取表格，{_REFUSE_HINT}")
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        raise SheetError(f"这是图片文件（WEBP），无法从中读取表格，{_REFUSE_HINT}")
    for magic, kind in _IMAGES:
        if data.startswith(magic):
            raise SheetError(f"这是图片文件（{kind}），无法从中读取表格，{_REFUSE_HINT}")
    for magic, kind in _ARCHIVES:
        if data.startswith(magic):
            raise SheetError(f"这是压缩包（{kind}），请解压后导入其中的表格文件")
    if data.startswith(b"{\\rtf"):
        raise SheetError("这是 RTF 文档，请在 Word/WPS 中另存为 .docx 后再导入")


def _open_zip(data: bytes, max_unzipped: int) -> zipfile.ZipFile:
    """Open an OOXML package after checking that it does not inflate beyond the limits."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SheetError("文件已损坏，无法作为 .xlsx 或 .docx 打开") from exc
    total = sum(i.file_size for i in infos)
    if total > max_unzipped:
        raise SheetError(f"文件解压后有 {total / 1048576:.0f} MB（上限 {max_unzipped / 1048576:.0f} MB），"
                         "可能是恶意构造的压缩文件，已拒绝")
    for info in infos:
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise SheetError(f"文件中的“{info.filename}”压缩比异常（约 {ratio} 倍），可能是恶意构造的压缩文件，已拒绝")
    return zf


def _zip_kind(zf: zipfile.ZipFile) -> str:
    names = set(zf.namelist())
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return "xlsx"
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return "docx"
    if "mimetype" in names and b"opendocument" in zf.read("mimetype")[:100]:
        raise SheetError("这是 OpenDocument 文件（.ods/.odt），请另存为 .xlsx 或 .docx 后再导入")
    raise SheetError("这是一个 zip 压缩包，不是 Excel 或 Word 文件；请解压后导入其中的表格文件")


def _decode(data: bytes) -> str:
    """Text of a CSV: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030; else a refusal."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: Sequence[str] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
        if controls <= len(text) // 200:
            return text
    raise SheetError(f"无法识别的文件格式（不是表格文件），{_REFUSE_HINT}")


def _refuse_markup(text: str) -> None:
    head = text[:2048].lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<table", "<meta")) or "<table" in head:
        raise SheetError("这是网页（HTML）格式的文件，常见于系统导出的“.xls”；"
                         "请在 Excel/WPS 中打开后另存为 .xlsx 再导入")
    if head.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in text[:4096]:
        raise SheetError("这是 Excel 2003 XML 表格，请在 Excel/WPS 中另存为 .xlsx 后再导入")


# ----------------------------------------------------------------- readers


def _xlsx_grids(data: bytes, zf: zipfile.ZipFile) -> list[_Grid]:
    import openpyxl

    sheets_xml = [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    has_formulas = any(_FORMULA_TAG.search(zf.read(n)) for n in sheets_xml)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False) if has_formulas else None
    except Exception as exc:  # openpyxl raises many kinds on a damaged package
        raise SheetError(f"无法打开这个 .xlsx 文件（文件可能已损坏）：{exc}") from exc
    grids = []
    for ws in book.worksheets:
        grid = _Grid(ws.title, _rectangle([[_value(v) for v in row] for row in ws.iter_rows(values_only=True)]))
        for rng in ws.merged_cells.ranges:
            if rng.min_row <= len(grid.cells):
                grid.merge(rng.min_row - 1, rng.min_col - 1, rng.max_row - 1, rng.max_col - 1)
        if formulas is not None:
            _mark_formulas(grid, ws, formulas[ws.title])
        grids.append(grid)
    return grids


def _mark_formulas(grid: _Grid, cached: Any, written: Any) -> None:
    """Mark formula cells of ``written`` whose cached value in ``cached`` is missing or an error."""
    for row in written.iter_rows(max_row=len(grid.cells), max_col=len(grid.cells[0]) if grid.cells else 0):
        for cell in row:
            if cell.data_type != "f":
                continue
            result = cached.cell(cell.row, cell.column)
            if result.value is None:
                grid.bad[(cell.row - 1, cell.column - 1)] = f"单元格 {cell.coordinate} 是公式且没有计算结果"
            elif result.data_type == "e":
                grid.bad[(cell.row - 1, cell.column - 1)] = f"单元格 {cell.coordinate} 的公式结果是错误值 {result.value}"


def _docx_grids(data: bytes) -> list[_Grid]:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on a damaged package
        raise SheetError(f"无法打开这个 .docx 文件（文件可能已损坏）：{exc}") from exc
    if not document.tables:
        raise SheetError("这个 Word 文件里没有表格")
    return [_docx_grid(f"表格{i}", table) for i, table in enumerate(document.tables, start=1)]


def _docx_grid(name: str, table: Any) -> _Grid:
    """A Word table as a grid; horizontally and vertically merged cells share the top-left cell."""
    placed: list[list[tuple[Any, Value]]] = []
    for row in table.rows:
        cells: list[tuple[Any, Value]] = [(None, None)] * row.grid_cols_before
        cells += [(cell._tc, _value(cell.text)) for cell in row.cells]  # _tc: identity of merged cells
        placed.append(cells)
    grid = _Grid(name, _rectangle([[v for _, v in row] for row in placed]))
    first_seen: dict[int, tuple[int, int]] = {}
    for r, row in enumerate(placed[: len(grid.cells)]):
        for c, (tc, _) in enumerate(row[: len(grid.cells[0]) if grid.cells else 0]):
            if tc is None:
                continue
            root = first_seen.setdefault(id(tc), (r, c))
            if root != (r, c):
                grid.origin[(r, c)] = root
    return grid


def _csv_grid(name: str, text: str) -> _Grid:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    delimiter = max(",\t;", key=lambda d: sum(line.count(d) for line in lines))
    rows = [[_value(v) for v in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    return _Grid(name, _rectangle(rows))


def _grids(data: bytes, name: str, max_bytes: int, max_unzipped: int) -> tuple[str, list[_Grid]]:
    """The file's format and its tables, after refusing what is not a table file."""
    if not data:
        raise SheetError("文件是空的")
    if len(data) > max_bytes:
        raise SheetError(f"文件太大（{len(data) / 1048576:.1f} MB），上限是 {max_bytes / 1048576:.0f} MB")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        zf = _open_zip(data, max_unzipped)
        kind = _zip_kind(zf)
        return kind, _xlsx_grids(data, zf) if kind == "xlsx" else _docx_grids(data)
    _refuse_binary(data, name)
    text = _decode(data)
    _refuse_markup(text)
    return "csv", [_csv_grid(name or "CSV", text)]


# ----------------------------------------------------------------- header


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text).strip("*※:：")


def _labels(text: str) -> Iterator[str]:
    """The forms of a header cell that may equal a synonym: as is, without remarks, each remark."""
    norm = _norm(text)
    yield norm
    bare = _BRACKETED.sub("", norm)
    if bare != norm:
        yield bare
        yield from re.findall(r"[(\[【]([^)\]】]*)[)\]】]", norm)


def _synonym_index(spec: FieldSpec) -> dict[str, list[tuple[int, str]]]:
    index: dict[str, list[tuple[int, str]]] = {}
    for name, synonyms in spec.fields.items():
        for rank, synonym in enumerate(synonyms):
            index.setdefault(_norm(synonym), []).append((rank, name))
    return index


def _assign(labels: Sequence[Value], index: Mapping[str, list[tuple[int, str]]]) -> dict[str, int]:
    """Field → column: each column to the field where its synonym ranks best, one column per field."""
    matches = sorted((rank, col, name)
                     for col, label in enumerate(labels) if isinstance(label, str)
                     for form in _labels(label) for rank, name in index.get(form, ()))
    assigned: dict[str, int] = {}
    for _, col, name in matches:
        if name not in assigned and col not in assigned.values():
            assigned[name] = col
    return assigned


@dataclass(frozen=True)
class _Header:
    row: int
    depth: int
    labels: tuple[Value, ...]
    assigned: Mapping[str, int]


def _find_header(grid: _Grid, spec: FieldSpec, index: Mapping[str, list[tuple[int, str]]]) -> _Header | None:
    """The best header in the first rows: one row, or two when the lower row refines the upper one."""

    def acceptable(assigned: Mapping[str, int]) -> bool:
        return len(assigned) >= min(2, len(spec.fields)) and all(
            any(f in assigned for f in group) for group in spec.required)

    rows = [_header_labels(grid, r) for r in range(min(HEADER_SCAN_ROWS + 1, len(grid.cells)))]
    singles = [_assign(row, index) for row in rows]
    best: _Header | None = None
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        candidates = [_Header(r, 1, tuple(row), singles[r])]
        if r + 1 < len(rows):
            pair = tuple(below if isinstance(below, str) and _assign([below], index) else above
                         for above, below in zip(row, rows[r + 1], strict=True))
            assigned = _assign(pair, index)
            if len(assigned) > max(len(singles[r]), len(singles[r + 1])):  # both rows name columns
                candidates.append(_Header(r, 2, pair, assigned))
        for header in candidates:
            if acceptable(header.assigned) and (best is None or len(header.assigned) > len(best.assigned)):
                best = header
    return best and _with_rows_above(grid, best)


def _header_labels(grid: _Grid, r: int) -> list[Value]:
    """Row ``r`` as header labels: a cell merged across columns labels its first column only."""
    return [v if grid.root(r, c)[1] == c else None for c, v in enumerate(grid.cells[r])]


def _with_rows_above(grid: _Grid, header: _Header) -> _Header:
    """The header extended upwards over rows its cells are merged down from (序号 merged over two rows)."""
    row, depth = header.row, header.depth
    while row > 0 and any(grid.root(row, c)[0] == row - 1 for c in header.assigned.values()):
        row, depth = row - 1, depth + 1
    return _Header(row, depth, header.labels, header.assigned)


# ----------------------------------------------------------------- rows


def _is_full_width(grid: _Grid, r: int, cols: Sequence[int]) -> bool:
    """Whether one merged cell covers every recognised column of row ``r``."""
    roots = {grid.root(r, c) for c in cols}
    return len(roots) == 1 and len(cols) > 1 and grid.cells[r][cols[0]] is not None


def _row_text(grid: _Grid, r: int) -> str:
    """The row's own cells as one line (a merged cell counted once)."""
    return " ".join(cell_text(v) for c, v in enumerate(grid.cells[r]) if v is not None and grid.root(r, c) == (r, c))


def _first_text(grid: _Grid, r: int) -> str:
    """The row's first own cell, as text ('' if the row has none)."""
    return next((cell_text(v) for c, v in enumerate(grid.cells[r]) if v is not None and grid.root(r, c) == (r, c)), "")


def _column_numbers(values: Sequence[Value], cols: Sequence[int]) -> bool:
    """Whether a row numbers the columns ("1 2 3 4", "（1）（2）（3）") instead of holding data."""
    numbers = [re.sub(r"[()（）]", "", cell_text(values[c])) for c in cols if values[c] is not None]
    return len(numbers) >= 3 and all(n.isdigit() for n in numbers) and [int(n) for n in numbers] == list(
        range(int(numbers[0]), int(numbers[0]) + len(numbers)))


def _table(grid: _Grid, fmt: str, header: _Header) -> SheetTable:
    """The data rows below ``header``: blank rows skipped, sections and notes set apart, bad cells reported."""
    assigned = header.assigned
    cols = sorted(assigned.values())
    columns = {name: Column(column_letter(c), c, cell_text(header.labels[c])) for name, c in assigned.items()}
    written = {col.header for col in columns.values()}
    ignored = tuple(Column(column_letter(c), c, cell_text(label)) for c, label in enumerate(header.labels)
                    if c not in cols and label is not None and cell_text(label) not in written)
    heading = [cell_text(header.labels[c]) for c in cols]
    start, end = header.row + header.depth, len(grid.cells)
    has_data = [any(grid.own(r, c) is not None for c in cols) for r in range(end)]
    full_width = [_is_full_width(grid, r, cols) for r in range(end)]
    later_data = [False] * (end + 1)
    for r in range(end - 1, start - 1, -1):
        later_data[r] = later_data[r + 1] or (has_data[r] and not full_width[r])

    rows: list[SheetRow] = []
    problems: list[SheetProblem] = []
    notes: list[str] = []
    section: str | None = None
    for r in range(start, end):
        if notes or _NOTE.match(_first_text(grid, r)) or (full_width[r] and not later_data[r + 1]):
            notes += [text] if (text := _row_text(grid, r)) else []
            continue
        values = grid.cells[r]
        if not has_data[r] or [cell_text(values[c]) for c in cols] == heading or (
                r == start and _column_numbers(values, cols)):
            continue  # blank, the header repeated (on every printed page), or a row numbering the columns
        if full_width[r]:
            section = cell_text(values[cols[0]])
            continue
        bad = [grid.bad[grid.root(r, c)] for c in cols if grid.root(r, c) in grid.bad]
        if bad:
            problems.append(SheetProblem(r + 1, "；".join(bad)))
            continue
        rows.append(SheetRow(r + 1, {name: values[c] for name, c in assigned.items()}, tuple(values), section))
    return SheetTable(grid.name, fmt, header.row + 1, header.depth, columns, ignored,
                      tuple(rows), tuple(problems), tuple(notes))


def read_table(data: bytes, name: str, fields: FieldSpec, *, sheet: str | None = None,
               max_bytes: int = MAX_BYTES, max_unzipped: int = MAX_UNZIPPED) -> SheetTable:
    """Read the table of kind ``fields`` from the file ``data`` (called ``name``).

    The format is sniffed from the content.  In a workbook (or a Word file
    with several tables) the sheet with the best recognisable header is read,
    or the one named ``sheet``.  Raises :class:`SheetError` with a Chinese
    message when the file is not a table file, is too large, or has no
    recognisable header."""
    fmt, grids = _grids(data, name, max_bytes, max_unzipped)
    if sheet is not None:
        named = [g for g in grids if g.name == sheet]
        if not named:
            raise SheetError(f"找不到名为“{sheet}”的工作表（文件中有：{'、'.join(g.name for g in grids) or '无'}）")
        grids = named
    index = _synonym_index(fields)
    found = [(header, grid) for grid in grids if (header := _find_header(grid, fields, index)) is not None]
    if not found:
        where = f"“{grids[0].name}”" if len(grids) == 1 else "任何一个工作表或表格"
        raise SheetError(f"在{where}中找不到{fields.label}的表头。应有这些列：{fields.describe()}")
    header, grid = max(found, key=lambda hg: len(hg[0].assigned))
    return _table(grid, fmt, header)
