"""The command line of issue 11 as scripts call it: ``profile import`` (summary on stderr, the id alone
on stdout's last line), ``profile show`` and ``assess compute`` (exactly the issue's JSON fields), a full
cycle from the command line, ``assess export`` read back, ``assess diff`` across two years, and the
``inspect`` verbs to 销号."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from fazhi import db
from fazhi.cli import app
from fazhi.units import service as units
from fazhi.units.models import Unit
from tests.supervision import cycle
from tests.supervision.builders import xlsx

runner = CliRunner()

#: 广东省韶关市's 细则 for its counties (invented), in the form offices publish
SHEET: list[list[object]] = [
    ["韶关市县（市、区）法治政府建设考核细则", None, None, None, None],
    ["考评项目", "序号", "考评内容", "分值", "评分标准"],
    ["依法行政（6分）", "1", "按时报送法治政府建设进展", "2分", "迟报一次扣0.5分，漏报一次扣1分"],
    [None, "2", "规范性文件备案审查", "4分", "达到要求得满分，基本达到得一半分，未开展的不得分"],
    ["合计", None, None, "6分", None],
]


def run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture
def world(migrated, db_url: str) -> dict[str, int]:
    """韶关市 and three of its counties, a 2025 campaign with one reporting task each: 南雄市 late,
    仁化县 on time, 乳源瑶族自治县 never."""
    write = db.session_factory(migrated, write=True)
    with write.begin() as s:
        top = units.from_division(s, "广东省韶关市")
        by = {u.name: u for u in s.scalars(select(Unit))}
        names = ("南雄市人民政府", "仁化县人民政府", "乳源瑶族自治县人民政府")
        c = cycle.campaign(s, top, 2025)
        c.settings = {"unit_ids": [by[n].id for n in names]}
        for name, day in zip(names, ("2025-07-10", "2025-06-25", None), strict=True):
            t = cycle.task(s, c, "报送上半年法治政府建设进展", by[name], "2025-06-30", ref="1")
            if day:
                cycle.progress(s, t, by[name], day, status="accepted")
        return {"campaign": c.id}


def test_profile_import_prints_the_id_alone_on_the_last_line(world, db_url: str, tmp_path: Path) -> None:
    f = tmp_path / "韶关细则.xlsx"
    f.write_bytes(xlsx(SHEET, ["A1:E1", "A3:A4"]))
    code, out, err = run("profile", "import", str(f), "--unit-type", "县（市、区）", "--db", db_url)
    assert code == 0, err
    assert out.strip().splitlines()[-1].isdigit()
    assert "2 项，总分 6 分" in err
    shown = json.loads(run("profile", "show", out.strip(), "--format", "json", "--db", db_url)[1])
    assert list(shown) == ["id", "name", "unit_types", "total", "bonus_cap", "items"]
    assert [list(i) for i in shown["items"]] == [["block", "ref", "content", "points", "kind", "rule", "rule_text",
                                                  "scorer"]] * 2


def test_a_sheet_that_does_not_add_up_is_refused_on_stderr(world, db_url: str, tmp_path: Path) -> None:
    bad: list[list[object]] = [list(row) for row in SHEET]
    bad[4][3] = "8分"
    f = tmp_path / "细则.xlsx"
    f.write_bytes(xlsx(bad))
    code, out, err = run("profile", "import", str(f), "--db", db_url)
    assert code == 1 and out == ""
    assert "相差 2 分" in err and "Traceback" not in err


def test_a_whole_cycle_from_the_command_line(world, db_url: str, tmp_path: Path) -> None:
    f = tmp_path / "细则.xlsx"
    f.write_bytes(xlsx(SHEET, ["A1:E1", "A3:A4"]))
    profile_id = run("profile", "import", str(f), "--unit-type", "县（市、区）", "--db", db_url)[1].strip()
    campaign = str(world["campaign"])
    code, out, err = run("assess", "compute", "--campaign", campaign, "--profile", profile_id, "--format", "json",
                         "--as-of", "2025-12-31", "--db", db_url)
    assert code == 0, err
    found = json.loads(out)
    assert [list(r) for r in found] == [["unit", "self", "reviewed", "final", "rank", "rank_among", "items"]] * 3
    assert all(list(r["unit"]) == ["id", "name", "type"] for r in found)
    assert all(list(i) == ["indicator", "points", "score", "reason", "evidence"] for r in found for i in r["items"])
    late = next(r for r in found if r["unit"]["name"] == "南雄市人民政府")["items"][0]
    assert late["score"] == 1.5 and "迟报1次扣0.5分" in late["reason"] and "迟10天" in late["reason"]
    assert any(e["kind"] == "late" for e in late["evidence"])
    missing = next(r for r in found if r["unit"]["name"] == "乳源瑶族自治县人民政府")["items"][0]
    assert missing["score"] == 1 and "漏报1次扣1分" in missing["reason"]

    def ok(*args: str) -> str:
        code, out, err = run(*args, "--db", db_url)
        assert code == 0, err
        return out

    for unit in ("南雄市", "仁化县", "乳源瑶族自治县"):
        ok("assess", "score", "--campaign", campaign, "--unit", unit, "--item", "1")
    # a self score above the points: refused with the range
    code, _, err = run("assess", "self-score", "--campaign", campaign, "--unit", "仁化县", "--item", "2", "--score", "5",
                       "--db", db_url)
    assert code == 1 and "超出本项分值（0 至 4 分）" in err
    ok("assess", "score", "--campaign", campaign, "--unit", "南雄市", "--item", "2", "--score", "4", "--reason", "备案及时")
    ok("assess", "score", "--campaign", campaign, "--unit", "仁化县", "--item", "2", "--score", "2",
       "--reason", "2件文件未按期备案")
    ok("assess", "score", "--campaign", campaign, "--unit", "乳源瑶族自治县", "--item", "2", "--score", "4",
       "--reason", "备案及时")
    ok("assess", "notify", "--campaign", campaign, "--days", "3", "--as-of", "2026-01-05")
    appeal_id = ok("assess", "appeal", "--campaign", campaign, "--unit", "仁化县", "--item", "2", "--text",
                   "其中1件已按期报送，附回执", "--as-of", "2026-01-07").strip().splitlines()[-1]
    ok("assess", "decide", appeal_id, "--outcome", "partly", "--decision", "回执属实，1件按期", "--score", "3")
    ok("assess", "lock", "--campaign", campaign, "--as-of", "2026-01-10")
    found = {r["unit"]["name"]: r for r in json.loads(ok("assess", "compute", "--campaign", campaign, "--format", "json"))}
    # 南雄 1.5+4, 仁化 2+2 reviewed and 2+3 final, 乳源 1+4
    assert {k: (r["reviewed"], r["final"], r["rank"]) for k, r in found.items()} == {
        "南雄市人民政府": (5.5, 5.5, 1), "仁化县人民政府": (4, 5, 2), "乳源瑶族自治县人民政府": (5, 5, 2)}
    assert found["南雄市人民政府"]["rank_among"] == "在 3 个县级政府中排第 1"

    xlsx_path = tmp_path / "结果.xlsx"
    ok("assess", "export", "--campaign", campaign, "--xlsx", str(xlsx_path))
    book = openpyxl.load_workbook(io.BytesIO(xlsx_path.read_bytes()))
    ws = book["考核结果"]
    assert ws["A1"].value.endswith("考核结果汇总表") and ws["A2"].value.startswith("导出日期：")
    assert (ws.page_setup.orientation, ws.print_title_rows, ws.page_setup.fitToWidth) == ("landscape", "$3:$3", 1)
    assert book.properties.creator == "fazhi"
    rows = {r[1]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert rows["仁化县人民政府"][3:8] == (None, 4, 5, 6, 2)  # self, reviewed, final, max, rank: numbers stay numbers
    assert "第2项扣1分：申辩部分成立：回执属实，1件按期" in rows["仁化县人民政府"][10]
    items = list(book["逐项得分"].iter_rows(min_row=4, values_only=True))
    assert len(items) == 6


def test_what_went_down_on_last_year_and_why(world, migrated, db_url: str, tmp_path: Path) -> None:
    f = tmp_path / "细则.xlsx"
    f.write_bytes(xlsx(SHEET, ["A1:E1", "A3:A4"]))
    profile_id = run("profile", "import", str(f), "--db", db_url)[1].strip()
    write = db.session_factory(migrated, write=True)
    with write.begin() as s:
        top = units.find(s, "韶关市人民政府")
        assert top is not None
        c2024 = cycle.campaign(s, top, 2024)
        c2024.settings = {"unit_ids": [units.find(s, "仁化县人民政府").id]}  # type: ignore[union-attr]
        old = str(c2024.id)
    campaign = str(world["campaign"])

    def ok(*args: str) -> str:
        code, out, err = run(*args, "--db", db_url)
        assert code == 0, err
        return out

    for c, scores in ((old, ("2", "4")), (campaign, ("2", "2.5"))):
        ok("assess", "open", "--campaign", c, "--profile", profile_id, "--as-of", "2025-12-31")
        ok("assess", "score", "--campaign", c, "--unit", "仁化县", "--item", "1", "--score", scores[0], "--reason", "按时报送")
        ok("assess", "score", "--campaign", c, "--unit", "仁化县", "--item", "2", "--score", scores[1],
           "--reason", "达到要求" if c == old else "3件文件未按期报备")
    diff = json.loads(ok("assess", "diff", "--campaign", campaign, "--unit", "仁化县", "--format", "json"))
    assert (diff["year"], diff["previous_year"], diff["total"], diff["previous_total"]) == (2025, 2024, 4.5, 6)
    assert diff["change"] == "比上年下降 1.5 分"
    assert [(d["ref"], d["before"], d["after"], d["reason_after"]) for d in diff["down"]] == [
        ("2", 4, 2.5, "3件文件未按期报备")]
    text = ok("assess", "diff", "--campaign", campaign, "--unit", "仁化县")
    assert "下降 第 2 项“规范性文件备案审查”：4 → 2.5 分；原因：3件文件未按期报备" in text


def test_inspect_verbs_take_a_finding_to_closed(world, db_url: str, tmp_path: Path) -> None:
    campaign = str(world["campaign"])

    def ok(*args: str) -> str:
        code, out, err = run(*args, "--db", db_url)
        assert code == 0, err
        return out.strip().splitlines()[-1] if out.strip() else ""

    case = ok("inspect", "open", "--kind", "special", "--title", "行政复议纠错专项督察", "--unit", "南雄市", "--campaign",
              campaign, "--from", "2025-09-01", "--to", "2025-09-03")
    finding = ok("inspect", "finding", "--unit", "南雄市", "--case", case, "--source", "reconsideration",
                 "--text", "同类案件被复议纠错3次")
    item = ok("inspect", "rectify", finding, "--measure", "开展案卷评查并建立纠错台账", "--deadline", "2025-10-31",
              "--person", "市司法局分管领导")
    doc = tmp_path / "通知书.docx"
    assert ok("inspect", "document", "--kind", "notice", "--case", case, "--unit", "南雄市", "--out", str(doc),
              "--date", "2025-09-10").isdigit()
    assert doc.stat().st_size > 0
    code, _, err = run("inspect", "escalate", "--as-of", "2025-11-20", "--db", db_url)
    assert code == 0 and "逾期20天，挂牌督办" in err
    # one item, one step further, as the web's 督办 button does; at the last step there is none
    code, _, err = run("inspect", "escalate", "--item", item, "--note", "仍未整改", "--as-of", "2025-11-21", "--db", db_url)
    assert code == 0 and f"整改事项 {item}" in err and "通报批评" in err, err
    code, _, err = run("inspect", "escalate", "--item", item, "--as-of", "2025-11-22", "--db", db_url)
    assert code == 1 and "Traceback" not in err
    for step in (("submit", item, "--text", "已建立纠错台账"), ("verify", item), ("close", item)):
        ok("inspect", *step)
    shown = json.loads(run("inspect", "show", case, "--format", "json", "--db", db_url)[1])
    assert shown["status"] == "closed" and shown["findings"][0]["state"] == "已销号"
    assert shown["findings"][0]["items"][0]["escalation_label"] == "通报批评"
    assert [d["title"] for d in shown["findings"][0]["documents"]] == ["限期整改通知书"]


def test_the_assessment_bench_runs_every_step_and_reports_its_figures() -> None:
    code, out, err = run("bench", "--assessment", "--units", "6", "--items", "8", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert (result["item_assessments"], result["suggested"], result["confirmed"], result["ranked"]) == (48, 48, 48, 6)
    assert set(result["seconds"]) == {"setup", "open", "refresh", "confirm", "results", "export"}
    assert result["refresh_changed"] == 0  # nothing changed between open and refresh
