"""The store's evidence log (``%%evidence``) and the per-hypothesis results the evidence level reads.

A mixin of ``Store``: it uses the store's ``_write`` / ``_read`` transactions, so the same atomicity and the
same one-line errors hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select

from ..model import Evidence, Result
from ..model._base import STORED
from . import schema

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from sqlalchemy import Connection


class EvidenceRecords:
    """Evidence from real users, and results grouped by hypothesis."""

    if TYPE_CHECKING:  # provided by Store

        def _write(self) -> AbstractContextManager[Connection]: ...
        def _read(self) -> AbstractContextManager[Connection]: ...
        def _models(self, table, model, problem: str | None, hypothesis_id: str | None) -> list: ...

    def add_evidence(self, evidence: Evidence) -> None:
        with self._write() as c:
            c.execute(
                insert(schema.evidence).values(
                    problem=evidence.problem,
                    hypothesis=evidence.hypothesis,
                    kind=evidence.kind,
                    signal=evidence.signal,
                    data=evidence.model_dump_json(),
                    recorded_at=evidence.recorded_at,
                )
            )

    def evidence(self, problem: str | None = None, hypothesis_id: str | None = None) -> list[Evidence]:
        """Every piece of evidence, oldest first (of one problem, one hypothesis, or all)."""
        return self._models(schema.evidence, Evidence, problem, hypothesis_id)

    def evidence_counts(self, problem: str | None = None) -> dict[tuple[str, str], dict[str, int]]:
        """Per (problem, hypothesis): how many pieces of evidence carry each signal."""
        table = schema.evidence
        query = select(table.c.problem, table.c.hypothesis, table.c.signal, func.count()).group_by(
            table.c.problem, table.c.hypothesis, table.c.signal
        )
        if problem is not None:
            query = query.where(table.c.problem == problem)
        counts: dict[tuple[str, str], dict[str, int]] = {}
        with self._read() as c:
            for p, h, signal, n in c.execute(query):
                counts.setdefault((p, h), {})[signal] = n
        return counts

    def results_by_hypothesis(self, problem: str | None = None) -> dict[tuple[str, str], list[Result]]:
        """Every stored result per (problem, hypothesis), oldest first: what the evidence level reads."""
        table = schema.results
        query = select(table.c.problem, table.c.hypothesis, table.c.data).order_by(table.c.seq)
        if problem is not None:
            query = query.where(table.c.problem == problem)
        found: dict[tuple[str, str], list[Result]] = {}
        with self._read() as c:
            for p, h, data in c.execute(query):
                found.setdefault((p, h), []).append(Result.model_validate_json(data, context=STORED))
        return found
