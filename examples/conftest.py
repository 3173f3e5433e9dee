"""nbval runs every example notebook as a test (``pytest`` collects them with ``--nbval``).

* Each run gets a fresh store, so the notebooks' outputs (first looks, decisions) are the same every time;
  the kernel inherits ``DISCO_STORE`` from this process.
* The ``application/vnd.disco.*+json`` bundles carry timestamps (created_at, recorded_at) that nbval's
  sanitizers cannot reach (they only rewrite strings, and these are JSON objects). The same models are
  compared through their ``text/plain`` and ``text/html`` renderings, which carry no timestamps.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_STORE_DIR = tempfile.mkdtemp(prefix="disco-examples-")
_STORE = str(Path(_STORE_DIR) / "examples.db")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Set when an example's first cell is set up (nbval starts its kernel then), not when this file is
    # collected: collection comes before every test under tests/, whose kernels and servers would
    # otherwise inherit the examples' store and run their hypotheses ahead of nbval.
    if Path(str(item.fspath)).suffix == ".ipynb":
        os.environ["DISCO_STORE"] = _STORE

DISCO_BUNDLES = tuple(
    f"application/vnd.disco.{kind}+json"
    for kind in (
        *("problem", "hypothesis", "result", "decision", "experiments", "report", "prototype", "dataset"),
        *("hypothesis-evidence", "hypothesis-drafts", "evidence", "evidence-suggestion"),
    )
)


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        parent = item.parent
        skip = getattr(parent, "skip_compare", None)
        if skip is not None and DISCO_BUNDLES[0] not in skip:
            parent.skip_compare = tuple(skip) + DISCO_BUNDLES
