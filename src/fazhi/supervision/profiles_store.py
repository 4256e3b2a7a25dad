"""Profiles (考核细则) in the database: import one from the file an office publishes, show it, and
rebuild the :class:`fazhi.supervision.profile.Profile` the scorer computes with.

:func:`import_profile` reads a YAML file (:func:`profile.profile_from_yaml`) or a table — .xlsx, a
.docx table, CSV — with the ``profile`` columns of ``data/columns.yaml`` (考评项目/序号/考评内容/分值/
评分标准/考评方法/自评分/考评分/评分说明/评分责任单位, in any order, merged cells) through
:func:`sheets.read_table` and :func:`profile.profile_from_rows`.  It refuses a profile whose points
do not add up (per unit type, :func:`profile.check_totals`, naming the difference) and stores
nothing then; otherwise it stores the profile and its items in one go and reports what the clerk
must look at: the rows not read, the items whose 评分标准 fazhi did not understand (imported as
scored by hand), the items it could not place in the framework.

An item is linked to an indicator-system node: with ``framework_id`` to the framework's node of the
same path, number or name; without one the profile's own blocks and items become a local framework
(stored like any other, so tasks and results can refer to its nodes).  Each item also records the
review catalogue's indicators it measures (the node's, else the catalogue indicators named in its
text), so the facts of a unit's annual report can suggest its score.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import PurePath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.accounts.audit import audit
from fazhi.supervision import framework_store, frameworks, profile, rules, sheets
from fazhi.supervision import models as m
from fazhi.supervision.access import Actor, Forbidden, NotFound

_YAML = (".yaml", ".yml")
_YEAR = re.compile(r"(20\d\d)\s*年")
_INDICATOR_SUFFIX = re.compile(r"(?:[（(]%[）)])?(?:次数|人次|件数|条数|份数|场次|数|率)?$")
_MIN_STEM = 4


class ProfileImportError(ValueError):
    """A profile that is refused (message in Chinese; ``problems`` lists every reason)."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True)
class ProfileImport:
    """What an import stored and what the clerk must look at."""

    id: int
    name: str
    items: int
    unit_types: list[str]
    total: float
    bonus_cap: float | None
    framework_id: int
    local_framework: bool
    existing: bool = False  # the same profile was imported before: its id is returned
    manual: list[str] = field(default_factory=list)  # refs of the items scored by hand
    unread: list[str] = field(default_factory=list)  # rows of the table not read, with why
    problems: list[str] = field(default_factory=list)  # what else the clerk must check (a points cell …)
    unlinked: list[str] = field(default_factory=list)  # items not found in the given framework
    notes: list[str] = field(default_factory=list)  # how the table was read

    def summary(self) -> list[str]:
        """Chinese lines for the importer's output."""
        cap = f"，附加项 ±{rules.fmt(self.bonus_cap)} 分" if self.bonus_cap else ""
        types = "、".join(self.unit_types) or "所有单位"
        head = (f"考核细则“{self.name}”：{self.items} 项，总分 {rules.fmt(self.total)} 分{cap}，适用于{types}；"
                + ("本细则的考评项目和内容已另存为指标体系" if self.local_framework else "已关联指标体系")
                + f"（编号 {self.framework_id}）")
        lines = [*self.notes, head]
        if self.existing:
            lines.append(f"相同的考核细则已导入过（编号 {self.id}），未重复导入")
        lines += [f"无法读取：{u}" for u in self.unread]
        lines += [f"需注意：{x}" for x in self.problems]
        if self.manual:
            lines.append(f"按人工评分导入 {len(self.manual)} 项（评分标准未能全部识别或本为人工评分）："
                         + "、".join(self.manual))
        lines += [f"未在指标体系中找到：{x}" for x in self.unlinked]
        return lines


# =========================================================================== reading the file
@dataclass(frozen=True)
class ReadProfile:
    """A profile read from a file: the rows not read, the problems to show, how the table was read."""

    profile: profile.Profile
    unread: list[str]
    problems: list[str]
    notes: list[str]


def read_profile(data: bytes, filename: str, *, unit_type: str | None = None,
                 name: str | None = None) -> ReadProfile:
    """The profile in a file, with the rows not read, the problems to show and notes on how the
    table was read.  Raises :class:`ProfileImportError` when it cannot be read or its points
    do not add up."""
    suffix = PurePath(filename).suffix.lower()
    stem = name or PurePath(filename).stem
    try:
        if suffix in _YAML:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ProfileImportError(f"{filename}：YAML 文件应为 UTF-8 编码") from None
            prof, problems = profile.profile_from_yaml(text, where=filename)
            unread, notes = [], []
        else:
            table = sheets.read_table(data, filename, sheets.field_spec("profile"))
            # a heading row merged across the table (一、立法工作（5分）) is the block of the rows below it
            rows = ((r.number, {**r.values, "block": r.values.get("block") or r.section}) for r in table.rows)
            year = _YEAR.search(stem)
            prof, problems = profile.profile_from_rows(rows, name=stem, unit_types=[unit_type] if unit_type else [],
                                                       year=int(year.group(1)) if year else None)
            unread, notes = [str(p) for p in table.problems], [table.summary()]
    except (profile.ProfileError, sheets.SheetError) as exc:
        raise ProfileImportError(str(exc)) from None
    if unit_type:
        prof = _with(prof, unit_types=(unit_type,))
    if name:
        prof = _with(prof, name=name)
    if not prof.items:
        raise ProfileImportError(f"{filename}：没有读到任何考评内容", unread)
    wrong = profile.check_totals(prof)
    if wrong:
        raise ProfileImportError(f"{filename}：分值不符，未导入", [p.reason for p in wrong])
    said = [f"第{p.row}行：{p.reason}" if p.row else p.reason for p in problems]
    return ReadProfile(prof, unread, said, notes)


