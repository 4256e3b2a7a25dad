"""The year a report reports on, from openings without a title (issue 13, item 3).

The year the report says it reports on (现将我乡2022年法治政府建设情况报告如下,
2022年，……) outranks a year inside a cited title (《……（2020—2025年）》 is not
2025), a year range, a comparison (较2021年增长, 比2020年) and a deadline
(到2025年).  Openings written for these tests; expected years read off the text.
"""

from __future__ import annotations

import pytest

from fazhi.review.pipeline import review_text


def year_of(text: str) -> int | None:
    return review_text(text).year


@pytest.mark.parametrize(("opening", "year"), [
    # the sentence announcing the report, after a notice whose title names the next year
    ("根据《关于做好2023年度法治政府建设年度报告工作的通知》要求，现将我乡2022年法治政府建设情况报告如下：\n"
     "一、主要工作\n什运乡坚持依法行政。", 2022),
    # a year range inside a cited title, before the year of the opening
    ("为贯彻落实《法治政府建设实施纲要（2021—2025年）》，2022年，平遥县坚持依法行政，各项工作取得新成效。", 2022),
    ("2022年，修水县认真贯彻落实《法治社会建设实施纲要（2020—2025年）》，扎实推进法治政府建设。", 2022),
    # a range written without 《》
    ("对照法治政府建设实施纲要（2021-2025年）的要求，2023年，古陶镇坚持依法行政。", 2023),
    # comparisons before the announcing sentence
    ("湄潭县坚持依法行政，全年办理行政复议案件45件，较2021年增长15%，比2020年下降3件。"
     "现将2022年法治政府建设情况报告如下：", 2022),
    ("与2021年相比，全区行政复议案件下降12%。2022年，云岩区坚持依法行政。", 2022),
    # a deadline
    ("按照到2025年基本建成法治政府的目标要求，2022年，掌政镇坚持依法行政，推进法治政府建设。", 2022),
    # a year in Chinese numerals
    ("二〇二二年，古陶镇在县委、县政府的领导下，坚持依法行政。", 2022),
    # the year under an outline marker
    ("一、2021年法治政府建设主要举措和成效\n（一）加强组织领导。五常市全年召开常务会议研究法治工作4次，较2020年增加1次。",
     2021),
])
def test_the_year_the_opening_reports_on(opening, year):
    assert year_of(opening) == year


def test_the_year_evidence_is_the_year_reported_on():
    r = review_text("与2020年相比，全县行政诉讼败诉率下降2个百分点。现将我县2021年法治政府建设工作情况报告如下：")
    assert r.year == 2021
    assert r.year_evidence is not None and r.year_evidence.text == "2021年"
    assert r.text[r.year_evidence.start:r.year_evidence.end] == "2021年"


def test_a_plan_for_the_next_year_is_not_the_year_reported_on():
    text = "黄港镇认真谋划2024年工作安排，扎实推进法治政府建设。\n修水县黄港镇人民政府\n2024年2月19日"
    assert year_of(text) == 2023  # the year before the signing date


def test_a_range_in_the_title_is_not_the_year():
    assert year_of("修水县落实法治政府建设实施纲要（2021-2025年）2022年度情况报告\n一、主要工作\n坚持依法行政。") == 2022


def test_a_year_after_the_signing_date_is_not_the_year_reported_on():
    text = ("现将我镇法治政府建设情况报告如下：\n一、主要工作\n向阳镇力争2025年建成法治示范镇。\n"
            "五常市向阳镇人民政府\n2023年1月10日")
    assert year_of(text) == 2022


def test_without_any_year_the_web_pages_publication_date_gives_the_year_before():
    r = review_text("发布日期：2023-02-14\n一年来，渣津镇在县委、县政府的坚强领导下，坚持依法行政。\n"
                    "一、主要工作\n全年组织集中学法6次。")
    assert r.year == 2022
    assert r.date is None  # a publication date is not the signing date
