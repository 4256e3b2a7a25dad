"""The annual report's cycle on the web (``fazhi.web.routes.reportcycle``): the unit drafts from its record,
sees where each figure came from, fills the gaps, self-checks, moves the draft through its stages and
submits; the office follows who has reported as of a date, returns a report with its 审查意见书, sees the
resubmission's diff and accepts.  Roles: a unit sees only its own drafts, a viewer cannot write, an office
of another region gets 404."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from fazhi import db
from fazhi.supervision.access import Actor
from fazhi.supervision.drafting import GAP
from fazhi.supervision.models import AnnualReport, Draft
from fazhi.supervision.reports import china_day
from fazhi.supervision.unit_register import add_member
from tests.documents.readback import open_docx, texts
from tests.supervision import reportcycle as rc
from tests.web.conftest import Web, add_user

pytestmark = [pytest.mark.web, pytest.mark.db]

FILLED = "该项工作已按计划完成。"


@dataclass
class Cycle:
    app: Any
    record: rc.Record
    campaign_id: int
    bureau_id: int
    url: str

    def client(self, name: str) -> Web:
        w = Web(self.app)
        w.login(name)
        return w


@pytest.fixture
def cycle(make_app: Any, tmp_path: Any) -> Cycle:
    url = f"sqlite:///{tmp_path / 'cycle.sqlite'}"
    app = make_app(url)
    with db.session_factory(app.state.engine, write=True).begin() as s:
        record = rc.build(s)
        ids = record.campaign.id, record.bureau.id, record.market.id
    for name, role, region in (("办公室", "reviewer", None), ("信阳审核员", "reviewer", "信阳市"),
                               ("查看", "viewer", None), ("填报", "unit", None), ("局长", "unit", None),
                               ("市场局填报", "unit", None)):
        add_user(app, name, role, region=region)
    with db.session_factory(app.state.engine, write=True).begin() as s:
        add_member(s, Actor.cli(), "填报", ids[1], "filler")
        add_member(s, Actor.cli(), "局长", ids[1], "leader")
        add_member(s, Actor.cli(), "市场局填报", ids[2], "filler")
    return Cycle(app, record, ids[0], ids[1], url)


def _csrf(page: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert m, "no CSRF token in the page"
    return m.group(1)


def _create_draft(w: Web, cycle: Cycle) -> int:
    page = w.get("/my/report")
    assert page.status_code == 200
    action = f"/campaigns/{cycle.campaign_id}/units/{cycle.bureau_id}/drafts"
    assert action in page.text  # the unit's campaign offers a draft from the record
    r = w.post(action, data={"csrf_token": _csrf(page.text)})
    assert r.status_code == 303, r.text[:300]
    m = re.fullmatch(r"/drafts/(\d+)", r.headers["location"])
    assert m
    return int(m.group(1))


def _content(cycle: Cycle, draft_id: int) -> dict[str, Any]:
    with cycle.app.state.Session() as s:
        row = s.get(Draft, draft_id)
        assert row is not None
        return dict(row.content)


def _filled_form(content: dict[str, Any], csrf: str, replace: dict[str, str] | None = None) -> dict[str, str]:
    """The editor's form with every gap written out (and ``replace`` applied), as a unit would type it."""
    form = {"csrf_token": csrf}
    for si, sec in enumerate(content["sections"]):
        for pi, p in enumerate(sec["paragraphs"]):
            text = GAP.sub(FILLED, p["text"])
            for old, new in (replace or {}).items():
                text = text.replace(old, new)
            form[f"text-{si}-{pi}"] = text
    return form


def _post_page(w: Web, path: str, data: dict[str, str]) -> Any:
    page = w.get(path.split("/stage")[0].split("/confirm")[0].split("/submit")[0].split("/decision")[0])
    return w.post(path, data={"csrf_token": _csrf(page.text), **data})


