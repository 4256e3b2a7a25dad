"""The web application in a real browser (Debian Chromium, headless, driven by Playwright), over HTTP.

The server, the browser and one signed-in context per role are made once for
the module (see ``conftest.py``); every test opens its own pages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.browser.conftest import PASSWORD, LiveServer, PageLog, sign_in

# the five samples: 中站区 (焦作市), 平桥区 (信阳市), 辛集乡 (平顶山市), 前进区 (佳木斯市), 解放区民主街道 (焦作市)
ZHONGZHAN, PINGQIAO, XINJI, QIANJIN, JIEFANG = "000", "001", "002", "003", "004"
SHEETS = ["指标数据", "指标明细", "审查意见", "必备内容"]


def sid(seed_ids: dict[str, int], prefix: str) -> int:
    return next(v for k, v in seed_ids.items() if k.startswith(prefix + "_"))


def listed_ids(page: Any) -> set[int]:
    return {int(x) for x in page.eval_on_selector_all("#reports-table tbody tr[data-report-id]",
                                                      "els => els.map(e => e.dataset.reportId)")}


def csrf(page: Any) -> str:
    return page.get_attribute('meta[name="csrf-token"]', "content") or ""


# =========================================================================== login
def test_login_form_refuses_a_wrong_password(browser: Any, live_server: LiveServer, page_log: PageLog) -> None:
    ctx = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        page = page_log.watch(ctx.new_page())
        resp = sign_in(page, "reviewer", "not-the-password")
        assert resp.status == 401
        assert "用户名或密码错误" in page.text_content("#login-error")
        assert page.locator("#current-user").count() == 0
        # the pages need a signed-in user: back to the login form, with where to go next
        page.goto("/compare")
        assert re.search(r"/login\?next=%2Fcompare$", page.url)
        resp = sign_in(page, "reviewer", PASSWORD, next=None)
        assert resp.status == 303
        assert page.url == live_server.url + "/compare"
        assert page.locator("#current-user").get_attribute("data-role") == "reviewer"
        assert not page_log.dialogs
    finally:
        ctx.close()


# =========================================================================== upload
def test_reviewer_uploads_the_five_samples_through_the_file_input(uploaded: dict[str, Any], seed_paths: list[Path],
                                                                  live_server: LiveServer) -> None:
    items = {k: v for k, v in uploaded.items() if not k.startswith("_")}
    assert set(items) == {p.stem for p in seed_paths}
    for stem, it in items.items():
        assert it["state"] == "done", (stem, it)
        assert it["status"] == "已入库", (stem, it)
        assert it["progress"] == 100
        assert it["id"], (stem, it)
    assert len({it["id"] for it in items.values()}) == len(items)
    assert "成功 5，失败 0" in uploaded["_summary"]
    # stored, as the API (administrator's token) sees it
    got = live_server.api("GET", "/api/reports?limit=500").json()
    assert {it["id"] for it in items.values()} <= {r["id"] for r in got["items"]}


def test_uploaded_reports_are_listed_and_open(pages: Any, seed_ids: dict[str, int]) -> None:
    page = pages("reviewer")
    page.goto("/")
    assert set(seed_ids.values()) <= listed_ids(page)
    # open one review from the list
    rid = sid(seed_ids, ZHONGZHAN)
    page.click(f'#reports-table tr[data-report-id="{rid}"] a.report-link')
    page.wait_for_url(f"**/reports/{rid}")
    assert "中站区" in page.text_content("#report-title")
    assert "焦作市" in page.text_content("#report-issuer")
    for sel in ("#outline", "#parts-table", "#facts-table", "#findings", "#score-table", "#report-text"):
        assert page.locator(sel).is_visible(), sel
    assert page.locator("#parts-table tr[data-part]").count() == 4


# =========================================================================== review: click a figure
def _highlight(page: Any) -> dict[str, Any]:
    return page.evaluate("""() => {
        const hl = Array.from(document.querySelectorAll('#report-text .seg.hl'));
        return {n: hl.length, text: hl.map(e => e.textContent).join(''),
                state: document.getElementById('report-text').dataset.highlight || null,
                active: Array.from(document.querySelectorAll('.fact-link.active')).map(a => a.id)};
    }""")


def test_clicking_a_figure_highlights_its_sentence(pages: Any, seed_ids: dict[str, int], page_log: PageLog) -> None:
    page = pages("reviewer")
    page.goto(f"/reports/{sid(seed_ids, ZHONGZHAN)}")
    assert page.locator("#report-text .seg.hl").count() == 0
    rows = page.locator("#facts-table tbody tr.fact-row")
    assert rows.count() >= 5
    # a figure far down the table, so the text has to scroll to it
    for i in (rows.count() - 1, 0):
        row = rows.nth(i)
        link = row.locator("a.fact-link")
        sentence = row.locator("td.clip").text_content().strip()
        start, end = link.get_attribute("data-start"), link.get_attribute("data-end")
        link.click()
        page.wait_for_function(f"document.getElementById('report-text').dataset.highlight === '{start}-{end}'")
        hl = _highlight(page)
        assert hl["n"] >= 1
        assert hl["text"] == sentence  # exactly the figure's sentence, nothing more
        assert link.text_content().strip()[:1] in sentence  # the number shown is in it
        assert hl["active"] == [link.get_attribute("id")]  # the clicked figure is marked, only it
        assert page.url.endswith(f"?hl={start}-{end}")
        first = page.locator("#report-text .seg.hl").first
        assert first.is_visible()
        # scrolled into view: inside the text panel's box and inside the window
        box = page.evaluate("""() => {
            const e = document.querySelector('#report-text .seg.hl').getBoundingClientRect();
            const p = document.getElementById('report-text').getBoundingClientRect();
            return {top: e.top, bottom: e.bottom, ptop: p.top, pbottom: p.bottom, h: window.innerHeight};
        }""")
        assert box["ptop"] - 1 <= box["top"] and box["bottom"] <= box["pbottom"] + 1, box
        assert 0 <= box["top"] and box["bottom"] <= box["h"], box
        # the highlight looks different from the text around it
        bg = first.evaluate("e => getComputedStyle(e).backgroundColor")
        plain = page.locator("#report-text .seg:not(.hl)").first.evaluate("e => getComputedStyle(e).backgroundColor")
        assert bg != plain, (bg, plain)
    assert not page_log.errors, page_log.errors


def test_highlight_link_works_without_javascript(browser: Any, live_server: LiveServer,
                                                 seed_ids: dict[str, int]) -> None:
    """The figure links are real links: the server renders the highlighted sentence (?hl=)."""
    ctx = browser.new_context(base_url=live_server.url, java_script_enabled=False, viewport={"width": 1366,
                                                                                             "height": 768})
    try:
        page = ctx.new_page()
        sign_in(page, "viewer")
        page.goto(f"/reports/{sid(seed_ids, XINJI)}")
        link = page.locator("a.fact-link").first
        sentence = page.locator("#facts-table tbody tr.fact-row td.clip").first.text_content().strip()
        link.click()
        page.wait_for_load_state()
        assert "?hl=" in page.url
        text = "".join(page.eval_on_selector_all("#report-text .seg.hl", "els => els.map(e => e.textContent)"))
        assert text == sentence
    finally:
        ctx.close()


# =========================================================================== dashboard
def test_dashboard_draws_the_charts(pages: Any, seed_ids: dict[str, int], page_log: PageLog) -> None:
    page = pages("viewer")
    page.goto("/")
    page.wait_for_selector('body[data-charts="ready"]')
    assert int(page.text_content("#kpi-reports")) >= 5
    for chart in ("chart-years", "chart-levels", "chart-regions", "chart-parts", "chart-dist", "chart-rank",
                  "chart-scores"):
        svg = page.locator(f"#{chart} svg.main-svg").first
        assert svg.is_visible(), chart
        assert page.locator(f"#{chart} g.trace").count() > 0, chart
        assert page.locator(f"#{chart} g.point, #{chart} path.point").count() > 0, chart
    # bars of the years chart: the samples are of 2023
    ticks = page.eval_on_selector_all("#chart-years .xtick text", "els => els.map(e => e.textContent)")
    assert "2023" in ticks
    # the data tables the charts replace are gone (they stay without JavaScript)
    assert page.locator("#chart-years table").count() == 0
    assert not [e for e in page_log.errors if "pageerror" in e], page_log.errors


def test_dashboard_charts_work_under_the_csp(pages: Any, seed_ids: dict[str, int], page_log: PageLog) -> None:
    """plotly.js under the strict CSP (style-src 'self'): its stylesheet must come from this site, or each
    chart's extra SVG layers spill out of their card and cover the report list (seen, and fixed, while
    this suite was written)."""
    page = pages("viewer")
    page.goto("/")
    page.wait_for_selector('body[data-charts="ready"]')
    # every chart's layers stay inside its card
    spill = page.evaluate("""() => Array.from(document.querySelectorAll('.chart-card')).flatMap(card => {
        const c = card.getBoundingClientRect();
        return Array.from(card.querySelectorAll('svg.main-svg')).filter(s => {
            const r = s.getBoundingClientRect();
            return r.bottom > c.bottom + 1 || r.right > c.right + 1;
        }).map(s => card.querySelector('.chart') ? card.querySelector('.chart').id : '?');
    })""")
    # the report links below the charts take clicks
    rid = sid(seed_ids, XINJI)
    page.locator(f'#reports-table tr[data-report-id="{rid}"] a.report-link').click(trial=True, timeout=3000)
    assert not spill, spill
    assert not page_log.csp_violations(), page_log.csp_violations()[:2]


def test_nothing_is_loaded_from_outside(pages: Any, seed_ids: dict[str, int], live_server: LiveServer) -> None:
    page = pages("reviewer")
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    for path in ("/", f"/reports/{sid(seed_ids, QIANJIN)}", "/compare", "/upload"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert urls
    outside = [u for u in urls if not u.startswith(live_server.url) and not u.startswith("data:")]
    assert not outside, outside


# =========================================================================== compare and export
def test_compare_page_downloads_the_xlsx(pages: Any, seed_ids: dict[str, int], tmp_path: Path) -> None:
    import openpyxl

    page = pages("reviewer")
    page.goto("/compare")
    rows = {int(x) for x in page.eval_on_selector_all("#compare-table tbody tr[data-report-id]",
                                                      "els => els.map(e => e.dataset.reportId)")}
    assert set(seed_ids.values()) <= rows
    with page.expect_download() as info:
        page.click("#download-xlsx")
    dl = info.value
    assert dl.failure() is None
    assert dl.suggested_filename.endswith(".xlsx")
    path = tmp_path / dl.suggested_filename
    dl.save_as(path)
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        assert wb.sheetnames == SHEETS
        data = list(wb["指标数据"].iter_rows(values_only=True))
        assert len(data) - 1 >= len(seed_ids)  # a header, then a row per report
        flat = " ".join(str(c) for r in data for c in r if c is not None)
        assert "中站区" in flat and "前进区" in flat
    finally:
        wb.close()
    with page.expect_download() as info:
        page.click("#download-csv")
    assert info.value.suggested_filename.endswith(".csv")


# =========================================================================== roles
def test_viewer_sees_no_upload_control_and_is_refused(pages: Any, seed_ids: dict[str, int], seed_paths: list[Path],
                                                      live_server: LiveServer) -> None:
    page = pages("viewer")
    page.goto("/")
    assert page.locator("#current-user").get_attribute("data-role") == "viewer"
    assert page.locator('#nav a[data-nav="upload"]').count() == 0
    assert page.locator('a[href="/upload"]').count() == 0
    assert page.locator('input[type="file"]').count() == 0
    # no delete button on a review, no export on compare
    page.goto(f"/reports/{sid(seed_ids, ZHONGZHAN)}")
    assert page.locator("#delete-report").count() == 0
    page.goto("/compare")
    assert page.locator("#download-xlsx").count() == 0
    assert page.locator("#export-note").is_visible()
    # typing the address: 403, and no file input
    resp = page.goto("/upload")
    assert resp is not None and resp.status == 403
    assert page.locator('input[type="file"]').count() == 0
    assert "权限不足" in page.content()
    before = live_server.api("GET", "/api/reports?limit=1").json()["total"]
    # posting anyway, over HTTP with the viewer's session and a valid CSRF token
    page.goto("/")
    token = csrf(page)
    assert token
    data = seed_paths[0].read_bytes()
    files = {"files": {"name": "viewer.txt", "mimeType": "text/plain", "buffer": data + b"\n"}}
    r = page.request.post("/api/reports", multipart=files, headers={"X-CSRF-Token": token})
    assert r.status == 403, r.text()
    assert "权限不足" in r.json()["detail"]
    r = page.request.post("/upload", multipart={**files, "csrf_token": token})
    assert r.status == 403
    r = page.request.get("/api/compare.xlsx")
    assert r.status == 403
    assert live_server.api("GET", "/api/reports?limit=1").json()["total"] == before


def test_jiaozuo_reviewer_sees_only_jiaozuo(pages: Any, seed_ids: dict[str, int]) -> None:
    page = pages("jiaozuo")
    zhongzhan, jiefang = sid(seed_ids, ZHONGZHAN), sid(seed_ids, JIEFANG)
    outside = [sid(seed_ids, p) for p in (PINGQIAO, XINJI, QIANJIN)]
    page.goto("/")
    assert "焦作市" in page.text_content("#current-user")
    assert "焦作市" in page.text_content("#scope-note")
    ids = listed_ids(page)
    assert {zhongzhan, jiefang} <= ids
    assert not ids & set(outside), ids
    assert "平桥区" not in page.text_content("#reports-table")
    # the compare table and the API list are scoped the same way
    page.goto("/compare")
    rows = {int(x) for x in page.eval_on_selector_all("#compare-table tbody tr[data-report-id]",
                                                      "els => els.map(e => e.dataset.reportId)")}
    assert {zhongzhan, jiefang} <= rows and not rows & set(outside)
    listed = page.request.get("/api/reports?limit=500").json()
    assert {zhongzhan, jiefang} <= {r["id"] for r in listed["items"]}
    assert not {r["id"] for r in listed["items"]} & set(outside)
    # in scope: opens
    for rid in (zhongzhan, jiefang):
        resp = page.goto(f"/reports/{rid}")
        assert resp is not None and resp.status == 200
    # 信阳市 (平桥区) by direct address: does not exist for this user
    pingqiao = sid(seed_ids, PINGQIAO)
    resp = page.goto(f"/reports/{pingqiao}")
    assert resp is not None and resp.status == 404
    assert "平桥区" not in page.content()
    for path in (f"/api/reports/{pingqiao}", f"/api/reports/{pingqiao}/facts", f"/api/reports/{pingqiao}/findings",
                 f"/reports/{pingqiao}/similar"):
        r = page.request.get(path)
        assert r.status == 404, (path, r.status)
        assert "平桥区" not in r.text()
    # the xlsx of this reviewer holds only 焦作市
    r = page.request.get("/api/compare.xlsx")
    assert r.status == 200
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(r.body()), read_only=True)
    flat = " ".join(str(c) for row in wb["指标数据"].iter_rows(values_only=True) for c in row if c is not None)
    wb.close()
    assert "中站区" in flat and "平桥区" not in flat and "前进区" not in flat


def test_jiaozuo_reviewer_cannot_upload_a_xinyang_report(pages: Any, seed_paths: list[Path],
                                                        seed_ids: dict[str, int]) -> None:
    page = pages("jiaozuo")
    page.goto("/upload")
    src = next(p for p in seed_paths if p.name.startswith(PINGQIAO + "_"))
    page.set_input_files("#upload-input", [{"name": "平桥区-副本.txt", "mimeType": "text/plain",
                                            "buffer": src.read_bytes() + "\n（副本）\n".encode()}])
    page.wait_for_selector('#upload-summary[data-done="1"]')
    li = page.locator("#upload-list li.upload-item").first
    assert li.get_attribute("data-status") == "failed"
    assert "不在您的管辖范围" in li.locator(".upload-detail").text_content()


def test_drag_and_drop_uploads_with_an_error_per_file(pages: Any, seed_paths: list[Path]) -> None:
    page = pages("reviewer")
    page.goto("/upload")
    page.wait_for_selector('#upload-form[data-enhanced="1"]')
    src = next(p for p in seed_paths if p.name.startswith(XINJI + "_"))
    dt = page.evaluate_handle("""(text) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], '辛集乡（拖放）.txt', {type: 'text/plain'}));
        dt.items.add(new File([new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0])],
                              'setup.txt', {type: 'text/plain'}));
        return dt;
    }""", src.read_text(encoding="utf-8") + "\n（拖放上传）\n")
    page.dispatch_event("#dropzone", "dragover", {"dataTransfer": dt})
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": dt})
    page.wait_for_selector('#upload-summary[data-done="2"]')
    items = page.locator("#upload-list li.upload-item")
    assert items.count() == 2
    by_name = {items.nth(i).get_attribute("data-file-name"): items.nth(i) for i in range(2)}
    ok, bad = by_name["辛集乡（拖放）.txt"], by_name["setup.txt"]
    assert ok.get_attribute("data-status") == "done"
    assert ok.locator("a.report-link").is_visible()
    assert bad.get_attribute("data-status") == "failed"
    assert bad.locator(".upload-error").is_visible()
    assert bad.locator(".upload-error").text_content().strip()
    assert "成功 1，失败 1" in page.text_content("#upload-summary")


# =========================================================================== escaping
XSS_NAME = "<img src=x onerror=alert(1)>报告.txt"  # (no '"': browsers send it as %22)
XSS_LINE = '<script>alert("xss")</script><img src=x onerror=alert(2)>'


def test_script_in_report_text_and_file_name_shows_as_text(pages: Any, seed_paths: list[Path],
                                                           page_log: PageLog) -> None:
    src = next(p for p in seed_paths if p.name.startswith(ZHONGZHAN + "_"))
    lines = src.read_text(encoding="utf-8").split("\n")
    lines.insert(6, XSS_LINE)
    page = pages("reviewer")
    page.goto("/upload")
    page.set_input_files("#upload-input", [{"name": XSS_NAME, "mimeType": "text/plain",
                                            "buffer": "\n".join(lines).encode("utf-8")}])
    page.wait_for_selector('#upload-summary[data-done="1"]', timeout=60_000)
    li = page.locator("#upload-list li.upload-item").first
    assert li.get_attribute("data-status") == "done", li.text_content()
    assert li.locator(".file-name").text_content() == XSS_NAME
    assert page.locator("#upload-list img").count() == 0
    rid = int(li.get_attribute("data-report-id"))
    page.goto(f"/reports/{rid}")
    page.wait_for_load_state("networkidle")
    text = page.locator("#report-text")
    shown = text.text_content()
    # (normalised: ASCII brackets and quotes become full-width; the tags stay as typed)
    assert "<script>alert" in shown and "</script><img src=x onerror=alert" in shown, shown[:400]
    assert text.locator("script, img").count() == 0
    assert page.locator("#report-source").text_content().startswith(XSS_NAME)
    assert page.locator("main img").count() == 0
    # the audit of the upload shows the name as text too
    assert not page_log.dialogs
    admin = pages("admin")
    admin.goto("/admin/audit")
    assert admin.locator("main img").count() == 0
    assert not page_log.dialogs


def test_upload_without_javascript_shows_the_results_page(browser: Any, live_server: LiveServer,
                                                          seed_paths: list[Path]) -> None:
    """Every page works without JavaScript: the plain form posts to /upload and the results page
    names each file (escaped)."""
    ctx = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    log = PageLog()
    try:
        page = log.watch(ctx.new_page())
        sign_in(page, "reviewer")
        page.goto("/upload")
        src = next(p for p in seed_paths if p.name.startswith(QIANJIN + "_"))
        page.set_input_files("#upload-input", [
            {"name": "前进区<b>加粗<b>.txt", "mimeType": "text/plain", "buffer": src.read_bytes() + b"\n\n"},
            {"name": "not-a-report.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00" + b"\x00" * 200},
        ])
        with page.expect_navigation():
            page.click("#upload-submit")
        assert "上传结果" in page.title()
        rows = page.locator("#upload-results-table tr.upload-result")
        assert rows.count() == 2
        assert rows.nth(0).get_attribute("data-status") == "created"
        assert rows.nth(0).locator(".file-name").text_content() == "前进区<b>加粗<b>.txt"  # no '/': names
        # are cut to their last path component
        assert page.locator("#upload-results-table b").count() == 0
        assert rows.nth(1).get_attribute("data-status") == "error"
        assert rows.nth(1).get_attribute("data-code") == "415"
    finally:
        ctx.close()
    assert not log.dialogs


# =========================================================================== an office screen
PAGES_1366 = ("/", "/upload", "/compare", "/account", "/admin/users", "/admin/audit", "/admin/knowledge", "/api/docs",
              "/similar")


def test_pages_fit_an_office_screen(pages: Any, seed_ids: dict[str, int], page_log: PageLog) -> None:
    """At 1366×768 no page scrolls sideways (the wide compare table scrolls inside its own box) and the
    navigation is on screen."""
    page = pages("admin")
    for path in (*PAGES_1366, f"/reports/{sid(seed_ids, PINGQIAO)}", f"/reports/{sid(seed_ids, ZHONGZHAN)}/similar"):
        resp = page.goto(path)
        assert resp is not None and resp.status == 200, path
        wide = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert wide[0] <= wide[1], (path, wide)
        nav = page.locator("#nav").bounding_box()
        assert nav is not None and nav["x"] + nav["width"] <= 1366, path
        assert page.locator("#logout-button").is_visible(), path
    assert not [e for e in page_log.errors if "pageerror" in e or "Content Security Policy" in e], page_log.errors


def test_upload_page_hides_the_plain_submit_button_once_enhanced(pages: Any) -> None:
    """With JavaScript the files go up as soon as they are chosen: the form's own submit button is hidden
    (it stayed visible while app.css gave buttons `display: inline-block` over `[hidden]`)."""
    page = pages("reviewer")
    page.goto("/upload")
    page.wait_for_selector('#upload-form[data-enhanced="1"]')
    assert page.locator("#upload-submit").get_attribute("hidden") is not None
    assert not page.locator("#upload-submit").is_visible()


def test_dashboard_similar_pairs_card_stays_compact(pages: Any, seed_paths: list[Path], seed_ids: dict[str, int],
                                                    live_server: LiveServer) -> None:
    """Shared passages of near-duplicates are most of a report: the card must not grow with them (it
    did, to ~16,000 px with 45 reports, before its body got a bounded height)."""
    # a near-copy of the 前进区 report by another unit (佳木斯市向阳区), stored behind the browser's back
    src = next(p for p in seed_paths if p.name.startswith(QIANJIN + "_"))
    copy = src.read_text(encoding="utf-8").replace("前进区", "向阳区")
    r = live_server.api("POST", "/api/reports?brief=1", files={"files": ("向阳区.txt", copy.encode("utf-8"),
                                                                          "text/plain")})
    assert r.status_code in (200, 201), r.text
    page = pages("viewer")
    page.goto("/")
    page.wait_for_selector('#similar-pairs[data-status="200"]')
    assert page.locator("#similar-pairs .pair").count() >= 1
    height = page.locator("#similar-pairs").bounding_box()["height"]
    assert height <= 900, f"the similar-pairs card is {height:.0f} px tall"


# =========================================================================== 规则与指标
def test_admin_uploads_and_activates_a_rules_version_then_goes_back(pages: Any, live_server: LiveServer,
                                                                  page_log: PageLog, tmp_path: Path) -> None:
    """The administrator opens 规则与指标 from the navigation, uploads a rules.yaml through the file input
    with 上传后立即启用, sees it in effect (the API agrees), and goes back to the packaged rules."""
    from fazhi import knowledge

    text = knowledge.packaged_path("rules").read_text(encoding="utf-8").replace(
        'version: "2024.1"', 'version: "2024.1-浏览器"', 1)
    f = tmp_path / "rules.yaml"
    f.write_text(text, encoding="utf-8")
    page = pages("admin")
    page.goto("/account")
    page.click('#nav a[data-nav="knowledge"]')
    page.wait_for_load_state()
    assert page.url == live_server.url + "/admin/knowledge"
    assert page.get_attribute("#knowledge-rules", "data-active") == ""
    page.select_option("#knowledge-name", "rules")
    page.set_input_files("#knowledge-file", str(f))
    page.fill("#knowledge-note", "浏览器里上传")
    page.check("#knowledge-activate")
    page.click("#knowledge-upload-submit")
    page.wait_for_load_state()
    assert "已启用该版本" in (page.text_content("#knowledge-message") or "")
    assert page.get_attribute("#knowledge-rules", "data-active") == "2024.1-浏览器"
    assert "浏览器里上传" in (page.text_content("#knowledge-rules") or "")
    rules = next(x for x in live_server.api("GET", "/api/knowledge").json()["files"] if x["name"] == "rules")
    assert rules["active"]["version"] == "2024.1-浏览器" and rules["active"]["activated_by"] == "admin"
    page.click("#knowledge-rules button.deactivate")
    page.wait_for_load_state()
    assert page.get_attribute("#knowledge-rules", "data-active") == ""
    rules = next(x for x in live_server.api("GET", "/api/knowledge").json()["files"] if x["name"] == "rules")
    assert rules["active"] is None and len(rules["versions"]) == 1
    assert not [e for e in page_log.errors if "pageerror" in e or "Content Security Policy" in e], page_log.errors
