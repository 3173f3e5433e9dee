"""sources.sql: a query aggregated in a real DuckDB and a real PostgreSQL equals arms_from_frame on the same rows."""

from __future__ import annotations

import os
import socket
import threading
import uuid

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disco_magics.errors import NotFoundError, SourceError, ValidationFailed
from disco_magics.sources import sql as source
from disco_magics.stats import arms_from_frame

POSTGRES_URL = os.environ.get("DISCO_TEST_POSTGRES_URL")
needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="DISCO_TEST_POSTGRES_URL is not set")


def assert_same_arms(got, expected, tol=1e-9):
    assert list(got) == list(expected)
    for name, arm in expected.items():
        other = got[name]
        assert (other.kind, other.n, other.dropped) == (arm.kind, arm.n, arm.dropped), name
        for attr in ("sum", "sum_squares", "mean", "variance"):
            assert getattr(other, attr) == pytest.approx(getattr(arm, attr), rel=tol, abs=tol), (name, attr)
        if arm.m2 is None:
            assert other.m2 is None
        else:
            assert other.m2 == pytest.approx(arm.m2, rel=tol, abs=tol)


@pytest.fixture(scope="module")
def rows():
    """Users of three arms: a 0/1 metric, a boolean, a skewed mean with NaNs, values far from 0, a covariate."""
    rng = np.random.default_rng(11)
    n = 30_000
    variant = rng.choice(["control", "checklist", "tour"], n, p=[0.4, 0.4, 0.2])
    pre = rng.gamma(2.0, 10.0, n)
    minutes = pre * 0.6 + rng.normal(12, 3, n) + (variant == "checklist") * 0.8
    minutes[rng.random(n) < 0.03] = np.nan
    frame = pd.DataFrame(
        {
            "variant": variant,
            "invited": (rng.random(n) < np.where(variant == "control", 0.18, 0.24)).astype("int64"),
            "activated": rng.random(n) < 0.4,
            "minutes": minutes,
            "signup_ms": 1.7e12 + rng.normal(0, 5.0, n),  # far from 0: the raw sums cancel
            "pre_minutes": np.where(rng.random(n) < 0.05, np.nan, pre),
            "seats": rng.poisson(3, n),
            "plan": rng.choice(["free", "pro"], n),
        }
    )
    frame.loc[rng.random(n) < 0.01, "variant"] = None  # no arm: ignored by both paths
    return frame


@pytest.fixture(scope="module")
def parquet(rows, tmp_path_factory):
    path = tmp_path_factory.mktemp("sql") / "trials.parquet"
    rows.to_parquet(path, index=False)
    return path


METRICS = ["invited", "activated", "minutes", "signup_ms", "seats"]


@pytest.mark.parametrize("metric", METRICS)
def test_duckdb_on_a_parquet_file_equals_the_frame(rows, parquet, metric):
    got = source.arms_from_sql(f"SELECT * FROM '{parquet}'", metric, "variant")
    assert_same_arms(got, arms_from_frame(rows, metric, "variant"))


@pytest.mark.parametrize("metric", ["invited", "minutes"])
def test_duckdb_reads_a_notebook_frame_by_name(rows, metric):
    result = source.aggregate(
        "SELECT variant, invited, minutes FROM trials WHERE plan = 'pro'",
        metric,
        "variant",
        namespace={"trials": rows, "unused": rows},
    )
    assert result.frames == ("trials",)
    assert result.connection == "the embedded DuckDB"
    assert_same_arms(result.arms, arms_from_frame(rows[rows.plan == "pro"], metric, "variant"))


def test_inputs_name_the_files_and_frames_a_query_reads(rows, parquet):
    query = f"SELECT * FROM '{parquet}' JOIN trials USING (variant) JOIN \"Other\" USING (variant) -- 'x.csv'"
    files, frames = source.inputs(
        query, {"trials": rows, "Other": rows[:3], "variant": "text", "unused": rows}
    )
    assert files == (str(parquet),)
    assert [len(f) for f in frames] == [len(rows), 3]


def test_duckdb_reads_csv_and_reports_the_files(rows, tmp_path):
    path = tmp_path / "trials.csv"
    rows[["variant", "invited"]].to_csv(path, index=False)
    result = source.aggregate(f"select * from read_csv('{path}')", "invited", "variant")
    assert result.files == (str(path),)
    assert_same_arms(result.arms, arms_from_frame(rows, "invited", "variant"))


