"""An upload larger than the limit is refused with 413 while its body streams in: the server reads at most
the limit and one buffer (measured at the ASGI boundary, by counting what the app pulls)."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.web.conftest import add_token, add_user, count_reports

CHUNK = 64 * 1024
LIMIT = 1024 * 1024


def _post(app: Any, token: str, *, declared: int | None, total: int) -> tuple[int, int]:
    """POST ``total`` bytes of a multipart body to /api/reports in chunks (``declared``: the Content-Length
    sent, None: none — a chunked upload); (the status answered, the bytes the app pulled)."""
    pulled = 0
    status: list[int] = []
    boundary = b"fazhiboundary"
    head = (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n'
            b"Content-Type: text/plain\r\n\r\n")

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled >= total:
            return {"type": "http.request", "body": b"", "more_body": False}
        body = head if pulled == 0 else "报告".encode() * (CHUNK // 6)
        pulled += len(body)
        return {"type": "http.request", "body": body, "more_body": pulled < total}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    headers = [(b"content-type", b"multipart/form-data; boundary=" + boundary),
               (b"authorization", f"Bearer {token}".encode()), (b"host", b"testserver")]
    if declared is not None:
        headers.append((b"content-length", str(declared).encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/api/reports", "raw_path": b"/api/reports", "root_path": "",
             "query_string": b"", "headers": headers, "client": ("127.0.0.1", 50000),
             "server": ("testserver", 80)}
    asyncio.run(app(scope, receive, send))
    return status[0], pulled


def test_an_upload_over_the_limit_is_refused_before_it_is_read(make_app) -> None:
    app = make_app(max_request_bytes=LIMIT, max_file_bytes=LIMIT // 2)
    add_user(app, "上传员", "reviewer")
    token = add_token(app, "上传员")
    # a Content-Length over the limit: refused before one byte of the body is read
    status, pulled = _post(app, token, declared=50 * LIMIT, total=50 * LIMIT)
    assert (status, pulled) == (413, 0)
    # no Content-Length (chunked): refused once the limit is passed — at most the limit and one buffer read
    status, pulled = _post(app, token, declared=None, total=50 * LIMIT)
    assert status == 413 and LIMIT < pulled <= LIMIT + CHUNK, pulled
    assert count_reports(app) == 0
