"""督办 reminders and the scheduled jobs: reminders once per day, digests, the file sender, a job slot run
once (sequentially, after a failure, in-process), and two worker processes on one PostgreSQL running each
scheduled job exactly once."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time

from sqlalchemy import func, select

from fazhi import db
from fazhi.accounts.models import AuditEvent
from fazhi.supervision import jobs, reminders
from fazhi.supervision.models import JobRun, Reminder
from tests.supervision.cycle_helpers import imported, tx, unit_actor, unit_id

ROWS = [[1, "完成行政执法人员轮训", "县司法局", None, "2025年6月30日前"],
        [2, "公布行政执法事项清单", "县司法局", None, "2025年7月5日前"],
        [3, "开展执法案卷评查", "县公安局", None, "2025年12月底前"]]
CHINA_7AM = dt.datetime(2025, 7, 1, 7, 0, tzinfo=jobs.CHINA)


def test_reminders_are_written_once_and_sent_by_the_file_sender(migrated, tmp_path) -> None:
    imported(migrated, "桦南县", ROWS)
    justice, police = unit_id(migrated, "桦南县司法局"), unit_actor(unit_id(migrated, "桦南县公安局"))
    sender = reminders.FileSender(tmp_path / "outbox.jsonl")
    with tx(migrated) as s:
        run = reminders.make_reminders(s, dt.date(2025, 7, 1), sender=sender)
        again = reminders.make_reminders(s, dt.date(2025, 7, 1), sender=sender)
    # 轮训 overdue (6-30), 清单 due soon (7-5), 案卷评查 on track: two task reminders and one digest
    assert (run.created, run.digests, run.sent) == (3, 1, 3)
    assert (again.created, again.sent) == (0, 0)
    sent = [json.loads(line) for line in (tmp_path / "outbox.jsonl").read_text("utf-8").splitlines()]
    assert sorted(m["kind"] for m in sent) == ["digest", "due_soon", "overdue"]
    digest = next(m for m in sent if m["kind"] == "digest")
    assert digest["unit_name"] == "桦南县司法局" and "逾期 1 项" in digest["message"] and "临期 1 项" in digest["message"]
    with tx(migrated) as s:
        mine = reminders.list_reminders(s, unit_actor(justice), unread=True)
        assert len(mine) == 3
        reminders.mark_read(s, unit_actor(justice), mine[0].id)
        assert len(reminders.list_reminders(s, unit_actor(justice), unread=True)) == 2
        assert reminders.list_reminders(s, police) == []


def test_sender_from_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(reminders.ENV_SENDER, f"file:{tmp_path / 'x.jsonl'}")
    assert isinstance(reminders.sender_from_env(), reminders.FileSender)
    monkeypatch.setenv(reminders.ENV_SENDER, "log")
    assert isinstance(reminders.sender_from_env(), reminders.LogSender)
    monkeypatch.setenv(reminders.ENV_SENDER, "none")
    assert reminders.sender_from_env() is None


def test_a_job_slot_runs_once_and_a_failed_slot_runs_again(migrated, monkeypatch) -> None:
    imported(migrated, "桦南县", ROWS)
    first = jobs.run_job(migrated, "reminders", CHINA_7AM)
    second = jobs.run_job(migrated, "reminders", CHINA_7AM)
    assert (first.status, first.slot, first.result["digests"]) == ("done", "2025-07-01T07:00:00", 1)
    assert (second.status, second.run_id) == ("skipped", None)

    def broken(session, when):
        raise RuntimeError("数据库暂时不可用")

    monkeypatch.setitem(jobs.JOBS, "lights", jobs.Job("lights", "进度灯快照", "30 22 * * *", broken))
    failed = jobs.run_job(migrated, "lights", CHINA_7AM)
    assert failed.status == "failed" and "数据库暂时不可用" in failed.result["error"]
    monkeypatch.setitem(jobs.JOBS, "lights", jobs.Job("lights", "进度灯快照", "30 22 * * *", jobs._lights))
    retried = jobs.run_job(migrated, "lights", CHINA_7AM)
    assert retried.status == "done" and retried.run_id == failed.run_id
    assert retried.result["campaigns"] == {"1": {"on_track": 1, "due_soon": 1, "overdue": 1}}
    with tx(migrated) as s:
        runs = s.execute(select(JobRun.job, JobRun.slot, JobRun.status).order_by(JobRun.id)).all()
        assert [tuple(r) for r in runs] == [("reminders", "2025-07-01T07:00:00", "done"),
                                            ("lights", "2025-07-01T07:00:00", "done")]
        assert s.scalar(select(func.count()).select_from(Reminder).where(Reminder.kind == "digest")) == 1


def test_the_in_process_scheduler_runs_what_is_due_once(migrated, monkeypatch) -> None:
    monkeypatch.setenv("FAZHI_JOB_CRON_LIGHTS", "0 * * * *")
    monkeypatch.setenv("FAZHI_JOB_CRON_REMINDERS", "0 0 1 1 *")
    monkeypatch.setenv("FAZHI_JOB_CRON_REPORT_FACTS", "0 0 1 1 *")
    monkeypatch.setenv("FAZHI_JOB_CRON_REREVIEW", "0 0 1 1 *")
    scheduler = jobs.Scheduler(migrated)
    at = dt.datetime(2026, 3, 2, 8, 5, tzinfo=dt.UTC).timestamp()  # five minutes after a full hour
    assert [(o.job, o.slot, o.status) for o in scheduler.run_due(at)] == [("lights", "2026-03-02T16:00:00", "done")]
    assert scheduler.run_due(at + 60) == []  # the same time is not run twice
    assert scheduler.run_due(at + 1500) == []  # 08:30 is more than ten minutes late for 08:00, and not yet 09:00
    other = jobs.Scheduler(migrated)  # another process with the same schedule: the slot is taken
    assert [o.status for o in other.run_due(at)] == ["skipped"]


def _start_worker(url: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "fazhi.cli", "worker", "--db", url], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait(check, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not check():
        assert time.monotonic() < deadline, "the workers did not get there"
        time.sleep(0.5)


def test_two_workers_on_one_postgresql_run_each_scheduled_job_exactly_once(pg_url) -> None:
    db.upgrade(pg_url)
    engine = db.make_engine(pg_url)
    env = {**os.environ, "FAZHI_JOB_CRON_LIGHTS": "* * * * * */2", "FAZHI_JOB_CRON_REMINDERS": "0 0 1 1 *",
           "FAZHI_JOB_CRON_REPORT_FACTS": "0 0 1 1 *", "FAZHI_JOB_CRON_REREVIEW": "0 0 1 1 *"}
    workers = [_start_worker(pg_url, env) for _ in range(2)]

    def done_runs() -> list[tuple[str, int]]:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(select(JobRun.slot, JobRun.pid).where(JobRun.status == "done"))]

    try:
        _wait(lambda: len({pid for _slot, pid in done_runs()}) == 2 and len(done_runs()) >= 4)
        # both servers defer the same time on their own (as after a clock skew): still run once
        for p in workers:
            assert p.poll() is None
        with jobs_app(pg_url) as app:
            for _ in range(2):
                app.tasks["fazhi.job.lights"].defer(timestamp=int(CHINA_7AM.timestamp()))
        _wait(lambda: any(slot == "2025-07-01T07:00:00" for slot, _pid in done_runs()))
        _wait(lambda: _queued(engine) == 0)
    finally:
        for p in workers:
            p.send_signal(signal.SIGTERM)
        for p in workers:
            p.communicate(timeout=60)
    with engine.connect() as conn:
        slots = [r[0] for r in conn.execute(select(JobRun.slot).where(JobRun.job == "lights"))]
        events = [e["slot"] for (e,) in conn.execute(select(AuditEvent.detail).where(AuditEvent.action == "job.run"))]
    engine.dispose()
    assert len(slots) == len(set(slots)) >= 5
    assert sorted(events) == sorted(slots)  # each slot's work was done (and audited) once
    assert events.count("2025-07-01T07:00:00") == 1


def _queued(engine) -> int:
    from sqlalchemy import text

    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"))
                   .scalar() or 0)


class jobs_app:
    """The queue application of a database, opened for deferring."""

    def __init__(self, url: str) -> None:
        self.app = jobs.queue_app(url)

    def __enter__(self):
        self.app.open()
        return self.app

    def __exit__(self, *exc: object) -> None:
        self.app.close()
