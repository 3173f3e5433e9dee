"""Numbers as a product manager reads them, in one place for ``stats`` (verdicts) and ``display`` (cards, tables).

Rates in %, changes in percentage points, p-values that never round across 0.05 (0.0496 prints as 0.0496,
not 0.050), and ``—`` for a missing number. Plain functions over floats: this module imports nothing.
"""

from __future__ import annotations

__all__ = [
    "MINUS",
    "MISSING",
    "chance",
    "change",
    "count",
    "number",
    "p_value",
    "p_value_short",
    "relative",
    "sig",
    "value",
]

MINUS = "−"
MISSING = "—"
ALPHA = 0.05


def sig(x: float, digits: int) -> str:
    """``digits`` significant digits; thousands as whole numbers with separators; tiny values in e-notation."""
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    text = f"{x:.{digits}g}"
    return f"{x:.2e}" if "e" in text else text


def count(x: float) -> str:
    """A number of users: ``2,400``."""
    return f"{round(x):,}"


def value(kind: str, x: float) -> str:
    """A level of the metric: ``27.1%`` for a rate (``kind`` proportion), ``12.34`` for a mean."""
    return f"{sig(100 * x, 3)}%" if kind == "proportion" else sig(x, 4)


def _sign(x: float) -> str:
    return "+" if x > 0 else (MINUS if x < 0 else "±")


def change(kind: str, x: float) -> str:
    """A signed difference: ``+9.1 pp`` for a rate, ``−1.23`` for a mean."""
    if kind == "proportion":
        return f"{_sign(x)}{sig(abs(100 * x), 3)} pp"
    return f"{_sign(x)}{sig(abs(x), 4)}"


def relative(x: float) -> str:
    """A signed relative change: ``+50.6%``."""
    return f"{_sign(x)}{sig(abs(100 * x), 3)}%"


def p_value_short(p: float | None, alpha: float = ALPHA) -> str:
    """``<0.001`` or ``0.034``; a fourth digit when three would round across ``alpha``; ``—`` for none."""
    if p is None:
        return MISSING
    if p < 0.001:
        return "<0.001"
    text = f"{p:.3f}"
    if (float(text) < alpha) != (p < alpha):
        text = f"{p:.4f}"
    return text


def p_value(p: float, alpha: float = ALPHA) -> str:
    """``p < 0.001`` or ``p = 0.034``, as a sentence reads it (same digits as ``p_value_short``)."""
    short = p_value_short(p, alpha)
    return "p < 0.001" if short == "<0.001" else f"p = {short}"


def chance(c: float) -> str:
    """A probability as a share: ``97.3%``, never a flat 100% or 0%."""
    if c > 0.999:
        return ">99.9%"
    if c < 0.001:
        return "<0.1%"
    return f"{100 * c:.1f}%"


def number(x: float | None, digits: int = 3) -> str:
    """A number in a table cell: ``—`` for none, up to ``digits`` decimals (significant ones when tiny)."""
    if x is None:
        return MISSING
    if isinstance(x, int) or (float(x).is_integer() and abs(x) >= 1000):
        return f"{int(x):,}"
    if abs(x) < 1e-3 and x != 0:
        return f"{x:.{digits}g}"
    return f"{x:.{digits}f}".rstrip("0").rstrip(".")