# =========================================================================== the draft page
def test_unit_drafts_from_its_record_and_sees_where_each_figure_came_from(cycle: Cycle) -> None:
    w = cycle.client("填报")
    draft_id = _create_draft(w, cycle)
    page = w.get(f"/drafts/{draft_id}")
    assert page.status_code == 200
    html = page.text
    # the sentence of the 备案审查 progress carries its source: the accepted progress row of that task
    sent = re.search(r'<span class="rc-sent cited"[^>]*data-cite="(cite-s\d+)"[^>]*>([^<]*)</span>', html)
    assert sent
    found = {}
    for m in re.finditer(r'data-cite="(cite-s\d+)"[^>]*>(.*?)</span>', html):
        found[re.sub(r"<[^>]+>", "", m.group(2))] = m.group(1)
    box_id = found[rc.FILED_TEXT]
    box = re.search(rf'<div class="rc-cites" id="{box_id}" hidden>(.*?)</div>', html, re.S)
    assert box
    cites = {(t, int(i)) for t, i in re.findall(r'data-type="(\w+)" data-id="(\d+)"', box.group(1))}
    assert ("progress", cycle.record.progress["docs"].id) in cites
    # 【待补充】 gaps are marked, one per gap the draft has
    gaps = _content(cycle, draft_id)["gaps"]
    assert gaps and html.count('<mark class="rc-gap">【待补充') >= len(gaps)
    assert 'id="rc-gaps"' in html
    # the page's script is the one that opens the sources on click (no inline script: CSP)
    assert '<script src="/static/reportcycle.js' in html and "<script>" not in html


def test_the_draft_is_the_units_own(cycle: Cycle) -> None:
    draft_id = _create_draft(cycle.client("填报"), cycle)
    other = cycle.client("市场局填报")
    assert other.get(f"/drafts/{draft_id}").status_code == 404
    assert other.get(f"/api/drafts/{draft_id}").status_code == 404
    assert other.get(f"/drafts/{draft_id}/draft.docx").status_code == 404
    r = other.post(f"/api/drafts/{draft_id}/stage", json={"stage": "first_draft"},
                   headers={"X-CSRF-Token": other.csrf("/my/report")})
    assert r.status_code == 404
    # nor may it draft for the 司法局
    r = other.post(f"/api/campaigns/{cycle.campaign_id}/units/{cycle.bureau_id}/drafts", json={},
                   headers={"X-CSRF-Token": other.csrf("/my/report")})
    assert r.status_code == 404
    listed = other.get("/my/report").text
    assert f"/drafts/{draft_id}" not in listed


def test_viewer_reads_but_cannot_write_and_another_region_sees_nothing(cycle: Cycle) -> None:
    draft_id = _create_draft(cycle.client("填报"), cycle)
    viewer = cycle.client("查看")
    assert viewer.get(f"/drafts/{draft_id}").status_code == 200
    page = viewer.get(f"/drafts/{draft_id}")
    assert 'id="rc-next-stage"' not in page.text and 'id="rc-edit"' not in page.text
    token = viewer.csrf(f"/drafts/{draft_id}")
    assert viewer.post(f"/drafts/{draft_id}/stage", data={"csrf_token": token, "stage": "first_draft"}).status_code == 403
    assert viewer.put(f"/api/drafts/{draft_id}", json={"sections": []}, headers={"X-CSRF-Token": token}).status_code == 403
    with cycle.app.state.Session() as s:
        assert s.get(Draft, draft_id).stage == "drafting"
    far = cycle.client("信阳审核员")
    for path in (f"/drafts/{draft_id}", f"/api/drafts/{draft_id}", f"/campaigns/{cycle.campaign_id}/reports",
                 f"/api/campaigns/{cycle.campaign_id}/reports/status"):
        assert far.get(path).status_code == 404, path


