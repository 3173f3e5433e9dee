"""Always-valid inference: GrowthBook's asymptotic confidence sequences (Waudby-Smith et al. 2023).

Equal to ``gbstats.frequentist.tests.SequentialTwoSidedTTest`` with ``difference_type="absolute"``: the
interval of eq. 9 and the p-value of eq. 155 of https://arxiv.org/abs/2103.06476v7, with the mixing
parameter ``rho`` of eq. 161 tuned so the sequence is tightest at ``N*`` users in total (GrowthBook's
"sequential tuning parameter"). The interval holds at every look at once, so a team may check daily and
stop when it looks good without inflating the false-positive rate above ``alpha``.

Deliberate differences from gbstats, at the edges only (as in ``effect``): zero variance gives a
zero-width interval at the lift and a p-value of 1 (no lift) or 0, instead of gbstats' placeholder; a
control mean of 0 is a valid comparison; the p-value is computed in log space so it never overflows.

Every function also takes numpy arrays (the peeking simulation tests thousands of looks at once).
"""

from __future__ import annotations

import math

import numpy as np

from ._dist import norm_cdf
from .effect import ALPHA, Difference, Effect, _effect

__all__ = [
    "DEFAULT_TUNING",
    "half_width",
    "inflation",
    "p_value",
    "rho",
    "sequential_effect",
]

#: GrowthBook's default N* (total users at which a decision is expected), used only when the hypothesis
#: gives no way to plan one.
DEFAULT_TUNING = 5000.0


def rho(tuning: float, alpha: float = ALPHA) -> float:
    """The mixing parameter that makes the sequence tightest at ``tuning`` (= N*) users, eq. 161."""
    log_alpha = -2.0 * math.log(alpha)
    return math.sqrt((log_alpha + math.log(log_alpha + 1.0)) / tuning)


def half_width(variance, n_total, tuning: float, alpha: float = ALPHA):
    """Half the width of the confidence sequence, eq. 9.

    ``variance`` is the variance of the estimate (``var_t/n_t + var_c/n_c``), ``n_total`` the users in
    both arms; gbstats writes it with ``s2 = variance * N``, which cancels to the form below.
    """
    r2 = rho(tuning, alpha) ** 2
    x = np.multiply(n_total, r2)
    return np.sqrt(variance * 2.0 * (x + 1.0) * np.log(np.sqrt(x + 1.0) / alpha) / x)


def p_value(lift, variance, n_total, tuning: float, alpha: float = ALPHA):
    """The always-valid p-value, eq. 155: the reciprocal of the mixture e-value, capped at 1."""
    r2 = rho(tuning, alpha) ** 2
    tr2p1 = np.multiply(n_total, r2) + 1.0
    variance, lift = np.asarray(variance, dtype=float), np.asarray(lift, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        # z^2 = lift^2 / variance; with no variance it is 0 for no lift and infinite otherwise
        z2 = np.where(variance > 0, np.square(lift) / variance, np.where(lift == 0, 0.0, np.inf))
    # log of the e-value exp(rho^2 st2 / (2 tr2p1)) / sqrt(tr2p1), with st2 = z^2 N
    log_e = r2 * z2 * n_total / (2.0 * tr2p1) - 0.5 * np.log(tr2p1)
    p = np.minimum(np.exp(-log_e), 1.0)
    return float(p) if np.ndim(p) == 0 else p


def inflation(alpha: float = ALPHA) -> float:
    """How many standard errors the sequence is wide at N* users (``x = N* rho^2``): about 3.04 at 5%.

    Planning uses it: at N*, a sequential test needs ``(inflation + z_power)^2 / (z_alpha/2 + z_power)^2``
    times the users of a fixed-horizon test (about 1.9 at 5% and 80% power).
    """
    log_alpha = -2.0 * math.log(alpha)
    x = log_alpha + math.log(log_alpha + 1.0)
    return math.sqrt(2.0 * (x + 1.0) * math.log(math.sqrt(x + 1.0) / alpha) / x)


def sequential_effect(diff: Difference, treatment, tuning: float, alpha: float = ALPHA) -> Effect:
    """The always-valid interval and p-value of a ``Difference``; N* = ``tuning`` users in total.

    The relative lift gets the same sequence on its delta-method variance (gbstats' relative test).
    """
    if not (isinstance(tuning, (int, float)) and math.isfinite(tuning) and tuning > 0):
        raise ValueError(f"the sequential tuning must be a positive number of users, not {tuning!r}")
    n = diff.n_total
    se = math.sqrt(diff.variance)
    half = float(half_width(diff.variance, n, tuning, alpha))
    p = p_value(diff.lift, diff.variance, n, tuning, alpha)
    if se > 0.0:
        prob_greater = norm_cdf(diff.lift / se)
    else:
        prob_greater = 0.5 if diff.lift == 0.0 else float(diff.lift > 0.0)
    rel_low = rel_high = None
    if diff.relative_lift is not None and diff.rel_variance is not None:
        rel_half = float(half_width(diff.rel_variance, n, tuning, alpha))
        rel_low, rel_high = diff.relative_lift - rel_half, diff.relative_lift + rel_half
    return _effect(
        diff,
        treatment,
        alpha,
        se,
        diff.lift - half,
        diff.lift + half,
        rel_low,
        rel_high,
        p,
        prob_greater,
        interval="sequential",
    )

