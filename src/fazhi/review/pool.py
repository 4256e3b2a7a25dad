"""The review processes: every review of a file fazhi did not write runs here, with a time and a memory limit.

One file must never take down what reviews it: a file that makes a stage run
for minutes (a pathological text for a regular expression, a PDF whose text
layer explodes) would hold a server thread, or an ingest of a thousand files,
forever, and one that makes a stage allocate gigabytes would take the process
with it.  So uploads to the web (:mod:`fazhi.corpus.uploads`), trials of new
knowledge versions (:mod:`fazhi.knowledge.versions`), ``fazhi ingest``
(:mod:`fazhi.corpus.ingest`) and ``fazhi refresh`` (:mod:`fazhi.corpus.refresh`)
all review in the child processes of a :class:`ReviewPool`, with the same
limits (:class:`fazhi.config.Settings`: ``review_timeout_seconds``,
``review_memory_mb``).  A review that has not answered within its ``timeout``
is stopped (its child is killed, a fresh one takes its place) and raises
:class:`ReviewTimeout`; a child's address space is capped at ``memory_mb``
(``RLIMIT_AS``), and a review that needs more raises :class:`ReviewOutOfMemory`;
a child that dies raises :class:`ReviewFailed` for the one review it held.
The other reviews, and the caller, go on.

The pool: up to ``size`` children, each fed by a thread of the caller's
process that takes the next call from a queue, hands it to its child and
waits for the answer.  :meth:`ReviewPool.submit` returns a
:class:`~concurrent.futures.Future` (an ingest keeps several in flight and
takes them as they come); :meth:`ReviewPool.run` waits for one.  Children are
started when calls need them (or by :meth:`ReviewPool.warm`) and warm up once
(fazhi imported, divisions loaded, the packaged knowledge compiled); the
knowledge texts a review uses go with each call, and a child compiles each
distinct set once (:func:`fazhi.knowledge.from_texts` caches by content).
What ingest and refresh run there is here (:func:`review_file`,
:func:`review_stored`): a child imports nothing of the database.

A child (``python -m fazhi.review.pool [MEMORY_MB]``):

- is started with ``subprocess``, never by ``fork`` of a threaded process;
- speaks length-prefixed pickles over its stdin and stdout, a private pipe
  to its parent, and calls only functions of fazhi named
  ``module:function`` in :data:`ALLOWED`;
- runs in a session of its own and ignores SIGINT: a Ctrl-C in the terminal
  reaches the parent only, which decides (``fazhi ingest`` stores what is
  reviewed, then closes the pool);
- dies with its parent: end of file on stdin ends its loop, and a thread
  that watches the parent's pid ends it in the middle of a review when the
  parent is gone (``kill -9``).

Test-only fault hook: when the environment variable ``FAZHI_TEST_FAULTS``
(:data:`FAULTS_ENV`) holds a JSON object ``{file name: fault}``, a child
started with it makes every review of a file of that name (the last
component of its source path: an ingested file, an upload's display name, a
stored report's file) do the fault first — ``"raise"`` (a RuntimeError, as a
bug in a stage), ``"exit"`` (the process ends, as if killed), ``"hang"``
(never answers), ``"allocate"`` (asks for more memory than any limit
allows).  Tests set it before the pool starts its children; nothing else
reads it.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

#: what a child may be asked to run
ALLOWED = frozenset({"fazhi.review.pool:review_file", "fazhi.review.pool:review_stored",
                     "fazhi.corpus.uploads:review_bytes", "fazhi.knowledge.versions:trial_review"})
#: the test-only fault hook (see the module documentation)
FAULTS_ENV = "FAZHI_TEST_FAULTS"
FAULTS = ("raise", "exit", "hang", "allocate")
_HEADER = struct.Struct("!Q")


class ReviewTimeout(Exception):
    """The review did not finish within the time limit (its process was killed)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"review took longer than {seconds:g} s")


class ReviewFailed(Exception):
    """The review process died, or could not start, before answering."""


class ReviewOutOfMemory(ReviewFailed):
    """The review needed more memory than a review process may have (the process was replaced)."""

    def __init__(self, limit_mb: int | None) -> None:
        self.limit_mb = limit_mb
        super().__init__(f"the review needed more than {limit_mb} MB of memory" if limit_mb
                         else "the review ran out of memory")


# =========================================================================== the reviews
Stored = tuple[dict[str, Any], str]  # what the corpus stores of a review: review JSON, normalised text


