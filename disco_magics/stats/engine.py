"""One entry point: arms + hypothesis target -> a Result with effect, guards and verdict.

``evaluate`` picks the engine (frequentist fixed or sequential, Bayesian; CUPED when the arms carry a
covariate), runs the guards and applies that engine's verdict rule. Safe peeking is decided here, from
the look number and the hypothesis' plan: see ``choose_sequential``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from disco_magics.errors import ValidationFailed
from disco_magics.model import NAME_RE
from disco_magics.model.plan import Plan
from disco_magics.model.result import ENGINES, ArmStats, Direction, Result, Source

from ._format import count
from .bayesian import Prior, bayesian_effect
from .effect import difference, fixed_effect
from .guards import (
    dropped_note,
    minimum_n_per_arm,
    minimum_sample,
    peeking_note,
    required_n_per_arm,
    sample_ratio_mismatch,
    zero_variance,
)
from .sequential import DEFAULT_TUNING, sequential_effect
from .verdict import explain, read_effect

__all__ = ["ENGINES", "choose_sequential", "default_tuning", "evaluate"]

_EXAMPLE = "%measure H1 --data trials --metric invited --group variant --control control"
_SEQUENTIAL_EXAMPLE = "%measure H1 --observed 0.27 --n 2400 --sequential --sequential-tuning 10000"
_BAYES_EXAMPLE = "%measure H1 --observed 0.27 --n 2400 --engine bayesian --prior-mean 0 --prior-sd 0.05"


def choose_sequential(
    sequential: bool | None, look: int, engine: str, plan: Plan | None, tuning: float | None
) -> tuple[bool, str | None]:
    """(sequential?, why in words): the safe-peeking default.

    An explicit ``sequential`` wins (``--sequential`` or ``--fixed``). Otherwise a tuning asks for it; the
    first look is fixed-horizon; from the second look on the test is sequential, unless the hypothesis
    has a plan (``%plan``), which declares a fixed horizon. The Bayesian engine has no sequential test.
    """
    if engine == "bayesian":
        if sequential:
            raise ValidationFailed(
                "the Bayesian engine has no sequential test; drop --sequential, or use --engine frequentist",
                example=_BAYES_EXAMPLE,
            )
        return False, None
    if sequential is True:
        return True, "asked for with --sequential"
    if sequential is False:
        return False, "a fixed horizon was declared (--fixed)" if look > 1 else None
    if tuning is not None:
        return True, "asked for with --sequential-tuning"
    if look <= 1:
        return False, None
    if plan is not None:
        return False, f"the plan declares a fixed horizon of {count(plan.fixed_total)} users"
    return True, f"this is look {look} and no fixed horizon was declared, so peeking stays safe"


def default_tuning(plan: Plan | None, kind: str, design_baseline: float, target: float, sd: float | None) -> float:
    """N* when the user gives none: the plan's sequential total, else the sequential sample the target
    needs (``planning.sample_size``), else GrowthBook's 5,000."""
    if plan is not None:
        return float(plan.sequential_total)
    from .planning import sample_size

    try:
        return float(sum(sample_size(kind, design_baseline, target, sd=sd, sequential=True)))
    except ValidationFailed:
        return DEFAULT_TUNING


