"""sheets.read_table: tables as offices keep them, and files that are not tables at all."""

from __future__ import annotations

import random
from datetime import date

import pytest

from fazhi.supervision.sheets import SheetError, field_spec, read_table, safe_cell
from tests.supervision.builders import Text, csv_bytes, docx_table, with_cached, xlsx, zip_bomb

TASKS = field_spec("tasks")
HEADER = ["序号", "工作任务", "牵头单位", "配合单位", "完成时限", "备注"]


# ----------------------------------------------------------------- layouts


def test_title_merged_across_and_header_below_it() -> None:
    rows = [["安吉县2025年法治政府建设重点任务分工表"], [], HEADER,
            [1, "修订规范性文件制定程序规定", "县司法局", "县政府办", "6月底前", None]]
    table = read_table(xlsx(rows, ["A1:F1"]), "分工表.xlsx", TASKS)
    assert table.header_row == 3
    assert table.columns["title"].letter == "B" and table.columns["title"].header == "工作任务"
    assert table.columns["due"].letter == "E"
    [row] = table.rows
    assert row.number == 4
    assert row.values["title"] == "修订规范性文件制定程序规定"
    assert row.values["seq"] == 1 and row.values["due"] == "6月底前" and row.values["notes"] is None


def test_header_in_row_seven_below_a_preamble() -> None:
    rows = [["郫都区2025年度依法治区工作要点分工方案"], [], ["填报单位：区委依法治区办"], ["联系人：", "电话："],
            [], ["说明：本表由各单位对照填写"], HEADER, [1, "开展行政执法案卷评查", "区司法局", None, "10月底前"]]
    table = read_table(xlsx(rows), "x.xlsx", TASKS)
    assert table.header_row == 7
    assert [r.number for r in table.rows] == [8]
    assert table.notes == ()


def test_two_row_header_with_merged_indicator_over_three_levels() -> None:
    rows = [["序号", "指标", None, None, "工作任务", "牵头单位", "完成时限"],
            [None, "一级指标", "二级指标", "三级指标", None, None, None],
            [1, "一、政府职能依法全面履行", "1.加大简政放权力度", "（1）推行网上办", "推进政务服务网上可办", "县政务服务中心", "9月底前"]]
    merges = ["B1:D1", "A1:A2", "E1:E2", "F1:F2", "G1:G2"]
    table = read_table(xlsx(rows, merges), "x.xlsx", TASKS)
    assert (table.header_row, table.header_rows) == (1, 2)
    assert {f: c.letter for f, c in table.columns.items()} == {
        "seq": "A", "level1": "B", "level2": "C", "level3": "D", "title": "E", "lead": "F", "due": "G"}
    [row] = table.rows
    assert row.number == 3 and row.values["level3"] == "（1）推行网上办"


def test_two_row_header_without_vertical_merges() -> None:
    rows = [["工作任务", "责任单位", None, "完成时限"],
            [None, "牵头单位", "配合单位", None],
            ["建立行政执法监督员制度", "县司法局", "县公安局", "年底前"]]
    table = read_table(xlsx(rows, ["B1:C1"]), "x.xlsx", TASKS)
    assert table.header_rows == 2
    assert table.columns["lead"].letter == "B" and table.columns["co"].letter == "C"
    assert table.rows[0].values["co"] == "县公安局"


def test_columns_in_any_order_and_an_unknown_column_is_reported() -> None:
    rows = [["完成时限", "责任领导", "配合单位", "牵头单位", "工作任务"],
            ["2025年9月", "王某某", "市公安局", "市司法局", "推进公共法律服务平台建设"]]
    table = read_table(xlsx(rows), "x.xlsx", TASKS)
    row = table.rows[0]
    assert row.values == {"due": "2025年9月", "co": "市公安局", "lead": "市司法局", "title": "推进公共法律服务平台建设"}
    assert [(c.letter, c.header) for c in table.ignored] == [("B", "责任领导")]
    assert "责任领导（B列）" in table.summary()


def test_header_cells_with_remarks_and_line_breaks() -> None:
    rows = [["序 号", "工作任务\n（具体措施）", "牵头单位\n（部门）", "完成时限（时间节点）"],
            [1, "完善行政复议工作机制", "县司法局", "11月底前"]]
    table = read_table(xlsx(rows), "x.xlsx", TASKS)
    assert set(table.columns) == {"seq", "title", "lead", "due"}
    assert table.columns["lead"].header == "牵头单位\n（部门）"


