"""Guards that keep a result honest: sample size, sample-ratio mismatch, peeking, and power.

A guard that fires turns the verdict into ``inconclusive`` and says why in words; a note (peeking, dropped
rows) is a caveat that does not change the verdict.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from disco_magics.errors import ValidationFailed
from disco_magics.model.result import ArmStats, MetricKind

from ._dist import chi2_sf, norm_ppf
from ._format import count, fmt_p

__all__ = [
    "MIN_MEAN_N",
    "MIN_PROPORTION_COUNT",
    "POWER",
    "SRM_ALPHA",
    "dropped_note",
    "minimum_n_per_arm",
    "minimum_sample",
    "normalize_split",
    "peeking_note",
    "required_n_per_arm",
    "sample_ratio_mismatch",
    "srm_p_value",
    "zero_variance",
]

#: A mean needs at least this many users per arm before its CI is trusted (central limit theorem).
MIN_MEAN_N = 30
#: A proportion needs n*p >= 5 and n*(1-p) >= 5 per arm for the normal approximation.
MIN_PROPORTION_COUNT = 5
#: Chi-square p-value under which the split of users between arms is called a mismatch.
SRM_ALPHA = 0.001
#: Power of the sample-size recommendation (two-sided alpha 0.05).
POWER = 0.8


def minimum_sample(arms: Sequence[ArmStats], metric: str) -> list[str]:
    """One message per arm too small for the normal approximation; empty when every arm is big enough."""
    messages = []
    for arm in arms:
        if arm.kind != "proportion":
            continue
        hits, misses = arm.sum, arm.n - arm.sum
        if min(hits, misses) < MIN_PROPORTION_COUNT:
            messages.append(
                f"too few users in {arm.name}: {count(hits)} of {count(arm.n)} have {metric} and "
                f"{count(misses)} do not (at least {MIN_PROPORTION_COUNT} of each are needed per arm)"
            )
    small = [a for a in arms if a.kind == "mean" and a.n < MIN_MEAN_N]
    if small:
        sizes = " and ".join(f"{a.name} has {count(a.n)}" for a in small)
        messages.append(f"too few users: {sizes} (at least {MIN_MEAN_N} per arm are needed for a mean)")
    return messages


def normalize_split(expected_split: Sequence[float] | None) -> tuple[float, float]:
    """(control, treatment) shares summing to 1; equal when ``None``."""
    if expected_split is None:
        return 0.5, 0.5
    try:
        weights = [float(w) for w in expected_split]
    except (TypeError, ValueError):
        raise ValidationFailed(
            f"the expected split must be two numbers (control, treatment), not {expected_split!r}",
            example="%measure H1 --data trials --metric invited --group variant --control control --split 50/50",
        ) from None
    if len(weights) != 2 or not all(math.isfinite(w) and w > 0 for w in weights):
        raise ValidationFailed(
            f"the expected split must be two positive numbers (control, treatment), not {expected_split!r}",
            example="%measure H1 --data trials --metric invited --group variant --control control --split 50/50",
        )
    total = weights[0] + weights[1]
    return weights[0] / total, weights[1] / total


def srm_p_value(
    control: ArmStats, treatment: ArmStats, expected_split: Sequence[float] | None = None
) -> float:
    """Chi-square goodness-of-fit p-value of the observed users per arm against the expected split."""
    share_c, share_t = normalize_split(expected_split)
    total = control.n + treatment.n
    expected = (total * share_c, total * share_t)
    statistic = sum((o - e) ** 2 / e for o, e in zip((control.n, treatment.n), expected, strict=True))
    return chi2_sf(statistic, 1)


def _split_label(share_c: float, share_t: float) -> str:
    return f"{100 * share_c:.3g}/{100 * share_t:.3g}"


def sample_ratio_mismatch(
    control: ArmStats, treatment: ArmStats, expected_split: Sequence[float] | None = None
) -> tuple[float, str | None]:
    """(chi-square p-value, message or ``None``): a message when p < 0.001."""
    share_c, share_t = normalize_split(expected_split)
    p = srm_p_value(control, treatment, (share_c, share_t))
    if p >= SRM_ALPHA:
        return p, None
    total = control.n + treatment.n
    return p, (
        f"sample-ratio mismatch: {control.name} has {count(control.n)} users and {treatment.name} "
        f"{count(treatment.n)}, but a {_split_label(share_c, share_t)} split expects about "
        f"{count(total * share_c)} and {count(total * share_t)} (chi-square {fmt_p(p)}); the assignment "
        "or the logging may be broken, so the comparison cannot be trusted"
    )


def zero_variance(arms: Sequence[ArmStats], metric: str) -> str | None:
    """A message when no arm varies at all, so no uncertainty can be estimated."""
    if all(a.variance == 0 for a in arms):
        which = "both arms" if len(arms) > 1 else arms[0].name
        return f"no variation: every user in {which} has the same value of {metric}, so the uncertainty cannot be estimated"
    return None


def peeking_note(look: int, hypothesis: str, p_value: float) -> str | None:
    """A caveat for every look after the first: repeated looks inflate the false-positive rate."""
    if look <= 1:
        return None
    earlier = "1 earlier look" if look == 2 else f"{look - 1} earlier looks"
    return (
        f"look {look} at {hypothesis} ({earlier}): checking again and stopping when it looks good raises the "
        f"chance of a false positive above 5%, so read {fmt_p(p_value)} with care"
    )


def dropped_note(arms: Sequence[ArmStats], metric: str) -> str | None:
    """How many rows were left out because the metric was missing."""
    total = sum(a.dropped for a in arms)
    if total == 0:
        return None
    per_arm = ", ".join(f"{a.name} {count(a.dropped)}" for a in arms if a.dropped)
    rows = "row" if total == 1 else "rows"
    return f"{count(total)} {rows} with no value for {metric} were left out ({per_arm})"


def minimum_n_per_arm(kind: MetricKind, *rates: float) -> int:
    """The smallest arm the minimum-sample guard accepts: 30 for a mean; for a rate, enough users that
    the rarer outcome is expected at least 5 times at each of ``rates``."""
    if kind == "mean":
        return MIN_MEAN_N
    # rates within 1e-12 of 0 or 1 would ask for absurd arms; they get the floor's answer
    smallest = max(min((min(p, 1.0 - p) for p in rates if 0.0 < p < 1.0), default=0.5), 1e-12)
    return math.ceil(MIN_PROPORTION_COUNT / smallest - 1e-9)


def required_n_per_arm(
    kind: MetricKind,
    baseline: float,
    target: float,
    variance: float | None = None,
    *,
    two_sample: bool = True,
    alpha: float = 0.05,
    power: float = POWER,
) -> int | None:
    """Users per arm needed to detect a change from ``baseline`` to ``target`` (two-sided, normal approximation).

    ``n = (z_{1-alpha/2} + z_{power})^2 * V / delta^2`` with the unpooled variance the test itself uses:
    for a proportion ``V = p0(1-p0) + p1(1-p1)`` (two-sample) or ``p1(1-p1)`` (against a fixed baseline);
    for a mean, ``V`` is ``variance`` (the sum of the arms' variances, or the treatment's alone).

    Returns ``None`` when it is undefined: no difference to detect, or no variance to scale by.
    """
    delta = target - baseline
    if delta == 0 or not math.isfinite(delta):
        return None
    if kind == "proportion":
        p0 = min(max(baseline, 0.0), 1.0)
        p1 = min(max(target, 0.0), 1.0)
        v = p1 * (1.0 - p1) + (p0 * (1.0 - p0) if two_sample else 0.0)
    else:
        v = variance if variance is not None else 0.0
    if not v > 0 or not math.isfinite(v):
        return None
    z = norm_ppf(1.0 - alpha / 2.0) + norm_ppf(power)
    if delta * delta == 0:  # underflow: a difference too small to ever detect
        return None
    n = z * z * v / (delta * delta)
    if not math.isfinite(n) or n > 1e15:
        return None
    # ceil, but not of float noise just above an integer
    return max(math.ceil(n - 1e-9), 1)
