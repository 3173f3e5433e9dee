"""GrowthBook's Bayesian engine: a Gaussian posterior of the absolute lift.

Equal to ``gbstats.bayesian.tests.EffectBayesianABTest`` with ``difference_type="absolute"``: the data
give the lift ``d`` with variance ``v`` (the unpooled ``var_t/n_t + var_c/n_c`` of the frequentist engine);
with the default improper prior the posterior is ``N(d, v)``; with a proper prior ``N(m, s^2)`` on the
absolute lift (``prior_type="absolute"``) it is the precision-weighted ``N((d/v + m/s^2)/P, 1/P)``,
``P = 1/v + 1/s^2``.

* ``chance_to_beat`` is the posterior chance that the treatment moves the metric the intended way
  (gbstats' ``chance_to_win``; ``inverse`` for a metric that should decrease);
* ``ci_low``/``ci_high`` the equal-tailed 95% credible interval of the lift;
* ``risk`` the expected loss of shipping the treatment: ``E[max(0, -lift)]`` for a metric that should
  increase (gbstats' ``risk[1]``), in the metric's units. It is computed in closed form,
  ``sigma phi(mu/sigma) - mu Phi(-mu/sigma)``, equal to gbstats' truncated-normal means but stable far in
  the tails, where ``truncnorm`` returns NaN.

The verdict rule for this engine (``verdict.read_effect``): **validated** when the chance to beat is at
least 95% and the target is reached; **invalidated** when the chance to beat is at most 5% or the credible
interval of the lift lies wholly on the wrong side of the target; otherwise **inconclusive**.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ._dist import norm_cdf, norm_pdf, norm_ppf
from .effect import ALPHA, Difference, Effect, _effect, fixed_effect

__all__ = ["CHANCE_TO_WIN", "Prior", "bayesian_effect", "expected_loss"]

#: The chance to beat a Bayesian result needs to be called a win (GrowthBook's default threshold).
CHANCE_TO_WIN = 0.95


@dataclass(frozen=True)
class Prior:
    """A Gaussian prior on the absolute lift; ``sd=None`` is GrowthBook's default improper (flat) prior."""

    mean: float = 0.0
    sd: float | None = None

    def __post_init__(self) -> None:
        if not math.isfinite(self.mean):
            raise ValueError(f"the prior mean must be a finite number, not {self.mean}")
        if self.sd is not None and not (math.isfinite(self.sd) and self.sd > 0):
            raise ValueError(f"the prior standard deviation must be a positive number, not {self.sd}")

    @property
    def proper(self) -> bool:
        return self.sd is not None


def expected_loss(mu: float, sigma: float) -> float:
    """``E[max(0, -X)]`` for ``X ~ N(mu, sigma^2)``: what shipping loses when the lift is really negative."""
    if sigma <= 0.0:
        return max(-mu, 0.0)
    z = mu / sigma
    return max(sigma * norm_pdf(z) - mu * norm_cdf(-z), 0.0)


def bayesian_effect(
    diff: Difference,
    treatment,
    prior: Prior | None = None,
    *,
    increase: bool = True,
    alpha: float = ALPHA,
) -> Effect:
    """The posterior of the lift: mean, credible interval, chance to beat and risk, as an ``Effect``.

    ``prob_greater`` is P(lift > 0); ``risk`` the expected loss of shipping the treatment given the
    intended direction (``increase``). ``p_value`` stays the fixed-horizon one, for reference only: the
    Bayesian verdict does not read it.
    """
    prior = prior or Prior()
    data_mean, data_var = diff.lift, diff.variance
    if data_var > 0.0:
        precision = 1.0 / data_var + (1.0 / prior.sd**2 if prior.proper else 0.0)
        mean = (data_mean / data_var + prior.mean / prior.sd**2) / precision if prior.proper else data_mean
        sd = math.sqrt(1.0 / precision)
    else:  # no sampling error at all: the data settle the lift whatever the prior said
        mean, sd = data_mean, 0.0
    if sd > 0.0:
        prob_greater = norm_cdf(mean / sd)
        z = norm_ppf(1.0 - alpha / 2.0)
        low, high = mean - z * sd, mean + z * sd
    else:
        prob_greater = 0.5 if mean == 0.0 else float(mean > 0.0)
        low = high = mean
    risk = expected_loss(mean, sd) if increase else expected_loss(-mean, sd)

    fixed = fixed_effect(diff, treatment, alpha)
    relative = rel_low = rel_high = None
    if diff.relative_lift is not None:
        # the posterior of the absolute lift, read relative to the control mean
        ends = (low / diff.reference, high / diff.reference)
        relative, rel_low, rel_high = mean / diff.reference, min(ends), max(ends)
    posterior = replace(diff, lift=mean, relative_lift=relative)
    return _effect(
        posterior,
        treatment,
        alpha,
        sd,
        low,
        high,
        rel_low,
        rel_high,
        fixed.p_value,
        prob_greater,
        interval="credible",
        risk=risk,
    )
