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
  the alias list in ``data/unitnames.yaml``, and only when the whole rest of
  the name is the abbreviation ("县政府办" → "西峡县人民政府办公室").  Party
  organs keep the form written ("县委政法委" → "西峡县委政法委"): their full
  names ("中共…委员会…") vary by place.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from fazhi.supervision import datafiles

_SEPARATORS = frozenset("、，,;；/|\n\t \u3000")
_NUMBERING = re.compile(r"(?:^|(?<=[\s、，,;；/]))(?:（\d{1,2}）|\d{1,2}[.．、）]|[①-⑳])")
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
    groups: tuple[re.Pattern[str], ...]
    roles: Mapping[str, str]
    places: tuple[tuple[str, str], ...]
    not_places: tuple[str, ...]
    aliases: Mapping[str, str]
    levels: Mapping[str, str]


@functools.cache
def _knowledge() -> _Knowledge:
    data = datafiles.packaged("unitnames")
    roles = {mark: role for role in ("lead", "co") for mark in data["roles"][role]}
    places = tuple(sorted(data["places"].items(), key=lambda kv: -len(kv[0])))
    return _Knowledge(tuple(re.compile(p) for p in data["groups"]), roles, places,
                      tuple(data["not_places"]), data["aliases"], data["levels"])


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
    roles = _knowledge().roles
    for mark, role in roles.items():
        for label in (f"{mark}：", f"{mark}:"):
            if part.startswith(label):
                return part[len(label):].strip(), role, True
    for mark, role in roles.items():
        for written in (f"（{mark}）", mark):
            if part.endswith(written) and len(part) > len(written):
                return part[: -len(written)].strip(), role, False
    return part, None, False


def is_group(name: str) -> bool:
    """Whether ``name`` names a class of units ("县直各有关单位") rather than one unit."""
    return any(p.search(name) for p in _knowledge().groups)


def split_units(cell: str | None) -> list[UnitRef]:
    """The units and groups named in a cell, in the order written, without duplicates.

    A label ("配合：") sets the role of the names after it; a bracketed mark
    ("（牵头）") the role of its own name."""
    if not cell:
        return []
    text = str(cell).replace("(", "（").replace(")", "）").strip()
    text = _NUMBERING.sub("\n", text)
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
    return units


# ----------------------------------------------------------------- qualifying


def _inside_word(text: str, i: int, n: int) -> bool:
    """Whether text[i:i+n] lies inside a word that only looks like a place (市场, 城乡)."""
    return any(text.startswith(word, s)
               for word in _knowledge().not_places
               for s in range(max(0, i - len(word) + 1), i + 1)
               if s + len(word) >= i + n)


def _place_end(text: str) -> int | None:
    """End of the place name that ``text`` starts with ("南阳市西峡县…" → 3), or None."""
    for i in range(1, len(text)):
        for suffix, _ in _knowledge().places:
            if text.startswith(suffix, i) and not _inside_word(text, i, len(suffix)):
                end = i + len(suffix)
                while (more := next((s for s, _ in _knowledge().places if text.startswith(s, end)), None)) \
                        and not _inside_word(text, end, len(more)):
                    end += len(more)  # 苏州 + 市, 温州 + 市
                return end
    return None


def _leading_places(name: str) -> list[str]:
    places: list[str] = []
    rest = name
    while (end := _place_end(rest)) is not None:
        places.append(rest[:end])
        rest = rest[end:]
    return places


def region_of(name: str) -> str | None:
    """The innermost place a name starts with: "西峡县人民政府" → "西峡县", "南阳市西峡县" → "西峡县"."""
    places = _leading_places(name)
    return places[-1] if places else None


def _prefix(region: str) -> str | None:
    return next((prefix for suffix, prefix in _knowledge().places if region.endswith(suffix)), None)


def _short_prefix(name: str) -> str | None:
    """The level character a short form starts with ("县司法局" → 县), or None ("市场监管局")."""
    for _, prefix in _knowledge().places:
        if name.startswith(prefix) and len(name) > len(prefix) and not _inside_word(name, 0, len(prefix)):
            return prefix
    return None


def _expand(rest: str) -> str:
    return _knowledge().aliases.get(rest, rest)


def qualify(name: str, organiser_name: str, organiser_level: str) -> str:
    """The full name a unit name stands for in the organiser's region (see the module's decisions).

    ``organiser_name`` is the region ("西峡县", or a government's name that
    starts with it); ``organiser_level`` ('province', 'city', 'county',
    'township', 'street') is used when the region's kind cannot be read from
    its name.  Groups and names that cannot be placed are returned unchanged."""
    if is_group(name):
        return name
    region = region_of(organiser_name)
    short = _short_prefix(name)
    if short is not None:
        mine = region is not None and short == (_prefix(region) or _knowledge().levels.get(organiser_level))
        return region + _expand(name[len(short):]) if mine and region else name
    places = _leading_places(name)
    if places:
        where = "".join(places)
        return where + _expand(name[len(where):])
    return region + _expand(name) if region else name
