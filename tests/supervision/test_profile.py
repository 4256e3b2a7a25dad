"""Profiles (考核细则): the demo profiles, YAML, and tables in several messy layouts as the sheet
reader hands them over (rows of canonical fields, merged cells already filled down)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fazhi.supervision import rules
from fazhi.supervision.profile import (
    Problem,
    ProfileError,
    check_totals,
    demo_profile,
    parse_points,
    profile_from_rows,
    profile_from_yaml,
    profile_to_dict,
)

Row = tuple[int, dict[str, Any]]


def rows(*data: dict[str, Any], first: int = 3) -> list[Row]:
    """Table rows numbered from ``first`` (the title and header rows come before)."""
    return [(first + i, r) for i, r in enumerate(data)]


# ---------------------------------------------------------------- demo profiles
def test_demo_county_profile_adds_up_to_100_with_the_bonus() -> None:
    p = demo_profile("county")
    assert p.demo and p.total == 100 and p.bonus_cap == 3 and p.bonus_in_total
    scored = {b.name: sum(i.points for i in p.items_of(b.name)) for b in p.blocks if b.kind == "score"}
    assert list(scored.values()) == [5, 27, 19, 24, 12, 10]  # 97, + 附加项 3 = 100
    assert check_totals(p) == []
    assert all(i.rule is not None and "manual" not in rules.kinds(i.rule) for i in p.items)


def test_demo_department_profile_is_scored_on_50_rescaled_to_100() -> None:
    p = demo_profile("department")
    assert (p.total, p.rescale_to, p.unit_types) == (50, 100, ("部门",))
    assert check_totals(p) == []  # 50 for departments with and without enforcement powers


# ---------------------------------------------------------------- layouts
def test_block_header_rows_with_points_written_with_fen_and_a_total_row() -> None:
    table = rows(
        {"block": "一、立法工作（5分）"},
        {"seq": "1", "content": "规范性文件备案审查", "points": "2分", "standard": "迟报一次扣0.5分，漏报一次扣1分",
         "method": "查阅备案台账", "scorer": "州司法局"},
        {"seq": "2", "content": "立法调研与意见反馈", "points": "3分", "standard": "达到要求得满分，基本达到得一半分"},
        {"block": "二、执法工作（4分）"},
        {"seq": "3", "content": "执法信息公示", "points": "4分", "standard": "每发现一起未公示的扣0.5分，扣完为止"},
        {"block": "合计", "points": "9分"},
    )
    p, problems = profile_from_rows(table, name="黔东南州县市考核细则", unit_types=["县（市）"])
    assert problems == []
    assert [(b.name, b.points, b.kind) for b in p.blocks] == [("立法工作", 5, "score"), ("执法工作", 4, "score")]
    assert [(i.block, i.ref, i.points) for i in p.items] == [("立法工作", "1", 2), ("立法工作", "2", 3), ("执法工作", "3", 4)]
    first = p.items[0]
    assert first.rule == {"kind": "reporting", "late": -0.5, "missing": -1}
    assert (first.scorer, first.check_method, first.rule_text) == ("州司法局", "查阅备案台账", "迟报一次扣0.5分，漏报一次扣1分")
    assert p.total == 9 and check_totals(p) == []


def test_merged_block_cells_filled_down_and_an_item_over_two_rows() -> None:
    # 考评项目 merged over its items; item 1's 序号/内容/分值 merged over two rows of 评分标准
    table = rows(
        {"block": "立法工作（5分）", "seq": 1, "content": "备案审查", "points": 2, "standard": "迟报一次扣0.5分"},
        {"block": "立法工作（5分）", "seq": 1, "content": "备案审查", "points": 2, "standard": "漏报一次扣1分"},
        {"block": "立法工作（5分）", "seq": 2, "content": "立法调研", "points": 3, "standard": "未开展的不得分"},
        {"block": "执法工作（3分）", "seq": 1, "content": "案卷评查", "points": 3,
         "standard": "按期办结率达到95%以上的得满分，每低1个百分点扣0.5分"},
    )
    p, problems = profile_from_rows(table, name="临夏州", unit_types=["县（市）"])
    assert problems == []
    # 序号 restarts per block: refs are qualified by the block's number
    assert [(i.ref, i.points) for i in p.items] == [("1.1", 2), ("1.2", 3), ("2.1", 3)]
    assert p.items[0].rule == {"kind": "reporting", "late": -0.5, "missing": -1}
    assert p.items[0].rule_text == "迟报一次扣0.5分；漏报一次扣1分"
    assert p.total == 8 and check_totals(p) == []  # 5 + 3, from the block titles


def test_title_merged_across_chinese_points_repeated_header_and_subtotal() -> None:
    table = rows(
        {f: "一、依法行政制度体系（五分）" for f in ("block", "seq", "content", "points", "standard")},
        {"seq": "1", "content": "重大行政决策程序", "points": "三分", "standard": "部分未达到要求的酌情扣分；未开展的为0分"},
        {"seq": "2", "content": "合法性审查", "points": "二", "standard": "每件扣1分"},
        {"seq": "小计", "points": "5"},
        {"block": "考评项目", "seq": "序号", "content": "考评内容", "points": "分值", "standard": "评分标准"},
        {"seq": "二", "content": "执法监督", "points": "4"},
        {"seq": "3", "content": "执法证件管理", "points": "2.5", "standard": "每缺一项扣2分，最多扣4分"},
        {"seq": "4", "content": "执法人员培训", "points": 1.5, "standard": "未组织培训的不得分"},
    )
    p, problems = profile_from_rows(table, name="湘西州", unit_types=["县（市）"])
    assert problems == []
    assert [(b.name, b.points) for b in p.blocks] == [("依法行政制度体系", 5), ("执法监督", 4)]
    assert [(i.ref, i.block, i.points) for i in p.items] == [
        ("1", "依法行政制度体系", 3), ("2", "依法行政制度体系", 2), ("3", "执法监督", 2.5), ("4", "执法监督", 1.5)]
    assert p.items[2].rule == {"kind": "per_occurrence", "event": "缺", "unit": "项", "delta": -2, "cap": 4}
    assert check_totals(p) == []


def test_numbers_read_as_floats_subtotals_under_filled_blocks_and_rules_in_the_note_column() -> None:
    table = rows(
        {"block": "依法决策", "seq": 1.0, "content": "重大决策目录公开", "points": 3.0, "standard": "未公开的不得分"},
        {"block": "依法决策", "seq": 2.0, "content": "法律顾问参与决策", "points": 2.0, "note": "每件扣0.5分"},
        {"block": "依法决策", "seq": "小计", "points": 5.0},
        {"block": "政务公开", "seq": 3.0, "content": "政府信息主动公开", "points": 5.0, "standard": "每缺一项扣1分"},
    )
    p, problems = profile_from_rows(table, name="三明市", unit_types=["县（市、区）"])
    assert problems == []
    assert [(i.ref, i.block, i.points, i.rule_text) for i in p.items] == [
        ("1", "依法决策", 3, "未公开的不得分"), ("2", "依法决策", 2, "每件扣0.5分"),
        ("3", "政务公开", 5, "每缺一项扣1分")]
    assert p.total == 10 and check_totals(p) == []


def test_a_mixed_bonus_block_with_plus_minus_points_counted_in_the_total() -> None:
    table = rows(
        {"block": "一、基础工作（10分）"},
        {"seq": "1", "content": "年度工作部署", "points": 6, "standard": "未开展的不得分"},
        {"seq": "2", "content": "信息报送", "points": 4, "standard": "迟报一次扣0.5分"},
        {"block": "二、附加项（加、扣分项）", "points": "±3"},
        {"seq": "3", "content": "获得表彰", "points": "1分", "standard": "获得省级以上表彰的加1分"},
        {"seq": "4", "content": "通报批评", "points": "2", "standard": "被上级通报批评的，每次扣1分"},
        {"content": "合计", "points": "13"},
    )
    p, problems = profile_from_rows(table, name="海东市", unit_types=["县（区）"])
    assert problems == []
    bonus = p.blocks[1]
    assert (bonus.name, bonus.kind, bonus.cap, bonus.points) == ("附加项（加、扣分项）", "bonus", 3, None)
    assert [i.kind for i in p.items] == ["score", "score", "bonus", "penalty"]
    # the 合计 13 is the 10 scored points plus the 附加项 cap 3
    assert (p.total, p.bonus_cap, p.bonus_in_total) == (13, 3, True)
    assert check_totals(p) == []


def test_separate_bonus_and_penalty_blocks() -> None:
    table = rows(
        {"block": "基本项", "seq": "1", "content": "依法决策", "points": 10, "standard": "未开展的不得分"},
        {"block": "加分项，最高加3分", "seq": "2", "content": "经验推广", "points": None,
         "standard": "经验做法被上级推广的，每项加1分"},
        {"block": "扣分项（最多扣5分）", "seq": "3", "content": "败诉案件", "points": None,
         "standard": "发生一起行政诉讼败诉案件扣1分"},
    )
    p, problems = profile_from_rows(table, name="阿克苏地区", unit_types=["县（市）"])
    assert problems == []
    assert [(b.name, b.kind, b.cap) for b in p.blocks] == [
        ("基本项", "score", None), ("加分项", "bonus", 3), ("扣分项", "penalty", 5)]
    # a bonus item without points takes its block's cap
    assert [(i.kind, i.points) for i in p.items] == [("score", 10), ("bonus", 3), ("penalty", 5)]
    assert (p.total, p.bonus_cap, p.bonus_in_total) == (10, 3, False)


# ---------------------------------------------------------------- what does not add up or cannot be read
def test_totals_that_do_not_add_up_are_refused_with_the_difference() -> None:
    table = rows(
        {"block": "立法", "seq": "1", "content": "立法计划", "points": 40, "standard": "未开展的不得分"},
        {"block": "执法", "seq": "2", "content": "执法规范", "points": 30, "standard": "每件扣1分"},
        {"block": "普法", "seq": "3", "content": "普法责任", "points": 27, "standard": "未开展的不得分"},
        {"block": "合计", "points": 100},
    )
    p, _ = profile_from_rows(table, name="玉树州", unit_types=["县（市）"])
    assert check_totals(p) == [Problem(None, "各项分值合计 97 分，与总分 100 分相差 3 分")]


def test_a_block_that_does_not_add_up_to_its_points() -> None:
    table = rows(
        {"block": "一、立法工作（5分）"},
        {"seq": "1", "content": "备案审查", "points": 2, "standard": "迟报一次扣0.5分"},
        {"seq": "2", "content": "立法调研", "points": 2, "standard": "未开展的不得分"},
    )
    p, _ = profile_from_rows(table, name="大兴安岭地区", unit_types=["县（区）"], total=4)
    assert check_totals(p) == [Problem(None, "“立法工作”各项分值合计 4 分，与该项目 5 分相差 1 分")]


def test_unreadable_rule_imports_as_manual_and_unreadable_points_are_listed() -> None:
    table = rows(
        {"block": "组织保障", "seq": "1", "content": "法治建设纳入发展规划", "points": 5,
         "standard": "由考评组根据工作实效综合评定计分"},
        {"block": "组织保障", "seq": "2", "content": "法治督察", "points": "约五分", "standard": "未开展的不得分"},
    )
    p, problems = profile_from_rows(table, name="果洛州", unit_types=["县"])
    assert p.items[0].rule == {"kind": "manual"}
    assert p.items[0].rule_text == "由考评组根据工作实效综合评定计分"
    assert problems == [
        Problem(3, "“法治建设纳入发展规划”：评分标准未能识别，按人工评分项导入"),
        Problem(4, "“法治督察”的分值“约五分”无法识别，按0分导入"),
    ]
    assert p.items[1].points == 0


def test_a_row_without_content_is_skipped_and_named() -> None:
    table = rows(
        {"block": "立法", "seq": "1", "content": "立法计划", "points": 5, "standard": "未开展的不得分"},
        {"block": "立法", "seq": "2", "points": 1},
    )
    p, problems = profile_from_rows(table, name="日喀则市", unit_types=["县（区）"])
    assert len(p.items) == 1 and problems == [Problem(4, "没有考评内容，已跳过")]


@pytest.mark.parametrize(("cell", "value"), [
    (5, 5), ("5", 5), ("5分", 5), ("五分", 5), ("2.5", 2.5), ("２．５分", 2.5), ("±3", 3), ("3分（加分）", 3),
    ("十二", 12), ("", None), (None, None), ("若干", None),
])
def test_points_cells(cell: Any, value: float | None) -> None:
    assert parse_points(cell) == value


# ---------------------------------------------------------------- per unit type and shares
_TYPES_YAML = """
name: 乡镇街道考核细则
unit_types: [乡镇, 街道]
total: 10
blocks:
  - name: 基础工作
    items:
      - {ref: "1", content: 依法决策, points: 6, rule_text: 未开展的不得分}
      - {ref: "2", content: 农村法治宣传, points: 4, rule_text: 未开展的不得分, applies: "type == '乡镇'"}
      - {ref: "3", content: 社区矛盾调处, points: 3, rule_text: 每件扣1分, applies: "type == '街道'"}
