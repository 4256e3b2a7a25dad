"""The HTTP load benchmark runs end to end (tiny and bounded); speed is never asserted."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from fazhi import db
from fazhi.bench.http import ENDPOINTS, format_http_report, is_loopback, run_http_bench, start_server

pytestmark = [pytest.mark.web, pytest.mark.slow]


def test_http_bench_runs_and_reports(db_url: str, seed_paths) -> None:
    res = run_http_bench(db_url, requests=50, concurrency=4, duration_limit=60.0, generated=3, workers=1,
                         seeds=seed_paths)
    assert res["backend"] in ("sqlite", "postgresql")
    assert res["reports"] == len(seed_paths) + 3
    assert set(res["endpoints"]) == set(ENDPOINTS)
    for key in ("requests", "errors", "rps", "p50_ms", "p95_ms", "p99_ms", "max_ms"):
        assert key in res["overall"]
        for s in res["endpoints"].values():
            assert key in s
    assert res["overall"]["requests"] == 50
    assert res["overall"]["errors"] == 0, res.get("server_log_tail") or res["overall"]["error_kinds"]
    assert all(s["requests"] > 0 and s["errors"] == 0 for s in res["endpoints"].values())
    assert res["overall"]["p50_ms"] <= res["overall"]["p99_ms"]
    out = format_http_report(res)
    assert "GET /api/reports/{id}" in out and "p99 ms" in out
    if res["backend"] == "postgresql":  # the benchmark's own schema is gone
        eng = create_engine(db.resolve_url(db_url))
        with eng.connect() as conn:
            left = conn.execute(text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'fzbench_%'")).all()
        eng.dispose()
        assert not left


def test_http_bench_is_bounded_by_time(tmp_path, seed_paths) -> None:
    res = run_http_bench(f"sqlite:///{tmp_path / 'b.sqlite'}", requests=1_000_000, concurrency=2,
                         duration_limit=1.5, generated=0, workers=1, seeds=seed_paths[:2])
    assert res["stopped_by"] == "time"
    assert 0 < res["overall"]["requests"] < 1_000_000
    assert res["seconds"] < 10


def test_server_listens_on_loopback_only(tmp_path) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and not is_loopback("0.0.0.0")
    with pytest.raises(ValueError):
        start_server(f"sqlite:///{tmp_path / 'x.sqlite'}", host="0.0.0.0")
    with pytest.raises(ValueError):
        run_http_bench(requests=0)
    with pytest.raises(ValueError):
        run_http_bench(rate=0)


def test_http_bench_open_loop(tmp_path, seed_paths) -> None:
    res = run_http_bench(f"sqlite:///{tmp_path / 'o.sqlite'}", requests=30, concurrency=4, rate=20.0,
                         generated=0, workers=1, seeds=seed_paths[:2])
    assert res["rate"] == 20.0 and "open loop" in res["mode"]
    assert res["overall"]["requests"] == 30 and res["overall"]["errors"] == 0
    assert res["seconds"] >= 29 / 20.0  # paced: the last request is not due before 1.45 s
    assert res["cpu"]["server_s"] is not None and res["cpu"]["client_s"] is not None


def test_load_generator_reads_whole_answers_on_one_connection() -> None:
    """The benchmark's small HTTP client must read each answer to its end (Content-Length, chunked, or
    until the server closes) before the next request on the same connection, and report the status."""
    import asyncio

    from fazhi.bench.http import HttpConnection

    answers = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;x=1\r\ndefg\r\n0\r\n\r\n",
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno",
        b"HTTP/1.1 200 OK\r\n\r\nuntil-close",
    ]
    seen: list[bytes] = []
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            seen.append(head.split(b"\r\n", 1)[0])
            answer = answers[len(seen) - 1]
            writer.write(answer)
            await writer.drain()
            if b"Connection: close" in answer or (b"Content-Length" not in answer and b"chunked" not in answer):
                break
        writer.close()

    async def main() -> list[tuple[int, int]]:
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        conn = HttpConnection("127.0.0.1", port)
        try:
            return [await conn.get(f"/r{i}?q=1", b"X-Test: 1\r\n", timeout=5) for i in range(4)]
        finally:
            conn.close()
            server.close()

    got = asyncio.run(main())
    assert got == [(200, 5), (200, 7), (404, 2), (200, 11)]
    assert seen == [b"GET /r0?q=1 HTTP/1.1", b"GET /r1?q=1 HTTP/1.1", b"GET /r2?q=1 HTTP/1.1",
                    b"GET /r3?q=1 HTTP/1.1"]
    assert connections == 2  # kept alive until the server said close
