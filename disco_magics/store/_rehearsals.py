"""Rehearsals: results measured on synthetic data, kept apart from the evidence.

A rehearsal lives with the artifacts (kind ``rehearsal``, key ``problem/hypothesis``), never in the results
table: every query that counts looks, finds the latest result, moves a status, freezes a pre-registration
or builds the report reads the results table, so none can take a rehearsal for evidence.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select

from ..model import Result, utcnow
from . import schema

__all__ = ["REHEARSAL", "Rehearsals", "insert_rehearsal"]

#: the artifact kind rehearsal results are kept under
REHEARSAL = "rehearsal"


def insert_rehearsal(c: Connection, problem: str, result: Result) -> None:
    """Keep ``result`` (a rehearsal of ``problem``) inside the caller's write transaction."""
    c.execute(
        insert(schema.artifacts).values(
            kind=REHEARSAL,
            key=f"{problem}/{result.hypothesis}",
            data=result.model_dump_json(),
            created_at=utcnow(),
        )
    )


class Rehearsals:
    """The store's rehearsal queries (mixed into ``Store``, which provides ``_write`` and ``_read``)."""

    def add_rehearsal(self, problem: str, result: Result) -> None:
        """Keep a rehearsal result of ``problem``; no status, look or verdict changes."""
        with self._write() as c:
            insert_rehearsal(c, problem, result)

    def rehearsals(self, problem: str, hypothesis_id: str) -> list[Result]:
        """Every rehearsal of a hypothesis, oldest first."""
        table = schema.artifacts
        query = (
            select(table.c.data)
            .where((table.c.kind == REHEARSAL) & (table.c.key == f"{problem}/{hypothesis_id}"))
            .order_by(table.c.seq)
        )
        with self._read() as c:
            return [Result.model_validate_json(data) for data in c.execute(query).scalars()]

    def latest_rehearsals(self, problem: str | None = None) -> dict[tuple[str, str], Result]:
        """The newest rehearsal per (problem, hypothesis) of ``problem`` (or of every problem)."""
        table = schema.artifacts
        newest = select(func.max(table.c.seq)).where(table.c.kind == REHEARSAL).group_by(table.c.key)
        if problem is not None:  # autoescape: '_' and '%' in a name are not wildcards
            newest = newest.where(table.c.key.startswith(f"{problem}/", autoescape=True))
        query = select(table.c.key, table.c.data).where(table.c.seq.in_(newest))
        with self._read() as c:
            return {tuple(key.split("/", 1)): Result.model_validate_json(data) for key, data in c.execute(query)}
