"""``%measure`` and ``disco.track``: evidence from data, aggregates or tracked events."""

from __future__ import annotations

from typing import Any

from ..errors import ValidationFailed
from ..model import Result
from ..session import Session
from ._common import _session

MEASURE_EXAMPLE = "%measure H1 --data trials --metric invited --group variant --control control"
RESULTS_EXAMPLE = 'disco.results("H1")'


def measure(
    id: str,
    data: Any = None,
    metric: str | None = None,
    group: str | None = None,
    control: str | None = None,
    observed: float | None = None,
    n: int | None = None,
    baseline: float | None = None,
    baseline_n: int | None = None,
    *,
    treatment: str | None = None,
    split: tuple[float, float] | None = None,
    events: bool = False,
    problem: str | None = None,
    session: Session | None = None,
):
    """Measure hypothesis ``id`` from a DataFrame, from aggregates, or from tracked events.

    Returns a ``Result``; with more than two arms and no ``treatment``, one ``Result`` per treatment arm
    (a list). Each result is stored (history kept; later looks are marked) and moves the hypothesis'
    status to its verdict.
    """
    from .. import stats

    s = _session(session)
    h = s.resolve_hypothesis(id, problem, example=MEASURE_EXAMPLE)
    modes = [data is not None, observed is not None or n is not None, bool(events)]
    if sum(modes) != 1:
        raise ValidationFailed(
            "measure from one source: --data (a DataFrame), --observed with --n (aggregates), or --events",
            example=MEASURE_EXAMPLE,
        )
    if events:
        from ..events import arms_from_events

        arms = arms_from_events(s, h)
        if len(arms) == 1:  # no variants: everyone saw the prototype; compare against the baseline
            if h.baseline is None:
                raise ValidationFailed(
                    f"{h.id} has no baseline to compare its events against", example=MEASURE_EXAMPLE
                )
            pairs = [(h.baseline, next(iter(arms.values())))]
        else:
            pairs = _pairs(stats, arms, control, treatment)
        source = "events"
    elif data is not None:
        column = metric or h.metric
        if group is None:
            raise ValidationFailed(
                "say which column holds each user's arm with --group", example=MEASURE_EXAMPLE
            )
        arms = stats.arms_from_frame(data, column, group)
        pairs = _pairs(stats, arms, control, treatment)
        source = "data"
    else:
        if observed is None or n is None:
            raise ValidationFailed(
                "aggregates need both --observed and --n", example="%measure H1 --observed 0.27 --n 2400"
            )
        reference = baseline if baseline is not None else h.baseline
        if reference is None:
            raise ValidationFailed(
                f"{h.id} has no baseline to compare against; give --baseline",
                example="%measure H1 --observed 0.27 --n 2400 --baseline 0.18 --baseline-n 2400",
            )
        arm = stats.arm_from_rate("treatment", observed, n)
        against = (
            stats.arm_from_rate("baseline", reference, baseline_n) if baseline_n is not None else reference
        )
        pairs = [(against, arm)]
        source = "aggregates"

    def judge(first_look: int) -> list:
        # runs inside the store's write transaction, so the look numbers are this kernel's alone
        return [
            stats.evaluate(
                hypothesis=h.id,
                metric=metric or h.metric,
                target=h.target,
                control=control_arm,
                treatment=treatment_arm,
                baseline=h.baseline,
                direction=h.direction,
                look=look,
                expected_split=split,
                source=source,
            )
            for look, (control_arm, treatment_arm) in enumerate(pairs, start=first_look)
        ]

    results = s.store.add_results(h.problem, h.id, judge)
    for result in results:
        s.notify("result", result)
    return results[0] if len(results) == 1 else results


def results(id: str, problem: str | None = None, *, session: Session | None = None) -> list[Result]:
    """Every stored look at hypothesis ``id``, oldest first, as ``Result`` objects."""
    s = _session(session)
    h = s.resolve_hypothesis(id, problem, example=RESULTS_EXAMPLE)
    return s.store.results(h.problem, h.id)


def _pairs(stats, arms: dict, control: str | None, treatment: str | None) -> list[tuple]:
    """(control, treatment) pairs: one, or one per treatment arm when there are more than two arms."""
    if treatment is None and len(arms) > 2:
        base, _ = stats.pick_arms(arms, control, next(n for n in arms if n != (control or "control")))
        return [(base, arm) for name, arm in arms.items() if name != base.name]
    return [stats.pick_arms(arms, control, treatment)]


def track(
    id: str,
    event: str,
    user: str,
    variant: str | None = None,
    value: float | None = None,
    *,
    problem: str | None = None,
    session: Session | None = None,
) -> None:
    """Record one event from a prototype (e.g. ``exposed``, ``clicked_cta``) into the store."""
    from ..events import TRACK_EXAMPLE, check_event

    s = _session(session)
    check_event(event, user, variant)
    h = s.resolve_hypothesis(id, problem, example=TRACK_EXAMPLE)
    s.store.add_event(h.id, event, user, variant, value)
    if h.status == "draft":
        h.status = "running"
        s.store.save_hypothesis(h)
        s.notify("hypothesis", h)
