"""Faults during ingest, against real SQLite and real PostgreSQL: corrupt files, internal errors,
a review process that dies, a review that hangs or needs too much memory, the database connection
killed, two ingests at once, a read-only or full SQLite database, and interruption (SIGINT, SIGTERM,
SIGKILL) — never a duplicate row, never a half-written report, always a clear message, and a re-run
that completes.

Faults inside a review are injected with the review processes' test-only hook
(``FAZHI_TEST_FAULTS``, :mod:`fazhi.review.pool`): the processes an ingest starts read it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from fazhi import db
from fazhi.cli.corpus import register
from fazhi.config import Settings
from fazhi.corpus import service
from fazhi.corpus.ingest import file_sha256, ingest
from fazhi.corpus.models import IngestFailure, IngestRun, Report
from fazhi.review import pipeline
from fazhi.review import pool as review_pool
from fazhi.units.models import Issuer

pytestmark = [pytest.mark.db, pytest.mark.slow]


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def n_reports(eng) -> int:
    with db.session_factory(eng)() as s:
        return int(s.scalar(select(func.count()).select_from(Report)) or 0)


def run_row(eng, run_id: int) -> IngestRun:
    with db.session_factory(eng)() as s:
        run = service.get_run(s, run_id)
        assert run is not None
        return run


def inject(monkeypatch, faults: dict[str, str], *, here: bool = False) -> None:
    """Reviews of the files named in ``faults`` do their fault (raise / exit / hang / allocate) in the review
    processes started from now on; ``here``: in this process too (``workers=0``; "raise" only)."""
    spec = json.dumps(faults)
    monkeypatch.setenv(review_pool.FAULTS_ENV, spec)
    if here:
        # registered with monkeypatch so that it is undone, then replaced by the hook's own wrapper
        monkeypatch.setattr(pipeline.Reviewer, "review_source", pipeline.Reviewer.review_source)
        review_pool._install_faults(spec)


def failure_rows(eng, run_id: int) -> set[tuple[str, str]]:
    with db.session_factory(eng)() as s:
        return {(f.path, f.reason) for f in s.scalars(select(IngestFailure).where(IngestFailure.run_id == run_id))}


@pytest.fixture
def folder(tmp_path, seed_paths) -> Path:
    d = tmp_path / "reports"
    d.mkdir()
    for p in seed_paths:
        shutil.copy(p, d / p.name)
    return d


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    """160 generated reports (or, without the generator, copies of the seeds made distinct)."""
    d = tmp_path_factory.mktemp("corpus")
    try:
        from fazhi.bench.corpus_gen import write_corpus
    except ImportError:  # pragma: no cover - the generator is part of the package today
        from tests.conftest import SEEDS

        for i in range(160):
            src = SEEDS[i % len(SEEDS)]
            (d / f"r{i:04d}.txt").write_text(src.read_text(encoding="utf-8") + f"\n（第{i}份）\n",
                                             encoding="utf-8")
        return d
    write_corpus(d, 160, seed=7)
    return d


# ----------------------------------------------------------------------------- bad files
def test_corrupt_files_in_a_batch(migrated, folder, consistent):
    (folder / "broken.docx").write_bytes(b"PK\x03\x04" + os.urandom(300))  # a damaged zip
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "empty.txt").write_bytes(b"")
    with zipfile.ZipFile(folder / "nodoc.docx", "w") as z:  # a zip without a Word document
        z.writestr("hello.txt", "hi")
    res = ingest([folder], engine=migrated, workers=2)
    assert (res.counts.ok, res.counts.failed) == (5, 4) and res.exit_code == 1
    reasons = dict(res.failures)
    assert set(reasons) == {str(folder / n) for n in ("broken.docx", "binary.txt", "empty.txt", "nodoc.docx")}
    assert all(r and not r.startswith("内部错误") for r in reasons.values())
    with db.session_factory(migrated)() as s:
        rows = s.scalars(select(IngestFailure).where(IngestFailure.run_id == res.run_id)).all()
        assert {(f.path, f.reason) for f in rows} == set(reasons.items())
        assert all(f.sha256 for f in rows if not f.path.endswith("empty.txt"))
    assert consistent(migrated) == 5
    assert run_row(migrated, res.run_id).failed == 4
    again = ingest([folder], engine=migrated, workers=2)  # the failures are tried again, the rest skipped
    assert (again.counts.ok, again.counts.skipped, again.counts.failed) == (0, 5, 4)


@pytest.mark.parametrize("workers", [2, 0])
def test_internal_error_in_review(migrated, folder, monkeypatch, workers, consistent):
    victim = sorted(folder.iterdir())[2]
    inject(monkeypatch, {victim.name: "raise"}, here=workers == 0)
    res = ingest([folder], engine=migrated, workers=workers)
    assert (res.counts.ok, res.counts.failed) == (4, 1)
    assert res.failures == [(str(victim), "内部错误：RuntimeError: injected fault (FAZHI_TEST_FAULTS)")]
    assert consistent(migrated) == 4
    monkeypatch.undo()
    again = ingest([folder], engine=migrated, workers=workers)
    assert (again.counts.ok, again.counts.skipped) == (1, 4)
    assert consistent(migrated) == 5


def test_internal_error_while_storing_rolls_back_that_report(migrated, folder, monkeypatch, consistent):
    """A failure in the middle of writing (after the report row, before its facts): the batch is
    rolled back and written again report by report; only that report fails, nothing half-written."""
    real = service._children
    victim = sorted(folder.iterdir())[1]
    sha = file_sha256(victim)

    def broken(report_id, doc):
        if doc["source"]["sha256"] == sha:
            raise ValueError("cannot map this review")
        return real(report_id, doc)

    monkeypatch.setattr(service, "_children", broken)
    res = ingest([folder], engine=migrated, workers=2)
    assert (res.counts.ok, res.counts.failed) == (4, 1)
    assert res.failures == [(str(victim), "内部错误：ValueError: cannot map this review")]
    assert consistent(migrated) == 4
    with db.session_factory(migrated)() as s:
        assert s.scalar(select(Report.id).where(Report.sha256 == sha)) is None


def test_review_process_dies(migrated, folder, monkeypatch, consistent):
    victim = sorted(folder.iterdir())[3]
    inject(monkeypatch, {victim.name: "exit"})  # as if killed by the OOM killer
    res = ingest([folder], engine=migrated, workers=2)
    assert res.failures == [(str(victim), "内部错误：the process reviewing it died")]
    assert (res.counts.ok, res.counts.failed) == (4, 1)
    assert consistent(migrated) == 4


def test_reviews_that_hang_or_need_too_much_memory_stop_at_the_limits(migrated, folder, monkeypatch, consistent):
    """Each such file fails with the reason, recorded with the run; the others are stored."""
    files = sorted(folder.iterdir())
    inject(monkeypatch, {files[1].name: "hang", files[4].name: "allocate"})
    limits = Settings(review_timeout_seconds=5, review_memory_mb=1024)
    res = ingest([folder], engine=migrated, workers=2, settings=limits)
    want = {(str(files[1]), "审查超时：超过 5 秒仍未完成，已停止（文件可能异常）"),
            (str(files[4]), "内存超限：审查所需内存超过 1024 MB，已停止（文件可能异常）")}
    assert set(res.failures) == want == failure_rows(migrated, res.run_id)
    assert (res.counts.ok, res.counts.failed, res.status) == (3, 2, "completed")
    assert consistent(migrated) == 3


def test_cli_ingest_takes_the_review_limits_from_the_environment(tmp_path, folder, monkeypatch, consistent):
    files = sorted(folder.iterdir())
    inject(monkeypatch, {files[0].name: "hang", files[2].name: "allocate"})
    monkeypatch.setenv("FAZHI_REVIEW_TIMEOUT", "4")
    monkeypatch.setenv("FAZHI_REVIEW_MEMORY_MB", "900")
    path = tmp_path / "limits.sqlite"
    r = CliRunner().invoke(_app(), ["ingest", str(folder), "--db", str(path), "--workers", "2"])
    assert r.exit_code == 1 and "入库 3 份，跳过 0 份（已入库），失败 2 份" in r.output
    eng = db.make_engine(f"sqlite:///{path}")
    try:
        with db.session_factory(eng)() as s:
            (run,) = service.list_runs(s, limit=5)
        assert failure_rows(eng, run.id) == {
            (str(files[0]), "审查超时：超过 4 秒仍未完成，已停止（文件可能异常）"),
            (str(files[2]), "内存超限：审查所需内存超过 900 MB，已停止（文件可能异常）")}
        assert consistent(eng) == 3
    finally:
        eng.dispose()


# ----------------------------------------------------------------------------- PostgreSQL goes away
def _killer(pg_admin, url: str):
    app = make_url(url).query["application_name"]

    def kill() -> int:
        with pg_admin.connect() as conn:
            return len(conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND application_name = :app"), {"app": app}).all())
    return kill


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_pg_killed_between_reports(db_url, pg_admin, seed_paths, consistent):
    eng = db.make_engine(db_url)
    try:
        db.upgrade(eng)
        kill = _killer(pg_admin, db_url)
        killed: list[int] = []
        res = ingest(seed_paths, engine=eng, workers=0,
                     before_save=lambda n, _p: killed.append(kill()) if n in (2, 4) else None)
        assert killed and killed[0] >= 1  # the ingest's connection was there and was killed
        assert res.status == "completed" and res.counts.ok == 5  # pre-ping reconnects
        assert consistent(eng) == 5
    finally:
        eng.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_pg_killed_mid_report_is_retried(db_url, pg_admin, folder, monkeypatch, consistent):
    eng = db.make_engine(db_url)
    try:
        db.upgrade(eng)
        kill = _killer(pg_admin, db_url)
        real = service._children
        calls = {"n": 0}

        def children_then_kill(report_id, doc):
            calls["n"] += 1
            if calls["n"] == 3:  # inside a write, after some report rows were inserted
                assert kill() >= 1
            return real(report_id, doc)

        monkeypatch.setattr(service, "_children", children_then_kill)
        res = ingest([folder], engine=eng, workers=2)
        assert res.status == "completed" and (res.counts.ok, res.counts.failed) == (5, 0), res.message
        assert consistent(eng) == 5
    finally:
        eng.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_pg_gone_stops_clearly_and_rerun_completes(db_url, pg_admin, folder, monkeypatch, consistent):
    eng = db.make_engine(db_url)
    try:
        db.upgrade(eng)
        kill = _killer(pg_admin, db_url)
        real = service._children
        stored_first = {"n": 0}

        def always_kill(report_id, doc):
            # the first report goes through; from then on the server drops us at every write
            if stored_first["n"] >= 1:
                kill()
            stored_first["n"] += 1
            return real(report_id, doc)

        monkeypatch.setattr(service, "_children", always_kill)
        r = CliRunner().invoke(_app(), ["ingest", str(folder), "--db", db_url, "--workers", "0"])
        assert r.exit_code == 1
        assert "Traceback" not in r.output
        assert "lost or could not open the connection to the database postgresql+psycopg://" in r.output
        assert consistent(eng) <= 1  # no half-written report

        monkeypatch.setattr(service, "_children", real)
        r = CliRunner().invoke(_app(), ["ingest", str(folder), "--db", db_url, "--workers", "2"])
        assert r.exit_code == 0, r.output
        assert consistent(eng) == 5
    finally:
        eng.dispose()


# ----------------------------------------------------------------------------- two at once
def test_two_ingests_at_once(db_url, corpus, consistent):
    files = sorted(corpus.glob("*.txt"))[:60]
    db.upgrade(db_url)
    engines = [db.make_engine(db_url) for _ in range(2)]
    results: list = [None, None]
    start = threading.Barrier(2)

    def go(i: int) -> None:
        start.wait()
        # opposite orders: on PostgreSQL the two batch transactions lock rows in opposite orders and
        # deadlock; the loser is rolled back and written again report by report
        results[i] = ingest(files if i == 0 else files[::-1], engine=engines[i], workers=0)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        a, b = results
        assert a is not None and b is not None
        assert a.status == b.status == "completed" and a.counts.failed == b.counts.failed == 0
        assert a.counts.ok + b.counts.ok == len(files)
        assert a.counts.ok + a.counts.skipped == b.counts.ok + b.counts.skipped == len(files)
        assert consistent(engines[0]) == len(files)
        with db.session_factory(engines[0])() as s:
            keys = s.scalars(select(Issuer.key)).all()
            assert len(keys) == len(set(keys))
            shas = s.scalars(select(Report.sha256)).all()
            assert len(shas) == len(set(shas)) == len(files)
    finally:
        for e in engines:
            e.dispose()


def test_issuer_get_or_create_race(db_url):
    db.upgrade(db_url)
    engines = [db.make_engine(db_url) for _ in range(4)]
    issuer = {"name": "中站区人民政府", "level": "county", "province": "河南省", "city": "焦作市",
              "county": "中站区", "township": None, "code": "410803"}
    ids: list[int] = []
    start = threading.Barrier(4)

    def go(i: int) -> None:
        start.wait()
        with db.session_factory(engines[i], write=True).begin() as s:
            ids.append(service.get_or_create_issuer(s, issuer))

    threads = [threading.Thread(target=go, args=(i,)) for i in range(4)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert len(ids) == 4 and len(set(ids)) == 1
        with db.session_factory(engines[0])() as s:
            assert s.scalar(select(func.count()).select_from(Issuer)) == 1
    finally:
        for e in engines:
            e.dispose()


# ----------------------------------------------------------------------------- SQLite cannot write
def test_sqlite_path_under_a_file(tmp_path, seed_paths):
    blocker = tmp_path / "regular_file"
    blocker.write_text("x")
    target = blocker / "db.sqlite"
    r = CliRunner().invoke(_app(), ["ingest", *map(str, seed_paths), "--db", str(target)])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert str(target) in r.output and "cannot create the folder of the database" in r.output
    r = CliRunner().invoke(_app(), ["db", "upgrade", "--db", str(target)])
    assert r.exit_code == 1 and str(target) in r.output


def test_sqlite_read_only(tmp_path, seed_paths, consistent):
    path = tmp_path / "ro.sqlite"
    db.upgrade(f"sqlite:///{path}")
    ro_url = f"sqlite:///file:{path}?mode=ro&uri=true"
    r = CliRunner().invoke(_app(), ["ingest", *map(str, seed_paths), "--db", ro_url])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert f"the database {path} is read-only" in r.output
    eng = db.make_engine(f"sqlite:///{path}")
    try:
        assert consistent(eng) == 0
        with db.session_factory(eng)() as s:
            assert s.scalar(select(func.count()).select_from(IngestRun)) == 0
    finally:
        eng.dispose()


def _full_engine(path: Path, spare_pages: int):
    """A SQLite database that can grow by ``spare_pages`` pages only (as on a full disk)."""
    db.upgrade(f"sqlite:///{path}")
    plain = db.make_engine(f"sqlite:///{path}")
    with plain.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    plain.dispose()
    return db.make_engine(f"sqlite:///{path}", sqlite_pragmas={"max_page_count": pages + spare_pages})


def test_sqlite_disk_full(tmp_path, folder, consistent):
    path = tmp_path / "full.sqlite"
    eng = _full_engine(path, spare_pages=12)
    try:
        res = ingest([folder], engine=eng, workers=0)
        assert res.status == "failed" and res.exit_code == 1
        assert res.message == f"the database {path} is full (no space left on the disk, or its size limit reached)"
        stored = consistent(eng)
        assert stored < 5  # what fitted is complete, the rest is not there at all
    finally:
        eng.dispose()
    roomy = db.make_engine(f"sqlite:///{path}")
    try:
        again = ingest([folder], engine=roomy, workers=2)
        assert again.status == "completed" and again.counts.ok == 5 - stored
        assert consistent(roomy) == 5
    finally:
        roomy.dispose()


def test_sqlite_disk_full_cli(tmp_path, folder, monkeypatch):
    path = tmp_path / "full.sqlite"
    _full_engine(path, spare_pages=12).dispose()
    real = db.make_engine
    monkeypatch.setattr(db, "make_engine",
                        lambda url=None, **kw: real(url, sqlite_pragmas={"max_page_count": 60}, **kw))
    r = CliRunner().invoke(_app(), ["ingest", str(folder), "--db", str(path), "--workers", "0"])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert f"the database {path} is full" in r.output


# ----------------------------------------------------------------------------- interruption
def _spawn(args: list[str], **env: str) -> subprocess.Popen:
    """``fazhi`` in a process group of its own, as a terminal starts a command."""
    return subprocess.Popen([sys.executable, "-m", "fazhi.cli.corpus", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "200", **env},
                            start_new_session=True)


def _wait_for_reports(eng, n: int, proc: subprocess.Popen, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            got = n_reports(eng)
        except Exception:  # the schema is being created
            got = 0
        if got >= n:
            return got
        time.sleep(0.02)
    pytest.fail(f"ingest stored fewer than {n} reports in time ({proc.poll()=})")


def _children(pid: int) -> set[int]:
    """The live processes whose parent is ``pid`` (Linux /proc)."""
    return {q for q, ppid in _processes().items() if ppid == pid}


def _processes() -> dict[int, int]:
    """pid -> parent pid of every live (not zombie) process."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, ValueError):
            continue
        if state not in ("Z", "X"):
            out[int(stat.parent.name)] = int(ppid)
    return out


