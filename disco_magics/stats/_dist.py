"""The few distribution functions the engines need, in pure Python.

Importing ``scipy.stats`` costs about a second and even ``scipy.special`` a third of one, which was most
of the time of the first ``%measure`` in a fresh kernel. A measurement needs a handful of scalar
values, so they are computed here from ``math``:

* the normal distribution from ``math.erfc`` (what ``scipy.special.ndtr`` does) and
  ``statistics.NormalDist.inv_cdf`` (Wichura's AS241, accurate to about 1e-16);
* Student's t from the regularized incomplete beta function, ``sf(t) = I_x(nu/2, 1/2) / 2`` with
  ``x = nu / (nu + t^2)``, evaluated by Lentz's continued fraction, and its quantile by safeguarded
  Newton steps from the Cornish-Fisher expansion;
* the chi-square survival function with one degree of freedom, ``erfc(sqrt(x / 2))``.

``tests/test_stats_dist.py`` holds them to scipy's values within 1e-12 (relative) over a grid of
degrees of freedom from 1 to 10^9 and tails down to 1e-300. The vectorised simulations use
``scipy.special`` directly: they load pandas anyway.
"""

from __future__ import annotations

import math
from statistics import NormalDist

__all__ = ["chi2_sf", "norm_cdf", "norm_pdf", "norm_ppf", "norm_sf", "t_pdf", "t_ppf", "t_sf"]

_SQRT2 = math.sqrt(2.0)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_LOG_SQRT_PI = 0.5 * math.log(math.pi)
_NORMAL = NormalDist()


def norm_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / _SQRT2)


def norm_sf(x: float) -> float:
    return 0.5 * math.erfc(x / _SQRT2)


def norm_pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / _SQRT_2PI


def norm_ppf(q: float) -> float:
    if q <= 0.0:
        return -math.inf
    if q >= 1.0:
        return math.inf
    return _NORMAL.inv_cdf(q)


def _log_gamma_ratio(a: float) -> float:
    """``lgamma(a + 1/2) - lgamma(a)``; for large ``a`` by its asymptotic series, since the difference of
    two huge lgammas would lose digits (at a = 10^7, about eight of them)."""
    if a < 30.0:
        return math.lgamma(a + 0.5) - math.lgamma(a)
    # ln(G(a+1/2)/G(a)) = ln(a)/2 - 1/(8a) + 1/(192a^3) - 1/(640a^5) + 17/(14336a^7) - ... (from Stirling's
    # series; the next term is below 1e-16 of the value from a = 30 on)
    inv = 1.0 / a
    inv2 = inv * inv
    return 0.5 * math.log(a) + inv * (-1.0 / 8.0 + inv2 * (1.0 / 192.0 + inv2 * (-1.0 / 640.0 + inv2 * 17.0 / 14336.0)))


def _log_beta_half(a: float) -> float:
    """``ln B(a, 1/2)``."""
    return _LOG_SQRT_PI - _log_gamma_ratio(a)


def _beta_cf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz), as in Numerical Recipes."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 1_000_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        step = d * c
        h *= step
        if abs(step - 1.0) < 3e-16:
            break
    return h


def _cornish_fisher(z: float, dof: float) -> tuple[float, float]:
    """The t quantile at the normal quantile ``z`` (Abramowitz & Stegun 26.7.5) and its derivative in z."""
    z2 = z * z
    g1 = (z2 + 1.0) * z / 4.0
    g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0
    g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0
    g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0
    d1 = (3.0 * z2 + 1.0) / 4.0
    d2 = ((25.0 * z2 + 48.0) * z2 + 3.0) / 96.0
    d3 = (((21.0 * z2 + 95.0) * z2 + 51.0) * z2 - 15.0) / 384.0
    d4 = ((((711.0 * z2 + 5432.0) * z2 + 7410.0) * z2 - 5760.0) * z2 - 945.0) / 92160.0
    inv = 1.0 / dof
    value = z + inv * (g1 + inv * (g2 + inv * (g3 + inv * g4)))
    slope = 1.0 + inv * (d1 + inv * (d2 + inv * (d3 + inv * d4)))
    return value, slope


