"""Printing the review page in a real browser: the print stylesheet keeps the whole report text (not the
scroll box's first screen), drops the navigation and the controls, and lays it out on A4; the 打印 button
opens the browser's print dialog."""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

import pytest

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

UNIT = "焦作市中站区人民政府"
#: one paragraph of the long report; the last one is told apart by its number
PARAGRAPH = "（{n}）持续推进严格规范公正文明执法，全年开展行政执法案卷评查第{n}轮，评查案卷{n}卷，发现问题及时整改。"


def compact(s: str) -> str:
    """Without blanks, and in the characters Unicode means (a PDF's fonts may map 人 to the Kangxi radical ⼈)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


@pytest.fixture(scope="module")
def long_report(live_server: LiveServer) -> dict[str, Any]:
    """A report far longer than one screen (the text pane scrolls on screen), stored through the API."""
    from tests.web.conftest import report_text

    extra = "\n".join(PARAGRAPH.format(n=n) for n in range(1, 81))
    text = report_text(UNIT, 2023, extra="\n" + extra)
    r = live_server.api("POST", "/api/reports?brief=1", files=[("files", ("长报告.txt", text.encode("utf-8"),
                                                                            "text/plain"))])
    assert r.status_code in (200, 201), r.text
    rid = r.json()["results"][0]["id"]
    full = live_server.api("GET", f"/api/reports/{rid}?with_text=1").json()
    return {"id": rid, "text": full["text"]}


def test_the_print_button_opens_the_print_dialog(pages: Any, long_report: dict[str, Any]) -> None:
    page = pages("viewer")
    page.goto(f"/reports/{long_report['id']}")
    button = page.locator("#print-button")
    assert button.is_visible() and button.text_content() == "打印"
    page.evaluate("() => { window.print = () => { document.body.dataset.printed = '1'; }; }")
    button.click()
    assert page.locator("body").get_attribute("data-printed") == "1"


def test_print_media_has_the_whole_text_and_no_navigation(pages: Any, long_report: dict[str, Any]) -> None:
    page = pages("reviewer")  # a reviewer also sees the delete button: it must not print
    page.goto(f"/reports/{long_report['id']}")
    on_screen = page.evaluate("() => { const t = document.getElementById('report-text'); "
                              "return [t.scrollHeight, t.clientHeight]; }")
    assert on_screen[0] > on_screen[1] + 100  # on screen the text is a scroll box
    page.emulate_media(media="print")
    for sel in ("header.topbar", "#nav", "#logout-button", "#print-button", "#delete-report", "#skip-main",
                "#outline", "#similar-panel"):
        assert not page.locator(sel).is_visible(), sel
    box = page.evaluate("""() => { const t = document.getElementById('report-text');
        return [t.scrollHeight, t.clientHeight, getComputedStyle(t).overflowY]; }""")
    assert box[2] == "visible" and box[0] <= box[1] + 1, box  # nothing hidden behind a scroll bar
    assert compact(page.text_content("#report-text")) == compact(long_report["text"])
    for sel in ("#report-head", "#parts", "#score", "#findings"):
        if page.locator(sel).count():
            assert page.locator(sel).is_visible(), sel

    # the PDF Chromium prints: A4 pages, the last paragraph of the text in it, no navigation
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=False)))
    texts = [compact(p.extract_text() or "") for p in pdf.pages]
    whole = "".join(texts)
    assert len(pdf.pages) >= 3
    width, height = (float(x) for x in pdf.pages[0].mediabox.upper_right)
    assert abs(width - 595) < 3 and abs(height - 842) < 3  # A4 in points
    for n in (1, 40, 80):  # the first, a middle and the last paragraph (their words, not every character)
        assert compact(f"第{n}轮，评查案卷{n}卷") in whole, n
    assert "2024年2月20日" in whole
    # numbered pages
    n = len(pdf.pages)  # (页 may come out of the PDF as the radical ⻚, which NFKC leaves alone)
    assert re.search(rf"第1[页⻚],共{n}[页⻚]", texts[0]) and re.search(rf"第{n}[页⻚],共{n}[页⻚]", texts[-1])
    for chrome in ("退出", "跳到正文", "使用说明", "删除", "打印"):
        assert chrome not in whole, chrome
    # the text starts on a page of its own, after the review
    first_text_page = next(i for i, t in enumerate(texts) if "规范化文本" in t)  # the heading of 原文
    assert first_text_page >= 1 and "必备内容" not in texts[first_text_page]
