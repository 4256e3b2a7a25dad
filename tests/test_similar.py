"""Copied and formulaic text across reports (fazhi.corpus.similar): speed is never asserted here."""

from __future__ import annotations

import random

import numpy as np
import pytest

from fazhi.bench.corpus_gen import generate
from fazhi.corpus import similar
from fazhi.review.pipeline import review_text

FORMULA = "同部署、同推进、同督促、同考核、同奖惩"
PINGQIAO, XINJI = "001_6a5ad52178c00f0c", "002_a56d498a3fc7f791"
# a filler sentence of the generator that many generated reports use word for word
FILLER = "调整充实法治政府建设领导小组，领导小组办公室负责日常统筹、督促检查和情况通报。"


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def seed_index(seed_reviews):
    idx = similar.CorpusIndex()
    for stem, rv in seed_reviews.items():
        iss = rv.issuer.to_json() if rv.issuer else None
        idx.add(stem, rv.text, similar.issuer_key(iss), label=rv.issuer.name if rv.issuer else stem)
    return idx


@pytest.fixture(scope="module")
def gen():
    """A generated corpus with near-duplicates: (texts, truth pairs, issuer of each, index)."""
    truth: list[tuple[str, str]] = []
    meta: dict[str, dict] = {}
    texts = dict(generate(400, seed=11, truth=truth, meta=meta))
    issuers = {n: m["issuer"]["name"] for n, m in meta.items()}
    idx = similar.CorpusIndex()
    idx.extend((n, t, issuers[n]) for n, t in texts.items())
    return texts, truth, issuers, idx


def _components(truth: list[tuple[str, str]]) -> dict[str, int]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for a, b in truth:
        parent[find(a)] = find(b)
    return {x: hash(find(x)) for x in parent}


# --------------------------------------------------------------------------- the real seeds
def test_seed_formula_found_with_spans_in_both(seed_index, seed_reviews) -> None:
    a, b = seed_reviews[PINGQIAO], seed_reviews[XINJI]
    assert FORMULA in a.text and FORMULA in b.text
    matches = {m.id: m for m in seed_index.similar(PINGQIAO, k=4)}
    assert XINJI in matches
    hits = [p for p in matches[XINJI].passages if FORMULA in p.a_text]
    assert hits, [p.a_text for p in matches[XINJI].passages]
    p = hits[0]
    assert FORMULA in p.b_text
    assert a.text[p.a_start:p.a_end] == p.a_text and b.text[p.b_start:p.b_end] == p.b_text
    # the shared passage is the whole clause, not only the formula
    assert "年度工作计划" in p.a_text and "年度工作计划" in p.b_text
    # and the report's own analysis counts the formula as formulaic text
    ctx = similar.originality(a, seed_index)
    assert any(FORMULA in s["text"] for s in ctx["formulaic_spans"])
    assert any(m["id"] == XINJI for m in ctx["matches"])


def test_sentences_drop_headings_titles_and_short_pieces() -> None:
    text = ("某县人民政府关于2023年度法治政府建设情况的报告\n一、加强组织领导\n"
            "（一）健全工作机制。县政府常务会议专题研究法治政府建设工作4次，及时解决重点难点问题。好。\n"
            "某县人民政府\n2024年3月1日\n")
    got = [text[s:e] for s, e in similar.sentences(text)]
    assert got == ["县政府常务会议专题研究法治政府建设工作4次，及时解决重点难点问题。"]


# --------------------------------------------------------------------------- near-duplicates
def test_generated_near_duplicates_found(gen) -> None:
    _, truth, _, idx = gen
    assert len(truth) >= 10
    lsh = idx.pairs(exact=False)
    exact = idx.pairs(exact=True)
    found = {frozenset((p.a, p.b)) for p in lsh}
    ex = {frozenset((p.a, p.b)) for p in exact}
    assert found <= ex  # verified exactly: no false pair
    assert len(found & ex) / len(ex) >= 0.9  # LSH recall against exact
    above = [t for t in truth if idx.jaccard_rows(idx._row[t[0]], idx._row[t[1]]) >= idx.params.threshold]
    assert len(above) >= 0.9 * len(truth)
    assert sum(frozenset(t) in found for t in above) / len(above) >= 0.9
    assert all(p.similarity >= idx.params.threshold for p in lsh)


