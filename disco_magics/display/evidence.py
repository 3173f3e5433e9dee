"""Evidence cards: the hypothesis with what real users said, and an LLM's suggested signal."""

from __future__ import annotations

from ..model.evidence import Evidence, HypothesisEvidence, SuggestedSignal
from ._html import badge, card, esc
from .cards import hypothesis_html, hypothesis_text

_SIGNAL_MARK = {"supports": "+", "contradicts": "−", "neutral": "·"}


def _when(e: Evidence) -> str:
    return e.recorded_at.strftime("%Y-%m-%d")


def evidence_line(e: Evidence) -> str:
    source = f" — {e.source}" if e.source else ""
    return f"{_SIGNAL_MARK[e.signal]} {e.signal} · {e.kind}{source}: “{e.excerpt}”"


def evidence_text(e: Evidence) -> str:
    return f"Evidence for {e.hypothesis} ({_when(e)}): {evidence_line(e)}"


def evidence_html(e: Evidence) -> str:
    return card("evidence", f"{esc(e.hypothesis)} {badge(e.signal)}", _item(e))


def _item(e: Evidence, fresh: bool = False) -> str:
    source = f" — {esc(e.source)}" if e.source else ""
    mark = " <b>(new)</b>" if fresh else ""
    return (
        f'<li style="margin:2px 0">{badge(e.signal)} <i>{esc(e.kind)}</i>{source}{mark}'
        f'<div style="color:#24292f;margin-left:4px">“{esc(e.excerpt)}”</div></li>'
    )


def _summary(h: HypothesisEvidence) -> str:
    n = len(h.evidence)
    pieces = f"{n} piece{'s' if n != 1 else ''} of evidence"
    return (
        f"{pieces}: {h.count('supports')} supporting, {h.count('contradicts')} contradicting, "
        f"{h.count('neutral')} neutral · evidence level: {h.level} · evidence never changes a verdict"
    )


def hypothesis_evidence_text(h: HypothesisEvidence) -> str:
    lines = [hypothesis_text(h.hypothesis), f"  {_summary(h)}"]
    for i, e in enumerate(h.evidence):
        lines.append(f"  {evidence_line(e)}" + (" (new)" if i == h.added else ""))
    return "\n".join(lines)


def hypothesis_evidence_html(h: HypothesisEvidence) -> str:
    items = "".join(_item(e, i == h.added) for i, e in enumerate(h.evidence))
    section = (
        f'<div style="margin-top:6px"><b>Evidence</b> <span style="color:#57606a">{esc(_summary(h))}</span>'
        f'<ul style="margin:2px 0 0 18px;padding:0;list-style:none">{items}</ul></div>'
    )
    # The hypothesis card with an evidence section added before its closing tag.
    base = hypothesis_html(h.hypothesis)
    return base[: -len("</div>")] + section + "</div>"


def suggestion_text(s: SuggestedSignal) -> str:
    quotes = "\n".join(f"  “{q}”" for q in s.suggestion.quotes)
    why = f"\n  why: {s.suggestion.why}" if s.suggestion.why else ""
    return (
        f"Suggested signal for {s.hypothesis}: {s.suggestion.signal} ({s.notice}) — a suggestion, nothing stored.\n"
        f"{quotes}{why}\nTo record it, run:\n{s.cell}"
    )


def suggestion_html(s: SuggestedSignal) -> str:
    quotes = "".join(f"<li>“{esc(q)}”</li>" for q in s.suggestion.quotes)
    why = f"<div><b>Why</b> {esc(s.suggestion.why)}</div>" if s.suggestion.why else ""
    body = (
        f'<div style="color:#7d4e00"><b>Suggestion</b> — {esc(s.notice)}; nothing is stored until you re-run the '
        "cell with <code>--signal</code>.</div>"
        f'<ul style="margin:4px 0 4px 18px;padding:0">{quotes}</ul>{why}'
        f'<div>To record it, run:</div><pre style="white-space:pre-wrap;margin:2px 0">{esc(s.cell)}</pre>'
    )
    return card("suggested signal", f"{esc(s.hypothesis)} {badge(s.suggestion.signal)}", body)
