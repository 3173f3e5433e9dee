"""Properties of the engine that must hold for every input (Hypothesis)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as s

from disco_magics.model import VERDICTS, ArmStats, Result
from disco_magics.stats import arm_from_summary, arm_stats, compare, evaluate

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@s.composite
def proportion_arm(draw, name="a"):
    n = draw(s.integers(min_value=1, max_value=10**9))
    hits = draw(s.integers(min_value=0, max_value=n))
    return ArmStats(name=name, kind="proportion", n=n, sum=hits, sum_squares=hits)


@s.composite
def mean_arm(draw, name="a"):
    n = draw(s.integers(min_value=1, max_value=10**8))
    mean = draw(s.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
    sd = draw(s.floats(min_value=0, max_value=1e4, allow_nan=False))
    return arm_from_summary(name, n, mean, sd)


@s.composite
def arm_pair(draw):
    kind = draw(s.sampled_from(["proportion", "mean"]))
    make = proportion_arm if kind == "proportion" else mean_arm
    return draw(make("control")), draw(make("treatment"))


def _close(a: float, b: float, scale: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * max(scale, 1e-300))


@SETTINGS
@given(arm_pair())
def test_swapping_arms_flips_the_lift(pair):
    control, treatment = pair
    forward, backward = compare(control, treatment), compare(treatment, control)
    scale = abs(forward.ci_high - forward.ci_low) + abs(forward.lift)
    assert forward.lift == -backward.lift
    assert _close(forward.ci_low, -backward.ci_high, scale)
    assert _close(forward.ci_high, -backward.ci_low, scale)
    assert math.isclose(forward.p_value, backward.p_value, rel_tol=1e-9, abs_tol=1e-15)
    assert math.isclose(forward.prob_greater, 1 - backward.prob_greater, abs_tol=1e-12)


@SETTINGS
@given(arm_pair())
def test_ci_contains_the_lift_and_probabilities_are_probabilities(pair):
    effect = compare(*pair)
    assert effect.ci_low <= effect.lift <= effect.ci_high
    assert 0.0 <= effect.p_value <= 1.0
    assert 0.0 <= effect.prob_greater <= 1.0
    assert effect.observed_ci_low <= effect.observed <= effect.observed_ci_high
    if effect.relative_lift is not None:
        assert effect.rel_ci_low <= effect.relative_lift <= effect.rel_ci_high
    values = [v for k, v in vars(effect).items() if isinstance(v, float) and k != "dof"]  # dof may be inf
    assert all(math.isfinite(v) for v in values)


@SETTINGS
@given(arm_pair())
def test_sign_of_the_lift_agrees_with_chance_to_beat(pair):
    effect = compare(*pair)
    if effect.lift > 0:
        assert effect.prob_greater >= 0.5
    elif effect.lift < 0:
        assert effect.prob_greater <= 0.5


@SETTINGS
@given(
    arm_pair(),
    s.floats(min_value=0.0, max_value=1.0),
    s.integers(min_value=1, max_value=5),
)
def test_every_result_is_finite_json_and_guarded(pair, target_rate, look):
    control, treatment = pair
    target = target_rate if control.kind == "proportion" else control.mean + (target_rate - 0.5) * 10
    if target == control.mean:
        target = control.mean + 1e-3 if control.kind == "mean" else (0.5 if control.mean != 0.5 else 0.6)
    result = evaluate(
        hypothesis="H1", metric="m", target=target, control=control, treatment=treatment, look=look
    )
    assert result.verdict in VERDICTS
    if result.guards:
        assert result.verdict == "inconclusive"
    assert result.reason and "\n" not in result.reason and "nan" not in result.reason.lower()
    # later looks are sequential by default (safe peeking), and say so
    assert (look > 1) == any("sequential test" in n for n in result.notes) == bool(result.sequential)
    assert not any("earlier look" in n for n in result.notes)
    payload = json.dumps(result.model_dump(mode="json"), allow_nan=False)
    assert Result.model_validate(json.loads(payload)) == result


@settings(max_examples=60, deadline=None)
@given(
    s.lists(s.floats(min_value=-1e5, max_value=1e5, allow_nan=False), min_size=1, max_size=60),
    s.lists(s.floats(min_value=-1e5, max_value=1e5, allow_nan=False), min_size=1, max_size=60),
)
def test_batches_add_up_to_one_batch(first, second):
    whole = arm_stats(np.array(first + second), "a", kind="mean")
    combined = arm_stats(np.array(first), "a", kind="mean") + arm_stats(np.array(second), "a", kind="mean")
    assert combined.n == whole.n
    scale = float(np.abs(first + second).sum()) + 1.0
    assert combined.sum == pytest.approx(whole.sum, rel=1e-9, abs=1e-9 * scale)
    assert combined.variance == pytest.approx(whole.variance, rel=1e-6, abs=1e-6 * scale)
