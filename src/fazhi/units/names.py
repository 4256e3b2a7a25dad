"""Unit names as offices write them in a 责任分工表: split a cell, tell groups from units, qualify short forms.

A 牵头单位/配合单位 cell holds one or several names ("县司法局（牵头）、县公安局，
县法院"), sometimes numbered or labelled ("牵头：…；配合：…"), sometimes a
class of units rather than a unit ("县直各有关单位", "各乡镇（街道）"): a
group is kept as a group, never turned into an invented unit.  In a county's
sheet "县司法局" stands for "西峡县司法局"; :func:`qualify` spells that out
from the organiser's name, without any table of units (pure string logic).

Decisions:

* Brackets that are part of a name stay: "县委政法委（县委依法治县办）" is one
  unit as written (the bracket is an alias; matching aliases to units is the
  unit register's work).  Only role marks in brackets — "（牵头）",
  "（配合）" — are removed, and remembered in ``UnitRef.role``.
* Separators inside brackets do not split: "县人民政府（办公室、法制科）" is
  one name.  "和"/"及" never split ("住房和城乡建设局").
* :func:`qualify` expands only a short form whose leading place character
  matches the organiser's kind of place ("县…" under a 县, "市…" under a city
  or county-level city, "区…" under a district); a short form of another
  level ("市生态环境局西峡分局" in a county's sheet) and any name that already
  starts with a place are left as they are.  A name with no place at all
  ("司法局") gets the organiser's place.  Abbreviations are expanded only from
  the alias list in ``knowledge/data/unitnames.yaml``, and only when the whole rest of
  the name is the abbreviation ("县政府办" → "西峡县人民政府办公室").  Party
  organs keep the form written ("县委政法委" → "西峡县委政法委"): their full
  names ("中共…委员会…") vary by place.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from fazhi import knowledge

_SEPARATORS = frozenset("、，,;；/|\n\t \u3000")
_NUMBERING = re.compile(r"(?<![\d第.．])(?:（\d{1,2}）|\d{1,2}[.．、）]|[①-⑳])")
_BLANK = re.compile(r"^[-—/\\无暂空]*$")


@dataclass(frozen=True)
class UnitRef:
    """A unit (or a group of units) named in a cell.

    ``name`` is cleaned (numbering and role marks removed) and, once
    qualified, the full name; ``written`` is the text as it stood in the
    cell; ``role`` is 'lead' or 'co' when the cell marks it."""

    name: str
    kind: str
    written: str
    role: str | None = None


@dataclass(frozen=True)
class _Knowledge:
    groups: re.Pattern[str]
    role_label: re.Pattern[str]
    role_suffix: re.Pattern[str]
    roles: Mapping[str, str]
    suffix: re.Pattern[str]
    prefixes: Mapping[str, str]  # place suffix → short-form prefix, longest suffix first
    not_places: re.Pattern[str]
    aliases: Mapping[str, str]
    levels: Mapping[str, tuple[str, ...]]
    organs: re.Pattern[str]


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@functools.cache
def _knowledge() -> _Knowledge:
    data = knowledge.parse("unitnames", knowledge.packaged_path("unitnames").read_text(encoding="utf-8"))
    roles = {mark: role for role in ("lead", "co") for mark in data["roles"][role]}
    marks = _alternation(roles)
    return _Knowledge(
        re.compile("|".join(f"(?:{p})" for p in data["groups"])),
        re.compile(rf"^(?P<mark>{marks})[:：]\s*"), re.compile(rf"(?:（(?P<bracketed>{marks})）|(?P<bare>{marks}))$"),
        roles, re.compile(_alternation(data["places"])),
        dict(sorted(data["places"].items(), key=lambda kv: -len(kv[0]))),
        re.compile(_alternation(data["not_places"])), data["aliases"],
        {level: tuple(prefixes) for level, prefixes in data["levels"].items()},
        re.compile(rf"(?:{_alternation(data.get('organs', ()))})$" if data.get("organs") else r"(?!)"))


# ----------------------------------------------------------------- splitting


def _parts(cell: str) -> Iterator[str]:
    """The cell cut at separators outside brackets."""
    depth, start = 0, 0
    for i, ch in enumerate(cell):
        if ch == "（":
            depth += 1
        elif ch == "）":
            depth = max(depth - 1, 0)
        elif ch in _SEPARATORS and depth == 0:
            yield cell[start:i]
            start = i + 1
    yield cell[start:]


def _strip_role(part: str) -> tuple[str, str | None, bool]:
    """The name without its role mark, the role, and whether the mark was a label for what follows."""
    knowledge = _knowledge()
    label = knowledge.role_label.match(part)
    if label:
        return part[label.end():].strip(), knowledge.roles[label["mark"]], True
    mark = knowledge.role_suffix.search(part)
    if mark and mark.start() > 0:
        return part[: mark.start()].strip(), knowledge.roles[mark["bracketed"] or mark["bare"]], False
    return part, None, False


def is_group(name: str) -> bool:
    """Whether ``name`` names a class of units ("县直各有关单位") rather than one unit."""
    return bool(_knowledge().groups.search(name))


def looks_like_unit(name: str) -> bool:
    """Whether ``name`` ends as the name of one organ does (局, 委, 中心, 人民政府 …; ``organs`` in
    ``knowledge/data/unitnames.yaml``), brackets aside: "县委政法委（依法治县办）" does, "张三" and "待定" do not."""
    bare = re.sub(r"（[^（）]*）$", "", name.replace("(", "（").replace(")", "）")).strip()
    return bool(_knowledge().organs.search(bare))


def split_units(cell: str | None) -> list[UnitRef]:
    """The units and groups named in a cell, in the order written, without duplicates.

    A label ("配合：") sets the role of the names after it; a bracketed mark
    ("（牵头）") the role of its own name."""
    return list(_split(str(cell).strip())) if cell else []


@functools.lru_cache(maxsize=8192)
def _split(cell: str) -> tuple[UnitRef, ...]:
    """split_units, remembered: a sheet names the same units in row after row."""
    text = _NUMBERING.sub("\n", cell.replace("(", "（").replace(")", "）"))
    units: list[UnitRef] = []
    label_role: str | None = None
    for raw in _parts(text):
        written = raw.strip().strip("“”\"'‘’")
        name, role, is_label = _strip_role(written)
        label_role = role if is_label else label_role
        name = name[:-1] if name.endswith("等") and len(name) > 2 else name
        if _BLANK.match(name) or any(u.name == name for u in units):
            continue
        units.append(UnitRef(name, "group" if is_group(name) else "unit", written, role or label_role))
    return tuple(units)


# ----------------------------------------------------------------- qualifying


def _masked(text: str) -> str:
    """``text`` with the words that only look like places (市场, 城乡) blanked out."""
    return _knowledge().not_places.sub(lambda m: "·" * len(m[0]), text)


def _leading_places(name: str) -> list[str]:
    """The places a name starts with: "南阳市西峡县人民政府" → ["南阳市", "西峡县"]."""
    suffix = _knowledge().suffix
    masked = _masked(name)
    places: list[str] = []
    start = 0
    while (found := suffix.search(masked, start + 1)) is not None:
        end = found.end()
        while (more := suffix.match(masked, end)) is not None:
            end = more.end()  # 苏州 + 市, 温州 + 市
        places.append(name[start:end])
        start = end
    return places


def region_of(name: str, level: str | None = None) -> str | None:
    """The place a name stands for: the innermost place it starts with, or the innermost of the
    organiser's ``level`` ("南阳市西峡县" → "西峡县"; at 'city' level → "南阳市"; "司法局" → None)."""
    places = _leading_places(name)
    kinds = _knowledge().levels.get(level or "", ())
    fitting = [p for p in places if _prefix(p) in kinds]
    chosen = fitting or places
    return chosen[-1] if chosen else None


