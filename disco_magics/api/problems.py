"""Problems, hypotheses and decisions: ``%%problem``, ``%%hypothesis``, ``disco.decide``."""

from __future__ import annotations

from pydantic import ValidationError

from ..errors import ValidationFailed
from ..model import DECISIONS, Decision, Hypothesis, Problem
from ..session import Session
from ._common import _session

DECIDE_EXAMPLE = 'disco.decide("H1", "persevere", learning="admins invite when they see a team feature")'


def problem(name: str, text: str, *, session: Session | None = None) -> Problem:
    """Declare (or replace) problem ``name`` from a ``%%problem`` body; it becomes the current problem."""
    from ..parse.cells import parse_problem

    s = _session(session)
    parsed = parse_problem(name, text or "")
    parsed.origin = s.origin()
    s.store.save_problem(parsed)
    s.current_problem = parsed.name
    s.notify("problem", parsed)
    return parsed


def hypothesis(
    id: str,
    text: str,
    metric: str | None = None,
    target: float | str | None = None,
    baseline: float | str | None = None,
    risk: str | None = None,
    problem: str | None = None,
    *,
    session: Session | None = None,
) -> Hypothesis:
    """Frame (or replace) hypothesis ``id`` under the named or current problem."""
    from ..parse.cells import HYPOTHESIS_EXAMPLE, parse_hypothesis

    s = _session(session)
    owner = s.resolve_problem(problem, example=HYPOTHESIS_EXAMPLE) if (problem or s.problem_name()) else None
    parsed = parse_hypothesis(id, text, owner, metric=metric, target=target, baseline=baseline, risk=risk)
    parsed.origin = s.origin()
    previous = s.store.hypothesis(parsed.problem, parsed.id)
    if previous is not None:
        from ..preregistration import carry_over

        # pre-registration: a changed test after a result is recorded and marks the hypothesis post hoc
        carry_over(previous, parsed, measured=s.store.count_results(parsed.problem, parsed.id) > 0)
    s.store.save_hypothesis(parsed)
    s.notify("hypothesis", parsed)
    return parsed


def decide(
    id: str,
    decision: str,
    learning: str = "",
    *,
    problem: str | None = None,
    session: Session | None = None,
) -> Decision:
    """Record what the team decided about hypothesis ``id`` (persevere, pivot, kill, iterate)."""
    s = _session(session)
    if decision not in DECISIONS:
        raise ValidationFailed(
            f"unknown decision {str(decision)[:30]!r}; choose one of {', '.join(DECISIONS)}",
            example=DECIDE_EXAMPLE,
        )
    found = s.resolve_hypothesis(id, problem, example=DECIDE_EXAMPLE)
    evidence = s.store.count_results(found.problem, found.id) > 0
    try:
        made = Decision(
            hypothesis=found.id,
            decision=decision,
            learning=learning or "",
            without_evidence=not evidence,
            origin=s.origin(),
        )
    except ValidationError as err:  # a learning too long, or with a NUL byte: one line, nothing stored
        from ..parse.cells import first_error

        raise ValidationFailed(
            f"decision on {found.id} not saved: {first_error(err)}", example=DECIDE_EXAMPLE
        ) from None
    s.store.add_decision(found.problem, made)
    s.notify("decision", made)
    return made
