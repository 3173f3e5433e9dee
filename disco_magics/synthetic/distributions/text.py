"""Text: realistic values from Faker, and unique row identifiers."""

from __future__ import annotations

import functools
import threading

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...model.distributions import Fake, Sequence
from .._registry import Draw, register

#: How many Faker values a ``fake.PROVIDER`` column draws from. Calling Faker costs ~0.1 ms a value, so
#: the values are made once per column and seed, then indexed by vectorised integers.
POOL_SIZE = 1000
_POOL_STREAM = 0x706F6F6C  # "pool": keeps the pool's seed apart from the column's row stream

_lock = threading.Lock()


@functools.cache
def _faker():
    from faker import Faker

    return Faker("en_US")


@functools.lru_cache(maxsize=64)
def faker_pool(provider: str, seed: int, key: int, size: int = POOL_SIZE) -> pa.Array:
    """``size`` values of ``fake.<provider>``, the same for the same seed and column in any process."""
    pool_seed = int(
        np.random.SeedSequence(seed, spawn_key=(key, _POOL_STREAM)).generate_state(1, np.uint64)[0]
    )
    with _lock:  # one Faker instance, reseeded per pool: not safe to interleave across threads
        faker = _faker()
        faker.seed_instance(pool_seed)
        make = getattr(faker, provider)
        values = [make() for _ in range(size)]
    return pa.array([v if isinstance(v, str) else str(v) for v in values], type=pa.string())


@register("fake")
def fake(dist: Fake, draw: Draw) -> pa.Array:
    pool = faker_pool(dist.provider, draw.seed, draw.key)
    return pool.take(draw.rng.integers(0, len(pool), draw.n, dtype=np.int64))


@register("sequence")
def sequence(dist: Sequence, draw: Draw) -> pa.Array:
    """``PREFIX1, PREFIX2, ...`` numbered by global row (1-based), so chunks continue the count."""
    numbers = pc.cast(pa.array(draw.positions + 1), pa.string())
    if not dist.prefix:
        return numbers
    return pc.binary_join_element_wise(dist.prefix, numbers, "")
