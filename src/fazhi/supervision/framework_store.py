"""Indicator systems in the database: import (YAML, or the table an office keeps), versions, listing,
mapping sets — the stored side of :mod:`fazhi.supervision.frameworks`.

A stored framework is immutable: there is no operation that edits its nodes, so a campaign (and its tasks,
evidence and scores) always points at the text it was deployed with.  Importing a changed table creates
the next version of the same ``urn``; importing the same content again (whatever its version number or
layout) is recognised by the hash of its content and nothing new is stored.  A mapping set links the nodes
of two stored versions.

Tables are read with :func:`fazhi.supervision.sheets.read_table`; rows that cannot be read are named with
the reason and nothing is stored until the user confirms (:class:`~fazhi.supervision.errors.Unconfirmed`).
The frameworks and mapping sets shipped with fazhi (``national-2021-verified``, ``demo-county-2025``)
are imported by name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fazhi.accounts.audit import audit
from fazhi.supervision import datafiles, frameworks
from fazhi.supervision.access import Actor, Forbidden, NotFound
from fazhi.supervision.errors import InputError, Unconfirmed
from fazhi.supervision.models import Campaign, Framework, IndicatorNode, MappingSet, NodeMapping
from fazhi.supervision.sheets import SheetError, SheetProblem, field_spec, read_table

_YAML = (".yaml", ".yml")
_URN_UNSAFE = re.compile(r"[\s:/\\?#]+")


# =========================================================================== views
@dataclass(frozen=True)
class FrameworkView:
    """A stored framework version as lists show it."""

    id: int
    urn: str
    name: str
    edition: str | None
    version: int
    sha256: str
    source: str | None
    status: str
    notice: str
    nodes: int
    campaigns: int
    created_at: dt.datetime | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "urn": self.urn, "name": self.name, "edition": self.edition,
                "version": self.version, "sha256": self.sha256, "source": self.source, "status": self.status,
                "notice": self.notice, "nodes": self.nodes, "campaigns": self.campaigns,
                "created_at": self.created_at.isoformat() if self.created_at else None}


@dataclass(frozen=True)
class NodeView:
    """One indicator node of a stored framework."""

    id: int
    parent_id: int | None
    path: str
    ref: str | None
    level: int
    name: str
    text: str | None
    points: float | None
    scoring_text: str | None
    evidence_required: tuple[str, ...]
    check_methods: tuple[str, ...]
    indicators: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "parent_id": self.parent_id, "path": self.path, "ref": self.ref,
                "level": self.level, "name": self.name, "text": self.text, "points": self.points,
                "scoring_text": self.scoring_text, "evidence_required": list(self.evidence_required),
                "check_methods": list(self.check_methods), "indicators": list(self.indicators)}


@dataclass
class FrameworkImport:
    """What an import stored (or, unconfirmed, would store): the version, whether it is new, unread rows."""

    framework: FrameworkView
    created: bool
    problems: list[SheetProblem] = field(default_factory=list)
    notes: tuple[str, ...] = ()
    read: str = ""  # what the table reader found (header, columns), empty for YAML
    kept: bool = True  # False: a preview of an unconfirmed import, nothing was stored

    def summary(self) -> str:
        fw = self.framework
        lines = [self.read] if self.read else []
        what = ("可以导入（尚未导入）" if not self.kept else "已导入" if self.created
                else "内容与已导入的版本相同，未重复保存")
        lines.append(f"指标体系“{fw.name}”（{fw.urn} 第 {fw.version} 版，{fw.nodes} 个指标）{what}")
        lines += [f"未导入 {p}" for p in self.problems]
        return "\n".join(lines)


@dataclass(frozen=True)
class MappingView:
    id: int
    name: str
    source_id: int
    target_id: int
    pairs: int
    created: bool

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "source_id": self.source_id, "target_id": self.target_id,
                "pairs": self.pairs}


# =========================================================================== content identity
def content_sha256(framework: frameworks.Framework) -> str:
    """The hash of a framework's content, whatever its version number: equal content, equal hash."""
    data = framework.to_dict()
    data.pop("version")
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _view(session: Session, row: Framework) -> FrameworkView:
    nodes = session.scalar(select(func.count()).select_from(IndicatorNode).where(IndicatorNode.framework_id == row.id))
    used = session.scalar(select(func.count()).select_from(Campaign).where(Campaign.framework_id == row.id))
    data = row.data or {}
    return FrameworkView(row.id, row.urn, row.name, row.edition, int(row.version), row.sha256, row.source,
                         str(data.get("status", "local")), str(data.get("notice", "")), int(nodes or 0),
                         int(used or 0), row.created_at)


def node_view(node: IndicatorNode) -> NodeView:
    return NodeView(node.id, node.parent_id, node.path, node.ref_id, node.level, node.name, node.text, node.points,
                    node.scoring_text, tuple(node.evidence_required or ()), tuple(node.check_methods or ()),
                    tuple(node.indicators or ()))


