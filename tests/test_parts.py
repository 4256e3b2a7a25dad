"""Required parts: dedicated / embedded / missing, decided from what headings and text say."""

from __future__ import annotations

from fazhi.review.pipeline import review_text

PARTS = ("achievements", "shortcomings", "first_responsible", "next_year_plan")


def _status(rv):
    return {p: rv.parts[p].status for p in PARTS}


def test_seed_parts_match_gold(seed_reviews, gold):
    for stem, g in gold.items():
        assert _status(seed_reviews[stem]) == g["parts"], stem


def test_every_present_part_has_evidence_from_the_text(seed_reviews):
    for rv in seed_reviews.values():
        for name in PARTS:
            p = rv.parts[name]
            if p.status != "missing":
                assert p.evidence is not None
                assert rv.text[p.evidence.start:p.evidence.end] == p.evidence.text


def test_three_part_report_with_first_responsible_in_body():
    text = ("某镇人民政府2021年法治政府建设工作总结\n"
            "一、工作开展情况\n镇党委书记切实履行推进法治建设第一责任人职责，全年召开专题会议4次。\n"
            "二、存在的困难和问题\n基层法治人才短缺，原因是编制有限。\n"
            "三、2022年工作思路\n一是充实法治人才队伍。\n")
    assert _status(review_text(text)) == {"achievements": "dedicated", "shortcomings": "dedicated",
                                          "first_responsible": "embedded", "next_year_plan": "dedicated"}


def test_first_responsible_section_first_and_combined_problems_and_plan_heading():
    text = ("某市司法局关于2022年度法治政府建设情况的报告\n"
            "一、主要负责人履行推进法治建设第一责任人职责情况\n局党组书记带头学法。\n"
            "二、推进法治政府建设的主要举措和成效\n全年办理行政复议案件56件。\n"
            "三、存在的问题及下一步工作打算\n执法监督还不够有力。下一步将加强执法监督。\n")
    assert _status(review_text(text)) == {p: "dedicated" for p in PARTS}


def test_thematic_headings_only_count_as_dedicated_achievements_and_closing_paragraph_embeds_the_rest():
    text = ("一、强化组织领导，压实法治建设责任\n镇长亲自部署，全年集中学法6次。\n"
            "二、规范执法行为，提升执法水平\n开展执法检查30次。\n"
            "过去一年，我镇法治政府建设虽然取得了一些进展，但仍存在执法人员数量不足等短板。"
            "下一步，我镇将继续加强执法队伍建设。\n")
    st = _status(review_text(text))
    assert st == {"achievements": "dedicated", "shortcomings": "embedded",
                  "first_responsible": "missing", "next_year_plan": "embedded"}


def test_missing_shortcomings_is_reported_missing_with_a_finding():
    text = ("某县人民政府关于2020年法治政府建设情况的报告\n一、主要举措和成效\n全年学法12次。\n"
            "二、2021年工作安排\n继续推进依法行政。\n")
    rv = review_text(text)
    assert rv.parts["shortcomings"].status == "missing"
    assert "part.missing.shortcomings" in {f.rule for f in rv.findings}
    assert rv.parts["other"].status == "missing"


def test_other_matters_section_is_recognised():
    text = ("一、主要举措和成效\n内容。\n二、存在的不足和原因\n内容。\n三、下一年度工作安排\n内容。\n"
            "四、其他需要报告的情况\n无。\n")
    assert review_text(text).parts["other"].status == "dedicated"


# -- adversarial findings: plans named by the year, thematic plan sections, combined sections --

_HEAD3 = ("某县人民政府关于2022年度法治政府建设情况的报告\n一、主要举措和成效\n全年开展普法活动12场。\n"
          "二、党政主要负责人履行推进法治建设第一责任人职责情况\n县长带头学法。\n"
          "三、存在的不足\n一是执法不规范，原因是培训不足。\n")


def test_a_heading_naming_the_next_year_is_the_plan():
    for heading in ("四、2023年工作重点", "四、2023年主要任务", "四、2023年工作要点"):
        st = _status(review_text(_HEAD3 + heading + "\n加强执法培训。\n"))
        assert st["next_year_plan"] == "dedicated", heading
    # the year reported on is not the plan
    st = _status(review_text(_HEAD3.replace("一、主要举措和成效", "一、2022年重点工作")
                             + "四、2023年重点工作\n加强执法培训。\n"))
    assert st == {p: "dedicated" for p in PARTS}


def test_a_thematic_section_opening_with_the_plan_is_the_plan():
    rv = review_text(_HEAD3 + "四、以更高标准推进法治政府建设\n下一步，我县将加强执法培训。\n")
    assert rv.parts["next_year_plan"].status == "dedicated"
    assert rv.parts["next_year_plan"].heading == "以更高标准推进法治政府建设"
    rv = review_text(_HEAD3 + "四、以更高标准推进法治政府建设\n2023年，我县将加强执法培训。\n")
    assert rv.parts["next_year_plan"].status == "dedicated"
    # a thematic work section stays one
    rv = review_text(_HEAD3 + "四、加强法治宣传\n全年开展普法活动12场。\n")
    assert rv.parts["next_year_plan"].status == "missing"


def test_more_headings_and_sentences_that_reveal_parts():
    text = ("某镇人民政府2021年法治政府建设工作总结\n一、工作开展情况\n全年开展普法活动12场。\n"
            "二、镇长履职情况\n镇长带头学法。\n三、面临的困难和问题\n基层法治人才短缺，原因是编制有限。\n"
            "今年，我镇将充实法治人才队伍。\n")
    assert _status(review_text(text)) == {"achievements": "dedicated", "shortcomings": "dedicated",
                                          "first_responsible": "dedicated", "next_year_plan": "embedded"}
    text = ("一、强化组织领导\n全年集中学法6次。\n"
            "当前，我镇法治政府建设还面临一些困难，执法力量不足。\n")
    assert review_text(text).parts["shortcomings"].status == "embedded"


def test_a_combined_problems_and_plan_section_is_split_where_the_plan_begins():
    from fazhi.review.parts import items, region

    text = ("某县人民政府关于2022年度法治政府建设情况的报告\n一、主要举措和成效\n全年开展普法活动12场。\n"
            "二、存在的问题及下一步打算\n（一）存在的问题\n一是执法不规范。二是普法形式单一。\n"
            "（二）下一步打算\n一是加强执法培训。\n")
    rv = review_text(text)
    s0, s1 = region(rv, "shortcomings")
    p0, p1 = region(rv, "next_year_plan")
    assert "执法不规范" in rv.text[s0:s1] and "加强执法培训" not in rv.text[s0:s1]
    assert "加强执法培训" in rv.text[p0:p1] and "执法不规范" not in rv.text[p0:p1]
    assert [s.text[:2] for s in items(rv, "shortcomings")] == ["一是", "二是"]
    # without sub-headings: the 下一步 sentence opens the plan
    rv = review_text(text.replace("（一）存在的问题\n", "").replace("\n（二）下一步打算\n", "下一步，"))
    s0, s1 = region(rv, "shortcomings")
    assert rv.text[s1:].startswith("下一步")
    assert [s.text[:2] for s in items(rv, "shortcomings")] == ["一是", "二是"]
