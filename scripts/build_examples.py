"""Write the example discovery notebooks from their story (cells below), then run them to store outputs.

    python scripts/build_examples.py            # write and execute every example (outputs saved in place)
    python scripts/build_examples.py --no-run   # write only

The notebooks in examples/ are the product's front window and nbval's test cases: edit the stories here,
then rebuild, so their stored outputs always come from a real run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

ONBOARDING = [
    ("md", """# Onboarding activation — a value-risk hypothesis, rehearsed then measured

**Acme Dashboards** sells a team analytics product with a 30-day trial. Most trials are started by one admin
who never brings a teammate in — and trials without a second user almost never convert.

This notebook walks the discovery loop for that problem: state it with its leading indicators, frame a
falsifiable hypothesis, rehearse the analysis on synthetic data with a planted effect (and check the test's
power), then measure the real experiment and decide."""),
    ("code", "%load_ext disco_magics"),
    ("md", """## 1. The problem and its leading indicators

The statement comes first, in the customer's terms. Then the metrics that move *before* revenue does:
if admins invite a teammate in week one, conversion follows weeks later."""),
    ("code", """%%problem onboarding
Trial admins don't reach a first shared dashboard, so most trials never invite a
teammate and few convert.
segment: trial admins at companies with 10-200 employees
metric: invite_rate = share of trials inviting a teammate within 7 days (baseline 0.18)
metric: paid_rate = share of trials converting to paid within 30 days (baseline 0.06)
constraint: no pricing changes this quarter"""),
    ("md", """## 2. A falsifiable hypothesis

What we change, for whom, which metric moves, to what target — and *because*. The card lints it for
testability."""),
    ("code", """%%hypothesis H1 --metric invite_rate --target 0.25 --risk value
We believe a guided onboarding checklist for new trial admins will raise the share
who invite a teammate within 7 days from 18% to 25%, because admins don't see that
the product is built for teams."""),
    ("md", """## 3. Rehearse on synthetic data

Before a single user sees the checklist, we design the data the experiment will produce — with the effect we
hope for planted in it — and run the exact analysis we plan to run. The spec is sampled locally, seeded, so
the rehearsal is reproducible."""),
    ("code", """%%synth rehearsal --rows 4000 --seed 7 --for H1
variant: choice(control=0.5, checklist=0.5)
plan: choice(free=0.7, pro=0.25, team=0.05)
seats: poisson(3)
signup_date: date(2026-01-01, 2026-03-31)
company: fake.company
invited: bernoulli(0.18)
invited[variant=checklist]: bernoulli(0.27)"""),
    ("md", """How often would our planned test cry wolf, and how often would it catch the effect? `%simulate` samples
the linked spec hundreds of times with and without the planted effect."""),
    ("code", "%simulate H1 --rows 4000 --runs 300 --seed 1"),
    ("md", """## 4. Measure the real experiment

The checklist shipped to half of new trials for two weeks. The export lands as a CSV (here produced by the
same generator with another seed, so this notebook runs anywhere)."""),
    ("code", """%%synth export --rows 6000 --seed 11 --out data/onboarding_export.csv
variant: choice(control=0.5, checklist=0.5)
invited: bernoulli(0.18)
invited[variant=checklist]: bernoulli(0.28)"""),
    ("code", """import pandas as pd

trials = pd.read_csv("data/onboarding_export.csv")
trials.groupby("variant")["invited"].agg(["count", "mean"])"""),
    ("code", "%measure H1 --data trials --metric invited --group variant --control control"),
    ("md", """## 5. Decide, and write down what we learned

Evidence, not opinions: the checklist moved the leading indicator past the target. We persevere — and say
why, so the learning outlives this notebook."""),
    ("code", """import disco_magics as disco

disco.decide("H1", "persevere", learning="Admins invite when the product shows them it is built for teams.")"""),
    ("code", "%experiments"),
    ("code", "%disco report"),
]

STORIES = {"01-onboarding-activation.ipynb": ONBOARDING}


def build(name: str, cells) -> Path:
    notebook = nbformat.v4.new_notebook()
    for kind, text in cells:
        cell = nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
        notebook.cells.append(cell)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    path = EXAMPLES / name
    nbformat.write(notebook, path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-run", action="store_true")
    parser.add_argument("names", nargs="*", help="only these notebooks")
    args = parser.parse_args()
    EXAMPLES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DISCO_STORE": str(Path(tmp) / "examples.db")}
        for name, cells in STORIES.items():
            if args.names and name not in args.names:
                continue
            path = build(name, cells)
            print(f"wrote {path}")
            if not args.no_run:
                subprocess.run(
                    [sys.executable, "-m", "disco_magics.cli", "run", str(path), "--inplace", "--no-progress"],
                    check=True,
                    env=env,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
