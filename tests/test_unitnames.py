"""unitnames: splitting a 牵头单位/配合单位 cell, groups, and the full names of short forms."""

from __future__ import annotations

import pytest

from fazhi.units.names import is_group, qualify, region_of, split_units


def names(cell: str) -> list[str]:
    return [u.name for u in split_units(cell)]


@pytest.mark.parametrize(("cell", "expected"), [
    ("县司法局", ["县司法局"]),
    ("县司法局、县公安局，县法院,县检察院;县财政局；县审计局/县统计局", [
        "县司法局", "县公安局", "县法院", "县检察院", "县财政局", "县审计局", "县统计局"]),
    ("县司法局\n县公安局\r\n县信访局", ["县司法局", "县公安局", "县信访局"]),
    ("县司法局   县公安局　县民政局", ["县司法局", "县公安局", "县民政局"]),
    ("1.县司法局 2.县公安局", ["县司法局", "县公安局"]),
    ("1、县司法局2、县公安局", ["县司法局", "县公安局"]),  # numbering glued to the name before it
    ("（1）区司法局（2）区公安分局", ["区司法局", "区公安分局"]),
    ("第2中学、县教育局", ["第2中学", "县教育局"]),
    ("①县司法局、②县公安局", ["县司法局", "县公安局"]),
    ("住房和城乡建设局及各乡镇", ["住房和城乡建设局及各乡镇"]),  # 和/及 never split
    ("县公安局等", ["县公安局"]),
    ("县司法局、县司法局", ["县司法局"]),
    ("—", []),
    ("", []),
])
def test_split(cell: str, expected: list[str]) -> None:
    assert names(cell) == expected


def test_numbering_at_the_start_of_each_line() -> None:
    assert names("1.县司法局\n2.县公安局\n3、县财政局") == ["县司法局", "县公安局", "县财政局"]


def test_brackets_that_are_part_of_a_name_stay_and_do_not_split() -> None:
    units = split_units("县委政法委（县委依法治县办）、县人民政府（办公室、法制科）")
    assert [u.name for u in units] == ["县委政法委（县委依法治县办）", "县人民政府（办公室、法制科）"]
    assert [u.kind for u in units] == ["unit", "unit"]


def test_half_width_brackets_become_full_width() -> None:
    assert names("各乡镇(街道)、县委编办(县委机构编制委员会办公室)") == [
        "各乡镇（街道）", "县委编办（县委机构编制委员会办公室）"]


def test_role_marks_are_removed_and_remembered() -> None:
    units = split_units("县公安局、县司法局（牵头）、县法院（配合）、县财政局牵头")
    assert [(u.name, u.role) for u in units] == [
        ("县公安局", None), ("县司法局", "lead"), ("县法院", "co"), ("县财政局", "lead")]
    assert units[1].written == "县司法局（牵头）"


def test_labels_set_the_role_of_the_names_after_them() -> None:
    units = split_units("牵头：区司法局；配合：区公安分局、区法院")
    assert [(u.name, u.role) for u in units] == [("区司法局", "lead"), ("区公安分局", "co"), ("区法院", "co")]


@pytest.mark.parametrize("name", [
    "县直各有关单位", "各乡镇（街道）", "各有关部门", "各成员单位", "县直各部门", "各镇人民政府", "全县各单位",
    "区直有关单位", "相关部门", "县委全面依法治县委员会成员单位", "乡镇人民政府", "县直行政执法部门", "各街道办事处",
])
def test_groups_are_never_units(name: str) -> None:
    assert is_group(name)
    assert split_units(f"县司法局、{name}")[1].kind == "group"


@pytest.mark.parametrize("name", [
    "县司法局", "县人民政府办公室", "城关镇人民政府", "县市场监督管理局", "县委政法委（县委依法治县办）",
    "住房和城乡建设局", "县乡村振兴局",
])
def test_units_are_not_groups(name: str) -> None:
    assert not is_group(name)


@pytest.mark.parametrize(("name", "organiser", "level", "full"), [
    ("县司法局", "西峡县", "county", "西峡县司法局"),
    ("县委政法委", "永宁县", "county", "永宁县委政法委"),
    ("区司法局", "郫都区", "county", "郫都区司法局"),
    ("市生态环境局", "南阳市", "city", "南阳市生态环境局"),
    ("市司法局", "宁安市", "county", "宁安市司法局"),          # a county-level city
    ("州司法局", "楚雄彝族自治州", "city", "楚雄彝族自治州司法局"),
    ("县司法局", "长阳土家族自治县", "county", "长阳土家族自治县司法局"),
    ("旗司法局", "科尔沁右翼前旗", "county", "科尔沁右翼前旗司法局"),
    ("镇司法所", "城关镇", "township", "城关镇司法所"),
    ("司法局", "安吉县", "county", "安吉县司法局"),              # no place at all: the organiser's
    ("市场监管局", "安吉县", "county", "安吉县市场监督管理局"),    # 市场 is no city
    ("住建局", "香洲区", "county", "香洲区住房和城乡建设局"),
    ("县政府办", "西峡县", "county", "西峡县人民政府办公室"),      # alias list
    ("县法院", "西峡县", "county", "西峡县人民法院"),
    ("西峡县司法局", "西峡县", "county", "西峡县司法局"),         # already carries a place
    ("丹水镇人民政府", "西峡县", "county", "丹水镇人民政府"),
    ("南阳市生态环境局西峡分局", "西峡县", "county", "南阳市生态环境局西峡分局"),
    ("市生态环境局西峡分局", "西峡县", "county", "市生态环境局西峡分局"),  # another level's short form
    ("县司法局", "南阳市", "city", "县司法局"),                    # which county? left as written
    ("县直各有关单位", "西峡县", "county", "县直各有关单位"),         # a group is never qualified
    ("依法治县办", "西峡县", "county", "西峡县依法治县办"),
    ("县司法局", "西峡县人民政府", "county", "西峡县司法局"),       # the organiser given as its government
    ("县司法局", "南阳市西峡县", "county", "西峡县司法局"),
    ("区司法局", "某新区", "county", "某新区司法局"),
    ("县司法局", "依法治县办", "county", "县司法局"),               # no region to qualify with
])
def test_qualify(name: str, organiser: str, level: str, full: str) -> None:
    assert qualify(name, organiser, level) == full


def test_the_level_picks_the_organiser_from_a_chain_of_places() -> None:
    assert qualify("市司法局", "河南省南阳市", "city") == "南阳市司法局"
    assert qualify("县司法局", "南阳市西峡县", "county") == "西峡县司法局"
    assert qualify("镇司法所", "西峡县丁河镇", "township") == "丁河镇司法所"
    assert region_of("南阳市西峡县", "city") == "南阳市"


@pytest.mark.parametrize(("name", "region"), [
    ("西峡县人民政府", "西峡县"), ("南阳市西峡县", "西峡县"), ("苏州市", "苏州市"), ("广西壮族自治区", "广西壮族自治区"),
    ("紫荆街道办事处", "紫荆街道"), ("司法局", None), ("市场监督管理局", None),
])
def test_region_of(name: str, region: str | None) -> None:
    assert region_of(name) == region


def test_the_unit_name_file_matches_its_schema() -> None:
    from fazhi import knowledge

    data = knowledge.parse("unitnames", knowledge.packaged_path("unitnames").read_text(encoding="utf-8"))
    assert data["version"] and data["roles"]["lead"]
