"""What daily peeking does to the false-positive rate: the fixed-horizon test against the sequential one.

Every function works on arrays of cumulative per-arm sufficient statistics shaped ``(runs, looks)``:
an experiment is looked at after each batch of users, and it counts as a false positive when *any* look
calls the (null) difference significant. ``simulate_null`` draws such experiments directly from a
Bernoulli or normal metric with no effect; ``%simulate --peeks`` feeds the same counting with frames
sampled from the hypothesis' synthetic dataset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from .effect import ALPHA
from .sequential import p_value as sequential_p_value

__all__ = ["PeekingRates", "rejection_rates", "simulate_null"]


@dataclass(frozen=True)
class PeekingRates:
    """Shares of null experiments called significant: at any look (fixed, sequential) and at the last only."""

    fixed: float
    sequential: float
    last_look: float
    runs: int
    looks: int


def _variance(kind: str, n: np.ndarray, total: np.ndarray, m2: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "proportion":
            p = np.clip(total / n, 0.0, 1.0)
            return p * (1.0 - p)
        return np.where(n > 1, m2 / (n - 1), 0.0)


def rejection_rates(
    kind: str,
    control: tuple[np.ndarray, np.ndarray, np.ndarray],
    treatment: tuple[np.ndarray, np.ndarray, np.ndarray],
    tuning: float,
    alpha: float = ALPHA,
) -> PeekingRates:
    """False-positive rates from cumulative ``(n, sum, m2)`` arrays of shape ``(runs, looks)`` per arm.

    The fixed test is the engine's Welch t test (``effect.fixed_effect``), the sequential one its
    confidence sequence with N* = ``tuning`` (``sequential.p_value``).
    """
    n_c, s_c, m2_c = (np.asarray(a, dtype=float) for a in control)
    n_t, s_t, m2_t = (np.asarray(a, dtype=float) for a in treatment)
    with np.errstate(divide="ignore", invalid="ignore"):
        var_c, var_t = _variance(kind, n_c, s_c, m2_c), _variance(kind, n_t, s_t, m2_t)
        w_c, w_t = var_c / n_c, var_t / n_t
        variance = w_c + w_t
        lift = s_t / n_t - s_c / n_c
        dof = variance**2 / (
            np.where(n_c > 1, w_c**2 / (n_c - 1), 0.0) + np.where(n_t > 1, w_t**2 / (n_t - 1), 0.0)
        )
        dof = np.where(np.isfinite(dof), np.maximum(dof, 1.0), 1e12)
        z = np.abs(lift) / np.sqrt(variance)
        fixed_p = 2.0 * special.stdtr(dof, -z)
    valid = (n_c >= 2) & (n_t >= 2) & (variance > 0)
    fixed = valid & (fixed_p < alpha)
    seq = valid & (sequential_p_value(lift, np.where(valid, variance, 1.0), n_c + n_t, tuning, alpha) < alpha)
    runs, looks = fixed.shape
    return PeekingRates(
        fixed=float(fixed.any(axis=1).mean()),
        sequential=float(seq.any(axis=1).mean()),
        last_look=float(fixed[:, -1].mean()),
        runs=runs,
        looks=looks,
    )


def simulate_null(
    kind: str,
    mean: float,
    sd: float | None = None,
    *,
    users_per_look: int,
    looks: int,
    runs: int,
    tuning: float,
    seed: int = 0,
    alpha: float = ALPHA,
) -> PeekingRates:
    """A/A experiments (both arms the same distribution), looked at ``looks`` times.

    ``users_per_look`` arrive in each arm between two looks. A proportion draws binomial counts; a mean
    is normal, drawn through its sufficient statistics (the batch sum is normal, its squared deviations
    ``sd^2 chi^2(n - 1)``) and merged look by look with Chan's update, so a run costs O(looks).
    """
    rng = np.random.default_rng(seed)
    shape = (runs, looks)
    arms = []
    for _ in range(2):
        n = np.full(shape, float(users_per_look))
        if kind == "proportion":
            batch_sum = rng.binomial(users_per_look, mean, shape).astype(float)
            arms.append((np.cumsum(n, axis=1), np.cumsum(batch_sum, axis=1), np.zeros(shape)))
            continue
        batch_sum = mean * users_per_look + sd * np.sqrt(users_per_look) * rng.standard_normal(shape)
        batch_m2 = sd * sd * rng.chisquare(users_per_look - 1, shape)
        cum_n, cum_sum, cum_m2 = np.cumsum(n, axis=1), np.cumsum(batch_sum, axis=1), batch_m2.copy()
        for j in range(1, looks):
            before = cum_n[:, j - 1]
            delta = batch_sum[:, j] / users_per_look - cum_sum[:, j - 1] / before
            cum_m2[:, j] = cum_m2[:, j - 1] + batch_m2[:, j] + delta**2 * before * users_per_look / cum_n[:, j]
        arms.append((cum_n, cum_sum, cum_m2))
    return rejection_rates(kind, arms[0], arms[1], tuning, alpha)
