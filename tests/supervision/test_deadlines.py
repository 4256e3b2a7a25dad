"""deadlines.parse_due: every way offices write a 完成时限, for a campaign of 2025."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from fazhi.supervision.deadlines import parse_due

Y = 2025
QUARTER_ENDS = (date(2025, 3, 31), date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31))
MONTH_ENDS = (date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30), date(2025, 5, 31),
              date(2025, 6, 30), date(2025, 7, 31), date(2025, 8, 31), date(2025, 9, 30), date(2025, 10, 31),
              date(2025, 11, 30), date(2025, 12, 31))


@pytest.mark.parametrize(("text", "due"), [
    ("2025年6月底前", date(2025, 6, 30)),
    ("6月底前", date(2025, 6, 30)),
    ("9月30日前", date(2025, 9, 30)),
    ("3月31日前", date(2025, 3, 31)),
    ("年底前", date(2025, 12, 31)),
    ("年内", date(2025, 12, 31)),
    ("12月底前", date(2025, 12, 31)),
    ("2025年底前完成", date(2025, 12, 31)),
    ("2025年度内", date(2025, 12, 31)),
    ("2025年10月", date(2025, 10, 31)),          # a month alone: its last day
    ("2月", date(2025, 2, 28)),
    ("2025年6月中旬", date(2025, 6, 20)),
    ("上半年", date(2025, 6, 30)),
    ("下半年", date(2025, 12, 31)),
    ("2025年上半年", date(2025, 6, 30)),
    ("一季度", date(2025, 3, 31)),
    ("第一季度末", date(2025, 3, 31)),
    ("二季度前", date(2025, 6, 30)),              # "by the end of Q2", as offices use it
    ("第三季度", date(2025, 9, 30)),
    ("六月底前", date(2025, 6, 30)),
    ("十二月三十一日前", date(2025, 12, 31)),
    ("二〇二五年九月", date(2025, 9, 30)),
    ("二〇二五年十一月二十日前", date(2025, 11, 20)),
    ("２０２５年６月３０日前", date(2025, 6, 30)),   # full-width digits
    ("2025.6.30", date(2025, 6, 30)),
    ("2025-06-30", date(2025, 6, 30)),
    ("2025/6/30", date(2025, 6, 30)),
    ("2025.9", date(2025, 9, 30)),
    ("6.30前", date(2025, 6, 30)),
    ("20250630", date(2025, 6, 30)),
    ("次年3月底前", date(2026, 3, 31)),
    ("明年1月", date(2026, 1, 31)),
    ("2026年1月", date(2026, 1, 31)),
    ("2025年3月—6月", date(2025, 6, 30)),         # a range counts by its end
    ("3-6月", date(2025, 6, 30)),
    ("3月至6月底", date(2025, 6, 30)),
    ("3月1日至6月30日", date(2025, 6, 30)),
    ("2025年11月—2026年2月", date(2026, 2, 28)),
    (" 2025年 6月 底前 ", date(2025, 6, 30)),
])
def test_single_deadlines(text: str, due: date) -> None:
    result = parse_due(text, Y)
    assert (result.due, result.milestones, result.recognised, result.periodic, result.ongoing) == (
        due, (due,), True, None, False)
    assert result.text == text.strip()


def test_several_dates_are_milestones_and_the_last_is_due() -> None:
    result = parse_due("6月底前完成初稿，9月底前印发实施", Y)
    assert result.milestones == (date(2025, 6, 30), date(2025, 9, 30))
    assert result.due == date(2025, 9, 30)


@pytest.mark.parametrize(("text", "periodic", "milestones"), [
    ("每季度末", "quarterly", QUARTER_ENDS),
    ("按季度报送", "quarterly", QUARTER_ENDS),
    ("每月", "monthly", MONTH_ENDS),
    ("每月底", "monthly", MONTH_ENDS),
    ("每半年", "half-yearly", (date(2025, 6, 30), date(2025, 12, 31))),
    ("每年", "yearly", (date(2025, 12, 31),)),
])
def test_recurring_work_has_a_milestone_per_period_and_is_due_at_the_last(
        text: str, periodic: str, milestones: tuple[date, ...]) -> None:
    result = parse_due(text, Y)
    assert (result.periodic, result.milestones, result.due, result.recognised) == (
        periodic, milestones, milestones[-1], True)


def test_monthly_on_a_given_day() -> None:
    result = parse_due("每月10日前报送上月情况", Y)
    assert result.milestones[:3] == (date(2025, 1, 10), date(2025, 2, 10), date(2025, 3, 10))
    assert len(result.milestones) == 12 and result.due == date(2025, 12, 10)


@pytest.mark.parametrize("text", ["长期坚持", "持续推进", "常态化开展"])
def test_ongoing_work_is_recognised_without_a_due_date(text: str) -> None:
    result = parse_due(text, Y)
    assert (result.recognised, result.ongoing, result.due, result.milestones, result.periodic) == (
        True, True, None, (), None)


def test_ongoing_with_a_date() -> None:
    result = parse_due("2025年6月底前完成，长期坚持", Y)
    assert (result.due, result.ongoing, result.periodic) == (date(2025, 6, 30), True, None)


def test_ongoing_with_a_period_reports_periodically() -> None:
    result = parse_due("长期坚持，每季度报送进展", Y)
    assert (result.ongoing, result.periodic, result.milestones, result.due) == (
        True, "quarterly", QUARTER_ENDS, date(2025, 12, 31))


@pytest.mark.parametrize(("text", "reason"), [
    ("视情况", "“视情况”不是具体的完成时限"),
    ("根据上级要求", "“根据上级要求”不是具体的完成时限"),
    ("另行通知", "“另行通知”不是具体的完成时限"),
    ("2月30日", "“2月30日”不是有效的日期"),
    ("2025年13月", "不是有效的日期"),
    ("", "没有填写完成时限"),
    ("—", "没有填写完成时限"),
    ("尽快", "无法从“尽快”中读出完成时限"),
])
def test_unreadable_deadlines_are_not_recognised_and_say_why(text: str, reason: str) -> None:
    result = parse_due(text, Y)
    assert (result.recognised, result.due, result.milestones) == (False, None, ())
    assert reason in result.reason


def test_excel_dates_and_date_serials() -> None:
    assert parse_due(datetime(2025, 6, 30), Y).due == date(2025, 6, 30)
    assert parse_due(datetime(2025, 6, 30), Y).text == "2025-06-30"
    assert parse_due(date(2025, 9, 1), Y).milestones == (date(2025, 9, 1),)
    assert parse_due(45838, Y).due == date(2025, 6, 30)  # 45838 days after 1899-12-30


def test_a_decimal_number_is_ambiguous() -> None:
    result = parse_due(6.3, Y)  # "6.30" typed into a number cell
    assert not result.recognised and "6.3" in result.reason


def test_relative_deadlines_need_today() -> None:
    assert not parse_due("立即整改", Y).recognised
    assert parse_due("立即整改", Y, today=date(2025, 5, 6)).due == date(2025, 5, 6)
    assert parse_due("本月底前", Y, today=date(2025, 5, 6)).due == date(2025, 5, 31)
    assert parse_due("下月底前", Y, today=date(2025, 12, 6)).due == date(2026, 1, 31)
    assert parse_due("本季度末", Y, today=date(2025, 5, 6)).due == date(2025, 6, 30)


def test_the_campaign_year_decides_a_month_without_a_year() -> None:
    assert parse_due("6月底前", 2024).due == date(2024, 6, 30)
    assert parse_due("2月底前", 2024).due == date(2024, 2, 29)
