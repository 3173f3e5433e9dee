"""Statistics: sufficient statistics -> effect, CI, p-value, chance to beat, guards, verdict.

One engine a module: ``effect`` (GrowthBook's fixed-horizon frequentist test), ``sequential`` (its
always-valid confidence sequences), ``bayesian`` (its effect Bayesian test), ``cuped`` (regression
adjustment on a pre-period covariate); ``planning`` sizes an experiment; ``engine.evaluate`` puts one of
them together with the guards and the verdict.

Imported on first use (``%measure``), never at ``%load_ext``; names load lazily (PEP 562), so measuring
from aggregates never imports pandas, and nothing here imports ``scipy.stats``.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "arm_from_rate": "arms",
    "arm_from_summary": "arms",
    "arm_stats": "arms",
    "arms_from_frame": "arms",
    "metric_kind": "arms",
    "pick_arms": "arms",
    "ALPHA": "effect",
    "Effect": "effect",
    "Difference": "effect",
    "compare": "effect",
    "difference": "effect",
    "mean_interval": "effect",
    "welch_dof": "effect",
    "evaluate": "engine",
    "ENGINES": "engine",
    "MIN_MEAN_N": "guards",
    "MIN_PROPORTION_COUNT": "guards",
    "SRM_ALPHA": "guards",
    "minimum_sample": "guards",
    "required_n_per_arm": "guards",
    "sample_ratio_mismatch": "guards",
    "srm_p_value": "guards",
    "Reading": "verdict",
    "read_effect": "verdict",
    "sequential_effect": "sequential",
    "bayesian_effect": "bayesian",
    "Prior": "bayesian",
    "adjusted_difference": "cuped",
    "sample_size": "planning",
    "minimum_detectable_effect": "planning",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