def _wait_gone(pids: set[int], timeout: float = 30) -> set[int]:
    """Those of ``pids`` still alive after waiting up to ``timeout`` seconds for them to end."""
    deadline = time.monotonic() + timeout
    while (alive := pids & set(_processes())) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


@pytest.mark.parametrize(("db_url", "sig"), [("sqlite", signal.SIGINT), ("sqlite", signal.SIGKILL),
                                             ("postgresql", signal.SIGTERM)],
                         indirect=["db_url"])
def test_interrupted_ingest_is_consistent_and_rerun_completes(db_url, sig, corpus, consistent):
    """Ctrl-C reaches the whole process group, as in a terminal; SIGTERM and SIGKILL the ingest only.  One
    review hangs meanwhile (injected): its process, like the other, ends with the ingest."""
    files = sorted(corpus.glob("*.txt"))
    total = len(files)
    db.upgrade(db_url)
    eng = db.make_engine(db_url)
    try:
        proc = _spawn(["ingest", str(corpus), "--db", db_url, "--workers", "2"],
                      FAZHI_TEST_FAULTS=json.dumps({files[3].name: "hang"}), FAZHI_REVIEW_TIMEOUT="600")
        _wait_for_reports(eng, 20, proc)
        reviewers = _children(proc.pid)
        assert len(reviewers) == 2
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        _out, err = proc.communicate(timeout=60)
        assert not _wait_gone(reviewers)
        stored = consistent(eng)
        assert "Traceback" not in err
        if sig == signal.SIGKILL:
            assert proc.returncode == -signal.SIGKILL
        else:
            assert proc.returncode == 130, err
            assert "interrupted" in err
            with db.session_factory(eng)() as s:
                run = service.list_runs(s, limit=1)[0]
                assert run.status == "interrupted" and run.ok == stored
        assert 20 <= stored < total

        again = ingest([corpus], engine=eng, workers=2)
        assert again.status == "completed" and again.exit_code == 0
        assert (again.counts.ok, again.counts.skipped, again.counts.failed) == (total - stored, stored, 0)
        assert consistent(eng) == total
    finally:
        eng.dispose()


def test_unreachable_database_is_one_clear_line(seed_paths):
    url = "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2"
    r = CliRunner().invoke(_app(), ["ingest", str(seed_paths[0]), "--db", url, "--workers", "0"])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "could not open the connection to the database postgresql+psycopg://postgres@127.0.0.1:1/test" \
        in r.output
    r = CliRunner().invoke(_app(), ["db", "info", "--db", url])
    assert r.exit_code == 1 and "Traceback" not in r.output


def test_no_files(tmp_path):
    r = CliRunner().invoke(_app(), ["ingest", str(tmp_path), "--db", str(tmp_path / "x.sqlite")])
    assert r.exit_code == 2 and "没有找到报告文件" in r.output


def test_database_from_a_newer_fazhi(tmp_path, seed_paths):
    path = tmp_path / "newer.sqlite"
    db.upgrade(f"sqlite:///{path}")
    eng = db.make_engine(f"sqlite:///{path}")
    with eng.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    eng.dispose()
    r = CliRunner().invoke(_app(), ["ingest", str(seed_paths[0]), "--db", str(path), "--workers", "0"])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert f"cannot use the database {path}" in r.output and "9999" in r.output
