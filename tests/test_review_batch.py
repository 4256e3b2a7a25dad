"""``fazhi review FOLDER --workers N``: the same files, messages and exit status whatever the number of workers."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from fazhi.bench.corpus_gen import write_corpus
from fazhi.cli import app
from fazhi.review import batch

runner = CliRunner()


def _folder(root: Path) -> Path:
    src = root / "reports"
    write_corpus(src / "a", 20, seed=3)
    write_corpus(src / "b", 12, seed=4)
    (src / "b" / "empty.txt").write_bytes(b"")
    (src / "a" / "binary.txt").write_bytes(bytes(range(256)) * 40)
    # the same stem twice: the second report's output is <stem>.txt.json
    (src / "c").mkdir()
    (src / "c" / "syn_0004_000000.txt").write_text((src / "a" / "syn_0003_000001.txt").read_text(encoding="utf-8"),
                                                  encoding="utf-8")
    return src


def _run(src: Path, out: Path, workers: int) -> tuple[int, list[str], dict[str, dict]]:
    res = runner.invoke(app, ["review", str(src), "-f", "json", "-o", str(out), "--workers", str(workers)])
    failures = [line for line in res.output.splitlines() if line.startswith("✗")]
    return res.exit_code, failures, {p.name: json.loads(p.read_text(encoding="utf-8")) for p in out.iterdir()}


def test_workers_write_the_same_files_and_name_the_same_bad_files_in_order(tmp_path):
    src = _folder(tmp_path)
    code1, failed1, out1 = _run(src, tmp_path / "one", 0)
    code2, failed2, out2 = _run(src, tmp_path / "two", 2)
    assert code1 == code2 == 1
    # 20 + 12 + 1 reports and two unreadable files, named in folder order: a/binary.txt, then b/empty.txt
    assert len(out1) == 33 and out1 == out2
    assert failed1 == failed2 and len(failed1) == 2
    assert "binary.txt" in failed1[0] and "empty.txt" in failed1[1]
    assert "syn_0004_000000.txt.json" in out1


def test_json_lines_to_stdout_keep_the_order_of_the_files(tmp_path):
    src = tmp_path / "r"
    paths = write_corpus(src, 17, seed=5)
    res = runner.invoke(app, ["review", str(src), "-f", "json", "--workers", "2"])
    assert res.exit_code == 0, res.output
    docs = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    assert [d["source"]["path"] for d in docs] == [str(p) for p in sorted(paths)]


def test_a_failing_item_is_an_outcome_and_the_batch_goes_on():
    def work(n: int) -> int:
        if n == 3:
            raise ValueError("three")
        return n * n

    got = list(batch.run(work, list(range(6)), workers=0))
    assert [d.value for d in got if d.ok] == [0, 1, 4, 16, 25]
    assert [(d.item, d.internal) for d in got if not d.ok] == [(3, "ValueError: three")]
