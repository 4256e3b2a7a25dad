"""The year-end assessment in a real browser (issue 11, "Done when"): the office imports the 考核细则 through the
file input and opens the assessment; the unit self-assesses; the scorer changes a score with a reason; the office
notifies; the unit appeals; the office decides, locks and sees the ranking; the xlsx downloads.  The campaign,
units, tasks and accounts are made with the services (tests/web/test_assessment.py's ``build``)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from fazhi import config
from fazhi.supervision import assessment as A
from fazhi.supervision.access import Actor
from tests.browser.conftest import LiveServer
from tests.browser.supervision_world import assessment_world, services
from tests.web.test_assessment import COUNTIES, sheet

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> dict[str, Any]:
    return assessment_world(live_server)



def test_the_assessment_flow_in_the_browser(pages: Any, world: dict[str, Any], tmp_path: Any) -> None:
    cid = world["campaign_id"]
    office = pages("办公室")
    office.goto(f"/campaigns/{cid}/assessment")
    assert "尚未开展考核" in office.text_content("#not-opened")
    path = tmp_path / "宜昌市考核细则.xlsx"
    path.write_bytes(sheet())
    office.set_input_files("#profile-file", str(path))
    office.fill("#profile-unit-type", "县（市、区）")
    office.click("#profile-import")
    office.wait_for_url(f"**/campaigns/{cid}/assessment?done=*")
    assert "3 项，总分 10 分" in office.text_content("#assess-done")
    office.select_option("#open-profile", index=0)
    office.click("#open-assessment")
    office.wait_for_url(f"**/campaigns/{cid}/assessment?done=*")
    assert "新建考核 3 个单位" in office.text_content("#assess-done")

    # the unit self-assesses each item
    unit = pages("兴山填报")
    unit.goto("/my/assessment")
    for ref in ("1", "2", "3"):
        row = unit.locator(f'tr[data-ref="{ref}"]')
        row.locator(".self-input").fill("2")
        row.locator(".self-note").fill("已完成")
        row.locator(".self-submit").click()
        unit.wait_for_url("**/my/assessment?done=*")
    assert unit.text_content(".my-self") == "6"

    # the scorer changes 兴山县's item 2 with a reason; the other items are confirmed behind the browser's back
    scorer = pages("司法局评分员")
    scorer.goto(f"/scoring?campaign={cid}")
    row = scorer.locator('#scoring-table tr[data-unit="兴山县人民政府"][data-ref="2"]')
    row.locator(".score-input").fill("2")
    row.locator(".score-reason").fill("复议决定履行不及时1件")
    row.locator(".score-submit").click()
    scorer.wait_for_url("**/scoring?*done=*")
    row = scorer.locator('#scoring-table tr[data-unit="兴山县人民政府"][data-ref="2"]')
    assert row.locator(".scorer-reason").text_content() == "复议决定履行不及时1件"

    def confirm_rest(s: Any) -> None:
        for county in COUNTIES:
            for ref in ("1", "2", "3"):
                ia = A.find_item(s, cid, world["units"][county], ref)
                view = A.item_view(s, Actor.cli(), ia)
                if view.scorer_score is None:
                    A.score(s, Actor.cli(), ia, None if view.suggested_score is not None else 4,
                            None if view.suggested_score is not None else "达到要求")

    services(world["url"], confirm_rest)
    office.goto(f"/campaigns/{cid}/assessment")
    office.fill("#notify-days", "5")
    office.click("#notify")
    office.wait_for_url("**/assessment?done=*")
    assert "已通知 3 个单位" in office.text_content("#assess-done")

    # the unit appeals item 2; the office upholds it
    unit.goto("/my/assessment")
    row = unit.locator('tr[data-ref="2"]')
    row.locator(".appeal-text").fill("该件已于期限内履行，附履行回执")
    row.locator(".appeal-submit").click()
    unit.wait_for_url("**/my/assessment?done=*")
    office.goto(f"/campaigns/{cid}/assessment")
    appeal = office.locator("#appeals .appeal").first
    assert "该件已于期限内履行" in appeal.text_content()
    appeal.locator(".decide-outcome").select_option("upheld")
    appeal.locator(".decide-score").fill("4")
    appeal.locator(".decide-decision").fill("经核实已按期履行")
    appeal.locator(".decide-submit").click()
    office.wait_for_url("**/assessment?done=*")
    assert "申辩成立" in office.text_content("#assess-done")

    # lock after the appeal window, the ranking among comparable units, the export
    import datetime as dt

    office.fill("#lock-as-of", (config.today() + dt.timedelta(days=10)).isoformat())
    office.click("#lock")
    office.wait_for_url("**/assessment?done=*")
    assert "已锁定 3 个单位" in office.text_content("#assess-done")
    ranks = office.eval_on_selector_all("table.assess-results tr[data-unit]",
                                        "els => els.map(e => [e.dataset.unit, e.dataset.rank])")
    assert sorted(u for u, _ in ranks) == sorted(COUNTIES) and all(r for _, r in ranks)
    assert "在 3 个县级政府中" in office.text_content("#results")
    with office.expect_download() as info:
        office.click("#download-results")
    book = load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    assert {c.value for row in book["考核结果"].iter_rows() for c in row} >= set(COUNTIES)
    unit.goto("/my/assessment")
    assert unit.text_content(".my-final") == "10" and "申辩成立：经核实已按期履行" in unit.text_content("body")
