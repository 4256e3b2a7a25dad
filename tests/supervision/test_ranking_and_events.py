"""The pure rules under the assessment: late and missing reports from deadlines and submissions, task
completion as a criterion level, which units a profile covers, ranking among comparable units only."""

from __future__ import annotations

import datetime as dt

from fazhi.supervision import ranking
from fazhi.supervision.assessment import covered_types
from fazhi.supervision.assessment_inputs import Submission, TaskRecord, completion, reporting_events

D = dt.date.fromisoformat


def _task(*deadlines: str, status: str = "assigned", title: str = "报送季度进展") -> TaskRecord:
    return TaskRecord(7, title, tuple(D(d) for d in deadlines), status, None, None, frozenset({1}))


def _sub(day: str, n: int = 1) -> Submission:
    return Submission(n, D(day), "submitted")


def test_a_submission_after_its_deadline_is_late_and_a_passed_deadline_without_one_is_missing() -> None:
    quarterly = _task("2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31")
    events = reporting_events(quarterly, [_sub("2025-03-28", 1), _sub("2025-07-03", 2)], D("2025-11-15"))
    # Q1 on time, Q2 three days late, Q3 missing by 15 November, Q4 not due yet
    assert [(e.kind, e.date, e.ref) for e in events] == [("late", D("2025-07-03"), "progress:2"),
                                                         ("missing", D("2025-09-30"), "task:7")]
    assert events[0].note == "任务“报送季度进展”应于2025-06-30前报送，2025-07-03报送，迟3天"


def test_a_submission_on_the_deadline_day_is_on_time_and_nothing_is_missing_before_the_deadline() -> None:
    assert reporting_events(_task("2025-06-30"), [_sub("2025-06-30")], D("2025-12-31")) == []
    assert reporting_events(_task("2025-06-30"), [], D("2025-06-30")) == []
    assert [e.kind for e in reporting_events(_task("2025-06-30"), [], D("2025-07-01"))] == ["missing"]


def test_an_accepted_task_without_progress_on_record_has_no_events() -> None:
    assert reporting_events(_task("2025-06-30", status="accepted"), [], D("2025-12-31")) == []


def test_task_completion_suggests_a_criterion_level() -> None:
    done, half, late, early = (_task("2025-06-30", status=s) for s in ("accepted", "submitted", "assigned", "assigned"))
    assert completion([done, done], D("2025-12-31")) == ("full", "关联任务2项均已通过审核")
    assert completion([done, half], D("2025-12-31"))[0] == "partial"
    assert completion([late], D("2025-12-31")) == ("none", "关联任务1项均逾期未完成")
    assert completion([early], D("2025-05-01"))[0] is None  # not due yet: not judged


def test_which_unit_types_a_profile_covers() -> None:
    assert covered_types(["县（市、区）"]) == {"政府"}
    assert covered_types(["乡镇（街道）"]) == {"乡镇", "街道"}
    assert covered_types(["县直部门"]) == {"部门-有执法权", "部门-无执法权"}
    assert covered_types(["有行政执法权的部门"]) == {"部门-有执法权"}
    assert covered_types(["部门-无执法权"]) == {"部门-无执法权"}
    assert covered_types([]) is None


def test_units_are_ranked_only_among_units_of_the_same_type_and_level() -> None:
    entries = [ranking.Entry("兰州新区", "政府", "county", 88, 100), ranking.Entry("永登县", "政府", "county", 91, 100),
               ranking.Entry("皋兰县", "政府", "county", 88, 100), ranking.Entry("红古区", "政府", "county", None, 100),
               ranking.Entry("西固区司法局", "部门-有执法权", "department", 97, 100)]
    placed = ranking.rank(entries)
    assert placed["永登县"].among == "在 3 个县级政府中排第 1"
    assert (placed["兰州新区"].rank, placed["皋兰县"].rank) == (2, 2)
    assert placed["皋兰县"].among == "在 3 个县级政府中排第 2（与另 1 个单位并列）"
    assert placed["红古区"].rank is None and "未参加排名" in placed["红古区"].among
    # the department is not ranked against governments, and alone in its group it is not ranked at all
    assert placed["西固区司法局"].rank is None and "有行政执法权的部门" in placed["西固区司法局"].among


def test_scores_under_different_full_marks_are_compared_out_of_100() -> None:
    placed = ranking.rank([ranking.Entry("a", "乡镇", "township", 45, 50), ranking.Entry("b", "乡镇", "township", 85, 100)])
    assert (placed["a"].rank, placed["a"].ranked_on) == (1, 90)
    assert placed["b"].among == "在 2 个乡镇中排第 2（按百分制折算后比较）"


def test_the_change_on_last_year_in_words() -> None:
    assert ranking.describe_change(86.5, 84) == "比上年提高 2.5 分"
    assert ranking.describe_change(80, 84) == "比上年下降 4 分"
    assert ranking.describe_change(84, 84) == "与上年持平"
    assert ranking.describe_change(84, None) == ""
