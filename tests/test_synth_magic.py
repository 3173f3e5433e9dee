"""%%synth and %simulate in a real shell."""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.core.error import UsageError

from disco_magics.session import get_session
from disco_magics.synthetic import provenance_of

from .conftest import H1

SPEC = """variant: choice(control=0.5, checklist=0.5)
plan: choice(free=0.7, pro=0.25, team=0.05)
seats: poisson(3)
signup_date: date(2026-01-01, 2026-03-31)
company: fake.company
invited: bernoulli(0.18)
invited[variant=checklist]: bernoulli(0.27)
"""


@pytest.fixture
def framed(onboarding):
    onboarding.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.25 --risk value", H1)
    return onboarding


def test_synth_binds_a_seeded_dataframe(framed):
    framed.run_cell_magic("synth", "trials --rows 5000 --seed 7", SPEC)
    first = framed.user_ns["trials"]
    framed.run_cell_magic("synth", "again --rows 5000 --seed 7", SPEC)
    pd.testing.assert_frame_equal(first, framed.user_ns["again"])
    framed.run_cell_magic("synth", "other --rows 5000 --seed 8", SPEC)
    assert not first.equals(framed.user_ns["other"])
    assert len(first) == 5000 and list(first.columns)[:2] == ["variant", "plan"]


def test_synth_for_links_and_says_what_the_data_implies(framed, capsys):
    framed.run_cell_magic("synth", "trials --rows 20000 --seed 7 --for H1", SPEC)
    out = capsys.readouterr().out
    assert "for H1: planted effect: invited 0.18 -> 0.27" in out
    linked = get_session().store.artifacts("dataset", "onboarding/H1")
    assert linked[-1]["seed"] == 7 and linked[-1]["rows"] == 20000
    framed.run_line_magic("simulate", "H1 --rows 2000 --runs 60 --seed 1")
    out = capsys.readouterr().out
    assert "false-positive rate" in out and "power" in out


def test_synth_out_streams_to_a_file(framed, tmp_path, capsys):
    framed.run_cell_magic("synth", f"big --rows 3000 --seed 1 --out {tmp_path}/big.parquet", SPEC)
    assert "big" not in framed.user_ns
    back = pd.read_parquet(tmp_path / "big.parquet")
    assert len(back) == 3000
    assert provenance_of(back).name == "big" and "note:" not in capsys.readouterr().out


def test_synth_out_csv_says_the_file_loses_the_synthetic_mark(framed, tmp_path, capsys):
    framed.run_cell_magic("synth", f"flat --rows 300 --seed 1 --out {tmp_path}/flat.csv", SPEC)
    out = capsys.readouterr().out
    assert "note: a CSV cannot carry the mark that this data is synthetic" in out and "--rehearsal" in out


def test_synth_frame_in_the_namespace_carries_its_name_and_seed(framed):
    framed.run_cell_magic("synth", "trials --rows 500 --seed 7 --for H1", SPEC)
    found = provenance_of(framed.user_ns["trials"])
    assert (found.name, found.seed, found.rows) == ("trials", 7, 500)
    assert found.planted == ["invited[variant=checklist]: bernoulli(0.27)"]


def test_prose_is_drafted_into_a_spec_and_printed_back(framed, capsys):
    framed.run_cell_magic(
        "synth", "t --rows 300 --seed 2", "Each trial has a plan (free, pro or team) and about 18% invited a teammate."
    )
    out = capsys.readouterr().out
    assert "no LLM wrote it" in out
    assert len(framed.user_ns["t"]) == 300


@pytest.mark.parametrize(
    ("line", "cell", "message"),
    [
        ("", SPEC, "%%synth needs a NAME"),
        ("t --rows abc", SPEC, "--rows must be a whole number"),
        ("t --rows 0", SPEC, "--rows must be between 1"),
        ("t --seed -1", SPEC, "--seed must be between 0"),
        ("t", "x: poisson(\n", "line 1: poisson( needs a closing parenthesis"),
        ("t", "x: notadist(1)\n", "line 1: unknown distribution 'notadist'"),
        ("t --for H9", SPEC, "unknown hypothesis 'H9'"),
        ("t --out data.xlsx", SPEC, "xlsx"),
    ],
)
def test_bad_synth_input(framed, line, cell, message):
    with pytest.raises(UsageError) as err:
        framed.run_cell_magic("synth", line, cell)
    assert type(err.value) is UsageError
    assert message in str(err.value), str(err.value)
    assert "\n" not in str(err.value)


def test_simulate_without_a_linked_dataset(framed):
    with pytest.raises(UsageError, match="H1 has no synthetic dataset yet"):
        framed.run_line_magic("simulate", "H1")
