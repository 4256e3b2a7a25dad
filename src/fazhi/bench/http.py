"""HTTP load benchmark of the web application (``fazhi bench --http``).

:func:`run_http_bench`:

1. makes a database — a SQLite file in a temporary folder by default, or a
   fresh schema (``fzbench_…``) inside the PostgreSQL database of ``db_url``
   (dropped afterwards, so the database's own data is never touched) — and
   stores the five sample reports plus ``generated`` synthetic ones
   (:func:`fazhi.bench.corpus_gen.write_corpus`, :func:`fazhi.corpus.ingest.ingest`);
2. creates a reviewer account and an API token with the web app's own
   service functions;
3. starts the app (:func:`fazhi.web.app.app_from_env`) with uvicorn in a
   subprocess on **loopback only** (127.0.0.1, a free port), with ``workers``
   processes (2 on a machine with 2 cores or more);
4. signs in through ``/login`` like a browser (session cookie) and drives a
   bounded number of requests — at most ``requests``, and stopping at
   ``duration_limit`` seconds whichever comes first — from ``concurrency``
   concurrent keep-alive connections (:class:`HttpConnection`, a minimal
   HTTP/1.1 client, so that the load generator takes little of the cores it
   shares with the server), round robin over:

   * ``GET /reports/{id}`` — the review page (session cookie),
   * ``GET /api/reports/{id}`` — one review as JSON (API token),
   * ``GET /api/reports?…`` — filtered, paged lists (API token);

5. stops the server and removes what it made.

By default the load is a closed loop (each connection sends its next request
when the last one is answered: the most the server does); with ``rate`` it
is an open loop at that many requests per second, each latency counted from
the moment its request was due — whether the server *holds* that rate.

The load generator runs on the same machine as the server (the cores are
shared), and so may anything else running there: the result gives the CPU
seconds of the server's processes, of the load generator and of every other
process over the run, the CPU milliseconds per request, and the requests/s
the cores could serve were the server and the load generator alone on them.
Nothing but the loopback address is ever contacted.  Speed is reported,
never asserted; :func:`format_http_report` renders the result.

The helpers :func:`start_server` and :class:`ServerProcess` (a uvicorn
subprocess on a free loopback port, stopped with its worker processes) are
used by the browser tests and ``tools/screenshots.py`` too.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TARGET_RPS = 100.0
TARGET_P99_MS = 300.0
ENDPOINTS = ("GET /reports/{id}", "GET /api/reports/{id}", "GET /api/reports?…")
LIST_QUERIES = ("limit=50", "level=county&limit=20", "year=2023", "region=河南省&limit=20&offset=20",
                "year=2018-2022&limit=50&offset=50", "level=township,street&limit=30")

Progress = Callable[[str], None]


# =========================================================================== the server
def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free on ``host`` a moment ago."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass
class ServerProcess:
    """A running ``uvicorn fazhi.web.app:app_from_env`` subprocess (its own process group)."""

    proc: subprocess.Popen[bytes]
    url: str
    log_path: Path
    workers: int = 1
    _log: Any = field(default=None, repr=False)

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM to the server's process group (uvicorn and its workers), SIGKILL if it lingers."""
        if self.proc.poll() is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.proc.pid, sig)
                try:
                    self.proc.wait(timeout=timeout)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # workers that outlived their parent are still in the group
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_server(db_url: str, *, workers: int = 1, host: str = "127.0.0.1", port: int | None = None,
                 env: dict[str, str] | None = None, log_path: str | os.PathLike[str] | None = None,
                 timeout: float = 90.0, log_level: str = "warning") -> ServerProcess:
    """Start the web app over ``db_url`` with uvicorn in a subprocess; return when it answers.

    Only a loopback ``host`` is accepted.  Without ``port`` a free one is
    taken (and another tried if it was taken meanwhile).  The schema is
    created by the app if needed; create it before when starting several
    workers.  Raises RuntimeError with the end of the server's log when it
    does not come up within ``timeout`` seconds."""
    import httpx

    if not is_loopback(host):
        raise ValueError(f"the benchmark server listens on loopback only, not {host!r}")
    if log_path is None:
        fd, name = tempfile.mkstemp(prefix="fazhi-serve-", suffix=".log")
        os.close(fd)
        log_path = name
    log_file = Path(log_path)
    attempts = 1 if port is not None else 3
    last = ""
    for _ in range(attempts):
        p = port if port is not None else free_port(host)
        cmd = [sys.executable, "-m", "uvicorn", "fazhi.web.app:app_from_env", "--factory", "--host", host,
               "--port", str(p), "--workers", str(max(1, workers)), "--log-level", log_level, "--no-access-log",
               "--timeout-graceful-shutdown", "5"]
        child_env = {**os.environ, **(env or {}), "FAZHI_DATABASE_URL": db_url, "PYTHONUNBUFFERED": "1"}
        log = log_file.open("ab")
        proc = subprocess.Popen(cmd, env=child_env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        server = ServerProcess(proc, f"http://{host}:{p}" if ":" not in host else f"http://[{host}]:{p}",
                               log_file, max(1, workers), log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            try:
                r = httpx.get(server.url + "/login", timeout=2.0)
                if r.status_code < 500:
                    return server
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        last = server.log_tail()
        server.stop()
        if "address already in use" not in last.lower():
            break
    raise RuntimeError(f"the fazhi web server did not start (log {log_file}):\n{last}")


def group_cpu_seconds(pgid: int) -> float | None:
    """CPU seconds (user + system) used so far by the live processes of process group ``pgid``
    (Linux ``/proc``; None elsewhere)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for d in proc.iterdir():
        if not d.name.isdigit():
            continue
        try:
            raw = (d / "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rfind(")") + 2:].split()  # after "pid (comm) "
        if len(fields) > 12 and int(fields[2]) == pgid:  # pgrp; utime and stime are fields 14 and 15
            total += int(fields[11]) + int(fields[12])
    return total / tick


def wait_until_idle(server: ServerProcess, *, max_wait: float = 30.0, busy: float = 0.1) -> float:
    """Wait until the server's processes use less than ``busy`` of a core (start-up work such as
    the review warm-up is over); returns the seconds waited."""
    t0 = time.monotonic()
    last = group_cpu_seconds(server.proc.pid)
    if last is None:
        return 0.0
    while time.monotonic() - t0 < max_wait:
        time.sleep(0.5)
        now = group_cpu_seconds(server.proc.pid) or 0.0
        if now - last < busy * 0.5:
            break
        last = now
    return time.monotonic() - t0


def machine_busy_seconds() -> float | None:
    """CPU seconds all processes of the machine have used (``/proc/stat``; None elsewhere)."""
    try:
        first = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in first[1:9])
    return (user + nice + system + irq + softirq + steal) / (os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100)


def _self_cpu() -> float:
    import resource

    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


# =========================================================================== the database
def default_seeds() -> list[Path]:
    """The five sample reports: ``../shared/seeds/*.txt`` beside the repository (or ``$FAZHI_SEEDS``),
    else the sample reports bundled with fazhi."""
    env = os.environ.get("FAZHI_SEEDS")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2].parent / "shared" / "seeds")
    for d in candidates:
        found = sorted(d.glob("*.txt")) if d.is_dir() else []
        if found:
            return found
    ex = Path(__file__).resolve().parent / "examples"
    return sorted(p for p in ex.iterdir() if p.suffix in (".txt", ".md", ".html", ".docx"))


@contextlib.contextmanager
def bench_database(db_url: str | None, workdir: Path) -> Iterator[tuple[str, str]]:
    """(URL, backend) of an empty database for the benchmark; a PostgreSQL schema is dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from fazhi import db

    if db_url is None:
        yield f"sqlite:///{workdir / 'bench.sqlite'}", "sqlite"
        return
    url = db.resolve_url(db_url)
    backend = make_url(url).get_backend_name()
    if backend != "postgresql":
        yield url, backend
        return
    schema = "fzbench_" + uuid.uuid4().hex[:12]
    app_name = f"fazhi_{schema}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        u = make_url(url).update_query_dict({"options": f"-csearch_path={schema}", "application_name": app_name})
        yield u.render_as_string(hide_password=False), backend
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE application_name = :app AND pid <> pg_backend_pid()"), {"app": app_name})
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def seed_database(url: str, paths: Sequence[Path], *, workers: int | None = None,
                  user: str | None = None) -> dict[str, Any]:
    """Store the reports at ``paths`` (fazhi's ingest engine); {stored, failed, seconds}."""
    from fazhi import db
    from fazhi.corpus import ingest

    engine = db.make_engine(url)
    try:
        db.ensure_schema(engine)
        res = ingest.ingest(list(paths), engine=engine, workers=workers, user=user)
    finally:
        engine.dispose()
    if res.status != "completed":
        raise RuntimeError(f"seeding the benchmark database failed: {res.message}")
    return {"stored": res.counts.ok + res.counts.skipped, "failed": res.counts.failed,
            "seconds": round(res.seconds, 2)}


def make_account(url: str, name: str, role: str, password: str, *, region: str | None = None,
                 token: bool = False) -> str | None:
    """An account made with the web app's service functions; its API token when ``token``."""
    from fazhi import db
    from fazhi.accounts import service as accounts
    from fazhi.accounts.roles import SYSTEM
    from fazhi.config import Settings

    engine = db.make_engine(url)
    try:
        db.ensure_schema(engine)
        with db.session_factory(engine, write=True).begin() as s:
            user = accounts.create_user(s, name, role, password, Settings(), region=region, actor=SYSTEM)
            tok = accounts.create_token(s, user.id, f"{name} token", expires_days=1, actor=SYSTEM)[1] if token else None
    finally:
        engine.dispose()
    return tok


def report_ids(url: str) -> list[int]:
    from sqlalchemy import select

    from fazhi import db
    from fazhi.corpus.models import Report

    engine = db.make_engine(url)
    try:
        with db.session_factory(engine)() as s:
            return [int(i) for i in s.scalars(select(Report.id).order_by(Report.id))]
    finally:
        engine.dispose()


# =========================================================================== the load
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def login(client: Any, name: str, password: str) -> None:
    """Sign in through the login form, as a browser does (the client keeps the session cookie)."""
    r = await client.get("/login")
    m = _CSRF.search(r.text)
    if r.status_code != 200 or not m:
        raise RuntimeError(f"GET /login: {r.status_code}, no CSRF token")
    r = await client.post("/login", data={"username": name, "password": password, "next": "/",
                                          "csrf_token": m.group(1)})
    if r.status_code != 303:
        raise RuntimeError(f"POST /login as {name}: {r.status_code} (expected 303)")


def _pct(sorted_ms: list[float], q: float) -> float | None:
    if not sorted_ms:
        return None
    k = max(0, min(len(sorted_ms) - 1, int(-(-q * len(sorted_ms) // 100)) - 1))  # nearest rank
    return round(sorted_ms[k], 1)


def _summary(samples: list[tuple[float, int, str | None]], seconds: float) -> dict[str, Any]:
    ms = sorted(s[0] for s in samples)
    errors = [s for s in samples if s[1] != 200]
    statuses: dict[str, int] = {}
    for _, st, err in errors:
        key = err or str(st)
        statuses[key] = statuses.get(key, 0) + 1
    return {"requests": len(samples), "errors": len(errors), "error_kinds": statuses,
            "rps": round(len(samples) / seconds, 1) if seconds > 0 else 0.0,
            "p50_ms": _pct(ms, 50), "p95_ms": _pct(ms, 95), "p99_ms": _pct(ms, 99),
            "mean_ms": round(sum(ms) / len(ms), 1) if ms else None, "max_ms": round(ms[-1], 1) if ms else None}


class HttpConnection:
    """One keep-alive HTTP/1.1 connection of the load generator.

    Deliberately small (a request line and headers out; status, headers and a
    ``Content-Length`` or chunked body in): the load generator shares the
    machine's cores with the server, and a full client (httpx) spends more CPU
    per request than the server's cheaper answers — what the benchmark would
    then measure is the client.  Used only for GETs to the server it started."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def get(self, target: str, headers: bytes = b"", timeout: float = 30.0) -> tuple[int, int]:
        """GET ``target`` (a path with its query, ASCII); (status, body bytes).  Raises OSError,
        asyncio.IncompleteReadError or TimeoutError when the connection fails (it is then closed)."""
        try:
            return await asyncio.wait_for(self._get(target, headers), timeout)
        except BaseException:
            self.close()
            raise

    async def _get(self, target: str, headers: bytes) -> tuple[int, int]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        self._writer.write(b"GET %s HTTP/1.1\r\nHost: %s:%d\r\n%s\r\n" % (
            target.encode("ascii"), self.host.encode("ascii"), self.port, headers))
        head = await self._reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            fields[k.strip().lower()] = v.strip()
        if "content-length" in fields:
            n = int(fields["content-length"])
            await self._reader.readexactly(n)
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            n = 0
            while True:
                size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self._reader.readexactly(size + 2)
                n += size
                if size == 0:
                    break
        else:  # the body ends with the connection
            n = len(await self._reader.read())
            self.close()
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, n

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def _drive(base: str, ids: list[int], name: str, password: str, token: str, *, requests: int,
                 concurrency: int, duration_limit: float, warmup: int,
                 rate: float | None = None) -> tuple[dict[str, list[Any]], float, int]:
    from urllib.parse import quote, urlsplit

    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=30.0, follow_redirects=False) as client:
        await login(client, name, password)  # as a browser does; the cookie then goes on every page request
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    page_headers = f"Cookie: {cookie}\r\n".encode("latin-1")
    bearer = f"Authorization: Bearer {token}\r\n".encode("latin-1")
    where = urlsplit(base)
    host, port = where.hostname or "127.0.0.1", where.port or 80

    def request(i: int) -> tuple[str, str, bytes]:
        kind = ENDPOINTS[i % len(ENDPOINTS)]
        rid = ids[(i * 7919) % len(ids)]
        if kind == ENDPOINTS[0]:
            return kind, f"/reports/{rid}", page_headers
        if kind == ENDPOINTS[1]:
            return kind, f"/api/reports/{rid}", bearer
        q = LIST_QUERIES[(i // len(ENDPOINTS)) % len(LIST_QUERIES)]
        return kind, "/api/reports?" + quote(q, safe="=&,-"), bearer

    samples: dict[str, list[tuple[float, int, str | None]]] = {k: [] for k in ENDPOINTS}
    counter = 0
    start = 0.0

    async def worker(conn: HttpConnection, limit: int, deadline: float, record: bool) -> None:
        nonlocal counter
        while counter < limit and time.perf_counter() < deadline:
            i = counter
            counter += 1
            kind, path, headers = request(i)
            t0 = time.perf_counter()
            if record and rate:
                # open loop: request i is due at start + i/rate; its latency counts from then, so a
                # server that falls behind shows it (no coordinated omission)
                due = start + i / rate
                if due > t0:
                    await asyncio.sleep(due - t0)
                t0 = due
            try:
                status, _n = await conn.get(path, headers)
                err = None
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
                status, err = 0, type(exc).__name__
            if record:
                samples[kind].append(((time.perf_counter() - t0) * 1000.0, status, err))

    conns = [HttpConnection(host, port) for _ in range(concurrency)]
    try:
        # warm-up (not measured): every worker process, every endpoint, the connections
        wdeadline = time.perf_counter() + min(15.0, duration_limit)
        await asyncio.gather(*(worker(c, warmup, wdeadline, False) for c in conns))
        warmed, counter = counter, 0
        t0 = start = time.perf_counter()
        deadline = t0 + duration_limit
        await asyncio.gather(*(worker(c, requests, deadline, True) for c in conns))
        return samples, time.perf_counter() - t0, warmed
    finally:
        for c in conns:
            c.close()


def _cpu(a: tuple[Any, ...], b: tuple[Any, ...], n: int, cores: int) -> dict[str, float | None]:
    """CPU seconds over the run (``n`` requests with the warm-up and the login): the server, this load
    generator, other processes on the machine; CPU milliseconds per request; and the requests/s the
    cores could serve were the server and the load generator alone on them (the machine may be shared)."""
    def d(i: int) -> float | None:
        first, last = a[i], b[i]
        return None if first is None or last is None else round(last - first, 1)

    server, client, machine = d(1), d(0), d(2)
    other = (None if server is None or client is None or machine is None
             else round(max(0.0, machine - server - client), 1))
    out: dict[str, float | None] = {"server_s": server, "client_s": client, "other_s": other,
                                    "wall_s": round(float(b[3]) - float(a[3]), 1), "server_ms_per_request": None,
                                    "client_ms_per_request": None, "cpu_bound_rps": None}
    if server is not None and client is not None and n > 0:
        sms, cms = 1000.0 * server / n, 1000.0 * client / n
        out.update(server_ms_per_request=round(sms, 1), client_ms_per_request=round(cms, 1),
                   cpu_bound_rps=round(cores * 1000.0 / (sms + cms), 0) if sms + cms > 0 else None)
    return out


def _where(url: str, backend: str) -> str:
    from sqlalchemy.engine import make_url

    if backend == "sqlite":
        return "SQLite file in a temporary folder"
    u = make_url(url)
    options = u.query.get("options") or ""
    schema = (options if isinstance(options, str) else " ".join(options)).partition("search_path=")[2]
    return f"{backend} {u.host or ''}:{u.port or ''}/{u.database or ''}" + (f", schema {schema}" if schema else "")


def run_http_bench(db_url: str | None = None, *, requests: int = 2000, concurrency: int = 16,
                   duration_limit: float = 60.0, generated: int = 200, seed: int = 0, workers: int | None = None,
                   seeds: Sequence[str | os.PathLike[str]] | None = None, rate: float | None = None,
                   progress: Progress | None = None) -> dict[str, Any]:
    """Load-test the web app on loopback; see the module documentation.  Returns a plain dict.

    Without ``rate`` the load is a closed loop: ``concurrency`` connections send their next request as
    soon as the previous one is answered (as fast as the server goes).  With ``rate`` it is an open
    loop: requests are due at ``rate`` per second (at most ``concurrency`` in flight) and each latency
    counts from the moment its request was due — "does the server hold ``rate`` requests/s"."""
    from fazhi import db as store_db
    from fazhi.bench.corpus_gen import write_corpus

    if requests < 1 or concurrency < 1 or duration_limit <= 0 or (rate is not None and rate <= 0):
        raise ValueError("requests, concurrency, duration_limit and rate must be positive")
    say = progress or (lambda _msg: None)
    cores = os.cpu_count() or 1
    workers = workers if workers is not None else (2 if cores >= 2 else 1)
    seed_paths = [Path(p) for p in seeds] if seeds is not None else default_seeds()
    workdir = Path(tempfile.mkdtemp(prefix="fazhi-bench-http-"))
    try:
        with bench_database(db_url, workdir) as (url, backend):
            say(f"writing {generated} synthetic reports")
            corpus = write_corpus(workdir / "corpus", generated, seed) if generated > 0 else []
            say(f"storing {len(seed_paths)} sample + {len(corpus)} synthetic reports in {store_db.describe(url)}")
            seeded = seed_database(url, [*seed_paths, *corpus],
                                   workers=0 if len(seed_paths) + len(corpus) < 20 else min(2, cores))
            password = "Fz-" + secrets.token_urlsafe(12)  # three character classes at least
            token = make_account(url, "bench", "reviewer", password, token=True)
            assert token is not None
            ids = report_ids(url)
            if not ids:
                raise RuntimeError("no report was stored: nothing to request")
            say(f"starting the server ({workers} worker process{'es' if workers > 1 else ''})")
            with start_server(url, workers=workers, log_path=workdir / "server.log", log_level="info") as server:
                wait_until_idle(server)
                say(f"driving up to {requests} requests from {concurrency} connections to {server.url}")
                cpu0 = (_self_cpu(), group_cpu_seconds(server.proc.pid), machine_busy_seconds(), time.perf_counter())
                samples, seconds, warmed = asyncio.run(_drive(server.url, ids, "bench", password, token, requests=requests,
                                                      concurrency=concurrency, duration_limit=duration_limit,
                                                      warmup=min(requests, max(3 * concurrency, 30)),
                                                      rate=rate))
                cpu1 = (_self_cpu(), group_cpu_seconds(server.proc.pid), machine_busy_seconds(), time.perf_counter())
                # on any error, what the server said (uvicorn logs a worker it restarted: "Child process … died")
                server_log = server.log_tail(4000) if any(s[1] != 200 for v in samples.values() for s in v) else ""
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    everything = [s for v in samples.values() for s in v]
    overall = _summary(everything, seconds)
    out: dict[str, Any] = {
        "backend": backend, "database": _where(url, backend),
        "reports": len(ids), "seeding": seeded, "workers": workers, "concurrency": concurrency,
        "requests_limit": requests, "duration_limit": duration_limit, "seconds": round(seconds, 2),
        "mode": f"open loop at {rate:g} requests/s" if rate else "closed loop (as fast as the server answers)",
        "rate": rate,
        "cores": cores, "python": platform.python_version(), "machine": platform.machine(),
        "endpoints": {k: _summary(v, seconds) for k, v in samples.items()}, "overall": overall,
        "targets": {"rps": TARGET_RPS, "p99_ms": TARGET_P99_MS},
        # open loop: held when the rate asked for was reached (2 % slack for the last answers' tail)
        "met": bool(overall["requests"] and (overall["rps"] >= TARGET_RPS if not rate else
                                             rate >= TARGET_RPS and overall["rps"] >= 0.98 * rate)
                    and overall["p99_ms"] is not None and overall["p99_ms"] < TARGET_P99_MS
                    and overall["errors"] == 0),
        "stopped_by": "time" if overall["requests"] < requests else "count",
        # CPU seconds over the run (warm-up and measured requests): the load generator shares the cores
        "cpu": _cpu(cpu0, cpu1, overall["requests"] + warmed + 2, cores),
    }
    if server_log:
        out["server_log_tail"] = server_log
    return out


def format_http_report(result: dict[str, Any]) -> str:
    """The result of :func:`run_http_bench` as a small text table."""
    r = result
    lines = [f"fazhi HTTP benchmark — {r['database']}, {r['reports']} reports, "
             f"{r['workers']} server worker process(es), {r['concurrency']} concurrent connections, "
             f"{r['cores']} cores, Python {r['python']}",
             f"{r['overall']['requests']} requests in {r['seconds']:.1f} s (limits: {r['requests_limit']} requests, "
             f"{r['duration_limit']:g} s; stopped by {r['stopped_by']}); {r.get('mode', 'closed loop')}; "
             "load generator on the same machine",
             "",
             f"{'endpoint':<24}{'requests':>9}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
             f"{'p99 ms':>9}{'max ms':>9}"]

    def row(label: str, s: dict[str, Any]) -> str:
        def f(v: Any) -> str:
            return "—" if v is None else f"{v:.1f}"
        return (f"{label:<24}{s['requests']:>9}{s['errors']:>8}{s['rps']:>9.1f}{f(s['p50_ms']):>9}"
                f"{f(s['p95_ms']):>9}{f(s['p99_ms']):>9}{f(s['max_ms']):>9}")

    for k, s in r["endpoints"].items():
        lines.append(row(k, s))
    lines.append(row("all", r["overall"]))
    cpu = r.get("cpu") or {}
    if cpu.get("server_s") is not None:
        other = "" if cpu.get("other_s") is None else f", other processes {cpu['other_s']:.1f} s"
        lines.append(f"CPU over the run (warm-up included): server {cpu['server_s']:.1f} s, load generator "
                     f"{cpu['client_s']:.1f} s{other} — of {r['cores']} cores × {cpu['wall_s']:.1f} s = "
                     f"{r['cores'] * cpu['wall_s']:.1f} s")
        if cpu.get("server_ms_per_request") is not None:
            lines.append(f"CPU per request: server {cpu['server_ms_per_request']:.1f} ms, load generator "
                         f"{cpu['client_ms_per_request']:.1f} ms — alone on the {r['cores']} cores they could do "
                         f"about {cpu['cpu_bound_rps']:.0f} requests/s")
    errs = r["overall"].get("error_kinds") or {}
    if errs:
        lines.append("errors: " + ", ".join(f"{k} ×{n}" for k, n in sorted(errs.items())))
    lines.append("")
    lines.append(f"target: ≥ {r['targets']['rps']:g} requests/s with p99 < {r['targets']['p99_ms']:g} ms and no "
                 f"errors — {'met' if r['met'] else 'NOT met'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json

    ap = argparse.ArgumentParser(prog="python -m fazhi.bench.http", description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file); "
                    "for PostgreSQL a fresh schema is made in it and dropped afterwards")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--duration", type=float, default=60.0, help="stop after this many seconds (default 60)")
    ap.add_argument("--generated", type=int, default=200, help="synthetic reports stored besides the samples")
    ap.add_argument("--workers", type=int, default=None, help="server worker processes (default 2 on 2+ cores)")
    ap.add_argument("--rate", type=float, default=None,
                    help="open loop: requests due at this many per second (default: closed loop, as fast as it goes)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    res = run_http_bench(args.db, requests=args.requests, concurrency=args.concurrency,
                         duration_limit=args.duration, generated=args.generated, workers=args.workers, rate=args.rate,
                         progress=lambda m: print(m, file=sys.stderr))
    print(json.dumps(res, ensure_ascii=False, indent=2) if args.json else format_http_report(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["HttpConnection", "ServerProcess", "format_http_report", "free_port", "run_http_bench", "start_server"]
