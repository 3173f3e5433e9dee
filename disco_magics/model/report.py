"""The learning report: each hypothesis with its evidence, decision and learning (Strategyzer learning card)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from ._base import DiscoModel, utcnow
from .hypothesis import Decision, Hypothesis
from .problem import Problem
from .result import Result

RISK_ORDER = ("value", "usability", "feasibility", "viability", None)


class LearningCard(DiscoModel):
    """We believed … We observed … We learned … Therefore we will …"""

    hypothesis: Hypothesis
    result: Result | None = None
    looks: int = 0
    decision: Decision | None = None

    @property
    def believed(self) -> str:
        return " ".join(self.hypothesis.statement.split())

    @property
    def observed(self) -> str:
        if self.result is None:
            return "nothing yet: no result recorded"
        return self.result.reason or self.result.verdict

    @property
    def learned(self) -> str:
        if self.decision and self.decision.learning:
            return self.decision.learning
        return "not written down yet"

    @property
    def therefore(self) -> str:
        if not self.decision:
            return "decide: persevere, pivot, kill or iterate"
        flag = " (decided without evidence)" if self.decision.without_evidence else ""
        return f"{self.decision.decision}{flag}"


class ProblemReport(DiscoModel):
    problem: Problem
    cards: list[LearningCard] = Field(default_factory=list)


class LearningReport(DiscoModel):
    """``application/vnd.disco.report+json``."""

    bundle_kind = "report"

    problems: list[ProblemReport] = Field(default_factory=list)
    generated_at: datetime = Field(default_factory=utcnow)
