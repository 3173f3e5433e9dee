"""Small HTML helpers shared by every card and table: escaping, badges; number formats from ``formats``.

Every user or model string goes through ``esc``; nothing here emits script.
"""

from __future__ import annotations

import html

from .. import formats
from ._palette import BADGE, badge_colours

#: badge colours by word (statuses, verdicts, decisions): the one palette, in ``_palette``
STATUS_COLOURS = BADGE

CARD_STYLE = (
    "border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;margin:4px 0;"
    "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:13px;line-height:1.45;max-width:860px"
)


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


#: a number in a card or table cell (``—`` for none), and a p-value that never rounds across 0.05
fmt = formats.number
fmt_p = formats.p_value_short


def badge(word: str | None) -> str:
    if not word:
        return ""
    fg, bg = badge_colours(word)
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
