"""``%load_ext disco_magics`` stays light: nothing heavy is imported until first use."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "pandas",
    "numpy",
    "openai",
    "instructor",
    "sqlalchemy",
    "faker",
    "pydantic",
    "scipy",
    "pyarrow",
    "duckdb",
    "duckdb_engine",
)


def test_load_ext_imports_nothing_heavy(tmp_path):
    code = f"""
import sys, json
from IPython.testing.globalipapp import get_ipython
before = set(sys.modules)
ip = get_ipython()
before = set(sys.modules)
ip.run_line_magic("load_ext", "disco_magics")
new = set(sys.modules) - before
print(json.dumps(sorted(m for m in new if m.split(".")[0] in {list(HEAVY)!r})))
print(json.dumps("problem" in ip.magics_manager.magics["cell"]))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert out.returncode == 0, out.stderr
    heavy, registered = (json.loads(line) for line in out.stdout.strip().splitlines()[-2:])
    assert heavy == []
    assert registered is True
