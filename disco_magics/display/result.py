"""A Result as a mimebundle: a readable text summary, a compact HTML card with an inline SVG of the lift,
and the Result itself as JSON (for the JupyterLab renderer and for notebooks opened without a kernel)."""

from __future__ import annotations

import html
from typing import Any

from disco_magics.model.result import MetricKind, Result

__all__ = ["REHEARSAL_NOTE", "VERDICT_COLOURS", "lift_svg", "result_bundle", "result_html", "result_text"]

#: verdict -> (foreground, background)
VERDICT_COLOURS: dict[str, tuple[str, str]] = {
    "validated": ("#1a7f37", "#dafbe1"),
    "invalidated": ("#cf222e", "#ffebe9"),
    "inconclusive": ("#9a6700", "#fff8c5"),
}

_MINUS = "−"


# Small formatting twins of disco_magics.stats._format: display depends on the model only.
def _sig(x: float, digits: int) -> str:
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    text = f"{x:.{digits}g}"
    return f"{x:.2e}" if "e" in text else text


def _value(kind: MetricKind, x: float) -> str:
    return f"{_sig(100 * x, 3)}%" if kind == "proportion" else _sig(x, 4)


def _change(kind: MetricKind, x: float) -> str:
    sign = "+" if x > 0 else (_MINUS if x < 0 else "±")
    return f"{sign}{_sig(abs(100 * x), 3)} pp" if kind == "proportion" else f"{sign}{_sig(abs(x), 4)}"


def _relative(x: float) -> str:
    sign = "+" if x > 0 else (_MINUS if x < 0 else "±")
    return f"{sign}{_sig(abs(100 * x), 3)}%"


def _p(p: float) -> str:
    if p < 0.001:
        return "p < 0.001"
    text = f"{p:.3f}"
    if (float(text) < 0.05) != (p < 0.05):
        text = f"{p:.4f}"
    return f"p = {text}"


def _chance(c: float) -> str:
    if c > 0.999:
        return ">99.9%"
    if c < 0.001:
        return "<0.1%"
    return f"{100 * c:.1f}%"


def _rows(result: Result) -> list[tuple[str, str, str]]:
    """(arm, n, mean) rows, control (or the fixed baseline) first."""
    kind = result.metric_kind
    rows = []
    if result.control is None:
        rows.append(("fixed baseline", "—", _value(kind, result.reference)))
    else:
        rows.append((result.control.name, f"{result.control.n:,}", _value(kind, result.control.mean)))
    t = result.treatment
    rows.append((t.name, f"{t.n:,}", f"{_value(kind, t.mean)}"))
    return rows


def _facts(result: Result) -> list[tuple[str, str]]:
    kind = result.metric_kind
    facts = [
        (
            "lift",
            f"{_change(kind, result.lift)} (95% CI {_change(kind, result.ci_low)} to {_change(kind, result.ci_high)})",
        )
    ]
    if result.relative_lift is not None:
        rel = _relative(result.relative_lift)
        if result.rel_ci_low is not None and result.rel_ci_high is not None:
            rel += f" (95% CI {_relative(result.rel_ci_low)} to {_relative(result.rel_ci_high)})"
        facts.append(("relative lift", rel))
    facts += [
        ("p-value", _p(result.p_value)),
        ("chance to beat", _chance(result.chance_to_beat)),
        (
            "observed",
            f"{_value(kind, result.observed)} (95% CI {_value(kind, result.observed_ci_low)} to "
            f"{_value(kind, result.observed_ci_high)})",
        ),
        ("target", f"{_value(kind, result.target)} ({result.direction})"),
    ]
    if result.verdict == "inconclusive" and result.required_n_per_arm is not None:
        where = "per arm" if result.control is not None else f"in {result.treatment.name}"
        facts.append(("needed for 80% power", f"{result.required_n_per_arm:,} {where}"))
    if result.look > 1:
        facts.append(("look", str(result.look)))
    return facts


REHEARSAL_NOTE = "what the analysis would say on synthetic data with the effect you planted — not evidence"


def _rehearsal_lines(result: Result) -> list[str]:
    """Why this card is a rehearsal, and of which data: empty for a real measurement."""
    if not result.rehearsal:
        return []
    made = result.provenance.describe() if result.provenance else "data you marked as simulated (--rehearsal)"
    return [f"{REHEARSAL_NOTE}; {result.hypothesis} is unchanged.", f"Measured on {made}."]


def result_text(result: Result) -> str:
    """The plain-text summary: header, reason, arms, numbers."""
    label = f"REHEARSAL · {result.verdict.upper()}" if result.rehearsal else result.verdict.upper()
    rehearsal = _rehearsal_lines(result)
    if rehearsal:
        rehearsal[0] = f"Rehearsal: {rehearsal[0]}"
    lines = [f"{result.hypothesis} · {result.metric} — {label}", *rehearsal, result.reason]
    rows = _rows(result)
    width = max(len(name) for name, _, _ in rows)
    for name, n, mean in rows:
        lines.append(f"  {name:<{width}}  n={n:>10}  mean={mean}")
    lines += [f"  {label}: {value}" for label, value in _facts(result)]
    return "\n".join(lines)


