"""``%%synth`` and ``%simulate``: specs (typed or drafted from prose), sampled data, simulations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ValidationFailed
from ..model import DatasetSpec, Hypothesis
from ..session import Session
from ._common import _session

if TYPE_CHECKING:
    import pandas as pd

SYNTH_EXAMPLE = "%%synth trials --rows 20000 --seed 7"


@dataclass(frozen=True)
class SynthRun:
    """What one ``%%synth`` cell made: the spec, the seed, and the rows in memory or in a file."""

    spec: DatasetSpec
    rows: int
    seed: int
    #: how the spec was drafted from prose (None when the cell was a spec)
    drafted: str | None = None
    #: the rows, when sampled into memory
    frame: pd.DataFrame | None = None
    #: where the rows were streamed (``--out``): a ``synthetic.WriteResult``
    written: Any = None
    #: the hypothesis the dataset was linked to (``--for``), and what the data implies for it
    hypothesis: Hypothesis | None = None
    implied: str | None = None


def synthesize(
    name: str,
    spec_or_prose: str | DatasetSpec,
    rows: int = 1000,
    seed: int | None = None,
    *,
    out: str | None = None,
    for_id: str | None = None,
    session: Session | None = None,
) -> SynthRun:
    """``%%synth``: a spec (or prose, drafted into one), sampled into memory or streamed to ``out``,
    optionally linked to hypothesis ``for_id``. Without ``seed`` a fresh one is drawn and returned."""
    from ..synthetic import resolve_seed, write

    s = _session(session)
    seed = resolve_seed(seed)
    if isinstance(spec_or_prose, DatasetSpec):
        spec, drafted = spec_or_prose, None
    else:
        spec, drafted = dataset_spec(spec_or_prose, session=s)
    if for_id is not None:  # an unknown hypothesis is refused before any row is sampled
        s.resolve_hypothesis(for_id, example=f"{SYNTH_EXAMPLE} --for H1")
    frame = written = None
    if out:
        written = write(spec, rows, out, seed=seed, name=name)
    else:
        frame = synth(spec, rows=rows, seed=seed, name=name, session=s)
    hypothesis = implied = None
    if for_id is not None:
        hypothesis, implied = link_dataset(name, spec, rows, seed, for_id, session=s)
    return SynthRun(spec, rows, seed, drafted, frame, written, hypothesis, implied)


def synth(
    spec_or_prose: str | DatasetSpec,
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
    from ..synthetic import sample

    if isinstance(spec_or_prose, DatasetSpec):
        spec = spec_or_prose
    else:
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
    from ..parse.spec import looks_like_spec, parse_spec

    text = spec_or_prose or ""
    if not text.strip():
        raise ValidationFailed(
            "the dataset needs a spec (one `column: distribution` a line) or prose", example=SYNTH_EXAMPLE
        )
    if looks_like_spec(text):
        return parse_spec(text), None
    from ..generate.spec import draft_spec

    return draft_spec(_session(session), text)


def link_dataset(
    name: str, spec, rows: int, seed: int, hypothesis_id: str, *, session: Session | None = None
) -> tuple[Hypothesis, str]:
    """Link a synthetic dataset to a hypothesis; returns the hypothesis and what the data implies for it."""
    from ..synthetic import implied_effect

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
    peeks: int | None = None,
    session: Session | None = None,
):
    """Sample the hypothesis' linked dataset ``runs`` times with and without its planted effect.

    With ``peeks``, sample it without the effect instead and look ``peeks`` times as the users arrive:
    the false-positive rate of daily peeking with the fixed-horizon and with the sequential test
    (a ``PeekingSimulation``).
    """
    from ..synthetic import simulate as run

    s = _session(session)
    example = "%simulate H1 --rows 4000 --runs 200"
    h = s.resolve_hypothesis(id, example=example)
    linked = s.store.artifacts("dataset", f"{h.problem}/{h.id}")
    if not linked:
        raise ValidationFailed(
            f"{h.id} has no synthetic dataset yet: link one with %%synth NAME --for {h.id}", example=example
        )
    from ..parse.spec import parse_spec

    latest = linked[-1]
    spec, rows = parse_spec(latest["spec"]), rows or int(latest["rows"])
    _check_fits_in_memory(spec, rows)
    if peeks is not None:
        return _simulate_peeking(h, spec, rows=rows, runs=runs, peeks=peeks, seed=seed)
    return run(spec, rows=rows, runs=runs, seed=seed)


def _simulate_peeking(h: Hypothesis, spec, *, rows: int, runs: int, peeks: int, seed: int | None):
    """Null datasets from the synthetic side, looks tested by the statistics side, as one model."""
    import math

    from ..model.plan import PeekingSimulation
    from ..stats.engine import default_tuning
    from ..stats.peeking import rejection_rates
    from ..synthetic import null_looks

    looks = null_looks(spec, rows=rows, runs=runs, looks=peeks, seed=seed)
    n_c, total_c, m2_c = (a[0, -1] for a in looks.control)
    n_t, _, m2_t = (a[0, -1] for a in looks.treatment)
    sd = math.sqrt((m2_c + m2_t) / max(n_c + n_t - 2, 1)) or None
    reference = total_c / n_c if n_c else 0.0
    design = h.baseline if h.baseline is not None else reference
    # the N* %measure would use on this hypothesis, so the simulation shows what the default does
    tuning = default_tuning(h.plan, looks.kind, design, h.target, sd)
    rates = rejection_rates(looks.kind, looks.control, looks.treatment, tuning)
    return PeekingSimulation(
        hypothesis=h.id,
        metric=looks.arms.metric,
        metric_kind=looks.kind,
        rows=looks.rows,
        runs=runs,
        peeks=peeks,
        seed=looks.seed,
        tuning=tuning,
        fixed_rate=rates.fixed,
        sequential_rate=rates.sequential,
        single_look_rate=rates.last_look,
    )
