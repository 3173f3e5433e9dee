"""The learning report: each hypothesis with its evidence, decision and learning (Strategyzer learning card)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from ._base import DiscoModel, utcnow
from .evidence import Evidence, EvidenceLevel
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
    evidence: list[Evidence] = Field(default_factory=list, description="Evidence from real users, oldest first.")
    evidence_level: EvidenceLevel = "none"

    @property
    def heard(self) -> list[str]:
        """What real users said, quoted (newest first, at most three), each with its signal and source."""
        quoted = []
        for e in reversed(self.evidence[-3:]):
            source = f", {e.source}" if e.source else ""
            quoted.append(f"{e.signal} ({e.kind}{source}): “{e.excerpt}”")
        return quoted

    @property
    def heard_summary(self) -> str:
        n = len(self.evidence)
        if not n:
            return ""
        supports = sum(e.signal == "supports" for e in self.evidence)
        contradicts = sum(e.signal == "contradicts" for e in self.evidence)
        return f"{n} piece{'s' if n != 1 else ''} of evidence ({supports} supporting, {contradicts} contradicting)"

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
    narrative: list[str] = Field(
        default_factory=list, max_length=8, description="'We learned' paragraphs drafted from the stored results."
    )
    narrative_notice: str = ""


class LearningReport(DiscoModel):
    """``application/vnd.disco.report+json``."""

    bundle_kind = "report"

    problems: list[ProblemReport] = Field(default_factory=list)
    generated_at: datetime = Field(default_factory=utcnow)
