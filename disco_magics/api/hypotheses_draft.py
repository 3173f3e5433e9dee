"""``%hypotheses --draft N`` and ``disco.draft_hypotheses``: testable hypotheses drafted from the problem."""

from __future__ import annotations

import re

from ..errors import ValidationFailed
from ..model import Hypothesis
from ..model.drafts import HypothesisDrafts
from ..session import Session
from ._common import _session

DRAFT_EXAMPLE = "%hypotheses --draft 3 --focus 'first shared dashboard'"
_NUMBERED = re.compile(r"^H(\d+)$")


def next_free_ids(session: Session, problem: str, n: int, prefix: str = "H") -> list[str]:
    """``n`` IDs after the highest ``H<number>`` of ``problem``, so no draft replaces one of its hypotheses
    (IDs are per problem, as ``%%hypothesis`` resolves them)."""
    used = [int(m.group(1)) for h in session.store.hypotheses(problem) if (m := _NUMBERED.match(h.id))]
    start = max(used, default=0) + 1
    return [f"{prefix}{start + i}" for i in range(n)]


def drafted_hypotheses(
    n: int = 3,
    problem: str | None = None,
    focus: str | None = None,
    *,
    progress: bool = True,
    session: Session | None = None,
) -> HypothesisDrafts:
    """N distinct, lint-clean drafts with the ``%%hypothesis`` cells that would store them; nothing is stored."""
    from ..generate.hypotheses import MAX_DRAFTS, OFFLINE_NOTICE, checked, llm_drafts, offline_drafts
    from ..status import effective_provider

    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_DRAFTS:
        raise ValidationFailed(f"draft between 1 and {MAX_DRAFTS} hypotheses, not {str(n)[:20]}", example=DRAFT_EXAMPLE)
    if focus is not None and ("\x00" in focus or len(focus) > 500):
        raise ValidationFailed("--focus must be a short phrase (at most 500 characters, no NUL byte)", example=DRAFT_EXAMPLE)
    s = _session(session)
    owner = s.resolve_problem(problem, example=DRAFT_EXAMPLE)
    if effective_provider(s) == "offline":
        drafts, notice = offline_drafts(owner, n, focus), OFFLINE_NOTICE
    else:
        drafts, notice = llm_drafts(s, owner, n, focus, progress=progress)
    ids = next_free_ids(s, owner.name, n)
    named = owner.name if problem else None
    return HypothesisDrafts(
        problem=owner.name,
        hypotheses=[checked(d, owner, id) for d, id in zip(drafts, ids, strict=True)],
        cells=[d.cell(id, named) for d, id in zip(drafts, ids, strict=True)],
        notice=notice,
    )


def draft_hypotheses(
    n: int = 3, problem: str | None = None, focus: str | None = None, *, session: Session | None = None
) -> list[Hypothesis]:
    """N hypothesis drafts for the (current) problem, as unsaved ``Hypothesis`` objects (nothing stored)."""
    return drafted_hypotheses(n, problem, focus, session=session).hypotheses
