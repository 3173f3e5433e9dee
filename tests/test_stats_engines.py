"""The sequential, Bayesian and CUPED engines against gbstats 0.8.0, case by case, and their properties."""

from __future__ import annotations

import math

import numpy as np
import pytest

from disco_magics.model import ArmStats, CovariateStats
from disco_magics.stats.bayesian import Prior, bayesian_effect, expected_loss
from disco_magics.stats.cuped import adjusted_difference, theta
from disco_magics.stats.effect import difference, fixed_effect
from disco_magics.stats.sequential import DEFAULT_TUNING, half_width, inflation, p_value, sequential_effect

pytest.importorskip("gbstats")


def test_reference_is_gbstats_0_8_0():
    import importlib.metadata

    assert importlib.metadata.version("gbstats") == "0.8.0"


def prop(name: str, n: int, hits: float) -> ArmStats:
    return ArmStats(name=name, kind="proportion", n=n, sum=hits, sum_squares=hits)


def mean_arm(name: str, n: int, mean: float, sd: float) -> ArmStats:
    total = mean * n
    return ArmStats(name=name, kind="mean", n=n, sum=total, sum_squares=sd * sd * (n - 1) + total * total / n)


def _gb(arm: ArmStats):
    from gbstats.models.statistics import ProportionStatistic, SampleMeanStatistic

    if arm.kind == "proportion":
        return ProportionStatistic(n=arm.n, sum=arm.sum)
    return SampleMeanStatistic(n=arm.n, sum=arm.sum, sum_squares=arm.sum_squares)


#: (control, treatment): tiny, unequal, huge n; proportions and means; positive, negative and null lifts
PAIRS = [
    pytest.param(prop("c", 40, 9), prop("t", 40, 15), id="tiny-rate"),
    pytest.param(prop("c", 12, 3), prop("t", 9, 5), id="tinier-unequal-rate"),
    pytest.param(prop("c", 2400, 432), prop("t", 2400, 648), id="rate-up"),
    pytest.param(prop("c", 5000, 900), prop("t", 1200, 190), id="unequal-rate-down"),
    pytest.param(prop("c", 10_000_000, 1_800_000), prop("t", 10_000_000, 1_801_500), id="huge-rate"),
    pytest.param(prop("c", 300, 150), prop("t", 300, 150), id="rate-null"),
    pytest.param(mean_arm("c", 35, 12.0, 4.0), mean_arm("t", 31, 13.5, 6.0), id="tiny-mean"),
    pytest.param(mean_arm("c", 1000, 50.0, 20.0), mean_arm("t", 250, 47.0, 35.0), id="unequal-mean"),
    pytest.param(mean_arm("c", 4_000_000, 3.2, 9.0), mean_arm("t", 4_100_000, 3.21, 9.5), id="huge-mean"),
    pytest.param(mean_arm("c", 80, -5.0, 2.0), mean_arm("t", 90, -4.2, 2.5), id="negative-mean"),
    pytest.param(mean_arm("c", 500, 1e6, 1e4), mean_arm("t", 480, 1.0015e6, 1.2e4), id="far-from-zero"),
]


# ------------------------------------------------------------------------------------------ sequential


@pytest.mark.parametrize("control, treatment", PAIRS)
@pytest.mark.parametrize("tuning", [DEFAULT_TUNING, 1000, 250_000])
def test_sequential_matches_gbstats(control, treatment, tuning):
    from gbstats.frequentist.tests import SequentialConfig, SequentialTwoSidedTTest

    ours = sequential_effect(difference(control, treatment), treatment, tuning)
    for kind in ("absolute", "relative"):
        theirs = SequentialTwoSidedTTest(
            _gb(control),
            _gb(treatment),
            SequentialConfig(difference_type=kind, sequential_tuning_parameter=tuning),
        ).compute_result()
        if kind == "absolute":
            assert ours.lift == pytest.approx(theirs.expected, rel=1e-9, abs=1e-15)
            assert ours.ci_low == pytest.approx(theirs.ci[0], rel=1e-9, abs=1e-12)
            assert ours.ci_high == pytest.approx(theirs.ci[1], rel=1e-9, abs=1e-12)
            assert ours.p_value == pytest.approx(theirs.p_value, rel=1e-9, abs=1e-300)
        else:
            assert ours.rel_ci_low == pytest.approx(theirs.ci[0], rel=1e-9, abs=1e-12)
            assert ours.rel_ci_high == pytest.approx(theirs.ci[1], rel=1e-9, abs=1e-12)
    assert ours.interval == "sequential"