def test_editing_fills_the_gaps_and_the_self_check_shows_a_figure_that_differs(cycle: Cycle) -> None:
    w = cycle.client("填报")
    draft_id = _create_draft(w, cycle)
    content = _content(cycle, draft_id)
    page = w.get(f"/drafts/{draft_id}?edit=1")
    assert page.status_code == 200 and 'id="rc-edit-form"' in page.text
    form = _filled_form(content, _csrf(page.text), {"审查备案行政规范性文件18件": "审查备案行政规范性文件20件"})
    r = w.post(f"/drafts/{draft_id}", data=form)
    assert r.status_code == 303
    saved = _content(cycle, draft_id)
    assert saved["gaps"] == []
    changed = [s for sec in saved["sections"] for p in sec["paragraphs"] for s in p["sentences"]
               if "20件" in s["text"] and "规范性文件" in s["text"]]
    assert changed and changed[0]["cites"] == []  # a rewritten sentence no longer claims the record's source
    kept = [s for sec in saved["sections"] for p in sec["paragraphs"] for s in p["sentences"]
            if s["text"] == rc.RECONSIDERATION_TEXT.split("，")[0] + "，其中调解和解9件。"]
    assert kept and kept[0]["cites"]
    check = w.get(f"/api/drafts/{draft_id}/selfcheck").json()
    diffs = [d for d in check["differences"] if d["indicator"] == "normative_docs_filed"]
    assert diffs and diffs[0]["value"] == 20 and diffs[0]["record"]["value"] == 18
    assert not check["ok"] and "review" not in check
    page = w.get(f"/drafts/{draft_id}?check=1").text
    row = re.search(r'<tr class="rc-difference" data-indicator="normative_docs_filed">(.*?)</tr>', page, re.S)
    assert row and "20件" in row.group(1) and "18件" in row.group(1)
    marked = re.search(r'<span class="rc-differs" title="([^"]*)">(.*?)</span></span>', page, re.S)
    assert marked and "规范性文件20件" in re.sub(r"<[^>]+>", "", marked.group(2))  # the sentence is marked in the text


