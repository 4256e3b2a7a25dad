"""Acceptance: the shared evaluator's scores on the seeds, through the real CLI.

Thresholds are the issue's "done when"; the figures themselves come from
../shared/tools/evaluate.py, not from this repository.
"""

from __future__ import annotations

import re
import subprocess
import sys

from typer.testing import CliRunner

from fazhi.cli import app
from tests.conftest import GOLD_PATH, SHARED


def _evaluate(out_dir) -> dict[str, float]:
    res = subprocess.run([sys.executable, str(SHARED / "tools" / "evaluate.py"), str(GOLD_PATH), str(out_dir)],
                         capture_output=True, text=True, check=False)
    last = res.stdout.strip().splitlines()[-1]
    nums = dict(re.findall(r"(issuer|year|date|parts) (\d+)/\d+", last))
    f1 = dict(re.findall(r"(outline_f1) ([\d.]+)", last))
    facts = re.search(r"facts P [\d.]+ R [\d.]+ F1 ([\d.]+)", last)
    qty = re.search(r"quantities P [\d.]+ R [\d.]+ F1 ([\d.]+)", last)
    return {**{k: int(v) for k, v in nums.items()}, "outline_f1": float(f1["outline_f1"]),
            "facts_f1": float(facts.group(1)), "quantities_f1": float(qty.group(1)), "line": last,
            "detail": res.stdout}


def test_seed_scores_meet_the_acceptance_bar(seed_paths, tmp_path):
    res = CliRunner().invoke(app, ["review", *map(str, seed_paths), "-f", "json", "-o", str(tmp_path), "-q"])
    assert res.exit_code == 0, res.output
    s = _evaluate(tmp_path)
    n = len(seed_paths)
    assert s["parts"] == 4 * n, s["detail"]
    assert s["outline_f1"] == 1.0, s["detail"]
    assert (s["issuer"], s["year"], s["date"]) == (n, n, n), s["detail"]
    assert s["facts_f1"] >= 0.95, s["detail"]
    assert s["quantities_f1"] >= 0.95, s["detail"]