"""


def test_totals_are_checked_per_unit_type() -> None:
    p, problems = profile_from_yaml(_TYPES_YAML)
    assert problems == []
    assert check_totals(p) == [Problem(None, "街道：各项分值合计 9 分，与总分 10 分相差 1 分")]


def test_totals_are_checked_with_and_without_enforcement_powers() -> None:
    text = rules.data_text("profile_demo_department.yaml").replace(
        "内部管理和权力运行监督（无行政执法权的部门）\n        points: 12", "内部管理和权力运行监督（无行政执法权的部门）\n        points: 10")
    p, _ = profile_from_yaml(text)
    assert check_totals(p) == [
        Problem(None, "部门（无执法权）：各项分值合计 48 分，与总分 50 分相差 2 分"),
        Problem(None, "部门（无执法权）：“共性指标”各项分值合计 48 分，与该项目 50 分相差 2 分"),
    ]


def test_shares_must_cover_the_blocks_and_add_up_to_100_percent() -> None:
    text = """
name: 部门绩效考核（法治部分）
total: 100
shares: {通用指标: 0.3, 专用指标: 0.5}
blocks:
  - {name: 通用指标, points: 100, items: [{ref: a, content: 通用, points: 100, rule_text: 未开展的不得分}]}
  - {name: 专用指标, points: 100, items: [{ref: b, content: 专用, points: 100, rule_text: 未开展的不得分}]}
  - {name: 外部评议, points: 100, items: [{ref: c, content: 评议, points: 100, rule_text: 按群众满意率测评结果折算}]}
