"""The team portfolio at scale: 10,000 hypotheses read from one store and served by the server extension.

    python benchmarks/bench_portfolio.py            # 10,000 hypotheses in 50 problems
    python benchmarks/bench_portfolio.py --smoke    # 1,000 hypotheses

Budget: the portfolio of 10,000 hypotheses served in under 300 ms after a teammate changed the store
(``served_after_a_change_ms``: a decision recorded, then the request: every row re-read, one re-validated).
Also: ``served_first_ms``, the first request of a server (every row validated); ``served_unchanged_ms``, the
panel's poll when nothing changed (answered from the cache); ``served_unchanged_304_ms``, the same with the
ETag the panel sends (answered 304 without a body). ``load_average`` is the machine's 1-minute load when the run ended. ``build_ms`` is ``api.portfolio`` alone; its peer is the experiment
table of every problem (``api.experiment_table(all=True)``) on the same store, which reads the same rows.
Not a timed test: run it and read the figures.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SERVED_BUDGET_MS = 300.0


def fill_store(path: Path, hypotheses: int, problems: int = 50) -> None:
    """A store with ``hypotheses`` hypotheses over ``problems`` problems; one in three measured, one in
    ten decided; all with provenance. Written in one transaction (the api's one-per-call is not the point)."""
    from sqlalchemy import insert

    from disco_magics import api
    from disco_magics.model import Decision, Hypothesis, Origin, Problem
    from disco_magics.model.problem import Metric
    from disco_magics.session import Session, Settings
    from disco_magics.store import Store, schema

    # one real measured result to copy: the statistics are not what is measured here
    seed = Session(settings=Settings(store=str(path.parent / "seed.db")))
    api.problem("seed", "x\nmetric: invite_rate = share (baseline 0.18)", session=seed)
    api.hypothesis("H1", "We believe x.", metric="invite_rate", target=0.25, session=seed)
    result = api.measure("H1", observed=0.27, n=2400, baseline_n=2400, session=seed)
    seed.close()

    store = Store(str(path))
    per = hypotheses // problems
    now = result.recorded_at
    with store._write() as c:
        for p in range(problems):
            name = f"problem_{p:03d}"
            origin = Origin(notebook=f"/team/notebooks/{name}.ipynb", cell=f"cell-{p}")
            problem = Problem(
                name=name,
                statement=f"Problem {p}: trial admins do not invite teammates.",
                metrics=[Metric(name="invite_rate", baseline=0.18)],
                origin=origin,
            )
            c.execute(insert(schema.problems).values(name=name, data=problem.model_dump_json(), updated_at=now))
            rows, results, decisions = [], [], []
            for i in range(per):
                hid = f"H{i + 1}"
                status = "validated" if i % 3 == 0 else "draft"
                h = Hypothesis(
                    id=hid, problem=name, statement=f"We believe change {i} lifts invites for segment {p}.",
                    metric="invite_rate", target=0.25, baseline=0.18, risk="value", status=status, origin=origin,
                )
                rows.append(dict(problem=name, id=hid, status=status, data=h.model_dump_json(), updated_at=now))
                if i % 3 == 0:
                    r = result.model_copy(update={"hypothesis": hid, "origin": origin})
                    results.append(dict(problem=name, hypothesis=hid, look=1, verdict=r.verdict,
                                        data=r.model_dump_json(), recorded_at=now))
                if i % 10 == 0:
                    d = Decision(hypothesis=hid, decision="persevere", learning="admins invite", origin=origin)
                    decisions.append(dict(problem=name, hypothesis=hid, data=d.model_dump_json(), decided_at=now))
            c.execute(insert(schema.hypotheses), rows)
            if results:
                c.execute(insert(schema.results), results)
            if decisions:
                c.execute(insert(schema.decisions), decisions)
    store.close()


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _get(url: str, token: str, etag: str | None = None) -> bytes:
    headers = {"Authorization": f"token {token}", **({"If-None-Match": etag} if etag else {})}
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read()
    except urllib.error.HTTPError as err:
        if err.code == 304:  # what the panel's poll gets while nothing changed
            return b""
        raise


def _etag(url: str, token: str) -> str:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.headers["ETag"]


def run(smoke: bool = False) -> dict:
    from disco_magics import api
    from disco_magics.session import Session, Settings

    n = 1_000 if smoke else 10_000
    runs = 3 if smoke else 7
    with tempfile.TemporaryDirectory(prefix="disco-portfolio-") as folder:
        root = Path(folder) / "root"
        store = root / ".disco" / "discovery.db"
        store.parent.mkdir(parents=True)
        fill_store(store, n)
        build_ms = _median_ms(lambda: api.portfolio(str(store), root=root), runs)
        session = Session(settings=Settings(store=str(store)))
        table_ms = _median_ms(lambda: api.experiment_table(all=True, session=session), runs)
        session.close()
        served = _served(root, store, runs)
    figures = {
        "hypotheses": n,
        "build_ms": round(build_ms, 1),
        "experiment_table_all_ms": round(table_ms, 1),
        "build_vs_experiment_table": round(build_ms / table_ms, 2),
        **served,
        "served_budget_ms": SERVED_BUDGET_MS,
        "load_average": round(os.getloadavg()[0], 1),
    }
    figures["served_after_a_change_within_budget"] = figures["served_after_a_change_ms"] < SERVED_BUDGET_MS
    return figures


def _served(root: Path, store: Path, runs: int) -> dict:
    """The real server: the first request after each change of the store, and polls of an unchanged one."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from disco_magics import api
    from disco_magics.session import Session, Settings
    from tests.browser import start_jupyter_lab, stop_jupyter_lab

    home = root.parent / "home"
    home.mkdir()
    lab = start_jupyter_lab(root, home)
    url = f"{lab.url}disco-magics/portfolio"
    session = Session(settings=Settings(store=str(store)))
    try:
        started = time.perf_counter()
        body = _get(url, lab.token)  # the first request: every row validated
        first = (time.perf_counter() - started) * 1000
        changed = []
        for i in range(runs):
            # a teammate's decision lands in the store: the next request re-reads it, re-validates one row
            api.decide(f"H{i + 2}", "iterate", learning=f"look {i}", problem="problem_000", session=session)
            started = time.perf_counter()
            body = _get(url, lab.token)
            changed.append((time.perf_counter() - started) * 1000)
        unchanged = _median_ms(lambda: _get(url, lab.token), runs * 3)
        etag = _etag(url, lab.token)
        not_modified = _median_ms(lambda: _get(url, lab.token, etag), runs * 3)
    finally:
        session.close()
        stop_jupyter_lab(lab)
    served = sum(len(p["hypotheses"]) for p in json.loads(body)["problems"])
    return {
        "served_hypotheses": served,
        "served_first_ms": round(first, 1),
        "served_after_a_change_ms": round(statistics.median(changed), 1),
        "served_unchanged_ms": round(unchanged, 1),
        "served_unchanged_304_ms": round(not_modified, 1),
        "response_kb": round(len(body) / 1024),
    }


if __name__ == "__main__":
    print(json.dumps(run("--smoke" in sys.argv), indent=2))
