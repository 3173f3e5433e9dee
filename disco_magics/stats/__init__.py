"""Statistics: sufficient statistics -> effect, CI, p-value, chance to beat, guards, verdict.

Imported on first use (``%measure``), never at ``%load_ext``: it pulls in numpy, scipy and pandas.
"""

from .arms import arm_from_rate, arm_from_summary, arm_stats, arms_from_frame, metric_kind, pick_arms
from .effect import ALPHA, Effect, compare, mean_interval, welch_dof
from .engine import evaluate
from .guards import (
    MIN_MEAN_N,
    MIN_PROPORTION_COUNT,
    SRM_ALPHA,
    minimum_sample,
    required_n_per_arm,
    sample_ratio_mismatch,
    srm_p_value,
)
from .verdict import Reading, read_effect

__all__ = [
    "ALPHA",
    "MIN_MEAN_N",
    "MIN_PROPORTION_COUNT",
    "SRM_ALPHA",
    "Effect",
    "Reading",
    "arm_from_rate",
    "arm_from_summary",
    "arm_stats",
    "arms_from_frame",
    "compare",
    "evaluate",
    "mean_interval",
    "metric_kind",
    "minimum_sample",
    "pick_arms",
    "read_effect",
    "required_n_per_arm",
    "sample_ratio_mismatch",
    "srm_p_value",
    "welch_dof",
]