def lift_svg(result: Result, width: int = 320, height: int = 64) -> str:
    """Inline SVG: the lift (point) with its 95% CI (bar), zero, and the target as a lift (dashed line)."""
    fg, _ = VERDICT_COLOURS[result.verdict]
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
    aria = html.escape(f"lift {_change(kind, result.lift)}, target {_change(kind, target)}", quote=True)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{aria}">',
        f'<line x1="{pad}" y1="{y}" x2="{width - pad}" y2="{y}" stroke="#d0d7de" stroke-width="1"/>',
        f'<line class="zero" x1="{zero_x}" y1="12" x2="{zero_x}" y2="{y + 12}" stroke="#57606a" stroke-width="1"/>',
        # the "0" label would sit on the lift's label when the two are close
        text(zero_x, y + 24, "#57606a", "0") if abs(zero_x - lift_x) > 36 else "",
        f'<line class="target" x1="{target_x}" y1="12" x2="{target_x}" y2="{y + 12}" stroke="#0969da" '
        'stroke-width="1.5" stroke-dasharray="4 3"/>',
        text(target_x, 9, "#0969da", f"target {_change(kind, target)}"),
        f'<line class="ci" x1="{x(result.ci_low)}" y1="{y}" x2="{x(result.ci_high)}" y2="{y}" stroke="{fg}" '
        'stroke-width="5" stroke-linecap="round" opacity="0.55"/>',
        f'<circle class="lift" cx="{lift_x}" cy="{y}" r="5" fill="{fg}"/>',
        text(lift_x, y + 24, fg, _change(kind, result.lift)),
        "</svg>",
    ]
    return "".join(parts)


def result_html(result: Result) -> str:
    """The compact card; every string from the result is escaped."""
    e = html.escape
    fg, bg = VERDICT_COLOURS[result.verdict]
    arms = "".join(
        f'<tr><td style="padding:1px 8px 1px 0">{e(name)}</td><td style="text-align:right;padding:1px 8px">'
        f'{e(n)}</td><td style="text-align:right;padding:1px 0 1px 8px">{e(mean)}</td></tr>'
        for name, n, mean in _rows(result)
    )
    facts = "".join(
        f'<tr><td style="color:#57606a;padding:1px 8px 1px 0">{e(k)}</td><td>{e(v)}</td></tr>'
        for k, v in _facts(result)
    )
    cautions = "".join(f"<li>{e(text)}</li>" for text in [*result.guards, *result.notes])
    caution_list = (
        f'<ul style="margin:6px 0 0 18px;padding:0;color:#57606a">{cautions}</ul>' if cautions else ""
    )
    rehearsal = _rehearsal_lines(result)
    border = "1px dashed #57606a" if rehearsal else f"1px solid {fg}"
    banner = (
        '<p class="disco-rehearsal" style="margin:6px 0;padding:4px 8px;background:#f6f8fa;color:#57606a;'
        f'border-radius:4px"><strong>Rehearsal</strong> — {e(rehearsal[0])}'
        f"<br>{e(rehearsal[1])}</p>"
        if rehearsal
        else ""
    )
    tag = (
        '<span class="disco-rehearsal-tag" style="color:#57606a;border:1px dashed #57606a;border-radius:10px;'
        'padding:0 8px">rehearsal</span>'
        if rehearsal
        else ""
    )
    return (
        f'<div class="disco-result disco-{e(result.verdict)}{" disco-rehearsal-card" if rehearsal else ""}" '
        f'style="border:{border};border-radius:6px;'
        f'padding:8px 12px;max-width:640px;font-family:system-ui,sans-serif;font-size:13px;line-height:1.4">'
        f'<div style="display:flex;gap:8px;align-items:baseline">'
        f"<strong>{e(result.hypothesis)}</strong><span>{e(result.metric)}</span>{tag}"
        f'<span class="disco-verdict" style="margin-left:auto;color:{fg};background:{bg};border-radius:10px;'
        f'padding:0 8px;font-weight:600">{e(result.verdict)}</span></div>{banner}'
        f'<p class="disco-reason" style="margin:6px 0">{e(result.reason)}</p>'
        f'<div style="display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start">'
        f'<table style="border-collapse:collapse"><thead><tr><th style="text-align:left;padding:1px 8px 1px 0">arm</th>'
        f'<th style="text-align:right;padding:1px 8px">n</th>'
        f'<th style="text-align:right;padding:1px 0 1px 8px">mean</th></tr></thead>'
        f"<tbody>{arms}</tbody></table>{lift_svg(result)}</div>"
        f'<table style="border-collapse:collapse;margin-top:6px">{facts}</table>{caution_list}</div>'
    )


def result_bundle(result: Result) -> dict[str, Any]:
    """``{"text/plain", "text/html", "application/vnd.disco.result+json"}`` for IPython's display."""
    return {
        "text/plain": result_text(result),
        "text/html": result_html(result),
        result.media_type(): result.model_dump(mode="json"),
    }