def _with(prof: profile.Profile, **changes: Any) -> profile.Profile:
    from dataclasses import replace

    return replace(prof, **changes)


def profile_sha(prof: profile.Profile) -> str:
    """Hash of a profile's canonical form (the same content imported twice is one profile)."""
    canonical = json.dumps(profile.profile_to_dict(prof), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# =========================================================================== storing
def import_profile(session: Session, actor: Actor, data: bytes, filename: str, *, framework_id: int | None = None,
                   unit_type: str | None = None, name: str | None = None) -> ProfileImport:
    """Read and store a 考核细则 (see the module documentation); one transaction, the caller's."""
    if not actor.office:
        raise Forbidden("导入考核细则需要督导办公室（管理员或审核员）权限")
    fw_row = None
    if framework_id is not None:
        fw_row = session.get(m.Framework, framework_id)
        if fw_row is None:
            raise NotFound(f"没有编号为 {framework_id} 的指标体系")
    read = read_profile(data, filename, unit_type=unit_type, name=name)
    prof = read.profile
    sha = profile_sha(prof)
    same = select(m.Profile).where(m.Profile.sha256 == sha, m.Profile.framework_id.is_not(None))
    if framework_id is not None:
        same = same.where(m.Profile.framework_id == framework_id)
    existing = session.scalar(same.order_by(m.Profile.id).limit(1))
    if existing is not None:
        return _summary(existing, prof, read, existing=True, local=framework_id is None, unlinked=[])
    local = fw_row is None
    if fw_row is None:
        fw_row, _created = framework_store.store(session, actor, local_framework(prof, sha, filename))
    nodes = list(session.scalars(select(m.IndicatorNode).where(m.IndicatorNode.framework_id == fw_row.id)))
    row = m.Profile(name=prof.name, year=prof.year, framework_id=fw_row.id, unit_types=list(prof.unit_types),
                    total=prof.total, bonus_cap=prof.bonus_cap, rescale_to=prof.rescale_to, sha256=sha,
                    data=profile.profile_to_dict(prof), source=PurePath(filename).name, created_by_id=actor.user_id)
    session.add(row)
    session.flush()
    unlinked = []
    for position, item in enumerate(prof.items):
        node = _node_for(item, nodes, local)
        if node is None and not local:
            unlinked.append(f"第 {item.ref} 项“{item.content[:20]}”")
        session.add(m.ProfileItem(
            profile_id=row.id, position=position, block=item.block, ref=item.ref, content=item.content,
            points=item.points, kind=item.kind, rule=item.rule, rule_text=item.rule_text or None, scorer=item.scorer,
            applies=item.applicability, node_id=node.id if node is not None else None, check_method=item.check_method,
            evidence_required=list(item.evidence_required),
            indicators=item_indicators(item.content, node.indicators if node is not None else ())))
    session.flush()
    audit(session, actor.user_id, "profile.import", "profile", row.id,
          {"file": PurePath(filename).name, "name": prof.name, "items": len(prof.items),
           "framework": fw_row.id, "manual": len(manual_items(prof))})
    return _summary(row, prof, read, existing=False, local=local, unlinked=unlinked)


def manual_items(prof: profile.Profile) -> list[str]:
    """The refs of the items scored by hand (wholly or partly): their 评分标准 is not (all) understood."""
    return [i.ref for i in prof.items if i.rule is None or "manual" in rules.kinds(i.rule)]


def _summary(row: m.Profile, prof: profile.Profile, read: ReadProfile, *, existing: bool, local: bool,
             unlinked: list[str]) -> ProfileImport:
    assert row.framework_id is not None
    return ProfileImport(row.id, row.name, len(prof.items), list(row.unit_types), row.total, row.bonus_cap,
                         row.framework_id, local, existing, manual_items(prof), read.unread, read.problems,
                         unlinked, read.notes)


def local_framework(prof: profile.Profile, sha: str, filename: str) -> frameworks.Framework:
    """The profile's own blocks (一级) and items (二级) as an indicator system."""
    nodes = []
    for b, block in enumerate(prof.blocks, 1):
        children = tuple(
            frameworks.IndicatorNode(
                path=f"{b}/{_path_part(i.ref)}", ref_id=i.ref, level=2, name=i.content, points=i.points,
                evidence_required=tuple(i.evidence_required),
                check_methods=(i.check_method,) if i.check_method else (), scoring_text=i.rule_text,
                indicators=tuple(item_indicators(i.content, ())))
            for i in prof.items_of(block.name))
        nodes.append(frameworks.IndicatorNode(path=str(b), ref_id=str(b), level=1, name=block.name,
                                              points=block.points if block.kind == "score" else block.cap,
                                              children=children))
    return frameworks.Framework(urn=f"urn:fazhi:profile:{sha[:16]}", name=prof.name, edition=str(prof.year or ""),
                                version=1, source=PurePath(filename).name, nodes=tuple(nodes), status="local",
                                notice="由考核细则生成")


def _path_part(ref: str) -> str:
    return ref.replace("/", "／")


def _node_for(item: profile.ProfileItem, nodes: Sequence[m.IndicatorNode], local: bool) -> m.IndicatorNode | None:
    """The framework node an item stands for: its node key (path), else the one node with its number,
    else the one node with its text as name or text."""
    if local:
        return next((n for n in nodes if n.level == 2 and n.ref_id == item.ref and n.name == item.content), None)
    tests = [lambda n: n.path == item.node_key] if item.node_key else []
    tests += [lambda n: n.ref_id == item.ref or n.path == item.ref,
              lambda n: item.content in (n.name, n.text)]
    for test in tests:
        hits = [n for n in nodes if test(n)]
        if len(hits) == 1:
            return hits[0]
    return None


@cache
def _catalogue_stems() -> tuple[tuple[str, str], ...]:
    """(indicator id, the words its name starts with) for the review catalogue's indicators."""
    from fazhi import knowledge

    out = []
    for ind in knowledge.load("indicators")["indicators"]:
        stem = _INDICATOR_SUFFIX.sub("", ind["name"])
        if len(stem) >= _MIN_STEM:
            out.append((ind["id"], stem))
    return tuple(out)


def item_indicators(content: str, node_indicators: Iterable[str]) -> list[str]:
    """The review catalogue's indicators an item measures: its node's, else those whose name (without
    数/率/次数…) its text contains ("行政机关负责人出庭应诉" → ``head_appearance_rate``)."""
    given = list(dict.fromkeys(node_indicators))
    if given:
        return given
    text = rules.normalise(content)
    return [ind for ind, stem in _catalogue_stems() if stem in text]


# =========================================================================== reading back
def profile_row(session: Session, profile_id: int) -> m.Profile:
    row = session.get(m.Profile, profile_id)
    if row is None:
        raise NotFound(f"没有编号为 {profile_id} 的考核细则")
    return row


def as_profile(row: m.Profile) -> profile.Profile:
    """The stored profile as the scorer's :class:`profile.Profile` (items from the item rows)."""
    data = row.data
    blocks = tuple(profile.Block(b["name"], b.get("points"), b.get("kind", "score"), b.get("cap"))
                   for b in data.get("blocks", []))
    items = tuple(profile.ProfileItem(
        block=i.block or "", ref=i.ref, content=i.content, points=i.points, kind=i.kind, rule=i.rule,
        rule_text=i.rule_text or "", scorer=i.scorer, applicability=i.applies, check_method=i.check_method,
        evidence_required=tuple(i.evidence_required or ())) for i in row.items)
    return profile.Profile(
        name=row.name, year=row.year, unit_types=tuple(row.unit_types or ()), total=row.total,
        bonus_cap=row.bonus_cap, rescale_to=row.rescale_to, shares=dict(data.get("shares") or {}), blocks=blocks,
        items=items, bonus_in_total=bool(data.get("bonus_in_total")), demo=bool(data.get("demo")))


def profile_json(session: Session, actor: Actor, profile_id: int) -> dict[str, Any]:
    """The profile as ``fazhi profile show --format json`` prints it (exactly these fields)."""
    if actor.role not in ("admin", "reviewer", "viewer", "unit"):
        raise Forbidden("查看考核细则需要登录")
    row = profile_row(session, profile_id)
    return {
        "id": row.id, "name": row.name, "unit_types": list(row.unit_types or ()), "total": rules.number(row.total),
        "bonus_cap": None if row.bonus_cap is None else rules.number(row.bonus_cap),
        "items": [{"block": i.block, "ref": i.ref, "content": i.content, "points": rules.number(i.points),
                   "kind": i.kind, "rule": i.rule, "rule_text": i.rule_text, "scorer": i.scorer} for i in row.items],
    }


def list_profiles(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Every stored profile, newest first: id, name, year, unit types, total, items."""
    if not (actor.office or actor.role == "viewer"):
        raise Forbidden("查看考核细则列表需要督导办公室权限")
    rows = session.scalars(select(m.Profile).order_by(m.Profile.id.desc()))
    return [{"id": r.id, "name": r.name, "year": r.year, "unit_types": list(r.unit_types or ()),
             "total": rules.number(r.total), "items": len(r.items), "framework_id": r.framework_id,
             "source": r.source} for r in rows]


__all__ = ["ProfileImport", "ProfileImportError", "ReadProfile", "as_profile", "import_profile", "item_indicators",
           "list_profiles", "local_framework", "manual_items", "profile_json", "profile_row", "profile_sha",
           "read_profile"]
