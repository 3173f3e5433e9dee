"""Spike (feasibility risk): do the riskiest technical step for real, many times, and count what works."""

from __future__ import annotations

import textwrap

from ...model.prototype import PrototypeEvent, PrototypeFile, ScriptDraft
from . import OFFLINE_NOTICE, Context, docstring_text, fill, py

KIND = "spike"
WHERE = "script"
DEFAULT_FOR = ("feasibility",)
PURPOSE = "whether the change can be built within its limits: a script does the hardest step for real"

CODE = '''"""Spike for {{id_text}}: can we build {{change_text}}?

{{notice}}.
It tests {{tests_text}}
Each trial is one run of candidate(); it logs attempted, then succeeded (within the time budget and without
an error) or failed. Replace candidate() with the riskiest step of the real thing, done for real.

In a notebook: runpy.run_path("spike.py")["run"](). From a terminal: python spike.py [TRIALS]
Events go to the disco store; %measure {{id_text}} --events turns them into a result.
"""

import random
import sys
import time
import uuid

import disco_magics

HYPOTHESIS = {{id}}
PROBLEM = {{problem}}
CHANGE = {{change}}
BUDGET_SECONDS = 0.5  # the most one attempt may take and still count as feasible


def candidate():
    """The riskiest technical step. A stand-in: replace it with the real work (an API call, a query...)."""
    values = [random.random() for _ in range(50_000)]
    values.sort()
    return values[len(values) // 2]


def run(trials=20, variant=None):
    """Run candidate() ``trials`` times; each trial is one 'user' of the metric. Returns a summary."""
    batch = uuid.uuid4().hex[:8]
    succeeded, errors, seconds = 0, [], []
    for number in range(trials):
        trial = f"trial-{batch}-{number}"

        def track(event, value=None, trial=trial):
            disco_magics.track(HYPOTHESIS, event, user=trial, variant=variant, value=value, problem=PROBLEM)

        track("attempted")
        started = time.perf_counter()
        try:
            candidate()
            ok = True
        except Exception as err:  # a failed attempt is data, not a crash
            ok = False
            errors.append(f"{type(err).__name__}: {err}")
        elapsed = time.perf_counter() - started
        seconds.append(elapsed)
        if ok and elapsed <= BUDGET_SECONDS:
            succeeded += 1
            track("succeeded", value=round(elapsed, 4))
        else:
            track("failed", value=round(elapsed, 4))
    slowest = max(seconds) if seconds else 0.0
    summary = {"trials": trials, "succeeded": succeeded, "slowest_seconds": round(slowest, 4),
               "errors": errors[:5]}
    print(f"{CHANGE}: {succeeded}/{trials} trials within {BUDGET_SECONDS}s (slowest {slowest:.3f}s)")
    return summary


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
'''


def draft(ctx: Context) -> ScriptDraft:
    tests = (
        f"whether {ctx.change} can be built within its limits: the share of attempts that succeed within the "
        f"time budget stands for {ctx.move}"
    )
    code = fill(
        CODE,
        id_text=ctx.hypothesis,
        change_text=docstring_text(ctx.change),
        notice=OFFLINE_NOTICE[:1].upper() + OFFLINE_NOTICE[1:],
        tests_text=textwrap.fill(docstring_text(tests).rstrip(".") + ".", 100),
        id=py(ctx.hypothesis),
        problem=py(ctx.problem),
        change=py(ctx.title),
    )
    return ScriptDraft(
        title=f"Spike: {ctx.title}"[:120],
        summary=(
            f"A script tries the riskiest step of {ctx.change} many times against a time budget. The step "
            "is a stand-in until you replace candidate() with the real work."
        ),
        tests=tests,
        files=[PrototypeFile(path="spike.py", language="python", content=code)],
        entry="spike.py",
        run=(
            "Replace candidate() in spike.py with the real step, then run the inserted cell or "
            f"`python spike.py 50` in the prototype folder. Then: %measure {ctx.hypothesis} --events. "
            f"({OFFLINE_NOTICE}.)"
        ),
        events=[
            PrototypeEvent(name="attempted", description="one trial started"),
            PrototypeEvent(name="succeeded", description="the trial worked within the budget (value: s)"),
            PrototypeEvent(name="failed", description="the trial failed or was too slow (value: s)"),
        ],
        exposure_event="attempted",
        conversion_event="succeeded",
    )
