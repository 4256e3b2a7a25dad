"""The command line never shows a Python traceback and never drops what it was asked silently: each case says
what is wrong, in Chinese, and exits with a non-zero status."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fazhi import db
from fazhi.cli import app
from fazhi.corpus.service import save_review
from fazhi.review.pipeline import review_text

runner = CliRunner()

REPORT = ("某某市某某区人民政府关于2023年度法治政府建设情况的报告\n一、主要举措和成效\n"
          "全年组织集中学法4次，办理法律援助案件171件，受理行政复议案件9件。\n"
          "二、存在的不足和原因\n执法力量不足，原因是编制紧张。\n三、2024年工作安排\n充实执法力量。\n")


@pytest.fixture
def stored_db(tmp_path: Path) -> str:
    """A SQLite file with one stored report."""
    path = tmp_path / "store.sqlite"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    with db.session_factory(engine, write=True)() as s:
        rv = review_text(REPORT)
        save_review(s, rv.to_json(), rv.text)
        s.commit()
    engine.dispose()
    return str(path)


def run(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args))
    out = res.output
    assert "Traceback" not in out, out
    # an exception that escaped the command would be kept here instead of printed
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    return res.exit_code, out


def test_compare_to_a_folder_that_does_not_exist(stored_db: str, tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "x.xlsx"
    code, out = run("compare", "--db", stored_db, "--xlsx", str(target))
    assert code == 2 and "--xlsx" in out and "不存在" in out and str(target.parent) in out
    code, out = run("compare", "--db", stored_db, "--csv", str(tmp_path / "nowhere" / "x.csv"))
    assert code == 2 and "--csv" in out and "不存在" in out
    assert not target.parent.exists()


def test_compare_onto_a_folder(stored_db: str, tmp_path: Path) -> None:
    code, out = run("compare", "--db", stored_db, "--csv", str(tmp_path))
    assert code == 2 and "文件夹" in out


def test_unknown_indicator_is_named_not_dropped(stored_db: str, tmp_path: Path) -> None:
    out_file = tmp_path / "t.csv"
    code, out = run("compare", "--db", stored_db, "-i", "legal_aid_cases,legal_aid_casez", "--csv", str(out_file))
    assert code == 2 and "legal_aid_casez" in out and "未知" in out
    assert "legal_aid_cases" in out.split("是否指", 1)[1]  # the close match is offered
    assert not out_file.exists()
    code, out = run("compare", "--db", stored_db, "-i", "legal_aid_cases", "--csv", str(out_file))
    assert code == 0 and "法律援助" in out_file.read_text(encoding="utf-8-sig")


def test_compare_on_a_missing_sqlite_file_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "typo.sqlite"
    code, out = run("compare", "--db", str(missing))
    assert code == 1 and "数据库文件不存在" in out and str(missing) in out
    assert not missing.exists()
    code, out = run("search", "法律援助", "--db", str(missing))
    assert code != 0 and "不存在" in out and not missing.exists()


def test_review_out_onto_an_existing_file(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_text(REPORT, encoding="utf-8")
    taken = tmp_path / "taken"
    taken.write_text("keep me", encoding="utf-8")
    code, out = run("review", str(report), "--out", str(taken))
    assert code == 2 and "--out" in out and "文件夹" in out
    assert taken.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("command", ["review", "ingest"])
def test_a_folder_of_doc_and_wps_files_names_them_and_says_how_to_convert(command: str, tmp_path: Path) -> None:
    folder = tmp_path / "word"
    folder.mkdir()
    (folder / "2023年报告.doc").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    (folder / "2022年报告.wps").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    args = [command, str(folder)] + (["--db", str(tmp_path / "d.sqlite")] if command == "ingest" else [])
    code, out = run(*args)
    assert code == 2
    assert "2023年报告.doc" in out and "2022年报告.wps" in out
    assert "另存为 .docx" in out and ".pdf" in out and ".txt" in out
    assert "no report files found" not in out


def test_an_unexpected_file_error_is_one_chinese_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fazhi.corpus import export

    def broken(*_a: object, **_k: object) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / "t.xlsx"))

    monkeypatch.setattr(export, "write_xlsx", broken)
    path = tmp_path / "s.sqlite"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    with db.session_factory(engine, write=True)() as s:
        rv = review_text(REPORT)
        save_review(s, rv.to_json(), rv.text)
        s.commit()
    engine.dispose()
    code, out = run("compare", "--db", str(path), "--xlsx", str(tmp_path / "t.xlsx"))
    assert code == 1 and "没有权限" in out and "t.xlsx" in out


def test_bad_values_and_paths_elsewhere(tmp_path: Path) -> None:
    """Other commands on a bad value, a missing database or a bad path: a message, never a traceback."""
    missing = tmp_path / "none.sqlite"
    for args in (["compare", "--db", str(missing), "-w", "year=abc"], ["db", "info", "--db", str(tmp_path / "x")],
                 ["knowledge", "show", "rules", "nope", "--db", str(missing)],
                 ["similar", "1", "--db", str(missing)], ["review", str(tmp_path / "nope.txt")],
                 ["unit", "list", "--db", str(tmp_path / "a-file" / "u.sqlite")]):
        if args[0] == "unit":
            (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
        code, out = run(*args)
        assert code != 0 or "该处还没有数据库" in out, (args, out)
        assert out.strip(), args
