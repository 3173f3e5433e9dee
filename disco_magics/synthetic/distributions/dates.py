"""Days, equally likely between two dates (both included)."""

from __future__ import annotations

from datetime import date

import numpy as np

from ...model.distributions import Date
from .._registry import Draw, register

_EPOCH = date(1970, 1, 1)
_NS_PER_DAY = 86_400 * 10**9


@register("date")
def day(dist: Date, draw: Draw) -> np.ndarray:
    """``datetime64[ns]`` at midnight."""
    first, last = (dist.start - _EPOCH).days, (dist.end - _EPOCH).days
    days = draw.rng.integers(first, last, draw.n, dtype=np.int64, endpoint=True)
    return (days * _NS_PER_DAY).view("datetime64[ns]")
