"""``%measure`` and ``disco.track``: evidence from data, aggregates or tracked events."""

from __future__ import annotations

from typing import Any

from ..errors import ValidationFailed
from ..model import Hypothesis, Result
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
    sql: str | None = None,
    connection: str | None = None,
    namespace: dict[str, Any] | None = None,
    engine: str = "frequentist",
    sequential: bool | None = None,
    sequential_tuning: float | None = None,
    covariate: str | None = None,
    prior_mean: float | None = None,
    prior_sd: float | None = None,
    rehearsal: bool = False,
    problem: str | None = None,
    session: Session | None = None,
):
    """Measure hypothesis ``id`` from a DataFrame, from aggregates, from tracked events, or by SQL.

    ``sql`` is one read-only SELECT/WITH query, one row per user, aggregated where the data lives
    (``connection``: a database URL; default an embedded DuckDB, which reads Parquet/CSV files by path and
    DataFrames by name from ``namespace``, the caller's variables by default).

    ``engine`` is ``"frequentist"`` or ``"bayesian"`` (``prior_mean``/``prior_sd``: a proper prior on the
    absolute lift); ``sequential`` True/False forces the always-valid or the fixed-horizon interval (None:
    fixed at the first look, sequential from the second unless the hypothesis has a plan), tuned for
    ``sequential_tuning`` users in total; ``covariate`` names a pre-period column of ``data`` for CUPED.

    Returns a ``Result``; with more than two arms and no ``treatment``, one ``Result`` per treatment arm
    (a list). Each result is stored (history kept; later looks are marked) and moves the hypothesis'
    status to its verdict.

    Data the tool synthesized (a ``%%synth`` frame, or one read back from its Parquet file: its provenance
    is in ``attrs``), or any data with ``rehearsal=True``, gives a *rehearsal*: the same analysis, labelled,
    kept apart, and changing nothing about the hypothesis (status, looks, table, report).
    """
    s = _session(session)
    h = s.resolve_hypothesis(id, problem, example=MEASURE_EXAMPLE)
    if sql is not None and namespace is None:
        namespace = _caller_variables()
    provenance = _synthetic_provenance(data) if sql is None else _sql_provenance(sql, namespace)
    pairs, source = _arms_from_source(
        s,
        h,
        data=data,
        metric=metric,
        group=group,
        control=control,
        treatment=treatment,
        observed=observed,
        n=n,
        baseline=baseline,
        baseline_n=baseline_n,
        events=events,
        sql=sql,
        connection=connection,
        namespace=namespace,
        covariate=covariate,
    )
    return _evaluate_and_store(
        s,
        h,
        pairs,
        source,
        metric=metric or h.metric,
        split=split,
        rehearsal=bool(rehearsal) or provenance is not None,
        provenance=provenance,
        engine=engine,
        sequential=sequential,
        sequential_tuning=sequential_tuning,
        prior_mean=prior_mean,
        prior_sd=prior_sd,
    )


def _arms_from_source(
    s: Session,
    h: Hypothesis,
    *,
    data: Any,
    metric: str | None,
    group: str | None,
    control: str | None,
    treatment: str | None,
    observed: float | None,
    n: int | None,
    baseline: float | None,
    baseline_n: int | None,
    events: bool,
    sql: str | None = None,
    connection: str | None = None,
    namespace: dict[str, Any] | None = None,
    covariate: str | None,
) -> tuple[list[tuple], str]:
    """Where the arms come from: a DataFrame, a query, aggregates or tracked events -> (control, treatment) pairs."""
    from .. import stats

    modes = [data is not None, observed is not None or n is not None, bool(events), sql is not None]
    if sum(modes) != 1:
        raise ValidationFailed(
            "measure from one source: --data (a DataFrame), --sql (a query), --observed with --n (aggregates), "
            "or --events",
            example=MEASURE_EXAMPLE,
        )
    if connection is not None and sql is None:
        raise ValidationFailed("--connection goes with --sql", example=SQL_EXAMPLE)
    if covariate is not None and data is None and sql is None:
        raise ValidationFailed(
            "CUPED needs the users' rows: --covariate works with --data or --sql, not with aggregates or events",
            example="%measure H1 --data trials --metric invited --group variant --covariate invited_before",
        )
    if events:
        from ..events import arms_from_events

        arms = arms_from_events(s, h)
        if len(arms) == 1:  # no variants: everyone saw the prototype; compare against the baseline
            if h.baseline is None:
                raise ValidationFailed(
                    f"{h.id} has no baseline to compare its events against", example=MEASURE_EXAMPLE
                )
            return [(h.baseline, next(iter(arms.values())))], "events"
        return _pairs(stats, arms, control, treatment), "events"
    if data is not None:
        column = metric or h.metric
        if group is None:
            raise ValidationFailed(
                "say which column holds each user's arm with --group", example=MEASURE_EXAMPLE
            )
        arms = stats.arms_from_frame(data, column, group, covariate=covariate)
        return _pairs(stats, arms, control, treatment), "data"
    if sql is not None:
        arms = _arms_from_sql(sql, connection, metric or h.metric, group, namespace, covariate)
        return _pairs(stats, arms, control, treatment), "sql"
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
    against = stats.arm_from_rate("baseline", reference, baseline_n) if baseline_n is not None else reference
    return [(against, arm)], "aggregates"


