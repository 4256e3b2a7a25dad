"""The 审查意见书: what an office reads in the Word document it sends back to a unit."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH

from fazhi.documents.opinion import opinion_document, opinion_docx, opinion_filename, verdict
from tests.documents.readback import all_xml, fmt, font, open_docx, size_pt, texts

TITLE = "宾川县人民政府关于2024年度法治政府建设情况的报告"
EMBEDDED = "但对照要求，乡镇执法力量仍然薄弱，执法人员持证比例不高。"
LONG = ("下一步，我县将围绕行政执法“三项制度”落实，持续开展执法案卷评查，\n健全乡镇综合执法队伍，"
        "推动执法人员全员持证上岗，并把复议纠错案件\x07纳入年度考核，切实提升基层依法行政水平。")


def _review() -> dict:
    """A review of a county's report, written by hand in the fazhi.review/1 shape."""
    return {
        "schema": "fazhi.review/1",
        "source": {"path": "binchuan_2024.docx", "sha256": "0" * 64, "format": "docx", "chars": 5120},
        "title": TITLE,
        "issuer": {"name": "宾川县人民政府", "level": "county", "province": "云南省",
                   "city": "大理白族自治州", "county": "宾川县", "township": None},
        "year": 2024,
        "date": "2025-03-18",
        "parts": {
            "achievements": {"status": "dedicated", "heading": "2024年法治政府建设主要举措和成效",
                             "how": "heading:1",
                             "evidence": {"start": 40, "end": 60, "text": "一、2024年法治政府建设主要举措和成效"}},
            "shortcomings": {"status": "embedded", "how": "text",
                             "evidence": {"start": 3000, "end": 3029, "text": EMBEDDED}},
            "first_responsible": {"status": "missing", "evidence": None},
            "next_year_plan": {"status": "dedicated", "how": "heading:1",
                               "evidence": {"start": 4000, "end": 4011, "text": "三、2025年工作安排"}},
            "other": {"status": "missing", "evidence": None},
        },
        "findings": [
            {"rule": "text.boilerplate", "severity": "info",
             "message": "使用了 3 处常见套话（“取得了明显成效”、“还有一定差距”、“层层抓落实”），具体做法和数据更能说明问题",
             "evidence": [{"start": 100, "end": 107, "text": "取得了明显成效"},
                          {"start": 3100, "end": 3106, "text": "还有一定差距"},
                          {"start": 200, "end": 205, "text": "层层抓落实"}]},
            {"rule": "part.missing.first_responsible", "severity": "error",
             "message": "报告缺少规定的必备内容：党政主要负责人履行推进法治建设第一责任人职责情况",
             "evidence": [{"start": 0, "end": 25, "text": TITLE}]},
            {"rule": "part.embedded.shortcomings", "severity": "warning",
             "message": "“存在的不足和原因”没有单独成节，仅在正文中提及，建议按规定单列一部分",
             "evidence": [{"start": 3000, "end": 3029, "text": EMBEDDED}]},
            {"rule": "shortcomings.no_causes", "severity": "warning",
             "message": "只列举了不足，没有分析原因（规定要求报告“存在的不足和原因”）",
             "evidence": [{"start": 3000, "end": 3029, "text": EMBEDDED}]},
            {"rule": "plan.unanswered_shortcomings", "severity": "warning",
             "message": "下一年度安排没有回应以下不足：执法人员持证比例不高",
             "evidence": [{"start": 4020, "end": 4100, "text": LONG}]},
        ],
        "score": {"total": 68.5, "dimensions": {
            "completeness": {"score": 21.0, "weight": 35, "label": "内容完整性",
                             "explanation": "四项必备内容中单列 2 项、散见于正文 1 项、缺失 1 项"},
            "quantification": {"score": 16.5, "weight": 20, "label": "数据量化程度",
                               "explanation": "22 个统计数字，覆盖 7 项核心指标"},
            "self_criticism": {"score": 10.0, "weight": 20, "label": "查摆问题深度",
                               "explanation": "查摆不足 2 条，未分析原因，未单列"},
            "plan_specificity": {"score": 12.0, "weight": 15, "label": "下一步安排针对性",
                                 "explanation": "安排 4 项，回应了 1/2 条不足"},
            "originality": {"score": 9.0, "weight": 10, "label": "原创性",
                            "explanation": "常见套话 3 处"},
        }},
    }


@pytest.fixture(scope="module")
def opinion() -> bytes:
    return opinion_docx(_review(), reviewer="段晓燕", office="大理白族自治州司法局", date=dt.date(2025, 4, 2))


@pytest.fixture(scope="module")
def body(opinion) -> str:
    return texts(open_docx(opinion))


