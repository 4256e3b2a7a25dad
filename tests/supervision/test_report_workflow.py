"""The annual report's workflow: stages and the leader's confirmation on the unit's side; receipt, lateness,
return and resubmission with a diff, acceptance and publication on the office's side, as of any date."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest

from fazhi import db
from fazhi.supervision.access import Actor, Forbidden, NotFound
from fazhi.supervision.drafting import GAP, create_draft, update_draft
from fazhi.supervision.models import Campaign
from fazhi.supervision.reports import (
    ReportError,
    add_comment,
    at_day,
    confirm_draft,
    decide_report,
    diff_texts,
    find_report,
    list_comments,
    opinion,
    publication_check,
    publish_report,
    report_due,
    report_status,
    set_stage,
    submit_report,
    version_diff,
)
from tests.documents.readback import open_docx, texts
from tests.supervision import reportcycle as rc

OFFICE = Actor.cli(name="县依法治县办审核员")
FILLED = {"【待补充：原因】": "主要原因是专业人员不足。", "【待补充：落实情况】": "全年组织民法典宣传活动。"}

MARKET_REPORT = """临泽县市场监督管理局关于2025年度法治政府建设情况的报告
一、主要举措和成效
全年开展“双随机、一公开”抽查86次，办理行政复议案件3件。
二、存在的不足和原因
基层执法力量薄弱，主要原因是编制不足。
三、党政主要负责人履行推进法治建设第一责任人职责情况
局主要负责人带头学法，组织集中学法5次。
四、2026年度工作安排
充实基层执法力量。
临泽县市场监督管理局
2026年3月4日
"""


def _member(unit_id: int, duty: str, user_id: int | None = None) -> Actor:
    return Actor(user_id=user_id, role="unit", unit_id=unit_id, duty=duty, name="单位用户")


def _docx(text: str) -> bytes:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _fill(content: dict, extra: dict[str, str] | None = None) -> list[dict]:
    """The sections with every gap written out (as a unit would), and ``extra`` replacements."""
    out = []
    for sec in content["sections"]:
        paras = []
        for p in sec["paragraphs"]:
            text = GAP.sub(lambda m: FILLED.get(m.group(0), "该项工作按计划推进。"), p["text"])
            for old, new in (extra or {}).items():
                text = text.replace(old, new)
            paras.append({"kind": p["kind"], "text": text})
        out.append({"part": sec["part"], "heading": sec["heading"], "paragraphs": paras})
    return out


def _status(session, campaign_id: int, day: dt.date) -> dict[str, str]:
    return {r.unit_name: r.status for r in report_status(session, OFFICE, campaign_id, day)}


@pytest.fixture
def session(migrated):
    with db.session_factory(migrated, write=True)() as s:
        yield s


def _confirmed_draft(session, record: rc.Record, extra: dict[str, str] | None = None) -> int:
    filler, leader = _member(record.bureau.id, "filler"), _member(record.bureau.id, "leader")
    view = create_draft(session, filler, record.campaign.id, record.bureau.id, day=dt.date(2026, 2, 25))
    update_draft(session, filler, view.id, _fill(view.content, extra))
    for stage in ("first_draft", "discussion", "leader_review"):
        set_stage(session, filler, view.id, stage)
    confirm_draft(session, leader, view.id)
    return view.id


def test_units_must_report_by_their_deadline_and_the_board_follows_the_as_of_date(session):
    record = rc.build(session)
    campaign = record.campaign
    rows = report_status(session, OFFICE, campaign.id, dt.date(2026, 1, 10))
    assert [r.to_json() for r in rows] == [
        {"unit": {"id": record.bureau.id, "name": "临泽县司法局"}, "due": "2026-03-01", "status": "not_received",
         "received_at": None, "report_id": None, "published_url": None},
        {"unit": {"id": record.market.id, "name": "临泽县市场监督管理局"}, "due": "2026-03-01",
         "status": "not_received", "received_at": None, "report_id": None, "published_url": None},
        {"unit": {"id": record.town.id, "name": "沙河镇人民政府"}, "due": "2026-04-01", "status": "not_received",
         "received_at": None, "report_id": None, "published_url": None}]

    draft_id = _confirmed_draft(session, record)
    filler, leader = _member(record.bureau.id, "filler"), _member(record.bureau.id, "leader")
    first = submit_report(session, filler, campaign.id, record.bureau.id, draft_id=draft_id,
                          copies_to=["临泽县人民政府办公室"], at=at_day(dt.date(2026, 2, 27)))
    assert (first.status, first.recipients, len(first.versions)) == ("received", ("临泽县人民政府办公室",), 1)
    assert first.review["issuer"]["name"] == "临泽县司法局" and first.review["year"] == 2025
    # the market bureau's leader submits a file, after its deadline
    market = submit_report(session, _member(record.market.id, "leader"), campaign.id, record.market.id,
                           data=_docx(MARKET_REPORT), filename="市场监管局2025年度报告.docx",
                           at=at_day(dt.date(2026, 3, 5)))
    assert market.review["parts"]["shortcomings"]["status"] == "dedicated"

    assert _status(session, campaign.id, dt.date(2026, 2, 26))["临泽县司法局"] == "not_received"
    assert _status(session, campaign.id, dt.date(2026, 2, 27)) == {
        "临泽县司法局": "received", "临泽县市场监督管理局": "not_received", "沙河镇人民政府": "not_received"}
    decide_report(session, OFFICE, first.id, accept=False, reason="第一责任人部分过于简略，请补充",
                  at=at_day(dt.date(2026, 3, 2)))
    assert _status(session, campaign.id, dt.date(2026, 3, 1))["临泽县司法局"] == "received"
    assert _status(session, campaign.id, dt.date(2026, 3, 2))["临泽县司法局"] == "returned"

    # the unit reopens its draft, revises it and resubmits; the diff shows the change
    set_stage(session, filler, draft_id, "first_draft")
    from fazhi.supervision.drafting import get_draft

    revised = _fill(get_draft(session, filler, draft_id).content,
                    {rc.LEADER_TEXT: "局主要负责人主持召开局党组会议专题研究法治建设4次，带头述法。"})
    update_draft(session, filler, draft_id, revised)
    for stage in ("discussion", "leader_review"):  # the revision goes the same way as the first text
        set_stage(session, filler, draft_id, stage)
    confirm_draft(session, leader, draft_id)
    second = submit_report(session, filler, campaign.id, record.bureau.id, draft_id=draft_id,
                           at=at_day(dt.date(2026, 3, 4)))
    assert [v.number for v in second.versions] == [1, 2]
    assert second.versions[0].decision == "returned" and second.versions[1].decision is None
    diff = version_diff(session, OFFICE, first.id)
    assert (diff.old, diff.new, diff.diff.counts) == (1, 2, {"added": 0, "removed": 0, "changed": 1})
    (change,) = diff.diff.changes()
    assert change.old.startswith(rc.LEADER_TEXT) and "带头述法" in change.new
    assert ("added", "，带头述法") in change.segments

    status = _status(session, campaign.id, dt.date(2026, 3, 4))
    assert status == {"临泽县司法局": "received", "临泽县市场监督管理局": "not_received",
                      "沙河镇人民政府": "not_received"}
    assert _status(session, campaign.id, dt.date(2026, 3, 5))["临泽县市场监督管理局"] == "late"
    decide_report(session, OFFICE, first.id, accept=True, at=at_day(dt.date(2026, 3, 6)))
    assert _status(session, campaign.id, dt.date(2026, 3, 5))["临泽县司法局"] == "received"
    assert _status(session, campaign.id, dt.date(2026, 3, 6))["临泽县司法局"] == "accepted"
    row = next(r for r in report_status(session, OFFICE, campaign.id, dt.date(2026, 3, 6)) if r.unit_id == record.bureau.id)
    assert row.report_id == second.report_id  # the current version
    assert row.received_at is not None and row.received_at.date() == dt.date(2026, 2, 27)  # first receipt

    # publication: URL and date; the published copy is checked against the submitted text
    check = publish_report(session, leader, first.id, url="https://www.linze.gov.cn/zwgk/fzzf/2026/001.html",
                           on=dt.date(2026, 3, 20))
    assert (check.published, check.on_time, check.same_text) == (True, True, None)
    assert _status(session, campaign.id, dt.date(2026, 3, 19))["临泽县司法局"] == "accepted"
    published = report_status(session, OFFICE, campaign.id, dt.date(2026, 3, 20))[0]
    assert (published.status, published.published_url) == ("published",
                                                           "https://www.linze.gov.cn/zwgk/fzzf/2026/001.html")
    assert _status(session, campaign.id, dt.date(2026, 4, 2))["沙河镇人民政府"] == "not_received"


def test_the_published_copy_is_compared_with_the_submitted_text(session):
    record = rc.build(session)
    leader = _member(record.market.id, "leader")
    view = submit_report(session, leader, record.campaign.id, record.market.id, data=_docx(MARKET_REPORT),
                         filename="市场监管局2025年度报告.docx", at=at_day(dt.date(2026, 2, 20)))
    with pytest.raises(ReportError, match="http"):
        publish_report(session, leader, view.id, url="javascript:alert(1)", on=dt.date(2026, 4, 5))
    changed = MARKET_REPORT.replace("抽查86次", "抽查68次")
    check = publish_report(session, leader, view.id, url="http://www.linze.gov.cn/a.html", on=dt.date(2026, 4, 5),
                           data=_docx(changed), filename="公开版.docx")
    assert (check.on_time, check.same_text, check.deadline) == (False, False, dt.date(2026, 4, 1))
    (difference,) = check.diff.changes()
    assert (difference.op, "68" in difference.new, "86" in difference.old) == ("changed", True, True)
    later = publication_check(session, OFFICE, view.id, dt.date(2026, 4, 4))
    assert (later.published, later.overdue) == (False, True)  # not yet public on 4 April, past the deadline


def test_the_leader_confirms_and_only_the_leader_submits_a_file(session):
    record = rc.build(session)
    filler, leader = _member(record.bureau.id, "filler"), _member(record.bureau.id, "leader")
    view = create_draft(session, filler, record.campaign.id, record.bureau.id, day=dt.date(2026, 2, 25))
    with pytest.raises(ReportError, match="逐级推进"):
        set_stage(session, filler, view.id, "leader_review")
    with pytest.raises(ReportError, match="不能提出意见"):
        add_comment(session, filler, "draft", view.id, "请补充数字")
    set_stage(session, filler, view.id, "first_draft")
    set_stage(session, filler, view.id, "discussion")
    comment = add_comment(session, _member(record.bureau.id, "filler", None), "draft", view.id,
                          "复议部分请写明纠错率")
    assert [c.text for c in list_comments(session, leader, "draft", view.id)] == [comment.text]
    with pytest.raises(Forbidden):
        add_comment(session, OFFICE, "draft", view.id, "办公室不参加单位内部讨论")
    set_stage(session, filler, view.id, "leader_review")
    with pytest.raises(Forbidden, match="主要负责人"):
        confirm_draft(session, filler, view.id)
    confirm_draft(session, leader, view.id)
    # confirmed but with gaps: not submitted
    with pytest.raises(ReportError, match="待补充"):
        submit_report(session, filler, record.campaign.id, record.bureau.id, draft_id=view.id)
    with pytest.raises(Forbidden, match="主要负责人"):
        submit_report(session, filler, record.campaign.id, record.bureau.id, data=_docx(MARKET_REPORT),
                      filename="x.docx")
    with pytest.raises(NotFound):
        submit_report(session, _member(record.market.id, "leader"), record.campaign.id, record.bureau.id,
                      data=_docx(MARKET_REPORT), filename="x.docx")
    with pytest.raises(ReportError, match=r"坏文件\.docx：文件已损坏"):
        submit_report(session, leader, record.campaign.id, record.bureau.id, data=b"PK\x03\x04broken",
                      filename="坏文件.docx")
    # the board is the office's: a unit user cannot see it, a viewer can but cannot decide
    with pytest.raises(NotFound):
        report_status(session, leader, record.campaign.id)
    viewer = Actor(user_id=None, role="viewer")
    assert len(report_status(session, viewer, record.campaign.id)) == 3
    report = submit_report(session, leader, record.campaign.id, record.bureau.id, data=_docx(MARKET_REPORT),
                           filename="x.docx")
    with pytest.raises(Forbidden):
        decide_report(session, viewer, report.id, accept=True)
    with pytest.raises(ReportError, match="理由"):
        decide_report(session, OFFICE, report.id, accept=False)
    with pytest.raises(ReportError, match="已报送"):
        submit_report(session, leader, record.campaign.id, record.bureau.id, data=_docx(MARKET_REPORT + "\n"),
                      filename="y.docx")
    decide_report(session, OFFICE, report.id, accept=False, reason="报告主体与报送单位不符")
    with pytest.raises(ReportError, match="相同"):
        submit_report(session, leader, record.campaign.id, record.bureau.id, data=_docx(MARKET_REPORT),
                      filename="x.docx")
    assert find_report(session, leader, record.campaign.id, record.bureau.id).status == "returned"


def test_the_opinion_carries_the_decision(session):
    record = rc.build(session)
    leader = _member(record.market.id, "leader")
    view = submit_report(session, leader, record.campaign.id, record.market.id, data=_docx(MARKET_REPORT),
                         filename="市场监管局2025年度报告.docx")
    decide_report(session, OFFICE, view.id, accept=False, reason="请补充行政执法数据")
    data, name = opinion(session, leader, view.id, day=dt.date(2026, 3, 8))
    assert name == "临泽县市场监督管理局2025年度报告（第1版）.审查意见书.docx"
    body = texts(open_docx(data))
    assert body.splitlines()[0] == "关于《临泽县市场监督管理局关于2025年度法治政府建设情况的报告》的审查意见"
    assert "审查结论：退回修改。请补充行政执法数据" in body
    assert "临泽县\n2026年3月8日" in body  # signed by the campaign's organiser as written


def test_deadlines_come_from_the_campaign_settings_or_the_rule(session):
    record = rc.build(session)
    assert report_due(record.next_campaign, record.bureau) == dt.date(2027, 3, 1)
    assert report_due(record.next_campaign, record.town) == dt.date(2027, 4, 1)
    special = Campaign(name="示范创建", year=2025, organiser_name="临泽县",
                       settings={"report_due": {"department": "2026-01-31", "government": "2026-01-31"}})
    assert report_due(special, record.bureau) == report_due(special, record.town) == dt.date(2026, 1, 31)


def test_diff_by_paragraph_ignores_spacing_and_width():
    old = "一、总体情况\n全年办理复议案件36件。\n二、存在问题\n人员不足。\n"
    new = "一、总体情况\n全年办理复议案件 36 件。\n新增一段说明。\n二、存在问题\n人员不足，经费紧张。\n"
    diff = diff_texts(old, new)
    assert [(p.op, p.old, p.new) for p in diff.changes()] == [
        ("added", None, "新增一段说明。"), ("changed", "人员不足。", "人员不足，经费紧张。")]
    assert diff_texts("第１段\n", "第1段\n").same
    removed = diff_texts("甲段落内容。\n乙段落完全不同的内容。\n", "甲段落内容。\n")
    assert [(p.op, p.old) for p in removed.changes()] == [("removed", "乙段落完全不同的内容。")]
