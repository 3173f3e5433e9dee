"""Issue 13 end to end in a real shell: engines, safe peeking, CUPED, %plan, pre-registration, --peeks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from IPython.core.error import UsageError

from disco_magics.session import get_session

from .conftest import H1

AGGREGATES = "H1 --observed 0.27 --n 2400 --baseline 0.18 --baseline-n 2400"


@pytest.fixture
def framed(onboarding):
    onboarding.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.25 --risk value", H1)
    rng = np.random.default_rng(13)
    n = 6000
    variant = np.where(np.arange(n) % 2 == 0, "control", "checklist")
    before = rng.gamma(2.0, 6.0, n)
    minutes = 0.9 * before + rng.normal(3.0, 4.0, n) + np.where(variant == "checklist", 0.6, 0.0)
    invited = rng.random(n) < np.where(variant == "control", 0.18, 0.27)
    onboarding.user_ns["trials"] = pd.DataFrame(
        {
            "variant": variant,
            "invited": invited,
            "invited_before": rng.random(n) < 0.2,
            "minutes": minutes,
            "minutes_before": before,
            "label": "x",
            "empty": np.nan,
        }
    )
    return onboarding


def looks() -> int:
    return get_session().store.count_results("onboarding", "H1")


def hypothesis():
    return get_session().store.hypothesis("onboarding", "H1")


def test_second_look_is_sequential_by_default_and_says_so(framed, capsys):
    import disco_magics as disco

    first = disco.measure("H1", observed=0.27, n=2400, baseline=0.18, baseline_n=2400)
    second = disco.measure("H1", observed=0.27, n=2400, baseline=0.18, baseline_n=2400)
    assert (first.sequential, second.sequential) == (False, True)
    assert first.engine == second.engine == "frequentist"
    assert second.sequential_tuning and second.sequential_tuning > 0
    assert second.ci_low < first.ci_low and second.ci_high > first.ci_high
    assert "95% always-valid CI" in second.reason and "this is look 2" in second.reason
    framed.run_line_magic("measure", AGGREGATES)
    out = capsys.readouterr().out
    assert "sequential p-value" in out and "test: sequential, always valid (N* =" in out


def test_fixed_refuses_sequential_and_keeps_the_peeking_note(framed):
    import disco_magics as disco

    disco.measure("H1", observed=0.27, n=2400, baseline=0.18, baseline_n=2400)
    fixed = disco.measure("H1", observed=0.27, n=2400, baseline=0.18, baseline_n=2400, sequential=False)
    assert fixed.sequential is False and "Look 2 at H1" in fixed.reason
    assert "a fixed horizon was declared (--fixed)" in fixed.reason
    framed.run_line_magic("measure", AGGREGATES + " --fixed")
    assert looks() == 3


def test_sequential_tuning_is_passed_through(framed):
    import disco_magics as disco

    r = disco.measure("H1", observed=0.27, n=2400, baseline=0.18, baseline_n=2400, sequential_tuning=20_000)
    assert r.sequential is True and r.sequential_tuning == 20_000


def test_bayesian_engine_fields_and_card(framed, capsys):
    framed.run_line_magic("measure", "H1 --data trials --metric invited --group variant --engine bayesian")
    out = capsys.readouterr().out
    assert "95% credible interval" in out and "risk (expected loss)" in out and "p-value" not in out
    import disco_magics as disco

    r = disco.measure(
        "H1", data=framed.user_ns["trials"], metric="invited", group="variant", engine="bayesian",
        prior_mean=0.0, prior_sd=0.5,
    )
    assert r.engine == "bayesian" and r.sequential is None and r.sequential_tuning is None
    assert r.risk is not None and r.risk >= 0 and r.prior_sd == 0.5
    assert r.verdict == "validated" and r.chance_to_beat >= 0.95
    # a sceptical prior pulls the lift towards 0, below what the target needs
    shrunk = disco.measure(
        "H1", data=framed.user_ns["trials"], metric="invited", group="variant", engine="bayesian",
        prior_mean=0.0, prior_sd=0.01,
    )
    assert shrunk.lift < r.lift and shrunk.verdict == "invalidated"
    assert "the 95% credible interval of the lift" in shrunk.reason


def test_cuped_narrows_the_interval_and_is_recorded(framed):
    import disco_magics as disco

    frame = framed.user_ns["trials"]
    disco.hypothesis("M1", "Admins spend more minutes because of a checklist", metric="invite_rate", target=0.9)
    plain = disco.measure("M1", data=frame, metric="minutes", group="variant", control="control")
    adjusted = disco.measure(
        "M1", data=frame, metric="minutes", group="variant", control="control", covariate="minutes_before",
        sequential=False,
    )
    assert plain.covariate is None and adjusted.covariate == "minutes_before"
    assert adjusted.cuped_theta == pytest.approx(0.9, abs=0.05)
    assert (adjusted.ci_high - adjusted.ci_low) < 0.75 * (plain.ci_high - plain.ci_low)
    assert adjusted.treatment.covariate.name == "minutes_before"
    assert "CUPED: adjusted for the pre-period minutes_before" in adjusted.reason


BAD = [
    ("H1 --observed 0.27 --n 2400 --engine bayes", "unknown engine 'bayes'; choose one of frequentist, bayesian"),
    ("H1 --observed 0.27 --n 2400 --sequential-tuning 0", "--sequential-tuning must be at least 1, not 0"),
    ("H1 --observed 0.27 --n 2400 --sequential-tuning -3", "--sequential-tuning must be at least 1"),
    ("H1 --observed 0.27 --n 2400 --engine bayesian --prior-sd 0", "the prior standard deviation must be more than 0"),
    ("H1 --observed 0.27 --n 2400 --engine bayesian --prior-sd -1", "the prior standard deviation must be more than 0"),
    ("H1 --observed 0.27 --n 2400 --prior-sd 1", "a prior needs the Bayesian engine"),
    ("H1 --observed 0.27 --n 2400 --engine bayesian --sequential", "the Bayesian engine has no sequential test"),
    ("H1 --observed 0.27 --n 2400 --sequential --fixed", "--sequential and --fixed contradict each other"),
    ("H1 --observed 0.27 --n 2400 --covariate minutes_before", "CUPED needs the users' rows"),
    ("H1 --data trials --metric invited --group variant --covariate nope", "no covariate column 'nope' in the data"),
    ("H1 --data trials --metric invited --group variant --covariate label", "covariate column 'label' is not numeric"),
    ("H1 --data trials --metric invited --group variant --covariate empty", "covariate column 'empty' has no values"),
    ("H1 --data trials --metric invited --group variant --covariate invited", "not the metric itself"),
]


@pytest.mark.parametrize(("line", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_engine_input_is_one_line_and_stores_nothing(framed, line, message):
    with pytest.raises(UsageError) as err:
        framed.run_line_magic("measure", line)
    assert type(err.value) is UsageError
    assert message in str(err.value), str(err.value)
    assert "\n" not in str(err.value)
    assert looks() == 0 and hypothesis().status == "draft"


# ------------------------------------------------------------------------------------------ planning


def test_plan_is_stored_shown_and_declares_a_fixed_horizon(framed, capsys):
    import disco_magics as disco

    framed.run_line_magic("plan", "H1 --traffic 400 --split 50:50")
    out = capsys.readouterr().out
    plan = hypothesis().plan
    assert plan is not None and plan.traffic == 400
    assert plan.fixed_n[0] == plan.fixed_n[1] and plan.sequential_n[0] > 1.8 * plan.fixed_n[0]
    assert plan.fixed_days == -(-sum(plan.fixed_n) // 400)
    assert set(plan.mde) == {7, 14, 28} and plan.mde[28] < plan.mde[7]
    assert f"{plan.fixed_n[0]:,} per arm (fixed horizon)" in out
    # the hypothesis card shows it
    framed.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.25 --risk value", H1)
    assert "plan: to detect invite_rate 18% → 25%" in capsys.readouterr().out
    # a later look keeps the fixed-horizon test the plan was made for
    disco.measure("H1", observed=0.27, n=2400, baseline=0.18, baseline_n=2400)
    second = disco.measure("H1", observed=0.27, n=2400, baseline=0.18, baseline_n=2400)
    assert second.sequential is False and "the plan declares a fixed horizon" in second.reason
    asked = disco.measure("H1", observed=0.27, n=2400, baseline=0.18, baseline_n=2400, sequential=True)
    assert asked.sequential_tuning == sum(plan.sequential_n)


def test_plan_needs_a_baseline_and_a_positive_traffic(framed):
    framed.run_cell_magic("hypothesis", "H2 --metric invite_rate --target 0.3 --baseline 0.18", H1)
    for line, message in [
        ("H2 --traffic 0", "traffic must be a positive number"),
        ("H2 --split 0:1", "--split must be two positive shares"),
        ("", "%plan needs a hypothesis ID"),
        ("H9", "unknown hypothesis 'H9'"),
    ]:
        with pytest.raises(UsageError) as err:
            framed.run_line_magic("plan", line)
        assert message in str(err.value) and "\n" not in str(err.value)
    assert get_session().store.hypothesis("onboarding", "H2").plan is None


# -------------------------------------------------------------------------------- pre-registration


def test_goalposts_moved_after_data_are_recorded_and_marked(framed, capsys):
    import disco_magics as disco
    from disco_magics.display.table import table_markdown

    # before any result, the target may change freely
    framed.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.26 --risk value", H1)
    assert hypothesis().post_hoc is False and hypothesis().changes == []
    judged = disco.measure("H1", observed=0.255, n=2400, baseline=0.18, baseline_n=2400)
    assert judged.target == 0.26
    # an unchanged re-run is not a change
    framed.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.26 --risk value", H1)
    assert hypothesis().post_hoc is False
    capsys.readouterr()
    framed.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.25 --risk value", H1)
    out = capsys.readouterr().out
    h = hypothesis()
    assert h.post_hoc is True
    assert [(c.field, c.old, c.new) for c in h.changes] == [("target", "0.26", "0.25")]
    assert "⚑ post hoc" in out and "goalposts moved after data: target 0.26 → 0.25" in out
    frame = disco.experiments()
    assert bool(frame.loc["H1", "post_hoc"]) is True
    # the earlier result keeps the target it was judged by, and its verdict
    stored = get_session().store.results("onboarding", "H1")[0]
    stored_target = stored.target if hasattr(stored, "target") else stored["target"]
    assert stored_target == 0.26 and frame.loc["H1", "verdict"] == judged.verdict
    assert "H1 ⚑ post hoc" in table_markdown(disco.experiment_table())
    report = disco.report()
    from disco_magics.display.report import report_markdown

    assert "goalposts moved after data" in report_markdown(report)
    # once post hoc, always post hoc; a second change is recorded too
    framed.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.24 --baseline 0.17 --risk value", H1)
    fields = [c.field for c in hypothesis().changes]
    assert fields == ["target", "target", "baseline"] and hypothesis().post_hoc


# --------------------------------------------------------------------------------------------- peeks


def test_simulate_peeks_shows_why_the_default_is_sequential(framed, capsys):
    framed.run_cell_magic(
        "synth",
        "trials2 --rows 6000 --seed 3 --for H1",
        "variant: choice(control=0.5, checklist=0.5)\ninvited: bernoulli(0.18)\ninvited[variant=checklist]: bernoulli(0.25)\n",
    )
    capsys.readouterr()
    framed.run_line_magic("simulate", "H1 --peeks 30 --runs 400 --seed 2")
    out = capsys.readouterr().out
    assert "looked at 30 times" in out and "sequential test" in out
    from disco_magics import api

    sim = api.simulate("H1", runs=400, seed=2, peeks=30)
    assert sim.fixed_rate > 0.15 and sim.sequential_rate <= 0.05 + 3 * (0.05 * 0.95 / 400) ** 0.5
    assert sim.peeks == 30 and sim.rows == 6000
    for line, message in [("H1 --peeks 1", "--peeks must be"), ("H1 --peeks 30 --rows 50", "cannot be looked at 30 times")]:
        with pytest.raises(UsageError) as err:
            framed.run_line_magic("simulate", line)
        assert message in str(err.value) and "\n" not in str(err.value)


def test_report_names_each_engines_evidence(framed):
    import disco_magics as disco
    from disco_magics.display.report import report_markdown

    disco.measure("H1", observed=0.27, n=2400, baseline=0.18, baseline_n=2400)
    assert ", p <0.001, n 4,800, 1 look" in report_markdown(disco.report())
    disco.measure("H1", observed=0.27, n=2400, baseline=0.18, baseline_n=2400)
    assert "always-valid [" in report_markdown(disco.report()) and "sequential p <0.001" in report_markdown(disco.report())
    disco.measure("H1", observed=0.27, n=2400, baseline=0.18, baseline_n=2400, engine="bayesian")
    text = report_markdown(disco.report())
    assert "credible [" in text and "chance to beat >99.9%" in text and "3 looks" in text


def test_plan_for_a_mean_needs_its_spread(framed):
    import disco_magics as disco

    disco.problem("engagement", "Admins leave the first session early.\nmetric: minutes = minutes in the first session (baseline 40)\n")
    disco.hypothesis("M2", "Admins stay longer because of a checklist", metric="minutes", target=45, problem="engagement")
    with pytest.raises(UsageError) as err:
        framed.run_line_magic("plan", "M2 --traffic 100")
    assert "needs its standard deviation" in str(err.value) and "--sd" in str(err.value)
    made = disco.plan("M2", traffic=100, sd=12)
    assert made.metric_kind == "mean" and made.sd == 12
    # (z_0.975 + z_0.8)^2 * 2 * 12^2 / 5^2 users per arm, rounded up
    assert made.fixed_n == (91, 91) and made.fixed_days == 2
    assert get_session().store.hypothesis("engagement", "M2").plan == made


def test_all_arms_of_one_measurement_get_the_same_test(framed):
    import disco_magics as disco

    frame = framed.user_ns["trials"].copy()
    frame.loc[frame.index % 3 == 0, "variant"] = "tour"
    first = disco.measure("H1", data=frame, metric="invited", group="variant", control="control")
    assert [r.look for r in first] == [1, 2] and [r.sequential for r in first] == [False, False]
    later = disco.measure("H1", data=frame, metric="invited", group="variant", control="control")
    assert [r.look for r in later] == [3, 4] and [r.sequential for r in later] == [True, True]
