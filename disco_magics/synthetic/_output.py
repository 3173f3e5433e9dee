"""Streaming a sampled dataset to Parquet or CSV in chunks, with bounded memory."""

from __future__ import annotations

import contextlib
import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from ..errors import ValidationFailed
from ..model.dataset import DatasetSpec
from ..model.provenance import Provenance
from ._provenance import parquet_metadata, provenance_of
from ._sampler import BLOCK_ROWS, _as_spec, _check_rows, iter_chunks, resolve_seed

__all__ = ["CSV_NOTE", "DEFAULT_CHUNK_ROWS", "FORMATS", "WriteResult", "write"]

#: 524,288 rows: ~40 MB for the contract's seven columns, far under the 1 GB budget, big enough to be fast.
DEFAULT_CHUNK_ROWS = 8 * BLOCK_ROWS

FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".gz": "csv.gz"}

#: what a CSV loses: said wherever one is written, since its rows will read back like an export
CSV_NOTE = (
    "a CSV cannot carry the mark that this data is synthetic: measuring it after reading it back counts as "
    "evidence unless you add --rehearsal (Parquet keeps the mark)"
)


@dataclass(frozen=True)
class WriteResult:
    """What :func:`write` produced."""

    path: Path
    rows: int
    seed: int
    format: str
    chunks: int
    bytes: int
    #: the data's provenance; carried by the file only when it is Parquet
    provenance: Provenance | None = None

    @property
    def carries_provenance(self) -> bool:
        return self.format == "parquet" and self.provenance is not None

    @property
    def note(self) -> str | None:
        """What the user must know about the file (a CSV loses the synthetic mark), or None."""
        return None if self.format == "parquet" else CSV_NOTE

    def __str__(self) -> str:
        return f"wrote {self.rows:,} rows to {self.path} ({self.format}, {self.bytes / 1e6:,.1f} MB, seed {self.seed})"


def _format(path: Path) -> str:
    suffixes = "".join(path.suffixes[-2:]).lower()
    if suffixes.endswith(".csv.gz"):
        return "csv.gz"
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None or fmt == "csv.gz":
        raise ValidationFailed(
            f"cannot tell the format of '{path.name}': use a name ending in .parquet, .csv or .csv.gz",
            example="--out trials.parquet",
        )
    return fmt


def write(
    spec: DatasetSpec | str,
    rows: int,
    path: str | os.PathLike[str],
    seed: int | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    *,
    name: str | None = None,
) -> WriteResult:
    """Sample ``rows`` rows of ``spec`` straight to ``path``, one chunk at a time.

    Parameters
    ----------
    spec
        A :class:`DatasetSpec` or spec text.
    rows
        Number of rows; memory stays bounded by ``chunk_rows`` whatever this is.
    path
        ``*.parquet`` (pyarrow, one row group per chunk), ``*.csv`` or ``*.csv.gz`` (header, then rows;
        dates as ``YYYY-MM-DD``, yes/no as ``true``/``false``). Written to a temporary file beside it, then
        renamed, so a failed write leaves no half file.
    seed
        As for :func:`sample`; the file holds exactly ``sample(spec, rows, seed)`` whatever ``chunk_rows``.
    chunk_rows
        Rows per chunk, rounded up to a multiple of ``BLOCK_ROWS`` (65,536).
    name
        The dataset's name, kept in its provenance.

    Returns
    -------
    WriteResult
        path, rows, seed (drawn when None), format, number of chunks, size in bytes, provenance. A Parquet
        file carries the provenance in its schema metadata (``pandas.read_parquet`` restores it in
        ``attrs``; :func:`file_provenance` reads it from the footer); a CSV cannot (see ``note``).
    """
    spec = _as_spec(spec)
    rows = _check_rows(rows)
    seed = resolve_seed(seed)
    target = Path(path)
    fmt = _format(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    chunks = 0
    provenance = None
    try:
        with contextlib.ExitStack() as stack:
            writer = None
            schema = None
            for frame in iter_chunks(spec, rows, seed, chunk_rows, name=name):
                table = pa.Table.from_pandas(frame, preserve_index=False, schema=schema)
                if writer is None:
                    provenance = provenance_of(frame)
                    schema = table.schema.with_metadata({**(table.schema.metadata or {}), **parquet_metadata(frame)})
                    if fmt == "parquet":
                        writer = stack.enter_context(pq.ParquetWriter(partial, schema))
                    else:
                        table = _csv_table(table)
                        sink = stack.enter_context(open(partial, "wb"))
                        if fmt == "csv.gz":
                            # level 6 is ~3x faster than Arrow's gzip default; mtime=0 keeps the bytes reproducible
                            sink = stack.enter_context(
                                gzip.GzipFile(filename="", fileobj=sink, mode="wb", compresslevel=6, mtime=0)
                            )
                        writer = stack.enter_context(pa_csv.CSVWriter(sink, table.schema))
                elif fmt != "parquet":
                    table = _csv_table(table)
                writer.write_table(table)
                chunks += 1
                del frame, table
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return WriteResult(target, rows, seed, fmt, chunks, target.stat().st_size, provenance)


def _csv_table(table: pa.Table) -> pa.Table:
    """Plain CSV types: categories as text, midnight timestamps as dates."""
    columns = []
    for column in table.columns:
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        elif pa.types.is_timestamp(column.type):
            column = column.cast(pa.date32())
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)
