"""Reviews run in warm child processes with a time and a memory limit (fazhi.review.pool): the pool that
reviews uploads, knowledge trials, ``fazhi ingest`` and ``fazhi refresh``.  Faults are injected with the
children's test-only hook (``FAZHI_TEST_FAULTS``: a file name → raise / exit / hang / allocate)."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from fazhi.corpus import uploads
from fazhi.review import pool as isolate
from fazhi.review.read import ReadError
from tests.web.conftest import JIAOZUO, XINYANG, report_text

FAULTS = {"slow.txt": "hang", "huge.txt": "allocate", "crash.txt": "exit", "bug.txt": "raise"}


@pytest.fixture
def pool(monkeypatch):
    """A pool of one review process, started with the faults above set."""
    monkeypatch.setenv(isolate.FAULTS_ENV, json.dumps(FAULTS))
    p = isolate.ReviewPool(1, memory_mb=1024)
    yield p
    p.close()


def review(pool: isolate.ReviewPool, name: str, unit: str = JIAOZUO, timeout: float = 60) -> dict:
    doc, _text = pool.run("fazhi.corpus.uploads:review_bytes", report_text(unit).encode(), name, timeout=timeout,
                          max_bytes=1 << 20)
    return doc


def test_a_review_in_a_child_is_the_review(pool):
    data = report_text(JIAOZUO).encode("gb18030")
    doc, text = pool.run("fazhi.corpus.uploads:review_bytes", data, "a.txt", timeout=60, max_bytes=1 << 20)
    here, here_text = uploads.review_bytes(data, "a.txt", max_bytes=1 << 20)
    assert doc == here and text == here_text
    with pytest.raises(ReadError) as err:  # a bad file is the reader's error, as without a child
        pool.run("fazhi.corpus.uploads:review_bytes", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "x.png", timeout=60,
                 max_bytes=1 << 20)
    assert "image" in err.value.reason


def test_a_review_that_hangs_is_stopped_and_the_pool_goes_on(pool):
    with pytest.raises(isolate.ReviewTimeout) as err:
        review(pool, "slow.txt", timeout=1)
    assert err.value.seconds == 1 and pool.killed == 1
    assert review(pool, "a.txt")["issuer"]["city"] == "焦作市"  # a fresh child answers the next review


def test_a_review_that_needs_too_much_memory_is_refused(pool):
    with pytest.raises(isolate.ReviewOutOfMemory, match="more than 1024 MB of memory"):
        review(pool, "huge.txt")
    assert pool.killed == 1
    assert review(pool, "a.txt", XINYANG)["issuer"]["city"] == "信阳市"


def test_a_review_process_that_dies_fails_that_review_only(pool):
    with pytest.raises(isolate.ReviewFailed, match="the process reviewing it died"):
        review(pool, "crash.txt")
    assert pool.killed == 0  # not stopped by a limit: it died
    assert review(pool, "a.txt")["issuer"]["county"] == "中站区"


def test_an_error_in_a_review_comes_back_as_it_was_raised(pool):
    with pytest.raises(RuntimeError, match="injected fault"):
        review(pool, "bug.txt")
    assert review(pool, "a.txt")["issuer"]["county"] == "中站区"  # the same child goes on


def test_reviews_submitted_together_each_get_their_own_answer(monkeypatch):
    """Two processes, six reviews in flight: the one whose process dies and the one that hangs fail,
    each with its own reason; the four others are answered."""
    monkeypatch.setenv(isolate.FAULTS_ENV, json.dumps(FAULTS))
    p = isolate.ReviewPool(2, memory_mb=1024)
    try:
        names = ["a.txt", "crash.txt", "b.txt", "slow.txt", "c.txt", "d.txt"]
        futures = {n: p.submit("fazhi.corpus.uploads:review_bytes", report_text(XINYANG).encode(), n,
                               timeout=5, max_bytes=1 << 20) for n in names}
        assert isinstance(futures["crash.txt"].exception(), isolate.ReviewFailed)
        assert isinstance(futures["slow.txt"].exception(), isolate.ReviewTimeout)
        for n in ("a.txt", "b.txt", "c.txt", "d.txt"):
            doc, _text = futures[n].result()
            assert doc["source"]["path"] == n and doc["issuer"]["county"] == "平桥区"
    finally:
        p.close()


def test_review_processes_do_not_get_the_terminals_ctrl_c(pool):
    """A Ctrl-C in a terminal goes to its foreground process group: the review processes are in a session
    of their own and ignore SIGINT — the parent decides what stops."""
    review(pool, "a.txt")
    (feeder,) = pool._feeders
    pid = feeder.child.proc.pid
    assert os.getsid(pid) == pid and os.getpgid(pid) != os.getpgid(0)
    os.kill(pid, signal.SIGINT)
    assert review(pool, "a.txt")["issuer"]["city"] == "焦作市"
    assert feeder.child.proc.pid == pid  # the same process answered


def test_a_closed_pool_stops_its_reviews(monkeypatch):
    monkeypatch.setenv(isolate.FAULTS_ENV, json.dumps(FAULTS))
    p = isolate.ReviewPool(1, memory_mb=1024)
    data = report_text(JIAOZUO).encode()
    hanging = p.submit("fazhi.corpus.uploads:review_bytes", data, "slow.txt", timeout=3600, max_bytes=1 << 20)
    waiting = p.submit("fazhi.corpus.uploads:review_bytes", data, "a.txt", timeout=3600, max_bytes=1 << 20)
    while not hanging.running():  # its process has taken it
        time.sleep(0.02)
    p.close()
    assert isinstance(hanging.exception(), isolate.ReviewFailed) and waiting.cancelled()
    with pytest.raises(RuntimeError, match="closed"):
        p.submit("fazhi.corpus.uploads:review_bytes", b"x", "a.txt", timeout=1, max_bytes=1 << 20)


def test_only_fazhi_functions_run_in_a_child(pool):
    with pytest.raises(ValueError):
        pool.run("os:system", "true", timeout=5)


def test_an_upload_whose_review_hangs_is_refused_and_nothing_is_stored(make_app, monkeypatch):
    """Through the API: a review that never ends (injected) is stopped at the time limit, the file is
    refused with the reason, nothing is stored, the refusal is audited — and the next upload is reviewed
    as usual."""
    from sqlalchemy import select

    from fazhi.accounts.models import AuditEvent
    from tests.web.conftest import Web, add_token, add_user, stored_rows

    app = make_app(review_timeout_seconds=2.0)
    monkeypatch.setenv(isolate.FAULTS_ENV, json.dumps(FAULTS))
    app.state.reviewer = isolate.ReviewPool(1, memory_mb=1024)  # its processes start with the fault set
    try:
        add_user(app, "bot", "reviewer")
        h = {"Authorization": f"Bearer {add_token(app, 'bot')}"}
        w = Web(app)
        r = w.upload([("slow.txt", report_text(JIAOZUO).encode())], headers=h)
        assert r.status_code == 422, r.text
        res = r.json()["results"][0]
        assert not res["ok"] and "审查超时：超过 2 秒仍未完成" in res["error"] and res["reason"] == \
            "review timed out (2 s)"
        assert set(stored_rows(app).values()) == {0}
        with app.state.Session() as s:
            ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "report.upload_refused")).one()
            assert ev.detail["file"] == "slow.txt" and ev.detail["code"] == 422
        ok = w.upload([("small.txt", report_text(JIAOZUO).encode())], headers=h)
        assert ok.status_code == 201 and ok.json()["results"][0]["ok"]
    finally:
        app.state.reviewer.close()
