"""部署 and 督导 in a real browser (issue 10's flow): the office creates a campaign and imports a 分工表 through
the upload form (a row it cannot read is named, and nothing is kept until the file is sent again with the
box ticked); a unit user signs in, sees only its unit's tasks, reports progress with a file; the office
returns it with a reason, the unit resubmits, the office accepts; the overdue list changes with the as-of
date.  A screenshot of the campaign board is written to ``docs/img/campaign-board.png`` when
``FAZHI_SCREENSHOTS`` is set (1366×768)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, LiveServer, PageLog
from tests.supervision.builders import xlsx

TITLE = "西峡县2025年法治政府建设重点任务责任分工表"
HEADER = ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"]
ROWS = [
    [1, "推进行政执法“三项制度”全覆盖", "县司法局", "县直各有关单位", "2025年6月底前"],
    [2, "落实行政机关负责人出庭应诉制度", "县司法局", "县法院", "年底前"],
    [3, "开展生态环境领域执法检查", "县生态环境局", "县司法局", "9月30日前"],
    [4, "推进生态环境损害赔偿制度改革", "县生态环境局", None, "2025年10月"],
    [5, "规范行政规范性文件合法性审核", "县政府办公室", "县司法局", "每季度末"],
    [6, "推进“减证便民”证明事项告知承诺制", "县市场监督管理局", "县司法局", "2025年6月底前"],
    [7, "开展食品安全领域专项执法", "县市场监督管理局", None, "2025年8月"],
    [8, "完善重大行政决策程序", "县政府办公室", None, "长期坚持"],
    [9, "没有写牵头单位的任务", None, None, "年底前"],  # sheet row 11: not read
]
REPO = Path(__file__).resolve().parents[2]


def sheet_file(tmp: Path) -> Path:
    path = tmp / "分工表.xlsx"
    path.write_bytes(xlsx([[TITLE], HEADER, *ROWS], ["A1:E1"]))
    return path


def add_unit_user(db_url: str, name: str, unit: str) -> None:
    from sqlalchemy import select

    from fazhi import db
    from fazhi.bench.http import make_account
    from fazhi.supervision.access import Actor
    from fazhi.supervision.unit_register import add_member
    from fazhi.units.models import Unit

    make_account(db_url, name, "unit", PASSWORD)
    engine = db.make_engine(db_url)
    try:
        with db.session_factory(engine, write=True).begin() as s:
            unit_id = s.scalar(select(Unit.id).where(Unit.name == unit))
            assert unit_id is not None, unit
            add_member(s, Actor.cli(), name, unit_id, "filler")
    finally:
        engine.dispose()


def task_titles(page: Any) -> list[str]:
    return page.eval_on_selector_all("#tasks-table tbody tr a.task-link", "els => els.map(e => e.textContent)")


def overdue_on(page: Any, campaign: str, day: str) -> set[str]:
    """The overdue list of the campaign, its date picked in the as-of form."""
    page.goto(f"/campaigns/{campaign}/overdue")
    page.fill("#as-of-form-date", day)
    page.click("#as-of-form button[type=submit]")
    page.wait_for_url(re.compile(r"as_of=" + day))
    assert page.text_content("#overdue-as-of") == day
    return set(page.eval_on_selector_all("#overdue a.task-link", "els => els.map(e => e.textContent)"))


def test_office_imports_unit_reports_office_returns_and_accepts(
        pages: Callable[[str], Any], live_server: LiveServer, page_log: PageLog,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    office = pages("reviewer")
    # ---- the office creates a campaign
    office.goto("/campaigns")
    office.fill("#campaign-name", "西峡县2025年法治政府建设")
    office.fill("#campaign-year", "2025")
    office.fill("#campaign-organiser", "西峡县")
    office.click("#campaign-create-submit")
    office.wait_for_url(re.compile(r"/campaigns/\d+$"))
    campaign = office.url.rsplit("/", 1)[1]
    assert office.text_content("#campaign-title") == "西峡县2025年法治政府建设"

    # ---- imports the 分工表: the unread row is named, nothing is kept; sent again with the box ticked
    xlsx_path = sheet_file(tmp_path_factory.mktemp("sheet"))
    office.set_input_files("#task-import-file", str(xlsx_path))
    office.click("#task-import-submit")
    office.wait_for_selector("#import-pending")
    assert office.locator('#unread-rows tr[data-row="11"]').count() == 1
    assert "牵头单位" in office.text_content('#unread-rows tr[data-row="11"]')
    assert live_server.api("GET", f"/api/campaigns/{campaign}/tasks").json() == []
    office.set_input_files("#task-import-file", str(xlsx_path))
    office.check("#task-import-confirm")
    office.click("#task-import-submit")
    office.wait_for_selector("#import-done")
    assert "西峡县司法局" in office.text_content("#created-units")
    tasks = {t["title"]: t for t in live_server.api("GET", f"/api/campaigns/{campaign}/tasks").json()}
    assert len(tasks) == len(ROWS) - 1
    court = tasks["落实行政机关负责人出庭应诉制度"]["id"]

    # ---- a unit user signs in and sees only its unit's tasks (lead or co-unit)
    add_unit_user(live_server.db_url, "xxsfj", "西峡县司法局")
    unit = pages("xxsfj")
    unit.goto("/")
    unit.wait_for_url("**/my/tasks")
    own = set(task_titles(unit))
    expected = {r[1] for r in ROWS if r[2] == "县司法局" or (r[3] and "县司法局" in r[3])}
    assert own == expected
    assert "推进生态环境损害赔偿制度改革" not in own
    resp = unit.goto(f"/tasks/{tasks['推进生态环境损害赔偿制度改革']['id']}")
    assert resp is not None and resp.status == 404
    unit.goto("/my/tasks")

    # ---- reports progress with a file
    unit.click(f'#tasks-table a.task-link[href="/tasks/{court}"]')
    unit.wait_for_url(f"**/tasks/{court}")
    proof = tmp_path_factory.mktemp("proof") / "出庭应诉统计.txt"
    proof.write_text("2025年行政机关负责人出庭应诉统计\n应出庭 12 件，出庭 12 件。\n", encoding="utf-8")
    unit.fill("#progress-text", "全年行政机关负责人出庭应诉12件")
    unit.fill("#progress-figures", "行政机关负责人出庭应诉率=100%")
    unit.set_input_files("#progress-files", str(proof))
    unit.click("#progress-submit")
    unit.wait_for_selector("#task-done")
    assert unit.get_attribute("#task-status .task-status", "data-status") == "submitted"
    assert unit.locator("#progress-form").count() == 0  # nothing more to send until the office reviews

    # ---- the office opens the file and returns the progress with a reason
    office.goto(f"/tasks/{court}")
    link = office.locator("#progress-list a.evidence-file")
    assert link.text_content() == "出庭应诉统计.txt"
    with office.expect_download() as dl:
        link.click()
    assert Path(dl.value.path()).read_bytes() == proof.read_bytes()
    office.fill("#review-reason", "请附案件清单")
    office.click("#review-return")
    office.wait_for_selector("#task-done")
    assert office.get_attribute("#task-status .task-status", "data-status") == "returned"

    # ---- the unit sees the reason (on the task and as a reminder) and resubmits
    unit.goto("/my/tasks")
    assert "请附案件清单" in unit.text_content("#reminders")
    unit.goto(f"/tasks/{court}")
    assert "请附案件清单" in unit.text_content("#task-returned")
    unit.fill("#progress-text", "补充案件清单：12件均由负责人出庭")
    unit.click("#progress-submit")
    unit.wait_for_selector("#task-done")
    assert unit.get_attribute("#task-status .task-status", "data-status") == "submitted"

    # ---- the office accepts
    office.goto(f"/tasks/{court}")
    office.click("#review-accept")
    office.wait_for_selector("#task-done")
    assert office.get_attribute("#task-status .task-status", "data-status") == "accepted"
    statuses = office.eval_on_selector_all("#progress-list > li", "els => els.map(e => e.dataset.status)")
    assert statuses == ["returned", "accepted"]

    # ---- the overdue list changes with the as-of date (the accepted task is never overdue)
    assert overdue_on(office, campaign, "2025-03-15") == set()
    assert overdue_on(office, campaign, "2025-04-01") == {"规范行政规范性文件合法性审核"}  # its first quarter's end
    assert overdue_on(office, campaign, "2025-07-01") == {"推进行政执法“三项制度”全覆盖", "推进“减证便民”证明事项告知承诺制",
                                                          "规范行政规范性文件合法性审核"}
    late = overdue_on(office, campaign, "2026-01-05")
    assert "落实行政机关负责人出庭应诉制度" not in late and "完善重大行政决策程序" not in late
    assert len(late) == len(ROWS) - 3  # all but the accepted one, the 长期坚持 one (and the unread row)

    # ---- the board, as the office sees it in October
    office.goto(f"/campaigns/{campaign}?as_of=2025-10-15")
    assert office.get_attribute("#kpi-overdue", "data-n") == "5"
    widths = office.eval_on_selector_all(".light-bar .seg.light-overdue", "els => els.map(e => e.style.width)")
    assert any(w not in ("", "0", "0%") for w in widths)  # campaigns.js drew the bars (no inline styles)
    if os.environ.get("FAZHI_SCREENSHOTS"):
        office.screenshot(path=str(REPO / "docs" / "img" / "campaign-board.png"))
    assert page_log.csp_violations() == []
    # the one console error is the 404 of the other unit's task, asked for on purpose above
    assert [e for e in page_log.errors if "404" not in e] == [], page_log.errors
