"""The team's discovery portfolio: every problem and hypothesis in a store, with where each was made."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from ._base import DiscoModel, utcnow
from .experiment import ExperimentRow


class PortfolioHypothesis(ExperimentRow):
    """One experiment-table row (status, verdict, decision, learning, ...) plus the notebook and cell the
    hypothesis was framed in. Every column ``ExperimentRow`` gains (``post_hoc`` from pre-registration,
    ``evidence_level`` from the evidence log) appears here with no further change."""

    notebook: str | None = Field(default=None, description="Path relative to the portfolio's root, when known.")
    cell: str | None = Field(default=None, description="The nbformat id of the hypothesis' cell, when known.")
    killed: bool = Field(default=False, description="The latest decision is kill.")


class PortfolioProblem(DiscoModel):
    """A problem with its hypotheses, in ID order."""

    name: str
    statement: str = ""
    segment: str | None = None
    metrics: list[str] = Field(default_factory=list)
    notebook: str | None = None
    cell: str | None = None
    hypotheses: list[PortfolioHypothesis] = Field(default_factory=list)


class Portfolio(DiscoModel):
    """Every problem of one store: ``application/vnd.disco.portfolio+json``.

    An unreadable or missing store is an empty portfolio whose ``reason`` says why, in one line.
    """

    bundle_kind = "portfolio"

    store: str = Field(description="Where the portfolio was read from, as it may be shown (never a password).")
    problems: list[PortfolioProblem] = Field(default_factory=list)
    reason: str | None = None
    generated_at: datetime = Field(default_factory=utcnow)

    @property
    def hypotheses(self) -> list[PortfolioHypothesis]:
        return [h for p in self.problems for h in p.hypotheses]

    def counts(self) -> dict[str, int]:
        """Hypotheses per status, plus ``killed``: the portfolio at a glance."""
        counts: dict[str, int] = {}
        for h in self.hypotheses:
            counts[h.status] = counts.get(h.status, 0) + 1
            if h.killed:
                counts["killed"] = counts.get("killed", 0) + 1
        return counts
