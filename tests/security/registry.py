"""The security suite's registry of routes: every state-changing route and every read of one thing by id.

``test_registry.py`` enumerates the app's routes and fails when one that
changes state (POST, PUT, PATCH, DELETE) is missing from :data:`WRITES`, or a
GET with a path parameter is missing from :data:`READS` — so a new route must
be added here, and then it is tested like the others:

- every entry of :data:`WRITES` is sent without and with a wrong CSRF token by
  a signed-in administrator: 403, nothing changed (``test_csrf_…``);
- every entry with a ``scope`` is sent, with a right CSRF token, by a user of
  焦作市 at the thing of 信阳市 (or of no region) the entry names: refused
  (403/404), nothing changed (``test_scope_…``);
- every entry of :data:`READS` is asked for by a user of 焦作市 for the thing
  of 信阳市: 404 (or 403 where the whole kind is out of reach), the same
  answer as for an id that does not exist (``test_idor_…``).

Path parameters are filled from the world of ``conftest.py``: ``{report_id}``,
``{user_id}``, ``{token_id}``, ``{version_id}``, ``{name}``, ``{issuer_id}`` (the unit of a report); form
values may hold them too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Write:
    """A state-changing route: what a request to it carries, who may make it, and what scope it aims at.

    ``scope``: the kind of thing whose region the route must respect — ``report`` (a 焦作市 reviewer
    deletes or uploads a 信阳市 report), ``user`` (a 焦作市 administrator changes an account of 信阳市 or
    of every region, or creates one with a wider scope), ``token`` (a 焦作市 user revokes a token of
    信阳市), ``knowledge`` (a 焦作市 administrator manages the rules of every region); None: the
    route only acts on the signed-in user's own things (or signs in); ``supervision`` — a thing of the
    supervision cycle (campaign, task, evidence, assessment …): its path parameters come from the world's
    ``inside`` (焦作市) and ``outside`` (信阳市) dicts, and the office of 焦作市 (``焦作审核员``, or
    ``actor``) must not reach 信阳市's.  ``out``: fields of the
    request that aims outside the scope (for routes that create: the region asked for)."""

    method: str
    path: str
    needs: str  # an action of fazhi.accounts.roles.NEEDS, "session" (any signed-in user) or "anyone"
    scope: str | None = None
    form: Mapping[str, Any] | None = None
    json: Mapping[str, Any] | None = None
    upload: bool = False
    out: Mapping[str, Any] = field(default_factory=dict)
    actor: str | None = None  # who tries the scope test (default: ACTOR of test_registry.py for the scope)


WRITES: dict[tuple[str, str], Write] = {(w.method, w.path): w for w in (
    Write("POST", "/login", "anyone", form={"username": "超管", "password": "not the password", "next": "/"}),
    Write("POST", "/logout", "session"),
    Write("POST", "/upload", "upload", "report", upload=True),
    Write("POST", "/api/reports", "upload", "report", upload=True),
    Write("DELETE", "/api/reports/{report_id}", "delete", "report"),
    Write("POST", "/reports/{report_id}/delete", "delete", "report"),
    Write("POST", "/account/tokens", "session", form={"name": "脚本", "days": "30"}),
    Write("POST", "/account/tokens/{token_id}/revoke", "session", "token"),
    Write("POST", "/account/password", "session",
          form={"current": "correct horse 42", "new": "Another pass 42", "confirm": "Another pass 42"}),
    Write("POST", "/admin/users", "manage_users", "user",
          form={"name": "新账户", "role": "viewer", "region": "焦作市解放区", "password": "New account 42"},
          out={"region": ""}),
    Write("POST", "/admin/users/{user_id}", "manage_users", "user",
          form={"role": "viewer", "region": "焦作市", "active": ""}),
    Write("POST", "/admin/users/{user_id}/password", "manage_users", "user", form={"password": "Reset pass 4242"}),
    Write("POST", "/admin/tokens/{token_id}/revoke", "manage_users", "token"),
    Write("POST", "/admin/knowledge", "manage_knowledge", "knowledge", form={"name": "rules", "content": "version: x"}),
    Write("POST", "/admin/knowledge/versions/{version_id}/activate", "manage_knowledge", "knowledge"),
    Write("POST", "/admin/knowledge/{name}/deactivate", "manage_knowledge", "knowledge"),
    Write("POST", "/admin/knowledge/refresh", "manage_knowledge", "knowledge"),
    Write("POST", "/api/knowledge", "manage_knowledge", "knowledge", json={"name": "rules", "content": "version: x"}),
    Write("POST", "/api/knowledge/versions/{version_id}/activate", "manage_knowledge", "knowledge"),
    Write("POST", "/api/knowledge/{name}/deactivate", "manage_knowledge", "knowledge"),
    Write("POST", "/api/downloads", "read", "report", form={"ids": "{report_id}"}),
)}


@dataclass(frozen=True)
class Read:
    """A GET of one thing by id: the kind of thing (as :attr:`Write.scope`) and what a user outside its
    scope gets — 404 (it does not exist for them) or 403 (the whole kind is out of their reach)."""

    path: str
    scope: str
    refused: int = 404
    actor: str | None = None


READS: dict[str, Read] = {r.path: r for r in (
    Read("/api/reports/{report_id}", "report"),
    Read("/api/reports/{report_id}/facts", "report"),
    Read("/api/reports/{report_id}/findings", "report"),
    Read("/api/reports/{report_id}/parts", "report"),
    Read("/api/reports/{report_id}/similar", "report"),
    Read("/reports/{report_id}", "report"),
    Read("/reports/{report_id}/similar", "report"),
    Read("/api/reports/{report_id}/original", "report"),
    Read("/units/{issuer_id}", "report"),
    Read("/api/units/{issuer_id}", "report"),
    Read("/api/knowledge/versions/{version_id}", "knowledge", 403),
    Read("/admin/knowledge/versions/{version_id}", "knowledge", 403),
    Read("/admin/knowledge/versions/{version_id}/download", "knowledge", 403),
    Read("/admin/knowledge/files/{name}/download", "knowledge", 403),
)}

def _catastrophic(kind: str) -> str:
    """The packaged ``kind`` file with a catastrophic pattern in its first field that holds patterns."""
    import yaml

    from fazhi import knowledge

    data = yaml.safe_load(knowledge.packaged_path(kind).read_text(encoding="utf-8"))
    data["version"] = f"{data['version']}-回溯"
    bad = "(([^。]|[^。])*)*不足"
    if kind == "parts":
        data["parts"]["shortcomings"]["text"][0] = bad
    elif kind == "rules":
        next(r for r in data["rules"] if "causes" in (r.get("params") or {}))["params"]["causes"] = bad
    elif kind == "indicators":
        data["indicators"][0]["exclude"] = bad
    else:
        data["names"] = [*(data.get("names") or []), bad]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


#: Knowledge files with a catastrophic regular expression (``(([^。]|[^。])*)*…``), one per file kind:
#: defect 2 of issue 8.  ``test_registry.py`` sends every entry to the web's 规则与指标 API and expects a
#: refusal (422) that names the pattern's place, within the upload limits.
CATASTROPHIC_PATTERNS: list[tuple[str, str]] = [(k, _catastrophic(k)) for k in ("parts", "rules", "indicators", "units")]

def _parts() -> None:
    """Add the entries of every ``registry_*.py`` module of this folder (``WRITES`` and ``READS`` lists there):
    one file per part of the app (the supervision cycle's pages and API …)."""
    import importlib
    import pkgutil

    import tests.security as pkg

    for m in sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if m.name.startswith("registry_")):
        mod = importlib.import_module(f"tests.security.{m}")
        for w in getattr(mod, "WRITES", ()):
            assert (w.method, w.path) not in WRITES, (m, w.path)
            WRITES[(w.method, w.path)] = w
        for r in getattr(mod, "READS", ()):
            assert r.path not in READS, (m, r.path)
            READS[r.path] = r


_parts()

__all__ = ["CATASTROPHIC_PATTERNS", "READS", "WRITES", "Read", "Write"]
