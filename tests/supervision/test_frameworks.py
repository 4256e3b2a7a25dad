"""frameworks: indicator systems from YAML and from the tables offices keep; hashes, mappings, shipped data."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

import fazhi
from fazhi.supervision.datafiles import DataFileError
from fazhi.supervision.frameworks import (
    Framework,
    framework_from_table,
    framework_from_yaml,
    framework_yaml,
    mapping_from_yaml,
    packaged_frameworks,
    packaged_mappings,
)
from fazhi.supervision.sheets import field_spec, read_table
from tests.supervision.builders import xlsx

FRAMEWORK = field_spec("framework")


def from_rows(rows: Sequence[Any], merges: tuple[str, ...] = ()) -> tuple[Framework, list[str], tuple[str, ...]]:
    table = read_table(xlsx(rows, merges), "细则.xlsx", FRAMEWORK)
    result = framework_from_table(table, urn="urn:fazhi:framework:test", name="测试", edition="2025")
    return result.framework, [str(p) for p in result.problems], result.notes


def paths(framework: Framework) -> list[str]:
    return [n.path for n in framework.walk()]


# ----------------------------------------------------------------- from tables


def test_national_style_table_with_merged_levels() -> None:
    rows = [["练习用指标体系（三级）"],
            ["一级指标", "二级指标", "三级指标"],
            ["一、政府职能依法全面履行", "1.加大简政放权力度", "1.行政审批事项网上办理"],
            [None, None, "2.不得变相设定许可"],
            [None, None, "3.清理规范中介服务"],
            [None, "2.优化法治化营商环境", "4.开展营商环境评价"],
            ["二、依法行政制度体系完善", "3.加强规范性文件管理", "5.规范性文件合法性审核全覆盖"]]
    framework, problems, _ = from_rows(rows, ("A1:C1", "A3:A6", "B3:B5"))
    assert problems == []
    assert paths(framework) == ["一", "一/1", "一/1/1", "一/1/2", "一/1/3", "一/2", "一/2/4", "二", "二/3", "二/3/5"]
    top = framework.node("一")
    assert (top.ref_id, top.name, top.level, top.points) == ("一", "政府职能依法全面履行", 1, None)
    assert framework.node("一/1/2").name == "不得变相设定许可"
    assert framework.node("一/2/4").level == 3


def test_old_style_assessment_table_with_items_under_a_merged_category() -> None:
    rows = [["某区2025年度法治政府建设考核细则"],
            ["考评项目", "序号", "考评内容", "分值", "考评标准", "考评方法", "自评分", "考评分", "评分说明"],
            ["组织领导（12分）", 1, "主要负责人履行第一责任人职责", 5, "未召开专题会议的扣2分", "查阅资料、实地查看"],
            [None, 2, "领导干部学法", 4, "每少一次扣1分", "查阅资料"],
            [None, 3, "年度报告按时报送和公开", 3, "迟报扣1分", "网上核查"],
            ["依法行政（20分）", 4, "规范性文件备案", "十分", "逾期备案扣2分", "查阅资料"],
            [None, 5, "行政执法“三项制度”", 12, "每缺一项扣4分", "案卷抽查"],
            [None, 6, "行政执法案卷评查", 8, "每份不合格案卷扣1分", "案卷评查"],
            ["注：自评分由被考核单位填写。"]]
    framework, problems, notes = from_rows(rows, ("A1:I1", "A3:A5", "A6:A8"))
    assert problems == ["第6行：分值“十分”不是数字"]
    assert notes == ("注：自评分由被考核单位填写。",)
    assert paths(framework) == ["1", "1/1", "1/2", "1/3", "2", "2/5", "2/6"]
    category = framework.node("1")
    assert (category.name, category.points, category.ref_id) == ("组织领导", 12.0, "1")
    item = framework.node("1/1")
    assert (item.name, item.text, item.points, item.level) == (
        "主要负责人履行第一责任人职责", "主要负责人履行第一责任人职责", 5.0, 2)
    assert item.scoring_text == "未召开专题会议的扣2分"
    assert item.check_methods == ("查阅资料", "实地查看")
    assert framework.node("2").points == 20.0 and framework.node("2/6").points == 8.0


def test_levels_filled_down_and_a_single_row_gives_its_details_to_the_node() -> None:
    rows = [["一级指标", "二级指标", "考评内容", "分值", "考核材料"],
            ["一、依法全面履行政府职能", "1.推进政务公开", "主动公开政府信息", 6, "1.公开目录；2.政府信息公开年度报告"],
            [None, "2.深化“放管服”改革", "政务服务网上可办", 4, "平台截图"],
            [None, None, "推行证明事项告知承诺制", 3, None]]
    framework, problems, _ = from_rows(rows)
    assert problems == []
    assert paths(framework) == ["一", "一/1", "一/2", "一/2/1", "一/2/2"]
    disclosure = framework.node("一/1")
    assert (disclosure.text, disclosure.points, disclosure.children) == ("主动公开政府信息", 6.0, ())
    assert disclosure.evidence_required == ("公开目录", "政府信息公开年度报告")
    assert [(n.name, n.points) for n in framework.node("一/2").children] == [
        ("政务服务网上可办", 4.0), ("推行证明事项告知承诺制", 3.0)]


def test_rows_without_a_level_name_to_hang_on_are_problems() -> None:
    rows = [["一级指标", "二级指标", "考评内容", "分值"],
            [None, None, "开展法治督察", 5],
            [None, "1.加强行政执法监督", "开展执法监督检查", 4],
            ["三、行政权力制约和监督科学有效", "2.全面推进政务公开", "公开权责清单", 3]]
    framework, problems, _ = from_rows(rows)
    assert problems == ["第2行：没有一级指标名称（上方也没有可沿用的），无法归入指标体系",
                        "第3行：没有一级指标名称（上方也没有可沿用的），无法归入指标体系"]
    assert paths(framework) == ["三", "三/2"]


def test_a_flat_list_of_items() -> None:
    framework, problems, _ = from_rows([["考评内容", "分值"], ["按时报送年度报告", 2], ["公开年度报告", 1]])
    assert problems == []
    assert [(n.path, n.name, n.points) for n in framework.walk()] == [
        ("1", "按时报送年度报告", 2.0), ("2", "公开年度报告", 1.0)]


# ----------------------------------------------------------------- YAML, hashes, immutability

SMALL = """
urn: urn:fazhi:framework:small
name: 小指标体系
edition: "2025"
version: 1
source: 测试
status: local
nodes:
  - ref: 一
    name: 组织领导
    points: 10
    children:
      - {ref: "1", name: 学法, points: 4, indicators: [law_study_sessions]}
      - {ref: "2", name: 述法, points: 6}
