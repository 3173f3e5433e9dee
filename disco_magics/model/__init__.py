"""The pydantic types: the one schema for parsing, LLM responses, storage and display."""

from ._base import NAME_RE, DiscoModel, Name, utcnow
from .dataset import (
    DISTRIBUTIONS,
    ChoiceOption,
    ColumnSpec,
    DatasetSpec,
    Distribution,
    PlantedEffect,
    SimulationResult,
    SpecRuleError,
)
from .experiment import ExperimentRow, ExperimentTable
from .hypothesis import DECISIONS, RISKS, STATUSES, VERDICTS, Decision, Hypothesis
from .origin import Origin
from .portfolio import Portfolio, PortfolioHypothesis, PortfolioProblem
from .problem import Metric, Problem
from .prototype import DraftedPrototype, Prototype, PrototypeDraft, PrototypeEvent, PrototypeFile
from .provenance import PROVENANCE_KEY, Provenance
from .result import ArmStats, CovariateStats, Result

__all__ = [
    "DECISIONS",
    "DISTRIBUTIONS",
    "NAME_RE",
    "PROVENANCE_KEY",
    "RISKS",
    "STATUSES",
    "VERDICTS",
    "ArmStats",
    "ChoiceOption",
    "ColumnSpec",
    "CovariateStats",
    "DatasetSpec",
    "Decision",
    "DiscoModel",
    "Distribution",
    "DraftedPrototype",
    "ExperimentRow",
    "ExperimentTable",
    "Hypothesis",
    "Metric",
    "Name",
    "Origin",
    "PlantedEffect",
    "Portfolio",
    "PortfolioHypothesis",
    "PortfolioProblem",
    "Problem",
    "Prototype",
    "PrototypeDraft",
    "PrototypeEvent",
    "PrototypeFile",
    "Provenance",
    "Result",
    "SimulationResult",
    "SpecRuleError",
    "utcnow",
]
