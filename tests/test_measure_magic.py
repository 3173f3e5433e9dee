"""%measure and disco.measure in a real shell: results stored, statuses moved, bad input one line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from IPython.core.error import UsageError

from disco_magics.session import get_session

from .conftest import H1


@pytest.fixture
def framed(onboarding):
    onboarding.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.25 --risk value", H1)
    rng = np.random.default_rng(3)
    n = 4000
    variant = np.where(np.arange(n) % 2 == 0, "control", "checklist")
    invited = rng.random(n) < np.where(variant == "control", 0.18, 0.30)
    onboarding.user_ns["trials"] = pd.DataFrame(
        {"variant": variant, "invited": invited, "minutes": rng.normal(12, 3, n), "plan": "free"}
    )
    return onboarding


def status():
    return get_session().store.hypothesis("onboarding", "H1").status


def test_measure_from_data_validates_and_moves_status(framed, capsys):
    assert status() == "draft"
    framed.run_line_magic("measure", "H1 --data trials --metric invited --group variant --control control")
    out = capsys.readouterr().out
    assert "VALIDATED" in out
    assert status() == "validated"
    rows = get_session().store.results("onboarding", "H1")
    assert len(rows) == 1
    assert rows[0].control.n == 2000 and rows[0].treatment.name == "checklist"


def test_second_look_is_marked_as_peeking(framed):
    import disco_magics as disco

    first = disco.measure("H1", observed=0.27, n=2400, baseline=0.18, baseline_n=2400)
    second = disco.measure("H1", observed=0.26, n=3000, baseline=0.18, baseline_n=3000)
    assert (first.look, second.look) == (1, 2)
    assert "look" in second.reason.lower() or any("look" in n.lower() for n in second.notes)
    assert get_session().store.count_results("onboarding", "H1") == 2


def test_results_returns_every_look_as_a_result_oldest_first(framed):
    import disco_magics as disco
    from disco_magics.model import Result

    assert disco.results("H1") == []
    first = disco.measure("H1", observed=0.27, n=2400, baseline=0.18, baseline_n=2400)
    second = disco.measure("H1", observed=0.26, n=3000, baseline=0.18, baseline_n=3000)
    looks = disco.results("H1")
    assert all(type(r) is Result for r in looks)
    assert looks == [first, second]
    (card,) = [c for section in disco.report().problems for c in section.cards if c.hypothesis.id == "H1"]
    assert card.result == second and card.looks == 2
    assert card.observed == second.reason
    with pytest.raises(Exception, match="H9"):
        disco.results("H9")


def test_aggregates_against_fixed_baseline(framed):
    import disco_magics as disco

    r = disco.measure("H1", observed=0.19, n=200)
    assert r.verdict in ("inconclusive", "invalidated")
    assert r.baseline_fixed is True
    assert r.reason


def test_more_than_two_arms_gives_one_result_per_treatment(framed):
    import disco_magics as disco

    frame = framed.user_ns["trials"].copy()
    frame.loc[frame.index % 3 == 0, "variant"] = "tour"
    results = disco.measure("H1", data=frame, metric="invited", group="variant", control="control")
    assert [r.treatment.name for r in results] == ["checklist", "tour"]


BAD = [
    ("H9 --observed 0.2 --n 100", "unknown hypothesis 'H9' in problem onboarding; known: H1"),
    ("H1 --data nope --metric invited --group variant", "no variable named 'nope' in the notebook; DataFrames: trials"),
    ("H1 --data trials --metric nope --group variant", "no metric column 'nope' in the data"),
    ("H1 --data trials --metric invited --group plan", "group column 'plan' has only one value (free)"),
    ("H1 --data trials --metric invited --group variant --control absent", "control arm 'absent' is not in the data"),
    ("H1 --data trials --metric variant --group plan", "metric column 'variant'"),
    ("H1 --observed 0.2 --n 0", "--n must be at least 1, not 0"),
    ("H1 --observed 0.2 --n -5", "--n must be at least 1, not -5"),
    ("H1 --observed 1.2 --n 100", "1.2"),
    ("H1 --observed 0.2", "aggregates need both --observed and --n"),
    ("H1", "measure from one source"),
    ("", "%measure needs a hypothesis ID"),
    ("H1 --observed x --n 10", "--observed must be a number"),
    ("H1 --data trials --metric invited --group variant --split 50", "--split must be two positive shares"),
]


@pytest.mark.parametrize(("line", "message"), BAD, ids=[b[0] or "empty" for b in BAD])
def test_bad_measure_input(framed, line, message):
    with pytest.raises(UsageError) as err:
        framed.run_line_magic("measure", line)
    assert type(err.value) is UsageError
    assert message in str(err.value), str(err.value)
    assert "\n" not in str(err.value)
    assert get_session().store.count_results("onboarding", "H1") == 0
    assert status() == "draft"


def test_nans_in_the_metric_are_dropped_and_said(framed):
    import disco_magics as disco

    frame = framed.user_ns["trials"].copy()
    frame["minutes"] = frame["minutes"].astype(float)
    frame.loc[:9, "minutes"] = np.nan
    disco.hypothesis("M1", "Minutes for admins go up because of a checklist", metric="invite_rate", target=0.3)
    r = disco.measure("M1", data=frame, metric="minutes", group="variant", control="control")
    text = r.reason + " ".join(r.notes)
    assert "10 rows with no value for minutes were left out" in text


def test_events_measurement(framed):
    import disco_magics as disco

    rng = np.random.default_rng(5)
    for i in range(300):
        variant = "control" if i % 2 else "checklist"
        disco.track("H1", "exposed", user=f"u{i}", variant=variant)
        if rng.random() < (0.15 if variant == "control" else 0.35):
            disco.track("H1", "converted", user=f"u{i}", variant=variant)
    assert status() == "running"
    r = disco.measure("H1", events=True)
    assert r.source == "events"
    assert r.control.n == 150 and r.treatment.n == 150
    assert status() == r.verdict