def review_file(path: str, max_bytes: int | None = None, knowledge: dict[str, str] | None = None) -> Stored:
    """The review of the file ``path`` under the knowledge texts ``knowledge`` (``None``/``{}``: the files),
    as the corpus stores it (``fazhi ingest``).  Raises :class:`fazhi.review.read.ReadError`."""
    from fazhi import knowledge as kn
    from fazhi.review.pipeline import Reviewer

    return Reviewer(kn.from_texts(knowledge)).review_path(path, max_bytes=max_bytes).stored()


def review_stored(source: dict[str, Any], text: str, knowledge: dict[str, str] | None = None,
                  context: dict[str, Any] | None = None) -> Stored:
    """The review of a stored report's ``text`` under the knowledge texts ``knowledge``, as the corpus stores
    it (``fazhi refresh``); ``source`` is the stored review's ``source`` (path, sha256, format, encoding,
    size), which the new review keeps; ``context``: what the review may know beyond the text (the
    comparison with the corpus, :mod:`fazhi.corpus.originality`)."""
    from fazhi import knowledge as kn
    from fazhi.review.model import Source
    from fazhi.review.pipeline import Reviewer

    src = Source(path=source.get("path"), sha256=source["sha256"], format=source.get("format") or "txt",
                 encoding=source.get("encoding"), size=int(source.get("size") or len(text.encode("utf-8"))))
    return Reviewer(kn.from_texts(knowledge)).review_source(text, src, context=context).stored()


# =========================================================================== the child
def _read_exact(stream: IO[bytes], n: int) -> bytes:
    out = bytearray()
    while len(out) < n:
        chunk = stream.read(n - len(out))
        if not chunk:
            raise EOFError
        out += chunk
    return bytes(out)


def _send(stream: IO[bytes], obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _call(target: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    import importlib

    if target not in ALLOWED:
        raise ValueError(f"not allowed in a review process: {target}")
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)(*args, **kwargs)


def _leave_with_parent() -> None:
    """End this process when its parent is gone, even in the middle of a review."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="fazhi-parent-watch", daemon=True).start()


def _do_fault(fault: str) -> None:
    """What :data:`FAULTS_ENV` asks a review to do first (tests only)."""
    if fault == "raise":
        raise RuntimeError(f"injected fault ({FAULTS_ENV})")
    if fault == "exit":
        os._exit(3)
    if fault == "hang":
        threading.Event().wait()
    if fault == "allocate":
        bytearray(1 << 40)  # 1 TB: refused under any limit, and by the kernel without one


def _install_faults(spec: str) -> None:
    """Make reviews of the files :data:`FAULTS_ENV` names do their fault (tests only)."""
    faults = json.loads(spec)
    if not isinstance(faults, dict) or not set(faults.values()) <= set(FAULTS):
        raise ValueError(f"{FAULTS_ENV}: expected a JSON object of file name -> one of {', '.join(FAULTS)}")
    from fazhi.review.model import Source
    from fazhi.review.pipeline import Reviewer

    review_source = Reviewer.review_source

    def faulty(self: Reviewer, text: str, source: Source, **kwargs: Any) -> Any:
        fault = faults.get(PurePath(source.path or "").name)
        if fault:
            _do_fault(fault)
        return review_source(self, text, source, **kwargs)

    Reviewer.review_source = faulty  # type: ignore[method-assign]


def serve(memory_mb: int | None = None) -> None:
    """The child's loop: read a call from stdin, answer on stdout, until stdin closes."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but answers goes to the parent's pipe
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what a Ctrl-C stops
    _leave_with_parent()
    if memory_mb:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if os.environ.get(FAULTS_ENV):
        _install_faults(os.environ[FAULTS_ENV])
    from fazhi.review import pipeline

    with contextlib.suppress(Exception):  # warm up: divisions, knowledge, compiled patterns
        pipeline.warm_up()
    _send(stdout, ("ready", None))
    while True:
        try:
            (n,) = _HEADER.unpack(_read_exact(stdin, _HEADER.size))
            target, args, kwargs = pickle.loads(_read_exact(stdin, n))
        except EOFError:
            return
        try:
            answer: tuple[str, Any] = ("ok", _call(target, args, kwargs))
        except MemoryError:
            answer = ("memory", None)
        except BaseException as exc:
            try:
                pickle.loads(pickle.dumps(exc))  # it must come back as it went
                answer = ("raise", exc)
            except Exception:
                answer = ("error", f"{type(exc).__name__}: {exc}")
        try:
            _send(stdout, answer)
        except MemoryError:
            _send(stdout, ("memory", None))
        if answer[0] == "memory":
            return  # start afresh: a process that ran out of memory is not trusted again


# =========================================================================== the parent
class _Child:
    """One review process, used by one feeding thread at a time."""

    def __init__(self, memory_mb: int | None, start_timeout: float) -> None:
        cmd = [sys.executable, "-m", "fazhi.review.pool"] + ([str(memory_mb)] if memory_mb else [])
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"}, close_fds=True,
                                     start_new_session=True)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        try:
            status, _ = self._receive(start_timeout)
        except (ReviewTimeout, ReviewFailed):
            status = "gone"
        if status != "ready":
            self.close()
            raise ReviewFailed("the review process did not start")

    def _receive(self, timeout: float) -> tuple[str, Any]:
        deadline = time.monotonic() + timeout
        fd = self.stdout.fileno()
        buf = bytearray()
        size: int | None = None
        while size is None or len(buf) < size:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ReviewTimeout(timeout)
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            need = (_HEADER.size if size is None else size) - len(buf)
            chunk = os.read(fd, max(need, 1 << 16))
            if not chunk:
                raise ReviewFailed("the process reviewing it died")
            buf += chunk
            if size is None and len(buf) >= _HEADER.size:
                (size,) = _HEADER.unpack_from(buf)
                del buf[:_HEADER.size]
        answer: tuple[str, Any] = pickle.loads(buf)
        return answer

    def call(self, target: str, args: tuple[Any, ...], kwargs: dict[str, Any], timeout: float) -> tuple[str, Any]:
        try:
            _send(self.stdin, (target, args, kwargs))
        except (BrokenPipeError, OSError):
            raise ReviewFailed("the process reviewing it died") from None
        return self._receive(timeout)

    def kill(self) -> None:
        """Stop the process now (safe from any thread: the pipes stay open for the feeding thread)."""
        with contextlib.suppress(OSError):
            self.proc.kill()

    def close(self) -> None:
        self.kill()
        with contextlib.suppress(Exception):
            self.proc.wait(5)
        for f in (self.stdin, self.stdout):
            with contextlib.suppress(OSError):
                f.close()


