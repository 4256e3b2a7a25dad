"""The 情况通报 of a campaign's reports: who reported when, what the reports miss, what they share, their
core figures, and comparisons among comparable units only."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi import db
from fazhi.corpus.models import Report
from fazhi.supervision.access import Actor
from fazhi.supervision.memo import campaign_memo, memo_docx
from fazhi.supervision.reports import at_day, submit_report
from tests.documents.readback import font, open_docx, size_pt, texts
from tests.supervision import reportcycle as rc
from tests.supervision.test_report_workflow import _docx

OFFICE = Actor.cli()

BUREAU = """临泽县司法局关于2025年度法治政府建设情况的报告
一、主要举措和成效
全年办理行政复议案件36件，审查备案规范性文件18件。
二、存在的不足和原因
执法案卷不够规范，主要原因是培训不足。
三、党政主要负责人履行推进法治建设第一责任人职责情况
局主要负责人主持研究法治建设4次，组织集中学法6次。
四、2026年度主要安排
加强执法案卷评查和执法培训。
临泽县司法局
2026年2月26日
"""
#: neither of these two has the part on the first responsible person
MARKET = """临泽县市场监督管理局关于2025年度法治政府建设情况的报告
一、主要举措和成效
办理行政复议案件3件，开展“双随机、一公开”抽查86次。
二、存在的不足和原因
基层执法力量薄弱，主要原因是编制不足。
三、2026年度工作安排
充实基层执法力量。
临泽县市场监督管理局
2026年3月4日
"""
TOWN = """沙河镇人民政府关于2025年度法治政府建设情况的报告
一、主要举措和成效
调解矛盾纠纷42件。
二、存在的不足和原因
村级法律顾问作用发挥不充分，原因是服务时间少。
三、2026年度工作安排
增加村级法律顾问服务时间。
沙河镇人民政府
2026年3月28日
"""


@pytest.fixture
def session(migrated):
    with db.session_factory(migrated, write=True)() as s:
        yield s


def _submit(session, campaign_id: int, unit, text: str, day: dt.date) -> int:
    leader = Actor(user_id=None, role="unit", unit_id=unit.id, duty="leader")
    view = submit_report(session, leader, campaign_id, unit.id, data=_docx(text), filename=f"{unit.name}.docx",
                         at=at_day(day))
    return view.report_id


def test_the_memo_tells_who_reported_what_they_miss_and_share(session):
    record = rc.build(session)
    cid = record.campaign.id
    ids = {"bureau": _submit(session, cid, record.bureau, BUREAU, dt.date(2026, 2, 26)),
           "market": _submit(session, cid, record.market, MARKET, dt.date(2026, 3, 4)),
           "town": _submit(session, cid, record.town, TOWN, dt.date(2026, 3, 28))}
    early = campaign_memo(session, OFFICE, record.campaign.id, dt.date(2026, 3, 10))
    assert (early.on_time, early.late, early.units("not_received")) == (
        ["临泽县司法局"], ["临泽县市场监督管理局"], ["沙河镇人民政府"])

    memo = campaign_memo(session, OFFICE, record.campaign.id, dt.date(2026, 4, 2))
    assert (memo.on_time, memo.late, memo.units("not_received")) == (
        ["临泽县司法局", "沙河镇人民政府"], ["临泽县市场监督管理局"], [])
    first = memo.parts["first_responsible"]
    assert (first["dedicated"], first["missing"], first["missing_units"]) == (
        1, 2, ["临泽县市场监督管理局", "沙河镇人民政府"])
    assert memo.parts["shortcomings"]["dedicated"] == 3
    assert ("缺少规定的必备内容", ("临泽县市场监督管理局", "沙河镇人民政府")) in memo.common
    assert all(len(units) >= 2 for _, units in memo.common)
    lines = {i.name: i for i in memo.indicators}
    reconsideration = lines["行政复议案件数"]
    assert (reconsideration.units, reconsideration.aggregate, reconsideration.highest, reconsideration.lowest) == (
        2, 39, ("临泽县司法局", 36), ("临泽县市场监督管理局", 3))
    scores = {key: session.get(Report, rid).score_total for key, rid in ids.items()}
    (departments, towns) = memo.groups
    assert departments.label == "部门-有执法权（部门）"
    best = "临泽县司法局" if scores["bureau"] >= scores["market"] else "临泽县市场监督管理局"
    assert departments.scores[0][0] == best
    assert towns.scores == (("沙河镇人民政府", scores["town"]),)

    document = open_docx(memo_docx(session, OFFICE, record.campaign.id, dt.date(2026, 4, 2)))
    body = texts(document)
    assert document.paragraphs[0].text == "关于2025年度法治政府建设情况报告报送和审查情况的通报"
    assert (font(document.paragraphs[0]), size_pt(document.paragraphs[0])) == ("方正小标宋简体", 22)
    assert "逾期报送的1个单位：临泽县市场监督管理局。" in body
    assert "未报送的0个单位：无。" in body
    assert "按单位类型和层级相同的同类单位分别比较" in body
    assert "乡镇（乡镇级）仅沙河镇人民政府1个单位报送，不作比较。" in body
    header = [c.text for c in document.tables[0].rows[0].cells]
    assert header == ["指标", "报告单位数", "合计或平均", "最高", "最低"]
    row = next(r for r in document.tables[0].rows if r.cells[0].text == "行政复议案件数")
    assert [c.text for c in row.cells] == ["行政复议案件数", "2", "39件", "临泽县司法局（36件）",
                                           "临泽县市场监督管理局（3件）"]
    assert [p.text for p in document.paragraphs if p.text][-2:] == ["临泽县", "2026年4月2日"]
