"""The contract's verdict rule, and the reason in words.

* **validated** when the observed value reaches the target and the change from control/baseline is
  significant (p < 0.05) in the intended direction;
* **invalidated** when the 95% CI of the observed value excludes the target on the wrong side, or the
  change is significant in the wrong direction;
* otherwise **inconclusive** — and always inconclusive when a guard fired (too few users, sample-ratio
  mismatch, no variation).

The interval the rule reads is the one the engine computed, and the words say which:

* fixed horizon (Welch t): significance is p < 0.05; the target is excluded by the treatment's own 95% CI;
* sequential (always valid): significance is the sequential p < 0.05; the target is excluded when the
  always-valid CI of the lift lies wholly on the wrong side of the target's lift (a per-arm interval
  would not stay valid across looks);
* Bayesian: a win is a chance to beat of at least 95% (a loss at most 5%); the target is excluded when
  the 95% credible interval of the lift lies wholly on the wrong side of the target's lift.

With CUPED (or a proper prior) "reached" compares the engine's estimate of the treatment's level,
the reference plus the adjusted lift, with the target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from disco_magics.model.hypothesis import Verdict
from disco_magics.model.result import Direction, MetricKind

from ._format import count, fmt_chance, fmt_change, fmt_p, fmt_relative, fmt_value
from .bayesian import CHANCE_TO_WIN
from .effect import ALPHA, Effect

__all__ = ["INTERVAL_WORDS", "Reading", "explain", "read_effect"]


@dataclass(frozen=True)
class Reading:
    """What the numbers alone say, before any guard: the verdict and the facts behind it."""

    verdict: Verdict
    reached: bool
    significant: bool
    right_way: bool
    target_excluded: bool


def read_effect(effect: Effect, target: float, direction: Direction, alpha: float = ALPHA) -> Reading:
    """Apply the verdict rule of the effect's engine (see the module docstring)."""
    up = direction == "increase"
    level = effect.estimate if effect.estimate is not None else effect.observed
    reached = level >= target if up else level <= target
    if effect.interval == "credible":
        chance = effect.prob_greater if up else 1.0 - effect.prob_greater
        significant = (chance >= CHANCE_TO_WIN or chance <= 1.0 - CHANCE_TO_WIN) and effect.lift != 0
        right_way = chance > 0.5
    else:
        significant = effect.p_value < alpha and effect.lift != 0
        right_way = effect.lift > 0 if up else effect.lift < 0
    if _reads_treatment_ci(effect):
        target_excluded = effect.observed_ci_high < target if up else effect.observed_ci_low > target
    else:
        target_lift = target - effect.reference
        target_excluded = effect.ci_high < target_lift if up else effect.ci_low > target_lift
    if reached and significant and right_way:
        verdict: Verdict = "validated"
    elif target_excluded or (significant and not right_way):
        verdict = "invalidated"
    else:
        verdict = "inconclusive"
    return Reading(verdict, reached, significant, right_way, target_excluded)


def _reads_treatment_ci(effect: Effect) -> bool:
    """The contract's fixed-horizon rule reads the treatment's own CI; other engines (and CUPED, whose
    estimate is not the raw mean) read the interval of the lift they computed."""
    return effect.interval == "fixed" and effect.estimate is None


#: how the reason names each interval
INTERVAL_WORDS = {
    "fixed": "95% CI",
    "sequential": "95% always-valid CI",
    "credible": "95% credible interval",
}


@dataclass(frozen=True)
class _Words:
    """The numbers of one result, formatted once."""

    metric: str
    treatment: str
    control: str
    obs: str
    ref: str
    target: str
    change: str
    obs_ci: str
    #: the interval the rule read to exclude the target, with what it is an interval of
    excluded_by: str
    #: the target as the interval reads it: a level (fixed) or a lift (sequential, Bayesian)
    target_as: str
    #: what "significant" means for this engine, e.g. "significant" or "a likely win"
    significant: str

    @classmethod
    def of(
        cls, effect: Effect, kind: MetricKind, metric: str, treatment: str, control: str | None, target: float
    ):
        v = lambda x: fmt_value(kind, x)  # noqa: E731
        rel = f", {fmt_relative(effect.relative_lift)}" if effect.relative_lift is not None else ""
        interval = INTERVAL_WORDS.get(effect.interval, "95% CI")
        if effect.interval == "credible":
            evidence = f"chance to beat {fmt_chance(effect.prob_greater)}"
            if effect.risk is not None:
                evidence += f", risk {fmt_change(kind, effect.risk).lstrip('+±')}"
        elif effect.interval == "sequential":
            evidence = f"sequential {fmt_p(effect.p_value)}"
        else:
            evidence = fmt_p(effect.p_value)
        change = (
            f"{fmt_change(kind, effect.lift)}{rel}, {interval} {fmt_change(kind, effect.ci_low)} to "
            f"{fmt_change(kind, effect.ci_high)}, {evidence}"
        )
        obs_ci = f"{v(effect.observed_ci_low)} to {v(effect.observed_ci_high)}"
        if _reads_treatment_ci(effect):
            excluded_by = f"The 95% CI of {metric} in {treatment} ({obs_ci})"
            target_as = f"the target {v(target)}"
        else:
            lift_range = f"{fmt_change(kind, effect.ci_low)} to {fmt_change(kind, effect.ci_high)}"
            excluded_by = f"The {interval} of the lift ({lift_range})"
            target_as = f"the target's lift {fmt_change(kind, target - effect.reference)}"
        return cls(
            metric=metric,
            treatment=treatment,
            control=f"{control}" if control is not None else "the fixed baseline",
            obs=v(effect.estimate if effect.estimate is not None else effect.observed),
            ref=v(effect.reference),
            target=v(target),
            change=change,
            obs_ci=obs_ci,
            excluded_by=excluded_by,
            target_as=target_as,
            significant="a likely win" if effect.interval == "credible" else "significant",
        )


