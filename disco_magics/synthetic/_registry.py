"""The registry of samplers: one entry per distribution kind, added by a file in ``distributions/``.

A sampler is vectorised: it gets a seeded ``numpy.random.Generator`` and a row count, and returns all
values at once (a numpy array, or a pyarrow string array for text). The value kind — and so the column
dtype — is declared on the distribution's model class (``value_kind``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Draw", "Family", "families", "family", "register"]


@dataclass(frozen=True)
class Draw:
    """Everything a sampler may use to draw ``n`` values."""

    rng: np.random.Generator
    #: how many values to return
    n: int
    #: global row number of the first row of the block being sampled
    start: int
    #: which rows of the block get these values (None: all of them); ``n == mask.sum()``
    mask: np.ndarray | None
    #: the dataset seed and this spec line's stream key, for samplers that keep per-column state (pools)
    seed: int
    key: int

    @property
    def positions(self) -> np.ndarray:
        """Global row numbers (0-based) of the rows being drawn."""
        if self.mask is None:
            return np.arange(self.start, self.start + self.n, dtype=np.int64)
        return self.start + np.flatnonzero(self.mask).astype(np.int64)


#: ``(distribution) -> (mean, variance)`` of one value, for distributions that have them
Moments = Callable[[Any], tuple[float, float]]


@dataclass(frozen=True)
class Family:
    kind: str
    sample: Callable[[Any, Draw], Any]
    moments: Moments | None = None


_FAMILIES: dict[str, Family] = {}


def register(kind: str, *, moments: Moments | None = None) -> Callable:
    """Decorator: ``@register("poisson", moments=...)`` on ``def sample(dist, draw) -> values``."""

    def decorate(sample: Callable[[Any, Draw], Any]) -> Callable[[Any, Draw], Any]:
        if kind in _FAMILIES:
            raise RuntimeError(f"a sampler for {kind!r} is already registered")
        _FAMILIES[kind] = Family(kind, sample, moments)
        return sample

    return decorate


def family(kind: str) -> Family:
    from . import distributions  # noqa: F401 - importing the package registers every family

    try:
        return _FAMILIES[kind]
    except KeyError:
        raise LookupError(f"no sampler registered for distribution {kind!r}") from None


def families() -> dict[str, Family]:
    from . import distributions  # noqa: F401

    return dict(_FAMILIES)
