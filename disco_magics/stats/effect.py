"""The effect of a treatment: GrowthBook's frequentist engine on per-arm sufficient statistics.

Matches ``gbstats.frequentist.tests.TwoSidedTTest`` with ``difference_type="absolute"``: the unpooled
variance ``var_t/n_t + var_c/n_c``, Welch-Satterthwaite degrees of freedom and the t distribution for the
two-sided p-value and the 95% CI. The relative lift and its CI use the delta method
(``difference_type="relative"``). Chance to beat is the normal approximation ``Phi(lift / se)``.

Deliberate differences from gbstats, all at the edges:

* gbstats returns a placeholder (p = 1, CI [0, 0]) when either arm has zero variance or the control mean
  is 0; we compute with whatever variance there is (a constant control arm is a valid comparison), give
  ``None`` for the relative lift when the control mean is 0, and leave small or degenerate samples to the
  guards, which say so in words.
* When the total variance is 0 (every user in both arms has the same value) the standard error is 0: the CI
  collapses to the lift and the p-value is its limit, 1 when the lift is 0 and 0 otherwise.
* The p-value is ``2 * t.sf(|t|)`` rather than ``2 * (1 - t.cdf(|t|))``: identical but for tiny p-values,
  which it keeps instead of rounding to 0.
* Against a fixed baseline value (no control sample) the same test runs one-sample: control variance 0,
  ``n_t - 1`` degrees of freedom.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from disco_magics.model.result import ArmStats

from ._dist import norm_cdf, norm_ppf, t_ppf, t_sf

__all__ = [
    "ALPHA",
    "Difference",
    "Effect",
    "compare",
    "difference",
    "fixed_effect",
    "make_difference",
    "mean_interval",
    "welch_dof",
    "welch_dof_of",
]

#: Two-sided significance level of every test and CI (95% intervals).
ALPHA = 0.05


@dataclass(frozen=True)
class Effect:
    """The numbers of one comparison; every float finite (``dof`` may be infinite: the normal limit),
    ``None`` where undefined."""

    reference: float
    observed: float
    lift: float
    std_error: float
    dof: float
    ci_low: float
    ci_high: float
    relative_lift: float | None
    rel_ci_low: float | None
    rel_ci_high: float | None
    p_value: float
    prob_greater: float
    observed_ci_low: float
    observed_ci_high: float
    #: which interval ``ci_low``/``ci_high`` are: "fixed" (Welch t), "sequential" (always valid), "credible"
    interval: str = "fixed"
    #: Bayesian engine only: expected loss of shipping the treatment, in the metric's units
    risk: float | None = None
    #: the treatment's level the lift implies when it is not the raw mean (CUPED, a proper prior)
    estimate: float | None = None


def welch_dof(control: ArmStats | None, treatment: ArmStats) -> float:
    """Welch-Satterthwaite degrees of freedom, as gbstats computes them.

    Arms with no variance drop out of the sum (a constant control leaves ``n_t - 1``); with a single
    contributing arm of one user, or none at all, the result is clamped to 1 / infinity.
    """
    arms = [a for a in (control, treatment) if a is not None]
    return welch_dof_of([(a.variance, a.n) for a in arms])


def welch_dof_of(arms: list[tuple[float, int]]) -> float:
    """``welch_dof`` on (variance, n) pairs: CUPED passes the adjusted variances."""
    arms = [(v, n) for v, n in arms if v > 0]
    if not arms:
        return math.inf
    if any(n <= 1 for _, n in arms):
        return 1.0
    # scale-free form of (sum v/n)^2 / sum (v/n)^2/(n-1): no under/overflow for tiny or huge variances
    weights = [v / n for v, n in arms]
    largest = max(weights)
    if largest == 0.0:
        return math.inf
    shares = [w / largest for w in weights]
    numerator = sum(shares) ** 2
    denominator = sum(share * share / (n - 1) for share, (_, n) in zip(shares, arms, strict=True))
    return max(numerator / denominator, 1.0)


def _t_quantile(dof: float, alpha: float) -> float:
    return t_ppf(1.0 - alpha / 2.0, dof)


def mean_interval(arm: ArmStats, alpha: float = ALPHA) -> tuple[float, float]:
    """The (1 - alpha) CI of one arm's mean: Wilson score for a proportion, Student t for a mean."""
    if arm.kind == "proportion":
        z = norm_ppf(1.0 - alpha / 2.0)
        p = min(max(arm.mean, 0.0), 1.0)
        z2n = z * z / arm.n
        centre = (p + z2n / 2.0) / (1.0 + z2n)
        half = z * math.sqrt(p * (1.0 - p) / arm.n + z2n / (4.0 * arm.n)) / (1.0 + z2n)
        # Wilson contains p exactly; min/max only undo rounding at p = 0 or 1
        return max(min(centre - half, p), 0.0), min(max(centre + half, p), 1.0)
    se = math.sqrt(arm.variance / arm.n)
    if se == 0.0:
        return arm.mean, arm.mean
    half = _t_quantile(arm.n - 1, alpha) * se
    return arm.mean - half, arm.mean + half