#: from here on the t distribution is read through its expansion around the normal where t^2 < dof / 1000
#: (error below 1e-14), where the continued fraction would need tens of thousands of terms
_LARGE_DOF = 1e5


def t_sf(t: float, dof: float) -> float:
    """Survival function of Student's t; the normal one for infinite degrees of freedom."""
    if math.isinf(dof):
        return norm_sf(t)
    if dof > _LARGE_DOF and t * t < 1e-3 * dof:  # the series' next term is below (t^2/dof)^5
        z = t * (1.0 - (t * t + 1.0) / (4.0 * dof))
        for _ in range(50):
            value, slope = _cornish_fisher(z, dof)
            step = (value - t) / slope
            z -= step
            if abs(step) <= 1e-16 * max(abs(z), 1.0):
                break
        return norm_sf(z)
    if math.isnan(t):
        return math.nan
    if math.isinf(t):
        return 0.0 if t > 0 else 1.0
    if t == 0.0:
        return 0.5
    a = 0.5 * dof
    t2 = t * t
    if t2 == 0.0:  # |t| below 1e-154: the distance from 0.5 is below rounding
        return 0.5
    if (a + 0.5) * math.log1p(t2 / dof) > 760.0:  # the density there is below the smallest double
        return 0.0 if t > 0 else 1.0
    # x = dof / (dof + t^2) and 1 - x, each without cancellation
    log_x = -math.log1p(t2 / dof)
    log_1mx = math.log(t2) - math.log(dof + t2) if t2 < dof else -math.log1p(dof / t2)
    front = math.exp(a * log_x + 0.5 * log_1mx - _log_beta_half(a))
    x = math.exp(log_x)
    if x < (a + 1.0) / (a + 2.5):
        tail = front * _beta_cf(a, 0.5, x) / a  # I_x(a, 1/2): the two-sided tail
    else:
        one_minus = t2 / (dof + t2)
        tail = 1.0 - front * _beta_cf(0.5, a, one_minus) / 0.5  # 1 - I_{1-x}(1/2, a)
    half = 0.5 * tail
    return half if t > 0 else 1.0 - half


def t_pdf(t: float, dof: float) -> float:
    if math.isinf(dof):
        return norm_pdf(t)
    a = 0.5 * dof
    return math.exp(-_log_beta_half(a) - 0.5 * math.log(dof) - (a + 0.5) * math.log1p(t * t / dof))


def t_ppf(q: float, dof: float) -> float:
    """Quantile of Student's t: Cornish-Fisher start, then Newton steps kept inside a bracket."""
    if math.isinf(dof):
        return norm_ppf(q)
    if q <= 0.0:
        return -math.inf
    if q >= 1.0:
        return math.inf
    if q == 0.5:
        return 0.0
    if q < 0.5:
        return -t_ppf(1.0 - q, dof)
    tail = 1.0 - q
    if dof == 1.0:
        return 1.0 / math.tan(math.pi * tail)
    if dof == 2.0:
        return (2.0 * q - 1.0) / math.sqrt(2.0 * q * (1.0 - q))
    z = norm_ppf(q)
    t = _cornish_fisher(z, dof)[0]
    if dof > _LARGE_DOF:
        return t
    low, high = 0.0, math.inf
    for _ in range(200):
        excess = t_sf(t, dof) - tail  # decreasing in t
        if excess > 0:
            low = t
        else:
            high = t
        if excess == 0.0:
            return t
        step = excess / t_pdf(t, dof)
        candidate = t + step
        if not (low < candidate < high):
            candidate = 2.0 * low + 1.0 if math.isinf(high) else 0.5 * (low + high)
        if abs(candidate - t) <= 1e-15 * abs(t):
            return candidate
        t = candidate
    return t


def chi2_sf(x: float, df: float) -> float:
    """Survival function of the chi-square distribution with one degree of freedom (the SRM test)."""
    if df != 1:
        raise ValueError("only one degree of freedom is needed (two arms)")
    if x <= 0.0:
        return 1.0
    return math.erfc(math.sqrt(0.5 * x))