@pytest.mark.parametrize("control, treatment", PAIRS)
def test_sequential_interval_contains_the_fixed_one(control, treatment):
    diff = difference(control, treatment)
    fixed = fixed_effect(diff, treatment)
    for tuning in (100, DEFAULT_TUNING, 1e6, 1e9):
        seq = sequential_effect(diff, treatment, tuning)
        assert seq.ci_low <= fixed.ci_low and fixed.ci_high <= seq.ci_high
        assert seq.p_value >= fixed.p_value


def test_sequential_is_tightest_near_its_tuning():
    """rho is chosen so the sequence is narrowest, per standard error, around N* users."""
    n = 20_000
    widths = {tuning: float(half_width(1.0, n, tuning)) for tuning in (200, 2_000, 20_000, 200_000, 2_000_000)}
    assert min(widths, key=widths.get) == 20_000
    assert float(half_width(1.0, n, n)) == pytest.approx(inflation(), rel=1e-12)
    assert inflation() == pytest.approx(3.0354, abs=1e-3)


def test_sequential_p_value_is_vectorised_and_bounded():
    lifts = np.array([0.0, 0.01, 0.05, 0.2])
    ps = p_value(lifts, np.full(4, 1e-4), np.full(4, 2000), DEFAULT_TUNING)
    assert ps.shape == (4,)
    assert ps[0] == 1.0 and np.all(np.diff(ps) <= 0) and ps[-1] < 1e-20
    assert p_value(0.1, 0.0, 100, DEFAULT_TUNING) == 0.0  # no variance, a lift: certain
    assert p_value(0.0, 0.0, 100, DEFAULT_TUNING) == 1.0


# -------------------------------------------------------------------------------------------- bayesian


@pytest.mark.parametrize("control, treatment", PAIRS)
@pytest.mark.parametrize("prior", [Prior(), Prior(0.0, 0.05), Prior(0.02, 0.01), Prior(-1.0, 3.0)], ids=repr)
@pytest.mark.parametrize("increase", [True, False])
def test_bayesian_matches_gbstats(control, treatment, prior, increase):
    from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig, GaussianPrior

    gb_prior = GaussianPrior(mean=prior.mean, variance=(prior.sd or 1.0) ** 2, proper=prior.proper)
    theirs = EffectBayesianABTest(
        _gb(control),
        _gb(treatment),
        EffectBayesianConfig(
            difference_type="absolute", prior_type="absolute", prior_effect=gb_prior, inverse=not increase
        ),
    ).compute_result()
    ours = bayesian_effect(difference(control, treatment), treatment, prior, increase=increase)
    assert ours.lift == pytest.approx(theirs.expected, rel=1e-9, abs=1e-15)
    assert ours.ci_low == pytest.approx(theirs.ci[0], rel=1e-9, abs=1e-12)
    assert ours.ci_high == pytest.approx(theirs.ci[1], rel=1e-9, abs=1e-12)
    chance = ours.prob_greater if increase else 1.0 - ours.prob_greater
    assert chance == pytest.approx(theirs.chance_to_win, rel=1e-9, abs=1e-12)
    # gbstats' risk[1] is the treatment's; its truncated-normal means turn to NaN deep in the tails
    if math.isfinite(theirs.risk[1]):
        assert ours.risk == pytest.approx(theirs.risk[1], rel=1e-7, abs=1e-13)
    assert ours.interval == "credible" and ours.risk >= 0


