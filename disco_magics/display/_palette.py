"""The one set of status colours: every card, table, chart and the widget's stylesheet read them here.

``BADGE`` colours a word's badge (text on a tint); ``INK`` is the strong colour of a verdict's marks (a
chart's point and interval, a card's border, a row's stripe). ``palette_css`` writes the same colours as
rules for the widget, so the live table and the static one cannot drift apart.
"""

from __future__ import annotations

__all__ = ["BADGE", "INK", "NEUTRAL", "TARGET", "ZERO", "badge_colours", "ink", "palette_css"]

#: word (status, verdict, decision) -> (text, background) of its badge
BADGE: dict[str, tuple[str, str]] = {
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
#: a word without colours of its own
NEUTRAL: tuple[str, str] = ("#24292f", "#eaeef2")

#: verdict (or running) -> the strong colour of its marks
INK: dict[str, str] = {
    "validated": "#1a7f37",
    "invalidated": "#cf222e",
    "inconclusive": "#9a6700",
    "running": "#0969da",
}
#: the target's dashed line, and the zero line, on every lift chart
TARGET = "#0969da"
ZERO = "#8c959f"


def badge_colours(word: str | None) -> tuple[str, str]:
    return BADGE.get(word or "", NEUTRAL)


def ink(verdict: str | None) -> str:
    """The marks' colour: a verdict's ink; no verdict yet reads as inconclusive."""
    return INK.get(verdict or "", INK["inconclusive"])


def palette_css(prefix: str = "disco-xt") -> str:
    """The palette as the widget's CSS rules: badges, row stripes, verdict tones and the lift bar's marks."""
    rules = [f".{prefix}-{word} {{ color: {fg}; background: {bg}; }}" for word, (fg, bg) in BADGE.items()]
    rules += [f".{prefix}-row-{word} td:first-child {{ border-left-color: {colour}; }}" for word, colour in INK.items()]
    rules += [f".{prefix}-tone-{word} {{ color: {INK[word]}; font-weight: 600; }}" for word in ("validated", "invalidated")]
    for tone, verdict in (("good", "validated"), ("bad", "invalidated"), ("open", "inconclusive")):
        rules.append(f".{prefix}-bar-{tone} .ci {{ stroke: {INK[verdict]}; }}")
        rules.append(f".{prefix}-bar-{tone} .point {{ fill: {INK[verdict]}; }}")
    rules.append(f".{prefix}-bar .zero {{ stroke: {ZERO}; stroke-width: 1; }}")
    rules.append(f".{prefix}-bar .target {{ stroke: {TARGET}; stroke-width: 2; stroke-dasharray: 3 2; }}")
    return "/* The palette, written by disco_magics.display._palette. */\n" + "\n".join(rules) + "\n"
