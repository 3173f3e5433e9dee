"""The store's tables (SQLAlchemy Core) and the migrations between schema versions.

Every model is kept whole as JSON (``data``), beside the few columns that are looked up or ordered by.
A new version appends a migration to ``MIGRATIONS``; an old store is upgraded in place, never broken.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

SCHEMA_VERSION = 2

metadata = MetaData()

meta = Table(
    "disco_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

problems = Table(
    "disco_problems",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("data", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

hypotheses = Table(
    "disco_hypotheses",
    metadata,
    Column("problem", String(64), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("data", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

results = Table(
    "disco_results",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("problem", String(64), nullable=False),
    Column("hypothesis", String(64), nullable=False),
    Column("look", Integer, nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("data", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_disco_results_hypothesis", "problem", "hypothesis", "seq"),
)

decisions = Table(
    "disco_decisions",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("problem", String(64), nullable=False),
    Column("hypothesis", String(64), nullable=False),
    Column("data", Text, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Index("ix_disco_decisions_hypothesis", "problem", "hypothesis", "seq"),
)

events = Table(
    "disco_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("hypothesis", String(64), nullable=False),
    Column("event", String(64), nullable=False),
    Column("user", String(128), nullable=False),
    Column("variant", String(64), nullable=True),
    Column("value", Float, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_disco_events_hypothesis", "hypothesis", "event"),
)

artifacts = Table(
    "disco_artifacts",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("key", String(128), nullable=False),
    Column("data", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_disco_artifacts_key", "kind", "key", "seq"),
)

evidence = Table(
    "disco_evidence",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("problem", String(64), nullable=False),
    Column("hypothesis", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("signal", String(16), nullable=False),
    Column("data", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_disco_evidence_hypothesis", "problem", "hypothesis", "seq"),
)


def _add_evidence(connection: Connection) -> None:
    """Version 2: the evidence log (``%%evidence``). Idempotent, so it may run under another number."""
    evidence.create(connection, checkfirst=True)


#: version -> the step that upgrades a store from ``version - 1``; run inside the schema transaction.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {2: _add_evidence}
