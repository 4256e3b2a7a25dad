"""Issuer, year and signing date (SPEC §3).

The seeds are checked against their gold answers; everything else uses short
report openings and endings written for these tests, from other provinces,
levels and years.  The stage is called on a ``Review`` built here (lines and a
first-line title), so these tests do not depend on the other stages.
"""

from __future__ import annotations

import pytest

from fazhi.review import issuer
from fazhi.review.model import Issuer, Line, Review, Source
from fazhi.review.pipeline import review_text

REGION = ("level", "province", "city", "county", "township")


def _review(text: str) -> Review:
    lines, pos = [], 0
    for chunk in text.split("\n"):
        lines.append(Line(pos, pos + len(chunk)))
        pos += len(chunk) + 1
    first = next((ln for ln in lines if text[ln.start:ln.end].strip()), None)
    r = Review(text=text, source=Source(path=None, sha256="0", format="txt"), lines=lines)
    if first is not None:
        r.title, r.title_span = text[first.start:first.end].strip(), r.span(first.start, first.end)
    return r


def run(text: str) -> issuer.IssuerResult:
    return issuer.resolve(_review(text))


def region(iss: Issuer | None) -> tuple:
    assert iss is not None
    return tuple(getattr(iss, k) for k in REGION)


BODY = "\n一、主要举措和成效\n（一）加强组织领导。全年召开常务会议专题研究法治政府建设工作3次，组织集中学法4次。\n"


# ---------------------------------------------------------------------------
# the seeds
def test_seeds_match_gold(seed_reviews, gold):
    for stem, g in gold.items():
        r = seed_reviews[stem]
        assert region(r.issuer) == tuple(g["issuer"][k] for k in REGION), stem
        assert r.year == g["year"], stem
        assert r.date == g["date"], stem


def test_seed_issuer_evidence_points_into_the_text(seed_reviews):
    for stem, r in seed_reviews.items():
        iss = r.issuer
        assert iss is not None and iss.name and iss.code, stem
        ev = iss.evidence
        assert ev is not None and r.text[ev.start:ev.end] == ev.text, stem
        assert iss.name in ev.text or ev.text.strip() == iss.name, stem
        if r.date:
            assert r.date_evidence is not None and r.text[r.date_evidence.start:r.date_evidence.end] == \
                r.date_evidence.text


# ---------------------------------------------------------------------------
# levels and region conventions
def test_street_in_beijing_has_no_city():
    res = run("北京市朝阳区建外街道办事处2023年法治政府建设情况报告" + BODY)
    assert region(res.issuer) == ("street", "北京市", None, "朝阳区", "建外街道")
    assert res.issuer.code == "110105001"
    assert res.issuer.name == "北京市朝阳区建外街道办事处"


def test_town_in_guangdong():
    res = run("佛山市南海区狮山镇2021年法治政府建设年度报告" + BODY)
    assert region(res.issuer) == ("township", "广东省", "佛山市", "南海区", "狮山镇")
    assert res.year == 2021


def test_town_of_a_city_without_counties():
    res = run("东莞市虎门镇人民政府关于2022年度法治政府建设工作情况的报告" + BODY + "东莞市虎门镇人民政府\n二〇二三年一月十六日")
    assert region(res.issuer) == ("township", "广东省", "东莞市", None, "虎门镇")
    assert res.date == "2023-01-16"


def test_province_city_and_municipality_levels():
    assert region(run("河南省人民政府关于2023年法治政府建设情况的报告" + BODY).issuer) == \
        ("province", "河南省", None, None, None)
    assert region(run("焦作市人民政府关于2023年法治政府建设情况的报告" + BODY).issuer) == \
        ("city", "河南省", "焦作市", None, None)
    assert region(run("上海市人民政府关于2020年法治政府建设情况的报告" + BODY).issuer) == \
        ("province", "上海市", None, None, None)
    assert region(run("重庆市渝中区人民政府关于2020年法治政府建设情况的报告" + BODY).issuer) == \
        ("county", "重庆市", None, "渝中区", None)


def test_county_level_city_directly_under_the_province_has_no_city():
    res = run("济源市人民政府关于2023年法治政府建设情况的报告" + BODY)
    assert region(res.issuer) == ("county", "河南省", None, "济源市", None)


def test_county_of_an_autonomous_prefecture():
    res = run("延吉市人民政府2022年度法治政府建设情况报告" + BODY)
    assert region(res.issuer) == ("county", "吉林省", "延边朝鲜族自治州", "延吉市", None)


