"""Run every benchmark and write benchmarks/RESULTS.md: the machine, the versions, each figure with its peer.

    python benchmarks/run.py            # full sizes (minutes); writes benchmarks/RESULTS.md
    python benchmarks/run.py --smoke    # small sizes (CI runs this so the benchmarks never rot)

Peers are installed from benchmarks/requirements.txt, never by the package.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

MODULES = ("bench_core", "bench_stats", "bench_synth", "bench_table", "bench_portfolio", "bench_llm", "bench_sql")
VERSIONS = ("disco-magics", "ipython", "numpy", "pandas", "scipy", "sqlalchemy", "pydantic", "faker", "mimesis",
            "jupyter-ai-magics", "statsmodels", "instructor", "openai", "anywidget", "pyarrow", "duckdb",
            "duckdb-engine")


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def _rows(prefix: str, value) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [row for key, inner in value.items() for row in _rows(f"{prefix}.{key}" if prefix else key, inner)]
    if isinstance(value, float):
        return [(prefix, f"{value:,.4g}")]
    if isinstance(value, int) and not isinstance(value, bool):
        return [(prefix, f"{value:,}")]
    return [(prefix, str(value))]


def markdown(results: dict, smoke: bool) -> str:
    lines = ["# Benchmark results", ""]
    lines.append(f"Mode: {'smoke (small sizes: a check that the benchmarks run, not figures)' if smoke else 'full'}. "
                 "Figures are medians of several runs; each ratio compares two figures measured in the same run.")
    lines += ["", "## Machine", ""]
    lines += [f"- {k}: {v}" for k, v in results["machine"].items()]
    lines += ["", "## Versions", ""]
    lines += [f"- {k}: {v}" for k, v in results["versions"].items()]
    for name, figures in results["benchmarks"].items():
        lines += ["", f"## {name}", "", "| figure | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in _rows("", figures)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes, seconds to a few minutes")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md", help="where to write the results")
    parser.add_argument("--only", nargs="*", choices=MODULES, help="run only these benchmark modules")
    args = parser.parse_args(argv)
    results = {"machine": machine(), "versions": {n: _version(n) for n in VERSIONS}, "benchmarks": {}}
    failed = []
    for name in args.only or MODULES:
        started = time.perf_counter()
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            results["benchmarks"][name] = {"skipped": f"not available: {err.name}"}
            continue
        try:
            figures = module.run(smoke=args.smoke)
        except Exception as err:  # a broken benchmark must be seen, and fail the run
            failed.append(name)
            figures = {"error": f"{type(err).__name__}: {err}"}
        figures["benchmark_seconds"] = round(time.perf_counter() - started, 1)
        results["benchmarks"][name] = figures
        print(f"{name}: {json.dumps(figures)}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown(results, args.smoke))
    print(f"wrote {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
