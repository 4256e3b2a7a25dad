"""A text that is not an annual report on rule-of-law government ("hello world", a notice, a news item) is not
stored as one: refused on upload (page and API) and by ``fazhi ingest`` with the reason, unless forced;
``fazhi review`` still reviews it and warns.  No real report (the seeds, the bundled examples) is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from fazhi import db
from fazhi.cli import app as cli
from fazhi.corpus.models import Report
from fazhi.review.pipeline import Reviewer
from fazhi.review.screen import not_a_report

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "fazhi" / "examples"

HELLO = "hello world\n"
MEETING = ("关于召开第一季度安全生产工作会议的通知\n各乡镇人民政府，县直各单位：\n"
           "定于3月15日上午9时在县政府三楼会议室召开全县第一季度安全生产工作会议，请各单位分管负责同志参加。\n"
           "一、会议内容：通报去年全县安全生产情况，部署今年重点工作。\n二、有关要求：请提前10分钟入场。\n"
           "特此通知。\n县人民政府办公室\n2024年3月10日\n")
NEWS = ("我市举办普法志愿者培训班\n本报讯 11月20日，市司法局举办全市普法志愿者培训班，来自各县区的120余名志愿者参加。"
        "培训邀请专家围绕宪法、民法典进行授课。\n市司法局有关负责人表示，将持续推进法治宣传教育，提升全民法治素养。"
        "参加培训的志愿者表示收获很大。\n")
REPORT_NOTICE = ("关于做好2023年度法治政府建设年度报告工作的通知\n各县（市、区）人民政府，市政府各部门：\n"
                 "一、报告内容。年度报告应当包括推进法治政府建设的主要举措和成效，存在的不足和原因，党政主要负责人履行"
                 "推进法治建设第一责任人职责情况，下一年度推进法治政府建设的主要安排。\n"
                 "二、报送时间。请于2024年2月20日前报送。\n市委全面依法治市委员会办公室\n2024年1月10日\n")
NOT_REPORTS = {"hello.txt": HELLO, "会议通知.txt": MEETING, "新闻.txt": NEWS, "报告工作通知.txt": REPORT_NOTICE}
SHORT_REPORT = ("某某市某某区人民政府关于2023年度法治政府建设情况的报告\n一、主要举措和成效\n全年组织集中学法4次。\n"
                "二、存在的不足和原因\n执法力量不足。\n三、2024年工作安排\n充实执法力量。\n")


def _why(text: str) -> str | None:
    rv = Reviewer().review_text(text)
    return not_a_report(rv.to_json(), rv.text)


@pytest.mark.parametrize("name", sorted(NOT_REPORTS))
def test_a_text_that_is_not_a_report_is_told_apart(name: str) -> None:
    why = _why(NOT_REPORTS[name])
    assert why, name


def test_the_reasons_say_what_is_missing() -> None:
    assert "太短" in (_why(HELLO) or "")
    assert "法治" in (_why(MEETING) or "")
    assert "通知" in (_why(REPORT_NOTICE) or "")
    assert "必备内容" in (_why(NEWS) or "")


def test_real_reports_and_short_ones_pass(seed_paths: list[Path]) -> None:
    reviewer = Reviewer()
    files = [*seed_paths, *(p for p in EXAMPLES.iterdir() if p.suffix in (".txt", ".md", ".html", ".docx"))]
    assert len(files) >= 10
    for path in files:
        rv = reviewer.review_path(path)
        assert not_a_report(rv.to_json(), rv.text) is None, path
    assert _why(SHORT_REPORT) is None  # short, but a report: its title and three parts


def _write(folder: Path, texts: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _count(url: str) -> int:
    engine = db.make_engine(url)
    try:
        with db.session_factory(engine)() as s:
            return s.scalar(select(func.count()).select_from(Report)) or 0
    finally:
        engine.dispose()


@pytest.mark.db
def test_ingest_refuses_a_non_report_with_the_reason_unless_forced(tmp_path: Path) -> None:
    folder = _write(tmp_path / "in", {"新闻.txt": NEWS, "报告.txt": SHORT_REPORT})
    url = f"sqlite:///{tmp_path / 'd.sqlite'}"
    runner = CliRunner()
    res = runner.invoke(cli, ["ingest", str(folder), "--db", url, "-j", "0"])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "新闻.txt" in res.output and "不像法治政府建设年度报告" in res.output and "--force" in res.output
    assert _count(url) == 1  # the report is stored, the news item is not
    res = runner.invoke(cli, ["ingest", str(folder / "新闻.txt"), "--db", url, "-j", "0", "--force"])
    assert res.exit_code == 0, res.output
    assert _count(url) == 2


def test_review_still_reviews_and_warns(tmp_path: Path) -> None:
    folder = _write(tmp_path / "in", {"hello.txt": HELLO})
    res = CliRunner().invoke(cli, ["review", str(folder / "hello.txt"), "-f", "json"])
    assert res.exit_code == 0 and "Traceback" not in res.output
    assert "太短" in res.output and '"score"' in res.output  # the warning, and the review all the same


@pytest.mark.web
def test_upload_refuses_a_non_report_unless_forced(tmp_path: Path) -> None:
    from tests.web.conftest import PASSWORD, Web, _make, add_user

    app: Any = _make(f"sqlite:///{tmp_path / 'w.sqlite'}")
    try:
        add_user(app, "审核员甲", "reviewer")
        w = Web(app)
        w.login("审核员甲", PASSWORD)
        csrf = w.csrf("/upload")
        r = w.upload([("通知.txt", MEETING.encode())], csrf=csrf)
        assert r.status_code == 422
        got = r.json()["results"][0]
        assert not got["ok"] and "不像法治政府建设年度报告" in got["error"] and "法治" in got["error"]
        page = w.get("/upload")
        assert 'name="force"' in page.text
        r = w.post("/upload", data={"csrf_token": csrf}, files=[("files", ("新闻.txt", NEWS.encode(), "text/plain"))])
        assert r.status_code == 422 and "不像法治政府建设年度报告" in r.text
        r = w.post("/upload", data={"csrf_token": csrf, "force": "1"},
                   files=[("files", ("新闻.txt", NEWS.encode(), "text/plain"))])
        assert r.status_code == 201, r.text
        r = w.c.post("/api/reports?brief=1&force=1", headers={"X-CSRF-Token": csrf},
                     files=[("files", ("通知.txt", MEETING.encode(), "text/plain"))])
        assert r.status_code == 201 and r.json()["results"][0]["ok"]
    finally:
        app.state.engine.dispose()
