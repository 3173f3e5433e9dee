"""The learning report as Markdown and as escaped, self-contained HTML (with a small chart per result)."""

from __future__ import annotations

from .. import formats
from ..model import ExperimentRow
from ..model.report import LearningCard, LearningReport
from ._html import badge, card, esc, fmt, fmt_p
from .lift import lift_bar


def _evidence(c: LearningCard) -> str:
    r = c.result
    if r is None:
        return "no result yet"
    n = sum(r.n.values())
    # each engine's own evidence: the p-value it read, or the Bayesian chance to beat
    if r.engine == "bayesian":
        evidence, interval = f"chance to beat {formats.chance(r.chance_to_beat)}", "credible"
    elif r.sequential:
        evidence, interval = f"sequential p {fmt_p(r.p_value)}", "always-valid"
    else:
        evidence, interval = f"p {fmt_p(r.p_value)}", ""
    covariate = f", CUPED on {r.covariate}" if r.covariate else ""
    return (
        f"observed {fmt(r.observed)} vs target {fmt(r.target)}; lift {fmt(r.lift)} "
        f"{interval + ' ' if interval else ''}[{fmt(r.ci_low)}, {fmt(r.ci_high)}], {evidence}, n {n:,}, "
        f"{c.looks} look{'s' if c.looks != 1 else ''}{covariate}"
    )


def _post_hoc(c: LearningCard) -> str | None:
    """The report's mark for a hypothesis whose goalposts moved after data, with what moved."""
    if not c.hypothesis.post_hoc:
        return None
    from .plan import POST_HOC, change_lines

    return f"⚑ Post hoc: {POST_HOC} ({'; '.join(change_lines(c.hypothesis))})"


def report_markdown(report: LearningReport) -> str:
    out = ["# Learning report", ""]
    if not report.problems:
        out.append("No problems recorded yet.")
    for section in report.problems:
        p = section.problem
        out += [f"## Problem: {p.name}", "", " ".join(p.statement.split()), ""]
        if p.segment:
            out.append(f"- **Segment:** {p.segment}")
        for m in p.metrics:
            base = f" (baseline {fmt(m.baseline)})" if m.baseline is not None else ""
            out.append(f"- **Metric** `{m.name}`: {m.description}{base}")
        out.append("")
        if section.narrative:
            out += ["### What we learned", ""]
            out += [paragraph + "\n" for paragraph in section.narrative]
            if section.narrative_notice:
                out += [f"_{section.narrative_notice}_", ""]
        for c in section.cards:
            h = c.hypothesis
            verdict = c.result.verdict if c.result is not None else h.status
            out += [
                f"### {h.id} — {h.risk or 'risk not named'} risk — {verdict}",
                "",
                f"`{h.metric}` {fmt(h.baseline)} → {fmt(h.target)}. Evidence: {_evidence(c)}.",
                "",
                *([f"**{_post_hoc(c)}**", ""] if _post_hoc(c) else []),
                f"- **We believed** {c.believed}",
                f"- **We observed** {c.observed}",
                *([f"- **We heard** {c.heard_summary}:"] + [f"  - {q}" for q in c.heard] if c.evidence else []),
                f"- **We learned** {c.learned}",
                f"- **Therefore we will** {c.therefore}",
                "",
            ]
    return "\n".join(out).rstrip() + "\n"


def _chart(c: LearningCard) -> str:
    if c.result is None:
        return ""
    return lift_bar(ExperimentRow.from_evidence(c.hypothesis, c.result), width=220, height=22)


def report_html(report: LearningReport) -> str:
    parts = ['<div class="disco-report" style="font-family:system-ui,sans-serif;max-width:880px">']
    parts.append('<h2 style="margin:4px 0">Learning report</h2>')
    if not report.problems:
        parts.append("<p>No problems recorded yet.</p>")
    for section in report.problems:
        p = section.problem
        metrics = "".join(
            f"<li><code>{esc(m.name)}</code> {esc(m.description)}"
            + (f" (baseline {esc(fmt(m.baseline))})" if m.baseline is not None else "")
            + "</li>"
            for m in p.metrics
        )
        parts.append(
            card(
                "problem",
                esc(p.name),
                f"<div>{esc(p.statement)}</div>"
                + (f"<div><b>Segment</b> {esc(p.segment)}</div>" if p.segment else "")
                + (f'<ul style="margin:4px 0 0 18px;padding:0">{metrics}</ul>' if metrics else ""),
            )
        )
        if section.narrative:
            paragraphs = "".join(f"<p>{esc(text)}</p>" for text in section.narrative)
            notice = f'<div style="color:#57606a">{esc(section.narrative_notice)}</div>' if section.narrative_notice else ""
            parts.append(card("what we learned", esc(p.name), paragraphs + notice))
        for c in section.cards:
            h = c.hypothesis
            verdict = c.result.verdict if c.result is not None else h.status
            rows = "".join(
                f'<tr><th style="text-align:left;padding:2px 10px 2px 0;vertical-align:top;white-space:nowrap">'
                f"{esc(label)}</th><td>{esc(text)}</td></tr>"
                for label, text in (
                    ("We believed", c.believed),
                    ("We observed", c.observed),
                    *((("We heard", c.heard_summary + ": " + " · ".join(c.heard)),) if c.evidence else ()),
                    ("We learned", c.learned),
                    ("Therefore we will", c.therefore),
                )
            )
            body = (
                f"<div><code>{esc(h.metric)}</code> {esc(fmt(h.baseline))} → {esc(fmt(h.target))} · "
                f"{esc(h.risk or 'risk not named')} risk · {esc(_evidence(c))}</div>"
                + (
                    f'<div class="disco-post-hoc" style="color:#a40e26;font-weight:600">{esc(_post_hoc(c))}</div>'
                    if _post_hoc(c)
                    else ""
                )
                + f"<div>{_chart(c)}</div><table>{rows}</table>"
            )
            parts.append(card("learning card", f"{esc(h.id)} {badge(verdict)}", body))
    parts.append("</div>")
    return "".join(parts)


def report_text(report: LearningReport) -> str:
    return report_markdown(report)
