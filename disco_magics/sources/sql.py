"""A SQL query -> per-arm sufficient statistics, aggregated where the data lives.

The query is checked to be one read-only ``SELECT``/``WITH`` statement, wrapped as a subquery and reduced
by one ``GROUP BY`` in the database: per arm the row count, the metric's count, sum and sum of squares,
and for CUPED the covariate's sum, sum of squares and cross-products with the metric. For values far from
0, where ``sum_squares - sum²/n`` would cancel, a second pass sums deviations from the overall mean. A few
numbers per arm travel, whatever the number of rows, and they are the same :class:`~disco_magics.model.result.ArmStats` that
:func:`~disco_magics.stats.arms_from_frame` computes from a DataFrame of the same rows.

Connections go through SQLAlchemy: it is already the store's dependency, and its dialects reach DuckDB
(``duckdb-engine``), PostgreSQL, BigQuery, Snowflake, Trino, Redshift, Databricks/Spark SQL and more, each a
``pip install`` away; the aggregate is written once in SQLAlchemy Core and each dialect renders its own
casts, quoting and ``LIMIT``. The default connection is an embedded, in-memory DuckDB that reads Parquet
and CSV files by path and the notebook's DataFrames by name.

Read-only, three ways: the text must be one ``SELECT``/``WITH`` statement with no data-changing keyword;
it runs as a subquery (where no database accepts a write); and on PostgreSQL inside a ``READ ONLY``
transaction with a statement timeout (and a connect timeout). A file DuckDB database opens read-only.

The query text is checked in ``_query`` (the tokenizer), connections are opened in ``_connect``; this
module owns the aggregate and its translation into ``ArmStats``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import NotFoundError, ValidationFailed
from ..model.result import ArmStats, MetricKind
from ._connect import (
    CONNECT_TIMEOUT_S,
    DEFAULT_CONNECTION,
    STATEMENT_TIMEOUT_S,
    Target,
    database_error,
    describe_connection,
    first_line,
    open_engine,
    timeout_setting,
)
from ._query import SQL_EXAMPLE, check_query, files_read, names_used

__all__ = [
    "CONNECT_TIMEOUT_S",
    "DEFAULT_CONNECTION",
    "STATEMENT_TIMEOUT_S",
    "SqlAggregate",
    "aggregate",
    "arms_from_sql",
    "check_query",
    "describe_connection",
    "files_read",
    "frames_named",
    "inputs",
]

# ---------------------------------------------------------------------------------------- aggregate


@dataclass(frozen=True)
class SqlAggregate:
    """What one aggregate query returned: the arms, and where their rows came from."""

    arms: dict[str, ArmStats]
    connection: str
    files: tuple[str, ...] = ()
    frames: tuple[str, ...] = field(default=())


def arms_from_sql(
    query: str,
    metric: str,
    group: str,
    connection: str | None = None,
    *,
    covariate: str | None = None,
    kind: MetricKind | None = None,
    namespace: Mapping[str, Any] | None = None,
    connect_timeout: float | None = None,
    statement_timeout: float | None = None,
) -> dict[str, ArmStats]:
    """Per-arm sufficient statistics of ``query``'s rows, aggregated in the database.

    The same ``dict[str, ArmStats]`` as :func:`~disco_magics.stats.arms_from_frame` on a DataFrame of the
    same rows (to rounding), with the same rules: a 0/1 or boolean metric is a proportion, NaN/NULL metric
    values are dropped and counted, rows with no group value belong to no arm. See :func:`aggregate`.
    """
    return aggregate(
        query,
        metric,
        group,
        connection,
        covariate=covariate,
        kind=kind,
        namespace=namespace,
        connect_timeout=connect_timeout,
        statement_timeout=statement_timeout,
    ).arms


def aggregate(
    query: str,
    metric: str,
    group: str,
    connection: str | None = None,
    *,
    covariate: str | None = None,
    kind: MetricKind | None = None,
    namespace: Mapping[str, Any] | None = None,
    connect_timeout: float | None = None,
    statement_timeout: float | None = None,
) -> SqlAggregate:
    """Run ``query`` wrapped in one per-arm aggregate; only sufficient statistics come back.

    Parameters
    ----------
    query : str
        One ``SELECT``/``WITH`` statement, one row per user.
    metric, group : str
        Columns of the query's result: the value to measure, and each user's arm.
    connection : str, optional
        A SQLAlchemy database URL; None for the embedded DuckDB (files by path, DataFrames and Arrow tables
        in ``namespace`` by name).
    covariate : str, optional
        CUPED's pre-period column: its sum, sum of squares and cross-product with the metric per arm, over
        the users with a metric value (a missing covariate counts as 0 and is counted in ``filled``).
    kind : {"proportion", "mean"}, optional
        Forced metric kind; detected from the whole column when omitted.
    namespace : mapping, optional
        The notebook's variables, for DataFrames the DuckDB query names.
    connect_timeout, statement_timeout : float, optional
        Seconds; PostgreSQL only. Default ``CONNECT_TIMEOUT_S`` / ``STATEMENT_TIMEOUT_S``.

    Returns
    -------
    SqlAggregate
        ``arms`` (name -> ArmStats, sorted by group value), the connection as shown, the data files the
        query names and the notebook frames it read.
    """
    from sqlalchemy.exc import SQLAlchemyError

    sql = check_query(query)
    if kind is not None and kind not in ("proportion", "mean"):
        raise ValidationFailed(f"metric kind must be 'proportion' or 'mean', not {kind!r}")
    for role, column in (("metric", metric), ("group", group), ("covariate", covariate)):
        if column is not None and (not isinstance(column, str) or not column.strip()):
            raise ValidationFailed(f"name the {role} column", example=SQL_EXAMPLE)
    if metric == group:
        raise ValidationFailed("metric and group must be different columns", example=SQL_EXAMPLE)
    if covariate is not None and covariate in (metric, group):
        raise ValidationFailed(
            f"the covariate must be a pre-period column of its own, not the {'metric' if covariate == metric else 'group'}",
            example=SQL_EXAMPLE,
        )
    connect_s = timeout_setting(connect_timeout, "DISCO_SQL_CONNECT_TIMEOUT", CONNECT_TIMEOUT_S)
    statement_s = timeout_setting(statement_timeout, "DISCO_SQL_STATEMENT_TIMEOUT", STATEMENT_TIMEOUT_S)
    target = open_engine(connection, connect_s)
    frames: tuple[str, ...] = ()
    try:
        with target.engine.connect() as conn:
            if target.backend == "duckdb" and connection is None:
                frames = _register_frames(conn, sql, namespace or {})
            with conn.begin():
                if target.backend == "postgresql":
                    # the first statements of the transaction: nothing after them can write, or run long
                    conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                    conn.exec_driver_sql(f"SET LOCAL statement_timeout = {round(statement_s * 1000)}")
                wanted = {"metric": metric, "group": group, "covariate": covariate}
                rows, names, kind = _sums(conn, sql, target, wanted, kind)
    except SQLAlchemyError as err:
        raise database_error(err, target, statement_s) from None
    except UnicodeEncodeError:  # lone surrogates: bytes that were not UTF-8, which no driver can send
        raise ValidationFailed("the query holds characters that are not UTF-8", example=SQL_EXAMPLE) from None
    finally:
        target.engine.dispose()
    arms = _arms(rows, names, kind, covariate is not None)
    return SqlAggregate(arms=arms, connection=target.shown, files=files_read(sql), frames=frames)


def _sums(conn, sql: str, target: Target, wanted: Mapping[str, str | None], kind: MetricKind | None):
    """(per-arm sums, the query's real column names by role, the metric's kind): the probe, then the
    aggregate, then — for values far from 0 — the pass over deviations from the mean."""
    columns = _probe(conn, sql, target)
    names = {role: _column(columns, name, role) for role, name in wanted.items() if name is not None}
    for role in ("metric", "covariate"):
        if role in names and columns[names[role]] == "other":
            raise ValidationFailed(
                f"{role} column {names[role]!r} is not numeric; use a 0/1 or boolean column for a rate, "
                "or a numeric column for a mean",
                example=SQL_EXAMPLE,
            )
    rows = _aggregate_rows(conn, sql, names, columns)
    kind = _metric_kind(rows, names, kind)
    shift = _shift_needed(rows) if kind == "mean" else None
    if shift is not None:
        deviations = _deviation_rows(conn, sql, names, columns, shift)
        rows = [row | deviations.get(row["arm"], {}) for row in rows]
    return rows, names, kind


def frames_named(query: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The notebook's tables (pandas, Arrow, polars) the query names, by name: what the embedded DuckDB reads."""
    found = {}
    for name in names_used(query):
        value = namespace.get(name)
        module = type(value).__module__.split(".")[0]
        if module in ("pandas", "pyarrow", "polars") and hasattr(value, "columns"):
            found[name] = value
    return found


