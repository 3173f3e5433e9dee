"""Planning (sample size, MDE, days) against statsmodels and simulation; the engine choice in evaluate."""

from __future__ import annotations

import math

import numpy as np
import pytest

from disco_magics.errors import ValidationFailed
from disco_magics.model import ArmStats
from disco_magics.model.plan import Plan
from disco_magics.stats.engine import choose_sequential, evaluate
from disco_magics.stats.guards import required_n_per_arm
from disco_magics.stats.planning import (
    days_needed,
    minimum_detectable_effect,
    sample_size,
    sequential_factor,
)
from disco_magics.stats.sequential import half_width


def prop(name: str, n: int, hits: float) -> ArmStats:
    return ArmStats(name=name, kind="proportion", n=n, sum=hits, sum_squares=hits)


@pytest.mark.parametrize("baseline, target", [(0.18, 0.30), (0.06, 0.05), (0.5, 0.52), (0.01, 0.015)])
def test_fixed_sample_size_equals_the_measure_guard_and_statsmodels(baseline, target):
    from statsmodels.stats.power import NormalIndPower

    n_c, n_t = sample_size("proportion", baseline, target)
    assert n_c == n_t == required_n_per_arm("proportion", baseline, target)
    # statsmodels on the same unpooled effect size: d = delta / sqrt((V_c + V_t) / 2)
    v = baseline * (1 - baseline) + target * (1 - target)
    d = abs(target - baseline) / math.sqrt(v / 2)
    theirs = NormalIndPower().solve_power(effect_size=d, alpha=0.05, power=0.8, ratio=1.0)
    assert n_c == math.ceil(theirs - 1e-9)


def test_unequal_split_matches_statsmodels_ratio():
    from statsmodels.stats.power import NormalIndPower

    n_c, n_t = sample_size("mean", 10.0, 10.5, sd=4.0, split=(0.25, 0.75))
    assert n_t == pytest.approx(3 * n_c, rel=1e-3)
    theirs = NormalIndPower().solve_power(effect_size=0.5 / 4.0, alpha=0.05, power=0.8, ratio=3.0)
    assert n_c == math.ceil(theirs - 1e-9)


def test_sequential_sample_has_80_percent_power_at_its_own_tuning():
    baseline, target = 0.18, 0.22
    n_c, n_t = sample_size("proportion", baseline, target, sequential=True)
    fixed = sample_size("proportion", baseline, target)
    assert n_c / fixed[0] == pytest.approx(sequential_factor(), rel=1e-3)
    assert sequential_factor() == pytest.approx(1.915, abs=0.01)
    # at N* = the planned total, the chance that the always-valid CI excludes 0 is 80%
    rng = np.random.default_rng(5)
    runs = 20_000
    hits_c = rng.binomial(n_c, baseline, runs)
    hits_t = rng.binomial(n_t, target, runs)
    p_c, p_t = hits_c / n_c, hits_t / n_t
    variance = p_c * (1 - p_c) / n_c + p_t * (1 - p_t) / n_t
    power = np.mean((p_t - p_c) > half_width(variance, n_c + n_t, n_c + n_t))
    assert power == pytest.approx(0.80, abs=0.015)


@pytest.mark.parametrize("kind, baseline, sd", [("proportion", 0.18, None), ("mean", 40.0, 12.0)])
def test_mde_inverts_the_sample_size(kind, baseline, sd):
    target = baseline * 1.05
    n_c, n_t = sample_size(kind, baseline, target, sd=sd)
    mde = minimum_detectable_effect(kind, baseline, n_c, n_t, sd=sd)
    assert mde == pytest.approx(target - baseline, rel=1e-3)
    down = minimum_detectable_effect(kind, baseline, n_c, n_t, sd=sd, increase=False)
    # a rate below 50% varies less as it falls, so a fall is easier to detect; a mean is symmetric
    assert down < mde if kind == "proportion" else down == mde
    assert minimum_detectable_effect(kind, baseline, n_c, n_t, sd=sd, sequential=True) > mde


