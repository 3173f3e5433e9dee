"""DatasetSpec -> pandas.DataFrame: vectorised per column, seeded, block by block.

Randomness. Rows are cut into blocks of ``BLOCK_ROWS``; each spec line (a base line or an override) draws
block ``b`` from its own generator, seeded by ``SeedSequence(seed, spawn_key=(line_key, b))``. ``line_key``
hashes the column name and its conditions — not the distribution, not the position in the spec. Hence:

* same spec + seed + rows -> the same DataFrame in any process, on any machine with the same numpy;
* a chunked write that cuts at block boundaries gives exactly the in-memory frame (chunk-size independent);
* adding or reordering columns leaves the values of the others unchanged, and editing one parameter
  (``bernoulli(0.18)`` -> ``bernoulli(0.2)``) re-uses the same uniforms, so only a few rows change.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ValidationFailed
from ..model.dataset import ColumnSpec, DatasetSpec
from ._provenance import made_by, stamp
from ._registry import Draw, Family, family

__all__ = ["BLOCK_ROWS", "Plan", "iter_chunks", "resolve_seed", "sample"]

#: Rows per random block; chunked writes use multiples of it so their output matches ``sample``.
BLOCK_ROWS = 1 << 16

_NUMPY_DTYPES = {"bool": np.bool_, "int": np.int64, "float": np.float64, "date": "datetime64[ns]"}


def resolve_seed(seed: int | None) -> int:
    """``seed`` checked, or fresh entropy when None (returned so the user can reproduce the data)."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValidationFailed(f"the seed must be a whole number >= 0, got {seed!r}", example="--seed 7")
    return int(seed)


def _check_rows(rows: int) -> int:
    if isinstance(rows, bool) or not isinstance(rows, int | np.integer) or rows < 0:
        raise ValidationFailed(f"rows must be a whole number >= 0, got {rows!r}", example="--rows 20000")
    return int(rows)


def line_key(column: ColumnSpec) -> int:
    """Stable 64-bit key of a spec line: its column name and its conditions (in any order)."""
    conditions = ",".join(f"{k}={v}" for k, v in sorted(column.conditions.items()))
    text = f"{column.name}[{conditions}]" if conditions else column.name
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def _generator(seed: int, key: int, block: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(key, block))))


@dataclass
class _Line:
    dist: Any
    family: Family
    key: int
    conditions: list[tuple[str, Any]]
    #: choice lines: option index -> category code of the column
    codes: np.ndarray | None = None


@dataclass
class _Column:
    name: str
    kind: str
    lines: list[_Line] = field(default_factory=list)
    categories: list[str] | None = None

    @property
    def code_dtype(self) -> type:
        size = len(self.categories or ())
        return np.int8 if size < 2**7 else np.int16 if size < 2**15 else np.int32


