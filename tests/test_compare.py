"""fazhi compare: the indicator table, deltas, ranks, CSV and a workbook an office can use."""

from __future__ import annotations

import csv

import pytest
from typer.testing import CliRunner

from fazhi import db
from fazhi.cli import app
from fazhi.corpus import compare
from fazhi.corpus.service import ReportFilter, save_review
from fazhi.review.pipeline import review_text

pytestmark = [pytest.mark.db]

runner = CliRunner()

YEARLY = ("某某省某某市中站区人民政府关于{y}年度法治政府建设情况的报告\n一、主要举措和成效\n"
          "全年组织区政府常务会议集中学法{study}次，受理行政复议案件{recon}件，办理法律援助案件{aid}件。\n"
          "二、存在的不足和原因\n执法力量不足，原因是编制紧张。\n三、{n}年工作安排\n充实执法力量。\n")


def _store(engine, *texts):
    with db.session_factory(engine, write=True)() as s:
        for t in texts:
            rv = review_text(t)
            save_review(s, rv.to_json(), rv.text)
        s.commit()


@pytest.fixture
def seeded(migrated, seed_paths):
    res = runner.invoke(app, ["ingest", *map(str, seed_paths), "--db", str(migrated.url.render_as_string(
        hide_password=False)), "--workers", "0"])
    assert res.exit_code == 0, res.output
    return migrated


def test_table_has_one_row_per_report_with_each_fact_and_its_evidence(seeded, seed_reviews):
    with db.session_factory(seeded)() as s:
        table = compare.build(s)
    assert len(table.rows) == len(seed_reviews)
    by_sha = {r.sha256: r for r in table.rows}
    for rv in seed_reviews.values():
        row = by_sha[rv.source.sha256]
        first: dict[str, object] = {}
        for f in sorted(rv.facts, key=lambda f: f.start):
            first.setdefault(f.indicator, f)
        assert set(row.cells) == set(first)
        for ind, f in first.items():
            cell = row.cells[ind]
            assert (cell.value, cell.approx, cell.text) == (f.value, f.approx, f.text)
            assert rv.text[cell.start:cell.end] == cell.text


RATES = ("河南省焦作市{unit}人民政府关于2023年度法治政府建设情况的报告\n一、主要举措和成效\n"
         "办理行政应诉案件{cases}件，行政机关负责人出庭应诉率{appear}%，行政诉讼败诉率{loss}%。\n"
         "二、存在的不足和原因\n执法力量不足，原因是编制紧张。\n三、2024年工作安排\n充实执法力量。\n")


def test_ranks_put_the_best_first_where_the_catalogue_says_which_way_is_better(migrated, tmp_path):
    """败诉率: the lowest rate ranks 1; 出庭应诉率: the highest; 案件数 (a size): the largest."""
    _store(migrated, *(RATES.format(unit=u, cases=c, appear=a, loss=x) for u, c, a, x in (
        ("解放区", 40, 90, 5.0), ("中站区", 10, 100, 1.2), ("山阳区", 25, 95, 3.0))))
    ids = ["litigation_loss_rate", "head_appearance_rate", "admin_litigation_cases"]
    with db.session_factory(migrated)() as s:
        table = compare.build(s, indicators=ids)
    assert {c.id: c.better for c in table.columns} == {"litigation_loss_rate": "lower",
                                                       "head_appearance_rate": "higher",
                                                       "admin_litigation_cases": None}
    def unit(issuer: str) -> str:
        return next(u for u in ("解放区", "中站区", "山阳区") if u in issuer)

    ranks = {unit(r.issuer): {k: (c.value, c.rank) for k, c in r.cells.items()} for r in table.rows}
    assert {u: v["litigation_loss_rate"] for u, v in ranks.items()} == {
        "中站区": (1.2, 1), "山阳区": (3.0, 2), "解放区": (5.0, 3)}
    assert {u: v["head_appearance_rate"][1] for u, v in ranks.items()} == {"中站区": 1, "山阳区": 2, "解放区": 3}
    assert {u: v["admin_litigation_cases"][1] for u, v in ranks.items()} == {"解放区": 1, "山阳区": 2, "中站区": 3}
    best = next(r for r in table.rows if "中站区" in r.issuer).cells["litigation_loss_rate"]
    assert best.percentile == pytest.approx(1.0)  # as good as or better than every unit
    from fazhi.corpus import export

    out = tmp_path / "long.csv"
    export.write_csv(table, out, long=True)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    order = {(unit(r["单位"]), r["指标代码"]): (r["排名"], r["排名方向"]) for r in rows}
    assert order[("中站区", "litigation_loss_rate")] == ("1", "越低越好")
    assert order[("中站区", "head_appearance_rate")] == ("1", "越高越好")
    assert order[("解放区", "admin_litigation_cases")] == ("1", "从大到小")


