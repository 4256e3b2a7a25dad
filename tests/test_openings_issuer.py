"""Who wrote a report that reached the reviewer without its title (issue 13, items 1–2).

Real reports are often pasted from a web page that shows the title outside the
article, or cut by the site's cleaning: the reviewer gets the opening
paragraphs only.  Each opening here was written for these tests, in provinces
and levels the seeds and the other tests do not use (甘肃, 青海, 云南, 贵州,
江西, 山西, 黑龙江, 安徽, 湖南, 海南 and their townships and streets).  Every
expected region was worked out by hand and the names checked against the
divisions table (兴隆镇 is the name of 31 towns, 店上镇 of two in one city,
建兰路街道 of one street).  Each opening goes through the whole pipeline, as
``fazhi review`` runs it.
"""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
import yaml

from fazhi.review.model import Issuer
from fazhi.review.pipeline import review_text

REGION = ("level", "province", "city", "county", "township")
CENTRAL = ("department", None, None, None, None)


def region(iss: Issuer | None) -> tuple:
    assert iss is not None
    return tuple(getattr(iss, k) for k in REGION)


def issuer_of(text: str) -> Issuer:
    iss = review_text(text).issuer
    assert iss is not None
    return iss


# ---------------------------------------------------------------------------
# a central ministry or national body, subject of the opening sentence
@pytest.mark.parametrize(("opening", "name"), [
    ("2022年，水利部坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻习近平法治思想，全面推进水利法治建设。"
     "现将有关情况报告如下：\n一、加强党对法治建设的领导\n部党组全年召开会议专题研究法治工作5次。", "水利部"),
    ("2017年，原国土资源部认真贯彻党中央、国务院关于法治政府建设的决策部署，着力推进国土资源法治建设。\n"
     "一、健全法律制度\n全年报请国务院审议法律草案2件。", "国土资源部"),
    ("2023年，国家林业和草原局党组坚持把法治建设摆在林草工作全局的重要位置，推动林草法治建设取得新进展。", "国家林业和草原局"),
    ("2022年，人力资源社会保障部坚持以习近平法治思想为指导，统筹推进人力资源社会保障领域依法行政。", "人力资源社会保障部"),
    ("一年来，在以习近平同志为核心的党中央坚强领导下，交通运输部深入学习贯彻习近平法治思想，"
     "加快建设交通运输法治政府部门。", "交通运输部"),
    ("2023年，国家统计局党组带领全局干部职工深入推进依法统计、依法治统，我局全年修订统计部门规章2部。", "国家统计局"),
])
def test_a_ministry_named_in_the_opening_has_no_region(opening, name):
    iss = issuer_of(opening)
    assert region(iss) == CENTRAL
    assert iss.name == name
    assert iss.evidence is not None and name in iss.evidence.text


def test_a_ministry_that_calls_itself_the_ministrys_party_group():
    iss = issuer_of("2021年，部党组坚持以习近平法治思想为指导，认真落实法治政府建设实施纲要，"
                    "推动法治政府部门建设取得积极成效。")
    assert region(iss) == CENTRAL
    assert iss.name is None  # the text never names the ministry
    assert iss.evidence is not None and iss.evidence.text == "部党组"


def test_a_ministry_named_as_the_actor_in_a_county_report_is_not_the_issuer():
    iss = issuer_of("2022年，司法部命名我县为第二批全国法治政府建设示范县。一年来，我县坚持依法行政，"
                    "湄潭县各项工作取得新进展，全县共办理行政复议案件12件。")
    assert region(iss) == ("county", "贵州省", "遵义市", "湄潭县", None)


def test_a_local_branch_of_a_national_body_has_the_region_of_its_place():
    iss = issuer_of("2022年，国家税务总局兰州市税务局坚持以习近平法治思想为指导，扎实推进依法治税。")
    assert region(iss) == ("department", "甘肃省", "兰州市", None, None)


