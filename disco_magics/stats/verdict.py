"""The contract's verdict rule, and the reason in words.

* **validated** when the observed value reaches the target and the change from control/baseline is
  significant (p < 0.05) in the intended direction;
* **invalidated** when the 95% CI of the observed value excludes the target on the wrong side, or the
  change is significant in the wrong direction;
* otherwise **inconclusive** — and always inconclusive when a guard fired (too few users, sample-ratio
  mismatch, no variation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from disco_magics.model.hypothesis import Verdict
from disco_magics.model.result import Direction, MetricKind

from ._format import count, fmt_change, fmt_p, fmt_relative, fmt_value
from .effect import ALPHA, Effect

__all__ = ["Reading", "explain", "read_effect"]


@dataclass(frozen=True)
class Reading:
    """What the numbers alone say, before any guard: the verdict and the facts behind it."""

    verdict: Verdict
    reached: bool
    significant: bool
    right_way: bool
    target_excluded: bool


def read_effect(effect: Effect, target: float, direction: Direction, alpha: float = ALPHA) -> Reading:
    """Apply the verdict rule to an effect."""
    up = direction == "increase"
    reached = effect.observed >= target if up else effect.observed <= target
    significant = effect.p_value < alpha and effect.lift != 0
    right_way = effect.lift > 0 if up else effect.lift < 0
    target_excluded = effect.observed_ci_high < target if up else effect.observed_ci_low > target
    if reached and significant and right_way:
        verdict: Verdict = "validated"
    elif target_excluded or (significant and not right_way):
        verdict = "invalidated"
    else:
        verdict = "inconclusive"
    return Reading(verdict, reached, significant, right_way, target_excluded)


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

    @classmethod
    def of(
        cls, effect: Effect, kind: MetricKind, metric: str, treatment: str, control: str | None, target: float
    ):
        v = lambda x: fmt_value(kind, x)  # noqa: E731
        rel = f", {fmt_relative(effect.relative_lift)}" if effect.relative_lift is not None else ""
        change = (
            f"{fmt_change(kind, effect.lift)}{rel}, 95% CI {fmt_change(kind, effect.ci_low)} to "
            f"{fmt_change(kind, effect.ci_high)}, {fmt_p(effect.p_value)}"
        )
        return cls(
            metric=metric,
            treatment=treatment,
            control=f"{control}" if control is not None else "the fixed baseline",
            obs=v(effect.observed),
            ref=v(effect.reference),
            target=v(target),
            change=change,
            obs_ci=f"{v(effect.observed_ci_low)} to {v(effect.observed_ci_high)}",
        )


def _numbers_sentence(reading: Reading, w: _Words, direction: Direction) -> str:
    """The specific reason the rule gave, without the verdict word."""
    above = "at or above" if direction == "increase" else "at or below"
    beyond = "below" if direction == "increase" else "above"
    vs = f"{w.treatment} {w.obs} vs {w.control} {w.ref}, {w.change}"
    if reading.verdict == "validated":
        return (
            f"{w.metric} reached {w.obs} in {w.treatment}, {above} the target {w.target}, and the change from "
            f"{w.control} {w.ref} is significant ({w.change})."
        )
    if reading.verdict == "invalidated":
        parts = []
        if reading.significant and not reading.right_way:
            parts.append(
                f"{w.metric} moved the wrong way ({vs}), while the hypothesis needs it to "
                f"{direction} to {w.target}."
            )
        if reading.target_excluded:
            parts.append(
                f"The 95% CI of {w.metric} in {w.treatment} ({w.obs_ci}) stays {beyond} the target {w.target}."
                if parts
                else f"{w.metric} in {w.treatment} is {w.obs} (vs {w.control} {w.ref}, {w.change}) and its 95% CI ({w.obs_ci}) stays "
                f"{beyond} the target {w.target}, so the change falls short of the hypothesis."
            )
        return " ".join(parts)
    if reading.reached:
        return (
            f"{w.treatment} reached {w.obs} ({above} the target {w.target}) but the change from {w.control} "
            f"{w.ref} is not significant ({w.change})."
        )
    if reading.significant and reading.right_way:
        return (
            f"{w.treatment} moved {w.metric} the intended way ({vs}) but has not reached the target "
            f"{w.target}; its 95% CI {w.obs_ci} still includes it."
        )
    return (
        f"the change from {w.control} {w.ref} to {w.treatment} {w.obs} is not significant ({w.change}), and "
        f"the 95% CI of {w.metric} in {w.treatment} ({w.obs_ci}) still includes the target {w.target}."
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