def _evaluate_and_store(
    s: Session,
    h: Hypothesis,
    pairs: list[tuple],
    source: str,
    *,
    metric: str,
    split,
    rehearsal: bool = False,
    provenance=None,
    **options: Any,
):
    """One evaluate step for every (control, treatment) pair, inside the store's write transaction.

    A rehearsal is what the next real look would say; the store keeps it apart and it is not one."""
    from .. import stats

    origin = s.origin()

    def judge(first_look: int) -> list:
        # runs inside the store's write transaction, so the look numbers are this kernel's alone
        made = [
            stats.evaluate(
                hypothesis=h.id,
                metric=metric,
                target=h.target,
                control=control_arm,
                treatment=treatment_arm,
                baseline=h.baseline,
                direction=h.direction,
                look=look,
                expected_split=split,
                source=source,
                plan=h.plan,
                first_look=first_look,
                **options,
            )
            for look, (control_arm, treatment_arm) in enumerate(pairs, start=first_look)
        ]
        if origin is not None:  # the notebook and cell that measured
            made = [r.model_copy(update={"origin": origin}) for r in made]
        if rehearsal:
            made = [r.model_copy(update={"rehearsal": True, "provenance": provenance}) for r in made]
        return made

    results = s.store.add_results(h.problem, h.id, judge)
    for result in results:
        s.notify("result", result)
    return results[0] if len(results) == 1 else results


def _synthetic_provenance(data: Any):
    """The provenance of a frame the tool synthesized (pandas keeps it in ``attrs``), else None."""
    if not getattr(data, "attrs", None):
        return None
    from ..synthetic import provenance_of

    return provenance_of(data)


def _sql_provenance(sql: Any, namespace: dict[str, Any] | None):
    """A query over a Parquet file ``%%synth --out`` wrote, or over a frame it made, is a rehearsal too:
    the mark is read from the files' footers and the frames' ``attrs`` before any row is."""
    if not isinstance(sql, str):
        return None  # the query's own check says what is wrong
    from ..sources.sql import inputs
    from ..synthetic import file_provenance, provenance_of

    files, frames = inputs(sql, namespace)
    found = provenance_of(*frames) if frames else None
    for path in files:
        found = found or file_provenance(path)
    return found


def results(id: str, problem: str | None = None, *, session: Session | None = None) -> list[Result]:
    """Every stored look at hypothesis ``id``, oldest first, as ``Result`` objects."""
    s = _session(session)
    h = s.resolve_hypothesis(id, problem, example=RESULTS_EXAMPLE)
    return s.store.results(h.problem, h.id)


SQL_EXAMPLE = "%measure H1 --sql query --metric invited --group variant --control control"


def _caller_variables() -> dict[str, Any]:
    """The variables of whoever called ``measure``: as DuckDB's own API does, a query names their frames."""
    import inspect

    frame = inspect.currentframe()
    caller = frame.f_back.f_back if frame is not None and frame.f_back is not None else None
    return {**caller.f_globals, **caller.f_locals} if caller is not None else {}


def _arms_from_sql(
    sql: str,
    connection: str | None,
    metric: str,
    group: str | None,
    namespace: dict | None,
    covariate: str | None = None,
) -> dict:
    """Per-arm statistics aggregated in the database (``sources.sql``); frames by name from the caller.

    ``covariate`` (CUPED) is summed in the database too: sum x, sum x², sum x·y per arm.
    """
    from ..sources.sql import arms_from_sql

    if group is None:
        raise ValidationFailed("say which column holds each user's arm with --group", example=SQL_EXAMPLE)
    return arms_from_sql(sql, metric, group, connection, covariate=covariate, namespace=namespace)


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