@dataclass
class _Call:
    target: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    timeout: float
    future: Future[Any] = field(default_factory=Future)


class ReviewPool:
    """Up to ``size`` review processes with ``memory_mb`` each (``None``: no limit), fed by as many
    threads; see the module documentation.  Thread-safe; :meth:`close` ends it for good."""

    def __init__(self, size: int = 2, *, memory_mb: int | None = 2048, start_timeout: float = 60.0) -> None:
        self.size = max(1, size)
        self.memory_mb = memory_mb
        self.start_timeout = start_timeout
        self.killed = 0  # reviews stopped for taking too long or too much memory
        self._cond = threading.Condition()
        self._calls: deque[_Call] = deque()
        self._feeders: set[_Feeder] = set()
        self._idle = 0  # feeders waiting for a call
        self._closed = False

    def submit(self, target: str, *args: Any, timeout: float, **kwargs: Any) -> Future[Any]:
        """Queue ``target(*args, **kwargs)`` (``"module:function"``, one of :data:`ALLOWED`) for a review
        process; the future holds its result or its exception — :class:`ReviewTimeout` when it has not
        answered ``timeout`` seconds after its process took it, :class:`ReviewOutOfMemory`,
        :class:`ReviewFailed` when the process died."""
        if target not in ALLOWED:
            raise ValueError(f"not allowed in a review process: {target}")
        call = _Call(target, args, kwargs, timeout)
        with self._cond:
            if self._closed:
                raise RuntimeError("the review pool is closed")
            self._calls.append(call)
            if len(self._calls) > self._idle:
                self._add_feeders(len(self._feeders) + 1)
            self._cond.notify()
        return call.future

    def run(self, target: str, *args: Any, timeout: float, **kwargs: Any) -> Any:
        """:meth:`submit` and wait: the result, or the exception raised here."""
        return self.submit(target, *args, timeout=timeout, **kwargs).result()

    def warm(self, n: int = 1) -> None:
        """Start up to ``n`` review processes now (in the background), so the first reviews need not wait."""
        with self._cond:
            if not self._closed:
                self._add_feeders(n)

    def close(self) -> None:
        """Cancel the calls not started, stop the reviews running, end the processes."""
        with self._cond:
            self._closed = True
            waiting, self._calls = self._calls, deque()
            feeders = list(self._feeders)
            self._cond.notify_all()
        for call in waiting:
            call.future.cancel()
        for feeder in feeders:
            feeder.stop()
        for feeder in feeders:
            feeder.join(10)

    # ------------------------------------------------------------------ the feeding threads
    def _add_feeders(self, n: int) -> None:
        """Start feeders (each with its process) until there are ``n`` (at most ``size``); holds the lock."""
        while len(self._feeders) < min(n, self.size):
            feeder = _Feeder(self)
            self._feeders.add(feeder)
            feeder.start()

    def _next(self) -> _Call | None:
        """The next call to run (``None``: the pool is closed)."""
        with self._cond:
            self._idle += 1
            try:
                while not self._calls and not self._closed:
                    self._cond.wait()
                return None if self._closed else self._calls.popleft()
            finally:
                self._idle -= 1

    def _gone(self, feeder: _Feeder) -> None:
        with self._cond:
            self._feeders.discard(feeder)

    def _start_child(self) -> _Child:
        return _Child(self.memory_mb, self.start_timeout)

    def _count_killed(self) -> None:
        with self._cond:
            self.killed += 1

    def _answer(self, child: _Child, call: _Call) -> bool:
        """Run ``call`` in ``child`` and settle its future; whether the child may take another call."""
        fut = call.future
        try:
            status, value = child.call(call.target, call.args, call.kwargs, call.timeout)
        except ReviewTimeout as exc:
            self._count_killed()
            fut.set_exception(exc)
            return False
        except ReviewFailed as exc:
            fut.set_exception(exc)
            return False
        except Exception as exc:  # an answer that cannot be read here: the process is not trusted again
            fut.set_exception(ReviewFailed(f"unreadable answer: {type(exc).__name__}: {exc}"))
            return False
        if status == "ok":
            fut.set_result(value)
        elif status == "raise":
            fut.set_exception(value)
        elif status == "memory":
            self._count_killed()
            fut.set_exception(ReviewOutOfMemory(self.memory_mb))
            return False
        else:
            fut.set_exception(ReviewFailed(str(value)))
        return True


