"""Hand-made stored reports for the search, original-file, bulk-download and unit-history tests.

:func:`review_doc` writes a ``fazhi.review/1`` document by hand (not through the pipeline), so a test
knows every finding, part status, score and fact it stores, and the expected answers are worked out
from what the test wrote.  The places are real and spread over China.
"""

from __future__ import annotations

import hashlib
from typing import Any

from fazhi.corpus import service

#: name, level, province, city, county, division code
QINZHOU = ("天水市秦州区人民政府", "county", "甘肃省", "天水市", "秦州区", "620502")
QINGXIU = ("南宁市青秀区人民政府", "county", "广西壮族自治区", "南宁市", "青秀区", "450103")
DAOLI = ("哈尔滨市道里区人民政府", "county", "黑龙江省", "哈尔滨市", "道里区", "230102")
MAIJI = ("天水市麦积区人民政府", "county", "甘肃省", "天水市", "麦积区", "620503")

PARTS = ("achievements", "shortcomings", "first_responsible", "next_year_plan")


def issuer(unit: tuple[str, ...]) -> dict[str, Any]:
    name, level, province, city, county, code = unit
    return {"name": name, "level": level, "province": province, "city": city, "county": county,
            "township": None, "code": code}


def fact(text: str, indicator: str, value: float, unit: str, phrase: str, *, approx: bool = False) -> dict[str, Any]:
    """A fact whose evidence is ``phrase`` where it occurs in ``text``."""
    start = text.index(phrase)
    return {"indicator": indicator, "value": value, "unit": unit, "approx": approx, "start": start,
            "end": start + len(phrase), "text": phrase}


def review_doc(text: str, unit: tuple[str, ...], year: int | None, *, score: float | None = None,
               rules: tuple[str, ...] = (), missing: tuple[str, ...] = (), embedded: tuple[str, ...] = (),
               facts: list[dict[str, Any]] | None = None, name: str = "report.txt") -> dict[str, Any]:
    """A stored review of ``text`` (its sha256 is the text's UTF-8 bytes'): the parts ``missing`` and
    ``embedded`` as said, the others dedicated; one finding per rule in ``rules``."""
    parts = {p: {"status": "missing" if p in missing else "embedded" if p in embedded else "dedicated"}
             for p in PARTS}
    return {"schema": "fazhi.review/1",
            "source": {"path": name, "sha256": hashlib.sha256(text.encode()).hexdigest(), "format": "txt",
                       "chars": len(text)},
            "title": text.split("\n", 1)[0], "issuer": issuer(unit), "year": year, "date": None, "outline": [],
            "parts": parts, "quantities": [], "facts": facts or [],
            "findings": [{"rule": r, "severity": "warning", "message": f"{r} 的说明", "evidence": []} for r in rules],
            "score": {"total": score, "dimensions": {}}}


def store(session: Any, text: str, unit: tuple[str, ...], year: int | None, *, keep_file: bool = True,
          **kw: Any) -> int:
    """Store :func:`review_doc` of ``text`` (with the text's bytes as the original file unless told not to)."""
    doc = review_doc(text, unit, year, **kw)
    original = service.Original(kw.get("name", "report.txt"), text.encode()) if keep_file else None
    return service.save_review(session, doc, text, original=original).id
