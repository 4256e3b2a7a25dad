"""The bundled sample reports (``fazhi/examples``) against their hand-made answers.

``fazhi/examples/expected.yaml`` was written by hand from the text of each
report, never from fazhi's output.  Each aspect of each report is its own
test, so a failure names both the file and what went wrong.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

import fazhi
from tests.expectations import FAMILIES, PARTS, REGION, numeral, squeeze

EXAMPLES = Path(str(resources.files("fazhi") / "examples"))
EXPECTED: dict[str, dict[str, Any]] = yaml.safe_load(
    (EXAMPLES / "expected.yaml").read_text(encoding="utf-8"))["reports"]
NAMES = sorted(EXPECTED)

FACT_RECALL_MIN = 0.8
QUANTITY_RECALL_MIN = 0.8

@functools.cache
def _review(name: str) -> fazhi.Review:
    return fazhi.review(EXAMPLES / name)


def _flat_outline(nodes: list[Any]) -> list[tuple[int, int | None]]:
    out: list[tuple[int, int | None]] = []
    for n in nodes:
        if n.level in (1, 2):
            out.append((n.level, numeral(n.marker)))
        out.extend(_flat_outline(n.children))
    return out


def _close(a: float, b: float) -> bool:
    return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))


def _match(gold: list[tuple[str, float]], pred: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Greedy one-to-one matching; returns the gold items not found."""
    pool = list(pred)
    missed = []
    for key, value in gold:
        for i, (k, v) in enumerate(pool):
            if k == key and _close(v, value):
                del pool[i]
                break
        else:
            missed.append((key, value))
    return missed


def _raw_text(name: str) -> str:
    """The report's text read without fazhi, to check the files themselves."""
    exp = EXPECTED[name]
    path = EXAMPLES / name
    if exp["format"] == "docx":
        import docx

        return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    text = path.read_bytes().decode({"utf-8": "utf-8-sig"}.get(exp["encoding"], exp["encoding"]))
    if exp["format"] == "html":
        text = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", text)
        text = re.sub(r"<[^>]+>", "\n", text)
    return text


# -- the example files themselves (pass without the pipeline) ----------------

def test_every_example_has_an_expected_answer() -> None:
    files = {p.name for p in EXAMPLES.iterdir() if p.is_file() and p.name != "expected.yaml"
             and not p.name.startswith((".", "_"))}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", NAMES)
def test_example_is_a_realistic_size(name: str) -> None:
    text = _raw_text(name)
    han = len(re.findall(r"[\u4e00-\u9fff]", text))
    assert 2000 <= han <= 6000, han
    assert 20 <= len(EXPECTED[name]["quantities"]) <= 60
    assert EXPECTED[name]["title"] in squeeze(text)
    for s in EXPECTED[name].get("not_quantities", []):
        assert s in text, s


@pytest.mark.parametrize("name", NAMES)
def test_example_is_original(name: str, seed_paths: list[Path]) -> None:
    """No 20-character run of any real seed report appears in a sample report."""
    from fazhi.bench.corpus_gen import seed_overlaps

    hits = seed_overlaps(_raw_text(name), seed_paths)
    assert not hits, hits[:5]


# -- the review of each example ---------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_read(name: str) -> None:
    exp = EXPECTED[name]
    r = _review(name)
    assert r.source.format == exp["format"]
    text = squeeze(r.text)
    assert exp["title"] in text
    for s in exp.get("not_quantities", []):
        assert squeeze(s) in text, f"{s!r} lost in reading"
    for s in exp.get("not_in_text", []):
        assert s not in r.text, f"page furniture {s!r} kept in the text"


@pytest.mark.parametrize("name", NAMES)
def test_title(name: str) -> None:
    assert squeeze(_review(name).title) == EXPECTED[name]["title"]


@pytest.mark.parametrize("name", NAMES)
def test_issuer(name: str) -> None:
    exp = EXPECTED[name]["issuer"]
    iss = _review(name).issuer
    assert iss is not None, "no issuer"
    got = {k: getattr(iss, k) for k in REGION}
    assert got == {k: exp[k] for k in REGION}
    name_got = squeeze(iss.name)
    assert name_got and (name_got in exp["name"] or exp["name"] in name_got), iss.name


@pytest.mark.parametrize("name", NAMES)
def test_year(name: str) -> None:
    assert _review(name).year == EXPECTED[name]["year"]


@pytest.mark.parametrize("name", NAMES)
def test_date(name: str) -> None:
    assert _review(name).date == EXPECTED[name]["date"]


@pytest.mark.parametrize("name", NAMES)
def test_parts(name: str) -> None:
    r = _review(name)
    got = {p: (r.parts.get(p).status if r.parts.get(p) else None) for p in PARTS}
    assert got == EXPECTED[name]["parts"]


@pytest.mark.parametrize("name", NAMES)
def test_outline(name: str) -> None:
    want = [(lvl, numeral(m)) for lvl, m in EXPECTED[name]["outline"]]
    assert _flat_outline(_review(name).outline) == want


@pytest.mark.parametrize("name", NAMES)
def test_facts_recall(name: str) -> None:
    exp = EXPECTED[name]["facts"]
    r = _review(name)
    pred = [(f.indicator, f.value) for f in r.facts if isinstance(f.value, int | float)]
    gold = [(k, v) for k, v, _ in exp["required"]]
    missed = _match(gold, pred)
    recall = 1 - len(missed) / len(gold)
    assert recall >= FACT_RECALL_MIN, f"recall {recall:.2f}; missed {missed}"
    # where a required fact is found, its approx flag must be right too
    approx = {(k, float(v)): a for k, v, a in exp["required"]}
    wrong = [(f.indicator, f.value) for f in r.facts
             if (f.indicator, float(f.value)) in approx and bool(f.approx) != approx[(f.indicator, float(f.value))]]
    assert not wrong, f"approx flag wrong for {wrong}"


@pytest.mark.parametrize("name", NAMES)
def test_quantities_recall(name: str) -> None:
    r = _review(name)
    pred = [((q.unit or "").strip(), q.value) for q in r.quantities if isinstance(q.value, int | float)]
    gold = [(u, v) for v, u, _ in EXPECTED[name]["quantities"]]
    missed = _match(gold, pred)
    recall = 1 - len(missed) / len(gold)
    assert recall >= QUANTITY_RECALL_MIN, f"recall {recall:.2f}; missed {missed}"


@pytest.mark.parametrize("name", NAMES)
def test_not_quantities(name: str) -> None:
    """Names, document numbers and slogans that hold numerals give no quantity."""
    r = _review(name)
    bad = []
    for s in EXPECTED[name].get("not_quantities", []):
        for m in re.finditer(re.escape(s), r.text):
            bad += [q.text for q in r.quantities if q.start < m.end() and q.end > m.start()]
    assert not bad, bad


@pytest.mark.parametrize("name", NAMES)
def test_findings(name: str) -> None:
    want = set(EXPECTED[name]["findings"])
    got = {f.rule for f in _review(name).findings}
    assert want <= got, f"missing findings {sorted(want - got)}"
    extra = {g for g in got - want if g.startswith(FAMILIES)}
    assert not extra, f"findings not designed into this report: {sorted(extra)}"
