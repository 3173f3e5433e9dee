"""%%synth throughput side by side: our vectorised sampler, mimesis' schema generator, Faker per row.

Run ``python benchmarks/bench_synth.py`` (or ``--smoke`` for a seconds-long check). All three generators
make the contract's example in the same process, one after the other:

    variant: choice(control=0.5, checklist=0.5)
    plan: choice(free=0.7, pro=0.25, team=0.05)
    seats: poisson(3)
    signup_date: date(2026-01-01, 2026-03-31)
    company: fake.company
    invited: bernoulli(0.18)
    invited[variant=checklist]: bernoulli(0.27)

* ours: ``disco_magics.synthetic.sample`` at 1,000,000 rows, median of several runs, each with a new seed and
  an emptied Faker pool cache, so building the ``fake.company`` pool is inside the timing (cold).
* mimesis ``Schema``/``Field`` and Faker one row at a time: the closest equivalents (weighted choice by
  repetition, a uniform 0-10 integer for ``seats``, the override as a conditional probability). Their cost
  per row is constant, so they run on fewer rows (their rates are rows/s all the same), and the timing
  covers generating the list of dicts only — turning it into a DataFrame would only slow them further.
* memory: 10,000,000 rows streamed to Parquet by ``disco_magics.synthetic.write`` in a fresh subprocess; peak
  resident memory is that process' ``VmHWM`` (it includes the interpreter, numpy, pandas and pyarrow,
  whose import-only level is reported beside it). ``resource.getrusage(...).ru_maxrss`` is reported too,
  but on Linux a child inherits its parent's high-water mark across fork/exec, so once this script has
  sampled a million rows that figure mostly measures the parent.

``run(smoke)`` returns the figures as a dict for a benchmark runner; ``main()`` prints a table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SPEC = """\
variant: choice(control=0.5, checklist=0.5)
plan: choice(free=0.7, pro=0.25, team=0.05)
seats: poisson(3)
signup_date: date(2026-01-01, 2026-03-31)
company: fake.company
invited: bernoulli(0.18)
invited[variant=checklist]: bernoulli(0.27)
"""

FULL = {
    "ours_rows": 1_000_000,
    "ours_runs": 5,
    "mimesis_rows": 50_000,
    "faker_rows": 10_000,
    "other_runs": 3,
    "parquet_rows": 10_000_000,
}
SMOKE = {
    "ours_rows": 100_000,
    "ours_runs": 3,
    "mimesis_rows": 2_000,
    "faker_rows": 500,
    "other_runs": 2,
    "parquet_rows": 300_000,
}

TARGETS = {"rows_per_s": 1_000_000, "vs_mimesis": 20, "vs_faker": 100, "parquet_peak_mb": 1024}


def _median_rate(make, rows: int, runs: int) -> float:
    rates = []
    for run in range(runs):
        start = time.perf_counter()
        make(rows, run)
        rates.append(rows / (time.perf_counter() - start))
    return statistics.median(rates)


def _ours(rows: int, run: int) -> None:
    from disco_magics.parse.spec import parse_spec
    from disco_magics.synthetic import sample
    from disco_magics.synthetic.distributions.text import faker_pool

    faker_pool.cache_clear()  # cold: the fake.company pool is built inside the timing
    frame = sample(parse_spec(SPEC), rows, seed=1000 + run)
    assert len(frame) == rows


def _mimesis(rows: int, run: int) -> None:
    from mimesis import Field, Schema
    from mimesis.locales import Locale

    field = Field(Locale.EN, seed=1000 + run)
    coin = random.Random(run)
    plans = ["free"] * 14 + ["pro"] * 5 + ["team"]

    def row() -> dict:
        variant = field("choice", items=["control", "checklist"])
        return {
            "variant": variant,
            "plan": field("choice", items=plans),
            "seats": field("integer_number", start=0, end=10),
            "signup_date": field("date", start=2026, end=2026),
            "company": field("company"),
            "invited": coin.random() < (0.27 if variant == "checklist" else 0.18),
        }

    data = Schema(schema=row, iterations=rows).create()
    assert len(data) == rows


def _faker(rows: int, run: int) -> None:
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(1000 + run)
    variants = OrderedDict([("control", 0.5), ("checklist", 0.5)])
    plans = OrderedDict([("free", 0.7), ("pro", 0.25), ("team", 0.05)])
    start, end = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
    data = []
    for _ in range(rows):
        variant = fake.random_element(variants)
        data.append(
            {
                "variant": variant,
                "plan": fake.random_element(plans),
                "seats": fake.random_int(0, 10),
                "signup_date": fake.date_between(start, end),
                "company": fake.company(),
                "invited": fake.random.random() < (0.27 if variant == "checklist" else 0.18),
            }
        )
    assert len(data) == rows


_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})


def peak_kb():
    # VmHWM: peak RSS of this process image. ru_maxrss is printed too, but on Linux it keeps the
    # high-water mark the parent had when it forked us, so it overstates a small child's peak.
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


import numpy, pandas, pyarrow, pyarrow.parquet
from disco_magics.parse.spec import parse_spec
from disco_magics.synthetic import write
baseline = peak_kb()
seconds, size = 0.0, 0
if {rows} > 0:
    start = time.perf_counter()
    result = write(parse_spec({spec!r}), {rows}, {path!r}, seed=7)
    seconds, size = time.perf_counter() - start, result.bytes
    assert pyarrow.parquet.read_metadata({path!r}).num_rows == {rows}
print(json.dumps({{"baseline_kb": baseline, "peak_kb": peak_kb(), "seconds": seconds, "bytes": size,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
"""


