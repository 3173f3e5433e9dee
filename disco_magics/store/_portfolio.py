"""The portfolio's one query: every hypothesis with its newest result and decision, as stored JSON."""

from __future__ import annotations

from sqlalchemy import func, select

from . import schema

__all__ = ["PortfolioRows"]


class PortfolioRows:
    """Mixed into ``Store`` (which provides ``_read``)."""

    def hypothesis_rows(self) -> list[tuple[str, str, str, str | None, str | None]]:
        """Every hypothesis as stored JSON with its newest result's and decision's JSON (or None), in one
        query: ``(problem, id, hypothesis, result, decision)`` ordered by problem and ID. For readers that
        validate only what changed since they last looked (the portfolio server)."""
        h, r, d = schema.hypotheses, schema.results.alias("r"), schema.decisions.alias("d")
        newest_r = (
            select(schema.results.c.problem, schema.results.c.hypothesis, func.max(schema.results.c.seq).label("seq"))
            .group_by(schema.results.c.problem, schema.results.c.hypothesis)
            .subquery("newest_r")
        )
        newest_d = (
            select(
                schema.decisions.c.problem, schema.decisions.c.hypothesis, func.max(schema.decisions.c.seq).label("seq")
            )
            .group_by(schema.decisions.c.problem, schema.decisions.c.hypothesis)
            .subquery("newest_d")
        )
        joined = (
            h.outerjoin(newest_r, (newest_r.c.problem == h.c.problem) & (newest_r.c.hypothesis == h.c.id))
            .outerjoin(r, r.c.seq == newest_r.c.seq)
            .outerjoin(newest_d, (newest_d.c.problem == h.c.problem) & (newest_d.c.hypothesis == h.c.id))
            .outerjoin(d, d.c.seq == newest_d.c.seq)
        )
        query = select(h.c.problem, h.c.id, h.c.data, r.c.data, d.c.data).select_from(joined).order_by(h.c.problem, h.c.id)
        with self._read() as c:
            return [tuple(row) for row in c.execute(query)]
