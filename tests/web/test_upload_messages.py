"""What a clerk reads when an upload is refused: Chinese, with the advice in Chinese; the English reason
stays in ``reason`` for scripts.  And the review page keeps rule codes out of the text (a tooltip)."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import JIAOZUO, login_as, report_text

pytestmark = pytest.mark.web

#: names that stay as they are in Chinese advice: formats and units
KEPT = {"doc", "docx", "wps", "txt", "pdf", "html", "md", "Office", "OCR", "MB", "KB"}

CASES = [
    ("空.txt", b"", "空文件"),
    ("程序.exe", b"MZ\x90\x00" + b"\x00" * 200, "请上传 .txt、.docx、.pdf（含文字层）、.html 或 .md 格式的报告"),
    ("旧版.doc", bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600, "请另存为 .docx"),
    ("大.txt", ("法治" * 50_000).encode("utf-8"), "单个文件上限 0.2 MB"),
]


@pytest.mark.parametrize(("name", "data", "advice"), CASES)
def test_a_refused_upload_says_why_in_chinese(app, name, data, advice):
    w = login_as(app, "审核员", "reviewer")
    r = w.upload([(name, data)], csrf=w.csrf())
    res = r.json()["results"][0]
    assert res["ok"] is False and advice in res["error"], res
    english = set(re.findall(r"[A-Za-z]+", res["error"])) - KEPT
    assert not english, res["error"]
    assert res["reason"] and res["reason"] not in res["error"]  # the English reason, for scripts
    # the upload page's result table shows the same words
    page = w.post("/upload", data={"csrf_token": w.csrf("/upload")},
                  files=[("files", (name, data, "application/octet-stream"))])
    assert res["error"] in page.text


def test_the_review_page_shows_findings_in_chinese_with_the_rule_as_a_tooltip(app):
    w = login_as(app, "审核员", "reviewer")
    text = report_text(JIAOZUO).replace("主要原因是重视程度不够。", "")
    r = w.upload([("报告.txt", text.encode("utf-8"))], csrf=w.csrf(), brief=False)
    review = r.json()["results"][0]["review"]
    f = next(f for f in review["findings"] if f["rule"] == "shortcomings.no_causes")
    page = w.get(f"/reports/{review['id']}").text
    item = re.search(r'<li class="finding[^"]*" data-rule="shortcomings.no_causes"[^>]*>(.*?)</li>', page, re.S)
    assert item, page[:300]
    visible = re.sub(r"<[^>]+>", "", item.group(1))
    assert f["message"] in visible.replace("&#34;", '"') or f["message"][:10] in visible
    assert "shortcomings.no_causes" not in visible
    assert 'title="规则 shortcomings.no_causes"' in item.group(1)
