"""Indicator systems (指标体系, 考核细则) as immutable, versioned data, and mappings between them.

A :class:`Framework` is one version of one edition: a tree of
:class:`IndicatorNode` (一级/二级/三级…, the number as written, the text,
points — often none: the national table has none, local 考核细则 add them —
the 考核材料 to check, the 考评方法, the 评分标准 as written, and the ids of
the review engine's indicators that measure the node, so a fact found in an
annual report can be proposed as evidence).  Every node has a stable path key
("一/1/3") and the framework a sha256 of its canonical form: a version once
used is never edited, a change is a new version, and a :class:`MappingSet`
links the nodes of two versions (the pitfall of editing nodes in place, seen
in other tools, is avoided by construction: everything here is frozen).

Frameworks load from YAML (``data/schema/framework.schema.json``) or from a
table an office keeps (:func:`framework_from_table`, on top of
:func:`fazhi.supervision.sheets.read_table`).

Decisions for tables: hierarchical columns that are merged or left blank
below a value ("filled down") repeat the value above; a row's node is its
deepest filled level.  When several rows fall on one node and each brings
its own 考评内容 (a 二级 merged over three scoring items), each row becomes
a child item; a single row's details go to the node itself.  "（20分）"
after a level name gives that node's points.  A row whose points are not a
number, or with content but no level name to hang it on, is not imported
and is named with the reason.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from fazhi.supervision import datafiles
from fazhi.supervision.sheets import SheetProblem, SheetTable

LEVEL_FIELDS = ("level1", "level2", "level3")
_LEVEL_NAMES = "一二三四五六"
_MARKER = re.compile(
    r"^\s*(?:"
    r"(?:第(?P<ordinal>[一二三四五六七八九十百]+)(?:部分|章|条|项)\s*)"
    r"|(?P<cn>[一二三四五六七八九十百]+)\s*[、.．]"
    r"|[（(]\s*(?P<paren>[一二三四五六七八九十百]+|\d{1,3})\s*[）)]"
    r"|(?P<multi>\d{1,3}(?:[.．]\d{1,3})+)\s*[、.．]?"
    r"|(?P<num>\d{1,3})(?:\s*[、.．]|\s+)"
    r"|(?P<circled>[①-⑳])"
    r")\s*")
_POINTS_IN_NAME = re.compile(r"\s*[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]\s*$")
_POINTS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*分?\s*$")
_LIST_ITEM = re.compile(r"[；;\n]+|(?:^|(?<=[。；;\s]))(?:[（(]?\d{1,2}[)）.．、]|[①-⑳])")
_METHOD_ITEM = re.compile(r"[、，,；;/\n]+")


# ----------------------------------------------------------------- model


@dataclass(frozen=True)
class IndicatorNode:
    """One node of an indicator system; ``path`` is its stable key ("一/1/3")."""

    path: str
    ref_id: str
    level: int
    name: str
    text: str = ""
    points: float | None = None
    evidence_required: tuple[str, ...] = ()
    check_methods: tuple[str, ...] = ()
    scoring_text: str = ""
    keywords: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    children: tuple[IndicatorNode, ...] = ()

    def walk(self) -> Iterator[IndicatorNode]:
        """This node and every node below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def to_dict(self) -> dict[str, Any]:
        """The node in the YAML form (every field, fixed order; points as float or None)."""
        return {
            "ref": self.ref_id, "name": self.name, "text": self.text,
            "points": None if self.points is None else float(self.points),
            "evidence_required": list(self.evidence_required), "check_methods": list(self.check_methods),
            "scoring_text": self.scoring_text, "keywords": list(self.keywords),
            "indicators": list(self.indicators), "children": [c.to_dict() for c in self.children],
        }


