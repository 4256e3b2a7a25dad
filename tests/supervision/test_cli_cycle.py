"""The supervision CLI as scripts use it: ids alone on stdout's last line, summaries, unread rows named,
nothing imported unconfirmed, the task list JSON, report and review, no traceback on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.supervision.builders import xlsx

ROWS = [["鄂托克旗2025年法治政府建设任务分工表"],
        ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
        [1, "推行行政执法三项制度", "旗司法局", "旗公安局、旗市场监管局", "2025年6月底前"],
        [2, "规范行政裁量权基准", "旗司法局", None, "每季度末"],
        [3, None, "旗财政局", None, "9月30日前"],
        [4, "开展法治宣传教育", "旗委宣传部", "各苏木镇", "长期坚持"],
        ["注：每季度末前报送进展。"]]


def fazhi(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fazhi.cli", *args, "--db", str(db)], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cycle.sqlite"


def test_the_cycle_from_the_command_line(db: Path, tmp_path: Path) -> None:
    framework = fazhi("framework", "import", "demo-county-2025", db=db)
    assert framework.returncode == 0 and framework.stdout.strip().splitlines()[-1] == "1"
    assert "已导入" in framework.stderr
    listed = json.loads(fazhi("framework", "list", "--format", "json", db=db).stdout)
    assert [(f["id"], f["urn"], f["version"]) for f in listed] == [(1, "urn:fazhi:framework:demo-county", 1)]

    created = fazhi("campaign", "create", "鄂托克旗2025年法治政府建设", "--year", "2025", "--organiser", "鄂托克旗",
                    "--framework", "1", db=db)
    assert created.returncode == 0
    campaign = created.stdout.strip().splitlines()[-1]
    assert campaign.isdigit()

    sheet = tmp_path / "分工表.xlsx"
    sheet.write_bytes(xlsx(ROWS, ["A1:E1", "A7:E7"]))
    refused = fazhi("task", "import", str(sheet), "--campaign", campaign, db=db)
    assert refused.returncode == 1
    assert "未导入 第5行：没有工作任务内容" in refused.stdout and "--yes" in refused.stderr
    assert json.loads(fazhi("task", "list", "--campaign", campaign, "--format", "json", db=db).stdout) == []
    strict = fazhi("task", "import", str(sheet), "--campaign", campaign, "--strict", db=db)
    assert strict.returncode == 1 and "第5行" in strict.stderr
    done = fazhi("task", "import", str(sheet), "--campaign", campaign, "--yes", db=db)
    assert done.returncode == 0 and "导入任务 3 项" in done.stdout and "新建单位" in done.stdout

    late = fazhi("task", "list", "--campaign", campaign, "--format", "json", "--overdue", "--as-of", "2025-07-01", db=db)
    overdue = json.loads(late.stdout)
    assert [t["title"] for t in overdue] == ["推行行政执法三项制度", "规范行政裁量权基准"]
    assert list(overdue[0]) == ["id", "seq", "title", "indicator", "lead_unit", "co_units", "due", "due_text",
                                "milestones", "status", "source_row"]
    assert overdue[0]["lead_unit"]["name"] == "鄂托克旗司法局"
    assert [u["name"] for u in overdue[0]["co_units"]] == ["鄂托克旗公安局", "鄂托克旗市场监督管理局"]
    assert (overdue[1]["due"], overdue[1]["milestones"][0], overdue[1]["source_row"]) == ("2025-12-31", "2025-03-31", 4)

    proof = tmp_path / "公示目录.pdf"
    proof.write_bytes(b"%PDF-1.4\n%%EOF\n")
    task = str(overdue[0]["id"])
    reported = fazhi("task", "report", task, "--text", "已公示执法主体和事项", "--figure", "公示事项=120项",
                     "--evidence", str(proof), db=db)
    assert reported.returncode == 0 and reported.stdout.strip().splitlines()[-1].isdigit()
    returned = fazhi("task", "review", task, "--return", "缺少执法全过程记录的佐证", db=db)
    assert returned.returncode == 0 and "已退回" in returned.stderr
    assert fazhi("task", "review", task, db=db).returncode == 2
    again = fazhi("task", "report", task, "--text", "补充全过程记录台账", "--evidence", str(proof), db=db)
    assert again.returncode == 0 and "已存在" in again.stderr  # the same file is not stored twice
    assert fazhi("task", "review", task, "--accept", db=db).returncode == 0
    after = json.loads(fazhi("task", "list", "--campaign", campaign, "--format", "json", "--overdue", "--as-of",
                             "2025-07-01", db=db).stdout)
    assert [t["title"] for t in after] == ["规范行政裁量权基准"]

    export = tmp_path / "out.xlsx"
    assert fazhi("task", "export", "--campaign", campaign, "--xlsx", str(export), db=db).returncode == 0
    assert export.read_bytes()[:2] == b"PK"


def test_bad_input_gets_a_message_not_a_traceback(db: Path, tmp_path: Path) -> None:
    campaign = fazhi("campaign", "create", "x", "--year", "2025", "--organiser", "鄂托克旗", db=db).stdout.split()[-1]
    bomb = tmp_path / "分工表.xlsx"
    bomb.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    for args in (["task", "import", str(bomb), "--campaign", campaign],
                 ["task", "import", str(tmp_path / "none.xlsx"), "--campaign", campaign],
                 ["task", "list", "--campaign", "999", "--format", "json"],
                 ["task", "list", "--campaign", campaign, "--as-of", "2025-13-01"],
                 ["campaign", "create", "y", "--year", "2025", "--organiser", "不存在县"],
                 ["task", "report", "12345", "--text", "x"]):
        result = fazhi(*args, db=db)
        assert result.returncode != 0, args
        assert "Traceback" not in result.stderr and "fazhi:" in result.stderr, (args, result.stderr)
