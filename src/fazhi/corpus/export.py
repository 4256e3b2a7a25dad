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
from pathlib import Path
from typing import Any

from fazhi.corpus.compare import RANK_ORDER, Table, rank_scope
from fazhi.exports import csv_row, xlsx_cell, xlsx_row
from fazhi.units.identity import LEVEL_LABEL

PART_COLS = [("achievements", "举措和成效"), ("shortcomings", "不足和原因"),
             ("first_responsible", "第一责任人履职"), ("next_year_plan", "下一年度安排")]
STATUS = {"dedicated": "单列", "embedded": "散见", "missing": "缺失"}
SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


def _head(col: Any) -> str:
    return f"{col.name}（{col.unit}）" if col.unit else col.name


def write_csv(table: Table, path: Path | str, *, long: bool = False) -> int:
    """Write the wide table (or, with ``long``, one line per value); return the line count.

    UTF-8 with BOM, so spreadsheet programs open the Chinese text correctly.
    """
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
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
            return n
        w.writerow(csv_row(["单位", "级别", "地区", "年度", *(_head(c) for c in table.columns)]))
        for r in table.rows:
            cells = []
            for col in table.columns:
                c = r.cells.get(col.id)
                cells.append("" if c is None else (f"约{_num(c.value)}" if c.approx else _num(c.value)))
            w.writerow(csv_row([r.issuer, LEVEL_LABEL.get(r.level or "", r.level or ""), r.region, r.year or "",
                                *cells]))
        return len(table.rows)


def _num(v: float) -> Any:
    return int(v) if float(v).is_integer() else v


def write_xlsx(table: Table, path: Path | str, *, findings: list[dict[str, Any]] | None = None,
               parts: list[dict[str, Any]] | None = None) -> None:
    """Write the formatted workbook."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="8B1A1A")
    wrap = Alignment(wrap_text=True, vertical="top")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def header(ws: Any, names: list[str], widths: list[int]) -> None:
        xlsx_row(ws, names)
        for i, w in enumerate(widths, 1):
            cell = ws.cell(row=1, column=i)
            cell.font, cell.fill, cell.alignment = head_font, head_fill, center
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.row_dimensions[1].height = 42
        ws.freeze_panes = "B2" if ws.title == "指标数据" else "A2"
        ws.auto_filter.ref = ws.dimensions

    wb = Workbook()
    ws = wb.active
    ws.title = "指标数据"
    fixed = ["单位", "级别", "地区", "年度"]
    header(ws, fixed + [_head(c) for c in table.columns], [26, 8, 22, 8] + [14] * len(table.columns))
    ws.freeze_panes = "E2"
    for i, r in enumerate(table.rows, 2):
        xlsx_cell(ws, i, 1, r.issuer)
        xlsx_cell(ws, i, 2, LEVEL_LABEL.get(r.level or "", r.level))
        xlsx_cell(ws, i, 3, r.region)
        xlsx_cell(ws, i, 4, r.year)
        for j, col in enumerate(table.columns, 5):
            c = r.cells.get(col.id)
            if c is None:
                continue
            cell = xlsx_cell(ws, i, j, _num(c.value))
            pct = c.unit == "%"
            base = "0.0#" if pct or not float(c.value).is_integer() else "#,##0"
            cell.number_format = f'"约"{base}' if c.approx else base
            note = c.text
            if len(c.values) > 1:
                note += f"\n（本报告该指标共 {len(c.values)} 个数：{'、'.join(str(_num(v)) for v in c.values)}）"
            if c.delta is not None:
                note += f"\n较{c.prev_year}年：{'+' if c.delta >= 0 else ''}{_num(round(c.delta, 4))}"
            cell.comment = Comment(note, "fazhi", width=320, height=120)
    ws.auto_filter.ref = ws.dimensions

    wd = wb.create_sheet("指标明细")
    header(wd, ["单位", "级别", "地区", "年度", "指标", "数值", "计量单位", "约数", "同比变化", "同比变化率",
                "排名", "参与排名", "排名范围", "百分位", "排名方向", "原文（证据）", "报告ID", "起止"],
           [26, 8, 22, 8, 24, 12, 10, 6, 12, 10, 8, 8, 16, 8, 10, 60, 8, 12])
    for r in table.rows:
        for col in table.columns:
            c = r.cells.get(col.id)
            if c is None:
                continue
            xlsx_row(wd, [r.issuer, LEVEL_LABEL.get(r.level or "", r.level), r.region, r.year, col.name,
                          _num(c.value), c.unit, "约" if c.approx else "",
                          None if c.delta is None else _num(round(c.delta, 4)), c.delta_pct, c.rank, c.of,
                          rank_scope(r) if c.rank else None, c.percentile, RANK_ORDER[col.better], c.text,
                          r.report_id, f"{c.start}-{c.end}"])
            row = wd.max_row
            wd.cell(row=row, column=10).number_format = "0.0%"
            wd.cell(row=row, column=14).number_format = "0%"
            wd.cell(row=row, column=16).alignment = wrap
    wd.auto_filter.ref = wd.dimensions

    wf = wb.create_sheet("审查意见")
    header(wf, ["单位", "地区", "年度", "级别", "规则", "意见", "原文（证据）"], [26, 22, 8, 8, 28, 60, 50])
    for f in findings or []:
        xlsx_row(wf, [f["issuer"], f["region"], f["year"], SEVERITY.get(f["severity"], f["severity"]), f["rule"],
                      f["message"], f["evidence"]])
        wf.cell(row=wf.max_row, column=6).alignment = wrap
        wf.cell(row=wf.max_row, column=7).alignment = wrap
    wf.auto_filter.ref = wf.dimensions

    wp = wb.create_sheet("必备内容")
    header(wp, ["单位", "地区", "年度", *(label for _, label in PART_COLS), "得分"],
           [26, 22, 8, 12, 12, 14, 12, 8])
    for p in parts or []:
        xlsx_row(wp, [p["issuer"], p["region"], p["year"], *(STATUS.get(p.get(k, ""), p.get(k, ""))
                                                             for k, _ in PART_COLS),
                      None if p["score"] is None else round(p["score"], 1)])
    wp.auto_filter.ref = wp.dimensions
    wb.save(path)
