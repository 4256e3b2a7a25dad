"""The synthetic corpus generator and the benchmark runner (speed is never asserted)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from fazhi.bench.corpus_gen import LEVELS, STRUCTURES, cn_number, generate, seed_overlaps, write_corpus


def _corpus(n: int, seed: int = 0, **kw):
    truth: list[tuple[str, str]] = []
    meta: dict[str, dict] = {}
    docs = dict(generate(n, seed, truth=truth, meta=meta, **kw))
    return docs, truth, meta


def test_deterministic_by_seed() -> None:
    a = list(generate(40, seed=3))
    b = list(generate(40, seed=3))
    c = list(generate(40, seed=4))
    assert a == b
    assert [t for _, t in a] != [t for _, t in c]
    assert len({n for n, _ in a}) == 40


def test_variety() -> None:
    docs, _, meta = _corpus(600, seed=1)
    structures = Counter(m["structure"] for m in meta.values())
    levels = Counter(m["issuer"]["level"] for m in meta.values())
    years = {m["year"] for m in meta.values()}
    assert set(structures) == set(STRUCTURES), structures
    assert set(levels) == set(LEVELS), levels
    assert years == set(range(2015, 2025))
    statuses = {(p, s) for m in meta.values() for p, s in m["parts"].items()}
    for part in ("shortcomings", "first_responsible", "next_year_plan"):
        assert {(part, "dedicated"), (part, "embedded")} <= statuses
    assert ("first_responsible", "missing") in statuses
    findings = Counter(f for m in meta.values() for f in (m["findings"] or []))
    for rule in ("shortcomings.no_causes", "plan.unanswered_shortcomings", "date.late", "figures.none"):
        assert findings[rule] > 0, rule
    assert any(m["date"] is None for m in meta.values())
    texts = list(docs.values())
    # figures in both numeral systems, approx words, 万 and percentages all occur
    joined = "".join(texts[:200])
    assert re.search(r"[一二三四五六七八九十百千]+[余多]?(件|次|名|份|场次|人次)", joined)
    assert re.search(r"\d+(\.\d)?万", joined)
    assert re.search(r"\d+(余|多)", joined)
    assert "%" in joined
    sizes = sorted(len(t) for t in texts)
    assert sizes[len(sizes) // 2] > 1200
    assert len(set(texts)) == len(texts)


def test_issuers_are_real_names_in_their_text() -> None:
    docs, _, meta = _corpus(200, seed=2)
    for name, text in docs.items():
        iss = meta[name]["issuer"]
        if meta[name]["near_duplicate_of"] is None and meta[name]["has_title"]:
            assert iss["name"] in text
        assert iss["province"]
        if iss["level"] in ("township", "street"):
            assert iss["township"] and iss["county"]
        if iss["province"] in ("北京市", "上海市", "天津市", "重庆市"):
            assert iss["city"] is None


def test_facts_recorded_match_text() -> None:
    docs, _, meta = _corpus(100, seed=5)
    for name in docs:
        m = meta[name]
        if m["facts"] is None:
            continue
        if "figures.none" in m["findings"]:
            assert not m["facts"]
        for ind, value, approx in m["facts"]:
            assert isinstance(value, int | float) and value >= 0, (ind, value)
            assert isinstance(approx, bool)


def test_near_duplicates_recorded() -> None:
    docs, truth, meta = _corpus(400, seed=6, dup_rate=0.1)
    assert 15 <= len(truth) <= 80
    names = list(docs)
    for src, dup in truth:
        assert names.index(src) < names.index(dup)
        assert meta[dup]["near_duplicate_of"] == src
        a, b = docs[src], docs[dup]
        # most of the copy's lines come from the source (edited lightly), far more than chance
        sa = {ln.strip()[:15] for ln in a.split("\n") if len(ln) > 30}
        sb = [ln.strip()[:15] for ln in b.split("\n") if len(ln) > 30]
        shared = sum(1 for ln in sb if ln in sa)
        assert shared >= 0.5 * len(sb), (src, dup, shared, len(sb))
    none = list(generate(100, seed=6, dup_rate=0.0))
    truth0: list[tuple[str, str]] = []
    list(generate(100, seed=6, dup_rate=0.0, truth=truth0))
    assert truth0 == [] and len(none) == 100


def test_no_seed_text_in_generated_reports(seed_paths: list[Path]) -> None:
    """No 20-character run of a real report appears in generated text."""
    hits: set[str] = set()
    for _, text in generate(400, seed=11, dup_rate=0.0):
        hits.update(seed_overlaps(text, seed_paths))
    assert not hits, sorted(hits)[:10]


def test_seed_overlaps_finds_copies(seed_paths: list[Path]) -> None:
    text = seed_paths[0].read_text(encoding="utf-8")
    assert seed_overlaps("前言" + text[100:160] + "结尾", seed_paths)


def test_cn_number() -> None:
    assert [cn_number(n) for n in (7, 10, 12, 20, 105, 2036, 13000, 100005)] == [
        "七", "十", "十二", "二十", "一百零五", "二千零三十六", "一万三千", "十万零五"]
    assert cn_number(2036, liang=True) == "两千零三十六"


def test_write_corpus(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path / "c", 25, seed=9)
    assert len(paths) == 25 and all(p.suffix == ".txt" and p.stat().st_size > 500 for p in paths)
    assert paths[0].read_text(encoding="utf-8") == next(iter(generate(25, seed=9)))[1]


def test_run_bench_smoke(tmp_path: Path) -> None:
    from fazhi.bench import format_report, run_bench

    seen: list[str] = []
    res = run_bench(n=20, seed=1, workdir=tmp_path, progress=lambda phase, done, total: seen.append(phase))
    for key in ("n", "corpus", "floor", "end_to_end", "memory", "stages", "env"):
        assert key in res, key
    assert res["n"] == 20 and res["corpus"]["files"] == 20 and res["corpus"]["bytes"] > 0
    assert res["floor"]["reports_per_s"] > 0 and res["end_to_end"]["reports_per_s"] > 0
    assert res["end_to_end"]["errors"] == 0
    assert res["end_to_end"]["ratio_to_floor"] > 0
    assert res["memory"]["peak_small_mb"] > 0 and res["memory"]["peak_large_mb"] > 0
    assert res["stages"] and all(v["seconds"] >= 0 for v in res["stages"].values())
    assert seen
    text = format_report(res)
    assert "reports/s" in text and "floor" in text


@pytest.mark.parametrize("bad", [0, -1])
def test_generate_nothing(bad: int) -> None:
    assert list(generate(bad)) == []
