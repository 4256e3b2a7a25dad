"""考核细则 imported as offices publish them — title rows, merged 考评项目 cells, points written "2分",
评分标准 with deductions, block heading rows, a bonus block, a Word table, YAML — and refused when the
points do not add up, with nothing stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from fazhi import db
from fazhi.supervision import framework_store, frameworks, profiles_store, rules
from fazhi.supervision import models as m
from fazhi.supervision.access import Actor, Forbidden
from fazhi.supervision.profile import demo_profile
from tests.supervision.builders import docx_table, xlsx

OFFICE = Actor.cli()


@pytest.fixture
def write(migrated: Engine) -> Iterator[sessionmaker[Session]]:
    yield db.session_factory(migrated, write=True)


#: 黔南州's township 细则 (invented): title merged over the table, 考评项目 merged down its items,
#: points as "N分", the 评分标准 as offices write deductions, the scorer, a 合计 row and a note below
TOWNSHIPS: list[list[object]] = [
    ["黔南州2025年度乡镇（街道）法治建设考核细则", None, None, None, None, None, None],
    ["考评项目", "序号", "考评内容", "分值", "评分标准", "考评方法", "评分责任单位"],
    ["依法决策（6分）", "1", "重大行政决策合法性审查", "3分", "未经合法性审查作出决策的，每件扣1分，扣完为止", "抽查决策案卷",
     "州司法局"],
    [None, "2", "法律顾问参与重大事项", "3分", "达到要求得满分，基本达到得一半分，未开展的不得分", "查阅台账", "州司法局"],
    ["规范执法（4分）", "3", "综合行政执法信息报送", "4分", "迟报一次扣0.5分，漏报一次扣1分", "查阅报送记录", "州综合执法局"],
    ["合计", None, None, "10分", None, None, None],
    ["注：评分责任单位对评分结果负责。", None, None, None, None, None, None],
]
TOWNSHIP_MERGES = ["A1:G1", "A3:A4", "A7:G7"]


def _count(s: Session, model: type) -> int:
    return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_an_office_sheet_imports_with_every_item_its_points_rule_and_scorer(write) -> None:
    with write.begin() as s:
        result = profiles_store.import_profile(s, OFFICE, xlsx(TOWNSHIPS, TOWNSHIP_MERGES), "黔南州2025年乡镇考核细则.xlsx",
                                               unit_type="乡镇（街道）")
        shown = profiles_store.profile_json(s, OFFICE, result.id)
    assert set(shown) == {"id", "name", "unit_types", "total", "bonus_cap", "items"}
    assert (shown["total"], shown["bonus_cap"], shown["unit_types"]) == (10, None, ["乡镇（街道）"])
    assert [(i["block"], i["ref"], i["points"], i["scorer"]) for i in shown["items"]] == [
        ("依法决策", "1", 3, "州司法局"), ("依法决策", "2", 3, "州司法局"), ("规范执法", "3", 4, "州综合执法局")]
    assert all(set(i) == {"block", "ref", "content", "points", "kind", "rule", "rule_text", "scorer"}
               for i in shown["items"])
    assert [rules.kinds(i["rule"]) for i in shown["items"]] == [["per_occurrence"], ["criterion"], ["reporting"]]
    assert shown["items"][2]["rule"] == {"kind": "reporting", "late": -0.5, "missing": -1}
    assert result.manual == [] and result.unread == [] and result.local_framework


def test_without_a_framework_the_items_form_a_local_framework(write) -> None:
    with write.begin() as s:
        result = profiles_store.import_profile(s, OFFICE, xlsx(TOWNSHIPS, TOWNSHIP_MERGES), "细则.xlsx")
        nodes = {n.path: n for n in s.scalars(select(m.IndicatorNode).where(m.IndicatorNode.framework_id
                                                                            == result.framework_id))}
        assert [(p, n.level, n.name) for p, n in nodes.items()] == [
            ("1", 1, "依法决策"), ("1/1", 2, "重大行政决策合法性审查"), ("1/2", 2, "法律顾问参与重大事项"),
            ("2", 1, "规范执法"), ("2/3", 2, "综合行政执法信息报送")]
        items = profiles_store.profile_row(s, result.id).items
        assert [i.node_id for i in items] == [nodes["1/1"].id, nodes["1/2"].id, nodes["2/3"].id]
        # the same file again is the same profile
        again = profiles_store.import_profile(s, OFFICE, xlsx(TOWNSHIPS, TOWNSHIP_MERGES), "细则.xlsx")
        assert again.existing and again.id == result.id
        assert _count(s, m.Profile) == 1 and _count(s, m.Framework) == 1


def test_block_heading_rows_other_column_names_and_a_capped_bonus_block(write) -> None:
    # 海南 layout: headings as full-width rows, columns in another order and named otherwise, a 附加项
    sheet = [
        ["序号", "考核内容", "考核标准", "分数", "考核方法", "评分单位", "考核项目"],
        ["一、立法与制度建设（5分）"] * 7,
        ["1", "规范性文件备案", "迟报一次扣0.5分，漏报一次扣1分", 2, "查备案系统", "市司法局", None],
        ["2", "行政规范性文件清理", "未按要求开展清理的扣2分", 3, "查清理文件", "市司法局", None],
        ["二、附加项（最多加3分）"] * 7,
        ["3", "法治建设工作获上级表彰", "获省级表彰的加2分，获市级表彰的加1分", 3, "查表彰文件", "市委依法治市办", None],
    ]
    with write.begin() as s:
        result = profiles_store.import_profile(s, OFFICE, xlsx(sheet, ["A2:G2", "A5:G5"]), "三亚市考核细则.xlsx",
                                               unit_type="县（市、区）")
        shown = profiles_store.profile_json(s, OFFICE, result.id)
    assert (shown["total"], shown["bonus_cap"]) == (5, 3)
    assert [(i["block"], i["kind"], i["points"]) for i in shown["items"]] == [
        ("立法与制度建设", "score", 2), ("立法与制度建设", "score", 3), ("附加项", "bonus", 3)]


def test_a_word_table_with_merged_cells_imports(write) -> None:
    rows = [
        ["考评项目", "序号", "考评内容", "分值", "评分标准", "评分责任单位"],
        ["普法宣传（5分）", "1", "落实“谁执法谁普法”责任制", "3", "未制定普法责任清单的扣1分；未开展以案释法的扣1分", "县普法办"],
        [None, "2", "开展法治宣传活动", "2", "达到要求得满分，部分达到的酌情扣分，未开展的为0分", "县普法办"],
    ]
    data = docx_table(rows, vertical=[(0, 1, 2)], before="附件：2025年度考核细则")
    with write.begin() as s:
        result = profiles_store.import_profile(s, OFFICE, data, "考核细则.docx")
        shown = profiles_store.profile_json(s, OFFICE, result.id)
    assert [(i["block"], i["ref"], i["points"]) for i in shown["items"]] == [("普法宣传", "1", 3), ("普法宣传", "2", 2)]
    assert shown["total"] == 5


def test_points_that_do_not_add_up_are_refused_with_the_difference_and_nothing_is_stored(write) -> None:
    wrong: list[list[object]] = [list(row) for row in TOWNSHIPS]
    wrong[5][3] = "11分"  # 合计 says 11, the items add up to 10
    with write.begin() as s:
        with pytest.raises(profiles_store.ProfileImportError) as info:
            profiles_store.import_profile(s, OFFICE, xlsx(wrong, TOWNSHIP_MERGES), "细则.xlsx")
        assert "相差 1 分" in " ".join(info.value.problems)
        assert _count(s, m.Profile) == _count(s, m.Framework) == _count(s, m.ProfileItem) == 0


def test_a_rule_fazhi_cannot_read_imports_as_manual_and_is_listed(write) -> None:
    sheet: list[list[object]] = [list(row) for row in TOWNSHIPS]
    sheet[3][4] = "由评分单位结合年度重点工作综合研判"
    with write.begin() as s:
        result = profiles_store.import_profile(s, OFFICE, xlsx(sheet, TOWNSHIP_MERGES), "细则.xlsx")
        item = profiles_store.profile_json(s, OFFICE, result.id)["items"][1]
    assert item["rule"] == {"kind": "manual"} and item["rule_text"] == "由评分单位结合年度重点工作综合研判"
    assert result.manual == ["2"]
    assert any("法律顾问参与重大事项" in p for p in result.problems)
    assert any("按人工评分导入 1 项" in line for line in result.summary())


def test_a_yaml_profile_and_the_unit_type_given_on_import(write) -> None:
    text = rules.data_text("profile_demo_department.yaml")
    with write.begin() as s:
        result = profiles_store.import_profile(s, OFFICE, text.encode(), "部门细则.yaml", unit_type="县直部门")
        stored = profiles_store.as_profile(profiles_store.profile_row(s, result.id))
    demo = demo_profile("department")
    assert result.unit_types == ["县直部门"]
    assert [(i.ref, i.points, i.applicability) for i in stored.items] == [
        (i.ref, i.points, i.applicability) for i in demo.items]
    assert (stored.total, stored.rescale_to) == (50, 100)


def test_items_are_linked_to_the_framework_named_on_import(write) -> None:
    fw = frameworks.packaged_frameworks()["demo-county-2025"]
    sheet = [
        ["序号", "考评内容", "分值", "评分标准"],
        ["1", "开展“双随机、一公开”抽查", 5, "每发现一起未按计划抽查的扣1分"],
        ["2", "推进信用监管", 5, "达到要求得满分，未开展的不得分"],
        ["3", "本地自设的考评内容", 5, "未开展的不得分"],
    ]
    with write.begin() as s:
        fw_row, _created = framework_store.store(s, OFFICE, fw)
        result = profiles_store.import_profile(s, OFFICE, xlsx(sheet), "细则.xlsx", framework_id=fw_row.id)
        items = profiles_store.profile_row(s, result.id).items
        nodes = {n.id: n for n in s.scalars(select(m.IndicatorNode).where(m.IndicatorNode.framework_id == fw_row.id))}
        assert [nodes[i.node_id].path if i.node_id else None for i in items] == ["一/2/(1)", "一/2/(2)", None]
        assert items[0].indicators == ["random_inspections"]  # what the node measures, for report facts
        assert result.unlinked == ["第 3 项“本地自设的考评内容”"] and not result.local_framework


def test_unreadable_files_and_non_office_users_are_refused(write) -> None:
    with write.begin() as s:
        with pytest.raises(profiles_store.ProfileImportError, match="Excel"):
            profiles_store.import_profile(s, OFFICE, b"%PDF-1.7 not a table", "细则.pdf")
        with pytest.raises(profiles_store.ProfileImportError, match="找不到考核细则的表头"):
            profiles_store.import_profile(s, OFFICE, xlsx([["名称", "备注"], ["x", "y"]]), "细则.xlsx")
        with pytest.raises(Forbidden):
            profiles_store.import_profile(s, Actor(user_id=None, role="viewer"), xlsx(TOWNSHIPS), "细则.xlsx")


def test_an_item_names_the_report_indicators_its_text_speaks_of() -> None:
    # 出庭应诉 is measured as a rate and as a count: both speak to the item
    assert profiles_store.item_indicators("行政机关负责人出庭应诉率达到要求", ()) == ["head_appearance_rate",
                                                                                "head_appearance_count"]
    assert profiles_store.item_indicators("落实领导干部集中学法制度", ()) == ["law_study_sessions"]
    assert profiles_store.item_indicators("推进信用监管", ("credit_commitments",)) == ["credit_commitments"]
