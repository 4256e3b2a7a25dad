"""Reading 评分标准 texts into scoring rules: every kind, several phrasings, Chinese numerals,
caps and floors, combined texts, what is not understood, and an office's own phrasings."""

from __future__ import annotations

import pytest

from fazhi.supervision import rules
from fazhi.supervision.rules import parse_number, parse_rule


def clause(text: str, points: float = 5) -> dict:
    """The single clause a text reads into (asserting it was understood completely)."""
    parsed = parse_rule(text, points)
    assert parsed.recognised, parsed.note
    assert parsed.rule is not None and parsed.rule["kind"] != "combined", parsed.rule
    rules.validate_rule(parsed.rule)
    return parsed.rule


@pytest.mark.parametrize(("kind", "text"), list(rules.examples()))
def test_every_example_of_the_phrasing_table_is_read(kind: str, text: str) -> None:
    parsed = parse_rule(text, 5)
    assert parsed.recognised, (text, parsed.note)
    assert parsed.rule is not None
    rules.validate_rule(parsed.rule)
    if kind not in ("cap", "floor", "ignore"):  # modifiers shape the clause before them
        assert kind in rules.kinds(parsed.rule)


@pytest.mark.parametrize(("text", "value"), [
    ("5", 5), ("2.5", 2.5), ("０．５", 0.5), ("五", 5), ("十", 10), ("十二", 12), ("二十五", 25),
    ("一百", 100), ("两", 2), ("零点五", 0.5), ("一点五", 1.5), ("半", 0.5), ("三分", None), ("abc", None),
])
def test_numbers_in_arabic_and_chinese(text: str, value: float | None) -> None:
    assert parse_number(text) == value


# ---------------------------------------------------------------- criterion
def test_criterion_zero_when_not_done() -> None:
    c = clause("未开展的不得分")
    assert c["levels"] == [{"level": "full", "share": 1, "label": "达到要求"},
                           {"level": "none", "share": 0, "label": "未开展"}]


def test_criterion_discretion_and_zero() -> None:
    c = clause("部分未达到要求的酌情扣分；未开展的为0分", 8)
    assert [(lv["level"], lv["share"], lv["label"]) for lv in c["levels"]] == [
        ("full", 1, "达到要求"), ("partial", None, "部分未达到要求"), ("none", 0, "未开展")]


def test_criterion_half_for_basically_met() -> None:
    c = clause("达到要求得满分，基本达到得一半分", 3)
    assert [(lv["level"], lv["share"], lv["label"]) for lv in c["levels"]] == [
        ("full", 1, "达到要求"), ("partial", 0.5, "基本达到")]


def test_criterion_points_written_in_chinese_become_shares_of_the_item() -> None:
    # 5 points: 五分 = all, 三分 = 3/5 = 0.6, 零分 = nothing
    c = clause("全部完成的得五分；基本完成的得三分；未完成的得零分", 5)
    assert [(lv["level"], lv["share"]) for lv in c["levels"]] == [("full", 1), ("partial", 0.6), ("none", 0)]


def test_criterion_discretion_range() -> None:
    c = clause("工作开展不到位的，视情扣1-3分", 6)
    assert c["levels"][1] == {"level": "partial", "share": None, "label": "工作开展不到位", "deduct": [1, 3]}


def test_graded_levels() -> None:
    c = clause("好的得5分，较好的得3分，一般的得1分，差的不得分", 5)
    assert [(lv["level"], lv["share"], lv["label"]) for lv in c["levels"]] == [
        ("full", 1, "好"), ("partial", 0.6, "较好"), ("partial", 0.2, "一般"), ("none", 0, "差")]


def test_a_range_of_points_at_the_scorers_discretion() -> None:
    # 得0-5分 of 5 points: a deduction of 0 to 5
    assert clause("视完成情况得0-5分", 5)["levels"][1]["deduct"] == [0, 5]
    assert parse_rule("视完成情况得0-5分", 4).rule == {"kind": "manual"}  # more than the item's 4 points


