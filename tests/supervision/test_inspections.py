"""督察 and 整改: a finding through rectification to 销号 with its documents in the record, overdue items
climbing the escalation ladder, the 问题池 across rounds, a review finding raised in one call."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import docx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from fazhi import db
from fazhi.accounts.models import AuditEvent
from fazhi.corpus.models import Finding
from fazhi.supervision import inspection_documents as docs
from fazhi.supervision import inspections as I
from fazhi.supervision import models as m
from fazhi.supervision.access import Actor, Forbidden
from fazhi.units import service as units
from fazhi.units.models import Unit
from tests.supervision import cycle

D = dt.date.fromisoformat
OFFICE = Actor.cli()


@pytest.fixture
def write(migrated: Engine) -> Iterator[sessionmaker[Session]]:
    yield db.session_factory(migrated, write=True)


def _counties(s: Session) -> tuple[Unit, Unit, Unit]:
    """甘肃省张掖市 and two of its counties (registered from the divisions table)."""
    top = units.from_division(s, "甘肃省张掖市")
    by = {u.name: u for u in s.scalars(select(Unit))}
    return top, by["临泽县人民政府"], by["高台县人民政府"]


def _text(data: bytes) -> str:
    d = docx.Document(io.BytesIO(data))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def test_a_finding_goes_through_rectification_to_closed_with_its_documents(write) -> None:
    with write.begin() as s:
        top, linze, gaotai = _counties(s)
        c = cycle.campaign(s, top, 2025)
        linze_user = cycle.user(s, "临泽县法治办", "unit", linze)
        gaotai_user = cycle.user(s, "高台县法治办", "unit", gaotai)
        case = I.open_case(s, OFFICE, kind="onsite", title="2025年度法治政府建设实地督察", unit_ids=[linze.id, gaotai.id],
                           campaign_id=c.id, started_on=D("2025-10-09"), ended_on=D("2025-10-11"))
        f = I.add_finding(s, OFFICE, unit_id=linze.id, case_id=case.id, text="重大行政决策未落实合法性审查程序",
                          quote="抽查3件重大行政决策，1件未经合法性审查")
        item = I.add_rectification(s, OFFICE, f.id, measure="建立重大行政决策目录并逐件补充合法性审查", person="县司法局副局长",
                                   deadline=D("2025-12-31"))
        opinion = docs.issue_document(s, OFFICE, kind="opinion", finding_ids=[f.id], on=D("2025-10-20"))
        notice = docs.issue_document(s, OFFICE, kind="notice", finding_ids=docs.case_findings(s, case.id, linze.id),
                                     on=D("2025-10-20"))
    with write.begin() as s:
        # the unit works on it; another unit cannot report on it, nor can the unit verify itself
        with pytest.raises(Forbidden):
            I.submit_rectification(s, gaotai_user, item.id, text="已整改")
        I.start_rectification(s, linze_user, item.id)
        I.submit_rectification(s, linze_user, item.id, text="已建立决策目录，补充审查2件")
        with pytest.raises(Forbidden):
            I.verify_rectification(s, linze_user, item.id)
        with pytest.raises(I.InspectionError, match="理由"):
            I.verify_rectification(s, OFFICE, item.id, accept=False)
        back = I.verify_rectification(s, OFFICE, item.id, accept=False, note="缺少审查意见书")
        assert back.status == "in_progress"
        with pytest.raises(I.InspectionError, match="不能销号"):
            I.close_rectification(s, OFFICE, item.id)
        I.submit_rectification(s, linze_user, item.id, text="补充合法性审查意见书2份")
        I.verify_rectification(s, OFFICE, item.id, note="材料齐全")
        report = docs.issue_document(s, linze_user, kind="report", finding_ids=[f.id], on=D("2025-12-20"),
                                     text="我县对照督察意见逐项整改。\n已建立重大行政决策目录。")
        closed = I.close_rectification(s, OFFICE, item.id, "整改到位，予以销号")
    with write.begin() as s:
        assert closed.status == "closed" and closed.status_label == "已销号"
        assert [(st.action, st.to_status) for st in closed.steps] == [
            ("create", "open"), ("start", "in_progress"), ("submit", "submitted"), ("return", "in_progress"),
            ("submit", "submitted"), ("verify", "verified"), ("close", "closed")]
        view = I.case_view(s, OFFICE, case.id)
        assert view.status == "closed" and view.kind_label == "实地督察"
        finding = I.finding_view(s, OFFICE, f.id)
        assert finding.state == "已销号"
        # the three documents are in the finding's record
        assert [d["id"] for d in finding.documents] == [opinion.evidence_id, notice.evidence_id, report.evidence_id]
        opinion_text = _text(docs.document_file(s, OFFICE, opinion.evidence_id)[1])
        assert "法治督察意见书" in opinion_text and "临泽县人民政府" in opinion_text
        assert "重大行政决策未落实合法性审查程序" in opinion_text and "2025年10月9日至2025年10月11日" in opinion_text
        assert "县司法局副局长" in _text(notice.data) and "2025年12月31日" in _text(notice.data)
        report_text = _text(report.data)
        assert "已建立重大行政决策目录" in report_text and "已核验" in report_text
        # 高台县 sees neither the case's finding of 临泽县 nor its documents
        assert I.case_view(s, gaotai_user, case.id).findings == []
        with pytest.raises(Exception, match="没有编号"):
            docs.document_file(s, gaotai_user, opinion.evidence_id)
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "rectification")))
        assert actions == ["rectification.create", "rectification.start", "rectification.submit",
                           "rectification.return", "rectification.submit", "rectification.verify",
                           "rectification.close"]


def test_overdue_items_climb_the_escalation_ladder_once_per_rung(write) -> None:
    with write.begin() as s:
        _top, linze, gaotai = _counties(s)
        f1 = I.add_finding(s, OFFICE, unit_id=linze.id, text="行政执法公示信息更新不及时", source="complaint")
        late = I.add_rectification(s, OFFICE, f1.id, measure="每周更新公示信息", deadline=D("2025-11-30"))
        done = I.add_rectification(s, OFFICE, f1.id, measure="整改公示平台栏目", deadline=D("2025-11-30"))
        I.submit_rectification(s, OFFICE, done.id, text="已整改")
        f2 = I.add_finding(s, OFFICE, unit_id=gaotai.id, text="行政复议决定履行不到位", source="reconsideration")
        very_late = I.add_rectification(s, OFFICE, f2.id, measure="督促履行复议决定", deadline=D("2025-10-01"))
    with write.begin() as s:
        # 1 December: 临泽 1 day overdue → 函询约谈; 高台 61 days → every rung at once, each recorded
        first = I.escalate_overdue(s, D("2025-12-01"))
        assert [(e.unit, e.before, e.after, e.label) for e in first] == [
            ("临泽县人民政府", 0, 1, "函询约谈"), ("高台县人民政府", 0, 3, "通报批评")]
        assert I.escalate_overdue(s, D("2025-12-01")) == []  # the job may run twice: nothing new
    with write.begin() as s:
        assert [(e.rectification_id, e.after) for e in I.escalate_overdue(s, D("2025-12-16"))] == [(late.id, 2)]
        steps = I.rectification_view(s, OFFICE, very_late.id).steps
        assert [(st.action, st.escalation) for st in steps] == [("create", None), ("escalate", 1), ("escalate", 2),
                                                                 ("escalate", 3)]
        assert I.rectification_view(s, OFFICE, done.id).escalation == 0  # submitted in time: not escalated
        reminders = list(s.scalars(select(m.Reminder.message).where(m.Reminder.kind == "escalated",
                                                                    m.Reminder.unit_id == linze.id)))
        assert reminders == ["整改事项“每周更新公示信息”逾期1天，已函询约谈", "整改事项“每周更新公示信息”逾期16天，已挂牌督办"]


def test_an_item_not_closed_stays_in_the_problem_pool_into_the_next_round(write) -> None:
    with write.begin() as s:
        _top, _linze, gaotai = _counties(s)
        f = I.add_finding(s, OFFICE, unit_id=gaotai.id, text="法律顾问参与重大决策不足")
        open_item = I.add_rectification(s, OFFICE, f.id, measure="重大决策前征求法律顾问意见", deadline=D("2025-12-31"))
        closed_item = I.add_rectification(s, OFFICE, f.id, measure="续聘法律顾问", deadline=D("2025-11-30"))
        I.submit_rectification(s, OFFICE, closed_item.id, text="已续聘")
        I.verify_rectification(s, OFFICE, closed_item.id)
        I.close_rectification(s, OFFICE, closed_item.id)
        carried = I.carry_over(s, OFFICE)
        assert [(r.id, r.round) for r in carried] == [(open_item.id, 2)]
        pool = I.problem_pool(s, OFFICE, as_of=D("2026-02-10"))
        assert [(r.id, r.round, r.overdue_days) for r in pool] == [(open_item.id, 2, 41)]


def test_a_review_finding_is_raised_as_a_finding_of_the_unit_in_one_call(write) -> None:
    with write.begin() as s:
        _top, _linze, _gaotai = _counties(s)
        report_id = cycle.store_report(s, "临泽县人民政府2025年度法治政府建设情况报告\n\n"
                                          "2025年，我县持续推进法治政府建设，各项工作取得新成效。\n")
        review_finding = s.scalars(select(Finding).where(Finding.report_id == report_id).order_by(Finding.id)).first()
        assert review_finding is not None
        raised = I.raise_review_finding(s, OFFICE, review_finding.id)
        assert (raised.unit["name"], raised.source_label, raised.report_id, raised.review_rule) == (
            "临泽县人民政府", "年度报告审查", report_id, review_finding.rule)
        assert raised.text == review_finding.message
        with pytest.raises(I.InspectionError, match="已列为督察问题"):
            I.raise_review_finding(s, OFFICE, review_finding.id)


def test_bad_input_is_refused_in_chinese(write) -> None:
    with write.begin() as s:
        _top, linze, gaotai = _counties(s)
        with pytest.raises(I.InspectionError, match="督察方式"):
            I.open_case(s, OFFICE, kind="visit", title="x", unit_ids=[linze.id])
        case = I.open_case(s, OFFICE, kind="written", title="书面督察", unit_ids=[linze.id])
        with pytest.raises(I.InspectionError, match="不是“书面督察”的被督察单位"):
            I.add_finding(s, OFFICE, unit_id=gaotai.id, case_id=case.id, text="问题")
        viewer = Actor(user_id=None, role="viewer", name="查看")
        with pytest.raises(Forbidden):
            I.open_case(s, viewer, kind="written", title="书面督察", unit_ids=[linze.id])
        f = I.add_finding(s, OFFICE, unit_id=linze.id, text="问题")
        with pytest.raises(I.InspectionError, match="发文单位"):
            docs.issue_document(s, OFFICE, kind="opinion", finding_ids=[f.id], on=D("2025-10-01"))
