"""Progress and review (督导): the state machine, milestones covered by accepted progress, the leader's
confirmation, returns with a reason, the board per unit, and the export with status columns."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import select

from fazhi.accounts.models import AuditEvent
from fazhi.supervision import progress, tasks
from fazhi.supervision.access import Forbidden
from fazhi.supervision.errors import InputError
from fazhi.supervision.models import Reminder
from fazhi.supervision.tasks import light_of
from tests.supervision.builders import Text
from tests.supervision.cycle_helpers import OFFICE, by_title, imported, tx, unit_actor, unit_id

D = dt.date
ROWS = [[1, "开展行政执法案卷评查", "县司法局", "县公安局", "每季度末"],
        [2, "修订行政裁量权基准", "县公安局", None, "2025年6月底前"],
        [3, Text("=SUM(A1:A9) 规范涉企行政检查"), "县市场监管局", None, "2025年9月底前"]]


def _setup(engine, **kw):
    campaign_id, _ = imported(engine, "安吉县", ROWS, **kw)
    found = by_title(engine, campaign_id)
    return campaign_id, found, unit_id(engine, "安吉县司法局"), unit_id(engine, "安吉县公安局")


def test_light_of_a_task_on_a_date() -> None:
    quarters = [D(2025, 3, 31), D(2025, 6, 30), D(2025, 9, 30), D(2025, 12, 31)]
    assert light_of(quarters, "assigned", None, D(2025, 3, 20), 7).light == "on_track"
    assert light_of(quarters, "assigned", None, D(2025, 3, 24), 7) == tasks.Light("due_soon", D(2025, 3, 31))
    assert light_of(quarters, "assigned", None, D(2025, 4, 1), 7) == tasks.Light("overdue", D(2025, 3, 31))
    # progress accepted for the second quarter covers the first: the next open node is the third
    assert light_of(quarters, "in_progress", D(2025, 6, 30), D(2025, 7, 1), 7) == tasks.Light("on_track",
                                                                                             D(2025, 9, 30))
    assert light_of(quarters, "accepted", None, D(2026, 5, 1), 7).light == "on_track"
    assert light_of([], "assigned", None, D(2030, 1, 1), 7).light == "on_track"  # 长期坚持


def test_report_accept_and_return_move_the_task_through_its_states(migrated) -> None:
    _campaign_id, found, justice, _police = _setup(migrated)
    review = found["开展行政执法案卷评查"].id
    with tx(migrated) as s:
        first = progress.report_progress(s, unit_actor(justice), review, "一季度评查案卷40卷",
                                         figures=["评查案卷=40卷"])
        assert (first.period, first.status) == ("2025-03-31", "submitted")
        assert first.figures[0] == {"name": "评查案卷", "indicator": "case_file_reviews", "value": 40, "unit": "卷",
                                    "text": "评查案卷=40卷"}
        assert tasks.get_task(s, OFFICE, review).status == "submitted"
        with pytest.raises(InputError, match="尚待"):
            progress.report_progress(s, unit_actor(justice), review, "再报一次")
        progress.review_progress(s, OFFICE, review, accept=True)
        after = tasks.get_task(s, OFFICE, review, D(2025, 7, 1))
    # the first quarter is accepted, the second passed without accepted progress: overdue, for 6-30
    assert (after.status, after.light, after.next_due) == ("in_progress", "overdue", D(2025, 6, 30))
    with tx(migrated) as s:
        progress.report_progress(s, unit_actor(justice), review, "二季度评查案卷35卷")
        with pytest.raises(InputError, match="原因"):
            progress.review_progress(s, OFFICE, review, accept=False, reason=" ")
        returned = progress.review_progress(s, OFFICE, review, accept=False, reason="缺少评查报告")
        assert (returned.status, returned.returned_reason) == ("returned", "缺少评查报告")
        task = tasks.get_task(s, OFFICE, review, D(2025, 7, 1))
        assert (task.status, task.returned_reason, task.light) == ("returned", "缺少评查报告", "overdue")
        told = s.scalars(select(Reminder.message).where(Reminder.unit_id == justice, Reminder.kind == "returned"))
        assert ["缺少评查报告" in m for m in told] == [True]
        again = progress.report_progress(s, unit_actor(justice), review, "补充评查报告")
        assert again.period == "2025-06-30"
        progress.review_progress(s, OFFICE, review, accept=True)
        assert tasks.get_task(s, OFFICE, review, D(2025, 7, 1)).light == "on_track"
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "task")
                                 .order_by(AuditEvent.id)))
    assert actions == ["task.report", "task.accept", "task.report", "task.return", "task.report", "task.accept"]


def test_the_last_milestone_accepted_finishes_the_task(migrated) -> None:
    campaign_id, found, _justice, police = _setup(migrated)
    task_id = found["修订行政裁量权基准"].id
    with tx(migrated) as s:
        progress.report_progress(s, unit_actor(police), task_id, "已印发裁量基准")
        progress.review_progress(s, OFFICE, task_id, accept=True)
        assert tasks.get_task(s, OFFICE, task_id).status == "accepted"
        with pytest.raises(InputError, match="已办结"):
            progress.report_progress(s, unit_actor(police), task_id, "补充")
        late = [t.title for t in tasks.list_tasks(s, OFFICE, campaign_id, as_of=D(2025, 10, 1), overdue=True)]
    assert late == ["开展行政执法案卷评查", "=SUM(A1:A9) 规范涉企行政检查"]


def test_only_the_lead_unit_reports_and_only_the_office_reviews(migrated) -> None:
    _campaign_id, found, justice, police = _setup(migrated)
    task_id = found["开展行政执法案卷评查"].id
    with tx(migrated) as s:
        with pytest.raises(Forbidden):
            progress.report_progress(s, unit_actor(police), task_id, "配合单位不能代报")
        progress.report_progress(s, unit_actor(justice), task_id, "已完成")
        with pytest.raises(Forbidden):
            progress.review_progress(s, unit_actor(justice), task_id, accept=True)


def test_the_leader_confirms_before_submission_when_the_campaign_says_so(migrated) -> None:
    _campaign_id, found, justice, _police = _setup(migrated, settings={"leader_confirms": True})
    task_id = found["开展行政执法案卷评查"].id
    with tx(migrated) as s:
        saved = progress.report_progress(s, unit_actor(justice, "filler"), task_id, "一季度评查完成")
        assert saved.status == "draft"
        assert tasks.get_task(s, OFFICE, task_id).status == "in_progress"
        with pytest.raises(InputError, match="没有待审核"):
            progress.review_progress(s, OFFICE, task_id, accept=True)
        with pytest.raises(Forbidden, match="主要负责人"):
            progress.submit_progress(s, unit_actor(justice, "filler"), saved.id)
        confirmed = progress.submit_progress(s, unit_actor(justice, "leader"), saved.id)
        assert confirmed.status == "submitted" and confirmed.confirmed_at is not None
        progress.review_progress(s, OFFICE, task_id, accept=True)


def test_board_counts_lights_per_lead_unit(migrated) -> None:
    campaign_id, _found, _justice, _police = _setup(migrated)
    with tx(migrated) as s:
        board = tasks.board(s, OFFICE, campaign_id, D(2025, 7, 1))
    assert board.lights == {"on_track": 1, "due_soon": 0, "overdue": 2}
    per_unit = {u.unit_name: (u.total, u.overdue) for u in board.units}
    assert per_unit == {"安吉县司法局": (1, 1), "安吉县公安局": (1, 1), "安吉县市场监督管理局": (1, 0)}
    assert board.units[-1].unit_name == "安吉县市场监督管理局"  # the units with overdue tasks first


def test_export_has_status_columns_safe_cells_and_a_page_setup(migrated) -> None:
    campaign_id, found, _justice, police = _setup(migrated)
    with tx(migrated) as s:
        progress.report_progress(s, unit_actor(police), found["修订行政裁量权基准"].id, "已印发")
        data = tasks.export_xlsx(s, OFFICE, campaign_id, as_of=D(2025, 7, 1))
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.active
    assert book.properties.creator == "fazhi"
    assert "2025-07-01" in ws["A1"].value and "全部任务" in ws["A1"].value
    assert [c.value for c in ws[2]] == list(tasks.EXPORT_HEADER)
    rows = {r[2]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    status, light = tasks.EXPORT_HEADER.index("状态"), tasks.EXPORT_HEADER.index("进度")
    assert rows["修订行政裁量权基准"][status] == "已报送"
    assert rows["开展行政执法案卷评查"][light] == "逾期"
    assert rows["开展行政执法案卷评查"][tasks.EXPORT_HEADER.index("截止日期")] == dt.datetime(2025, 12, 31)
    assert rows["开展行政执法案卷评查"][tasks.EXPORT_HEADER.index("原表行号")] == 3
    assert "'=SUM(A1:A9) 规范涉企行政检查" in rows  # text never becomes a formula
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$2"  # the header repeats on every printed page
