"""Re-review stored reports from their stored text, under the knowledge in effect (``fazhi refresh``).

When an administrator activates new rules or a new catalogue, the reports
already stored keep the review they got.  ``fazhi ingest --refresh`` needs
the original files; this needs nothing but the database: every report keeps
its normalised text (``reports.text``), and normalising it again changes
nothing (the stage is idempotent: tests check it on the sample reports in
every format), so a review of the stored text is the review of the file
under today's knowledge.  The report keeps its id, sha256, file name,
format and encoding; its review, facts, quantities, findings and parts are
replaced in one transaction per batch (a batch that fails is written again
one report at a time, so only a report that fails is left as it was), and an
audit event ``report.refresh`` records each.

Which reports: those whose stored knowledge key differs from the one in
effect (``everything=True``: all).  Progress, ``stop`` (Ctrl-C) and the run
record (``ingest_runs``, ``args.refresh = "stored"``) work as for
``fazhi ingest``; a run that stops can simply be started again.  So do the
reviews: one per report in the review processes of a
:class:`~fazhi.review.pool.ReviewPool` (or here, with ``workers=0``), each
with the time and memory limits of ``settings``; a report whose review runs
over them fails with the reason (审查超时… / 内存超限…) and keeps its old
review, and the run goes on.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy import exc as sa_exc

from fazhi import db, knowledge
from fazhi.config import Settings
from fazhi.corpus import search, service
from fazhi.corpus.ingest import (
    Counts,
    IngestResult,
    Outcome,
    _active,
    _open_run,
    _prepare,
    _valid_texts,
    db_error_message,
    review_outcome,
    review_pool,
)
from fazhi.corpus.models import Report
from fazhi.review.pool import ReviewPool, review_stored

BATCH = 100
ProgressFn = Callable[[Counts], None]


def stale(session: Any, key: str, *, everything: bool = False) -> list[int]:
    """Ids of the stored reports to review again (their knowledge key is not ``key``)."""
    stmt = select(Report.id).order_by(Report.id)
    if not everything:
        stmt = stmt.where((Report.knowledge != key) | Report.knowledge.is_(None))
    return list(session.scalars(stmt))


def refresh_stored(engine: Engine, *, workers: int | None = None, everything: bool = False, user: str | None = None,
                   progress: ProgressFn | None = None, stop: threading.Event | None = None,
                   args: dict[str, Any] | None = None, settings: Settings | None = None) -> IngestResult:
    """Re-review stored reports from their text under the database's knowledge; see the module docs.

    ``workers``: review processes (``None``: none for a few reports, else the cores — :func:`default_workers`);
    ``settings``: the time and memory limits of a review (default: :class:`~fazhi.config.Settings`' defaults).
    Raises :class:`fazhi.db.StoreError` when the database cannot be used at all."""
    t0 = time.perf_counter()
    settings = settings or Settings()
    stop = stop or threading.Event()
    where = db.describe(engine.url)
    _prepare(engine)
    texts = _valid_texts(_active(engine), where)
    read = db.session_factory(engine)
    write = db.session_factory(engine, write=True)
    versions = knowledge.from_texts(texts).versions
    key = service.knowledge_key(versions)
    try:
        with read() as s:
            ids = stale(s, key, everything=everything)
    except sa_exc.DBAPIError as exc:
        raise db.StoreError(db_error_message(exc, engine)) from None
    counts = Counts(total=len(ids))
    workers = default_workers(len(ids)) if workers is None else workers
    run_id, uid = _open_run(write, engine, user, {"refresh": "stored", "everything": everything, **(args or {})},
                            len(ids))
    result = IngestResult(run_id, "completed", counts, database=where)
    if progress is not None:
        progress(counts)
    pool = review_pool(workers, settings) if workers > 0 and ids else None
    try:
        for batch in _batches(read, ids):
            if stop.is_set():
                result.status, result.message = "interrupted", "interrupted: run `fazhi refresh` again to finish"
                break
            outcomes = _review(batch, pool, texts, settings.review_timeout_seconds)
            _store(engine, write, outcomes, result, run_id, uid, versions)
            _progress_row(write, run_id, counts)
            if progress is not None:
                progress(counts)
    except DatabaseGone as exc:
        result.status, result.message = "failed", str(exc)
    finally:
        if pool is not None:
            pool.close()
    if counts.refreshed:
        search.settle_index(engine)
    result.seconds = time.perf_counter() - t0
    try:
        with write.begin() as s:
            service.finish_run(s, run_id, status=result.status, counts=counts.as_dict(), message=result.message,
                               versions=versions)
    except sa_exc.DBAPIError:
        pass  # the database is gone: the run row stays "running", the reports are consistent
    return result


def _progress_row(write: Any, run_id: int, counts: Counts) -> None:
    """The run's counts so far (the 规则与指标 page shows them while it runs)."""
    try:
        with write.begin() as s:
            service.finish_run(s, run_id, status="running", counts=counts.as_dict())
    except sa_exc.DBAPIError:
        pass  # only progress: the next batch's write says what is wrong


# =========================================================================== in the background
def _alive(run: Any) -> bool:
    if run.host != socket.gethostname()[:255] or not run.pid:
        return True  # another machine's: trust its status
    try:
        os.kill(run.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def runs(session: Any, limit: int = 50) -> list[Any]:
    """The latest stored-text refresh runs, newest first (``ingest_runs`` with ``args.refresh = stored``)."""
    return [r for r in service.list_runs(session, limit) if (r.args or {}).get("refresh") == "stored"]


def running(session: Any, found: list[Any] | None = None) -> Any | None:
    """The stored-text refresh running now (its process is alive), if any; ``found``: :func:`runs`
    already read."""
    for r in runs(session) if found is None else found:
        if r.status == "running" and _alive(r):
            return r
    return None


def start_background(url: str, *, user: str | None = None) -> subprocess.Popen[bytes]:
    """Start ``fazhi refresh`` on the database ``url`` in a process of its own (it outlives the request;
    its run row tells how far it got).  The URL goes through the environment, not the command line."""
    cmd = [sys.executable, "-m", "fazhi.cli", "refresh", "--quiet"] + (["--user", user] if user else [])
    env = {**os.environ, db.ENV_URL: url}
    return subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)


class DatabaseGone(Exception):
    """Internal: a write failed for a reason that is not one report's."""


def _batches(read: Any, ids: list[int]) -> Iterator[list[tuple[int, dict[str, Any], str]]]:
    for i in range(0, len(ids), BATCH):
        part = ids[i:i + BATCH]
        with read() as s:
            rows = s.execute(select(Report.id, Report.review, Report.text).where(Report.id.in_(part))
                             .order_by(Report.id)).all()
        yield [(rid, dict((doc or {}).get("source") or {}), text) for rid, doc, text in rows]


def _review(batch: list[tuple[int, dict[str, Any], str]], pool: ReviewPool | None, texts: dict[str, str],
            timeout: float) -> list[tuple[int, str, Outcome]]:
    """(report id, sha256, outcome) of each report of ``batch``, reviewed in ``pool`` (or here)."""
    if pool is None:
        done = [review_outcome(partial(review_stored, src, text, texts)) for _rid, src, text in batch]
    else:
        futures = [pool.submit("fazhi.review.pool:review_stored", src, text, timeout=timeout, knowledge=texts)
                   for _rid, src, text in batch]
        done = [review_outcome(f.result) for f in futures]
    return [(rid, src.get("sha256") or "", outcome) for (rid, src, _text), outcome in zip(batch, done, strict=True)]


def _store(engine: Engine, write: Any, outcomes: list[tuple[int, str, Outcome]], result: IngestResult, run_id: int,
           uid: int | None, versions: dict[str, str]) -> None:
    good = [(rid, sha, o[1], o[2]) for rid, sha, o in outcomes if o[0] == "ok"]
    for rid, sha, o in outcomes:
        if o[0] != "ok":
            _failed(engine, write, result, run_id, rid, sha, o[1])
    items = [service.ReviewItem(doc, text, versions, replace=True) for _rid, _sha, doc, text in good]
    try:
        with write.begin() as s:
            service.save_reviews(s, items, run_id, user=uid)
        result.counts.refreshed += len(items)
        return
    except sa_exc.DBAPIError:
        pass  # one of them (or the database): one report per transaction sorts out which
    for (rid, sha, _doc, _text), item in zip(good, items, strict=True):
        try:
            with write.begin() as s:
                service.save_reviews(s, [item], run_id, user=uid)
            result.counts.refreshed += 1
        except sa_exc.DBAPIError as exc:
            if getattr(exc, "connection_invalidated", False) or isinstance(exc, sa_exc.OperationalError):
                raise DatabaseGone(db_error_message(exc, engine)) from None
            _failed(engine, write, result, run_id, rid, sha, f"database error: {str(exc.orig).splitlines()[0]}")


def _failed(engine: Engine, write: Any, result: IngestResult, run_id: int, rid: int, sha: str, reason: str) -> None:
    result.counts.failed += 1
    result.failures.append((f"report {rid}", reason))
    try:
        with write.begin() as s:
            service.record_failure(s, run_id, f"report {rid}", reason, sha or None)
    except sa_exc.DBAPIError as exc:
        raise DatabaseGone(db_error_message(exc, engine)) from None


def default_workers(n: int) -> int:
    """Review processes for ``n`` stale reports: none for a few (starting them costs more), else the cores."""
    return 0 if n < 200 else (os.cpu_count() or 1)


__all__ = ["default_workers", "refresh_stored", "running", "runs", "stale", "start_background"]
