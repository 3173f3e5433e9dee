"""The operations behind every magic, as plain functions (the contract's Python API).

One module per operation: ``problems`` (problems, hypotheses, decisions), ``experiments`` (the table),
``measure`` (measured results, tracked events), ``plan`` (the planned horizon), ``synth`` (specs, sampled data, simulations), ``prototypes``,
``report`` and ``export``. Each function takes an optional ``session``; without one it uses the kernel's
(after ``%load_ext``) or a default session on ``DISCO_STORE``. Everything is re-exported here, so
``disco_magics.api.measure`` is the one name to call and to patch.
"""

from __future__ import annotations

# Every operation returns models to display; importing ``display`` installs how they render.
from .. import display  # noqa: F401
from .experiments import experiment_row, experiment_table, experiments
from .export import EXPORT_FORMATS, export_experiments
from .measure import MEASURE_EXAMPLE, measure, results, track
from .plan import PLAN_EXAMPLE, plan
from .portfolio import portfolio
from .problems import DECIDE_EXAMPLE, decide, hypothesis, problem
from .prototypes import PROTOTYPE_EXAMPLE, prototype
from .report import report
from .synth import (
    SYNTH_EXAMPLE,
    SYNTH_OUT_EXAMPLE,
    SynthRun,
    dataset_spec,
    link_dataset,
    simulate,
    synth,
    synthesize,
)

__all__ = [
    "DECIDE_EXAMPLE",
    "EXPORT_FORMATS",
    "MEASURE_EXAMPLE",
    "PLAN_EXAMPLE",
    "PROTOTYPE_EXAMPLE",
    "SYNTH_EXAMPLE",
    "SYNTH_OUT_EXAMPLE",
    "SynthRun",
    "dataset_spec",
    "decide",
    "experiment_row",
    "experiment_table",
    "experiments",
    "export_experiments",
    "hypothesis",
    "link_dataset",
    "measure",
    "plan",
    "portfolio",
    "problem",
    "prototype",
    "report",
    "results",
    "simulate",
    "synth",
    "synthesize",
    "track",
]

