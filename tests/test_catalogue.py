"""The indicator catalogue and the figures lexicon: valid data, compiled once."""

from __future__ import annotations

import re

import pytest

from fazhi import knowledge
from fazhi.review.facts import catalogue, compile_catalogue, match
from fazhi.review.quantities import scan

# SPEC §4, "The core indicators (the ones gold files score)".
CORE_IDS = {
    "law_study_sessions", "legal_adviser_opinions", "normative_docs_filed",
    "normative_docs_repealed", "random_inspections", "enforcement_officers",
    "admin_reconsideration_cases", "admin_litigation_cases", "head_appearance_rate",
    "litigation_loss_rate", "npc_cppcc_proposals", "gov_info_disclosed", "disputes_mediated",
    "mediation_success_rate", "legal_aid_cases", "legal_consultations", "publicity_events",
    "publicity_materials",
}


@pytest.fixture(scope="module")
def data() -> dict:
    return knowledge.load("indicators")


def test_catalogue_matches_its_schema(data):
    assert knowledge.schema("indicators") is not None
    knowledge.validate("indicators", data)
    assert knowledge.version("indicators") == data["version"]


def test_ids_unique_and_core_complete(data):
    ids = [d["id"] for d in data["indicators"]]
    assert len(ids) == len(set(ids))
    core = {d["id"] for d in data["indicators"] if d.get("core")}
    assert core == CORE_IDS
    names = [d["name"] for d in data["indicators"]]
    assert len(names) == len(set(names))


def test_catalogue_is_broad(data):
    others = [d for d in data["indicators"] if not d.get("core")]
    assert len(others) >= 60
    assert {d["group"] for d in data["indicators"]} == set(data["groups"])


def test_every_regex_compiles(data):
    for d in data["indicators"]:
        for key in ("exclude", "requires"):
            if key in d:
                re.compile(d[key])


def test_units_are_measure_words(data):
    units = set(knowledge.load("units")["units"]) | {typo["unit"] for typo in knowledge.load("units")["typos"]}
    for d in data["indicators"]:
        assert set(d["units"]) <= units, d["id"]


def test_signals_are_distinct_within_an_indicator(data):
    for d in data["indicators"]:
        assert len(d["signals"]) == len(set(d["signals"])), d["id"]
        assert all(len(p) >= 2 for p in d["signals"] + d.get("after", [])), d["id"]


def test_units_file_matches_its_schema():
    units = knowledge.load("units")
    knowledge.validate("units", units)
    for pattern in units.get("names", []):
        re.compile(pattern)


def test_schema_rejects_a_broken_entry(data):
    broken = {**data, "indicators": [*data["indicators"], {"id": "Bad Id", "name": "x"}]}
    with pytest.raises(knowledge.KnowledgeError):
        knowledge.validate("indicators", broken)


def test_catalogue_compiles_once():
    cat = catalogue()
    assert cat is catalogue()
    assert set(cat.core_ids) == CORE_IDS
    assert cat.get("law_study_sessions") is not None
    assert cat.get("no_such_indicator") is None


def test_a_user_extends_the_catalogue_without_code(data):
    text = "全年建成社区矫正中心3个，开展法治体检走访企业120家。"
    assert "correction_centres" not in {f.indicator for f in match(text, scan(text))}
    extra = {
        "id": "correction_centres", "name": "社区矫正中心数", "group": "legal_services",
        "units": ["个"], "signals": ["社区矫正中心"], "after": ["社区矫正中心"],
    }
    extended = {**data, "indicators": [*data["indicators"], extra]}
    knowledge.validate("indicators", extended)
    facts = match(text, scan(text), compile_catalogue(extended))
    assert [(f.indicator, f.value) for f in facts if f.indicator == "correction_centres"] == [
        ("correction_centres", 3)]


def test_override_directory(tmp_path, monkeypatch, data):
    import yaml

    custom = {**data, "version": "test.1", "indicators": [
        {"id": "law_study_sessions", "name": "学法", "core": True, "group": "leadership",
         "units": ["次"], "signals": ["学法"]},
    ]}
    (tmp_path / "indicators.yaml").write_text(yaml.safe_dump(custom, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("FAZHI_KNOWLEDGE_DIR", str(tmp_path))
    loaded = knowledge.load("indicators")
    assert loaded["version"] == "test.1"
    assert [i.id for i in catalogue().indicators] == ["law_study_sessions"]
    monkeypatch.delenv("FAZHI_KNOWLEDGE_DIR")
    assert knowledge.load("indicators")["version"] != "test.1"  # the folder is gone: the packaged file again
