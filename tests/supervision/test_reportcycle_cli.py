"""The annual report's cycle on the command line, as the issue writes it: ``fazhi draft``, ``fazhi review
--format docx``, ``fazhi memo`` and ``fazhi report …`` on a database of the record."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from fazhi import db
from fazhi.cli import app
from fazhi.knowledge import files
from fazhi.supervision.record import unit_record
from fazhi.supervision.selfcheck import differences
from fazhi.units.models import Unit
from tests.documents.readback import font, open_docx
from tests.supervision import reportcycle as rc
from tests.supervision.test_memo import BUREAU, MARKET
from tests.supervision.test_report_workflow import _docx

runner = CliRunner()


@pytest.fixture
def record(migrated, db_url):
    """The record, committed; (database URL, campaign id)."""
    with db.session_factory(migrated, write=True)() as s:
        built = rc.build(s)
        s.commit()
        return db_url, built.campaign.id


def _run(*args: str):
    return runner.invoke(app, list(args))


def test_review_answers_a_report_with_a_shenchayijianshu(tmp_path):
    report = tmp_path / "临泽县司法局2025.txt"
    report.write_text(BUREAU, encoding="utf-8")
    res = _run("review", str(report), "--format", "docx", "--out", str(tmp_path / "意见"))
    assert res.exit_code == 0, res.output
    document = open_docx((tmp_path / "意见" / "临泽县司法局2025.审查意见书.docx").read_bytes())
    assert document.paragraphs[0].text == "关于《临泽县司法局关于2025年度法治政府建设情况的报告》的审查意见"
    assert font(document.paragraphs[0]) == "方正小标宋简体"
    missing = _run("review", str(report), "--format", "docx")
    assert missing.exit_code == 2
    assert "须用 --out 指定" in missing.stderr


def test_draft_writes_the_docx_and_prints_the_gaps_and_the_review_finds_what_the_record_says(record, tmp_path):
    url, campaign = record
    out = tmp_path / "草稿.docx"
    res = _run("draft", "--campaign", str(campaign), "--unit", "县司法局", "--out", str(out), "--db", url,
               "--date", "2026-02-20")
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        "【待补充：“完成行政执法案卷评查”的完成情况】", "【待补充：“建设县级人民调解中心”的完成情况】",
        "【待补充：落实情况】", "【待补充：原因】", "【待补充：原因】", "【待补充：原因】"]
    reviewed = _run("review", str(out), "--format", "json", "--with-text")
    assert reviewed.exit_code == 0, reviewed.output
    review = json.loads(reviewed.stdout)
    assert {k: review["parts"][k]["status"] for k in ("achievements", "shortcomings", "first_responsible",
                                                      "next_year_plan")} == dict.fromkeys(
        ("achievements", "shortcomings", "first_responsible", "next_year_plan"), "dedicated")
    assert (review["issuer"]["name"], review["issuer"]["level"], review["issuer"]["county"]) == (
        "临泽县司法局", "department", "临泽县")
    assert (review["year"], review["date"]) == (2025, "2026-02-20")
    engine = db.make_engine(url)
    with db.session_factory(engine)() as s:
        from fazhi.supervision.models import Campaign

        bureau = s.scalar(select(Unit).where(Unit.name == "临泽县司法局"))
        values = unit_record(s, s.get(Campaign, campaign), bureau, files()).values
    engine.dispose()
    assert {f["indicator"] for f in review["facts"]} >= {"normative_docs_filed", "head_appearance_rate",
                                                         "admin_litigation_cases", "law_study_sessions"}
    assert differences(review, review["text"], values) == []
    unknown = _run("draft", "--campaign", str(campaign), "--unit", "县教育局", "--out", str(out), "--db", url)
    assert unknown.exit_code == 1 and "单位“县教育局”未登记" in unknown.stderr


def test_the_office_follows_submission_return_resubmission_and_publication(record, tmp_path):
    url, campaign = record
    first, second, market = tmp_path / "司法局.docx", tmp_path / "司法局修改稿.docx", tmp_path / "市场监管局.docx"
    first.write_bytes(_docx(BUREAU))
    second.write_bytes(_docx(BUREAU.replace("组织集中学法6次。", "组织集中学法6次，带头述法。")))
    market.write_bytes(_docx(MARKET))

    def status(day: str) -> dict[str, str]:
        res = _run("report", "status", "--campaign", str(campaign), "--format", "json", "--as-of", day, "--db", url)
        assert res.exit_code == 0, res.output
        rows = json.loads(res.stdout)
        assert all(set(r) == {"unit", "due", "status", "received_at", "report_id", "published_url"} for r in rows)
        assert all(set(r["unit"]) == {"id", "name"} for r in rows)
        return {r["unit"]["name"]: r["status"] for r in rows}

    submitted = _run("report", "submit", str(first), "--campaign", str(campaign), "--unit", "临泽县司法局",
                     "--received", "2026-02-27", "--copy-to", "临泽县人民政府办公室", "--db", url)
    assert submitted.exit_code == 0, submitted.output
    assert submitted.stdout.strip().isdigit()
    assert _run("report", "submit", str(market), "--campaign", str(campaign), "--unit", "临泽县市场监督管理局",
                "--received", "2026-03-03", "--db", url).exit_code == 0
    assert status("2026-02-26") == {"临泽县司法局": "not_received", "临泽县市场监督管理局": "not_received",
                                    "沙河镇人民政府": "not_received"}
    assert status("2026-03-03") == {"临泽县司法局": "received", "临泽县市场监督管理局": "late",
                                    "沙河镇人民政府": "not_received"}
    rows = json.loads(_run("report", "status", "--campaign", str(campaign), "--format", "json", "--as-of",
                           "2026-03-03", "--db", url).stdout)
    assert rows[0]["received_at"] == "2026-02-27T12:00:00+08:00"  # received on the day given, China time
    returned = _run("report", "return", "--campaign", str(campaign), "--unit", "临泽县司法局",
                    "--reason", "请补充述法情况", "--opinion", str(tmp_path / "意见书"), "--db", url)
    assert returned.exit_code == 0, returned.output
    assert [p.name for p in (tmp_path / "意见书").iterdir()] == ["临泽县司法局2025年度报告（第1版）.审查意见书.docx"]
    assert status("2026-12-31")["临泽县司法局"] == "returned"
    assert _run("report", "submit", str(second), "--campaign", str(campaign), "--unit", "临泽县司法局",
                "--db", url).exit_code == 0
    diff = _run("report", "diff", "--campaign", str(campaign), "--unit", "临泽县司法局", "--format", "json",
                "--db", url)
    changes = [p for p in json.loads(diff.stdout)["paragraphs"] if p["op"] != "equal"]
    assert [(p["op"], p["new"]) for p in changes] == [
        ("changed", "局主要负责人主持研究法治建设4次，组织集中学法6次，带头述法。")]
    assert _run("report", "accept", "--campaign", str(campaign), "--unit", "临泽县司法局", "--db", url).exit_code == 0
    published = _run("report", "publish", "--campaign", str(campaign), "--unit", "临泽县司法局",
                     "--url", "https://www.linze.gov.cn/fzzf/2026.html", "--date", "2026-03-25", "--file", str(second),
                     "--db", url)
    assert published.exit_code == 0, published.output
    assert "公开版本与报送文本一致" in published.stderr
    res = _run("report", "status", "--campaign", str(campaign), "--format", "json", "--as-of", "2026-03-25",
               "--db", url)
    row = next(r for r in json.loads(res.stdout) if r["unit"]["name"] == "临泽县司法局")
    assert (row["status"], row["published_url"], row["due"]) == ("published", "https://www.linze.gov.cn/fzzf/2026.html",
                                                                 "2026-03-01")
    memo = tmp_path / "通报.docx"
    res = _run("memo", "--campaign", str(campaign), "--out", str(memo), "--as-of", "2026-04-02", "--db", url)
    assert res.exit_code == 0, res.output
    assert "未报送的1个单位：沙河镇人民政府。" in [p.text for p in open_docx(memo.read_bytes()).paragraphs]
    draft = tmp_path / "司法局另一稿.docx"
    draft.write_bytes(_docx(BUREAU.replace("集中学法6次", "集中学法8次")))  # the record says 6
    checked = _run("report", "check", str(draft), "--campaign", str(campaign), "--unit", "临泽县司法局", "--db", url)
    assert checked.exit_code == 1
    (line,) = [x for x in checked.stdout.splitlines() if "数字与记录不一致" in x]
    assert "报告写的是8次，记录中为6次" in line
    bad = _run("report", "status", "--campaign", str(campaign), "--as-of", "3月1日", "--db", url)
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.stderr
