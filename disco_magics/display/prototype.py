"""A drafted prototype as a mimebundle: text, escaped HTML with the launcher code and a copy button,
Markdown with the code fenced, and the machine-readable JSON (file contents left out).

Every string from the draft (a model may have written it) is escaped; the only script is the copy
button's fixed handler, which reads the escaped ``<pre>`` beside it.
"""

from __future__ import annotations

import re
from typing import Any

from ..model.prototype import DraftedPrototype
from ._html import card, esc

__all__ = ["drafted_bundle", "drafted_html", "drafted_markdown", "drafted_text"]

_COPY = (
    '<button type="button" class="disco-copy" title="Copy the code" '
    "onclick=\"navigator.clipboard.writeText(this.parentNode.querySelector('pre').innerText)\" "
    'style="float:right;font-size:11px;padding:1px 8px;border:1px solid #d0d7de;border-radius:6px;'
    'background:#f6f8fa;cursor:pointer">Copy</button>'
)


def _fence(code: str) -> str:
    """A Markdown code fence longer than any run of backticks inside ``code``."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}python\n{code}\n{ticks}"


def _where(d: DraftedPrototype) -> str:
    return f"{d.folder} (version {d.version})" if d.version > 1 else d.folder


def drafted_text(d: DraftedPrototype) -> str:
    p = d.prototype
    lines = [
        f"Prototype {p.hypothesis} [{p.kind}] {p.title}",
        f"  {p.provenance.notice or p.provenance.provider}",
        f"  {' '.join(p.summary.split())}",
        f"  tests: {' '.join(p.tests.split())}",
        f"  metric events: {p.exposure_event} -> {p.conversion_event} "
        f"(all: {', '.join(e.name for e in p.events)})",
        f"  files in {_where(d)}: {', '.join(f.path for f in p.files)}",
    ]
    lines += [f"  ! {note}" for note in d.notes]
    lines.append(f"  run: {' '.join(p.run.split())}")
    lines.append("  launcher (inserted as the next cell, not run):")
    lines += [f"    {line}" for line in d.launcher.splitlines()]
    return "\n".join(lines)


def drafted_markdown(d: DraftedPrototype) -> str:
    p = d.prototype
    # Only validated names and the folder go into Markdown; the draft's prose stays out of it.
    where = esc(_where(d)).replace("`", "'")
    return (
        f"**Prototype {esc(p.hypothesis)}** ({esc(p.kind)}), files in `{where}`. "
        "Code inserted as the next cell, not run:\n\n" + _fence(d.launcher) + "\n"
    )


def drafted_html(d: DraftedPrototype) -> str:
    p = d.prototype
    events = ", ".join(f"<code>{esc(e.name)}</code>" for e in p.events)
    files = ", ".join(f"<code>{esc(f.path)}</code>" for f in p.files)
    rows = [
        f'<div style="color:#57606a;font-size:12px;margin-bottom:6px">{esc(p.provenance.notice or p.provenance.provider)}</div>',
        f'<div style="margin-bottom:6px">{esc(p.summary)}</div>',
        f"<div><b>Tests</b> {esc(p.tests)}</div>",
        f"<div><b>Metric</b> <code>{esc(p.exposure_event)}</code> → <code>{esc(p.conversion_event)}</code>"
        f' <span style="color:#57606a">(events: {events})</span></div>',
        f"<div><b>Files</b> in <code>{esc(_where(d))}</code>: {files}</div>",
        f"<div><b>Run</b> {esc(p.run)}</div>",
    ]
    if d.notes:
        items = "".join(f"<li>{esc(note)}</li>" for note in d.notes)
        rows.append(
            f'<div style="margin-top:6px;color:#7d4e00"><ul style="margin:2px 0 0 18px;padding:0">{items}</ul></div>'
        )
    rows.append(
        '<div class="disco-launcher" style="margin-top:8px">'
        f'{_COPY}<div style="font-size:12px;color:#57606a">Inserted as the next cell (not run):</div>'
        '<pre style="background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:8px;'
        f'overflow:auto;white-space:pre;font-size:12px;margin:4px 0 0">{esc(d.launcher)}</pre></div>'
    )
    title = f"{esc(p.hypothesis)} · {esc(p.kind)}: {esc(p.title)}"
    return card("prototype", title, "".join(rows))


def drafted_bundle(d: DraftedPrototype) -> tuple[dict[str, Any], dict[str, Any]]:
    payload = d.model_dump(mode="json", exclude={"prototype": {"files": {"__all__": {"lines"}}}})
    return (
        {
            "text/plain": drafted_text(d),
            "text/html": drafted_html(d),
            "text/markdown": drafted_markdown(d),
            d.media_type(): payload,
        },
        {},
    )
