"""Scoring items, blocks and totals: every rule kind, floors and caps, flags, manual scores,
block caps, rescaling, shares and veto — each expected value worked out by hand in a comment."""

from __future__ import annotations

from datetime import date

import pytest

from fazhi.supervision.profile import Block, Profile, ProfileItem, demo_profile
from fazhi.supervision.rules import parse_rule
from fazhi.supervision.scoring import (
    Event,
    ItemInputs,
    ItemScore,
    ScoringError,
    rescale,
    score_block,
    score_item,
    suggest,
    total,
)


def score(text: str, points: float, inputs: ItemInputs | None = None, kind: str = "score") -> ItemScore:
    rule = parse_rule(text, points).rule
    result = score_item(points, rule, inputs, kind=kind)
    if result.score is not None:  # every number explains itself: the steps add up to the score
        assert sum(d.delta for d in result.details) == pytest.approx(result.score)
    return result


def events(kind: str, n: int) -> tuple[Event, ...]:
    return tuple(Event(kind, date(2024, 3, i + 1), ref=f"{kind}-{i + 1}") for i in range(n))


# ---------------------------------------------------------------- reporting
def test_late_and_missing_reports_deduct_with_the_reason_a_clerk_reads() -> None:
    # 5 − 2 × 0.5 − 1 × 1 = 3
    result = score("迟报一次扣0.5分，漏报一次扣1分", 5, ItemInputs(events=events("late", 2) + events("missing", 1)))
    assert result.score == 3 and result.max == 5
    assert result.reason == "迟报2次扣1分，漏报1次扣1分，得3分"
    late = next(d for d in result.details if d.text.startswith("迟报"))
    assert late.delta == -1 and late.evidence == ("late-1", "late-2")
    assert late.clause == {"kind": "reporting", "late": -0.5, "missing": -1}


def test_reporting_cap() -> None:
    # 6 late × 0.5 = 3, but at most 2: 4 − 2 = 2
    result = score("迟报、漏报一次扣0.5分，最多扣2分", 4, ItemInputs(events=events("late", 6)))
    assert result.score == 2
    assert result.reason == "迟报6次扣3分，以最多扣2分为限，得2分"


def test_no_events_no_deduction() -> None:
    result = score("未按时报送的每次扣0.5分", 2)
    assert result.score == 2 and result.reason == "未发现扣分情形，得2分"


# ---------------------------------------------------------------- per occurrence
def test_per_occurrence_floors_at_zero() -> None:
    # 5 × 1 from 3 points: floor 0
    result = score("每件扣1分", 3, ItemInputs(events=events("扣分情形", 5)))
    assert result.score == 0
    assert result.reason == "扣分情形5件扣5分，扣至0分为止，得0分"


def test_per_occurrence_cap() -> None:
    # 3 missing × 2 = 6, at most 5: 8 − 5 = 3
    result = score("每缺一项扣两分，最多扣五分", 8, ItemInputs(events=events("缺", 3)))
    assert result.score == 3


def test_additive_rule_starts_from_nothing_and_stops_at_its_cap() -> None:
    # 3 × 0.5 = 1.5; 6 × 0.5 = 3 capped at 2
    assert score("每开展一次加0.5分，最高加2分", 2, ItemInputs(events=events("开展", 3))).score == 1.5
    capped = score("每开展一次加0.5分，最高加2分", 2, ItemInputs(events=events("开展", 6)))
    assert capped.score == 2 and capped.reason == "开展6次加3分，以最多加2分为限，得2分"
    assert score("每开展一次加0.5分，最高加2分", 2).reason == "未发现加分情形，得0分"


def test_a_condition_counts_once() -> None:
    # 未制定…的扣1分 twice recorded → 1 deduction; 执法人员无证执法 2 人次 → 2: 5 − 1 − 2 = 2
    text = "未制定年度普法计划的扣1分；执法人员无证执法的，每人次扣1分"
    inputs = ItemInputs(events=events("未制定年度普法计划", 2) + events("执法人员无证执法", 2))
    result = score(text, 5, inputs)
    assert result.score == 2
    assert result.reason == "未制定年度普法计划扣1分，执法人员无证执法2人次扣2分，得2分"


def test_events_of_no_clause_are_named_and_not_counted() -> None:
    result = score("每件扣1分", 3, ItemInputs(events=events("扣分情形", 1) + events("late", 1)))
    assert result.score == 2
    assert "另有1条记录（late）不属于本项评分标准，未计分" in result.reason


