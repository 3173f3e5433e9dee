"""The repository: one object that reads and writes every model, atomically.

SQLite runs in WAL mode with a busy timeout, ``synchronous=FULL`` and writes in ``BEGIN IMMEDIATE``
transactions, so a write that returned is on disk, a killed writer leaves nothing partial, and
concurrent kernels wait for each other instead of failing with "database is locked".
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, insert, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ..errors import StoreError
from ..model import Decision, Hypothesis, Problem, Result, utcnow
from ..model._base import STORED
from . import schema
from ._evidence import EvidenceRecords
from ._portfolio import PortfolioRows
from ._rehearsals import Rehearsals, insert_rehearsal
from .schema import SCHEMA_VERSION

DEFAULT_PATH = Path(".disco") / "discovery.db"
_BUSY_TIMEOUT_S = 60
#: seconds a database server may take to accept a connection / to answer one statement (PostgreSQL),
#: so a silent or overloaded server gives one clear line instead of a frozen notebook
CONNECT_TIMEOUT_S = 10.0
STATEMENT_TIMEOUT_S = 30.0
MEMORY_NOTE = "in memory: everything is lost when the kernel exits (set DISCO_STORE to a path to keep it)"
_PG_SCHEMA_LOCK = 0x0D15C0  # an arbitrary, fixed advisory-lock key for schema creation


def resolve_url(store: str | os.PathLike | None = None) -> str:
    """A database URL from a URL, a path, ``DISCO_STORE`` or the default ``.disco/discovery.db``."""
    value = str(store) if store else os.environ.get("DISCO_STORE") or str(DEFAULT_PATH)
    if "\x00" in value:  # the OS and the database drivers refuse it with a bare ValueError
        raise StoreError(f"cannot open the store at {value[:200]!r}: the location holds a NUL byte")
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().absolute()}"


def is_memory_url(url: str) -> bool:
    """``sqlite://`` (or ``sqlite:///:memory:``): a store that lives only as long as the process."""
    return url in ("sqlite://", "sqlite:///:memory:") or url.startswith("sqlite:///:memory:?")