def test_kind_can_be_forced_and_is_checked(rows, parquet):
    query = f"SELECT * FROM '{parquet}'"
    forced = source.arms_from_sql(query, "invited", "variant", kind="mean")
    assert_same_arms(forced, arms_from_frame(rows, "invited", "variant", kind="mean"))
    with pytest.raises(ValidationFailed, match="not a proportion"):
        source.arms_from_sql(query, "minutes", "variant", kind="proportion")


def needs_cuped():
    from disco_magics.model import result as result_model

    if not hasattr(result_model, "CovariateStats"):
        pytest.skip("CUPED (CovariateStats, issue 13) is not in this version")


def assert_covariate_sums(got, rows):
    """sum x, sum x², sum x·y per arm over the users with a metric value (a missing x counts as 0)."""
    for name, arm in got.items():
        users = rows[(rows.variant == name) & rows.minutes.notna()]
        x = users.pre_minutes.fillna(0.0).to_numpy()
        y = users.minutes.to_numpy()
        cov = arm.covariate
        assert cov.name == "pre_minutes" and cov.kind == "mean"
        assert cov.sum == pytest.approx(x.sum(), rel=1e-9)
        assert cov.sum_squares == pytest.approx(np.dot(x, x), rel=1e-9)
        assert cov.cross == pytest.approx(np.dot(x, y), rel=1e-9)
        assert cov.filled == int(users.pre_minutes.isna().sum())


def test_covariate_sums_are_aggregated_in_the_database(rows, parquet):
    needs_cuped()
    got = source.arms_from_sql(f"SELECT * FROM '{parquet}'", "minutes", "variant", covariate="pre_minutes")
    expected = arms_from_frame(rows, "minutes", "variant", covariate="pre_minutes")
    assert_same_arms(got, expected)
    assert_covariate_sums(got, rows)
    for name, arm in expected.items():  # and what arms_from_frame computes for CUPED, field by field
        mine, theirs = got[name].covariate, arm.covariate
        assert (mine.name, mine.kind, mine.filled) == (theirs.name, theirs.kind, theirs.filled)
        for attr in ("sum", "sum_squares", "cross"):
            assert getattr(mine, attr) == pytest.approx(getattr(theirs, attr), rel=1e-9)


def test_a_binary_covariate_is_a_proportion(rows, parquet):
    needs_cuped()
    query = f"SELECT * FROM '{parquet}'"
    got = source.arms_from_sql(query, "minutes", "variant", covariate="activated")
    expected = arms_from_frame(rows, "minutes", "variant", covariate="activated")
    assert (
        {a.covariate.kind for a in got.values()}
        == {a.covariate.kind for a in expected.values()}
        == {"proportion"}
    )


# ------------------------------------------------------------------------------------------ read-only

ACCEPTED = [
    "SELECT 1",
    "  select * from t;  ",
    "WITH a AS (SELECT 1 AS x) SELECT x FROM a;\n-- trailing comment",
    "(SELECT 1) UNION ALL (SELECT 2)",
    "SELECT 'delete; drop table t' AS note, \"update\" FROM t",
    "SELECT $$;INSERT$$ AS body",
    "SELECT x::int FROM t WHERE y = ':name'",
]
REFUSED = [
    ("DELETE FROM t", "only a SELECT or WITH query"),
    ("DROP TABLE t", "only a SELECT or WITH query"),
    ("SELECT 1; DROP TABLE t", "single statement"),
    ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "holds DELETE"),
    ("SELECT * INTO copy FROM t", "holds INTO"),
    ("SELECT * FROM t FOR UPDATE", "holds UPDATE"),
    ("INSERT INTO t VALUES (1)", "only a SELECT or WITH query"),
    ("", "empty"),
    (" ; ", "empty"),
    ("SELECT 'unterminated", "unterminated"),
    ("SELECT 1 /* open", "unterminated"),
]


@pytest.mark.parametrize("query", ACCEPTED)
def test_read_only_queries_pass_the_check(query):
    checked = source.check_query(query)
    assert not checked.rstrip().endswith(";") and "--" not in checked.splitlines()[-1]


