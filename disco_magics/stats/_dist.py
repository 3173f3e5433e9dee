"""The few distribution functions the engines need, from ``scipy.special``.

``scipy.stats`` costs about half a second to import; these are the very ufuncs it calls (``t.sf`` is
``stdtr(dof, -x)``, ``t.ppf`` is ``stdtrit``, ``norm.cdf`` is ``ndtr``, ``chi2.sf`` is ``chdtrc``), so the
numbers are identical and the first ``%measure`` in a fresh kernel does not wait for the import.
"""

from __future__ import annotations

import math

from scipy import special

__all__ = ["chi2_sf", "norm_cdf", "norm_pdf", "norm_ppf", "norm_sf", "t_ppf", "t_sf"]

_SQRT_2PI = math.sqrt(2.0 * math.pi)


def norm_cdf(x: float) -> float:
    return float(special.ndtr(x))


def norm_sf(x: float) -> float:
    return float(special.ndtr(-x))


def norm_pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / _SQRT_2PI


def norm_ppf(q: float) -> float:
    return float(special.ndtri(q))


def t_sf(x: float, dof: float) -> float:
    """Survival function of Student's t; the normal one for infinite degrees of freedom."""
    return norm_sf(x) if math.isinf(dof) else float(special.stdtr(dof, -x))


def t_ppf(q: float, dof: float) -> float:
    return norm_ppf(q) if math.isinf(dof) else float(special.stdtrit(dof, q))


def chi2_sf(x: float, df: float) -> float:
    return float(special.chdtrc(df, x))
