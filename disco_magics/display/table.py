"""The experiment table as static outputs: escaped HTML (kernel-free), text, Markdown and CSV."""

from __future__ import annotations

import csv
import io

from ..model import ExperimentRow, ExperimentTable
from ._html import badge, esc, fmt, fmt_p
from ._palette import INK
from .lift import lift_bar as lift_svg

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


#: how the table marks a hypothesis whose goalposts moved after data
POST_HOC_MARK = "⚑ post hoc"


def evidence_words(row: ExperimentRow) -> str:
    """``2 (1+ 1−) qualitative``: how much evidence, which way, and the strongest kind so far."""
    if row.evidence_level == "none":
        return "none"
    counted = f"{row.evidence} ({row.supports}+ {row.contradicts}−) " if row.evidence else ""
    return f"{counted}{row.evidence_level}"


def _cell(row: ExperimentRow, key: str) -> str:
    value = getattr(row, key)
    if key == "evidence":
        return esc(evidence_words(row))
    if key == "id" and row.post_hoc:
        return (
            f'{esc(value)} <span class="disco-post-hoc" title="goalposts moved after data" '
            f'style="color:{INK["invalidated"]};white-space:nowrap">{POST_HOC_MARK}</span>'
        )
    if key == "statement":
        return f'<span title="{esc(row.statement)}">{esc(row.short_statement)}</span>'
    if key in ("baseline", "target", "observed"):
        return esc(fmt(value))
    if key == "lift":
        if row.lift is None:
            return "—"
        ci = f"[{fmt(row.ci_low)}, {fmt(row.ci_high)}]"
        return f'{lift_svg(row)}<br><span style="white-space:nowrap">{esc(fmt(row.lift))} {esc(ci)}</span>'
    if key == "p_value":
        return esc(fmt_p(value))
    if key == "n":
        return esc(f"{value:,}") if value is not None else "—"
    if key in ("verdict", "status", "decision"):
        flag = " ⚑" if key == "decision" and row.without_evidence else ""
        title = ' title="decided without evidence"' if flag else ""
        return f"<span{title}>{badge(value)}{flag}</span>" if value else "—"
    return esc(value) if value else ""


def table_html(table: ExperimentTable) -> str:
    """A static, escaped HTML table (what a saved notebook shows without a kernel)."""
    head = "".join(
        f'<th style="text-align:left;padding:4px 8px;border-bottom:2px solid #d0d7de">{esc(label)}</th>'
        for _, label in COLUMNS
    )
    body = []
    for row in table.rows:
        cells = "".join(
            f'<td style="padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top">{_cell(row, key)}</td>'
            for key, _ in COLUMNS
        )
        body.append(f'<tr data-hypothesis="{esc(row.id)}">{cells}</tr>')
    if not body:
        body.append(f'<tr><td colspan="{len(COLUMNS)}" style="padding:8px;color:#57606a">No hypotheses yet.</td></tr>')
    scope = f"problem {esc(table.problem)}" if table.problem else "all problems"
    return (
        '<div class="disco-experiments" style="font-family:system-ui,sans-serif;font-size:13px;overflow-x:auto">'
        f'<div style="font-weight:600;margin:4px 0">Experiments — {scope}</div>'
        f'<table style="border-collapse:collapse"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
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
