"""The widget's front end (``disco_magics/widgets/table.js``) has unit tests of its own, run by node's test
runner (``tests/js/table.test.mjs``); this runs them with the Python suite too, so a change to the JS that
breaks them fails ``pytest`` as well as ``scripts/test.sh``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_widget_functions_pass_their_node_tests():
    done = subprocess.run(
        ["node", "--test", str(ROOT / "tests" / "js")], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    summary = [line for line in done.stdout.splitlines() if line.startswith(("# pass", "# fail", "not ok"))]
    assert done.returncode == 0, "\n".join(summary) + done.stderr[-2000:]
    assert "# fail 0" in done.stdout and "# pass 0" not in done.stdout
