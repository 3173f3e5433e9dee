"""Synthetic data: a :class:`~disco_magics.model.dataset.DatasetSpec` sampled locally, vectorised and seeded.

* :func:`sample` — the whole dataset as a pandas DataFrame;
* :func:`iter_chunks` / :func:`write` — the same rows in chunks, streamed to Parquet or CSV;
* :func:`implied_effect` — what the planted effect means for a hypothesis (rows per arm, power);
* :func:`simulate` — false-positive rate and power of the planned measurement over many datasets.

Samplers live in ``distributions/``, one file per family, registered by kind (see ``_registry``).
Imported on first use only: numpy, pandas, pyarrow (and Faker for ``fake.*`` columns) load here.
"""

from ._effect import NullLooks, implied_effect, null_looks, planted_arms, simulate
from ._output import DEFAULT_CHUNK_ROWS, WriteResult, write
from ._registry import Draw, families, register
from ._sampler import BLOCK_ROWS, iter_chunks, resolve_seed, sample
from .distributions.text import POOL_SIZE

__all__ = [
    "BLOCK_ROWS",
    "DEFAULT_CHUNK_ROWS",
    "POOL_SIZE",
    "Draw",
    "NullLooks",
    "WriteResult",
    "families",
    "implied_effect",
    "iter_chunks",
    "null_looks",
    "planted_arms",
    "register",
    "resolve_seed",
    "sample",
    "simulate",
    "write",
]
