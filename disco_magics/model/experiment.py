"""One row of the experiment table: a hypothesis with its latest evidence and decision."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from ._base import DiscoModel, utcnow
from .hypothesis import DecisionKind, Risk, Status, Verdict


class ExperimentRow(DiscoModel):
    """What the experiment table shows for one hypothesis."""

    id: str
    problem: str
    statement: str
    risk: Risk | None = None
    metric: str
    baseline: float | None = None
    target: float
    observed: float | None = None
    lift: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None
    p_value: float | None = None
    verdict: Verdict | None = None
    reason: str | None = None
    looks: int = 0
    status: Status = "draft"
    decision: DecisionKind | None = None
    learning: str = ""
    without_evidence: bool = False
    rehearsal: Verdict | None = Field(
        default=None,
        description="What the latest rehearsal (a measurement of synthetic data) said; shown apart, never evidence.",
    )
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def short_statement(self) -> str:
        text = " ".join(self.statement.split())
        return text if len(text) <= 90 else text[:89].rstrip() + "…"


class ExperimentTable(DiscoModel):
    """The experiment table as one payload: ``application/vnd.disco.experiments+json``."""

    bundle_kind = "experiments"

    rows: list[ExperimentRow] = Field(default_factory=list)
    problem: str | None = None
    generated_at: datetime = Field(default_factory=utcnow)