class _Feeder(threading.Thread):
    """A thread of the caller's process that owns one review process and feeds it the pool's calls."""

    def __init__(self, pool: ReviewPool) -> None:
        super().__init__(name="fazhi-review-feeder", daemon=True)
        self.pool = pool
        self.child: _Child | None = None

    def run(self) -> None:
        pool = self.pool
        try:
            self.child = self._child()
            while (call := pool._next()) is not None:
                if not call.future.set_running_or_notify_cancel():
                    continue
                self.child = self.child or self._child()
                if self.child is None:
                    call.future.set_exception(ReviewFailed("the review process did not start"))
                elif not pool._answer(self.child, call):
                    self.child.close()
                    self.child = None  # a fresh one for the next call
        finally:
            if self.child is not None:
                self.child.close()
            pool._gone(self)

    def _child(self) -> _Child | None:
        try:
            return self.pool._start_child()
        except (ReviewFailed, OSError):
            return None

    def stop(self) -> None:
        """End this feeder's process now (the call it ran, if any, fails)."""
        child = self.child
        if child is not None:
            child.kill()


_SHARED: dict[tuple[int, int | None], ReviewPool] = {}
_SHARED_LOCK = threading.Lock()


def shared_pool(size: int, memory_mb: int | None) -> ReviewPool:
    """This process's pool of review processes (one per size and memory limit, made on first use): every
    app of a server process — there is one, and many in the tests — shares its warm children."""
    with _SHARED_LOCK:
        pool = _SHARED.get((size, memory_mb))
        if pool is None:
            pool = _SHARED[(size, memory_mb)] = ReviewPool(size, memory_mb=memory_mb)
        return pool


__all__ = ["ALLOWED", "FAULTS", "FAULTS_ENV", "ReviewFailed", "ReviewOutOfMemory", "ReviewPool", "ReviewTimeout",
           "Stored", "review_file", "review_stored", "serve", "shared_pool"]


if __name__ == "__main__":  # a review process of a ReviewPool
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else None)
