"""The 考核 pages and API (issue 11) by role: the office imports a 考核细则 (a sheet that does not add up is
refused with the difference), opens the assessment, notifies, decides an appeal, locks and exports; the unit
self-assesses (not above the points) and appeals, and sees only its own result; the scorer confirms or changes
suggestions with a reason and never scores its own unit; a viewer changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from fazhi import config, db
from fazhi.accounts.models import User
from fazhi.supervision import assessment as A
from fazhi.supervision import models as m
from fazhi.supervision.access import Actor
from fazhi.supervision.unit_register import add_member
from fazhi.units import service as units
from fazhi.units.models import Unit, UnitMember
from tests.supervision import cycle
from tests.supervision.builders import xlsx
from tests.web.conftest import Web, add_user

pytestmark = pytest.mark.web
OFFICE = Actor.cli()

#: a 考核细则 of our own in the form offices publish: title, 考评项目 merged over its items, points "2分",
#: 评分标准 with deductions, the 评分责任单位
SHEET = [["宜昌市2025年度县（市、区）法治政府建设考核细则", None, None, None, None, None],
         ["考评项目", "序号", "考评内容", "分值", "评分标准", "评分责任单位"],
         ["一、依法履职（6分）", "1", "按时报送法治政府建设工作进展", "2分", "迟报一次扣0.5分，漏报一次扣1分", "市司法局"],
         [None, "2", "行政复议决定履行情况", "4分", "达到要求得满分，基本达到得一半分，未开展的不得分", "市司法局"],
         ["二、制度建设（4分）", "3", "规范性文件备案审查", "4分", "达到要求得满分，基本达到得一半分，未开展的不得分", "市司法局"],
         ["合计", None, None, "10分", None, None]]
MERGES = ["A1:F1", "A3:A4"]
COUNTIES = ("远安县人民政府", "兴山县人民政府", "秭归县人民政府")


def sheet(rows: list[list[Any]] = SHEET) -> bytes:
    return xlsx(rows, MERGES)


def build(engine: Any, make_user: Callable[[str, str], Any]) -> dict[str, Any]:
    """Three county governments of 宜昌市 in a campaign, each with a reporting task (远安县 reports late), the
    city's 司法局 (the 评分责任单位) and the accounts: 办公室 (reviewer), 查看 (viewer), a 填报 of each county,
    the 司法局's 评分员, and 远安审核员 — an office user who belongs to 远安县."""
    ids: dict[str, Any] = {}
    users = {"办公室": "reviewer", "查看": "viewer", "远安填报": "unit", "兴山填报": "unit", "秭归填报": "unit",
             "司法局评分员": "unit", "远安审核员": "reviewer"}
    uid = {name: make_user(name, role) for name, role in users.items()}
    with db.session_factory(engine, write=True).begin() as s:
        uid = {n: v if isinstance(v, int) else s.scalar(select(User.id).where(User.name == n)) for n, v in uid.items()}
        organiser = units.from_division(s, "湖北省宜昌市")
        by = {u.name: u for u in s.scalars(select(Unit).where(Unit.name.in_(COUNTIES)))}
        justice = cycle.unit(s, "宜昌市司法局", "部门-有执法权", "department", organiser, province="湖北省", city="宜昌市")
        c = cycle.campaign(s, organiser, 2025)
        c.settings = {"unit_ids": [by[n].id for n in COUNTIES]}
        for name, day in zip(COUNTIES, ("2025-07-05", "2025-06-28", "2025-06-20"), strict=True):
            t = cycle.task(s, c, "报送上半年法治政府建设工作进展", by[name], "2025-06-30", status="accepted")
            cycle.progress(s, t, by[name], day, status="accepted")
        for name, county in (("远安填报", "远安县人民政府"), ("兴山填报", "兴山县人民政府"), ("秭归填报", "秭归县人民政府")):
            add_member(s, OFFICE, uid[name], by[county].id, "filler")
        add_member(s, OFFICE, uid["司法局评分员"], justice.id, "filler")
        s.add(UnitMember(user_id=uid["远安审核员"], unit_id=by["远安县人民政府"].id, duty="filler"))
        ids.update(campaign_id=c.id, units={n: by[n].id for n in COUNTIES}, justice=justice.id)
    return ids


