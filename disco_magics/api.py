"""The operations behind every magic, as plain functions (the contract's Python API).

Each takes an optional ``session``; without one it uses the kernel's (after ``%load_ext``) or a default
session on ``DISCO_STORE``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .errors import ValidationFailed
from .model import DECISIONS, Decision, ExperimentRow, ExperimentTable, Hypothesis, Problem
from .session import Session, get_session

if TYPE_CHECKING:
    import pandas as pd

DECIDE_EXAMPLE = 'disco.decide("H1", "persevere", learning="admins invite when they see a team feature")'


def _session(session: Session | None) -> Session:
    return session if session is not None else get_session()


def problem(name: str, text: str, *, session: Session | None = None) -> Problem:
    """Declare (or replace) problem ``name`` from a ``%%problem`` body; it becomes the current problem."""
    from .parse.cells import parse_problem

    s = _session(session)
    parsed = parse_problem(name, text or "")
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
    from .parse.cells import HYPOTHESIS_EXAMPLE, parse_hypothesis

    s = _session(session)
    owner = s.resolve_problem(problem, example=HYPOTHESIS_EXAMPLE) if (problem or s.problem_name()) else None
    parsed = parse_hypothesis(id, text, owner, metric=metric, target=target, baseline=baseline, risk=risk)
    previous = s.store.hypothesis(parsed.problem, parsed.id)
    if previous is not None:
        parsed.created_at = previous.created_at
        same_test = (previous.metric, previous.target, previous.baseline) == (
            parsed.metric,
            parsed.target,
            parsed.baseline,
        )
        # The evidence still speaks to an unchanged test; a changed metric or target starts again.
        if same_test:
            parsed.status = previous.status
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
            hypothesis=found.id, decision=decision, learning=learning or "", without_evidence=not evidence
        )
    except ValidationError as err:  # a learning too long, or with a NUL byte: one line, nothing stored
        from .parse.cells import first_error

        raise ValidationFailed(
            f"decision on {found.id} not saved: {first_error(err)}", example=DECIDE_EXAMPLE
        ) from None
    s.store.add_decision(found.problem, made)
    s.notify("decision", made)
    return made


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
    rehearsals = store.latest_rehearsals(scope)
    rows = [
        _row(h, results.get(key), decisions.get(key), rehearsals.get(key))
        for h in store.hypotheses(scope)
        for key in [(h.problem, h.id)]
    ]
    return ExperimentTable(rows=rows, problem=scope)


def _row(
    h: Hypothesis,
    result: dict[str, Any] | None,
    decision: dict[str, Any] | None,
    rehearsal: dict[str, Any] | None = None,
) -> ExperimentRow:
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
    if rehearsal:
        row.rehearsal = rehearsal.get("verdict")
    return row


def experiments(
    problem: str | None = None, all: bool = False, *, session: Session | None = None
) -> pd.DataFrame:
    """The experiment table as a pandas DataFrame, one row per hypothesis."""
    import pandas as pd

    table = experiment_table(problem, all, session=session)
    columns = list(ExperimentRow.model_fields)
    frame = pd.DataFrame([row.model_dump() for row in table.rows], columns=columns)
    # Indexed by the hypothesis ID (``frame.loc["H1"]``) with the ``id`` column kept, and the index left
    # unnamed so ``reset_index()``, ``groupby`` and ``to_csv`` behave as on any frame.
    frame.index = pd.Index(frame["id"].tolist(), dtype=object)
    return frame


EXPORT_FORMATS = (".csv", ".md", ".html")


def export_experiments(
    path: str, problem: str | None = None, all: bool = False, *, session: Session | None = None
) -> str:
    """Write the experiment table to ``path`` (.csv, .md or .html, by extension), atomically."""
    from pathlib import Path

    from .display.table import table_csv, table_html, table_markdown
    from .errors import ParseError
    from .files import write_text_atomic

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ParseError(
            f"cannot export to {target.name[:60]!r}: the extension must be one of {', '.join(EXPORT_FORMATS)}",
            example="%experiments --export experiments.md",
        )
    table = experiment_table(problem, all, session=session)
    if suffix == ".csv":
        text = table_csv(table)
    elif suffix == ".md":
        text = table_markdown(table)
    else:
        text = _standalone_html(table_html(table))
    write_text_atomic(target, text)
    return str(target)


def _standalone_html(body: str) -> str:
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Experiments</title></head>'
        f"<body>{body}</body></html>\n"
    )


MEASURE_EXAMPLE = "%measure H1 --data trials --metric invited --group variant --control control"


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
    rehearsal: bool = False,
    problem: str | None = None,
    session: Session | None = None,
):
    """Measure hypothesis ``id`` from a DataFrame, from aggregates, or from tracked events.

    Returns a ``Result``; with more than two arms and no ``treatment``, one ``Result`` per treatment arm
    (a list). Each result is stored (history kept; later looks are marked) and moves the hypothesis'
    status to its verdict.

    Data the tool synthesized (a ``%%synth`` frame, or one read back from its Parquet file: its provenance
    is in ``attrs``), or any data with ``rehearsal=True``, gives a *rehearsal*: the same analysis, labelled,
    kept apart, and changing nothing about the hypothesis (status, looks, table, report).
    """
    from . import stats

    s = _session(session)
    h = s.resolve_hypothesis(id, problem, example=MEASURE_EXAMPLE)
    provenance = _synthetic_provenance(data)
    rehearsal = bool(rehearsal) or provenance is not None
    modes = [data is not None, observed is not None or n is not None, bool(events)]
    if sum(modes) != 1:
        raise ValidationFailed(
            "measure from one source: --data (a DataFrame), --observed with --n (aggregates), or --events",
            example=MEASURE_EXAMPLE,
        )
    if events:
        from .events import arms_from_events

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
        made = [
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
        if rehearsal:  # what the next real look would say; the store keeps it apart, and it is not one
            made = [r.model_copy(update={"rehearsal": True, "provenance": provenance}) for r in made]
        return made

    results = s.store.add_results(h.problem, h.id, judge)
    for result in results:
        s.notify("result", result)
    return results[0] if len(results) == 1 else results


def _synthetic_provenance(data: Any):
    """The provenance of a frame the tool synthesized (pandas keeps it in ``attrs``), else None."""
    attrs = getattr(data, "attrs", None)
    if not attrs:
        return None
    from .synthetic import provenance_of

    return provenance_of(data)


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
    from .events import TRACK_EXAMPLE, check_event

    s = _session(session)
    check_event(event, user, variant)
    h = s.resolve_hypothesis(id, problem, example=TRACK_EXAMPLE)
    s.store.add_event(h.id, event, user, variant, value)
    if h.status == "draft":
        h.status = "running"
        s.store.save_hypothesis(h)
        s.notify("hypothesis", h)


SYNTH_EXAMPLE = "%%synth trials --rows 20000 --seed 7"


def synth(
    spec_or_prose: str,
    rows: int = 1000,
    seed: int | None = None,
    *,
    name: str | None = None,
    session: Session | None = None,
):
    """Sample a column spec (or prose, turned into a spec first) into a pandas DataFrame, seeded.

    The frame carries its provenance (``name``, seed, planted effect) in ``attrs``: measuring it, or a
    selection or filter of it, is a rehearsal, never evidence.
    """
    from .synthetic import sample

    spec, _ = dataset_spec(spec_or_prose, session=session)
    _check_fits_in_memory(spec, rows)
    try:
        return sample(spec, rows, seed, name=name)
    except MemoryError:
        raise ValidationFailed(
            f"{rows:,} rows do not fit in memory; stream them to a file with --out PATH",
            example=SYNTH_OUT_EXAMPLE,
        ) from None


SYNTH_OUT_EXAMPLE = "%%synth trials --rows 100000000 --out trials.parquet"
#: bytes one value takes in the DataFrame, by the spec's value kind (text: a short string in Arrow)
_VALUE_BYTES = {"bool": 1, "category": 2, "text": 64}


def _check_fits_in_memory(spec, rows: int) -> None:
    """Refuse a dataset that cannot fit in memory: one clear line, not a MemoryError or the OOM killer."""
    available = _available_memory()
    if available is None or not isinstance(rows, int):
        return
    need = rows * sum(_VALUE_BYTES.get(spec.value_kind(name), 8) for name in spec.column_names)
    if need > available // 2:
        raise ValidationFailed(
            f"{rows:,} rows × {len(spec.column_names)} columns need about {need / 1e9:,.1f} GB in memory, more than "
            f"half of the {available / 1e9:,.1f} GB available; stream them to a file with --out PATH, or use fewer rows",
            example=SYNTH_OUT_EXAMPLE,
        )


def _available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux ``MemAvailable``); None when unknown."""
    import os

    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def dataset_spec(spec_or_prose: str, *, session: Session | None = None):
    """(DatasetSpec, drafted_note): parse a spec, or draft one from prose (LLM layer or offline drafter)."""
    from .parse.spec import looks_like_spec, parse_spec

    text = spec_or_prose or ""
    if not text.strip():
        raise ValidationFailed(
            "the dataset needs a spec (one `column: distribution` a line) or prose", example=SYNTH_EXAMPLE
        )
    if looks_like_spec(text):
        return parse_spec(text), None
    from .generate.spec import draft_spec

    return draft_spec(_session(session), text)


