"""Similar reports in the web: the database's persisted similarity index (shared with `fazhi similar`),
kept up to date as reports come and go, built in the background when large, and filtered by the
user's region scope."""

from __future__ import annotations

import time

from fazhi.corpus.similar_store import index_path
from tests.web.conftest import JIAOZUO, XINYANG, Web, add_token, add_user, report_text

SHARED = ("我们坚持同部署、同推进、同督促、同考核、同奖惩，建立健全法治政府建设考核评价体系，"
          "把法治政府建设成效作为衡量各级领导班子和领导干部工作实绩的重要内容，纳入政绩考核指标体系。"
          "全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度，规范行政执法行为。")


def _bot(app, name: str = "bot", region: str | None = None) -> dict[str, str]:
    add_user(app, name, "reviewer", region=region)
    return {"Authorization": f"Bearer {add_token(app, name)}"}


def _upload(app, h, files) -> list[int]:
    r = Web(app).upload(files, headers=h, brief=True)
    assert r.status_code in (200, 201), r.text
    return [x["id"] for x in r.json()["results"]]


def _three(app, h) -> tuple[int, int, int]:
    """A 焦作市 report, a 信阳市 copy of it, and a 焦作市 report that shares one passage with it."""
    a = report_text(JIAOZUO, extra=SHARED)
    b = a.replace(JIAOZUO, XINYANG).replace("集中学法4次", "集中学法6次")
    c = report_text("焦作市解放区人民政府", extra=SHARED[:80] + "另外开展专项整治行动。")
    ida, idb, idc = _upload(app, h, [("a.txt", a.encode()), ("b.txt", b.encode()), ("c.txt", c.encode())])
    return ida, idb, idc


def test_similar_reports_respect_the_region_scope(app):
    admin = _bot(app)
    a, b, c = _three(app, admin)
    w = Web(app)
    everyone = w.get(f"/api/reports/{a}/similar", headers=admin).json()["similar"]
    assert everyone[0]["report_id"] == b and everyone[0]["issuer"] == XINYANG
    jz = _bot(app, "jz", region="焦作市")
    scoped = w.get(f"/api/reports/{a}/similar", headers=jz)
    assert scoped.status_code == 200, scoped.text
    ids = [m["report_id"] for m in scoped.json()["similar"]]
    assert b not in ids and c in ids  # the closest report is out of scope: never shown, not even its id
    assert XINYANG not in scoped.text
    pairs_all = w.get("/api/similar/pairs", headers=admin).json()["pairs"]
    assert any({p["a"], p["b"]} == {a, b} for p in pairs_all)
    pairs_jz = w.get("/api/similar/pairs", headers=jz).json()["pairs"]
    assert all(b not in (p["a"], p["b"]) for p in pairs_jz)
    assert w.get(f"/api/reports/{b}/similar", headers=jz).status_code == 404


def test_index_follows_uploads_and_deletions_and_is_kept_beside_the_database(app):
    h = _bot(app)
    a, b, _c = _three(app, h)
    w = Web(app)
    assert w.get(f"/api/reports/{a}/similar", headers=h).json()["similar"][0]["report_id"] == b
    url = str(app.state.engine.url)
    assert index_path(url).exists()  # where `fazhi similar` looks for it too
    # a closer copy arrives: the next request sees it
    d_text = report_text(JIAOZUO, extra=SHARED).replace(JIAOZUO, "郑州市金水区人民政府")
    (d,) = _upload(app, h, [("d.txt", d_text.encode())])
    ids = [m["report_id"] for m in w.get(f"/api/reports/{a}/similar", headers=h).json()["similar"]]
    assert d in ids[:2] and b in ids[:2]
    # and a deleted one is gone from the answers
    assert w.delete(f"/api/reports/{b}", headers=h).status_code == 204
    ids = [m["report_id"] for m in w.get(f"/api/reports/{a}/similar", headers=h).json()["similar"]]
    assert b not in ids and ids[0] == d
    assert all(b not in (p["a"], p["b"]) for p in w.get("/api/similar/pairs", headers=h).json()["pairs"])


def test_a_large_first_build_runs_in_the_background(app):
    h = _bot(app)
    a, b, _c = _three(app, h)
    app.state.similar.inline_max = 0  # as if the corpus were large: never build in a request
    w = Web(app)
    r = w.get(f"/api/reports/{a}/similar", headers=h)
    assert r.status_code == 503 and r.headers.get("retry-after"), r.text
    assert "正在建立" in r.json()["detail"]
    page = Web(app)
    page.login("bot")
    deadline = time.monotonic() + 60
    while True:
        r = w.get(f"/api/reports/{a}/similar", headers=h)
        if r.status_code == 200 or time.monotonic() > deadline:
            break
        assert r.status_code == 503
        time.sleep(0.2)
    assert r.status_code == 200 and r.json()["similar"][0]["report_id"] == b
    assert page.get(f"/reports/{a}/similar").status_code == 200