def test_an_edit_too_long_is_refused_with_its_message(cycle: Cycle) -> None:
    w = cycle.client("填报")
    draft_id = _create_draft(w, cycle)
    token = w.csrf(f"/drafts/{draft_id}")
    r = w.post(f"/drafts/{draft_id}/stage", data={"csrf_token": token, "stage": "leader_review"})
    assert r.status_code == 422 and "逐级推进" in r.text and 'id="rc-error"' in r.text
    r = w.post(f"/api/drafts/{draft_id}/stage", json={"stage": "leader_review"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 422 and "逐级推进" in r.json()["detail"]


def test_the_draft_docx_opens_and_drops_the_sources(cycle: Cycle) -> None:
    w = cycle.client("填报")
    draft_id = _create_draft(w, cycle)
    r = w.get(f"/drafts/{draft_id}/draft.docx")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r.headers["content-disposition"]
    text = texts(open_docx(r.content))
    content = _content(cycle, draft_id)
    assert content["title"] in text and rc.FILED_TEXT in text
    labels = {c["label"] for sec in content["sections"] for p in sec["paragraphs"] for s in p["sentences"]
              for c in s["cites"]}
    assert labels and not any(label in text for label in labels if len(label) > 12)


# =========================================================================== the cycle, both sides
def _through_stages(w: Web, leader: Web, draft_id: int) -> None:
    for stage in ("first_draft", "discussion"):
        assert _post_page(w, f"/drafts/{draft_id}/stage", {"stage": stage}).status_code == 303
    r = _post_page(w, f"/drafts/{draft_id}/comments", {"text": "建议补充行政复议的数字"})
    assert r.status_code == 303
    assert _post_page(w, f"/drafts/{draft_id}/stage", {"stage": "leader_review"}).status_code == 303
    # the 填报 cannot confirm for the leader
    assert _post_page(w, f"/drafts/{draft_id}/confirm", {}).status_code == 403
    assert _post_page(leader, f"/drafts/{draft_id}/confirm", {}).status_code == 303


def _cli_status(cycle: Cycle, day: str) -> list[dict[str, Any]]:
    from fazhi.cli import app as cli

    r = CliRunner().invoke(cli, ["report", "status", "--campaign", str(cycle.campaign_id), "--format", "json",
                                 "--as-of", day, "--db", cycle.url])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_submit_return_resubmit_diff_accept_publish(cycle: Cycle) -> None:
    w, leader, office = cycle.client("填报"), cycle.client("局长"), cycle.client("办公室")
    draft_id = _create_draft(w, cycle)
    form = _filled_form(_content(cycle, draft_id), w.csrf(f"/drafts/{draft_id}"))
    assert w.post(f"/drafts/{draft_id}", data=form).status_code == 303
    _through_stages(w, leader, draft_id)
    r = _post_page(w, f"/drafts/{draft_id}/submit", {"copies_to": "县委依法治县办", "note": "请审查"})
    assert r.status_code == 303
    ar_id = int(r.headers["location"].rsplit("/", 1)[1])
    with cycle.app.state.Session() as s:
        row = s.get(AnnualReport, ar_id)
        assert row.status == "received" and row.unit_id == cycle.bureau_id and row.recipients == ["县委依法治县办"]
        received = row.received_at

    # the board, as the CLI gives it, before and after the submission day
    day = china_day(received).isoformat()
    for as_of in ("2026-01-01", day):
        api = office.get(f"/api/campaigns/{cycle.campaign_id}/reports/status?as_of={as_of}")
        assert api.status_code == 200
        assert api.json() == _cli_status(cycle, as_of)
    before = {r["unit"]["id"]: r["status"] for r in office.get(
        f"/api/campaigns/{cycle.campaign_id}/reports/status?as_of={(china_day(received) - dt.timedelta(days=1)).isoformat()}").json()}
    after = {r["unit"]["id"]: r for r in office.get(
        f"/api/campaigns/{cycle.campaign_id}/reports/status?as_of={day}").json()}
    assert before[cycle.bureau_id] == "not_received"
    assert after[cycle.bureau_id]["status"] in ("received", "late") and after[cycle.bureau_id]["report_id"]
    assert {cycle.record.market.id, cycle.record.town.id} <= set(after)
    board = office.get(f"/campaigns/{cycle.campaign_id}/reports?as_of={day}")
    assert board.status_code == 200 and f'href="/annual-reports/{ar_id}"' in board.text

    # the office returns it; the 审查意见书 carries the reason
    page = office.get(f"/annual-reports/{ar_id}")
    assert 'id="rc-return-form"' in page.text
    r = office.post(f"/annual-reports/{ar_id}/decision",
                    data={"csrf_token": _csrf(page.text), "decision": "return", "reason": "请补充行政应诉案件的数字"})
    assert r.status_code == 303
    doc = office.get(f"/annual-reports/{ar_id}/opinion.docx")
    assert doc.status_code == 200
    assert "请补充行政应诉案件的数字" in texts(open_docx(doc.content))
    preview = office.get(f"/annual-reports/{ar_id}/opinion")
    assert preview.status_code == 200 and "请补充行政应诉案件的数字" in preview.text
    assert texts(open_docx(doc.content)).splitlines()[0] in preview.text  # the same title as the Word file
    # the unit gets it too, and sees it returned
    assert w.get(f"/annual-reports/{ar_id}/opinion.docx").status_code == 200
    assert 'id="rc-returned"' in w.get(f"/drafts/{draft_id}").text

    # back to 初稿, revised, through the stages again, resubmitted
    assert _post_page(w, f"/drafts/{draft_id}/stage", {"stage": "first_draft"}).status_code == 303
    added = "办理行政应诉案件41件。"
    content = _content(cycle, draft_id)
    form = _filled_form(content, w.csrf(f"/drafts/{draft_id}"))
    form["new-1"] = added
    assert w.post(f"/drafts/{draft_id}", data=form).status_code == 303
    _through_stages(w, leader, draft_id)
    assert _post_page(w, f"/drafts/{draft_id}/submit", {}).status_code == 303

    page = office.get(f"/annual-reports/{ar_id}")
    diff = re.search(r'<section class="card rc-diff" id="rc-diff".*?</section>', page.text, re.S)
    assert diff and added.rstrip("。") in re.sub(r"<[^>]+>", "", diff.group(0))
    api_diff = office.get(f"/api/annual-reports/{ar_id}/diff").json()
    assert (api_diff["old"], api_diff["new"]) == (1, 2) and not api_diff["same"]
    assert any(p["new"] and added.rstrip("。") in p["new"] for p in api_diff["paragraphs"] if p["op"] != "equal")

    r = office.post(f"/annual-reports/{ar_id}/decision", data={"csrf_token": _csrf(page.text), "decision": "accept"})
    assert r.status_code == 303
    assert office.get(f"/api/annual-reports/{ar_id}").json()["status"] == "accepted"
    page = w.get(f"/annual-reports/{ar_id}")
    r = w.post(f"/annual-reports/{ar_id}/publication",
               data={"csrf_token": _csrf(page.text), "url": "https://www.linze.gov.cn/nb2025.html", "on": day})
    assert r.status_code == 303
    check = office.get(f"/api/annual-reports/{ar_id}/publication?as_of={day}").json()
    assert check["published"] and check["url"] == "https://www.linze.gov.cn/nb2025.html"
    assert check["on_time"] == (china_day(received) <= dt.date(2026, 4, 1))  # the campaign's publish_by
    rows = {r["unit"]["id"]: r for r in office.get(
        f"/api/campaigns/{cycle.campaign_id}/reports/status?as_of={day}").json()}
    assert rows[cycle.bureau_id]["status"] == "published"
    assert rows[cycle.bureau_id]["published_url"] == "https://www.linze.gov.cn/nb2025.html"


def test_a_returned_decision_needs_a_reason_and_only_the_office_decides(cycle: Cycle) -> None:
    leader = cycle.client("局长")
    with db.session_factory(cycle.app.state.engine, write=True).begin() as s:
        from fazhi.supervision.reports import submit_report

        member = Actor(user_id=None, role="unit", unit_id=cycle.bureau_id, duty="leader")
        ar_id = submit_report(s, member, cycle.campaign_id, cycle.bureau_id,
                              data=(rc.LAST_YEAR_TEXT.replace("2024", "2025").replace("2025年2月18日", "2026年2月18日")
                                    ).encode(), filename="报告.txt").id
    page = leader.get(f"/annual-reports/{ar_id}")
    assert page.status_code == 200 and 'id="rc-return-form"' not in page.text
    assert leader.post(f"/annual-reports/{ar_id}/decision",
                       data={"csrf_token": _csrf(page.text), "decision": "accept"}).status_code == 403
    office = cycle.client("办公室")
    page = office.get(f"/annual-reports/{ar_id}")
    r = office.post(f"/annual-reports/{ar_id}/decision", data={"csrf_token": _csrf(page.text), "decision": "return"})
    assert r.status_code == 422 and "理由" in r.text
    r = office.post(f"/api/annual-reports/{ar_id}/decision", json={"accept": False},
                    headers={"X-CSRF-Token": _csrf(page.text)})
    assert r.status_code == 422
    assert office.get(f"/api/annual-reports/{ar_id}").json()["status"] == "received"
    assert cycle.client("信阳审核员").get(f"/annual-reports/{ar_id}").status_code == 404


# =========================================================================== documents
def test_memo_and_the_opinion_of_a_stored_report_open_in_python_docx(cycle: Cycle) -> None:
    office = cycle.client("办公室")
    r = office.get(f"/campaigns/{cycle.campaign_id}/reports/memo.docx?as_of=2026-04-02")
    assert r.status_code == 200
    text = texts(open_docx(r.content))
    assert "临泽县司法局" in text and "沙河镇人民政府" in text  # who has not reported is named
    assert office.get(f"/api/campaigns/{cycle.campaign_id}/reports/memo.docx").status_code == 200
    # any stored report: its review page has the button, the route gives the 审查意见书
    rid = cycle.record.last_year_report_id
    page = office.get(f"/reports/{rid}")
    assert f'href="/reports/{rid}/opinion.docx"' in page.text and "下载审查意见书" in page.text
    r = office.get(f"/reports/{rid}/opinion.docx")
    assert r.status_code == 200 and quote("审查意见书.docx") in r.headers["content-disposition"]
    text = texts(open_docx(r.content))
    assert "审查意见" in text.splitlines()[0] and "临泽县司法局关于2024年度法治政府建设情况的报告" in text
    assert office.get(f"/api/reports/{rid}/opinion.docx").status_code == 200
    # a unit user does not read the report library
    assert cycle.client("填报").get(f"/reports/{rid}/opinion.docx").status_code == 403


def test_office_pages_list_the_campaign_and_units_see_their_report_page(cycle: Cycle) -> None:
    office = cycle.client("办公室")
    page = office.get("/annual-reports")
    assert page.status_code == 200 and f'href="/campaigns/{cycle.campaign_id}/reports"' in page.text
    board = office.get(f"/campaigns/{cycle.campaign_id}/reports?as_of=2026-03-02")
    assert board.status_code == 200
    statuses = dict(re.findall(r'<tr data-unit-id="(\d+)" data-status="(\w+)"', board.text))
    assert statuses[str(cycle.bureau_id)] == "not_received"
    unit = cycle.client("填报")
    assert unit.get("/annual-reports").status_code == 303
    mine = unit.get("/my/report")
    assert "临泽县2025年度法治政府建设督导" in mine.text
    assert unit.get(f"/campaigns/{cycle.campaign_id}/reports").status_code == 404
    with cycle.app.state.Session() as s:
        assert s.scalar(select(AnnualReport.id)) is None


# =========================================================================== a report written outside fazhi
OWN_REPORT = """临泽县司法局关于2025年度法治政府建设情况的报告
一、2025年度推进法治政府建设的主要举措和成效
全年审查备案行政规范性文件25件，办理行政复议案件36件。
二、存在的不足和原因
一是执法案卷评查发现部分案卷证据材料不完整，主要原因是执法人员培训不足。
三、党政主要负责人履行推进法治建设第一责任人职责情况
局主要负责人主持召开局党组会议专题研究法治建设4次。
四、2026年度推进法治政府建设的主要安排
一是组织全系统执法案卷集中评查。
临泽县司法局
2026年2月20日
"""


def test_a_file_written_outside_is_self_checked_and_submitted_by_the_leader(cycle: Cycle) -> None:
    filler, leader = cycle.client("填报"), cycle.client("局长")
    page = filler.get("/my/report")
    check = f"/campaigns/{cycle.campaign_id}/units/{cycle.bureau_id}/selfcheck"
    submit = f"/campaigns/{cycle.campaign_id}/units/{cycle.bureau_id}/submit"
    assert check in page.text and submit not in page.text  # only the leader is offered the submission
    files = [("files", ("临泽县司法局2025年报告.txt", OWN_REPORT.encode(), "text/plain"))]
    r = filler.post(check, data={"csrf_token": _csrf(page.text)}, files=files)
    assert r.status_code == 200
    row = re.search(r'<tr class="rc-difference" data-indicator="normative_docs_filed">(.*?)</tr>', r.text, re.S)
    assert row and "25件" in row.group(1) and "18件" in row.group(1)
    assert filler.post(submit, data={"csrf_token": _csrf(page.text)}, files=files).status_code == 403
    page = leader.get("/my/report")
    assert submit in page.text
    r = leader.post(submit, data={"csrf_token": _csrf(page.text), "copies_to": "县委依法治县办"}, files=files)
    assert r.status_code == 303
    ar_id = int(r.headers["location"].rsplit("/", 1)[1])
    got = leader.get(f"/api/annual-reports/{ar_id}").json()
    assert got["status"] == "received" and got["recipients"] == ["县委依法治县办"] and len(got["versions"]) == 1
    # the same file again is refused (it is already submitted), with the reason
    r = leader.post(submit, data={"csrf_token": _csrf(page.text)}, files=files)
    assert r.status_code == 422 and "已报送" in r.text
    # the office accepts; the leader records the publication with the published copy, which differs
    office = cycle.client("办公室")
    assert office.post(f"/api/annual-reports/{ar_id}/decision", json={"accept": True},
                       headers={"X-CSRF-Token": office.csrf("/annual-reports")}).status_code == 200
    page = leader.get(f"/annual-reports/{ar_id}")
    published = OWN_REPORT.replace("办理行政复议案件36件", "办理行政复议案件38件")
    r = leader.post(f"/annual-reports/{ar_id}/publication",
                    data={"csrf_token": _csrf(page.text), "url": "https://www.linze.gov.cn/sfj/2025.html",
                          "on": "2026-03-20"}, files=[("files", ("公开版.txt", published.encode(), "text/plain"))])
    assert r.status_code == 303, r.text[:500]
    page = leader.get(f"/annual-reports/{ar_id}").text
    assert 'id="rc-not-same-text"' in page
    diff = re.search(r'<div class="rc-diff" id="rc-published-diff">(.*?)</div>\s*\n', page, re.S)
    assert diff and 'data-op="changed"' in diff.group(1)
    assert "<ins>8</ins>" in diff.group(1) or "<ins>38</ins>" in diff.group(1)  # 36件 → 38件
    assert office.get(f"/api/annual-reports/{ar_id}/publication").json()["same_text"] is False
    # no file at all: 422, nothing stored
    r = leader.post(check, data={"csrf_token": _csrf(page)})
    assert r.status_code == 422
