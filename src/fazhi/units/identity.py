"""The identity of a unit across reports and years: one key, used wherever units are grouped.

The store keys its ``issuers`` rows by it (one row per unit, UNIQUE), and the
similarity index groups reports by it (copying between two units versus a
unit's own reports of other years); both use this one function.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

#: the region path of a unit or scope, top down
REGION_FIELDS = ("province", "city", "county", "township")
#: the levels of units, as a clerk names them
LEVEL_LABEL = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇", "street": "街道",
               "department": "部门"}

_GOV_SUFFIX = re.compile(r"(街道办事处|人民政府|办事处|政府)$")
_SPACE = re.compile(r"\s+")
_KEY_MAX = 200


def issuer_key(issuer: Mapping[str, Any] | None) -> str | None:
    """The identity of a unit across reports and years (``None``: no issuer at all).

    - a government or office with a resolved division code: ``level|code``
      (so 平桥区 and 平桥区人民政府 of 2022 and 2023 are one unit);
    - a department: ``department|code-or-region|department name`` (the
      department as found, else the name without the region's names);
    - otherwise: ``level|province/city/county/township|name`` with spaces
      and the 人民政府/政府/办事处 suffix removed.

    Keys longer than 200 characters are cut and completed with a hash.
    """
    if not issuer:
        return None
    name = _SPACE.sub("", str(issuer.get("name") or ""))
    level = str(issuer.get("level") or "")
    region = [str(issuer.get(k) or "") for k in REGION_FIELDS]
    code = str(issuer.get("code") or "")
    if not name and not code and not any(region):
        return None
    where = code or "/".join(region)
    if level == "department":
        unit = _SPACE.sub("", str(issuer.get("department") or ""))
        if not unit:
            unit = name
            for r in region:
                if r and len(unit) > len(r):
                    unit = unit.replace(r, "")
            unit = unit or name
        key = f"department|{where}|{unit}"
    elif code and level:
        key = f"{level}|{code}"
    else:
        key = f"{level}|{'/'.join(region)}|{_GOV_SUFFIX.sub('', name) or name}"
    if len(key) > _KEY_MAX:
        key = key[:150] + "#" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    return key


__all__ = ["LEVEL_LABEL", "REGION_FIELDS", "issuer_key"]