def test_filters_select_units_and_years(seeded):
    with db.session_factory(seeded)() as s:
        henan = compare.build(s, ReportFilter.parse(["region=河南省"]))
        hlj = compare.build(s, ReportFilter.parse(["province=黑龙江省", "year=2023"]))
        core = compare.build(s, core_only=True)
    assert len(henan.rows) == 4 and {r.region[:3] for r in henan.rows} == {"河南省"}
    assert [r.issuer for r in hlj.rows] == ["佳木斯市前进区人民政府"]
    assert all(c.core for c in core.columns)


def test_year_over_year_delta_and_rank(migrated):
    _store(migrated, YEARLY.format(y=2022, n=2023, study=6, recon=40, aid=100),
           YEARLY.format(y=2023, n=2024, study=9, recon=30, aid=100),
           YEARLY.replace("中站区", "解放区").format(y=2023, n=2024, study=12, recon=10, aid=50))
    with db.session_factory(migrated)() as s:
        table = compare.build(s, indicators=["law_study_sessions", "admin_reconsideration_cases"])
    cur = next(r for r in table.rows if "中站区" in r.issuer and r.year == 2023)
    study = cur.cells["law_study_sessions"]
    assert (study.prev_year, study.delta) == (2022, 3)
    assert study.delta_pct == pytest.approx(0.5)
    assert cur.cells["admin_reconsideration_cases"].delta == -10
    # among the two 2023 units: 9 is second to 12
    assert (study.rank, study.of) == (2, 2)
    assert study.percentile == pytest.approx(0.5)


def test_cli_writes_csv_and_a_formatted_workbook(seeded, tmp_path):
    from openpyxl import load_workbook

    url = seeded.url.render_as_string(hide_password=False)
    xlsx, wide, long = tmp_path / "t.xlsx", tmp_path / "w.csv", tmp_path / "l.csv"
    res = runner.invoke(app, ["compare", "--db", url, "--xlsx", str(xlsx), "--csv", str(wide)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["compare", "--db", url, "--csv", str(long), "--long", "-w", "issuer=中站区"])
    assert res.exit_code == 0, res.output

    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["指标数据", "指标明细", "审查意见", "必备内容"]
    ws = wb["指标数据"]
    assert ws.freeze_panes == "E2"
    heads = [c.value for c in ws[1]]
    assert heads[:4] == ["单位", "级别", "地区", "年度"]
    col = next(i for i, h in enumerate(heads, 1) if h and h.startswith("领导干部集中学法次数"))
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "中站区人民政府")
    cell = ws.cell(row, col)
    assert cell.value == 4 and "集中学法4次" in cell.comment.text
    approx = [c for r in ws.iter_rows(min_row=2) for c in r if c.number_format.startswith('"约"')]
    assert approx, "approximate values carry the 约 number format"
    assert wb["审查意见"].max_row > 1 and wb["必备内容"].max_row == 6

    with open(wide, encoding="utf-8-sig") as fh:
        lines = list(csv.reader(fh))
    assert lines[0][:4] == ["单位", "级别", "地区", "年度"] and len(lines) == 6
    with open(long, encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["单位"] for r in rows} == {"中站区人民政府"}
    assert any(r["指标代码"] == "legal_aid_cases" and r["数值"] == "171" and "171件" in r["原文"] for r in rows)


def test_compare_on_an_empty_database_says_so(migrated):
    res = runner.invoke(app, ["compare", "--db", migrated.url.render_as_string(hide_password=False)])
    assert res.exit_code == 1 and "没有符合条件的已入库报告" in res.output
