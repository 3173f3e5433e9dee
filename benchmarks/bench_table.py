"""Experiment table performance: building a big live table, and a result reaching a displayed table.

    python benchmarks/bench_table.py            # 1,000 hypotheses (and a 50-row table)
    python benchmarks/bench_table.py --smoke    # 100 hypotheses, a few repeats

Outside a kernel nothing is sent anywhere, so the benchmark stands in for the kernel's wire: the widget's
comm and the display publisher JSON-encode every message, as ipykernel does before sending it. Budgets:
building the table of 1,000 hypotheses (widget state included) under 1 s; recording a result and
refreshing a displayed table under 50 ms; one such update at most 300 KB on the wire (from 200 rows the
static copy is lean and its rows travel once, in the HTML: see ``display.table.table_html``). Not a timed test: run it and read the figures.

A result recorded between cells (or a decision saved in the widget) updates the widget and republishes
the static copy at once: ``record_and_refresh_ms``. Inside a running cell the widget updates at once
(``record_and_refresh_in_cell_ms``) and the static copy is republished once when the cell ends
(``republish_at_cell_end_ms``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BUILD_BUDGET_S = 1.0
REFRESH_BUDGET_MS = 50.0
#: one update of a 1,000-row table (widget patch + the republished static copy) on the wire
UPDATE_BYTES_BUDGET = 300_000


class Wire:
    """Counts and JSON-encodes what would go to the frontend (comm messages and display data); ``parts``
    splits the bytes by what carried them: the widget's comm, and each mime type of the display."""

    def __init__(self) -> None:
        self.messages = 0
        self.bytes = 0
        self.parts: dict[str, int] = {}

    def send(self, message: dict[str, Any], part: str = "comm") -> None:
        size = len(json.dumps(message, ensure_ascii=False, default=str).encode())
        self.bytes += size
        self.parts[part] = self.parts.get(part, 0) + size
        self.messages += 1

    def publish(self, data: dict, metadata: dict, display_id: str, update: bool) -> None:
        for mime, value in data.items():  # what each representation costs (the envelope is tiny)
            self.parts[mime] = self.parts.get(mime, 0) + len(json.dumps(value, ensure_ascii=False).encode())
        self.send(
            {"data": data, "metadata": metadata, "transient": {"display_id": display_id}, "update": update},
            part="display",
        )


def _install_wire(wire: Wire):
    """Route widget comms through ``wire``; returns the function that puts the original back."""
    import comm
    from comm.base_comm import BaseComm

    class WireComm(BaseComm):
        def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
            wire.send({"msg_type": msg_type, "data": data, "metadata": metadata or {}})

    original = comm.create_comm
    comm.create_comm = lambda *args, **kwargs: WireComm(*args, **kwargs)

    def restore() -> None:
        comm.create_comm = original

    return restore


def _seed(session, count: int) -> None:
    """``count`` hypotheses on one problem; every other one has a result, every fourth a decision."""
    from disco_magics import api
    from disco_magics.model import ArmStats, Decision
    from disco_magics.parse.cells import parse_hypothesis
    from disco_magics.stats import evaluate

    api.problem(
        "onboarding",
        "Trial admins stall.\nmetric: invite_rate = share of trials inviting a teammate (baseline 0.18)",
        session=session,
    )
    owner = session.store.problem("onboarding")
    store = session.store
    for i in range(count):
        h = parse_hypothesis(
            f"H{i}",
            f"Change number {i} for trial admins will raise invite_rate because admins need help #{i}",
            owner,
            metric="invite_rate",
            target=0.25,
            risk=("value", "usability", "feasibility", "viability")[i % 4],
        )
        store.save_hypothesis(h)
        if i % 2 == 0:
            store.add_result("onboarding", _result(f"H{i}", 0.18 + (i % 7) * 0.01), status="running")
        if i % 4 == 0:
            store.add_decision(
                "onboarding", Decision(hypothesis=f"H{i}", decision="iterate", learning=f"note {i}")
            )
    del ArmStats, evaluate  # imported above only to fail early when the stats package is missing


def _result(hypothesis_id: str, treatment_rate: float, n: int = 2400):
    from disco_magics.model import ArmStats
    from disco_magics.stats import evaluate

    def arm(name: str, rate: float) -> ArmStats:
        total = round(rate * n)
        return ArmStats(name=name, kind="proportion", n=n, sum=total, sum_squares=total)

    return evaluate(
        hypothesis=hypothesis_id,
        metric="invite_rate",
        target=0.25,
        control=arm("control", 0.18),
        treatment=arm("checklist", treatment_rate),
        baseline=0.18,
    )


def _build(session, wire: Wire, problem: str):
    from disco_magics.widgets import LiveExperimentTable

    start = time.perf_counter()
    table = LiveExperimentTable(problem, session=session, publish=wire.publish)
    table.show()
    return table, time.perf_counter() - start


