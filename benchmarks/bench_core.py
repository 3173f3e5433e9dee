"""Core figures, each side by side with what users would pick instead, measured in the same run.

* ``%load_ext`` time: disco_magics vs jupyter_ai_magics, each in a fresh IPython process (median of N).
* Store: results recorded per second from one process and from four processes at once (SQLite); opening
  a store with 100,000 results and building the experiment table.
* Statistics: ``disco.measure`` on a 10M-row DataFrame vs the same Welch comparison with statsmodels.
* Notebooks: ``disco run`` wall time of each example.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ONBOARDING = """Trial admins don't invite teammates.
segment: trial admins
metric: invite_rate = share of trials inviting a teammate within 7 days (baseline 0.18)
"""

LOAD_EXT = """
import time, sys
from IPython.testing.globalipapp import get_ipython
ip = get_ipython()
start = time.perf_counter()
ip.run_line_magic("load_ext", {name!r})
print(time.perf_counter() - start)
"""


def load_ext_seconds(name: str, runs: int) -> float | None:
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", LOAD_EXT.format(name=name)], capture_output=True, text=True)
        if out.returncode != 0:
            return None
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


WRITER = """
import sys, time
sys.path.insert(0, {root!r})
from disco_magics.session import Session, Settings
from disco_magics import api
s = Session(settings=Settings(store={store!r}))
n = {n}
api.measure("H1", observed=0.2, n=1000, baseline=0.18, baseline_n=1000, session=s)  # imports outside the timing
start = time.perf_counter()
for i in range(n):
    api.measure("H1", observed=0.2 + (i % 10) / 100, n=1000, baseline=0.18, baseline_n=1000, session=s)
print(time.perf_counter() - start)
"""


def _store_with_hypothesis(folder: Path) -> str:
    from disco_magics import api
    from disco_magics.session import Session, Settings

    store = str(folder / "bench.db")
    s = Session(settings=Settings(store=store))
    api.problem("onboarding", ONBOARDING, session=s)
    api.hypothesis("H1", "A checklist for admins because teams", target=0.25, session=s)
    s.close()
    return store


def store_throughput(n: int, processes: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        store = _store_with_hypothesis(Path(tmp))
        code = WRITER.format(root=str(ROOT), store=store, n=n)
        procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(processes)]
        # Each writer times its own loop (imports excluded); they overlap, so the slowest loop bounds the batch.
        loops = [float(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
        return n * processes / max(loops)


def open_big_store(results: int) -> tuple[float, float]:
    """(seconds to open a store holding ``results`` results, seconds to build the experiment table)."""
    from disco_magics import api
    from disco_magics.session import Session, Settings
    from disco_magics.stats import arm_from_rate, evaluate
    from disco_magics.store.schema import results as results_table

    with tempfile.TemporaryDirectory() as tmp:
        store = _store_with_hypothesis(Path(tmp))
        s = Session(settings=Settings(store=store))
        for i in range(20):  # twenty hypotheses share the results
            api.hypothesis(f"H{i + 2}", "A change for admins because teams", target=0.25, session=s)
        r = evaluate(
            hypothesis="H1",
            metric="invite_rate",
            target=0.25,
            control=arm_from_rate("control", 0.18, 1000),
            treatment=arm_from_rate("treatment", 0.2, 1000),
        )
        data = r.model_dump_json()
        rows = [
            {"problem": "onboarding", "hypothesis": f"H{1 + i % 21}", "look": i + 1, "verdict": r.verdict,
             "data": data, "recorded_at": r.recorded_at}
            for i in range(results)
        ]
        with s.store._write() as c:
            c.execute(results_table.insert(), rows)
        s.close()
        start = time.perf_counter()
        fresh = Session(settings=Settings(store=store))
        fresh.store.counts()
        opened = time.perf_counter() - start
        start = time.perf_counter()
        table = api.experiment_table("onboarding", session=fresh)
        built = time.perf_counter() - start
        assert len(table.rows) == 21
        fresh.close()
        return opened, built


def measure_vs_statsmodels(rows: int, runs: int) -> dict:
    import numpy as np
    import pandas as pd

    from disco_magics import api
    from disco_magics.session import Session, Settings

    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {"variant": np.where(rng.random(rows) < 0.5, "control", "treatment"), "invited": rng.random(rows) < 0.2}
    )
    frame["variant"] = frame["variant"].astype("category")
    ours, peer = [], []
    with tempfile.TemporaryDirectory() as tmp:
        store = _store_with_hypothesis(Path(tmp))
        s = Session(settings=Settings(store=store))
        for _ in range(runs):
            start = time.perf_counter()
            api.measure("H1", data=frame, metric="invited", group="variant", control="control", session=s)
            ours.append(time.perf_counter() - start)
        s.close()
    try:
        from statsmodels.stats.weightstats import CompareMeans, DescrStatsW
    except ImportError:
        return {"ours_s": statistics.median(ours), "statsmodels_s": None}
    for _ in range(runs):
        start = time.perf_counter()
        values = frame["invited"].to_numpy(dtype=float)
        mask = (frame["variant"] == "treatment").to_numpy()
        compare = CompareMeans(DescrStatsW(values[mask]), DescrStatsW(values[~mask]))
        compare.ttest_ind(usevar="unequal")
        compare.tconfint_diff(usevar="unequal")
        peer.append(time.perf_counter() - start)
    return {"ours_s": statistics.median(ours), "statsmodels_s": statistics.median(peer)}


def disco_run_seconds() -> dict:
    out = {}
    for notebook in sorted((ROOT / "examples").glob("*.ipynb")):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            ran = subprocess.run(
                [sys.executable, "-m", "disco_magics.cli", "run", str(notebook), "--no-progress"],
                capture_output=True,
                text=True,
                env={**os.environ, "DISCO_STORE": str(Path(tmp) / "run.db")},
            )
            out[notebook.name] = round(time.perf_counter() - start, 2) if ran.returncode == 0 else None
    return out


def run(smoke: bool = False) -> dict:
    runs = 3 if smoke else 7
    ours = load_ext_seconds("disco_magics", runs)
    peer = load_ext_seconds("jupyter_ai_magics", runs)
    opened, built = open_big_store(2_000 if smoke else 100_000)
    measured = measure_vs_statsmodels(200_000 if smoke else 10_000_000, 2 if smoke else 5)
    figures = {
        "load_ext_disco_ms": round(ours * 1000, 1) if ours else None,
        "load_ext_jupyter_ai_ms": round(peer * 1000, 1) if peer else None,
        "load_ext_ratio": round(peer / ours, 1) if ours and peer else None,
        "store_results_per_s_1_process": round(store_throughput(50 if smoke else 500, 1)),
        "store_results_per_s_4_processes": round(store_throughput(25 if smoke else 500, 4)),
        "store_results_in_big_store": 2_000 if smoke else 100_000,
        "store_open_big_s": round(opened, 3),
        "table_build_big_s": round(built, 3),
        "measure_rows": 200_000 if smoke else 10_000_000,
        "measure_ours_s": round(measured["ours_s"], 3),
        "measure_statsmodels_s": round(measured["statsmodels_s"], 3) if measured["statsmodels_s"] else None,
        "disco_run_s": disco_run_seconds(),
    }
    return figures


if __name__ == "__main__":
    print(json.dumps(run("--smoke" in sys.argv), indent=2))