@pytest.mark.parametrize(("headers", "lead", "co"), [
    (["工作任务", "牵头单位", "责任单位"], "B", "C"),  # 责任单位 beside 牵头单位: the co-units
    (["工作任务", "责任单位", "配合单位"], "B", "C"),  # 责任单位 beside 配合单位: the lead
    (["工作任务", "责任单位"], "B", None),
])
def test_responsible_unit_column_is_lead_or_co_by_its_neighbours(headers: list[str], lead: str,
                                                                   co: str | None) -> None:
    table = read_table(xlsx([headers, ["任务", "甲", "乙"][: len(headers)]]), "x.xlsx", TASKS)
    assert table.columns["lead"].letter == lead
    assert (table.columns["co"].letter if "co" in table.columns else None) == co


def test_merged_cells_fill_their_range_and_blank_rows_are_skipped() -> None:
    tasks = [["四、严格规范公正文明执法" if i == 1 else None, f"任务{i}", "县司法局"] for i in range(1, 41)]
    rows = [["一级指标", "工作任务", "牵头单位"], *tasks[:10], [None, None, None], *tasks[10:]]
    table = read_table(xlsx(rows, ["A2:A42"]), "x.xlsx", TASKS)
    assert [r.number for r in table.rows] == [*range(2, 12), *range(13, 43)]
    assert {r.values["level1"] for r in table.rows} == {"四、严格规范公正文明执法"}


def test_notes_below_the_table_end_it() -> None:
    rows = [HEADER, [1, "任务甲", "区司法局", None, "6月底前"], [], [2, "任务乙", "区财政局", None, "年底前"], [],
            ["注：1.牵头单位对任务负总责。"], ["2.每季度末报送进展。"]]
    table = read_table(xlsx(rows), "x.xlsx", TASKS)
    assert [r.number for r in table.rows] == [2, 4]
    assert table.notes == ("注：1.牵头单位对任务负总责。", "2.每季度末报送进展。")


def test_a_full_width_merged_row_at_the_end_is_a_note_and_in_the_middle_a_section() -> None:
    rows = [HEADER,
            ["一、依法全面履行政府职能"],
            [1, "任务甲", "区司法局"],
            ["二、健全依法行政制度体系"],
            [2, "任务乙", "区财政局"],
            ["各单位请于每月5日前报送上月进展情况"]]
    table = read_table(xlsx(rows, ["A2:F2", "A4:F4", "A6:F6"]), "x.xlsx", TASKS)
    assert [(r.number, r.section) for r in table.rows] == [(3, "一、依法全面履行政府职能"), (5, "二、健全依法行政制度体系")]
    assert table.notes == ("各单位请于每月5日前报送上月进展情况",)


def test_a_repeated_header_row_is_skipped() -> None:
    rows = [HEADER, [1, "任务甲", "县司法局"], HEADER, [2, "任务乙", "县财政局"]]
    table = read_table(xlsx(rows), "x.xlsx", TASKS)
    assert [r.number for r in table.rows] == [2, 4]


def test_a_row_numbering_the_columns_under_the_header_is_skipped() -> None:
    rows = [HEADER, [1, 2, 3, 4, 5, 6], [1, "任务甲", "县司法局", None, "6月底前"]]
    assert [r.number for r in read_table(xlsx(rows), "x.xlsx", TASKS).rows] == [3]
    rows = [HEADER, ["（1）", "（2）", "（3）", "（4）", "（5）", "（6）"], [1, "任务甲", "县司法局"]]
    assert [r.number for r in read_table(xlsx(rows), "x.xlsx", TASKS).rows] == [3]


def test_excel_dates_stay_dates() -> None:
    from datetime import datetime
    table = read_table(xlsx([HEADER, [1, "任务", "县司法局", None, datetime(2025, 6, 30)]]), "x.xlsx", TASKS)
    assert table.rows[0].values["due"] == date(2025, 6, 30)


# ----------------------------------------------------------------- formulas and formula-like text


def test_formula_with_cached_value_reads_the_value() -> None:
    data = with_cached(xlsx([HEADER, ["=ROW()-1", "任务甲", "县司法局"]]), {"A2": "1"})
    assert read_table(data, "x.xlsx", TASKS).rows[0].values["seq"] == 1


def test_formula_without_cached_value_makes_its_row_unread() -> None:
    rows = [HEADER, [1, "任务甲", "县司法局", None, "6月底前"], [2, "任务乙", "县司法局", None, '=TEXT(DATE(2025,9,30),"m月d日")']]
    table = read_table(xlsx(rows), "x.xlsx", TASKS)
    assert [r.number for r in table.rows] == [2]
    assert [str(p) for p in table.problems] == ["第3行：单元格 E3 是公式且没有计算结果"]