def test_unrelated_reports_not_paired(gen) -> None:
    texts, truth, _, idx = gen
    comp = _components(truth)
    for p in idx.pairs(exact=True):
        assert p.a in comp and p.b in comp and comp[p.a] == comp[p.b], (p.a, p.b, p.similarity)
    rng = random.Random(0)
    names = [n for n in texts if n not in comp]
    for _ in range(200):
        a, b = rng.sample(names, 2)
        assert idx.jaccard_rows(idx._row[a], idx._row[b]) < idx.params.threshold


def test_minhash_estimates_jaccard(gen) -> None:
    texts, truth, _, idx = gen
    rng = random.Random(1)
    names = list(texts)
    pairs = [tuple(rng.sample(range(len(names)), 2)) for _ in range(300)]
    pairs += [(idx._row[a], idx._row[b]) for a, b in truth]
    est = idx.estimate(np.array(pairs))
    exact = np.array([idx.jaccard_rows(i, j) for i, j in pairs])
    assert np.abs(est - exact).mean() < 0.03
    assert np.abs(est - exact).max() < 0.15


# --------------------------------------------------------------------------- boilerplate vs copying
def test_recurring_template_text_is_boilerplate_not_copying(gen) -> None:
    texts, truth, issuers, idx = gen
    comp = _components(truth)
    with_filler = [n for n, t in texts.items() if FILLER in t and n not in comp]
    assert len(with_filler) >= 10
    by_issuer: dict[str, str] = {}
    for n in with_filler:
        by_issuer.setdefault(issuers[n], n)
    a, b = list(by_issuer.values())[:2]
    assert idx.common_df() <= len(by_issuer)
    m = next(m for m in idx.similar(a, k=len(idx)) if m.id == b)
    covering = [p for p in m.passages if FILLER.rstrip("。") in p.a_text]
    assert covering and all(p.boilerplate for p in covering)
    assert all(p.issuers is None or p.issuers >= idx.common_df() for p in covering)
    # what unrelated reports share is formula, and the rest is not copied from each other at length
    for p in m.passages:
        if not p.boilerplate:
            assert p.chars < 200, p.a_text


def test_copied_report_is_copying_and_less_original(gen) -> None:
    texts, truth, issuers, idx = gen
    comp = _components(truth)
    src, cp = next((a, b) for a, b in truth if issuers[a] != issuers[b])
    m = next(m for m in idx.similar(cp, k=10) if m.id == src)
    longest = max(m.passages, key=lambda p: p.chars)
    assert not longest.boilerplate and longest.chars >= 300
    assert texts[cp][longest.a_start:longest.a_end] == longest.a_text
    assert texts[src][longest.b_start:longest.b_end] == longest.b_text
    copies = [b for a, b in truth if issuers[a] != issuers[b]][:8]
    originals = [n for n in texts if n not in comp][:20]
    o_copy = [idx.analyse(texts[n], doc_id=n)["originality"] for n in copies]
    o_orig = [idx.analyse(texts[n], doc_id=n)["originality"] for n in originals]
    c_copy = [idx.analyse(texts[n], doc_id=n)["copied"] for n in copies]
    c_orig = [idx.analyse(texts[n], doc_id=n)["copied"] for n in originals]
    assert np.mean(o_copy) < np.mean(o_orig)
    assert min(c_copy) > max(c_orig)


