"""The benchmark runs and reports every measurement the speed docs quote."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_benchmark_reports_floor_cold_and_warm_for_each_job_count(tmp_path):
    corpus = tmp_path / "corpus"
    for name in ("a", "b"):
        (corpus / name).mkdir(parents=True)
        (corpus / name / f"{name}.go").write_text(
            f'package {name}\n\nimport "context"\n\nfunc f(p context.Context) {{\n\tctx, _ := context.WithCancel(p)\n\t_ = ctx\n}}\n')
    out = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench.py"), str(corpus), "--jobs", "1,2", "--repeat", "2"],
                         capture_output=True, text=True, check=True, timeout=300).stdout
    assert "2 packages, 2 files" in out
    rows = re.findall(r"^(parse floor|goleaklint [a-z ,()-]+?)\s+(\d)\s+([\d.]+)\s+\d+\s+[\d.]+\s+([\d.]+)\s+\d+MB$", out, re.M)
    assert [(label, jobs) for label, jobs, _, _ in rows] == [
        (label, jobs) for jobs in "12" for label in
        ("parse floor", "goleaklint cold (--no-cache)", "goleaklint cold, filling cache", "goleaklint warm cache")
    ]
    assert all(float(ratio) == 1.0 for label, _, _, ratio in rows if label == "parse floor")
    assert "speed-up 1 -> 2 jobs, goleaklint cold (--no-cache)" in out