def test_title_names_the_report_and_the_unit_is_addressed(opinion):
    document = open_docx(opinion)
    title, addressee, opening = (p.text for p in document.paragraphs[:3])
    assert title == f"关于《{TITLE}》的审查意见"
    assert font(document.paragraphs[0]) == "方正小标宋简体" and size_pt(document.paragraphs[0]) == 22
    assert addressee == "宾川县人民政府："
    assert opening.startswith(f"宾川县人民政府（云南省大理白族自治州宾川县）报送的《{TITLE}》收悉。")
    assert "报告反映2024年度法治政府建设情况，成文日期为2025年3月18日。" in opening


def test_overall_judgement_from_the_score(body):
    # 68.5 is under 70: 需修改
    assert "报告综合得分68.5分（满分100分），总体评定为“需修改”" in body
    assert "共发现问题5项（错误1项、警告3项、提示1项）" in body


def test_every_required_part_with_its_status_and_quote(body):
    assert "1.上一年度推进法治政府建设的主要举措和成效：单列一部分，见“一、2024年法治政府建设主要举措和成效”。" in body
    assert f"2.存在的不足和原因：未单列，散见于正文，见“{EMBEDDED.rstrip('。')}”。" in body
    assert "3.党政主要负责人履行推进法治建设第一责任人职责、加强法治政府建设的有关情况：缺失，报告中未见相关内容。" in body
    assert "4.下一年度推进法治政府建设的主要安排：单列一部分，见“三、2025年工作安排”。" in body
    assert "其他需要报告" not in body  # the optional fifth part is not a required one


def test_every_finding_with_its_message_and_quoted_text(body):
    for finding in _review()["findings"]:
        assert finding["message"] in body
        for evidence in finding["evidence"]:
            if evidence["text"] is not LONG:
                assert f"“{evidence['text'].rstrip('。')}”" in body


def test_findings_are_grouped_by_severity_most_severe_first(body):
    assert body.index("（一）错误（1项）") < body.index("（二）警告（3项）") < body.index("（三）提示（1项）")
    assert body.index("（三）提示（1项）") < body.index("取得了明显成效")
    assert "相关原文：“取得了明显成效”“还有一定差距”“层层抓落实”。" in body


def test_long_quotes_are_cut_and_lose_control_characters(body):
    assert "\x07" not in body
    # 60 characters of the quoted sentence (the newline became a space), then ……
    one_line = " ".join(LONG.replace("\x07", " ").split())
    expected = one_line[:60].replace("“", "‘").replace("”", "’")
    assert expected.startswith("下一步，我县将围绕行政执法‘三项制度’落实，") and "\n" not in expected
    assert f"相关原文：“{expected}……”。" in body


def test_no_rule_ids_reach_the_document(opinion):
    xml = all_xml(opinion)
    for rule in ("part.missing", "part.embedded", "shortcomings.no_causes", "text.boilerplate",
                 "plan.unanswered_shortcomings", "first_responsible", "severity"):
        assert rule not in xml


def test_score_table_lists_every_dimension(opinion):
    table = open_docx(opinion).tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["评分项目", "权重", "得分", "说明"]
    assert rows[1] == ["内容完整性", "35", "21", "四项必备内容中单列 2 项、散见于正文 1 项、缺失 1 项"]
    assert rows[3] == ["查摆问题深度", "20", "10", "查摆不足 2 条，未分析原因，未单列"]
    assert [r[0] for r in rows[1:]] == ["内容完整性", "数据量化程度", "查摆问题深度", "下一步安排针对性", "原创性", "合计"]
    assert rows[-1] == ["合计", "100", "68.5", "需修改"]


def test_suggestions_one_per_problem_without_duplicates(body):
    advice = body.split("四、修改建议\n")[1].split("\n审查人")[0].split("\n")
    assert advice == [
        "1.补写党政主要负责人履行推进法治建设第一责任人职责情况，写明研究部署、带头学法、述法等具体履职情况。",
        "2.将散见于正文的“存在的不足和原因”相关内容归并，单列一部分。",
        "3.在“存在的不足和原因”部分逐条分析问题产生的主客观原因。",
        "4.在下一年度安排中逐条回应查摆出的不足，提出有针对性的整改措施。",
        "5.减少套话，用具体做法和数据说明工作成效。",
    ]


def test_reviewer_office_and_date_sign_it_at_the_right(opinion):
    document = open_docx(opinion)
    assert any(p.text == "审查人：段晓燕" for p in document.paragraphs)
    office = next(p for p in document.paragraphs if p.text == "大理白族自治州司法局")
    date = next(p for p in document.paragraphs if p.text == "2025年4月2日")
    assert fmt(office, "alignment") == WD_ALIGN_PARAGRAPH.RIGHT
    assert fmt(date, "alignment") == WD_ALIGN_PARAGRAPH.RIGHT
    assert document.paragraphs[-1].text == "2025年4月2日"