def test_a_provincial_department_is_not_its_ministry():
    iss = issuer_of("2022年，在水利部和省委、省政府的坚强领导下，省水利厅坚持依法治水，认真落实"
                    "《青海省法治政府建设实施方案（2021—2025年）》，全省水利法治建设取得新成效。")
    assert region(iss) == ("department", "青海省", None, None, None)
    assert iss.department == "水利厅"


# ---------------------------------------------------------------------------
# a township or street office naming itself
@pytest.mark.parametrize(("opening", "want"), [
    ("2022年，吉强镇在县委、县政府的正确领导下，坚持以习近平法治思想为指导，全面推进依法行政。",
     ("township", "宁夏回族自治区", "固原市", "西吉县", "吉强镇")),
    ("2023年，渣津镇党委、政府坚持以习近平法治思想为指导，认真落实县委、县政府关于法治政府建设的决策部署。",
     ("township", "江西省", "九江市", "修水县", "渣津镇")),
    ("2022年，淮川街道党工委、办事处在市委、市政府的坚强领导下，深入推进法治街道建设。",
     ("street", "湖南省", "长沙市", "浏阳市", "淮川街道")),
    ("2023年，我街道在区委、区政府的坚强领导下深入推进法治政府建设。一年来，建兰路街道以创建法治示范街道为抓手，"
     "全年化解矛盾纠纷126件。", ("street", "甘肃省", "兰州市", "七里河区", "建兰路街道")),
    ("一、演丰镇2022年法治政府建设工作开展情况\n（一）加强组织领导。镇党委高度重视法治建设。",
     ("township", "海南省", "海口市", "美兰区", "演丰镇")),
    ("按照县委依法治县办的要求，现将湄江街道2022年法治政府建设工作情况报告如下：\n一、主要工作",
     ("street", "贵州省", "遵义市", "湄潭县", "湄江街道")),
])
def test_a_township_or_street_named_as_the_subject(opening, want):
    assert region(issuer_of(opening)) == want


@pytest.mark.parametrize(("opening", "want"), [
    ("根据法治政府建设年度报告制度要求，现将国家林业和草原局2022年法治政府建设情况报告如下：\n一、主要工作", CENTRAL),
    ("根据县委依法治县办要求，现将修水县司法局2022年法治政府建设情况报告如下：\n一、主要工作",
     ("department", "江西省", "九江市", "修水县", None)),
])
def test_the_sentence_announcing_the_report_names_its_issuer(opening, want):
    assert region(issuer_of(opening)) == want


def test_an_old_name_that_a_current_township_bears_is_that_townships_in_later_years():
    # 兴平乡 of 尉犁县 (新疆) was renamed in 2018; 兴平乡 of 西吉县 (宁夏) bears the name today
    text = "{}年，兴平乡在县委、县政府的正确领导下，坚持以习近平法治思想为指导，全面推进依法行政。"
    assert region(issuer_of(text.format(2022))) == ("township", "宁夏回族自治区", "固原市", "西吉县", "兴平乡")
    assert issuer_of(text.format(2016)).ambiguous  # both bore it then


def test_a_township_report_that_speaks_of_the_whole_district_is_still_the_townships():
    iss = issuer_of("2022年，上新庄镇在区委、区政府的坚强领导下，紧紧围绕全区中心工作，推动全区法治建设"
                    "在基层落地见效，全区群众满意度持续提升。")
    assert region(iss) == ("township", "青海省", "西宁市", "湟中区", "上新庄镇")


def test_a_township_named_once_further_down_a_report_that_says_our_township():
    text = ("2022年，我乡坚持以习近平法治思想为指导，扎实推进法治政府建设。\n一、主要工作\n"
            "（一）加强组织领导。成立以乡长为组长的领导小组。\n"
            "（二）推进依法决策。什运乡全年召开党委会议研究法治工作5次。")
    assert region(issuer_of(text)) == ("township", "海南省", None, "琼中黎族苗族自治县", "什运乡")