@pytest.fixture
def world(app: Any) -> dict[str, Any]:
    return build(app.state.engine, lambda name, role: add_user(app, name, role))


def signed_in(app: Any, name: str) -> Web:
    w = Web(app)
    w.login(name)
    return w


def post(w: Web, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    return w.post(path, data={**(data or {}), "csrf_token": w.csrf()}, **kw)


def item(app: Any, world: dict[str, Any], county: str, ref: str) -> int:
    with app.state.Session() as s:
        return A.find_item(s, world["campaign_id"], world["units"][county], ref)


def import_profile(office: Web) -> int:
    r = office.post("/assessments/profiles", data={"csrf_token": office.csrf(), "unit_type": "县（市、区）"},
                    files={"file": ("宜昌市考核细则.xlsx", sheet(), "application/octet-stream")})
    assert r.status_code == 303, r.text[:500]
    return int(re.search(r"编号 (\d+)", office.get(r.headers["location"]).text.split("考核细则“")[1]).group(1))


def test_a_profile_that_does_not_add_up_is_refused_with_the_difference(app, world) -> None:
    office = signed_in(app, "办公室")
    bad = [row[:] for row in SHEET]
    bad[-1][3] = "12分"  # the items add up to 10
    r = office.post("/assessments/profiles", data={"csrf_token": office.csrf()},
                    files={"file": ("细则.xlsx", sheet(bad), "application/octet-stream")})
    assert r.status_code == 422
    msg = re.search(r'id="assess-error">([^<]*)<', r.text).group(1)
    assert "未导入" in msg and "2" in msg, msg
    with app.state.Session() as s:
        assert s.scalar(select(func.count()).select_from(m.Profile)) == 0
    # a viewer may not import one; the API answers the same refusal as JSON
    viewer = signed_in(app, "查看")
    r = viewer.post("/api/profiles", headers={"X-CSRF-Token": viewer.csrf()},
                    files={"file": ("细则.xlsx", sheet(), "application/octet-stream")})
    assert r.status_code == 403 and "督导办公室" in r.json()["detail"]
    # the sheet as published imports with its three items and their scorer
    pid = import_profile(office)
    shown = office.get("/assessments").text
    row = re.search(rf'<tr data-profile-id="{pid}">(.*?)</tr>', shown).group(1)
    assert "宜昌市考核细则" in row and "县（市、区）" in row and '<td class="num">3</td>' in row


def test_the_assessment_from_self_score_to_locked_results_by_role(app, world) -> None:
    office, cid = signed_in(app, "办公室"), world["campaign_id"]
    pid = import_profile(office)
    r = post(office, f"/campaigns/{cid}/assessment/open", {"profile_id": str(pid)})
    assert r.status_code == 303 and "新建考核 3 个单位" in office.get(r.headers["location"]).text
    # the late report is deducted in the suggestion, with its reason
    yuanan, xingshan = signed_in(app, "远安填报"), signed_in(app, "兴山填报")
    y1 = item(app, world, "远安县人民政府", "1")
    got = yuanan.get(f"/api/assessment-items/{y1}").json()
    assert got["suggested_score"] == 1.5 and "迟报1次扣0.5分" in got["suggestion_reason"]

    # the unit self-assesses: above the points refused with the reason, nothing kept
    r = post(yuanan, f"/assessment-items/{y1}/self-score", {"score": "2.5", "note": "按时"})
    assert r.status_code == 422 and "超出本项分值" in r.text
    assert yuanan.get(f"/api/assessment-items/{y1}").json()["self_score"] is None
    for ref in ("1", "2", "3"):
        r = post(yuanan, f"/assessment-items/{item(app, world, '远安县人民政府', ref)}/self-score",
                 {"score": "2", "note": "已完成"}, headers={"referer": "http://testserver/my/assessment"})
        assert r.status_code == 303, r.text[:300]
    page = yuanan.get("/my/assessment").text
    assert "已自评" in page and 'class="my-self">6<' in page
    # a unit sees only its own assessment
    assert "兴山县" not in page
    with app.state.Session() as s:
        x_assessment = A.find_assessment(s, cid, world["units"]["兴山县人民政府"]).id
    assert yuanan.get(f"/assessments/{x_assessment}").status_code == 404
    assert yuanan.get(f"/api/assessments/{x_assessment}").status_code == 404
    assert yuanan.get(f"/api/campaigns/{cid}/assessment").status_code == 404

    # recusal: neither 远安县's user nor an office user who belongs to 远安县 scores 远安县
    for who in (yuanan, signed_in(app, "远安审核员")):
        r = post(who, f"/assessment-items/{y1}/score", {"score": "2", "reason": "按时报送"})
        assert r.status_code == 403 and "评分回避" in r.text
    # a viewer scores nothing, notifies nothing
    viewer = signed_in(app, "查看")
    assert post(viewer, f"/assessment-items/{y1}/score", {"score": "2", "reason": "x"}).status_code == 403
    assert post(viewer, f"/campaigns/{cid}/assessment/notify").status_code == 403

    # the scorer (市司法局) sees its items of the three counties with their suggestions
    scorer = signed_in(app, "司法局评分员")
    queue = scorer.get(f"/scoring?campaign={cid}").text
    assert queue.count('score-form"') == 9 and "迟报1次扣0.5分" in queue
    # a change needs a reason; with one it is kept beside the suggestion
    x2 = item(app, world, "兴山县人民政府", "2")
    r = post(scorer, f"/assessment-items/{x2}/score", {"score": "2", "reason": ""})
    assert r.status_code == 422 and "请写明" in r.text
    r = post(scorer, f"/assessment-items/{x2}/score", {"score": "2", "reason": "复议决定履行不及时1件"},
             headers={"referer": f"http://testserver/scoring?campaign={cid}"})
    assert r.status_code == 303 and r.headers["location"].startswith(f"/scoring?campaign={cid}")
    for county in COUNTIES:
        for ref in ("1", "2", "3"):
            i = item(app, world, county, ref)
            if i == x2:
                continue
            view = scorer.get(f"/api/assessment-items/{i}").json()
            body: dict[str, Any] = {} if view["suggested_score"] is not None else {"score": 4, "reason": "达到要求"}
            r = scorer.post(f"/api/assessment-items/{i}/score", json=body, headers={"X-CSRF-Token": scorer.csrf()})
            assert r.status_code == 200, r.text
    got = scorer.get(f"/api/assessment-items/{x2}").json()
    assert (got["scorer_score"], got["scorer_reason"]) == (2, "复议决定履行不及时1件")

    # the office notifies; 兴山县 appeals item 2 in time; the office decides it
    r = post(office, f"/campaigns/{cid}/assessment/notify", {"days": "5"})
    assert r.status_code == 303 and "已通知 3 个单位" in office.get(r.headers["location"]).text
    r = post(xingshan, f"/assessment-items/{x2}/appeal", {"text": "该件已于期限内履行，附履行回执"})
    assert r.status_code == 303
    board = office.get(f"/campaigns/{cid}/assessment").text
    appeal_id = int(re.search(r'class="appeal" data-appeal-id="(\d+)"', board).group(1))
    assert "该件已于期限内履行" in board
    r = post(office, f"/appeals/{appeal_id}/decide", {"outcome": "upheld", "decision": "经核实已按期履行", "score": "4"})
    assert r.status_code == 303
    # lock (as of after the appeal window): all three final and locked
    day = (config.today() + dt.timedelta(days=10)).isoformat()
    r = post(office, f"/campaigns/{cid}/assessment/lock", {"as_of": day})
    assert r.status_code == 303 and "已锁定 3 个单位" in office.get(r.headers["location"]).text

    results = office.get(f"/api/campaigns/{cid}/assessment").json()
    by = {r["unit"]["name"]: r for r in results}
    assert by["兴山县人民政府"]["reviewed"] == 8 and by["兴山县人民政府"]["final"] == 10
    assert all(r["rank_among"].startswith("在 3 个县级政府中") or "并列" in r["rank_among"] for r in results)
    board = office.get(f"/campaigns/{cid}/assessment").text
    assert board.count('class="state">已锁定<') == 3 and "在 3 个县级政府中" in board
    # the unit's result: its own final score and rank
    page = xingshan.get("/my/assessment").text
    assert 'class="my-final">10<' in page and "申辩成立：经核实已按期履行" in page
    # the export
    r = office.get(f"/campaigns/{cid}/assessment.xlsx")
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    book = load_workbook(io.BytesIO(r.content))
    cells = {str(c.value) for row in book["考核结果"].iter_rows() for c in row if c.value is not None}
    assert set(COUNTIES) <= cells