def test_bayesian_with_improper_prior_is_the_frequentist_normal_interval():
    control, treatment = prop("c", 2400, 432), prop("t", 2400, 500)
    ours = bayesian_effect(difference(control, treatment), treatment)
    se = math.sqrt(control.variance / control.n + treatment.variance / treatment.n)
    assert ours.ci_high - ours.ci_low == pytest.approx(2 * 1.959963984540054 * se, rel=1e-9)
    assert ours.p_value == fixed_effect(difference(control, treatment), treatment).p_value


def test_expected_loss_is_stable_in_the_tails():
    from scipy import integrate, stats

    for mu, sigma in [(0.0, 1.0), (0.3, 0.1), (-0.3, 0.1), (0.02, 0.004)]:
        exact = integrate.quad(lambda x, m=mu, s=sigma: -x * stats.norm.pdf(x, m, s), mu - 12 * sigma, 0)[0]
        assert expected_loss(mu, sigma) == pytest.approx(exact, rel=1e-6, abs=1e-15)
    # far in the tails: the loss is the whole lift, or nothing
    assert expected_loss(-40.0, 1.0) == pytest.approx(40.0, rel=1e-12)
    assert 0.0 <= expected_loss(40.0, 1.0) < 1e-300
    assert expected_loss(-2.0, 0.0) == 2.0 and expected_loss(2.0, 0.0) == 0.0


def test_prior_rejects_non_positive_sd():
    for sd in (0.0, -1.0, math.inf, math.nan):
        with pytest.raises(ValueError):
            Prior(0.0, sd)


# ------------------------------------------------------------------------------------------------ CUPED


def cuped_arm(name: str, post: np.ndarray, pre: np.ndarray, kind: str = "mean") -> ArmStats:
    total = float(post.sum())
    pre_kind = "proportion" if np.isin(pre, (0.0, 1.0)).all() else "mean"
    return ArmStats(
        name=name,
        kind=kind,
        n=int(post.size),
        sum=total,
        sum_squares=total if kind == "proportion" else float(np.dot(post, post)),
        covariate=CovariateStats(
            name="pre",
            kind=pre_kind,
            sum=float(pre.sum()),
            sum_squares=float(np.dot(pre, pre)),
            cross=float(np.dot(post, pre)),
        ),
    )


def _cuped_data(seed: int, n_c: int, n_t: int, kind: str, effect: float, rho: float):
    rng = np.random.default_rng(seed)
    arms = []
    for n, shift in ((n_c, 0.0), (n_t, effect)):
        pre = rng.normal(10.0, 3.0, n)
        noise = rng.normal(0.0, 3.0, n)
        latent = rho * (pre - 10.0) + math.sqrt(1 - rho * rho) * noise
        if kind == "proportion":
            post = (latent + shift * 10 > 2.5).astype(float)
            pre = (pre > 11.0).astype(float)
        else:
            post = 20.0 + latent + shift
        arms.append((post, pre))
    return arms


CUPED_CASES = [
    pytest.param(1, 40, 40, "mean", 0.5, 0.8, id="tiny-mean"),
    pytest.param(2, 35, 60, "mean", 0.0, 0.5, id="tiny-unequal-null"),
    pytest.param(3, 2000, 2000, "mean", 0.3, 0.9, id="mean-strong"),
    pytest.param(4, 5000, 1500, "mean", -0.2, 0.3, id="unequal-weak"),
    pytest.param(5, 400_000, 400_000, "mean", 0.01, 0.7, id="huge-mean"),
    pytest.param(6, 200, 200, "proportion", 0.05, 0.8, id="rate"),
    pytest.param(7, 3000, 1000, "proportion", -0.03, 0.6, id="unequal-rate"),
    pytest.param(8, 300_000, 300_000, "proportion", 0.002, 0.9, id="huge-rate"),
    pytest.param(9, 1000, 1000, "mean", 0.1, 0.0, id="uncorrelated"),
    pytest.param(10, 60, 45, "proportion", 0.1, 0.9, id="tiny-rate"),
]


