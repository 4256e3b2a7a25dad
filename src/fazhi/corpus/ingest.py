"""The ingest engine: review many report files in parallel and store the reviews.

:func:`ingest` takes files, folders (searched recursively for supported
reports) and glob patterns, and:

1. hashes each file in the parent process (cheap) and skips the ones whose
   sha256 is stored already — or, with ``refresh=True``, stored with other
   knowledge versions than the current ones, which are re-reviewed and
   replaced in place (same report id) in one transaction;
2. reviews the rest in the review processes of a
   :class:`~fazhi.review.pool.ReviewPool` (``workers`` of them, default
   ``os.cpu_count()``; ``0`` reviews in the calling process), each review
   with the time and memory limits of ``settings``
   (:class:`fazhi.config.Settings`: ``review_timeout_seconds``,
   ``review_memory_mb``): :func:`fazhi.review.pool.review_file` gives the
   ``fazhi.review/1`` document and the normalised text, :func:`review_outcome`
   the reason a review failed.  A file whose review runs over the time limit
   fails with 审查超时…, one that needs more memory with 内存超限…, one whose
   review process dies with "内部错误：the process reviewing it died"
   — and the batch goes on: the pool replaces the process, and only the
   review it held fails;
3. writes in the parent only (one writer: no SQLite lock fights).  Reviews
   that come back are written in batches — one transaction for up to
   ``BATCH`` reports, at most ``FLUSH_SECONDS`` after the first of them came
   back (SQLite: ``BEGIN IMMEDIATE``, WAL, ``synchronous=NORMAL``;
   PostgreSQL: ``synchronous_commit=off`` for these transactions, so a
   server crash may lose the last few reports but never half of one, and a
   re-run stores them again).  Each report's file is kept with it as
   received (read again by the parent and stored only if its sha256 is the
   one reviewed); a batch is written early once its files pass
   ``BATCH_BYTES``.  If anything fails inside a batch, the batch
   is rolled back whole and written again **one report per transaction**,
   which sorts out which report failed: that one is rolled back alone and
   recorded in ``ingest_failures`` with its reason, the others are stored.
   Read failures (the ``ReadError`` reason) and review bugs (``internal
   error: …``) are recorded the same way without touching the reports.

Concurrency: the UNIQUE sha256 and the issuers' UNIQUE key make two ingests
of the same files at once safe: the loser of a race gets an IntegrityError,
its transaction is rolled back and the file counts as skipped.

Database failures: a report whose transaction hits a *lost connection*
(PostgreSQL restarted, the backend killed) is retried once on a fresh
connection (``pool_pre_ping`` replaces dead pooled connections); any other
database error (disk full, read-only, locked, the retry failing too) stops
the run: the current report is rolled back, the run is marked ``failed``
when the database still answers, and :attr:`IngestResult.message` says what
happened, naming the database.  Nothing stored is lost; a re-run skips what
is stored and finishes the job.

Interruption: ``stop`` (a :class:`threading.Event`, set by the CLI's SIGINT
and SIGTERM handlers) is checked between reports; the run then stops
submitting, writes the reviews already back, drops those in flight, marks
itself ``interrupted`` and returns.  A KeyboardInterrupt (a second Ctrl-C)
in the middle of a write rolls the batch back: its transaction never
commits.  The review processes never see the terminal's Ctrl-C (the pool
closes them when the run returns) and end with this process (``kill -9``
leaves the database consistent as well: at worst the run row stays
``running``).  A re-run skips what is stored and finishes.

Knowledge: the reviews use the database's active knowledge versions
(:mod:`fazhi.knowledge.versions`), read once per run when the schema is
ready and sent with each review (a review process compiles each set once).
Nothing process-wide changes.
"""

from __future__ import annotations

import glob
import hashlib
import os
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from fazhi import db, knowledge
from fazhi.config import Settings
from fazhi.corpus import search, service
from fazhi.corpus.models import Report
from fazhi.knowledge import versions as knowledge_store
from fazhi.review.pool import ReviewFailed, ReviewOutOfMemory, ReviewPool, ReviewTimeout, Stored, review_file
from fazhi.review.read import report_files
from fazhi.review.screen import not_a_report

_CHUNK = 256  # files hashed and looked up per round trip
BATCH = 64  # reviews written per transaction at most …
BATCH_BYTES = 64 * 1024 * 1024  # … or original files of this many bytes …
FLUSH_SECONDS = 0.5  # … and written at the latest this long after they came back
_GLOB_MAGIC = set("*?[")
_SYNC_OFF = text("SET LOCAL synchronous_commit TO OFF")  # PostgreSQL, per ingest transaction