def inputs(query: str, namespace: Mapping[str, Any] | None = None) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """(data files the query names, notebook frames it names), read before any row is: where a caller looks
    for the mark ``%%synth`` leaves (a Parquet file's metadata, a frame's ``attrs``) to tell a rehearsal."""
    return files_read(query), tuple(frames_named(query, namespace or {}).values())


def _register_frames(conn, sql: str, namespace: Mapping[str, Any]) -> tuple[str, ...]:
    """Let the embedded DuckDB read the notebook's DataFrames by name."""
    raw = conn.connection.dbapi_connection
    frames = frames_named(sql, namespace)
    for name, value in frames.items():
        try:
            raw.register(name, value)
        except Exception as err:  # a frame DuckDB cannot scan (object columns of mixed types...)
            raise ValidationFailed(
                f"the embedded DuckDB cannot read the notebook's {name!r}: {first_line(err)}",
                example=SQL_EXAMPLE,
            ) from None
    return tuple(frames)


def _probe(conn, sql: str, target: Target) -> dict[str, str]:
    """The query's columns and what each holds (``boolean``, ``number``, ``other``, ``unknown``), no rows read."""
    from sqlalchemy import false, literal_column, select, text

    stmt = select(literal_column("*")).select_from(text(f"({_escape(sql)}) AS disco_source")).where(false())
    result = conn.execute(stmt)
    try:
        description = result.cursor.description or []
    finally:
        result.close()
    dbapi = target.engine.dialect.dbapi
    return {str(d[0]): _type_class(d[1], target.backend, dbapi) for d in description}


