"""The fazhi command line: outputs, batches with bad files, exit status."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fazhi.cli import app

runner = CliRunner()


def test_review_writes_one_fazhi_review_json_per_report(seed_paths, tmp_path):
    res = runner.invoke(app, ["review", *map(str, seed_paths), "--format", "json", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    for p in seed_paths:
        data = json.loads((tmp_path / f"{p.stem}.json").read_text(encoding="utf-8"))
        assert data["schema"] == "fazhi.review/1"
        assert data["source"]["path"] == str(p)
        assert len(data["source"]["sha256"]) == 64
        assert set(data["parts"]) >= {"achievements", "shortcomings", "first_responsible", "next_year_plan"}
        assert "text" not in data


def test_with_text_includes_the_text_the_offsets_index(seed_paths, tmp_path):
    res = runner.invoke(app, ["review", str(seed_paths[0]), "-f", "json", "--with-text", "-o", str(tmp_path)])
    assert res.exit_code == 0
    data = json.loads((tmp_path / f"{seed_paths[0].stem}.json").read_text(encoding="utf-8"))
    text = data["text"]
    for f in data["facts"] + data["quantities"]:
        assert text[f["start"]:f["end"]] == f["text"]
    for part in data["parts"].values():
        if part["evidence"]:
            assert text[part["evidence"]["start"]:part["evidence"]["end"]] == part["evidence"]["text"]


def test_a_bad_file_is_named_with_its_reason_and_the_batch_goes_on(seed_paths, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    missing = tmp_path / "nope.docx"
    out = tmp_path / "out"
    res = runner.invoke(app, ["review", str(empty), str(seed_paths[0]), str(missing), "-f", "json", "-o", str(out)])
    assert res.exit_code == 1
    assert "empty.txt" in res.output and "nope.docx" in res.output
    assert "Traceback" not in res.output
    assert (out / f"{seed_paths[0].stem}.json").exists()
    assert not (out / "empty.json").exists()


def test_terminal_view_shows_parts_checklist_figures_and_findings(seed_paths):
    res = runner.invoke(app, ["review", str(seed_paths[0])])
    assert res.exit_code == 0
    for word in ("必备内容", "审查意见", "评分", "✓"):
        assert word in res.output


def test_markdown_and_html_views(seed_paths, tmp_path):
    res = runner.invoke(app, ["review", str(seed_paths[1]), "-f", "md"])
    assert res.exit_code == 0 and "## 必备内容" in res.output
    res = runner.invoke(app, ["review", str(seed_paths[1]), "-f", "html", "-o", str(tmp_path)])
    page = (tmp_path / f"{seed_paths[1].stem}.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "必备内容" in page
    assert "http://" not in page and "https://" not in page  # works offline: nothing loaded from outside


def test_report_text_is_escaped_in_html(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("某县2022年法治政府建设情况报告\n一、主要举措\n<script>alert(1)</script>全年学法3次。\n",
                 encoding="utf-8")
    res = runner.invoke(app, ["review", str(p), "-f", "html"])
    assert res.exit_code == 0
    assert "<script>alert(1)</script>" not in res.output
    assert "&lt;script&gt;alert" in res.output


def test_folder_argument_reviews_every_report_in_it(tmp_path):
    (tmp_path / "a.txt").write_text("一、主要举措和成效\n全年学法3次。\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("## 一、工作情况\n办理复议案件2件。\n", encoding="utf-8")
    (tmp_path / "notes.csv").write_text("x", encoding="utf-8")
    out = tmp_path / "out"
    res = runner.invoke(app, ["review", str(tmp_path), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json"]


def test_help_and_version():
    assert "review" in runner.invoke(app, ["--help"]).output
    assert runner.invoke(app, ["--version"]).output.startswith("fazhi ")


def test_a_folder_of_doc_and_wps_files_names_them_and_says_how_to_convert(tmp_path) -> None:
    (tmp_path / "县政府2024年报告.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    (tmp_path / "乡镇报告.wps").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    for cmd in (["review", str(tmp_path)], ["ingest", str(tmp_path), "--db", str(tmp_path / "x.sqlite")]):
        res = CliRunner().invoke(app, cmd)
        assert res.exit_code == 2, res.output
        out = res.output.replace("\n", "")
        assert "县政府2024年报告.doc" in out and "乡镇报告.wps" in out and "另存为 .docx" in out
        assert "Traceback" not in out
    assert not (tmp_path / "x.sqlite").exists()  # nothing was opened or created for nothing to store


def test_fazhi_review_stays_the_function_whatever_is_imported() -> None:
    import fazhi
    import fazhi.review.pipeline

    assert callable(fazhi.review) and fazhi.review("一、主要举措和成效\n组织集中学法4次。").facts


def test_serve_resolves_the_database_once_and_hands_it_to_the_workers(tmp_path, monkeypatch) -> None:
    import uvicorn

    from fazhi import db

    calls: list[object] = []
    real = db.resolve_url
    monkeypatch.setattr(db, "resolve_url", lambda value=None: calls.append(value) or real(value))
    started: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: started.update(target=target, **kw))
    monkeypatch.delenv(db.ENV_URL, raising=False)
    path = tmp_path / "serve.sqlite"
    res = CliRunner().invoke(app, ["serve", "--db", str(path), "--no-jobs", "--workers", "2"])
    assert res.exit_code == 0, res.output
    assert calls == [str(path)]  # once
    assert started["target"] == "fazhi.web.app:app_from_env" and started["workers"] == 2
    import os

    assert os.environ[db.ENV_URL] == real(str(path))  # what each worker process loads its settings with
    monkeypatch.delenv(db.ENV_URL)