def test_full_marks_alone_means_nothing_otherwise_and_beside_deductions_is_dropped() -> None:
    assert clause("按要求完成的得满分")["levels"] == [{"level": "full", "share": 1, "label": "按要求完成"},
                                                {"level": "none", "share": 0, "label": "未达到要求"}]
    assert clause("全年未发生行政诉讼败诉案件的得满分；每败诉一件扣1分") == {
        "kind": "per_occurrence", "event": "败诉", "unit": "件", "delta": -1}


def test_points_above_the_item_are_not_taken_as_a_share() -> None:
    parsed = parse_rule("完成的得6分", 5)
    assert parsed.rule == {"kind": "manual"} and not parsed.recognised


# ---------------------------------------------------------------- per occurrence
@pytest.mark.parametrize(("text", "expected"), [
    ("每件扣1分", {"event": "扣分情形", "unit": "件", "delta": -1}),
    ("每发现一起扣0.5分，扣完为止", {"event": "发现", "unit": "起", "delta": -0.5}),
    ("每缺一项扣2分，最多扣5分", {"event": "缺", "unit": "项", "delta": -2, "cap": 5}),
    ("出现1次扣1分", {"event": "出现", "unit": "次", "delta": -1}),
    ("每开展一次加0.5分，最高加2分", {"event": "开展", "unit": "次", "delta": 0.5, "cap": 2}),
    ("每发现一起扣零点五分，累计扣分不超过三分", {"event": "发现", "unit": "起", "delta": -0.5, "cap": 3}),
    ("每少一次扣两分，最多扣十分", {"event": "少", "unit": "次", "delta": -2, "cap": 10}),
    ("每件扣１分", {"event": "扣分情形", "unit": "件", "delta": -1}),
    ("每 发现 一起 违规 扣 1 分", {"event": "发现违规", "unit": "起", "delta": -1}),
    ("未按规定公示执法信息的，每件扣1分", {"event": "未按规定公示执法信息", "unit": "件", "delta": -1}),
    ("未制定年度普法计划的扣1分", {"event": "未制定年度普法计划", "unit": "次", "delta": -1, "once": True}),
    ("未制定计划扣一分", {"event": "未制定计划", "unit": "次", "delta": -1, "once": True}),
    ("发现问题扣0.5分/个，最多扣2分", {"event": "发现问题", "unit": "个", "delta": -0.5, "cap": 2}),
    ("每件扣1分，扣满3分为止", {"event": "扣分情形", "unit": "件", "delta": -1, "cap": 3}),
    ("满分5分，每件扣1分", {"event": "扣分情形", "unit": "件", "delta": -1}),
])
def test_per_occurrence(text: str, expected: dict) -> None:
    assert clause(text) == {"kind": "per_occurrence", **expected}


@pytest.mark.parametrize("text", [
    "（1）未制定计划的扣1分；（2）计划未落实的扣0.5分",
    "1.未制定计划的扣1分；2.计划未落实的扣0.5分",
    "①未制定计划的扣1分②计划未落实的扣0.5分",
])
def test_numbered_clauses(text: str) -> None:
    parsed = parse_rule(text, 3)
    assert parsed.recognised
    assert [(c["event"], c["delta"]) for c in rules.clauses(parsed.rule)] == [("未制定计划", -1), ("计划未落实", -0.5)]


def test_a_cap_written_before_any_rule_is_not_understood() -> None:
    parsed = parse_rule("最多扣5分", 5)
    assert parsed.rule == {"kind": "manual"} and not parsed.recognised


def test_two_per_occurrence_clauses_keep_distinct_events() -> None:
    parsed = parse_rule("被上级通报的每次扣1分；被上级通报的每次扣2分", 5)
    assert [c["event"] for c in rules.clauses(parsed.rule)] == ["被上级通报", "被上级通报（2）"]


