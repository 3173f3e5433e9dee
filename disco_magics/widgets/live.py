"""Live experiment tables: each displayed table follows the session and keeps its saved copy current.

A ``LiveExperimentTable`` subscribes to the session. After every change (a hypothesis framed or re-run,
a result recorded, a decision made) it refreshes the affected rows from the store and pushes them to
the widget at once. It then re-publishes the display bundle by ``display_id``, so the static
``text/html`` and the table's JSON saved in the notebook show the last state: right away for a change
made between cells (a decision typed in the widget), and at the end of the cell for changes a running
cell makes (a loop recording a hundred results republishes once). Decisions typed in the widget go
through ``api.decide`` like any other.

This module is glue between the session and the widget (it imports ``api`` and, to publish displays,
IPython); the widget itself depends on the model only.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from ..model import ExperimentRow, ExperimentTable
from .table import ExperimentTableWidget, StaticTable, row_json, table_header

__all__ = ["LiveExperimentTable", "current_cell_id", "flush_stale_tables", "live_tables", "track_cells"]

log = logging.getLogger(__name__)

#: ``publish(data, metadata, display_id, update)``: how a bundle reaches the frontend
Publisher = Callable[[dict[str, Any], dict[str, Any], str, bool], None]

Key = tuple[str, str]  # (problem, hypothesis id)

_LIVE: dict[str, LiveExperimentTable] = {}  # display_id -> table, while it is open
_LIVE_LOCK = threading.Lock()

# While a cell runs, static copies are republished once, when it ends (see _CellTracker).
_RUNNING_CELL = threading.Event()
_STALE: dict[str, LiveExperimentTable] = {}


def live_tables() -> list[LiveExperimentTable]:
    """The tables currently following the session, oldest first."""
    with _LIVE_LOCK:
        return list(_LIVE.values())


def _ipython_publish(data: dict[str, Any], metadata: dict[str, Any], display_id: str, update: bool) -> None:
    from IPython.display import display

    display(data, metadata=metadata, raw=True, display_id=display_id, update=update)


class LiveExperimentTable:
    """The experiment table of one problem (or of all), live in the notebook.

    Parameters
    ----------
    problem : str, optional
        The problem to show; default the current one (resolved now, so the table keeps showing it).
    all : bool
        Show every problem's hypotheses.
    session : Session, optional
        Default: the kernel's session.
    publish : callable, optional
        ``publish(data, metadata, display_id, update)``; default ``IPython.display.display(raw=True)``.
    cell_id : str, optional
        The notebook cell showing the table; re-running or deleting that cell closes the table.
    """

    #: how a row change reaches the saved copy: now, or when the running cell ends
    defer_static_while_running = True

    def __init__(
        self,
        problem: str | None = None,
        all: bool = False,
        *,
        session: Any = None,
        publish: Publisher | None = None,
        cell_id: str | None = None,
    ) -> None:
        from .. import api
        from ..session import get_session

        self.session = session if session is not None else get_session()
        table = api.experiment_table(problem, all, session=self.session)
        self.scope: str | None = table.problem
        self.display_id = uuid.uuid4().hex
        self.cell_id = cell_id
        self._publish = publish or _ipython_publish
        self._lock = threading.RLock()
        self._closed = False
        self._displayed = False
        self._rows: dict[Key, ExperimentRow] = {}
        self._dumps: dict[Key, dict[str, Any]] = {}
        self._json: dict[Key, str] = {}  # each row's JSON, encoded once per change of that row
        self._take(table.rows)
        self._static = StaticTable()
        self._static_stale = True
        self.widget = ExperimentTableWidget()
        self._push()
        self.widget.on_decide(self._decide)
        self.widget.on_close(self._on_widget_close)
        self._unsubscribe = self.session.subscribe(self._on_change)
        with _LIVE_LOCK:
            _LIVE[self.display_id] = self

    # ------------------------------------------------------------------------------------------ display

    def show(self) -> None:
        """Display the table (widget + static bundle) under this table's ``display_id``."""
        with self._lock:
            self._rebuild_static()
            data, metadata = self.widget.mimebundle()
            self._publish(data, metadata, self.display_id, False)
            self._displayed = True

    def flush(self) -> None:
        """Republish the display with the current static table, if rows changed since the last time."""
        with self._lock:
            with _LIVE_LOCK:
                _STALE.pop(self.display_id, None)
            if self._closed or not self._static_stale:
                return
            self._rebuild_static()
            if self._displayed:
                data, metadata = self.widget.mimebundle()
                self._publish(data, metadata, self.display_id, True)

    def _rebuild_static(self) -> None:
        if self._static_stale:
            rows, dumps = list(self._rows.values()), list(self._dumps.values())
            self.widget.static = self._static.bundle(rows, dumps, self.scope)
            self._static_stale = False

    def _ipython_display_(self) -> None:
        self.show()

    @property
    def rows(self) -> list[ExperimentRow]:
        return list(self._rows.values())

    @property
    def table(self) -> ExperimentTable:
        return ExperimentTable(rows=self.rows, problem=self.scope)

    # -------------------------------------------------------------------------------------- following

    def _on_change(self, kind: str, obj: Any) -> None:
        # Called from inside api functions: a failure here must never fail the user's cell.
        try:
            with self._lock:
                if self._closed or not self._refresh(kind, obj):
                    return
                self._push()
            if self.defer_static_while_running and _RUNNING_CELL.is_set():
                with _LIVE_LOCK:
                    _STALE[self.display_id] = self
            else:
                self.flush()
        except Exception as err:
            log.exception("refreshing the experiment table failed")
            self.widget.show_notice("", "error", f"the table could not refresh: {err}")

    def refresh(self) -> None:
        """Reload every row from the store (what ``%experiments`` would show now)."""
        with self._lock:
            if not self._closed and self._rebuild():
                self._push()
        self.flush()

    def _refresh(self, kind: str, obj: Any) -> bool:
        if kind == "hypothesis":
            problem, hypothesis_id = _field(obj, "problem"), _field(obj, "id")
            if problem is None or hypothesis_id is None:
                return self._rebuild()
            if self.scope is not None and problem != self.scope:
                return False
            return self._refresh_rows([(problem, hypothesis_id)])
        if kind in ("result", "decision"):
            hypothesis_id = _field(obj, "hypothesis") or _field(obj, "id")
            if hypothesis_id is None:
                return self._rebuild()
            problem = _field(obj, "problem")
            keys = [k for k in self._rows if k[1] == hypothesis_id and problem in (None, k[0])]
            # A result or decision for a hypothesis this table does not show changes nothing here.
            return self._refresh_rows(keys) if keys else False
        if kind == "problem" and self.scope is not None and _field(obj, "name") not in (None, self.scope):
            return False
        return self._rebuild()

    def _refresh_rows(self, keys: Iterable[Key]) -> bool:
        from .. import api

        changed = False
        for problem, hypothesis_id in keys:
            row = api.experiment_row(hypothesis_id, problem, session=self.session)
            key = (problem, hypothesis_id)
            if row is None:
                changed |= self._rows.pop(key, None) is not None
                self._dumps.pop(key, None)
                self._json.pop(key, None)
                continue
            dump = row.model_dump(mode="json")
            if self._dumps.get(key) == dump:
                continue
            is_new = key not in self._rows
            self._rows[key], self._dumps[key], self._json[key] = row, dump, row_json(dump)
            if is_new:  # keep the store's order: by problem, then ID
                self._rows = dict(sorted(self._rows.items()))
                self._dumps = {k: self._dumps[k] for k in self._rows}
                self._json = {k: self._json[k] for k in self._rows}
            changed = True
        return changed

    def _rebuild(self) -> bool:
        from .. import api

        table = api.experiment_table(self.scope, self.scope is None, session=self.session)
        before = list(self._dumps.values())
        self._take(table.rows)
        return list(self._dumps.values()) != before

    def _take(self, rows: list[ExperimentRow]) -> None:
        self._rows = {(r.problem, r.id): r for r in rows}
        self._dumps = {key: r.model_dump(mode="json") for key, r in self._rows.items()}
        self._json = {key: row_json(dump) for key, dump in self._dumps.items()}

    def _push(self) -> None:
        """The rows to every view of the widget, now; the static copy is marked stale."""
        self.widget.set_rows(
            list(self._dumps.values()),
            self.scope,
            table_header(self.scope)["generated_at"],
            list(self._json.values()),
        )
        self._static_stale = True

    # -------------------------------------------------------------------------------------- decisions

    def _decide(self, problem: str, hypothesis_id: str, decision: str, learning: str) -> dict[str, Any]:
        from .. import api
        from ..errors import DiscoError

        try:
            made = api.decide(
                hypothesis_id, decision, learning, problem=problem or None, session=self.session
            )
        except DiscoError as err:
            return {"level": "error", "text": err.one_line()}
        if made.without_evidence:
            return {
                "level": "warn",
                "text": f"Saved {made.decision}; flagged: no result recorded for {hypothesis_id}",
            }
        return {"level": "ok", "text": f"Saved {made.decision}"}

    # ------------------------------------------------------------------------------------------ close

    def close(self) -> None:
        """Stop following the session and close the widget (its output stays as the static table)."""
        if self._closed:
            return
        self.widget.close()  # calls _on_widget_close

    def _on_widget_close(self) -> None:
        with self._lock:
            self._closed = True
            self._unsubscribe()
        with _LIVE_LOCK:
            _LIVE.pop(self.display_id, None)
            _STALE.pop(self.display_id, None)

    @property
    def closed(self) -> bool:
        return self._closed

    def __repr__(self) -> str:
        scope = self.scope or "all problems"
        state = "closed" if self._closed else "live"
        return f"<LiveExperimentTable {scope}: {len(self._rows)} hypotheses, {state}>"


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


