"""The provenance of what the sampler made: stamped on frames and Parquet files, read back before measuring.

Where it travels, and where it is lost:

* ``DataFrame.attrs[PROVENANCE_KEY]`` (JSON-able, so pandas can write it): pandas keeps attrs through
  column selection, boolean filtering, ``copy``, ``head``, ``query``, ``assign`` and the like, and a single
  column (a Series) selected from the frame carries them too.
* A Parquet file: :func:`~disco_magics.synthetic.write` puts it in the schema metadata, under
  ``PROVENANCE_KEY`` and under pandas' ``PANDAS_ATTRS`` key, so ``pandas.read_parquet`` restores ``attrs``
  and :func:`file_provenance` reads it without loading a row (for SQL over the file). ``df.to_parquet`` of a
  stamped frame writes ``PANDAS_ATTRS`` too, which :func:`file_provenance` also reads.
* CSV has nowhere to keep it: data read back from a CSV is indistinguishable from an export, so the user
  says ``%measure … --rehearsal``.
* ``pd.concat`` / ``pd.merge`` / ``join`` (pandas 3): attrs survive only when every input carries the same
  ones. Pieces of one synthetic frame put back together stay marked; synthetic data combined with data the
  tool did not make — or with another synthetic frame — comes out unmarked, and pandas leaves nothing to
  tell it apart. We chose not to guess: :func:`provenance_of` treats data as synthetic when *any* mark
  survives (on the frame or on a measured column), and the user says ``--rehearsal`` for a mixed frame.
"""

from __future__ import annotations

import glob
import json
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..model.dataset import DatasetSpec
from ..model.provenance import PROVENANCE_KEY, Provenance

__all__ = [
    "PROVENANCE_KEY",
    "file_provenance",
    "is_synthetic_parquet",
    "made_by",
    "parquet_metadata",
    "provenance_of",
    "stamp",
]

#: the schema-metadata key pandas uses for ``DataFrame.attrs`` in Parquet (pandas >= 2.1)
PANDAS_ATTRS = b"PANDAS_ATTRS"
#: a directory or glob is judged by at most this many of its Parquet files
_MAX_FILES = 64


def made_by(spec: DatasetSpec, rows: int, seed: int, name: str | None = None) -> Provenance:
    """The provenance of ``rows`` rows of ``spec`` sampled with ``seed``: the override lines are the planted effect."""
    planted = [column.to_text() for column in spec.columns if column.conditions]
    return Provenance(name=name, seed=seed, rows=rows, planted=planted)


def stamp(frame: Any, provenance: Provenance) -> Any:
    """Mark ``frame`` (a DataFrame) as made by the tool; returns it."""
    frame.attrs[PROVENANCE_KEY] = provenance.model_dump(mode="json")
    return frame


def _parse(value: Any) -> Provenance:
    try:
        return Provenance.model_validate(value)
    except ValidationError:
        # The mark is there but mangled (edited attrs, a newer writer): still the tool's data, never evidence.
        return Provenance(seed=None, rows=None)


def provenance_of(*objects: Any) -> Provenance | None:
    """The provenance carried by the first of ``objects`` (DataFrames, Series) that has one, else None."""
    for obj in objects:
        attrs = getattr(obj, "attrs", None)
        if isinstance(attrs, dict) and PROVENANCE_KEY in attrs:
            return _parse(attrs[PROVENANCE_KEY])
    return None


def parquet_metadata(frame: Any) -> dict[bytes, bytes]:
    """Schema metadata that carries ``frame``'s provenance (and its attrs, for ``pandas.read_parquet``)."""
    if PROVENANCE_KEY not in frame.attrs:
        return {}
    return {
        PROVENANCE_KEY.encode(): json.dumps(frame.attrs[PROVENANCE_KEY]).encode(),
        PANDAS_ATTRS: json.dumps(frame.attrs).encode(),
    }


def _schema_provenance(path: str) -> Provenance | None:
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, ValueError):  # not Parquet (a CSV), unreadable, missing
        return None
    if PROVENANCE_KEY.encode() in metadata:
        return _parse(_loads(metadata[PROVENANCE_KEY.encode()]))
    attrs = _loads(metadata.get(PANDAS_ATTRS, b"{}"))
    if isinstance(attrs, dict) and PROVENANCE_KEY in attrs:
        return _parse(attrs[PROVENANCE_KEY])
    return None


def _loads(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _files(path: str | os.PathLike[str]) -> list[str]:
    text = os.fspath(path)
    if any(char in text for char in "*?["):
        return sorted(glob.glob(text, recursive=True))[:_MAX_FILES]
    target = Path(text)
    if target.is_dir():
        return sorted(str(p) for p in target.rglob("*.parquet"))[:_MAX_FILES]
    return [text]


def file_provenance(path: str | os.PathLike[str]) -> Provenance | None:
    """The provenance in a Parquet file's schema metadata (or in any file of a directory or glob), else None.

    Reads only the footer, never the rows. A CSV, a missing file or a Parquet file the tool did not
    write gives None.
    """
    for name in _files(path):
        found = _schema_provenance(name)
        if found is not None:
            return found
    return None


def is_synthetic_parquet(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` (a Parquet file, a directory of them or a glob) holds data ``%%synth`` made."""
    return file_provenance(path) is not None
