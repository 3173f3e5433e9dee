"""What a measurement found: per-arm sufficient statistics, the effect, and the verdict in words."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import Field, computed_field, model_validator

from ._base import DiscoModel, Name, utcnow
from .hypothesis import Verdict
from .origin import Origin, origin_field
from .provenance import Provenance

MetricKind = Literal["proportion", "mean"]
METRIC_KINDS: tuple[str, ...] = get_args(MetricKind)

Direction = Literal["increase", "decrease"]
Source = Literal["data", "aggregates", "events", "sql"]
Engine = Literal["frequentist", "bayesian"]
ENGINES: tuple[str, ...] = get_args(Engine)


def _check_finite(model: DiscoModel, fields: tuple[str, ...]) -> None:
    for field in fields:
        value = getattr(model, field)
        if value is not None and not math.isfinite(value):
            raise ValueError(f"{field} must be a finite number, not {value}")


class CovariateStats(DiscoModel):
    """CUPED: the sufficient statistics of one arm's pre-period covariate, beside the metric's.

    Sums add across batches like the metric's, so batches of a CUPED measurement still combine. A user
    with no pre-period value counts as 0 (as GrowthBook's queries coalesce it), and ``filled`` says how many.
    """

    bundle_kind = "covariate"

    name: str = Field(min_length=1, max_length=200, description="The pre-period column.")
    kind: MetricKind = Field(default="mean", description="proportion for a 0/1 covariate: variance p(1-p).")
    sum: float
    sum_squares: float = Field(ge=0)
    cross: float = Field(description="Sum over users of metric x covariate.")
    filled: int = Field(default=0, ge=0, description="Users with no covariate value, counted as 0.")

    @model_validator(mode="after")
    def _consistent(self) -> CovariateStats:
        _check_finite(self, ("sum", "sum_squares", "cross"))
        return self

    def mean(self, n: int) -> float:
        return self.sum / n

    def variance(self, n: int) -> float:
        """``p(1-p)`` for a 0/1 covariate, the sample variance otherwise (gbstats' statistics)."""
        if self.kind == "proportion":
            p = min(max(self.sum / n, 0.0), 1.0)
            return p * (1.0 - p)
        if n <= 1:
            return 0.0
        return max((self.sum_squares - self.sum * self.sum / n) / (n - 1), 0.0)

    def covariance(self, n: int, metric_sum: float) -> float:
        """Sample covariance of the metric and the covariate over the arm's ``n`` users."""
        if n <= 1:
            return 0.0
        return (self.cross - metric_sum * self.sum / n) / (n - 1)


class ArmStats(DiscoModel):
    """The sufficient statistics of one arm: enough to recompute any result and to add batches together.

    ``m2`` (optional, means only) is the sum of squared deviations, tracked alongside the raw sums so the
    variance stays exact when the values sit far from 0 (timestamps, revenue in cents).

    A proportion is a mean of 0/1 values, so ``sum_squares == sum``; its variance is ``p(1 - p)`` as in
    GrowthBook's ``ProportionStatistic``. A mean metric uses the sample variance (``n - 1``).
    ``mean`` and ``variance`` are derived, written into the JSON for readers without Python, and ignored
    when the JSON is read back.
    """

    bundle_kind = "arm"

    name: str = Field(min_length=1, max_length=200, description="The arm's value in the group column.")
    kind: MetricKind = "mean"
    n: int = Field(ge=1, description="Users (rows) with a value for the metric.")
    sum: float
    sum_squares: float = Field(ge=0)
    m2: float | None = Field(
        default=None,
        ge=0,
        description="Sum of squared deviations from the mean, when known: keeps the variance exact for values "
        "far from 0, where sum_squares - sum**2/n cancels catastrophically.",
    )
    dropped: int = Field(default=0, ge=0, description="Rows left out because the metric was missing (NaN).")
    covariate: CovariateStats | None = Field(
        default=None, description="CUPED: the pre-period covariate's sums over the same users."
    )

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: Any) -> Any:
        # mean/variance are computed fields: present in model_dump, never inputs.
        if isinstance(data, dict) and ("mean" in data or "variance" in data):
            data = {k: v for k, v in data.items() if k not in ("mean", "variance")}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> ArmStats:
        _check_finite(self, ("sum", "sum_squares", "m2"))
        if self.kind == "proportion":
            slack = 1e-9 * max(1.0, self.n)
            if not -slack <= self.sum <= self.n + slack:
                raise ValueError(
                    f"arm {self.name}: a proportion needs 0 <= sum <= n, got sum={self.sum} n={self.n}"
                )
            if abs(self.sum_squares - self.sum) > slack:
                raise ValueError(f"arm {self.name}: a proportion has sum_squares == sum (values are 0/1)")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def mean(self) -> float:
        return self.sum / self.n

    @computed_field  # type: ignore[prop-decorator]
    @property
    def variance(self) -> float:
        """``p(1-p)`` for a proportion; the sample variance for a mean (0 when n == 1)."""
        if self.kind == "proportion":
            p = min(max(self.mean, 0.0), 1.0)
            return p * (1.0 - p)
        if self.n <= 1:
            return 0.0
        if self.m2 is not None:
            return self.m2 / (self.n - 1)
        # Rounding can push a near-zero variance slightly below zero; it cannot really be negative.
        return max((self.sum_squares - self.sum * self.sum / self.n) / (self.n - 1), 0.0)

    @classmethod
    def combine(cls, a: ArmStats, b: ArmStats) -> ArmStats:
        """Two batches of the same arm as one: sums add, so the result equals one batch of all rows."""
        if a.name != b.name:
            raise ValueError(f"cannot combine batches of different arms: {a.name!r} and {b.name!r}")
        if a.kind != b.kind:
            raise ValueError(f"cannot combine a {a.kind} batch with a {b.kind} batch of arm {a.name!r}")
        if (a.covariate is None) != (b.covariate is None) or (
            a.covariate is not None and b.covariate is not None and a.covariate.name != b.covariate.name
        ):
            raise ValueError(f"cannot combine batches of arm {a.name!r} measured with different covariates")
        covariate = None
        if a.covariate is not None and b.covariate is not None:
            covariate = CovariateStats(
                name=a.covariate.name,
                kind="proportion" if a.covariate.kind == b.covariate.kind == "proportion" else "mean",
                sum=a.covariate.sum + b.covariate.sum,
                sum_squares=a.covariate.sum_squares + b.covariate.sum_squares,
                cross=a.covariate.cross + b.covariate.cross,
                filled=a.covariate.filled + b.covariate.filled,
            )
        n = a.n + b.n
        m2 = None
        if a.m2 is not None and b.m2 is not None:
            # Chan et al.'s parallel update: exact where the raw sums would cancel
            delta = b.mean - a.mean
            m2 = a.m2 + b.m2 + delta * delta * a.n * b.n / n
        return cls(
            name=a.name,
            kind=a.kind,
            n=n,
            sum=a.sum + b.sum,
            sum_squares=a.sum_squares + b.sum_squares,
            m2=m2,
            dropped=a.dropped + b.dropped,
            covariate=covariate,
        )

    def __add__(self, other: ArmStats) -> ArmStats:
        if not isinstance(other, ArmStats):
            return NotImplemented
        return ArmStats.combine(self, other)


_FLOAT_FIELDS = (
    "target",
    "baseline",
    "reference",
    "lift",
    "relative_lift",
    "ci_low",
    "ci_high",
    "rel_ci_low",
    "rel_ci_high",
    "p_value",
    "chance_to_beat",
    "observed",
    "observed_ci_low",
    "observed_ci_high",
    "srm_p_value",
    "sequential_tuning",
    "risk",
    "cuped_theta",
    "prior_mean",
    "prior_sd",
)


class Result(DiscoModel):
    """One look at a hypothesis: the arms, the effect (one of GrowthBook's engines) and the verdict.

    ``engine`` is ``frequentist`` (``sequential`` says whether its interval is the fixed-horizon one or
    the always-valid one, with N* = ``sequential_tuning`` users) or ``bayesian`` (``ci_low``/``ci_high``
    are then the credible interval, ``chance_to_beat`` the posterior chance to win and ``risk`` the
    expected loss of shipping the treatment). ``covariate`` names the CUPED pre-period column.

    Every float is finite; a quantity that is undefined (the relative lift when the control mean is 0)
    is ``None``.
    """

    bundle_kind = "result"

    hypothesis: Name
    metric: str = Field(min_length=1, max_length=200)
    metric_kind: MetricKind
    control: ArmStats | None = Field(description="None when compared against a fixed baseline value.")
    treatment: ArmStats
    baseline_fixed: bool = Field(
        description="True when compared against a fixed baseline with no control sample."
    )
    reference: float = Field(
        description="What the lift is measured from: the control mean or the fixed baseline."
    )
    target: float
    baseline: float | None = Field(
        default=None, description="The hypothesis baseline, when one was declared."
    )
    direction: Direction

    lift: float = Field(description="Absolute difference: treatment mean minus reference.")
    relative_lift: float | None = Field(description="lift / reference; None when the reference is 0.")
    ci_low: float
    ci_high: float
    rel_ci_low: float | None = None
    rel_ci_high: float | None = None
    p_value: float = Field(
        ge=0,
        le=1,
        description="Two-sided: Welch t / unpooled z, or the always-valid p when sequential; under the Bayesian "
        "engine the fixed-horizon one, for reference.",
    )
    chance_to_beat: float = Field(
        ge=0,
        le=1,
        description="P(treatment beats control in the intended direction): the posterior chance to win under "
        "the Bayesian engine, its normal approximation otherwise.",
    )
    observed: float = Field(description="The treatment mean.")
    observed_ci_low: float
    observed_ci_high: float

    verdict: Verdict
    reason: str = Field(min_length=1, max_length=5_000, description="The verdict in plain words, one line.")
    guards: list[str] = Field(
        default_factory=list, description="Guards that forced the verdict to inconclusive."
    )
    notes: list[str] = Field(
        default_factory=list, description="Caveats that do not change the verdict (peeking)."
    )
    required_n_per_arm: int | None = Field(
        default=None,
        ge=1,
        description="Users per arm to detect the target difference at 80% power, alpha 0.05.",
    )
    srm_p_value: float | None = Field(default=None, ge=0, le=1)
    look: int = Field(default=1, ge=1, description="1 for the first measurement of this hypothesis.")
    source: Source = "data"
    rehearsal: bool = Field(
        default=False,
        description="Measured on synthetic data (made by %%synth, or marked --rehearsal): shown and kept apart, "
        "never evidence — it changes no status, look, verdict column or report.",
    )
    provenance: Provenance | None = Field(
        default=None, description="The synthetic data's provenance, when the tool found it on the data."
    )
    engine: Engine = "frequentist"
    sequential: bool | None = Field(
        default=False, description="Frequentist only: True when the interval is always valid; None when Bayesian."
    )
    sequential_tuning: float | None = Field(
        default=None, gt=0, description="N*, total users the sequential interval is tuned for; None when fixed."
    )
    sequential_reason: str | None = Field(
        default=None, max_length=500, description="Why the test is sequential or fixed, in words."
    )
    covariate: str | None = Field(default=None, max_length=200, description="The CUPED pre-period column.")
    cuped_theta: float | None = Field(default=None, description="CUPED's regression coefficient.")
    risk: float | None = Field(
        default=None, ge=0, description="Bayesian: expected loss of shipping the treatment, in metric units."
    )
    prior_mean: float | None = Field(default=None, description="Bayesian: mean of a proper prior on the lift.")
    prior_sd: float | None = Field(default=None, gt=0, description="Bayesian: sd of a proper prior on the lift.")
    recorded_at: datetime = Field(default_factory=utcnow)
    origin: Origin | None = origin_field()

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: Any) -> Any:
        # target_lift is a computed field: present in model_dump (and the store), never an input.
        if isinstance(data, dict) and "target_lift" in data:
            data = {k: v for k, v in data.items() if k != "target_lift"}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Result:
        _check_finite(self, _FLOAT_FIELDS)
        if self.baseline_fixed != (self.control is None):
            raise ValueError("baseline_fixed must be True exactly when there is no control arm")
        arms = [a for a in (self.control, self.treatment) if a is not None]
        if any(a.kind != self.metric_kind for a in arms):
            raise ValueError(f"every arm must be a {self.metric_kind} like the metric")
        if self.control is not None and self.control.name == self.treatment.name:
            raise ValueError("control and treatment must be different arms")
        if self.ci_low > self.ci_high:
            raise ValueError("ci_low must not exceed ci_high")
        if "\n" in self.reason:
            raise ValueError("reason must be one line")
        if self.provenance is not None and not self.rehearsal:
            raise ValueError("a result with synthetic provenance must be a rehearsal")
        if self.engine == "bayesian" and self.sequential:
            raise ValueError("the Bayesian engine has no sequential test")
        if self.engine == "frequentist" and self.risk is not None:
            raise ValueError("risk is a Bayesian quantity")
        if self.sequential and self.sequential_tuning is None:
            raise ValueError("a sequential result records its tuning N*")
        return self

    @property
    def interval(self) -> str:
        """What ``ci_low``/``ci_high`` are: "fixed", "sequential" or "credible"."""
        if self.engine == "bayesian":
            return "credible"
        return "sequential" if self.sequential else "fixed"

    @property
    def n(self) -> dict[str, int]:
        """Users per arm, control first: ``{arm_name: n}``."""
        return {a.name: a.n for a in (self.control, self.treatment) if a is not None}

    @property
    def mean(self) -> dict[str, float]:
        """Mean per arm, control first: ``{arm_name: mean}``."""
        return {a.name: a.mean for a in (self.control, self.treatment) if a is not None}

    @computed_field  # type: ignore[prop-decorator]
    @property
    def target_lift(self) -> float:
        """The target expressed as a lift from the reference, to compare with ``lift`` and its CI.

        Computed here once and carried in the JSON (and on ``ExperimentRow``), so every chart — the card,
        the table, the widget, the lab extension — marks the same number."""
        return self.target - self.reference
