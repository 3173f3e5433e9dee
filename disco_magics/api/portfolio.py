"""The team's portfolio: every problem, hypothesis, verdict and decision in a store, across notebooks.

One function, ``portfolio``, builds it from the store for the CLI (``disco portfolio``), the read-only
server extension (``disco_magics.server``) and the lab view alike. Hypothesis rows are the experiment
table's (``ExperimentRow.from_evidence``), so a column added there reaches the portfolio too.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from ..errors import DiscoError
from ..model import Portfolio, PortfolioHypothesis, PortfolioProblem
from ..model.origin import Origin

__all__ = ["portfolio", "portfolio_store_url"]


def portfolio_store_url(root: str | os.PathLike | None = None, store: str | None = None) -> str:
    """The store a portfolio reads: ``store``, else ``DISCO_STORE``, else ``ROOT/.disco/discovery.db``."""
    from ..store.repository import DEFAULT_PATH, resolve_url

    chosen = store or os.environ.get("DISCO_STORE") or str(Path(root or ".") / DEFAULT_PATH)
    return resolve_url(chosen)


def portfolio(
    store: str | None = None,
    *,
    root: str | os.PathLike | None = None,
    create: bool = False,
    reuse: dict | None = None,
) -> Portfolio:
    """Every problem in the store with its hypotheses (status, verdict, decision, learning, notebook, cell).

    Parameters
    ----------
    store : str, optional
        A path or database URL; default ``DISCO_STORE``, else ``ROOT/.disco/discovery.db``.
    root : path, optional
        The folder notebook paths are shown relative to (the server root; default the current folder).
    create : bool
        Open a SQLite store that does not exist yet (creating it). Default False: a missing store is an
        empty portfolio that says so, and nothing is written.
    reuse : dict, optional
        A dict the caller keeps between calls (the server does): a hypothesis whose stored JSON, newest
        result and newest decision are unchanged since the last call is reused, not validated again, so a
        refresh after one change costs one row, not ten thousand.

    Never raises for a store it cannot read: the portfolio is empty and ``reason`` says why in one line.
    """
    from ..store.repository import Store, describe_url, is_memory_url

    root_path = Path(root or ".").absolute()
    try:
        url = portfolio_store_url(root_path, store)
    except DiscoError as err:
        return Portfolio(store="?", reason=err.message)
    shown = describe_url(url)
    if url.startswith("sqlite:///") and not is_memory_url(url) and not create:
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_file():
            return Portfolio(store=shown, reason=f"no store at {shown} yet: run a notebook with %%problem first")
    try:
        opened = Store(url)
    except DiscoError as err:
        return Portfolio(store=shown, reason=err.message)
    try:
        return _build(opened, shown, root_path, {} if reuse is None else reuse)
    except DiscoError as err:
        return Portfolio(store=shown, reason=err.message)
    finally:
        opened.close()


def _build(store, shown: str, root: Path, reuse: dict) -> Portfolio:
    from ..model import Decision, Hypothesis, Result
    from ..model._base import STORED
    from ..model.evidence import evidence_level

    problems = {p.name: p for p in store.problems()}
    by_problem: dict[str, list[PortfolioHypothesis]] = {}
    relative: dict[str | None, str | None] = {}  # notebook -> shown path: many hypotheses share a notebook
    seen = set()
    signals = store.evidence_counts()  # one query: logged evidence per hypothesis, by signal
    for problem, hid, stored, result, decision in store.hypothesis_rows():
        key = (problem, hid)
        seen.add(key)
        counted = signals.get(key, {})
        version = (stored, result, decision, root, tuple(sorted(counted.items())))
        cached = reuse.get(key)
        if cached is not None and cached[0] == version:
            row = cached[1]
        else:
            h = Hypothesis.model_validate_json(stored, context=STORED)
            latest = Result.model_validate_json(result, context=STORED) if result else None
            row = PortfolioHypothesis.from_evidence(
                h,
                latest,
                Decision.model_validate_json(decision, context=STORED) if decision else None,
                signals=counted,
                # from the latest look only (the table reads every look): one on tracked events reads
                # "prototype" even when an earlier look measured data
                evidence_level=evidence_level(sum(counted.values()), [latest] if latest else []),
            )
            # ExperimentRow.from_evidence builds the columns (post_hoc, evidence); provenance and the kill
            # mark are the portfolio's. Gap: the latest rehearsal is not passed, so `rehearsal` stays None.
            notebook, cell = _where(h.origin, root, relative)
            # model_copy: three fields set without validating the row a fourth time
            row = row.model_copy(update={"notebook": notebook, "cell": cell, "killed": row.decision == "kill"})
            reuse[key] = (version, row)
        by_problem.setdefault(problem, []).append(row)
    for gone in set(reuse) - seen:
        del reuse[gone]
    names = list(problems) + sorted(set(by_problem) - set(problems))
    made = []
    for name in names:
        found = problems.get(name)
        notebook, cell = _where(found.origin if found else None, root, relative)
        # model_construct: every part is validated already (re-validating 10,000 rows twice costs seconds)
        made.append(
            PortfolioProblem.model_construct(
                name=name,
                statement=found.statement if found else "",
                segment=found.segment if found else None,
                metrics=found.metric_names if found else [],
                notebook=notebook,
                cell=cell,
                hypotheses=by_problem.get(name, []),
            )
        )
    return Portfolio.model_construct(store=shown, problems=made)


def _where(
    origin: Origin | None, root: Path, seen: dict[str | None, str | None]
) -> tuple[str | None, str | None]:
    """The origin's notebook relative to ``root`` (POSIX separators), and its cell."""
    if origin is None:
        return None, None
    if origin.notebook not in seen:
        seen[origin.notebook] = _relative(origin.notebook, root)
    return seen[origin.notebook], origin.cell


def _relative(notebook: str | None, root: Path) -> str | None:
    if not notebook:
        return None
    path = Path(notebook)
    if not path.is_absolute():  # already relative to the server root (JPY_SESSION_NAME without a name)
        return PurePosixPath(*path.parts).as_posix()
    try:
        return path.relative_to(root).as_posix()
    except ValueError:  # outside the root: shown as it is, and the lab view cannot open it
        return notebook