@pytest.mark.parametrize(("query", "message"), REFUSED)
def test_writes_and_several_statements_are_refused(query, message):
    with pytest.raises(ValidationFailed, match=message) as caught:
        source.check_query(query)
    assert "\n" not in str(caught.value)


def test_a_duckdb_file_is_opened_read_only_and_a_refused_query_never_runs(rows, tmp_path):
    db = tmp_path / "app.duckdb"
    import duckdb

    with duckdb.connect(str(db)) as con:
        con.register("frame", rows)
        con.execute("CREATE TABLE t AS SELECT * FROM frame")
        con.execute("CREATE SEQUENCE s")
    url = f"duckdb:///{db}"
    assert_same_arms(
        source.arms_from_sql("SELECT * FROM t", "minutes", "variant", url),
        arms_from_frame(rows, "minutes", "variant"),
    )
    with pytest.raises(ValidationFailed, match="refused"):
        source.arms_from_sql("SELECT 1; DROP TABLE t", "invited", "variant", url)
    # past the text check, DuckDB itself refuses to write to a file opened read-only
    with pytest.raises(ValidationFailed, match="read-only|read only"):
        source.arms_from_sql(
            "SELECT variant, invited FROM t, (SELECT nextval('s')) AS seq", "invited", "variant", url
        )
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM t").fetchone() == (len(rows),)


# ------------------------------------------------------------------------------------------ bad input

BAD = [
    (
        "SELECT * FROM nowhere_at_all",
        "invited",
        "variant",
        ValidationFailed,
        "the query failed on the embedded DuckDB",
    ),
    ("SELECT * FROM {parquet}", "nope", "variant", NotFoundError, "no metric column 'nope'"),
    ("SELECT * FROM {parquet}", "invited", "nope", NotFoundError, "no group column 'nope'"),
    ("SELECT * FROM {parquet}", "plan", "variant", ValidationFailed, "metric column 'plan' is not numeric"),
    (
        "SELECT * FROM {parquet} WHERE variant = 'tour'",
        "invited",
        "variant",
        ValidationFailed,
        "only one value",
    ),
    ("SELECT * FROM {parquet}", "invited", "invited", ValidationFailed, "different columns"),
    ("SELECT variant, NULL::DOUBLE AS v FROM {parquet}", "v", "variant", ValidationFailed, "has no values"),
]


@pytest.mark.parametrize(("query", "metric", "group", "error", "message"), BAD)
def test_bad_input_is_one_line(parquet, query, metric, group, error, message):
    with pytest.raises(error, match=message) as caught:
        source.arms_from_sql(query.format(parquet=f"'{parquet}'"), metric, group)
    assert "\n" not in str(caught.value)


def test_the_covariate_cannot_be_the_metric(parquet):
    with pytest.raises(
        ValidationFailed, match="covariate must be a pre-period column of its own, not the metric"
    ):
        source.arms_from_sql(f"SELECT * FROM '{parquet}'", "minutes", "variant", covariate="minutes")


def test_an_unknown_driver_and_a_bad_url_are_one_line_without_the_password():
    with pytest.raises(SourceError, match="driver is missing") as caught:
        source.arms_from_sql("SELECT 1", "a", "b", "nosuchdb://user:s3cret@host/db")
    with pytest.raises(ValidationFailed, match="database URL"):
        source.arms_from_sql("SELECT 1", "a", "b", "user:s3cret@host")
    assert "s3cret" not in str(caught.value)


def test_a_refused_connection_is_one_line_without_the_password():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SourceError, match="cannot connect to") as caught:
        source.arms_from_sql(
            "SELECT 1 AS a, 2 AS b", "a", "b", f"postgresql://disco:s3cret@127.0.0.1:{port}/x"
        )
    assert "s3cret" not in str(caught.value) and "***" in str(caught.value)


