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
    ("md", """The rehearsal: the exact `%measure` we will run on the real export, on the synthetic frame. The tool knows
it made this data, so the card is labelled **rehearsal** — what the analysis would say with the effect we
planted — and H1 stays a draft: our own assumptions are never evidence."""),
    ("code", "%measure H1 --data rehearsal --metric invited --group variant --control control"),
    ("md", """How often would our planned test cry wolf, and how often would it catch the effect? `%simulate` samples
the linked spec hundreds of times with and without the planted effect."""),
    ("code", "%simulate H1 --rows 4000 --runs 300 --seed 1"),
    ("md", """## 4. Measure the real experiment

The checklist shipped to half of new trials for two weeks. Analytics exports one row per trial: its arm and
whether the admin invited a teammate within 7 days. This example ships a small example export,
`examples/data/onboarding_export.csv` (made once by `scripts/make_example_data.py`, outside this notebook);
in your project it is your product's export."""),
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

PRICING = [
    ("md", """# Pricing page fake door — a viability-risk hypothesis, invalidated

Free teams on **Acme Dashboards** hit the three-dashboard limit and leave instead of upgrading. Sales is sure
a **Team plan at $49 / month** would convert them. Before anyone builds billing for it, we test whether people
would *pay* — the viability risk — with the thinnest prototype there is: a pricing page whose button
records the click and says "coming soon"."""),
    ("code", "%load_ext disco_magics"),
    ("code", """%%problem pricing
Free teams hit the three-dashboard limit and churn instead of upgrading, because
the only paid plan is priced for companies, not teams.
segment: free workspaces with 3+ members that hit the dashboard limit
metric: upgrade_rate = share of pricing-page visitors who click "Start Team plan" (baseline 0.04)
constraint: no billing changes until the plan is validated"""),
    ("code", """%%hypothesis H1 --metric upgrade_rate --target 0.08 --risk viability
We believe a Team plan at $49 / month for free teams that hit the dashboard limit
will double the share of pricing-page visitors who click to upgrade, from 4% to 8%,
because these teams already collaborate and the limit blocks them."""),
    ("md", """## The thinnest prototype

`%prototype` drafts it — through the configured LLM, or, with none configured, from the tool's own templates
filled with the hypothesis' words (it says so). The files land in `prototypes/H1/`; the code that launches the
page is inserted as the next cell, **never run by the tool**. The page logs `exposed` when a visitor sees it
and `clicked_buy` on the button: the two events that define `upgrade_rate`."""),
    ("code", "%prototype H1"),
    ("md", """For real visitors, `disco serve H1 --host 0.0.0.0` serves the page and collects its events. Here we
replay last week's visits to the page (1,500 visitors from the access log) into the store, exactly as the
page's event endpoint would record them."""),
    ("code", """import numpy as np
import disco_magics as disco

rng = np.random.default_rng(2026)
for visitor in range(1500):
    user = f"visitor-{visitor}"
    disco.track("H1", "exposed", user=user)
    if rng.random() < 0.035:
        disco.track("H1", "clicked_buy", user=user)"""),
    ("code", "%measure H1 --events"),
    ("md", """The click rate stayed near the old baseline, and its confidence interval stays well below the 8% target:
at $49 these teams would not upgrade. We kill this plan — cheaply, before billing work started — and write
down what we learned."""),
    ("code", """disco.decide("H1", "kill", learning="At $49/month free teams don't click to upgrade; price is not the only blocker.")"""),
    ("code", "%experiments"),
]

SPIKE = [
    ("md", """# Feasibility spike — inconclusive, so we iterate

Admins drop off while building their first dashboard. The idea: **generate a starter dashboard from the CSV
they upload**. The riskiest part is feasibility — can we infer useful charts from arbitrary CSVs quickly
enough? A spike answers that before a full build, and a small pilot tells us whether it moves activation."""),
    ("code", "%load_ext disco_magics"),
    ("code", """%%problem first-dashboard
New admins abandon the empty dashboard editor before they build anything, so they
never see their own data in the product.
segment: new workspace admins in their first session
metric: first_dashboard_rate = share of new admins who save a dashboard in their first session (baseline 0.30)"""),
    ("code", """%%hypothesis H1 --metric first_dashboard_rate --target 0.40 --risk feasibility
We believe generating a starter dashboard from the admin's first CSV upload will raise
the share who save a dashboard in their first session from 30% to 40%, because an
empty editor gives them nowhere to start."""),
    ("md", """The spike: a script that times the riskiest step on a sample input. `%prototype` writes it to
`prototypes/H1/` and inserts the cell that runs it — read it first; the tool never runs it."""),
    ("code", "%prototype H1"),
    ("md", """We read `prototypes/H1/spike.py`, then ran the inserted cell. (The generated `candidate()` is a stand-in
for the real chart inference, which the team drops in; the harness around it — attempts, time budget, events —
is what the spike contributes.)"""),
    ("code", """# NBVAL_IGNORE_OUTPUT
# (nbval: the spike prints wall-clock timings, which differ on every run)
# H1 · spike prototype — the cell %prototype inserted
import runpy

H1_spike = runpy.run_path("prototypes/H1/spike.py")
H1_spike["run"]()"""),
    ("md", """The spike showed the charts can be inferred fast enough, so we ran a one-week pilot with a small group:
40 new admins got generated dashboards, 40 did not."""),
    ("code", "%measure H1 --observed 0.45 --n 40 --baseline 0.30 --baseline-n 40"),
    ("md", """Promising, but 40 admins per arm cannot tell a real lift from luck. The result says how many admins per
arm the planned test needs: we **iterate** — widen the pilot — instead of shipping or killing on noise."""),
    ("code", """import disco_magics as disco

disco.decide("H1", "iterate", learning="Generation is feasible; the pilot was too small to see the effect. Widen it.")"""),
    ("code", "%experiments"),
    ("code", "%disco report"),
]

STORIES = {
    "01-onboarding-activation.ipynb": ONBOARDING,
    "02-pricing-fake-door.ipynb": PRICING,
    "03-feasibility-spike.ipynb": SPIKE,
}


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