@dataclass(frozen=True)
class Framework:
    """One immutable version of an indicator system."""

    urn: str
    name: str
    edition: str
    version: int
    source: str
    nodes: tuple[IndicatorNode, ...]
    status: str = "local"
    notice: str = ""

    def walk(self) -> Iterator[IndicatorNode]:
        """Every node, depth first, in the order written."""
        for node in self.nodes:
            yield from node.walk()

    @cached_property
    def by_path(self) -> Mapping[str, IndicatorNode]:
        return {node.path: node for node in self.walk()}

    def node(self, path: str) -> IndicatorNode:
        """The node with path key ``path``; KeyError if there is none."""
        return self.by_path[path]

    def to_dict(self) -> dict[str, Any]:
        """The framework in its canonical YAML form."""
        return {"urn": self.urn, "name": self.name, "edition": self.edition, "version": self.version,
                "source": self.source, "status": self.status, "notice": self.notice,
                "nodes": [n.to_dict() for n in self.nodes]}

    @cached_property
    def sha256(self) -> str:
        """Hash of the canonical form: equal for equal content, whatever the YAML layout."""
        canonical = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NodePair:
    """A node of the source framework related to a node of the target framework."""

    source: str
    target: str
    relation: str
    rationale: str = ""


@dataclass(frozen=True)
class MappingSet:
    """Links between the nodes of two framework versions (edition to edition, year to year)."""

    urn: str
    name: str
    source_urn: str
    source_version: int
    target_urn: str
    target_version: int
    pairs: tuple[NodePair, ...]

    def targets(self, source_path: str) -> list[NodePair]:
        """The pairs that start from the source node ``source_path``."""
        return [p for p in self.pairs if p.source == source_path]

    def check(self, source: Framework, target: Framework) -> list[str]:
        """Chinese problems: the wrong frameworks, or paths that name no node."""
        problems = [f"映射的{side}应为 {urn} 第 {version} 版，给出的是 {fw.urn} 第 {fw.version} 版"
                    for side, urn, version, fw in (("源指标体系", self.source_urn, self.source_version, source),
                                                   ("目标指标体系", self.target_urn, self.target_version, target))
                    if (fw.urn, fw.version) != (urn, version)]
        for pair in self.pairs:
            problems += [f"“{path}”不是{side}中的指标" for side, path, fw in
                         (("源指标体系", pair.source, source), ("目标指标体系", pair.target, target))
                         if path not in fw.by_path]
        return problems


# ----------------------------------------------------------------- YAML


def _node_from_dict(data: Mapping[str, Any], parent: str, level: int, where: str) -> IndicatorNode:
    path = f"{parent}/{data['ref']}" if parent else str(data["ref"])
    children = _nodes_from_list(data.get("children", []), path, level + 1, where)
    points = data.get("points")
    return IndicatorNode(
        path, str(data["ref"]), level, data["name"], data.get("text", ""),
        None if points is None else float(points),
        tuple(data.get("evidence_required", ())), tuple(data.get("check_methods", ())),
        data.get("scoring_text", ""), tuple(data.get("keywords", ())), tuple(data.get("indicators", ())),
        children)


def _nodes_from_list(items: Sequence[Mapping[str, Any]], parent: str, level: int,
                     where: str) -> tuple[IndicatorNode, ...]:
    refs = [str(item["ref"]) for item in items]
    duplicates = sorted({r for r in refs if refs.count(r) > 1})
    if duplicates:
        raise datafiles.DataFileError(f"{where}：“{parent or '顶层'}”下的编号重复：{'、'.join(duplicates)}")
    return tuple(_node_from_dict(item, parent, level, where) for item in items)


def framework_from_dict(data: Mapping[str, Any], where: str = "指标体系") -> Framework:
    """A framework from its YAML form, already checked against the schema."""
    return Framework(data["urn"], data["name"], str(data["edition"]), data["version"], data["source"],
                     _nodes_from_list(data["nodes"], "", 1, where), data["status"], data.get("notice", ""))


def framework_from_yaml(text: str, where: str = "指标体系") -> Framework:
    """Parse and validate a framework YAML text."""
    return framework_from_dict(datafiles.parse(text, "framework", where), where)


