"""Stage 7 — facts: the seeds against gold, and each core indicator in other styles."""

from __future__ import annotations

import pytest

from fazhi.review.facts import catalogue, match
from fazhi.review.quantities import scan


def _same(a: float, b: float) -> bool:
    return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))


def _take(pool: list[tuple], item: tuple) -> bool:
    for i, p in enumerate(pool):
        if p[0] == item[0] and _same(p[1], item[1]):
            del pool[i]
            return True
    return False


def _score(seed_reviews, gold):
    """(tp, fp, fn, approx_ok, approx_n) over the seeds, scored as shared/tools/evaluate.py does."""
    core = set(catalogue().core_ids)
    tp = fp = fn = approx_ok = approx_n = 0
    for stem, g in gold.items():
        gf = g.get("facts")
        if gf is None:
            continue
        pred = [(f.indicator, f.value, f.approx) for f in seed_reviews[stem].facts if f.indicator in core]
        pool = list(pred)
        for r in gf.get("required", []):
            if _take(pool, tuple(r)):
                tp += 1
            else:
                fn += 1
        for o in gf.get("optional", []):
            _take(pool, tuple(o))
        fp += len(pool)
        for r in gf.get("required", []):
            for f in pred:
                if f[0] == r[0] and _same(f[1], r[1]):
                    approx_n += 1
                    approx_ok += f[2] == r[2]
                    break
    return tp, fp, fn, approx_ok, approx_n


def test_seed_facts_f1(seed_reviews, gold):
    tp, fp, fn, _, _ = _score(seed_reviews, gold)
    assert tp + fn > 0
    precision = tp / max(1, tp + fp)
    recall = tp / max(1, tp + fn)
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    assert precision >= 0.95
    assert recall >= 0.95
    assert f1 >= 0.95


def test_seed_facts_approx(seed_reviews, gold):
    _, _, _, ok, n = _score(seed_reviews, gold)
    assert n > 0
    assert ok / n >= 0.95


def test_gold_core_ids_are_in_the_catalogue(gold):
    core = set(catalogue().core_ids)
    for g in gold.values():
        for kind in ("required", "optional"):
            for f in (g.get("facts") or {}).get(kind, []):
                assert f[0] in core


def test_evidence_holds_the_figure(seed_reviews):
    for review in seed_reviews.values():
        qs = {(q.start, q.end) for q in review.quantities}
        for f in review.facts:
            assert review.text[f.start:f.end] == f.text
            assert f.quantity is not None
            assert (f.quantity.start, f.quantity.end) in qs
            assert f.start <= f.quantity.start < f.quantity.end <= f.end
            assert f.quantity.text in f.text
            assert f.name
            assert "\n" not in f.text


def test_one_fact_per_figure(seed_reviews):
    for review in seed_reviews.values():
        starts = [f.quantity.start for f in review.facts if f.quantity]
        assert len(starts) == len(set(starts))


# --------------------------------------------------------------- hand-written --

def _facts(text: str) -> list[tuple]:
    return [(f.indicator, f.value, f.unit, f.approx) for f in match(text, scan(text))]


def _core(text: str) -> list[tuple]:
    core = set(catalogue().core_ids)
    return [f for f in _facts(text) if f[0] in core]