class Plan:
    """A spec compiled for sampling: columns in order, each with its base line and overrides."""

    def __init__(self, spec: DatasetSpec) -> None:
        self.spec = spec
        self.columns: dict[str, _Column] = {}
        for name in spec.column_names:
            kind = spec.value_kind(name)
            categories = spec.categories(name) if kind == "category" else None
            self.columns[name] = _Column(name, kind, categories=categories)
        for entry in spec.columns:
            column = self.columns[entry.name]
            line = _Line(
                dist=entry.distribution,
                family=family(entry.distribution.kind_name),
                key=line_key(entry),
                conditions=[(name, self._typed(name, value)) for name, value in entry.conditions.items()],
            )
            if column.categories is not None:
                index = {value: code for code, value in enumerate(column.categories)}
                line.codes = np.array([index[v] for v in entry.distribution.values], dtype=column.code_dtype)
            column.lines.append(line)

    def _typed(self, name: str, value: str) -> Any:
        """A condition value in the representation the column is sampled in."""
        column = self.columns[name]
        if column.kind == "category":
            return column.categories.index(value)
        if column.kind == "bool":
            return value == "true"
        if column.kind == "int":
            return int(value)
        if column.kind == "date":
            return np.datetime64(value, "ns")
        return value

    def frame(self, seed: int, start: int, stop: int) -> pd.DataFrame:
        """Rows ``start`` to ``stop`` (``start`` a multiple of BLOCK_ROWS) as a DataFrame."""
        if start % BLOCK_ROWS:
            raise ValueError("frames start on a block boundary")
        first = start // BLOCK_ROWS
        blocks = [
            (b, b * BLOCK_ROWS, min((b + 1) * BLOCK_ROWS, stop))
            for b in range(first, math.ceil(stop / BLOCK_ROWS))
        ]
        data: dict[str, Any] = {}
        for column in self.columns.values():
            text = column.kind == "text"
            chunks: list[pa.Array] = []
            out = (
                None
                if text
                else np.empty(
                    stop - start, dtype=column.code_dtype if column.categories else _NUMPY_DTYPES[column.kind]
                )
            )
            for index, (block, lo, hi) in enumerate(blocks):
                values = self._block(column, seed, block, lo, hi, index, data, start)
                if text:
                    chunks.append(values)
                else:
                    out[lo - start : hi - start] = values
            data[column.name] = chunks if text else out
        return pd.DataFrame(
            {name: self._finish(self.columns[name], values) for name, values in data.items()}, copy=False
        )

    def _block(
        self,
        column: _Column,
        seed: int,
        block: int,
        lo: int,
        hi: int,
        index: int,
        data: dict[str, Any],
        start: int,
    ) -> Any:
        base, *overrides = column.lines
        values = self._draw(base, seed, block, hi - lo, lo, None)
        for line in overrides:
            mask = np.ones(hi - lo, dtype=bool)
            for name, wanted in line.conditions:
                other = data[name]
                if isinstance(other, list):  # text: a pyarrow chunk per block
                    mask &= pc.equal(other[index], wanted).to_numpy(zero_copy_only=False)
                else:
                    mask &= other[lo - start : hi - start] == wanted
            count = int(mask.sum())
            if not count:
                continue
            drawn = self._draw(line, seed, block, count, lo, mask)
            if column.kind == "text":
                values = pc.replace_with_mask(values, pa.array(mask), drawn)
            else:
                values[mask] = drawn
        return values

    @staticmethod
    def _draw(line: _Line, seed: int, block: int, n: int, lo: int, mask: np.ndarray | None) -> Any:
        draw = Draw(_generator(seed, line.key, block), n, lo, mask, seed, line.key)
        values = line.family.sample(line.dist, draw)
        return line.codes[values] if line.codes is not None else values

    @staticmethod
    def _finish(column: _Column, values: Any) -> Any:
        if column.categories is not None:
            return pd.Categorical.from_codes(values, dtype=pd.CategoricalDtype(column.categories))
        if column.kind == "text":
            return pd.array(pa.chunked_array(values, type=pa.string()), dtype="str")
        return values


def _as_spec(spec: DatasetSpec | str) -> DatasetSpec:
    if isinstance(spec, DatasetSpec):
        return spec
    from ..parse.spec import parse_spec

    return parse_spec(spec)


def sample(spec: DatasetSpec | str, rows: int, seed: int | None = None, *, name: str | None = None) -> pd.DataFrame:
    """Sample ``rows`` rows of ``spec``.

    Parameters
    ----------
    spec
        A :class:`DatasetSpec`, or spec text in the ``%%synth`` grammar.
    rows
        Number of rows, >= 0.
    seed
        Same spec + seed + rows give the same DataFrame in any process. None draws fresh entropy.
    name
        The dataset's name (the ``%%synth`` NAME), kept in its provenance.

    Returns
    -------
    pandas.DataFrame
        One column per base line, in order: ``bool`` (bernoulli), ``int64`` (poisson, integer), ``float64``
        (normal, lognormal, uniform), ``datetime64[ns]`` (date), ``category`` (choice, categories in spec
        order) and ``str`` (fake, sequence). ``df.attrs["seed"]`` holds the seed used, and
        ``df.attrs[PROVENANCE_KEY]`` the provenance that makes a measurement of it a rehearsal.
    """
    spec = _as_spec(spec)
    rows = _check_rows(rows)
    seed = resolve_seed(seed)
    frame = Plan(spec).frame(seed, 0, rows)
    frame.attrs["seed"] = seed
    return stamp(frame, made_by(spec, rows, seed, name))


def iter_chunks(
    spec: DatasetSpec | str,
    rows: int,
    seed: int | None = None,
    chunk_rows: int = 8 * BLOCK_ROWS,
    *,
    name: str | None = None,
) -> Iterator[pd.DataFrame]:
    """``sample(spec, rows, seed)`` in consecutive DataFrames of about ``chunk_rows`` rows.

    ``chunk_rows`` is rounded up to a multiple of ``BLOCK_ROWS`` so that the chunks, concatenated, equal
    ``sample(spec, rows, seed)`` exactly. Pass an explicit seed: with None every call draws new data.
    Every chunk carries the provenance of the whole dataset (all ``rows``).
    """
    spec = _as_spec(spec)
    rows = _check_rows(rows)
    seed = resolve_seed(seed)
    step = max(1, math.ceil(_check_rows(chunk_rows) / BLOCK_ROWS)) * BLOCK_ROWS
    plan = Plan(spec)
    provenance = made_by(spec, rows, seed, name)
    for start in range(0, max(rows, 1), step):
        frame = plan.frame(seed, start, min(start + step, rows))
        frame.attrs["seed"] = seed
        yield stamp(frame, provenance)