def test_department_has_the_region_of_its_government():
    res = run("焦作市解放区司法局2023年法治政府建设年度报告\n2023年，我局在区委区政府的领导下开展工作。")
    assert region(res.issuer) == ("department", "河南省", "焦作市", "解放区", None)
    assert res.issuer.department == "司法局"
    res = run("焦作市生态环境局关于2023年度法治政府建设工作情况的报告" + BODY)
    assert region(res.issuer) == ("department", "河南省", "焦作市", None, None)
    assert res.issuer.department == "生态环境局"


def test_government_office_is_a_department():
    res = run("信阳市平桥区人民政府办公室2023年法治政府建设工作总结" + BODY)
    assert res.issuer.level == "department" and res.issuer.county == "平桥区"
    assert res.issuer.kind == "office"


def test_department_without_its_region_name_takes_it_from_the_body():
    res = run("区人民政府办公室2023年法治政府建设工作总结\n2023年，在信阳市平桥区委区政府领导下，我办坚持依法行政。")
    assert region(res.issuer) == ("department", "河南省", "信阳市", "平桥区", None)


def test_central_ministry_has_no_region():
    res = run("司法部2023年法治政府建设年度报告\n2023年，司法部坚持以习近平新时代中国特色社会主义思想为指导。")
    assert region(res.issuer) == ("department", None, None, None, None)
    assert res.issuer.name == "司法部"
    assert res.year == 2023


def test_joint_party_and_government_issuer():
    res = run("中共鲁山县委 鲁山县人民政府关于2023年度法治政府建设情况的报告" + BODY)
    assert region(res.issuer) == ("county", "河南省", "平顶山市", "鲁山县", None)
    assert res.issuer.kind == "party_government"
    assert res.issuer.name == "中共鲁山县委 鲁山县人民政府"


def test_joint_issuer_on_two_title_lines():
    res = run("中共汝阳县委\n汝阳县人民政府\n关于2022年度法治政府建设情况的报告" + BODY)
    assert region(res.issuer) == ("county", "河南省", "洛阳市", "汝阳县", None)
    assert res.issuer.kind == "party_government"
    assert res.year == 2022


def test_year_first_title():
    res = run("2023年度郑州市金水区法治政府建设工作报告" + BODY)
    assert region(res.issuer) == ("county", "河南省", "郑州市", "金水区", None)
    assert res.year == 2023


# ---------------------------------------------------------------------------
# same-named places
def test_ambiguous_district_lists_candidates_and_guesses_nothing():
    res = run("鼓楼区人民政府关于2023年度法治政府建设情况的报告\n2023年，我区在市委、市政府的坚强领导下，坚持依法行政。" + BODY)
    iss = res.issuer
    assert iss.ambiguous
    assert (iss.province, iss.city) == (None, None)
    assert iss.code is None
    cities = {c["city"] for c in iss.candidates}
    assert cities == {"南京市", "徐州市", "福州市", "开封市"}
    assert all(c["code"] and c["county"] == "鼓楼区" for c in iss.candidates)
    assert iss.to_json()["ambiguous"] is True


def test_ambiguous_district_resolved_by_its_city_in_the_body():
    res = run("鼓楼区人民政府关于2023年度法治政府建设情况的报告\n2023年，我区在南京市委、市政府的坚强领导下，"
              "认真落实《江苏省法治政府建设实施纲要》。" + BODY)
    iss = res.issuer
    assert not iss.ambiguous
    assert region(iss) == ("county", "江苏省", "南京市", "鼓楼区", None)
    assert iss.code == "320106"
    assert any(c.text == "南京市" for c in iss.clues)


def test_ambiguous_district_resolved_by_its_streets():
    res = run("鼓楼区2019年法治政府建设工作报告\n2019年，我区推动东街街道、南街街道、温泉街道综合执法改革。" + BODY)
    assert region(res.issuer) == ("county", "福建省", "福州市", "鼓楼区", None)


def test_street_placed_by_a_document_of_its_city():
    text = ("民主街道办事处关于2023年法治政府建设情况的报告\n"
            "2023年，对照《焦作市交由街道办事处形式的行政处罚权事项清单》开展工作。" + BODY)
    assert region(run(text).issuer) == ("street", "河南省", "焦作市", "解放区", "民主街道")


