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
``fazhi ingest``; a run that stops can simply be started again.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy import exc as sa_exc

from fazhi import db, knowledge
from fazhi.corpus import search, service
from fazhi.corpus.ingest import (
    Counts,
    IngestResult,
    _active,
    _open_run,
    _prepare,
    _valid_texts,
    _worker_init,
    db_error_message,
)
from fazhi.corpus.models import Report
from fazhi.review.pipeline import Reviewer

BATCH = 100
ProgressFn = Callable[[Counts], None]


def review_stored(source: dict[str, Any], text: str, reviewer: Reviewer | None = None) -> tuple[str, Any, Any]:
    """Review a stored report's text again: ``("ok", review_json, text)`` or ``("error", reason, None)``.

    ``source`` is the stored review's ``source`` (path, sha256, format, encoding, size): the new
    review keeps it.  Runs in a worker process (with the worker's reviewer) or here (``reviewer``);
    never raises."""
    from fazhi.corpus import ingest
    from fazhi.review.model import Source

    try:
        src = Source(path=source.get("path"), sha256=source["sha256"], format=source.get("format") or "txt",
                     encoding=source.get("encoding"), size=int(source.get("size") or len(text.encode("utf-8"))))
        doc, norm = (reviewer or ingest.worker_reviewer()).review_source(text, src).stored()
        return ("ok", doc, norm)
    except Exception as exc:
        return ("error", f"internal error: {type(exc).__name__}: {exc}", None)


def _review_many(items: list[tuple[int, dict[str, Any], str]], reviewer: Reviewer | None = None
                 ) -> list[tuple[int, tuple[str, Any, Any]]]:
    return [(rid, review_stored(src, text, reviewer)) for rid, src, text in items]


def stale(session: Any, key: str, *, everything: bool = False) -> list[int]:
    """Ids of the stored reports to review again (their knowledge key is not ``key``)."""
    stmt = select(Report.id).order_by(Report.id)
    if not everything:
        stmt = stmt.where((Report.knowledge != key) | Report.knowledge.is_(None))
    return list(session.scalars(stmt))


def refresh_stored(engine: Engine, *, workers: int | None = None, everything: bool = False, user: str | None = None,
                   progress: ProgressFn | None = None, stop: threading.Event | None = None,
                   args: dict[str, Any] | None = None) -> IngestResult:
    """Re-review stored reports from their text under the database's knowledge; see the module docs.

    ``workers``: review processes (``None``: none for a few reports, else the cores — :func:`default_workers`).
    Raises :class:`fazhi.db.StoreError` when the database cannot be used at all."""
    t0 = time.perf_counter()
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
    pool = ProcessPoolExecutor(workers, initializer=_worker_init, initargs=(texts,)) if workers > 0 and ids else None
    try:
        for batch in _batches(read, ids):
            if stop.is_set():
                result.status, result.message = "interrupted", "interrupted: run `fazhi refresh` again to finish"
                break
            outcomes = _review(batch, pool, workers, texts)
            _store(engine, write, outcomes, result, run_id, uid, versions)
            _progress_row(write, run_id, counts)
            if progress is not None:
                progress(counts)
    except DatabaseGone as exc:
        result.status, result.message = "failed", str(exc)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
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


def _review(batch: list[tuple[int, dict[str, Any], str]], pool: ProcessPoolExecutor | None, workers: int,
            texts: dict[str, str]) -> list[tuple[int, str, tuple[str, Any, Any]]]:
    shas = {rid: src.get("sha256") or "" for rid, src, _t in batch}
    if pool is None:
        done = _review_many(batch, Reviewer(knowledge.from_texts(texts)))
    else:
        n = max(1, -(-len(batch) // max(1, workers)))
        futures = [pool.submit(_review_many, batch[i:i + n]) for i in range(0, len(batch), n)]
        done = [x for f in futures for x in f.result()]
    return [(rid, shas[rid], outcome) for rid, outcome in done]


def _store(engine: Engine, write: Any, outcomes: list[tuple[int, str, tuple[str, Any, Any]]], result: IngestResult, run_id: int,
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


__all__ = ["default_workers", "refresh_stored", "review_stored", "running", "runs", "stale", "start_background"]
