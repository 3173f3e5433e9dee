"""The experiment table as static outputs: escaped HTML (kernel-free), text, Markdown and CSV.

The HTML is classes and one stylesheet, scoped to its root element: a live table republishes it on every
change, and inline styles made a 1,000-row copy 2 MB.
"""

from __future__ import annotations

import csv
import io

from ..model import ExperimentRow, ExperimentTable
from ._html import esc, fmt, fmt_p
from ._palette import BADGE, INK, TARGET, ZERO, ink
from .lift import lift_bar

COLUMNS = (
    ("id", "ID"),
    ("statement", "Hypothesis"),
    ("risk", "Risk"),
    ("metric", "Metric"),
    ("baseline", "Baseline"),
    ("target", "Target"),
    ("observed", "Observed"),
    ("lift", "Lift (95% CI)"),
    ("n", "n"),
    ("p_value", "p"),
    ("verdict", "Verdict"),
    ("status", "Status"),
    ("evidence", "Evidence"),
    ("decision", "Decision"),
    ("learning", "Learning"),
)


def _badge(word: str) -> str:
    # bold, so a page that drops the stylesheet (GitHub) still sets the word apart
    return f'<b class="dx-{esc(word)}">{esc(word)}</b>'


def _stylesheet() -> str:
    """The table's one stylesheet, every rule under its root class (an output's style is page-wide)."""
    root = ".disco-experiments"
    rules = [
        f"{root}{{font-family:system-ui,sans-serif;font-size:13px;overflow-x:auto}}",
        f"{root} .dx-title{{font-weight:600;margin:4px 0}}",
        f"{root} table{{border-collapse:collapse}}",
        f"{root} th{{text-align:left;padding:4px 8px;border-bottom:2px solid #d0d7de}}",
        f"{root} td{{padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}}",
        f"{root} td.dx-empty{{padding:8px;color:#57606a}}",
        f"{root} .dx-ci{{white-space:nowrap}}",
        f"{root} .dx-post-hoc{{color:{INK['invalidated']};white-space:nowrap}}",
        f"{root} .disco-rehearsal{{color:#57606a;font-size:11px;white-space:nowrap}}",
        f"{root} td>b,{root} td>span>b{{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;"
        "font-weight:600;color:#24292f;background:#eaeef2}",
        *(f"{root} b.dx-{word}{{color:{fg};background:{bg}}}" for word, (fg, bg) in BADGE.items()),
        # the lift drawing (``lift_bar(classes=True)``)
        f"{root} .dx-zero{{stroke:{ZERO};stroke-width:1}}",
        f"{root} .dx-bar{{stroke:{ink(None)};stroke-width:4;stroke-linecap:round;opacity:.45}}",
        f"{root} .dx-lift circle{{fill:{ink(None)}}}",
        f"{root} .dx-target{{stroke:{TARGET};stroke-width:2;stroke-dasharray:3,2}}",
        *(
            f"{root} .dx-{verdict} .dx-bar{{stroke:{colour}}}{root} .dx-{verdict} circle{{fill:{colour}}}"
            for verdict, colour in INK.items()
        ),
    ]
    return "<style>" + "".join(rules) + "</style>"


STYLESHEET = _stylesheet()

#: how the table marks a hypothesis whose goalposts moved after data
POST_HOC_MARK = "⚑ post hoc"


def evidence_words(row: ExperimentRow) -> str:
    """``2 (1+ 1−) qualitative``: how much evidence, which way, and the strongest kind so far."""
    if row.evidence_level == "none":
        return "none"
    counted = f"{row.evidence} ({row.supports}+ {row.contradicts}−) " if row.evidence else ""
    return f"{counted}{row.evidence_level}"


#: from this many rows on, the static table is lean (see ``table_html``)
LEAN_ROWS = 200


