"""The seeded, vectorised sampler: moments, overrides, dtypes, determinism, chunked writes, effects."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from disco_magics.errors import NotFoundError, ParseError, ValidationFailed
from disco_magics.generate.offline_spec import OFFLINE_NOTE, draft_spec_from_prose
from disco_magics.model.dataset import DISTRIBUTIONS
from disco_magics.parse.spec import parse_spec
from disco_magics.synthetic import (
    BLOCK_ROWS,
    POOL_SIZE,
    families,
    implied_effect,
    iter_chunks,
    planted_arms,
    sample,
    simulate,
    write,
)

ROOT = Path(__file__).resolve().parents[1]

CONTRACT = """\
variant: choice(control=0.5, checklist=0.5)
plan: choice(free=0.7, pro=0.25, team=0.05)
seats: poisson(3)
signup_date: date(2026-01-01, 2026-03-31)
company: fake.company
invited: bernoulli(0.18)
invited[variant=checklist]: bernoulli(0.27)
"""

N = 1_000_000


# ------------------------------------------------------------------------------------ moments


def test_every_distribution_has_a_registered_sampler():
    assert set(families()) == set(DISTRIBUTIONS)


MOMENT_CASES = [
    "bernoulli(0.18)",
    "bernoulli(0.999)",
    "poisson(3)",
    "poisson(0.05)",
    "poisson(37.5)",
    "poisson(400)",  # above the inverse-CDF table: numpy's sampler
    "normal(12, 4)",
    "normal(-3, 0.5)",
    "lognormal(3, 0.8)",
    "lognormal(0, 0.25)",
    "uniform(0, 0.3)",
    "uniform(-10, 30)",
    "integer(1, 50)",
    "integer(-3, 3)",
]


@pytest.mark.parametrize("dist", MOMENT_CASES)
def test_empirical_moments_match_the_distribution(dist):
    spec = parse_spec(f"x: {dist}")
    values = sample(spec, N, seed=11)["x"].to_numpy(dtype=np.float64)
    mean, variance = families()[spec.columns[0].distribution.kind_name].moments(spec.columns[0].distribution)
    sd = math.sqrt(variance)
    assert abs(values.mean() - mean) < 5 * sd / math.sqrt(N) + 1e-12
    # the sample variance's own spread depends on the tails: allow 6% for the lognormal, 1.5% otherwise
    tolerance = 0.06 if dist.startswith("lognormal") else 0.015
    assert values.var(ddof=1) == pytest.approx(variance, rel=tolerance)


def test_integer_and_date_bounds_are_inclusive_and_uniform():
    frame = sample("n: integer(1, 4)\nd: date(2026-01-30, 2026-02-02)", 400_000, seed=3)
    counts = frame["n"].value_counts(normalize=True).sort_index()
    assert list(counts.index) == [1, 2, 3, 4]
    assert np.allclose(counts.to_numpy(), 0.25, atol=0.005)
    days = frame["d"].value_counts(normalize=True).sort_index()
    assert list(days.index.date) == [date(2026, 1, 30), date(2026, 1, 31), date(2026, 2, 1), date(2026, 2, 2)]
    assert np.allclose(days.to_numpy(), 0.25, atol=0.005)
    assert (frame["d"] == frame["d"].dt.normalize()).all()  # midnight


def test_choice_frequencies_and_zero_weights():
    frame = sample("plan: choice(free=0.7, pro=0.25, never=0, team=0.05)", N, seed=5)
    shares = frame["plan"].value_counts(normalize=True)
    assert shares["free"] == pytest.approx(0.7, abs=0.003)
    assert shares["pro"] == pytest.approx(0.25, abs=0.003)
    assert shares["team"] == pytest.approx(0.05, abs=0.002)
    assert shares["never"] == 0
    assert list(frame["plan"].cat.categories) == ["free", "pro", "never", "team"]


def test_degenerate_parameters():
    frame = sample(
        "a: bernoulli(0)\nb: bernoulli(1)\nc: poisson(0)\nd: normal(5, 0)\ne: uniform(2, 2)\nf: integer(7, 7)",
        1000,
        seed=1,
    )
    assert not frame["a"].any() and frame["b"].all()
    assert (
        (frame["c"] == 0).all()
        and (frame["d"] == 5).all()
        and (frame["e"] == 2).all()
        and (frame["f"] == 7).all()
    )


def test_fake_columns_draw_from_a_seeded_pool():
    frame = sample("company: fake.company\nemail: fake.email", 50_000, seed=9)
    assert frame["company"].nunique() <= POOL_SIZE
    assert frame["company"].nunique() > POOL_SIZE * 0.5
    assert frame["email"].str.contains("@").all()
    again = sample("email: fake.email\ncompany: fake.company", 50_000, seed=9)
    assert again["company"].equals(frame["company"])  # pools and streams follow the column, not its position
    assert not sample("company: fake.company", 1000, seed=10)["company"].equals(frame["company"].iloc[:1000])


def test_sequence_numbers_rows_and_continues_across_blocks():
    frame = sample('id: sequence(u)\nplain: sequence("")', BLOCK_ROWS + 5, seed=1)
    assert frame["id"].iloc[0] == "u1"
    assert frame["id"].iloc[-1] == f"u{BLOCK_ROWS + 5}"
    assert frame["id"].is_unique
    assert frame["plain"].iloc[BLOCK_ROWS] == str(BLOCK_ROWS + 1)


# ----------------------------------------------------------------------------------- overrides


def test_override_applies_only_to_matching_rows():
    frame = sample(CONTRACT, 400_000, seed=7)
    rates = frame.groupby("variant", observed=True)["invited"].mean()
    assert rates["control"] == pytest.approx(0.18, abs=0.004)
    assert rates["checklist"] == pytest.approx(0.27, abs=0.004)


def test_multi_condition_overrides_and_later_lines_win():
    spec = parse_spec(
        "v: choice(a=0.5, b=0.5)\n"
        "plan: choice(free=0.5, pro=0.5)\n"
        "spend: normal(10, 1)\n"
        "spend[v=b]: normal(20, 1)\n"
        "spend[v=b, plan=pro]: normal(40, 1)\n"
        "spend[plan=free]: normal(0, 1)\n"
    )
    frame = sample(spec, 200_000, seed=2)
    means = frame.groupby(["v", "plan"], observed=True)["spend"].mean()
    assert means[("a", "pro")] == pytest.approx(10, abs=0.05)
    assert means[("b", "pro")] == pytest.approx(40, abs=0.05)
    assert means[("a", "free")] == pytest.approx(0, abs=0.05)
    assert means[("b", "free")] == pytest.approx(0, abs=0.05)  # the later plan=free line wins over v=b


def test_conditions_on_bool_int_date_and_text_columns():
    spec = parse_spec(
        "active: bernoulli(0.5)\n"
        "seats: integer(1, 2)\n"
        "day: date(2026-01-01, 2026-01-02)\n"
        "id: sequence(u)\n"
        "x: poisson(1)\n"
        "x[active=true]: poisson(10)\n"
        "x[seats=2]: poisson(100)\n"
        "x[day=2026-01-02]: poisson(1000)\n"
        "x[id=u3]: integer(-1, -1)\n"
    )
    frame = sample(spec, 100_000, seed=4)
    assert frame.loc[
        ~frame.active & (frame.seats == 1) & (frame.day == "2026-01-01"), "x"
    ].mean() == pytest.approx(1, abs=0.1)
    assert frame.loc[
        frame.active & (frame.seats == 1) & (frame.day == "2026-01-01"), "x"
    ].mean() == pytest.approx(10, abs=0.3)
    assert frame.loc[(frame.seats == 2) & (frame.day == "2026-01-01"), "x"].mean() == pytest.approx(
        100, rel=0.02
    )
    assert frame.loc[frame.day == "2026-01-02"].drop(index=2, errors="ignore")["x"].mean() == pytest.approx(
        1000, rel=0.01
    )
    assert frame.loc[2, "x"] == -1


def test_overrides_can_add_categories_and_text():
    frame = sample(
        "v: choice(a=0.5, b=0.5)\nplan: choice(free=1)\nplan[v=b]: choice(enterprise=1)\n"
        "who: sequence(u)\nwho[v=b]: fake.company",
        20_000,
        seed=1,
    )
    assert list(frame["plan"].cat.categories) == ["free", "enterprise"]
    assert (frame.loc[frame.v == "a", "plan"] == "free").all()
    assert (frame.loc[frame.v == "b", "plan"] == "enterprise").all()
    assert frame.loc[frame.v == "a", "who"].str.startswith("u").all()
    assert not frame.loc[frame.v == "b", "who"].str.match(r"u\d+$").any()


# -------------------------------------------------------------------------------------- dtypes


def test_dtypes():
    frame = sample(
        CONTRACT
        + "minutes: normal(12, 4)\nrevenue: lognormal(3, 0.8)\nd: uniform(0, 1)\nk: integer(1, 9)\nid: sequence(u)",
        1000,
        seed=1,
    )
    assert {name: str(dtype) for name, dtype in frame.dtypes.items()} == {
        "variant": "category",
        "plan": "category",
        "seats": "int64",
        "signup_date": "datetime64[ns]",
        "company": "str",
        "invited": "bool",
        "minutes": "float64",
        "revenue": "float64",
        "d": "float64",
        "k": "int64",
        "id": "str",
    }
    assert list(frame["variant"].cat.categories) == ["control", "checklist"]
    assert isinstance(frame.index, pd.RangeIndex)


def test_zero_rows_keeps_columns_and_dtypes():
    frame = sample(CONTRACT, 0, seed=1)
    assert len(frame) == 0
    assert list(frame.columns) == parse_spec(CONTRACT).column_names
    assert str(frame["invited"].dtype) == "bool"


@pytest.mark.parametrize(("rows", "seed"), [(-1, 1), (1.5, 1), (10, -1), (10, "7"), (True, 1)])
def test_bad_rows_or_seed(rows, seed):
    with pytest.raises(ValidationFailed):
        sample("x: poisson(1)", rows, seed=seed)


def test_spec_text_errors_surface_as_parse_errors():
    with pytest.raises(ParseError, match="line 1: poisson"):
        sample("x: poisson(", 10)


# -------------------------------------------------------------------------------- determinism


def test_same_seed_same_frame_other_seed_other_frame():
    first = sample(CONTRACT, 50_000, seed=7)
    assert first.equals(sample(CONTRACT, 50_000, seed=7))
    other = sample(CONTRACT, 50_000, seed=8)
    for column in first.columns:
        assert not first[column].equals(other[column]), column


def test_no_seed_draws_fresh_data_and_reports_the_seed():
    first, second = sample(CONTRACT, 5_000), sample(CONTRACT, 5_000)
    assert first.attrs["seed"] != second.attrs["seed"]
    assert not first.equals(second)
    assert sample(CONTRACT, 5_000, seed=first.attrs["seed"]).equals(first)


def _digest(frame: pd.DataFrame) -> str:
    return str(int(pd.util.hash_pandas_object(frame, index=True).sum()))


def test_identical_in_another_process():
    code = (
        "import json, sys, pandas as pd\n"
        "from disco_magics.synthetic import sample\n"
        "frame = sample(sys.stdin.read(), 30_000, seed=7)\n"
        "print(json.dumps([str(int(pd.util.hash_pandas_object(frame, index=True).sum())), frame.head(3).astype(str).values.tolist()]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # a different str-hash salt than this process
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=CONTRACT,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    digest, head = json.loads(out.stdout.strip().splitlines()[-1])
    here = sample(CONTRACT, 30_000, seed=7)
    assert head == here.head(3).astype(str).values.tolist()
    assert digest == _digest(here)


def test_columns_keep_their_values_when_others_change():
    base = sample(CONTRACT, 20_000, seed=3)
    grown = sample("extra: normal(0, 1)\n" + CONTRACT + "more: poisson(2)", 20_000, seed=3)
    assert base.equals(grown[base.columns])
    # editing one parameter re-uses the same uniforms: only the rows between the two thresholds change
    nudged = sample(CONTRACT.replace("bernoulli(0.18)", "bernoulli(0.19)"), 20_000, seed=3)
    changed = (nudged["invited"] != base["invited"]).mean()
    assert 0 < changed < 0.02
    assert (nudged["invited"] >= base["invited"]).all()


# ------------------------------------------------------------------------------- chunked write


ROWS = 2 * BLOCK_ROWS + 1234


def _read_csv(path: Path, like: pd.DataFrame) -> pd.DataFrame:
    frame = pd.read_csv(path)
    for name, dtype in like.dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            frame[name] = pd.Categorical(frame[name].astype(str), dtype=dtype)
        elif str(dtype).startswith("datetime64"):
            frame[name] = pd.to_datetime(frame[name]).astype(dtype)
        else:
            frame[name] = frame[name].astype(dtype)
    return frame


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".csv.gz"])
def test_chunked_write_equals_in_memory(tmp_path, suffix):
    spec = parse_spec(CONTRACT + "revenue: lognormal(3, 0.8)\nid: sequence(u)")
    expected = sample(spec, ROWS, seed=42)
    small = write(spec, ROWS, tmp_path / f"small{suffix}", seed=42, chunk_rows=1)  # rounds up to one block
    large = write(spec, ROWS, tmp_path / f"large{suffix}", seed=42, chunk_rows=10 * BLOCK_ROWS)
    assert (small.chunks, large.chunks) == (3, 1)
    assert small.rows == ROWS and small.seed == 42 and small.bytes > 0
    for result in (small, large):
        if suffix == ".parquet":
            got = pd.read_parquet(result.path)
            assert pq.ParquetFile(result.path).metadata.num_row_groups == result.chunks
        else:
            got = _read_csv(result.path, expected)
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert not list(tmp_path.glob(".*.partial"))


def test_iter_chunks_concatenate_to_sample():
    chunks = list(iter_chunks(CONTRACT, ROWS, seed=5, chunk_rows=BLOCK_ROWS))
    assert [len(c) for c in chunks] == [BLOCK_ROWS, BLOCK_ROWS, 1234]
    pd.testing.assert_frame_equal(
        pd.concat(chunks, ignore_index=True), sample(CONTRACT, ROWS, seed=5), check_exact=True
    )


def test_write_reports_a_drawn_seed_that_reproduces(tmp_path):
    result = write(CONTRACT, 1000, tmp_path / "out" / "t.parquet")
    pd.testing.assert_frame_equal(
        pd.read_parquet(result.path), sample(CONTRACT, 1000, seed=result.seed), check_exact=True
    )
    assert "wrote 1,000 rows" in str(result)


def test_write_rejects_unknown_formats(tmp_path):
    with pytest.raises(ValidationFailed, match=r"use a name ending in \.parquet, \.csv or \.csv\.gz"):
        write(CONTRACT, 10, tmp_path / "t.xlsx", seed=1)


def test_failed_write_leaves_no_file(tmp_path, monkeypatch):
    import disco_magics.synthetic._output as output

    def broken(*args, **kwargs):
        yield sample(CONTRACT, 10, seed=1)
        raise RuntimeError("disk full")

    monkeypatch.setattr(output, "iter_chunks", broken)
    with pytest.raises(RuntimeError):
        write(CONTRACT, 10, tmp_path / "t.parquet", seed=1)
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------- planted effect, power


def test_implied_effect_of_the_contract():
    effect = implied_effect(CONTRACT, 20_000, target=0.30)
    assert (effect.metric, effect.group, effect.control, effect.treatment) == (
        "invited",
        "variant",
        "control",
        "checklist",
    )
    assert (effect.control_mean, effect.treatment_mean) == (0.18, 0.27)
    assert effect.kind == "proportion" and effect.exact
    assert effect.control_rows == effect.treatment_rows == 10_000
    # unpooled normal formula: (1.96 + 0.8416)^2 (0.18*0.82 + 0.27*0.73) / 0.09^2 = 334.0
    assert effect.required_per_arm == 335
    assert effect.detectable and effect.power > 0.999
    assert effect.summary.startswith(
        "planted effect: invited 0.18 -> 0.27 (variant=checklist vs control), +50%; "
        "with 10,000 rows per arm %measure would detect it"
    )
    assert "falls short of the target 0.3" in effect.summary


def test_implied_effect_too_few_rows_says_how_many():
    effect = implied_effect(CONTRACT, 400)
    assert not effect.detectable
    assert effect.rows_needed == 670
    assert "would likely miss it" in effect.summary and "--rows 670" in effect.summary


def test_implied_effect_of_means_and_estimated_mixtures():
    spec = "arm: choice(control=0.8, new=0.2)\nplan: choice(a=0.5, b=0.5)\nminutes: normal(10, 5)\nminutes[arm=new]: normal(11, 5)\n"
    exact = implied_effect(spec, 10_000)
    assert exact.kind == "mean" and exact.exact
    assert (exact.control_rows, exact.treatment_rows) == (8000, 2000)
    assert exact.required_per_arm == math.ceil((1.959964 + 0.841621) ** 2 * 50)
    mixed = implied_effect(spec + "minutes[arm=new, plan=b]: normal(13, 5)", 10_000)
    assert not mixed.exact
    assert mixed.treatment_mean == pytest.approx(12, abs=0.1)
    assert "estimated from sampled rows" in mixed.summary
    # estimated arms keep the case of category values, and read yes/no groups as true/false
    cased = implied_effect(
        "arm: choice(Control=0.5, New=0.5)\nx: poisson(1)\nx[arm=New]: poisson(2)",
        100,
    )
    assert (cased.control, cased.treatment, cased.treatment_mean) == ("Control", "New", 2)
    flag = implied_effect(
        "on: bernoulli(0.3)\np: choice(a=1)\nx: bernoulli(0.1)\nx[on=true, p=a]: bernoulli(0.3)", 1000
    )
    assert (flag.control, flag.treatment, flag.exact) == ("false", "true", False)
    assert flag.treatment_mean == pytest.approx(0.3, abs=0.01)
    assert flag.treatment_rows == pytest.approx(300, rel=0.02)


def test_planted_arms_inference_and_errors():
    assert planted_arms("on: bernoulli(0.5)\nx: poisson(2)\nx[on=true]: poisson(3)") == planted_arms(
        "on: bernoulli(0.5)\nx: poisson(2)\nx[on=true]: poisson(3)", "x", "on", "false", "true"
    )
    with pytest.raises(ValidationFailed, match="plants no effect"):
        planted_arms("x: poisson(1)")
    with pytest.raises(NotFoundError, match="no column 'nope' for the metric"):
        planted_arms(CONTRACT, metric="nope")
    with pytest.raises(ValidationFailed, match="must be a yes/no or numeric column"):
        planted_arms(CONTRACT, metric="plan")
    with pytest.raises(NotFoundError, match="'treatment' is not a value of variant"):
        planted_arms(CONTRACT, treatment="treatment")
    with pytest.raises(ValidationFailed, match="both 'control'"):
        planted_arms(CONTRACT, control="control", treatment="control")
    assert "no planted effect" in implied_effect(CONTRACT.replace("0.27", "0.18"), 1000).summary


def test_simulate_false_positive_rate_and_power():
    result = simulate(CONTRACT, rows=1_000, runs=600, seed=1)
    assert (result.metric, result.group, result.control, result.treatment) == (
        "invited",
        "variant",
        "control",
        "checklist",
    )
    # 600 runs: the standard error of a 5% rate is 0.9 points
    assert 0.025 <= result.false_positive_rate <= 0.08
    # 500 per arm: 0.09 / sqrt(0.18*0.82/500 + 0.27*0.73/500) = 3.43 standard errors -> power 0.929
    assert result.expected_power == pytest.approx(0.929, abs=0.002)
    assert abs(result.power - result.expected_power) < 0.05
    assert "false-positive rate" in result.summary
    assert simulate(CONTRACT, rows=1_000, runs=50, seed=1) == simulate(CONTRACT, rows=1_000, runs=50, seed=1)


def test_simulate_checks_its_arguments():
    with pytest.raises(ValidationFailed, match="runs must be"):
        simulate(CONTRACT, rows=100, runs=0)
    with pytest.raises(ValidationFailed, match="at least 4 rows"):
        simulate(CONTRACT, rows=2, runs=5)


# ------------------------------------------------------------------------------ offline drafter


def test_offline_drafter_reads_the_contract_story():
    spec = draft_spec_from_prose(
        "20,000 trials in Q1 2026. Half of the trial admins see the new checklist. "
        "Plans: free 70%, pro 25%, team 5%. Seats average 3 per company. Each has a company name. "
        "About 18% invite a teammate, 27% with the checklist."
    )
    assert spec.notes[0] == OFFLINE_NOTE
    assert "no LLM" in spec.notes[0]
    assert any("--rows 20000" in note for note in spec.notes)
    text = spec.to_text()
    for line in [
        "variant: choice(control=0.5, checklist=0.5)",
        "date: date(2026-01-01, 2026-03-31)",
        "plan: choice(free=0.7, pro=0.25, team=0.05)",
        "seats: poisson(3)",
        "company: fake.company",
        "invite_teammate: bernoulli(0.18)",
        "invite_teammate[variant=checklist]: bernoulli(0.27)",
    ]:
        assert line in text
    assert "name:" not in text  # "company name" is the company, not a person's name
    assert parse_spec(text).to_text() == text  # printed back, it pastes into the cell as a spec
    effect = implied_effect(spec, 20_000)
    assert (effect.control_mean, effect.treatment_mean) == (0.18, 0.27)


@pytest.mark.parametrize(
    ("prose", "lines"),
    [
        (
            "Users with an email, city and a signup between 2026-01-01 and 2026-02-28; 30% churned; "
            "whether they converted; revenue averages $40; sessions between 1 and 20.",
            [
                "email: fake.email",
                "city: fake.city",
                "signup_date: date(2026-01-01, 2026-02-28)",
                "churned: bernoulli(0.3)",
                "converted: bernoulli(0.5)",
                "revenue: lognormal(",
                "sessions: integer(1, 20)",
            ],
        ),
        (
            "A/B test: control vs discount. Conversion 6%, 8% for discount. One row per visitor.",
            [
                "variant: choice(control=0.5, discount=0.5)",
                "visitor_id: sequence(v)",
                "conversion: bernoulli(0.06)",
                "conversion[variant=discount]: bernoulli(0.08)",
            ],
        ),
        (
            "Trial signups from January to March 2026, 70% free and 30% pro plans, about 2.5 projects per account",
            [
                "signup_date: date(2026-01-01, 2026-03-31)",
                "plan: choice(free=0.7, pro=0.3)",
                "projects: poisson(2.5)",
            ],
        ),
        (
            "columns: user_id, plan, revenue, signup_date, is_active, sessions",
            [
                "user_id: sequence(u)",
                "plan: choice(free, pro, team)",
                "revenue: lognormal(3, 0.8)",
                "signup_date: date(2026-01-01, 2026-03-31)",
                "is_active: bernoulli(0.5)",
                "sessions: poisson(3)",
            ],
        ),
        (
            "We expect 5k users; 40% activate within a week and the video variant lifts that to 48%. "
            "Variants: control, video. Times between 1.5 and 9.5 minutes",
            [
                "variant: choice(control=0.5, video=0.5)",
                "activate: bernoulli(0.4)",
                "activate[variant=video]: bernoulli(0.48)",
                "minutes: uniform(1.5, 9.5)",
            ],
        ),
    ],
)
def test_offline_drafter_examples(prose, lines):
    spec = draft_spec_from_prose(prose)
    text = spec.to_text()
    for line in lines:
        assert line in text, f"{line!r} not in\n{text}"
    assert parse_spec(text).to_text() == text
    assert len(sample(spec, 100, seed=1)) == 100


def test_offline_drafter_gives_up_with_advice():
    with pytest.raises(ParseError, match="could not find any column"):
        draft_spec_from_prose("hello world")


@pytest.mark.slow
def test_benchmark_script_runs_in_smoke_mode():
    """The benchmark is not a timed test; this only proves the script and its run() API work."""
    import importlib.util

    loaded = importlib.util.spec_from_file_location("bench_synth", ROOT / "benchmarks" / "bench_synth.py")
    bench = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(bench)
    figures = bench.run(smoke=True)
    for key in (
        "ours_rows_per_s",
        "mimesis_rows_per_s",
        "faker_rows_per_s",
        "vs_mimesis",
        "vs_faker",
        "parquet_peak_mb",
    ):
        assert figures[key] > 0, key
    assert set(figures["meets"]) == {"rows_per_s", "vs_mimesis", "vs_faker", "parquet_peak_mb"}
    assert "rows/s" in bench._table(figures)