# ---------------------------------------------------------------- reporting
@pytest.mark.parametrize(("text", "expected"), [
    ("迟报一次扣0.5分，漏报一次扣1分", {"late": -0.5, "missing": -1}),
    ("未按时报送的每次扣0.5分", {"late": -0.5, "missing": -0.5}),
    ("逾期报送的每次扣半分；未报送的，每次扣两分", {"late": -0.5, "missing": -2}),
    ("迟报、漏报一次扣0.5分，最多扣2分", {"late": -0.5, "missing": -0.5, "cap": 2}),
])
def test_reporting(text: str, expected: dict) -> None:
    assert clause(text) == {"kind": "reporting", **expected}


# ---------------------------------------------------------------- false report, survey, rate, veto
@pytest.mark.parametrize(("text", "share"), [
    ("提供的情况经核查不实的，在本项分值内从重扣分", 0),
    ("报送材料弄虚作假的，本项不得分", 0),
    ("填报数据经核查不实的，本项得分减半", 0.5),
    ("经核查存在虚假情况的扣2分", 0.6),  # 5 points − 2 = 3 → at most 3/5 of the item
])
def test_false_report(text: str, share: float) -> None:
    c = clause(text, 5)
    assert c["kind"] == "false_report" and c["share"] == share


@pytest.mark.parametrize(("text", "expected"), [
    ("按群众满意率测评结果折算", {"scale": 100}),
    ("满意度测评得分×10%", {"factor": 0.1}),
    ("群众满意度调查结果乘以0.2计入", {"factor": 0.2}),
    ("测评得分按20%折算", {"factor": 0.2}),
])
def test_survey(text: str, expected: dict) -> None:
    assert clause(text, 10) == {"kind": "survey", **expected}


def test_rate_with_target_step_and_zero() -> None:
    c = clause("出庭应诉率达到100%的得满分，每低1个百分点扣0.5分，低于八十%的不得分", 7)
    assert c == {"kind": "rate", "measure": "出庭应诉率", "target": 100, "step": 1, "delta": -0.5,
                 "zero_below": 80}


@pytest.mark.parametrize("text", [
    "行政机关负责人出庭应诉率未达到100%的，每低于1个百分点扣0.2分",
    "行政机关负责人出庭应诉率达到100%，每降低1个百分点扣0.2分",
])
def test_rate_target_written_other_ways(text: str) -> None:
    c = clause(text, 4)
    assert (c["measure"], c["target"], c["step"], c["delta"]) == ("行政机关负责人出庭应诉率", 100, 1, -0.2)


def test_rate_rounding_a_started_point_up() -> None:
    c = clause("行政复议纠错率达到95%以上的得满分，每低2个百分点扣1分，不足2个百分点的按2个百分点计", 6)
    assert (c["target"], c["step"], c["delta"], c["rounding"]) == (95, 2, -1, "up")


def test_rate_proportional() -> None:
    assert clause("按实际完成比例计分") == {"kind": "rate", "proportional": True, "target": 100}


def test_rate_step_without_target_is_not_understood() -> None:
    parsed = parse_rule("每低1个百分点扣0.5分", 5)
    assert parsed.rule == {"kind": "manual"} and not parsed.recognised


def test_veto_only_when_written() -> None:
    assert clause("发生重大行政违法案件造成恶劣影响的，实行一票否决") == {
        "kind": "veto", "condition": "发生重大行政违法案件造成恶劣影响"}
    for text in ("每件扣1分", "未开展的不得分", "提供的情况经核查不实的，在本项分值内从重扣分"):
        assert "veto" not in rules.kinds(parse_rule(text, 5).rule)


