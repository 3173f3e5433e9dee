"""CUPED: regression adjustment on a pre-period covariate, as GrowthBook does it.

Equal to gbstats' ``RegressionAdjustedStatistic`` with ``compute_theta``: one ``theta`` for both arms,
the covariance of metric and covariate over the pooled users divided by the covariate's pooled variance;
each arm's mean becomes ``mean(y) - theta * mean(x)`` and its variance
``var(y) + theta^2 var(x) - 2 theta cov(x, y)``. The lift is the difference of adjusted means and the
relative lift divides it by the *unadjusted* control mean, as gbstats does. When the pooled covariate or
metric has no variance ``theta`` is 0 and the plain difference is used (gbstats reverts the same way).

The covariate should be measured before the experiment started: a column the treatment cannot have
moved. Then the adjustment only removes noise, and the interval narrows by about ``sqrt(1 - r^2)``
where ``r`` is the correlation of metric and covariate.
"""

from __future__ import annotations

from disco_magics.model.result import ArmStats

from .effect import Difference, difference, make_difference, welch_dof_of

__all__ = ["adjusted_difference", "theta"]


def _joint_variance(kind: str, n: int, total: float, total_sq: float) -> float:
    if kind == "proportion":
        p = min(max(total / n, 0.0), 1.0)
        return p * (1.0 - p)
    if n <= 1:
        return 0.0
    return (total_sq - total * total / n) / (n - 1)


def theta(control: ArmStats, treatment: ArmStats) -> float:
    """The regression coefficient of the metric on the covariate over both arms (gbstats' compute_theta)."""
    a, b = control.covariate, treatment.covariate
    if a is None or b is None:
        return 0.0
    n = control.n + treatment.n
    post_sum = control.sum + treatment.sum
    pre_sum = a.sum + b.sum
    post_var = _joint_variance(control.kind, n, post_sum, control.sum_squares + treatment.sum_squares)
    pre_kind = "proportion" if a.kind == b.kind == "proportion" else "mean"
    pre_var = _joint_variance(pre_kind, n, pre_sum, a.sum_squares + b.sum_squares)
    if pre_var <= 0.0 or post_var <= 0.0:
        return 0.0
    covariance = (a.cross + b.cross - post_sum * pre_sum / n) / (n - 1)
    return covariance / pre_var


def _adjusted(arm: ArmStats, coefficient: float) -> tuple[float, float]:
    """(adjusted mean, adjusted variance) of one arm."""
    cov = arm.covariate
    assert cov is not None
    mean = arm.mean - coefficient * cov.mean(arm.n)
    if arm.n <= 1:
        return mean, 0.0
    variance = (
        arm.variance
        + coefficient * coefficient * cov.variance(arm.n)
        - 2.0 * coefficient * cov.covariance(arm.n, arm.sum)
    )
    return mean, max(variance, 0.0)


def adjusted_difference(control: ArmStats, treatment: ArmStats) -> tuple[Difference, float]:
    """(the CUPED-adjusted difference, theta); both arms must carry the same covariate's statistics."""
    if control.covariate is None or treatment.covariate is None:
        raise ValueError("CUPED needs the covariate's statistics on both arms")
    if control.covariate.name != treatment.covariate.name:
        raise ValueError("both arms must be adjusted on the same covariate")
    coefficient = theta(control, treatment)
    if coefficient == 0.0:
        return difference(control, treatment), 0.0
    mean_c, var_c = _adjusted(control, coefficient)
    mean_t, var_t = _adjusted(treatment, coefficient)
    diff = make_difference(
        reference=control.mean,
        observed=treatment.mean,
        lift=mean_t - mean_c,
        var_c=var_c / control.n,
        var_t=var_t / treatment.n,
        dof=welch_dof_of([(var_c, control.n), (var_t, treatment.n)]),
        n_total=control.n + treatment.n,
    )
    return diff, coefficient