def _record_and_refresh(
    session, tables, repeats: int, hypothesis_id: str, in_cell: bool = False
) -> list[float]:
    """Milliseconds from "store a result" to "every displayed table updated" (and republished, unless
    ``in_cell``: then the republishing waits for the end of the cell, as in a kernel)."""
    from disco_magics.widgets import live

    if in_cell:
        live._RUNNING_CELL.set()
    timings = []
    for look in range(repeats):
        result = _result(hypothesis_id, 0.20 + (look % 5) * 0.01)
        start = time.perf_counter()
        session.store.add_result("onboarding", result, status=result.verdict)
        session.notify("result", result)
        timings.append((time.perf_counter() - start) * 1000)
    live._RUNNING_CELL.clear()
    for table in tables:
        assert table.widget.rows[0]["observed"] == result.observed, "the table did not refresh"
    return timings


def run(smoke: bool = False) -> dict[str, Any]:
    """Run the benchmark; returns the figures (times in ms unless the key says s)."""
    sizes = (100,) if smoke else (1000, 50)
    repeats = 5 if smoke else 30
    wire = Wire()
    restore = _install_wire(wire)
    figures: dict[str, Any] = {
        "smoke": smoke,
        "budget_build_s": BUILD_BUDGET_S,
        "budget_refresh_ms": REFRESH_BUDGET_MS,
        "budget_bytes_per_update": UPDATE_BYTES_BUDGET,
    }
    try:
        _measure(figures, sizes, repeats, wire)
    finally:
        restore()
    return figures


def _measure(figures: dict[str, Any], sizes: tuple[int, ...], repeats: int, wire: Wire) -> None:
    from disco_magics.model import ExperimentTable
    from disco_magics.session import Session, Settings

    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            session = Session(settings=Settings(store=str(Path(tmp) / f"bench-{size}.db")))
            try:
                seed_start = time.perf_counter()
                _seed(session, size)
                seed_s = time.perf_counter() - seed_start

                builds = []
                for _ in range(1 if repeats < 10 else 3):
                    table, seconds = _build(session, wire, "onboarding")
                    builds.append(seconds)
                    table.close()
                bytes_before = wire.bytes
                table, _ = _build(session, wire, "onboarding")
                state_bytes = wire.bytes - bytes_before

                before, parts_before = (wire.bytes, wire.messages), dict(wire.parts)
                refresh = _record_and_refresh(session, [table], repeats, "H0")
                per_update = (wire.bytes - before[0]) / repeats
                per_update_parts = {
                    part: int((wire.parts[part] - parts_before.get(part, 0)) / repeats)
                    for part in ("comm", "text/html", ExperimentTable.media_type(), "text/plain")
                }

                in_cell = _record_and_refresh(session, [table], repeats, "H0", in_cell=True)
                start = time.perf_counter()
                from disco_magics.widgets import flush_stale_tables

                flush_stale_tables()
                cell_end_ms = (time.perf_counter() - start) * 1000

                # the same with a second table (all problems) on screen
                both = _build(session, wire, None)[0]
                refresh_two = _record_and_refresh(session, [table, both], repeats, "H0")
                table.close()
                both.close()
            finally:
                session.close()
            figures[f"rows_{size}"] = {
                "seed_s": round(seed_s, 2),
                "build_s_median": round(statistics.median(builds), 3),
                "build_s_max": round(max(builds), 3),
                "widget_and_display_bytes": state_bytes,
                "record_and_refresh_ms_median": round(statistics.median(refresh), 1),
                "record_and_refresh_ms_p95": round(_p95(refresh), 1),
                "record_and_refresh_in_cell_ms_median": round(statistics.median(in_cell), 1),
                "record_and_refresh_in_cell_ms_p95": round(_p95(in_cell), 1),
                "republish_at_cell_end_ms": round(cell_end_ms, 1),
                "record_and_refresh_two_tables_ms_median": round(statistics.median(refresh_two), 1),
                "bytes_per_update": int(per_update),
                "bytes_per_update_widget_comm": per_update_parts["comm"],
                "bytes_per_update_static_html": per_update_parts["text/html"],
                "bytes_per_update_table_json": per_update_parts[ExperimentTable.media_type()],
                "bytes_per_update_text": per_update_parts["text/plain"],
                "build_within_budget": statistics.median(builds) < BUILD_BUDGET_S,
                "refresh_within_budget": statistics.median(refresh) < REFRESH_BUDGET_MS,
                "refresh_in_cell_within_budget": statistics.median(in_cell) < REFRESH_BUDGET_MS,
                "bytes_per_update_within_budget": per_update <= UPDATE_BYTES_BUDGET,
            }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes, few repeats (seconds)")
    args = parser.parse_args(argv)
    print(json.dumps(run(smoke=args.smoke), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
