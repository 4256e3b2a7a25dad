"""`fazhi ingest`: parallel review into the store, idempotent by sha256 — on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from fazhi import db
from fazhi.cli.corpus import register
from fazhi.corpus import service
from fazhi.corpus.ingest import expand, file_sha256, ingest
from fazhi.corpus.models import Fact, IngestRun, Quantity, Report
from tests.test_store import assert_rows_match

pytestmark = [pytest.mark.db]


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def count(eng, model) -> int:
    with db.session_factory(eng)() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("workers", [2, 0])
def test_seeds_twice_store_five(engine, seed_paths, seed_reviews, workers, consistent):
    first = ingest(seed_paths, engine=engine, workers=workers)
    assert first.status == "completed" and first.exit_code == 0
    assert (first.counts.ok, first.counts.skipped, first.counts.failed) == (5, 0, 0)
    facts = count(engine, Fact)
    quantities = count(engine, Quantity)
    assert facts == sum(len(r.facts) for r in seed_reviews.values())

    second = ingest(seed_paths, engine=engine, workers=workers)
    assert (second.counts.ok, second.counts.skipped, second.counts.failed) == (0, 5, 0)
    assert count(engine, Report) == 5 == consistent(engine)
    assert (count(engine, Fact), count(engine, Quantity)) == (facts, quantities)

    with db.session_factory(engine)() as s:
        for path in seed_paths:
            rv = seed_reviews[path.stem]
            rep = service.get_report(s, rv.source.sha256)
            assert rep is not None and rep.text == rv.text
            assert Path(rep.source_path).resolve() == path.resolve()
            assert rep.ingest_run_id == first.run_id
            assert_rows_match(rep, rv.to_json())
        runs = {r.id: r for r in service.list_runs(s)}
        assert runs[first.run_id].status == "completed" and runs[first.run_id].ok == 5
        assert runs[second.run_id].skipped == 5 and runs[second.run_id].finished_at is not None


def test_folders_globs_and_duplicate_content(migrated, seed_paths, tmp_path):
    src = tmp_path / "in" / "sub"
    src.mkdir(parents=True)
    for p in seed_paths[:3]:
        shutil.copy(p, src / p.name)
    shutil.copy(seed_paths[0], tmp_path / "in" / "copy-of-first.txt")  # same bytes, other name
    (tmp_path / "in" / "notes.xlsx").write_bytes(b"PK\x03\x04")  # not a supported extension: ignored
    found = expand([tmp_path / "in"])
    assert len(found) == 4 and all(p.suffix == ".txt" for p in found)
    assert expand([str(tmp_path / "in" / "**" / "0*.txt")]) == sorted(src.glob("0*.txt"))
    res = ingest([tmp_path / "in", str(tmp_path / "in" / "sub" / "*.txt")], engine=migrated, workers=2)
    assert (res.counts.total, res.counts.ok, res.counts.skipped, res.counts.failed) == (4, 3, 1, 0)
    assert count(migrated, Report) == 3


def test_missing_file_is_a_failure_with_reason(migrated, seed_paths, tmp_path):
    res = ingest([seed_paths[0], tmp_path / "nope.txt"], engine=migrated, workers=0)
    assert res.counts.ok == 1 and res.counts.failed == 1 and res.exit_code == 1
    assert res.failures == [(str(tmp_path / "nope.txt"), "文件不存在（file not found）")]


def test_refresh_rereviews_changed_knowledge(migrated, seed_paths, consistent):
    first = ingest(seed_paths, engine=migrated, workers=2)
    with db.session_factory(migrated).begin() as s:
        ids = dict(s.execute(select(Report.sha256, Report.id)).all())
        # as if two reports had been reviewed with an older rule set
        s.execute(update(Report).where(Report.id.in_(sorted(ids.values())[:2])).values(knowledge="rules=2000.1"))
    plain = ingest(seed_paths, engine=migrated, workers=2)
    assert (plain.counts.ok, plain.counts.refreshed, plain.counts.skipped) == (0, 0, 5)
    res = ingest(seed_paths, engine=migrated, workers=2, refresh=True, user="refresher")
    assert (res.counts.ok, res.counts.refreshed, res.counts.skipped) == (0, 2, 3)
    with db.session_factory(migrated)() as s:
        assert dict(s.execute(select(Report.sha256, Report.id)).all()) == ids  # same rows, same ids
        current = service.knowledge_key(service.current_versions())
        assert set(s.scalars(select(Report.knowledge))) == {current}
        refreshed = s.scalars(select(Report).where(Report.ingest_run_id == res.run_id)).all()
        assert len(refreshed) == 2 and all(r.updated_by.name == "refresher" for r in refreshed)
        assert first.run_id != res.run_id
    assert consistent(migrated) == 5
    again = ingest(seed_paths, engine=migrated, workers=0, refresh=True)
    assert (again.counts.refreshed, again.counts.skipped) == (0, 5)


def test_user_attribution(migrated, seed_paths):
    res = ingest(seed_paths[:1], engine=migrated, workers=0, user="李四")
    with db.session_factory(migrated)() as s:
        rep = s.scalars(select(Report)).one()
        assert rep.created_by is not None and rep.created_by.name == "李四"
        assert s.get(IngestRun, res.run_id).created_by.name == "李四"


def test_progress_and_failure_callbacks(migrated, seed_paths, tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    seen: list[tuple[int, str | None]] = []
    failed: list[tuple[str, str]] = []
    res = ingest([*seed_paths, bad], engine=migrated, workers=2,
                 progress=lambda c, p: seen.append((c.done, p)), on_failure=lambda p, r: failed.append((p, r)))
    assert seen[0] == (0, None) and seen[-1][0] == 6
    assert [p for p, _ in failed] == [str(bad)] and res.counts.failed == 1


def test_file_sha256_matches_review(seed_paths, seed_reviews):
    for p in seed_paths:
        assert file_sha256(p) == seed_reviews[p.stem].source.sha256
    assert file_sha256(seed_paths[0], max_bytes=10) is None


# ----------------------------------------------------------------------------- the CLI
def test_cli_ingest_upgrade_info(db_url, seed_paths):
    runner = CliRunner()
    app = _app()
    r = runner.invoke(app, ["db", "upgrade", "--db", db_url])
    assert r.exit_code == 0, r.output
    assert "数据库结构为最新版本" in r.output
    r = runner.invoke(app, ["ingest", *map(str, seed_paths), "--db", db_url, "--workers", "2"])
    assert r.exit_code == 0, r.output
    assert "入库 5 份，跳过 0 份（已入库），失败 0 份" in r.output
    r = runner.invoke(app, ["ingest", str(seed_paths[0].parent), "--db", db_url, "-q"])
    assert r.exit_code == 0 and r.output.strip() == ""
    r = runner.invoke(app, ["db", "info", "--db", db_url])
    assert r.exit_code == 0, r.output
    assert "reports                  5" in r.output and "completed" in r.output


def test_cli_exit_status_on_bad_file(tmp_path, seed_paths):
    bad = tmp_path / "bin.txt"
    bad.write_bytes(bytes(range(256)) * 4)
    r = CliRunner().invoke(_app(), ["ingest", str(seed_paths[0]), str(bad), "--db", str(tmp_path / "x.sqlite"),
                                    "--workers", "0"])
    assert r.exit_code == 1
    assert f"{bad}：" in r.output and "入库 1 份，跳过 0 份（已入库），失败 1 份" in r.output


def test_cli_default_database_from_env(tmp_path, seed_paths, monkeypatch):
    monkeypatch.setenv(db.ENV_URL, f"sqlite:///{tmp_path / 'env.sqlite'}")
    r = CliRunner().invoke(_app(), ["ingest", str(seed_paths[0]), "--workers", "0"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "env.sqlite").exists()
    r = CliRunner().invoke(_app(), ["db", "info"])
    assert str(tmp_path / "env.sqlite") in r.output


def test_cli_info_without_database(tmp_path):
    r = CliRunner().invoke(_app(), ["db", "info", "--db", str(tmp_path / "none.sqlite")])
    assert r.exit_code == 0 and "该处还没有数据库" in r.output
    assert not (tmp_path / "none.sqlite").exists()
