"""Scheduled jobs of the supervision cycle, run exactly once per slot however many processes share the
database.

Jobs (:data:`JOBS`; times are cron expressions in UTC, the slot and the day a job works on are China time):

- ``reminders`` (07:00 Beijing): the day's 督办 reminders and digests, sent by the configured sender
  (:mod:`fazhi.supervision.reminders`);
- ``lights`` (06:30 Beijing): a snapshot of every open campaign's traffic lights, kept as the run's result;
- ``report_facts`` (hourly): stored annual reports of registered units proposed as evidence
  (:func:`fazhi.supervision.evidence.propose_pending`), for reports stored by any way (web, ``fazhi ingest``,
  a script);
- ``rereview`` (03:00 Beijing): stored reports reviewed under other rules or catalogue reviewed again from
  their stored text (``fazhi refresh``), in-process; cheap when nothing changed.

A cron can be changed with ``FAZHI_JOB_CRON_<NAME>`` (``FAZHI_JOB_CRON_LIGHTS="*/5 * * * *"``; a sixth
field gives seconds).

Exactly once: every run first claims its slot with a :class:`~fazhi.supervision.models.JobRun` row, whose
``UNIQUE(job, slot)`` lets only one process have it.  The claim, the job's work and the "done" mark are one
transaction (a process that fails leaves nothing, and the slot can be taken again; a concurrent claimer
waits for the first and then finds the slot taken); ``rereview``, which commits as it goes, claims its
slot in a transaction of its own first.  A failed run is marked ``failed`` and may be taken again.

How jobs are started:

- SQLite: ``fazhi serve`` runs :class:`Scheduler`, a thread of the server process that wakes every 30 s and
  runs the jobs whose time has come (``fazhi worker`` runs the same in the foreground);
- PostgreSQL: a real job queue, ``procrastinate``, in the database already there: its periodic deferrer
  (one per worker) defers each job once per scheduled time, any worker runs it, and the ``JobRun`` claim
  keeps a job deferred twice from running twice.  ``fazhi worker`` runs a worker; ``fazhi serve`` runs one
  in a thread of each server process, so several servers on one database share the queue.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from fazhi.accounts.audit import audit
from fazhi.db.base import utcnow
from fazhi.supervision.campaigns import CHINA
from fazhi.supervision.models import Campaign, JobRun

log = logging.getLogger("fazhi.jobs")
QUEUE = "fazhi"
MAX_DELAY = 600.0  # a time missed by more than this (the server was down) waits for the next one
_QUEUE_LOCK = 0x66617A6A  # "fazj": serialises creating the queue's tables


# =========================================================================== the jobs
def _reminders(session: Session, when: dt.datetime) -> dict[str, Any]:
    from fazhi.supervision.reminders import make_reminders, sender_from_env

    return make_reminders(session, when.astimezone(CHINA).date(), sender=sender_from_env()).to_json()


def _lights(session: Session, when: dt.datetime) -> dict[str, Any]:
    from fazhi.supervision.access import Actor
    from fazhi.supervision.tasks import LIGHTS, list_tasks

    day = when.astimezone(CHINA).date()
    actor = Actor.cli(name="进度灯")
    snapshot = {}
    for campaign_id in session.scalars(select(Campaign.id).where(Campaign.status == "open").order_by(Campaign.id)):
        tasks = list_tasks(session, actor, campaign_id, as_of=day)
        snapshot[str(campaign_id)] = {k: sum(t.light == k for t in tasks) for k in LIGHTS}
    return {"day": day.isoformat(), "campaigns": snapshot}


def _report_facts(session: Session, when: dt.datetime) -> dict[str, Any]:
    from fazhi.supervision.access import Actor
    from fazhi.supervision.evidence import propose_pending

    return {"proposals": propose_pending(session, Actor.cli(name="年度报告佐证"))}


def _rereview(session: Session, when: dt.datetime) -> dict[str, Any]:
    from fazhi.corpus.refresh import refresh_stored

    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    result = refresh_stored(engine, workers=0, args={"job": "rereview"})
    return {"status": result.status, **result.counts.as_dict()}


@dataclass(frozen=True)
class Job:
    """A scheduled job: its name, label, default cron (UTC) and work (in the claim's transaction when
    ``atomic``)."""

    name: str
    label: str
    cron: str
    run: Callable[[Session, dt.datetime], dict[str, Any]]
    atomic: bool = True

    @property
    def schedule(self) -> str:
        """The cron in effect: ``FAZHI_JOB_CRON_<NAME>`` or the default."""
        return (os.environ.get(f"FAZHI_JOB_CRON_{self.name.upper()}") or self.cron).strip()


JOBS = {job.name: job for job in (
    Job("reminders", "督办提醒", "0 23 * * *", _reminders),
    Job("lights", "进度灯快照", "30 22 * * *", _lights),
    Job("report_facts", "年度报告数字作为佐证", "15 * * * *", _report_facts),
    Job("rereview", "按当前规则重新审查", "0 19 * * *", _rereview, atomic=False),
)}


# =========================================================================== running once
@dataclass(frozen=True)
class JobOutcome:
    """What became of one attempt to run a job for a slot: ``done``, ``skipped`` (taken) or ``failed``."""

    job: str
    slot: str
    status: str
    run_id: int | None
    result: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"job": self.job, "slot": self.slot, "status": self.status, "run_id": self.run_id,
                "result": self.result}


def slot_of(when: dt.datetime) -> str:
    """A scheduled time as its slot key: China time to the second ("2026-12-05T07:00:00")."""
    return when.astimezone(CHINA).replace(tzinfo=None).isoformat(timespec="seconds")


def _claim(session: Session, name: str, slot: str) -> JobRun | None:
    """Take the slot (a new JobRun row, or a failed one taken again); None when another process has it."""
    try:
        with session.begin_nested():
            row = JobRun(job=name, slot=slot, status="running", host=socket.gethostname()[:255], pid=os.getpid())
            session.add(row)
        return row
    except sa_exc.IntegrityError:
        pass
    retaken = session.execute(update(JobRun).where(JobRun.job == name, JobRun.slot == slot,
                                                   JobRun.status == "failed")
                              .values(status="running", pid=os.getpid(), started_at=utcnow()))
    if getattr(retaken, "rowcount", 0) != 1:
        return None
    return session.scalar(select(JobRun).where(JobRun.job == name, JobRun.slot == slot))


def _finish(session: Session, row: JobRun, status: str, result: dict[str, Any]) -> None:
    row.status, row.finished_at, row.result = status, utcnow(), result
    audit(session, None, "job.run" if status == "done" else "job.failed", "job_run", row.id,
          {"job": row.job, "slot": row.slot, "status": status, "pid": row.pid})


def _failed(engine: Engine, name: str, slot: str, exc: BaseException) -> JobOutcome:
    from fazhi import db

    log.exception("job %s (%s) failed", name, slot)
    message = {"error": f"{type(exc).__name__}: {exc}"[:500]}
    with db.session_factory(engine, write=True).begin() as s:
        row = _claim(s, name, slot)  # None: another process took the slot meanwhile, its run stands
        if row is not None:
            _finish(s, row, "failed", message)
        return JobOutcome(name, slot, "failed", row.id if row is not None else None, message)


def run_job(engine: Engine, name: str, when: dt.datetime) -> JobOutcome:
    """Run job ``name`` for its scheduled time ``when`` unless another process ran or runs that slot."""
    from fazhi import db

    job = JOBS[name]
    slot = slot_of(when)
    write = db.session_factory(engine, write=True)
    try:
        if job.atomic:
            with write.begin() as s:
                row = _claim(s, name, slot)
                if row is None:
                    return JobOutcome(name, slot, "skipped", None, {})
                result = job.run(s, when)
                _finish(s, row, "done", result)
                return JobOutcome(name, slot, "done", row.id, result)
        with write.begin() as s:
            row = _claim(s, name, slot)
            if row is None:
                return JobOutcome(name, slot, "skipped", None, {})
            run_id = row.id
    except Exception as exc:  # the job's own error: recorded, the scheduler goes on
        return _failed(engine, name, slot, exc)
    try:
        with write() as s:
            result, status = job.run(s, when), "done"
    except Exception as exc:
        log.exception("job %s (%s) failed", name, slot)
        result, status = {"error": f"{type(exc).__name__}: {exc}"[:500]}, "failed"
    with write.begin() as s:
        _finish(s, s.get_one(JobRun, run_id), status, result)
    return JobOutcome(name, slot, status, run_id, result)


# =========================================================================== in-process (SQLite)
def previous_time(cron: str, now: float) -> float:
    """The latest time ``cron`` fires at or before ``now`` (epoch seconds, UTC)."""
    from croniter import croniter

    return float(croniter(cron, now).get_prev(float))


class Scheduler:
    """Runs the jobs in a thread of this process: each wake-up runs every job whose latest scheduled time
    has passed (by less than :data:`MAX_DELAY`) and was not run yet."""

    def __init__(self, engine: Engine, *, tick: float = 30.0, jobs: dict[str, Job] | None = None) -> None:
        self.engine, self.tick, self.jobs = engine, tick, jobs or JOBS
        self._seen: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_due(self, now: float | None = None) -> list[JobOutcome]:
        """Run the jobs due at ``now`` (default: the clock) once each."""
        import time

        at = time.time() if now is None else now
        out = []
        for job in self.jobs.values():
            fire = previous_time(job.schedule, at)
            if at - fire > MAX_DELAY or self._seen.get(job.name) == fire:
                continue
            self._seen[job.name] = fire
            out.append(run_job(self.engine, job.name, dt.datetime.fromtimestamp(fire, dt.UTC)))
        return out

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_due()
            except Exception:  # the database is away for a moment: try again at the next tick
                log.exception("scheduler tick failed")
            self._stop.wait(self.tick)

    def start(self) -> Scheduler:
        self._thread = threading.Thread(target=self._loop, name="fazhi-scheduler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


# =========================================================================== the queue (PostgreSQL)
_ENGINES: dict[str, Engine] = {}


def _engine(url: str) -> Engine:
    from fazhi import db

    if url not in _ENGINES:
        _ENGINES[url] = db.make_engine(url)
    return _ENGINES[url]


def conninfo(url: str) -> str:
    """A libpq connection URI from a fazhi database URL (search_path and other options kept)."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def queue_app(url: str) -> Any:
    """The procrastinate application over the PostgreSQL database ``url``, with every job as a periodic
    task on the ``fazhi`` queue."""
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(url), min_size=1,
                                                                     max_size=4))
    for job in JOBS.values():
        def body(timestamp: int, _name: str = job.name) -> dict[str, Any]:
            when = dt.datetime.fromtimestamp(timestamp, dt.UTC)
            return run_job(_engine(url), _name, when).to_json()

        task = app.task(name=f"fazhi.job.{job.name}", queue=QUEUE)(body)
        app.periodic(cron=job.schedule, periodic_id=job.name)(task)
    return app


