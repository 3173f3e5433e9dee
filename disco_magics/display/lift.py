"""The lift, drawn one way: its 95% CI as a bar, its point, zero, and the target as a lift — all from the
numbers the models carry (``Result.target_lift``, ``ExperimentRow.target_lift``: the target minus the
reference the lift is measured from), in the one palette. Two sizes of the same drawing: the compact bar
of a table cell or report card, and the labelled chart of a result card. The widget (``widgets/table.js``)
and the lab extension draw the same ``target_lift``; they never compute it.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from .. import formats
from ..model import ExperimentRow, Result
from ._html import esc, fmt
from ._palette import TARGET, ZERO, ink

__all__ = ["lift_bar", "lift_chart"]


def lift_bar(row: ExperimentRow, width: int = 120, height: int = 18, classes: bool = False) -> str:
    """The compact drawing (table cells, report cards): the lift's 95% CI, its point, zero and the target.
    ``classes`` leaves the colours to a stylesheet (the static table's): classes ``dx-lift dx-VERDICT``
    on the drawing, ``dx-zero``, ``dx-bar`` and ``dx-target`` on its lines."""
    if row.lift is None or row.ci_low is None or row.ci_high is None:
        return ""
    target_lift = row.target_lift
    points = [0.0, row.lift, row.ci_low, row.ci_high] + ([target_lift] if target_lift is not None else [])
    lo, hi = min(points), max(points)
    span = (hi - lo) or 1.0
    lo, hi = lo - span * 0.08, hi + span * 0.08

    def x(v: float) -> float:
        return round(4 + (v - lo) / (hi - lo) * (width - 8), 1)

    if classes:
        return _lift_bar_classes(row, width, height, x, target_lift)
    colour = ink(row.verdict)
    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="lift {esc(fmt(row.lift))}, 95% CI {esc(fmt(row.ci_low))} to {esc(fmt(row.ci_high))}">',
        f'<line x1="{x(0)}" y1="2" x2="{x(0)}" y2="{height - 2}" stroke="{ZERO}" stroke-width="1"/>',
        f'<line x1="{x(row.ci_low)}" y1="{height / 2}" x2="{x(row.ci_high)}" y2="{height / 2}" '
        f'stroke="{colour}" stroke-width="4" stroke-linecap="round" opacity="0.45"/>',
        f'<circle cx="{x(row.lift)}" cy="{height / 2}" r="3.5" fill="{colour}"/>',
    ]
    if target_lift is not None:
        parts.append(
            f'<line x1="{x(target_lift)}" y1="1" x2="{x(target_lift)}" y2="{height - 1}" stroke="{TARGET}" '
            'stroke-width="2" stroke-dasharray="3,2"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _lift_bar_classes(
    row: ExperimentRow, width: int, height: int, x: Callable[[float], float], target_lift: float | None
) -> str:
    mid = f"{height / 2:g}"
    target = (
        f'<line class="dx-target" x1="{x(target_lift)}" y1="1" x2="{x(target_lift)}" y2="{height - 1}"/>'
        if target_lift is not None
        else ""
    )
    # Hidden from screen readers: the table cell says the same in words right under the drawing.
    return (
        f'<svg class="dx-lift dx-{esc(row.verdict or "none")}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-hidden="true">'
        f'<line class="dx-zero" x1="{x(0)}" y1="2" x2="{x(0)}" y2="{height - 2}"/>'
        f'<line class="dx-bar" x1="{x(row.ci_low)}" y1="{mid}" x2="{x(row.ci_high)}" y2="{mid}"/>'
        f'<circle cx="{x(row.lift)}" cy="{mid}" r="3.5"/>{target}</svg>'
    )


def lift_chart(result: Result, width: int = 320, height: int = 64) -> str:
    """The labelled drawing (a result card): the lift (point) with its 95% CI (bar), zero, and the target as
    a lift (dashed line), each with its value."""
    fg = ink(result.verdict)
    kind = result.metric_kind
    target = result.target_lift
    lo = min(result.ci_low, 0.0, target)
    hi = max(result.ci_high, 0.0, target)
    span = hi - lo or max(abs(hi), 1e-12)
    lo, hi = lo - 0.08 * span, hi + 0.08 * span
    pad, y = 12, 30

    def x(v: float) -> float:
        return round(pad + (v - lo) / (hi - lo) * (width - 2 * pad), 2)

    def text(at: float, baseline: float, colour: str, words: str) -> str:
        # keep labels inside the picture near its edges
        anchor = "start" if at < 50 else ("end" if at > width - 50 else "middle")
        return (
            f'<text x="{at}" y="{baseline}" font-size="10" text-anchor="{anchor}" fill="{colour}">'
            f"{html.escape(words)}</text>"
        )

    lift_x, zero_x, target_x = x(result.lift), x(0.0), x(target)
    aria = html.escape(f"lift {formats.change(kind, result.lift)}, target {formats.change(kind, target)}", quote=True)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{aria}">',
        f'<line x1="{pad}" y1="{y}" x2="{width - pad}" y2="{y}" stroke="#d0d7de" stroke-width="1"/>',
        f'<line class="zero" x1="{zero_x}" y1="12" x2="{zero_x}" y2="{y + 12}" stroke="#57606a" stroke-width="1"/>',
        # the "0" label would sit on the lift's label when the two are close
        text(zero_x, y + 24, "#57606a", "0") if abs(zero_x - lift_x) > 36 else "",
        f'<line class="target" x1="{target_x}" y1="12" x2="{target_x}" y2="{y + 12}" stroke="{TARGET}" '
        'stroke-width="1.5" stroke-dasharray="4 3"/>',
        text(target_x, 9, TARGET, f"target {formats.change(kind, target)}"),
        f'<line class="ci" x1="{x(result.ci_low)}" y1="{y}" x2="{x(result.ci_high)}" y2="{y}" stroke="{fg}" '
        'stroke-width="5" stroke-linecap="round" opacity="0.55"/>',
        f'<circle class="lift" cx="{lift_x}" cy="{y}" r="5" fill="{fg}"/>',
        text(lift_x, y + 24, fg, formats.change(kind, result.lift)),
        "</svg>",
    ]
    return "".join(parts)