def _escape(sql: str) -> str:
    """Colons escaped, so SQLAlchemy's ``text()`` takes none of the query's ``:name`` or ``::`` for a parameter."""
    return sql.replace(":", "\\:")


#: PostgreSQL type OIDs: bool; int2/4/8 and oid; float4/8 and numeric (which can hold NaN)
_PG_TYPES = {16: "boolean", 20: "integer", 21: "integer", 23: "integer", 26: "integer"} | {
    oid: "float" for oid in (700, 701, 1700)
}
#: type names as drivers spell them (DuckDB ``BIGINT``, BigQuery ``INT64``, Snowflake ``FIXED``...)
_TYPE_NAMES = (
    ("boolean", re.compile(r"^BOOL(EAN)?$", re.I)),
    ("integer", re.compile(r"^U?(TINY|SMALL|BIG|HUGE)?INT(EGER|\d+)?$|^FIXED$", re.I)),
    ("float", re.compile(r"^(DOUBLE( PRECISION)?|FLOAT\d*|REAL|DECIMAL|NUMERIC|NUMBER|BIGNUMERIC)\b", re.I)),
)


def _type_class(code: Any, backend: str, dbapi: Any) -> str:
    """``boolean``, ``integer``, ``float`` (may hold NaN), ``other`` (text, dates...) or ``unknown``."""
    if backend == "postgresql" and isinstance(code, int):
        return _PG_TYPES.get(code, "other")
    name = str(code).strip()
    for kind, pattern in _TYPE_NAMES:
        if pattern.search(name):
            return kind
    number_type = getattr(dbapi, "NUMBER", None)
    if number_type is not None:
        try:
            if code == number_type:
                return "float"
        except Exception:  # a driver's type object that cannot compare
            pass
    return (
        "other"
        if re.search(r"CHAR|TEXT|STRING|DATE|TIME|BLOB|BINARY|BYTES|UUID|JSON", name, re.I)
        else "unknown"
    )


def _column(columns: Mapping[str, str], wanted: str, role: str) -> str:
    """The query's column named ``wanted``; case-insensitive when that is unambiguous (PostgreSQL folds)."""
    if wanted in columns:
        return wanted
    folded = [c for c in columns if c.lower() == wanted.lower()]
    if len(folded) == 1:
        return folded[0]
    names = list(columns)
    known = ", ".join(names[:20]) + (" ..." if len(names) > 20 else "")
    raise NotFoundError(
        f"no {role} column {wanted!r} in the query's result; its columns are: {known}", example=SQL_EXAMPLE
    )