def _cell(row: ExperimentRow, key: str, lean: bool = False) -> str:
    value = getattr(row, key)
    if key == "evidence":
        return esc(evidence_words(row))
    if key == "id" and row.post_hoc:
        return (
            f'{esc(value)} <span class="dx-post-hoc" title="goalposts moved after data">{POST_HOC_MARK}</span>'
        )
    if key == "statement":
        short = row.short_statement
        # the whole statement as a tooltip, when the cell shows less of it
        return f'<span title="{esc(row.statement)}">{esc(short)}</span>' if short != row.statement else esc(short)
    if key in ("baseline", "target", "observed"):
        return esc(fmt(value))
    if key == "lift":
        if row.lift is None:
            return "—"
        ci = f"[{fmt(row.ci_low)}, {fmt(row.ci_high)}]"
        if lean:
            return f"{esc(fmt(row.lift))} {esc(ci)}"
        return f'{lift_bar(row, classes=True)}<br><span class="dx-ci">{esc(fmt(row.lift))} {esc(ci)}</span>'
    if key == "p_value":
        return esc(fmt_p(value))
    if key == "n":
        return esc(f"{value:,}") if value is not None else "—"
    if key == "verdict" and row.rehearsal:  # apart from the evidence, muted, and said to be a rehearsal
        note = (
            '<br><span class="disco-rehearsal" title="the latest rehearsal on synthetic data: not evidence">'
            f"rehearsal: {esc(row.rehearsal)}</span>"
        )
        return f"{_badge(value) if value else '—'}{note}"
    if key in ("verdict", "status", "decision"):
        if not value:
            return "—"
        if key == "decision" and row.without_evidence:
            return f'<span title="decided without evidence">{_badge(value)} ⚑</span>'
        return _badge(value)
    return esc(value) if value else ""


def table_html(table: ExperimentTable, lean: bool | None = None) -> str:
    """A static, escaped HTML table (what a saved notebook shows without a kernel).

    ``lean`` (default: from ``LEAN_ROWS`` rows on) keeps every column but writes each row in as few bytes
    as HTML allows: no lift drawing (the CI stays as text), no ``data-hypothesis``, and the optional end
    tags ``</td>`` and ``</tr>`` left out. A live table republishes this copy on every change.
    """
    if lean is None:
        lean = len(table.rows) >= LEAN_ROWS
    head = "".join(f"<th>{esc(label)}</th>" for _, label in COLUMNS)
    body = []
    for row in table.rows:
        if lean:
            body.append("<tr>" + "".join(f"<td>{_cell(row, key, True)}" for key, _ in COLUMNS))
            continue
        cells = "".join(f"<td>{_cell(row, key)}</td>" for key, _ in COLUMNS)
        body.append(f'<tr data-hypothesis="{esc(row.id)}">{cells}</tr>')
    if not body:
        body.append(f'<tr><td class="dx-empty" colspan="{len(COLUMNS)}">No hypotheses yet.</td></tr>')
    scope = f"problem {esc(table.problem)}" if table.problem else "all problems"
    return (
        f'<div class="disco-experiments">{STYLESHEET}'
        f'<div class="dx-title">Experiments — {scope}</div>'
        f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
        "</div>"
    )


def _plain(row: ExperimentRow, key: str) -> str:
    value = getattr(row, key)
    if key == "evidence":
        return evidence_words(row)
    if key == "id" and row.post_hoc:
        return f"{value} {POST_HOC_MARK}"
    if key == "statement":
        return row.short_statement
    if key == "lift":
        return "" if row.lift is None else f"{fmt(row.lift)} [{fmt(row.ci_low)}, {fmt(row.ci_high)}]"
    if key == "p_value":
        return "" if value is None else fmt_p(value)
    if key in ("baseline", "target", "observed"):
        return "" if value is None else fmt(value)
    if key == "decision" and value and row.without_evidence:
        return f"{value} (no evidence)"
    return "" if value is None else str(value)


def table_text(table: ExperimentTable) -> str:
    keys = (
        "id", "metric", "baseline", "target", "observed", "lift", "n", "p_value", "verdict", "status", "evidence",
        "decision",
    )  # fmt: skip
    rows = [[_plain(r, k) for k in keys] for r in table.rows]
    header = [
        "ID", "metric", "baseline", "target", "observed", "lift [95% CI]", "n", "p", "verdict", "status", "evidence",
        "decision",
    ]  # fmt: skip
    if any(r.rehearsal for r in table.rows):  # the last rehearsal, apart: synthetic data is not evidence
        header.append("rehearsal (not evidence)")
        for row, cells in zip(table.rows, rows, strict=True):
            cells.append(row.rehearsal or "")
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    if not rows:
        lines.append("(no hypotheses yet)")
    return "\n".join(line.rstrip() for line in lines)


def table_markdown(table: ExperimentTable) -> str:
    def cell(text: str) -> str:
        return " ".join(text.split()).replace("|", "\\|")

    header = "| " + " | ".join(label for _, label in COLUMNS) + " |"
    rule = "|" + "---|" * len(COLUMNS)
    rows = ["| " + " | ".join(cell(_plain(r, k)) for k, _ in COLUMNS) + " |" for r in table.rows]
    return "\n".join([header, rule, *rows]) + "\n"


def table_csv(table: ExperimentTable) -> str:
    out = io.StringIO()
    fields = list(ExperimentRow.model_fields)
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    for row in table.rows:
        writer.writerow(row.model_dump(mode="json"))
    return out.getvalue()
