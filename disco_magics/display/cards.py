"""Problem and hypothesis cards: escaped HTML, readable text, and the machine-readable bundle."""

from __future__ import annotations

from ..model import Decision, Hypothesis, Metric, Problem
from ._html import badge, card, esc, fmt


def _baseline(m: Metric) -> str:
    if m.baseline is None:
        return ""
    return f' <span style="color:#57606a">(baseline {esc(fmt(m.baseline))})</span>'


def problem_html(p: Problem) -> str:
    rows = []
    if p.segment:
        rows.append(f"<div><b>Segment</b> {esc(p.segment)}</div>")
    if p.metrics:
        items = "".join(f"<li><code>{esc(m.name)}</code> {esc(m.description)}{_baseline(m)}</li>" for m in p.metrics)
        rows.append(f'<div><b>Metrics</b><ul style="margin:2px 0 4px 18px;padding:0">{items}</ul></div>')
    for c in p.constraints:
        rows.append(f"<div><b>Constraint</b> {esc(c)}</div>")
    if p.outcome:
        rows.append(f"<div><b>Outcome</b> {esc(p.outcome)}</div>")
    statement = esc(p.statement).replace("\n\n", "<br><br>")
    return card("problem", esc(p.name), f'<div style="margin-bottom:6px">{statement}</div>' + "".join(rows))


def problem_text(p: Problem) -> str:
    lines = [f"Problem {p.name}: {' '.join(p.statement.split())}"]
    if p.segment:
        lines.append(f"  segment: {p.segment}")
    for m in p.metrics:
        base = f" (baseline {fmt(m.baseline)})" if m.baseline is not None else ""
        lines.append(f"  metric: {m.name} = {m.description}{base}")
    lines += [f"  constraint: {c}" for c in p.constraints]
    if p.outcome:
        lines.append(f"  outcome: {p.outcome}")
    return "\n".join(lines)


def _move(h: Hypothesis) -> str:
    if h.baseline is None:
        return f"{h.metric} → {fmt(h.target)}"
    return f"{h.metric} {fmt(h.baseline)} → {fmt(h.target)}"


def hypothesis_html(h: Hypothesis) -> str:
    title = f"{esc(h.id)} {badge(h.status)}"
    facts = [f"<b>Metric</b> <code>{esc(_move(h))}</code>"]
    facts.append(f"<b>Risk</b> {esc(h.risk) if h.risk else '<i>not named</i>'}")
    facts.append(f"<b>Problem</b> {esc(h.problem)}")
    body = f'<div style="margin-bottom:6px">{esc(h.statement)}</div><div>{" · ".join(facts)}</div>'
    if h.plan is not None:
        from .plan import plan_lines

        body += f'<div style="margin-top:4px"><b>Plan</b> {esc("; ".join(plan_lines(h.plan)))}</div>'
    if h.post_hoc:
        from .plan import POST_HOC, change_lines

        items = "".join(f"<li>{esc(line)}</li>" for line in change_lines(h))
        body += (
            f'<div class="disco-post-hoc" style="margin-top:6px;color:#a40e26"><b>⚑ Post hoc</b> — {POST_HOC}:'
            f'<ul style="margin:2px 0 0 18px;padding:0">{items}</ul></div>'
        )
    if h.warnings:
        items = "".join(f"<li>{esc(w)}</li>" for w in h.warnings)
        body += (
            '<div style="margin-top:6px;color:#7d4e00"><b>Testability</b>'
            f'<ul style="margin:2px 0 0 18px;padding:0">{items}</ul></div>'
        )
    return card("hypothesis", title, body)


def hypothesis_text(h: Hypothesis) -> str:
    risk = h.risk or "risk not named"
    post_hoc = " ⚑ post hoc" if h.post_hoc else ""
    lines = [f"Hypothesis {h.id} [{h.status}]{post_hoc} {_move(h)} ({risk})", f"  {' '.join(h.statement.split())}"]
    if h.plan is not None:
        from .plan import plan_lines

        lines += [f"  plan: {line}" for line in plan_lines(h.plan)]
    if h.post_hoc:
        from .plan import POST_HOC, change_lines

        lines.append(f"  ⚑ {POST_HOC}: " + "; ".join(change_lines(h)))
    lines += [f"  ! {w}" for w in h.warnings]
    return "\n".join(lines)


def decision_html(d: Decision) -> str:
    flag = (
        '<div style="color:#7d4e00;margin-top:4px">⚑ decided without evidence: no result was recorded yet</div>'
        if d.without_evidence
        else ""
    )
    learning = f"<div><b>Learning</b> {esc(d.learning)}</div>" if d.learning else ""
    return card("decision", f"{esc(d.hypothesis)} {badge(d.decision)}", learning + flag)


def decision_text(d: Decision) -> str:
    lines = [f"Decision on {d.hypothesis}: {d.decision}"]
    if d.learning:
        lines.append(f"  learning: {d.learning}")
    if d.without_evidence:
        lines.append("  ! decided without evidence: no result was recorded yet")
    return "\n".join(lines)
