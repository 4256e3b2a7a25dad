"""The register of units an office supervises: find a unit by a name as offices write it, create units
(from the divisions table, from a list, from an imported 分工表), and link them to the corpus's issuers.

Finding a unit (:func:`find`) tries, in order: the name as written; an alias registered for it (within the
organiser's scope first, then everywhere); the name a short form stands for in the organiser's region
("县司法局" in a 西峡县 sheet is 西峡县司法局, :func:`fazhi.supervision.unitnames.qualify`).  It never
guesses beyond that: a name it cannot place is returned as ``None`` and the caller says so (or creates
the unit and lists it).

The services over the register (:func:`list_units`, :func:`get_unit`, :func:`update_unit`,
:func:`import_units`, :func:`create_from_division`, :func:`add_member`, :func:`unit_reports` …) take the
acting user (:class:`fazhi.supervision.access.Actor`), check what it may do, write the audit log and return
plain views (:class:`UnitView`, :class:`MemberView`) that a page, the API or the CLI shows.

A unit's identity key (:func:`unit_key`) is the corpus's issuer key (:func:`fazhi.units.identity.issuer_key`)
of the same unit, so a stored report's issuer and a supervised unit meet on it (:func:`issuer_for`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
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
from fazhi.units.identity import REGION_FIELDS, issuer_key
from fazhi.units.models import UNIT_TYPES, Issuer, Unit, UnitAlias, UnitMember

_GOV = re.compile(r"(人民政府|政府)$")
_TOWN = re.compile(r"(镇|乡)(人民政府)?$")
_STREET = re.compile(r"街道(办事处)?$")
_LEVEL_OF = {"province": "province", "city": "city", "county": "county", "township": "township",
             "street": "street"}


class UnitError(ValueError):
    """A unit that cannot be created or found as asked (message in Chinese)."""


@dataclass
class Created:
    """What an operation created, for the list a user is shown ("新建单位：…")."""

    units: list[Unit] = field(default_factory=list)

    def names(self) -> list[str]:
        return [u.name for u in self.units]


# =========================================================================== identity
def unit_key(unit: Unit) -> str | None:
    """The unit's identity key, shared with the corpus's issuers."""
    return issuer_key({"name": unit.name, "level": unit.level, "code": unit.region_code,
                       "department": unit.department, **{k: getattr(unit, k) for k in REGION_FIELDS}})


def issuer_for(session: Session, unit: Unit) -> Issuer | None:
    """The corpus's issuer row of the same unit (its stored reports), if any."""
    if not unit.key:
        return None
    return session.scalar(select(Issuer).where(Issuer.key == unit.key))


def unit_for_issuer(session: Session, issuer_id: int | None) -> Unit | None:
    """The supervised unit a stored report's issuer is (same identity key), if it is registered."""
    if issuer_id is None:
        return None
    key = session.scalar(select(Issuer.key).where(Issuer.id == issuer_id))
    return session.scalar(select(Unit).where(Unit.key == key)) if key else None


def guess_type(name: str, level: str | None = None) -> str:
    """The unit type a name suggests: a government, a township, a street office, else a department
    (whether a department has enforcement powers cannot be read from its name: 部门-无执法权 until set)."""
    if level in ("township",) or _TOWN.search(name):
        return "乡镇"
    if level == "street" or _STREET.search(name):
        return "街道"
    if level in ("province", "city", "county") or _GOV.search(name):
        return "政府"
    return "部门-无执法权"


# =========================================================================== finding
def find(session: Session, name: str, organiser: Unit | None = None) -> Unit | None:
    """The registered unit ``name`` means in ``organiser``'s sheets (see the module documentation)."""
    from fazhi.supervision.unitnames import qualify

    name = "".join((name or "").split())
    if not name:
        return None
    hit = session.scalars(select(Unit).where(Unit.name == name, Unit.valid_to.is_(None)).limit(2)).all()
    if len(hit) == 1:
        return hit[0]
    scope = [organiser.id] if organiser is not None else []
    alias = session.scalars(
        select(UnitAlias).where(UnitAlias.alias == name,
                                or_(UnitAlias.scope_id.in_(scope), UnitAlias.scope_id.is_(None)))
        .order_by(UnitAlias.scope_id.is_(None))).first()
    if alias is not None:
        return alias.unit
    if organiser is not None and organiser.level:
        full = qualify(name, _place_name(organiser), organiser.level)
        if full != name:
            return find(session, full, None)
    return None


def _place_name(unit: Unit) -> str:
    """The region a unit governs or sits in, as a sheet's organiser is named (南阳市西峡县)."""
    return "".join(unit.region()) or _GOV.sub("", unit.name)