def ensure_queue_schema(url: str) -> bool:
    """Create the queue's tables in the database unless they are there (once, however many processes
    start together); whether they were created."""
    import psycopg

    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_QUEUE_LOCK,))
        try:
            if conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()[0] is not None:  # type: ignore[index]
                return False
            app = queue_app(url)
            with app.open():
                app.schema_manager.apply_schema()
            return True
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_QUEUE_LOCK,))


async def _work(app: Any, name: str, signals: bool, wait: bool) -> None:
    async with app.open_async():
        await app.run_worker_async(queues=[QUEUE], name=name, install_signal_handlers=signals, wait=wait,
                                   delete_jobs="successful")


def run_worker(url: str, *, name: str | None = None, wait: bool = True) -> None:
    """Run a queue worker in the foreground (until SIGINT/SIGTERM; ``wait=False``: until the queue is
    empty): it defers the periodic jobs and runs what is queued."""
    ensure_queue_schema(url)
    asyncio.run(_work(queue_app(url), name or f"fazhi-{socket.gethostname()}-{os.getpid()}", True, wait))


def start_background(url: str) -> threading.Thread | Scheduler:
    """Start the jobs in this (server) process: the scheduler thread on SQLite, a queue worker thread on
    PostgreSQL."""
    from fazhi import db

    if db.sqlite_path(url) is not None:
        return Scheduler(_engine(url)).start()
    ensure_queue_schema(url)
    app = queue_app(url)
    name = f"fazhi-serve-{socket.gethostname()}-{os.getpid()}"
    thread = threading.Thread(target=lambda: asyncio.run(_work(app, name, False, True)), name="fazhi-queue",
                              daemon=True)
    thread.start()
    return thread


__all__ = ["JOBS", "MAX_DELAY", "QUEUE", "Job", "JobOutcome", "Scheduler", "conninfo", "ensure_queue_schema",
           "previous_time", "queue_app", "run_job", "run_worker", "slot_of", "start_background"]