@pytest.mark.parametrize(("text", "expected"), [
    # law_study_sessions
    ("县政府常务会议会前学法8次，举办领导干部法治专题讲座3场。",
     [("law_study_sessions", 8, "次", False)]),
    ("全年组织开展6次集中学法。", [("law_study_sessions", 6, "次", False)]),
    ("县委理论学习中心组集体学习法律法规5次。", [("law_study_sessions", 5, "次", False)]),
    # legal_adviser_opinions
    ("政府法律顾问共出具法律意见书120份，审查合同45件，参与重大决策议题30个。",
     [("legal_adviser_opinions", 120, "份", False)]),
    ("提出合法性审查意见56条。", [("legal_adviser_opinions", 56, "条", False)]),
    # normative_docs_filed / normative_docs_repealed
    ("向市政府报送备案规范性文件5件，报备率100%。", [("normative_docs_filed", 5, "件", False)]),
    ("全年审核行政规范性文件23件。", [("normative_docs_filed", 23, "件", False)]),
    ("清理规范性文件120件，其中废止8件、修改3件。", [("normative_docs_repealed", 8, "件", False)]),
    # random_inspections
    ("全年开展“双随机、一公开”抽查检查320次。", [("random_inspections", 320, "次", False)]),
    ("通过双随机方式抽查企业200家。", [("random_inspections", 200, "家", False)]),
    # enforcement_officers
    ("全县共有持证行政执法人员1235名。新申领执法证120人，聘请特约监督员30名。",
     [("enforcement_officers", 1235, "名", False)]),
    ("现有执法人员350人。", [("enforcement_officers", 350, "人", False)]),
    # admin_reconsideration_cases
    ("全年共收到行政复议申请58件，纠错率12%。", [("admin_reconsideration_cases", 58, "件", False)]),
    # admin_litigation_cases / head_appearance_rate / litigation_loss_rate
    ("全年发生行政诉讼案件35件，行政机关负责人出庭应诉35次，出庭应诉率达到100%，败诉率为2.9%。",
     [("admin_litigation_cases", 35, "件", False), ("head_appearance_rate", 100, "%", False),
      ("litigation_loss_rate", 2.9, "%", False)]),
    ("应诉案件12起，负责人出庭率85.5%。",
     [("admin_litigation_cases", 12, "起", False), ("head_appearance_rate", 85.5, "%", False)]),
    # npc_cppcc_proposals: each figure, not the reply rate
    ("共承办人大代表建议45件、政协委员提案62件，办结率100%，满意率98%。",
     [("npc_cppcc_proposals", 45, "件", False), ("npc_cppcc_proposals", 62, "件", False)]),
    ("办理建议提案107件，办复率100%。", [("npc_cppcc_proposals", 107, "件", False)]),
    # gov_info_disclosed
    ("通过政府网站主动公开信息3200余条，受理政府信息公开申请15件。",
     [("gov_info_disclosed", 3200, "条", True)]),
    ("主动公开政府信息1.5万条。", [("gov_info_disclosed", 15000, "条", False)]),
    # disputes_mediated / mediation_success_rate
    ("人民调解组织共调解矛盾纠纷986件，调解成功率达99%。",
     [("disputes_mediated", 986, "件", False), ("mediation_success_rate", 99, "%", False)]),
    ("全年共排查矛盾纠纷1200件，化解1180件，化解率98.3%。",
     [("disputes_mediated", 1180, "件", False), ("mediation_success_rate", 98.3, "%", False)]),
    ("成功化解118起矛盾纠纷。", [("disputes_mediated", 118, "起", False)]),
    # legal_aid_cases / legal_consultations
    ("法律援助中心受理案件320件，提供法律咨询1500人次。",
     [("legal_aid_cases", 320, "件", False), ("legal_consultations", 1500, "人次", False)]),
    ("全年办结法援案件96件。", [("legal_aid_cases", 96, "件", False)]),
    ("接待群众法律咨询两千余人次。", [("legal_consultations", 2000, "人次", True)]),
    # publicity_events / publicity_materials
    ("开展法治宣传活动80场，发放宣传册3000册。",
     [("publicity_events", 80, "场", False), ("publicity_materials", 3000, "册", False)]),
    ("开展“宪法进万家”主题宣传活动12次，发放普法宣传单1.2万份。",
     [("publicity_events", 12, "次", False), ("publicity_materials", 12000, "份", False)]),
    ("先后组织开展“法律进乡村”活动20余场。", [("publicity_events", 20, "场", True)]),
    ("举办普法讲座15场次。", [("publicity_events", 15, "场次", False)]),
    ("组织法律进机关、进乡村、进社区、进学校活动60场次。", [("publicity_events", 60, "场次", False)]),
])
def test_core_indicators(text, expected):
    assert _core(text) == expected


@pytest.mark.parametrize(("text", "not_indicator"), [
    # lectures are not concentrated law study
    ("组织领导干部法治专题讲座2次。", "law_study_sessions"),
    ("严格落实学法制度，举办学法讲座4次。", "law_study_sessions"),
    # topics and contracts reviewed are not opinions
    ("前置审核常务会议议题15次、行政机关合同31件。", "legal_adviser_opinions"),
    ("法律顾问审查合同45件。", "legal_adviser_opinions"),
    # a penalty filing is not a normative document filing
    ("完成重大行政处罚备案38件。", "normative_docs_filed"),
    # supervisors and certificates are not officers
    ("选聘20名行政执法特约监督员。", "enforcement_officers"),
    ("新申领执法证人员55名。", "enforcement_officers"),
    ("新申办执法证89个。", "enforcement_officers"),
    # the reply rate is not a proposal count; opinions from the public are not proposals
    ("办理人大代表建议和政协委员提案259件，办复率100%。", "npc_cppcc_proposals"),
    ("广泛收集意见建议80余条。", "npc_cppcc_proposals"),
    # screened is not mediated
    ("排查各类矛盾纠纷2000余件。", "disputes_mediated"),
    ("全年共排查120起矛盾纠纷。", "disputes_mediated"),
    # visitors in general are not legal consultations
    ("接待来访群众1100余人次。", "legal_consultations"),
    # consultations are not legal-aid cases
    ("法律援助中心接待咨询500件。", "legal_aid_cases"),
    # other activities are not publicity events; questionnaires are not materials
    ("累计开展各类应急演练3100余场次。", "publicity_events"),
    ("开展法治宣传教育培训班3期。", "publicity_events"),
    ("发放《行政执法社会满意度调查问卷》100余份。", "publicity_materials"),
    # applications are not proactive disclosure
    ("受理政府信息公开申请15件。", "gov_info_disclosed"),
    # a rate of something else is not the success rate
    ("招商项目签约成功率90%。", "mediation_success_rate"),
])
def test_exclusions(text, not_indicator):
    values = [f for f in _facts(text) if f[0] == not_indicator]
    if not_indicator == "npc_cppcc_proposals" and "办复率" in text:
        assert values == [("npc_cppcc_proposals", 259, "件", False)]
    else:
        assert values == []


