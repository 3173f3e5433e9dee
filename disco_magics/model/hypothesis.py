"""A falsifiable hypothesis: what we change, for whom, which metric moves, to what target."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Literal, get_args

from pydantic import Field, model_validator

from ._base import DiscoModel, Name, utcnow
from .origin import Origin, origin_field
from .plan import GoalpostChange, Plan

Risk = Literal["value", "usability", "feasibility", "viability"]
RISKS: tuple[str, ...] = get_args(Risk)

Status = Literal["draft", "running", "validated", "invalidated", "inconclusive"]
STATUSES: tuple[str, ...] = get_args(Status)

Verdict = Literal["validated", "invalidated", "inconclusive"]
VERDICTS: tuple[str, ...] = get_args(Verdict)

DecisionKind = Literal["persevere", "pivot", "kill", "iterate"]
DECISIONS: tuple[str, ...] = get_args(DecisionKind)


#: the fields a hypothesis' first result freezes (pre-registration)
FROZEN_FIELDS: tuple[str, ...] = ("metric", "target", "baseline", "direction")


class Hypothesis(DiscoModel):
    """``We believe <change> for <segment> will move <metric> from <baseline> to <target>``."""

    bundle_kind = "hypothesis"

    id: Name
    problem: Name
    statement: str = Field(min_length=1, max_length=20_000)
    metric: Name
    target: float
    baseline: float | None = None
    risk: Risk | None = None
    status: Status = "draft"
    warnings: list[str] = Field(default_factory=list, description="Testability lint, as gentle warnings.")
    plan: Plan | None = Field(default=None, description="The planned horizon from %plan.")
    post_hoc: bool = Field(
        default=False, description="True once metric, target, baseline or direction changed after a result."
    )
    changes: list[GoalpostChange] = Field(
        default_factory=list, description="Each change of a frozen field after the first result: old -> new, when."
    )
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    origin: Origin | None = origin_field()

    @model_validator(mode="after")
    def _finite(self) -> Hypothesis:
        for field in ("target", "baseline"):
            value = getattr(self, field)
            if value is not None and not math.isfinite(value):
                raise ValueError(f"{field} must be a finite number")
        return self

    @property
    def direction(self) -> Literal["increase", "decrease"] | None:
        """Which way the metric must move to reach the target; None when there is no baseline."""
        if self.baseline is None or self.target == self.baseline:
            return None
        return "increase" if self.target > self.baseline else "decrease"


class Decision(DiscoModel):
    """What the team decided about a hypothesis and what it learned."""

    bundle_kind = "decision"

    hypothesis: Name
    decision: DecisionKind
    learning: str = Field(default="", max_length=20_000)
    without_evidence: bool = Field(
        default=False, description="Set when decided before any result was recorded."
    )
    decided_at: datetime = Field(default_factory=utcnow)
    origin: Origin | None = origin_field()
