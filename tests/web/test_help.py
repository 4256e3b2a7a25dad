"""使用说明 (/help): one Markdown text (docs/使用说明.md) shown as a page to every signed-in user, naming every
page of the navigation, the roles and how to read a score."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from fazhi.web.routes import help as help_route
from tests.web.conftest import Web, login_as

pytestmark = pytest.mark.web

DOC = Path(__file__).resolve().parents[2] / "docs" / "使用说明.md"
#: what the navigation of base.html.j2 offers (office users and unit users): each must be explained
NAV_PAGES = ("报告库", "搜索", "上传", "对比", "督导", "考核", "督察整改", "年报报送", "我的任务", "我的考核", "我的整改",
             "年度报告", "用户管理", "审计日志", "规则与指标", "API")
ROLES = ("管理员", "审核员", "查看", "单位用户", "填报", "主要负责人", "评分责任单位")


def page_text(body: str) -> str:
    """The visible text of the page's article."""
    article = re.search(r'<article class="card help-text" id="help-text"[^>]*>(.*?)</article>', body, re.S)
    assert article, body[:500]
    return html.unescape(re.sub(r"<[^>]+>", "", article.group(1)))


def test_the_page_and_the_document_are_one_text():
    assert help_route.source_text() == DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("role", ["viewer", "reviewer", "admin"])
def test_every_signed_in_user_reads_the_manual_with_its_contents(app, role):
    w = login_as(app, "读者", role)
    r = w.get("/help")
    assert r.status_code == 200
    text = page_text(r.text)
    sections = [h.strip() for h in re.findall(r"^## (.+)$", DOC.read_text(encoding="utf-8"), re.M)]
    assert len(sections) >= 5
    toc = [html.unescape(t) for t in re.findall(r'<nav class="card help-toc[^>]*>.*?</nav>', r.text, re.S)]
    assert toc
    for title in sections:
        assert title in text and title in toc[0], title
        # each section is a heading the contents link to
        hid = re.search(r'<h2 id="([^"]+)">' + re.escape(html.escape(title, quote=False)) + "</h2>", r.text)
        assert hid and f'href="#{hid.group(1)}"' in toc[0], title
    assert 'data-nav="help" aria-current="page"' in r.text


def test_the_manual_explains_every_page_of_the_navigation_the_roles_and_the_score(app):
    text = page_text(login_as(app, "读者", "viewer").get("/help").text)
    missing = [p for p in NAV_PAGES if p not in text]
    assert not missing, missing
    assert not [r for r in ROLES if r not in text]
    # how to read a score: the five dimensions of the packaged rules, with their weights
    from fazhi import knowledge

    dims = knowledge.files()["rules"]["score"]
    for d in dims.values():
        row = re.search(re.escape(d["label"]) + r"\s*(\d+)", text)
        assert row and int(row.group(1)) == d["weight"], d
    # and the labels a clerk reads on the review page
    for label in ("单列", "散见", "缺失", "错误", "警告", "提示"):
        assert label in text


def test_anonymous_visitors_are_sent_to_sign_in(app):
    r = Web(app).get("/help", follow_redirects=False)
    assert r.status_code in (302, 303, 401) and "login" in r.headers.get("location", "/login")


def test_html_in_the_text_is_shown_as_text(monkeypatch):
    monkeypatch.setattr(help_route, "source_text", lambda: "## 标题\n\n<script>alert(1)</script>\n\n- 一 <b>二</b>\n")
    help_route.rendered.cache_clear()
    try:
        body, toc = help_route.rendered()
    finally:
        help_route.rendered.cache_clear()
    assert "<script>" not in body and "&lt;script&gt;" in body and "<b>" not in body
    assert toc == (("s1", "标题"),)