# ---------------------------------------------------------------- criterion
@pytest.mark.parametrize(("level", "share", "expected"), [
    ("full", None, 8),                 # all 8
    ("none", None, 0),                 # 未开展 → 0
    ("partial", 0.75, 6),              # 酌情 75% of 8
    ("部分未达到要求", 0.25, 2),        # by the level's label
])
def test_criterion_levels(level: str, share: float | None, expected: float) -> None:
    result = score("部分未达到要求的酌情扣分；未开展的为0分", 8, ItemInputs(criterion=level, share=share))
    assert result.score == expected


def test_criterion_with_a_stated_share() -> None:
    # 基本达到 得一半: 3 × 0.5 = 1.5
    result = score("达到要求得满分，基本达到得一半分", 3, ItemInputs(criterion="基本达到"))
    assert result.score == 1.5 and result.reason == "基本达到（按50%计），得1.5分"


def test_graded_criterion_by_label() -> None:
    # 较好 = 3 of 5
    assert score("好的得5分，较好的得3分，一般的得1分，差的不得分", 5, ItemInputs(criterion="较好")).score == 3
    with pytest.raises(ScoringError, match="多档"):
        score("好的得5分，较好的得3分，一般的得1分，差的不得分", 5, ItemInputs(criterion="partial"))


def test_criterion_not_judged_or_discretion_not_given_is_pending() -> None:
    assert score("未开展的不得分", 3).score is None
    pending = score("部分未达到要求的酌情扣分；未开展的为0分", 8, ItemInputs(criterion="partial"))
    assert pending.pending and pending.reason == "部分未达到要求，待评定：酌情确定的得分比例"


def test_criterion_refuses_what_the_rule_does_not_have() -> None:
    with pytest.raises(ScoringError, match="没有“partial”这一档"):
        score("未开展的不得分", 3, ItemInputs(criterion="partial"))
    # 视情扣1-3分 of 6: a share of 0.9 deducts 0.6, below the range
    with pytest.raises(ScoringError, match="应扣 1 至 3 分"):
        score("工作开展不到位的，视情扣1-3分", 6, ItemInputs(criterion="partial", share=0.9))
    # a share of 0.5 deducts 3: allowed → 3
    assert score("工作开展不到位的，视情扣1-3分", 6, ItemInputs(criterion="partial", share=0.5)).score == 3


def test_criterion_with_deductions() -> None:
    # 述法 done (full 5), 未听取汇报 −2 → 3; 述法 not done → 0 whatever else
    text = "未按要求听取法治建设工作汇报的扣2分；年度述法未开展的不得分"
    hearing = events("未按要求听取法治建设工作汇报", 1)
    assert score(text, 5, ItemInputs(criterion="full", events=hearing)).score == 3
    assert score(text, 5, ItemInputs(criterion="none", events=hearing)).score == 0


# ---------------------------------------------------------------- rate and survey
def test_rate_below_target() -> None:
    # 100 − 96 = 4 points × 0.5 = 2: 7 − 2 = 5
    result = score("出庭应诉率达到100%的得满分，每低1个百分点扣0.5分", 7, ItemInputs(rate=96, evidence=("法院通报",)))
    assert result.score == 5
    assert result.reason == "出庭应诉率96%，比目标100%低4个百分点，扣2分，得5分"
    assert "法院通报" in result.details[-1].evidence


def test_rate_rounding_up_zero_below_and_proportional() -> None:
    # 95 − 91.5 = 3.5 → 2 started steps of 2 → 2 × 1 = 2: 6 − 2 = 4
    text = "纠错率达到95%以上的得满分，每低2个百分点扣1分，不足2个百分点的按2个百分点计"
    assert score(text, 6, ItemInputs(rate=91.5)).score == 4
    # 75% < 80%: nothing
    text = "群众满意率达到90%以上的得满分，每低1个百分点扣0.5分，低于80%的不得分"
    assert score(text, 10, ItemInputs(rate=75)).score == 0
    # 82%: 90 − 82 = 8 × 0.5 = 4 → 6; 95%: full
    assert score(text, 10, ItemInputs(rate=82)).score == 6
    assert score(text, 10, ItemInputs(rate=95)).score == 10
    # proportional: 5 × 80 / 100 = 4
    assert score("按实际完成比例计分", 5, ItemInputs(rate=80)).score == 4


def test_survey() -> None:
    # 10 × 92.5 / 100 = 9.25; 88 × 10% = 8.8
    assert score("按群众满意率测评结果折算", 10, ItemInputs(survey=92.5)).score == 9.25
    assert score("满意度测评得分×10%", 10, ItemInputs(survey=88)).score == 8.8
    with pytest.raises(ScoringError):
        score("按群众满意率测评结果折算", 10, ItemInputs(survey=120))
    assert score("按群众满意率测评结果折算", 10).pending


