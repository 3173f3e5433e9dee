"""%measure --sql and disco.measure(sql=...) in a real shell: the same result as --data on the same rows,
from a %%synth Parquet file, a notebook frame and the real PostgreSQL; bad input is one line, nothing stored."""

from __future__ import annotations

import os
import socket
import uuid

import pandas as pd
import pytest
from IPython.core.error import UsageError

from disco_magics.session import get_session

from .conftest import H1, ONBOARDING

POSTGRES_URL = os.environ.get("DISCO_TEST_POSTGRES_URL")
SPEC = """\
variant: choice(control=0.5, checklist=0.5)
plan: choice(free=0.7, pro=0.25, team=0.05)
seats: poisson(3)
minutes: normal(12, 3)
signup_date: date(2026-01-01, 2026-03-31)
invited: bernoulli(0.18)
invited[variant=checklist]: bernoulli(0.27)
"""
COMPARED = ("lift", "relative_lift", "ci_low", "ci_high", "p_value", "chance_to_beat", "verdict", "reason")


@pytest.fixture
def rehearsed(onboarding):
    """H1, and 20,000 rows written by %%synth --out trials.parquet (nothing bound in the namespace)."""
    onboarding.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.25 --risk value", H1)
    onboarding.run_cell_magic("synth", "trials --rows 20000 --seed 7 --out trials.parquet", SPEC)
    return onboarding


def first_look(**kwargs):
    """The same measurement as a first look on a store of its own (a later look reads differently)."""
    import disco_magics as disco
    from disco_magics.session import Session, Settings

    other = Session(settings=Settings(store=f"other-{uuid.uuid4().hex[:8]}.db"))
    try:
        disco.problem("onboarding", ONBOARDING, session=other)
        disco.hypothesis("H1", H1, metric="invite_rate", target=0.25, risk="value", session=other)
        return disco.measure("H1", session=other, **kwargs)
    finally:
        other.close()


@pytest.fixture
def measured(rehearsed):
    """Every result the kernel's session announces, in order: what the card shows, however it is stored."""
    seen = []
    unsubscribe = get_session().subscribe(lambda kind, obj: seen.append(obj) if kind == "result" else None)
    yield seen
    unsubscribe()


def stored():
    return get_session().store.results("onboarding", "H1")


def same_result(a, b):
    assert (a.control.n, a.treatment.n, a.control.name, a.treatment.name) == (
        b.control.n,
        b.treatment.n,
        b.control.name,
        b.treatment.name,
    )
    for field in COMPARED:
        x, y = getattr(a, field), getattr(b, field)
        assert x == (pytest.approx(y, rel=1e-9, abs=1e-12) if isinstance(y, float) else y), field


def test_synth_parquet_then_sql_equals_data(rehearsed, measured, capsys):
    """The README's path: a rehearsal file, measured by SQL, reads exactly as the DataFrame of its rows."""

    rehearsed.run_line_magic(
        "measure",
        "H1 --sql \"SELECT * FROM 'trials.parquet'\" --metric invited --group variant --control control",
    )
    by_sql = measured[-1]
    assert by_sql.source == "sql"
    assert "H1" in capsys.readouterr().out
    by_data = first_look(
        data=pd.read_parquet("trials.parquet"), metric="invited", group="variant", control="control"
    )
    same_result(by_sql, by_data)


def test_sql_over_a_synth_file_is_a_rehearsal_and_over_real_rows_is_evidence(rehearsed, measured):
    """The %%synth mark is read from the Parquet footer: a rehearsal changes no status; the same rows
    written without the mark (an export from elsewhere) count."""
    import pyarrow.parquet as pq

    line = "H1 --sql \"SELECT * FROM '{}'\" --metric invited --group variant --control control"
    rehearsed.run_line_magic("measure", line.format("trials.parquet"))
    assert measured[-1].rehearsal is True
    assert get_session().store.hypothesis("onboarding", "H1").status == "draft"
    table = pq.read_table("trials.parquet")
    pq.write_table(table.replace_schema_metadata(None), "export.parquet")  # the same rows, no mark
    assert pq.read_schema("export.parquet").metadata is None
    rehearsed.run_line_magic("measure", line.format("export.parquet"))
    assert measured[-1].rehearsal is False
    assert get_session().store.hypothesis("onboarding", "H1").status == measured[-1].verdict


def test_duckdb_reads_the_synth_file_as_is(rehearsed):
    """%%synth --out Parquet keeps its types for DuckDB: no casts needed in the user's query."""
    import duckdb

    described = duckdb.sql("DESCRIBE SELECT * FROM 'trials.parquet'").fetchall()
    types = {name: kind for name, kind, *_ in described}
    assert types["variant"] == types["plan"] == "VARCHAR"
    assert types["seats"] == "BIGINT" and types["minutes"] == "DOUBLE" and types["invited"] == "BOOLEAN"
    assert types["signup_date"].startswith("TIMESTAMP")
    frame = pd.read_parquet("trials.parquet")
    counts = duckdb.sql("SELECT variant, count(*) FROM 'trials.parquet' GROUP BY variant").fetchall()
    assert dict(counts) == frame.variant.value_counts().to_dict()


