"""Small HTML helpers shared by every card and table: escaping, number formats, badges.

Every user or model string goes through ``esc``; nothing here emits script.
"""

from __future__ import annotations

import html

STATUS_COLOURS = {
    "draft": ("#57606a", "#eaeef2"),
    "running": ("#0550ae", "#ddf4ff"),
    "validated": ("#116329", "#dafbe1"),
    "invalidated": ("#a40e26", "#ffebe9"),
    "inconclusive": ("#7d4e00", "#fff8c5"),
    "persevere": ("#116329", "#dafbe1"),
    "pivot": ("#6639ba", "#fbefff"),
    "kill": ("#a40e26", "#ffebe9"),
    "iterate": ("#0550ae", "#ddf4ff"),
}

CARD_STYLE = (
    "border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;margin:4px 0;"
    "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:13px;line-height:1.45;max-width:860px"
)


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def fmt(value: float | None, digits: int = 3) -> str:
    """A number as users read it: '—' for none, up to ``digits`` significant decimals."""
    if value is None:
        return "—"
    if isinstance(value, int) or (float(value).is_integer() and abs(value) >= 1000):
        return f"{int(value):,}"
    return f"{value:.{digits}g}" if abs(value) < 1e-3 and value != 0 else f"{value:.{digits}f}".rstrip("0").rstrip(".")


def fmt_p(value: float | None) -> str:
    if value is None:
        return "—"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def badge(word: str | None) -> str:
    if not word:
        return ""
    fg, bg = STATUS_COLOURS.get(word, ("#24292f", "#eaeef2"))
    return (
        f'<span class="disco-badge disco-{esc(word)}" style="display:inline-block;padding:0 8px;border-radius:10px;'
        f'font-size:12px;font-weight:600;color:{fg};background:{bg}">{esc(word)}</span>'
    )


def card(kind: str, title: str, body: str) -> str:
    return (
        f'<div class="disco-card disco-{esc(kind)}" style="{CARD_STYLE}">'
        f'<div style="font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:#57606a">{esc(kind)}</div>'
        f'<div style="font-weight:600;font-size:15px;margin:2px 0 6px">{title}</div>{body}</div>'
    )