def test_days_and_bad_plans():
    assert days_needed(10_000, 400) == 25 and days_needed(1, 400) == 1
    with pytest.raises(ValidationFailed, match="traffic"):
        days_needed(100, 0)
    with pytest.raises(ValidationFailed, match="equals the baseline"):
        sample_size("proportion", 0.2, 0.2)
    with pytest.raises(ValidationFailed, match="standard deviation"):
        sample_size("mean", 1.0, 2.0)
    with pytest.raises(ValidationFailed, match="never varies"):
        sample_size("proportion", 0.0, 1.0)


# --------------------------------------------------------------------------------- engine choice


ARGS = dict(hypothesis="H1", metric="invite_rate", target=0.25, baseline=0.18)
C, T = prop("control", 5000, 900), prop("checklist", 5000, 1300)


def _plan() -> Plan:
    return Plan(
        hypothesis="H1",
        metric="invite_rate",
        metric_kind="proportion",
        baseline=0.18,
        target=0.25,
        fixed_n=(600, 600),
        sequential_n=(1150, 1150),
    )


def test_safe_peeking_default():
    assert choose_sequential(None, 1, "frequentist", None, None) == (False, None)
    on, why = choose_sequential(None, 2, "frequentist", None, None)
    assert on and "look 2" in why
    off, why = choose_sequential(None, 5, "frequentist", _plan(), None)
    assert not off and "plan declares a fixed horizon of 1,200 users" in why
    assert choose_sequential(False, 3, "frequentist", None, None)[0] is False
    assert choose_sequential(True, 1, "frequentist", _plan(), None)[0] is True
    assert choose_sequential(None, 1, "frequentist", None, 8000)[0] is True
    assert choose_sequential(None, 4, "bayesian", None, None) == (False, None)


def test_later_look_uses_the_sequential_interval_and_the_verdict_reads_it():
    first = evaluate(**ARGS, control=C, treatment=T)
    second = evaluate(**ARGS, control=C, treatment=T, look=2)
    assert first.sequential is False and first.sequential_tuning is None
    assert second.sequential is True and second.engine == "frequentist"
    assert second.ci_low < first.ci_low and second.ci_high > first.ci_high
    assert "95% always-valid CI" in second.reason and "sequential p" in second.reason
    assert "Sequential test (this is look 2" in second.reason
    # default N*: the sequential sample the target needs, both arms
    assert second.sequential_tuning == pytest.approx(2 * sample_size("proportion", 0.18, 0.25, sequential=True)[0])
    planned = evaluate(**ARGS, control=C, treatment=T, look=2, plan=_plan())
    assert planned.sequential is False and "Look 2 at H1" in planned.reason
    asked = evaluate(**ARGS, control=C, treatment=T, look=2, plan=_plan(), sequential=True)
    assert asked.sequential_tuning == 2300


def test_a_sequential_verdict_can_differ_from_the_fixed_one():
    # significant at a fixed horizon, not within the always-valid interval
    control, treatment = prop("control", 2000, 360), prop("checklist", 2000, 420)
    args = dict(ARGS, target=0.21)
    fixed = evaluate(**args, control=control, treatment=treatment)
    seq = evaluate(**args, control=control, treatment=treatment, sequential=True, sequential_tuning=4000)
    assert fixed.p_value < 0.05 and fixed.verdict == "validated"
    assert seq.p_value > 0.05 and seq.verdict == "inconclusive"
    assert "not significant" in seq.reason and "always-valid" in seq.reason


