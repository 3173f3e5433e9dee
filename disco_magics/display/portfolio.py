"""The team's portfolio as Markdown (``disco portfolio``) and as escaped, self-contained HTML."""

from __future__ import annotations

from ..model import Portfolio, PortfolioHypothesis
from ._html import badge, esc, fmt, fmt_p


def _at_a_glance(p: Portfolio) -> str:
    counts = p.counts()
    if not counts:
        return "no hypotheses yet"
    order = ["draft", "running", "validated", "invalidated", "inconclusive", "killed"]
    return ", ".join(f"{counts[k]} {k}" for k in order if counts.get(k))


def _where(h: PortfolioHypothesis) -> str:
    return h.notebook or "notebook unknown"


def _flags(h: PortfolioHypothesis) -> list[str]:
    # post_hoc and evidence_level are read by name: ExperimentRow gains them with issues 13 and 14.
    flags = []
    if getattr(h, "post_hoc", False):
        flags.append("post hoc")
    level = getattr(h, "evidence_level", None)
    if level:
        flags.append(f"evidence: {level}")
    return flags


def portfolio_markdown(p: Portfolio) -> str:
    out = ["# Discovery portfolio", "", f"Store: `{p.store}` — {_at_a_glance(p)}.", ""]
    if p.reason:
        out += [f"_{p.reason}_", ""]
    for problem in p.problems:
        out += [f"## {problem.name}", ""]
        if problem.statement:
            out += [" ".join(problem.statement.split()), ""]
        if problem.notebook:
            out += [f"Declared in `{problem.notebook}`.", ""]
        if not problem.hypotheses:
            out += ["No hypotheses yet.", ""]
            continue
        out += [
            "| ID | risk | status | verdict | observed → target | p | decision | learning | notebook |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for h in problem.hypotheses:
            status = " · ".join([h.status, *_flags(h)])
            cells = [
                h.id,
                h.risk or "",
                status,
                h.verdict or "",
                f"{fmt(h.observed)} → {fmt(h.target)}",
                fmt_p(h.p_value) if h.p_value is not None else "",
                h.decision or "",
                " ".join(h.learning.split()),
                _where(h),
            ]
            out.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def portfolio_html(p: Portfolio) -> str:
    parts = [
        '<div class="disco-portfolio" style="font-family:system-ui,sans-serif;max-width:1100px">',
        "<h1>Discovery portfolio</h1>",
        f"<p>Store: <code>{esc(p.store)}</code> — {esc(_at_a_glance(p))}.</p>",
    ]
    if p.reason:
        parts.append(f"<p><em>{esc(p.reason)}</em></p>")
    for problem in p.problems:
        parts.append(f"<h2>{esc(problem.name)}</h2>")
        if problem.statement:
            parts.append(f"<p>{esc(' '.join(problem.statement.split()))}</p>")
        if not problem.hypotheses:
            parts.append("<p>No hypotheses yet.</p>")
            continue
        parts.append(
            '<table style="border-collapse:collapse;font-size:13px"><thead><tr>'
            + "".join(
                f'<th style="text-align:left;padding:2px 8px">{c}</th>'
                for c in ("ID", "risk", "status", "verdict", "observed → target", "p", "decision", "learning", "notebook")
            )
            + "</tr></thead><tbody>"
        )
        for h in problem.hypotheses:
            flags = "".join(f" <small>{esc(f)}</small>" for f in _flags(h))
            cells = [
                esc(h.id),
                esc(h.risk or ""),
                badge(h.status) + flags,
                badge(h.verdict),
                esc(f"{fmt(h.observed)} → {fmt(h.target)}"),
                esc(fmt_p(h.p_value) if h.p_value is not None else ""),
                badge(h.decision),
                esc(h.learning),
                f"<code>{esc(_where(h))}</code>",
            ]
            parts.append(
                "<tr>" + "".join(f'<td style="padding:2px 8px;vertical-align:top">{c}</td>' for c in cells) + "</tr>"
            )
        parts.append("</tbody></table>")
    parts.append("</div>")
    return "\n".join(parts)


def portfolio_text(p: Portfolio) -> str:
    return portfolio_markdown(p)