def test_a_silent_server_times_out(monkeypatch):
    """A server that accepts and never answers: the connect timeout, not a frozen notebook."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    url = f"postgresql://disco:s3cret@127.0.0.1:{server.getsockname()[1]}/x"
    try:
        with pytest.raises(SourceError, match="cannot connect to") as caught:
            source.arms_from_sql("SELECT 1 AS a, 2 AS b", "a", "b", url, connect_timeout=1)
    finally:
        server.close()
    assert "s3cret" not in str(caught.value)


# ------------------------------------------------------------------------------------------ PostgreSQL


@pytest.fixture(scope="module")
def postgres(rows):
    """A brand-new PostgreSQL database holding the rows as table ``trials``; dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("DISCO_TEST_POSTGRES_URL is not set")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"disco_sql_{uuid.uuid4().hex[:12]}"
    base = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name)
    engine = create_engine(url)
    rows.to_sql("trials", engine, index=False)
    with engine.begin() as c:
        c.execute(text("CREATE SEQUENCE counter"))
    engine.dispose()
    yield url.render_as_string(hide_password=False)
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@needs_postgres
@pytest.mark.parametrize("metric", METRICS)
def test_postgres_aggregate_equals_the_frame(rows, postgres, metric):
    got = source.arms_from_sql("SELECT * FROM trials", metric, "variant", postgres)
    assert_same_arms(got, arms_from_frame(rows, metric, "variant"))


@needs_postgres
def test_postgres_covariate_sums(rows, postgres):
    needs_cuped()
    got = source.arms_from_sql(
        "SELECT * FROM trials", "minutes", "variant", postgres, covariate="pre_minutes"
    )
    assert_covariate_sums(got, rows)


@needs_postgres
def test_postgres_runs_in_a_read_only_transaction(postgres):
    """nextval() writes, though it reads as a SELECT: PostgreSQL itself refuses it."""
    with pytest.raises(ValidationFailed, match="read-only") as caught:
        source.arms_from_sql("SELECT variant, nextval('counter') AS n FROM trials", "n", "variant", postgres)
    assert "\n" not in str(caught.value)


@needs_postgres
def test_postgres_statement_timeout(postgres):
    with pytest.raises(SourceError, match=r"statement timeout \(1 s\)"):
        source.arms_from_sql(
            "SELECT variant, invited FROM trials, pg_sleep(3)",
            "invited",
            "variant",
            postgres,
            statement_timeout=1,
        )


@needs_postgres
def test_postgres_quoting_casts_and_percent_signs(postgres):
    """Mixed-case columns, ``::`` casts, a ``%`` in a LIKE and a ``:`` in a string pass through untouched."""
    got = source.arms_from_sql(
        'SELECT variant AS "Arm", invited::float AS "Invited" FROM trials '
        "WHERE plan LIKE 'fr%' AND ':x' = ':x'",
        "Invited",
        "arm",
        postgres,
    )
    assert sum(a.n for a in got.values()) > 0 and list(got) == ["checklist", "control", "tour"]


@needs_postgres
def test_postgres_bad_sql_is_one_line(postgres):
    with pytest.raises(ValidationFailed, match="the query failed on postgresql") as caught:
        source.arms_from_sql("SELECT nope FROM trials", "nope", "variant", postgres)
    assert "\n" not in str(caught.value)


# ------------------------------------------------------------------------------------------ fuzz

SQLISH = st.text(alphabet=st.sampled_from(list("selctwhfromSELCTWH ;'\"`$-/*()\n,:=01ab")), max_size=80)


@given(st.one_of(st.text(max_size=200), SQLISH))
@settings(max_examples=300, deadline=None)
def test_any_text_is_accepted_or_refused_in_one_line(text):
    try:
        checked = source.check_query(text)
    except ValidationFailed as err:
        assert "\n" not in str(err)
    else:
        assert checked.strip() and ";" not in checked.rstrip()[-1:]


@given(SQLISH)
@settings(max_examples=40, deadline=None)
def test_any_select_reaching_duckdb_fails_as_one_line(tail):
    try:
        source.arms_from_sql("SELECT " + tail, "a", "b")
    except (ValidationFailed, NotFoundError, SourceError) as err:
        assert "\n" not in str(err)


def test_the_embedded_duckdb_draws_no_progress_bar():
    """DuckDB draws a progress bar on stdout for queries over ~2 s: in a notebook, escape codes in the cell."""
    got = source.arms_from_sql(
        "SELECT g, CAST(current_setting('enable_progress_bar') AS INTEGER) AS shown "
        "FROM (VALUES ('a'), ('b'), ('b')) AS t(g)",
        "shown",
        "g",
    )
    assert {name: (arm.n, arm.sum) for name, arm in got.items()} == {"a": (1, 0.0), "b": (2, 0.0)}