def test_outline_keeps_the_evidence_spans_for_the_review_page():
    outline = opinion_document(_review(), date=dt.date(2025, 4, 2)).outline()
    no_causes = next(b for b in outline if b["kind"] == "paragraph" and "没有分析原因" in b["text"])
    assert no_causes["cites"] == [{"start": 3000, "end": 3029}]


def test_a_clean_report_is_judged_good_and_needs_no_revision():
    review = _review()
    review["findings"] = []
    review["score"]["total"] = 92.0
    for key in ("shortcomings", "first_responsible"):
        review["parts"][key] = {"status": "dedicated", "how": "heading:1",
                                "evidence": {"start": 0, "end": 5, "text": "二、存在的不足和原因"}}
    body = texts(open_docx(opinion_docx(review, date=dt.date(2025, 4, 2))))
    assert "总体评定为“较好”" in body
    assert "二、主要问题\n未发现问题。" in body
    assert "四、修改建议\n报告无需修改，可按程序公开。" in body
    assert "缺失" not in body.split("三、评分")[0]


def test_a_review_with_nothing_known_still_gives_an_opinion():
    review = {"schema": "fazhi.review/1", "title": None, "issuer": None, "year": None, "date": None,
              "parts": None, "findings": None, "score": None}
    document = open_docx(opinion_docx(review, date=dt.date(2025, 4, 2)))
    body = texts(document)
    assert document.paragraphs[0].text == "关于法治政府建设年度报告的审查意见"
    assert document.paragraphs[1].text.startswith("送审的法治政府建设年度报告收悉。")
    assert "报告未能评分" in body
    assert body.count("缺失，报告中未见相关内容") == 4
    assert not document.tables


def test_a_report_without_title_is_named_by_its_issuer_and_year():
    review = _review()
    review["title"] = None
    review["issuer"] = {"name": "鄂伦春自治旗人民政府", "level": "county", "province": "内蒙古自治区",
                        "city": "呼伦贝尔市", "county": "鄂伦春自治旗", "township": None}
    first = open_docx(opinion_docx(review, date=dt.date(2025, 4, 2))).paragraphs[0]
    assert first.text == "关于鄂伦春自治旗人民政府2024年度法治政府建设年度报告的审查意见"


def test_an_unknown_rule_still_gets_a_suggestion_quoting_its_message():
    review = _review()
    review["findings"] = [{"rule": "record.mismatch", "severity": "warning",
                           "message": "报告中行政复议案件数86件与台账记录91件不一致", "evidence": []}]
    body = texts(open_docx(opinion_docx(review, date=dt.date(2025, 4, 2))))
    assert "针对“报告中行政复议案件数86件与台账记录91件不一致”的问题修改相关内容。" in body
    assert "record.mismatch" not in body


@pytest.mark.parametrize(("total", "errors", "grade"), [
    (85.0, 0, "较好"), (85.0, 1, "基本符合"), (84.9, 0, "基本符合"), (70.0, 0, "基本符合"),
    (69.9, 0, "需修改"), (0.0, 0, "需修改"),
])
def test_verdict_thresholds(total, errors, grade):
    review = copy.deepcopy(_review())
    review["score"]["total"] = total
    review["findings"] = [{"rule": "year.missing", "severity": "error", "message": "无法确定报告所属年度",
                           "evidence": []}] * errors
    assert verdict(review)["grade"] == grade


def test_something_else_than_a_review_is_refused():
    with pytest.raises(ValueError, match=r"fazhi\.review/1"):
        opinion_docx({"schema": "fazhi.compare/1"})


def test_file_name():
    assert opinion_filename("binchuan_2024") == "binchuan_2024.审查意见书.docx"


def test_a_bundled_example_reviewed_by_fazhi_goes_through():
    import fazhi

    example = Path(fazhi.__file__).parent / "examples" / "zhejiang_district_2019.html"
    review = fazhi.review(example).to_json()
    data = opinion_docx(review, reviewer="周敏", office="宁波市司法局", date=dt.date(2020, 5, 6))
    document, xml = open_docx(data), all_xml(data)
    body = texts(document)
    assert document.paragraphs[0].text == f"关于《{review['title']}》的审查意见"
    assert review["findings"]
    for finding in review["findings"]:
        assert finding["message"].rstrip("。") in body
        assert finding["rule"] not in xml
    dimensions = [row.cells[0].text for row in document.tables[0].rows[1:-1]]
    assert dimensions == [d["label"] for d in review["score"]["dimensions"].values()]