def describe_url(url: str) -> str:
    """The URL as it may be shown: a path for SQLite, the password masked elsewhere."""
    if is_memory_url(url):
        return f"sqlite:// ({MEMORY_NOTE})"
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _sqlite_engine(url: str) -> Engine:
    if is_memory_url(url):
        from sqlalchemy.pool import StaticPool

        # one connection for the process: every connection to sqlite:// would be a new, empty database
        engine = create_engine(
            "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
        )
    else:
        path = Path(url.removeprefix("sqlite:///"))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"cannot create the store folder {path.parent}: {err.strerror or err}") from None
        engine = create_engine(url, connect_args={"timeout": _BUSY_TIMEOUT_S, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # We issue BEGIN ourselves (below), so the driver must not.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("disco_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _server_engine(url: str, connect_timeout: float, statement_timeout: float) -> Engine:
    """A database server's engine; on PostgreSQL with connect and statement timeouts."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        # libpq's connect_timeout covers the whole handshake (a server that accepts and never answers);
        # statement_timeout is enforced by the server for every statement of every session.
        connect_args["connect_timeout"] = max(1, round(connect_timeout))
        options = parsed.query.get("options")
        timeout_option = f"-c statement_timeout={round(statement_timeout * 1000)}"
        connect_args["options"] = f"{options} {timeout_option}" if isinstance(options, str) else timeout_option
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _seconds(value: float | None, variable: str, default: float) -> float:
    """A timeout in seconds: the argument, else the environment variable, else the default."""
    if value is not None:
        return float(value)
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        raise StoreError(f"{variable} must be a number of seconds like 10, not {text[:30]!r}") from None
    if not seconds > 0:
        raise StoreError(f"{variable} must be a positive number of seconds, not {text[:30]!r}")
    return seconds


def _upsert(c: Connection, table, keys: dict[str, Any], values: dict[str, Any]) -> None:
    """Insert a row, or replace the one with the same key — in one statement, so writers that declare the
    same name at the same moment all succeed (the last one wins) instead of colliding on the key."""
    if c.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif c.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # other servers: delete then insert, inside the caller's transaction
        c.execute(table.delete().where(*(table.c[k] == v for k, v in keys.items())))
        c.execute(insert(table).values(**keys, **values))
        return
    statement = dialect_insert(table).values(**keys, **values)
    c.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=values))


#: the model each table's ``data`` column holds, for ``Store.latest``
_LATEST: dict[str, type[Result] | type[Decision]] = {"results": Result, "decisions": Decision}


def _dumps(model) -> str:
    return model.model_dump_json()


class Store(EvidenceRecords, Rehearsals, PortfolioRows):
    """Durable persistence of problems, hypotheses, results, decisions, events and artifacts."""

    def __init__(
        self,
        store: str | os.PathLike | None = None,
        *,
        connect_timeout: float | None = None,
        statement_timeout: float | None = None,
    ) -> None:
        self.url = resolve_url(store)
        self.is_sqlite = self.url.startswith("sqlite")
        self.in_memory = is_memory_url(self.url)
        self._memory_noted = False
        self.connect_timeout = _seconds(connect_timeout, "DISCO_STORE_CONNECT_TIMEOUT", CONNECT_TIMEOUT_S)
        self.statement_timeout = _seconds(
            statement_timeout, "DISCO_STORE_STATEMENT_TIMEOUT", STATEMENT_TIMEOUT_S
        )
        try:
            self.engine = (
                _sqlite_engine(self.url)
                if self.is_sqlite
                else _server_engine(self.url, self.connect_timeout, self.statement_timeout)
            )
            self._ensure_schema()
        except StoreError:
            raise
        except (SQLAlchemyError, OSError) as err:
            raise StoreError(f"cannot open the store at {self.describe()}: {self._explain(err)}") from None
        except ImportError as err:
            raise StoreError(
                f"cannot open the store at {self.describe()}: its database driver is missing ({err.name}); "
                "for PostgreSQL, pip install 'disco-magics[postgres]'"
            ) from None

    def describe(self) -> str:
        return describe_url(self.url)

    def _explain(self, err: BaseException) -> str:
        """The driver's reason, with what to change when it is one of our timeouts."""
        reason = _reason(err)
        lowered = reason.lower()
        if "statement timeout" in lowered:
            return (
                f"the server did not answer within {self.statement_timeout:g} s "
                "(set DISCO_STORE_STATEMENT_TIMEOUT to allow longer)"
            )
        if "timeout expired" in lowered or "timed out" in lowered:
            return (
                f"no answer within {self.connect_timeout:g} s "
                "(is the server up and reachable? DISCO_STORE_CONNECT_TIMEOUT sets the wait)"
            )
        return reason

    @property
    def path(self) -> Path | None:
        return Path(self.url.removeprefix("sqlite:///")) if self.is_sqlite and not self.in_memory else None

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Store({self.describe()!r})"

    # ------------------------------------------------------------------------------------ transactions

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One atomic write transaction: ``BEGIN IMMEDIATE`` on SQLite, which waits for other writers
        (busy timeout) instead of failing with "database is locked"."""
        if self.in_memory and not self._memory_noted:
            self._memory_noted = True
            import sys

            print(f"disco: the store is {MEMORY_NOTE}", file=sys.stderr)
        try:
            with self.engine.connect() as connection:
                connection.execution_options(disco_write=True)
                with connection.begin():
                    yield connection
        except SQLAlchemyError as err:
            raise StoreError(f"cannot write to the store at {self.describe()}: {self._explain(err)}") from None
        except UnicodeEncodeError as err:  # the driver cannot send lone surrogates (undecodable bytes)
            raise StoreError(f"cannot write to the store at {self.describe()}: {_not_utf8(err)}") from None

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection, connection.begin():
                yield connection
        except SQLAlchemyError as err:
            raise StoreError(f"cannot read the store at {self.describe()}: {self._explain(err)}") from None
        except UnicodeEncodeError as err:
            raise StoreError(f"cannot read the store at {self.describe()}: {_not_utf8(err)}") from None

    def _ensure_schema(self) -> None:
        if self._schema_version() == SCHEMA_VERSION:
            return
        with self._write() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_SCHEMA_LOCK})")
            # Inside the write transaction, so when several processes open a new store at once,
            # exactly one creates it and the others find it made.
            schema.metadata.create_all(connection, checkfirst=True)
            row = connection.execute(select(schema.meta.c.value).where(schema.meta.c.key == "schema_version"))
            version = row.scalar()
            if version is None:
                connection.execute(
                    insert(schema.meta).values(key="schema_version", value=str(SCHEMA_VERSION))
                )
                return
            version = int(version)
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"the store at {self.describe()} has schema {version}, newer than this disco_magics "
                    f"understands ({SCHEMA_VERSION}); upgrade disco_magics"
                )
            for step in range(version + 1, SCHEMA_VERSION + 1):
                schema.MIGRATIONS[step](connection)
            connection.execute(
                schema.meta.update()
                .where(schema.meta.c.key == "schema_version")
                .values(value=str(SCHEMA_VERSION))
            )

    def _schema_version(self) -> int | None:
        try:
            with self.engine.connect() as connection:
                if not self.engine.dialect.has_table(connection, schema.meta.name):
                    return None
                value = connection.execute(
                    select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
                ).scalar()
                connection.rollback()
                return int(value) if value is not None else None
        except OperationalError:
            if not self.is_sqlite:  # a server that refuses, or never answers: say so once, now
                raise
            return None

    # ----------------------------------------------------------------------------------------- problems

    def save_problem(self, problem: Problem) -> None:
        with self._write() as c:
            _upsert(c, schema.problems, {"name": problem.name}, {"data": _dumps(problem), "updated_at": utcnow()})
            self._set_meta(c, "current_problem", problem.name)

    def problem(self, name: str) -> Problem | None:
        with self._read() as c:
            data = c.execute(select(schema.problems.c.data).where(schema.problems.c.name == name)).scalar()
        return Problem.model_validate_json(data, context=STORED) if data else None

    def problems(self) -> list[Problem]:
        with self._read() as c:
            rows = c.execute(select(schema.problems.c.data).order_by(schema.problems.c.updated_at)).scalars()
            return [Problem.model_validate_json(data, context=STORED) for data in rows]

    def current_problem_name(self) -> str | None:
        with self._read() as c:
            return c.execute(
                select(schema.meta.c.value).where(schema.meta.c.key == "current_problem")
            ).scalar()

    def _set_meta(self, c: Connection, key: str, value: str) -> None:
        _upsert(c, schema.meta, {"key": key}, {"value": value})

    # --------------------------------------------------------------------------------------- hypotheses

    def save_hypothesis(self, hypothesis: Hypothesis) -> None:
        table = schema.hypotheses
        with self._write() as c:
            _upsert(
                c,
                table,
                {"problem": hypothesis.problem, "id": hypothesis.id},
                {"status": hypothesis.status, "data": _dumps(hypothesis), "updated_at": hypothesis.updated_at},
            )

    def hypothesis(self, problem: str, hypothesis_id: str) -> Hypothesis | None:
        table = schema.hypotheses
        with self._read() as c:
            data = c.execute(
                select(table.c.data).where((table.c.problem == problem) & (table.c.id == hypothesis_id))
            ).scalar()
        return Hypothesis.model_validate_json(data, context=STORED) if data else None

    def hypotheses(self, problem: str | None = None, hypothesis_id: str | None = None) -> list[Hypothesis]:
        table = schema.hypotheses
        query = select(table.c.data).order_by(table.c.problem, table.c.id)
        if problem is not None:
            query = query.where(table.c.problem == problem)
        if hypothesis_id is not None:
            query = query.where(table.c.id == hypothesis_id)
        with self._read() as c:
            return [Hypothesis.model_validate_json(data, context=STORED) for data in c.execute(query).scalars()]

    # ------------------------------------------------------------------------------- results & decisions

    def add_results(self, problem: str, hypothesis_id: str, make: Callable[[int], list]) -> list:
        """Number and append the results ``make(first_look)`` builds, in one write transaction.

        The looks are counted inside the transaction that stores them (the hypothesis row locked on
        PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already admits one writer), so two kernels measuring the
        same hypothesis at the same instant record looks n+1 and n+2, never n+1 twice. ``make`` must be
        quick and pure (the statistics on arms already aggregated); each result moves the status to its
        verdict.
        """
        with self._write() as c:
            if c.dialect.name == "postgresql":
                table = schema.hypotheses
                c.execute(
                    select(table.c.id)
                    .where((table.c.problem == problem) & (table.c.id == hypothesis_id))
                    .with_for_update()
                )
            made = list(make(self._count_results(c, problem, hypothesis_id) + 1))
            for result in made:
                if getattr(result, "rehearsal", False):  # kept apart: no look, no status
                    insert_rehearsal(c, problem, result)
                    continue
                self._insert_result(c, problem, result)
                self._set_status(c, problem, result.hypothesis, result.verdict)
        return made

    def add_result(self, problem: str, result, status: str | None = None) -> None:
        """Append a result (any model with hypothesis, look, verdict, recorded_at) and move the status.

        A rehearsal (``result.rehearsal``) is kept apart instead and moves nothing: see :meth:`add_rehearsal`.
        """
        if getattr(result, "rehearsal", False):
            self.add_rehearsal(problem, result)
            return
        with self._write() as c:
            self._insert_result(c, problem, result)
            if status is not None:
                self._set_status(c, problem, result.hypothesis, status)

    def _insert_result(self, c: Connection, problem: str, result) -> None:
        c.execute(
            insert(schema.results).values(
                problem=problem,
                hypothesis=result.hypothesis,
                look=result.look,
                verdict=result.verdict,
                data=_dumps(result),
                recorded_at=result.recorded_at,
            )
        )

    def _set_status(self, c: Connection, problem: str, hypothesis_id: str, status: str) -> None:
        table = schema.hypotheses
        where = (table.c.problem == problem) & (table.c.id == hypothesis_id)
        data = c.execute(select(table.c.data).where(where)).scalar()
        if data is None:
            return
        hypothesis = Hypothesis.model_validate_json(data, context=STORED)
        hypothesis.status = status
        hypothesis.updated_at = utcnow()
        c.execute(
            table.update().where(where).values(status=status, data=_dumps(hypothesis), updated_at=utcnow())
        )

    def count_results(self, problem: str, hypothesis_id: str) -> int:
        with self._read() as c:
            return self._count_results(c, problem, hypothesis_id)

    def _count_results(self, c: Connection, problem: str, hypothesis_id: str) -> int:
        table = schema.results
        return c.execute(
            select(func.count()).where((table.c.problem == problem) & (table.c.hypothesis == hypothesis_id))
        ).scalar_one()

    def results(self, problem: str | None = None, hypothesis_id: str | None = None) -> list[Result]:
        """Every result, oldest first, validated into ``Result``."""
        return self._models(schema.results, Result, problem, hypothesis_id)

    def _models(self, table, model, problem: str | None, hypothesis_id: str | None) -> list:
        """The ``data`` of every row of an append-only ``table`` (results, evidence), oldest first, of one
        problem, one hypothesis or all, validated into ``model``."""
        query = select(table.c.data).order_by(table.c.seq)
        if problem is not None:
            query = query.where(table.c.problem == problem)
        if hypothesis_id is not None:
            query = query.where(table.c.hypothesis == hypothesis_id)
        with self._read() as c:
            return [model.model_validate_json(data, context=STORED) for data in c.execute(query).scalars()]

    def latest(self, table_name: str, problem: str | None = None) -> dict[tuple[str, str], Result | Decision]:
        """The newest ``Result`` or ``Decision`` (``table_name`` results or decisions) per (problem, hypothesis)."""
        model = _LATEST[table_name]
        table = getattr(schema, table_name)
        newest = select(func.max(table.c.seq)).group_by(table.c.problem, table.c.hypothesis)
        if problem is not None:
            newest = newest.where(table.c.problem == problem)
        query = select(table.c.problem, table.c.hypothesis, table.c.data).where(table.c.seq.in_(newest))
        with self._read() as c:
            return {(p, h): model.model_validate_json(data, context=STORED) for p, h, data in c.execute(query)}

    def latest_results(self, problem: str | None = None) -> dict[tuple[str, str], Result]:
        """The newest ``Result`` per (problem, hypothesis) of ``problem`` (or of every problem)."""
        return self.latest("results", problem)  # type: ignore[return-value]

    def latest_decisions(self, problem: str | None = None) -> dict[tuple[str, str], Decision]:
        """The newest ``Decision`` per (problem, hypothesis) of ``problem`` (or of every problem)."""
        return self.latest("decisions", problem)  # type: ignore[return-value]

    def add_decision(self, problem: str, decision: Decision) -> None:
        with self._write() as c:
            c.execute(
                insert(schema.decisions).values(
                    problem=problem,
                    hypothesis=decision.hypothesis,
                    data=_dumps(decision),
                    decided_at=decision.decided_at,
                )
            )

    def decisions(self, problem: str, hypothesis_id: str) -> list[Decision]:
        table = schema.decisions
        query = (
            select(table.c.data)
            .where((table.c.problem == problem) & (table.c.hypothesis == hypothesis_id))
            .order_by(table.c.seq)
        )
        with self._read() as c:
            return [Decision.model_validate_json(data, context=STORED) for data in c.execute(query).scalars()]

    # --------------------------------------------------------------------------------- events & artifacts

    def add_event(
        self,
        hypothesis_id: str,
        event: str,
        user: str,
        variant: str | None = None,
        value: float | None = None,
    ) -> None:
        with self._write() as c:
            c.execute(
                insert(schema.events).values(
                    hypothesis=hypothesis_id,
                    event=event,
                    user=user,
                    variant=variant,
                    value=value,
                    at=utcnow(),
                )
            )

    def events(self, hypothesis_id: str) -> list[dict[str, Any]]:
        table = schema.events
        query = (
            select(table.c.event, table.c.user, table.c.variant, table.c.value, table.c.at)
            .where(table.c.hypothesis == hypothesis_id)
            .order_by(table.c.seq)
        )
        with self._read() as c:
            return [dict(row._mapping) for row in c.execute(query)]

    def add_artifact(self, kind: str, key: str, data: dict[str, Any] | str) -> None:
        text = data if isinstance(data, str) else json.dumps(data, default=str)
        with self._write() as c:
            c.execute(insert(schema.artifacts).values(kind=kind, key=key, data=text, created_at=utcnow()))

    def artifacts(self, kind: str, key: str | None = None) -> list[dict[str, Any]]:
        table = schema.artifacts
        query = select(table.c.data).where(table.c.kind == kind).order_by(table.c.seq)
        if key is not None:
            query = query.where(table.c.key == key)
        with self._read() as c:
            return [json.loads(data) for data in c.execute(query).scalars()]

    # ------------------------------------------------------------------------------------------- counts

    def counts(self) -> dict[str, int]:
        tables = {
            "problems": schema.problems,
            "hypotheses": schema.hypotheses,
            "results": schema.results,
            "decisions": schema.decisions,
            "events": schema.events,
            "evidence": schema.evidence,
        }
        with self._read() as c:
            return {
                name: c.execute(select(func.count()).select_from(t)).scalar_one()
                for name, t in tables.items()
            }

    def backup(self, destination: str | os.PathLike) -> Path:
        """Copy a SQLite store with SQLite's online backup API (safe while others write).

        The copy is made beside ``destination`` and renamed over it once complete, so a failed or
        interrupted backup never leaves half a database under that name.
        """
        if not self.is_sqlite:
            raise StoreError("backup copies SQLite stores; use pg_dump for PostgreSQL")
        import sqlite3
        import tempfile

        destination = Path(destination)
        partial = None
        try:
            if destination.exists() and destination.resolve() == self.path.resolve():
                raise StoreError(f"cannot back up the store at {self.describe()} onto itself")
            destination.parent.mkdir(parents=True, exist_ok=True)
            fd, partial = tempfile.mkstemp(
                prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent
            )
            os.close(fd)
            os.chmod(partial, self.path.stat().st_mode & 0o777)  # as readable as the store, not mkstemp's 0600
            source = sqlite3.connect(str(self.path), timeout=_BUSY_TIMEOUT_S)
            target = sqlite3.connect(partial)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
            os.replace(partial, destination)
        except (OSError, ValueError, sqlite3.Error) as err:
            if partial is not None:
                Path(partial).unlink(missing_ok=True)
            raise StoreError(
                f"cannot back up the store to {str(destination)[:200]}: {_reason(err)}"
            ) from None
        return destination


def _not_utf8(err: UnicodeEncodeError) -> str:
    bad = err.object[err.start : err.end][:10] if isinstance(err.object, str) else ""
    return f"the text holds characters that are not valid UTF-8 ({bad!r}: undecodable bytes?)"


def _reason(err: BaseException) -> str:
    """The driver's own words, without SQL, parameters or SQLAlchemy's links."""
    original = getattr(err, "orig", None) or err
    text = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    return text[:200]
