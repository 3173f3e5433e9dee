"""Drafted hypotheses: the cells to run, and who drafted them."""

from __future__ import annotations

from ..model.drafts import HypothesisDrafts
from ._html import card, esc


def drafts_text(d: HypothesisDrafts) -> str:
    head = f"{len(d.cells)} hypothesis drafts for problem {d.problem} ({d.notice}); nothing stored until you run them:"
    return "\n\n".join([head, *d.cells])


def drafts_html(d: HypothesisDrafts) -> str:
    cells = "".join(
        f'<pre style="white-space:pre-wrap;background:#f6f8fa;padding:6px 8px;border-radius:6px;margin:4px 0">{esc(c)}</pre>'
        for c in d.cells
    )
    body = (
        f'<div style="color:#57606a">{esc(d.notice)} · inserted as cells below, never run: run the ones worth '
        f"testing.</div>{cells}"
    )
    return card("hypothesis drafts", f"{len(d.cells)} drafts for {esc(d.problem)}", body)
