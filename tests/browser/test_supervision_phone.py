"""The supervision cycle's pages on a phone (375×667): no page scrolls sideways, and a table too wide for
the screen keeps its unit names whole and scrolls inside its card instead of breaking them one character
a line.  The campaign (a 分工表 of 焦作市 and an assessment opened under a 考核细则) is made with the services."""

from __future__ import annotations

from typing import Any

import pytest

from fazhi import db
from fazhi.supervision import campaigns, tasks
from fazhi.supervision.access import Actor
from tests.browser.conftest import TIMEOUT_MS, LiveServer, sign_in
from tests.supervision.builders import xlsx

pytestmark = pytest.mark.browser

OFFICE = Actor.cli()
ROWS = [["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
        [1, "推进行政执法三项制度全覆盖", "市司法局", "市生态环境局、市市场监督管理局", "2025年6月底前"],
        [2, "落实行政机关负责人出庭应诉制度", "市人力资源和社会保障局", None, "年底前"],
        [3, "开展规范性文件合法性审核", "市人民政府办公室", None, "9月30日前"]]


@pytest.fixture(scope="module")
def campaign_id(live_server: LiveServer) -> int:
    engine = db.make_engine(live_server.db_url)
    try:
        with db.session_factory(engine, write=True).begin() as s:
            cid = campaigns.create_campaign(s, OFFICE, "焦作市2025年法治政府建设", year=2025, organiser="焦作市").id
            tasks.import_tasks(s, OFFICE, cid, xlsx([["焦作市2025年重点任务责任分工表"], *ROWS], ["A1:E1"]),
                               "分工表.xlsx", confirm=True)
            return cid
    finally:
        engine.dispose()


def test_supervision_pages_fit_a_phone(browser: Any, live_server: LiveServer, campaign_id: int) -> None:
    ctx = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 667}, locale="zh-CN")
    ctx.set_default_timeout(TIMEOUT_MS)
    try:
        page = ctx.new_page()
        assert sign_in(page, "admin").status == 303
        for path in (f"/campaigns/{campaign_id}", f"/campaigns/{campaign_id}/tasks",
                     f"/campaigns/{campaign_id}/overdue?as_of=2025-12-01", "/campaigns", "/assessments",
                     "/inspections", "/annual-reports", f"/campaigns/{campaign_id}/reports?as_of=2026-03-15",
                     f"/campaigns/{campaign_id}/assessment"):
            assert page.goto(path).status == 200, path
            wide = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
            assert wide <= 1, (path, wide)
        # the submission table: each unit's name on one line (it scrolls inside the card instead)
        page.goto(f"/campaigns/{campaign_id}/reports?as_of=2026-03-15")
        cell = page.locator("#rc-status-table tbody tr td").first
        assert "焦作市" in cell.inner_text()
        line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#rc-status-table td')).lineHeight)"
                             " || 24")
        assert cell.bounding_box()["height"] < 2 * line + 12
    finally:
        ctx.close()
