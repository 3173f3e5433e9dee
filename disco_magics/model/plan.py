"""Planning and pre-registration: a hypothesis' planned horizon, the goalposts it froze, and what
daily peeking would do to it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ._base import DiscoModel, Name, utcnow

#: result.MetricKind, spelled out: result imports hypothesis, which imports this module
MetricKind = Literal["proportion", "mean"]


class Plan(DiscoModel):
    """``%plan``: the users each arm needs to detect the target at 80% power, fixed and sequential.

    Stored on the hypothesis as its planned horizon: with a plan, later looks keep the fixed-horizon test
    the plan was made for (the team declared when it will decide); the sequential total is the default N*
    when the team asks for a sequential test anyway.
    """

    bundle_kind = "plan"

    hypothesis: Name
    metric: str
    metric_kind: MetricKind
    baseline: float
    target: float
    sd: float | None = Field(default=None, gt=0, description="A mean metric's standard deviation per user.")
    alpha: float = 0.05
    power: float = 0.8
    split: tuple[float, float] = (0.5, 0.5)
    fixed_n: tuple[int, int] = Field(description="(control, treatment) users for the fixed-horizon test.")
    sequential_n: tuple[int, int] = Field(description="(control, treatment) users for the sequential test.")
    traffic: float | None = Field(default=None, gt=0, description="Users a day, both arms together.")
    fixed_days: int | None = None
    sequential_days: int | None = None
    mde: dict[int, float] = Field(
        default_factory=dict,
        description="Days of traffic -> the smallest absolute change the fixed test detects at 80% power.",
    )
    planned_at: datetime = Field(default_factory=utcnow)

    @property
    def fixed_total(self) -> int:
        return sum(self.fixed_n)

    @property
    def sequential_total(self) -> int:
        return sum(self.sequential_n)


class GoalpostChange(DiscoModel):
    """One change of a frozen field (metric, target, baseline, direction) after the first result."""

    field: str
    old: str | None
    new: str | None
    at: datetime = Field(default_factory=utcnow)


class PeekingSimulation(DiscoModel):
    """``%simulate --peeks K``: the false-positive rate of looking K times, fixed versus sequential."""

    bundle_kind = "peeking"

    hypothesis: str
    metric: str
    metric_kind: MetricKind
    rows: int = Field(ge=2, description="Rows per simulated experiment, arriving evenly over the looks.")
    runs: int = Field(ge=1)
    peeks: int = Field(ge=1)
    alpha: float = 0.05
    seed: int
    tuning: float = Field(gt=0, description="N* of the sequential test (total users).")
    fixed_rate: float = Field(ge=0, le=1, description="Share of null runs a fixed test called significant at any look.")
    sequential_rate: float = Field(ge=0, le=1, description="The same for the sequential test.")
    single_look_rate: float = Field(ge=0, le=1, description="The fixed test at the last look only.")

    @property
    def summary(self) -> str:
        return (
            f"{self.runs:,} experiments of {self.rows:,} users with no real effect on {self.metric}, looked at "
            f"{self.peeks} times (daily): a fixed-horizon test called {self.fixed_rate:.1%} of them significant at "
            f"some look (once at the end: {self.single_look_rate:.1%}); the sequential test "
            f"(N* = {self.tuning:,.0f}) {self.sequential_rate:.1%}, for a promised {self.alpha:.0%}. "
            + (
                "That is why looks after the first are sequential unless a fixed horizon is declared."
                if self.fixed_rate > self.sequential_rate
                else "Peeking did not inflate the fixed test here; try more peeks or runs."
            )
        )

    def __str__(self) -> str:
        return self.summary
