"""Optional smoothing by a language model: its wording is taken only when no number, name or date changed.
The model is a fake OpenAI-compatible server started here on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from fazhi import db
from fazhi.config import Settings
from fazhi.supervision.access import Actor
from fazhi.supervision.drafting import create_draft
from fazhi.supervision.smoothing import Smoother, SmoothingError, changes
from tests.supervision import reportcycle as rc


def test_changed_numbers_names_dates_and_quotations_are_refused():
    text = "2025年，临泽县司法局办理行政复议案件36件，落实《甘肃省行政复议条例》，做到“应收尽收”。"
    assert changes(text, "2025年，临泽县司法局共办理行政复议案件36件，认真落实《甘肃省行政复议条例》，做到“应收尽收”。",
                   ["临泽县司法局"]) == []
    assert changes(text, text.replace("36件", "38件"))[0].startswith("数字有变化：原文为36，润色后为38")
    assert changes(text, text.replace("36件", "三十六件"))  # the same amount, written another way: still refused
    added = text.replace("落实", "组织培训两次，落实")  # a quantity in Chinese numerals that was not there
    assert [r for r in changes(text, added) if r.startswith("数量")] == ["数量有变化：原文为无，润色后为2次"]
    assert any(r.startswith("日期") for r in changes(text, text.replace("2025年", "2024年")))
    assert any("名称" in r for r in changes(text, text.replace("临泽县司法局", "张掖市司法局")))
    assert any("名称" in r for r in changes(text, text.replace("《甘肃省行政复议条例》", "《行政复议法》")))
    assert any("名称" in r for r in changes(text, text.replace("“应收尽收”", "“应收尽收、应办尽办”")))
    assert changes(text, text.replace("临泽县司法局", "司法局"), ["临泽县司法局"])  # a known name dropped


def test_smoothing_is_off_unless_configured():
    assert Smoother.from_settings(Settings()) is None
    smoother = Smoother.from_settings(Settings(smoothing_url="http://127.0.0.1:9/v1", smoothing_model="qwen"))
    assert smoother is not None and smoother.endpoint == "http://127.0.0.1:9/v1/chat/completions"


Answer = Callable[[str], str]


@pytest.fixture
def fake_model() -> Iterator[tuple[str, list[dict]]]:
    """An OpenAI-compatible /v1/chat/completions on 127.0.0.1: adds 共 before 办理 (a smoothing that keeps
    every fact), and turns 36 into 38 in one paragraph (one that does not)."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append(body)
            text = body["messages"][-1]["content"]
            answer = text.replace("36件", "38件") if "36件" in text else text.replace("全年审查", "全年共审查")
            data = json.dumps({"choices": [{"message": {"role": "assistant", "content": answer}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def session(migrated):
    with db.session_factory(migrated, write=True)() as s:
        yield s


def _paragraph(content: dict, start: str) -> dict:
    return next(p for s in content["sections"] for p in s["paragraphs"] if p["text"].startswith(start))


def test_a_draft_is_smoothed_where_no_fact_changes(session, fake_model):
    url, seen = fake_model
    record = rc.build(session)
    view = create_draft(session, Actor.cli(), record.campaign.id, record.bureau.id, day=dt.date(2026, 2, 20),
                        smoother=Smoother(url, model="本地模型"))
    smoothed = _paragraph(view.content, "全年共审查备案")
    assert smoothed["text"] == "全年共审查备案行政规范性文件18件，纠正违法文件2件。"
    (sentence,) = smoothed["sentences"]
    assert sentence["cites"][0]["type"] == "progress" and sentence["cites"][0]["id"] == record.progress["docs"].id
    kept = _paragraph(view.content, "办理行政复议案件36件")  # 36 → 38 was refused
    assert kept["text"].startswith("办理行政复议案件36件，其中调解和解9件。")
    assert view.content["smoothed"] is True
    assert view.smoothing["accepted"] >= 1
    with_36 = [p["text"] for s in view.content["sections"] for p in s["paragraphs"] if "36件" in p["text"]]
    assert len(with_36) == 2 and kept["text"] in with_36  # the task's paragraph and last year's item answered by it
    assert [r["text"] for r in view.smoothing["refused"]] == with_36
    assert all(r["reasons"][0].startswith("数字有变化") for r in view.smoothing["refused"])
    # gaps and the opening are never sent; the model is named as configured
    sent = [b["messages"][-1]["content"] for b in seen]
    assert not any("【待补充" in t for t in sent) and all(b["model"] == "本地模型" for b in seen)
    assert [g["text"] for g in view.content["gaps"]] == [g["text"] for g in create_draft(
        session, Actor.cli(), record.campaign.id, record.bureau.id, day=dt.date(2026, 2, 20)).content["gaps"]]


def test_an_unreachable_model_leaves_the_draft_as_assembled():
    smoother = Smoother("http://127.0.0.1:9/v1", timeout=2)
    with pytest.raises(SmoothingError, match="润色服务"):
        smoother("全年办理行政复议案件36件。", "润色")
