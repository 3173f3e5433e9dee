"""Decimal numbers."""

from __future__ import annotations

import math

import numpy as np

from ...model.distributions import LogNormal, Normal, Uniform
from .._registry import Draw, register


@register("normal", moments=lambda d: (d.mu, d.sd**2))
def normal(dist: Normal, draw: Draw) -> np.ndarray:
    return draw.rng.normal(dist.mu, dist.sd, draw.n)


def _lognormal_moments(dist: LogNormal) -> tuple[float, float]:
    variance = dist.sd**2
    return math.exp(dist.mu + variance / 2), math.expm1(variance) * math.exp(2 * dist.mu + variance)


@register("lognormal", moments=_lognormal_moments)
def lognormal(dist: LogNormal, draw: Draw) -> np.ndarray:
    return draw.rng.lognormal(dist.mu, dist.sd, draw.n)


@register("uniform", moments=lambda d: ((d.lo + d.hi) / 2, (d.hi - d.lo) ** 2 / 12))
def uniform(dist: Uniform, draw: Draw) -> np.ndarray:
    return draw.rng.uniform(dist.lo, dist.hi, draw.n)
