"""The year-end assessment end to end (issue 11, "Done when"): a 考核细则 sheet, three county
governments of 宜昌市 with tasks and deadlines, a late report deducted with its reason, an annual report
whose facts suggest a score, a scorer's change with a reason, an appeal decided, locked results, a
correction as a new version, a ranking among comparable units — and the refusals on the way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from fazhi import db
from fazhi.accounts.models import AuditEvent
from fazhi.supervision import assessment as A
from fazhi.supervision import assessment_results as R
from fazhi.supervision import models as m
from fazhi.supervision import profiles_store
from fazhi.supervision.access import Actor, Forbidden
from fazhi.units import service as units
from fazhi.units.models import Unit
from tests.supervision import cycle
from tests.supervision.builders import xlsx

D = dt.date.fromisoformat
OFFICE = Actor.cli()

#: 宜昌市's 考核细则 for its counties: title row, 考评项目 merged over its items, points written "2分",
#: 评分标准 with deductions, the scorer of each item, a 合计 row
SHEET = [
    ["宜昌市2025年度县（市、区）法治政府建设考核细则", None, None, None, None, None],
    ["考评项目", "序号", "考评内容", "分值", "评分标准", "评分责任单位"],
    ["一、依法履职（6分）", "1", "按时报送法治政府建设工作进展", "2分", "迟报一次扣0.5分，漏报一次扣1分", "市司法局"],
    [None, "2", "行政机关负责人出庭应诉", "4分", "出庭应诉率达到90%以上的得满分，每低1个百分点扣0.5分", "市司法局"],
    ["二、制度建设（4分）", "3", "规范性文件备案审查", "4分", "达到要求得满分，基本达到得一半分，未开展的不得分", "市司法局"],
    ["合计", None, None, "10分", None, None],
]
MERGES = ["A1:F1", "A3:A4"]

#: 远安县's own annual report (written for this test): its 出庭应诉率 suggests item 2
REPORT = """远安县人民政府关于2025年度法治政府建设情况的报告

