"""督察 and 整改 in a real browser (issue 11, "Done when"): the office opens a 督察 case, records a finding and sets
a rectification item with a deadline; the unit reports its rectification with evidence; the office verifies it and
strikes it off (销号); a second item, past its deadline, is escalated (督办) from the 问题池 and shows its new
level.  The campaign, units, accounts, the unit's evidence file and the second (overdue) item are made with the
services (tests/web/test_assessment.py's ``build``); the steps above are driven in the browser."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fazhi import config
from fazhi.supervision import evidence as E
from fazhi.supervision import inspections as I
from fazhi.supervision.access import Actor
from tests.browser.conftest import LiveServer
from tests.browser.supervision_world import assessment_world, services

pytestmark = pytest.mark.browser



@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> dict[str, Any]:
    return assessment_world(live_server)


def _overdue_item(s: Any, unit_id: int) -> int:
    """A 书面督察 of 兴山县 with a finding whose rectification item was due 20 days ago."""
    case = I.open_case(s, Actor.cli(), kind="written", title="行政复议决定履行情况书面督察", unit_ids=[unit_id])
    f = I.add_finding(s, Actor.cli(), unit_id=unit_id, text="行政复议决定未按期履行", case_id=case.id)
    return I.add_rectification(s, Actor.cli(), f.id, measure="限期履行复议决定并报送回执",
                               deadline=config.today() - dt.timedelta(days=20), person="李四").id


def test_a_finding_goes_to_its_strike_off_and_an_overdue_item_is_escalated_in_the_browser(
        pages: Any, world: dict[str, Any], page_log: Any) -> None:
    yuanan = world["units"]["远安县人民政府"]
    office = pages("办公室")

    # the office opens a 实地督察 of 远安县 in the campaign
    office.goto("/inspections")
    office.select_option("#case-kind", "onsite")
    office.fill("#case-title", "2025年度法治政府建设实地督察")
    office.select_option("#case-units", [str(yuanan)])
    office.select_option("#case-campaign", str(world["campaign_id"]))
    office.fill("#case-start", config.today().isoformat())
    office.click("#case-open")
    office.wait_for_url("**/inspections/*?done=*")
    assert "2025年度法治政府建设实地督察" in office.text_content("#case-title")
    assert office.text_content("#case-status") == "督察中"
    case_url = office.url.split("?")[0]

    # records a finding, then sets its rectification item with a deadline
    office.select_option("#finding-unit", str(yuanan))
    office.fill("#finding-text", "行政执法公示信息更新不及时")
    office.click("#finding-submit")
    office.wait_for_url("**/inspections/*?done=*")
    finding = office.locator("section.finding").first
    assert "行政执法公示信息更新不及时" in finding.text_content()
    assert finding.locator(".finding-state").text_content() == "待制定整改措施"
    due = (config.today() + dt.timedelta(days=30)).isoformat()
    finding.locator(".rect-measure").fill("建立执法公示台账，逐月更新")
    finding.locator(".rect-person").fill("张三")
    finding.locator(".rect-deadline").fill(due)
    finding.locator(".rect-submit").click()
    office.wait_for_url("**/inspections/*?done=*")
    row = office.locator("section.finding tr[data-rect-id]").first
    rect_id = row.get_attribute("data-rect-id")
    assert row.get_attribute("data-status") == "open" and due in row.text_content()

    # the unit reports its rectification with its evidence (the file was uploaded before, by the services)
    ev = services(world["url"], lambda s: E.add_file(s, Actor.cli(), "远安县执法公示台账：已补录公示信息46条。".encode(),
                                                      "执法公示台账.txt", unit_id=yuanan)[0].id)
    unit = pages("远安填报")
    unit.goto("/my/rectifications")
    mine = unit.locator(f'tr[data-rect-id="{rect_id}"]')
    assert "建立执法公示台账" in mine.text_content()
    mine.locator(f'.submit-evidence-pick[value="{ev}"]').check()
    mine.locator(".submit-text").fill("已建立执法公示台账，补录公示信息46条")
    mine.locator(".submit-submit").click()
    unit.wait_for_url("**/my/rectifications?done=*")
    assert unit.locator(f'tr[data-rect-id="{rect_id}"]').get_attribute("data-status") == "submitted"

    # the office sees the report and the evidence, verifies it and strikes it off
    office.goto(case_url)
    row = office.locator(f'tr[data-rect-id="{rect_id}"]')
    assert "补录公示信息46条" in row.locator(".report-text").text_content()
    assert "执法公示台账.txt" in row.locator(".rect-evidence").text_content()
    row.locator(".verify-form input[name=text]").fill("台账已核实")
    row.locator(".verify-submit").click()
    office.wait_for_url("**/inspections/*?done=*")
    row = office.locator(f'tr[data-rect-id="{rect_id}"]')
    assert row.get_attribute("data-status") == "verified"
    row.locator(".close-form input[name=text]").fill("同意销号")
    row.locator(".close-submit").click()
    office.wait_for_url("**/inspections/*?done=*")
    assert office.locator("section.finding .finding-state").first.text_content() == "已销号"
    assert office.text_content("#case-status") == "已办结"
    steps = office.locator(f'tr[data-rect-id="{rect_id}"] li.step')
    assert [steps.nth(i).get_attribute("data-action") for i in range(steps.count())] == [
        "create", "submit", "verify", "close"]
    assert "远安填报" in steps.nth(1).text_content() and "办公室" in steps.nth(3).text_content()

    # a second item, 20 days past its deadline, is escalated one step from the 问题池
    late = services(world["url"], lambda s: _overdue_item(s, world["units"]["兴山县人民政府"]))
    office.goto("/inspections")
    pool = office.locator("#pool-table")
    assert f'data-rect-id="{rect_id}"' not in pool.inner_html()  # struck off: out of the pool
    row = pool.locator(f'tr[data-rect-id="{late}"]')
    assert "逾期 20 天" in row.text_content() and row.get_attribute("data-escalation") == "0"
    assert row.locator(".escalate-submit").text_content() == "督办：函询约谈"
    row.locator(".escalate-form input[name=text]").fill("请说明未履行原因")
    row.locator(".escalate-submit").click()
    office.wait_for_url("**/inspections?done=*")
    assert "函询约谈" in office.text_content("#insp-done")
    row = office.locator(f'#pool-table tr[data-rect-id="{late}"]')
    assert row.get_attribute("data-escalation") == "1" and row.locator(".badge.escalation").text_content() == "函询约谈"
    row.locator(".escalate-submit").click()  # and the next rung
    office.wait_for_url("**/inspections?done=*")
    row = office.locator(f'#pool-table tr[data-rect-id="{late}"]')
    assert row.locator(".badge.escalation").text_content() == "挂牌督办"
    assert row.locator(".escalate-submit").text_content() == "督办：通报批评"
    escalations = row.locator('li.step[data-action="escalate"]')
    assert escalations.count() == 2
    assert "办公室" in escalations.nth(0).text_content() and "请说明未履行原因" in escalations.nth(0).text_content()
    # the unit sees the level it is on
    xingshan = pages("兴山填报")
    xingshan.goto("/my/rectifications")
    assert xingshan.locator(f'tr[data-rect-id="{late}"] .badge.escalation').text_content() == "挂牌督办"
    assert not page_log.errors, page_log.errors
