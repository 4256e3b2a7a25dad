"""A region scope: the region path a user (or an office) is limited to, resolved against the divisions table.

An administrator types 焦作市, 河南省焦作市解放区 or 410800; :func:`resolve_region`
turns it into a :class:`Scope` (the full path, the division code), or refuses
it with the candidates when the name is shared.  What a scope limits is up to
each domain: the corpus turns it into a condition on reports
(:func:`fazhi.corpus.service.scoped`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fazhi.units.identity import REGION_FIELDS


class RegionError(ValueError):
    """A region scope that cannot be resolved (unknown, or ambiguous: the message lists candidates)."""


@dataclass(frozen=True)
class Scope:
    """A region: its path from the province down (None below its own level)."""

    label: str  # as shown: 河南省焦作市
    code: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    township: str | None = None

    def fields(self) -> dict[str, str]:
        return {k: v for k in REGION_FIELDS if (v := getattr(self, k))}

    def key(self) -> str:
        return "/".join(getattr(self, k) or "" for k in REGION_FIELDS)


    def contains(self, issuer: dict[str, Any] | None) -> bool:
        """The same test in Python, for a review's ``issuer`` object (before it is stored)."""
        if not issuer:
            return False
        f = self.fields()
        return bool(f) and all(issuer.get(k) == v for k, v in f.items())

    @classmethod
    def of(cls, cred: Any) -> Scope | None:
        """The scope stored on a :class:`~fazhi.accounts.models.Credential` (None: unrestricted)."""
        if cred is None or not any(getattr(cred, k) for k in REGION_FIELDS):
            return None
        return cls(label=cred.region or "".join(getattr(cred, k) or "" for k in REGION_FIELDS),
                   code=cred.region_code, province=cred.province, city=cred.city, county=cred.county,
                   township=cred.township)


def resolve_region(text: str) -> Scope:
    """A region scope from what an administrator typed: 焦作市, 河南省焦作市, 焦作市解放区, 410800 ….

    Names are resolved against fazhi's table of administrative divisions;
    a name shared by several places (鼓楼区) must be qualified by its city or
    province, and the error lists the candidates.
    """
    from fazhi.units import divisions

    raw = "".join((text or "").split())
    if not raw:
        raise RegionError("地区为空")
    divs = divisions.load()
    if raw.isdigit():
        code = raw.rstrip("0") if len(raw) in (6, 9, 12) else raw
        for c in dict.fromkeys((raw, code, code + "0" * (len(code) % 2))):
            d = divs.get(c)
            if d is not None:
                return _scope(divs, d)
        raise RegionError(f"没有代码为 {raw} 的行政区划")
    hits = divs.scan(raw)
    if not hits or hits[-1][1] != len(raw) or hits[0][0] != 0:
        found = {divs.current(d).id: divs.current(d) for d in divs.lookup(raw, current=True)}
        if not found:
            raise RegionError(f"未找到行政区划“{raw}”（请写全称，如 焦作市、河南省焦作市解放区）")
        if len(found) > 1:
            labels = "、".join(_label(divs, c) for c in list(found.values())[:8])
            raise RegionError(f"“{raw}”有同名地区，请写明上级：{labels}")
        return _scope(divs, next(iter(found.values())))
    within = None
    chosen = None
    for s, e, _ids in hits:
        name = raw[s:e]
        cands = divs.lookup(name, within=within, current=True, short=False) or \
            divs.lookup(name, within=within, short=False)
        if not cands:
            where = divs.path(within)["name"] if within is not None else ""
            raise RegionError(f"“{name}”不在{where or '行政区划表'}中")
        uniq = {divs.current(c).id: divs.current(c) for c in cands}
        if len(uniq) > 1:
            labels = "、".join(_label(divs, c) for c in list(uniq.values())[:8])
            raise RegionError(f"“{name}”有同名地区，请写明上级：{labels}")
        chosen = next(iter(uniq.values()))
        within = chosen
    assert chosen is not None
    return _scope(divs, chosen)


def _label(divs: Any, d: Any) -> str:
    p = divs.path(d)
    return "".join(p[k] for k in REGION_FIELDS if p.get(k))


def _scope(divs: Any, d: Any) -> Scope:
    p = divs.path(d)
    return Scope(label=_label(divs, d), code=p.get("code"),
                 **{k: p.get(k) for k in REGION_FIELDS})


__all__ = ["RegionError", "Scope", "resolve_region"]
