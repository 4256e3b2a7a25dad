"""Write a compare table as CSV or as an XLSX workbook an office can hand to its leader.

The workbook has four sheets: 指标数据 (units × indicators, frozen header,
Chinese column names, number formats; approximate values shown as 约…;
every cell carries its evidence sentence as a comment), 指标明细 (one line per
value with evidence, year-over-year change, rank and percentile, and the units
the rank is among: 2023年·县级), 审查意见
(findings) and 必备内容 (the parts checklist with scores).

Every cell goes through :mod:`fazhi.exports`: text that a spreadsheet program
would read as a formula (``=…``, ``+…``, ``-…``, ``@…``) is written as text.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from fazhi.corpus.compare import RANK_ORDER, Table, rank_scope
from fazhi.exports import StreamBook, XCell, csv_row, stamp
from fazhi.units.identity import LEVEL_LABEL

PART_COLS = [("achievements", "举措和成效"), ("shortcomings", "不足和原因"),
             ("first_responsible", "第一责任人履职"), ("next_year_plan", "下一年度安排")]
STATUS = {"dedicated": "单列", "embedded": "散见", "missing": "缺失"}
SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


FILTER_LABEL = {"region": "地区", "level": "级别", "year": "年度", "issuer": "单位", "code": "区划代码", "id": "报告ID",
                "indicators": "指标", "core": "只含核心指标", "long": "逐值明细"}


def filter_label(where: dict[str, Any] | None, scope: str | None = None) -> str:
    """The filter of an export in words (地区=焦作市；年度=2023), for its title line; ``scope``: the
    exporter's region scope."""
    bits = [f"{FILTER_LABEL.get(k, k)}={v}" for k, v in (where or {}).items() if v not in (None, "", [])]
    if scope:
        bits.append(f"查看范围={scope}")
    return "；".join(bits) or "全部"


def _head(col: Any) -> str:
    return f"{col.name}（{col.unit}）" if col.unit else col.name


def write_csv(table: Table, path: Path | str | IO[str], *, long: bool = False,
              progress: Callable[[int], None] | None = None) -> int:
    """Write the wide table (or, with ``long``, one line per value) to ``path`` (a file name or a text file
    opened with ``newline=""``); return the line count.  ``progress(1)`` is called after each report.

    A file name is written as UTF-8 with BOM, so spreadsheet programs open the Chinese text correctly (a
    file object gets the BOM from its encoding, e.g. ``utf-8-sig``).  Values stay numbers in both forms:
    an approximate value (约…) is marked beside it — the 约数 column of the long form, and in the wide form
    the last column, 约数指标, naming the indicators of the row whose values are approximate."""
    if isinstance(path, (str, Path)):
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            return write_csv(table, fh, long=long, progress=progress)
    tick = progress or (lambda n: None)
    w = csv.writer(path)
    if long:
        w.writerow(["单位", "级别", "地区", "年度", "指标代码", "指标", "数值", "单位（计量）", "约数",
                    "同比变化", "同比变化率", "上年", "排名", "参与排名数", "排名范围", "百分位", "排名方向", "原文",
                    "起", "止", "报告ID"])
        n = 0
        for r in table.rows:
            for col in table.columns:
                c = r.cells.get(col.id)
                if c is None:
                    continue
                w.writerow(csv_row([
                    r.issuer, LEVEL_LABEL.get(r.level or "", r.level or ""), r.region, r.year or "", col.id,
                    col.name, _num(c.value), c.unit or "", "是" if c.approx else "",
                    "" if c.delta is None else _num(c.delta),
                    "" if c.delta_pct is None else f"{c.delta_pct:.4f}", c.prev_year or "", c.rank or "",
                    c.of or "", rank_scope(r) if c.rank else "",
                    "" if c.percentile is None else f"{c.percentile:.3f}", RANK_ORDER[col.better],
                    c.text, c.start, c.end, r.report_id]))
                n += 1
            tick(1)
        return n
    w.writerow(csv_row(["单位", "级别", "地区", "年度", *(_head(c) for c in table.columns), "约数指标"]))
    for r in table.rows:
        cells = []
        for col in table.columns:
            c = r.cells.get(col.id)
            cells.append("" if c is None else _num(c.value))
        w.writerow(csv_row([r.issuer, LEVEL_LABEL.get(r.level or "", r.level or ""), r.region, r.year or "",
                            *cells, _approx_names(table, r)]))
        tick(1)
    return len(table.rows)


def _num(v: float) -> Any:
    return int(v) if float(v).is_integer() else v


