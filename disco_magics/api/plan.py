"""``%plan``: the planned horizon of a hypothesis (users per arm, MDE, days), stored on it."""

from __future__ import annotations

import math

from ..model import Hypothesis
from ..model.plan import Plan
from ..session import Session
from ._common import _session

PLAN_EXAMPLE = "%plan H1 --traffic 400 --split 50:50"


def plan(
    id: str,
    traffic: float | None = None,
    split: tuple[float, float] | None = None,
    sd: float | None = None,
    *,
    problem: str | None = None,
    session: Session | None = None,
) -> Plan:
    """Plan hypothesis ``id``: users per arm for 80% power (fixed and sequential), the smallest detectable
    change at ``traffic`` users a day, and the days needed; stored as the hypothesis' planned horizon.

    ``sd`` is a mean metric's standard deviation per user (default: from its latest result). With a plan,
    later looks keep the fixed-horizon test it was made for, unless ``sequential=True`` is asked.
    """
    from ..stats.planning import make_plan

    s = _session(session)
    h = s.resolve_hypothesis(id, problem, example=PLAN_EXAMPLE)
    latest = s.store.results(h.problem, h.id)[-1:] or [None]
    kind = "mean" if sd is not None else _metric_kind(h, latest[0])
    if sd is None and latest[0] is not None and latest[0].metric_kind == "mean":
        arms = [a for a in (latest[0].control, latest[0].treatment) if a is not None]
        sd = math.sqrt(sum(a.variance for a in arms) / len(arms)) or None
    made = make_plan(h, kind, traffic=traffic, split=split, sd=sd)
    h.plan = made
    s.store.save_hypothesis(h)
    s.notify("hypothesis", h)
    return made


def _metric_kind(h: Hypothesis, latest) -> str:
    """What its latest result measured; before any, a rate when baseline and target lie within 0..1."""
    if latest is not None:
        return latest.metric_kind
    values = [v for v in (h.baseline, h.target) if v is not None]
    return "proportion" if all(0.0 <= v <= 1.0 for v in values) else "mean"
