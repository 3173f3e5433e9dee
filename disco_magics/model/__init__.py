"""The pydantic types: the one schema for parsing, LLM responses, storage and display."""

from ._base import NAME_RE, DiscoModel, Name, utcnow
from .experiment import ExperimentRow, ExperimentTable
from .hypothesis import DECISIONS, RISKS, STATUSES, VERDICTS, Decision, Hypothesis
from .problem import Metric, Problem
from .result import ArmStats, Result

__all__ = [
    "DECISIONS",
    "NAME_RE",
    "RISKS",
    "STATUSES",
    "VERDICTS",
    "ArmStats",
    "Decision",
    "DiscoModel",
    "ExperimentRow",
    "ExperimentTable",
    "Hypothesis",
    "Metric",
    "Name",
    "Problem",
    "Result",
    "utcnow",
]