def _prefix(region: str) -> str | None:
    """The short-form prefix of a place's kind: 西峡县 → 县, 楚雄彝族自治州 → 州."""
    return next((prefix for suffix, prefix in _knowledge().prefixes.items() if region.endswith(suffix)), None)


def _short_prefix(name: str) -> str | None:
    """The level character a short form starts with ("县司法局" → 县), or None ("市场监管局")."""
    found = _knowledge().suffix.match(_masked(name))
    return _knowledge().prefixes[found[0]] if found and found.end() < len(name) else None


def _expand(rest: str) -> str:
    return _knowledge().aliases.get(rest, rest)


@functools.lru_cache(maxsize=8192)
def qualify(name: str, organiser_name: str, organiser_level: str) -> str:
    """The full name a unit name stands for in the organiser's region (see the module's decisions).

    ``organiser_name`` is the region ("西峡县", or a name that starts with it:
    "西峡县人民政府", "南阳市西峡县"); ``organiser_level`` ('province', 'city',
    'county', 'township', 'street') picks the organiser's place from a chain
    of places.  Groups and names that cannot be placed are returned unchanged."""
    if is_group(name):
        return name
    region = region_of(organiser_name, organiser_level)
    short = _short_prefix(name)
    if short is not None:
        return region + _expand(name[len(short):]) if region and short == _prefix(region) else name
    places = _leading_places(name)
    if places:
        where = "".join(places)
        return where + _expand(name[len(where):])
    return region + _expand(name) if region else name