def _numbers_sentence(reading: Reading, w: _Words, direction: Direction) -> str:
    """The specific reason the rule gave, without the verdict word."""
    above = "at or above" if direction == "increase" else "at or below"
    beyond = "below" if direction == "increase" else "above"
    vs = f"{w.treatment} {w.obs} vs {w.control} {w.ref}, {w.change}"
    if reading.verdict == "validated":
        return (
            f"{w.metric} reached {w.obs} in {w.treatment}, {above} the target {w.target}, and the change from "
            f"{w.control} {w.ref} is {w.significant} ({w.change})."
        )
    if reading.verdict == "invalidated":
        parts = []
        if reading.significant and not reading.right_way:
            parts.append(
                f"{w.metric} moved the wrong way ({vs}), while the hypothesis needs it to "
                f"{direction} to {w.target}."
            )
        if reading.target_excluded:
            if parts:
                parts.append(f"{w.excluded_by} stays {beyond} {w.target_as}.")
            elif w.excluded_by.startswith("The 95% CI of "):  # the fixed-horizon words, unchanged
                parts.append(
                    f"{w.metric} in {w.treatment} is {w.obs} (vs {w.control} {w.ref}, {w.change}) and its 95% CI "
                    f"({w.obs_ci}) stays {beyond} the target {w.target}, so the change falls short of the hypothesis."
                )
            else:
                parts.append(
                    f"{w.metric} in {w.treatment} is {w.obs} (vs {w.control} {w.ref}, {w.change}); "
                    f"{w.excluded_by[0].lower()}{w.excluded_by[1:]} stays {beyond} {w.target_as}, so the change "
                    "falls short of the hypothesis."
                )
        return " ".join(parts)
    not_significant = "not significant" if w.significant == "significant" else "not yet a likely win"
    if reading.reached:
        return (
            f"{w.treatment} reached {w.obs} ({above} the target {w.target}) but the change from {w.control} "
            f"{w.ref} is {not_significant} ({w.change})."
        )
    if reading.significant and reading.right_way:
        if w.excluded_by.startswith("The 95% CI of "):
            return (
                f"{w.treatment} moved {w.metric} the intended way ({vs}) but has not reached the target "
                f"{w.target}; its 95% CI {w.obs_ci} still includes it."
            )
        return (
            f"{w.treatment} moved {w.metric} the intended way ({vs}) but has not reached the target "
            f"{w.target}; the interval of the lift still includes {w.target_as}."
        )
    if w.excluded_by.startswith("The 95% CI of "):
        return (
            f"the change from {w.control} {w.ref} to {w.treatment} {w.obs} is not significant ({w.change}), and "
            f"the 95% CI of {w.metric} in {w.treatment} ({w.obs_ci}) still includes the target {w.target}."
        )
    return (
        f"the change from {w.control} {w.ref} to {w.treatment} {w.obs} is {not_significant} ({w.change}), and "
        f"{w.excluded_by[0].lower()}{w.excluded_by[1:]} still includes {w.target_as}."
    )


def explain(
    effect: Effect,
    reading: Reading,
    *,
    kind: MetricKind,
    metric: str,
    target: float,
    direction: Direction,
    treatment: str,
    control: str | None,
    guards: Sequence[str] = (),
    notes: Sequence[str] = (),
    required_n: int | None = None,
    design_baseline: float | None = None,
    arm_sizes: Sequence[int] = (),
) -> tuple[Verdict, str]:
    """The final verdict (guards force ``inconclusive``) and its reason, one line of plain sentences."""
    w = _Words.of(effect, kind, metric, treatment, control, target)
    numbers = _numbers_sentence(reading, w, direction)
    if guards:
        verdict: Verdict = "inconclusive"
        guard_text = "; ".join(guards)
        sentences = [f"Inconclusive: {guard_text}."]
        if reading.verdict != "inconclusive":
            sentences.append(f"Taken alone the numbers would read {reading.verdict}: {numbers}")
        else:
            sentences.append(f"The numbers so far: {numbers}")
    else:
        verdict = reading.verdict
        sentences = [f"{verdict.capitalize()}: {numbers}"]
    if verdict == "inconclusive" and required_n is not None and design_baseline is not None:
        now = " and ".join(count(n) for n in arm_sizes)
        per_arm = "per arm" if control is not None else f"in {treatment}"
        change = f"a change from {fmt_value(kind, design_baseline)} to {w.target}"
        if arm_sizes and min(arm_sizes) >= required_n:
            sentences.append(
                f"There are already enough users to detect {change} (about {count(required_n)} {per_arm} "
                f"at 80% power; now {now})."
            )
        else:
            sentences.append(
                f"About {count(required_n)} users {per_arm} are needed to detect {change} with 80% power "
                f"(now {now})."
            )
    for note in notes:
        sentences.append(f"{note[0].upper()}{note[1:]}.")
    return verdict, " ".join(sentences)
