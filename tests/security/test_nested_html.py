"""Deeply nested HTML (issue 8, defect 12): a page is read whole, or refused with a reason that names the
nesting — never reviewed on part of its text as if that were all."""

from __future__ import annotations

from typing import Any

from tests.security.conftest import Web, add_token, add_user

FIRST = ("<h1>广州市天河区人民政府关于2023年度法治政府建设情况的报告</h1>"
         "<p>一、2023年推进法治政府建设的主要举措和成效</p><p>全年组织集中学法4次，办理行政复议案件12件。</p>")
SECOND = ("<p>二、存在的不足和原因</p><p>一是法治宣传不够深入。主要原因是重视程度不够。</p>"
          "<p>三、党政主要负责人履行推进法治建设第一责任人职责情况</p><p>主要负责人带头学法，研究法治工作3次。</p>"
          "<p>四、2024年工作安排</p><p>一是加强法治宣传。</p>")


def _page(depth: int) -> bytes:
    """The report's first part plainly, its second half inside ``depth`` nested ``<div>`` elements."""
    return (f"<!doctype html><html><body><article>{FIRST}{'<div>' * depth}{SECOND}{'</div>' * depth}"
            "</article></body></html>").encode()


def _admin(app: Any) -> dict[str, str]:
    add_user(app, "admin", "admin")
    return {"Authorization": f"Bearer {add_token(app, 'admin')}"}


def test_a_page_nested_300_deep_is_reviewed_on_all_its_text(app: Any) -> None:
    h = _admin(app)
    r = Web(app).upload([("天河.html", _page(300))], headers=h, brief=False)
    assert r.status_code == 201, r.text
    review = r.json()["results"][0]["review"]
    required = ("achievements", "shortcomings", "first_responsible", "next_year_plan")
    assert {k: review["parts"][k]["status"] for k in required} == dict.fromkeys(required, "dedicated")
    text = Web(app).get(f"/api/reports/{r.json()['results'][0]['id']}", params={"with_text": 1}, headers=h).json()
    assert "主要原因是重视程度不够" in text["text"] and "一是加强法治宣传" in text["text"]


def test_a_page_nested_deeper_than_the_parser_reads_is_refused_with_the_reason(app: Any) -> None:
    h = _admin(app)
    r = Web(app).upload([("深.html", _page(2100))], headers=h)
    assert r.status_code == 422
    res = r.json()["results"][0]
    assert "嵌套过深" in res["error"] and "nested deeper than 2048" in res["reason"]
    assert Web(app).get("/api/reports", headers=h).json()["total"] == 0