def test_apply_sets_findings_and_score(gen) -> None:
    texts, truth, issuers, idx = gen
    src, cp = next((a, b) for a, b in truth if issuers[a] != issuers[b])
    rv = review_text(texts[cp])
    single = rv.score.dimensions["originality"]
    assert "单篇模式" in single.explanation
    assert not [f for f in rv.findings if f.rule in ("text.copied", "text.formulaic")]
    ctx = similar.apply(rv, idx, doc_id=cp)
    assert rv.memo["corpus"] is ctx
    copied = [f for f in rv.findings if f.rule == "text.copied"]
    assert copied and copied[0].severity == "warning"
    assert idx.label(src) in copied[0].message and "处相同段落" in copied[0].message
    assert all(rv.text[e.start:e.end] == e.text for e in copied[0].evidence)
    dim = rv.score.dimensions["originality"]
    assert "语料库" in dim.explanation and dim.score < single.score
    # an original report scores higher on originality than the copy
    comp = _components(truth)
    orig = next(n for n in texts if n not in comp)
    rv2 = review_text(texts[orig])
    similar.apply(rv2, idx, doc_id=orig)
    assert rv2.score.dimensions["originality"].score > dim.score
    assert any(f.rule == "text.formulaic" for f in rv2.findings)  # generated text is template-heavy


def test_same_issuer_is_not_copying(seed_reviews) -> None:
    rv = seed_reviews[PINGQIAO]
    idx = similar.CorpusIndex()
    key = similar.issuer_key(rv.issuer.to_json())
    idx.add("2023", rv.text, key, label="平桥区 2023")
    idx.add("2024", rv.text.replace("2023", "2024"), key, label="平桥区 2024")
    ctx = idx.analyse(rv.text, doc_id="2023")
    assert ctx["matches"] and all(m["same_issuer"] for m in ctx["matches"])
    assert ctx["copied"] == 0.0 and ctx["originality"] > 0.9


# --------------------------------------------------------------------------- persistence
def test_save_load_roundtrip(gen, tmp_path) -> None:
    texts, truth, issuers, idx = gen
    path = idx.save(tmp_path / "corpus.similar.npz")
    back = similar.CorpusIndex.load(path)
    assert back.ids == idx.ids and back.params == idx.params
    assert [back.issuer(d) for d in back.ids] == [idx.issuer(d) for d in idx.ids]
    assert [(p.a, p.b, round(p.similarity, 6)) for p in back.pairs(exact=False)] == \
        [(p.a, p.b, round(p.similarity, 6)) for p in idx.pairs(exact=False)]
    q = truth[0][1]
    assert [m.to_json() for m in back.similar(q, k=3)] == [m.to_json() for m in idx.similar(q, k=3)]
    assert back.text(q) == texts[q]
    # incremental after loading
    back.remove(q)
    assert q not in back and len(back) == len(idx) - 1
    back.add(q, texts[q], issuers[q])
    assert {m.id for m in back.similar(q, k=2)} == {m.id for m in idx.similar(q, k=2)}


def test_copy_changes_without_disturbing_readers_of_the_original(gen) -> None:
    """The web answers from one index while a sync changes a copy of it."""
    texts, truth, issuers, idx = gen
    a, b = truth[0]
    before = [m.to_json() for m in idx.similar(a, k=3)]
    pairs_before = [(p.a, p.b) for p in idx.pairs(exact=False)]
    other = idx.copy()
    other.remove(b)
    other.add("new", texts[b], issuers[b])
    assert b in idx and "new" not in idx and b not in other and "new" in other
    assert [m.to_json() for m in idx.similar(a, k=3)] == before
    assert [(p.a, p.b) for p in idx.pairs(exact=False)] == pairs_before
    assert "new" in {m.id for m in other.similar(a, k=3)}


def test_similar_among_restricts_the_candidates(gen) -> None:
    """A user's region scope: the closest report outside ``among`` is never returned, and the best
    ones inside it still are."""
    _texts, truth, _issuers, idx = gen
    a, b = truth[0]
    assert idx.similar(a, k=1)[0].id == b
    others = [d for d in idx.ids if d not in (a, b)]
    got = idx.similar(a, k=5, among=set(others))
    assert got and all(m.id in others for m in got)
    ranked = [m.id for m in idx.similar(a, k=6, by="jaccard", passages=False) if m.id != b][:5]
    assert [m.id for m in idx.similar(a, k=5, by="jaccard", passages=False, among=set(others))] == ranked
    assert idx.similar(a, k=5, among=set()) == []