# =========================================================================== reading
def _slug(stem: str) -> str:
    return _URN_UNSAFE.sub("-", stem).strip("-") or "framework"


def read_framework(data: bytes, name: str, *, urn: str | None = None, title: str | None = None,
                   edition: str | None = None) -> tuple[frameworks.FrameworkImport, str]:
    """A framework from a YAML file or from a table (xlsx, docx, csv) with the rows it could not read, and
    what the table reader found (header, columns; empty for YAML).

    A table's urn defaults to ``urn:fazhi:framework:local:<file name>`` (so importing the file again after
    a change makes its next version), its name to the file name, its edition to a year in the name."""
    suffix = PurePath(name).suffix.lower()
    if suffix in _YAML:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(f"{name}：YAML 文件须为 UTF-8 编码") from None
        try:
            fw = frameworks.framework_from_yaml(text, name)
        except datafiles.DataFileError as exc:
            raise InputError(str(exc)) from None
        return frameworks.FrameworkImport(fw, (), ()), ""
    try:
        table = read_table(data, name, field_spec("framework"))
    except SheetError as exc:
        raise InputError(f"{name}：{exc}") from None
    stem = PurePath(name).stem
    year = re.search(r"(19|20)\d{2}", stem)
    result = frameworks.framework_from_table(
        table, urn=urn or f"urn:fazhi:framework:local:{_slug(stem)}", name=title or stem,
        edition=edition or (year[0] if year else ""), source=PurePath(name).name)
    if not any(True for _ in result.framework.walk()):
        raise InputError(f"{name}：表中没有可导入的指标")
    return result, table.summary()


# =========================================================================== storing
def _check_office(actor: Actor, what: str) -> None:
    if not actor.office:
        raise Forbidden(f"{what}需要督导办公室（管理员或审核员）权限")


def _store_nodes(session: Session, row: Framework, fw: frameworks.Framework) -> None:
    position = 0

    def add(node: frameworks.IndicatorNode, parent_id: int | None) -> None:
        nonlocal position
        position += 1
        stored = IndicatorNode(
            framework_id=row.id, parent_id=parent_id, path=node.path, position=position, level=node.level,
            ref_id=node.ref_id, name=node.name, text=node.text or None, points=node.points,
            scoring_text=node.scoring_text or None, evidence_required=list(node.evidence_required),
            check_methods=list(node.check_methods), keywords=list(node.keywords), indicators=list(node.indicators))
        session.add(stored)
        session.flush()
        for child in node.children:
            add(child, stored.id)

    for node in fw.nodes:
        add(node, None)


def store(session: Session, actor: Actor, fw: frameworks.Framework, *, source: str | None = None
          ) -> tuple[Framework, bool]:
    """Store a framework as the next version of its urn, or find the version with the same content:
    (row, whether it was created)."""
    sha = content_sha256(fw)
    same = session.scalar(select(Framework).where(Framework.urn == fw.urn, Framework.sha256 == sha))
    if same is not None:
        return same, False
    versions = [int(v) for v in session.scalars(select(Framework.version).where(Framework.urn == fw.urn))
                if str(v).isdigit()]
    version = max(versions) + 1 if versions else fw.version
    fw = replace(fw, version=version)
    row = Framework(urn=fw.urn, name=fw.name, edition=fw.edition or None, version=str(version), sha256=sha,
                    source=source or fw.source, data=fw.to_dict(), created_by_id=actor.user_id)
    session.add(row)
    session.flush()
    _store_nodes(session, row, fw)
    return row, True


def import_framework(session: Session, actor: Actor, data: bytes, name: str, *, urn: str | None = None,
                     title: str | None = None, edition: str | None = None, confirm: bool = False,
                     strict: bool = False) -> FrameworkImport:
    """Import an indicator system from a YAML file or a table (see :func:`read_framework`).

    Unread rows: with ``strict`` the import fails (:class:`InputError`); otherwise nothing is kept unless
    ``confirm`` (:class:`Unconfirmed`, whose ``outcome`` says what would be stored)."""
    _check_office(actor, "导入指标体系")
    parsed, read = read_framework(data, name, urn=urn, title=title, edition=edition)
    problems = list(parsed.problems)
    if problems and strict:
        raise InputError("导入失败（--strict：有无法读取的行）：\n" + "\n".join(str(p) for p in problems))
    row, created = store(session, actor, parsed.framework, source=PurePath(name).name)
    outcome = FrameworkImport(_view(session, row), created, problems, parsed.notes, read)
    if problems and not confirm:
        outcome.kept = False
        raise Unconfirmed(outcome)
    if created:
        audit(session, actor.user_id, "framework.import", "framework", row.id,
              {"file": PurePath(name).name, "urn": row.urn, "version": row.version, "sha256": row.sha256,
               "unread": [str(p) for p in problems]})
    return outcome


