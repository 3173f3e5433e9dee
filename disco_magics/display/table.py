"""The experiment table as static outputs: escaped HTML (kernel-free), text, Markdown and CSV.

The HTML is classes and one stylesheet, scoped to its root element: a live table republishes it on every
change, and inline styles made a 1,000-row copy 2 MB.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from ..model import ExperimentRow, ExperimentTable
from ._html import STATUS_COLOURS, esc, fmt, fmt_p

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
    ("decision", "Decision"),
    ("learning", "Learning"),
)


def lift_svg(row: ExperimentRow, width: int = 120, height: int = 18, styled: bool = True) -> str:
    """A small bar: the lift's 95% CI, its point, zero and the target lift, on one scale. ``styled``
    False leaves the colours to the table's stylesheet (classes ``dx-lift``, ``dx-VERDICT``)."""
    if row.lift is None or row.ci_low is None or row.ci_high is None:
        return ""
    target_lift = row.target - row.baseline if row.baseline is not None else None
    points = [0.0, row.lift, row.ci_low, row.ci_high] + ([target_lift] if target_lift is not None else [])
    lo, hi = min(points), max(points)
    span = (hi - lo) or 1.0
    lo, hi = lo - span * 0.08, hi + span * 0.08

    def x(v: float) -> float:
        return round(4 + (v - lo) / (hi - lo) * (width - 8), 1)

    if not styled:
        return _lift_marks(row, width, height, x, target_lift)
    colour = {"validated": "#1a7f37", "invalidated": "#cf222e"}.get(row.verdict or "", "#9a6700")
    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="lift {esc(fmt(row.lift))}, 95% CI {esc(fmt(row.ci_low))} to {esc(fmt(row.ci_high))}">',
        f'<line x1="{x(0)}" y1="2" x2="{x(0)}" y2="{height - 2}" stroke="#8c959f" stroke-width="1"/>',
        f'<line x1="{x(row.ci_low)}" y1="{height / 2}" x2="{x(row.ci_high)}" y2="{height / 2}" '
        f'stroke="{colour}" stroke-width="4" stroke-linecap="round" opacity="0.45"/>',
        f'<circle cx="{x(row.lift)}" cy="{height / 2}" r="3.5" fill="{colour}"/>',
    ]
    if target_lift is not None:
        parts.append(
            f'<line x1="{x(target_lift)}" y1="1" x2="{x(target_lift)}" y2="{height - 1}" stroke="#0969da" '
            'stroke-width="2" stroke-dasharray="3,2"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _lift_marks(
    row: ExperimentRow, width: int, height: int, x: Callable[[float], float], target_lift: float | None
) -> str:
    """``lift_svg`` drawn with classes: the same marks, coloured by the stylesheet."""
    mid = f"{height / 2:g}"
    target = (
        f'<line class="dx-target" x1="{x(target_lift)}" y1="1" x2="{x(target_lift)}" y2="{height - 1}"/>'
        if target_lift is not None
        else ""
    )
    # Hidden from screen readers: the cell says the same in words right under the drawing.
    return (
        f'<svg class="dx-lift dx-{esc(row.verdict or "none")}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-hidden="true">'
        f'<line class="dx-zero" x1="{x(0)}" y1="2" x2="{x(0)}" y2="{height - 2}"/>'
        f'<line class="dx-bar" x1="{x(row.ci_low)}" y1="{mid}" x2="{x(row.ci_high)}" y2="{mid}"/>'
        f'<circle cx="{x(row.lift)}" cy="{mid}" r="3.5"/>{target}</svg>'
    )


def _badge(word: str) -> str:
    # bold, so a page that drops the stylesheet (GitHub) still sets the word apart
    return f'<b class="dx-{esc(word)}">{esc(word)}</b>'


def _stylesheet() -> str:
    """The table's one stylesheet, every rule under its root class (an output's style is page-wide)."""
    root = ".disco-experiments"
    verdicts = {"validated": "#1a7f37", "invalidated": "#cf222e"}
    rules = [
        f"{root}{{font-family:system-ui,sans-serif;font-size:13px;overflow-x:auto}}",
        f"{root} .dx-title{{font-weight:600;margin:4px 0}}",
        f"{root} table{{border-collapse:collapse}}",
        f"{root} th{{text-align:left;padding:4px 8px;border-bottom:2px solid #d0d7de}}",
        f"{root} td{{padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}}",
        f"{root} td.dx-empty{{padding:8px;color:#57606a}}",
        f"{root} .dx-ci{{white-space:nowrap}}",
        f"{root} td>b,{root} td>span>b{{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;"
        "font-weight:600;color:#24292f;background:#eaeef2}",
        *(f"{root} b.dx-{word}{{color:{fg};background:{bg}}}" for word, (fg, bg) in STATUS_COLOURS.items()),
        f"{root} .dx-zero{{stroke:#8c959f;stroke-width:1}}",
        f"{root} .dx-bar{{stroke:#9a6700;stroke-width:4;stroke-linecap:round;opacity:.45}}",
        f"{root} .dx-lift circle{{fill:#9a6700}}",
        f"{root} .dx-target{{stroke:#0969da;stroke-width:2;stroke-dasharray:3,2}}",
        *(
            f"{root} .dx-{verdict} .dx-bar{{stroke:{colour}}}{root} .dx-{verdict} circle{{fill:{colour}}}"
            for verdict, colour in verdicts.items()
        ),
    ]
    return "<style>" + "".join(rules) + "</style>"


STYLESHEET = _stylesheet()


def _cell(row: ExperimentRow, key: str) -> str:
    value = getattr(row, key)
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
        return f'{lift_svg(row, styled=False)}<br><span class="dx-ci">{esc(fmt(row.lift))} {esc(ci)}</span>'
    if key == "p_value":
        return esc(fmt_p(value))
    if key == "n":
        return esc(f"{value:,}") if value is not None else "—"
    if key in ("verdict", "status", "decision"):
        if not value:
            return "—"
        if key == "decision" and row.without_evidence:
            return f'<span title="decided without evidence">{_badge(value)} ⚑</span>'
        return _badge(value)
    return esc(value) if value else ""


def table_html(table: ExperimentTable) -> str:
    """A static, escaped HTML table (what a saved notebook shows without a kernel)."""
    head = "".join(f"<th>{esc(label)}</th>" for _, label in COLUMNS)
    body = []
    for row in table.rows:
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
    keys = ("id", "metric", "baseline", "target", "observed", "lift", "n", "p_value", "verdict", "status", "decision")
    rows = [[_plain(r, k) for k in keys] for r in table.rows]
    header = ["ID", "metric", "baseline", "target", "observed", "lift [95% CI]", "n", "p", "verdict", "status", "decision"]
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
