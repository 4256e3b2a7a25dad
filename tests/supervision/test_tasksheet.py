"""tasksheet.parse_tasks: 责任分工表 as offices send them, read into tasks with units, indicators and deadlines."""

from __future__ import annotations

import time
from datetime import date, datetime

from fazhi.supervision.sheets import SheetTable, field_spec, read_table
from fazhi.supervision.tasksheet import TaskSheet, parse_tasks
from tests.supervision.builders import csv_bytes, docx_table, xlsx

TASKS = field_spec("tasks")
QUARTER_ENDS = (date(2025, 3, 31), date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31))

OFFICE_FORM = [
    ["永宁县2025年法治政府建设重点任务责任分工表"],
    [],
    ["序号", "一级指标", "二级指标", "工作任务", "牵头单位", "配合单位", "完成时限", "责任领导", "备注"],
    [1, "一、政府职能依法全面履行", "1.加大简政放权力度", "全面推行政务服务“一网通办”", "县政务服务中心",
     "县直各有关单位、各乡镇（街道）", "2025年6月底前", "张某某"],
    [2, None, None, "清理规范行政审批中介服务事项", "县政务服务中心（牵头）、县发改局", "县市场监管局，县司法局", "9月30日前"],
    [3, None, None, "落实证明事项告知承诺制", "县司法局", "各有关部门", "每季度末"],
    [4, None, "2.加强事中事后监管", "开展“双随机、一公开”联合抽查", "县市场监管局", "县直各部门\n各镇人民政府", "长期坚持"],
    [5, None, None, "推进信用分级分类监管", "县发改委", "县市场监管局/县税务局", "视情况", None, "根据上级部署调整"],
    [],
    [6, "二、依法行政制度体系完善", "3.加强规范性文件监督管理", "开展规范性文件清理", "县司法局", "县政府办", "十二月三十一日前"],
    [7, None, None, None, "县司法局", None, "年底前"],
    [8, None, None, "建立规范性文件备案审查衔接机制", None, "县人大常委会办公室", "次年3月底前"],
    ["注：1.各牵头单位于每季度末向县委依法治县办报送进展。"],
    ["2.本表由县委依法治县办负责解释。"],
]
OFFICE_MERGES = ["A1:I1", "B4:B8", "C4:C6", "C7:C8", "B10:B12", "C10:C12", "A13:I13"]


def parse(table: SheetTable, organiser: str = "永宁县", level: str = "county") -> TaskSheet:
    return parse_tasks(table, 2025, organiser, level)


def office_sheet() -> TaskSheet:
    return parse(read_table(xlsx(OFFICE_FORM, OFFICE_MERGES), "永宁县分工表.xlsx", TASKS))


def test_office_form_reads_every_task_with_its_units_and_deadline() -> None:
    sheet = office_sheet()
    assert [t.source_row for t in sheet.tasks] == [4, 5, 6, 7, 8, 10]
    assert [t.seq for t in sheet.tasks] == ["1", "2", "3", "4", "5", "6"]
    first, second, third, fourth, fifth, sixth = sheet.tasks

    assert first.title == "全面推行政务服务“一网通办”"
    assert (first.indicator_ref, first.indicator_name) == ("一/1", "加大简政放权力度")
    assert first.indicator_path == ("一、政府职能依法全面履行", "1.加大简政放权力度")
    assert [(u.name, u.kind) for u in first.lead] == [("永宁县政务服务中心", "unit")]
    assert [(u.name, u.kind) for u in first.co] == [("县直各有关单位", "group"), ("各乡镇（街道）", "group")]
    assert (first.due.due, first.due_text) == (date(2025, 6, 30), "2025年6月底前")

    assert [u.name for u in second.lead] == ["永宁县政务服务中心", "永宁县发展和改革局"]
    assert second.lead[0].written == "县政务服务中心（牵头）"
    assert [u.name for u in second.co] == ["永宁县市场监督管理局", "永宁县司法局"]
    assert second.due.due == date(2025, 9, 30)

    assert (third.due.periodic, third.due.milestones, third.due.due) == ("quarterly", QUARTER_ENDS, date(2025, 12, 31))
    assert [(u.name, u.kind) for u in third.co] == [("各有关部门", "group")]

    assert (fourth.indicator_ref, fourth.indicator_name) == ("一/2", "加强事中事后监管")
    assert (fourth.due.due, fourth.due.ongoing, fourth.due.recognised) == (None, True, True)
    assert [u.name for u in fourth.co] == ["县直各部门", "各镇人民政府"]

    assert [u.name for u in fifth.lead] == ["永宁县发展和改革委员会"]
    assert [u.name for u in fifth.co] == ["永宁县市场监督管理局", "永宁县税务局"]
    assert (fifth.due.due, fifth.due.recognised, fifth.due_text) == (None, False, "视情况")
    assert fifth.notes == "根据上级部署调整"

    assert (sixth.indicator_ref, sixth.indicator_name) == ("二/3", "加强规范性文件监督管理")
    assert [u.name for u in sixth.co] == ["永宁县人民政府办公室"]
    assert sixth.due.due == date(2025, 12, 31)


