"""Where measured data came from, when disco_magics made it: the mark that turns a measurement into a rehearsal."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ._base import DiscoModel, Name, utcnow

#: where the provenance travels: the key in ``DataFrame.attrs`` and in a Parquet file's schema metadata
PROVENANCE_KEY = "disco_magics.provenance"


class Provenance(DiscoModel):
    """A synthetic dataset's birth certificate: which spec, which seed, which effect was planted in it.

    Carried in ``DataFrame.attrs`` (pandas keeps it through column selection, filtering, ``copy`` and
    ``head``, and writes it into Parquet) and in the schema metadata of a Parquet file ``%%synth --out``
    wrote. A measurement of data that carries one is a rehearsal, never evidence.
    """

    kind: Literal["synthetic"] = "synthetic"
    name: Name | None = Field(default=None, description="The %%synth NAME the data was bound to or written as.")
    seed: int | None = Field(
        ge=0, description="The seed: the same spec and seed give the same rows (None: the mark was unreadable)."
    )
    rows: int | None = Field(ge=0)
    planted: list[str] = Field(
        default_factory=list,
        max_length=200,
        description="The spec's override lines — the effect planted in the data, e.g. "
        "'invited[variant=checklist]: bernoulli(0.27)'. Empty when nothing was planted.",
    )
    made_at: datetime = Field(default_factory=utcnow)

    def describe(self) -> str:
        """One line: ``synthetic data 'trials' (seed 7, 20,000 rows; planted invited[variant=…]: …)``."""
        named = f" '{self.name}'" if self.name else ""
        if self.seed is None or self.rows is None:
            return f"synthetic data{named} (its provenance mark is unreadable)"
        planted = f"; planted {', '.join(self.planted)}" if self.planted else "; no effect planted"
        return f"synthetic data{named} (seed {self.seed}, {self.rows:,} rows{planted})"
