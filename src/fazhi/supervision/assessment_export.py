"""The campaign's results as the xlsx offices circulate (考核结果汇总表), ready to print.

Two sheets: 考核结果 (one row per unit: scores, rank among comparable units and the sentence that
says among whom, change on last year, the main deductions and why) and 逐项得分 (one row per unit and
item: points, self score, suggestion, scorer's and final score, the reason).  Each sheet has a title
row, a row with the export date and the scope, the header repeated on every printed page (print
titles), landscape A4 fitted to the page width; the workbook's creator is "fazhi".  Every text cell
goes through :func:`sheets.safe_cell` (a unit name or a reason starting with "=" stays text); numbers
stay numbers.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from fazhi import config
from fazhi.exports import sheet_end, sheet_start, workbook
from fazhi.supervision import assessment_results as R
from fazhi.supervision.access import Actor
from fazhi.supervision.assessment import campaign_row
from fazhi.supervision.rules import fmt
from fazhi.supervision.sheets import safe_cell

SUMMARY = ("序号", "单位名称", "单位类型", "自评分", "考评分", "最终得分", "满分", "同类排名", "排名说明", "与上年比较",
           "主要扣分原因", "考核状态")
SUMMARY_WIDTHS = (6, 24, 12, 9, 9, 9, 7, 9, 30, 16, 60, 12)
ITEMS = ("单位名称", "考评项目", "序号", "考评内容", "分值", "自评分", "建议分", "考评分", "最终得分", "得分说明")
ITEM_WIDTHS = (22, 16, 7, 36, 7, 8, 8, 8, 9, 60)
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CELL = "fazhi 表格"  # one named style for every data cell (setting border and alignment per cell is slow)
_MAX_DEDUCTIONS = 3


def export_xlsx(session: Session, actor: Actor, campaign_id: int, *, group: str | None = None,
                today: dt.date | None = None) -> bytes:
    """The results workbook of a campaign (the units the actor may see; only one comparable group
    when ``group`` names it, e.g. 县级政府)."""
    campaign = campaign_row(session, campaign_id)
    found = R.results(session, actor, campaign_id)
    if group:
        found = [r for r in found if r.group == group]
    scope = f"{group}（{len(found)} 个）" if group else f"全部被考核单位（{len(found)} 个）"
    stamp = f"导出日期：{(today or config.today()).isoformat()}　　范围：{scope}"
    book = workbook(title=f"{campaign.name}结果")
    book.add_named_style(NamedStyle(_CELL, border=_BOX, alignment=Alignment(vertical="top", wrap_text=True)))
    first = book.active
    assert first is not None
    first.title = "考核结果"
    _sheet(first, f"{campaign.name}结果汇总表", stamp, SUMMARY, SUMMARY_WIDTHS, [_summary_row(n, r) for n, r in
                                                                            enumerate(found, 1)])
    _sheet(book.create_sheet("逐项得分"), f"{campaign.name}逐项得分表", stamp, ITEMS, ITEM_WIDTHS,
           [_item_row(r, i) for r in found for i in r.items])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _summary_row(n: int, r: R.UnitResult) -> list[Any]:
    lost = [f"第{i.ref}项扣{fmt(i.lost)}分：{i.reason or '未写明原因'}" for i in r.deductions[:_MAX_DEDUCTIONS]]
    more = len(r.deductions) - _MAX_DEDUCTIONS
    if more > 0:
        lost.append(f"另有{more}项扣分，见逐项得分表")
    return [n, r.unit["name"], r.group, r.self, r.reviewed, r.final, r.max, r.rank, r.rank_among,
            r.previous.change if r.previous else "", "\n".join(lost) or "无扣分", r.status_label]


def _item_row(r: R.UnitResult, i: R.ItemResult) -> list[Any]:
    return [r.unit["name"], i.block or "", i.ref, i.indicator, i.points, i.self_score, i.suggested_score,
            i.scorer_score, i.final_score, i.reason or ""]


def _sheet(ws: Worksheet, title: str, stamp: str, header: Sequence[str], widths: Sequence[int],
           rows: Sequence[Sequence[Any]]) -> None:
    """Title, date and scope, header and rows, borders, widths, print setup (:func:`fazhi.exports.sheet_start`)."""
    head = sheet_start(ws, header, widths, title=safe_cell(title), stamp_line=safe_cell(stamp),
                       header_style={"font": Font(bold=True), "border": _BOX, "alignment": Alignment(
                           horizontal="center", vertical="center", wrap_text=True)})
    for r, row in enumerate(rows, head + 1):
        for c, value in enumerate(row, 1):
            ws.cell(r, c, safe_cell(value)).style = _CELL
    sheet_end(ws, head, len(header), len(rows))


__all__ = ["ITEMS", "SUMMARY", "export_xlsx"]
