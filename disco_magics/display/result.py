"""A Result as a mimebundle: a readable text summary, a compact HTML card with an inline SVG of the lift,
and the Result itself as JSON (for the JupyterLab renderer and for notebooks opened without a kernel)."""

from __future__ import annotations

import html
from typing import Any

from .. import formats
from ..model.result import Result
from ._palette import BADGE, INK
from .lift import lift_chart as lift_svg

__all__ = ["REHEARSAL_NOTE", "VERDICT_COLOURS", "lift_svg", "result_bundle", "result_html", "result_text"]

#: verdict -> (foreground, background), from the one palette
VERDICT_COLOURS: dict[str, tuple[str, str]] = {
    verdict: (INK[verdict], BADGE[verdict][1]) for verdict in ("validated", "invalidated", "inconclusive")
}


def _rows(result: Result) -> list[tuple[str, str, str]]:
    """(arm, n, mean) rows, control (or the fixed baseline) first."""
    kind = result.metric_kind
    rows = []
    if result.control is None:
        rows.append(("fixed baseline", "—", formats.value(kind, result.reference)))
    else:
        rows.append((result.control.name, f"{result.control.n:,}", formats.value(kind, result.control.mean)))
    t = result.treatment
    rows.append((t.name, f"{t.n:,}", f"{formats.value(kind, t.mean)}"))
    return rows


#: how each interval is named on the card (the verdict's reason uses the same words)
_INTERVAL = {"fixed": "95% CI", "sequential": "95% always-valid CI", "credible": "95% credible interval"}


def _test(result: Result) -> str:
    """Which test produced the numbers: engine, interval, CUPED."""
    if result.engine == "bayesian":
        words = (
            "Bayesian, improper prior"
            if result.prior_sd is None
            else f"Bayesian, prior N({formats.sig(result.prior_mean or 0.0, 4)}, {formats.sig(result.prior_sd, 4)}²) on the lift"
        )
    elif result.sequential:
        words = f"sequential, always valid (N* = {result.sequential_tuning:,.0f} users)"
    else:
        words = "fixed horizon"
    if result.covariate:
        theta = f", θ {formats.sig(result.cuped_theta, 3)}" if result.cuped_theta else ""
        words += f" + CUPED on {result.covariate}{theta}"
    return words


def _facts(result: Result) -> list[tuple[str, str]]:
    kind = result.metric_kind
    label = _INTERVAL[result.interval]
    facts = [
        (
            "lift",
            f"{formats.change(kind, result.lift)} ({label} {formats.change(kind, result.ci_low)} to "
            f"{formats.change(kind, result.ci_high)})",
        )
    ]
    if result.relative_lift is not None:
        rel = formats.relative(result.relative_lift)
        if result.rel_ci_low is not None and result.rel_ci_high is not None:
            rel += f" ({label} {formats.relative(result.rel_ci_low)} to {formats.relative(result.rel_ci_high)})"
        facts.append(("relative lift", rel))
    if result.engine == "bayesian":
        facts.append(("chance to beat", formats.chance(result.chance_to_beat)))
        if result.risk is not None:
            facts.append(("risk (expected loss)", formats.change(kind, result.risk).lstrip("+±")))
    else:
        facts += [
            ("sequential p-value" if result.sequential else "p-value", formats.p_value(result.p_value)),
            ("chance to beat", formats.chance(result.chance_to_beat)),
        ]
    facts += [
        (
            "observed",
            f"{formats.value(kind, result.observed)} (95% CI {formats.value(kind, result.observed_ci_low)} to "
            f"{formats.value(kind, result.observed_ci_high)})",
        ),
        ("target", f"{formats.value(kind, result.target)} ({result.direction})"),
    ]
    if result.verdict == "inconclusive" and result.required_n_per_arm is not None:
        where = "per arm" if result.control is not None else f"in {result.treatment.name}"
        facts.append(("needed for 80% power", f"{result.required_n_per_arm:,} {where}"))
    if result.look > 1:
        facts.append(("look", str(result.look)))
    if result.engine != "frequentist" or result.sequential or result.covariate:
        facts.append(("test", _test(result)))
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
        result.media_type(): result.model_dump(mode="json", exclude={"origin"}),
    }