def test_bayesian_verdict_rule():
    win = evaluate(**ARGS, control=C, treatment=T, engine="bayesian")
    assert win.engine == "bayesian" and win.sequential is None and win.risk is not None
    assert win.verdict == "validated" and win.chance_to_beat > 0.95
    assert "95% credible interval" in win.reason and "chance to beat" in win.reason
    # chance to beat between 5% and 95%: inconclusive, even past the target
    close = evaluate(**dict(ARGS, target=0.19), control=prop("c", 400, 72), treatment=prop("t", 400, 80), engine="bayesian")
    assert 0.05 < close.chance_to_beat < 0.95 and close.verdict == "inconclusive"
    assert "not yet a likely win" in close.reason
    # a likely loss: invalidated
    loss = evaluate(**ARGS, control=C, treatment=prop("t", 5000, 800), engine="bayesian")
    assert loss.chance_to_beat < 0.05 and loss.verdict == "invalidated" and "wrong way" in loss.reason
    # a strong prior at 0 can hold a small sample back from the target
    shrunk = evaluate(**ARGS, control=C, treatment=T, engine="bayesian", prior_mean=0.0, prior_sd=0.005)
    assert shrunk.lift < win.lift and shrunk.prior_sd == 0.005


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(engine="bayes"), "unknown engine 'bayes'; choose one of frequentist, bayesian"),
        (dict(sequential_tuning=0), "the sequential tuning must be more than 0"),
        (dict(sequential_tuning=-5), "the sequential tuning must be more than 0"),
        (dict(sequential_tuning=math.nan), "the sequential tuning must be a finite number"),
        (dict(engine="bayesian", prior_mean=0, prior_sd=0), "the prior standard deviation must be more than 0"),
        (dict(engine="bayesian", prior_sd=-1), "the prior standard deviation must be more than 0"),
        (dict(engine="bayesian", prior_mean=0.1), "give --prior-sd"),
        (dict(prior_mean=0, prior_sd=1), "needs the Bayesian engine"),
        (dict(engine="bayesian", sequential=True), "Bayesian engine has no sequential test"),
        (dict(sequential=False, sequential_tuning=100), "--fixed refuses it"),
    ],
)
def test_bad_engine_arguments_are_one_line_errors(kwargs, message):
    with pytest.raises(ValidationFailed) as err:
        evaluate(**ARGS, control=C, treatment=T, **kwargs)
    assert message in err.value.one_line() and "\n" not in err.value.one_line()


# ------------------------------------------------------------------------------------------- peeking


@pytest.mark.parametrize("kind, mean, sd", [("proportion", 0.18, None), ("mean", 10.0, 4.0)])
def test_daily_peeking_inflates_the_fixed_test_but_not_the_sequential_one(kind, mean, sd):
    from disco_magics.stats.peeking import simulate_null

    runs = 4000
    rates = simulate_null(kind, mean, sd, users_per_look=150, looks=30, runs=runs, tuning=9000, seed=3)
    error = 3 * math.sqrt(0.05 * 0.95 / runs)
    assert rates.sequential <= 0.05 + error
    assert rates.fixed > 0.15
    assert rates.last_look == pytest.approx(0.05, abs=error)


def test_peeking_counts_with_the_engines_own_tests():
    """The vectorised counting gives the same p-values as fixed_effect and sequential_effect."""
    from disco_magics.stats.effect import difference, fixed_effect
    from disco_magics.stats.peeking import rejection_rates
    from disco_magics.stats.sequential import sequential_effect

    control = prop("c", 400, 80)
    for hits, expect_fixed, expect_seq in [(108, True, False), (97, False, False), (125, True, True)]:
        treatment = prop("t", 400, hits)
        one = lambda arm: (np.array([[arm.n]]), np.array([[arm.sum]]), np.zeros((1, 1)))  # noqa: E731
        rates = rejection_rates("proportion", one(control), one(treatment), tuning=2000)
        diff = difference(control, treatment)
        assert (fixed_effect(diff, treatment).p_value < 0.05) == bool(rates.fixed) == expect_fixed
        assert (sequential_effect(diff, treatment, 2000).p_value < 0.05) == bool(rates.sequential) == expect_seq
