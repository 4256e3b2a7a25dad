"""The unit register's services for the supervision cycle: what the office (and the CLI, and the web) do
with the units it supervises — list, look at, change, import a list, create from the divisions table,
members (填报 / 主要负责人), the reports a unit stored.  Each function takes the acting user
(:class:`fazhi.supervision.access.Actor`), checks it, writes the audit log and returns plain views; the
register itself (finding a unit as offices write it, creating one) is :mod:`fazhi.units.service`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.accounts.audit import audit
from fazhi.supervision.access import (
    UNIT_ROLE,
    Actor,
    Forbidden,
    NotFound,
    can_see_unit,
    in_scope,
    need_office,
)
from fazhi.units.models import UNIT_TYPES, Unit, UnitMember
from fazhi.units.service import (
    Created,
    UnitError,
    add_alias,
    descendants,
    find,
    from_division,
    get_or_create,
    guess_type,
    issuer_for,
    unit_for_issuer,
    unit_key,
    within,
)

# What the office (and the CLI, and the web) do with the register: each function takes the acting user
# (:class:`fazhi.supervision.access.Actor`), checks it, writes the audit log and returns plain views.

_YES = frozenset({"是", "有", "√", "✓", "✔", "y", "yes", "true", "1", "有执法权", "具有", "具备"})
_NO = frozenset({"否", "无", "没有", "×", "✗", "✘", "n", "no", "false", "0", "无执法权", "不具有"})
#: how lists write a unit's type → one of UNIT_TYPES (a 部门 without more is decided by its enforcement)
_TYPE_WORDS = {"政府": "政府", "人民政府": "政府", "区县政府": "政府", "县政府": "政府", "市政府": "政府",
               "乡镇": "乡镇", "乡": "乡镇", "镇": "乡镇", "乡镇政府": "乡镇", "乡镇人民政府": "乡镇",
               "街道": "街道", "街道办事处": "街道", "街道办": "街道", "其他": "其他", "其它": "其他",
               "部门": "部门", "政府部门": "部门", "县直部门": "部门", "市直部门": "部门", "区直部门": "部门",
               "执法部门": "部门-有执法权", "行政执法部门": "部门-有执法权", "有执法权部门": "部门-有执法权",
               "非执法部门": "部门-无执法权", "无执法权部门": "部门-无执法权"}
_LEVEL_WORDS = {"省级": "province", "省": "province", "市级": "city", "市": "city", "县级": "county",
                "县": "county", "区": "county", "乡镇": "township", "乡镇级": "township", "街道": "street",
                "部门": "department"}
DUTIES = {"filler": "填报", "leader": "主要负责人"}


@dataclass(frozen=True)
class UnitView:
    """A unit as the pages, the API and the CLI show it."""

    id: int
    name: str
    type: str
    level: str | None
    enforcement: bool
    region_code: str | None
    region: str
    parent_id: int | None
    parent_name: str | None
    aliases: tuple[str, ...]
    created_how: str | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "type": self.type, "level": self.level,
                "enforcement": self.enforcement, "region_code": self.region_code, "region": self.region,
                "parent": {"id": self.parent_id, "name": self.parent_name} if self.parent_id else None,
                "aliases": list(self.aliases), "created_how": self.created_how}


@dataclass(frozen=True)
class MemberView:
    """A user of a unit and their duty."""

    user_id: int
    user_name: str
    unit_id: int
    unit_name: str
    duty: str

    def to_json(self) -> dict[str, Any]:
        return {"user": {"id": self.user_id, "name": self.user_name},
                "unit": {"id": self.unit_id, "name": self.unit_name}, "duty": self.duty,
                "duty_label": DUTIES.get(self.duty, self.duty)}


@dataclass
class UnitImport:
    """What importing a unit list did (or, unconfirmed, would do): units created and updated, rows not read."""

    table: Any  # the SheetTable read
    created: list[Unit] = field(default_factory=list)
    updated: list[Unit] = field(default_factory=list)
    problems: list[Any] = field(default_factory=list)  # SheetProblem: rows not imported
    warnings: list[Any] = field(default_factory=list)  # SheetProblem: imported with a caveat
    kept: bool = True  # False: a preview of an unconfirmed import, nothing was stored

    def summary(self) -> str:
        done = "" if self.kept else "（尚未导入）将"
        lines = [self.table.summary(),
                 f"{done}新建单位 {len(self.created)} 个，更新 {len(self.updated)} 个；未导入 {len(self.problems)} 行"]
        lines += [f"未导入 {p}" for p in self.problems]
        lines += [f"提醒 {w}" for w in self.warnings]
        if self.created:
            lines.append("新建单位：" + "、".join(u.name for u in self.created))
        return "\n".join(lines)


def view(session: Session, unit: Unit) -> UnitView:
    """The view of one unit (its parent's name and its aliases looked up)."""
    parent = session.get(Unit, unit.parent_id) if unit.parent_id else None
    return UnitView(unit.id, unit.name, unit.type, unit.level, bool(unit.enforcement), unit.region_code,
                    "".join(unit.region()), unit.parent_id, parent.name if parent else None,
                    tuple(a.alias for a in unit.aliases), unit.created_how)


def _visible(session: Session, actor: Actor, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None or not can_see_unit(actor, unit):
        raise NotFound(f"没有编号为 {unit_id} 的单位")
    return unit


def _editable(session: Session, actor: Actor, unit_id: int, what: str) -> Unit:
    unit = _visible(session, actor, unit_id)
    need_office(actor, unit, what)
    return unit


def list_units(session: Session, actor: Actor, *, under: int | None = None, type: str | None = None,
               q: str | None = None) -> list[UnitView]:
    """The units the actor may see (a unit user: their own), optionally those below unit ``under``, of one
    type, or whose name or alias contains ``q``; by region, then name."""
    if actor.unit_user:
        rows: list[Unit] = [u for u in [session.get(Unit, actor.unit_id)] if u is not None]
    elif under is not None:
        rows = descendants(session, _visible(session, actor, under))
    else:
        rows = list(session.scalars(select(Unit).where(Unit.valid_to.is_(None))))
    rows = [u for u in rows if can_see_unit(actor, u) and (type is None or u.type == type)]
    if q:
        needle = "".join(q.split())
        rows = [u for u in rows if needle in u.name or any(needle in a.alias for a in u.aliases)]
    rows.sort(key=lambda u: (u.region_code or "", u.level != "county", u.type, u.name))
    return [view(session, u) for u in rows]


def get_unit(session: Session, actor: Actor, unit_id: int) -> UnitView:
    """One unit the actor may see (NotFound otherwise)."""
    return view(session, _visible(session, actor, unit_id))


def resolve(session: Session, actor: Actor, ref: str, organiser: Unit | None = None) -> Unit:
    """The unit a user typed: its id, its name or an alias (as :func:`find` places it)."""
    ref = "".join((ref or "").split())
    unit = session.get(Unit, int(ref)) if ref.isdigit() else find(session, ref, organiser)
    if unit is None or not can_see_unit(actor, unit):
        raise NotFound(f"没有单位“{ref}”（可用单位编号、全称或已登记的简称）")
    return unit


def _set_type(unit: Unit, kind: str | None, enforcement: bool | None) -> bool:
    """Apply a type and an enforcement flag, keeping them consistent; whether anything changed."""
    before = (unit.type, unit.enforcement)
    if kind == "部门":  # a department without more: its enforcement decides
        kind = "部门-有执法权" if (enforcement if enforcement is not None else unit.enforcement) else "部门-无执法权"
    if kind is not None:
        unit.type = kind
    if enforcement is not None:
        unit.enforcement = enforcement
        if unit.type.startswith("部门"):
            unit.type = "部门-有执法权" if enforcement else "部门-无执法权"
    elif kind is not None and kind.startswith("部门"):
        unit.enforcement = kind == "部门-有执法权"
    return (unit.type, unit.enforcement) != before


def update_unit(session: Session, actor: Actor, unit_id: int, *, type: str | None = None,
                enforcement: bool | None = None, parent_id: int | None = None,
                aliases: Iterable[str] = ()) -> UnitView:
    """Set a unit's type (one of UNIT_TYPES), whether it has enforcement powers, its parent, more aliases."""
    unit = _editable(session, actor, unit_id, "修改单位")
    if type is not None and type not in (*UNIT_TYPES, "部门"):
        raise UnitError(f"单位类型“{type}”不是 {'、'.join(UNIT_TYPES)} 之一")
    before = {"type": unit.type, "enforcement": unit.enforcement, "parent_id": unit.parent_id}
    _set_type(unit, type, enforcement)
    if parent_id is not None:
        if parent_id == unit.id or any(u.id == parent_id for u in descendants(session, unit)):
            raise UnitError("上级单位不能是本单位或其下级单位")
        unit.parent_id = _visible(session, actor, parent_id).id
    for alias in aliases:
        add_alias(session, unit, alias)
    after = {"type": unit.type, "enforcement": unit.enforcement, "parent_id": unit.parent_id}
    session.flush()
    audit(session, actor.user_id, "unit.update", "unit", unit.id,
          {"name": unit.name, "before": before, "after": after, "aliases": list(aliases)})
    return view(session, unit)


# --------------------------------------------------------------------------- members
def open_account(session: Session, actor: Actor, account_actor: Any, unit_id: int, name: str, password: str,
                 settings: Any, duty: str = "filler") -> MemberView:
    """A new unit user (role ``unit``) for unit ``unit_id``, as its 填报 or 主要负责人, in one step: the account
    (checked and audited as any account an administrator makes: ``account_actor`` is the
    :class:`fazhi.accounts.roles.Actor` of the same user) with the unit's region as its scope — so an
    administrator of that region, and only one, may manage it — and the membership.

    The unit must be one the actor supervises (NotFound / Forbidden otherwise), checked before anything is
    written; a name already taken, a weak password or a region beyond the administrator's raise
    :class:`fazhi.accounts.service.AccountError`."""
    from fazhi.accounts import service as accounts

    unit = _editable(session, actor, unit_id, "开通单位用户")
    if duty not in DUTIES:
        raise UnitError(f"职责须为 filler（填报）或 leader（主要负责人），不是“{duty}”")
    region = "".join(unit.region()) or None
    user = accounts.create_user(session, name, UNIT_ROLE, password, settings, region=region, actor=account_actor)
    return add_member(session, actor, user.id, unit.id, duty)


def add_member(session: Session, actor: Actor, user: str | int, unit_id: int, duty: str = "filler") -> MemberView:
    """Make a user (role ``unit``) a member of a unit as its 填报 (``filler``) or 主要负责人 (``leader``);
    a user belongs to one unit: a member of another unit moves."""
    from fazhi.accounts.models import User

    unit = _editable(session, actor, unit_id, "设置单位用户")
    if duty not in DUTIES:
        raise UnitError(f"职责须为 filler（填报）或 leader（主要负责人），不是“{duty}”")
    row = session.get(User, user) if isinstance(user, int) else session.scalar(select(User).where(User.name == user))
    if row is None:
        raise UnitError(f"没有用户“{user}”（先用 fazhi user add {user} --role unit 建立）")
    if row.role != UNIT_ROLE:
        raise UnitError(f"用户“{row.name}”的角色不是单位用户（unit），不能加入单位；"
                        f"先用 fazhi user set {row.name} --role unit 修改角色")
    member = session.get(UnitMember, row.id)
    before = {"unit_id": member.unit_id, "duty": member.duty} if member else None
    if member is None:
        member = UnitMember(user_id=row.id, unit_id=unit.id, duty=duty)
        session.add(member)
    else:
        member.unit_id, member.duty = unit.id, duty
    session.flush()
    audit(session, actor.user_id, "unit.member", "unit", unit.id,
          {"name": unit.name, "user": row.name, "duty": duty, "before": before})
    return MemberView(row.id, row.name, unit.id, unit.name, duty)


def list_members(session: Session, actor: Actor, unit_id: int) -> list[MemberView]:
    """The users of a unit the actor may see."""
    from fazhi.accounts.models import User

    unit = _visible(session, actor, unit_id)
    rows = session.execute(select(UnitMember, User).join(User, User.id == UnitMember.user_id)
                           .where(UnitMember.unit_id == unit.id).order_by(User.name))
    return [MemberView(u.id, u.name, unit.id, unit.name, m.duty) for m, u in rows]


def remove_member(session: Session, actor: Actor, user_id: int) -> None:
    """End a user's membership of their unit."""
    member = session.get(UnitMember, user_id)
    if member is None:
        raise NotFound("该用户不属于任何单位")
    _editable(session, actor, member.unit_id, "设置单位用户")
    session.delete(member)
    session.flush()
    audit(session, actor.user_id, "unit.member_remove", "unit", member.unit_id, {"user_id": user_id})


# --------------------------------------------------------------------------- reports of a unit
@dataclass(frozen=True)
class ReportRef:
    """A stored report of a unit (through the issuer with the unit's identity key)."""

    id: int
    title: str | None
    year: int | None
    score: float | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "year": self.year, "score": self.score}


def unit_reports(session: Session, actor: Actor, unit_id: int) -> list[ReportRef]:
    """The stored annual reports the unit wrote (its issuer shares the unit's identity key), newest first."""
    from fazhi.corpus.models import Report

    unit = _visible(session, actor, unit_id)
    issuer = issuer_for(session, unit)
    if issuer is None:
        return []
    rows = session.execute(select(Report.id, Report.title, Report.year, Report.score_total)
                           .where(Report.issuer_id == issuer.id).order_by(Report.year.desc(), Report.id.desc()))
    return [ReportRef(*row) for row in rows]


# --------------------------------------------------------------------------- from the divisions table
def create_from_division(session: Session, actor: Actor, region: str) -> tuple[UnitView, list[UnitView]]:
    """The government of a region with those directly below it, as units: (the top unit, the units created)."""
    if not actor.office:
        raise Forbidden("从行政区划建立单位需要督导办公室（管理员或审核员）权限")
    created = Created()
    top = from_division(session, region, user_id=actor.user_id, created=created)
    if not in_scope(actor, top):
        raise Forbidden(f"“{top.name}”超出您的管辖范围")
    audit(session, actor.user_id, "unit.from_division", "unit", top.id,
          {"region": region, "created": created.names()})
    return view(session, top), [view(session, u) for u in created.units]


# --------------------------------------------------------------------------- a unit list from a sheet
def _flag(text: str) -> bool | None:
    word = text.strip().lower()
    return True if word in _YES else False if word in _NO else None


def _row_type(text: str) -> str | None:
    """A type cell as one of UNIT_TYPES or 部门; None when it says nothing; UnitError when unreadable."""
    word = "".join(text.split()).replace("—", "-").replace("－", "-")
    if not word:
        return None
    if word in UNIT_TYPES:
        return word
    if word in _TYPE_WORDS:
        return _TYPE_WORDS[word]
    raise UnitError(f"单位类型“{text}”无法识别（应为 {'、'.join(UNIT_TYPES)} 之一）")


def import_units(session: Session, actor: Actor, data: bytes, name: str, *, organiser: str | None = None,
                 confirm: bool = False, strict: bool = False) -> UnitImport:
    """Import a unit list (单位名称, 单位类型, 是否有执法权, 上级单位, 别名, 区划代码, 层级 in any order and layout).

    Short names are qualified in the ``organiser`` region's terms (西峡县: "县司法局" is 西峡县司法局), whose
    government becomes a unit if it is not one yet.  A registered unit is updated, a new one created.
    Rows without a name, naming a group, or with an unreadable type or enforcement are not imported and
    are named with the reason: then nothing is kept unless ``confirm`` (:class:`Unconfirmed`), or, with
    ``strict``, the import fails (:class:`InputError`)."""
    from fazhi.supervision.errors import InputError, Unconfirmed
    from fazhi.supervision.sheets import SheetError, SheetProblem, field_spec, read_table
    from fazhi.units.names import is_group

    if not actor.office:
        raise Forbidden("导入单位名单需要督导办公室（管理员或审核员）权限")
    try:
        table = read_table(data, name, field_spec("units"))
    except SheetError as exc:
        raise InputError(str(exc)) from None
    org = from_division(session, organiser, user_id=actor.user_id, with_children=False) if organiser else None
    if org is not None:
        need_office(actor, org, "导入单位名单")
    result = UnitImport(table, problems=list(table.problems))
    created = Created()
    parents: list[tuple[Unit, str, int]] = []
    for row in table.rows:
        written = "".join(row.text("name").split())
        if not written:
            if any(row.text(f) for f in ("type", "parent", "aliases")):
                result.problems.append(SheetProblem(row.number, "没有单位名称"))
            continue
        if is_group(written):
            result.problems.append(SheetProblem(row.number, f"“{written}”是一类单位，不是一个单位"))
            continue
        try:
            kind = _row_type(row.text("type"))
        except UnitError as exc:
            result.problems.append(SheetProblem(row.number, str(exc)))
            continue
        flag_text = row.text("enforcement")
        enforcement = _flag(flag_text) if flag_text else None
        if flag_text and enforcement is None:
            result.problems.append(SheetProblem(row.number, f"是否有执法权“{flag_text}”应为 是 或 否"))
            continue
        level = _LEVEL_WORDS.get(row.text("level").strip())
        existing = find(session, written, org)
        unit = existing or get_or_create(
            session, written, organiser=org, type=kind if kind in UNIT_TYPES else None, level=level,
            how="list", user_id=actor.user_id, created=created)
        changed = _set_type(unit, kind, enforcement)
        code = row.text("region_code").strip()
        if code and code != unit.region_code:
            unit.region_code, changed = code, True
        for alias in re.split(r"[、，,;；/\n]+", row.text("aliases")):
            add_alias(session, unit, alias, scope=org)
        if row.text("parent"):
            parents.append((unit, row.text("parent"), row.number))
        if existing is not None and changed and unit not in result.updated:
            result.updated.append(unit)
    for unit, parent_name, number in parents:
        parent = find(session, parent_name, org)
        if parent is None:
            result.warnings.append(SheetProblem(number, f"上级单位“{parent_name}”不在单位名单中，未设置上级"))
        elif parent.id != unit.id:
            unit.parent_id = parent.id
    if org is not None:
        for unit in created.units:
            unit.parent_id = unit.parent_id or org.id
    session.flush()
    result.created = created.units
    result.problems.sort(key=lambda p: p.row)
    if result.problems and strict:
        raise InputError("导入失败（--strict：有无法读取的行）：\n" + "\n".join(str(p) for p in result.problems))
    if result.problems and not confirm:
        result.kept = False
        raise Unconfirmed(result)
    audit(session, actor.user_id, "unit.import", "unit", None,
          {"file": name, "created": created.names(), "updated": [u.name for u in result.updated],
           "unread": [str(p) for p in result.problems]})
    return result


__all__ = [
    "DUTIES",
    "Created",
    "MemberView",
    "ReportRef",
    "UnitError",
    "UnitImport",
    "UnitView",
    "add_alias",
    "add_member",
    "create_from_division",
    "descendants",
    "find",
    "from_division",
    "get_or_create",
    "get_unit",
    "guess_type",
    "import_units",
    "issuer_for",
    "list_members",
    "list_units",
    "open_account",
    "remove_member",
    "resolve",
    "unit_for_issuer",
    "unit_key",
    "unit_reports",
    "update_unit",
    "view",
    "within",
]