def test_common_town_name_resolved_by_its_county():
    res = run("城关镇人民政府2023年法治政府建设工作报告\n2023年，我镇在汝阳县委、县政府的领导下依法行政。" + BODY)
    assert region(res.issuer) == ("township", "河南省", "洛阳市", "汝阳县", "城关镇")


def test_common_town_name_without_context_is_ambiguous():
    res = run("城关镇人民政府2023年法治政府建设工作报告\n2023年，我镇坚持依法行政。" + BODY)
    assert res.issuer.ambiguous and len(res.issuer.candidates) > 20
    assert res.issuer.county is None and res.issuer.township is None


# ---------------------------------------------------------------------------
# history, traditional characters, layout
def test_county_that_became_a_district_resolves_to_its_successor():
    res = run("密云县人民政府关于2015年法治政府建设情况的报告" + BODY + "密云县人民政府\n2016年1月20日")
    assert region(res.issuer) == ("county", "北京市", None, "密云区", None)
    assert res.issuer.name == "密云县人民政府"
    assert (res.year, res.date) == (2015, "2016-01-20")
    res = run("长治县2016年度法治政府建设工作报告" + BODY)
    assert region(res.issuer) == ("county", "山西省", "长治市", "上党区", None)


def test_traditional_characters():
    text = ("佳木斯市前進區人民政府\n關於2023年度法治政府建設情況的報告\n"
            "2023年，前進區政府在市委、市政府和區委的正確領導下，堅持以習近平法治思想為指導。\n"
            "一、主要舉措和成效\n二〇二四年二月十九日")
    res = run(text)
    assert region(res.issuer) == ("county", "黑龙江省", "佳木斯市", "前进区", None)
    assert res.issuer.name == "佳木斯市前進區人民政府"  # as written
    assert (res.year, res.date) == (2023, "2024-02-19")


def test_addressee_line_is_not_the_issuer():
    text = ("市人民政府：\n现将我区2022年法治政府建设情况报告如下。\n一、主要工作\n"
            "2022年，平桥区坚持依法行政，落实各项工作，取得明显成效。\n信阳市平桥区人民政府\n2023.3.10")
    res = run(text)
    assert region(res.issuer) == ("county", "河南省", "信阳市", "平桥区", None)
    assert res.issuer.name == "信阳市平桥区人民政府"
    assert res.date == "2023-03-10"


def test_issuer_from_the_body_when_there_is_no_title():
    text = ("2023年，在市委、市政府的坚强领导下，中站区坚持依法行政，取得成效。现报告如下。\n"
            "一、主要工作\n2023年12月5日，我区召开常务会议专题研究法治政府建设工作。")
    res = run(text)
    assert region(res.issuer) == ("county", "河南省", "焦作市", "中站区", None)
    assert res.year == 2023
    assert res.date is None  # an event in the body is not the signing date


def test_township_missing_from_the_table_is_kept_under_its_county():
    res = run("焦作市解放区幸福街道办事处关于2023年法治政府建设情况的报告" + BODY)
    assert region(res.issuer) == ("street", "河南省", "焦作市", "解放区", "幸福街道")
    assert res.issuer.code is None


# ---------------------------------------------------------------------------
# year and date
@pytest.mark.parametrize(("ending", "date"), [
    ("信阳市平桥区人民政府\n2024年2月19日", "2024-02-19"),
    ("信阳市平桥区人民政府\n二〇二四年二月十九日", "2024-02-19"),
    ("信阳市平桥区人民政府\n二○二四年三月三十一日", "2024-03-31"),
    ("信阳市平桥区人民政府 2024年3月1日", "2024-03-01"),
    ("信阳市平桥区人民政府\n2024.2.19", "2024-02-19"),
    ("信阳市平桥区人民政府\n2024-02-19", "2024-02-19"),
    ("信阳市平桥区人民政府\n2024年2月19日\n（此件公开发布）", "2024-02-19"),
    ("信阳市平桥区人民政府", None),
    ("下一步，我区将于2024年3月15日前完成清单调整，持续推进法治政府建设。", None),
    ("信阳市平桥区人民政府\n2024年2月30日", None),
    ("信阳市平桥区人民政府\n2024-03-05 10:23:11", None),
])
def test_signing_date(ending, date):
    res = run("信阳市平桥区人民政府关于2023年度法治政府建设情况的报告" + BODY + ending)
    assert res.date == date
    assert res.year == 2023