@dataclass(frozen=True)
class Difference:
    """What every engine reads: the lift (absolute and relative) and the variance of each estimate.

    ``variance`` is the unpooled ``var_t/n_t + var_c/n_c`` (with CUPED, of the adjusted means);
    ``rel_variance`` the delta-method variance of the relative lift, ``None`` when the reference is 0.
    ``n_total`` is the users behind the estimate (both arms), which the sequential test needs.
    """

    reference: float
    observed: float
    lift: float
    variance: float
    dof: float
    relative_lift: float | None
    rel_variance: float | None
    n_total: int


def difference(control: ArmStats | float, treatment: ArmStats) -> Difference:
    """The unadjusted difference of means of two arms, or of one arm and a fixed baseline value."""
    arm_c = control if isinstance(control, ArmStats) else None
    reference = arm_c.mean if arm_c is not None else float(control)
    observed = treatment.mean
    var_c = arm_c.variance / arm_c.n if arm_c is not None else 0.0
    var_t = treatment.variance / treatment.n
    return make_difference(
        reference=reference,
        observed=observed,
        lift=observed - reference,
        var_c=var_c,
        var_t=var_t,
        dof=welch_dof(arm_c, treatment),
        n_total=treatment.n + (arm_c.n if arm_c is not None else 0),
    )


def make_difference(
    *, reference: float, observed: float, lift: float, var_c: float, var_t: float, dof: float, n_total: int
) -> Difference:
    """A ``Difference`` from the per-arm variances of the means (``var/n``), relative lift included."""
    relative = rel_var = None
    if reference != 0.0:
        try:
            ratio = observed / reference
            # delta method, as gbstats' frequentist_variance(relative=True), arranged to avoid reference**4
            rel_var = (var_t + var_c * ratio * ratio) / (reference * reference)
            relative = lift / reference
        except (ZeroDivisionError, OverflowError):
            relative = rel_var = None
        if not all(x is not None and math.isfinite(x) for x in (relative, rel_var)):
            # a reference so close to 0 that the ratio overflows: undefined, like a reference of 0
            relative = rel_var = None
    return Difference(
        reference=reference,
        observed=observed,
        lift=lift,
        variance=var_c + var_t,
        dof=dof,
        relative_lift=relative,
        rel_variance=rel_var,
        n_total=n_total,
    )


def fixed_effect(diff: Difference, treatment: ArmStats, alpha: float = ALPHA) -> Effect:
    """The fixed-horizon test of a ``Difference``: Welch t CI and two-sided p-value (gbstats ``TwoSidedTTest``)."""
    se = math.sqrt(diff.variance)
    quantile = _t_quantile(diff.dof, alpha)
    lift = diff.lift
    if se > 0.0:
        statistic = lift / se
        p_value = 2.0 * float(t_sf(abs(statistic), diff.dof))
        prob_greater = float(norm_cdf(statistic))
    else:
        p_value = 1.0 if lift == 0.0 else 0.0
        prob_greater = 0.5 if lift == 0.0 else float(lift > 0.0)
    half = quantile * se
    rel_low = rel_high = None
    if diff.relative_lift is not None and diff.rel_variance is not None:
        rel_half = quantile * math.sqrt(diff.rel_variance)
        rel_low, rel_high = diff.relative_lift - rel_half, diff.relative_lift + rel_half
    return _effect(diff, treatment, alpha, se, lift - half, lift + half, rel_low, rel_high, p_value, prob_greater)


def _effect(
    diff: Difference,
    treatment: ArmStats,
    alpha: float,
    se: float,
    ci_low: float,
    ci_high: float,
    rel_low: float | None,
    rel_high: float | None,
    p_value: float,
    prob_greater: float,
    *,
    interval: str = "fixed",
    risk: float | None = None,
) -> Effect:
    obs_low, obs_high = mean_interval(treatment, alpha)
    return Effect(
        reference=diff.reference,
        observed=diff.observed,
        lift=diff.lift,
        std_error=se,
        dof=diff.dof,
        ci_low=ci_low,
        ci_high=ci_high,
        relative_lift=diff.relative_lift,
        rel_ci_low=rel_low,
        rel_ci_high=rel_high,
        p_value=min(max(float(p_value), 0.0), 1.0),
        prob_greater=min(max(float(prob_greater), 0.0), 1.0),
        observed_ci_low=obs_low,
        observed_ci_high=obs_high,
        interval=interval,
        risk=risk,
        estimate=None if diff.lift == diff.observed - diff.reference else diff.reference + diff.lift,
    )


def compare(control: ArmStats | float, treatment: ArmStats, alpha: float = ALPHA) -> Effect:
    """Compare a treatment arm with a control arm, or with a fixed baseline value (fixed-horizon test).

    Parameters
    ----------
    control : ArmStats or float
        The control arm's sufficient statistics, or a fixed baseline value with no sampling error.
    treatment : ArmStats
        The treatment arm's sufficient statistics.
    alpha : float
        Two-sided level; 0.05 gives 95% CIs.

    Returns
    -------
    Effect
        Absolute lift (treatment - control) with its CI and two-sided p-value, relative lift with its
        delta-method CI (``None`` when the control mean is 0), P(treatment > control) by the normal
        approximation, and the treatment mean with its own CI.
    """
    return fixed_effect(difference(control, treatment), treatment, alpha)
