"""督察 and 整改 through the pages (issue 11): the office opens a case, records a finding, sets a rectification item
whose deadline has passed; the daily escalation puts it on 挂牌督办 (shown in the 问题池 and to the unit); the unit
reports its rectification; the office verifies and strikes it off (销号) and the case is closed.  Another unit
sees nothing of it; a viewer changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import select

from fazhi import config, db
from fazhi.supervision import inspections as I
from fazhi.supervision import models as m
from tests.web.test_assessment import build, post, signed_in

pytestmark = pytest.mark.web


@pytest.fixture
def world(app: Any) -> dict[str, Any]:
    from tests.web.conftest import add_user

    return build(app.state.engine, lambda name, role: add_user(app, name, role))


def test_a_finding_goes_through_rectification_to_its_strike_off_and_an_overdue_item_escalates(app, world) -> None:
    office, yuanan = signed_in(app, "办公室"), signed_in(app, "远安填报")
    unit = world["units"]["远安县人民政府"]
    r = post(office, "/inspections", {"kind": "onsite", "title": "2025年度法治政府建设实地督察", "unit_id": str(unit),
                                      "campaign_id": str(world["campaign_id"])})
    assert r.status_code == 303
    case_url = r.headers["location"].split("?")[0]
    case_id = int(case_url.rsplit("/", 1)[1])
    r = post(office, f"/inspections/{case_id}/findings", {"unit_id": str(unit), "text": "行政执法公示不及时",
                                                         "source": "inspection"})
    assert r.status_code == 303
    page = office.get(case_url).text
    finding_id = int(re.search(r'class="card finding" data-finding-id="(\d+)"', page).group(1))
    assert "待制定整改措施" in page
    late = (config.today() - dt.timedelta(days=20)).isoformat()
    r = post(office, f"/findings/{finding_id}/rectifications", {"measure": "建立执法公示台账", "person": "张三",
                                                               "deadline": late})
    assert r.status_code == 303
    # the 督察意见书 is kept in the record and can be downloaded
    assert post(office, f"/findings/{finding_id}/documents", {"kind": "opinion"}).status_code == 303
    page = office.get(case_url).text
    doc = re.search(r'href="(/inspection-documents/\d+)"', page).group(1)
    assert office.get(doc).content[:2] == b"PK" and yuanan.get(doc).status_code == 200

    # the daily job escalates the overdue item: 20 days late → 函询约谈 and 挂牌督办, each step recorded
    with db.session_factory(app.state.engine, write=True).begin() as s:
        assert [e.label for e in I.escalate_overdue(s, config.today())] == ["挂牌督办"]
    pool = office.get("/inspections").text
    assert "逾期 20 天" in pool and 'class="badge escalation">挂牌督办<' in pool
    mine = yuanan.get("/my/rectifications").text
    assert "建立执法公示台账" in mine and "挂牌督办" in mine and "逾期20天，函询约谈" in mine
    rect_id = int(re.search(r'data-rect-id="(\d+)"', mine).group(1))

    # another unit sees nothing of it; a viewer cannot strike it off
    xingshan = signed_in(app, "兴山填报")
    assert "建立执法公示台账" not in xingshan.get("/my/rectifications").text
    assert xingshan.get(case_url).status_code == 404
    assert post(xingshan, f"/rectifications/{rect_id}/start").status_code == 403
    # the unit starts and reports; the office verifies and strikes it off
    assert post(yuanan, f"/rectifications/{rect_id}/start").status_code == 303
    r = post(yuanan, f"/rectifications/{rect_id}/submit", {"text": "已建立台账，补录公示信息46条"})
    assert r.status_code == 303 and r.headers["location"].startswith("/my/rectifications")
    assert post(signed_in(app, "查看"), f"/rectifications/{rect_id}/close").status_code == 403
    r = post(office, f"/rectifications/{rect_id}/close")
    assert r.status_code == 422 and "已报送整改情况" in r.text  # not before it is verified
    assert post(office, f"/rectifications/{rect_id}/verify", {"text": "台账已核实"}).status_code == 303
    assert post(office, f"/rectifications/{rect_id}/close", {"text": "同意销号"}).status_code == 303
    page = office.get(case_url).text
    assert 'class="finding-state">已销号<' in page and 'id="case-status">已办结<' in page
    assert "建立执法公示台账" not in office.get("/inspections").text.split('id="pool"')[1]  # out of the 问题池
    got = office.get(f"/api/rectifications/{rect_id}").json()
    assert [s["action"] for s in got["steps"]] == ["create", "escalate", "escalate", "start", "submit", "verify",
                                                  "close"]


def _item(app: Any, world: dict[str, Any], county: str, measure: str, deadline: dt.date) -> int:
    """A case of ``county`` with a finding and one rectification item (setup: the UI is not the point)."""
    from fazhi.supervision.access import Actor

    with db.session_factory(app.state.engine, write=True).begin() as s:
        unit = world["units"][county]
        case = I.open_case(s, Actor.cli(), kind="special", title=f"{county}专项督察", unit_ids=[unit])
        f = I.add_finding(s, Actor.cli(), unit_id=unit, text="行政复议决定未按期履行", case_id=case.id)
        return I.add_rectification(s, Actor.cli(), f.id, measure=measure, deadline=deadline, person="李四").id


def test_the_office_escalates_an_overdue_item_one_step_at_a_time_from_the_pool_and_the_api(app, world) -> None:
    today = config.today()
    late = _item(app, world, "远安县人民政府", "限期履行复议决定", today - dt.timedelta(days=3))
    on_time = _item(app, world, "兴山县人民政府", "修订执法文书", today + dt.timedelta(days=10))
    office = signed_in(app, "办公室")
    pool = office.get("/inspections").text
    row = pool.split(f'data-rect-id="{late}"')[1].split("</tr>")[0]
    assert "逾期 3 天" in row and "督办：函询约谈" in row  # the next rung is offered on the overdue item only
    assert "escalate-form" not in pool.split(f'data-rect-id="{on_time}"')[1].split("</tr>")[0]

    # from the 问题池: one step (3 days late is below 挂牌督办's 15 days: the office decides, not the calendar)
    r = post(office, f"/rectifications/{late}/escalate", {"text": "请说明未履行原因", "back": "/inspections"})
    assert r.status_code == 303 and r.headers["location"].startswith("/inspections?done=")
    pool = office.get("/inspections").text
    row = pool.split(f'data-rect-id="{late}"')[1].split("</tr>")[0]
    assert 'class="badge escalation">函询约谈<' in row and "督办：挂牌督办" in row
    assert 'class="step-by">办公室<' in row and "逾期3天，函询约谈：请说明未履行原因" in row  # who, and why, in the record

    # the API: the next step, then the last; the top of the ladder goes no further
    h = {"X-CSRF-Token": office.csrf()}
    got = office.post(f"/api/rectifications/{late}/escalate", json={"text": "挂牌督办"}, headers=h)
    assert got.status_code == 200 and got.json()["escalation_label"] == "挂牌督办"
    got = office.post(f"/api/rectifications/{late}/escalate", json={}, headers=h)
    assert got.status_code == 200 and got.json()["escalation"] == 3
    steps = [st for st in got.json()["steps"] if st["action"] == "escalate"]
    assert [st["escalation"] for st in steps] == [1, 2, 3] and {st["by"] for st in steps} == {"办公室"}
    assert all(st["at"] for st in steps)
    got = office.post(f"/api/rectifications/{late}/escalate", json={}, headers=h)
    assert got.status_code == 422 and "最高" in got.json()["detail"]
    # the case page shows it too, with who escalated it last; no button is left
    case_page = office.get(f"/inspections/{got_case(app, late)}").text
    assert re.search(r'class="escalated-by">[^<]*办公室督办<', case_page)
    assert 'class="badge escalation">通报批评<' in case_page and "escalate-form" not in case_page

    # from a case page, back to it
    other = _item(app, world, "兴山县人民政府", "补办行政许可公示", today - dt.timedelta(days=1))
    r = post(office, f"/rectifications/{other}/escalate")
    assert r.status_code == 303 and r.headers["location"].startswith(f"/inspections/{got_case(app, other)}?done=")
    assert "函询约谈" in office.get(r.headers["location"]).text.split('id="insp-done"')[1].split("</p>")[0]

    # an item not yet overdue is not escalated; the unit and a viewer cannot escalate
    assert office.post(f"/api/rectifications/{on_time}/escalate", json={}, headers=h).status_code == 422
    yuanan = signed_in(app, "远安填报")
    assert post(yuanan, f"/rectifications/{late}/escalate").status_code == 403
    assert post(signed_in(app, "查看"), f"/rectifications/{late}/escalate").status_code == 403
    # the unit is told, and sees the steps on its page
    mine = yuanan.get("/my/rectifications").text
    assert "通报批评" in mine and "逾期3天，挂牌督办" in mine
    with app.state.Session() as s:
        said = s.scalars(select(m.Reminder.message).where(m.Reminder.unit_id == world["units"]["远安县人民政府"],
                                                          m.Reminder.kind == "escalated")).all()
    assert len(said) == 1 and said[0].count("限期履行复议决定") == 3


def test_an_item_already_reported_is_not_escalated(app, world) -> None:
    late = _item(app, world, "秭归县人民政府", "整改执法案卷", config.today() - dt.timedelta(days=40))
    zigui = signed_in(app, "秭归填报")
    assert post(zigui, f"/rectifications/{late}/submit", {"text": "案卷已全部整改"}).status_code == 303
    r = post(signed_in(app, "办公室"), f"/rectifications/{late}/escalate")
    assert r.status_code == 422 and "已报送整改情况" in r.text


def got_case(app: Any, rect_id: int) -> int:
    with app.state.Session() as s:
        r = s.get(m.Rectification, rect_id)
        assert r is not None and r.finding.case_id is not None
        return r.finding.case_id


def _evidence(app: Any, unit_id: int, name: str, text: str) -> int:
    from fazhi.supervision import evidence as E
    from fazhi.supervision.access import Actor

    with db.session_factory(app.state.engine, write=True).begin() as s:
        return E.add_file(s, Actor.cli(), text.encode(), name, unit_id=unit_id)[0].id


def test_the_unit_reports_with_its_own_evidence_and_the_office_sees_it_when_verifying(app, world) -> None:
    units = world["units"]
    item = _item(app, world, "秭归县人民政府", "规范执法案卷", config.today() + dt.timedelta(days=5))
    own = _evidence(app, units["秭归县人民政府"], "案卷评查台账.txt", "秭归县执法案卷评查台账，共评查案卷30件。")
    other = _evidence(app, units["兴山县人民政府"], "兴山台账.txt", "兴山县的台账，与秭归县无关。")
    zigui = signed_in(app, "秭归填报")
    page = zigui.get("/my/rectifications").text
    picks = re.findall(r'name="evidence" value="(\d+)"', page)
    assert str(own) in picks and str(other) not in picks  # only its own evidence is offered
    # another unit's evidence, asked for by id, is refused and nothing is written
    r = post(zigui, f"/rectifications/{item}/submit", {"text": "已整改", "evidence": [str(other)]})
    assert r.status_code == 422 and "不存在" in r.text
    assert 'data-status="open"' in zigui.get("/my/rectifications").text
    r = post(zigui, f"/rectifications/{item}/submit", {"text": "已完成案卷评查并整改", "evidence": [str(own)]})
    assert r.status_code == 303
    case_page = signed_in(app, "办公室").get(f"/inspections/{got_case(app, item)}").text
    row = case_page.split(f'data-rect-id="{item}"')[1].split("</tr>")[0]
    assert "整改情况：已完成案卷评查并整改" in row and "案卷评查台账.txt" in row and "verify-form" in row