"""
    p, _ = profile_from_yaml(text)
    assert check_totals(p) == [Problem(None, "考评项目“外部评议”没有权重"), Problem(None, "各部分权重合计 80%，应为 100%")]


# ---------------------------------------------------------------- YAML errors and output
@pytest.mark.parametrize(("text", "said"), [
    ("name: x\nblocks: []", "total"),
    ("name: x\ntotal: 5\nblocks:\n  - name: b\n    items:\n      - {ref: 1, content: c, points: 5, applies: \"type = 'x'\"}",
     "第 1 项：适用条件有误：第 6 个字符处"),
    ("name: x\ntotal: 5\nblocks:\n  - name: b\n    items:\n      - {ref: 1, content: c, points: 5, rule: {kind: rate}}",
     "第 1 项：评分规则"),
    ("name: x\ntotal: [5\n", "YAML 格式有误"),
])
def test_broken_yaml_profiles_are_refused(text: str, said: str) -> None:
    with pytest.raises(ProfileError, match=said.replace("(", r"\(")):
        profile_from_yaml(text)


def test_an_unreadable_rule_in_yaml_is_listed() -> None:
    text = "name: x\ntotal: 5\nblocks:\n  - name: b\n    items:\n      - {ref: 1, content: c, points: 5, rule_text: 综合评定}"
    p, problems = profile_from_yaml(text)
    assert p.items[0].rule == {"kind": "manual"}
    assert problems == [Problem(None, "第 1 项：评分标准未能识别，按人工评分项导入")]


def test_profile_as_json() -> None:
    data = profile_to_dict(demo_profile("county"))
    json.dumps(data, ensure_ascii=False)
    assert (data["total"], data["bonus_cap"], data["unit_types"]) == (100, 3, ["县（市、区）"])
    first = data["items"][0]
    assert {"block", "ref", "content", "points", "kind", "rule", "rule_text", "scorer"} <= set(first)
    assert (first["ref"], first["points"], first["scorer"]) == ("1.1", 2, "市司法局")
