"""What a clerk prints and reads: every XLSX export is laid out for A4 (landscape, fit to width, header on every
page, title with the date and the filter, creator fazhi); the compare exports are linear and keep approximate values
numeric; md/html exports show the Chinese message, not the rule code, and the HTML prints the whole text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fazhi.corpus.compare import Cell, Column, Row, Table
from fazhi.corpus.export import write_csv, write_xlsx
from fazhi.exports import StreamBook, XCell, sheet_end, sheet_start, stamp, workbook
from fazhi.review import render
from fazhi.review.pipeline import Reviewer

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "fazhi" / "examples"


def _table(n: int) -> Table:
    cols = [Column("study_sessions", "集中学法次数", True, "学法", "次"),
            Column("legal_aid_cases", "法律援助案件", True, "法律服务", "件")]
    rows = []
    for i in range(n):
        r = Row(report_id=i + 1, sha256=f"{i:064x}", year=2023, issuer_id=i + 1, issuer=f"第{i}区人民政府",
                level="county", region="某省某市", code=None)
        r.cells["study_sessions"] = Cell(value=4 + i % 3, unit="次", approx=False, text=f"集中学法{4 + i % 3}次",
                                         start=10, end=16, fact_id=2 * i, values=[4 + i % 3])
        r.cells["legal_aid_cases"] = Cell(value=170.0, unit="件", approx=True, text="法律援助案件170余件",
                                          start=20, end=30, fact_id=2 * i + 1, values=[170.0])
        rows.append(r)
    return Table(rows=rows, columns=cols)


FINDINGS = [{"issuer": "第0区人民政府", "region": "某省某市", "year": 2023, "severity": "warning",
             "rule": "R-shortcomings-vague", "message": "不足和原因写得笼统", "evidence": "=HYPERLINK(\"x\")"}]
PARTS = [{"issuer": "第0区人民政府", "region": "某省某市", "year": 2023, "achievements": "dedicated",
          "shortcomings": "embedded", "first_responsible": "missing", "next_year_plan": "dedicated", "score": 71.25}]


def _page_setup_ok(ws: Any, header_row: int) -> None:
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == "9"  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows.endswith(f"${header_row}")  # the header repeats on every printed page


def test_compare_workbook_is_laid_out_for_print(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    write_xlsx(_table(3), path, findings=FINDINGS, parts=PARTS, filter_text="地区=某省某市；年度=2023",
               today=dt.date(2024, 3, 1))
    wb = openpyxl.load_workbook(path)
    assert wb.properties.creator == "fazhi"
    assert wb.sheetnames == ["指标数据", "指标明细", "审查意见", "必备内容"]
    for ws in wb.worksheets:
        _page_setup_ok(ws, 1)
        printed = ws.oddHeader.center.text
        assert "2024-03-01" in printed and "地区=某省某市；年度=2023" in printed
        assert ws.auto_filter.ref.startswith("A1:")
    data = wb["指标数据"]
    assert data.freeze_panes == "E2"
    assert data.cell(2, 5).value == 4 and data.cell(2, 5).comment.text.startswith("集中学法4次")
    aid = data.cell(2, 6)
    assert aid.value == 170 and aid.number_format.startswith('"约"')  # approximate, and still a number
    findings = wb["审查意见"]
    heads = [c.value for c in findings[1]]
    assert "严重程度" in heads and "级别" not in heads  # 级别 is the report's level only
    assert "R-shortcomings-vague" not in {c.value for row in findings.iter_rows() for c in row}  # no rule code
    evidence = findings.cell(2, heads.index("原文（证据）") + 1)
    assert evidence.value == "=HYPERLINK(\"x\")" and evidence.data_type == "s" and evidence.quotePrefix
    assert wb["必备内容"].cell(2, 8).value == 71.2 or wb["必备内容"].cell(2, 8).value == 71.3


def test_compare_workbook_time_per_report_does_not_grow(tmp_path: Path) -> None:
    """Linear, not quadratic: the file of 20× the reports holds 20× the rows (checked by counting what is written,
    not by timing), and the writer never asks a sheet its size."""
    calls: list[int] = []
    write_xlsx(_table(2000), tmp_path / "big.xlsx", progress=calls.append)
    assert sum(calls) == 2 * 2000
    with zipfile.ZipFile(tmp_path / "big.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet2.xml")
    assert sheet.count(b"<row ") == 1 + 2 * 2000  # header + a line per value


def test_wide_csv_keeps_approximate_values_numeric(tmp_path: Path) -> None:
    out = io.StringIO(newline="")
    write_csv(_table(2), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    first = rows[0]
    assert first["法律援助案件（件）"] == "170"  # a number a spreadsheet sums …
    assert first["约数指标"] == "法律援助案件"  # … and which values are approximate, beside it
    assert first["集中学法次数（次）"] == "4" and "集中学法次数" not in first["约数指标"]


def test_supervision_style_sheet_has_a_title_row_and_the_same_page_setup() -> None:
    book = workbook(title="某某考核结果")
    ws = book.active
    line = stamp("县级政府", today=dt.date(2025, 1, 2))
    head = sheet_start(ws, ["单位", "得分"], [20, 8], title="某某考核结果汇总表", stamp_line=line)
    ws.append(["某县", 90])
    sheet_end(ws, head, 2, 1)
    out = io.BytesIO()
    book.save(out)
    got = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    ws = got.active
    assert got.properties.creator == "fazhi"
    assert ws["A1"].value == "某某考核结果汇总表" and "2025-01-02" in ws["A2"].value and "县级政府" in ws["A2"].value
    assert [c.value for c in ws[3]] == ["单位", "得分"] and ws["B4"].value == 90
    _page_setup_ok(ws, 3)


def test_stream_book_cells(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    book = StreamBook(path, title="t")
    with book.sheet("表", ["文字", "数", "百分比"], [10, 10, 10]) as ws:
        ws.row(["-2+3+cmd|' /C calc'!A0", -12, XCell(0.25, "pct1")])
        ws.row(["a < b & c", None, 1.5])
    book.close()
    ws = openpyxl.load_workbook(path)["表"]
    assert ws["A2"].value == "-2+3+cmd|' /C calc'!A0" and ws["A2"].quotePrefix and ws["A2"].data_type == "s"
    assert ws["B2"].value == -12 and ws["C2"].value == 0.25 and ws["C2"].number_format == "0.0%"
    assert ws["A3"].value == "a < b & c" and ws["B3"].value is None and ws["C3"].value == 1.5


@pytest.fixture(scope="module")
def review() -> Any:
    return Reviewer().review_path(EXAMPLES / "hubei_city_2016.txt")


def test_markdown_and_html_show_messages_not_rule_codes(review: Any) -> None:
    assert review.findings, "the example has findings"
    md = render.markdown(review)
    page = render.html(review)
    for f in review.findings:
        assert f.message.split("\n")[0][:10] in md
        assert f"`{f.rule}`" not in md
        assert f"<code>{f.rule}</code>" not in page
        assert f'title="规则：{f.rule}"' in page  # the code stays reachable as a tooltip


def test_html_export_prints_the_whole_text(review: Any) -> None:
    page = render.html(review)
    css = page.split("@media print", 1)[1].split("</style>", 1)[0]
    assert ".text{max-height:none;overflow:visible" in css.replace(" ", "")
    assert "@page{size:A4" in page.replace(" ", "")
    assert "break-inside:avoid" in css
