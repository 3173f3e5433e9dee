"""Rehearsals are not evidence: measuring synthetic data shows the card, labelled, and changes nothing."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from IPython.core.error import UsageError

import disco_magics as disco
from disco_magics.session import get_session

from . import store_fixtures
from .conftest import H1

SPEC = """variant: choice(control=0.5, checklist=0.5)
invited: bernoulli(0.18)
invited[variant=checklist]: bernoulli(0.30)
"""
MEASURE = "H1 --data {} --metric invited --group variant --control control"


@pytest.fixture
def framed(onboarding):
    onboarding.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.25 --risk value", H1)
    return onboarding


def store():
    return get_session().store


def untouched():
    """H1 exactly as a hypothesis with no evidence: draft, no looks, no verdict, nothing in the report."""
    h = store().hypothesis("onboarding", "H1")
    assert h.status == "draft"
    assert store().count_results("onboarding", "H1") == 0
    assert store().results("onboarding", "H1") == [] and disco.results("H1") == []
    row = disco.experiments().loc["H1"]
    assert (
        row["status"] == "draft" and row["verdict"] is None and row["looks"] == 0 and pd.isna(row["observed"])
    )
    card = disco.report().problems[0].cards[0]
    assert card.result is None and card.looks == 0


def test_an_in_memory_synth_frame_gives_a_rehearsal_and_leaves_the_hypothesis_a_draft(framed, capsys):
    framed.run_cell_magic("synth", "trials --rows 4000 --seed 7 --for H1", SPEC)
    capsys.readouterr()
    framed.run_line_magic("measure", MEASURE.format("trials"))
    out = capsys.readouterr().out
    assert "H1 · invited — REHEARSAL · VALIDATED" in out
    assert "what the analysis would say on synthetic data with the effect you planted" in out
    assert (
        "synthetic data 'trials' (seed 7, 4,000 rows; planted invited[variant=checklist]: bernoulli(0.3))"
        in out
    )
    untouched()
    kept = store().rehearsals("onboarding", "H1")
    assert len(kept) == 1 and kept[0].rehearsal and kept[0].verdict == "validated"
    assert kept[0].provenance.seed == 7
    # the table shows the last rehearsal apart from the (empty) evidence
    assert disco.experiments().loc["H1"]["rehearsal"] == "validated"
    from disco_magics.display.table import table_html, table_text

    table = disco.experiment_table()
    text = table_text(table)
    header, line = text.splitlines()
    assert header.endswith("decision  rehearsal (not evidence)")
    # verdict and decision are empty; the status is draft; only the rehearsal column says validated
    assert re.split(r"\s{2,}", line.strip()) == ["H1", "invite_rate", "0.18", "0.25", "draft", "validated"]
    assert line.index("validated") >= header.index("rehearsal")
    assert 'class="disco-rehearsal"' in table_html(table) and "rehearsal: validated" in table_html(table)


def test_a_frame_read_back_from_its_parquet_file_is_a_rehearsal(framed, tmp_path):
    framed.run_cell_magic("synth", f"trials --rows 4000 --seed 7 --out {tmp_path}/trials.parquet", SPEC)
    back = pd.read_parquet(tmp_path / "trials.parquet")
    result = disco.measure("H1", data=back, metric="invited", group="variant", control="control")
    assert result.rehearsal and result.provenance.name == "trials" and result.verdict == "validated"
    untouched()


def test_filtering_and_selecting_columns_keeps_it_a_rehearsal(framed):
    frame = disco.synth(SPEC + "seats: poisson(3)", rows=4000, seed=7, name="trials")
    picked = frame[frame["seats"] >= 0][["variant", "invited"]].copy()
    result = disco.measure("H1", data=picked, metric="invited", group="variant", control="control")
    assert result.rehearsal and result.provenance.seed == 7
    untouched()


def test_the_same_numbers_from_data_the_tool_did_not_make_count_as_evidence(framed):
    synthetic = disco.synth(SPEC, rows=4000, seed=7)
    real = pd.DataFrame(
        {"variant": synthetic["variant"].astype(str).tolist(), "invited": synthetic["invited"].tolist()}
    )
    rehearsed = disco.measure("H1", data=synthetic, metric="invited", group="variant", control="control")
    measured = disco.measure("H1", data=real, metric="invited", group="variant", control="control")
    assert not measured.rehearsal and measured.provenance is None
    # the same analysis: only the label differs
    assert (measured.verdict, measured.lift, measured.p_value) == (
        rehearsed.verdict,
        rehearsed.lift,
        rehearsed.p_value,
    )
    # the rehearsal before it took no look: the real measurement is the first
    assert measured.look == 1
    assert store().hypothesis("onboarding", "H1").status == "validated"
    assert store().count_results("onboarding", "H1") == 1
    row = disco.experiments().loc["H1"]
    assert row["verdict"] == "validated" and row["looks"] == 1


def test_rehearsal_flag_for_a_csv_the_user_knows_is_simulated(framed, tmp_path, capsys):
    framed.run_cell_magic("synth", f"flat --rows 4000 --seed 7 --out {tmp_path}/flat.csv", SPEC)
    assert "--rehearsal" in capsys.readouterr().out
    framed.user_ns["flat"] = pd.read_csv(tmp_path / "flat.csv")
    framed.run_line_magic("measure", MEASURE.format("flat") + " --rehearsal")
    out = capsys.readouterr().out
    assert "REHEARSAL" in out and "data you marked as simulated (--rehearsal)" in out
    untouched()
    # without the flag the CSV cannot be told from an export: it counts
    framed.run_line_magic("measure", MEASURE.format("flat"))
    assert store().hypothesis("onboarding", "H1").status == "validated"


def test_rehearsal_from_aggregates_in_the_api(framed):
    result = disco.measure("H1", observed=0.30, n=3000, baseline=0.18, baseline_n=3000, rehearsal=True)
    assert result.rehearsal and result.provenance is None and result.verdict == "validated"
    untouched()


def test_a_decision_after_only_a_rehearsal_is_made_without_evidence(framed):
    disco.measure("H1", data=disco.synth(SPEC, rows=4000, seed=7), metric="invited", group="variant")
    made = disco.decide("H1", "persevere", learning="rehearsed only")
    assert made.without_evidence


def test_a_rehearsal_after_real_evidence_changes_nothing(framed):
    disco.measure("H1", observed=0.19, n=3000, baseline=0.18, baseline_n=3000)
    before = store().hypothesis("onboarding", "H1").status
    disco.measure("H1", data=disco.synth(SPEC, rows=4000, seed=7), metric="invited", group="variant")
    assert store().hypothesis("onboarding", "H1").status == before
    assert store().count_results("onboarding", "H1") == 1
    assert disco.experiments().loc["H1"]["verdict"] == before


def test_the_latest_rehearsal_is_listed_per_hypothesis(framed):
    for seed in (1, 2):
        disco.measure("H1", data=disco.synth(SPEC, rows=500, seed=seed), metric="invited", group="variant")
    latest = store().latest_rehearsals("onboarding")
    assert list(latest) == [("onboarding", "H1")]
    assert latest["onboarding", "H1"].provenance.seed == 2
    assert store().latest_rehearsals("other") == {}


def test_rehearsal_flag_is_a_switch(framed):
    with pytest.raises(UsageError):
        framed.run_line_magic("measure", "H1 --observed 0.3 --n 100 --rehearsal yes")


def test_a_table_row_refuses_a_rehearsal_as_its_evidence(framed):
    from disco_magics.model import ExperimentRow

    rehearsed = disco.measure("H1", observed=0.30, n=3000, baseline=0.18, baseline_n=3000, rehearsal=True)
    h = store().hypothesis("onboarding", "H1")
    with pytest.raises(ValueError, match="not evidence"):
        ExperimentRow.from_evidence(h, rehearsed)
    row = ExperimentRow.from_evidence(h, rehearsal=rehearsed)
    assert (row.verdict, row.rehearsal, row.looks) == (None, "validated", 0)


# ------------------------------------------------------------------------------------ the store, both backends

backend = store_fixtures.backend


def test_rehearsals_are_kept_apart_in_either_store(backend):
    from disco_magics.model import Hypothesis, Problem
    from disco_magics.stats import arm_from_rate, evaluate

    store = backend.open()
    try:
        for name in ("on_boarding", "onXboarding"):  # '_' is a LIKE wildcard: the prefix match must be exact
            store.save_problem(Problem(name=name, statement="Admins are stuck."))
            store.save_hypothesis(
                Hypothesis(id="H1", problem=name, statement="We believe x because y", metric="m", target=0.3)
            )
        real = evaluate(
            hypothesis="H1",
            metric="m",
            target=0.3,
            control=arm_from_rate("control", 0.2, 2000),
            treatment=arm_from_rate("treatment", 0.31, 2000),
        )
        rehearsal = real.model_copy(update={"rehearsal": True})

        def judge(first_look):
            return [rehearsal.model_copy(update={"look": first_look})]

        store.add_results("on_boarding", "H1", judge)
        store.add_result("onXboarding", rehearsal, status="validated")
        assert store.count_results("on_boarding", "H1") == 0 and store.results() == []
        assert store.hypothesis("on_boarding", "H1").status == "draft"
        assert store.hypothesis("onXboarding", "H1").status == "draft"
        assert list(store.latest_rehearsals("on_boarding")) == [("on_boarding", "H1")]
        assert set(store.latest_rehearsals()) == {("on_boarding", "H1"), ("onXboarding", "H1")}
        store.add_result("on_boarding", real, status="validated")
        assert store.count_results("on_boarding", "H1") == 1
        assert store.latest_results("on_boarding")["on_boarding", "H1"].rehearsal is False
        assert len(store.rehearsals("on_boarding", "H1")) == 1
    finally:
        store.close()


def test_a_rehearsal_does_not_freeze_the_pre_registration(framed):
    disco.measure("H1", data=disco.synth(SPEC, rows=4000, seed=7), metric="invited", group="variant")
    changed = disco.hypothesis("H1", H1, metric="invite_rate", target=0.28, risk="value")
    assert not changed.post_hoc and not disco.experiments().loc["H1"]["post_hoc"]
    disco.measure("H1", observed=0.30, n=3000, baseline=0.18, baseline_n=3000)
    moved = disco.hypothesis("H1", H1, metric="invite_rate", target=0.26, risk="value")
    assert moved.post_hoc
