"""Screenshots of the web application's main pages at 1366×768 (an office screen), for docs/screenshots/.

    .venv/bin/python tools/screenshots.py [--out docs/screenshots] [--generated 40]

Starts ``fazhi.web.app:app_from_env`` with uvicorn on 127.0.0.1 (a free port)
over a temporary SQLite database holding the five sample reports
(``../shared/seeds``, else the bundled examples) and ``--generated``
synthetic ones, signs in through the login form with a temporary
administrator account, and saves, with Debian's Chromium driven headless by
Playwright:

    01-login.png         the login form
    02-upload.png        the upload page after two files went through the file input
    03-review.png        a review with a figure clicked and its sentence highlighted
    04-dashboard.png     the corpus dashboard with its charts
    05-compare.png       the compare table with the export buttons
    06-admin-users.png   user management
    07-admin-knowledge.png  规则与指标 after a local rules version was uploaded and activated
    08-admin-audit.png   the audit log

Each is the 1366×768 viewport, as a person sees it without scrolling.
Nothing is fetched from outside the machine.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--lang=zh-CN"]
VIEWPORT = {"width": 1366, "height": 768}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--generated", type=int, default=40, help="synthetic reports stored besides the samples")
    ap.add_argument("--chromium", default=CHROMIUM)
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from fazhi.bench.corpus_gen import write_corpus
    from fazhi.bench.http import default_seeds, make_account, seed_database, start_server, wait_until_idle

    args.out.mkdir(parents=True, exist_ok=True)
    seeds = default_seeds()
    with tempfile.TemporaryDirectory(prefix="fazhi-shots-") as tmp_s:
        tmp = Path(tmp_s)
        url = f"sqlite:///{tmp / 'fazhi.sqlite'}"
        # the samples but two, which are uploaded through the page
        corpus = write_corpus(tmp / "corpus", args.generated, seed=7) if args.generated else []
        seed_database(url, [*seeds[:-2], *corpus], workers=0 if len(corpus) < 20 else 2)
        password = secrets.token_urlsafe(12)
        make_account(url, "admin", "admin", password)
        make_account(url, "zhang.wei", "reviewer", password, region="焦作市")
        make_account(url, "li.na", "viewer", password)
        with start_server(url, workers=1, log_path=tmp / "server.log") as server, sync_playwright() as pw:
            wait_until_idle(server)
            browser = pw.chromium.launch(executable_path=args.chromium, headless=True, args=LAUNCH_ARGS)
            ctx = browser.new_context(base_url=server.url, viewport=VIEWPORT, locale="zh-CN",
                                      timezone_id="Asia/Shanghai", device_scale_factor=1)
            ctx.set_default_timeout(60_000)
            page = ctx.new_page()
            page.on("dialog", lambda d: d.dismiss())

            def shot(name: str) -> None:
                page.wait_for_load_state("networkidle")
                path = args.out / name
                page.screenshot(path=str(path))
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)

            page.goto("/login")
            page.fill("#username", "admin")
            shot("01-login.png")
            page.fill("#password", password)
            page.click("#login-submit")
            page.wait_for_load_state()

            page.goto("/upload")
            page.set_input_files("#upload-input", [str(p) for p in seeds[-2:]])
            page.wait_for_selector('#upload-summary[data-done="2"]')
            shot("02-upload.png")

            rid = page.locator("#upload-list li.upload-item").first.get_attribute("data-report-id")
            page.goto(f"/reports/{rid}")
            rows = page.locator("#facts-table a.fact-link")
            rows.nth(min(3, rows.count() - 1)).click()
            page.wait_for_selector("#report-text .seg.hl")
            # the page back to its top (the report's head in view); the text box keeps the sentence in view
            page.evaluate("window.scrollTo(0, 0)")
            shot("03-review.png")

            page.goto("/")
            page.wait_for_selector('body[data-charts="ready"]')
            shot("04-dashboard.png")

            page.goto("/compare")
            shot("05-compare.png")

            page.goto("/admin/users")
            shot("06-admin-users.png")

            page.goto("/admin/knowledge")
            page.select_option("#knowledge-name", "rules")
            page.fill("#knowledge-content", _local_rules())
            page.fill("#knowledge-note", "“不足未分析原因”改为错误（本省要求）")
            page.check("#knowledge-activate")
            page.click("#knowledge-upload-submit")
            page.wait_for_load_state()
            page.goto("/admin/knowledge")
            shot("07-admin-knowledge.png")

            page.goto("/admin/audit")
            shot("08-admin-audit.png")
            browser.close()
    return 0


def _local_rules() -> str:
    """The packaged rules.yaml as a province might change it: one rule made an error, a new version."""
    import yaml

    from fazhi import knowledge

    data = yaml.safe_load(knowledge.packaged_path("rules").read_text(encoding="utf-8"))
    data["version"] = f"{data['version']}-豫"
    for r in data["rules"]:
        if r["id"] == "shortcomings.no_causes":
            r["severity"] = "error"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


if __name__ == "__main__":
    sys.exit(main())