def test_a_shared_street_name_made_unique_by_a_cited_work_plan_of_its_district():
    iss = issuer_of("2022年，西湖街道坚持以习近平法治思想为指导，认真落实《2022年法治岳麓区建设工作要点》，"
                    "全面推进法治街道建设。")
    assert region(iss) == ("street", "湖南省", "长沙市", "岳麓区", "西湖街道")
    assert not iss.ambiguous


def test_a_shared_town_name_made_unique_by_the_level_of_its_unnamed_government():
    # 店上镇: one under 潞城区, one under 壶关县, both in 长治市
    base = "2022年，店上镇在{}的坚强领导下，认真落实《长治市法治政府建设实施方案》，扎实推进依法行政。"
    county = issuer_of(base.format("县委、县政府"))
    assert region(county) == ("township", "山西省", "长治市", "壶关县", "店上镇")
    assert "县委" in [c.text for c in county.clues]
    district = issuer_of(base.format("区委、区政府"))
    assert region(district) == ("township", "山西省", "长治市", "潞城区", "店上镇")


def test_a_shared_town_name_the_text_does_not_decide_lists_its_candidates():
    iss = issuer_of("2022年，店上镇认真落实《长治市法治政府建设实施方案》，扎实推进依法行政。")
    assert iss.ambiguous and iss.code is None
    assert (iss.level, iss.province, iss.city, iss.county) == ("township", "山西省", "长治市", None)
    assert sorted(c["county"] for c in iss.candidates) == ["壶关县", "潞城区"]
    iss = issuer_of("2022年，兴隆镇在县委、县政府的坚强领导下，坚持依法行政，推进法治政府建设。")
    assert iss.ambiguous and (iss.province, iss.city, iss.county) == (None, None, None)
    assert len(iss.candidates) > 10 and {c["township"] for c in iss.candidates} == {"兴隆镇"}


# ---------------------------------------------------------------------------
# a township written with its government's name in front (item 2)
@pytest.mark.parametrize(("text", "want", "code"), [
    ("瑶海区人民政府明光路街道办事处关于2022年度法治政府建设情况的报告\n2022年，明光路街道坚持依法行政。",
     ("street", "安徽省", "合肥市", "瑶海区", "明光路街道"), True),
    ("南岗区人民政府哈西街道办事处\n2023年法治政府建设工作报告\n2023年，我街道坚持依法行政。",
     ("street", "黑龙江省", "哈尔滨市", "南岗区", "哈西街道"), True),
    # a street the table does not list (new): kept under its district, never "人民政府新城街道"
    ("七里河区人民政府新城街道办事处关于2022年法治政府建设情况的报告\n2022年，我街道坚持依法行政。",
     ("street", "甘肃省", "兰州市", "七里河区", "新城街道"), False),
])
def test_a_street_office_named_after_its_districts_government(text, want, code):
    iss = issuer_of(text)
    assert region(iss) == want
    assert bool(iss.code) is code


def test_a_street_office_named_after_its_government_in_the_signature():
    text = ("2022年，我街道坚持依法行政，全年化解矛盾纠纷86件。\n一、主要工作\n全年组织集中学法6次。\n"
            "云岩区人民政府黔灵东路街道办事处\n2023年2月10日")
    assert region(issuer_of(text)) == ("street", "贵州省", "贵阳市", "云岩区", "黔灵东路街道")


# ---------------------------------------------------------------------------
# a department named by its short form, placed in the city or county the text names
@pytest.mark.parametrize(("opening", "want", "department"), [
    ("2022年，市生态环境局在市委、市政府的坚强领导下，坚持以习近平法治思想为指导，服务法治兰州建设，"
     "全市生态环境法治工作取得新成效。", ("department", "甘肃省", "兰州市", None, None), "生态环境局"),
    ("2023年，县司法局紧紧围绕法治修水建设目标，全力推进全县法治政府建设，办理法律援助案件312件。",
     ("department", "江西省", "九江市", "修水县", None), "司法局"),
    ("2023年，区委依法治区办在区委的坚强领导下，统筹推进法治南岗建设。",
     ("department", "黑龙江省", "哈尔滨市", "南岗区", None), "委依法治区办"),
    ("2022年，县政府办公室在县委、县政府的坚强领导下认真履行职责，推动歙县法治政府建设工作扎实开展。",
     ("department", "安徽省", "黄山市", "歙县", None), "政府办公室"),
])
def test_a_department_named_by_its_short_form(opening, want, department):
    iss = issuer_of(opening)
    assert region(iss) == want
    assert iss.department == department


