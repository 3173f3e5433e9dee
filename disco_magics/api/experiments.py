"""The experiment table: one row per hypothesis with its latest result and decision."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import ExperimentRow, ExperimentTable, evidence_level
from ..session import Session
from ._common import _session

if TYPE_CHECKING:
    import pandas as pd


def experiment_table(
    problem: str | None = None, all: bool = False, *, next: bool = False, session: Session | None = None
) -> ExperimentTable:
    """The experiment table: one row per hypothesis of the current (or named) problem, or of all.

    With ``next``, ordered by what to test next: riskiest and least evidenced first (``next_to_test``).
    """
    s = _session(session)
    scope = None if all else s.problem_name(problem)
    if scope is not None and problem is not None:
        s.resolve_problem(scope, example="%experiments --problem onboarding")
    store = s.store
    every_result = store.results_by_hypothesis(scope)  # the latest look and the evidence level, one read
    results = {key: looks[-1] for key, looks in every_result.items()}
    decisions = store.latest_decisions(scope)
    rehearsals = store.latest_rehearsals(scope)
    signals = store.evidence_counts(scope)
    rows = []
    for h in store.hypotheses(scope):
        key = (h.problem, h.id)
        counted = signals.get(key, {})
        rows.append(
            ExperimentRow.from_evidence(
                h,
                results.get(key),
                decisions.get(key),
                rehearsals.get(key),
                signals=counted,
                evidence_level=evidence_level(sum(counted.values()), every_result.get(key, [])),
            )
        )
    if next:
        from .evidence import next_to_test

        rows = next_to_test(rows)
    return ExperimentTable(rows=rows, problem=scope)


def experiments(
    problem: str | None = None, all: bool = False, *, next: bool = False, session: Session | None = None
) -> pd.DataFrame:
    """The experiment table as a pandas DataFrame, one row per hypothesis (``next``: what to test first)."""
    import pandas as pd

    table = experiment_table(problem, all, next=next, session=session)
    columns = list(ExperimentRow.model_fields)
    frame = pd.DataFrame([row.model_dump() for row in table.rows], columns=columns)
    # Indexed by the hypothesis ID (``frame.loc["H1"]``) with the ``id`` column kept, and the index left
    # unnamed so ``reset_index()``, ``groupby`` and ``to_csv`` behave as on any frame.
    frame.index = pd.Index(frame["id"].tolist(), dtype=object)
    return frame


def experiment_row(id: str, problem: str, *, session: Session | None = None) -> ExperimentRow | None:
    """One row of the experiment table: hypothesis ``id`` of ``problem`` with its latest result and
    decision, or None when there is no such hypothesis. Lets a live table refresh one row, not all."""
    s = _session(session)
    store = s.store
    found = store.hypothesis(problem, id)
    if found is None:
        return None
    results = store.results(problem, id)
    decisions = store.decisions(problem, id)
    rehearsals = store.rehearsals(problem, id)
    signals = store.evidence_counts(problem).get((problem, id), {})
    return ExperimentRow.from_evidence(
        found,
        results[-1] if results else None,
        decisions[-1] if decisions else None,
        rehearsals[-1] if rehearsals else None,
        signals=signals,
        evidence_level=evidence_level(sum(signals.values()), results),
    )
