"""Yes/no, counts, whole numbers and categories."""

from __future__ import annotations

import functools
import math

import numpy as np

from ...model.distributions import Bernoulli, Choice, Integer, Poisson
from .._registry import Draw, register


@register("bernoulli", moments=lambda d: (d.p, d.p * (1 - d.p)))
def bernoulli(dist: Bernoulli, draw: Draw) -> np.ndarray:
    return draw.rng.random(draw.n) < dist.p


#: up to this mean, poisson draws by inverse CDF (one uniform and a binary search per value, ~5x
#: faster than numpy's sampler); above it numpy's PTRS sampler is used
_TABLE_LAM = 200.0


@functools.lru_cache(maxsize=128)
def _poisson_cdf(lam: float) -> np.ndarray:
    """P(X <= k) for k up to lam + 12 sd + 30; the tail beyond (< 1e-30) is folded into the last entry."""
    k = np.arange(int(lam + 12 * math.sqrt(lam) + 30) + 1, dtype=np.float64)
    log_pmf = (
        k * math.log(lam) - lam - np.array([math.lgamma(i + 1) for i in k])
        if lam > 0
        else np.where(k == 0, 0.0, -np.inf)
    )
    cdf = np.cumsum(np.exp(log_pmf))
    return cdf / cdf[-1]


@register("poisson", moments=lambda d: (d.lam, d.lam))
def poisson(dist: Poisson, draw: Draw) -> np.ndarray:
    if dist.lam <= _TABLE_LAM:
        return np.searchsorted(_poisson_cdf(dist.lam), draw.rng.random(draw.n), side="right").astype(np.int64)
    return draw.rng.poisson(dist.lam, draw.n).astype(np.int64, copy=False)


@register("integer", moments=lambda d: ((d.lo + d.hi) / 2, ((d.hi - d.lo + 1) ** 2 - 1) / 12))
def integer(dist: Integer, draw: Draw) -> np.ndarray:
    return draw.rng.integers(dist.lo, dist.hi, draw.n, dtype=np.int64, endpoint=True)


@register("choice")
def choice(dist: Choice, draw: Draw) -> np.ndarray:
    """Codes into ``dist.options`` (the sampler maps them onto the column's categories)."""
    cumulative = np.cumsum(np.asarray(dist.weights, dtype=np.float64))
    # dividing by the last element makes it exactly 1.0, so every u in [0, 1) lands on an option
    # with a positive weight (searchsorted "right" skips options whose weight is 0)
    cumulative /= cumulative[-1]
    return np.searchsorted(cumulative, draw.rng.random(draw.n), side="right")
