"""The customer problem and the leading-indicator metrics that say it is being solved."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from ._base import DiscoModel, Name, utcnow
from .origin import Origin, origin_field


class Metric(DiscoModel):
    """A leading indicator: ``invite_rate = share of trials inviting a teammate (baseline 0.18)``."""

    name: Name = Field(description="Short identifier used in hypotheses and %measure, e.g. invite_rate.")
    description: str = Field(default="", max_length=500, description="What is counted, in words.")
    baseline: float | None = Field(default=None, description="Today's value of the metric, if known.")

    @property
    def is_rate(self) -> bool:
        """True when the metric reads as a share (its baseline lies in [0, 1])."""
        return self.baseline is not None and 0.0 <= self.baseline <= 1.0


class Problem(DiscoModel):
    """A customer problem, its segment, its metrics and the constraints on solving it."""

    bundle_kind = "problem"

    name: Name
    statement: str = Field(min_length=1, max_length=20_000)
    segment: str | None = Field(default=None, max_length=500)
    metrics: list[Metric] = Field(default_factory=list, max_length=50)
    constraints: list[str] = Field(default_factory=list, max_length=50)
    outcome: str | None = Field(default=None, max_length=2_000)
    created_at: datetime = Field(default_factory=utcnow)
    origin: Origin | None = origin_field()

    def metric(self, name: str) -> Metric | None:
        return next((m for m in self.metrics if m.name == name), None)

    @property
    def metric_names(self) -> list[str]:
        return [m.name for m in self.metrics]
