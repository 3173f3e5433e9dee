"""The benchmarks run in smoke mode, so they never rot (their figures are not pass/fail here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_benchmarks_run_in_smoke_mode(tmp_path):
    out = tmp_path / "RESULTS.md"
    ran = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    text = out.read_text()
    assert "## bench_core" in text and "load_ext_ratio" in text
    assert "| error |" not in text
