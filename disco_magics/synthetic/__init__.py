"""Synthetic data: a :class:`~disco_magics.model.dataset.DatasetSpec` sampled locally, vectorised and seeded.

* :func:`sample` — the whole dataset as a pandas DataFrame;
* :func:`iter_chunks` / :func:`write` — the same rows in chunks, streamed to Parquet or CSV;
* :func:`implied_effect` — what the planted effect means for a hypothesis (rows per arm, power);
* :func:`simulate` — false-positive rate and power of the planned measurement over many datasets;
* :func:`provenance_of` / :func:`file_provenance` / :func:`is_synthetic_parquet` — whether data (a frame,
  a Parquet file) was made here: measuring it is a rehearsal, never evidence.

Samplers live in ``distributions/``, one file per family, registered by kind (see ``_registry``).
Imported on first use only: numpy, pandas, pyarrow (and Faker for ``fake.*`` columns) load here.
"""

from ._effect import NullLooks, implied_effect, null_looks, planted_arms, simulate
from ._output import CSV_NOTE, DEFAULT_CHUNK_ROWS, WriteResult, write
from ._provenance import PROVENANCE_KEY, file_provenance, is_synthetic_parquet, provenance_of
from ._registry import Draw, families, register
from ._sampler import BLOCK_ROWS, iter_chunks, resolve_seed, sample
from .distributions.text import POOL_SIZE

__all__ = [
    "BLOCK_ROWS",
    "CSV_NOTE",
    "DEFAULT_CHUNK_ROWS",
    "POOL_SIZE",
    "PROVENANCE_KEY",
    "Draw",
    "NullLooks",
    "WriteResult",
    "families",
    "file_provenance",
    "implied_effect",
    "is_synthetic_parquet",
    "iter_chunks",
    "null_looks",
    "planted_arms",
    "provenance_of",
    "register",
    "resolve_seed",
    "sample",
    "simulate",
    "write",
]