def _gb_ra(arm: ArmStats):
    from gbstats.models.statistics import (
        ProportionStatistic,
        RegressionAdjustedStatistic,
        SampleMeanStatistic,
    )

    cov = arm.covariate
    pre = (
        ProportionStatistic(n=arm.n, sum=cov.sum)
        if cov.kind == "proportion"
        else SampleMeanStatistic(n=arm.n, sum=cov.sum, sum_squares=cov.sum_squares)
    )
    return RegressionAdjustedStatistic(
        n=arm.n, post_statistic=_gb(arm), pre_statistic=pre, post_pre_sum_of_products=cov.cross, theta=0
    )


@pytest.mark.parametrize("seed, n_c, n_t, kind, effect, rho", CUPED_CASES)
def test_cuped_matches_gbstats(seed, n_c, n_t, kind, effect, rho):
    from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig
    from gbstats.frequentist.tests import (
        FrequentistConfig,
        SequentialConfig,
        SequentialTwoSidedTTest,
        TwoSidedTTest,
    )
    from gbstats.models.statistics import compute_theta

    (post_c, pre_c), (post_t, pre_t) = _cuped_data(seed, n_c, n_t, kind, effect, rho)
    control, treatment = cuped_arm("c", post_c, pre_c, kind), cuped_arm("t", post_t, pre_t, kind)
    assert theta(control, treatment) == pytest.approx(compute_theta(_gb_ra(control), _gb_ra(treatment)), rel=1e-9)

    diff, _ = adjusted_difference(control, treatment)
    fixed = fixed_effect(diff, treatment)
    theirs = TwoSidedTTest(_gb_ra(control), _gb_ra(treatment), FrequentistConfig(difference_type="absolute"))
    result = theirs.compute_result()
    assert fixed.lift == pytest.approx(result.expected, rel=1e-8, abs=1e-12)
    assert fixed.ci_low == pytest.approx(result.ci[0], rel=1e-8, abs=1e-12)
    assert fixed.ci_high == pytest.approx(result.ci[1], rel=1e-8, abs=1e-12)
    assert fixed.p_value == pytest.approx(result.p_value, rel=1e-6, abs=1e-12)
    relative = TwoSidedTTest(
        _gb_ra(control), _gb_ra(treatment), FrequentistConfig(difference_type="relative")
    ).compute_result()
    assert fixed.relative_lift == pytest.approx(relative.expected, rel=1e-8, abs=1e-12)
    assert fixed.rel_ci_low == pytest.approx(relative.ci[0], rel=1e-8, abs=1e-12)

    seq = sequential_effect(diff, treatment, 3000)
    theirs_seq = SequentialTwoSidedTTest(
        _gb_ra(control), _gb_ra(treatment), SequentialConfig(difference_type="absolute", sequential_tuning_parameter=3000)
    ).compute_result()
    assert seq.ci_low == pytest.approx(theirs_seq.ci[0], rel=1e-8, abs=1e-12)
    assert seq.p_value == pytest.approx(theirs_seq.p_value, rel=1e-6, abs=1e-12)

    bayes = bayesian_effect(diff, treatment)
    theirs_bayes = EffectBayesianABTest(
        _gb_ra(control), _gb_ra(treatment), EffectBayesianConfig(difference_type="absolute")
    ).compute_result()
    assert bayes.ci_high == pytest.approx(theirs_bayes.ci[1], rel=1e-8, abs=1e-12)
    assert bayes.prob_greater == pytest.approx(theirs_bayes.chance_to_win, rel=1e-8, abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_cuped_interval_is_narrower_when_the_covariate_correlates(seed):
    (post_c, pre_c), (post_t, pre_t) = _cuped_data(seed, 3000, 3000, "mean", 0.2, 0.8)
    control, treatment = cuped_arm("c", post_c, pre_c), cuped_arm("t", post_t, pre_t)
    plain = fixed_effect(difference(control, treatment), treatment)
    adjusted = fixed_effect(adjusted_difference(control, treatment)[0], treatment)
    width = lambda e: e.ci_high - e.ci_low  # noqa: E731
    # about sqrt(1 - r^2) = 0.6 of the plain width at r = 0.8
    assert width(adjusted) < 0.7 * width(plain)
    assert width(adjusted) > 0.5 * width(plain)


def test_cuped_batches_combine_to_the_whole():
    (post_c, pre_c), (post_t, pre_t) = _cuped_data(11, 1000, 1000, "mean", 0.2, 0.8)
    whole = adjusted_difference(cuped_arm("c", post_c, pre_c), cuped_arm("t", post_t, pre_t))[0]
    halves_c = cuped_arm("c", post_c[:400], pre_c[:400]) + cuped_arm("c", post_c[400:], pre_c[400:])
    halves_t = cuped_arm("t", post_t[:700], pre_t[:700]) + cuped_arm("t", post_t[700:], pre_t[700:])
    combined = adjusted_difference(halves_c, halves_t)[0]
    assert combined.lift == pytest.approx(whole.lift, rel=1e-9)
    assert combined.variance == pytest.approx(whole.variance, rel=1e-9)


def test_cuped_with_a_constant_covariate_is_the_plain_test():
    rng = np.random.default_rng(3)
    post_c, post_t = rng.normal(5, 1, 100), rng.normal(5.3, 1, 100)
    control, treatment = cuped_arm("c", post_c, np.ones(100) * 2), cuped_arm("t", post_t, np.ones(100) * 2)
    diff, coefficient = adjusted_difference(control, treatment)
    assert coefficient == 0.0
    assert diff == difference(control, treatment)


def test_cuped_sums_from_a_frame_equal_the_arrays_and_count_missing_covariates():
    import pandas as pd

    from disco_magics.errors import NotFoundError, ValidationFailed
    from disco_magics.stats.arms import arms_from_frame

    (post_c, pre_c), (post_t, pre_t) = _cuped_data(12, 300, 200, "mean", 0.2, 0.8)
    frame = pd.DataFrame(
        {
            "variant": ["control"] * 300 + ["checklist"] * 200,
            "spend": np.concatenate([post_c, post_t]),
            "spend_before": np.concatenate([pre_c, pre_t]),
        }
    )
    arms = arms_from_frame(frame, "spend", "variant", covariate="spend_before")
    expected = cuped_arm("c", post_c, pre_c).covariate
    got = arms["control"].covariate
    assert got.name == "spend_before" and got.kind == "mean" and got.filled == 0
    assert got.sum == pytest.approx(expected.sum) and got.cross == pytest.approx(expected.cross)
    assert got.sum_squares == pytest.approx(expected.sum_squares)
    assert arms["checklist"].covariate.sum == pytest.approx(pre_t.sum())

    # a missing pre-period value counts as 0 (GrowthBook coalesces it) and is counted
    holes = frame.copy()
    holes.loc[[0, 5, 400], "spend_before"] = np.nan
    holed = arms_from_frame(holes, "spend", "variant", covariate="spend_before")
    assert holed["control"].covariate.filled == 2 and holed["checklist"].covariate.filled == 1
    assert holed["control"].covariate.sum == pytest.approx(pre_c.sum() - pre_c[0] - pre_c[5])

    bad = frame.assign(text="x", empty=np.nan)
    for covariate, error, words in [
        ("nope", NotFoundError, "no covariate column 'nope'"),
        ("text", ValidationFailed, "covariate column 'text' is not numeric"),
        ("empty", ValidationFailed, "covariate column 'empty' has no values (all missing)"),
        ("spend", ValidationFailed, "not the metric itself"),
        ("variant", ValidationFailed, "not the group itself"),
    ]:
        with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
            arms_from_frame(bad, "spend", "variant", covariate=covariate)
