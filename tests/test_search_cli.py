"""``fazhi search``: the terminal table and the JSON, filters, sorting, and what it says when it cannot search."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fazhi import db
from fazhi.cli import app
from tests.search_helpers import DAOLI, QINGXIU, QINZHOU, store

runner = CliRunner()
TEXTS = {
    "秦州区": ("天水市秦州区人民政府关于2022年度法治政府建设情况的报告\n一、主要举措\n全年受理法律援助案件210件，"
              "法律援助覆盖所有乡镇。\n", QINZHOU, 2022, 80),
    "青秀区": ("南宁市青秀区人民政府2023年法治政府建设年度报告\n一、工作成效\n受理法律援助案件95件。\n", QINGXIU, 2023, 60),
    "道里区": ("哈尔滨市道里区人民政府关于2023年法治政府建设工作情况的报告\n一、主要工作\n化解矛盾纠纷320件。\n", DAOLI, 2023, 70),
}


def _db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    eng = db.make_engine(url)
    db.upgrade(eng)
    with db.session_factory(eng, write=True).begin() as s:
        for text, unit, year, score in TEXTS.values():
            store(s, text, unit, year, score=score)
    eng.dispose()
    return url


def test_search_lists_the_reports_with_their_snippets(tmp_path):
    url = _db(tmp_path)
    res = runner.invoke(app, ["search", "法律援助", "--db", url])
    assert res.exit_code == 0, res.output
    assert "找到 2 份包含“法律援助”的报告" in res.output
    assert "秦州区" in res.output and "青秀区" in res.output and "道里区" not in res.output
    res = runner.invoke(app, ["search", "法律援助", "--db", url, "--format", "json", "--sort", "-score",
                              "--where", "year=2022-2023"])
    body = json.loads(res.output)
    assert [i["issuer"]["county"] for i in body["items"]] == ["秦州区", "青秀区"]
    assert [i["count"] for i in body["items"]] == [2, 1]
    first = body["items"][0]["snippets"][0]
    assert [first["text"][a:b] for a, b in first["marks"]] == ["法律援助", "法律援助"]
    res = runner.invoke(app, ["search", "法律援助", "--db", url, "-f", "json", "-w", "score=70-"])
    assert [i["issuer"]["county"] for i in json.loads(res.output)["items"]] == ["秦州区"]


def test_search_says_why_it_cannot_and_exits_non_zero(tmp_path):
    url = _db(tmp_path)
    res = runner.invoke(app, ["search", "不存在的词语", "--db", url])
    assert res.exit_code == 1 and "没有找到" in res.output
    for args, said in ((["  "], "请输入"), (["法治", "--sort", "size"], "--sort"),
                       (["法治", "-w", "score=abc"], "筛选条件有误"), (["法治", "-f", "xml"], "--format")):
        res = runner.invoke(app, ["search", *args, "--db", url])
        assert res.exit_code == 2 and said in res.output and "Traceback" not in res.output, (args, res.output)
    missing = tmp_path / "none.sqlite"
    res = runner.invoke(app, ["search", "法治", "--db", str(missing)])
    assert res.exit_code == 2 and "不存在" in res.output and not missing.exists()
