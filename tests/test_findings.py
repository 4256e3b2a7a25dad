"""Findings: data-driven rules with evidence, and the score explained by dimension."""

from __future__ import annotations

import json

import pytest

from fazhi import knowledge
from fazhi.review.pipeline import review_text

BASE = ("某县人民政府关于2022年度法治政府建设情况的报告\n"
        "一、主要举措和成效\n全年召开常务会议集中学法8次，办理行政复议案件12件。\n"
        "二、党政主要负责人履行推进法治建设第一责任人职责情况\n县长带头学法。\n"
        "三、存在的不足和原因\n{short}\n"
        "四、2023年主要安排\n{plan}\n")


def _rules(rv):
    return {f.rule for f in rv.findings}


def test_shortcomings_without_causes_is_a_finding_with_causes_it_is_not():
    no = review_text(BASE.format(short="一是执法人员数量不足。二是普法形式单一。", plan="一是充实执法力量。二是创新普法形式。"))
    assert "shortcomings.no_causes" in _rules(no)
    yes = review_text(BASE.format(short="一是执法人员数量不足，主要原因是编制紧张。二是普法形式单一。",
                                  plan="一是充实执法力量。二是创新普法形式。"))
    assert "shortcomings.no_causes" not in _rules(yes)


def test_plan_that_answers_no_shortcoming_is_a_finding_naming_the_unanswered_items():
    rv = review_text(BASE.format(short="一是执法人员数量不足，原因是编制紧张。二是普法形式单一。",
                                 plan="一是深化政务公开。二是做好信息化建设。"))
    f = next(f for f in rv.findings if f.rule == "plan.unanswered_shortcomings")
    assert f.severity == "warning"
    assert len(f.evidence) == 2
    assert "执法人员数量不足" in f.evidence[0].text
    answered = review_text(BASE.format(short="一是执法人员数量不足，原因是编制紧张。二是普法形式单一。",
                                       plan="一是充实执法人员。二是创新普法宣传方式。"))
    assert "plan.unanswered_shortcomings" not in _rules(answered)


def test_report_without_any_figure_is_a_finding():
    rv = review_text(BASE.format(short="执法力量不足，原因是编制少。", plan="加强执法力量。").replace("8次", "多次")
                     .replace("12件", "若干件"))
    assert rv.quantities == []
    assert "figures.none" in _rules(rv)
    with_figures = review_text(BASE.format(short="执法力量不足，原因是编制少。", plan="加强执法力量。"))
    assert "figures.none" not in _rules(with_figures)


def test_every_finding_carries_evidence_that_quotes_the_text(seed_reviews):
    for rv in seed_reviews.values():
        assert rv.findings
        for f in rv.findings:
            assert f.severity in ("error", "warning", "info")
            assert f.message
            for ev in f.evidence:
                assert rv.text[ev.start:ev.end] == ev.text


def test_formula_shared_by_two_seeds_is_flagged_as_boilerplate(seed_reviews):
    for stem in ("001_6a5ad52178c00f0c", "002_a56d498a3fc7f791"):
        f = next(f for f in seed_reviews[stem].findings if f.rule == "text.boilerplate")
        assert any(ev.text == "同部署、同推进、同督促、同考核、同奖惩" for ev in f.evidence)


def test_score_is_the_sum_of_explained_dimensions(seed_reviews):
    weights = {k: v["weight"] for k, v in knowledge.load("rules")["score"].items()}
    assert sum(weights.values()) == 100
    for rv in seed_reviews.values():
        dims = rv.score.dimensions
        assert set(dims) == set(weights)
        assert rv.score.total == pytest.approx(sum(d.score for d in dims.values()))
        for d in dims.values():
            assert 0 <= d.score <= d.weight and d.explanation


def test_a_complete_report_scores_higher_on_completeness_than_one_missing_parts():
    full = review_text(BASE.format(short="执法力量不足，原因是编制少。", plan="充实执法力量。"))
    thin = review_text("某县人民政府2022年法治政府建设情况\n一、主要举措和成效\n全年学法8次。\n")
    assert full.score.dimensions["completeness"].score > thin.score.dimensions["completeness"].score
    assert full.score.total > thin.score.total


@pytest.fixture
def override(tmp_path, monkeypatch):
    """Point FAZHI_KNOWLEDGE_DIR at a folder (the files' knowledge follows the folder and its files)."""
    monkeypatch.setenv("FAZHI_KNOWLEDGE_DIR", str(tmp_path))
    return tmp_path


def test_a_user_can_switch_off_a_rule_and_change_a_severity_without_code(override):
    import yaml

    data = yaml.safe_load(knowledge.data_path("rules").read_text(encoding="utf-8"))
    for r in data["rules"]:
        if r["id"] == "shortcomings.no_causes":
            r["enabled"] = False
        if r["id"] == "part.embedded":
            r["severity"] = "error"
    (override / "rules.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rv = review_text("一、工作情况\n学法8次。\n二、存在问题\n执法力量不足。\n下一步将加强执法力量。\n")
    assert "shortcomings.no_causes" not in _rules(rv)
    emb = [f for f in rv.findings if f.rule.startswith("part.embedded")]
    assert emb and all(f.severity == "error" for f in emb)


def test_a_broken_user_rules_file_is_refused_with_the_reason(override):
    (override / "rules.yaml").write_text(json.dumps({"version": "x", "rules": [{"id": "a"}], "score": {}}),
                                         encoding="utf-8")
    with pytest.raises(knowledge.KnowledgeError, match=r"rules\.yaml"):
        knowledge.load("rules")


def test_causes_stated_as_so_zhi_or_subjective_and_objective_factors_are_causes():
    for short in ("一是执法人员数量不足，系编制紧张所致。", "执法不规范，既有客观因素，也有主观因素。"):
        rv = review_text(BASE.format(short=short, plan="一是充实执法力量。"))
        assert "shortcomings.no_causes" not in _rules(rv), short


def test_a_combined_section_checks_its_own_plan_against_its_own_shortcomings():
    text = ("某县人民政府关于2022年度法治政府建设情况的报告\n一、主要举措和成效\n全年开展普法活动12场，调解纠纷30件。\n"
            "二、存在的问题及下一步打算\n一是执法人员数量不足，原因是编制紧张。二是政府信息公开不够及时。"
            "下一步，我县将充实执法人员。\n")
    rv = review_text(text)
    f = next(f for f in rv.findings if f.rule == "plan.unanswered_shortcomings")
    assert len(f.evidence) == 1 and "信息公开" in f.evidence[0].text
