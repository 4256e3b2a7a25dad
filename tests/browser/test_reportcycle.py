"""The annual report's cycle in a real browser: the 审查意见书 downloaded from a stored report's review page;
a unit drafts its report from the record, opens a figure's source with a click, fills the gaps and submits
through its leader; the office returns it, the unit resubmits, the office sees the diff and accepts.
Screenshots (1366×768) of the draft page and of a 审查意见书 go to ``docs/img``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, LiveServer
from tests.documents.readback import open_docx, texts
from tests.supervision import reportcycle as rc

IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
FILLED = "该项工作已按计划完成。"


@dataclass
class Linze:
    campaign_id: int
    bureau_id: int
    last_year_report_id: int


@pytest.fixture(scope="module")
def linze(live_server: LiveServer) -> Linze:
    """临泽县's record (tests/supervision/reportcycle.py) in the server's database, and two users of its
    司法局: 填报 (filler) and 局长 (its 主要负责人)."""
    from fazhi import db
    from fazhi.bench.http import make_account
    from fazhi.supervision.access import Actor
    from fazhi.supervision.unit_register import add_member

    engine = db.make_engine(live_server.db_url)
    try:
        with db.session_factory(engine, write=True).begin() as s:
            record = rc.build(s)
            out = Linze(record.campaign.id, record.bureau.id, record.last_year_report_id)
        for name, duty in (("填报", "filler"), ("局长", "leader")):
            make_account(live_server.db_url, name, "unit", PASSWORD)
            with db.session_factory(engine, write=True).begin() as s:
                add_member(s, Actor.cli(), name, out.bureau_id, duty)
    finally:
        engine.dispose()
    return out


def _docx_text(page: Any, click: Callable[[], None], tmp_path: Path) -> tuple[str, str]:
    with page.expect_download() as info:
        click()
    dl = info.value
    assert dl.failure() is None
    path = tmp_path / dl.suggested_filename
    dl.save_as(path)
    return dl.suggested_filename, texts(open_docx(path.read_bytes()))


# =========================================================================== (1) the download
def test_the_opinion_downloads_from_a_stored_reports_review_page(pages: Any, linze: Linze, tmp_path: Path) -> None:
    page = pages("reviewer")
    page.goto(f"/reports/{linze.last_year_report_id}")
    button = page.locator("#download-opinion")
    assert button.text_content() == "下载审查意见书"
    name, text = _docx_text(page, button.click, tmp_path)
    assert name.endswith(".审查意见书.docx")
    assert "审查意见" in text.splitlines()[0]
    assert "临泽县司法局关于2024年度法治政府建设情况的报告" in text


# =========================================================================== (2) the whole cycle
def _fill_gaps_and_save(page: Any, extra: tuple[str, str] | None = None) -> None:
    page.click("#rc-edit")
    page.wait_for_selector("#rc-edit-form")
    page.eval_on_selector_all("textarea.rc-para-input.has-gap",
                              f"els => els.forEach(e => e.value = e.value.replace(/【待补充[^】]*】/g, '{FILLED}'))")
    if extra is not None:
        page.fill(extra[0], extra[1])
    page.click("#rc-save")
    page.wait_for_selector("#rc-saved")


def _through_stages(unit: Any, leader: Any, draft_url: str) -> None:
    for stage in ("first_draft", "discussion", "leader_review"):
        assert unit.locator("#rc-next-stage").get_attribute("data-stage") == stage
        unit.click("#rc-next-stage")
        unit.wait_for_selector(f'#rc-stage[data-stage="{stage}"]')
        if stage == "discussion":
            unit.fill("#rc-comment-text", "第二部分的原因写得具体一些。")
            unit.click("#rc-comment-submit")
            unit.wait_for_selector(".rc-comment")
    assert unit.locator("#rc-confirm").count() == 0  # only the leader confirms
    leader.goto(draft_url)
    leader.click("#rc-confirm")
    leader.wait_for_selector('#rc-stage[data-stage="confirmed"]')
    unit.goto(draft_url)


def test_draft_cite_submit_return_resubmit_diff_accept(pages: Any, linze: Linze, live_server: LiveServer,
                                                      tmp_path: Path, page_log: Any) -> None:
    unit, leader, office = pages("填报"), pages("局长"), pages("reviewer")
    unit.goto("/my/report")
    unit.click(f"#rc-new-draft-{linze.campaign_id}")
    unit.wait_for_url(re.compile(r"/drafts/\d+$"))
    draft_url = unit.url

    # a figure's sentence shows its source on a click (and hides it on another)
    sentence = unit.locator(".rc-sent.cited", has_text=rc.FILED_TEXT).first
    box = unit.locator("#" + (sentence.get_attribute("data-cite") or ""))
    assert box.is_hidden()
    sentence.click()
    assert box.is_visible() and "任务进展" in (box.text_content() or "")
    assert sentence.get_attribute("aria-expanded") == "true"
    assert unit.locator("#rc-gaps mark.rc-gap").count() > 0
    unit.eval_on_selector("#rc-text", "e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 56)")
    IMG.mkdir(parents=True, exist_ok=True)
    unit.screenshot(path=str(IMG / "draft-page.png"))
    sentence.click()
    assert box.is_hidden()

    _fill_gaps_and_save(unit)
    assert unit.locator("#rc-gaps").count() == 0
    _through_stages(unit, leader, draft_url)
    unit.fill("#rc-copies", "县委依法治县办")
    unit.click("#rc-submit")
    unit.wait_for_url(re.compile(r"/annual-reports/\d+$"))
    report_url = unit.url.removeprefix(live_server.url)
    assert unit.locator("#rc-report-status").get_attribute("data-status") == "received"

    # the office finds it on the board and returns it with a reason
    office.goto(f"/campaigns/{linze.campaign_id}/reports")
    row = office.locator(f'#rc-status-table tr[data-unit-id="{linze.bureau_id}"]')
    assert row.get_attribute("data-status") in ("received", "late")
    row.locator("a.rc-open").click()
    office.wait_for_url(re.compile(re.escape(report_url) + "$"))
    reason = "请补充行政应诉案件的数字"
    office.fill("#rc-return-reason", reason)
    office.click("#rc-return")
    office.wait_for_selector('#rc-report-status[data-status="returned"]')
    name, text = _docx_text(office, lambda: office.click("#rc-opinion-1"), tmp_path)
    assert name.endswith(".审查意见书.docx") and reason in text
    office.goto(report_url.replace("/annual-reports/", "/annual-reports/") + "/opinion?version=1")
    office.wait_for_selector("#rc-paper")
    assert reason in (office.text_content("#rc-paper") or "")
    office.screenshot(path=str(IMG / "opinion.png"))

    # the unit takes the draft back to 初稿, adds what was asked, and submits again
    unit.goto(draft_url)
    assert reason in (unit.text_content("#rc-returned") or "")
    unit.select_option("#rc-back-stage", "first_draft")
    unit.click("#rc-back")
    unit.wait_for_selector('#rc-stage[data-stage="first_draft"]')
    added = "全年办理行政应诉案件41件，行政机关负责人出庭应诉率100%。"
    _fill_gaps_and_save(unit, ("textarea[name='new-1']", added))
    assert unit.locator(".rc-sent", has_text="行政应诉案件41件").count() == 1
    unit.click("#rc-next-stage")  # 起草 → 初稿 is done: 初稿 → 讨论稿 …
    unit.wait_for_selector('#rc-stage[data-stage="discussion"]')
    unit.click("#rc-next-stage")
    unit.wait_for_selector('#rc-stage[data-stage="leader_review"]')
    leader.goto(draft_url)
    leader.click("#rc-confirm")
    leader.wait_for_selector('#rc-stage[data-stage="confirmed"]')
    unit.goto(draft_url)
    unit.click("#rc-submit")
    unit.wait_for_url(re.compile(re.escape(report_url) + "$"))

    # the office sees what changed, and accepts
    office.goto(report_url)
    diff = office.locator("#rc-diff")
    assert "行政应诉案件41件" in (diff.text_content() or "")
    assert diff.locator(".rc-diff-para").count() >= 1
    office.click("#rc-accept")
    office.wait_for_selector('#rc-report-status[data-status="accepted"]')
    rows = live_server.api("GET", f"/api/campaigns/{linze.campaign_id}/reports/status").json()
    mine = next(r for r in rows if r["unit"]["id"] == linze.bureau_id)
    assert mine["status"] == "accepted"
    assert not page_log.csp_violations() and not [e for e in page_log.errors if "pageerror" in e]