# ---------------------------------------------------------------- several clauses, not understood
def test_several_clauses_make_a_combined_rule() -> None:
    parsed = parse_rule("每件扣1分；核查不实的从重扣分", 5)
    assert parsed.recognised and parsed.kind == "combined"
    assert parsed.rule == {"kind": "combined", "clauses": [
        {"kind": "per_occurrence", "event": "扣分情形", "unit": "件", "delta": -1},
        {"kind": "false_report", "share": 0, "condition": "核查不实"}]}


def test_reporting_criterion_and_false_report_together() -> None:
    parsed = parse_rule("未按时报送的每次扣1分；未按规定向社会公开的扣2分；"
                        "提供的情况经核查不实的，在本项分值内从重扣分", 4)
    assert parsed.recognised
    assert rules.kinds(parsed.rule) == ["reporting", "per_occurrence", "false_report"]


def test_text_not_understood_is_manual_and_says_so() -> None:
    parsed = parse_rule("根据工作实效由考评组综合评定计分", 5)
    assert parsed.rule == {"kind": "manual"} and parsed.kind == "manual" and not parsed.recognised
    assert "人工评分" in parsed.note


def test_empty_text_has_no_rule() -> None:
    parsed = parse_rule("  ", 5)
    assert parsed.rule is None and parsed.kind == "manual" and not parsed.recognised


def test_partly_understood_keeps_what_was_read_and_names_the_rest() -> None:
    parsed = parse_rule("每件扣1分，工作创新突出的由考评组综合评定加分", 5)
    assert not parsed.recognised
    assert parsed.rule == {"kind": "combined", "clauses": [
        {"kind": "per_occurrence", "event": "扣分情形", "unit": "件", "delta": -1},
        {"kind": "manual", "text": "工作创新突出的由考评组综合评定加分"}]}
    assert "工作创新突出的由考评组综合评定加分" in parsed.note


def test_description_around_the_rule_is_not_a_problem() -> None:
    # the requirement and how to check it state no scoring: only the last clause scores
    parsed = parse_rule("查阅资料。按要求制定年度立法计划并报送，未制定的不得分", 3)
    assert parsed.recognised and parsed.kind == "criterion"
    # 扣押 (seizure) is not 扣 (deduct)
    parsed = parse_rule("依法规范实施查封扣押措施，每发现一起违规扣1分", 3)
    assert parsed.recognised and parsed.kind == "per_occurrence"


def test_validate_rule_refuses_a_broken_rule() -> None:
    with pytest.raises(rules.RuleError):
        rules.validate_rule({"kind": "per_occurrence", "event": "发现"})  # no delta
    with pytest.raises(rules.RuleError):
        rules.validate_rule({"kind": "reporting", "late": 0.5})  # a late report cannot add


# ---------------------------------------------------------------- an office's own phrasings
_OFFICE = """
phrasings:
  - kind: per_occurrence
    pattern: '每(?P<event>超期){ONE}(?P<unit>天)(?P<sign>{DEDUCT}){N:amount}分'
    examples: [每超期一天扣0.1分]
"""


def test_an_office_adds_a_phrasing() -> None:
    assert parse_rule("整改每超期一天扣0.1分", 2).rule == {"kind": "manual"}
    table = rules.load_phrasings(_OFFICE)
    parsed = parse_rule("整改每超期一天扣0.1分", 2, table)
    assert parsed.recognised
    assert parsed.rule == {"kind": "per_occurrence", "event": "超期", "unit": "天", "delta": -0.1}


@pytest.mark.parametrize(("text", "said"), [
    ("phrasings: [{kind: bonus_points, pattern: 'x', examples: [x]}]", "phrasings/0/kind"),
    ("phrasings: [{kind: veto, pattern: '(', examples: [x]}]", "正则表达式有误"),
    ("phrasings: [{kind: veto, pattern: '{NOPE}', examples: [x]}]", "未定义的记号"),
])
def test_a_broken_office_table_is_refused(text: str, said: str) -> None:
    with pytest.raises(rules.RuleError, match=said):
        rules.load_phrasings(text)