def test_signal_in_an_earlier_clause():
    text = "严格履行规范性文件备案程序，审查备案行政规范性文件7件，废止3件。"
    assert _core(text) == [("normative_docs_filed", 7, "件", False),
                           ("normative_docs_repealed", 3, "件", False)]


def test_a_signal_serves_the_nearest_figure():
    text = "全年开展领导干部集中学法12次，组织领导干部法治专题讲座2次。"
    assert _core(text) == [("law_study_sessions", 12, "次", False)]
    text = "办理法律援助案件77件，认罪认罚案件130件。"
    assert _core(text) == [("legal_aid_cases", 77, "件", False)]


def test_evidence_is_the_clause_widened_to_the_signal():
    text = "一年来，严格落实会前学法制度，先后组织开展集中学法4次，提升能力。"
    (f,) = match(text, scan(text))
    assert f.text == "先后组织开展集中学法4次"
    assert f.quantity is not None and f.quantity.text == "4次"
    assert f.name == "领导干部集中学法次数"
    text = "全区行政执法案件4000起，调处各类矛盾纠纷2500余起、成功率97%。"
    rate = [f for f in match(text, scan(text)) if f.indicator == "mediation_success_rate"]
    assert rate and rate[0].text == "调处各类矛盾纠纷2500余起、成功率97%"


def test_non_core_indicators_enrich_the_table():
    text = ("完成重大行政处罚备案38件。新申办执法证89个、监督证74个。配备公职律师14人，"
            "培养“法律明白人”1500余名。建立法治文化阵地9个。全年组织听证会3场。")
    got = {f[0] for f in _facts(text)}
    assert {"major_penalty_filings", "enforcement_certificates", "supervision_certificates",
            "public_lawyers", "law_understanding_persons", "publicity_positions", "hearings"} <= got


def test_a_breakdown_is_not_counted_twice():
    text = "开展“双随机、一公开”抽查155次，其中跨部门联合抽查30余次，结果全部公示。"
    assert _core(text) == [("random_inspections", 155, "次", False)]
    # without a total before it, the same clause is the indicator
    text = "其中跨部门联合抽查30余次。"
    assert _core(text) == [("random_inspections", 30, "次", True)]


def test_supervision_notices_and_administrative_disputes_are_not_counted_as_core_facts():
    from fazhi.review.pipeline import review_text

    rv = review_text("一、主要举措\n全年下发督察整改意见书11份，通过行政复议化解行政争议58件，调解矛盾纠纷320件。\n")
    got = {(f.indicator, f.value) for f in rv.facts}
    assert ("legal_adviser_opinions", 11) not in got
    assert ("disputes_mediated", 58) not in got
    assert ("disputes_mediated", 320) in got


@pytest.mark.parametrize(("text", "expected"), [
    # a lecture counted before in the same clause does not exclude the study sessions after it
    ("全年举办领导干部法治讲座3场、集中学法活动10次。", [("law_study_sessions", 10, "次", False)]),
    ("县政府理论学习中心组开展法治专题学习6次。", [("law_study_sessions", 6, "次", False)]),
    # the adviser's opinions however written; deputies' suggestions however written
    ("政府法律顾问全年提出法律意见建议320余条。", [("legal_adviser_opinions", 320, "条", True)]),
    ("法律顾问提供法律咨询意见156条。", [("legal_adviser_opinions", 156, "条", False)]),
    ("办理人大代表意见建议58件、政协委员提案72件。",
     [("npc_cppcc_proposals", 58, "件", False), ("npc_cppcc_proposals", 72, "件", False)]),
    # lectures on laws to the public are publicity events
    ("开展民法典专题宣讲86场。", [("publicity_events", 86, "场", False)]),
    # a table row: the label is the signal; last year's column is not the fact
    ("指标\t2019年\t2018年\n行政复议案件（件）\t3\t5\n", [("admin_reconsideration_cases", 3, "件", False)]),
    ("项目\t单位\t数量\n行政执法人员\t名\t64\n", [("enforcement_officers", 64, "名", False)]),
])
def test_more_phrasings_of_core_indicators(text, expected):
    assert _core(text) == expected


def test_trainees_are_not_the_officers():
    assert not [f for f in _facts("组织全县行政执法人员培训，参训执法人员860名。") if f[0] == "enforcement_officers"]


def test_a_report_in_traditional_characters_has_its_facts_quoted_as_written():
    text = "區政府常務會議集中學法11次，全區現有行政執法人員1280名，受理行政複議案件156件。" * 2
    got = match(text, scan(text))
    assert [(f.indicator, f.value) for f in got][:3] == [
        ("law_study_sessions", 11), ("enforcement_officers", 1280), ("admin_reconsideration_cases", 156)]
    assert got[0].text == text[got[0].start:got[0].end] and "學法" in got[0].text