def test_query_in_a_variable_and_a_mean_metric(rehearsed, measured):

    rehearsed.user_ns["query"] = (
        "SELECT variant, minutes FROM read_parquet('trials.parquet') WHERE plan <> 'team'"
    )
    rehearsed.run_line_magic("measure", "H1 --sql query --metric minutes --group variant --control control")
    frame = pd.read_parquet("trials.parquet")
    by_data = first_look(
        data=frame[frame.plan != "team"], metric="minutes", group="variant", control="control"
    )
    same_result(measured[-1], by_data)
    assert measured[-1].control.kind == "mean"


def test_cuped_from_sql_equals_cuped_from_data(rehearsed, measured):
    """--covariate with --sql: the covariate's sums come from the database, the adjusted result is the same."""
    frame = pd.read_parquet("trials.parquet")
    rehearsed.user_ns["trials"] = frame
    rehearsed.run_line_magic(
        "measure",
        'H1 --sql "SELECT * FROM trials" --metric minutes --group variant --control control --covariate seats',
    )
    by_sql = measured[-1]
    assert by_sql.covariate == "seats"
    same_result(
        by_sql,
        first_look(data=frame, metric="minutes", group="variant", control="control", covariate="seats"),
    )


def test_a_notebook_frame_by_name_through_duckdb(rehearsed, measured):
    trials = pd.read_parquet("trials.parquet")
    rehearsed.user_ns["trials"] = trials
    rehearsed.run_line_magic(
        "measure", 'H1 --sql "SELECT * FROM trials WHERE seats > 1" --metric invited --group variant'
    )
    same_result(measured[-1], first_look(data=trials[trials.seats > 1], metric="invited", group="variant"))


def test_python_api_finds_the_callers_frames(onboarding):
    """disco.measure(sql=...) from plain Python sees the caller's DataFrames, as DuckDB's own API does."""
    import disco_magics as disco

    onboarding.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.25 --risk value", H1)
    local_rows = pd.DataFrame({"arm": ["control", "new"] * 500, "did": [0, 1, 0, 0] * 250})
    by_sql = disco.measure("H1", sql="SELECT * FROM local_rows", metric="did", group="arm", control="control")
    same_result(by_sql, first_look(data=local_rows, metric="did", group="arm", control="control"))


@pytest.mark.skipif(not POSTGRES_URL, reason="DISCO_TEST_POSTGRES_URL is not set")
def test_postgres_connection_from_a_variable(rehearsed, measured):
    """--connection NAME keeps the URL (and any password) out of the notebook's source."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"disco_measure_{uuid.uuid4().hex[:12]}"
    base = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = base.set(database=name)
        engine = create_engine(url)
        frame = pd.read_parquet("trials.parquet")
        frame.assign(variant=frame.variant.astype(str)).to_sql("trials", engine, index=False)
        engine.dispose()
        rehearsed.user_ns["warehouse"] = url.render_as_string(hide_password=False)
        rehearsed.run_line_magic(
            "measure",
            "H1 --sql 'SELECT variant, invited FROM trials' --connection warehouse --metric invited "
            "--group variant --control control",
        )
        by_data = first_look(data=frame, metric="invited", group="variant", control="control")
        same_result(measured[-1], by_data)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


BAD = [
    (
        'H1 --sql "SELECT * FROM nowhere" --metric invited --group variant',
        "the query failed on the embedded DuckDB",
    ),
    ("H1 --sql \"SELECT * FROM 'trials.parquet'\" --metric nope --group variant", "no metric column 'nope'"),
    (
        "H1 --sql \"SELECT * FROM 'trials.parquet'\" --metric plan --group variant",
        "metric column 'plan' is not numeric",
    ),
    (
        "H1 --sql \"SELECT * FROM 'trials.parquet'\" --metric invited --group variant --control absent",
        "control arm 'absent' is not in the data",
    ),
    ("H1 --sql \"DELETE FROM 'trials.parquet'\" --metric invited --group variant", "refused"),
    ('H1 --sql "SELECT 1; DROP TABLE t" --metric invited --group variant', "refused"),
    ("H1 --sql nothing_here --metric invited --group variant", "no variable named 'nothing_here'"),
    ("H1 --sql \"SELECT * FROM 'trials.parquet'\" --metric invited", "--group"),
    ('H1 --data frame --sql "SELECT 1" --metric invited --group variant', "measure from one source"),
    ("H1 --observed 0.2 --n 100 --connection duckdb://", "--connection goes with --sql"),
    (
        'H1 --sql "SELECT * FROM t" --connection postgresql://disco:s3cret@127.0.0.1:{port}/x --metric a --group b',
        "cannot connect to postgresql://disco:***@127.0.0.1",
    ),
]


@pytest.mark.parametrize(("line", "message"), BAD)
def test_bad_input_is_one_usage_error_line_and_nothing_is_stored(rehearsed, line, message, capsys):
    rehearsed.user_ns["frame"] = pd.DataFrame({"variant": ["a", "b"], "invited": [0, 1]})
    with pytest.raises(UsageError) as caught:
        rehearsed.run_line_magic("measure", line.format(port=_closed_port()))
    text = str(caught.value)
    assert type(caught.value) is UsageError
    assert message in text and "\n" not in text and "s3cret" not in text
    assert "s3cret" not in capsys.readouterr().out
    assert stored() == []
    assert get_session().store.hypothesis("onboarding", "H1").status == "draft"
