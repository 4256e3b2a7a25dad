"""A unit's type from its name: which departments hold enforcement powers is data (units/data/departments.yaml)."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from fazhi.units.service import enforcement_stems, guess_type


def test_the_data_file_is_a_versioned_list_of_distinct_stems() -> None:
    data = yaml.safe_load(resources.files("fazhi.units").joinpath("data/departments.yaml").read_text("utf-8"))
    assert isinstance(data["version"], str) and data["version"]
    stems = data["enforcement"]
    assert stems and all(isinstance(s, str) and len(s) >= 2 for s in stems)
    assert len(set(stems)) == len(stems)
    assert enforcement_stems() == tuple(stems)
    assert data["suffixes"] and all(isinstance(s, str) and s for s in data["suffixes"])


@pytest.mark.parametrize("name,expected", [
    ("西峡县公安局", "部门-有执法权"),
    ("江宁区市场监督管理局", "部门-有执法权"),
    ("崇州市综合行政执法局", "部门-有执法权"),
    ("米易县农业农村局", "部门-有执法权"),
    ("永定区卫生健康委员会", "部门-有执法权"),
    ("南阳市生态环境局西峡分局", "部门-有执法权"),
    ("公安县人民政府办公室", "部门-无执法权"),  # a county called 公安县: the stem must name the department
    ("丰都县民政局", "部门-有执法权"),
    ("西峡县人民政府办公室", "部门-无执法权"),
    ("县委宣传部", "部门-无执法权"),
    ("郧西县政务服务和大数据管理局", "部门-无执法权"),
    ("城关镇", "乡镇"),
    ("鼓楼街道办事处", "街道"),
    ("西峡县人民政府", "政府"),
])
def test_a_department_is_typed_by_the_field_its_name_names(name: str, expected: str) -> None:
    assert guess_type(name) == expected