def test_office_form_names_the_rows_not_imported_and_warns_about_the_deadline() -> None:
    sheet = office_sheet()
    assert [str(p) for p in sheet.problems] == ["第11行：没有工作任务内容", "第12行：没有牵头单位"]
    assert [w.row for w in sheet.warnings] == [8]
    assert "视情况" in sheet.warnings[0].reason and "任务已导入" in sheet.warnings[0].reason
    assert sheet.table.notes == ("注：1.各牵头单位于每季度末向县委依法治县办报送进展。", "2.本表由县委依法治县办负责解释。")
    summary = sheet.summary()
    assert "责任领导（H列）" in summary and "第11行：没有工作任务内容" in summary and "任务 6 项" in summary


def test_shuffled_columns_single_indicator_column_and_filled_down_levels() -> None:
    rows = [
        ["完成时限", "牵头单位", "具体任务", "指标", "协办单位", "预期目标"],
        ["3-6月", "区司法局", "开展行政执法案卷评查", "四、行政执法严格规范公正文明", "区公安分局", "评查案卷不少于200卷"],
        ["2025.11.30", "区司法局", "组织行政执法人员培训", None, None, "培训全覆盖"],
        [datetime(2025, 8, 15), "区财政局", "落实法治建设经费保障", "八、组织领导落实到位", None, None],
    ]
    sheet = parse(read_table(xlsx(rows), "x.xlsx", TASKS), "郫都区")
    assert [(t.indicator_ref, t.indicator_name) for t in sheet.tasks] == [
        ("四", "行政执法严格规范公正文明"), ("四", "行政执法严格规范公正文明"), ("八", "组织领导落实到位")]
    assert [t.due.due for t in sheet.tasks] == [date(2025, 6, 30), date(2025, 11, 30), date(2025, 8, 15)]
    assert sheet.tasks[2].due_text == "2025-08-15"
    assert [u.name for u in sheet.tasks[0].co] == ["郫都区公安分局"]
    assert sheet.tasks[0].target == "评查案卷不少于200卷"
    assert sheet.tasks[1].seq is None


def test_an_indicator_row_sets_the_indicator_of_the_rows_below() -> None:
    rows = [
        ["一级指标", "二级指标", "工作任务", "牵头单位"],
        ["五、突发事件应对依法有力", None, None, None],
        [None, "1.完善应急预案", "修订突发事件总体应急预案", "县应急局"],
        [None, None, "开展应急演练", "县应急局"],
        [None, "2.依法处置突发事件", "规范应急处置程序", "县应急局"],
    ]
    sheet = parse(read_table(xlsx(rows), "x.xlsx", TASKS), "安吉县")
    assert sheet.problems == ()
    assert [(t.source_row, t.indicator_ref) for t in sheet.tasks] == [(3, "五/1"), (4, "五/1"), (5, "五/2")]
    assert sheet.tasks[0].lead[0].name == "安吉县应急管理局"


def test_section_rows_are_the_indicator_when_the_sheet_has_no_indicator_column() -> None:
    rows = [["序号", "工作任务", "牵头单位", "完成时限"],
            ["一、深化法治政府建设"], [1, "编制年度重大行政决策事项目录", "市政府办", "3月底前"],
            ["二、推进严格规范公正文明执法"], [2, "开展执法质效评估", "市司法局", "10月底前"]]
    table = read_table(xlsx(rows, ["A2:D2", "A4:D4"]), "x.xlsx", TASKS)
    sheet = parse(table, "宁安市")
    assert [(t.indicator_ref, t.indicator_name) for t in sheet.tasks] == [
        ("一", "深化法治政府建设"), ("二", "推进严格规范公正文明执法")]
    assert sheet.tasks[0].lead[0].name == "宁安市人民政府办公室"


def test_units_marked_as_co_in_the_lead_cell_and_duplicates() -> None:
    rows = [["工作任务", "牵头单位", "配合单位", "完成时限"],
            ["推进府院联动", "牵头：县司法局；配合：县法院", "县司法局、县检察院", "6月底前"],
            ["推进乡镇法治建设", "各乡镇（街道）", "县司法局", "年底前"]]
    sheet = parse(read_table(xlsx(rows), "x.xlsx", TASKS), "临澧县")
    first, second = sheet.tasks
    assert [u.name for u in first.lead] == ["临澧县司法局"]
    assert [u.name for u in first.co] == ["临澧县人民法院", "临澧县人民检察院"]
    assert [(u.name, u.kind) for u in second.lead] == [("各乡镇（街道）", "group")]
    assert [str(w) for w in sheet.warnings] == ["第3行：牵头单位“各乡镇（街道）”是一类单位，不是一个单位"]


