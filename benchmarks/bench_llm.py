"""LLM layer: a batch runs concurrently, and a cache hit is nearly free.

8 structured calls against a loopback OpenAI-compatible server that answers each after 500 ms, made one
after another (``generate`` in a loop) and then together (``generate_many``, concurrency 8); then the time
of a cache hit (``generate`` on a recorded call). Targets: concurrent at least 5x faster; a hit under 5 ms.

    python benchmarks/bench_llm.py [--smoke]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the loopback server lives with the tests

from pydantic import BaseModel, Field  # noqa: E402

from disco_magics.llm import Task, generate, generate_many  # noqa: E402
from disco_magics.session import Session, Settings  # noqa: E402
from tests.llm_servers import FaultServer, ok  # noqa: E402

CALLS = 8
SERVER_DELAY_S = 0.5
ANSWER = {"title": "Guided checklist", "points": ["invite a teammate", "share a dashboard"]}


class Card(BaseModel):
    title: str = Field(max_length=80)
    points: list[str] = Field(default_factory=list, max_length=5)


def task(n: int) -> Task:
    return Task(
        name="bench_card",
        response_model=Card,
        system="You write learning cards.",
        instructions="Summarise the result.",
        data={"hypothesis": f"H{n}", "observed": 0.27, "target": 0.30},
        max_tokens=128,
    )


def run(smoke: bool = False) -> dict:
    """Measure; ``smoke`` only shortens the cache-hit sampling (the 8-call comparison is always made)."""
    hit_samples = 50 if smoke else 500
    with tempfile.TemporaryDirectory() as folder, FaultServer(answer=ANSWER) as server:
        server.play(ok(ANSWER, delay=SERVER_DELAY_S))
        session = Session(
            settings=Settings(
                provider="openai",
                model="bench-model",
                base_url=server.url,
                store=str(Path(folder) / "store.db"),
                llm_cache="off",
                deadline=30.0,
                concurrency=CALLS,
            )
        )
        generate(session, task(-1))  # warm-up: imports, first connection

        start = time.perf_counter()
        for n in range(CALLS):
            generate(session, task(n))
        serial = time.perf_counter() - start

        start = time.perf_counter()
        made = generate_many(session, [task(n) for n in range(CALLS)], progress=False)
        concurrent = time.perf_counter() - start
        assert all(m.value.title == ANSWER["title"] for m in made)

        session.settings.llm_cache = "record"
        generate(session, task(1000))  # recorded
        hits = []
        for _ in range(hit_samples):
            start = time.perf_counter()
            replayed = generate(session, task(1000))
            hits.append(time.perf_counter() - start)
            assert replayed.provenance.cache_hit
        requests = len(server.requests)

    speedup = serial / concurrent
    hit_ms = statistics.median(hits) * 1000
    return {
        "calls": CALLS,
        "server_delay_s": SERVER_DELAY_S,
        "serial_s": round(serial, 3),
        "concurrent_s": round(concurrent, 3),
        "speedup": round(speedup, 2),
        "cache_hit_ms_median": round(hit_ms, 3),
        "cache_hit_ms_p95": round(sorted(hits)[int(0.95 * (len(hits) - 1))] * 1000, 3),
        "cache_hit_samples": hit_samples,
        "requests": requests,
        "ok": speedup >= 5 and hit_ms < 5,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="fewer cache-hit samples")
    result = run(smoke=parser.parse_args(argv).smoke)
    print(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
