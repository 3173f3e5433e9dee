"""%measure where the data lives: the SQL path against DuckDB's own aggregate and the pandas path, one file.

Run ``python benchmarks/bench_sql.py`` (or ``--smoke``). The file is a 2-column Parquet file written by
``%%synth --out`` (``disco_magics.synthetic.write``) of the contract's rehearsal:

    variant: choice(control=0.5, checklist=0.5)
    invited: bernoulli(0.18)
    invited[variant=checklist]: bernoulli(0.27)

200,000,000 rows in the full run (generated once under /tmp and kept there, never committed), 2,000,000 in
smoke mode. Three contenders read the same file, each in a fresh process whose peak resident memory
(``VmHWM``) is reported beside its time (the median of several runs, each a new process; DuckDB's and the SQL
path's runs alternate, so a drifting machine load weighs on both alike):

* **sql**: ``disco.measure("H1", sql="SELECT * FROM 'FILE'", metric="invited", group="variant")`` on a store
  in a temporary folder — the whole ``%measure --sql`` path: the read-only check, the embedded DuckDB, the
  aggregate, the statistics, the stored result.
* **duckdb**: DuckDB's own ``SELECT variant, count(invited), sum(invited::INTEGER) ... GROUP BY variant`` over
  the file (for a 0/1 column the sum of squares is the sum) — the floor the SQL path is measured against
  (goal: within 1.5x), in a process that has imported nothing but DuckDB.
* **pandas**: ``disco.measure("H1", data=pandas.read_parquet(FILE), ...)`` — the ``%measure --data`` path.

``run(smoke)`` returns the figures as a dict for ``benchmarks/run.py``; ``main()`` prints them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SPEC = """\
variant: choice(control=0.5, checklist=0.5)
invited: bernoulli(0.18)
invited[variant=checklist]: bernoulli(0.27)
"""
FULL = {"rows": 200_000_000, "runs": 5, "pandas_runs": 1}
SMOKE = {"rows": 2_000_000, "runs": 2, "pandas_runs": 1}
TARGETS = {"sql_vs_duckdb": 1.5, "sql_peak_mb": 1024}
#: where the full run keeps its file between runs (generating 200M rows takes a minute or two)
CACHE = Path(tempfile.gettempdir()) / "disco-bench-sql"

_PEAK = """
import json, resource, sys, time
sys.path.insert(0, {root!r})


def peak_kb():
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""

_CONTENDERS = {
    "duckdb": """
import duckdb
baseline = peak_kb()
start = time.perf_counter()
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
rows = con.execute(
    "SELECT variant, count(invited), sum(invited::INTEGER) FROM read_parquet(?) GROUP BY variant",
    [{path!r}],
).fetchall()
seconds = time.perf_counter() - start
n = sum(r[1] for r in rows)
""",
    "sql": """
import disco_magics as disco
from disco_magics.session import Session, Settings, set_session
set_session(Session(settings=Settings(store={store!r})))
disco.problem("bench", "Trials do not invite.\\nmetric: invite_rate = share inviting (baseline 0.18)")
disco.hypothesis("H1", "We believe a checklist raises invites from 18% to 25%.", metric="invite_rate", risk="value")
disco.measure("H1", observed=0.2, n=100)  # a warm kernel: statistics loaded, store open
import duckdb, duckdb_engine, sqlalchemy, disco_magics.sources.sql  # imported outside the timing
baseline = peak_kb()
start = time.perf_counter()
result = disco.measure("H1", sql="SELECT * FROM '{path}'", metric="invited", group="variant", control="control")
seconds = time.perf_counter() - start
n = result.control.n + result.treatment.n
""",
    "pandas": """
import disco_magics as disco
import pandas
from disco_magics.session import Session, Settings, set_session
set_session(Session(settings=Settings(store={store!r})))
disco.problem("bench", "Trials do not invite.\\nmetric: invite_rate = share inviting (baseline 0.18)")
disco.hypothesis("H1", "We believe a checklist raises invites from 18% to 25%.", metric="invite_rate", risk="value")
disco.measure("H1", observed=0.2, n=100)  # a warm kernel: statistics loaded, store open
import pyarrow.parquet  # imported outside the timing
baseline = peak_kb()
start = time.perf_counter()
frame = pandas.read_parquet({path!r})
result = disco.measure("H1", data=frame, metric="invited", group="variant", control="control")
seconds = time.perf_counter() - start
n = result.control.n + result.treatment.n
""",
}

_REPORT = """
print(json.dumps({"seconds": seconds, "rows": int(n), "peak_kb": peak_kb(), "baseline_kb": baseline}))
"""


def make_file(rows: int, folder: Path) -> Path:
    """The %%synth file of ``rows`` rows (kept: a later run with the same size reuses it)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"trials-{rows}.parquet"
    if not path.exists():
        from disco_magics.synthetic import write

        write(SPEC, rows, path, seed=7)
    return path


def _contender(name: str, path: Path) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        code = (
            _PEAK.format(root=str(ROOT))
            + _CONTENDERS[name].format(path=str(path), store=str(Path(folder) / "store.db"))
            + _REPORT
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=folder)
    if out.returncode != 0:
        raise RuntimeError(
            f"{name}: {out.stderr.strip().splitlines()[-1] if out.stderr.strip() else out.returncode}"
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _summary(name: str, taken: list[dict], rows: int) -> dict:
    assert all(t["rows"] == rows for t in taken), (name, taken)
    return {
        "seconds": statistics.median(t["seconds"] for t in taken),
        "peak_mb": max(t["peak_kb"] for t in taken) / 1024,
        "import_mb": statistics.median(t["baseline_kb"] for t in taken) / 1024,
    }


def run(smoke: bool = False, folder: Path | None = None) -> dict:
    """Measure the three paths on one file; returns the figures (seconds, MiB, ratios)."""
    sizes = SMOKE if smoke else FULL
    rows = sizes["rows"]
    if folder is None:
        folder = CACHE if not smoke else Path(tempfile.mkdtemp(prefix="disco-bench-sql-"))
    path = make_file(rows, folder)
    file_mb = path.stat().st_size / 1e6
    # DuckDB and the SQL path alternate, run by run, so a machine whose load drifts weighs on both alike
    pairs = [(_contender("duckdb", path), _contender("sql", path)) for _ in range(sizes["runs"])]
    duck = _summary("duckdb", [d for d, _ in pairs], rows)
    sql = _summary("sql", [q for _, q in pairs], rows)
    pandas = _summary("pandas", [_contender("pandas", path) for _ in range(sizes["pandas_runs"])], rows)
    if smoke:
        path.unlink(missing_ok=True)
    return {
        "rows": rows,
        "file_mb": file_mb,
        "duckdb": duck,
        "sql": sql,
        "pandas": pandas,
        "sql_vs_duckdb": sql["seconds"] / duck["seconds"],
        "pandas_vs_sql": pandas["seconds"] / sql["seconds"],
        "pandas_peak_vs_sql_peak": pandas["peak_mb"] / sql["peak_mb"],
        "targets": TARGETS,
        "meets_targets": sql["seconds"] / duck["seconds"] <= TARGETS["sql_vs_duckdb"]
        and sql["peak_mb"] <= TARGETS["sql_peak_mb"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="2M rows instead of 200M")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.smoke), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