# =========================================================================== results
@dataclass
class Counts:
    """How many files so far: ``ok`` (stored new), ``refreshed``, ``skipped``, ``failed``."""

    total: int = 0
    ok: int = 0
    refreshed: int = 0
    skipped: int = 0
    failed: int = 0

    @property
    def done(self) -> int:
        return self.ok + self.refreshed + self.skipped + self.failed

    def as_dict(self) -> dict[str, int]:
        return {"total": self.total, "ok": self.ok, "refreshed": self.refreshed, "skipped": self.skipped,
                "failed": self.failed}


@dataclass
class IngestResult:
    """What a run did.  ``status``: ``completed``, ``failed`` (stopped by a database error)
    or ``interrupted``; ``message`` says why a run stopped."""

    run_id: int | None
    status: str
    counts: Counts
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    message: str | None = None
    seconds: float = 0.0
    database: str = ""

    @property
    def exit_code(self) -> int:
        if self.status == "interrupted":
            return 130
        return 1 if self.status != "completed" or self.counts.failed else 0

    @property
    def rate(self) -> float:
        """Reports stored or refreshed per second."""
        n = self.counts.ok + self.counts.refreshed
        return n / self.seconds if self.seconds > 0 else 0.0


class DatabaseStop(Exception):
    """Internal: the database cannot be used any more; the run stops."""