def test_a_department_that_calls_itself_our_bureau_is_placed_by_a_cited_document():
    iss = issuer_of("2021年，我局认真贯彻落实《西宁市法治政府建设实施方案》，坚持依法行政。"
                    "市市场监督管理局全年查办各类案件456件。")
    assert region(iss) == ("department", "青海省", "西宁市", None, None)
    assert iss.department == "市场监督管理局"
    assert "西宁市" in [c.text for c in iss.clues]


def test_a_city_report_that_says_our_city_is_not_one_of_its_departments():
    text = ("2022年，我市认真贯彻落实党中央、国务院关于法治政府建设的决策部署，以建设“法治昆明”为目标，"
            "全面推进依法行政。\n一、主要工作\n（一）深化改革。市政务服务中心全年办件38.5万件，按时办结率99.6%。")
    assert region(issuer_of(text)) == ("city", "云南省", "昆明市", None, None)


def test_a_bureau_titled_without_its_region_is_a_local_department_not_a_ministry():
    iss = issuer_of("自然资源局2022年法治政府建设工作报告\n2022年，我局坚持依法行政，服务法治歙县建设，"
                    "全县自然资源领域行政复议案件下降12%。")
    assert region(iss) == ("department", "安徽省", "黄山市", "歙县", None)
    assert iss.department == "自然资源局"


def test_a_city_department_placed_by_the_citys_office_it_reports_to():
    iss = issuer_of("大同市全面依法治市委员会办公室：\n2022年，市市场监督管理局坚持依法行政，全年查办案件312件。")
    assert region(iss) == ("department", "山西省", "大同市", None, None)


def test_a_department_in_an_opening_naming_two_counties_lists_both_with_their_clues():
    iss = issuer_of("2022年，县司法局紧紧围绕中心工作，全力推进法治政府建设。\n一、主要工作\n"
                    "协助平遥县、祁县开展行政执法检查。")
    assert iss.ambiguous and iss.level == "department" and iss.county is None
    assert (iss.province, iss.city) == ("山西省", "晋中市")  # both counties are in 晋中市
    assert sorted(c["county"] for c in iss.candidates) == ["平遥县", "祁县"]
    assert {"平遥县", "祁县"} <= {c.text for c in iss.clues}


def test_a_department_placed_nowhere_keeps_its_level_and_guesses_no_region():
    iss = issuer_of("2022年，县司法局紧紧围绕县委、县政府中心工作，全力推进全县法治政府建设。")
    assert region(iss) == ("department", None, None, None, None)
    assert iss.department == "司法局" and not iss.candidates


def test_a_street_office_that_calls_itself_our_office_is_the_street():
    iss = issuer_of("2022年，我办在区委、区政府的坚强领导下坚持依法行政。我街道全年化解矛盾纠纷56件，"
                    "茶园路街道法治建设取得新成效。")
    assert region(iss) == ("street", "贵州省", "贵阳市", "云岩区", "茶园路街道")


def test_and_the_county_committee_is_not_the_county_called_he():
    # 和县 is a county of 安徽; in 市政府和县委 it is "and the county committee"
    iss = issuer_of("九江市人民政府：\n2022年，县政府在市委、市政府和县委的领导下坚持依法行政，"
                    "主动接受县人大常委会和县政协的监督。")
    assert iss.county is None and iss.province is None
    iss = issuer_of("马鞍山市和县人民政府关于2022年度法治政府建设情况的报告\n2022年，我县坚持依法行政。")
    assert region(iss) == ("county", "安徽省", "马鞍山市", "和县", None)


