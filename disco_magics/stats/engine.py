"""One entry point: arms + hypothesis target -> a Result with effect, guards and verdict."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from disco_magics.errors import ValidationFailed
from disco_magics.model import NAME_RE
from disco_magics.model.result import ArmStats, Direction, Result, Source

from .effect import compare
from .guards import (
    dropped_note,
    minimum_n_per_arm,
    minimum_sample,
    peeking_note,
    required_n_per_arm,
    sample_ratio_mismatch,
    zero_variance,
)
from .verdict import explain, read_effect

__all__ = ["evaluate"]

_EXAMPLE = "%measure H1 --data trials --metric invited --group variant --control control"


def _finite(x: Any, label: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x):
        raise ValidationFailed(f"{label} must be a finite number, not {x!r}", example=_EXAMPLE)
    return float(x)


def evaluate(
    *,
    hypothesis: str,
    metric: str,
    target: float,
    control: ArmStats | float,
    treatment: ArmStats,
    baseline: float | None = None,
    direction: Direction | None = None,
    look: int = 1,
    expected_split: Sequence[float] | None = None,
    source: Source = "data",
) -> Result:
    """Measure a hypothesis: effect, guards and verdict, as one ``Result``.

    Parameters
    ----------
    hypothesis : str
        The hypothesis ID, e.g. ``"H1"``.
    metric : str
        The metric's name as the user knows it (used in the reason).
    target : float
        The value the hypothesis says the metric reaches.
    control : ArmStats or float
        The control arm, or a fixed baseline value to compare against when there is no control sample.
    treatment : ArmStats
        The treatment arm (same kind as the control).
    baseline : float, optional
        The hypothesis baseline; it sets the direction and the power calculation. Defaults to the control
        mean (or the fixed baseline).
    direction : {"increase", "decrease"}, optional
        Which way the metric must move; derived from ``target`` versus the baseline when omitted.
    look : int
        1 for the first measurement of this hypothesis, 2 for the second...; later looks get a peeking note.
    expected_split : (float, float), optional
        Expected (control, treatment) shares of users, equal when omitted; drives the sample-ratio check.
    source : {"data", "aggregates", "events", "sql"}
        Where the numbers came from.

    Returns
    -------
    Result
        Validated, invalidated or inconclusive, with the reason in words.
    """
    if not isinstance(hypothesis, str) or not NAME_RE.match(hypothesis):
        raise ValidationFailed(
            f"hypothesis ID {hypothesis!r} is not a name: a letter or _ first, then up to 63 letters, digits, _ . -",
            example=_EXAMPLE,
        )
    if not isinstance(metric, str) or not metric.strip():
        raise ValidationFailed("say which metric is measured", example=_EXAMPLE)
    if not isinstance(treatment, ArmStats):
        raise ValidationFailed("the treatment must be an arm's statistics (ArmStats)", example=_EXAMPLE)
    fixed = not isinstance(control, ArmStats)
    kind = treatment.kind
    target = _finite(target, "the target")
    if baseline is not None:
        baseline = _finite(baseline, "the baseline")
    if fixed:
        control = _finite(control, "the fixed baseline")
        if kind == "proportion" and not 0.0 <= control <= 1.0:
            raise ValidationFailed(
                f"the baseline rate must be between 0 and 1, not {control}", example=_EXAMPLE
            )
    elif control.kind != kind:
        raise ValidationFailed(
            f"control {control.name} is a {control.kind} but treatment {treatment.name} is a {kind}",
            example=_EXAMPLE,
        )
    if kind == "proportion":
        for label, value in (("target", target), ("baseline", baseline)):
            if value is not None and not 0.0 <= value <= 1.0:
                raise ValidationFailed(
                    f"{metric} is a rate, so its {label} must be between 0 and 1, not {value} (write 30% as 0.30)",
                    example="%%hypothesis H1 --metric invite_rate --target 0.30",
                )
    if isinstance(look, bool) or not isinstance(look, numbers.Integral) or look < 1:
        raise ValidationFailed(f"look must be 1 or more, not {look!r}")

    effect = compare(control, treatment)
    design_baseline = baseline if baseline is not None else effect.reference
    if direction is None:
        if baseline is not None and target == baseline:
            raise ValidationFailed(
                f"the target {target} equals the baseline, so the hypothesis does not say which way {metric} moves",
                example="%%hypothesis H1 --metric invite_rate --target 0.30 --baseline 0.18",
            )
        direction = "increase" if target >= design_baseline else "decrease"
    elif direction not in ("increase", "decrease"):
        raise ValidationFailed(f"direction must be 'increase' or 'decrease', not {direction!r}")

    arms = [treatment] if fixed else [control, treatment]
    guards = minimum_sample(arms, metric)
    srm_p = None
    if not fixed:
        srm_p, srm = sample_ratio_mismatch(control, treatment, expected_split)
        if srm:
            guards.append(srm)
    if kind == "mean" and (no_variation := zero_variance(arms, metric)):
        guards.append(no_variation)
    notes = [n for n in (peeking_note(look, hypothesis, effect.p_value), dropped_note(arms, metric)) if n]

    variance = sum(a.variance for a in arms) if kind == "mean" else None
    required = required_n_per_arm(kind, design_baseline, target, variance, two_sample=not fixed)
    if required is not None:
        # never recommend fewer users than the minimum-sample guard itself asks for
        required = max(required, minimum_n_per_arm(kind, design_baseline, target))

    reading = read_effect(effect, target, direction)
    verdict, reason = explain(
        effect,
        reading,
        kind=kind,
        metric=metric,
        target=target,
        direction=direction,
        treatment=treatment.name,
        control=None if fixed else control.name,
        guards=guards,
        notes=notes,
        required_n=required,
        design_baseline=design_baseline,
        arm_sizes=[a.n for a in arms],
    )
    up = direction == "increase"
    return Result(
        hypothesis=hypothesis,
        metric=metric,
        metric_kind=kind,
        control=None if fixed else control,
        treatment=treatment,
        baseline_fixed=fixed,
        reference=effect.reference,
        target=target,
        baseline=baseline if baseline is not None else (effect.reference if fixed else None),
        direction=direction,
        lift=effect.lift,
        relative_lift=effect.relative_lift,
        ci_low=effect.ci_low,
        ci_high=effect.ci_high,
        rel_ci_low=effect.rel_ci_low,
        rel_ci_high=effect.rel_ci_high,
        p_value=effect.p_value,
        chance_to_beat=effect.prob_greater if up else 1.0 - effect.prob_greater,
        observed=effect.observed,
        observed_ci_low=effect.observed_ci_low,
        observed_ci_high=effect.observed_ci_high,
        verdict=verdict,
        reason=reason,
        guards=guards,
        notes=notes,
        required_n_per_arm=required,
        srm_p_value=srm_p,
        look=int(look),
        source=source,
    )