@pytest.mark.parametrize(("title", "year"), [
    ("平桥区人民政府关于2023年度法治政府建设工作情况的报告", 2023),
    ("平桥区二〇二二年法治政府建设年度报告", 2022),
    ("平桥区关于2021年法治政府建设情况和2022年工作安排的报告", 2021),
    ("平桥区法治政府建设年度报告（2020）", 2020),
])
def test_year_from_the_title(title, year):
    assert run(title + BODY).year == year


def test_year_from_the_body_then_from_the_date():
    assert run("平桥区法治政府建设工作报告\n2019年，我区坚持依法行政，取得明显成效，群众满意度提高。" + BODY).year == 2019
    res = run("平桥区法治政府建设工作报告\n今年以来，我区坚持依法行政，取得明显成效，群众满意度提高。" + BODY
              + "信阳市平桥区人民政府\n2024年2月19日")
    assert (res.year, res.date) == (2023, "2024-02-19")
    assert res.year_evidence is None


def test_empty_text():
    res = run("")
    assert res.issuer is None and res.year is None and res.date is None


def test_through_the_pipeline():
    r = review_text("鲁山县辛集乡人民政府关于2023年法治政府建设情况的报告" + BODY)
    assert r.issuer is not None and r.issuer.township == "辛集乡"
    assert r.to_json()["issuer"]["county"] == "鲁山县"
    assert r.year == 2023


def test_year_inside_a_quoted_document_title_is_not_the_report_year():
    res = run("平桥区关于贯彻落实《法治政府建设实施纲要（2021—2025年）》2022年度情况的报告" + BODY)
    assert res.year == 2022


def test_date_closing_a_report_extracted_as_one_line():
    res = run("平桥区人民政府关于2023年度法治政府建设情况的报告\n" + "我区坚持依法行政，取得成效。" * 5
              + "信阳市平桥区人民政府2024年2月19日")
    assert res.date == "2024-02-19"
    res = run("平桥区人民政府关于2023年度法治政府建设情况的报告\n" + "我区坚持依法行政，取得成效。" * 5
              + "计划于2024年2月19日")
    assert res.date is None


# ---------------------------------------------------------------------------
# everyday short forms, development zones, office dates (adversarial findings)
@pytest.mark.parametrize(("title", "want"), [
    ("恭城县人民政府关于2021年度法治政府建设情况的报告",
     ("county", "广西壮族自治区", "桂林市", "恭城瑶族自治县", None)),
    ("恩施州人民政府关于2021年度法治政府建设情况的报告",
     ("city", "湖北省", "恩施土家族苗族自治州", None, None)),
    ("伊犁州司法局2021年法治政府建设工作报告",
     ("department", "新疆维吾尔自治区", "伊犁哈萨克自治州", None, None)),
    ("鄂温克旗人民政府2021年法治政府建设工作报告",
     ("county", "内蒙古自治区", "呼伦贝尔市", "鄂温克族自治旗", None)),
])
def test_autonomous_units_by_their_short_form(title, want):
    assert region(run(title + "\n" + BODY).issuer) == want


@pytest.mark.parametrize(("title", "want"), [
    # a zone the table lists is a county-level unit of its city
    ("长春经济技术开发区管理委员会关于2020年度法治政府建设情况的报告",
     ("county", "吉林省", "长春市", "长春经济技术开发区", None)),
    # one it does not list is placed under the city its name starts with, never guessed elsewhere
    ("西安高新技术产业开发区管理委员会2021年法治政府建设情况报告",
     ("county", "陕西省", "西安市", "西安高新技术产业开发区", None)),
    ("银川经济技术开发区管委会2021年法治政府建设情况报告",
     ("county", "宁夏回族自治区", "银川市", "银川经济技术开发区", None)),
    ("泽普县工业园区管委会2021年法治政府建设情况报告",
     ("township", "新疆维吾尔自治区", "喀什地区", "泽普县", "工业园区")),
])
def test_development_zone_committees(title, want):
    assert region(run(title + "\n" + BODY).issuer) == want


def test_the_offices_distribution_date_is_not_the_signing_date():
    text = ("泽普县人民政府关于2021年度法治政府建设情况的报告\n" + BODY + "\n泽普县人民政府\n2022年3月1日\n"
            "抄送：县委办公室，县人大常委会办公室。\n泽普县人民政府办公室　　2022年3月3日印发")
    res = run(text)
    assert res.date == "2022-03-01"
