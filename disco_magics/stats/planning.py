"""Planning: users per arm to detect a target, the minimum detectable effect, and days at a given traffic.

The fixed-horizon sample is the normal-approximation formula of the test ``%measure`` runs (unpooled
variance, two-sided ``alpha``): ``N = (z_{1-alpha/2} + z_power)^2 (V_c/a + V_t/b) / delta^2`` users in
total, split ``a:b``. The sequential one replaces ``z_{1-alpha/2}`` by the width, in standard errors, of
GrowthBook's confidence sequence at its own N* (``sequential.inflation``, about 3.04 at 5%): tuned to the
planned total, the sequence is tightest exactly there, and a team that peeks daily still has 80% power
when the planned users have arrived (more if the effect is larger and it stops early).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from disco_magics.errors import ValidationFailed
from disco_magics.model.hypothesis import Hypothesis
from disco_magics.model.plan import Plan
from disco_magics.model.result import MetricKind

from ._dist import norm_ppf
from .effect import ALPHA
from .guards import POWER, normalize_split
from .sequential import inflation

__all__ = ["days_needed", "make_plan", "minimum_detectable_effect", "sample_size", "sequential_factor"]

PLAN_EXAMPLE = "%plan H1 --traffic 400 --split 50:50"


def _variances(kind: MetricKind, baseline: float, target: float, sd: float | None) -> tuple[float, float]:
    if kind == "proportion":
        p0, p1 = (min(max(p, 0.0), 1.0) for p in (baseline, target))
        return p0 * (1.0 - p0), p1 * (1.0 - p1)
    if sd is None or not (math.isfinite(sd) and sd > 0):
        raise ValidationFailed(
            "a mean metric needs its standard deviation to plan a sample; give --sd",
            example="%plan H1 --sd 12.5 --traffic 400",
        )
    return sd * sd, sd * sd


def _z(sequential: bool, alpha: float, power: float) -> float:
    first = inflation(alpha) if sequential else norm_ppf(1.0 - alpha / 2.0)
    return first + norm_ppf(power)


def sample_size(
    kind: MetricKind,
    baseline: float,
    target: float,
    *,
    sd: float | None = None,
    split: Sequence[float] | None = None,
    sequential: bool = False,
    alpha: float = ALPHA,
    power: float = POWER,
) -> tuple[int, int]:
    """(control, treatment) users to detect ``baseline -> target`` with ``power``, fixed or sequential.

    Raises ``ValidationFailed`` when there is nothing to detect (target equals baseline) or no variance.
    """
    share_c, share_t = normalize_split(split)
    delta = target - baseline
    if delta == 0 or not math.isfinite(delta):
        raise ValidationFailed(
            f"the target {target:g} equals the baseline, so there is no change to plan for", example=PLAN_EXAMPLE
        )
    v_c, v_t = _variances(kind, baseline, target, sd)
    spread = v_c / share_c + v_t / share_t
    if not spread > 0:
        raise ValidationFailed(
            f"a rate of {baseline:g} never varies, so no sample can detect a change from it", example=PLAN_EXAMPLE
        )
    z = _z(sequential, alpha, power)
    total = z * z * spread / (delta * delta) if delta * delta > 0 else math.inf
    if not math.isfinite(total) or total > 1e15:
        raise ValidationFailed(
            f"the change from {baseline:g} to {target:g} is too small to detect with any sample", example=PLAN_EXAMPLE
        )
    return max(math.ceil(total * share_c - 1e-9), 2), max(math.ceil(total * share_t - 1e-9), 2)


def minimum_detectable_effect(
    kind: MetricKind,
    baseline: float,
    n_control: int,
    n_treatment: int,
    *,
    sd: float | None = None,
    increase: bool = True,
    sequential: bool = False,
    alpha: float = ALPHA,
    power: float = POWER,
) -> float | None:
    """The smallest absolute change detectable with ``power`` at these arm sizes; None when none is.

    For a rate the variance depends on the rate reached, so the change is found by fixed-point iteration
    (it converges in a few steps: the variance moves far less than the change).
    """
    z = _z(sequential, alpha, power)
    if kind == "mean":
        v = _variances(kind, baseline, baseline, sd)[0]
        return z * math.sqrt(v / n_control + v / n_treatment)
    p0 = min(max(baseline, 0.0), 1.0)
    sign = 1.0 if increase else -1.0
    delta = z * math.sqrt(p0 * (1 - p0) / n_control + p0 * (1 - p0) / n_treatment) or 1e-3
    for _ in range(100):
        p1 = p0 + sign * delta
        if not 0.0 <= p1 <= 1.0:
            return None
        updated = z * math.sqrt(p0 * (1 - p0) / n_control + p1 * (1 - p1) / n_treatment)
        if abs(updated - delta) <= 1e-12:
            break
        delta = updated
    return delta if 0.0 <= p0 + sign * delta <= 1.0 else None


def sequential_factor(alpha: float = ALPHA, power: float = POWER) -> float:
    """How many times the fixed-horizon sample a sequential test needs at its N* (about 1.9 at 5%, 80%)."""
    return (_z(True, alpha, power) / _z(False, alpha, power)) ** 2


def days_needed(users: int, traffic: float) -> int:
    """Whole days for ``users`` to arrive at ``traffic`` users a day (both arms together)."""
    if not (math.isfinite(traffic) and traffic > 0):
        raise ValidationFailed(f"traffic must be a positive number of users a day, not {traffic!r}", example=PLAN_EXAMPLE)
    return max(math.ceil(users / traffic - 1e-9), 1)


#: days of traffic the plan reports the minimum detectable effect for
MDE_DAYS = (7, 14, 28)


def make_plan(
    h: Hypothesis,
    kind: MetricKind,
    *,
    traffic: float | None = None,
    split: Sequence[float] | None = None,
    sd: float | None = None,
) -> Plan:
    """The plan of hypothesis ``h``: fixed and sequential samples, and with ``traffic`` the days and the
    smallest change the fixed test detects after one, two and four weeks."""
    if h.baseline is None:
        raise ValidationFailed(
            f"{h.id} has no baseline to plan from; give it one with --baseline on its %%hypothesis cell",
            example="%%hypothesis H1 --metric invite_rate --target 0.30 --baseline 0.18",
        )
    if kind == "proportion" and not (0.0 <= h.baseline <= 1.0 and 0.0 <= h.target <= 1.0):
        raise ValidationFailed(f"{h.metric} is a rate, so its baseline and target must lie between 0 and 1")
    shares = normalize_split(split)
    fixed = sample_size(kind, h.baseline, h.target, sd=sd, split=shares)
    sequential = sample_size(kind, h.baseline, h.target, sd=sd, split=shares, sequential=True)
    fixed_days = sequential_days = None
    mde: dict[int, float] = {}
    if traffic is not None:
        fixed_days = days_needed(sum(fixed), traffic)
        sequential_days = days_needed(sum(sequential), traffic)
        for days in MDE_DAYS:
            users = traffic * days
            n_c, n_t = max(int(users * shares[0]), 2), max(int(users * shares[1]), 2)
            found = minimum_detectable_effect(
                kind, h.baseline, n_c, n_t, sd=sd, increase=h.target > h.baseline
            )
            if found is not None:
                mde[days] = found
    return Plan(
        hypothesis=h.id,
        metric=h.metric,
        metric_kind=kind,
        baseline=h.baseline,
        target=h.target,
        sd=sd if kind == "mean" else None,
        split=shares,
        fixed_n=fixed,
        sequential_n=sequential,
        traffic=traffic,
        fixed_days=fixed_days,
        sequential_days=sequential_days,
        mde=mde,
    )
