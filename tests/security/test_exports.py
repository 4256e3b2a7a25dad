"""Formula cells in every export (issue 8, defect 3): the compare table as CSV (wide and long) and as XLSX,
from the web and from ``fazhi compare`` — text that a spreadsheet would run stays text, numbers stay numbers.

The stored data is made hostile where an uploader's text ends up in a cell: the unit's name (an issuer
the divisions table did not name), a figure's evidence sentence, a finding's message and quotes."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from fazhi.cli import app as cli
from fazhi.corpus.models import Fact, Finding
from fazhi.exports import csv_value, risky
from fazhi.units.models import Issuer
from tests.security.conftest import JIAOZUO, Web, add_token, add_user, report_text

NAME = "=cmd|' /C calc'!A0"  # the unit's name
EVIDENCE = "+SUM(1+1)*cmd|' /C calc'!A0"  # a figure's evidence
MESSAGE = "\t=HYPERLINK(\"http://example.invalid\")"  # a finding's message
QUOTE = "@SUM(1)"  # a finding's quote
HOSTILE = (NAME, EVIDENCE, MESSAGE, QUOTE)


@pytest.fixture
def hostile(app: Any) -> dict[str, str]:
    """A stored report whose names and quotes start like formulas; the token of an administrator."""
    add_user(app, "导出员", "admin")
    h = {"Authorization": f"Bearer {add_token(app, '导出员')}"}
    no_causes = report_text(JIAOZUO).replace("主要原因是重视程度不够。", "")  # so that there is a finding
    assert Web(app).upload([("a.txt", no_causes.encode())], headers=h).status_code == 201
    with app.state.WriteSession.begin() as s:
        s.execute(update(Issuer).values(name=NAME))
        s.execute(update(Fact).values(text=EVIDENCE))
        found = s.execute(update(Finding).values(message=MESSAGE, evidence=[{"start": 0, "end": 1, "text": QUOTE}]))
        assert found.rowcount >= 1
    return h


def _csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _check_csv(rows: list[list[str]], texts: tuple[str, ...]) -> None:
    """The CSV has ``texts`` as text (a leading ') and nothing a spreadsheet would run."""
    cells = [c for row in rows for c in row]
    for text in texts:
        assert "'" + text in cells, text  # written, as text
        assert text not in cells, text  # and never as it was
    assert not [c for c in cells if c and c[0] in "=+-@\t\r" and not _number(c)]
    assert "4" in cells  # figures stay plain numbers (集中学法4次)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_xlsx(data: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []  # no formula anywhere
    for text in HOSTILE:
        found = [c for c in cells if c.value == text]
        assert found, text  # the text as it was, shown as text …
        assert all(c.data_type == "s" and c.quotePrefix for c in found), text  # … marked as text
    values = wb["指标数据"]
    head = [c.value for c in values[1]]
    col = next(i for i, h in enumerate(head) if str(h).startswith("领导干部集中学法次数"))
    assert values.cell(row=2, column=col + 1).value == 4  # numbers stay numbers


def test_web_exports_write_formula_like_text_as_text(app: Any, hostile: dict[str, str]) -> None:
    w = Web(app)
    _check_csv(_csv_cells(w.get("/api/compare.csv", headers=hostile).content), (NAME,))
    _check_csv(_csv_cells(w.get("/api/compare.csv", params={"long": 1}, headers=hostile).content), (NAME, EVIDENCE))
    _check_xlsx(w.get("/api/compare.xlsx", headers=hostile).content)


def test_cli_exports_write_formula_like_text_as_text(app: Any, hostile: dict[str, str], tmp_path: Path) -> None:
    db = str(app.state.engine.url.database)
    runner = CliRunner()
    for args, name in ((["--csv"], "wide.csv"), (["--csv", "--long"], "long.csv"), (["--xlsx"], "t.xlsx")):
        out = tmp_path / name
        r = runner.invoke(cli, ["compare", "--db", db, *args[:1], str(out), *args[1:]])
        assert r.exit_code == 0, r.output
        if name.endswith(".csv"):
            _check_csv(_csv_cells(out.read_bytes()), (NAME, EVIDENCE) if "--long" in args else (NAME,))
        else:
            _check_xlsx(out.read_bytes())


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("-12", "-12"), ("+3.5", "+3.5"), ("-0.2500", "-0.2500"), (-12, -12), (3.5, 3.5),
    ("焦作市中站区人民政府", "焦作市中站区人民政府"), ("", ""), (None, None), ("a=b", "a=b"),
])
def test_one_rule_for_every_cell(value: Any, expected: Any) -> None:
    assert csv_value(value) == expected
    assert risky(value) is (expected != value)