def _positive(x: Any, label: str, example: str) -> float:
    value = _finite(x, label)
    if value <= 0:
        raise ValidationFailed(f"{label} must be more than 0, not {value:g}", example=example)
    return value


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
    engine: str = "frequentist",
    sequential: bool | None = None,
    sequential_tuning: float | None = None,
    prior_mean: float | None = None,
    prior_sd: float | None = None,
    plan: Plan | None = None,
    first_look: int | None = None,
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
    engine : {"frequentist", "bayesian"}
        GrowthBook's frequentist test (fixed or sequential) or its effect Bayesian test.
    sequential : bool, optional
        True for always-valid intervals, False for the fixed horizon; None (default) chooses: fixed at the
        first look, sequential from the second unless ``plan`` declares a fixed horizon.
    sequential_tuning : float, optional
        N*, total users at which a decision is expected; default from the plan or the target.
    prior_mean, prior_sd : float, optional
        A proper Gaussian prior on the absolute lift (Bayesian engine); improper when omitted.
    plan : Plan, optional
        The hypothesis' plan (``%plan``).
    first_look : int, optional
        The look of the measurement this comparison belongs to, when one measurement compares several
        treatment arms (each stored as its own look): the safe-peeking default follows it, so all arms of
        one measurement get the same test. Defaults to ``look``.

    When both arms carry a covariate's statistics (``ArmStats.covariate``) the effect is CUPED-adjusted.

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

    if engine not in ENGINES:
        raise ValidationFailed(
            f"unknown engine {str(engine)[:30]!r}; choose one of {', '.join(ENGINES)}", example=_BAYES_EXAMPLE
        )
    if sequential is not None and not isinstance(sequential, bool):
        raise ValidationFailed(f"sequential must be True, False or None, not {sequential!r}")
    if sequential_tuning is not None:
        sequential_tuning = _positive(sequential_tuning, "the sequential tuning", _SEQUENTIAL_EXAMPLE)
        if sequential is False:
            raise ValidationFailed(
                "--sequential-tuning tunes the sequential test, but --fixed refuses it; drop one",
                example=_SEQUENTIAL_EXAMPLE,
            )
    if prior_mean is not None or prior_sd is not None:
        if engine != "bayesian":
            raise ValidationFailed("a prior needs the Bayesian engine: add --engine bayesian", example=_BAYES_EXAMPLE)
        if prior_sd is None:
            raise ValidationFailed("a prior mean needs its standard deviation: give --prior-sd", example=_BAYES_EXAMPLE)
        prior_sd = _positive(prior_sd, "the prior standard deviation", _BAYES_EXAMPLE)
        prior_mean = _finite(prior_mean if prior_mean is not None else 0.0, "the prior mean")
    covariate = treatment.covariate.name if treatment.covariate is not None else None
    if covariate is not None or (not fixed and control.covariate is not None):
        if fixed:
            raise ValidationFailed(
                "CUPED compares two arms: it needs a control sample, not a fixed baseline", example=_EXAMPLE
            )
        if control.covariate is None or treatment.covariate is None or control.covariate.name != covariate:
            raise ValidationFailed("both arms must carry the same covariate for CUPED", example=_EXAMPLE)

    theta = None
    if covariate is not None:
        from .cuped import adjusted_difference

        diff, theta = adjusted_difference(control, treatment)
    else:
        diff = difference(control, treatment)
    design_baseline = baseline if baseline is not None else diff.reference
    if direction is None:
        if baseline is not None and target == baseline:
            raise ValidationFailed(
                f"the target {target} equals the baseline, so the hypothesis does not say which way {metric} moves",
                example="%%hypothesis H1 --metric invite_rate --target 0.30 --baseline 0.18",
            )
        direction = "increase" if target >= design_baseline else "decrease"
    elif direction not in ("increase", "decrease"):
        raise ValidationFailed(f"direction must be 'increase' or 'decrease', not {direction!r}")
    up = direction == "increase"

    decided_at = int(first_look) if first_look is not None else int(look)
    use_sequential, why = choose_sequential(sequential, decided_at, engine, plan, sequential_tuning)
    tuning = None
    if engine == "bayesian":
        effect = bayesian_effect(
            diff, treatment, Prior(prior_mean, prior_sd) if prior_sd is not None else None, increase=up
        )
    elif use_sequential:
        compared = [treatment] if fixed else [control, treatment]
        sd = math.sqrt(sum(a.variance for a in compared) / len(compared))
        tuning = sequential_tuning or default_tuning(plan, kind, design_baseline, target, sd or None)
        effect = sequential_effect(diff, treatment, tuning)
    else:
        effect = fixed_effect(diff, treatment)

    arms = [treatment] if fixed else [control, treatment]
    guards = minimum_sample(arms, metric)
    srm_p = None
    if not fixed:
        srm_p, srm = sample_ratio_mismatch(control, treatment, expected_split)
        if srm:
            guards.append(srm)
    if kind == "mean" and (no_variation := zero_variance(arms, metric)):
        guards.append(no_variation)
    peeking = peeking_note(look, hypothesis, effect.p_value) if effect.interval == "fixed" else None
    notes = [n for n in (peeking, dropped_note(arms, metric), _covariate_note(treatment, control, theta)) if n]
    if use_sequential:
        notes.append(
            f"sequential test ({why}): always-valid 95% CI tuned for N* = {count(tuning)} users, "
            "safe to check at every look"
        )
    elif why is not None and engine != "bayesian":
        notes.append(f"fixed-horizon test: {why}")
    if engine == "bayesian":
        prior = "improper (flat) prior" if prior_sd is None else f"prior N({prior_mean:g}, {prior_sd:g}²) on the lift"
        notes.append(
            f"Bayesian engine, {prior}: validated needs a chance to beat of at least 95% and the target reached"
        )

    variance = sum(a.variance for a in arms) if kind == "mean" else None
    required = required_n_per_arm(kind, design_baseline, target, variance, two_sample=not fixed)
    if required is not None and use_sequential:
        # the always-valid interval is wider: at N* it needs (c + z_power)^2 / (z_alpha/2 + z_power)^2 times more
        from .planning import sequential_factor

        required = math.ceil(required * sequential_factor())
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
        engine=engine,
        sequential=None if engine == "bayesian" else use_sequential,
        sequential_tuning=tuning,
        sequential_reason=why,
        covariate=covariate,
        cuped_theta=theta,
        risk=effect.risk,
        prior_mean=prior_mean if prior_sd is not None else None,
        prior_sd=prior_sd,
    )


def _covariate_note(treatment: ArmStats, control: ArmStats | float, theta: float | None) -> str | None:
    if treatment.covariate is None or theta is None:
        return None
    name = treatment.covariate.name
    filled = treatment.covariate.filled + (control.covariate.filled if isinstance(control, ArmStats) else 0)
    missing = f"; {count(filled)} users with no {name} counted as 0" if filled else ""
    if theta == 0.0:
        return f"CUPED on {name}: it does not vary, so nothing was adjusted{missing}"
    return f"CUPED: adjusted for the pre-period {name} (theta {theta:.3g}){missing}"
