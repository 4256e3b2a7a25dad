"""The pages on an office screen (1366×768) in a real browser: inputs wide enough for their placeholders,
chart labels not cut, no page wider than the screen — with long unit names, file names and region scopes
in the data, as real corpora have them.

The data goes in behind the browser's back (the administrator's API token, the store's own functions):
this module is about layout, the upload page is tested in ``test_browser.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import VIEWPORT, LiveServer, PageLog

#: a unit whose name is longer than the ranking's axis shows (18 characters)
LONG_UNIT = "伊犁哈萨克自治州奎屯市市场监督管理局"
LONG_FILE = "关于报送" + "法治政府建设年度报告材料的说明和附件清单" * 3 + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.txt"
MAIN_PAGES = ("/", "/upload", "/compare", "/compare?all=1", "/account", "/admin/users", "/admin/audit", "/api/docs",
              "/similar", "/admin/knowledge", "/admin/knowledge/settings", "/help")


@pytest.fixture(scope="module")
def corpus(live_server: LiveServer, seed_paths: list[Path]) -> dict[str, Any]:
    """The five samples, a report of a unit with a long name (under a long file name), a refused file, and a
    user the command line made (role ``user``)."""
    from tests.web.conftest import report_text

    files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in seed_paths]
    files.append(("files", (LONG_FILE, report_text(LONG_UNIT).encode("utf-8"), "text/plain")))
    files.append(("files", ("空.txt", b"", "text/plain")))
    r = live_server.api("POST", "/api/reports?brief=1", files=files)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["stored"] == len(seed_paths) + 1 and body["failed"] == 1, body

    from fazhi import db
    from fazhi.corpus.service import get_or_create_user

    engine = db.make_engine(live_server.db_url)
    try:
        with db.session_factory(engine, write=True).begin() as s:
            get_or_create_user(s, "ingest-bot")
    finally:
        engine.dispose()
    return body


def _placeholders_that_do_not_fit(page: Any) -> list[Any]:
    """Visible inputs whose placeholder, typed in as a value, would not fit: the input's text box scrolls
    (``scrollWidth > clientWidth``).  The values are put back afterwards."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('input[placeholder]'))
        .filter(el => el.offsetParent !== null)
        .map(el => {
            const value = el.value;
            el.value = el.placeholder;
            const got = [el.id || el.name, el.placeholder, el.scrollWidth, el.clientWidth];
            el.value = value;
            return got;
        })
        .filter(([, , scroll, client]) => scroll > client)""")


def test_filter_inputs_show_their_whole_placeholder(pages: Any, corpus: dict[str, Any]) -> None:
    page = pages("admin")
    page.goto("/")
    for sel, text in (("#filter-region", "如 焦作市"), ("#filter-year", "2023 或 2021-2023"),
                      ("#filter-issuer", "名称的一部分")):
        assert page.get_attribute(sel, "placeholder") == text
    assert _placeholders_that_do_not_fit(page) == []
    # the filters stay on one line beside the title
    tops = {round(page.locator(s).bounding_box()["y"]) for s in ("#filter-region", "#filter-year", "#filter-issuer",
                                                                  "#filter-submit")}
    assert len(tops) == 1, tops
    for path in ("/compare", "/account", "/admin/users"):
        page.goto(path)
        assert _placeholders_that_do_not_fit(page) == [], path


def test_ranking_chart_labels_are_not_cut(pages: Any, corpus: dict[str, Any], page_log: PageLog) -> None:
    """Every unit on the ranking's axis is inside the chart; a name too long for the axis is shortened
    there and whole in the bar's hover label; two charts' axes likewise."""
    page = pages("viewer")
    page.goto("/?ind=law_study_sessions")
    page.wait_for_selector('body[data-charts="ready"]')
    ranking = page.evaluate("() => JSON.parse(document.getElementById('dashboard-data').textContent)"
                            ".distribution.ranking")
    assert any(r["issuer"] == LONG_UNIT for r in ranking), [r["issuer"] for r in ranking]
    for chart in ("chart-rank", "chart-regions"):
        cut = page.evaluate("""id => {
            const div = document.getElementById(id);
            const box = div.querySelector('svg.main-svg').getBoundingClientRect();
            return Array.from(div.querySelectorAll('.ytick text')).map(t => [t.textContent, t.getBoundingClientRect()])
                .filter(([, r]) => r.left < box.left - 0.5 || r.right > box.right + 0.5)
                .map(([text, r]) => [text, Math.round(r.left), Math.round(box.left)]);
        }""", chart)
        assert cut == [], (chart, cut)
    ticks = page.eval_on_selector_all("#chart-rank .ytick text", "els => els.map(e => e.textContent)")
    shown = min(len(ranking), 15)
    assert len(ticks) == shown  # one label per bar, none merged
    long_tick = [t for t in ticks if t.startswith(LONG_UNIT[:8])]
    assert len(long_tick) == 1 and "…" in long_tick[0] and long_tick[0].endswith(" 2023"), ticks
    assert len(long_tick[0]) < len(LONG_UNIT + " 2023")
    hover = page.evaluate("() => document.getElementById('chart-rank').data[0].hovertext")
    assert any(h.startswith(LONG_UNIT + " 2023") for h in hover), hover
    assert not [e for e in page_log.errors if "pageerror" in e], page_log.errors


def test_no_page_is_wider_than_an_office_screen(pages: Any, corpus: dict[str, Any], page_log: PageLog) -> None:
    """With long names in the data, no page scrolls sideways at 1366×768 and the bar's controls stay on
    screen; the audit log and user management show them in Chinese."""
    page = pages("admin")
    rid = next(r["id"] for r in corpus["results"] if r["file"] == LONG_FILE)
    for path in (*MAIN_PAGES, f"/reports/{rid}", "/?ind=law_study_sessions"):
        resp = page.goto(path)
        assert resp is not None and resp.status == 200, path
        if path.startswith("/?") or path == "/":
            page.wait_for_selector('body[data-charts="ready"]')
        wide = page.evaluate("() => [document.documentElement.scrollWidth, document.body.scrollWidth]")
        assert max(wide) <= VIEWPORT["width"], (path, wide)
        box = page.locator("#logout-button").bounding_box()
        assert box is not None and box["x"] + box["width"] <= VIEWPORT["width"], path
    page.goto("/admin/audit")
    assert page.locator('#audit-table tr[data-action="report.upload"] .kv[data-key="status"] .val').first \
        .text_content() == "新入库"
    assert page.locator('#audit-table tr[data-action="report.upload_refused"] td.object').first.text_content() \
        .strip() == "报告"
    page.goto("/admin/users")
    row = page.locator('#users-table tr[data-user="ingest-bot"]')
    assert "命令行用户" in row.text_content() and row.locator("form.user-grant-form").is_visible()
    assert not [e for e in page_log.errors if "pageerror" in e or "Content Security Policy" in e], page_log.errors


# =========================================================================== a phone (375×667) and the keyboard
PHONE = {"width": 375, "height": 667}
PHONE_PAGES = (*MAIN_PAGES, "/search?q=法治")


@pytest.fixture(scope="module")
def phone(browser: Any, live_server: LiveServer) -> Any:
    """The administrator (the longest menu) in a phone-sized, touch browser context."""
    from tests.browser.conftest import TIMEOUT_MS, sign_in

    ctx = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="zh-CN", has_touch=True,
                              is_mobile=True, timezone_id="Asia/Shanghai")
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    assert sign_in(page, "admin").status == 303
    page.close()
    yield ctx
    ctx.close()


def _sideways(page: Any) -> int:
    """How far the page scrolls sideways (0: not at all)."""
    return page.evaluate("() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
                         " - document.documentElement.clientWidth")


def test_no_page_scrolls_sideways_on_a_phone(phone: Any, corpus: dict[str, Any], page_log: PageLog) -> None:
    page = page_log.watch(phone.new_page())
    rid = next(r["id"] for r in corpus["results"] if r["file"] == LONG_FILE)
    for path in (*PHONE_PAGES, f"/reports/{rid}"):
        resp = page.goto(path)
        assert resp is not None and resp.status == 200, path
        if path in ("/", "/?ind=law_study_sessions"):
            page.wait_for_selector('body[data-charts="ready"]')
        assert _sideways(page) <= 0, (path, _sideways(page))
    assert not [e for e in page_log.errors if "pageerror" in e or "Content Security Policy" in e], page_log.errors


def test_every_menu_item_and_sign_out_are_reachable_on_a_phone(phone: Any, corpus: dict[str, Any]) -> None:
    page = phone.new_page()
    page.goto("/account")
    button = page.locator("#menu-toggle")
    assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
    links = page.locator("#nav a")
    names = links.all_text_contents()
    assert {"报告库", "督导", "规则与指标", "使用说明"} <= set(names), names
    assert not links.first.is_visible() and not page.locator("#logout-button").is_visible()
    button.tap()
    assert button.get_attribute("aria-expanded") == "true"
    for i in range(links.count()):
        link = links.nth(i)
        link.scroll_into_view_if_needed()
        box = link.bounding_box()
        assert link.is_visible() and box is not None, names[i]
        assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"], (names[i], box)
    out = page.locator("#logout-button")
    out.scroll_into_view_if_needed()
    box = out.bounding_box()
    assert out.is_visible() and box is not None and box["x"] + box["width"] <= PHONE["width"], box
    # a menu item works: 使用说明 opens, and the menu is closed again on the new page
    page.locator('#nav a[data-nav="help"]').tap()
    page.wait_for_url("**/help")
    assert page.locator("#menu-toggle").get_attribute("aria-expanded") == "false"
    # and the keyboard opens and closes it too
    page.locator("#menu-toggle").focus()
    page.keyboard.press("Enter")
    assert page.locator('#nav a[data-nav="help"]').is_visible()
    page.keyboard.press("Escape")
    assert not page.locator('#nav a[data-nav="help"]').is_visible()
    page.close()


def test_the_review_page_on_a_phone_shows_the_text_right_after_its_head(phone: Any, corpus: dict[str, Any]) -> None:
    page = phone.new_page()
    rid = corpus["results"][0]["id"]
    page.goto(f"/reports/{rid}")
    top = {sel: page.locator(sel).bounding_box()["y"] for sel in ("#report-head", "#text-panel", "#parts", "#findings")}
    assert top["#report-head"] < top["#text-panel"] < top["#parts"] < top["#findings"], top
    page.close()


def test_a_values_source_shows_on_a_tap_and_on_keyboard_focus(phone: Any, pages: Any, corpus: dict[str, Any]) -> None:
    """On the comparison table the sentence behind a value is a tooltip for the mouse; a tap (phone) or
    keyboard focus shows it in a box, and a second tap opens the report."""
    page = phone.new_page()
    page.goto("/compare?all=1")
    cell = page.locator("table.compare a[data-source]").first
    source = cell.get_attribute("data-source")
    assert source
    cell.scroll_into_view_if_needed()
    cell.tap()
    tip = page.locator("#source-tip")
    assert tip.is_visible() and source in tip.text_content()
    assert "/compare" in page.url  # the first tap did not leave the page
    cell.tap()
    page.wait_for_url("**/reports/**")
    assert "hl=" in page.url
    page.close()
    desk = pages("viewer")
    desk.goto("/compare?all=1")
    cell = desk.locator("table.compare a[data-source]").first
    cell.focus()
    assert desk.locator("#source-tip").is_visible()
    assert cell.get_attribute("data-source") in desk.locator("#source-tip").text_content()
    desk.keyboard.press("Escape")
    assert desk.locator("#source-tip").count() == 0


def _tabs_until(page: Any, selector: str, limit: int = 80) -> int:
    """Tab presses until the focused element matches ``selector`` (``limit + 1``: never)."""
    for n in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return n
    return limit + 1


def test_the_first_report_is_a_handful_of_keys_away(pages: Any, corpus: dict[str, Any]) -> None:
    """From the top of the report library: the skip links come first, and the first report is reached in a
    few key presses; even by Tab alone, the charts' toolbars add no stops."""
    page = pages("viewer")
    page.goto("/")
    page.wait_for_selector('body[data-charts="ready"]')
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "skip-main"
    assert page.locator("#skip-main").is_visible() and page.locator("#skip-main").text_content() == "跳到正文"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "跳到报告列表"
    page.keyboard.press("Enter")
    first = page.eval_on_selector("#reports-table a.report-link", "a => a.getAttribute('href')")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == first
    # 跳到正文, then Tab: past the filters and the charts' own controls only
    page.goto("/")
    page.wait_for_selector('body[data-charts="ready"]')
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    stops = page.evaluate("""() => Array.from(document.querySelectorAll('#charts .modebar a, #charts .modebar button'))
        .filter(b => b.tabIndex >= 0).length""")
    assert stops == 0
    n = _tabs_until(page, "a.report-link")
    plotted = page.locator(".chart.plotted").count()
    assert plotted >= 3
    assert n <= 20, n  # the filters, the indicator picker and a few links (it was 71 with the toolbars)


def test_the_settings_form_sums_the_weights_and_finds_indicators(pages: Any, corpus: dict[str, Any]) -> None:
    page = pages("admin")
    page.goto("/admin/knowledge/settings")
    weights = page.locator("#weights-table input.in-weight")
    values = [float(v) for v in weights.evaluate_all("els => els.map(e => e.value)")]
    assert float(page.text_content("#weight-total")) == sum(values)
    weights.first.fill(str(values[0] + 10))
    assert float(page.text_content("#weight-total")) == sum(values) + 10
    page.fill("#catalogue-filter", "学法")
    rows = page.locator("#catalogue tr[data-indicator]:visible")
    assert rows.count() >= 1
    assert all("学法" in t for t in rows.all_text_contents())
