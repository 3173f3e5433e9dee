"""A Result as a mimebundle: a readable text summary, a compact HTML card with an inline SVG of the lift,
and the Result itself as JSON (for the JupyterLab renderer and for notebooks opened without a kernel)."""

from __future__ import annotations

import html
from typing import Any

from disco_magics.model.result import MetricKind, Result

__all__ = ["VERDICT_COLOURS", "lift_svg", "result_bundle", "result_html", "result_text"]

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


#: how each interval is named on the card (the verdict's reason uses the same words)
_INTERVAL = {"fixed": "95% CI", "sequential": "95% always-valid CI", "credible": "95% credible interval"}


def _test(result: Result) -> str:
    """Which test produced the numbers: engine, interval, CUPED."""
    if result.engine == "bayesian":
        words = (
            "Bayesian, improper prior"
            if result.prior_sd is None
            else f"Bayesian, prior N({_sig(result.prior_mean or 0.0, 4)}, {_sig(result.prior_sd, 4)}²) on the lift"
        )
    elif result.sequential:
        words = f"sequential, always valid (N* = {result.sequential_tuning:,.0f} users)"
    else:
        words = "fixed horizon"
    if result.covariate:
        theta = f", θ {_sig(result.cuped_theta, 3)}" if result.cuped_theta else ""
        words += f" + CUPED on {result.covariate}{theta}"
    return words


def _facts(result: Result) -> list[tuple[str, str]]:
    kind = result.metric_kind
    label = _INTERVAL[result.interval]
    facts = [
        (
            "lift",
            f"{_change(kind, result.lift)} ({label} {_change(kind, result.ci_low)} to {_change(kind, result.ci_high)})",
        )
    ]
    if result.relative_lift is not None:
        rel = _relative(result.relative_lift)
        if result.rel_ci_low is not None and result.rel_ci_high is not None:
            rel += f" ({label} {_relative(result.rel_ci_low)} to {_relative(result.rel_ci_high)})"
        facts.append(("relative lift", rel))
    if result.engine == "bayesian":
        facts.append(("chance to beat", _chance(result.chance_to_beat)))
        if result.risk is not None:
            facts.append(("risk (expected loss)", _change(kind, result.risk).lstrip("+±")))
    else:
        facts += [
            ("sequential p-value" if result.sequential else "p-value", _p(result.p_value)),
            ("chance to beat", _chance(result.chance_to_beat)),
        ]
    facts += [
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
    if result.engine != "frequentist" or result.sequential or result.covariate:
        facts.append(("test", _test(result)))
    return facts


def result_text(result: Result) -> str:
    """The plain-text summary: header, reason, arms, numbers."""
    lines = [f"{result.hypothesis} · {result.metric} — {result.verdict.upper()}", result.reason]
    rows = _rows(result)
    width = max(len(name) for name, _, _ in rows)
    for name, n, mean in rows:
        lines.append(f"  {name:<{width}}  n={n:>10}  mean={mean}")
    lines += [f"  {label}: {value}" for label, value in _facts(result)]
    return "\n".join(lines)


def lift_svg(result: Result, width: int = 320, height: int = 64) -> str:
    """Inline SVG: the lift (point) with its interval (bar), zero, and the target as a lift (dashed line)."""
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
    return (
        f'<div class="disco-result disco-{e(result.verdict)}" style="border:1px solid {fg};border-radius:6px;'
        f'padding:8px 12px;max-width:640px;font-family:system-ui,sans-serif;font-size:13px;line-height:1.4">'
        f'<div style="display:flex;gap:8px;align-items:baseline">'
        f"<strong>{e(result.hypothesis)}</strong><span>{e(result.metric)}</span>"
        f'<span class="disco-verdict" style="margin-left:auto;color:{fg};background:{bg};border-radius:10px;'
        f'padding:0 8px;font-weight:600">{e(result.verdict)}</span></div>'
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