# ------------------------------------------------------------------------------------------ notebook cells


def current_cell_id(shell: Any) -> str | None:
    """The notebook cell being executed, when the frontend says (JupyterLab, Notebook 7, VS Code)."""
    get_parent = getattr(shell, "get_parent", None)
    parent = get_parent() if callable(get_parent) else None
    metadata = (parent or {}).get("metadata") or {}
    cell_id = metadata.get("cellId")
    return str(cell_id) if cell_id else None


def _deleted_cells(shell: Any) -> list[str]:
    get_parent = getattr(shell, "get_parent", None)
    parent = get_parent() if callable(get_parent) else None
    return [str(c) for c in ((parent or {}).get("metadata") or {}).get("deletedCells") or []]


def flush_stale_tables() -> None:
    """Republish every table whose rows changed while a cell ran."""
    with _LIVE_LOCK:
        stale = list(_STALE.values())
    for table in stale:
        try:
            table.flush()
        except Exception:  # one broken table must not keep the others stale
            log.exception("republishing the experiment table failed")


class _CellTracker:
    """Around every cell: closes the tables of a cell that runs again (its outputs are cleared) or was
    deleted; while it runs, static copies wait; when it ends, they are republished once."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell

    def after(self, _result: Any = None) -> None:
        _RUNNING_CELL.clear()
        flush_stale_tables()

    def __call__(self, info: Any) -> None:
        _RUNNING_CELL.set()
        gone = set(_deleted_cells(self.shell))
        cell_id = getattr(info, "cell_id", None) or current_cell_id(self.shell)
        if cell_id:
            gone.add(str(cell_id))
        if not gone:
            return
        for table in live_tables():
            if table.cell_id in gone:
                table.close()


def track_cells(shell: Any) -> None:
    """Install (once per shell) the hooks around cells: close the tables of a re-run or deleted cell,
    and republish changed tables once when a cell ends."""
    if shell is None or getattr(shell, "events", None) is None:
        return
    callbacks = shell.events.callbacks.get("pre_run_cell", [])
    if not any(isinstance(cb, _CellTracker) for cb in callbacks):
        tracker = _CellTracker(shell)
        shell.events.register("pre_run_cell", tracker)
        shell.events.register("post_run_cell", tracker.after)
