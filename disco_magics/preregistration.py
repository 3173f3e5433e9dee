"""Pre-registration: a hypothesis' metric, target, baseline and direction are frozen by its first result.

Re-running its cell with a change is allowed; the change is recorded (old -> new, when) and marks the
hypothesis post hoc for good. Earlier results keep the verdict against the target they were judged by
(each ``Result`` carries its own target). Plain functions on the models, used by ``api.hypothesis``.
"""

from __future__ import annotations

from .model.hypothesis import FROZEN_FIELDS, Hypothesis
from .model.plan import GoalpostChange

__all__ = ["carry_over", "frozen_changes"]


def _shown(value: object) -> str | None:
    return None if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def frozen_changes(previous: Hypothesis, current: Hypothesis) -> list[GoalpostChange]:
    """One ``GoalpostChange`` per frozen field that differs between the two versions."""
    return [
        GoalpostChange(field=field, old=_shown(getattr(previous, field)), new=_shown(getattr(current, field)))
        for field in FROZEN_FIELDS
        if getattr(previous, field) != getattr(current, field)
    ]


def carry_over(previous: Hypothesis, current: Hypothesis, *, measured: bool) -> Hypothesis:
    """What a re-run keeps from the stored version of the hypothesis (``current`` is updated in place).

    The creation time, the post-hoc mark and its record always; the status and the plan while the test is
    unchanged (a changed metric or target starts again from draft, and needs a new plan). After a result
    (``measured``), a changed test is recorded and marks the hypothesis post hoc.
    """
    current.created_at = previous.created_at
    current.post_hoc = previous.post_hoc
    current.changes = list(previous.changes)
    changes = frozen_changes(previous, current)
    if not changes:
        current.status = previous.status
        current.plan = current.plan or previous.plan
    elif measured:
        current.changes += changes
        current.post_hoc = True
    return current
