"""The security registry's part of issue 14 (fit for daily use): the 规则与指标 settings form."""

from __future__ import annotations

from tests.security.registry import Read, Write

WRITES = [
    Write("POST", "/admin/knowledge/settings", "manage_knowledge", "knowledge",
          form={"version": "2024.1-表单", "weight.completeness": "40", "base_sha256": "0" * 64}),
]
READS: list[Read] = []