def load_framework(path: Path) -> Framework:
    """Read a framework YAML file."""
    return framework_from_dict(datafiles.load(path, "framework"), str(path))


def packaged_frameworks() -> dict[str, Framework]:
    """The frameworks shipped in ``data/frameworks``, by file stem."""
    folder = datafiles.data_path("frameworks")
    return {p.stem: load_framework(p) for p in sorted(folder.glob("*.yaml"))}


def packaged_mappings() -> dict[str, MappingSet]:
    """The mapping sets shipped in ``data/mappings``, by file stem."""
    folder = datafiles.data_path("mappings")
    return {p.stem: load_mapping(p) for p in sorted(folder.glob("*.yaml"))}


def mapping_from_yaml(text: str, where: str = "映射") -> MappingSet:
    """Parse and validate a mapping-set YAML text."""
    data = datafiles.parse(text, "mapping", where)
    pairs = tuple(NodePair(p["source"], p["target"], p["relation"], p.get("rationale", "")) for p in data["pairs"])
    return MappingSet(data["urn"], data["name"], data["source"]["urn"], data["source"]["version"],
                      data["target"]["urn"], data["target"]["version"], pairs)


def load_mapping(path: Path) -> MappingSet:
    """Read a mapping-set YAML file."""
    try:
        return mapping_from_yaml(path.read_text("utf-8"), str(path))
    except OSError as exc:
        raise datafiles.DataFileError(f"{path}：无法读取（{exc}）") from exc


# ----------------------------------------------------------------- numbers as written


def split_ref(text: str) -> tuple[str | None, str]:
    """The number a heading starts with, as written, and the rest.

    "一、政府职能依法全面履行" → ("一", "政府职能依法全面履行"); "1.加大简政放权力度" →
    ("1", …); "（3）…" → ("(3)", …); "1.2 …" → ("1.2", …); no number → (None, text)."""
    text = text.strip()
    match = _MARKER.match(text)
    if not match or match.end() == len(text):
        return None, text
    rest = text[match.end():].strip()
    if match["paren"]:
        ref = f"({unicodedata.normalize('NFKC', match['paren'])})"
    else:
        number = match["multi"] or match["num"]
        ref = match["ordinal"] or match["cn"] or match["circled"] or unicodedata.normalize("NFKC", number)
    return ref, rest


# ----------------------------------------------------------------- from a table


@dataclass
class _Item:
    """The details one row gives a node."""

    content: str
    seq: str
    points: float | None
    scoring: str
    evidence: tuple[str, ...]
    methods: tuple[str, ...]


@dataclass
class _Draft:
    """A node under construction while rows are read."""

    written: str
    children: dict[str, _Draft] = field(default_factory=dict)
    items: list[_Item] = field(default_factory=list)


@dataclass(frozen=True)
class FrameworkImport:
    """A framework read from a table, with the rows that could not be read."""

    framework: Framework
    problems: tuple[SheetProblem, ...]
    notes: tuple[str, ...]


