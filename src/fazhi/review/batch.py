"""Review many files on every core: worker processes, outcomes in the order of the files.

``fazhi review FOLDER`` hands each file (with where its output goes) to a
``work`` function (review it, render it, write it) through :func:`run`.  With
``workers`` ≥ 2 the items go to a :class:`~concurrent.futures.ProcessPoolExecutor`
in chunks; outcomes come back in the order of the items whatever the order the
workers finish in, so output and messages are deterministic.  On Linux the workers are
forked after the caller has loaded the knowledge (call
:meth:`~fazhi.review.pipeline.Reviewer.warm_up` first), so they start with
the divisions table and the compiled catalogue instead of loading them again.

A file that cannot be read (:class:`~fazhi.review.read.ReadError`) or that
hits a bug is an outcome with its error, never the end of the batch; if a
worker process dies, the files not done yet are outcomes with that error.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fazhi.review.read import ReadError

T = TypeVar("T")

#: below this many files per worker, reviewing in this process is faster than starting workers
MIN_FILES_PER_WORKER = 8


@dataclass(frozen=True, slots=True)
class Done(Generic[T]):
    """What became of one item: ``work``'s result, or why there is none."""

    item: T
    value: Any = None
    read_error: ReadError | None = None  # the file cannot be read as a report
    internal: str | None = None  # a bug: the exception's type and message

    @property
    def ok(self) -> bool:
        return self.read_error is None and self.internal is None


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def attempt(work: Callable[[T], Any], item: T) -> Done[T]:
    """``work(item)`` as an outcome: its errors caught, so the batch goes on."""
    try:
        return Done(item, work(item))
    except ReadError as exc:
        return Done(item, read_error=exc)
    except Exception as exc:  # a bug must not stop the batch
        return Done(item, internal=f"{type(exc).__name__}: {exc}")


def run(work: Callable[[T], Any], items: Sequence[T], workers: int = 0) -> Iterator[Done[T]]:
    """``work`` on each of ``items`` (one per file), yielding their outcomes in the order of ``items``.

    ``workers`` ≤ 1, or too few files for them (:data:`MIN_FILES_PER_WORKER`), runs everything in this
    process.  Otherwise ``work``, the items and the results must be picklable where processes are spawned
    rather than forked (``work``: a module-level function or a :func:`functools.partial` of one).
    """
    workers = min(workers, len(items) // MIN_FILES_PER_WORKER)
    if workers < 2:
        for item in items:
            yield attempt(work, item)
        return
    ctx = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    # chunks: few enough messages between processes, small enough that the workers finish together
    chunk = max(1, min(64, len(items) // (workers * 8)))
    ex = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init, initargs=(work,))
    done = 0
    try:
        for outcome in ex.map(_call, items, chunksize=chunk):
            done += 1
            yield outcome
    except BrokenProcessPool:
        for item in items[done:]:
            yield Done(item, internal="the review process stopped unexpectedly (out of memory?)")
    finally:
        ex.shutdown(wait=True, cancel_futures=True)


_work: Callable[[Any], Any] | None = None  # a worker's work function


def _init(work: Callable[[Any], Any]) -> None:
    global _work
    _work = work
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def _call(item: Any) -> Done[Any]:
    assert _work is not None
    return attempt(_work, item)
