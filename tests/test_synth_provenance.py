"""Provenance of synthetic data: stamped by the sampler, kept by the usual pandas steps and by Parquet files."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from disco_magics.model import PROVENANCE_KEY, Provenance
from disco_magics.synthetic import (
    BLOCK_ROWS,
    CSV_NOTE,
    file_provenance,
    is_synthetic_parquet,
    iter_chunks,
    provenance_of,
    sample,
    write,
)

SPEC = """\
variant: choice(control=0.5, checklist=0.5)
seats: poisson(3)
invited: bernoulli(0.18)
invited[variant=checklist]: bernoulli(0.27)
"""
PLANTED = ["invited[variant=checklist]: bernoulli(0.27)"]


@pytest.fixture(scope="module")
def trials() -> pd.DataFrame:
    return sample(SPEC, 2_000, seed=7, name="trials")


def test_a_sampled_frame_carries_its_spec_name_seed_rows_and_planted_effect(trials):
    found = provenance_of(trials)
    assert found is not None
    assert (found.name, found.seed, found.rows, found.planted) == ("trials", 7, 2_000, PLANTED)
    assert found.made_at.tzinfo is not None
    assert "planted invited[variant=checklist]: bernoulli(0.27)" in found.describe()
    # JSON-able, so pandas can write it into Parquet
    json.dumps(trials.attrs)


def test_a_spec_without_overrides_plants_nothing():
    found = provenance_of(sample("x: normal(0, 1)", 10, seed=1))
    assert found.planted == [] and "no effect planted" in found.describe()


STEPS = {
    "column selection": lambda df: df[["variant", "invited"]],
    "boolean filter": lambda df: df[df["seats"] > 1],
    "copy": lambda df: df.copy(),
    "head": lambda df: df.head(500),
    "query": lambda df: df.query("seats >= 1"),
    "loc": lambda df: df.loc[df["seats"] < 6, ["variant", "invited"]],
    "assign": lambda df: df.assign(invited_int=df["invited"].astype(int)),
    "dropna": lambda df: df.dropna(),
    "reset_index": lambda df: df.reset_index(drop=True),
    "sample": lambda df: df.sample(frac=0.5, random_state=1),
    "rename": lambda df: df.rename(columns={"invited": "did_invite"}),
    "chained": lambda df: df[df["seats"] > 0].copy()[["variant", "invited"]].head(300),
    "one column (Series)": lambda df: df["invited"],
}


@pytest.mark.parametrize("step", STEPS)
def test_the_usual_pandas_steps_keep_the_provenance(trials, step):
    derived = STEPS[step](trials)
    assert provenance_of(derived) == provenance_of(trials)


def test_a_frame_the_tool_did_not_make_has_no_provenance(trials):
    real = pd.DataFrame({"variant": ["control", "checklist"] * 50, "invited": [0, 1] * 50})
    assert provenance_of(real) is None
    # the same values, rebuilt by hand: pandas gives a new frame empty attrs
    assert provenance_of(pd.DataFrame(trials.to_dict(orient="list"))) is None


def test_any_mark_found_wins_even_when_unreadable():
    frame = pd.DataFrame({"x": [1, 2]})
    frame.attrs[PROVENANCE_KEY] = {"seed": "not a number"}
    found = provenance_of(frame)
    assert found is not None and found.seed is None
    assert "unreadable" in found.describe()
    # the first object with a mark is enough: a column can vouch for the frame
    assert provenance_of(pd.DataFrame({"x": [1]}), frame["x"]) is not None


def test_concat_and_merge_keep_the_mark_only_when_every_input_has_it(trials):
    """pandas propagates attrs of concat/merge only when all inputs agree; this is what we rely on."""
    halves = pd.concat([trials.iloc[:1000], trials.iloc[1000:]])
    assert provenance_of(halves) == provenance_of(trials)
    real = pd.DataFrame({"variant": ["control"] * 10, "seats": [1] * 10, "invited": [True] * 10})
    mixed = pd.concat([trials, real])
    # pandas drops disagreeing attrs: nothing left to see, so the mixed frame is not recognised —
    # the user names it with %measure --rehearsal (documented in synthetic/_provenance.py)
    assert provenance_of(mixed) is None
    users = pd.DataFrame({"seats": range(10), "segment": ["smb"] * 10})
    assert provenance_of(trials.merge(users, on="seats", how="left")) is None
    # two different synthetic frames disagree too (seed, made_at): the result is unmarked
    other = sample(SPEC, 100, seed=8, name="trials")
    assert provenance_of(pd.concat([trials, other])) is None


# ---------------------------------------------------------------------------------------------- files


def test_a_parquet_file_written_in_chunks_carries_the_provenance(tmp_path):
    path = tmp_path / "trials.parquet"
    rows = 2 * BLOCK_ROWS + 5
    written = write(SPEC, rows, path, seed=7, chunk_rows=BLOCK_ROWS, name="trials")
    assert written.chunks == 3 and written.carries_provenance and written.note is None
    found = file_provenance(path)
    assert found == written.provenance
    assert (found.name, found.seed, found.rows, found.planted) == ("trials", 7, rows, PLANTED)
    assert is_synthetic_parquet(path) and is_synthetic_parquet(str(path))
    # pandas restores attrs from the file, so a frame read back is a rehearsal like the original
    back = pd.read_parquet(path)
    assert provenance_of(back) == found
    assert provenance_of(back[back["seats"] > 2][["variant", "invited"]]) == found
    # the rows are still exactly the in-memory sample
    pd.testing.assert_frame_equal(back, sample(SPEC, rows, seed=7), check_dtype=False)
    # readers without pandas find it in the schema metadata under the same key
    metadata = pq.read_schema(path).metadata
    assert Provenance.model_validate_json(metadata[PROVENANCE_KEY.encode()]) == found


def test_a_frame_saved_with_to_parquet_keeps_the_provenance(tmp_path, trials):
    path = tmp_path / "filtered.parquet"
    trials[trials["seats"] > 1].to_parquet(path)
    assert file_provenance(path) == provenance_of(trials)
    assert provenance_of(pd.read_parquet(path)) == provenance_of(trials)


def test_directories_and_globs_of_parquet_files_are_judged_by_their_files(tmp_path):
    folder = tmp_path / "lake"
    folder.mkdir()
    pd.DataFrame({"x": [1]}).to_parquet(folder / "a_real.parquet")
    assert not is_synthetic_parquet(folder)
    write(SPEC, 100, folder / "b_synth.parquet", seed=3)
    assert is_synthetic_parquet(folder)
    assert is_synthetic_parquet(str(folder / "*.parquet"))
    assert not is_synthetic_parquet(str(folder / "a_*.parquet"))


def test_a_csv_cannot_carry_it_and_says_so(tmp_path):
    written = write(SPEC, 100, tmp_path / "trials.csv", seed=7, name="trials")
    assert written.provenance is not None and not written.carries_provenance
    assert written.note == CSV_NOTE and "--rehearsal" in written.note
    assert file_provenance(tmp_path / "trials.csv") is None
    assert provenance_of(pd.read_csv(tmp_path / "trials.csv")) is None


def test_a_missing_or_foreign_file_is_not_synthetic(tmp_path):
    assert file_provenance(tmp_path / "nope.parquet") is None
    (tmp_path / "junk.parquet").write_bytes(b"not parquet")
    assert not is_synthetic_parquet(tmp_path / "junk.parquet")


def test_every_chunk_carries_the_provenance_of_the_whole_dataset():
    rows = BLOCK_ROWS + 10
    chunks = list(iter_chunks(SPEC, rows, seed=5, chunk_rows=BLOCK_ROWS, name="big"))
    assert len(chunks) == 2
    assert {provenance_of(c).rows for c in chunks} == {rows}
    assert {provenance_of(c).name for c in chunks} == {"big"}