def packaged_names() -> list[str]:
    """The frameworks and mapping sets shipped with fazhi, by name."""
    return sorted(frameworks.packaged_frameworks()) + sorted(frameworks.packaged_mappings())


def import_packaged(session: Session, actor: Actor, key: str) -> FrameworkImport:
    """Import a framework shipped with fazhi by its name (``national-2021-verified``, ``demo-county-2025``)."""
    _check_office(actor, "导入指标体系")
    shipped = frameworks.packaged_frameworks()
    if key not in shipped:
        raise NotFound(f"没有名为“{key}”的内置指标体系（可用：{'、'.join(sorted(shipped))}）")
    row, created = store(session, actor, shipped[key], source=f"内置：{key}")
    if created:
        audit(session, actor.user_id, "framework.import", "framework", row.id,
              {"file": key, "urn": row.urn, "version": row.version, "sha256": row.sha256})
    return FrameworkImport(_view(session, row), created)


# =========================================================================== reading back
def list_frameworks(session: Session, actor: Actor) -> list[FrameworkView]:
    """Every stored framework version, by urn and version."""
    rows = session.scalars(select(Framework).order_by(Framework.urn, Framework.id))
    return [_view(session, row) for row in rows]


def get_framework(session: Session, actor: Actor, framework_id: int) -> tuple[FrameworkView, list[NodeView]]:
    """A stored framework and its nodes in order."""
    row = session.get(Framework, framework_id)
    if row is None:
        raise NotFound(f"没有编号为 {framework_id} 的指标体系")
    nodes = session.scalars(select(IndicatorNode).where(IndicatorNode.framework_id == row.id)
                            .order_by(IndicatorNode.position))
    return _view(session, row), [node_view(n) for n in nodes]


def as_framework(row: Framework) -> frameworks.Framework:
    """A stored version as the frozen dataclass (from the canonical form it was stored with)."""
    return frameworks.framework_from_dict(row.data, f"指标体系 {row.id}")


# =========================================================================== mapping sets
def _stored(session: Session, urn: str, version: int, side: str) -> Framework:
    row = session.scalar(select(Framework).where(Framework.urn == urn, Framework.version == str(version)))
    if row is None:
        raise InputError(f"映射的{side} {urn} 第 {version} 版尚未导入，请先导入该指标体系")
    return row


def import_mapping(session: Session, actor: Actor, data: bytes | None, name: str) -> MappingView:
    """Import a mapping set (YAML, or the name of one shipped with fazhi) between two stored versions."""
    _check_office(actor, "导入指标映射")
    if data is None:
        shipped = frameworks.packaged_mappings()
        if name not in shipped:
            raise NotFound(f"没有名为“{name}”的内置映射（可用：{'、'.join(sorted(shipped))}）")
        mapping = shipped[name]
    else:
        try:
            mapping = frameworks.mapping_from_yaml(data.decode("utf-8-sig"), name)
        except (datafiles.DataFileError, UnicodeDecodeError) as exc:
            raise InputError(str(exc)) from None
    source = _stored(session, mapping.source_urn, mapping.source_version, "源指标体系")
    target = _stored(session, mapping.target_urn, mapping.target_version, "目标指标体系")
    problems = mapping.check(as_framework(source), as_framework(target))
    if problems:
        raise InputError("映射无法导入：" + "；".join(problems))
    existing = session.scalar(select(MappingSet).where(MappingSet.name == mapping.name,
                                                       MappingSet.source_id == source.id,
                                                       MappingSet.target_id == target.id))
    if existing is not None:
        return MappingView(existing.id, existing.name, source.id, target.id, len(existing.pairs), False)
    ids = {(fid, path): nid for fid, path, nid in session.execute(
        select(IndicatorNode.framework_id, IndicatorNode.path, IndicatorNode.id)
        .where(IndicatorNode.framework_id.in_((source.id, target.id))))}
    row = MappingSet(name=mapping.name, source_id=source.id, target_id=target.id, created_by_id=actor.user_id,
                     pairs=[NodeMapping(source_node_id=ids[(source.id, p.source)],
                                        target_node_id=ids[(target.id, p.target)], relation=p.relation,
                                        rationale=p.rationale or None) for p in mapping.pairs])
    session.add(row)
    session.flush()
    audit(session, actor.user_id, "framework.mapping", "mapping_set", row.id,
          {"name": mapping.name, "source": source.id, "target": target.id, "pairs": len(mapping.pairs)})
    return MappingView(row.id, row.name, source.id, target.id, len(mapping.pairs), True)


__all__ = ["FrameworkImport", "FrameworkView", "MappingView", "NodeView", "as_framework", "content_sha256",
           "get_framework", "import_framework", "import_mapping", "import_packaged", "list_frameworks",
           "node_view", "packaged_names", "read_framework", "store"]
