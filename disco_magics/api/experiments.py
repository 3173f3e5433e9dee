"""The experiment table: one row per hypothesis with its latest result and decision."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..model import ExperimentRow, ExperimentTable, Hypothesis
from ..session import Session
from ._common import _session

if TYPE_CHECKING:
    import pandas as pd


def experiment_table(
    problem: str | None = None, all: bool = False, *, session: Session | None = None
) -> ExperimentTable:
    """The experiment table: one row per hypothesis of the current (or named) problem, or of all."""
    s = _session(session)
    scope = None if all else s.problem_name(problem)
    if scope is not None and problem is not None:
        s.resolve_problem(scope, example="%experiments --problem onboarding")
    store = s.store
    results = store.latest("results", scope)
    decisions = store.latest("decisions", scope)
    rows = [
        _row(h, results.get((h.problem, h.id)), decisions.get((h.problem, h.id)))
        for h in store.hypotheses(scope)
    ]
    return ExperimentTable(rows=rows, problem=scope)


def _row(h: Hypothesis, result: dict[str, Any] | None, decision: dict[str, Any] | None) -> ExperimentRow:
    row = ExperimentRow(
        id=h.id,
        problem=h.problem,
        statement=h.statement,
        risk=h.risk,
        metric=h.metric,
        baseline=h.baseline,
        target=h.target,
        status=h.status,
        updated_at=h.updated_at,
    )
    if result:
        arms = [result.get("control") or {}, result.get("treatment") or {}]
        row.observed = result.get("observed", (result.get("treatment") or {}).get("mean"))
        row.lift = result.get("lift")
        row.ci_low = result.get("ci_low")
        row.ci_high = result.get("ci_high")
        row.n = sum(int(a.get("n") or 0) for a in arms) or None
        row.p_value = result.get("p_value")
        row.verdict = result.get("verdict")
        row.reason = result.get("reason")
        row.looks = int(result.get("look") or 1)
    if decision:
        row.decision = decision.get("decision")
        row.learning = decision.get("learning") or ""
        row.without_evidence = bool(decision.get("without_evidence"))
    return row


def experiments(
    problem: str | None = None, all: bool = False, *, session: Session | None = None
) -> pd.DataFrame:
    """The experiment table as a pandas DataFrame, one row per hypothesis."""
    import pandas as pd

    table = experiment_table(problem, all, session=session)
    columns = list(ExperimentRow.model_fields)
    frame = pd.DataFrame([row.model_dump() for row in table.rows], columns=columns)
    return frame.set_index("id", drop=False) if not frame.empty else frame


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
    latest_decision = decisions[-1].model_dump(mode="json") if decisions else None
    return _row(found, results[-1] if results else None, latest_decision)
