"""Reviews of uploads run in warm child processes with a time and a memory limit (fazhi.review.pool)."""

from __future__ import annotations

import time

import pytest

from fazhi.corpus import uploads
from fazhi.review import pool as isolate
from fazhi.review.read import ReadError
from tests.web.conftest import JIAOZUO, report_text


@pytest.fixture
def pool():
    p = isolate.ReviewPool(1, memory_mb=1024)
    yield p
    p.close()


def test_a_review_in_a_child_is_the_review(pool):
    data = report_text(JIAOZUO).encode("gb18030")
    doc, text = pool.run("fazhi.corpus.uploads:review_bytes", data, "a.txt", timeout=60, max_bytes=1 << 20)
    here, here_text = uploads.review_bytes(data, "a.txt", max_bytes=1 << 20)
    assert doc == here and text == here_text
    with pytest.raises(ReadError) as err:  # a bad file is the reader's error, as without a child
        pool.run("fazhi.corpus.uploads:review_bytes", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "x.png", timeout=60,
                 max_bytes=1 << 20)
    assert "image" in err.value.reason


def test_a_review_that_takes_too_long_is_stopped_and_the_pool_goes_on(pool):
    t0 = time.monotonic()
    with pytest.raises(isolate.ReviewTimeout):
        pool.run("fazhi.review.pool:_sleep_for_tests", 30, timeout=0.5)
    assert time.monotonic() - t0 < 10  # not the 30 s the "review" wanted
    assert pool.killed == 1
    data = report_text(JIAOZUO).encode()
    doc, _ = pool.run("fazhi.corpus.uploads:review_bytes", data, "a.txt", timeout=60, max_bytes=1 << 20)
    assert doc["issuer"]["city"] == "焦作市"  # a fresh child answers the next review


def test_a_review_that_needs_too_much_memory_is_refused(pool):
    with pytest.raises(isolate.ReviewFailed, match="memory"):
        pool.run("fazhi.review.pool:_allocate_for_tests", 4096, timeout=60)
    assert pool.run("fazhi.review.pool:_sleep_for_tests", 0, timeout=60) == "slept"


def test_only_fazhi_functions_run_in_a_child(pool):
    with pytest.raises(ValueError):
        pool.run("os:system", "true", timeout=5)


def test_an_upload_whose_review_takes_too_long_is_refused_and_nothing_is_stored(make_app):
    """Through the API: the review is stopped at the time limit, the file is refused with the reason,
    nothing is stored, the refusal is audited — and the next upload is reviewed as usual."""
    from sqlalchemy import select

    from fazhi.accounts.models import AuditEvent
    from tests.web.conftest import Web, add_token, add_user, stored_rows

    # 2 s: far below what the big file needs, far above a small report even on a loaded machine
    app = make_app(review_timeout_seconds=2.0, max_file_bytes=8 << 20, max_request_bytes=16 << 20)
    assert app.state.reviewer is not None
    add_user(app, "bot", "reviewer")
    h = {"Authorization": f"Bearer {add_token(app, 'bot')}"}
    lines = "".join(f"（{i}）开展集中学法{i % 9 + 1}次，办理行政复议案件{i % 50}件。\n" for i in range(60000))
    big = report_text(JIAOZUO, extra=lines).encode()  # ~6 MB: several seconds of work, far over 2 s
    w = Web(app)
    t0 = time.monotonic()
    r = w.upload([("big.txt", big)], headers=h)
    assert time.monotonic() - t0 < 20
    assert r.status_code == 422, r.text
    res = r.json()["results"][0]
    assert not res["ok"] and "超时" in res["error"] and "timed out" in res["reason"]
    assert set(stored_rows(app).values()) == {0}
    with app.state.Session() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "report.upload_refused")).one()
        assert ev.detail["file"] == "big.txt" and ev.detail["code"] == 422
    ok = w.upload([("small.txt", report_text(JIAOZUO).encode())], headers=h)
    assert ok.status_code == 201 and ok.json()["results"][0]["ok"]
