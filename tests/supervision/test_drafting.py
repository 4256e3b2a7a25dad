"""A unit's annual report drafted from its record: every sentence against the record it cites, gaps where
the record is silent, and the Word document in the 公文 layout."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH

from fazhi import db
from fazhi.corpus.models import Report
from fazhi.review.pipeline import review_text
from fazhi.supervision.access import Actor, Forbidden, NotFound
from fazhi.supervision.drafting import (
    DraftError,
    create_draft,
    draft_docx,
    draft_text,
    get_draft,
    update_draft,
)
from fazhi.supervision.models import (
    AnnualReport,
    Assessment,
    Draft,
    Evidence,
    InspectionFinding,
    ItemAssessment,
    Progress,
    Rectification,
    Task,
)
from tests.documents.readback import all_xml, fmt, font, open_docx, pt, size_pt
from tests.supervision import reportcycle as rc

DAY = dt.date(2026, 2, 20)
OFFICE = Actor.cli()


def _member(unit_id: int, duty: str = "filler") -> Actor:
    return Actor(user_id=None, role="unit", unit_id=unit_id, duty=duty, name="填报人")


@pytest.fixture
def session(migrated):
    with db.session_factory(migrated, write=True)() as s:
        yield s


def _sentences(content: dict, part: str) -> list[dict]:
    sec = next(s for s in content["sections"] if s["part"] == part)
    return [s for p in sec["paragraphs"] if p["kind"] == "text" for s in p["sentences"]]


def _texts(content: dict, part: str) -> list[str]:
    return [s["text"] for s in _sentences(content, part)]


def _numbers(text: str) -> set[float]:
    return {float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)}


def _recorded(session, cite: dict) -> set[float]:
    """The numbers the cited record holds (its text, its figures, its scores, its dates)."""
    kind, row = cite["type"], None
    if kind == "progress":
        row = session.get(Progress, cite["id"])
        return _numbers(row.text) | {float(f["value"]) for f in row.figures}
    if kind == "evidence":
        row = session.get(Evidence, cite["id"])
        return {float(row.value)} if row.value is not None else set()
    if kind == "item_assessment":
        row = session.get(ItemAssessment, cite["id"])
        return {float(row.final_score), float(row.item.points)}
    if kind == "assessment":
        return {float(session.get(Assessment, cite["id"]).final_total)}
    if kind == "report":
        return _numbers(session.get(Report, cite["id"]).text[cite["start"]:cite["end"]])
    if kind == "rectification":
        row = session.get(Rectification, cite["id"])
        return _numbers(row.measure) | ({float(row.deadline.year), float(row.deadline.month), float(row.deadline.day)}
                                         if row.deadline else set())
    if kind == "finding":
        row = session.get(InspectionFinding, cite["id"])
        closed = [r.closed_at for r in row.items if r.closed_at]
        return _numbers(row.text) | {float(x) for c in closed for x in (c.year, c.month, c.day)}
    if kind == "task":
        row = session.get(Task, cite["id"])
        return _numbers(row.title) | ({float(x) for x in (row.due.year, row.due.month, row.due.day)} if row.due else set())
    raise AssertionError(f"unknown cite {cite}")


def test_the_draft_says_what_the_record_says_sentence_by_sentence(session):
    record = rc.build(session)
    view = create_draft(session, OFFICE, record.campaign.id, record.bureau.id, day=DAY)
    content = view.content
    assert content["title"] == "临泽县司法局关于2025年度法治政府建设情况的报告"
    assert [s["part"] for s in content["sections"]] == ["opening", "achievements", "shortcomings",
                                                          "first_responsible", "next_year_plan", "other"]
    # every figure a sentence carries is in a record the sentence cites (the year of the report aside)
    for sec in content["sections"][1:]:
        for p in sec["paragraphs"]:
            for s in p["sentences"] if p["kind"] == "text" else []:
                figures = {q.value for q in review_text(s["text"]).quantities}
                if figures:
                    assert s["cites"], s["text"]
                    held = set().union(*(_recorded(session, c) for c in s["cites"]))
                    assert figures <= held, (s["text"], s["cites"])

    achievements = _texts(content, "achievements")
    # the latest accepted progress only: 上半年7件 was superseded by 全年18件
    assert rc.FILED_TEXT in achievements
    assert not any("7件" in t for t in achievements)
    # a figure the progress gave but did not write, and an accepted report fact, become sentences
    assert "行政机关负责人出庭应诉率为100%。" in achievements
    assert "行政应诉案件数为41件。" in achievements
    # a rejected report fact and a returned progress report are not the record
    assert not any("99" in t or "选址" in t for t in achievements)
    # tasks the record shows nothing of are gaps, grouped under the sheet's section
    assert "【待补充：“完成行政执法案卷评查”的完成情况】" in achievements
    assert "【待补充：“建设县级人民调解中心”的完成情况】" in achievements
    headings = [p["text"] for p in content["sections"][1]["paragraphs"] if p["kind"] == "heading"]
    assert headings == ["依法行政制度体系完善", "行政权力制约和监督科学有效", "执法监督", "上年度工作安排落实情况"]
    # the accepted file is cited on the first sentence of the task it proves
    review_first = next(s for s in _sentences(content, "achievements") if s["text"].startswith("办理行政复议案件36件"))
    assert [(c["type"], c["id"]) for c in review_first["cites"]] == [
        ("progress", record.progress["review"].id), ("evidence", record.evidence_file.id)]

    # last year's plan: each item quoted with what was done about it, cited to the stored report's text
    stored = session.get(Report, record.last_year_report_id)
    quoted = [s for s in _sentences(content, "achievements") if s["text"].startswith("上年度报告提出")]
    assert [s["text"] for s in quoted] == [
        "上年度报告提出：“持续加强行政规范性文件备案审查，做到有件必备、有备必审”。",
        "上年度报告提出：“深化行政复议体制改革，提升行政复议案件办理质量”。",
        "上年度报告提出：“组织开展民法典主题宣传月活动”。"]
    for s in quoted:
        (cite,) = s["cites"]
        assert cite["type"] == "report" and cite["id"] == stored.id
        assert s["text"].split("“")[1].split("”")[0] in stored.text[cite["start"]:cite["end"]]
    assert "对此，“加强行政规范性文件备案审查”：" + rc.FILED_TEXT in achievements
    assert achievements[-1] == "【待补充：落实情况】"

    shortcomings = _texts(content, "shortcomings")
    assert shortcomings[:2] == [f"一是{rc.PROBLEM_NO_CAUSE}。", "【待补充：原因】"]
    assert shortcomings[2] == f"二是{rc.PROBLEM_WITH_CAUSE}。"  # it gives its cause: no gap after it
    assert shortcomings[3:5] == ["三是2025年度考核中，“规范性文件报备”得3分（满分5分），报备不及时。", "【待补充：原因】"]
    assert shortcomings[5] == "四是“完成行政执法案卷评查”任务截至2026年2月20日尚未完成。"

    assert _texts(content, "first_responsible") == [rc.LEADER_TEXT, "领导干部集中学法次数为6次。"]

    plan = _sentences(content, "next_year_plan")
    assert plan[0]["text"] == ("一是针对“行政执法案卷评查发现部分案卷证据材料不完整”的问题，组织全系统执法案卷集中评查，"
                               "2026年6月30日前完成整改。")
    assert plan[0]["cites"][0] == {"type": "rectification", "id": record.rectifications["no_cause"].id,
                                   "label": "整改事项：组织全系统执法案卷集中评查"}
    assert plan[1]["text"] == "二是针对“法律顾问参与重大行政决策论证不够充分”的问题，充实法律顾问队伍。"
    assert plan[-1]["text"] == ("五是按照临泽县2026年度法治政府建设督导的部署，2026年5月31日前完成“开展民法典主题宣传月活动”。")

    assert _texts(content, "other") == ["“政务公开栏目更新不及时”问题已于2025年11月20日整改销号。",
                                        "在临泽县2025年度法治政府建设督导考核中，本单位得分93分。"]
    assert [g["text"] for g in content["gaps"]] == [
        "【待补充：“完成行政执法案卷评查”的完成情况】", "【待补充：“建设县级人民调解中心”的完成情况】",
        "【待补充：落实情况】", "【待补充：原因】", "【待补充：原因】", "【待补充：原因】"]
    # stored as a draft, and the unit's report is started
    assert session.get(Draft, view.id).content == content
    report = session.query(AnnualReport).filter_by(campaign_id=record.campaign.id, unit_id=record.bureau.id).one()
    assert (report.status, report.due, report.year) == ("drafting", dt.date(2026, 3, 1), 2025)


def test_a_unit_the_record_knows_nothing_of_gets_gaps_and_no_figure(session):
    record = rc.build(session)
    content = create_draft(session, OFFICE, record.campaign.id, record.town.id, day=DAY).content
    for sec in content["sections"][1:]:
        for s in (s for p in sec["paragraphs"] if p["kind"] == "text" for s in p["sentences"]):
            assert review_text(s["text"]).quantities == [], s["text"]
    assert [g["text"] for g in content["gaps"]] == [
        "【待补充：主要举措和成效】", "【待补充：上年度报告提出的工作安排及其落实情况（未找到本单位上年度报告）】",
        "【待补充：存在的不足】", "【待补充：原因】", "【待补充：党政主要负责人履行推进法治建设第一责任人职责情况】",
        "【待补充：下一年度工作安排】"]
    assert "other" not in [s["part"] for s in content["sections"]]


def test_the_draft_docx_has_the_gongwen_layout_and_no_citations(session):
    record = rc.build(session)
    view = create_draft(session, OFFICE, record.campaign.id, record.bureau.id, day=DAY)
    data, name = draft_docx(session, OFFICE, view.id)
    assert name == "临泽县司法局关于2025年度法治政府建设情况的报告.docx"
    document = open_docx(data)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(getattr(section, f"{side}_margin").mm) for side in ("top", "bottom", "left", "right")] == [37, 35, 28, 26]
    title = document.paragraphs[0]
    assert title.text == view.title
    assert (font(title), size_pt(title), fmt(title, "alignment")) == ("方正小标宋简体", 22, WD_ALIGN_PARAGRAPH.CENTER)
    h1 = next(p for p in document.paragraphs if p.text.startswith("一、"))
    assert h1.text == "一、2025年度推进法治政府建设的主要举措和成效"
    assert (font(h1), size_pt(h1)) == ("黑体", 16)
    h2 = next(p for p in document.paragraphs if p.text.startswith("（一）"))
    assert (h2.text, font(h2), size_pt(h2)) == ("（一）依法行政制度体系完善", "楷体_GB2312", 16)
    body = next(p for p in document.paragraphs if p.text == rc.FILED_TEXT)
    assert (font(body), size_pt(body), round(pt(fmt(body, "line_spacing")), 1)) == ("仿宋_GB2312", 16, 28.9)
    signed = [p for p in document.paragraphs if p.text in ("临泽县司法局", "2026年2月20日")]
    assert [p.text for p in signed] == ["临泽县司法局", "2026年2月20日"]
    assert all(fmt(p, "alignment") == WD_ALIGN_PARAGRAPH.RIGHT for p in signed)
    assert "PAGE" in "".join(p._p.xml for p in section.footer.paragraphs)
    xml = all_xml(data)
    assert "佐证材料" not in xml and "任务“加强" not in xml  # cites stay out of the file


def test_edits_keep_the_cites_of_unchanged_sentences_and_recount_the_gaps(session):
    record = rc.build(session)
    view = create_draft(session, OFFICE, record.campaign.id, record.bureau.id, day=DAY)
    sections = [{"part": s["part"], "heading": s["heading"],
                 "paragraphs": [{"kind": p["kind"], "text": p["text"]} for p in s["paragraphs"]]}
                for s in view.content["sections"]]
    short = next(s for s in sections if s["part"] == "shortcomings")
    short["paragraphs"][0]["text"] = f"一是{rc.PROBLEM_NO_CAUSE}。主要原因是执法人员对证据规则掌握不够。"
    ach = next(s for s in sections if s["part"] == "achievements")
    filed = next(p for p in ach["paragraphs"] if p["text"] == rc.FILED_TEXT)
    filed["text"] = "全年审查备案行政规范性文件19件。"
    bureau = _member(record.bureau.id)
    edited = update_draft(session, bureau, view.id, sections, day=dt.date(2026, 2, 25)).content
    assert len(edited["gaps"]) == len(view.gaps) - 1
    assert edited["date"] == "2026-02-25"
    kept = _sentences(edited, "shortcomings")[0]
    assert kept["text"] == f"一是{rc.PROBLEM_NO_CAUSE}。" and kept["cites"][0]["type"] == "finding"
    assert _sentences(edited, "shortcomings")[1] == {"text": "主要原因是执法人员对证据规则掌握不够。", "cites": []}
    changed = next(s for s in _sentences(edited, "achievements") if s["text"].startswith("全年审查备案"))
    assert changed["cites"] == []  # a changed figure no longer cites the record (the self-check flags it)
    assert "全年审查备案行政规范性文件19件。" in draft_text(edited)
    # another unit's member cannot see it, a viewer cannot change it, an unknown part is refused
    with pytest.raises(NotFound):
        get_draft(session, _member(record.market.id), view.id)
    with pytest.raises(Forbidden):
        update_draft(session, Actor(user_id=None, role="viewer"), view.id, sections)
    with pytest.raises(DraftError, match="草稿的部分"):
        update_draft(session, bureau, view.id, [{"part": "preface", "paragraphs": []}])
