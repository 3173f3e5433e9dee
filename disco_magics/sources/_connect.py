"""Connections for the SQL source: a SQLAlchemy engine per query, timeouts, and one line per failure.

The default is an embedded, in-memory DuckDB; any other database comes through its SQLAlchemy dialect.
A URL is only ever shown with its password masked.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

from ..errors import SourceError, ValidationFailed
from ..store.repository import CONNECT_TIMEOUT_S as STORE_CONNECT_TIMEOUT_S
from ..store.repository import STATEMENT_TIMEOUT_S as STORE_STATEMENT_TIMEOUT_S
from ._query import SQL_EXAMPLE

CONNECTION_EXAMPLE = "--connection postgresql://analyst@warehouse.internal/product"
#: the embedded default: an in-process DuckDB that lives for one query
DEFAULT_CONNECTION = "duckdb:///:memory:"
#: seconds a database server may take to accept a connection / to answer the query: the store's defaults
#: (issue 11); ``DISCO_SQL_CONNECT_TIMEOUT`` / ``DISCO_SQL_STATEMENT_TIMEOUT`` override them for sources.
CONNECT_TIMEOUT_S = STORE_CONNECT_TIMEOUT_S
STATEMENT_TIMEOUT_S = STORE_STATEMENT_TIMEOUT_S


def describe_connection(connection: str | None) -> str:
    """The connection as it may be shown: never its password."""
    if not connection:
        return "the embedded DuckDB"
    try:
        from sqlalchemy.engine import make_url

        return make_url(connection).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL may still hold a password: show only its scheme
        scheme = connection.split("://", 1)[0] if "://" in connection else "?"
        return f"a {scheme[:30]} URL"


def timeout_setting(value: float | None, env: str, default: float) -> float:
    if value is None:
        raw = os.environ.get(env)
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ValidationFailed(f"{env} must be a number of seconds, not {raw[:30]!r}") from None
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise ValidationFailed(f"a timeout must be a positive number of seconds, not {value!r}")
    return float(value)


@dataclass(frozen=True)
class Target:
    """An opened engine and what the query needs to know about it."""

    engine: Any
    backend: str
    shown: str


def open_engine(connection: str | None, connect_timeout: float) -> Target:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError
    from sqlalchemy.pool import NullPool

    shown = describe_connection(connection)
    text = connection or DEFAULT_CONNECTION
    if not isinstance(text, str) or "://" not in text:
        raise ValidationFailed(
            "the connection must be a database URL such as postgresql://user@host/db or duckdb:///file.duckdb "
            "(a file of data is read by the query itself: SELECT * FROM 'trials.parquet')",
            example=CONNECTION_EXAMPLE,
        )
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise ValidationFailed(
            f"cannot read the connection URL ({shown})", example=CONNECTION_EXAMPLE
        ) from None
    backend = url.get_backend_name()
    connect_args: dict[str, Any] = {}
    if backend == "postgresql":
        if url.get_driver_name() == "psycopg2" and "+" not in url.drivername and not _has("psycopg2"):
            url = url.set(drivername="postgresql+psycopg")  # psycopg 3 is what the [postgres] extra installs
        if url.get_driver_name() in ("psycopg", "psycopg2"):
            connect_args["connect_timeout"] = max(1, round(connect_timeout))
    elif backend == "duckdb" and url.database not in (None, "", ":memory:"):
        connect_args["read_only"] = True
    try:
        engine = create_engine(url, connect_args=connect_args, poolclass=NullPool)
    except (NoSuchModuleError, ImportError) as err:
        package = "duckdb-engine" if backend == "duckdb" else f"the SQLAlchemy dialect for {backend}"
        missing = getattr(err, "name", None)
        raise SourceError(
            f"cannot connect to {shown}: its driver is missing ({missing or err.__class__.__name__}); "
            f"pip install {package}",
            example=CONNECTION_EXAMPLE,
        ) from None
    except (ArgumentError, TypeError, ValueError) as err:
        raise SourceError(
            f"cannot connect to {shown}: {first_line(err)}", example=CONNECTION_EXAMPLE
        ) from None
    if backend == "duckdb":
        from sqlalchemy import event

        @event.listens_for(engine, "connect")
        def _quiet(dbapi_connection, _record) -> None:
            # no progress bar drawn on the kernel's stdout, where it lands in the cell output as escape codes
            dbapi_connection.execute("SET enable_progress_bar = false")

    return Target(engine, backend, shown)


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def first_line(err: BaseException) -> str:
    """The driver's own message, first line, without SQLAlchemy's ``[SQL: ...]`` and link trailers."""
    orig = getattr(err, "orig", None)
    text = str(orig if orig is not None else err).strip()
    text = text.split("\n", 1)[0].strip() or type(err).__name__
    return text[:300]


def database_error(err: BaseException, target: Target, statement_s: float) -> Exception:
    """One line for whatever the database or its driver said: refused, silent, timed out, bad SQL."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    reason = first_line(err)
    lowered = reason.lower()
    if "statement timeout" in lowered or "canceling statement" in lowered:
        return SourceError(
            f"the query ran longer than the statement timeout ({statement_s:g} s) on {target.shown}; "
            "aggregate fewer rows or raise DISCO_SQL_STATEMENT_TIMEOUT",
            example=SQL_EXAMPLE,
        )
    connection_failed = isinstance(err, DBAPIError) and err.connection_invalidated
    if (
        isinstance(err, OperationalError)
        and target.backend != "duckdb"
        and (
            connection_failed
            or any(word in lowered for word in ("connect", "timeout expired", "refused", "resolve"))
        )
    ):
        return SourceError(f"cannot connect to {target.shown}: {reason}", example=CONNECTION_EXAMPLE)
    if "read-only" in lowered or "read only" in lowered:
        return ValidationFailed(f"refused: the query tried to write ({reason})", example=SQL_EXAMPLE)
    return ValidationFailed(f"the query failed on {target.shown}: {reason}", example=SQL_EXAMPLE)
