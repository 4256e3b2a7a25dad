"""The web application's routes: pages (:mod:`.pages`), the REST API (:mod:`.api`), 规则与指标 (:mod:`.admin`).

:func:`flat_routes` lists every route of an app as one flat list (FastAPI keeps an
included router as one entry), for what looks at all of them: the OpenAPI
rewrite, the ``Allow`` header of a 405, the security tests' route registry.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def flat_routes(routes: Iterable[Any]) -> list[Any]:
    """Every route in ``routes`` (``app.routes``), those of included routers in their place.

    The routers are included without a prefix of their own (each declares its
    prefix), so every route's ``path`` is its full path."""
    out: list[Any] = []
    for r in routes:
        inner = getattr(r, "original_router", None)  # FastAPI's included routers
        out.extend(flat_routes(inner.routes) if inner is not None else [r])
    return out


__all__ = ["flat_routes"]
