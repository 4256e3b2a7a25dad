"""部署 and 督导 on the web (``fazhi.web.routes.campaigns``): the office creates a campaign and imports a 分工表
(unread rows shown, nothing kept until confirmed), watches the board, the 分工表 and the overdue list on any
date; a unit user sees only its unit's tasks, reports progress with a file; the office returns and accepts;
a viewer reads but changes nothing.  Pages and the REST API, over a real SQLite database."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from fazhi.supervision import evidence
from fazhi.supervision.access import Actor
from fazhi.supervision.models import Evidence, EvidenceLink, Progress, Task
from fazhi.supervision.unit_register import add_member
from fazhi.units.models import Unit
from tests.supervision.builders import xlsx
from tests.web.conftest import Web, add_token, add_user

pytestmark = [pytest.mark.web, pytest.mark.db]

OFFICE = Actor.cli()
TITLE = "西峡县2025年法治政府建设重点任务责任分工表"
HEADER = ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"]
ROWS = [[1, "推进行政执法三项制度", "县司法局", "县生态环境局", "2025年6月底前"],
        [2, "落实行政机关负责人出庭应诉", "县司法局", None, "年底前"],
        [3, "开展生态环境执法检查", "县生态环境局", "县司法局", "9月30日前"],
        [4, "推进生态环境损害赔偿制度改革", "县生态环境局", None, "2025年10月"]]
BAD_ROW = [5, "没有写牵头单位的任务", None, None, "年底前"]  # sheet row 7: title, header, then rows 3…7


def sheet(rows: list[list[Any]]) -> bytes:
    return xlsx([[TITLE], HEADER, *rows], ["A1:E1"])


def csrf_of(page: str) -> str:
    m = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert m
    return m.group(1)


def signed_in(app: Any, name: str, role: str, region: str | None = None) -> Web:
    add_user(app, name, role, region=region)
    w = Web(app)
    w.login(name)
    return w


def create_campaign(office: Web, **form: Any) -> int:
    data = {"name": "西峡县2025年法治政府建设", "year": "2025", "organiser": "西峡县", "kind": "annual",
            "csrf_token": office.csrf(), **form}
    r = office.post("/campaigns", data=data)
    assert r.status_code == 303, r.text[:500]
    m = re.fullmatch(r"/campaigns/(\d+)", r.headers["location"])
    assert m, r.headers["location"]
    return int(m.group(1))


def import_sheet(office: Web, campaign_id: int, data: bytes, confirm: bool = False) -> Any:
    form = {"csrf_token": office.csrf(f"/campaigns/{campaign_id}")}
    if confirm:
        form["confirm"] = "1"
    return office.post(f"/campaigns/{campaign_id}/import", data=form,
                       files={"file": ("分工表.xlsx", data, "application/octet-stream")})


def api_tasks(client: Web, campaign_id: int, **params: Any) -> list[dict[str, Any]]:
    r = client.get(f"/api/campaigns/{campaign_id}/tasks", params=params)
    assert r.status_code == 200, r.text[:300]
    return r.json()


def unit_id(app: Any, name: str) -> int:
    with app.state.Session() as s:
        found = s.scalar(select(Unit.id).where(Unit.name == name))
        assert found is not None, name
        return found


def unit_user(app: Any, name: str, unit: str, duty: str = "filler") -> Web:
    uid = add_user(app, name, "unit")
    with app.state.WriteSession.begin() as s:
        add_member(s, OFFICE, uid, unit_id(app, unit), duty)
    w = Web(app)
    w.login(name)
    return w


@pytest.fixture
def office(app: Any) -> Web:
    return signed_in(app, "县司法局审核员", "reviewer")


@pytest.fixture
def campaign(app: Any, office: Web) -> int:
    cid = create_campaign(office)
    r = import_sheet(office, cid, sheet(ROWS))
    assert r.status_code == 200 and 'id="import-done"' in r.text, r.text[:500]
    return cid


def by_title(client: Web, campaign_id: int) -> dict[str, dict[str, Any]]:
    return {t["title"]: t for t in api_tasks(client, campaign_id)}


# =========================================================================== the office: campaign and 分工表
def test_an_import_with_an_unread_row_names_it_and_keeps_nothing_until_confirmed(app: Any, office: Web) -> None:
    cid = create_campaign(office)
    board = office.get(f"/campaigns/{cid}")
    assert board.status_code == 200 and "西峡县2025年法治政府建设" in board.text
    assert 'id="task-import-form"' in board.text

    r = import_sheet(office, cid, sheet([*ROWS, BAD_ROW]))
    assert r.status_code == 200
    assert 'id="import-pending"' in r.text
    assert re.search(r'<tr data-row="7"><td class="num">7</td><td>[^<]*牵头单位', r.text), r.text
    assert 'name="confirm"' in r.text  # the user confirms by sending the file again with the box ticked
    assert api_tasks(office, cid) == []
    with app.state.Session() as s:
        assert s.scalar(select(func.count()).select_from(Unit).where(Unit.name == "西峡县生态环境局")) == 0

    r = import_sheet(office, cid, sheet([*ROWS, BAD_ROW]), confirm=True)
    assert r.status_code == 200 and 'id="import-done"' in r.text
    assert "西峡县司法局" in r.text and "西峡县生态环境局" in r.text  # the units created, listed
    tasks = by_title(office, cid)
    assert set(tasks) == {row[1] for row in ROWS}
    first = tasks["推进行政执法三项制度"]
    assert first["lead_unit"]["name"] == "西峡县司法局"
    assert [u["name"] for u in first["co_units"]] == ["西峡县生态环境局"]
    assert (first["due"], first["due_text"], first["source_row"]) == ("2025-06-30", "2025年6月底前", 3)
    assert tasks["推进生态环境损害赔偿制度改革"]["due"] == "2025-10-31"


def test_a_file_that_is_no_task_sheet_is_refused_on_the_import_page_with_the_reason(app: Any, office: Web) -> None:
    """A clerk who picks the wrong file stays on the import page, told why, with the form to try again."""
    cid = create_campaign(office)
    r = office.c.post(f"/campaigns/{cid}/import", data={"csrf_token": office.csrf()},
                      files={"file": ("分工表.xlsx", b"%PDF-1.4 not a workbook", "application/vnd.ms-excel")})
    assert r.status_code == 422 and 'id="import-refused"' in r.text and 'id="task-import-again-form"' in r.text
    assert api_tasks(office, cid) == []


def test_the_api_import_answers_409_with_the_unread_rows_then_imports_when_confirmed(app: Any, office: Web) -> None:
    cid = create_campaign(office)
    h = {"X-CSRF-Token": office.csrf()}
    files = {"file": ("分工表.xlsx", sheet([*ROWS, BAD_ROW]), "application/octet-stream")}
    r = office.post(f"/api/campaigns/{cid}/tasks/import", headers=h, files=files)
    assert r.status_code == 409, r.text
    assert [p["row"] for p in r.json()["outcome"]["unread"]] == [7]
    assert api_tasks(office, cid) == []
    r = office.post(f"/api/campaigns/{cid}/tasks/import", headers=h, files=files, data={"confirm": "true"})
    assert r.status_code == 201, r.text
    assert r.json()["tasks"] == len(ROWS)
    r = office.post(f"/api/campaigns/{cid}/tasks/import", headers=h, files=files, data={"confirm": "true"})
    assert r.status_code == 422 and "导入过" in r.json()["detail"]  # the same file twice is refused
    assert len(api_tasks(office, cid)) == len(ROWS)


def test_campaign_list_board_and_the_api_agree(app: Any, office: Web, campaign: int) -> None:
    page = office.get("/campaigns")
    assert page.status_code == 200
    assert f'href="/campaigns/{campaign}"' in page.text
    got = office.get("/api/campaigns").json()
    assert [c["id"] for c in got] == [campaign]
    assert got[0]["tasks"] == len(ROWS) and got[0]["organiser"]["name"] == "西峡县"
    board = office.get(f"/api/campaigns/{campaign}/board", params={"as_of": "2025-07-01"}).json()
    assert board["lights"]["overdue"] == 1  # only the task due 2025-06-30 is past due on 1 July
    page = office.get(f"/campaigns/{campaign}", params={"as_of": "2025-07-01"})
    assert 'id="kpi-overdue" data-n="1"' in page.text
    assert re.search(r'<tr data-unit="西峡县司法局" data-overdue="1">', page.text)


def test_the_task_list_filters_by_unit_light_and_status(app: Any, office: Web, campaign: int) -> None:
    env_id = unit_id(app, "西峡县生态环境局")
    led_or_helped = {t["title"] for t in api_tasks(office, campaign, unit_id=env_id)}
    assert led_or_helped == {"推进行政执法三项制度", "开展生态环境执法检查", "推进生态环境损害赔偿制度改革"}
    assert {t["title"] for t in api_tasks(office, campaign, light="due_soon", as_of="2025-09-25")} == {
        "开展生态环境执法检查"}
    assert api_tasks(office, campaign, status="accepted") == []
    page = office.get(f"/campaigns/{campaign}/tasks", params={"unit_id": env_id, "as_of": "2025-07-01"})
    assert page.status_code == 200
    assert "落实行政机关负责人出庭应诉" not in page.text and "开展生态环境执法检查" in page.text
    assert 'data-light="overdue"' in page.text
    assert office.get(f"/campaigns/{campaign}/tasks", params={"light": "red"}).status_code == 400


def test_overdue_list_changes_with_the_as_of_date(app: Any, office: Web, campaign: int) -> None:
    def overdue_titles(as_of: str) -> set[str]:
        got = office.get(f"/api/campaigns/{campaign}/overdue", params={"as_of": as_of}).json()
        return {t["title"] for u in got["units"] for t in u["overdue_tasks"]}

    assert overdue_titles("2025-06-30") == set()
    assert overdue_titles("2025-07-01") == {"推进行政执法三项制度"}
    assert overdue_titles("2025-11-01") == {"推进行政执法三项制度", "开展生态环境执法检查", "推进生态环境损害赔偿制度改革"}
    assert {t["title"] for t in api_tasks(office, campaign, overdue="true", as_of="2025-07-01")} == {"推进行政执法三项制度"}
    page = office.get(f"/campaigns/{campaign}/overdue", params={"as_of": "2025-07-01"})
    assert '<span id="overdue-count">1</span>' in page.text and "推进行政执法三项制度" in page.text
    page = office.get(f"/campaigns/{campaign}/overdue", params={"as_of": "2025-06-01"})
    assert 'id="no-overdue"' in page.text


def test_the_xlsx_export_has_the_tasks_and_their_lights(app: Any, office: Web, campaign: int) -> None:
    r = office.get(f"/campaigns/{campaign}/tasks.xlsx", params={"as_of": "2025-07-01"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r.headers["content-disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    header = [c.value for c in ws[2]]
    by_task = {row[header.index("工作任务")]: row for row in rows}
    assert set(by_task) == {row[1] for row in ROWS}
    assert by_task["推进行政执法三项制度"][header.index("进度")] == "逾期"
    assert by_task["落实行政机关负责人出庭应诉"][header.index("进度")] == "正常"


# =========================================================================== a unit user
def test_a_unit_user_sees_only_its_units_tasks(app: Any, office: Web, campaign: int) -> None:
    filler = unit_user(app, "司法局填报", "西峡县司法局")
    home = filler.get("/")
    assert home.status_code == 303 and home.headers["location"] == "/my/tasks"
    page = filler.get("/my/tasks")
    assert page.status_code == 200
    tasks = by_title(office, campaign)
    assert f'href="/tasks/{tasks["推进行政执法三项制度"]["id"]}"' in page.text
    assert "推进生态环境损害赔偿制度改革" not in page.text
    own = {t["title"] for t in api_tasks(filler, campaign)}
    assert own == {"推进行政执法三项制度", "落实行政机关负责人出庭应诉", "开展生态环境执法检查"}  # lead or co-unit
    other = tasks["推进生态环境损害赔偿制度改革"]["id"]
    assert filler.get(f"/tasks/{other}").status_code == 404
    assert filler.get(f"/api/tasks/{other}").status_code == 404
    mine = {t["title"] for t in filler.get("/api/my/tasks").json()}
    assert mine == own
    # a unit user does not supervise: no campaign of the office's to create, no review
    r = filler.post("/campaigns", data={"name": "x", "year": "2025", "organiser": "西峡县",
                                        "csrf_token": filler.csrf("/my/tasks")})
    assert r.status_code == 403


def test_report_with_a_file_return_resubmit_accept(app: Any, office: Web, campaign: int) -> None:
    tasks = by_title(office, campaign)
    tid = tasks["落实行政机关负责人出庭应诉"]["id"]
    filler = unit_user(app, "司法局填报", "西峡县司法局")
    page = filler.get(f"/tasks/{tid}")
    assert 'id="progress-form"' in page.text and 'id="review-return-form"' not in page.text
    proof = "行政机关负责人出庭应诉情况统计表\n出庭 12 件，应出庭 12 件。\n".encode()
    r = filler.post(f"/tasks/{tid}/progress", data={"text": "已出庭应诉12件", "figures": "行政机关负责人出庭应诉率=100%",
                                                  "csrf_token": csrf_of(page.text)},
                    files=[("files", ("出庭统计.txt", proof, "text/plain"))])
    assert r.status_code == 303, r.text[:300]

    detail = office.get(f"/api/tasks/{tid}").json()
    assert detail["task"]["status"] == "submitted"
    (report,) = detail["progress"]
    assert report["figures"][0]["name"] == "行政机关负责人出庭应诉率" and report["figures"][0]["value"] == 100
    (attached,) = report["evidence"]
    page = office.get(f"/tasks/{tid}")
    assert 'id="review-return-form"' in page.text
    download = office.get(f"/tasks/{tid}/evidence/{attached['evidence']['id']}")
    assert download.status_code == 200 and download.content == proof

    r = office.post(f"/tasks/{tid}/review", data={"decision": "return", "reason": "缺少案件清单",
                                                 "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    page = filler.get(f"/tasks/{tid}")
    assert "缺少案件清单" in page.text and 'data-status="returned"' in page.text
    assert "缺少案件清单" in filler.get("/my/tasks").text  # the reminder of the return
    assert filler.get("/api/my/reminders").json()[0]["kind"] == "returned"

    r = filler.post(f"/tasks/{tid}/progress", data={"text": "补充案件清单", "csrf_token": csrf_of(page.text)},
                    files=[("files", ("案件清单.txt", "案件清单\n1. 某某诉某局\n".encode(), "text/plain"))])
    assert r.status_code == 303
    r = office.post(f"/tasks/{tid}/review", data={"decision": "accept", "csrf_token": office.csrf(f"/tasks/{tid}")})
    assert r.status_code == 303
    detail = office.get(f"/api/tasks/{tid}").json()
    assert detail["task"]["status"] == "accepted"
    assert [p["status"] for p in detail["progress"]] == ["returned", "accepted"]


def test_a_report_with_a_renamed_file_is_refused_and_nothing_is_kept(app: Any, office: Web, campaign: int) -> None:
    tid = by_title(office, campaign)["落实行政机关负责人出庭应诉"]["id"]
    filler = unit_user(app, "司法局填报", "西峡县司法局")
    fake_pdf = b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + b"\x00" * 200
    r = filler.post(f"/tasks/{tid}/progress", data={"text": "见附件", "csrf_token": filler.csrf("/my/tasks")},
                    files=[("files", ("报告.pdf", fake_pdf, "application/pdf"))])
    assert r.status_code == 422 and "可执行程序" in r.text
    with app.state.Session() as s:
        assert s.scalar(select(func.count()).select_from(Evidence)) == 0
        assert s.scalar(select(func.count()).select_from(Progress)) == 0
    r = filler.post("/api/evidence", headers={"X-CSRF-Token": filler.csrf("/my/tasks")},
                    files={"file": ("报告.pdf", fake_pdf, "application/pdf")})
    assert r.status_code == 422 and "可执行程序" in r.json()["detail"]


def test_api_report_with_uploaded_evidence_and_review(app: Any, office: Web, campaign: int) -> None:
    tid = by_title(office, campaign)["推进行政执法三项制度"]["id"]
    filler = unit_user(app, "司法局填报", "西峡县司法局")
    h = {"X-CSRF-Token": filler.csrf("/my/tasks")}
    up = filler.post("/api/evidence", headers=h, data={"task_id": str(tid)},
                     files={"file": ("公示.txt", "执法公示目录\n".encode(), "text/plain")})
    assert up.status_code == 201, up.text
    eid = up.json()["evidence"]["id"]
    again = filler.post("/api/evidence", headers=h, files={"file": ("公示副本.txt", "执法公示目录\n".encode(), "text/plain")})
    assert again.json()["reused"] is True and again.json()["evidence"]["id"] == eid  # stored once
    r = filler.post(f"/api/tasks/{tid}/progress", headers=h,
                    json={"text": "三项制度已全面推行", "evidence_ids": [eid]})
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "submitted"
    ho = {"X-CSRF-Token": office.csrf()}
    assert office.post(f"/api/tasks/{tid}/review", headers=ho, json={"accept": False}).status_code == 422  # no reason
    r = office.post(f"/api/tasks/{tid}/review", headers=ho, json={"accept": True})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert office.get(f"/api/tasks/{tid}").json()["task"]["status"] == "accepted"


def test_leader_confirms_before_progress_is_submitted(app: Any, office: Web) -> None:
    cid = create_campaign(office, leader_confirms="1")
    import_sheet(office, cid, sheet(ROWS))
    tid = by_title(office, cid)["落实行政机关负责人出庭应诉"]["id"]
    filler = unit_user(app, "司法局填报", "西峡县司法局")
    leader = unit_user(app, "司法局局长", "西峡县司法局", duty="leader")
    r = filler.post(f"/tasks/{tid}/progress", data={"text": "已出庭应诉12件", "csrf_token": filler.csrf("/my/tasks")})
    assert r.status_code == 303
    assert office.get(f"/api/tasks/{tid}").json()["task"]["status"] == "in_progress"  # waits for the leader
    page = filler.get(f"/tasks/{tid}")
    assert 'id="waits-for-leader"' in page.text and 'id="confirm-form"' not in page.text
    r = filler.post(f"/tasks/{tid}/confirm", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 403
    page = leader.get(f"/tasks/{tid}")
    assert 'id="confirm-form"' in page.text
    r = leader.post(f"/tasks/{tid}/confirm", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    detail = office.get(f"/api/tasks/{tid}").json()
    assert detail["task"]["status"] == "submitted" and detail["progress"][0]["confirmed_at"]


def test_proposed_evidence_is_accepted_by_the_office_with_who_and_when(app: Any, office: Web, campaign: int) -> None:
    tid = by_title(office, campaign)["落实行政机关负责人出庭应诉"]["id"]
    with app.state.WriteSession.begin() as s:
        note = evidence.add_record(s, OFFICE, title="年度报告：行政机关负责人出庭应诉率 100%", note="出庭应诉率100%",
                                   unit_id=unit_id(app, "西峡县司法局"))
        link_id = evidence.link(s, OFFICE, note.id, "task", tid, status="proposed", reason="年度报告所述").id
    page = office.get(f"/tasks/{tid}")
    assert f'data-link-id="{link_id}"' in page.text and "proposal-accept" in page.text
    r = office.post(f"/evidence/proposals/{link_id}/decide", data={"decision": "accept", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"].startswith(f"/tasks/{tid}")
    with app.state.Session() as s:
        row = s.get(EvidenceLink, link_id)
        assert row is not None and row.status == "accepted" and row.decided_at is not None
        assert row.decided_by_id == s.scalar(select(func.min(EvidenceLink.decided_by_id)))
        assert row.decided_by_id is not None
    assert office.get("/api/evidence/proposals").json() == []


# =========================================================================== roles and scope
def test_a_viewer_reads_but_cannot_write(app: Any, office: Web, campaign: int) -> None:
    viewer = signed_in(app, "查看员", "viewer")
    tid = by_title(office, campaign)["推进行政执法三项制度"]["id"]
    assert viewer.get(f"/campaigns/{campaign}").status_code == 200
    assert viewer.get(f"/tasks/{tid}").status_code == 200
    assert 'id="task-import-form"' not in viewer.get(f"/campaigns/{campaign}").text
    token = viewer.csrf()
    assert viewer.post("/campaigns", data={"name": "x", "year": "2025", "organiser": "西峡县",
                                           "csrf_token": token}).status_code == 403
    assert import_sheet(viewer, campaign, sheet([[9, "新任务", "县司法局", None, "年底前"]])).status_code == 403
    assert viewer.post(f"/tasks/{tid}/review", data={"decision": "return", "reason": "x",
                                                     "csrf_token": token}).status_code == 403
    h = {"X-CSRF-Token": token}
    assert viewer.post("/api/campaigns", headers=h,
                       json={"name": "x", "year": 2025, "organiser": "西峡县"}).status_code == 403
    assert viewer.post(f"/api/tasks/{tid}/progress", headers=h, json={"text": "x"}).status_code == 403
    with app.state.Session() as s:
        assert s.scalar(select(func.count()).select_from(Task)) == len(ROWS)


def test_an_office_of_another_region_does_not_see_the_campaign(app: Any, office: Web, campaign: int) -> None:
    other = signed_in(app, "焦作审核员", "reviewer", region="焦作市")
    tid = by_title(office, campaign)["推进行政执法三项制度"]["id"]
    assert other.get(f"/campaigns/{campaign}").status_code == 404
    assert other.get(f"/api/tasks/{tid}").status_code == 404
    assert other.get("/api/campaigns").json() == []
    assert "西峡县2025年法治政府建设" not in other.get("/campaigns").text


def test_the_api_with_a_token_needs_no_csrf_and_creates_a_campaign(app: Any) -> None:
    add_user(app, "脚本办公室", "admin")
    h = {"Authorization": f"Bearer {add_token(app, '脚本办公室')}"}
    r = Web(app).post("/api/campaigns", headers=h, json={"name": "专项督察", "year": 2025, "organiser": "西峡县",
                                                         "kind": "special"})
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["kind_label"] == "专项督察" and got["milestones"][0]["name"] == "部署"
    assert Web(app).get("/api/campaigns").status_code == 401


def test_a_supervised_units_page_lists_its_tasks_lights_and_members(app: Any, office: Web, campaign: int) -> None:
    unit_user(app, "生态环境局填报", "西峡县生态环境局")
    env_id = unit_id(app, "西峡县生态环境局")
    page = office.get(f"/sup-units/{env_id}", params={"as_of": "2025-07-01"})
    assert page.status_code == 200
    assert '<h1 id="unit-name">西峡县生态环境局</h1>' in page.text
    assert "生态环境局填报" in page.text  # its member
    assert "落实行政机关负责人出庭应诉" not in page.text  # 司法局's alone
    got = office.get(f"/api/sup-units/{env_id}/tasks", params={"as_of": "2025-07-01"}).json()
    lights = {t["title"]: t["light"] for t in got}
    assert lights == {"推进行政执法三项制度": "overdue", "开展生态环境执法检查": "on_track",
                      "推进生态环境损害赔偿制度改革": "on_track"}
    assert office.get(f"/sup-units/{2**31 - 1}").status_code == 404


def test_a_unit_user_marks_a_reminder_read(app: Any, office: Web, campaign: int) -> None:
    tid = by_title(office, campaign)["落实行政机关负责人出庭应诉"]["id"]
    filler = unit_user(app, "司法局填报", "西峡县司法局")
    h = {"X-CSRF-Token": filler.csrf("/my/tasks")}
    assert filler.post(f"/api/tasks/{tid}/progress", headers=h, json={"text": "已出庭应诉"}).status_code == 201
    office.post(f"/api/tasks/{tid}/review", headers={"X-CSRF-Token": office.csrf()},
                json={"accept": False, "reason": "请附清单"})
    (reminder,) = filler.get("/api/my/reminders", params={"unread": "true"}).json()
    assert "请附清单" in reminder["message"]
    r = filler.post(f"/my/reminders/{reminder['id']}/read", data={"csrf_token": h["X-CSRF-Token"]})
    assert r.status_code == 303
    assert filler.get("/api/my/reminders", params={"unread": "true"}).json() == []
    assert filler.get("/api/my/reminders").json()[0]["read"] is True


def test_pages_refuse_a_date_that_is_not_one(app: Any, office: Web, campaign: int) -> None:
    assert office.get(f"/campaigns/{campaign}", params={"as_of": "2025-02-30"}).status_code == 400
    assert office.get(f"/api/campaigns/{campaign}/overdue", params={"as_of": "昨天"}).status_code == 422


def test_a_unit_reuses_stored_evidence_on_another_task_without_uploading_it_again(
        app: Any, office: Web, campaign: int) -> None:
    tasks = by_title(office, campaign)
    first, second = tasks["推进行政执法三项制度"]["id"], tasks["落实行政机关负责人出庭应诉"]["id"]
    filler = unit_user(app, "司法局填报", "西峡县司法局")
    r = filler.post(f"/tasks/{first}/progress", data={"text": "已公示", "csrf_token": filler.csrf("/my/tasks")},
                    files=[("files", ("执法公示.txt", "执法公示目录\n".encode(), "text/plain"))])
    assert r.status_code == 303
    page = filler.get(f"/tasks/{second}")
    m = re.search(r'name="evidence_id" value="(\d+)"> 执法公示.txt', page.text)
    assert m, "the stored file is offered on the other task"
    r = filler.post(f"/tasks/{second}/progress", data={"text": "见执法公示", "evidence_id": m.group(1),
                                                     "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    (report,) = office.get(f"/api/tasks/{second}").json()["progress"]
    assert [x["evidence"]["filename"] for x in report["evidence"]] == ["执法公示.txt"]
    with app.state.Session() as s:
        assert s.scalar(select(func.count()).select_from(Evidence)) == 1  # stored once


def test_a_campaign_for_a_place_that_is_not_one_is_refused_on_the_form(app: Any, office: Web) -> None:
    r = office.post("/campaigns", data={"name": "某某活动", "year": "2025", "organiser": "不存在县",
                                        "csrf_token": office.csrf()})
    assert r.status_code == 422
    assert 'id="campaign-error"' in r.text and "不存在县" in r.text
    assert 'value="某某活动"' in r.text  # what was typed is kept
    assert office.get("/api/campaigns").json() == []


def test_a_sheet_that_is_not_a_workbook_is_refused_with_the_reason(app: Any, office: Web) -> None:
    from tests.supervision.builders import zip_bomb

    cid = create_campaign(office)
    for name, data in (("分工表.xlsx", "序号,工作任务\n1,任务\n".encode()), ("分工表.xlsx", zip_bomb(30))):
        r = office.post(f"/campaigns/{cid}/import", data={"csrf_token": office.csrf(f"/campaigns/{cid}")},
                        files={"file": (name, data, "application/octet-stream")})
        assert r.status_code == 422, r.text[:300]
        assert 'id="error-message"' in r.text or "分工表.xlsx" in r.text
    assert api_tasks(office, cid) == []


def test_another_units_user_cannot_download_a_units_evidence(app: Any, office: Web, campaign: int) -> None:
    tid = by_title(office, campaign)["落实行政机关负责人出庭应诉"]["id"]
    filler = unit_user(app, "司法局填报", "西峡县司法局")
    filler.post(f"/tasks/{tid}/progress", data={"text": "见附件", "csrf_token": filler.csrf("/my/tasks")},
                files=[("files", ("清单.txt", "案件清单\n".encode(), "text/plain"))])
    eid = office.get(f"/api/tasks/{tid}").json()["progress"][0]["evidence"][0]["evidence"]["id"]
    assert filler.get(f"/tasks/{tid}/evidence/{eid}").status_code == 200
    other = unit_user(app, "市监局填报", "西峡县生态环境局")
    assert other.get(f"/tasks/{tid}/evidence/{eid}").status_code == 404
    env_task = by_title(office, campaign)["开展生态环境执法检查"]["id"]
    assert other.get(f"/tasks/{env_task}/evidence/{eid}").status_code == 404  # not attached to that task


# =========================================================================== the office opens a unit's accounts
def test_an_administrator_opens_a_unit_users_account_on_the_units_page(app: Any, campaign: int) -> None:
    """No command line needed to bring a unit in: an administrator of the region opens its 填报 account on
    the unit's page; the new user signs in and sees that unit's tasks; a reviewer may not; a weak password is
    refused with the reason and the form keeps what was typed."""
    justice = unit_id(app, "西峡县司法局")
    admin = signed_in(app, "南阳管理员", "admin", region="南阳市")
    page = admin.get(f"/sup-units/{justice}")
    assert 'id="open-account-form"' in page.text
    form = {"name": "司法局填报员", "password": "Filler pass 4242", "duty": "filler", "csrf_token": admin.csrf()}
    r = admin.post(f"/sup-units/{justice}/members", data=form)
    assert r.status_code == 303 and r.headers["location"].startswith(f"/sup-units/{justice}?opened=")
    shown = admin.get(r.headers["location"])
    assert 'id="account-opened"' in shown.text and "司法局填报员（填报）" in shown.text

    filler = Web(app)
    filler.login("司法局填报员", "Filler pass 4242")
    mine = filler.get("/my/tasks")
    assert mine.status_code == 200 and "推进行政执法三项制度" in mine.text

    weak = admin.post(f"/sup-units/{justice}/members",
                      data={"name": "另一个用户", "password": "short", "duty": "leader", "csrf_token": admin.csrf()})
    assert weak.status_code == 422 and 'id="open-account-error"' in weak.text and 'value="另一个用户"' in weak.text

    reviewer = signed_in(app, "南阳审核员", "reviewer", region="南阳市")
    assert 'id="open-account-form"' not in reviewer.get(f"/sup-units/{justice}").text
    refused = reviewer.post(f"/sup-units/{justice}/members",
                            data={"name": "第三个用户", "password": "Third pass 4242", "csrf_token": reviewer.csrf()})
    assert refused.status_code == 403
    with app.state.Session() as s:
        from fazhi.accounts.models import User

        assert set(s.scalars(select(User.name).where(User.role == "unit"))) == {"司法局填报员"}


def test_an_upload_over_the_file_count_limit_is_refused_before_anything_is_kept(app: Any, office: Web,
                                                                                campaign: int) -> None:
    """The upload limits of the 分工表 import (at most FAZHI_MAX_FILES files a request) hold on the supervision
    routes too: the CSRF check that runs first must not read the form under other limits."""
    limit = app.state.settings.max_files
    files = [("file", (f"分工表{i}.xlsx", b"x", "application/octet-stream")) for i in range(limit + 1)]
    r = office.c.post(f"/campaigns/{campaign}/import", data={"csrf_token": office.csrf(f"/campaigns/{campaign}")},
                      files=files)
    assert r.status_code == 400 and "文件过多" in r.text, (r.status_code, r.text[:300])
    forged = office.c.post(f"/campaigns/{campaign}/import", data={"csrf_token": "forged"}, files=files[:1])
    assert forged.status_code == 403 and "CSRF" in forged.text