def test_every_deadline_form_through_a_sheet() -> None:
    forms = {
        "2025年6月底前": date(2025, 6, 30), "六月底前": date(2025, 6, 30), "2025年10月": date(2025, 10, 31),
        "年底前": date(2025, 12, 31), "一季度": date(2025, 3, 31), "下半年": date(2025, 12, 31),
        "2025/6/30": date(2025, 6, 30), "次年3月底前": date(2026, 3, 31), "每季度末": date(2025, 12, 31),
        "长期坚持": None,
    }
    rows = [["工作任务", "牵头单位", "完成时限"]] + [[f"任务{i}", "县司法局", text] for i, text in enumerate(forms)]
    sheet = parse(read_table(xlsx(rows), "x.xlsx", TASKS), "和林格尔县")
    assert [t.due.due for t in sheet.tasks] == list(forms.values())
    assert [t.due_text for t in sheet.tasks] == list(forms)
    assert sheet.warnings == ()


def test_deadlines_that_need_a_warning() -> None:
    rows = [["工作任务", "牵头单位", "完成时限"],
            ["甲", "县司法局", "2月30日"], ["乙", "县司法局", None], ["丙", "县司法局", "2023年6月"]]
    sheet = parse(read_table(xlsx(rows), "x.xlsx", TASKS))
    assert len(sheet.tasks) == 3
    assert [str(w) for w in sheet.warnings] == [
        "第2行：完成时限“2月30日”无法识别：“2月30日”不是有效的日期；任务已导入，没有截止日期",
        "第3行：没有填写完成时限，任务已导入，没有截止日期",
        "第4行：完成时限 2023-06-30 早于 2025 年，请核对",
    ]


def test_levels_fill_down_by_position() -> None:
    rows = [["一级指标", "二级指标", "工作任务", "牵头单位", "完成时限"],
            [None, "1.完善依法决策机制", "编制重大行政决策目录", "县政府办", "3月底前"],
            [None, "2.落实合法性审查", "建立合法性审查台账", "县司法局", "6月底前"]]
    sheet = parse(read_table(xlsx(rows), "x.xlsx", TASKS))
    assert [t.indicator_path for t in sheet.tasks] == [("1.完善依法决策机制",), ("2.落实合法性审查",)]


def test_a_sheet_without_a_deadline_column_warns_once() -> None:
    rows = [["工作任务", "牵头单位"], ["甲", "县司法局"], ["乙", "县公安局"]]
    sheet = parse(read_table(xlsx(rows), "x.xlsx", TASKS))
    assert [t.due.due for t in sheet.tasks] == [None, None]
    assert [str(w) for w in sheet.warnings] == ["第1行：表中没有“完成时限”列，任务都没有截止日期"]


def test_docx_and_csv_task_sheets() -> None:
    rows = [["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
            ["1", "开展“法律明白人”培训", "市司法局", "各乡镇", "9月底前"]]
    for data, name in ((docx_table(rows), "分工.docx"), (csv_bytes(rows, "gb18030"), "分工.csv")):
        [task] = parse(read_table(data, name, TASKS), "泸水市").tasks
        assert (task.title, task.lead[0].name, task.co[0].kind, task.due.due) == (
            "开展“法律明白人”培训", "泸水市司法局", "group", date(2025, 9, 30))


def big_sheet(n: int = 3000) -> bytes:
    """A 分工表 of ``n`` tasks: 一级 merged over every 100 rows, 二级 over every 10, several units per cell."""
    rows: list[list[object]] = [["某县2025年任务分工表"], ["序号", "一级指标", "二级指标", "工作任务", "牵头单位",
                                                        "配合单位", "完成时限", "备注"]]
    merges = ["A1:H1"]
    due_forms = ["6月底前", "2025年9月30日前", "每季度末", "长期坚持", "年底前"]
    for i in range(n):
        rows.append([i + 1, f"{i // 100 + 1}、一级指标{i // 100 + 1}" if i % 100 == 0 else None,
                     f"{i // 10 % 10 + 1}.二级指标" if i % 10 == 0 else None, f"工作任务第{i + 1}项",
                     "县司法局（牵头）、县公安局", "县直各有关单位、县财政局，县审计局", due_forms[i % 5], None])
        if i % 100 == 0:
            merges.append(f"B{i + 3}:B{min(i + 102, n + 2)}")
        if i % 10 == 0:
            merges.append(f"C{i + 3}:C{min(i + 12, n + 2)}")
    return xlsx(rows, merges)


def test_three_thousand_rows() -> None:
    data = big_sheet()
    started = time.perf_counter()
    table = read_table(data, "big.xlsx", TASKS)
    read_at = time.perf_counter()
    sheet = parse(table)
    parsed_at = time.perf_counter()
    print(f"\n3,000-row 分工表 ({len(data) // 1024} KB): read_table {read_at - started:.2f} s, "
          f"parse_tasks {parsed_at - read_at:.2f} s")
    assert len(sheet.tasks) == 3000 and sheet.problems == () and sheet.warnings == ()
    last = sheet.tasks[-1]
    assert (last.seq, last.source_row, last.indicator_ref) == ("3000", 3002, "30/10")
    assert [u.name for u in last.lead] == ["永宁县司法局", "永宁县公安局"]
    assert [u.kind for u in last.co] == ["group", "unit", "unit"]
    assert last.due.due == date(2025, 12, 31)  # 2999 % 5 == 4: 年底前
