"""The 规则与指标 settings form: the rules in effect as plain values, and a new ``rules.yaml`` made from them.

An administrator switches a rule off, changes its severity or message, or changes a score weight without
writing YAML.  :func:`rules_form` reads the rules text in effect (the database's active version, else the
file); :func:`apply` makes the new text from the form's values (the rules' checks and parameters, the
score dimensions' labels and parameters stay as they are) under a new ``version:``.  The caller stores it
with :func:`fazhi.knowledge.versions.add_version` — the same checks as an uploaded file (schema, patterns,
a trial review).  :func:`catalogue` is the indicator catalogue in effect, for browsing.

Everything here raises :class:`~fazhi.knowledge.versions.KnowledgeStoreError` (Chinese message, 422) for a
value the form cannot take.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Formatter
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi import knowledge
from fazhi.knowledge import versions as ks
from fazhi.knowledge.models import KnowledgeVersion

SEVERITIES = {"error": "错误", "warning": "警告", "info": "提示"}
MESSAGE_MAX = 500
WEIGHT_MAX = 1000.0


@dataclass(frozen=True)
class RuleRow:
    id: str
    check: str
    severity: str
    message: str
    enabled: bool


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    weight: float


@dataclass(frozen=True)
class RulesForm:
    """The rules in effect: their text's ``version:`` and sha256 (the form sends it back, so that a change
    made meanwhile by another administrator is not overwritten), the rules and the score dimensions."""

    version: str
    sha256: str
    origin: str  # 启用的版本 #id / 本机文件 / 内置文件
    rules: tuple[RuleRow, ...]
    dimensions: tuple[Dimension, ...]

    @property
    def total_weight(self) -> float:
        return sum(d.weight for d in self.dimensions)


def in_effect_text(session: Session, name: str) -> tuple[str, str]:
    """(text, origin) of knowledge file ``name`` in effect for this database."""
    active = ks.active_set(session)
    v = active.get(name)
    if v is not None:
        return active.texts[name], f"启用的版本 {v.version}（#{v.id}）"
    b = ks.base(name)
    return Path(b["path"]).read_text(encoding="utf-8"), ("本机文件" if b["local"] else "内置文件") + f" {b['version']}"


def _load(text: str) -> dict[str, Any]:
    data = yaml.load(text, Loader=knowledge._Loader)
    if not isinstance(data, dict):
        raise ks.KnowledgeStoreError("rules.yaml 的内容不是映射，无法用表单修改", 422)
    return data


def rules_form(session: Session) -> RulesForm:
    text, origin = in_effect_text(session, "rules")
    data = _load(text)
    rules = tuple(RuleRow(str(r["id"]), str(r.get("check", "")), str(r.get("severity", "")), str(r.get("message", "")),
                          bool(r.get("enabled", True))) for r in data.get("rules") or [])
    dims = tuple(Dimension(str(k), str(v.get("label", k)), float(v.get("weight", 0)))
                 for k, v in (data.get("score") or {}).items())
    return RulesForm(str(data.get("version", "")), hashlib.sha256(text.encode("utf-8")).hexdigest(), origin,
                     rules, dims)


def suggest_version(session: Session, base: str) -> str:
    """A version string not used yet for rules: ``<base>-网页1``, ``-网页2`` …"""
    used = set(session.scalars(select(KnowledgeVersion.version).where(KnowledgeVersion.name == "rules")))
    used.add(ks.packaged("rules")[0])
    stem = base.split("-网页")[0] or "rules"
    n = 1
    while f"{stem}-网页{n}" in used:
        n += 1
    return f"{stem}-网页{n}"


def _weight(raw: str, label: str) -> float:
    try:
        w = float(raw.strip())
    except ValueError:
        raise ks.KnowledgeStoreError(f"“{label}”的权重须为数字，收到“{raw[:20]}”", 422) from None
    if not math.isfinite(w) or w < 0 or w > WEIGHT_MAX:
        raise ks.KnowledgeStoreError(f"“{label}”的权重须在 0 到 {WEIGHT_MAX:g} 之间", 422)
    return int(w) if w == int(w) else w


def _fields(rid: str, message: str) -> set[str]:
    """The placeholders of a message template (``{label}``, ``{sim:.0%}`` → ``label``, ``sim``)."""
    try:
        return {name.split(".")[0].split("[")[0] for _lit, name, _spec, _conv in Formatter().parse(message)
                if name is not None}
    except ValueError:
        raise ks.KnowledgeStoreError(f"规则 {rid} 的提示语中花括号不成对：要显示花括号本身，请写成 {{{{ 或 }}}}",
                                     422) from None


def _check_message(rid: str, old: str, new: str) -> None:
    """A message may use the placeholders its rule's check fills (those of the message it replaces): another
    one would make every review in which the rule fires fail."""
    have = _fields(rid, old)
    extra = sorted(_fields(rid, new) - have)
    if extra:
        shown = "、".join("{" + x + "}" if x else "{}" for x in extra)
        can = "、".join("{" + x + "}" for x in sorted(have)) or "（无）"
        raise ks.KnowledgeStoreError(f"规则 {rid} 的提示语中的 {shown} 不是这条规则能填入的内容；可用的有：{can}", 422)


def apply(text: str, values: Mapping[str, str], version: str, *, based_on: str = "") -> str:
    """A new rules text: ``text`` with the form's ``values`` (``enabled.<id>`` present = on, ``severity.<id>``,
    ``message.<id>``, ``weight.<dimension>``) and ``version``.  Rules and dimensions the form does not name
    keep their values; a severity, message or weight the form cannot take is refused."""
    data = _load(text)
    version = version.strip()
    if not version:
        raise ks.KnowledgeStoreError("请填写新版本号", 422)
    data["version"] = version
    for r in data.get("rules") or []:
        rid = str(r["id"])
        if f"severity.{rid}" not in values and f"message.{rid}" not in values:
            continue  # not on the form
        sev = values.get(f"severity.{rid}", r.get("severity"))
        if sev not in SEVERITIES:
            raise ks.KnowledgeStoreError(f"规则 {rid} 的级别须为 {'、'.join(SEVERITIES.values())} 之一", 422)
        msg = " ".join(str(values.get(f"message.{rid}", r.get("message", ""))).split())
        if not msg:
            raise ks.KnowledgeStoreError(f"规则 {rid} 的提示语不能为空", 422)
        if len(msg) > MESSAGE_MAX:
            raise ks.KnowledgeStoreError(f"规则 {rid} 的提示语过长（{len(msg)} 字，上限 {MESSAGE_MAX} 字）", 422)
        _check_message(rid, str(r.get("message", "")), msg)
        r["severity"], r["message"] = sev, msg
        on = f"enabled.{rid}" in values
        if on:
            r.pop("enabled", None)  # on is the default
        else:
            r["enabled"] = False
    for key, dim in (data.get("score") or {}).items():
        raw = values.get(f"weight.{key}")
        if raw is not None and isinstance(dim, dict):
            dim["weight"] = _weight(raw, str(dim.get("label", key)))
    head = ("# 审查规则与评分权重：由网页“规则与指标”的表单生成" + (f"（基于版本 {based_on}）" if based_on else "")
            + "。\n# 各规则的 check 与 params 保持原样；原文件中的注释不保留。\n")
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def catalogue(session: Session) -> dict[str, Any]:
    """The indicator catalogue in effect: its version, groups and indicators (id, name, group, core, units,
    better, ref)."""
    text, origin = in_effect_text(session, "indicators")
    data = yaml.load(text, Loader=knowledge._Loader) or {}
    groups = {str(k): str(v) for k, v in (data.get("groups") or {}).items()}
    rows = [{"id": str(i.get("id")), "name": str(i.get("name") or i.get("id")), "group": str(i.get("group") or ""),
             "group_label": groups.get(str(i.get("group") or ""), str(i.get("group") or "")),
             "core": bool(i.get("core")), "units": [str(u) for u in i.get("units") or []],
             "better": i.get("better"), "ref": str(i.get("ref") or "")}
            for i in data.get("indicators") or [] if isinstance(i, dict)]
    return {"version": str(data.get("version", "")), "origin": origin, "groups": groups, "indicators": rows}


__all__ = ["SEVERITIES", "Dimension", "RuleRow", "RulesForm", "apply", "catalogue", "in_effect_text", "rules_form",
           "suggest_version"]
