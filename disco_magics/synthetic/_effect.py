"""What a spec's planted effect means for a hypothesis: power by formula, and by simulation.

The planted effect is an override of a numeric or yes/no *metric* column conditioned on a *group* column
(``invited[variant=checklist]: bernoulli(0.27)``). The planned measurement is the one ``%measure`` makes:
a two-sided unpooled z test on the difference of means (a proportion is a mean of 0/1). This module does
its own small vectorised test rather than import the stats package, so that synth stays a leaf.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from ..errors import NotFoundError, ValidationFailed
from ..model.dataset import DatasetSpec
from ..model.distributions import Bernoulli, Choice
from ..model.simulation import PlantedEffect, SimulationResult
from ._registry import family
from ._sampler import Plan, _as_spec, _check_rows, resolve_seed

__all__ = ["Arms", "NullLooks", "implied_effect", "null_looks", "planted_arms", "simulate"]

_NUMERIC = ("bool", "int", "float")
_EXAMPLE = "invited[variant=checklist]: bernoulli(0.27)"
#: rows sampled to estimate arm means when the spec is too tangled for exact moments
_ESTIMATE_ROWS = 200_000
#: rows x runs sampled at once by simulate(): bounds its memory to a few hundred MB
_SIMULATION_CELLS = 2_000_000


@dataclass(frozen=True)
class Arms:
    metric: str
    group: str
    control: str
    treatment: str


def _group_values(spec: DatasetSpec, group: str) -> list[str]:
    kind = spec.value_kind(group)
    if kind == "category":
        return spec.categories(group)
    if kind == "bool":
        return ["false", "true"]
    raise ValidationFailed(
        f"the group column '{group}' must be a choice or yes/no column, not {spec.base(group).distribution.kind_name}",
        example="variant: choice(control=0.5, checklist=0.5)",
    )


def planted_arms(
    spec: DatasetSpec | str,
    metric: str | None = None,
    group: str | None = None,
    control: str | None = None,
    treatment: str | None = None,
) -> Arms:
    """Find (or check) the metric, the group column and the two arms of the effect planted in ``spec``.

    Unnamed pieces are inferred: the metric is the first numeric or yes/no column with an override, the
    group the first column that override conditions on, the treatment the value it names, and the
    control a value called ``control`` or else the first value no override of the metric names.
    """
    spec = _as_spec(spec)
    names = spec.column_names
    for role, name in (("metric", metric), ("group", group)):
        if name is not None and name not in names:
            raise NotFoundError(f"no column '{name}' for the {role}; columns: {', '.join(names)}")
    if metric is None:
        candidates = [
            c
            for c in spec.columns
            if c.conditions
            and spec.value_kind(c.name) in _NUMERIC
            and (group is None or group in c.conditions)
        ]
        if not candidates:
            raise ValidationFailed(
                "the spec plants no effect: add an override of a yes/no or numeric column", example=_EXAMPLE
            )
        metric = candidates[0].name
    if spec.value_kind(metric) not in _NUMERIC:
        raise ValidationFailed(
            f"the metric '{metric}' must be a yes/no or numeric column, not {spec.base(metric).distribution.kind_name}",
            example=_EXAMPLE,
        )
    overrides = spec.overrides(metric)
    if group is None:
        if not overrides:
            raise ValidationFailed(
                f"'{metric}' has no override, so no effect is planted in it", example=_EXAMPLE
            )
        group = next(iter(overrides[0].conditions))
    values = _group_values(spec, group)
    named = [c.conditions[group] for c in overrides if group in c.conditions]
    if treatment is None:
        treatment = next((v for v in named if v != control), None) or next(v for v in values if v != control)
    if control is None:
        others = [v for v in values if v != treatment]
        control = next((v for v in others if v.lower() == "control"), None) or next(
            (v for v in others if v not in named), others[0] if others else treatment
        )
    for role, value in (("control", control), ("treatment", treatment)):
        if value not in values:
            raise NotFoundError(
                f"'{value}' is not a value of {group} for the {role}; its values: {', '.join(values)}"
            )
    if control == treatment:
        raise ValidationFailed(
            f"control and treatment are both '{control}'; name two different values of {group}"
        )
    return Arms(metric, group, control, treatment)


def _exact_arms(spec: DatasetSpec, arms: Arms) -> dict[str, tuple[float, float, float]] | None:
    """value -> (mean, variance, share of rows), exactly, when the spec is simple enough; else None."""
    base = spec.base(arms.metric)
    moments = family(base.distribution.kind_name).moments
    overrides = spec.overrides(arms.metric)
    group_dist = spec.base(arms.group).distribution
    if (
        moments is None
        or spec.overrides(arms.group)
        or any(set(c.conditions) != {arms.group} for c in overrides)
        or any(family(c.distribution.kind_name).moments is None for c in overrides)
    ):
        return None
    if isinstance(group_dist, Choice):
        total = sum(group_dist.weights)
        shares = {o.value: o.weight / total for o in group_dist.options}
    elif isinstance(group_dist, Bernoulli):
        shares = {"true": group_dist.p, "false": 1 - group_dist.p}
    else:
        return None
    result = {}
    for value in (arms.control, arms.treatment):
        dist = base.distribution
        for override in overrides:  # the last matching override wins, as when sampling
            if override.conditions[arms.group] == value:
                dist = override.distribution
        mean, variance = family(dist.kind_name).moments(dist)
        result[value] = (mean, variance, shares.get(value, 0.0))
    return result


def _estimated_arms(spec: DatasetSpec, arms: Arms) -> dict[str, tuple[float, float, float]]:
    frame = Plan(spec.select([arms.metric, arms.group])).frame(0, 0, _ESTIMATE_ROWS)
    column = frame[arms.group]
    # yes/no groups are named "true"/"false" in conditions
    group = np.where(column, "true", "false") if column.dtype == bool else column.astype(str).to_numpy()
    metric = frame[arms.metric].to_numpy(dtype=np.float64)
    result = {}
    for value in (arms.control, arms.treatment):
        chosen = metric[group == value]
        variance = float(chosen.var(ddof=1)) if chosen.size > 1 else 0.0
        result[value] = (float(chosen.mean()) if chosen.size else 0.0, variance, chosen.size / _ESTIMATE_ROWS)
    return result


def _power(delta: float, se: float, z_alpha: float) -> float:
    if se == 0:
        return 1.0 if delta else 0.0
    shift = abs(delta) / se
    normal = NormalDist()
    return normal.cdf(shift - z_alpha) + normal.cdf(-shift - z_alpha)


def implied_effect(
    spec: DatasetSpec | str,
    rows: int,
    metric: str | None = None,
    group: str | None = None,
    control: str | None = None,
    treatment: str | None = None,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    target: float | None = None,
) -> PlantedEffect:
    """What the data implies for a hypothesis: the planted effect, rows per arm, and whether it shows.

    Parameters
    ----------
    spec, rows
        The dataset and how many rows will be sampled.
    metric, group, control, treatment
        The effect to read; inferred when None (see :func:`planted_arms`).
    alpha, power
        The planned test: two-sided at ``alpha``; "detectable" means power >= ``power``.
    target
        The linked hypothesis' target, to say whether the planted value reaches it.

    Returns
    -------
    PlantedEffect
        Arm means and SDs (exact from the distributions when the effect is a plain override of the
        group, else estimated from 200,000 sampled rows), expected rows per arm, the rows per arm the
        test needs, its power at ``rows``, and a one-paragraph ``summary``.
    """
    spec = _as_spec(spec)
    rows = _check_rows(rows)
    arms = planted_arms(spec, metric, group, control, treatment)
    estimate = _exact_arms(spec, arms)
    exact = estimate is not None
    if estimate is None:
        estimate = _estimated_arms(spec, arms)
    (mean_c, var_c, share_c), (mean_t, var_t, share_t) = estimate[arms.control], estimate[arms.treatment]
    normal = NormalDist()
    z_alpha = normal.inv_cdf(1 - alpha / 2)
    delta = mean_t - mean_c
    n_c, n_t = rows * share_c, rows * share_t
    if delta == 0:
        required = needed = None
        achieved = alpha
    else:
        required = max(2, math.ceil((z_alpha + normal.inv_cdf(power)) ** 2 * (var_c + var_t) / delta**2))
        smallest = min(share_c, share_t)
        needed = math.ceil(required / smallest) if smallest > 0 else None
        achieved = 0.0 if min(n_c, n_t) < 2 else _power(delta, math.sqrt(var_c / n_c + var_t / n_t), z_alpha)
    return PlantedEffect(
        metric=arms.metric,
        group=arms.group,
        control=arms.control,
        treatment=arms.treatment,
        kind="proportion" if spec.value_kind(arms.metric) == "bool" else "mean",
        control_mean=mean_c,
        treatment_mean=mean_t,
        control_sd=math.sqrt(var_c),
        treatment_sd=math.sqrt(var_t),
        rows=rows,
        control_rows=n_c,
        treatment_rows=n_t,
        alpha=alpha,
        target_power=power,
        required_per_arm=required,
        rows_needed=needed,
        power=min(1.0, max(0.0, achieved)),
        exact=exact,
        target=target,
    )


def _rejections(groups: np.ndarray, metric: np.ndarray, control: int, treatment: int, z_crit: float) -> int:
    """Count runs (rows of the 2-D arrays) where the unpooled z test rejects 'no difference'."""
    with np.errstate(divide="ignore", invalid="ignore"):
        stats = []
        for code in (control, treatment):
            member = groups == code
            n = member.sum(axis=1)
            mean = np.where(member, metric, 0.0).sum(axis=1) / n
            squares = np.where(member, (metric - mean[:, None]) ** 2, 0.0).sum(axis=1)
            stats.append((n, mean, squares / (n - 1)))
        (n_c, mean_c, var_c), (n_t, mean_t, var_t) = stats
        se = np.sqrt(var_c / n_c + var_t / n_t)
        z = (mean_t - mean_c) / se
        valid = (n_c >= 2) & (n_t >= 2) & (se > 0)
    return int((valid & (np.abs(z) > z_crit)).sum())


def simulate(
    spec: DatasetSpec | str,
    metric: str | None = None,
    group: str | None = None,
    control: str | None = None,
    *,
    rows: int,
    runs: int = 200,
    seed: int | None = None,
    alpha: float = 0.05,
    treatment: str | None = None,
) -> SimulationResult:
    """Sample the spec ``runs`` times without and with the planted effect; test each like ``%measure``.

    Without the effect (the metric's overrides on the group dropped) the share of significant runs is
    the false-positive rate, which should be close to ``alpha``; with it, the share is the power.
    Only the metric, the group and the columns they depend on are sampled. Both variants share their
    random streams (common random numbers), so they differ only where the effect was planted.

    Returns
    -------
    SimulationResult
        ``false_positive_rate``, ``power``, the power the normal formula expects, and a ``summary``.
    """
    spec = _as_spec(spec)
    rows = _check_rows(rows)
    if rows < 4:
        raise ValidationFailed("simulate needs at least 4 rows per run", example="--rows 2000")
    if isinstance(runs, bool) or not isinstance(runs, int) or not 1 <= runs <= 1_000_000:
        raise ValidationFailed(
            f"runs must be a whole number from 1 to 1,000,000, got {runs!r}", example="--runs 200"
        )
    seed = resolve_seed(seed)
    arms = planted_arms(spec, metric, group, control, treatment)
    with_effect = spec.select([arms.metric, arms.group])
    plans = {
        "without": Plan(with_effect.without_overrides(arms.metric, on=arms.group)),
        "with": Plan(with_effect),
    }
    values = _group_values(spec, arms.group)
    codes = {value: code for code, value in enumerate(values)}
    z_crit = NormalDist().inv_cdf(1 - alpha / 2)
    batch = max(1, min(runs, _SIMULATION_CELLS // rows))
    rejected = {"without": 0, "with": 0}
    for first in range(0, runs, batch):
        count = min(batch, runs - first)
        batch_seed = int(np.random.SeedSequence(seed, spawn_key=(first,)).generate_state(1, np.uint64)[0])
        for name, plan in plans.items():
            frame = plan.frame(batch_seed, 0, count * rows)
            column = frame[arms.group]
            groups = (
                column.cat.codes.to_numpy()
                if column.dtype == "category"
                else column.to_numpy().astype(np.int8)
            )
            metric_values = frame[arms.metric].to_numpy(dtype=np.float64)
            rejected[name] += _rejections(
                groups.reshape(count, rows),
                metric_values.reshape(count, rows),
                codes[arms.control],
                codes[arms.treatment],
                z_crit,
            )
    expected = implied_effect(spec, rows, arms.metric, arms.group, arms.control, arms.treatment, alpha=alpha)
    return SimulationResult(
        metric=arms.metric,
        group=arms.group,
        control=arms.control,
        treatment=arms.treatment,
        rows=rows,
        runs=runs,
        alpha=alpha,
        seed=seed,
        false_positive_rate=rejected["without"] / runs,
        power=rejected["with"] / runs,
        expected_power=expected.power,
    )


@dataclass(frozen=True)
class NullLooks:
    """Cumulative per-arm ``(n, sum, m2)`` arrays, shaped ``(runs, looks)``, of datasets with no effect."""

    arms: Arms
    kind: str
    control: tuple[np.ndarray, np.ndarray, np.ndarray]
    treatment: tuple[np.ndarray, np.ndarray, np.ndarray]
    rows: int
    seed: int


def null_looks(
    spec: DatasetSpec | str, *, rows: int, runs: int, looks: int, seed: int | None = None
) -> NullLooks:
    """Sample the spec ``runs`` times *without* its planted effect and cut each dataset into ``looks``
    equal batches of arriving users; return each arm's cumulative statistics after every batch.

    The statistics engine (``stats.peeking``) tests each look; this module stays a leaf and only counts.
    """
    spec = _as_spec(spec)
    rows = _check_rows(rows)
    if isinstance(looks, bool) or not isinstance(looks, int) or not 2 <= looks <= 365:
        raise ValidationFailed(f"peeks must be a whole number from 2 to 365, got {looks!r}", example="--peeks 30")
    if rows < 4 * looks:
        raise ValidationFailed(
            f"{rows:,} rows cannot be looked at {looks} times: give at least {4 * looks:,} rows",
            example="%simulate H1 --rows 12000 --peeks 30",
        )
    if isinstance(runs, bool) or not isinstance(runs, int) or not 1 <= runs <= 1_000_000:
        raise ValidationFailed(f"runs must be a whole number from 1 to 1,000,000, got {runs!r}", example="--runs 200")
    seed = resolve_seed(seed)
    arms = planted_arms(spec)
    plan = Plan(spec.select([arms.metric, arms.group]).without_overrides(arms.metric, on=arms.group))
    values = _group_values(spec, arms.group)
    codes = {value: code for code, value in enumerate(values)}
    per_look = rows // looks
    used = per_look * looks
    batch = max(1, min(runs, _SIMULATION_CELLS // rows))
    sums = {role: [np.zeros((runs, looks)) for _ in range(3)] for role in ("control", "treatment")}
    for first in range(0, runs, batch):
        count = min(batch, runs - first)
        batch_seed = int(np.random.SeedSequence(seed, spawn_key=(first,)).generate_state(1, np.uint64)[0])
        frame = plan.frame(batch_seed, 0, count * rows)
        column = frame[arms.group]
        groups = column.cat.codes.to_numpy() if column.dtype == "category" else column.to_numpy().astype(np.int8)
        metric = frame[arms.metric].to_numpy(dtype=np.float64)
        groups = groups.reshape(count, rows)[:, :used].reshape(count, looks, per_look)
        metric = metric.reshape(count, rows)[:, :used].reshape(count, looks, per_look)
        for role, value in (("control", arms.control), ("treatment", arms.treatment)):
            member = groups == codes[value]
            n = np.cumsum(member.sum(axis=2), axis=1).astype(float)
            total = np.cumsum(np.where(member, metric, 0.0).sum(axis=2), axis=1)
            squares = np.cumsum(np.where(member, metric * metric, 0.0).sum(axis=2), axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                m2 = np.where(n > 0, squares - total * total / n, 0.0)
            for k, array in enumerate((n, total, np.maximum(m2, 0.0))):
                sums[role][k][first : first + count] = array
    kind = "proportion" if spec.value_kind(arms.metric) == "bool" else "mean"
    return NullLooks(
        arms=arms,
        kind=kind,
        control=tuple(sums["control"]),
        treatment=tuple(sums["treatment"]),
        rows=used,
        seed=seed,
    )