def _values(sql: str, names: Mapping[str, str], columns: Mapping[str, str]):
    """The query as a subquery of (arm, y[, x]): booleans as 0/1 integers, numbers as doubles, NaN as NULL."""
    from sqlalchemy import Double, Integer, cast, column, func, literal, select, text

    source = (
        text(_escape(sql))
        .columns(*(column(c) for c in dict.fromkeys(names.values())))
        .subquery("disco_source")
    )

    def numeric(name: str):
        raw, kind = source.c[name], columns[name]
        if kind == "boolean":
            return cast(raw, Integer)
        if kind == "integer":
            return cast(raw, Double)
        # NaN is missing, as in pandas (Parquet written from pandas stores NULL already; a database may not)
        return func.nullif(cast(raw, Double), cast(literal("NaN"), Double))

    chosen = [source.c[names["group"]].label("arm"), numeric(names["metric"]).label("y")]
    if "covariate" in names:
        chosen.append(numeric(names["covariate"]).label("x"))
    return select(*chosen).where(source.c[names["group"]].is_not(None)).subquery("disco_values")


def _binary_check(value, kind: str, label: str) -> list:
    """Aggregates that tell whether a column holds only 0/1: none for booleans, min/max for integers (cheap),
    a count of other values for floats."""
    from sqlalchemy import Double, and_, case, func, literal

    if kind == "boolean":
        return []
    if kind == "integer":
        return [func.min(value).label(f"{label}_min"), func.max(value).label(f"{label}_max")]
    zero, one = literal(0.0, Double), literal(1.0, Double)
    return [func.count(case((and_(value != zero, value != one), 1))).label(f"{label}_other")]


def _is_binary(row: Mapping[str, Any], kind: str, label: str) -> bool:
    if kind == "boolean":
        return True
    if kind == "integer":
        low, high = row[f"{label}_min"], row[f"{label}_max"]
        return low is None or (float(low) >= 0 and float(high) <= 1)
    return int(row[f"{label}_other"]) == 0


def _aggregate_rows(conn, sql: str, names: Mapping[str, str], columns: Mapping[str, str]) -> list[dict]:
    """One GROUP BY over the query: a handful of numbers per arm (booleans need no squares: 0² + 1² = sum)."""
    from sqlalchemy import Double, and_, case, cast, func, literal, select

    values = _values(sql, names, columns)
    y, kind = values.c.y, columns[names["metric"]]
    aggregates = [
        values.c.arm,
        func.count().label("rows"),
        func.count(y).label("n"),
        func.sum(y).label("total"),
        *([] if kind == "boolean" else [func.sum(y * y).label("total_sq")]),
        *_binary_check(y, kind, "y"),
    ]
    if "covariate" in names:
        # over the users with a metric value; a missing covariate counts as 0 (GrowthBook's coalesce)
        x_kind = columns[names["covariate"]]
        x = case((y.is_not(None), func.coalesce(cast(values.c.x, Double), literal(0.0, Double))))
        aggregates += [
            func.sum(x).label("cov_total"),
            func.sum(x * x).label("cov_total_sq"),
            func.sum(x * cast(y, Double)).label("cross"),
            func.count(case((and_(y.is_not(None), values.c.x.is_(None)), 1))).label("filled"),
            *_binary_check(values.c.x, x_kind, "x"),
        ]
    found = []
    for row in conn.execute(select(*aggregates).group_by(values.c.arm)).mappings():
        row = dict(row)
        row["binary"] = _is_binary(row, kind, "y")
        if kind == "boolean":
            row["total_sq"] = row["total"]
        if "covariate" in names:
            row["cov_binary"] = _is_binary(row, columns[names["covariate"]], "x")
        found.append(row)
    return found


#: above this (mean / sd)², ``sum_squares - sum²/n`` loses more than ~1e-10 of the variance to rounding
#: (timestamps, amounts far from 0), so a second pass sums deviations from the overall mean instead
_CANCELLATION_RATIO = 1e3