def _approx_names(table: Table, r: Any) -> str:
    return "、".join(col.name for col in table.columns if (c := r.cells.get(col.id)) is not None and c.approx)


def write_xlsx(table: Table, path: Path | str | IO[bytes], *, findings: Iterable[dict[str, Any]] | None = None,
               parts: Iterable[dict[str, Any]] | None = None, filter_text: str | None = None,
               today: dt.date | None = None, progress: Callable[[int], None] | None = None) -> None:
    """Write the formatted workbook to ``path`` (a file name or a seekable binary file).

    Streamed (:class:`fazhi.exports.StreamBook`): rows go to the file as they
    are made, in constant time each, so 10,000 reports take seconds.  Every
    sheet is laid out alike (A4 landscape fitted to width, the header repeated
    on every printed page, the title with the date and ``filter_text`` in the
    printed page header, creator fazhi).  ``progress(n)`` is called after
    each n rows written (of :func:`row_count`)."""
    title = f"法治政府建设年度报告指标对比（{len(table.rows)} 份报告）"
    tick = progress or (lambda n: None)
    book = StreamBook(path, title=title, print_header=stamp(filter_text, today=today))

    fixed = ["单位", "级别", "地区", "年度"]
    with book.sheet("指标数据", fixed + [_head(c) for c in table.columns],
                    [26, 8, 22, 8] + [14] * len(table.columns), freeze_columns=4) as ws:
        for r in table.rows:
            row: list[Any] = [r.issuer, LEVEL_LABEL.get(r.level or "", r.level), r.region, r.year]
            for col in table.columns:
                c = r.cells.get(col.id)
                if c is None:
                    row.append(None)
                    continue
                whole = c.unit != "%" and float(c.value).is_integer()
                look = ("approx_" if c.approx else "") + ("int" if whole else "dec")
                note = c.text
                if len(c.values) > 1:
                    note += f"\n（本报告该指标共 {len(c.values)} 个数：{'、'.join(str(_num(v)) for v in c.values)}）"
                if c.delta is not None:
                    note += f"\n较{c.prev_year}年：{'+' if c.delta >= 0 else ''}{_num(round(c.delta, 4))}"
                row.append(XCell(_num(c.value), look, note))
            ws.row(row)
            tick(1)

    with book.sheet("指标明细", ["单位", "级别", "地区", "年度", "指标", "数值", "计量单位", "约数", "同比变化",
                               "同比变化率", "排名", "参与排名", "排名范围", "百分位", "排名方向", "原文（证据）",
                               "报告ID", "起止"],
                    [26, 8, 22, 8, 24, 12, 10, 6, 12, 10, 8, 8, 16, 8, 10, 60, 8, 12]) as wd:
        for r in table.rows:
            level = LEVEL_LABEL.get(r.level or "", r.level)
            for col in table.columns:
                c = r.cells.get(col.id)
                if c is None:
                    continue
                wd.row([r.issuer, level, r.region, r.year, col.name, _num(c.value), c.unit, "约" if c.approx else "",
                        None if c.delta is None else _num(round(c.delta, 4)),
                        None if c.delta_pct is None else XCell(c.delta_pct, "pct1"),
                        c.rank, c.of, rank_scope(r) if c.rank else None,
                        None if c.percentile is None else XCell(c.percentile, "pct0"),
                        RANK_ORDER[col.better], XCell(c.text, "wrap"), r.report_id, f"{c.start}-{c.end}"])
            tick(1)

    with book.sheet("审查意见", ["单位", "地区", "年度", "严重程度", "意见", "原文（证据）"],
                    [26, 22, 8, 10, 60, 50]) as wf:
        for f in findings or []:
            wf.row([f["issuer"], f["region"], f["year"], SEVERITY.get(f["severity"], f["severity"]),
                    XCell(f["message"], "wrap"), XCell(f["evidence"], "wrap")])

    with book.sheet("必备内容", ["单位", "地区", "年度", *(label for _, label in PART_COLS), "得分"],
                    [26, 22, 8, 12, 12, 14, 12, 8]) as wp:
        for p in parts or []:
            wp.row([p["issuer"], p["region"], p["year"], *(STATUS.get(p.get(k, ""), p.get(k, "")) for k, _ in PART_COLS),
                    None if p["score"] is None else round(p["score"], 1)])
    book.close()


def row_count(table: Table) -> int:
    """The steps :func:`write_xlsx` reports to ``progress``: two per report (figures, then details)."""
    return 2 * len(table.rows)
