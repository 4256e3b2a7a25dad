"""Every route, from the registry (``registry.py``): registered at all, CSRF on every write, region scope on
every write that aims at something, no reading by id across scopes (IDOR) — on one shared world.

The world is built once for the module: every request here is one that must be refused, so it stays as
it was (each test checks that it did)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from fazhi.knowledge.models import KnowledgeVersion
from fazhi.web.routes import flat_routes
from tests.security.conftest import XINYANG, Web, World, build_world, report_text, snapshot
from tests.security.registry import CATASTROPHIC_PATTERNS, READS, WRITES, Read, Write
from tests.web.conftest import JIAOZUO, _make

SAFE = {"GET", "HEAD", "OPTIONS"}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app = _make(f"sqlite:///{tmp_path_factory.mktemp('registry') / 'world.sqlite'}")
    yield build_world(app)
    app.state.engine.dispose()


def _routes(app: Any) -> list[tuple[str, str]]:
    return [(m, r.path) for r in flat_routes(app.routes) for m in sorted(getattr(r, "methods", None) or ())]


# =========================================================================== the registry is complete
def test_every_state_changing_route_is_in_the_registry(shared: World) -> None:
    writes = {(m, p) for m, p in _routes(shared.app) if m not in SAFE}
    assert writes - set(WRITES) == set(), "add these routes to tests/security/registry.py WRITES"
    assert set(WRITES) - writes == set(), "these registry entries are no longer routes of the app"


def test_every_read_by_id_is_in_the_registry(shared: World) -> None:
    reads = {p for m, p in _routes(shared.app) if m == "GET" and "{" in p}
    assert reads - set(READS) == set(), "add these routes to tests/security/registry.py READS"
    assert set(READS) - reads == set(), "these registry entries are no longer routes of the app"


# =========================================================================== how a registered request is made
def _path(path: str, values: dict[str, Any]) -> str:
    return re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), path)


def _filled(value: Any, values: dict[str, Any]) -> Any:
    """A JSON body with its ``"{name}"`` placeholders filled from ``values`` (a whole-string placeholder
    becomes the value itself, an int stays an int), in lists and objects too."""
    if isinstance(value, str):
        whole = re.fullmatch(r"{(\w+)}", value)
        return values[whole.group(1)] if whole else _path(value, values)
    if isinstance(value, list):
        return [_filled(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _filled(v, values) for k, v in value.items()}
    return value


def _send(client: Web, w: Write, values: dict[str, Any], token: str | None, *, out: bool = False,
          unit: str = JIAOZUO) -> Any:
    """Send ``w``'s request, its path and form filled from ``values``, with the CSRF token ``token`` (form
    field and header; none: neither)."""
    headers = {"X-CSRF-Token": token} if token else {}
    path = _path(w.path, values)
    form = {k: _path(v, values) if isinstance(v, str) else v for k, v in {**(w.form or {}),
                                                                          **(w.out if out else {})}.items()}
    if token:
        form["csrf_token"] = token
    if w.upload:
        files = [("files", ("r.txt", report_text(unit, extra="安全测试。").encode(), "text/plain"))]
        return client.c.request(w.method, path, data=form, files=files, headers=headers)
    if w.json is not None:
        body = {**w.json, **(w.out if out else {})}
        return client.c.request(w.method, path, json=_filled(body, values), headers=headers)
    return client.c.request(w.method, path, data=form or None, headers=headers)


def _signed_in(world: World, name: str) -> Web:
    client = Web(world.app)
    client.login(name)
    return client


# =========================================================================== CSRF on every write
@pytest.mark.parametrize("key", sorted(WRITES), ids=lambda k: f"{k[0]} {k[1]}")
def test_csrf_every_write_refuses_a_missing_or_wrong_token(shared: World, key: tuple[str, str]) -> None:
    w = WRITES[key]
    client = Web(shared.app) if w.needs == "anyone" else _signed_in(shared, "超管")
    if w.needs == "anyone":
        client.login_page_csrf()  # an anonymous session: the login form is protected too
    values = {"report_id": shared.reports["焦作"], "user_id": shared.users["焦作查看"],
              "token_id": shared.tokens["焦作查看"], "version_id": shared.version, "name": "rules", **shared.inside}
    before = snapshot(shared.app)
    for token in (None, "forged-token"):
        r = _send(client, w, values, token)
        assert r.status_code == 403 and "CSRF" in r.text, (key, token, r.status_code, r.text[:200])
    assert snapshot(shared.app) == before


# =========================================================================== region scope on every write
#: who tries, per kind of thing: a user of 焦作市 allowed the action everywhere else
ACTOR = {"report": "焦作审核员", "user": "焦作管理员", "token": "焦作管理员", "knowledge": "焦作管理员",
         "supervision": "焦作审核员"}


def _targets(world: World, w: Write) -> list[dict[str, Any]]:
    """Path parameters aiming outside the actor's reach: 信阳市's things and those of every region."""
    if w.scope == "knowledge":
        return [{"version_id": world.version, "name": "rules"}]
    if w.scope == "supervision":
        return [{**world.outside}]
    if w.scope == "report":
        return [{"report_id": world.reports["信阳"]}]
    if w.scope == "user":
        return [{"user_id": world.users[n]} for n in ("超管", "信阳审核员", "信阳管理员", "全域查看")]
    if w.needs == "session":  # one's own tokens only: a viewer tries others', in its region too
        return [{"token_id": world.tokens[n]} for n in ("信阳审核员", "超管", "焦作审核员")]
    return [{"token_id": world.tokens[n]} for n in ("信阳审核员", "超管", "全域查看")]


@pytest.mark.parametrize("key", sorted(k for k, w in WRITES.items() if w.scope),
                         ids=lambda k: f"{k[0]} {k[1]}")
def test_scope_every_write_refuses_what_lies_outside_the_region(shared: World, key: tuple[str, str]) -> None:
    w = WRITES[key]
    actor = w.actor or ("焦作查看" if w.scope == "token" and w.needs == "session" else ACTOR[str(w.scope)])
    client = _signed_in(shared, actor)
    before = snapshot(shared.app)
    for values in _targets(shared, w):
        r = _send(client, w, values, client.csrf(), out=True, unit=XINYANG)
        assert r.status_code in (403, 404), (key, actor, values, r.status_code, r.text[:300])
    assert snapshot(shared.app) == before


# =========================================================================== IDOR: reading by id
@pytest.mark.parametrize("path", sorted(READS))
def test_idor_reading_by_id_outside_the_region_is_as_if_it_did_not_exist(shared: World, path: str) -> None:
    r: Read = READS[path]
    client = _signed_in(shared, r.actor or ACTOR[r.scope])
    outside = {"report_id": shared.reports["信阳"], "version_id": shared.version, "name": "rules",
               "issuer_id": shared.issuers["信阳"], **shared.outside}
    missing = {"report_id": 2**31 - 1, "version_id": 2**31 - 1, "name": "units", "issuer_id": 2**31 - 1,
               **{k: 2**31 - 1 for k in shared.outside}}
    got = client.get(_path(path, outside))
    assert got.status_code == r.refused, (path, got.status_code)
    assert "平桥" not in got.text and "version: 2024.1-安全" not in got.text
    assert client.get(_path(path, missing)).status_code == r.refused
    if r.scope == "report":  # and the report of the actor's own region is there
        own = {"report_id": shared.reports["焦作"], "issuer_id": shared.issuers["焦作"]}
        assert client.get(_path(path, own)).status_code == 200
    if r.scope == "supervision":  # and the thing of the actor's own region is there
        assert client.get(_path(path, shared.inside)).status_code == 200, path


# =========================================================================== catastrophic patterns (defect 2)
@pytest.mark.parametrize("kind,text", CATASTROPHIC_PATTERNS)
def test_catastrophic_patterns_in_knowledge_files_are_refused(shared: World, kind: str, text: str) -> None:
    h = {"Authorization": f"Bearer {shared.token_values['超管']}"}
    r = Web(shared.app).post("/api/knowledge", json={"name": kind, "content": text}, headers=h)
    assert r.status_code == 422, (kind, r.status_code, r.text[:300])
    assert "灾难性回溯" in r.text, r.text[:300]  # refused when read, naming why — no trial review ran
    with shared.app.state.Session() as s:
        assert s.scalar(select(func.count()).select_from(KnowledgeVersion).where(KnowledgeVersion.name == kind)
                        .where(KnowledgeVersion.version.like("%回溯"))) == 0
