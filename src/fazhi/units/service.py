"""The register of units an office supervises: find a unit by a name as offices write it, create units
(from the divisions table, from a list, from an imported 分工表), and link them to the corpus's issuers.

Finding a unit (:func:`find`) tries, in order: the name as written; an alias registered for it (within the
organiser's scope first, then everywhere); the name a short form stands for in the organiser's region
("县司法局" in a 西峡县 sheet is 西峡县司法局, :func:`fazhi.units.names.qualify`).  It never
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

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fazhi.units.identity import REGION_FIELDS, issuer_key
from fazhi.units.models import UNIT_TYPES, Issuer, Unit, UnitAlias

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


@functools.cache
def _departments() -> dict[str, Any]:
    import yaml

    text = resources.files("fazhi.units").joinpath("data/departments.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def enforcement_stems() -> tuple[str, ...]:
    """The name stems of departments that hold enforcement powers (``units/data/departments.yaml``)."""
    return tuple(str(s) for s in _departments()["enforcement"])


@functools.cache
def _enforcing() -> re.Pattern[str]:
    """A stem followed by a department's suffix (公安 + 局): a stem alone may sit inside another word."""
    def alt(words: list[str]) -> str:
        return "|".join(re.escape(str(w)) for w in sorted(words, key=len, reverse=True))
    data = _departments()
    return re.compile(f"(?:{alt(data['enforcement'])})(?:{alt(data['suffixes'])})")


def guess_type(name: str, level: str | None = None) -> str:
    """The unit type a name suggests: a government, a township, a street office, else a department —
    部门-有执法权 when its name holds one of the fields of :func:`enforcement_stems` (公安, 市场监督管理,
    生态环境 …) followed by a department's suffix (局, 委员会 …), 部门-无执法权 otherwise.  A guess: a unit list's 执法权 or 单位类型 column, or a change of the
    unit, always wins."""
    if level in ("township",) or _TOWN.search(name):
        return "乡镇"
    if level == "street" or _STREET.search(name):
        return "街道"
    if level in ("province", "city", "county") or _GOV.search(name):
        return "政府"
    return "部门-有执法权" if _enforcing().search(name) else "部门-无执法权"


# =========================================================================== finding
def find(session: Session, name: str, organiser: Unit | None = None) -> Unit | None:
    """The registered unit ``name`` means in ``organiser``'s sheets (see the module documentation)."""
    from fazhi.units.names import qualify

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
    from fazhi.units.names import qualify

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
                department=dept, enforcement=kind == "部门-有执法权", created_how=how, created_by_id=user_id,
                **where)
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


__all__ = ["Created", "UnitError", "add_alias", "descendants", "find", "from_division", "get_or_create",
           "guess_type", "issuer_for", "unit_for_issuer", "unit_key", "within"]
