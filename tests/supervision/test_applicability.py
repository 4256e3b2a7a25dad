"""Applicability expressions: what they accept, how they fail (in Chinese, with the position), that
nothing but unit attributes can be reached, and manual overrides that need a reason."""

from __future__ import annotations

import pytest

from fazhi.supervision.applicability import (
    ApplicabilityError,
    Override,
    applies,
    check,
    decide,
    names,
)

TOWN = {"type": "乡镇", "level": "township", "enforcement": True, "region": "620502", "name": "皂郊镇人民政府"}
BUREAU = {"type": "部门", "level": "county", "enforcement": False, "region": "450102", "name": "兴宁区教育局"}


@pytest.mark.parametrize(("expr", "town", "bureau"), [
    ("type in ['乡镇','街道']", True, False),
    ("enforcement and level == 'county'", False, False),
    ("not enforcement and level == 'county'", False, True),
    ("not type == '政府'", True, True),
    ("type != '部门'", True, False),
    ("type not in ['部门']", True, False),
    ("'镇' in name", True, False),
    ("region in ['450102', '450103'] or enforcement", True, True),
    ("(type == '乡镇' or type == '街道') and not enforcement", False, False),
    ("类型 属于 ['乡镇','街道'] 且 执法权", True, False),
    ("类型 不属于 [“乡镇”] 或 执法权 == 是", True, True),
    ("enforcement == true", True, False),
    (None, True, True),
    ("", True, True),
])
def test_expressions(expr: str | None, town: bool, bureau: bool) -> None:
    assert applies(expr, TOWN) is town
    assert applies(expr, BUREAU) is bureau


def test_names_used() -> None:
    assert names("enforcement and level == 'county'") == {"enforcement", "level"}
    assert names("类型 属于 ['乡镇']") == {"type"}
    assert names(None) == frozenset()


@pytest.mark.parametrize(("expr", "position", "said"), [
    # t y p e _ = = _ 乡: the unquoted word starts at character 9
    ("type == 乡镇", 9, "文字要加引号"),
    ("type = '乡镇'", 6, "请写“==”"),
    ("type in ['乡镇',", 15, "表达式的结尾"),  # 14 characters: the end is the 15th
    ("(type == '乡镇'", 14, "应为“)”"),
    ("level == 'county' and", 22, "表达式的结尾"),
    ("type in 5", 6, "右边应为列表或文字"),
    ("'乡镇' '街道'", 6, "多余的"),
    ("population > 10", 1, "不认识的名称“population”"),
])
def test_errors_name_the_position(expr: str, position: int, said: str) -> None:
    with pytest.raises(ApplicabilityError) as err:
        applies(expr, TOWN)
    assert err.value.position == position
    assert said in str(err.value) and f"第 {position} 个字符处" in str(err.value)


@pytest.mark.parametrize("expr", [
    "__import__('os')",
    "__import__('os').system('rm -rf /')",
    "open('/etc/passwd')",
    "eval('1+1')",
    "type.__class__",
    "().__class__.__bases__",
    "[x for x in name]",
    "lambda: 1",
    "name.upper() == 'X'",
    "type in ['乡镇']; import os",
    "getattr(type, 'x')",
])
def test_injection_attempts_are_refused(expr: str) -> None:
    with pytest.raises(ApplicabilityError):
        check(expr)


def test_a_missing_attribute_is_named() -> None:
    with pytest.raises(ApplicabilityError, match="单位缺少属性“enforcement”"):
        applies("enforcement", {"type": "部门"})


def test_override_needs_a_reason_and_decides() -> None:
    with pytest.raises(ValueError, match="必须写明理由"):
        Override(True, "  ", "县司法局")
    keep = Override(True, "该镇经授权承担综合行政执法", "麦积区司法局")
    assert applies("not enforcement", TOWN) is False
    assert applies("not enforcement", TOWN, keep) is True
    assert decide("not enforcement", TOWN, keep).reason == "人工调整为适用（麦积区司法局）：该镇经授权承担综合行政执法"
    assert decide("type == '乡镇'", TOWN).reason == "适用条件“type == '乡镇'”成立"