def test_text_source_adapter() -> None:
    texts = dict(generate(30, seed=5))
    idx = similar.CorpusIndex(keep_text=False, text_source=texts.get)
    idx.extend((n, t, None) for n, t in texts.items())
    assert idx.text(next(iter(texts))) == next(iter(texts.values()))
    m = idx.similar(next(iter(texts)), k=1)[0]
    assert m.passages  # texts came through the adapter


def test_parallel_extend_matches_serial() -> None:
    docs = [(n, t, None) for n, t in generate(120, seed=9)]
    a = similar.CorpusIndex(keep_text=False)
    a.extend(docs, workers=2, chunk=16)
    b = similar.CorpusIndex(keep_text=False)
    b.extend(docs)
    assert a.ids == b.ids
    assert all(np.array_equal(x, y) for x, y in zip(a._sig, b._sig, strict=True))


# --------------------------------------------------------------------------- the command
def test_cli_similar_over_a_folder(seed_paths) -> None:
    from typer.testing import CliRunner

    from fazhi.cli.similar import _standalone

    folder = seed_paths[0].parent
    res = CliRunner().invoke(_standalone(), [str(folder / f"{PINGQIAO}.txt"), "--corpus", str(folder),
                                             "--k", "4", "--json"])
    assert res.exit_code == 0, res.output
    import json

    data = json.loads(res.stdout)
    m = next(m for m in data["matches"] if m["label"].endswith(f"{XINJI}.txt"))
    assert any(FORMULA in p["a"]["text"] and FORMULA in p["b"]["text"] for p in m["passages"])
    res = CliRunner().invoke(_standalone(), ["--all", "--corpus", str(folder), "--threshold", "0.01"])
    assert res.exit_code == 0, res.output
    assert "报告对" in res.stdout


def test_cli_similar_over_the_store(seed_reviews, tmp_path) -> None:
    from typer.testing import CliRunner

    from fazhi import db
    from fazhi.cli.similar import _standalone, index_path
    from fazhi.corpus import service

    url = db.resolve_url(str(tmp_path / "c.sqlite"))
    db.upgrade(url)
    engine = db.make_engine(url)
    with db.session_factory(engine)() as s:
        for stem in (PINGQIAO, XINJI):
            rv = seed_reviews[stem]
            service.save_review(s, rv.to_json(), rv.text)
        s.commit()
    engine.dispose()
    runner = CliRunner()
    res = runner.invoke(_standalone(), [str(seed_reviews[PINGQIAO].source.path), "--db", url, "--json"])
    assert res.exit_code == 0, res.output
    import json

    data = json.loads(res.stdout)
    assert data["corpus_size"] == 1  # the report itself is in the store and not compared with itself
    assert any(FORMULA in p["a"]["text"] for m in data["matches"] for p in m["passages"])
    assert index_path(url).exists()
    res = runner.invoke(_standalone(), ["--all", "--db", url, "--threshold", "0.01"])
    assert res.exit_code == 0, res.output


def test_empty_and_tiny_texts() -> None:
    idx = similar.CorpusIndex()
    idx.add("empty", "")
    idx.add("short", "好。")
    idx.add("one", "县政府常务会议专题研究法治政府建设工作四次，及时解决重点难点问题。")
    assert idx.pairs(exact=False) == [] and idx.pairs(exact=True) == []
    assert idx.similar("empty") == []
    ctx = idx.analyse("")
    assert ctx["originality"] == 1.0 and ctx["matches"] == []
    assert similar.shared_passages("", "abc") == []


def test_issuer_key() -> None:
    assert similar.issuer_key(None) is None
    assert similar.issuer_key({"name": "平桥区人民政府", "level": "county", "code": "411503"}) == "county|411503"
    a = similar.issuer_key({"name": "平桥区人民政府", "level": "county", "province": "河南省", "city": "信阳市",
                            "county": "平桥区"})
    b = similar.issuer_key({"name": "平桥区", "level": "county", "province": "河南省", "city": "信阳市",
                            "county": "平桥区"})
    assert a == b
