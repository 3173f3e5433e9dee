"""A plan (``%plan``), the goalposts a hypothesis moved after data, and the peeking simulation."""

from __future__ import annotations

from ..model import Hypothesis
from ..model.plan import PeekingSimulation, Plan
from ._html import card, esc, fmt

POST_HOC = "goalposts moved after data"


def _value(plan: Plan, x: float) -> str:
    return f"{fmt(100 * x, 3)}%" if plan.metric_kind == "proportion" else fmt(x, 4)


def _change(plan: Plan, x: float) -> str:
    return f"{fmt(100 * x, 3)} pp" if plan.metric_kind == "proportion" else fmt(x, 4)


def _arms(n: tuple[int, int]) -> str:
    return f"{n[0]:,} per arm" if n[0] == n[1] else f"{n[0]:,} control + {n[1]:,} treatment"


def plan_lines(plan: Plan) -> list[str]:
    """The plan in short sentences, for the plan card and the hypothesis card."""
    move = f"{plan.metric} {_value(plan, plan.baseline)} → {_value(plan, plan.target)}"
    lines = [
        f"to detect {move} at 80% power: {_arms(plan.fixed_n)} (fixed horizon), "
        f"{_arms(plan.sequential_n)} (sequential, safe to peek)"
    ]
    if plan.traffic is not None and plan.fixed_days is not None:
        lines.append(
            f"at {fmt(plan.traffic)} users a day: {plan.fixed_days:,} days fixed, {plan.sequential_days:,} days sequential"
        )
    if plan.mde:
        mdes = ", ".join(f"{_change(plan, v)} in {d} days" for d, v in sorted(plan.mde.items()))
        lines.append(f"smallest detectable change (fixed): {mdes}")
    return lines


def plan_text(plan: Plan) -> str:
    return "\n".join([f"Plan for {plan.hypothesis}", *(f"  {line}" for line in plan_lines(plan))])


def plan_html(plan: Plan) -> str:
    items = "".join(f"<li>{esc(line)}</li>" for line in plan_lines(plan))
    return card("plan", esc(plan.hypothesis), f'<ul style="margin:2px 0 0 18px;padding:0">{items}</ul>')


def change_lines(h: Hypothesis) -> list[str]:
    """``target 0.3 → 0.25 (2026-12-02 04:10 UTC)``, one per recorded change."""
    return [
        f"{c.field} {c.old if c.old is not None else '—'} → {c.new if c.new is not None else '—'} "
        f"({c.at:%Y-%m-%d %H:%M} UTC)"
        for c in h.changes
    ]


def peeking_text(sim: PeekingSimulation) -> str:
    return sim.summary


def peeking_html(sim: PeekingSimulation) -> str:
    rows = "".join(
        f'<tr><td style="padding:1px 12px 1px 0">{esc(label)}</td><td style="text-align:right">{value:.1%}</td></tr>'
        for label, value in (
            (f"fixed horizon, any of {sim.peeks} looks", sim.fixed_rate),
            ("fixed horizon, last look only", sim.single_look_rate),
            (f"sequential (N* = {sim.tuning:,.0f}), any look", sim.sequential_rate),
        )
    )
    return card(
        "peeking simulation",
        esc(sim.hypothesis),
        f"<div>{esc(sim.summary)}</div>"
        f'<table style="border-collapse:collapse;margin-top:6px"><thead><tr><th style="text-align:left">test</th>'
        f'<th style="text-align:right">false positives</th></tr></thead><tbody>{rows}</tbody></table>',
    )
