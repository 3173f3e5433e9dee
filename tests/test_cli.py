"""The ``disco`` command, run as users run it: a real process on real notebooks."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import nbformat
import pytest


def disco(*args: str, cwd, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "disco_magics.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={**os.environ, "DISCO_STORE": "", **(env or {})},
    )


@pytest.mark.slow
def test_init_then_run_rehearses_and_leaves_the_hypothesis_a_draft(tmp_path):
    made = disco("init", "activation", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    ran = disco("run", "activation.ipynb", "--out", "done.ipynb", "--no-progress", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert "problem activation" in ran.stdout
    # the summary: H1 is a draft with no verdict; the rehearsal is shown apart
    header, h1 = (line for line in ran.stdout.splitlines() if line.startswith(("ID ", "H1 ")))
    assert re.split(r"\s{2,}", h1.strip()) == ["H1", "activation_rate", "0.2", "0.3", "draft", "validated"]
    assert h1.rindex("validated") >= header.index("rehearsal (not evidence)")
    executed = nbformat.read(tmp_path / "done.ipynb", as_version=4)
    shown = [
        o.get("data", {}).get("text/plain", "")
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.outputs
    ]
    assert any("H1 · activated — REHEARSAL · VALIDATED" in text for text in shown)
    assert (tmp_path / ".disco" / "discovery.db").exists()
    report = disco("report", "--store", str(tmp_path / ".disco" / "discovery.db"), cwd=tmp_path)
    assert report.returncode == 0
    assert "**We believed**" in report.stdout and "### H1 — value risk — draft" in report.stdout
    assert "validated" not in report.stdout


@pytest.mark.slow
def test_a_failing_cell_exits_non_zero_and_names_the_cell(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("%load_ext disco_magics"),
        nbformat.v4.new_code_cell("%measure H404 --observed 0.2 --n 10"),
    ]
    nbformat.write(notebook, tmp_path / "broken.ipynb")
    ran = disco("run", "broken.ipynb", "--no-progress", cwd=tmp_path)
    assert ran.returncode == 1
    line = next(text for text in ran.stderr.splitlines() if text.startswith("disco run:"))
    assert line.startswith("disco run: cell 1 failed (%measure H404 --observed 0.2 --n 10): UsageError:")
    assert "Traceback" not in ran.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "missing.ipynb"), "disco: run: no notebook at missing.ipynb"),
        (("init", "1bad"), "disco: init: '1bad' is not a valid name"),
        (("report", "--out", "r.pdf"), "disco: report: cannot write the report to 'r.pdf': use .md or .html"),
        (("frobnicate",), "disco: error: argument COMMAND: invalid choice: 'frobnicate'"),
        (("run",), "disco run: error: the following arguments are required: notebook"),
    ],
)
def test_bad_invocations_are_one_line(tmp_path, args, message):
    ran = disco(*args, cwd=tmp_path)
    assert ran.returncode != 0
    assert ran.stderr.strip().startswith(message), ran.stderr
    assert "Traceback" not in ran.stderr


def test_init_refuses_to_overwrite(tmp_path):
    assert disco("init", "x", cwd=tmp_path).returncode == 0
    again = disco("init", "x", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr


@pytest.mark.parametrize("command", ["run", "report", "init", "serve"])
def test_help_for_each_command(tmp_path, command):
    shown = disco(command, "--help", cwd=tmp_path)
    assert shown.returncode == 0 and f"usage: disco {command}" in shown.stdout
