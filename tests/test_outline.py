"""Outline: markers by level, titles, spans, numbering problems as findings."""

from __future__ import annotations

from fazhi.review.outline import numeral
from fazhi.review.pipeline import review_text


def _flat(review, max_level=2):
    return [(n.level, numeral(n.marker)) for n in review.nodes() if n.kind == "heading" and n.level <= max_level]


def test_seed_outlines_match_the_gold_level_1_and_2_headings(seed_reviews, gold):
    for stem, g in gold.items():
        expected = [(lvl, numeral(m)) for lvl, m in g["outline"]]
        assert _flat(seed_reviews[stem]) == expected, stem


def test_node_spans_and_titles_index_the_text(seed_reviews):
    for rv in seed_reviews.values():
        for n in rv.nodes():
            assert 0 <= n.start < n.end <= len(rv.text)
            assert rv.text.startswith(n.marker, rv.text.index(n.marker, n.start)) or n.marker.startswith("#")
            assert n.title == rv.text[n.title_start:n.title_end].strip()
            assert "。" not in n.title


def test_title_stops_at_the_first_full_stop():
    rv = review_text("（一）法治政府建设决策部署落实方面。一是高度重视。成立领导小组。\n")
    node = rv.nodes()[0]
    assert (node.level, node.marker, node.title) == (2, "（一）", "法治政府建设决策部署落实方面")
    items = [c for c in node.children if c.kind == "item"]
    assert [(c.marker, c.title) for c in items] == [("一是", "高度重视")]


def test_skipped_levels_and_arabic_lists():
    text = ("某县司法局2022年法治政府建设情况报告\n一、工作情况\n1.学法用法。全年集中学法6次。\n"
            "2.依法决策。出具法律意见8份。\n二、存在问题\n（1）执法人员不足。\n（2）培训不够。\n三、下一步打算\n")
    rv = review_text(text)
    tops = [n for n in rv.outline]
    assert [(n.level, n.marker) for n in tops] == [(1, "一、"), (1, "二、"), (1, "三、")]
    assert [(c.level, c.marker) for c in tops[0].children] == [(3, "1."), (3, "2.")]
    assert [(c.level, c.marker) for c in tops[1].children] == [(3, "（1）"), (3, "（2）")]


def test_markdown_headings_and_bullets():
    text = ("# 某街道办事处2023年法治政府建设情况报告\n\n## 一、工作情况\n\n### （一）强化学法\n\n- 一是建立学法制度。\n"
            "- 二是开展专题培训。\n\n## 二、存在问题\n\n## 三、下一步工作打算\n")
    rv = review_text(text, fmt="md")
    assert rv.title == "某街道办事处2023年法治政府建设情况报告"
    assert _flat(rv) == [(1, 1), (2, 1), (1, 2), (1, 3)]
    sub = rv.outline[0].children[0]
    assert [c.marker for c in sub.children] == ["一是", "二是"]


def test_markdown_headings_without_markers_get_levels_from_hashes():
    rv = review_text("## 工作情况\n正文。\n### 学法\n正文。\n## 存在问题\n正文。\n", fmt="md")
    assert [(n.level, n.title) for n in rv.nodes() if n.kind == "heading"] == [
        (1, "工作情况"), (2, "学法"), (1, "存在问题")]


def test_duplicate_numbering_is_a_finding_not_a_crash():
    rv = review_text("一、工作情况\n内容。\n二、存在问题\n内容。\n二、下一步安排\n内容。\n")
    assert [n.marker for n in rv.outline] == ["一、", "二、", "二、"]
    notes = [f for f in rv.findings if f.rule == "outline.numbering"]
    assert len(notes) == 1 and "重复" in notes[0].message
    assert notes[0].evidence[0].text.startswith("二、下一步安排")


def test_a_list_that_restarts_at_one_inside_a_section_is_not_new_top_level_sections():
    text = ("一、主要成效\n全年开展学法活动。\n二、存在问题\n"
            "一、执法队伍力量薄弱，专业人员占比偏低，难以适应综合执法改革以后承接的大量执法事项需要。\n"
            "二、普法形式较为单一，针对性不强，群众参与度不高，新媒体普法手段运用得还很不够充分。\n"
            "三、下一步安排\n加强队伍建设。\n")
    rv = review_text(text)
    assert [n.marker for n in rv.outline] == ["一、", "二、", "三、"]
    assert [c.level for c in rv.outline[1].children] == [3, 3]


def test_report_without_title_starts_with_body(seed_reviews):
    rv = seed_reviews["001_6a5ad52178c00f0c"]
    assert rv.title is None


def test_addressee_line_is_not_the_title():
    rv = review_text("市委全面依法治市委员会办公室：\n现将我局2022年法治政府建设情况报告如下。\n一、主要举措\n")
    assert rv.title is None
    assert rv.outline[0].title == "主要举措"


def test_numeral_reads_markers():
    assert [numeral(m) for m in ("一、", "（十二）", "3.", "二十一是", "①", "第三部分")] == [1, 12, 3, 21, 1, 3]
