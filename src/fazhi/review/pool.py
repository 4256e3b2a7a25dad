"""Reviewing uploaded files in child processes, with a time and a memory limit.

A web server cannot let one upload take it down: a file that makes a stage
run for minutes (a pathological text for a regular expression, a PDF whose
text layer explodes) would hold a thread and the interpreter lock of a server
process, and one that makes it allocate gigabytes would take the process
with it.  :class:`ReviewPool` keeps a few warm child processes
(``python -m fazhi.review.pool``: fazhi imported, its tables loaded) and
hands each review to an idle one; when the answer has not come within
``timeout`` seconds the child is killed (and replaced on the next review),
and a child's address space is capped at ``memory_mb``.  Either way the
caller gets :class:`ReviewTimeout` or :class:`ReviewFailed`, and the other
reviews and the server go on.

Children are started with ``subprocess`` (never ``fork`` of a threaded
server) and speak length-prefixed pickles over their stdin and stdout — a
private pipe between this process and its own children.  Only functions of
fazhi named ``module:function`` are called (:data:`ALLOWED`).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from typing import IO, Any

#: what a child may be asked to run
ALLOWED = frozenset({"fazhi.corpus.uploads:review_bytes", "fazhi.knowledge.versions:trial_review",
                     "fazhi.review.pool:_sleep_for_tests", "fazhi.review.pool:_allocate_for_tests"})
_HEADER = struct.Struct("!Q")


class ReviewTimeout(Exception):
    """The review did not finish within the time limit (its process was killed)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"review took longer than {seconds:g} s")


class ReviewFailed(Exception):
    """The review process died, or ran out of memory, before answering."""


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


def _sleep_for_tests(seconds: float) -> str:
    """A review that takes ``seconds`` (the tests' stand-in for a pathological file)."""
    time.sleep(seconds)
    return "slept"


def _allocate_for_tests(mb: int) -> int:
    """A review that needs ``mb`` megabytes (the tests' stand-in for a file that explodes in memory)."""
    block = bytearray(mb * 1024 * 1024)
    return len(block)


def _call(target: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    import importlib

    if target not in ALLOWED:
        raise ValueError(f"not allowed in a review process: {target}")
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)(*args, **kwargs)


def serve(memory_mb: int | None = None) -> None:
    """The child's loop: read a call from stdin, answer on stdout, until stdin closes."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but answers goes to the parent's pipe
    if memory_mb:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
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
    def __init__(self, memory_mb: int | None, start_timeout: float) -> None:
        cmd = [sys.executable, "-m", "fazhi.review.pool"] + ([str(memory_mb)] if memory_mb else [])
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"}, close_fds=True)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        status, _ = self._receive(start_timeout)
        if status != "ready":
            self.kill()
            raise ReviewFailed("the review process did not start")

    def _receive(self, timeout: float) -> tuple[str, Any]:
        deadline = time.monotonic() + timeout
        fd = self.stdout.fileno()
        buf = b""
        need = _HEADER.size
        size: int | None = None
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ReviewTimeout(timeout)
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, max(need - len(buf), 1 << 16))
            if not chunk:
                raise ReviewFailed(f"the review process ended (exit code {self.proc.poll()})")
            buf += chunk
            if size is None and len(buf) >= _HEADER.size:
                (size,) = _HEADER.unpack(buf[:_HEADER.size])
                buf = buf[_HEADER.size:]
                need = size
            if size is not None and len(buf) >= size:
                return pickle.loads(buf[:size])

    def call(self, target: str, args: tuple[Any, ...], kwargs: dict[str, Any], timeout: float) -> tuple[str, Any]:
        try:
            _send(self.stdin, (target, args, kwargs))
        except (BrokenPipeError, OSError):
            raise ReviewFailed("the review process is gone") from None
        return self._receive(timeout)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()
        with contextlib.suppress(Exception):
            self.proc.wait(5)
        for f in (self.stdin, self.stdout):
            with contextlib.suppress(OSError):
                f.close()


class ReviewPool:
    """Up to ``size`` warm review processes (started on demand, replaced when killed)."""

    def __init__(self, size: int = 2, *, memory_mb: int | None = 2048, start_timeout: float = 60.0) -> None:
        self.size = max(1, size)
        self.memory_mb = memory_mb
        self.start_timeout = start_timeout
        self._idle: list[_Child] = []
        self._count = 0
        self._cond = threading.Condition()
        self.killed = 0  # reviews stopped for taking too long or too much memory

    def _acquire(self) -> _Child:
        with self._cond:
            while True:
                while self._idle:
                    child = self._idle.pop()
                    if child.alive():
                        return child
                    self._count -= 1
                if self._count < self.size:
                    self._count += 1
                    break
                self._cond.wait()
        try:
            return _Child(self.memory_mb, self.start_timeout)
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise

    def _release(self, child: _Child, ok: bool) -> None:
        with self._cond:
            if ok and child.alive():
                self._idle.append(child)
            else:
                child.kill()
                self._count -= 1
            self._cond.notify()

    def run(self, target: str, *args: Any, timeout: float, **kwargs: Any) -> Any:
        """``target(*args, **kwargs)`` (``"module:function"``, one of :data:`ALLOWED`) in a review
        process; its result, or its exception raised here.  :class:`ReviewTimeout` after
        ``timeout`` seconds, :class:`ReviewFailed` when the process dies or runs out of memory."""
        if target not in ALLOWED:
            raise ValueError(f"not allowed in a review process: {target}")
        child = self._acquire()
        ok = False
        try:
            status, value = child.call(target, args, kwargs, timeout)
            ok = status != "memory"
        except ReviewTimeout:
            self.killed += 1
            raise
        finally:
            self._release(child, ok)
        if status == "ok":
            return value
        if status == "raise":
            raise value
        if status == "memory":
            self.killed += 1
            raise ReviewFailed(f"the review needed more than {self.memory_mb} MB of memory")
        raise ReviewFailed(str(value))

    def warm(self) -> None:
        """Start one review process now if none is there (so the first upload does not wait for it)."""
        with self._cond:
            if self._idle or self._count:
                return
        self._release(self._acquire(), True)

    def close(self) -> None:
        with self._cond:
            idle, self._idle = self._idle, []
            self._count -= len(idle)
        for child in idle:
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


__all__ = ["ALLOWED", "ReviewFailed", "ReviewPool", "ReviewTimeout", "serve", "shared_pool"]


if __name__ == "__main__":  # a review process of a ReviewPool
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else None)
