"""Search, bulk download and the unit page in a real browser (Debian Chromium, headless, Playwright).

The module's server holds reports uploaded here through the API (the administrator's token): three years
of 焦作市中站区 and one of 信阳市平桥区, with figures and phrases written for these tests.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, PageLog
from tests.web.conftest import JIAOZUO, XINYANG, report_text

PHRASE = "府院联动机制"
EVENTS = {2021: 30, 2022: 42, 2023: 35}  # 普法宣传活动场次 of 中站区, year by year


@pytest.fixture(scope="module")
def stored(live_server: LiveServer) -> dict[str, int]:
    files = [(f"中站区{y}.txt", report_text(JIAOZUO, y, extra=f"开展普法宣传活动{n}场次。"
                                           + (f"建立{PHRASE}，化解行政争议。" if y == 2023 else "")).encode())
             for y, n in EVENTS.items()]
    files.append(("平桥区.txt", report_text(XINYANG, 2023, extra=f"完善{PHRASE}。").encode("gb18030")))
    r = live_server.api("POST", "/api/reports?brief=1",
                        files=[("files", (name, data, "text/plain")) for name, data in files])
    assert r.status_code == 201, r.text
    return {x["file"]: x["id"] for x in r.json()["results"]}


def test_search_finds_a_phrase_and_highlights_it(pages: Any, stored: dict[str, int], page_log: PageLog) -> None:
    page = pages("viewer")
    page.goto("/")
    page.click('#nav a[data-nav="search"]')
    page.wait_for_url("**/search")
    page.fill("#search-q", PHRASE)
    page.click("#search-submit")
    page.wait_for_selector("#results")
    assert page.text_content("#result-total") == "2"
    marks = page.eval_on_selector_all("#results mark", "els => els.map(e => e.textContent)")
    assert marks and set(marks) == {PHRASE}
    assert page.locator("#results mark").first.is_visible()
    listed = {int(x) for x in page.eval_on_selector_all("#reports-table tbody tr[data-report-id]",
                                                        "els => els.map(e => e.dataset.reportId)")}
    assert listed == {stored["中站区2023.txt"], stored["平桥区.txt"]}
    # a snippet opens the review with the phrase highlighted in the text
    rid = stored["平桥区.txt"]
    page.click(f'#reports-table tr[data-report-id="{rid}"] a.snippet')
    page.wait_for_url(f"**/reports/{rid}?hl=*")
    lit = page.eval_on_selector_all("#report-text .seg.hl", "els => els.map(e => e.textContent).join('')")
    assert lit == PHRASE
    assert not page_log.errors, page_log.errors


def test_bulk_download_returns_a_zip_with_the_expected_files(pages: Any, stored: dict[str, int]) -> None:
    page = pages("viewer")
    page.goto("/?sort=year")
    assert page.is_disabled("#bulk-download")  # nothing picked yet
    picked = [stored["中站区2021.txt"], stored["平桥区.txt"]]
    for rid in picked:
        page.check(f'#reports-table tr[data-report-id="{rid}"] input.pick-one')
    assert page.get_attribute("#bulk-form", "data-picked") == "2" and not page.is_disabled("#bulk-download")
    with page.expect_download() as info:
        page.click("#bulk-download")
    dl = info.value
    assert dl.failure() is None and dl.suggested_filename.startswith("fazhi-reports-")
    with open(dl.path(), "rb") as f:
        zf = zipfile.ZipFile(io.BytesIO(f.read()))
    folders = {f"{picked[0]:05d}_焦作市中站区人民政府_2021", f"{picked[1]:05d}_信阳市平桥区人民政府_2023"}
    assert set(zf.namelist()) == {"清单.csv"} | {f"{d}/{n}" for d in folders
                                               for n in ("审查结果.json", "审查意见书.docx", "原文.txt")}
    assert zf.read(f"{picked[1]:05d}_信阳市平桥区人民政府_2023/原文.txt") == \
        report_text(XINYANG, 2023, extra=f"完善{PHRASE}。").encode("gb18030")
    # the header box picks the whole page
    page.check("#pick-all")
    n = page.locator("#reports-table input.pick-one").count()
    assert page.get_attribute("#bulk-form", "data-picked") == str(n) == str(len(stored))


def test_unit_page_shows_the_trend(pages: Any, stored: dict[str, int], page_log: PageLog) -> None:
    page = pages("viewer")
    page.goto(f"/reports/{stored['中站区2022.txt']}")
    page.click("#unit-link")
    page.wait_for_url("**/units/*")
    page.wait_for_selector('body[data-charts="ready"]')
    assert page.text_content("#unit-name") == "焦作市中站区人民政府"
    chart = page.locator("#trend-publicity_events")
    assert chart.get_attribute("data-plotted") == "1" and chart.locator("svg.main-svg").first.is_visible()
    drawn = page.evaluate("() => { const d = document.getElementById('trend-publicity_events').data[0];"
                          " return {x: d.x, y: d.y}; }")
    assert drawn == {"x": [str(y) for y in EVENTS], "y": list(EVENTS.values())}
    cells = page.eval_on_selector_all('#trend-table tr[data-indicator="publicity_events"] a.value-link',
                                      "els => els.map(e => e.textContent)")
    assert cells == [f"{n}场次" for n in EVENTS.values()]
    years = page.eval_on_selector_all("#unit-reports-table tbody tr", "els => els.map(e => e.dataset.year)")
    assert years == [str(y) for y in EVENTS]
    assert not page_log.errors, page_log.errors