2025年，远安县人民政府深入推进法治政府建设。全年办理行政应诉案件12件，行政机关负责人出庭应诉率达到95%。
"""


@dataclass
class World:
    organiser: Unit
    yuanan: Unit
    xingshan: Unit
    zigui: Unit
    justice: Unit
    campaign_id: int
    profile_id: int
    scorer: Actor
    yuanan_user: Actor
    task_b_yuanan: int


@pytest.fixture
def write(migrated: Engine) -> Iterator[sessionmaker[Session]]:
    yield db.session_factory(migrated, write=True)


def _world(s: Session) -> World:
    organiser = units.from_division(s, "湖北省宜昌市")
    by = {u.name: u for u in s.scalars(select(Unit))}
    yuanan, xingshan, zigui = by["远安县人民政府"], by["兴山县人民政府"], by["秭归县人民政府"]
    justice = cycle.unit(s, "宜昌市司法局", "部门-有执法权", "department", organiser, province="湖北省", city="宜昌市")
    imported = profiles_store.import_profile(s, OFFICE, xlsx(SHEET, MERGES), "宜昌市2025年度考核细则.xlsx",
                                             unit_type="县（市、区）")
    c = cycle.campaign(s, organiser, 2025)
    b = {}
    for u, (a_day, b_day, b_status) in {yuanan: ("2025-07-05", "2025-09-20", "accepted"),
                                        xingshan: ("2025-06-28", "2025-09-28", "accepted"),
                                        zigui: ("2025-06-20", None, "assigned")}.items():
        ta = cycle.task(s, c, "报送上半年法治政府建设工作进展", u, "2025-06-30", status="accepted")
        cycle.progress(s, ta, u, a_day, status="accepted")
        tb = cycle.task(s, c, "开展规范性文件备案审查", u, "2025-09-30", ref="3", status=b_status)
        if b_day:
            cycle.progress(s, tb, u, b_day, status="accepted")
        b[u.id] = tb.id
    cycle.store_report(s, REPORT)
    scorer = cycle.user(s, "宜昌市司法局评分员", "unit", justice)
    yuanan_user = cycle.user(s, "远安县填报员", "unit", yuanan)
    return World(organiser, yuanan, xingshan, zigui, justice, c.id, imported.id, scorer, yuanan_user, b[yuanan.id])


def _item(s: Session, w: World, u: Unit, ref: str) -> int:
    return A.find_item(s, w.campaign_id, u.id, ref)


def test_a_campaign_assessed_from_the_record_to_locked_results(write) -> None:
    with write.begin() as s:
        w = _world(s)
        # the office registers the three counties (宜昌市 has more) and opens the assessment
        opened = A.open_campaign(s, OFFICE, w.campaign_id, as_of=D("2025-12-31"), profile_ids=[w.profile_id],
                                 unit_ids=[w.yuanan.id, w.xingshan.id, w.zigui.id])
        assert sorted(opened.opened) == ["兴山县人民政府", "秭归县人民政府", "远安县人民政府"]
        assert opened.items == 9 and opened.unresolved_scorers == []

    with write.begin() as s:
        # late report: 远安县 reported the 6月30日 task on 7月5日 → 2 − 0.5
        item1 = A.item_view(s, OFFICE, _item(s, w, w.yuanan, "1"))
        assert item1.suggested_score == 1.5
        assert "迟报1次扣0.5分" in (item1.suggestion_reason or "")
        assert [e["kind"] for e in item1.events] == ["late"]
        assert "2025-06-30前报送，2025-07-05报送，迟5天" in item1.events[0]["note"]
        # missing report: 秭归县 never reported the 9月30日 task → 2 − 1
        z1 = A.item_view(s, OFFICE, _item(s, w, w.zigui, "1"))
        assert z1.suggested_score == 1 and "漏报1次扣1分" in (z1.suggestion_reason or "")
        # the annual report's fact suggests item 2 for 远安县 (95% ≥ 90%): full marks, with the sentence
        item2 = A.item_view(s, OFFICE, _item(s, w, w.yuanan, "2"))
        assert item2.suggested_score == 4
        assert any(e["kind"] == "report_fact" and "出庭应诉率达到95%" in e["quote"] for e in item2.evidence)
        # no report from 兴山县: nothing to suggest, and the reason says what is missing
        x2 = A.item_view(s, OFFICE, _item(s, w, w.xingshan, "2"))
        assert x2.suggested_score is None and "出庭应诉率" in (x2.suggestion_reason or "")
        # task completion: 远安县's linked task accepted → full; 秭归县's overdue and undone → 0
        assert A.item_view(s, OFFICE, _item(s, w, w.yuanan, "3")).suggested_score == 4
        z3 = A.item_view(s, OFFICE, _item(s, w, w.zigui, "3"))
        assert z3.suggested_score == 0 and "逾期未完成" in " ".join(z3.basis)

    with write.begin() as s:
        # the unit's self score: above the points is refused; within them kept with its note
        with pytest.raises(A.AssessmentError, match="超出本项分值"):
            A.self_score(s, w.yuanan_user, _item(s, w, w.yuanan, "1"), 2.5, "按时报送")
        for ref, value in (("1", 2), ("2", 4), ("3", 4)):
            A.self_score(s, w.yuanan_user, _item(s, w, w.yuanan, ref), value, "已完成")
        assert A.find_assessment(s, w.campaign_id, w.yuanan.id).status == "self_assessed"

    with write.begin() as s:
        # recusal: an office user who belongs to 远安县 cannot score 远安县
        insider = Actor(user_id=None, role="reviewer", unit_id=w.yuanan.id, name="远安县审核员")
        with pytest.raises(Forbidden, match="评分回避"):
            A.score(s, insider, _item(s, w, w.yuanan, "1"))
        # a unit user scores only the items their unit is the 评分责任单位 of
        with pytest.raises(Forbidden):
            A.score(s, w.yuanan_user, _item(s, w, w.xingshan, "1"))
        # the scorer confirms suggestions; a different score needs a reason
        for u in (w.yuanan, w.xingshan, w.zigui):
            for ref in ("1", "3"):
                A.score(s, w.scorer, _item(s, w, u, ref))
        A.score(s, w.scorer, _item(s, w, w.yuanan, "2"))
        with pytest.raises(A.AssessmentError, match="请写明"):
            A.score(s, w.scorer, _item(s, w, w.xingshan, "2"), 3)
        A.score(s, w.scorer, _item(s, w, w.xingshan, "2"), 3, "据市中级法院统计，出庭应诉率为88%")
        A.score(s, w.scorer, _item(s, w, w.zigui, "2"), 4, "据市中级法院统计，出庭应诉率为100%")

    with write.begin() as s:
        y1 = A.item_view(s, OFFICE, _item(s, w, w.yuanan, "1"))
        # three scores kept apart: the unit's 2, the suggestion 1.5, the scorer's 1.5 with the rule's reason
        assert (y1.self_score, y1.suggested_score, y1.scorer_score) == (2, 1.5, 1.5)
        assert "迟报1次扣0.5分" in (y1.scorer_reason or "")
        found = {r.unit["name"]: r for r in R.results(s, OFFICE, w.campaign_id)}
        # 远安 1.5+4+4, 兴山 2+3+4, 秭归 1+4+0
        assert {k: r.reviewed for k, r in found.items()} == {"远安县人民政府": 9.5, "兴山县人民政府": 9,
                                                            "秭归县人民政府": 5}
        assert found["远安县人民政府"].self == 10
        assert found["远安县人民政府"].rank == 1
        assert found["秭归县人民政府"].rank_among.startswith("在 3 个县级政府中排第 3")
        assert [d.ref for d in found["秭归县人民政府"].deductions] == ["3", "1"]
        assert A.board(s, OFFICE, w.campaign_id) == A.Board(3, {"已评分": 3}, 9, 3, 7, 9, 0)
        A.notify(s, OFFICE, w.campaign_id, as_of=D("2026-01-10"), appeal_days=5)

    with write.begin() as s:
        # 秭归县 appeals item 1 in time; 兴山县 too late
        ap = A.appeal(s, OFFICE, _item(s, w, w.zigui, "1"), "9月份任务已于9月25日通过公文报送，附收文登记", as_of=D("2026-01-12"))
        with pytest.raises(A.AssessmentError, match="申辩期已于2026-01-15结束"):
            A.appeal(s, OFFICE, _item(s, w, w.xingshan, "2"), "出庭应诉率统计有误", as_of=D("2026-01-16"))
        assert [(a.unit, a.ref) for a in A.open_appeals(s, OFFICE, w.campaign_id)] == [("秭归县人民政府", "1")]
        assert A.board(s, OFFICE, w.campaign_id).open_appeals == 1
        # after the window the others are locked; nothing is final while an appeal is open
        first = A.lock(s, OFFICE, w.campaign_id, as_of=D("2026-01-20"))
        assert sorted(first.done) == ["兴山县人民政府", "远安县人民政府"]
        assert first.not_ready == ["秭归县人民政府：有待处理的申辩"]

    with write.begin() as s:
        A.decide(s, OFFICE, ap.id, outcome="upheld", decision="经核实收文登记，属按时报送", value=2)
        assert A.lock(s, OFFICE, w.campaign_id, as_of=D("2026-01-20")).done == ["秭归县人民政府"]

    with write.begin() as s:
        z = R.unit_result(s, OFFICE, w.campaign_id, w.zigui.id)
        assert (z.reviewed, z.final, z.status) == (5, 6, "locked")  # the pre-appeal score stays visible
        z_item = next(i for i in z.items if i.ref == "1")
        assert (z_item.score, z_item.reason) == (2, "申辩成立：经核实收文登记，属按时报送")
        # a scorer's change after locking is refused; a correction is a new version
        with pytest.raises(A.AssessmentError):
            A.score(s, w.scorer, _item(s, w, w.xingshan, "2"), 3.5, "复核")
        v = A.correct(s, OFFICE, _item(s, w, w.xingshan, "2"), 3.5, "法院补报数据，出庭应诉率为89%")
        assert (v.version, v.final) == (2, 9.5)

    with write.begin() as s:
        x = A.find_assessment(s, w.campaign_id, w.xingshan.id)
        versions = {v.version: v.snapshot["final"] for v in
                    s.scalars(select(m.AssessmentVersion).where(m.AssessmentVersion.assessment_id == x.id))}
        assert versions == {1: 9, 2: 9.5}  # the locked result is never overwritten
        actions = set(s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("assessment.%"))))
        assert {"assessment.open", "assessment.self_score", "assessment.score", "assessment.notify",
                "assessment.appeal", "assessment.decide", "assessment.lock", "assessment.correct"} <= actions
        # 远安 9.5 and 兴山 9.5 now share the first place
        found = {r.unit["name"]: r for r in R.results(s, OFFICE, w.campaign_id)}
        assert found["兴山县人民政府"].rank == found["远安县人民政府"].rank == 1
        assert "并列" in found["兴山县人民政府"].rank_among


def test_a_unit_user_sees_only_its_own_result_and_a_deleted_file_is_flagged(write) -> None:
    with write.begin() as s:
        w = _world(s)
        cycle.evidence(s, "task", w.task_b_yuanan, "备案审查台账", deleted=True)
        A.open_campaign(s, OFFICE, w.campaign_id, as_of=D("2025-12-31"), profile_ids=[w.profile_id],
                        unit_ids=[w.yuanan.id, w.xingshan.id, w.zigui.id])
    with write.begin() as s:
        mine = R.results(s, w.yuanan_user, w.campaign_id)
        assert [r.unit["name"] for r in mine] == ["远安县人民政府"]
        assert mine[0].flags == ["第 3 项：证据“备案审查台账”的文件已删除，但仍关联在本项，未作为评分依据"]
        with pytest.raises(Exception, match="没有这个考核项目"):
            A.item_view(s, w.yuanan_user, _item(s, w, w.xingshan, "1"))


def test_applicability_by_hand_needs_a_reason_and_changes_the_total(write) -> None:
    with write.begin() as s:
        w = _world(s)
        A.open_campaign(s, OFFICE, w.campaign_id, as_of=D("2025-12-31"), profile_ids=[w.profile_id],
                        unit_ids=[w.xingshan.id])
        ia = _item(s, w, w.xingshan, "2")
        with pytest.raises(A.AssessmentError, match="理由"):
            A.set_applicability(s, OFFICE, ia, False, " ")
        view = A.set_applicability(s, OFFICE, ia, False, "本年度无行政诉讼案件")
        assert not view.applicable and view.applicability_manual and "本年度无行政诉讼案件" in view.applicability_reason
        with pytest.raises(A.AssessmentError, match="不适用"):
            A.score(s, OFFICE, ia, 4, "x")
        for ref in ("1", "3"):
            A.score(s, OFFICE, _item(s, w, w.xingshan, ref))
        a = A.find_assessment(s, w.campaign_id, w.xingshan.id)
        assert (a.status, a.reviewed_total) == ("reviewed", 6)  # 2 + 4, item 2 left out


def test_units_of_other_types_are_not_assessed_under_a_county_profile(write) -> None:
    with write.begin() as s:
        w = _world(s)
        opened = A.open_campaign(s, OFFICE, w.campaign_id, as_of=D("2025-12-31"), profile_ids=[w.profile_id])
        # every registered county-level government below 宜昌市, not the 司法局 (a department)
        assert len(opened.opened) == 13
        assert opened.skipped == ["宜昌市司法局（部门-有执法权）：没有适用于该类单位的考核细则"]
        assert s.scalar(select(func.count()).select_from(m.Assessment)) == 13