# ---------------------------------------------------------------- flags and manual scores
def test_false_report_scores_the_item_at_its_share() -> None:
    # 每件扣1分 once (4), then 核查不实 → 0
    text = "每件扣1分；核查不实的从重扣分"
    result = score(text, 5, ItemInputs(events=events("扣分情形", 1), false_report=True))
    assert result.score == 0 and "核查不实，本项不得分" in result.reason
    # 得分减半: at most 2.5 of 5
    assert score("达到要求得满分；填报数据经核查不实的，本项得分减半", 5,
                 ItemInputs(criterion="full", false_report=True)).score == 2.5


def test_false_report_flag_without_the_clause_does_nothing_and_says_so() -> None:
    result = score("每件扣1分", 5, ItemInputs(false_report=True))
    assert result.score == 5 and "没有相应规定" in result.reason


def test_manual_items() -> None:
    assert score_item(5, None, ItemInputs(manual=4)).score == 4
    assert score_item(5, {"kind": "manual"}).pending
    with pytest.raises(ScoringError, match="超出本项分值范围"):
        score_item(5, None, ItemInputs(manual=6))
    with pytest.raises(ScoringError, match="不接受人工评分"):
        score("每件扣1分", 5, ItemInputs(manual=3))


def test_partly_understood_rule_computes_what_it_can_and_accepts_a_manual_score() -> None:
    text = "每件扣1分，工作创新突出的由考评组综合评定加分"
    computed = score(text, 5, ItemInputs(events=events("扣分情形", 1)))
    assert computed.score == 4 and "需人工判断" in computed.reason
    assert score(text, 5, ItemInputs(manual=4.5)).score == 4.5


def test_penalty_and_bonus_items() -> None:
    # penalty item of 3: 3 × 1.5 = 4.5, at most 3 → −3
    penalty = score("因违法行政造成重大负面影响的，每起扣1.5分", 3, ItemInputs(events=events("因违法行政造成重大负面影响", 3)),
                    kind="penalty")
    assert (penalty.score, penalty.min, penalty.max) == (-3, -3, 0)
    assert penalty.reason == "因违法行政造成重大负面影响3起扣4.5分，本项最多扣3分，得-3分"
    # a bonus item that both adds and deducts: +3 − 1.5 = 1.5
    mixed = "获得国家级表彰的加3分；被上级通报批评的，每次扣1.5分"
    inputs = ItemInputs(events=events("获得国家级表彰", 1) + events("被上级通报批评", 1))
    assert score(mixed, 3, inputs, kind="bonus").score == 1.5


def test_suggest_is_the_same_computation_flagged() -> None:
    rule = parse_rule("迟报一次扣0.5分", 2).rule
    s = suggest(2, rule, ItemInputs(events=events("late", 1)))
    assert s.suggested and s.score == 1.5 and not score_item(2, rule, ItemInputs(events=events("late", 1))).suggested


# ---------------------------------------------------------------- blocks
def test_bonus_block_capped_both_ways() -> None:
    block = Block("附加项", None, "bonus", 3)
    plus = [ItemScore(2, 2, ""), ItemScore(2, 3, "")]
    assert score_block(block, plus).score == 3  # 4, capped at 3
    minus = [ItemScore(-3, 0, "", min=-3), ItemScore(-2, 0, "", min=-2)]
    assert score_block(block, minus).score == -3  # −5, capped at −3
    assert score_block(block, plus + minus[:1]).score == 1  # 2 + 2 − 3 = 1


def test_rescale() -> None:
    assert rescale(42, 50, 100) == 84
    assert rescale(36.5, 50, 100) == 73


# ---------------------------------------------------------------- totals
def _county_inputs() -> dict[str, ItemInputs]:
    return {
        "1.1": ItemInputs(events=events("late", 1)),                     # 2 − 0.5 = 1.5
        "1.2": ItemInputs(criterion="full"),                               # 3
        "2.1": ItemInputs(events=events("发现未按规定公示执法信息", 2)),    # 8 − 1 = 7
        "2.2": ItemInputs(rate=87),                                        # 6 − 3 × 0.5 = 4.5
        "2.3": ItemInputs(events=events("未按要求组织执法人员培训", 1) + events("执法人员无证执法", 1)),  # 5 − 3 = 2
        "2.4": ItemInputs(criterion="partial", share=0.75),                # 6
        "3.2": ItemInputs(rate=98),                                        # 7 − 1 = 6
        "3.3": ItemInputs(events=events("发生行政诉讼败诉案件", 1)),        # 6 − 1 = 5
        "4.1": ItemInputs(criterion="full"),                               # 8
        "4.2": ItemInputs(events=events("少", 1)),                         # 6 − 1 = 5
        "4.3": ItemInputs(events=events("开展主题宣传活动", 4)),            # 4
        "4.4": ItemInputs(criterion="基本达到"),                           # 2
        "5.1": ItemInputs(criterion="full"),                               # 5
        "5.2": ItemInputs(events=events("late", 1)),                       # 4 − 1 = 3
        "5.3": ItemInputs(criterion="full"),                               # 3
        "6.1": ItemInputs(survey=85),                                      # 8.5
        "7.1": ItemInputs(events=events("获得省级表彰", 1)),                # +1
        "7.2": ItemInputs(events=events("法治建设经验做法被上级推广", 2)),  # +2
        "7.3": ItemInputs(events=events("因违法行政造成重大负面影响", 1)),  # −1.5
    }                                                                      # 3.1: 6


