"""The store backends the reliability tests run against: SQLite (a file in ``tmp_path``) and PostgreSQL.

``backend`` is parametrized over ``["sqlite", "postgresql"]``. PostgreSQL needs a running server named by
``DISCO_TEST_POSTGRES_URL`` (``scripts/test.sh`` starts one on loopback); without it those cases skip. Each
test gets its own brand-new database, created in AUTOCOMMIT and dropped afterwards, so tests never see each
other's rows and the schema is created from nothing every time.

A test module takes the fixture by name: ``backend = store_fixtures.backend``.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

POSTGRES_ENV = "DISCO_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]


@dataclass(frozen=True)
class Backend:
    """One store under test: ``url`` is what a user puts in ``DISCO_STORE`` (a path for SQLite)."""

    kind: str
    url: str

    @property
    def path(self) -> Path | None:
        return Path(self.url) if self.kind == "sqlite" else None

    def open(self):
        from disco_magics.store import Store

        return Store(self.url)

    def integrity_problems(self) -> list[str]:
        """What the database's own checker finds wrong; empty when it is sound.

        SQLite: ``PRAGMA integrity_check``. PostgreSQL: amcheck's ``bt_index_check`` on every index of the
        store's tables (B-tree structure and heap consistency), when the extension is available.
        """
        if self.kind == "sqlite":
            raw = sqlite3.connect(self.url, timeout=60)
            try:
                rows = [r[0] for r in raw.execute("PRAGMA integrity_check").fetchall()]
            finally:
                raw.close()
            return [] if rows == ["ok"] else rows
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as c:
                try:
                    c.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
                except Exception:  # amcheck missing or not allowed: nothing more to ask the server
                    return []
                indexes = c.execute(
                    text(
                        "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                        "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname LIKE 'disco\\_%'"
                    )
                ).scalars()
                problems = []
                for index in list(indexes):
                    try:
                        c.execute(text("SELECT bt_index_check(CAST(:i AS regclass), true)"), {"i": index})
                    except Exception as err:  # pragma: no cover - only on a corrupt index
                        problems.append(f"{index}: {err}")
                return problems
        finally:
            engine.dispose()


def _with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


@contextmanager
def fresh_postgres_database(url: str) -> Iterator[str]:
    """Create a uniquely named database on the server of ``url``; yield its URL; drop it afterwards."""
    from sqlalchemy import create_engine, text

    name = f"disco_t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        yield _with_database(url, name)
    finally:
        with admin.connect() as c:
            # FORCE: a worker killed mid-test may still hold a connection the server has not reaped yet
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path) -> Iterator[Backend]:
    """A brand-new, empty store location on each backend (nothing is created until a Store opens it)."""
    if request.param == "sqlite":
        yield Backend("sqlite", str(tmp_path / "store.db"))
        return
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is unset: scripts/test.sh starts a loopback PostgreSQL and sets it")
    with fresh_postgres_database(url) as database:
        yield Backend("postgresql", database)
