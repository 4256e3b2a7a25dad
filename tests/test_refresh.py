"""`fazhi refresh`: stored reports re-reviewed from their stored text under the knowledge in effect —
the same review the original file gets, ids and file names kept, only what is stale, resumable.
On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from fazhi import db, knowledge
from fazhi.accounts.models import AuditEvent
from fazhi.cli import app as cli_app
from fazhi.config import Settings
from fazhi.corpus import service
from fazhi.corpus.ingest import ingest
from fazhi.corpus.models import IngestFailure, Report
from fazhi.corpus.refresh import refresh_stored
from fazhi.knowledge import versions as ks
from fazhi.review import pipeline
from fazhi.review import pool as review_pool
from tests.knowledge_helpers import RULE, local_rules

pytestmark = [pytest.mark.db]

runner = CliRunner()
COMPARED = ("title", "issuer", "year", "date", "outline", "parts", "quantities", "facts", "findings", "score")


def _stored(engine) -> dict[str, tuple[int, dict, str]]:
    """sha256 -> (id, review, knowledge key) of every stored report."""
    with db.session_factory(engine)() as s:
        return {sha: (rid, doc, key) for rid, sha, doc, key in
                s.execute(select(Report.id, Report.sha256, Report.review, Report.knowledge))}


def _activate_local_rules(engine) -> str:
    text = local_rules("2024.1-本地", severity="error", message="本地：不足没有分析原因")
    with db.session_factory(engine, write=True).begin() as s:
        ks.add_version(s, "rules", text, activate_it=True)
    return text


def test_refresh_gives_each_stored_report_the_review_its_file_gets_now(migrated, seed_paths):
    res = ingest(seed_paths, engine=migrated, workers=0)
    assert res.counts.ok == len(seed_paths)
    before = _stored(migrated)
    rules = _activate_local_rules(migrated)

    result = refresh_stored(migrated, workers=0)
    assert result.status == "completed" and result.counts.refreshed == len(seed_paths)
    after = _stored(migrated)
    assert {sha: v[0] for sha, v in after.items()} == {sha: v[0] for sha, v in before.items()}  # same ids
    local = knowledge.from_texts({"rules": rules})
    for path in seed_paths:
        fresh = pipeline.review_path(path, knowledge=local).to_json()
        _rid, doc, key = after[fresh["source"]["sha256"]]
        assert {k: doc.get(k) for k in COMPARED} == {k: fresh.get(k) for k in COMPARED}, path.name
        assert doc["source"]["path"] == str(path) and doc["versions"]["rules"] == "2024.1-本地"
        assert key == service.knowledge_key(fresh["versions"])
    # the rule now reads as the local version says, wherever it applies
    changed = [doc for _i, doc, _k in after.values() for f in doc["findings"] if f["rule"] == RULE]
    assert changed and all(f["severity"] == "error" for d in changed for f in d["findings"] if f["rule"] == RULE)
    with db.session_factory(migrated)() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "report.refresh")).all()
    assert len(events) == len(seed_paths)
    # nothing is stale any more: a second run re-reviews nothing; --all re-reviews everything
    assert refresh_stored(migrated).counts.total == 0
    assert refresh_stored(migrated, everything=True).counts.refreshed == len(seed_paths)


def test_refresh_in_worker_processes_is_the_same(migrated, seed_paths):
    ingest(seed_paths, engine=migrated, workers=0)
    _activate_local_rules(migrated)
    result = refresh_stored(migrated, workers=2)
    assert result.status == "completed" and result.counts.refreshed == len(seed_paths)
    assert {doc["versions"]["rules"] for _i, doc, _k in _stored(migrated).values()} == {"2024.1-本地"}


def test_an_interrupted_refresh_is_finished_by_running_it_again(migrated, seed_paths):
    ingest(seed_paths, engine=migrated, workers=0)
    _activate_local_rules(migrated)
    stop = threading.Event()
    first = refresh_stored(migrated, stop=stop, progress=lambda _counts: stop.set())
    assert first.status == "interrupted" and first.exit_code == 130 and first.counts.refreshed == 0
    again = refresh_stored(migrated)
    assert again.status == "completed" and again.counts.refreshed == len(seed_paths)


def test_cli_refresh(migrated, seed_paths):
    url = migrated.url.render_as_string(hide_password=False)
    ingest(seed_paths[:2], engine=migrated, workers=0)
    _activate_local_rules(migrated)
    r = runner.invoke(cli_app, ["refresh", "--db", url])
    assert r.exit_code == 0, r.output
    assert "按其他规则或指标审查的已入库报告共 2 份，重新审查 2 份，失败 0 份" in r.output
    r = runner.invoke(cli_app, ["refresh", "--db", url])
    assert r.exit_code == 0 and "共 0 份，重新审查 0 份" in r.output


def test_a_refresh_whose_review_hangs_stops_it_at_the_time_limit(migrated, seed_paths, monkeypatch):
    """Re-reviews in review processes have the time limit of every review: the report whose review hangs
    (injected with the processes' test-only hook) fails with the reason and keeps the review it had; the
    others are re-reviewed."""
    ingest(seed_paths, engine=migrated, workers=0)
    _activate_local_rules(migrated)
    victim = seed_paths[2]
    monkeypatch.setenv(review_pool.FAULTS_ENV, json.dumps({victim.name: "hang"}))
    result = refresh_stored(migrated, workers=2, settings=Settings(review_timeout_seconds=5))
    assert (result.status, result.counts.refreshed, result.counts.failed) == ("completed", len(seed_paths) - 1, 1)
    rules = {Path(doc["source"]["path"]).name: doc["versions"]["rules"] for _i, doc, _k in _stored(migrated).values()}
    assert rules == {p.name: ("2024.1" if p == victim else "2024.1-本地") for p in seed_paths}
    with db.session_factory(migrated)() as s:
        (rid,) = s.scalars(select(Report.id).where(Report.source_path == str(victim)))
    assert result.failures == [(f"report {rid}", "审查超时：超过 5 秒仍未完成，已停止（文件可能异常）")]


def test_cli_refresh_takes_the_review_time_limit_from_the_environment(migrated, seed_paths, monkeypatch):
    ingest(seed_paths[:2], engine=migrated, workers=0)
    _activate_local_rules(migrated)
    monkeypatch.setenv(review_pool.FAULTS_ENV, json.dumps({seed_paths[0].name: "hang"}))
    monkeypatch.setenv("FAZHI_REVIEW_TIMEOUT", "4")
    r = runner.invoke(cli_app, ["refresh", "--db", migrated.url.render_as_string(hide_password=False),
                                "--workers", "2"])
    assert r.exit_code == 1
    assert "按其他规则或指标审查的已入库报告共 2 份，重新审查 1 份，失败 1 份" in r.output
    with db.session_factory(migrated)() as s:
        (failure,) = s.scalars(select(IngestFailure))
    assert failure.reason == "审查超时：超过 4 秒仍未完成，已停止（文件可能异常）"