def link_dataset(
    name: str, spec, rows: int, seed: int, hypothesis_id: str, *, session: Session | None = None
) -> tuple[Hypothesis, str]:
    """Link a synthetic dataset to a hypothesis; returns the hypothesis and what the data implies for it."""
    from .synthetic import implied_effect

    s = _session(session)
    h = s.resolve_hypothesis(hypothesis_id, example=f"{SYNTH_EXAMPLE} --for H1")
    s.store.add_artifact(
        "dataset",
        f"{h.problem}/{h.id}",
        {"name": name, "spec": spec.to_text(), "rows": rows, "seed": seed, "hypothesis": h.id},
    )
    try:
        implied = implied_effect(spec, rows, target=h.target).summary
    except ValidationFailed as err:
        implied = f"no planted effect found to read ({err.message})"
    return h, implied


def simulate(
    id: str,
    rows: int | None = None,
    runs: int = 200,
    seed: int | None = None,
    *,
    session: Session | None = None,
):
    """Sample the hypothesis' linked dataset ``runs`` times with and without its planted effect."""
    from .synthetic import simulate as run

    s = _session(session)
    example = "%simulate H1 --rows 4000 --runs 200"
    h = s.resolve_hypothesis(id, example=example)
    linked = s.store.artifacts("dataset", f"{h.problem}/{h.id}")
    if not linked:
        raise ValidationFailed(
            f"{h.id} has no synthetic dataset yet: link one with %%synth NAME --for {h.id}", example=example
        )
    from .parse.spec import parse_spec

    latest = linked[-1]
    spec, rows = parse_spec(latest["spec"]), rows or int(latest["rows"])
    _check_fits_in_memory(spec, rows)
    return run(spec, rows=rows, runs=runs, seed=seed)


