"""The register of units (unit lists, types, members, reports of a unit), stored frameworks (versions,
same content, tables with unread rows, mappings) and campaigns (milestones, settings, scope)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from fazhi.accounts.models import User
from fazhi.accounts.roles import SYSTEM
from fazhi.config import Settings
from fazhi.supervision import campaigns, framework_store
from fazhi.supervision import unit_register as units
from fazhi.supervision.access import Actor, Forbidden
from fazhi.supervision.errors import InputError, Unconfirmed
from fazhi.supervision.models import Framework, IndicatorNode, Milestone
from fazhi.units.models import Unit
from fazhi.units.scope import resolve_region
from tests.supervision.builders import csv_bytes, xlsx
from tests.supervision.cycle_helpers import OFFICE, tx

UNIT_LIST = [["富源县督导单位名单"], [],
             ["别名", "单位类型", "单位名称", "是否有执法权", "上级单位"],
             ["司法局", "部门", "县司法局", "是", "富源县人民政府"],
             [None, "部门", "县发展和改革局", "否", "富源县人民政府"],
             ["城管局、城管执法局", "执法部门", "县城市管理局", None, None],
             [None, "学校", "县第一中学", None, None],
             [None, None, "县直各部门", None, None],
             [None, "部门", "县财政局", "也许", None]]


def test_a_unit_list_in_any_column_order_creates_and_updates_units(migrated) -> None:
    data = xlsx(UNIT_LIST, ["A1:E1"])
    with pytest.raises(Unconfirmed) as pending, tx(migrated) as s:
        units.import_units(s, OFFICE, data, "名单.xlsx", organiser="富源县")
    problems = pending.value.outcome.problems
    assert [p.row for p in problems] == [7, 8, 9]
    assert "学校" in problems[0].reason and "一类单位" in problems[1].reason and "也许" in problems[2].reason
    with tx(migrated) as s:
        result = units.import_units(s, OFFICE, data, "名单.xlsx", organiser="富源县", confirm=True)
        assert [u.name for u in result.created] == ["富源县司法局", "富源县发展和改革局", "富源县城市管理局"]
        views = {u.name: u for u in units.list_units(s, OFFICE)}
    justice, reform, urban = views["富源县司法局"], views["富源县发展和改革局"], views["富源县城市管理局"]
    assert (justice.type, justice.enforcement, justice.parent_name) == ("部门-有执法权", True, "富源县人民政府")
    assert (reform.type, reform.enforcement) == ("部门-无执法权", False)
    assert urban.type == "部门-有执法权" and {"城管局", "城管执法局"} <= set(urban.aliases)
    assert urban.parent_name == "富源县人民政府"  # units created under the organiser
    with tx(migrated) as s:  # an alias finds the unit in the organiser's sheets
        organiser = s.get(Unit, views["富源县人民政府"].id)
        assert units.find(s, "城管执法局", organiser).name == "富源县城市管理局"
        again = units.import_units(s, OFFICE, csv_bytes([["单位名称", "是否有执法权"], ["县发展和改革局", "有"]]),
                                   "更新.csv", organiser="富源县")
    assert [u.name for u in again.updated] == ["富源县发展和改革局"] and again.created == []


def test_setting_type_enforcement_and_members(migrated) -> None:
    settings = Settings(argon2={"time_cost": 1, "memory_cost": 8, "parallelism": 1})
    from fazhi.accounts import service as accounts

    with tx(migrated) as s:
        top, created = units.create_from_division(s, OFFICE, "泰和县")
        assert top.name == "泰和县人民政府" and any(u.name == "澄江镇" for u in created)
        unit = units.get_or_create(s, "县应急管理局", organiser=s.get(Unit, top.id))
        view = units.update_unit(s, OFFICE, unit.id, enforcement=True, aliases=["应急局"])
        assert view.type == "部门-有执法权" and set(view.aliases) == {"县应急管理局", "应急局"}
        clerk = accounts.create_user(s, "taihe-yingji", "unit", "Yingji-2025-safe!", settings, actor=SYSTEM)
        boss = accounts.create_user(s, "taihe-leader", "reviewer", "Leader-2025-safe!", settings, actor=SYSTEM)
        member = units.add_member(s, OFFICE, "taihe-yingji", unit.id, "leader")
        assert (member.unit_name, member.duty) == ("泰和县应急管理局", "leader")
        with pytest.raises(units.UnitError, match="不是单位用户"):
            units.add_member(s, OFFICE, boss.name, unit.id)
        as_member = Actor.of_user(s, clerk.id, "unit")
        assert [u.name for u in units.list_units(s, as_member)] == ["泰和县应急管理局"]
        with pytest.raises(Forbidden):
            units.update_unit(s, as_member, unit.id, type="其他")


def test_roles_accept_the_unit_role() -> None:
    from fazhi.accounts import roles

    assert "unit" in roles.ASSIGNABLE and roles.ROLE_LABEL["unit"] == "单位用户"
    assert not roles.allowed("unit", "read")  # a unit user reads only its own unit's records


FRAMEWORK_TABLE = [["某市法治政府建设考核细则"],
                   ["一级指标", "二级指标", "考评内容", "分值", "考核材料"],
                   ["一、依法行政制度（20分）", "1.规范性文件", "备案审查", 10, "备案登记表"],
                   [None, None, "定期清理", 10, "清理结果"],
                   [None, "2.重大决策", "合法性审查", "十分", None]]


def test_framework_tables_versions_and_same_content(migrated) -> None:
    data = xlsx(FRAMEWORK_TABLE, ["A1:E1"])
    with pytest.raises(Unconfirmed) as pending, tx(migrated) as s:
        framework_store.import_framework(s, OFFICE, data, "某市考核细则2025.xlsx")
    assert [p.row for p in pending.value.outcome.problems] == [5]
    with pytest.raises(InputError, match="第5行"), tx(migrated) as s:
        framework_store.import_framework(s, OFFICE, data, "某市考核细则2025.xlsx", strict=True)
    with tx(migrated) as s:
        first = framework_store.import_framework(s, OFFICE, data, "某市考核细则2025.xlsx", confirm=True)
        assert first.created and first.framework.version == 1 and first.framework.edition == "2025"
        again = framework_store.import_framework(s, OFFICE, data, "某市考核细则2025.xlsx", confirm=True)
        assert (again.created, again.framework.id) == (False, first.framework.id)
        changed = [r[:] for r in FRAMEWORK_TABLE[:4]]
        changed[3] = [None, None, "定期清理", 8, "清理结果"]
        second = framework_store.import_framework(s, OFFICE, xlsx(changed), "某市考核细则2025.xlsx")
        assert (second.framework.urn, second.framework.version) == (first.framework.urn, 2)
        nodes = s.scalar(select(func.count()).select_from(IndicatorNode)
                         .where(IndicatorNode.framework_id == first.framework.id))
        assert nodes == first.framework.nodes  # the first version is untouched
        listed = [(f.urn, f.version) for f in framework_store.list_frameworks(s, OFFICE)]
    assert listed == [(first.framework.urn, 1), (first.framework.urn, 2)]


def test_packaged_frameworks_yaml_and_mappings(migrated) -> None:
    with tx(migrated) as s:
        demo = framework_store.import_packaged(s, OFFICE, "demo-county-2025")
        national = framework_store.import_packaged(s, OFFICE, "national-2021-verified")
        assert demo.created and national.framework.status == "official-partial"
        mapping = framework_store.import_mapping(s, OFFICE, None, "demo-county-2025-to-national-2021")
        assert (mapping.source_id, mapping.target_id, mapping.pairs) == (demo.framework.id, national.framework.id, 3)
        yaml_text = framework_store.as_framework(s.get(Framework, demo.framework.id))
        from fazhi.supervision.frameworks import framework_yaml

        same = framework_store.import_framework(s, OFFICE, framework_yaml(yaml_text).encode(), "demo.yaml")
        assert not same.created
        with pytest.raises(InputError, match="YAML"):
            framework_store.import_framework(s, OFFICE, b"urn: [", "bad.yaml")


def test_campaign_milestones_settings_and_report_deadlines(migrated) -> None:
    with tx(migrated) as s:
        view = campaigns.create_campaign(s, OFFICE, "东阳市2025年度法治政府建设", year=2025, organiser="东阳市",
                                         kind="示范创建")
        assert (view.kind, view.organiser_name) == ("demonstration", "东阳市")
        dues = {(m.kind, m.applies_to is not None): m.due for m in view.milestones}
        assert dues[("deploy", False)] == dt.date(2025, 3, 31) and dues[("publish", False)] == dt.date(2026, 4, 1)
        reports = sorted(m.due for m in view.milestones if m.kind == "report")
        assert reports == [dt.date(2026, 3, 1), dt.date(2026, 4, 1)]
        row = s.get(campaigns.Campaign, view.id)
        organiser = s.get(Unit, view.organiser_id)
        department = units.get_or_create(s, "市司法局", organiser=organiser)
        assert campaigns.report_due(row, department) == dt.date(2026, 3, 1)
        assert campaigns.report_due(row, organiser) == dt.date(2026, 4, 1)
        assert s.scalar(select(func.count()).select_from(Milestone).where(Milestone.campaign_id == view.id)) == 6
        changed = campaigns.update_settings(s, OFFICE, view.id, leader_confirms=True, due_soon_days=10)
        assert changed.settings["leader_confirms"] and changed.settings["due_soon_days"] == 10
        with pytest.raises(InputError, match="不能修改"):
            campaigns.update_settings(s, OFFICE, view.id, imports=[])
        with pytest.raises(InputError, match="活动类型"):
            campaigns.create_campaign(s, OFFICE, "x", year=2025, organiser="东阳市", kind="考核")


def test_an_office_sees_and_deploys_only_within_its_region(migrated) -> None:
    jinhua = Actor(user_id=None, role="reviewer", scope=resolve_region("金华市"))
    with tx(migrated) as s:
        s.add(User(name="x", role="reviewer"))
        mine = campaigns.create_campaign(s, jinhua, "东阳市2025年度", year=2025, organiser="东阳市")
        other = campaigns.create_campaign(s, OFFICE, "泰和县2025年度", year=2025, organiser="泰和县")
        assert [c.id for c in campaigns.list_campaigns(s, jinhua)] == [mine.id]
        with pytest.raises(Forbidden, match="管辖范围"):
            campaigns.create_campaign(s, jinhua, "泰和县", year=2025, organiser="泰和县")
        with pytest.raises(Exception, match="没有编号"):
            campaigns.get_campaign(s, jinhua, other.id)