def _scores(profile: Profile, inputs: dict[str, ItemInputs]) -> dict[str, ItemScore]:
    return {i.ref: score_item(i.points, i.rule, inputs.get(i.ref), kind=i.kind) for i in profile.items}


def test_county_total_with_bonus_counted_in_the_100() -> None:
    profile = demo_profile("county")
    result = total(_scores(profile, _county_inputs()), profile)
    # 立法 4.5 + 执法 19.5 + 司法 17 + 普法 19 + 组织 11 + 测评 8.5 = 79.5; 附加 1 + 2 − 1.5 = 1.5
    assert result.score == 81 and result.max == 100
    assert result.reason == "各项得分合计79.5分，加扣分项加1.5分，总分81分"
    assert [b.score for b in result.blocks] == [4.5, 19.5, 17, 19, 11, 8.5, 1.5]


def test_county_bonus_capped_at_three() -> None:
    profile = demo_profile("county")
    inputs = {**_county_inputs(), "7.1": ItemInputs(events=events("获得国家级表彰或命名", 1)),
              "7.3": ItemInputs()}
    # 附加 3 + 2 = 5, capped at 3: 79.5 + 3 = 82.5
    result = total(_scores(profile, inputs), profile)
    assert result.score == 82.5
    assert "附加项（加、扣分项）加3分（加扣分合计5分，以3分为限）" == result.blocks[-1].reason


def test_department_scored_out_of_50_and_rescaled_to_100() -> None:
    profile = demo_profile("department")
    inputs = {"3a": ItemInputs(rate=90), "4": ItemInputs(events=events("开展以案释法活动", 3)),
              "7": ItemInputs(events=events("因法治工作被上级通报批评", 1))}
    # an enforcement department: 10 + 8 + (12 − 10) + 6 + 10 = 36 of 50 → 72; 附加 −1 → 71
    scores = {r: s for r, s in _scores(profile, inputs).items() if r != "3b"}
    result = total(scores, profile)
    assert result.score == 71 and result.max == 103
    assert result.reason == "各项得分合计36分（满分50分），折算为100分制得72分，加扣分项扣1分，总分71分"


def test_shares_weigh_the_blocks() -> None:
    blocks = (Block("通用指标", 100), Block("专用指标", 100), Block("外部评议", 100))
    items = tuple(ProfileItem(b.name, str(n), b.name, 100) for n, b in enumerate(blocks, 1))
    profile = Profile("权重示例", 2024, ("部门",), 100, None, None,
                      {"通用指标": 0.3, "专用指标": 0.5, "外部评议": 0.2}, blocks, items)
    scores = {"1": ItemScore(80, 100, ""), "2": ItemScore(90, 100, ""), "3": ItemScore(70, 100, "")}
    # 80% × 30 + 90% × 50 + 70% × 20 = 24 + 45 + 14 = 83
    assert total(scores, profile).score == 83


def test_veto_zeroes_the_total_with_its_reason() -> None:
    profile = demo_profile("county")
    scores = _scores(profile, _county_inputs())
    vetoed = total(scores, profile, veto="发生重大违法行政案件")
    assert vetoed.score == 0 and vetoed.veto == "发生重大违法行政案件"
    assert vetoed.reason.endswith("一票否决：发生重大违法行政案件，总分记0分")
    # an item whose rule has a 一票否决 clause, flagged
    item = score("发生重大群体性事件的，实行一票否决", 3, ItemInputs(veto=True))
    assert item.veto == "发生重大群体性事件"
    assert total({**scores, "5.3": item}, profile).score == 0


def test_total_names_pending_items_and_refuses_unknown_refs() -> None:
    profile = demo_profile("county")
    scores = _scores(profile, {})
    result = total(scores, profile)
    assert "1.2" in result.pending and "尚未评分" in result.reason
    with pytest.raises(ScoringError, match=r"9\.9"):
        total({**scores, "9.9": ItemScore(1, 1, "")}, profile)