def _shift_needed(rows: list[dict]) -> float | None:
    """The overall mean when some arm's raw sums would cancel catastrophically; None when they are exact enough."""
    n = sum(int(r["n"]) for r in rows)
    total = sum(float(r["total"] or 0.0) for r in rows)
    for r in rows:
        count, s, ss = int(r["n"]), float(r["total"] or 0.0), float(r["total_sq"] or 0.0)
        if count < 2 or not (math.isfinite(s) and math.isfinite(ss)):
            continue
        m2 = ss - s * s / count
        if m2 <= 0 or (s / count) ** 2 > _CANCELLATION_RATIO * m2 / count:
            return total / n
    return None


def _deviation_rows(conn, sql: str, names, columns, shift: float) -> dict[Any, dict]:
    """Per arm, sums of (y - shift) and its square: the "shifted data" variance, as arms_from_frame does."""
    from sqlalchemy import Double, cast, func, literal, select

    values = _values(sql, names, columns)
    d = cast(values.c.y, Double) - literal(shift, Double)
    stmt = select(values.c.arm, func.sum(d).label("dev"), func.sum(d * d).label("dev_sq")).group_by(
        values.c.arm
    )
    return {row.arm: {"dev": row.dev, "dev_sq": row.dev_sq} for row in conn.execute(stmt)}


def _metric_kind(rows: list[dict], names: Mapping[str, str], kind: MetricKind | None) -> MetricKind:
    if len(rows) < 2:
        only = ", ".join(str(r["arm"]) for r in rows) or "nothing"
        raise ValidationFailed(
            f"group column {names['group']!r} has only one value ({only}); a comparison needs a control and a "
            "treatment arm",
            example=SQL_EXAMPLE,
        )
    is_binary = all(r["binary"] for r in rows)
    if kind is None:
        return "proportion" if is_binary else "mean"
    if kind == "proportion" and not is_binary:
        raise ValidationFailed(
            f"metric column {names['metric']!r} has values other than 0/1, so it is not a proportion"
        )
    return kind


def _arms(rows: list[dict], names: Mapping[str, str], kind: MetricKind, with_covariate: bool) -> dict:
    metric = names["metric"]
    covariate_kind = "proportion" if with_covariate and all(r["cov_binary"] for r in rows) else "mean"
    try:
        ordered = sorted(rows, key=lambda r: r["arm"])
    except TypeError:  # mixed types in the group column: order by how they read
        ordered = sorted(rows, key=lambda r: str(r["arm"]))
    arms: dict[str, ArmStats] = {}
    for row in ordered:
        name = str(row["arm"])
        if name in arms:
            raise ValidationFailed(f"group column {names['group']!r} has two values that both read {name!r}")
        n = int(row["n"])
        label = f"arm {name} of {metric!r}"
        if n <= 0:
            raise ValidationFailed(
                f"{label} has no values (all {int(row['rows'])} are missing)", example=SQL_EXAMPLE
            )
        total, total_sq = _finite(row["total"], metric), _finite(row["total_sq"], metric)
        if kind == "proportion":
            total_sq, m2 = total, None
        elif "dev" in row:
            m2 = max(float(row["dev_sq"]) - float(row["dev"]) ** 2 / n, 0.0)
        else:
            m2 = max(total_sq - total * total / n, 0.0)
        extra: dict[str, Any] = {}
        if with_covariate:
            extra["covariate"] = _covariate(names["covariate"], covariate_kind, row)
        arms[name] = ArmStats(
            name=name,
            kind=kind,
            n=n,
            sum=total,
            sum_squares=total_sq,
            m2=m2 if m2 is None or math.isfinite(m2) else None,
            dropped=int(row["rows"]) - n,
            **extra,
        )
    return arms


def _finite(value: Any, column: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValidationFailed(
            f"column {column!r} has infinite values (or sums too large to hold); fix them or filter those rows out",
            example=SQL_EXAMPLE,
        )
    return number


def _covariate(name: str, kind: str, row: Any):
    try:
        from ..model.result import CovariateStats
    except ImportError:  # CUPED (issue 13) not in this version
        raise ValidationFailed("--covariate needs CUPED, which this version does not have") from None
    return CovariateStats(
        name=name,
        kind=kind,
        sum=_finite(row["cov_total"], name),
        sum_squares=_finite(row["cov_total_sq"], name),
        cross=_finite(row["cross"], name),
        filled=int(row["filled"]),
    )
