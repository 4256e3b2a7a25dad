"""Knowledge files for the tests: the packaged ones with one change (a local version)."""

from __future__ import annotations

import yaml

from fazhi import knowledge

RULE = "shortcomings.no_causes"  # the rule the tests change: shortcomings reported without causes


def local_rules(version: str = "2024.1-本地", *, severity: str = "error",
                message: str = "本地：不足没有分析原因") -> str:
    """The packaged rules.yaml under another ``version:``, with :data:`RULE` given ``severity`` and
    ``message``."""
    data = yaml.safe_load(knowledge.packaged_path("rules").read_text(encoding="utf-8"))
    data["version"] = version
    for r in data["rules"]:
        if r["id"] == RULE:
            r["severity"], r["message"] = severity, message
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
