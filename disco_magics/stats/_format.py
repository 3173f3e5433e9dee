"""Numbers as a product manager reads them: rates in %, changes in percentage points, p-values that never
round across 0.05."""

from __future__ import annotations

from disco_magics.model.result import MetricKind

MINUS = "−"


def count(x: float) -> str:
    """A number of users: ``2,400``."""
    return f"{round(x):,}"


def _sig(x: float, digits: int) -> str:
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    text = f"{x:.{digits}g}"
    if "e" in text:
        text = f"{x:.2e}"
    return text


def fmt_value(kind: MetricKind, x: float) -> str:
    """A level of the metric: ``27.1%`` for a rate, ``12.34`` for a mean."""
    if kind == "proportion":
        return f"{_sig(100 * x, 3)}%"
    return _sig(x, 4)


def fmt_change(kind: MetricKind, x: float) -> str:
    """A signed difference: ``+9.1 pp`` for a rate, ``−1.23`` for a mean."""
    sign = "+" if x > 0 else (MINUS if x < 0 else "±")
    if kind == "proportion":
        return f"{sign}{_sig(abs(100 * x), 3)} pp"
    return f"{sign}{_sig(abs(x), 4)}"


def fmt_relative(x: float) -> str:
    """A signed relative change: ``+50.6%``."""
    sign = "+" if x > 0 else (MINUS if x < 0 else "±")
    return f"{sign}{_sig(abs(100 * x), 3)}%"


def fmt_p(p: float, alpha: float = 0.05) -> str:
    """``p < 0.001`` or ``p = 0.034``; more digits when 3 would round across ``alpha``."""
    if p < 0.001:
        return "p < 0.001"
    text = f"{p:.3f}"
    if (float(text) < alpha) != (p < alpha):
        text = f"{p:.4f}"
    return f"p = {text}"


def fmt_chance(c: float) -> str:
    """A probability as a share: ``97.1%``, ``>99.9%``, ``<0.1%``."""
    if c > 0.999:
        return ">99.9%"
    if c < 0.001:
        return "<0.1%"
    return f"{100 * c:.1f}%"
