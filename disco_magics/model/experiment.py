"""One row of the experiment table: a hypothesis with its latest evidence and decision."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from ._base import STORED, DiscoModel, utcnow
from .hypothesis import Decision, DecisionKind, Hypothesis, Risk, Status, Verdict
from .result import Result


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
    target_lift: float | None = Field(
        default=None,
        description="The target as a lift from the latest result's reference (control mean or fixed baseline): "
        "where every lift chart marks the target.",
    )
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
    post_hoc: bool = Field(
        default=False, description="Metric, target, baseline or direction changed after the first result."
    )
    updated_at: datetime = Field(default_factory=utcnow)

    @classmethod
    def from_evidence(
        cls,
        hypothesis: Hypothesis,
        result: Result | None = None,
        decision: Decision | None = None,
        rehearsal: Result | None = None,
    ) -> ExperimentRow:
        """The row of ``hypothesis`` with its latest ``result`` and ``decision`` (either may be missing),
        and what its latest ``rehearsal`` said, apart (a rehearsal passed as ``result`` is refused)."""
        if result is not None and result.rehearsal:
            raise ValueError("a rehearsal is not evidence: pass it as rehearsal=, not as the result")
        fields: dict[str, object] = dict(
            id=hypothesis.id,
            problem=hypothesis.problem,
            statement=hypothesis.statement,
            risk=hypothesis.risk,
            metric=hypothesis.metric,
            baseline=hypothesis.baseline,
            target=hypothesis.target,
            status=hypothesis.status,
            post_hoc=hypothesis.post_hoc,
            updated_at=hypothesis.updated_at,
        )
        if result is not None:
            fields.update(
                observed=result.observed,
                lift=result.lift,
                ci_low=result.ci_low,
                ci_high=result.ci_high,
                target_lift=result.target_lift,
                n=sum(result.n.values()) or None,
                p_value=result.p_value,
                verdict=result.verdict,
                reason=result.reason,
                looks=result.look,
            )
        if decision is not None:
            fields.update(
                decision=decision.decision,
                learning=decision.learning or "",
                without_evidence=decision.without_evidence,
            )
        if rehearsal is not None:
            fields.update(rehearsal=rehearsal.verdict)
        # Every value comes from models already validated (and NUL-checked when stored): skip that walk.
        return cls.model_validate(fields, context=STORED)

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