def _parquet(rows: int) -> dict:
    """Peak RSS of a fresh process streaming ``rows`` rows to Parquet."""
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "synth.parquet")
        code = _CHILD.format(root=str(ROOT), rows=rows, spec=SPEC, path=path)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        child = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "parquet_rows": rows,
        "parquet_seconds": child["seconds"],
        "parquet_rows_per_s": rows / child["seconds"],
        "parquet_bytes": child["bytes"],
        "parquet_peak_mb": child["peak_kb"] / 1024,  # KiB on Linux
        "parquet_baseline_mb": child["baseline_kb"] / 1024,
        "parquet_ru_maxrss_mb": child["maxrss_kb"] / 1024,
    }


def run(smoke: bool = False) -> dict:
    """Measure everything once; returns the figures (rates in rows/s, memory in MiB)."""
    sizes = SMOKE if smoke else FULL
    _ours(1_000, 99)  # warm imports (numpy, pandas, pyarrow, Faker) outside every timing
    _mimesis(10, 99)
    _faker(10, 99)
    ours = _median_rate(_ours, sizes["ours_rows"], sizes["ours_runs"])
    mimesis = _median_rate(_mimesis, sizes["mimesis_rows"], sizes["other_runs"])
    faker = _median_rate(_faker, sizes["faker_rows"], sizes["other_runs"])
    figures = {
        "smoke": smoke,
        "sizes": sizes,
        "ours_rows_per_s": ours,
        "mimesis_rows_per_s": mimesis,
        "faker_rows_per_s": faker,
        "vs_mimesis": ours / mimesis,
        "vs_faker": ours / faker,
    }
    figures.update(_parquet(sizes["parquet_rows"]))
    figures["meets"] = {
        "rows_per_s": ours >= TARGETS["rows_per_s"],
        "vs_mimesis": figures["vs_mimesis"] >= TARGETS["vs_mimesis"],
        "vs_faker": figures["vs_faker"] >= TARGETS["vs_faker"],
        "parquet_peak_mb": figures["parquet_peak_mb"] < TARGETS["parquet_peak_mb"],
    }
    return figures


def _table(figures: dict) -> str:
    sizes = figures["sizes"]
    meets = figures["meets"]

    def mark(key: str) -> str:
        return "ok" if meets[key] else "MISSED"

    rows = [
        ("generator", "rows", "rows/s", "vs target"),
        (
            "disco_magics.synthetic.sample",
            f"{sizes['ours_rows']:,}",
            f"{figures['ours_rows_per_s']:,.0f}",
            f">= {TARGETS['rows_per_s']:,}: {mark('rows_per_s')}",
        ),
        (
            "mimesis Schema",
            f"{sizes['mimesis_rows']:,}",
            f"{figures['mimesis_rows_per_s']:,.0f}",
            f"ours {figures['vs_mimesis']:,.0f}x (>= {TARGETS['vs_mimesis']}x: {mark('vs_mimesis')})",
        ),
        (
            "Faker per row",
            f"{sizes['faker_rows']:,}",
            f"{figures['faker_rows_per_s']:,.0f}",
            f"ours {figures['vs_faker']:,.0f}x (>= {TARGETS['vs_faker']}x: {mark('vs_faker')})",
        ),
        (
            "synth.write -> Parquet",
            f"{figures['parquet_rows']:,}",
            f"{figures['parquet_rows_per_s']:,.0f}",
            f"peak {figures['parquet_peak_mb']:,.0f} MiB (imports alone {figures['parquet_baseline_mb']:,.0f}; "
            f"< {TARGETS['parquet_peak_mb']} MiB: {mark('parquet_peak_mb')})",
        ),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes: checks the script in seconds")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON as well")
    args = parser.parse_args(argv)
    figures = run(smoke=args.smoke)
    print(_table(figures))
    if args.json:
        print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