# =========================================================================== creating
def get_or_create(session: Session, name: str, *, organiser: Unit | None = None, type: str | None = None,
                  level: str | None = None, parent: Unit | None = None, how: str = "manual",
                  user_id: int | None = None, created: Created | None = None, **region: Any) -> Unit:
    """The unit ``name`` (found as :func:`find` does), created when it is not registered yet.

    A created unit takes the organiser's region unless ``region`` fields are given, its type from
    :func:`guess_type` unless ``type`` is given, and is appended to ``created``."""
    found = find(session, name, organiser)
    if found is not None:
        return found
    from fazhi.supervision.unitnames import qualify

    full = "".join(name.split())
    if organiser is not None and organiser.level:
        full = qualify(full, _place_name(organiser), organiser.level)
    kind = type or guess_type(full, level)
    if kind not in UNIT_TYPES:
        raise UnitError(f"单位类型“{kind}”不是 {'、'.join(UNIT_TYPES)} 之一")
    base = parent or organiser
    where = {k: region.get(k, getattr(base, k) if base is not None else None) for k in REGION_FIELDS}
    lvl = level or ("department" if kind.startswith("部门") else
                    "township" if kind == "乡镇" else "street" if kind == "街道" else base.level if base else None)
    dept = None
    if lvl == "department":
        dept = full
        for place in [v for v in where.values() if v]:
            dept = dept.replace(place, "")
        dept = dept or full
    unit = Unit(name=full, type=kind, level=lvl, parent_id=base.id if base is not None else None,
                region_code=region.get("region_code", base.region_code if base is not None else None),
                department=dept, created_how=how, created_by_id=user_id, **where)
    unit.key = unit_key(unit)
    session.add(unit)
    session.flush()
    if full != name and organiser is not None:
        add_alias(session, unit, name, scope=organiser)
    if created is not None:
        created.units.append(unit)
    return unit


def add_alias(session: Session, unit: Unit, alias: str, *, scope: Unit | None = None) -> None:
    """Register another name of ``unit`` (in ``scope``'s sheets; ``None``: everywhere), once."""
    alias = "".join(alias.split())
    if not alias or alias == unit.name:
        return
    exists = session.scalar(select(UnitAlias.id).where(
        UnitAlias.alias == alias, UnitAlias.scope_id == (scope.id if scope is not None else None)
        if scope is not None else UnitAlias.scope_id.is_(None)))
    if exists is None:
        session.add(UnitAlias(unit_id=unit.id, alias=alias, scope_id=scope.id if scope is not None else None))
        session.flush()


def from_division(session: Session, region: str, *, user_id: int | None = None, with_children: bool = True,
                  created: Created | None = None) -> Unit:
    """The government of a region (焦作市, 河南省西峡县, a division code) as a unit, with — when
    ``with_children`` — the governments of the counties, townships and streets directly below it."""
    from fazhi.units import divisions
    from fazhi.units.scope import RegionError, resolve_region

    try:
        scope = resolve_region(region)
    except RegionError as exc:
        raise UnitError(str(exc)) from None
    divs = divisions.load()
    row = divs.get(scope.code) if scope.code else None
    top = _gov_unit(session, divs, row, scope.fields(), scope.code, user_id, created) if row is not None else None
    if top is None:
        raise UnitError(f"行政区划“{region}”无法建立单位")
    if with_children and row is not None:
        for child in divs.children(row):
            if divs.is_current(child):
                path = divs.path(child)
                unit = _gov_unit(session, divs, child, {k: path.get(k) for k in REGION_FIELDS}, path.get("code"),
                                 user_id, created)
                if unit is not None and unit.parent_id is None:
                    unit.parent_id = top.id
    session.flush()
    return top


def _gov_unit(session: Session, divs: Any, row: Any, where: dict[str, Any], code: str | None,
              user_id: int | None, created: Created | None) -> Unit | None:
    kind = row.kind
    if kind not in _LEVEL_OF:
        return None
    level = _LEVEL_OF[kind]
    name = row.name if kind in ("township", "street") else row.name + "人民政府"
    if kind == "street" and not name.endswith("办事处"):
        name += "办事处"
    existing = session.scalar(select(Unit).where(Unit.region_code == code, Unit.level == level,
                                                 Unit.valid_to.is_(None)))
    if existing is not None:
        return existing
    unit = Unit(name=name, type=guess_type(name, level), level=level, region_code=code, created_how="divisions",
                created_by_id=user_id, **{k: where.get(k) for k in REGION_FIELDS})
    unit.key = unit_key(unit)
    session.add(unit)
    session.flush()
    add_alias(session, unit, row.name)
    if created is not None:
        created.units.append(unit)
    return unit


def descendants(session: Session, unit: Unit) -> list[Unit]:
    """``unit`` and every registered unit below it (by the parent links)."""
    out, frontier = [unit], [unit.id]
    while frontier:
        kids = list(session.scalars(select(Unit).where(Unit.parent_id.in_(frontier))))
        out += kids
        frontier = [k.id for k in kids]
    return out


def within(units: Iterable[Unit], scope_fields: dict[str, str]) -> list[Unit]:
    """The units whose region lies in a scope (:meth:`fazhi.units.scope.Scope.fields`)."""
    return [u for u in units if scope_fields and all(getattr(u, k) == v for k, v in scope_fields.items())]


# =========================================================================== the register's services
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
    from fazhi.supervision.unitnames import is_group

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


__all__ = ["DUTIES", "Created", "MemberView", "ReportRef", "UnitError", "UnitImport", "UnitView", "add_alias",
           "add_member", "create_from_division", "descendants", "find", "from_division", "get_or_create",
           "get_unit", "guess_type", "import_units", "issuer_for", "list_members", "list_units", "remove_member",
           "resolve", "unit_for_issuer", "unit_key", "unit_reports", "update_unit", "view", "within"]
