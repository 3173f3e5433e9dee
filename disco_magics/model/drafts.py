"""Hypotheses drafted from a problem: unsaved, shown with the cells that would store them."""

from __future__ import annotations

from pydantic import Field

from ._base import DiscoModel, Name
from .hypothesis import Hypothesis


class HypothesisDrafts(DiscoModel):
    """``application/vnd.disco.hypothesis-drafts+json``: the lab extension inserts ``cells`` as new cells."""

    bundle_kind = "hypothesis-drafts"

    problem: Name
    hypotheses: list[Hypothesis] = Field(default_factory=list, max_length=20)
    cells: list[str] = Field(default_factory=list, max_length=20, description="One %%hypothesis cell per draft.")
    notice: str = Field(default="", max_length=300, description="Who drafted them.")