def test_formula_with_an_error_result_makes_its_row_unread() -> None:
    data = with_cached(xlsx([HEADER, [1, "任务甲", "=Sheet2!A1"]]), {"C2": "#REF!"}, error=True)
    table = read_table(data, "x.xlsx", TASKS)
    assert table.rows == ()
    assert "#REF!" in table.problems[0].reason


def test_a_formula_in_an_ignored_column_does_not_matter() -> None:
    table = read_table(xlsx([["工作任务", "牵头单位", "合计"], ["任务", "县司法局", "=1+1"]]), "x.xlsx", TASKS)
    assert len(table.rows) == 1 and table.problems == ()


def test_text_that_looks_like_a_formula_is_data() -> None:
    rows = [HEADER, [1, Text("=HYPERLINK(\"http://example.invalid\")"), "县司法局", None, Text("-")]]
    table = read_table(xlsx(rows), "x.xlsx", TASKS)
    assert table.rows[0].values["title"] == '=HYPERLINK("http://example.invalid")'
    csv_table = read_table(csv_bytes([["工作任务", "牵头单位"], ["=1+2", "@县司法局"]]), "x.csv", TASKS)
    assert csv_table.rows[0].values == {"title": "=1+2", "lead": "@县司法局"}


@pytest.mark.parametrize(("value", "safe"), [
    ("=1+2", "'=1+2"), ("+86", "'+86"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("县司法局", "县司法局"), ("", ""), (5, 5), (-5.5, -5.5), (date(2025, 6, 30), date(2025, 6, 30)), (None, None),
])
def test_safe_cell_neutralises_formula_text_and_keeps_numbers(value: object, safe: object) -> None:
    assert safe_cell(value) == safe


def test_safe_cell_text_reads_back_as_written() -> None:
    rows = [["工作任务", "牵头单位"], [safe_cell("=1+2"), "县司法局"]]
    assert read_table(csv_bytes(rows), "x.csv", TASKS).rows[0].values["title"] == "=1+2"


# ----------------------------------------------------------------- several sheets, no header


def test_the_sheet_with_a_header_is_chosen_or_the_one_named() -> None:
    data = xlsx([["填表说明"], ["请按要求填写"]], title="说明",
                sheets=[("分工表", [HEADER, [1, "任务甲", "县司法局"]], ()),
                        ("上年分工表", [HEADER, [1, "旧任务", "县财政局"]], ())])
    assert read_table(data, "x.xlsx", TASKS).sheet == "分工表"
    assert read_table(data, "x.xlsx", TASKS, sheet="上年分工表").rows[0].values["title"] == "旧任务"
    with pytest.raises(SheetError, match=r"找不到名为“2024”的工作表.*说明、分工表、上年分工表"):
        read_table(data, "x.xlsx", TASKS, sheet="2024")


def test_no_recognisable_header_names_the_expected_columns() -> None:
    data = xlsx([["单位", "金额"], ["县司法局", 12]])
    with pytest.raises(SheetError) as info:
        read_table(data, "x.xlsx", TASKS)
    message = str(info.value)
    assert "找不到责任分工表的表头" in message
    assert "工作任务" in message and "牵头单位" in message and "完成时限" in message


def test_a_header_beyond_the_first_thirty_rows_is_not_searched() -> None:
    rows = [[f"第{i}行说明"] for i in range(1, 32)] + [HEADER, [1, "任务", "县司法局"]]
    with pytest.raises(SheetError):
        read_table(xlsx(rows), "x.xlsx", TASKS)


# ----------------------------------------------------------------- docx and csv


def test_docx_table_with_vertically_merged_cells() -> None:
    rows = [["序号", "一级指标", "工作任务", "牵头单位", "完成时限"],
            ["1", "一、依法全面履行政府职能", "编制权责清单", "县委编办", "3月底前"],
            ["2", None, "清理证明事项", "县司法局", "6月底前"],
            ["3", None, "推行告知承诺制", "县司法局", "9月底前"],
            ["注：本表由县委依法治县办负责解释。", None, None, None, None]]
    data = docx_table(rows, vertical=[(1, 1, 3)], horizontal=[(4, 0, 4)], before="宁安市2025年法治建设任务分工")
    table = read_table(data, "分工.docx", TASKS)
    assert (table.format, table.sheet, table.header_row) == ("docx", "表格1", 1)
    assert [r.values["level1"] for r in table.rows] == ["一、依法全面履行政府职能"] * 3
    assert [r.values["title"] for r in table.rows] == ["编制权责清单", "清理证明事项", "推行告知承诺制"]
    assert table.notes == ("注：本表由县委依法治县办负责解释。",)


def test_gb18030_csv() -> None:
    rows = [["序号", "工作任务", "牵头单位", "完成时限"], ["1", "推进乡镇（街道）法治化综合改革", "县司法局", "2025年12月"]]
    table = read_table(csv_bytes(rows, "gb18030"), "分工表.csv", TASKS)
    assert table.format == "csv"
    assert table.rows[0].values["title"] == "推进乡镇（街道）法治化综合改革"


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8-sig", ","), ("utf-8", ","), ("utf-16", "\t")])
def test_csv_encodings_and_delimiters(encoding: str, delimiter: str) -> None:
    rows = [["工作任务", "牵头单位"], ["开展“八五”普法中期评估", "香洲区司法局"]]
    table = read_table(csv_bytes(rows, encoding, delimiter), "x.csv", TASKS)
    assert table.rows[0].values == {"title": "开展“八五”普法中期评估", "lead": "香洲区司法局"}


# ----------------------------------------------------------------- refusals


def test_zip_bomb_is_refused_before_it_is_opened() -> None:
    bomb = zip_bomb(30)
    assert len(bomb) < 200_000
    with pytest.raises(SheetError, match=r"压缩比异常.*恶意构造"):
        read_table(bomb, "分工表.xlsx", TASKS)


def test_total_uncompressed_size_is_limited() -> None:
    data = xlsx([HEADER, [1, "任务", "县司法局"]])
    with pytest.raises(SheetError, match=r"解压后.*上限"):
        read_table(data, "x.xlsx", TASKS, max_unzipped=2000)


def test_file_over_the_size_limit() -> None:
    with pytest.raises(SheetError, match="文件太大"):
        read_table(csv_bytes([["工作任务", "牵头单位"]] * 100), "x.csv", TASKS, max_bytes=1000)


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


@pytest.mark.parametrize(("data", "name", "expected"), [
    (OLE + "Workbook".encode("utf-16-le") + b"\0" * 512, "分工表.xlsx", "旧版 Excel（.xls）.*另存为 .xlsx"),
    (OLE + b"\0" * 512, "分工表.et", "WPS 表格（.et）"),
    (OLE + "WordDocument".encode("utf-16-le"), "分工表.docx", r"旧版 Word（\.doc）"),
    (OLE + "EncryptedPackage".encode("utf-16-le"), "分工表.xlsx", "设置了打开密码"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "分工表.xlsx", "PDF"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "分工表.xlsx", "图片文件（PNG）"),
    (b"\xff\xd8\xff\xe0" + b"\0" * 64, "扫描件.csv", "图片文件（JPEG）"),
    ("<html><body><table><tr><td>工作任务</td></tr></table></body></html>".encode(), "导出.xls", "网页（HTML）"),
    (b"", "x.xlsx", "文件是空的"),
])
def test_files_that_are_not_tables_are_refused_with_a_reason(data: bytes, name: str, expected: str) -> None:
    with pytest.raises(SheetError, match=expected):
        read_table(data, name, TASKS)


def test_random_bytes_are_refused() -> None:
    noise = random.Random(7).randbytes(4096)
    with pytest.raises(SheetError, match="无法识别的文件格式"):
        read_table(noise, "分工表.xlsx", TASKS)


def test_a_zip_that_is_no_office_file() -> None:
    import io
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("分工表.xlsx", b"PK")
    with pytest.raises(SheetError, match="zip 压缩包"):
        read_table(out.getvalue(), "分工表.xlsx", TASKS)


def test_a_renamed_csv_is_read_as_csv() -> None:
    data = csv_bytes([["工作任务", "牵头单位"], ["任务", "县司法局"]], "gb18030")
    table = read_table(data, "分工表.xlsx", TASKS)
    assert table.format == "csv" and len(table.rows) == 1


def test_a_docx_read_under_an_xlsx_name() -> None:
    data = docx_table([["工作任务", "牵头单位"], ["任务", "县司法局"]])
    assert read_table(data, "分工表.xlsx", TASKS).format == "docx"


def test_a_word_file_without_a_table() -> None:
    import io

    import docx
    document = docx.Document()
    document.add_paragraph("各单位：请按分工抓好落实。")
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(SheetError, match="没有表格"):
        read_table(out.getvalue(), "通知.docx", TASKS)
