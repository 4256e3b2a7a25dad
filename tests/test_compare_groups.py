"""Compare like with like: ranks among units of the same tier, one measure for words that count the same thing.

Reports written for these tests: districts, a street office and district bureaus of 昆明市 (云南省).
"""

from __future__ import annotations

import csv

import pytest
from typer.testing import CliRunner

from fazhi import db
from fazhi.cli import app
from fazhi.corpus import compare, export
from fazhi.corpus.service import save_review
from fazhi.review.pipeline import review_text

REPORT = ("{unit}关于{year}年度法治政府建设情况的报告\n一、主要举措和成效\n{body}\n"
          "二、存在的不足和原因\n执法力量不足，原因是编制紧张。\n三、{next}年工作安排\n充实执法力量。\n")


def _store(engine, *reports: tuple[str, int, str]) -> None:
    with db.session_factory(engine, write=True)() as s:
        for unit, year, body in reports:
            rv = review_text(REPORT.format(unit=unit, year=year, next=year + 1, body=body))
            save_review(s, rv.to_json(), rv.text)
        s.commit()


def _cells(table, indicator: str) -> dict[str, compare.Cell]:
    return {r.issuer: r.cells[indicator] for r in table.rows if indicator in r.cells}


@pytest.fixture
def kunming(migrated):
    _store(migrated,
           ("云南省昆明市五华区人民政府", 2023, "全年受理行政复议案件40件。"),
           ("昆明市盘龙区人民政府", 2023, "全年受理行政复议案件25件。"),
           ("昆明市五华区华山街道办事处", 2023, "全年受理行政复议案件60件。"),
           ("昆明市五华区司法局", 2023, "全年受理行政复议案件9件。"),
           ("昆明市西山区司法局", 2023, "全年受理行政复议案件14件。"))
    return migrated


def test_a_street_office_is_ranked_among_streets_and_townships_not_against_districts(kunming):
    with db.session_factory(kunming)() as s:
        table = compare.build(s, indicators=["admin_reconsideration_cases"])
    cells = _cells(table, "admin_reconsideration_cases")
    # the street office gives the largest figure, yet the first district is still first among districts
    assert (cells["云南省昆明市五华区人民政府"].rank, cells["云南省昆明市五华区人民政府"].of) == (1, 2)
    assert (cells["昆明市盘龙区人民政府"].rank, cells["昆明市盘龙区人民政府"].of) == (2, 2)
    assert (cells["昆明市五华区华山街道办事处"].rank, cells["昆明市五华区华山街道办事处"].of) == (1, 1)
    # the district bureaus among district bureaus
    assert (cells["昆明市西山区司法局"].rank, cells["昆明市西山区司法局"].of) == (1, 2)
    assert (cells["昆明市五华区司法局"].rank, cells["昆明市五华区司法局"].of) == (2, 2)
    groups = {r.issuer: r.rank_group for r in table.rows}
    assert groups["昆明市盘龙区人民政府"] == "县级"
    assert groups["昆明市五华区华山街道办事处"] == "乡镇（街道）"
    assert groups["昆明市五华区司法局"] == "县级部门"


def test_exports_and_the_cli_table_say_which_units_a_rank_is_among(kunming, tmp_path):
    with db.session_factory(kunming)() as s:
        table = compare.build(s, indicators=["admin_reconsideration_cases"])
    out = tmp_path / "long.csv"
    export.write_csv(table, out, long=True)
    rows = {r["单位"]: r for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    assert (rows["昆明市盘龙区人民政府"]["排名"], rows["昆明市盘龙区人民政府"]["参与排名数"],
            rows["昆明市盘龙区人民政府"]["排名范围"]) == ("2", "2", "2023年·县级")
    assert rows["昆明市五华区华山街道办事处"]["排名范围"] == "2023年·乡镇（街道）"

    from openpyxl import load_workbook

    book = tmp_path / "t.xlsx"
    export.write_xlsx(table, book)
    sheet = load_workbook(book)["指标明细"]
    head = [c.value for c in sheet[1]]
    scope = {row[0]: row[head.index("排名范围")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert scope["昆明市西山区司法局"] == "2023年·县级部门"

    res = CliRunner().invoke(app, ["compare", "--db", kunming.url.render_as_string(hide_password=False),
                                   "-i", "admin_reconsideration_cases"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "排名范围" in res.output and "乡镇（街道）" in res.output and "#2/2" in res.output


def test_measure_words_that_count_the_same_thing_are_one_measure(migrated):
    _store(migrated,
           ("昆明市官渡区人民政府", 2022, "全年受理行政复议案件30起，全区现有行政执法人员120名。"),
           ("昆明市官渡区人民政府", 2023, "全年受理行政复议案件42件，全区现有行政执法人员131人。"),
           ("昆明市盘龙区人民政府", 2023, "全年受理行政复议案件18宗，全区现有行政执法人员96人。"))
    with db.session_factory(migrated)() as s:
        table = compare.build(s, indicators=["admin_reconsideration_cases", "enforcement_officers"])
    now = {r.issuer: r for r in table.rows if r.year == 2023}
    cases = now["昆明市官渡区人民政府"].cells["admin_reconsideration_cases"]
    officers = now["昆明市官渡区人民政府"].cells["enforcement_officers"]
    # 30起 last year, 42件 this year: twelve more cases; 120名 → 131人: eleven more officers
    assert (cases.delta, cases.prev_year) == (12, 2022)
    assert officers.delta == 11
    # 18宗 is ranked with 42件
    assert (cases.rank, cases.of) == (1, 2)
    assert (now["昆明市盘龙区人民政府"].cells["admin_reconsideration_cases"].rank) == 2
    assert {c.id: c.measure for c in table.columns} == {"admin_reconsideration_cases": "件",
                                                        "enforcement_officers": "人"}


def test_the_measures_are_data():
    measures = compare.measures()
    assert measures["名"] == measures["位"] == "人" and measures["宗"] == measures["起"] == "件"
    assert "人次" not in measures  # visits are not people