"""

SAME_CONTENT_OTHER_LAYOUT = """
version: 1
status: local
edition: '2025'
name: 小指标体系
urn: urn:fazhi:framework:small
source: 测试
nodes:
- name: 组织领导
  ref: 一
  points: 10.0
  children:
  - name: 学法
    ref: '1'
    indicators:
    - law_study_sessions
    points: 4.0
  - {name: 述法, ref: '2', points: 6, evidence_required: [], text: ""}
"""


def test_the_hash_depends_on_content_not_layout() -> None:
    first, second = framework_from_yaml(SMALL), framework_from_yaml(SAME_CONTENT_OTHER_LAYOUT)
    assert first.sha256 == second.sha256
    assert len(first.sha256) == 64
    changed = framework_from_yaml(SMALL.replace("points: 6}", "points: 5}"))
    assert changed.sha256 != first.sha256


def test_yaml_round_trip_keeps_the_hash() -> None:
    for framework in packaged_frameworks().values():
        assert framework_from_yaml(framework_yaml(framework)).sha256 == framework.sha256


def test_frameworks_are_immutable() -> None:
    framework = framework_from_yaml(SMALL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        framework.node("一/1").points = 5  # type: ignore[misc]
    assert isinstance(framework.nodes, tuple) and isinstance(framework.node("一").children, tuple)


@pytest.mark.parametrize(("text", "message"), [
    (SMALL.replace('{ref: "2", name: 述法', '{ref: "1", name: 述法'), "“一”下的编号重复：1"),
    (SMALL.replace("name: 学法, ", ""), "nodes/0/children/0 不符合格式要求"),
    (SMALL.replace("points: 4,", "points: -4,"), "points 不符合格式要求"),
    (SMALL.replace("status: local", "status: draft"), "status 不符合格式要求"),
    (SMALL.replace("nodes:", "nodes: ["), "YAML 格式错误"),
])
def test_bad_framework_files_are_refused_in_chinese(text: str, message: str) -> None:
    with pytest.raises(DataFileError, match=message):
        framework_from_yaml(text, "小指标体系.yaml")


# ----------------------------------------------------------------- shipped data


def test_the_verified_chain_of_the_2021_national_framework() -> None:
    national = packaged_frameworks()["national-2021-verified"]
    assert national.status == "official-partial" and national.edition == "2021"
    assert paths(national) == ["一", "一/1", "一/1/1", "一/1/2", "一/1/3"]
    assert national.node("一").name == "政府职能依法全面履行"
    assert national.node("一/1").name == "加大简政放权力度"
    assert all(node.points is None for node in national.walk())
    assert "已核对" in national.notice and "导入" in national.notice


def catalogue_ids() -> set[str]:
    catalogue = yaml.safe_load((Path(fazhi.__file__).parent / "knowledge" / "data" / "indicators.yaml").read_text("utf-8"))
    return {entry["id"] for entry in catalogue["indicators"]}


def test_the_demo_framework_adds_up_and_names_real_indicators() -> None:
    demo = packaged_frameworks()["demo-county-2025"]
    nodes = list(demo.walk())
    assert demo.status == "demo" and "演示" in demo.notice
    assert 15 <= len(nodes) <= 25
    assert sum(n.points or 0 for n in demo.nodes) == 100
    for node in nodes:
        if node.children:
            assert node.points == sum(c.points or 0 for c in node.children), node.path
    assert {i for n in nodes for i in n.indicators} <= catalogue_ids()
    assert "head_appearance_rate" in demo.node("四/1").indicators


def test_the_shipped_mapping_fits_the_shipped_frameworks() -> None:
    frameworks = packaged_frameworks()
    [mapping] = packaged_mappings().values()
    assert mapping.check(frameworks["demo-county-2025"], frameworks["national-2021-verified"]) == []
    assert [p.target for p in mapping.targets("一/1/(1)")] == ["一/1/1"]


MAPPING = """
urn: urn:fazhi:mapping:small
name: 小映射
source: {urn: "urn:fazhi:framework:small", version: 1}
target: {urn: "urn:fazhi:framework:small", version: 2}
pairs:
  - {source: 一/1, target: 一/1, relation: equal}
  - {source: 一/3, target: 一/2, relation: broader, rationale: 新版拆分}
"""


def test_a_mapping_names_paths_that_do_not_exist_and_the_wrong_version() -> None:
    mapping = mapping_from_yaml(MAPPING)
    old = framework_from_yaml(SMALL)
    new = framework_from_yaml(SMALL.replace("version: 1", "version: 2"))
    assert mapping.check(old, new) == ["“一/3”不是源指标体系中的指标"]
    assert mapping.check(old, old) == ["映射的目标指标体系应为 urn:fazhi:framework:small 第 2 版，给出的是 "
                                       "urn:fazhi:framework:small 第 1 版", "“一/3”不是源指标体系中的指标"]
    with pytest.raises(DataFileError, match="relation"):
        mapping_from_yaml(MAPPING.replace("relation: equal", "relation: same"))
