"""The statistics engine against gbstats and scipy, the guards, the verdict rule and the reasons."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from disco_magics.errors import NotFoundError, ValidationFailed
from disco_magics.model import ArmStats, Result
from disco_magics.stats import (
    arm_from_rate,
    arm_from_summary,
    arm_stats,
    arms_from_frame,
    compare,
    evaluate,
    metric_kind,
    pick_arms,
    required_n_per_arm,
    sample_ratio_mismatch,
    srm_p_value,
)


def prop(name: str, n: int, hits: float) -> ArmStats:
    return ArmStats(name=name, kind="proportion", n=n, sum=hits, sum_squares=hits)


def mean_arm(name: str, n: int, mean: float, sd: float) -> ArmStats:
    return arm_from_summary(name, n, mean, sd)


# ---------------------------------------------------------------------------------------------- gbstats


def _gb_stat(arm: ArmStats):
    from gbstats.models.statistics import ProportionStatistic, SampleMeanStatistic

    if arm.kind == "proportion":
        return ProportionStatistic(n=arm.n, sum=arm.sum)
    return SampleMeanStatistic(n=arm.n, sum=arm.sum, sum_squares=arm.sum_squares)


def _gb_test(control: ArmStats, treatment: ArmStats, difference: str):
    from gbstats.frequentist.tests import FrequentistConfig, TwoSidedTTest

    return TwoSidedTTest(
        _gb_stat(control), _gb_stat(treatment), FrequentistConfig(difference_type=difference)
    )


def _raw(arm: ArmStats) -> ArmStats:
    return ArmStats(name=arm.name, kind=arm.kind, n=arm.n, sum=arm.sum, sum_squares=arm.sum_squares)


GB_CASES = [
    # proportions: typical, tiny, huge, near 0 and 1, unbalanced
    ("rates-typical", prop("c", 2400, 432), prop("t", 2400, 648)),
    ("rates-equal", prop("c", 1000, 180), prop("t", 1000, 180)),
    ("rates-tiny", prop("c", 3, 1), prop("t", 4, 3)),
    ("rates-tiny-2", prop("c", 2, 1), prop("t", 2, 1)),
    ("rates-small", prop("c", 40, 7), prop("t", 38, 12)),
    ("rates-huge", prop("c", 10_000_000, 1_800_000), prop("t", 10_000_000, 1_801_500)),
    ("rates-huge-2", prop("c", 1_000_000_000, 20_000_000), prop("t", 990_000_000, 19_900_000)),
    ("rates-rare", prop("c", 50_000, 12), prop("t", 50_000, 25)),
    ("rates-near-one", prop("c", 800, 790), prop("t", 820, 815)),
    ("rates-unbalanced", prop("c", 10_000, 1500), prop("t", 300, 60)),
    ("rates-negative", prop("c", 5000, 1000), prop("t", 5000, 850)),
    ("rates-control-constant", prop("c", 500, 0), prop("t", 500, 9)),
    ("rates-treatment-constant", prop("c", 500, 12), prop("t", 500, 500)),
    # means: typical, skewed, tiny, huge, zero variance in one arm
    ("means-typical", mean_arm("c", 1000, 12.0, 4.0), mean_arm("t", 1000, 12.5, 4.2)),
    ("means-unequal-var", mean_arm("c", 200, 50.0, 5.0), mean_arm("t", 30, 53.0, 20.0)),
    ("means-tiny", mean_arm("c", 2, 1.0, 1.5), mean_arm("t", 3, 2.5, 0.5)),
    ("means-tiny-2", mean_arm("c", 3, 10.0, 2.0), mean_arm("t", 2, 10.0, 3.0)),
    ("means-huge", mean_arm("c", 50_000_000, 3.2, 9.0), mean_arm("t", 50_000_000, 3.2001, 9.0)),
    ("means-huge-2", mean_arm("c", 2_000_000_000, 0.5, 1.0), mean_arm("t", 1_000_000_000, 0.5003, 1.1)),
    ("means-negative-values", mean_arm("c", 400, -3.0, 2.0), mean_arm("t", 410, -2.6, 2.5)),
    ("means-revenue", mean_arm("c", 12_000, 31.7, 88.0), mean_arm("t", 11_800, 33.9, 97.0)),
    ("means-control-constant", mean_arm("c", 100, 5.0, 0.0), mean_arm("t", 100, 5.4, 1.0)),
    ("means-treatment-constant", mean_arm("c", 60, 2.0, 0.7), mean_arm("t", 45, 2.0, 0.0)),
    ("means-big-offset", mean_arm("c", 5000, 1e6, 3.0), mean_arm("t", 5000, 1e6 + 0.2, 3.0)),
]


@pytest.mark.parametrize(("control", "treatment"), [c[1:] for c in GB_CASES], ids=[c[0] for c in GB_CASES])
def test_absolute_and_relative_effect_match_gbstats(control, treatment):
    pytest.importorskip("gbstats")
    # gbstats sees only n, sum and sum of squares; so do we here (no m2)
    control, treatment = _raw(control), _raw(treatment)
    ours = compare(control, treatment)
    gb = _gb_test(control, treatment, "absolute")
    scale = max(abs(ours.ci_high - ours.ci_low), 1e-12)
    assert ours.lift == pytest.approx(gb.point_estimate, rel=1e-9, abs=1e-12)
    assert ours.dof == pytest.approx(gb.dof, rel=1e-9)
    assert ours.std_error == pytest.approx(math.sqrt(gb.variance), rel=1e-9)
    low, high = gb.confidence_interval
    assert ours.ci_low == pytest.approx(low, rel=1e-8, abs=1e-9 * scale)
    assert ours.ci_high == pytest.approx(high, rel=1e-8, abs=1e-9 * scale)
    # gbstats uses 1 - cdf, which rounds p below ~1e-16 to 0; we keep the tail (sf).
    assert ours.p_value == pytest.approx(gb.p_value, rel=1e-7, abs=1e-14)

    if control.mean != 0:
        rel = _gb_test(control, treatment, "relative")
        assert ours.relative_lift == pytest.approx(rel.point_estimate, rel=1e-9, abs=1e-12)
        rel_low, rel_high = rel.confidence_interval
        rel_scale = max(abs(rel_high - rel_low), 1e-12)
        assert ours.rel_ci_low == pytest.approx(rel_low, rel=1e-8, abs=1e-9 * rel_scale)
        assert ours.rel_ci_high == pytest.approx(rel_high, rel=1e-8, abs=1e-9 * rel_scale)
    else:
        assert ours.relative_lift is None and ours.rel_ci_low is None and ours.rel_ci_high is None


def test_gb_cases_are_enough():
    assert len(GB_CASES) >= 20
    assert any(c.n <= 3 for _, c, _ in GB_CASES) and any(c.n >= 10**9 for _, c, _ in GB_CASES)


@pytest.mark.parametrize(
    ("control", "treatment"),
    [
        (prop("c", 500, 0), prop("t", 500, 0)),
        (prop("c", 500, 500), prop("t", 200, 200)),
        (mean_arm("c", 50, 4.0, 0.0), mean_arm("t", 70, 4.0, 0.0)),
    ],
)
def test_zero_variance_everywhere_matches_gbstats_placeholder(control, treatment):
    """gbstats refuses these (p = 1, CI [0, 0]); with equal means so do our limits."""
    pytest.importorskip("gbstats")
    gb = _gb_test(control, treatment, "absolute").compute_result()
    ours = compare(control, treatment)
    assert (ours.lift, ours.ci_low, ours.ci_high, ours.p_value) == (gb.expected, *gb.ci, gb.p_value)


def test_zero_variance_with_different_means_is_a_degenerate_limit_and_guarded():
    control, treatment = mean_arm("c", 50, 4.0, 0.0), mean_arm("t", 50, 5.0, 0.0)
    effect = compare(control, treatment)
    assert (effect.lift, effect.ci_low, effect.ci_high, effect.p_value) == (1.0, 1.0, 1.0, 0.0)
    result = evaluate(
        hypothesis="H1", metric="seats", target=5.0, baseline=4.0, control=control, treatment=treatment
    )
    assert result.verdict == "inconclusive"
    assert any("no variation" in g for g in result.guards)


# ------------------------------------------------------------------------------------------------- scipy


def _scipy_cases():
    rng = np.random.default_rng(20260127)
    cases = [
        ("normal-equal", rng.normal(10, 2, 500), rng.normal(10, 2, 500)),
        ("normal-shift", rng.normal(10, 2, 500), rng.normal(10.4, 2, 480)),
        ("unequal-var", rng.normal(0, 1, 300), rng.normal(0.3, 5, 40)),
        ("tiny-2-2", np.array([1.0, 3.0]), np.array([2.0, 7.0])),
        ("tiny-2-3", np.array([0.5, 1.5]), np.array([4.0, 5.0, 9.0])),
        ("tiny-3-5", rng.normal(0, 1, 3), rng.normal(1, 1, 5)),
        ("poisson", rng.poisson(3, 2000).astype(float), rng.poisson(3.2, 2000).astype(float)),
        ("lognormal-revenue", rng.lognormal(3, 1.2, 3000), rng.lognormal(3.05, 1.2, 3100)),
        ("zero-one-as-mean", (rng.random(1000) < 0.2).astype(float), (rng.random(1000) < 0.25).astype(float)),
        ("negative", rng.normal(-50, 10, 250), rng.normal(-48, 12, 260)),
        ("control-constant", np.full(80, 3.0), rng.normal(3.5, 1, 90)),
        ("treatment-constant", rng.normal(2, 0.5, 60), np.full(45, 2.0)),
        ("big-offset", 1e6 + rng.normal(0, 1, 800), 1e6 + rng.normal(0.1, 1, 800)),
        ("large", rng.normal(100, 15, 400_000), rng.normal(100.05, 15, 400_000)),
        ("large-unbalanced", rng.exponential(4, 300_000), rng.exponential(4.02, 20_000)),
        ("integers", rng.integers(0, 10, 150).astype(float), rng.integers(1, 11, 170).astype(float)),
        ("heavy-tail", rng.standard_t(3, 700), rng.standard_t(3, 650) + 0.2),
        ("small-effect", rng.normal(1, 1, 50), rng.normal(1.05, 1, 50)),
        ("huge-effect", rng.normal(0, 1, 40), rng.normal(10, 1, 40)),
        ("skewed-small", rng.exponential(1, 12), rng.exponential(2, 15)),
        ("uniform", rng.uniform(0, 1, 1000), rng.uniform(0.02, 1.02, 990)),
        ("scaled-tiny-values", rng.normal(1e-6, 1e-7, 300), rng.normal(1.02e-6, 1e-7, 300)),
    ]
    return cases


SCIPY_CASES = _scipy_cases()


@pytest.mark.filterwarnings("ignore:Precision loss:RuntimeWarning")
@pytest.mark.parametrize(
    ("control", "treatment"), [c[1:] for c in SCIPY_CASES], ids=[c[0] for c in SCIPY_CASES]
)
def test_mean_effect_matches_scipy_welch(control, treatment):
    c, t = arm_stats(control, "control", kind="mean"), arm_stats(treatment, "treatment", kind="mean")
    assert c.mean == pytest.approx(np.mean(control), rel=1e-10, abs=1e-15)
    assert t.mean == pytest.approx(np.mean(treatment), rel=1e-10, abs=1e-15)
    assert c.variance == pytest.approx(np.var(control, ddof=1), rel=1e-6, abs=1e-20)
    ours = compare(c, t)
    ref = st.ttest_ind(treatment, control, equal_var=False)
    ci = ref.confidence_interval(0.95)
    scale = float(ci.high - ci.low)
    assert ours.lift == pytest.approx(np.mean(treatment) - np.mean(control), rel=1e-8, abs=1e-9 * scale)
    assert ours.dof == pytest.approx(float(ref.df), rel=1e-6)
    assert ours.p_value == pytest.approx(float(ref.pvalue), rel=1e-5, abs=1e-12)
    assert ours.ci_low == pytest.approx(float(ci.low), rel=1e-6, abs=1e-7 * scale)
    assert ours.ci_high == pytest.approx(float(ci.high), rel=1e-6, abs=1e-7 * scale)


def test_scipy_cases_are_enough():
    assert len(SCIPY_CASES) >= 20


def test_m2_keeps_the_variance_exact_far_from_zero():
    values = 1e9 + np.random.default_rng(2).normal(0, 1, 5000)
    arm = arm_stats(values, "t", kind="mean")
    assert arm.variance == pytest.approx(np.var(values, ddof=1), rel=1e-9)
    assert _raw(arm).variance != pytest.approx(np.var(values, ddof=1), rel=1e-3)  # what raw sums alone give
    by_frame = arms_from_frame(pd.DataFrame({"g": ["a"] * 2500 + ["b"] * 2500, "x": values}), "x", "g")
    assert by_frame["a"].variance == pytest.approx(np.var(values[:2500], ddof=1), rel=1e-9)
    halves = arm_stats(values[:1234], "t") + arm_stats(values[1234:], "t")
    assert halves.variance == pytest.approx(np.var(values, ddof=1), rel=1e-9)


def test_proportion_uses_p_times_one_minus_p_like_gbstats():
    values = np.array([1.0] * 30 + [0.0] * 70)
    arm = arm_stats(values, "a")
    assert arm.kind == "proportion"
    assert arm.variance == pytest.approx(0.3 * 0.7)
    assert arm_stats(values, "a", kind="mean").variance == pytest.approx(np.var(values, ddof=1))


def test_observed_ci_proportion_is_wilson_and_mean_is_t():
    from statsmodels.stats.proportion import proportion_confint

    arm = prop("t", 2400, 648)
    effect = compare(0.18, arm)
    low, high = proportion_confint(648, 2400, alpha=0.05, method="wilson")
    assert (effect.observed_ci_low, effect.observed_ci_high) == pytest.approx((low, high), rel=1e-9)
    values = np.random.default_rng(3).normal(5, 2, 200)
    effect = compare(4.0, arm_stats(values, "t"))
    interval = st.t.interval(0.95, 199, loc=values.mean(), scale=st.sem(values))
    assert (effect.observed_ci_low, effect.observed_ci_high) == pytest.approx(interval, rel=1e-9)


def test_fixed_baseline_is_a_one_sample_test():
    values = np.random.default_rng(5).normal(5.2, 2, 150)
    effect = compare(5.0, arm_stats(values, "t"))
    ref = st.ttest_1samp(values, 5.0)
    assert effect.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert effect.dof == 149
    ci = ref.confidence_interval(0.95)
    assert (effect.ci_low, effect.ci_high) == pytest.approx((ci.low - 5.0, ci.high - 5.0), rel=1e-9)


def test_chance_to_beat_is_the_normal_approximation():
    c, t = prop("c", 2400, 432), prop("t", 2400, 470)
    effect = compare(c, t)
    assert effect.prob_greater == pytest.approx(st.norm.cdf(effect.lift / effect.std_error))
    up = evaluate(hypothesis="H1", metric="invite_rate", target=0.3, baseline=0.18, control=c, treatment=t)
    down = evaluate(hypothesis="H1", metric="invite_rate", target=0.1, baseline=0.18, control=c, treatment=t)
    assert up.chance_to_beat == pytest.approx(effect.prob_greater)
    assert down.chance_to_beat == pytest.approx(1 - effect.prob_greater)


# ---------------------------------------------------------------------------------------- sufficient stats


def test_combining_batches_equals_one_big_batch():
    rng = np.random.default_rng(11)
    values = rng.lognormal(2, 1, 9000)
    batches = np.array_split(values, [1000, 4500, 4501])
    combined = arm_stats(batches[0], "t")
    for batch in batches[1:]:
        combined = combined + arm_stats(batch, "t")
    whole = arm_stats(values, "t")
    assert combined.n == whole.n
    assert combined.sum == pytest.approx(whole.sum, rel=1e-12)
    assert combined.sum_squares == pytest.approx(whole.sum_squares, rel=1e-12)
    assert combined.variance == pytest.approx(whole.variance, rel=1e-9)
    control = arm_stats(rng.lognormal(2, 1, 8000), "c")
    a, b = compare(control, combined), compare(control, whole)
    assert (a.lift, a.ci_low, a.ci_high, a.p_value) == pytest.approx((b.lift, b.ci_low, b.ci_high, b.p_value))
    assert ArmStats.combine(prop("x", 10, 3), prop("x", 5, 5)) == prop("x", 15, 8)
    with pytest.raises(ValueError, match="different arms"):
        prop("x", 10, 3) + prop("y", 10, 3)
    with pytest.raises(ValueError, match="proportion"):
        prop("x", 10, 3) + mean_arm("x", 10, 1.0, 1.0)


def test_arms_from_frame_one_groupby_with_nan_policy():
    df = pd.DataFrame(
        {
            "variant": ["control"] * 4 + ["checklist"] * 5 + [None],
            "invited": [True, False, False, None, True, True, False, None, None, True],
            "seats": [1, 2, 3, 4, 5, 6, 7, 8, np.nan, 1],
        }
    )
    arms = arms_from_frame(df, "invited", "variant")
    assert set(arms) == {"control", "checklist"}
    assert arms["control"].kind == "proportion"
    assert (arms["control"].n, arms["control"].sum, arms["control"].dropped) == (3, 1.0, 1)
    assert (arms["checklist"].n, arms["checklist"].sum, arms["checklist"].dropped) == (3, 2.0, 2)
    seats = arms_from_frame(df, "seats", "variant")
    assert seats["checklist"].kind == "mean"
    assert (seats["checklist"].n, seats["checklist"].sum, seats["checklist"].sum_squares) == (4, 26.0, 174.0)
    control, treatment = pick_arms(arms, "control")
    assert (control.name, treatment.name) == ("control", "checklist")
    result = evaluate(hypothesis="H1", metric="invited", target=0.9, control=control, treatment=treatment)
    assert "3 rows with no value for invited were left out (control 1, checklist 2)" in result.reason


def test_metric_kind_detection():
    assert metric_kind(pd.Series([True, False])) == "proportion"
    assert metric_kind(pd.Series([0, 1, 1, np.nan])) == "proportion"
    assert metric_kind(pd.Series([True, None, False], dtype="boolean")) == "proportion"
    assert metric_kind(pd.Series([0, 1, 2])) == "mean"
    assert metric_kind(pd.Series([1.5, 2.5], dtype="Float64")) == "mean"


# ------------------------------------------------------------------------------------------ bad input


def _one_line(err: pytest.ExceptionInfo) -> str:
    text = str(err.value)
    assert "\n" not in text
    return text


def test_unknown_column_lists_the_known_ones():
    df = pd.DataFrame({"variant": ["a", "b"], "invited": [0, 1]})
    with pytest.raises(NotFoundError) as err:
        arms_from_frame(df, "invites", "variant")
    text = _one_line(err)
    assert "'invites'" in text and "variant, invited" in text and "%measure H1 --data" in text
    with pytest.raises(NotFoundError, match="no group column 'arm'"):
        arms_from_frame(df, "invited", "arm")


def test_group_column_with_one_value():
    df = pd.DataFrame({"variant": ["control"] * 3, "invited": [0, 1, 1]})
    with pytest.raises(ValidationFailed) as err:
        arms_from_frame(df, "invited", "variant")
    assert "only one value (control)" in _one_line(err)


def test_control_value_absent():
    df = pd.DataFrame({"variant": ["a", "b"], "invited": [0, 1]})
    arms = arms_from_frame(df, "invited", "variant")
    with pytest.raises(NotFoundError) as err:
        pick_arms(arms, "control")
    assert "control arm 'control' is not in the data; the arms are: a, b" in _one_line(err)
    with pytest.raises(ValidationFailed, match="say which arm is the control"):
        pick_arms(arms)
    three = arms_from_frame(pd.DataFrame({"g": ["a", "b", "c"], "x": [1, 0, 1]}), "x", "g")
    with pytest.raises(ValidationFailed, match="say which is the treatment"):
        pick_arms(three, "a")
    assert pick_arms(three, "a", "c")[1].name == "c"


@pytest.mark.parametrize("n", [0, -5, 2.5, float("nan"), "100"])
def test_bad_n(n):
    with pytest.raises(ValidationFailed) as err:
        arm_from_rate("checklist", 0.2, n)
    assert "n of arm checklist" in _one_line(err)


@pytest.mark.parametrize("rate", [-0.01, 1.2, 27.0])
def test_rate_outside_unit_interval(rate):
    with pytest.raises(ValidationFailed) as err:
        arm_from_rate("checklist", rate, 100)
    text = _one_line(err)
    assert "between 0 and 1" in text and "--observed 0.27" in text


def test_non_numeric_metric_column():
    df = pd.DataFrame({"variant": ["a", "b", "a"], "plan": ["free", "pro", "team"]})
    with pytest.raises(ValidationFailed) as err:
        arms_from_frame(df, "plan", "variant")
    assert "metric column 'plan' is not numeric (it holds string values)" in _one_line(err)


def test_infinite_values_and_all_missing_arm():
    df = pd.DataFrame({"variant": ["a", "b"], "x": [1.0, np.inf]})
    with pytest.raises(ValidationFailed, match="infinite"):
        arms_from_frame(df, "x", "variant")
    df = pd.DataFrame({"variant": ["a", "a", "b"], "x": [1.0, 2.0, np.nan]})
    with pytest.raises(ValidationFailed, match="arm b of 'x' has no values"):
        arms_from_frame(df, "x", "variant")


def test_evaluate_rejects_rates_outside_unit_interval_and_mixed_kinds():
    with pytest.raises(ValidationFailed, match="between 0 and 1"):
        evaluate(
            hypothesis="H1",
            metric="invite_rate",
            target=30,
            control=prop("c", 100, 18),
            treatment=prop("t", 100, 27),
        )
    with pytest.raises(ValidationFailed, match="is a mean but treatment t is a proportion"):
        evaluate(
            hypothesis="H1",
            metric="m",
            target=0.3,
            control=mean_arm("c", 100, 1, 1),
            treatment=prop("t", 100, 27),
        )
    with pytest.raises(ValidationFailed, match="equals the baseline"):
        evaluate(
            hypothesis="H1",
            metric="m",
            target=0.2,
            baseline=0.2,
            control=prop("c", 100, 18),
            treatment=prop("t", 100, 27),
        )


def test_evaluate_rejects_a_bad_hypothesis_id():
    with pytest.raises(ValidationFailed, match="is not a name"):
        evaluate(
            hypothesis="H 1<b>",
            metric="m",
            target=0.3,
            control=prop("c", 100, 18),
            treatment=prop("t", 100, 27),
        )


# ----------------------------------------------------------------------------------------------- guards


def test_minimum_sample_guard_for_rates_and_means():
    result = evaluate(
        hypothesis="H1",
        metric="invited",
        target=0.3,
        baseline=0.1,
        control=prop("c", 40, 3),
        treatment=prop("t", 40, 15),
    )
    assert result.verdict == "inconclusive"
    assert result.guards == [
        "too few users in c: 3 of 40 have invited and 37 do not (at least 5 of each are needed per arm)"
    ]
    assert result.reason.startswith("Inconclusive: too few users in c")
    means = evaluate(
        hypothesis="H1",
        metric="seats",
        target=4.0,
        control=mean_arm("c", 29, 3, 1),
        treatment=mean_arm("t", 29, 5, 1),
    )
    assert means.verdict == "inconclusive"
    assert "Taken alone the numbers would read validated" in means.reason
    assert means.guards == [
        "too few users: c has 29 and t has 29 (at least 30 per arm are needed for a mean)"
    ]


def test_srm_against_an_independent_chi_square():
    c, t = prop("c", 5210, 900), prop("t", 4790, 1200)
    expected = 5000.0
    chi2 = (5210 - expected) ** 2 / expected + (4790 - expected) ** 2 / expected
    assert srm_p_value(c, t) == pytest.approx(st.chi2.sf(chi2, 1))
    p, message = sample_ratio_mismatch(c, t)
    assert p < 0.001 and "sample-ratio mismatch" in message and "50/50 split" in message
    # 2:1 by design is fine; it is a mismatch against 50/50
    c2, t2 = prop("c", 6000, 900), prop("t", 3000, 600)
    assert sample_ratio_mismatch(c2, t2, (2, 1))[1] is None
    assert "a 62.5/37.5 split expects about 5,625 and 3,375" in sample_ratio_mismatch(c2, t2, (2, 1.2))[1]
    assert sample_ratio_mismatch(c2, t2)[1] is not None
    assert sample_ratio_mismatch(prop("c", 5050, 900), prop("t", 4950, 900))[1] is None
    result = evaluate(hypothesis="H1", metric="invited", target=0.2, control=c, treatment=t)
    assert result.verdict == "inconclusive" and result.srm_p_value == pytest.approx(p)
    assert "Taken alone the numbers would read validated" in result.reason
    split = evaluate(
        hypothesis="H1", metric="invited", target=0.2, control=c2, treatment=t2, expected_split=(2, 1)
    )
    assert split.verdict == "validated" and split.guards == []
    with pytest.raises(ValidationFailed, match="two positive numbers"):
        srm_p_value(c, t, (1, 0))


@pytest.mark.parametrize(("p0", "p1"), [(0.18, 0.30), (0.06, 0.08), (0.5, 0.45), (0.01, 0.012), (0.9, 0.95)])
def test_required_n_for_rates_matches_statsmodels(p0, p1):
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    ours = required_n_per_arm("proportion", p0, p1)
    v = p0 * (1 - p0) + p1 * (1 - p1)
    theirs = NormalIndPower().solve_power(effect_size=abs(p1 - p0) / math.sqrt(v / 2), alpha=0.05, power=0.8)
    assert abs(ours - math.ceil(theirs)) <= 1
    # Cohen's h (arcsine) is a different approximation of the same quantity: within 10%
    cohen = NormalIndPower().solve_power(
        effect_size=abs(proportion_effectsize(p1, p0)), alpha=0.05, power=0.8
    )
    assert ours == pytest.approx(cohen, rel=0.1)
    one = required_n_per_arm("proportion", p0, p1, two_sample=False)
    one_sm = NormalIndPower().solve_power(
        effect_size=abs(p1 - p0) / math.sqrt(p1 * (1 - p1)), alpha=0.05, power=0.8, ratio=0
    )
    assert abs(one - math.ceil(one_sm)) <= 1


@pytest.mark.parametrize(
    ("delta", "var_c", "var_t"), [(0.5, 4.0, 4.0), (2.0, 100.0, 150.0), (0.01, 0.5, 0.3)]
)
def test_required_n_for_means_matches_statsmodels(delta, var_c, var_t):
    from statsmodels.stats.power import NormalIndPower

    ours = required_n_per_arm("mean", 10.0, 10.0 + delta, var_c + var_t)
    theirs = NormalIndPower().solve_power(
        effect_size=delta / math.sqrt((var_c + var_t) / 2), alpha=0.05, power=0.8
    )
    assert abs(ours - math.ceil(theirs)) <= 1
    assert required_n_per_arm("mean", 10.0, 10.0, 1.0) is None
    assert required_n_per_arm("mean", 10.0, 11.0, 0.0) is None


def test_inconclusive_says_how_many_users_are_needed():
    result = evaluate(
        hypothesis="H1",
        metric="invite_rate",
        target=0.30,
        baseline=0.18,
        control=prop("c", 60, 11),
        treatment=prop("t", 60, 19),
    )
    assert result.verdict == "inconclusive"
    expected = required_n_per_arm("proportion", 0.18, 0.30)
    assert result.required_n_per_arm == expected
    assert (
        f"About {expected:,} users per arm are needed to detect a change from 18% to 30% with 80% power (now 60 and 60)"
        in result.reason
    )


def test_peeking_with_a_declared_fixed_horizon_is_noted_and_keeps_the_verdict():
    args = dict(hypothesis="H1", metric="invite_rate", target=0.25, baseline=0.18)
    first = evaluate(**args, control=prop("c", 5000, 900), treatment=prop("t", 5000, 1400))
    third = evaluate(
        **args, control=prop("c", 5000, 900), treatment=prop("t", 5000, 1400), look=3, sequential=False
    )
    assert first.notes == [] and first.look == 1 and first.sequential is False
    assert third.verdict == first.verdict == "validated"
    assert third.look == 3 and third.sequential is False
    assert "Look 3 at H1 (2 earlier looks)" in third.reason and "false positive" in third.reason
    assert "fixed horizon was declared (--fixed)" in third.reason
    with pytest.raises(ValidationFailed, match="look must be 1 or more"):
        evaluate(**args, control=prop("c", 5000, 900), treatment=prop("t", 5000, 1400), look=0)


# ------------------------------------------------------------------------------------------ verdict rule

RULE_CASES = [
    # id, control, treatment, target, baseline, verdict, words in the reason
    (
        "validated",
        prop("control", 5000, 900),
        prop("checklist", 5000, 1550),
        0.30,
        0.18,
        "validated",
        ["31%", "target 30%", "control 18%", "p < 0.001", "+13 pp"],
    ),
    (
        "ci-excludes-target",
        prop("control", 5000, 900),
        prop("checklist", 5000, 1100),
        0.30,
        0.18,
        "invalidated",
        ["22%", "stays below the target 30%"],
    ),
    (
        "wrong-direction",
        prop("control", 5000, 900),
        prop("checklist", 5000, 750),
        0.30,
        0.18,
        "invalidated",
        ["moved the wrong way", "15%", "−3 pp", "increase to 30%"],
    ),
    (
        "reached-not-significant",
        prop("control", 60, 11),
        prop("checklist", 60, 19),
        0.30,
        0.18,
        "inconclusive",
        ["reached 31.7%", "not significant", "p = 0.091"],
    ),
    (
        "significant-not-reached",
        prop("control", 1000, 180),
        prop("checklist", 1000, 285),
        0.30,
        0.18,
        "inconclusive",
        ["intended way", "has not reached the target 30%", "still includes it"],
    ),
    (
        "neither",
        prop("control", 200, 36),
        prop("checklist", 200, 40),
        0.22,
        0.18,
        "inconclusive",
        ["the change from control 18% to checklist 20% is not significant", "still includes the target 22%"],
    ),
    (
        "decrease-validated",
        prop("control", 4000, 400),
        prop("checklist", 4000, 240),
        0.07,
        0.10,
        "validated",
        ["at or below the target 7%"],
    ),
    (
        "decrease-wrong-way",
        prop("control", 4000, 400),
        prop("checklist", 4000, 520),
        0.07,
        0.10,
        "invalidated",
        ["moved the wrong way", "decrease to 7%"],
    ),
    (
        "decrease-ci-excludes",
        prop("control", 4000, 400),
        prop("checklist", 4000, 380),
        0.07,
        0.10,
        "invalidated",
        ["stays above the target 7%"],
    ),
    (
        "mean-validated",
        mean_arm("control", 800, 3.0, 1.5),
        mean_arm("checklist", 800, 3.6, 1.6),
        3.5,
        3.0,
        "validated",
        ["reached 3.6", "target 3.5"],
    ),
]


@pytest.mark.parametrize(
    ("control", "treatment", "target", "baseline", "verdict", "words"),
    [c[1:] for c in RULE_CASES],
    ids=[c[0] for c in RULE_CASES],
)
def test_verdict_rule(control, treatment, target, baseline, verdict, words):
    result = evaluate(
        hypothesis="H1",
        metric="invite_rate",
        target=target,
        baseline=baseline,
        control=control,
        treatment=treatment,
    )
    assert result.verdict == verdict, result.reason
    assert result.reason.startswith(verdict.capitalize() + ": ")
    for word in words:
        assert word in result.reason, (word, result.reason)
    assert "\n" not in result.reason and "nan" not in result.reason.lower()


def test_fixed_baseline_from_aggregates():
    result = evaluate(
        hypothesis="H1",
        metric="invite_rate",
        target=0.25,
        control=0.18,
        treatment=arm_from_rate("checklist", 0.27, 2400),
        source="aggregates",
    )
    assert result.baseline_fixed and result.control is None and result.baseline == 0.18
    assert result.verdict == "validated"
    assert "the fixed baseline 18%" in result.reason
    assert result.n == {"checklist": 2400} and result.mean == pytest.approx({"checklist": 0.27})
    assert result.srm_p_value is None


def test_result_round_trips_through_json():
    result = evaluate(
        hypothesis="H1",
        metric="invite_rate",
        target=0.30,
        baseline=0.18,
        control=prop("control", 500, 0),
        treatment=prop("checklist", 500, 9),
    )
    assert result.relative_lift is None  # control mean 0: undefined, not NaN
    payload = json.dumps(result.model_dump(mode="json"), allow_nan=False)
    again = Result.model_validate(json.loads(payload))
    assert again == result
    assert again.n == {"control": 500, "checklist": 500}
    assert again.mean == {"control": 0.0, "checklist": 0.018}
    assert json.loads(payload)["treatment"]["mean"] == 0.018


def test_result_rejects_nan_and_inconsistent_arms():
    result = evaluate(
        hypothesis="H1",
        metric="invite_rate",
        target=0.30,
        control=prop("control", 500, 90),
        treatment=prop("t", 500, 120),
    )
    data = result.model_dump()
    with pytest.raises(ValueError, match="finite"):
        Result.model_validate({**data, "lift": float("nan")})
    with pytest.raises(ValueError, match="baseline_fixed"):
        Result.model_validate({**data, "baseline_fixed": True})
    with pytest.raises(ValueError, match="sum <= n"):
        prop("x", 10, 11)
    with pytest.raises(ValueError):
        ArmStats(name="x", n=0, sum=0, sum_squares=0)
