"""The supervision knowledge files: valid as shipped, and extensible by a user without Python."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fazhi.supervision import datafiles
from fazhi.supervision.sheets import SheetError, field_spec, field_specs, read_table
from tests.supervision.builders import xlsx


@pytest.mark.parametrize("name", ["columns"])
def test_shipped_files_match_their_schemas(name: str) -> None:
    assert datafiles.packaged(name)["version"]


def test_every_required_column_is_a_field_and_no_synonym_is_blank() -> None:
    for kind in ("tasks", "framework", "units"):
        spec = field_spec(kind)
        assert {f for group in spec.required for f in group} <= set(spec.fields)
        assert all(s.strip() for synonyms in spec.fields.values() for s in synonyms)


def test_a_user_adds_a_synonym_in_their_copy_of_columns_yaml(tmp_path: Path) -> None:
    data = yaml.safe_load(datafiles.data_path("columns.yaml").read_text("utf-8"))
    sheet = xlsx([["工作任务", "责任科室"], ["编制权责清单", "县委编办"]])
    with pytest.raises(SheetError):
        read_table(sheet, "x.xlsx", field_spec("tasks"))
    data["kinds"]["tasks"]["fields"]["lead"].append("责任科室")
    copy = tmp_path / "columns.yaml"
    copy.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    spec = field_specs(datafiles.load(copy, "columns"))["tasks"]
    assert read_table(sheet, "x.xlsx", spec).rows[0].values["lead"] == "县委编办"


def test_a_required_column_that_is_no_field_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(datafiles.data_path("columns.yaml").read_text("utf-8"))
    data["kinds"]["tasks"]["required"].append(["deadline"])
    with pytest.raises(datafiles.DataFileError, match="deadline"):
        field_specs(data)


def test_a_schema_violation_names_the_file_and_the_place(tmp_path: Path) -> None:
    bad = tmp_path / "columns.yaml"
    bad.write_text("version: '1'\nkinds:\n  tasks:\n    label: 分工表\n    required: []\n    fields: {title: []}\n",
                   "utf-8")
    with pytest.raises(datafiles.DataFileError, match=r"columns\.yaml：kinds/tasks/fields/title 不符合格式要求"):
        datafiles.load(bad, "columns")