# =========================================================================== files
def expand(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files as given, folders searched recursively for supported reports, globs expanded.

    Order is kept and duplicates dropped.  A name that exists nowhere is
    kept (its review fails with "file not found", naming it).
    """
    out: dict[str, Path] = {}

    def add(p: Path) -> None:
        out.setdefault(os.path.abspath(p), Path(os.path.abspath(p)))

    def add_dir(d: Path) -> None:
        for q in report_files(d):
            add(q)

    for raw in paths:
        s = os.fspath(raw)
        p = Path(s).expanduser()
        if p.is_dir():
            add_dir(p)
        elif not p.exists() and _GLOB_MAGIC & set(s):
            matches = sorted(glob.glob(os.path.expanduser(s), recursive=True))
            if not matches:
                add(p)
            for m in matches:
                mp = Path(m)
                if mp.is_dir():
                    add_dir(mp)
                else:
                    add(mp)
        else:
            add(p)
    return list(out.values())


def file_sha256(path: Path, max_bytes: int | None = None) -> str | None:
    """sha256 of a regular file's bytes; ``None`` when it cannot or should not be read
    (missing, not a file, over ``max_bytes``): the review then says why."""
    from fazhi.review.read import DEFAULT_MAX_BYTES

    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        h = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
        return h.hexdigest()
    except (OSError, ValueError):
        return None


def original_from_file(path: str, sha256: str, max_bytes: int | None = None) -> service.Original | None:
    """The file at ``path`` to keep with its report, if its bytes are still the ones reviewed (sha256);
    None when it changed, went away or grew over ``max_bytes`` since (the report is stored without it)."""
    from fazhi.review.read import DEFAULT_MAX_BYTES

    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError:
        return None
    if len(data) > limit or hashlib.sha256(data).hexdigest() != sha256:
        return None
    return service.Original(os.path.basename(path), data)


# =========================================================================== one review
Outcome = tuple[str, Any, Any]  # ("ok", review_json, text) or ("error", reason, None)


def review_outcome(review: Callable[[], Stored]) -> Outcome:
    """What a review came to — ``review()`` is a review here or a review process's answer (a future's
    ``result``): ``("ok", review_json, text)``, or ``("error", reason, None)`` for a file that cannot be
    read (the :class:`~fazhi.review.read.ReadError` reason), a review stopped at the time or memory limit,
    one whose process died, or a bug in a stage.  Never raises."""
    from fazhi.review.read import ReadError

    try:
        doc, text = review()
        return ("ok", doc, text)
    except ReadError as exc:
        return ("error", exc.message_zh(), None)
    except ReviewTimeout as exc:
        return ("error", f"审查超时：超过 {exc.seconds:g} 秒仍未完成，已停止（文件可能异常）", None)
    except ReviewOutOfMemory as exc:
        limit = f"超过 {exc.limit_mb} MB" if exc.limit_mb else "超过可用内存"
        return ("error", f"内存超限：审查所需内存{limit}，已停止（文件可能异常）", None)
    except ReviewFailed as exc:
        return ("error", f"内部错误：{exc}", None)
    except Exception as exc:
        return ("error", f"内部错误：{type(exc).__name__}: {exc}", None)


def review_pool(workers: int, settings: Settings) -> ReviewPool:
    """``workers`` review processes with the memory limit of ``settings``, started now."""
    pool = ReviewPool(workers, memory_mb=settings.review_memory_mb or None)
    pool.warm(workers)
    return pool


# =========================================================================== the engine
ProgressFn = Callable[[Counts, str | None], None]
FailureFn = Callable[[str, str], None]


def ingest(paths: Sequence[str | os.PathLike[str]], *, engine: Engine, workers: int | None = None,
           refresh: bool = False, user: str | None = None, max_bytes: int | None = None,
           progress: ProgressFn | None = None, on_failure: FailureFn | None = None,
           stop: threading.Event | None = None, before_save: Callable[[int, str], None] | None = None,
           args: dict[str, Any] | None = None, settings: Settings | None = None,
           force: bool = False) -> IngestResult:
    """Review and store report files; see the module documentation.

    A file whose text is not an annual report at all (:func:`fazhi.review.screen.not_a_report`) fails
    with the reason, unless ``force``.

    ``progress(counts, path)`` is called after each file (and once with
    ``path=None`` before the first); ``on_failure(path, reason)`` for each
    failed file; ``before_save(n, path)`` before the n-th write (a hook for
    tests).  ``settings``: the time and memory limits of a review (default:
    :class:`~fazhi.config.Settings`' defaults).  Raises
    :class:`fazhi.db.StoreError` when the database cannot be used at all
    (cannot be opened, created or migrated).
    """
    t0 = time.perf_counter()
    settings = settings or Settings()
    files = expand(paths)
    counts = Counts(total=len(files))
    where = db.describe(engine.url)
    stop = stop or threading.Event()
    workers = (os.cpu_count() or 1) if workers is None else max(0, workers)
    workers = min(workers, len(files))
    # the review processes start (in the background) while the database is made ready
    pool = review_pool(workers, settings) if workers > 0 else None
    try:
        _prepare(engine)
        texts = _valid_texts(_active(engine), where) if files else {}
        write = db.session_factory(engine, write=True)
        args = args or {"paths": [os.fspath(p) for p in paths], "workers": workers, "refresh": refresh}
        run_id, user_id = _open_run(write, engine, user, args, counts.total)
        result = IngestResult(run_id=run_id, status="running", counts=counts, database=where)
        job = _Job(engine, write, run_id, result, refresh=refresh, user_id=user_id, max_bytes=max_bytes,
                   progress=progress, on_failure=on_failure, stop=stop, before_save=before_save,
                   texts=texts, timeout=settings.review_timeout_seconds, force=force)
        if progress:
            progress(counts, None)
        try:
            job.run(files, pool)
            result.status = "interrupted" if stop.is_set() else "completed"
        except DatabaseStop as exc:
            result.status, result.message = "failed", str(exc)
        except KeyboardInterrupt:
            stop.set()
            result.status = "interrupted"
        except BaseException as exc:  # a bug: record it on the run, then let it show
            result.status, result.message = "failed", f"内部错误：{type(exc).__name__}: {exc}"
            job.close_run()
            raise
    finally:
        if pool:
            pool.close()  # the reviews still in flight (a run that stopped) are dropped
    if result.status == "interrupted" and not result.message:
        result.message = "interrupted: reports stored so far are kept; run the same command again to finish"
    if counts.ok + counts.refreshed:
        search.settle_index(engine)
    result.seconds = time.perf_counter() - t0
    job.close_run()
    return result


def _prepare(engine: Engine) -> None:
    """Create or upgrade the schema; any problem becomes a one-line StoreError."""
    try:
        db.ensure_schema(engine)
    except sa_exc.DBAPIError as exc:
        raise db.StoreError(db_error_message(exc, engine)) from None
    except Exception as exc:
        if type(exc).__module__.startswith("alembic"):  # e.g. a database written by a newer fazhi
            raise db.StoreError(f"cannot use the database {db.describe(engine.url)}: {exc}") from None
        raise


def _valid_texts(active: knowledge_store.ActiveSet | None, where: str) -> dict[str, str]:
    """The texts of an active set, checked here (a worker could only die on a bad one)."""
    if active is None:
        return {}
    for v in active.versions:
        try:
            knowledge.parse(v.name, active.texts[v.name])
        except knowledge.KnowledgeError as exc:
            raise db.StoreError(f"the active {v.name} version {v.version} (#{v.id}) of the database {where} "
                                f"cannot be used: {exc}; activate another one or go back to the packaged "
                                f"file (`fazhi knowledge deactivate {v.name}`)") from None
    return dict(active.texts)


def _active(engine: Engine) -> knowledge_store.ActiveSet:
    try:
        with db.session_factory(engine)() as s:
            return knowledge_store.active_set(s)
    except sa_exc.DBAPIError as exc:
        raise db.StoreError(db_error_message(exc, engine)) from None


def _open_run(write: sessionmaker[Session], engine: Engine, user: str | None, args: dict[str, Any],
              total: int) -> tuple[int, int | None]:
    try:
        with write.begin() as s:
            uid = service.get_or_create_user(s, user, role="user").id if user else None
            # the knowledge versions are filled in at the end
            return service.start_run(s, args=args, total=total, user=uid, versions={}).id, uid
    except sa_exc.DBAPIError as exc:
        raise db.StoreError(db_error_message(exc, engine)) from None


def db_error_message(exc: BaseException, engine: Engine) -> str:
    """One line naming the database and what is wrong with it."""
    where = db.describe(engine.url)
    orig = getattr(exc, "orig", None) or exc
    detail = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    low = detail.lower()
    if engine.dialect.name == "sqlite":
        if "unable to open database file" in low:
            return f"cannot open the database {where}: the file or its folder cannot be created or written"
        if "readonly" in low or "read-only" in low:
            return f"the database {where} is read-only: cannot store reports"
        if "disk is full" in low or "database or disk is full" in low:
            return f"the database {where} is full (no space left on the disk, or its size limit reached)"
        if "locked" in low or "busy" in low:
            return f"the database {where} is locked by another program (waited 30 s)"
        if "not a database" in low or "malformed" in low:
            return f"the file {where} is not a usable SQLite database ({detail})"
        return f"database error on {where}: {detail}"
    if getattr(exc, "connection_invalidated", False) or isinstance(exc, sa_exc.OperationalError):
        return f"lost or could not open the connection to the database {where}: {detail}"
    return f"database error on {where}: {detail}"


@dataclass
class _Task:
    path: str
    sha: str | None
    replace: bool


class _Job:
    def __init__(self, engine: Engine, write: sessionmaker[Session], run_id: int, result: IngestResult, *,
                 refresh: bool, user_id: int | None, max_bytes: int | None, progress: ProgressFn | None,
                 on_failure: FailureFn | None, stop: threading.Event,
                 before_save: Callable[[int, str], None] | None, texts: dict[str, str], timeout: float,
                 force: bool = False) -> None:
        self.engine, self.write, self.run_id, self.result = engine, write, run_id, result
        self.counts = result.counts
        self.refresh, self.user_id, self.max_bytes = refresh, user_id, max_bytes
        self.progress, self.on_failure, self.stop, self.before_save = progress, on_failure, stop, before_save
        self.texts, self.timeout = texts, timeout  # the database's knowledge; a review's time limit
        self.force = force  # store texts that do not look like annual reports too
        self._current: dict[str, str] | None = None
        self.seen: set[str] = set()
        self.pending: list[tuple[_Task, dict[str, Any], str, service.Original | None]] = []
        self.pending_bytes = 0
        self.pending_since: float | None = None
        self.saves = 0
        self._last_flush = time.monotonic()
        self._pg = engine.dialect.name == "postgresql"

    @property
    def current(self) -> dict[str, str]:
        """The knowledge versions the reviews use (as the first review told them, else looked up here)."""
        if self._current is None:
            self._current = knowledge.from_texts(self.texts).versions
        return self._current

    @property
    def current_key(self) -> str:
        return service.knowledge_key(self.current)

    # ------------------------------------------------------------------ plan
    def _tasks(self, files: list[Path]) -> Iterator[_Task]:
        """The files to review, hashed and checked against the store a chunk at a time."""
        for i in range(0, len(files), _CHUNK):
            chunk = [(str(p), file_sha256(p, self.max_bytes)) for p in files[i:i + _CHUNK]]
            shas = [h for _, h in chunk if h]

            def lookup(s: Session, shas: list[str] = shas) -> dict[str, str]:
                return service.known_reports(s, shas)

            known: dict[str, str] = self._db(lookup)
            for path, sha in chunk:
                if self.stop.is_set():
                    return
                replace = False
                if sha is not None:
                    if sha in self.seen:
                        self._skip(path)
                        continue
                    self.seen.add(sha)
                    key = known.get(sha)
                    if key is not None:
                        if not self.refresh or key == self.current_key:
                            self._skip(path)
                            continue
                        replace = True
                yield _Task(path, sha, replace)

    # ------------------------------------------------------------------ run
    def run(self, files: list[Path], pool: ReviewPool | None) -> None:
        """Review and store ``files``; returns normally when done or stopped (what is reviewed is stored)."""
        if pool is None:
            for task in self._tasks(files):
                self._handle(task, review_outcome(partial(review_file, task.path, self.max_bytes, self.texts)))
                if self.stop.is_set():
                    break
                if self._flush_due():
                    self.flush()
        else:
            self._run_pool(files, pool)
        self.flush()

    def _run_pool(self, files: list[Path], pool: ReviewPool) -> None:
        """Keep a few reviews per process in flight and take them as they come back."""
        inflight: dict[Future[Stored], _Task] = {}
        limit = max(4, pool.size * 4)
        tasks = self._tasks(files)
        exhausted = False
        while True:
            while not exhausted and len(inflight) < limit and not self.stop.is_set():
                nxt = next(tasks, None)
                if nxt is None:
                    exhausted = True
                    break
                inflight[pool.submit("fazhi.review.pool:review_file", nxt.path, self.max_bytes,
                                     timeout=self.timeout, knowledge=self.texts)] = nxt
            if not inflight or self.stop.is_set():
                return
            timeout = 0.25
            if self.pending_since is not None:
                timeout = max(0.0, min(timeout, FLUSH_SECONDS - (time.monotonic() - self.pending_since)))
            done, _ = wait(list(inflight), timeout=timeout, return_when=FIRST_COMPLETED)
            for fut in done:
                task = inflight.pop(fut)
                if self.stop.is_set():
                    return
                self._handle(task, review_outcome(fut.result))
            if self._flush_due():
                self.flush()

    # ------------------------------------------------------------------ one file
    def _handle(self, task: _Task, outcome: Outcome) -> None:
        """A review came back: a failure is recorded now, a review joins the batch to write."""
        kind, a, b = outcome
        if kind != "ok":
            self._fail(task, str(a))
            return
        why = None if self.force or task.replace else not_a_report(a, b)
        if why:
            self._fail(task, f"不像法治政府建设年度报告，未入库：{why}（确是年度报告的，加 --force 重新入库）",
                       a["source"]["sha256"])
            return
        sha = a["source"]["sha256"]
        if self._current is None and a.get("versions"):
            self._current = dict(a["versions"])  # what the reviews use
        if task.sha is None and sha in self.seen:
            self._skip(task.path)
            return
        self.seen.add(sha)
        original = original_from_file(task.path, sha, self.max_bytes)
        self.pending.append((task, a, b, original))
        self.pending_bytes += len(original.data) if original else 0
        if self.pending_since is None:
            self.pending_since = time.monotonic()
        if len(self.pending) >= BATCH or self.pending_bytes >= BATCH_BYTES:
            self.flush()

    def _flush_due(self) -> bool:
        return self.pending_since is not None and time.monotonic() - self.pending_since >= FLUSH_SECONDS

    def flush(self) -> None:
        """Write the reviews waiting: one transaction for the batch; if it fails in any way, it is
        rolled back whole and each report is written again in a transaction of its own, which
        sorts out which report failed and why (so a failure never half-writes a report)."""
        batch, self.pending, self.pending_since, self.pending_bytes = self.pending, [], None, 0
        if not batch:
            return
        for task, _doc, _text, _orig in batch:
            self.saves += 1
            if self.before_save:
                self.before_save(self.saves, task.path)
        if len(batch) > 1:
            items = [service.ReviewItem(doc, body, doc.get("versions") or self.current, task.replace, orig)
                     for task, doc, body, orig in batch]
            try:
                with self.write.begin() as s:
                    if self._pg:
                        s.execute(_SYNC_OFF)
                    saved = service.save_reviews(s, items, self.run_id, user=self.user_id)
            except Exception:
                pass  # rolled back: one by one below
            else:
                for (task, _doc, _text, _orig), sv in zip(batch, saved, strict=True):
                    self._count(task, sv)
                return
        for task, doc, body, orig in batch:
            self._save_one(task, doc, body, orig)

    def _save_one(self, task: _Task, doc: dict[str, Any], body: str, original: service.Original | None) -> None:
        sha = doc["source"]["sha256"]
        retry = _Retry()
        while True:
            try:
                with self.write.begin() as s:
                    if self._pg:
                        s.execute(_SYNC_OFF)
                    saved = service.save_review(s, doc, body, self.run_id, user=self.user_id,
                                                versions=doc.get("versions") or self.current,
                                                replace=task.replace, original=original)
                break
            except sa_exc.IntegrityError as exc:
                # the same file stored by a concurrent ingest (UNIQUE sha256): not an error
                if self._db(lambda s: s.scalar(select(Report.id).where(Report.sha256 == sha))) is not None:
                    self._skip(task.path)
                else:
                    self._fail(task, f"无法存储：{_first_line(exc.orig)}", sha)
                return
            except sa_exc.DataError as exc:  # this report's data, not the database
                self._fail(task, f"无法存储：{_first_line(exc.orig)}", sha)
                return
            except sa_exc.DBAPIError as exc:
                if retry.again(exc):
                    continue
                raise DatabaseStop(db_error_message(exc, self.engine)) from None
            except Exception as exc:
                self._fail(task, f"内部错误：{type(exc).__name__}: {exc}", sha)
                return
        self._count(task, saved)

    def _count(self, task: _Task, saved: service.Saved) -> None:
        if saved.status == "created":
            self.counts.ok += 1
        elif saved.status == "replaced":
            self.counts.refreshed += 1
        else:  # stored meanwhile by a concurrent ingest
            self.counts.skipped += 1
        self._tick(task.path)

    def _skip(self, path: str) -> None:
        self.counts.skipped += 1
        self._tick(path)

    def _fail(self, task: _Task, reason: str, sha: str | None = None) -> None:
        self.counts.failed += 1
        self.result.failures.append((task.path, reason))
        if self.on_failure:
            self.on_failure(task.path, reason)
        self._db(lambda s: service.record_failure(s, self.run_id, task.path, reason, sha or task.sha))
        self._tick(task.path)

    def _tick(self, path: str | None) -> None:
        if self.progress:
            self.progress(self.counts, path)
        now = time.monotonic()
        if now - self._last_flush > 5:  # keep the run row roughly current for `fazhi db info`
            self._last_flush = now
            self._db(lambda s: service.finish_run(s, self.run_id, status="running", counts=self.counts.as_dict()))

    def _db(self, fn: Callable[[Session], Any]) -> Any:
        """Run ``fn`` in its own transaction; a database error stops the run (see :class:`_Retry`)."""
        retry = _Retry()
        while True:
            try:
                with self.write.begin() as s:
                    return fn(s)
            except sa_exc.DBAPIError as exc:
                if not retry.again(exc):
                    raise DatabaseStop(db_error_message(exc, self.engine)) from None

    # ------------------------------------------------------------------ end
    def close_run(self) -> None:
        res = self.result
        try:
            with self.write.begin() as s:
                service.finish_run(s, self.run_id, status=res.status, counts=self.counts.as_dict(),
                                   message=res.message, versions=self.current)
        except Exception:
            pass  # the database is gone: the run row stays "running"; the message says why


class _Retry:
    """When a failed transaction is worth running again.

    - a lost connection (``connection_invalidated``: PostgreSQL restarted,
      the backend killed): once, on a fresh connection from the pool;
    - a deadlock or serialization failure (PostgreSQL 40P01/40001, possible
      between two ingests writing batches at once): up to three times, after
      a short pause.

    Anything else (disk full, read-only, locked for 30 s, the retry failing
    too) is not: the run stops.
    """

    TRANSIENT = ("40P01", "40001")

    def __init__(self) -> None:
        self.reconnected = False
        self.transient = 0

    def again(self, exc: sa_exc.DBAPIError) -> bool:
        if exc.connection_invalidated:
            if self.reconnected:
                return False
            self.reconnected = True
            return True
        if getattr(exc.orig, "sqlstate", None) in self.TRANSIENT and self.transient < 3:
            self.transient += 1
            time.sleep(0.05 * self.transient)
            return True
        return False


def _first_line(exc: BaseException | None) -> str:
    s = str(exc or "").strip()
    return s.splitlines()[0] if s else type(exc).__name__


__all__ = ["Counts", "IngestResult", "Outcome", "db_error_message", "expand", "file_sha256", "ingest",
           "original_from_file", "review_outcome", "review_pool"]
