"""Importing a 责任分工表 into a campaign: the forms offices use, bad files, one transaction, the JSON of
``task list``, traffic lights as of a date."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from fazhi.supervision import framework_store, tasks
from fazhi.supervision.errors import InputError, Unconfirmed
from fazhi.supervision.models import Task
from fazhi.units.models import Unit
from tests.supervision.builders import Text, csv_bytes, xlsx, zip_bomb
from tests.supervision.cycle_helpers import OFFICE, by_title, imported, new_campaign, sheet, tx

D = dt.date

OFFICE_FORM = [
    ["桦南县2025年法治政府建设任务分工"],
    ["序号", "一级指标", "工作任务", "牵头单位", "配合单位", "完成时限", "备注"],
    [1, "一、依法全面履行政府职能", "推行证明事项告知承诺制", "县司法局", "县公安局、县市场监管局", "2025年6月底前", None],
    [2, None, "编制权责清单", "县委编办（牵头）、县司法局", "县直各有关单位", "9月30日前", None],
    [3, "二、严格规范执法", "开展行政执法案卷评查", "县司法局", "县公安局\n县交通局", "每季度末", None],
    [4, None, "落实行政执法公示制度", "县市场监管局", "各乡镇", "长期坚持", None],
    [5, None, "清理涉企收费", "县发改局", "县财政局/县市场监管局", "年底前", None],
    [6, None, "修订行政执法裁量基准", "县交通局", "县司法局", "2025年10月", None],
    ["注：各单位每季度末报送进展。"],
]
OFFICE_MERGES = ["A1:G1", "B3:B4", "B5:B8", "A9:G9"]
QUARTERS = ["2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31"]


def _import(engine, organiser: str, data: bytes, name: str = "分工表.xlsx", **kw):
    campaign_id = new_campaign(engine, organiser)
    with tx(engine) as s:
        return campaign_id, tasks.import_tasks(s, OFFICE, campaign_id, data, name, **kw)


def test_office_form_imports_every_task_with_units_deadlines_and_indicator(migrated) -> None:
    campaign_id, result = _import(migrated, "桦南县", xlsx(OFFICE_FORM, OFFICE_MERGES))
    assert (result.tasks, result.problems) == (6, [])
    assert result.created == ["桦南县司法局", "桦南县公安局", "桦南县市场监督管理局", "桦南县委编办", "桦南县交通运输局",
                              "桦南县发展和改革局", "桦南县财政局"]
    with tx(migrated) as s:
        listed = [t.to_json() for t in tasks.list_tasks(s, OFFICE, campaign_id)]
    assert [t["source_row"] for t in listed] == [3, 4, 5, 6, 7, 8]
    assert all(set(t) == {"id", "seq", "title", "indicator", "lead_unit", "co_units", "due", "due_text",
                          "milestones", "status", "source_row"} for t in listed)
    first, second, third, fourth, fifth, sixth = listed
    assert first["indicator"] == {"ref": "一", "name": "依法全面履行政府职能"}
    assert first["lead_unit"]["name"] == "桦南县司法局" and first["lead_unit"]["id"] is not None
    assert [u["name"] for u in first["co_units"]] == ["桦南县公安局", "桦南县市场监督管理局"]
    assert (first["due"], first["due_text"], first["milestones"]) == ("2025-06-30", "2025年6月底前", ["2025-06-30"])
    # two leads written: the first leads, the other comes first among the co-units; a group keeps no id
    assert second["lead_unit"]["name"] == "桦南县委编办"
    assert second["co_units"][0]["name"] == "桦南县司法局"
    assert second["co_units"][1] == {"id": None, "name": "县直各有关单位"}
    assert second["indicator"] == {"ref": "一", "name": "依法全面履行政府职能"}  # merged 一级 cell
    assert third["indicator"]["name"] == "严格规范执法"
    assert [u["name"] for u in third["co_units"]] == ["桦南县公安局", "桦南县交通运输局"]
    assert (third["due"], third["milestones"]) == ("2025-12-31", QUARTERS)
    assert (fourth["due"], fourth["milestones"], fourth["co_units"]) == (None, [], [{"id": None, "name": "各乡镇"}])
    assert [u["name"] for u in fifth["co_units"]] == ["桦南县财政局", "桦南县市场监督管理局"]
    assert fifth["due"] == "2025-12-31"
    assert (sixth["due"], sixth["lead_unit"]["name"]) == ("2025-10-31", "桦南县交通运输局")
    assert all(t["status"] == "assigned" for t in listed)


def test_overdue_as_of_a_date_names_the_tasks_past_a_milestone(migrated) -> None:
    campaign_id, _ = _import(migrated, "桦南县", xlsx(OFFICE_FORM, OFFICE_MERGES))
    with tx(migrated) as s:
        def overdue(day: dt.date) -> list[str]:
            return [t.title for t in tasks.list_tasks(s, OFFICE, campaign_id, as_of=day, overdue=True)]

        assert overdue(D(2025, 3, 25)) == []
        assert overdue(D(2025, 4, 1)) == ["开展行政执法案卷评查"]  # its first quarter passed
        assert overdue(D(2025, 6, 30)) == ["开展行政执法案卷评查"]  # 6月底 is due that day, not overdue yet
        assert overdue(D(2025, 7, 1)) == ["推行证明事项告知承诺制", "开展行政执法案卷评查"]
        assert len(overdue(D(2026, 1, 1))) == 5  # all but the ongoing task
        soon = {t.title: t.light for t in tasks.list_tasks(s, OFFICE, campaign_id, as_of=D(2025, 3, 25))}
    assert soon["开展行政执法案卷评查"] == "due_soon" and soon["推行证明事项告知承诺制"] == "on_track"


def test_shuffled_columns_header_in_row_7_and_a_county_level_city(migrated) -> None:
    rows = [["宁乡市2025年度法治政府建设工作要点分工方案"], [], ["印发单位：市委依法治市办"], ["2025年3月"], [], [],
            ["完成时间", "配合部门", "重点任务", "序号", "责任单位"],
            ["2025年5月31日前", "市公安局", "开展法治政府建设示范创建自查", 1, "市司法局"],
            ["次年3月底前", None, "报送年度法治政府建设报告", 2, "市人民政府办公室"]]
    campaign_id, result = _import(migrated, "宁乡市", xlsx(rows, ["A1:E1"]))
    assert result.tasks == 2 and "表头在第7行" in result.read
    found = by_title(migrated, campaign_id)
    assert found["开展法治政府建设示范创建自查"].lead.name == "宁乡市司法局"
    assert found["开展法治政府建设示范创建自查"].due == D(2025, 5, 31)
    assert found["报送年度法治政府建设报告"].due == D(2026, 3, 31)
    assert [u.name for u in found["开展法治政府建设示范创建自查"].co_units] == ["宁乡市公安局"]


def test_merged_cells_across_the_table_section_rows_and_a_lead_merged_down(migrated) -> None:
    rows = [["榆中县法治政府建设责任分工表"], ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
            ["一、深化行政执法体制改革"],
            [1, "推进乡镇综合行政执法", "县司法局", "各乡镇", "2025年9月"],
            [2, "编制乡镇执法事项清单", None, "县委编办", "2025年6月30日"],
            ["二、加强行政复议工作"],
            [3, "规范行政复议案件办理", "县司法局", None, "下半年"]]
    campaign_id, result = _import(migrated, "榆中县", xlsx(rows, ["A1:E1", "A3:E3", "C4:C5", "A6:E6"]))
    assert result.tasks == 3 and result.problems == []
    found = by_title(migrated, campaign_id)
    assert found["编制乡镇执法事项清单"].lead.name == "榆中县司法局"  # the merged lead cell covers it
    assert found["编制乡镇执法事项清单"].indicator_name == "深化行政执法体制改革"  # the section row above
    assert found["规范行政复议案件办理"].indicator_name == "加强行政复议工作"
    assert found["推进乡镇综合行政执法"].due == D(2025, 9, 30)
    assert found["规范行政复议案件办理"].due == D(2025, 12, 31)


def test_a_deadline_that_cannot_be_read_imports_the_task_with_a_warning(migrated) -> None:
    campaign_id, result = _import(migrated, "泰和县", sheet([[1, "完善重大行政决策程序", "县司法局", None, "视情况"]]))
    assert result.tasks == 1 and result.problems == []
    assert [(w.row, "视情况" in w.reason) for w in result.warnings] == [(3, True)]
    task = by_title(migrated, campaign_id)["完善重大行政决策程序"]
    assert (task.due, task.due_text, task.light) == (None, "视情况", "on_track")


def test_a_unit_that_cannot_be_placed_is_named_and_nothing_is_kept_unconfirmed(migrated) -> None:
    rows = [[1, "推进政务公开标准化", "县政府办", "市生态环境局富源分局", "8月底前"],
            [2, "开展执法监督检查", "张三", None, "10月底前"],
            [3, "落实普法责任制", "县司法局", "县委宣传部", "年底前"]]
    campaign_id = new_campaign(migrated, "富源县")
    with tx(migrated) as s:
        units_before = s.scalar(select(func.count()).select_from(Unit))
    with pytest.raises(Unconfirmed) as pending, tx(migrated) as s:
        tasks.import_tasks(s, OFFICE, campaign_id, sheet(rows), "分工表.xlsx")
    outcome = pending.value.outcome
    assert [(p.row, "张三" in p.reason) for p in outcome.problems] == [(4, True)]
    assert any(w.row == 3 and "市生态环境局富源分局" in w.reason for w in outcome.warnings)
    assert "未导入 第4行" in outcome.summary()
    with tx(migrated) as s:  # one transaction: neither tasks nor units were kept
        assert s.scalar(select(func.count()).select_from(Task)) == 0
        assert s.scalar(select(func.count()).select_from(Unit)) == units_before
    with pytest.raises(InputError, match="第4行"), tx(migrated) as s:
        tasks.import_tasks(s, OFFICE, campaign_id, sheet(rows), "分工表.xlsx", strict=True)
    with tx(migrated) as s:
        done = tasks.import_tasks(s, OFFICE, campaign_id, sheet(rows), "分工表.xlsx", confirm=True)
    assert done.tasks == 2
    first = by_title(migrated, campaign_id)["推进政务公开标准化"]
    assert [(u.id, u.name) for u in first.co_units] == [(None, "市生态环境局富源分局")]
    assert first.lead.name == "富源县人民政府办公室"


def test_the_same_file_twice_is_refused_and_units_are_reused(migrated) -> None:
    data = sheet([[1, "开展法治宣传进企业", "县司法局", "县工商联", "11月30日前"]])
    campaign_id, first = _import(migrated, "安吉县", data)
    assert first.created == ["安吉县司法局", "安吉县工商联"]
    with pytest.raises(InputError, match="已于"), tx(migrated) as s:
        tasks.import_tasks(s, OFFICE, campaign_id, data, "again.xlsx")
    with tx(migrated) as s:
        second = tasks.import_tasks(s, OFFICE, campaign_id, sheet([[2, "规范涉企检查", "县司法局", None, "12月"]]),
                                    "more.xlsx")
    assert second.created == [] and len(by_title(migrated, campaign_id)) == 2


def test_three_thousand_rows(migrated) -> None:
    units = ["县司法局", "县公安局", "县财政局", "县教育局", "县民政局"]
    rows = [[i, f"第{i}项重点任务", units[i % 5], units[(i + 1) % 5], f"{i % 12 + 1}月底前"] for i in range(1, 3001)]
    campaign_id, result = _import(migrated, "桦南县", sheet(rows))
    assert (result.tasks, len(result.created)) == (3000, 5)
    listed = by_title(migrated, campaign_id)
    assert listed["第2999项重点任务"].due == D(2025, 12, 31)  # 2999 % 12 + 1 = 12
    assert listed["第2999项重点任务"].lead.name == "桦南县民政局"  # units[2999 % 5] = units[4]
    assert listed["第2999项重点任务"].source_row == 3001


@pytest.mark.parametrize(("data", "name", "message"), [
    (zip_bomb(), "分工表.xlsx", "恶意"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "分工表.xlsx", "旧版 Excel"),
    (b"<html><body><table><tr><td>x</td></tr></table></body></html>", "分工表.xls", "网页"),
    (b"x" * (21 * 1024 * 1024), "分工表.csv", "文件太大"),
    (b"", "分工表.xlsx", "空"),
])
def test_bad_files_are_refused_with_the_reason(migrated, data: bytes, name: str, message: str) -> None:
    campaign_id = new_campaign(migrated, "鄂托克旗")
    with pytest.raises(InputError, match=message), tx(migrated) as s:
        tasks.import_tasks(s, OFFICE, campaign_id, data, name)


def test_a_csv_named_xlsx_is_read_as_what_it_is(migrated) -> None:
    data = csv_bytes([["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
                      [1, "开展行政规范性文件清理", "旗司法局", "旗政府办", "2025年9月底前"]])
    campaign_id, result = _import(migrated, "鄂托克旗", data, name="分工表.xlsx")
    assert result.tasks == 1
    assert by_title(migrated, campaign_id)["开展行政规范性文件清理"].lead.name == "鄂托克旗司法局"


def test_formulas_text_that_looks_like_one_and_a_formula_without_result(migrated) -> None:
    rows = [[1, Text("=当年完成“一网通办”改造"), "县数据局", None, "6月底前"],
            [2, "=CONCAT(\"整治\",\"乱收费\")", "县发改局", None, "7月底前"],
            [3, "落实公平竞争审查", "县市场监管局", None, "8月底前"]]
    campaign_id, result = _import(migrated, "泰和县", sheet(rows), confirm=True)
    assert [p.row for p in result.problems] == [4]  # the formula has no computed value
    assert "公式" in result.problems[0].reason
    assert set(by_title(migrated, campaign_id)) == {"=当年完成“一网通办”改造", "落实公平竞争审查"}


def test_tasks_are_linked_to_the_indicator_nodes_of_the_campaign_framework(migrated) -> None:
    with tx(migrated) as s:
        framework_id = framework_store.import_packaged(s, OFFICE, "demo-county-2025").framework.id
    rows = [["序号", "一级指标", "二级指标", "工作任务", "牵头单位", "完成时限"],
            [1, "一、依法全面履行政府职能", "1.深化“放管服”改革", "推进政务服务网上办", "市政务服务中心", "6月底前"],
            [2, "四、依法有效化解社会矛盾纠纷", "1.行政机关负责人出庭应诉", "负责人出庭应诉率100%", "市司法局", "年底前"],
            [3, "六、其他", "1.不在指标体系中", "开展法治文化阵地建设", "市文旅局", "年底前"]]
    campaign_id = new_campaign(migrated, "东阳市", framework_id=framework_id)
    with tx(migrated) as s:
        result = tasks.import_tasks(s, OFFICE, campaign_id, xlsx(rows), "分工表.xlsx")
        _, nodes = framework_store.get_framework(s, OFFICE, framework_id)
    assert result.linked == 2
    path = {n.id: n.path for n in nodes}
    found = by_title(migrated, campaign_id)
    assert path[found["推进政务服务网上办"].node_id] == "一/1"
    assert path[found["负责人出庭应诉率100%"].node_id] == "四/1"
    assert found["开展法治文化阵地建设"].node_id is None


def test_a_unit_user_sees_only_its_own_tasks(migrated) -> None:
    from tests.supervision.cycle_helpers import unit_actor, unit_id

    campaign_id, _ = imported(migrated, "榆中县", [[1, "任务甲", "县司法局", "县公安局", "6月底前"],
                                                   [2, "任务乙", "县公安局", None, "6月底前"],
                                                   [3, "任务丙", "县财政局", None, "6月底前"]])
    police = unit_actor(unit_id(migrated, "榆中县公安局"))
    finance = unit_actor(unit_id(migrated, "榆中县财政局"))
    with tx(migrated) as s:
        assert [t.title for t in tasks.list_tasks(s, police, campaign_id)] == ["任务甲", "任务乙"]
        assert [t.title for t in tasks.list_tasks(s, finance, campaign_id)] == ["任务丙"]
        first = tasks.list_tasks(s, OFFICE, campaign_id)[0].id
        with pytest.raises(Exception, match="没有编号"):
            tasks.get_task(s, finance, first)
