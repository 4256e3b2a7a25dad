"""Self-check before submission: the review of the text, and its figures against the unit's record."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi import db
from fazhi.supervision.access import Actor
from fazhi.supervision.drafting import GAP, create_draft, update_draft
from fazhi.supervision.reports import ReportError
from fazhi.supervision.selfcheck import self_check
from tests.supervision import reportcycle as rc
from tests.supervision.test_report_workflow import _docx, _fill

OFFICE = Actor.cli()

#: a bureau's own draft, written by hand: 20 documents filed (the record says 18), a rate that agrees, an
#: approximate count within a tenth of the record, last year's target quoted, no word on 民法典, signed late
HAND_WRITTEN = """临泽县司法局关于2025年度法治政府建设情况的报告
一、主要举措和成效
全年审查备案行政规范性文件20件。行政机关负责人出庭应诉率为100%。办理行政复议案件近35件。
上年度报告提出“审查备案规范性文件不少于25件”，并深化行政复议体制改革，推进行政复议规范化建设。
二、存在的不足和原因
执法案卷不够规范，主要原因是培训不足。
三、党政主要负责人履行推进法治建设第一责任人职责情况
局主要负责人主持研究法治建设4次。
四、2026年度主要安排
加强执法案卷评查和执法培训。
临泽县司法局
2026年3月10日
"""


@pytest.fixture
def session(migrated):
    with db.session_factory(migrated, write=True)() as s:
        yield s


def test_a_figure_that_differs_from_the_record_is_a_finding_with_both_values(session):
    record = rc.build(session)
    result = self_check(session, OFFICE, record.campaign.id, record.bureau.id, text=HAND_WRITTEN)
    (difference,) = result.differences
    assert (difference.indicator, difference.value, difference.record.value) == ("normative_docs_filed", 20, 18)
    assert difference.record.cite.type == "progress" and difference.record.cite.id == record.progress["docs"].id
    assert difference.text == "全年审查备案行政规范性文件20件"
    rules = [f.rule for f in result.findings]
    message = next(f.message for f in result.findings if f.rule == "selfcheck.figure_differs")
    assert "20件" in message and "18件" in message and "加强行政规范性文件备案审查" in message
    # signed after the department's deadline of 1 March, though before 1 April
    assert "selfcheck.deadline" in rules and "date.late" not in rules
    assert result.due == dt.date(2026, 3, 1)
    # last year's plan: 规范性文件 and 行政复议 are answered, 民法典 is not
    assert result.unanswered == ("组织开展民法典主题宣传月活动",)
    assert result.review["parts"]["first_responsible"]["status"] == "dedicated"
    assert not result.ok


def test_the_record_grounded_draft_agrees_with_the_record(session):
    record = rc.build(session)
    filler = Actor(user_id=None, role="unit", unit_id=record.bureau.id, duty="filler")
    view = create_draft(session, filler, record.campaign.id, record.bureau.id, day=dt.date(2026, 2, 20))
    before = self_check(session, filler, record.campaign.id, record.bureau.id, draft_id=view.id)
    gaps = next(f for f in before.findings if f.rule == "selfcheck.gaps")
    assert (gaps.severity, len(gaps.evidence)) == ("error", len(view.gaps))
    assert all(GAP.fullmatch(e["text"]) for e in gaps.evidence)
    assert before.differences == ()
    update_draft(session, filler, view.id, _fill(view.content))
    after = self_check(session, filler, record.campaign.id, record.bureau.id, draft_id=view.id)
    assert after.differences == ()
    rules = {f.rule for f in after.findings}
    assert not rules & {"selfcheck.gaps", "selfcheck.deadline", "selfcheck.last_year", "part.missing",
                        "part.embedded", "shortcomings.no_causes", "plan.unanswered_shortcomings", "figures.none"}
    assert {p["status"] for p in (after.review["parts"][k] for k in
                                  ("achievements", "shortcomings", "first_responsible", "next_year_plan"))} == {"dedicated"}


def test_an_uploaded_file_is_checked_and_an_unreadable_one_refused(session):
    record = rc.build(session)
    result = self_check(session, OFFICE, record.campaign.id, record.bureau.id, data=_docx(HAND_WRITTEN),
                        filename="司法局初稿.docx")
    assert [d.value for d in result.differences] == [20]
    with pytest.raises(ReportError, match=r"初稿\.pdf：文件已损坏"):
        self_check(session, OFFICE, record.campaign.id, record.bureau.id, data=b"%PDF-1.4 nothing", filename="初稿.pdf")
    with pytest.raises(ReportError, match="三者选一"):
        self_check(session, OFFICE, record.campaign.id, record.bureau.id)