# ---------------------------------------------------------------------------
# an addressee line
def test_an_addressee_decides_a_shared_district_name():
    iss = issuer_of("柳州市人民政府：\n2023年，城中区在市委、市政府的坚强领导下，全面推进法治政府建设。"
                    "现将有关情况报告如下：")
    assert region(iss) == ("county", "广西壮族自治区", "柳州市", "城中区", None)
    assert "柳州市人民政府：" in [c.text for c in iss.clues]


def test_an_addressee_decides_a_shared_town_name():
    iss = issuer_of("湄潭县人民政府：\n现将我镇2022年度法治政府建设工作情况报告如下：\n2022年，兴隆镇坚持依法行政。")
    assert region(iss) == ("township", "贵州省", "遵义市", "湄潭县", "兴隆镇")


def test_an_addressee_is_never_the_issuer():
    iss = issuer_of("西宁市人民政府：\n现将我区2022年法治政府建设情况报告如下。\n2022年，城东区坚持依法行政，取得明显成效。")
    assert region(iss) == ("county", "青海省", "西宁市", "城东区", None)
    assert iss.name == "城东区"


def test_an_addressee_province_with_one_autonomous_prefecture_places_the_prefecture():
    iss = issuer_of("湖南省人民政府：\n2022年，州政府坚持以习近平法治思想为指导，全面推进依法行政。现将有关情况报告如下：")
    assert region(iss) == ("city", "湖南省", "湘西土家族苗族自治州", None, None)


def test_a_department_report_addressed_to_its_citys_office_is_the_citys():
    iss = issuer_of("哈尔滨市全面依法治市委员会办公室：\n2022年，我局坚持以习近平法治思想为指导，全面推进依法行政。")
    assert region(iss) == ("department", "黑龙江省", "哈尔滨市", None, None)
    assert iss.name is None  # the text never names the bureau


def test_a_county_government_with_a_county_named_nowhere_keeps_its_level_only():
    iss = issuer_of("九江市人民政府：\n2022年，县政府在市委、市政府和县委的领导下，坚持依法行政。")
    assert region(iss) == ("county", None, None, None, None)


# ---------------------------------------------------------------------------
# the signature block outranks the body
def test_the_signature_decides_what_the_body_leaves_open():
    text = ("2022年，兴隆镇在县委、县政府的坚强领导下坚持依法行政。\n一、主要工作\n全年组织集中学法6次。\n"
            "湄潭县兴隆镇人民政府\n2023年1月12日")
    iss = issuer_of(text)
    assert region(iss) == ("township", "贵州省", "遵义市", "湄潭县", "兴隆镇")
    assert iss.evidence is not None and iss.evidence.text == "湄潭县兴隆镇人民政府"


def test_a_department_signature_under_an_opening_that_says_our_bureau():
    text = ("2022年，我局坚持依法行政，全年办理行政许可事项2300件。\n一、主要工作\n全年召开局党组会议研究法治工作4次。\n"
            "琼中黎族苗族自治县司法局\n2023年1月18日")
    iss = issuer_of(text)
    assert region(iss) == ("department", "海南省", None, "琼中黎族苗族自治县", None)
    assert iss.department == "司法局"


# ---------------------------------------------------------------------------
# the data file
def test_central_bodies_file_matches_its_schema_and_names_each_body_once():
    pkg = resources.files("fazhi.knowledge") / "data"
    data = yaml.safe_load((pkg / "central_bodies.yaml").read_text(encoding="utf-8"))
    schema = json.loads((pkg / "schema" / "central_bodies.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    names = [n for b in data["bodies"] for n in (b["name"], *b.get("short", ()))]
    assert len(names) == len(set(names))
    assert {b.get("successor") for b in data["bodies"]} - {None} <= set(names)