def report(
    out: str | None = None, problem: str | None = None, *, all: bool = True, session: Session | None = None
):
    """The learning report (problem, metrics, hypotheses ordered by risk, evidence, decisions, learnings).

    With ``out`` (.md or .html) it is also written there, atomically. Returns a ``LearningReport``.
    """
    from .model.report import RISK_ORDER, LearningCard, LearningReport, ProblemReport

    s = _session(session)
    store = s.store
    problems = [s.resolve_problem(problem)] if problem else store.problems()
    results = store.latest("results")
    decisions = store.latest("decisions")
    sections = []
    for p in problems:
        cards = []
        for h in sorted(store.hypotheses(p.name), key=lambda h: (RISK_ORDER.index(h.risk), h.id)):
            decided = decisions.get((p.name, h.id))
            result = results.get((p.name, h.id))
            cards.append(
                LearningCard(
                    hypothesis=h,
                    result=result,
                    looks=int((result or {}).get("look") or 0),
                    decision=Decision.model_validate(decided) if decided else None,
                )
            )
        sections.append(ProblemReport(problem=p, cards=cards))
    made = LearningReport(problems=sections)
    if out:
        from pathlib import Path

        from .display.report import report_html, report_markdown
        from .errors import ParseError
        from .files import write_text_atomic

        suffix = Path(out).suffix.lower()
        if suffix not in (".md", ".html"):
            raise ParseError(
                f"cannot write the report to {Path(out).name[:60]!r}: use .md or .html",
                example="%disco report --out report.md",
            )
        text = report_markdown(made) if suffix == ".md" else _standalone_html(report_html(made))
        write_text_atomic(out, text)
    return made


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
    rehearsals = store.rehearsals(problem, id)
    return _row(found, results[-1] if results else None, latest_decision, rehearsals[-1] if rehearsals else None)


PROTOTYPE_EXAMPLE = "%prototype H1 --kind fake-door"


def prototype(
    ids: str | list[str],
    kind: str | None = None,
    out: str = "prototypes",
    *,
    problem: str | None = None,
    progress: bool = True,
    session: Session | None = None,
):
    """Draft the thinnest prototype for each hypothesis ID, write its files under ``out/ID/``, store it.

    Returns one ``DraftedPrototype`` per ID (its ``launcher`` is the code that starts the prototype; it is
    not run). Kinds: see ``disco_magics.generate.templates.kinds()``; the default follows each hypothesis'
    risk. A file the user changed since it was generated is never overwritten: the draft goes to a new
    version folder and a note says so.
    """
    from .generate.prototype import draft_prototypes
    from .model.prototype import DraftedPrototype
    from .prototypes import launcher, write_prototype

    s = _session(session)
    wanted = [ids] if isinstance(ids, str) else list(ids)
    if not wanted:
        raise ValidationFailed("name at least one hypothesis ID", example=PROTOTYPE_EXAMPLE)
    found = [s.resolve_hypothesis(i, problem, example=PROTOTYPE_EXAMPLE) for i in dict.fromkeys(wanted)]
    drafted = draft_prototypes(s, found, kind, progress=progress)
    store_path = str(s.store.path) if s.store.path is not None else None
    made = []
    for proto in drafted:
        written = write_prototype(proto, out, store_path=store_path)
        s.store.add_artifact(
            "prototype",
            f"{proto.problem}/{proto.hypothesis}",
            proto.model_dump(mode="json") | {"folder": str(written.folder), "version": written.version},
        )
        made.append(
            DraftedPrototype(
                prototype=proto,
                folder=str(written.folder),
                version=written.version,
                written=written.written,
                unchanged=written.unchanged,
                notes=written.notes,
                launcher=launcher(proto, written.folder, out),
            )
        )
    return made