def _points(value: Any) -> float | None:
    """Points from a cell; ValueError when the cell is not a number."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    match = _POINTS.match(str(value))
    if not match:
        raise ValueError(str(value))
    return float(match[1])


def _items(text: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    return tuple(part.strip(" 。") for part in pattern.split(text) if part and part.strip(" 。"))


def fill_levels(cells: Sequence[str], previous: Sequence[str]) -> list[str]:
    """The level names of a row, blank levels above its deepest one repeating the previous row's.

    Levels below the deepest filled one are dropped; a row with no level name
    at all stays on the previous row's levels.  A level with nothing to take
    is '' (the caller decides whether that is a problem)."""
    deepest = max((i for i, c in enumerate(cells) if c), default=-1)
    if deepest < 0:
        return list(previous)
    return [cells[i] or (previous[i] if i < len(previous) else "") for i in range(deepest + 1)]


def _read_rows(table: SheetTable) -> tuple[dict[str, _Draft], list[SheetProblem]]:
    levels = [f for f in LEVEL_FIELDS if f in table.columns] or ["content"]  # a flat list: each item a node
    roots: dict[str, _Draft] = {}
    problems: list[SheetProblem] = []
    previous: list[str] = []
    for row in table.rows:
        chain = fill_levels([row.text(f) for f in levels], previous)
        if not chain or not all(chain):
            level = _LEVEL_NAMES[chain.index("")] if "" in chain else _LEVEL_NAMES[0]
            problems.append(SheetProblem(row.number, f"没有{level}级指标名称（上方也没有可沿用的），无法归入指标体系"))
            continue
        try:
            points = _points(row.values.get("points"))
        except ValueError as exc:
            problems.append(SheetProblem(row.number, f"分值“{exc}”不是数字"))
            continue
        previous = chain
        draft: _Draft | None = None
        siblings = roots
        for written in chain:
            draft = siblings.setdefault(written, _Draft(written))
            siblings = draft.children
        content = "" if levels == ["content"] else row.text("content")
        item = _Item(content, row.text("seq"), points, row.text("scoring"),
                     _items(row.text("evidence"), _LIST_ITEM), _items(row.text("methods"), _METHOD_ITEM))
        if draft is not None and any((item.content, item.points is not None, item.scoring, item.evidence,
                                      item.methods)):
            draft.items.append(item)
    return roots, problems


def _unique(ref: str, taken: set[str]) -> str:
    key, n = ref, 1
    while key in taken:
        n += 1
        key = f"{ref}~{n}"
    taken.add(key)
    return key


def _item_node(item: _Item, ordinal: int, parent: str, level: int, taken: set[str]) -> IndicatorNode:
    ref, name = split_ref(item.content)
    ref = item.seq or ref or str(ordinal)
    return IndicatorNode(f"{parent}/{_unique(ref, taken)}", ref, level, name or item.content, item.content,
                         item.points, item.evidence, item.methods, item.scoring)


def _build(drafts: Mapping[str, _Draft], parent: str, level: int) -> tuple[IndicatorNode, ...]:
    """The nodes of ``drafts``, in the order their first rows came."""
    nodes: list[IndicatorNode] = []
    taken: set[str] = set()
    for ordinal, draft in enumerate(drafts.values(), start=1):
        ref, name = split_ref(draft.written)
        points_match = _POINTS_IN_NAME.search(name)
        ref = ref or str(ordinal)
        path = f"{parent}/{_unique(ref, taken)}" if parent else _unique(ref, taken)
        children = list(_build(draft.children, path, level + 1))
        own = draft.items[0] if len(draft.items) == 1 else None
        if len(draft.items) > 1:
            child_taken = {c.path.rsplit("/", 1)[-1] for c in children}
            children += [_item_node(item, len(children) + i, path, level + 1, child_taken)
                         for i, item in enumerate(draft.items, start=1)]
        points = own.points if own and own.points is not None else (
            float(points_match[1]) if points_match else None)
        node = IndicatorNode(
            path, ref, level, _POINTS_IN_NAME.sub("", name), own.content if own else "", points,
            own.evidence if own else (), own.methods if own else (), own.scoring if own else "",
            children=tuple(children))
        nodes.append(node)
    return tuple(nodes)


def framework_from_table(table: SheetTable, *, urn: str, name: str, edition: str, version: int = 1,
                         source: str = "", status: str = "local", notice: str = "") -> FrameworkImport:
    """An indicator system from a table read with the ``framework`` field spec (see the module's decisions)."""
    roots, problems = _read_rows(table)
    framework = Framework(urn, name, edition, version, source, _build(roots, "", 1), status, notice)
    ordered = sorted([*table.problems, *problems], key=lambda p: p.row)
    return FrameworkImport(framework, tuple(ordered), table.notes)


def framework_yaml(framework: Framework) -> str:
    """The framework as YAML text (what an import stores, and what a user may edit into a new version)."""
    import yaml

    return yaml.safe_dump(framework.to_dict(), allow_unicode=True, sort_keys=False, width=110)

