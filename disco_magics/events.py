"""Events tracked by prototypes, and the per-variant exposure → conversion arms they imply."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import ValidationFailed
from .model import NAME_RE, Hypothesis

if TYPE_CHECKING:
    from .session import Session

DEFAULT_EXPOSURE = "exposed"
DEFAULT_CONVERSION = "converted"
TRACK_EXAMPLE = 'disco.track("H1", "clicked_cta", user="u42", variant="checklist")'


def check_event(event: str, user: str, variant: str | None) -> None:
    if not isinstance(event, str) or not NAME_RE.match(event):
        raise ValidationFailed(f"event name {str(event)[:40]!r} must be a short identifier", example=TRACK_EXAMPLE)
    if not isinstance(user, str) or not user.strip() or len(user) > 128:
        raise ValidationFailed("user must be a non-empty id of at most 128 characters", example=TRACK_EXAMPLE)
    if variant is not None and (not isinstance(variant, str) or not NAME_RE.match(variant)):
        raise ValidationFailed(f"variant {str(variant)[:40]!r} must be a short identifier", example=TRACK_EXAMPLE)


def metric_events(session: Session, h: Hypothesis) -> tuple[str, str]:
    """(exposure, conversion) event names: from the hypothesis' latest prototype, else the defaults."""
    drafted = session.store.artifacts("prototype", f"{h.problem}/{h.id}")
    if drafted:
        latest = drafted[-1]
        return latest.get("exposure_event") or DEFAULT_EXPOSURE, latest.get("conversion_event") or DEFAULT_CONVERSION
    return DEFAULT_EXPOSURE, DEFAULT_CONVERSION


def arms_from_events(session: Session, h: Hypothesis) -> dict:
    """Per variant: users exposed, and how many of them converted (a proportion arm each)."""
    from .model.result import ArmStats

    exposure, conversion = metric_events(session, h)
    rows = session.store.events(h.id)
    exposed: dict[str, str] = {}
    converted: set[str] = set()
    for row in rows:
        if row["event"] == exposure and row["user"] not in exposed:
            exposed[row["user"]] = row["variant"] or "treatment"
        elif row["event"] == conversion:
            converted.add(row["user"])
    if not exposed:
        raise ValidationFailed(
            f"no {exposure!r} events tracked for {h.id} yet; the prototype logs them as users see it",
            example=f'disco.track("{h.id}", "{exposure}", user="u1", variant="treatment")',
        )
    arms: dict[str, ArmStats] = {}
    for variant in sorted(set(exposed.values())):
        users = [u for u, v in exposed.items() if v == variant]
        hits = sum(1 for u in users if u in converted)
        arms[variant] = ArmStats(name=variant, kind="proportion", n=len(users), sum=hits, sum_squares=hits)
    return arms
