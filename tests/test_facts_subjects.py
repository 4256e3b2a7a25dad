"""Which figure is the indicator: the whole, not a part; what is counted, not a list of it; the verb counted.

The catalogue names, for each indicator, the nouns of what it counts (``subjects``), the words that make a
figure a part or another measure (``qualifiers``), the words that call a figure the whole (``totals``) and the
verbs of the figures it counts (``counts``).  Texts written for these tests, from places and levels the other
fact tests do not use.
"""

from __future__ import annotations

import yaml

from fazhi import knowledge
from fazhi.knowledge import packaged_path
from fazhi.review.facts import catalogue, match
from fazhi.review.pipeline import Reviewer
from fazhi.review.quantities import scan


def _facts(text: str, indicator: str, kn: knowledge.Knowledge | None = None) -> list[float]:
    return [f.value for f in match(text, scan(text), catalogue(kn)) if f.indicator == indicator]


def test_the_officers_are_the_whole_not_those_who_sat_a_test():
    # 青海省海西州德令哈市 (a county-level city of an autonomous prefecture)
    text = ("德令哈市现有行政执法人员412名，持证率100%。"
            "组织186名执法人员参加全省行政执法资格理论考试，通过率97%。")
    assert _facts(text, "enforcement_officers") == [412]


def test_a_whole_named_before_the_figure_stays_the_officers_even_beside_a_test():
    # a township of 贵州省黔东南州
    text = "组织全镇36名行政执法人员开展年度执法能力测试。"
    assert _facts(text, "enforcement_officers") == [36]


def test_a_list_of_matters_is_not_the_matters_handled():
    # 甘肃省敦煌市
    text = ("敦煌市编制证明事项告知承诺制目录，共收录事项38项。全年以告知承诺方式办理证明事项2150件。"
            "公布实行告知承诺制的证明事项清单共27项。")
    assert _facts(text, "proof_commitment_items") == [2150]
    assert 27 in _facts(text, "list_items")


def test_a_satisfaction_rate_of_deputies_is_not_their_reply_rate():
    # a district of 山西省太原市
    text = "承办人大代表建议52件、政协委员提案67件，办复率100%，代表委员满意率96.8%。"
    assert _facts(text, "npc_reply_rate") == [100]
    assert _facts(text, "npc_satisfaction_rate") == [96.8]


def test_the_cases_accepted_not_the_applications_received():
    # 江西省赣州市章贡区
    text = "全年收到行政复议申请74件，依法受理66件，审结61件。"
    assert _facts(text, "admin_reconsideration_cases") == [66]
    # accepted in the first clause already: that one stays, what follows is another count
    text = "全年受理行政复议申请74件，审结61件。"
    assert _facts(text, "admin_reconsideration_cases") == [74]


def test_the_accepted_figure_quotes_the_subject_as_evidence():
    text = "全年收到行政复议申请74件，依法受理66件，审结61件。"
    fact = next(f for f in match(text, scan(text)) if f.indicator == "admin_reconsideration_cases")
    assert fact.text == "全年收到行政复议申请74件，依法受理66件"
    assert text[fact.quantity.start:fact.quantity.end] == "66件"


def test_qualifiers_are_data_a_user_can_change(tmp_path):
    """Without the qualifiers in the catalogue, the test takers count as the officers again."""
    data = yaml.safe_load(packaged_path("indicators").read_text(encoding="utf-8"))
    for ind in data["indicators"]:
        if ind["id"] == "enforcement_officers":
            del ind["qualifiers"]
    data["version"] = "test-no-qualifiers"
    kn = knowledge.from_texts({"indicators": yaml.safe_dump(data, allow_unicode=True)})
    text = "组织186名执法人员参加全省行政执法资格理论考试。"
    assert _facts(text, "enforcement_officers") == []
    assert _facts(text, "enforcement_officers", kn) == [186]
    review = Reviewer(kn).review_text(text)
    assert [f.value for f in review.facts if f.indicator == "enforcement_officers"] == [186]
