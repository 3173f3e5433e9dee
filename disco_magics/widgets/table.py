"""The experiment table widget: synced rows, the view state, and decisions sent back from the browser.

The widget knows the model only. What it shows comes from ``set_table``; what the user decides comes
back through ``on_decide``. ``live.py`` wires it to the session. Its display bundle carries, next to the
widget view, the static escaped table (``text/html``) and the table's JSON, so a saved notebook opened
without a kernel still has the last state of the table.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..display._palette import palette_css
from ..model import DECISIONS, RISKS, STATUSES, ExperimentRow, ExperimentTable

__all__ = ["WIDGET_VIEW", "DecideRequest", "ExperimentTableWidget", "StaticTable", "static_bundle"]

log = logging.getLogger(__name__)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_HERE = Path(__file__).parent

#: ``(problem, hypothesis_id, decision, learning)`` from the browser -> a notice for the user
DecideRequest = Callable[[str, str, str, str], dict[str, Any]]


class ExperimentTableWidget(anywidget.AnyWidget):
    """One row per hypothesis; sortable, filterable; decisions and learnings editable in place.

    ``rows`` are ``ExperimentRow.model_dump(mode="json")`` dicts. They travel to the browser as one JSON
    text, ``rows_json``, joined from per-row JSON the live table caches: synced as a list of a thousand
    dicts, every refresh would cost ipywidgets a walk of every dict (looking for binary buffers) and a
    fresh encoding of every row, three times the rest of a refresh. After the first sync only the rows
    that changed travel, as a ``{"type": "rows"}`` message the views apply to the rows they hold
    (``rows_seq`` changes whenever the whole text is synced again); ``rows_json`` stays current here,
    so a frontend that connects later gets every row. ``sort`` and ``filters`` are view state kept on
    the model, so a view re-created by a display update (or a second view) keeps them.
    """

    _esm = _HERE / "table.js"
    # the stylesheet, then the status colours from the one palette the static outputs use
    _css = (_HERE / "table.css").read_text(encoding="utf-8") + palette_css()

    rows_json = traitlets.Unicode("[]", help="The rows, as a JSON array of ExperimentRow dumps.").tag(
        sync=True
    )
    #: bumped whenever ``rows_json`` is synced whole: the views drop the rows patched since
    rows_seq = traitlets.Int(0).tag(sync=True)
    scope = traitlets.Unicode(None, allow_none=True, help="The problem shown; None for all problems.").tag(
        sync=True
    )
    generated_at = traitlets.Unicode("").tag(sync=True)
    decisions = traitlets.List(traitlets.Unicode(), default_value=list(DECISIONS)).tag(sync=True)
    risks = traitlets.List(traitlets.Unicode(), default_value=list(RISKS)).tag(sync=True)
    statuses = traitlets.List(traitlets.Unicode(), default_value=list(STATUSES)).tag(sync=True)
    sort = traitlets.Dict({"key": "", "desc": False}).tag(sync=True)
    filters = traitlets.Dict({"problem": "", "risk": "", "status": "", "text": ""}).tag(sync=True)
    #: the answer to the last decision sent from the browser: {key, level, text, seq}
    notice = traitlets.Dict({}).tag(sync=True)
    #: identifies this table to the view code (drafts survive a re-created view)
    table_key = traitlets.Unicode("").tag(sync=True)

    def __init__(self, table: ExperimentTable | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("table_key", uuid.uuid4().hex)
        super().__init__(**kwargs)
        self._static: dict[str, Any] = {}
        self._rows: list[dict[str, Any]] = []
        self._sent: dict[tuple[str, str], str] = {}  # each row's JSON as the browser has it
        self._quiet_rows = False
        self._decide: DecideRequest | None = None
        self._on_close: list[Callable[[], None]] = []
        self._notice_seq = 0
        self.on_msg(self._handle_message)
        if table is not None:
            self.set_table(table)

    # ------------------------------------------------------------------------------------------ state

    def set_table(self, table: ExperimentTable) -> None:
        """Show ``table``: its rows, and its static bundle (``LiveExperimentTable`` caches both)."""
        static = static_bundle(table)
        payload = static[ExperimentTable.media_type()]
        self.set_rows(payload["rows"], table.problem, payload["generated_at"])
        self.static = static

    def set_rows(
        self,
        rows: list[dict[str, Any]],
        scope: str | None,
        generated_at: str,
        rows_json: list[str] | None = None,
    ) -> None:
        """Show ``rows`` (``ExperimentRow`` dumps) of ``scope`` in every view, now. ``rows_json``, the
        rows already encoded one by one, saves encoding them again."""
        if rows_json is None:
            rows_json = [row_json(row) for row in rows]
        keys = [(str(row.get("problem")), str(row.get("id"))) for row in rows]
        sent, fresh = self._sent, dict(zip(keys, rows_json, strict=True))
        changed = [text for key, text in fresh.items() if sent.get(key) is not text and sent.get(key) != text]
        removed = [f"{problem}/{hypothesis}" for problem, hypothesis in sent.keys() - fresh.keys()]
        # A patch when it is smaller than the rows; the whole text when most rows changed.
        patch = bool(sent) and len(fresh) == len(keys) and 2 * (len(changed) + len(removed)) < len(fresh)
        self._rows, self._sent = rows, fresh
        with self.hold_sync():
            self.scope = scope
            self.generated_at = generated_at
            self._quiet_rows = patch
            try:
                self.rows_json = "[" + ",".join(rows_json) + "]"
            finally:
                self._quiet_rows = False
            if not patch:
                self.rows_seq += 1
        if patch and (changed or removed):
            self.send({"type": "rows", "upsert": "[" + ",".join(changed) + "]", "remove": removed})

    def _should_send_property(self, key: str, value: Any) -> bool:
        # Rows sent as a patch are in the browser already: keep the trait current, send nothing.
        if key == "rows_json" and self._quiet_rows:
            return False
        return super()._should_send_property(key, value)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The rows shown, as ``ExperimentRow`` dumps."""
        return self._rows

    @property
    def static(self) -> dict[str, Any]:
        """The kernel-free part of the bundle: ``text/plain``, ``text/html`` and the table's JSON."""
        return self._static

    @static.setter
    def static(self, bundle: dict[str, Any]) -> None:
        self._static = bundle

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        return {**data, **self._static}, metadata

    def mimebundle(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The whole display bundle, (data, metadata): the widget view plus the static table."""
        return self._repr_mimebundle_() or ({**self._static}, {})

    # ------------------------------------------------------------------------------------- decisions

    def on_decide(self, handler: DecideRequest) -> None:
        """Call ``handler(problem, id, decision, learning)`` when the user saves a decision; it returns
        the notice to show: ``{"level": "ok" | "warn" | "error", "text": ...}``."""
        self._decide = handler

    def _handle_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "decide":
            return
        problem = str(content.get("problem") or "")
        hypothesis_id = str(content.get("id") or "")
        key = f"{problem}/{hypothesis_id}"
        request = content.get("request")
        if self._decide is None:
            self.show_notice(key, "error", "this table is not connected to a session", request)
            return
        try:
            answer = self._decide(
                problem, hypothesis_id, str(content.get("decision") or ""), str(content.get("learning") or "")
            )
        except Exception as err:  # the browser has no traceback to show; say what failed, log the rest
            log.exception("saving a decision from the experiment table failed")
            self.show_notice(key, "error", "not saved: " + " ".join(str(err).split())[:300], request)
            return
        self.show_notice(key, answer.get("level", "ok"), answer.get("text", "saved"), request)

    def show_notice(self, key: str, level: str, text: str, request: Any = None) -> None:
        self._notice_seq += 1
        self.notice = {"key": key, "level": level, "text": text, "seq": self._notice_seq, "request": request}

    # ----------------------------------------------------------------------------------------- close

    def on_close(self, callback: Callable[[], None]) -> None:
        self._on_close.append(callback)

    def close(self) -> None:
        callbacks, self._on_close = self._on_close, []
        for callback in callbacks:
            callback()
        super().close()


def row_json(row: dict[str, Any]) -> str:
    """One row as the browser receives it."""
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


def static_bundle(table: ExperimentTable, rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``text/plain``, the escaped ``text/html`` table and ``application/vnd.disco.experiments+json``."""
    from ..display.table import table_html

    if rows is None:
        rows = [row.model_dump(mode="json") for row in table.rows]
    return {
        "text/plain": _text(table.rows, table.problem),
        "text/html": table_html(table),
        ExperimentTable.media_type(): _payload(rows, table.problem),
    }


def _payload(rows: list[dict[str, Any]], scope: str | None) -> dict[str, Any]:
    """The table's JSON: ``ExperimentTable.model_dump(mode="json")`` (rows already dumped), or, for a
    table of ``LEAN_ROWS`` rows or more, the header only with ``"rows_in": "text/html"``.

    A live table republishes its whole bundle on every change, and the rows in both the HTML and the
    JSON made a 1,000-row update 1.2 MB; the lean HTML holds every column, so the lab extension reads the
    rows from it (``rowsFromHtml`` in labextension/src/parse.ts). ``problems`` gives each row's problem
    when the table shows all of them (the HTML has no problem column).
    """
    from ..display.table import LEAN_ROWS

    if len(rows) < LEAN_ROWS:
        return {"rows": rows, **table_header(scope)}
    payload = {**table_header(scope), "rows_in": "text/html", "count": len(rows)}
    if scope is None:
        payload["problems"] = [row["problem"] for row in rows]
    return payload


def table_header(scope: str | None) -> dict[str, Any]:
    """``problem`` and ``generated_at`` (now) as the table's JSON has them."""
    return ExperimentTable(problem=scope).model_dump(mode="json", exclude={"rows"})


#: text/plain lists this many rows; a notebook shows the HTML, a terminal does not need a thousand lines
TEXT_ROWS = 100


def _text(rows: list[ExperimentRow], scope: str | None) -> str:
    from ..display.table import LEAN_ROWS, table_text

    if len(rows) >= LEAN_ROWS:  # a terminal does not need a thousand lines, nor a live update their bytes
        return _summary(rows, scope)

    text = table_text(ExperimentTable(rows=rows[:TEXT_ROWS], problem=scope))
    if len(rows) > TEXT_ROWS:
        text += f"\n… and {len(rows) - TEXT_ROWS:,} more hypotheses"
    return text


def _summary(rows: list[ExperimentRow], scope: str | None) -> str:
    """One line for a big table: how many hypotheses, with results, decided."""
    tested = sum(row.verdict is not None for row in rows)
    decided = sum(row.decision is not None for row in rows)
    where = f"problem {scope}" if scope else "all problems"
    return (
        f"Experiments — {where}: {len(rows):,} hypotheses, {tested:,} with a result, {decided:,} decided "
        "(the table is the HTML output; %experiments --export PATH writes it as CSV)"
    )


class StaticTable:
    """The static bundle of a live table, rebuilt row by row.

    ``display.table.table_html`` is a frame around one ``<tr>`` per row; rendering only the rows that
    changed keeps a refresh of a 1,000-row table in milliseconds. The result is the same string
    ``table_html`` gives for the whole table (a test holds it to that); should the frame ever stop being
    a plain frame, the whole table is rendered instead.
    """

    OPEN, CLOSE = "<tbody>", "</tbody>"

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        # (scope, lean, before rows, after rows)
        self._frame: tuple[str | None, bool, str, str] | None = None

    def bundle(
        self, rows: list[ExperimentRow], dumps: list[dict[str, Any]], scope: str | None
    ) -> dict[str, Any]:
        return {
            "text/plain": _text(rows, scope),
            "text/html": self.html(rows, dumps, scope),
            ExperimentTable.media_type(): _payload(dumps, scope),
        }

    def html(self, rows: list[ExperimentRow], dumps: list[dict[str, Any]], scope: str | None) -> str:
        from ..display.table import LEAN_ROWS, table_html

        lean = len(rows) >= LEAN_ROWS
        if not rows:
            return table_html(ExperimentTable(rows=[], problem=scope))
        # a frame of another scope or leanness: every row is rendered again
        refresh_all = self._frame is None or self._frame[:2] != (scope, lean)
        fragments = []
        fresh: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        for row, dump in zip(rows, dumps, strict=True):
            key = (row.problem, row.id)
            cached = self._rows.get(key)
            unchanged = cached is not None and (cached[0] is dump or cached[0] == dump)
            if not unchanged or refresh_all:
                one = table_html(ExperimentTable(rows=[row], problem=scope), lean)
                parts = one.split(self.OPEN)
                if len(parts) != 2 or parts[1].count(self.CLOSE) != 1:
                    self._rows.clear()
                    self._frame = None
                    return table_html(ExperimentTable(rows=rows, problem=scope), lean)
                body, after = parts[1].split(self.CLOSE)
                self._frame = (scope, lean, parts[0] + self.OPEN, self.CLOSE + after)
                cached = (dump, body)
            fresh[key] = cached
            fragments.append(cached[1])
        self._rows = fresh
        _, _, before, after = self._frame
        return before + "".join(fragments) + after
