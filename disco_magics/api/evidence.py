"""Evidence from real users (``%%evidence``, ``disco.evidence``) and what to test next (``%experiments --next``)."""

from __future__ import annotations

import re
import shlex
from typing import TYPE_CHECKING

from pydantic import ValidationError

from ..errors import ValidationFailed
from ..model import EVIDENCE_KINDS, EVIDENCE_LEVELS, RISKS, SIGNALS, Evidence, ExperimentRow, evidence_level
from ..model.evidence import MAX_NOTES, HypothesisEvidence, SuggestedSignal
from ..session import Session
from ._common import _session

if TYPE_CHECKING:
    import pandas as pd

EVIDENCE_EXAMPLE = '%%evidence H1 --kind interview --source "call with a trial admin, 2026-11-30" --signal supports'
EVIDENCE_COLUMNS = ("kind", "source", "signal", "text", "recorded_at")
_NOT_TEXT = re.compile(r"[\x00\ud800-\udfff]")


def _check_choice(value: str | None, what: str, known: tuple[str, ...], *, required: bool = True) -> str | None:
    if value is None:
        if required:
            raise ValidationFailed(f"--{what} is missing; choose one of {', '.join(known)}", example=EVIDENCE_EXAMPLE)
        return None
    if value not in known:
        raise ValidationFailed(
            f"unknown {what} {str(value)[:30]!r}; choose one of {', '.join(known)}", example=EVIDENCE_EXAMPLE
        )
    return value


def _check_notes(id: str, text: str) -> str:
    notes = (text or "").strip()
    if not notes:
        raise ValidationFailed(
            f"evidence for {id} needs notes: what you heard or saw, as the cell body", example=EVIDENCE_EXAMPLE
        )
    bad = _NOT_TEXT.search(notes)
    if bad:
        what = "a NUL byte (\\x00)" if bad.group() == "\x00" else "bytes that are not UTF-8"
        raise ValidationFailed(f"the notes for {id} hold {what}; remove it", example=EVIDENCE_EXAMPLE)
    if len(notes) > MAX_NOTES:
        raise ValidationFailed(
            f"the notes are {len(notes):,} characters long; at most {MAX_NOTES:,} (quote the part that matters)",
            example=EVIDENCE_EXAMPLE,
        )
    return notes


def add_evidence(
    id: str,
    text: str,
    kind: str | None = None,
    source: str = "",
    signal: str | None = None,
    *,
    problem: str | None = None,
    session: Session | None = None,
) -> HypothesisEvidence:
    """Log evidence from real users for hypothesis ``id``; returns the hypothesis with all its evidence.

    Evidence never changes a verdict or a status: it is counted and shown with the hypothesis.
    """
    s = _session(session)
    _check_choice(kind, "kind", EVIDENCE_KINDS)
    _check_choice(signal, "signal", SIGNALS)
    found = s.resolve_hypothesis(id, problem, example=EVIDENCE_EXAMPLE)
    notes = _check_notes(found.id, text)
    try:
        made = Evidence(
            hypothesis=found.id, problem=found.problem, kind=kind, source=source or "", signal=signal, text=notes
        )
    except ValidationError as err:  # a NUL byte, a source too long: one line, nothing stored
        from ..parse.cells import first_error

        raise ValidationFailed(f"evidence for {found.id} not saved: {first_error(err)}", example=EVIDENCE_EXAMPLE) from None
    s.store.add_evidence(made)
    s.notify("evidence", made)
    logged = s.store.evidence(found.problem, found.id)
    results = s.store.results(found.problem, found.id)
    return HypothesisEvidence(
        hypothesis=found, evidence=logged, level=evidence_level(logged, results), added=len(logged) - 1
    )


def suggest_evidence_signal(
    id: str,
    text: str,
    kind: str | None = None,
    source: str = "",
    *,
    problem: str | None = None,
    session: Session | None = None,
) -> SuggestedSignal:
    """Ask the configured LLM which signal the notes give, with the quotes behind it; nothing is stored.

    Without an LLM the signal is the user's to give (``--signal``): a one-line error says so.
    """
    from ..status import effective_provider

    s = _session(session)
    _check_choice(kind, "kind", EVIDENCE_KINDS)
    found = s.resolve_hypothesis(id, problem, example=EVIDENCE_EXAMPLE)
    notes = _check_notes(found.id, text)
    if _NOT_TEXT.search(source or ""):
        raise ValidationFailed(f"the source for {found.id} holds a NUL byte or undecodable bytes", example=EVIDENCE_EXAMPLE)
    if effective_provider(s) == "offline":
        raise ValidationFailed(
            f"--signal is required without an LLM: say whether the notes support, contradict or are neutral to {found.id}",
            example=EVIDENCE_EXAMPLE,
        )
    from ..generate.evidence import suggest_signal

    made = suggest_signal(s, found, kind, source or "", notes)
    line = f"%%evidence {found.id} --kind {kind}"
    if source:
        line += f" --source {shlex.quote(source)}"
    line += f" --signal {made.value.signal}"
    return SuggestedSignal(
        hypothesis=found.id, suggestion=made.value, cell=f"{line}\n{notes}", notice=made.notice[:300]
    )


def evidence(id: str, problem: str | None = None, *, session: Session | None = None) -> pd.DataFrame:
    """The evidence logged for hypothesis ``id``, oldest first: columns kind, source, signal, text, recorded_at."""
    import pandas as pd

    s = _session(session)
    found = s.resolve_hypothesis(id, problem, example='disco.evidence("H1")')
    rows = [e.model_dump(include=set(EVIDENCE_COLUMNS)) for e in s.store.evidence(found.problem, found.id)]
    return pd.DataFrame(rows, columns=list(EVIDENCE_COLUMNS))


# ----------------------------------------------------------------------------------------- what's next

#: desirability before feasibility and viability: the order in which Testing Business Ideas tests risks
NEXT_RISK_ORDER = ("value", "usability", "viability", "feasibility", None)
_SETTLED = ("validated", "invalidated")


def next_to_test(rows: list[ExperimentRow]) -> list[ExperimentRow]:
    """The rows in the order to test them: riskiest and least evidenced first (the assumption map).

    Open bets first (a validated or invalidated hypothesis, or one the team killed, has had its test);
    among them the weakest evidence level first, then the most important risk (value, usability,
    viability, feasibility; unnamed last), then the most contested (contradicting evidence, fewest
    supporting pieces), then the ID.
    """

    def key(row: ExperimentRow):
        return (
            settled(row),
            EVIDENCE_LEVELS.index(row.evidence_level),
            NEXT_RISK_ORDER.index(row.risk if row.risk in RISKS else None),
            row.supports - row.contradicts,
            row.evidence,
            row.problem,
            row.id,
        )

    return sorted(rows, key=key)


def settled(row: ExperimentRow) -> bool:
    """Whether the hypothesis has had its test: validated, invalidated, or decided kill / persevere."""
    return row.status in _SETTLED or row.decision in ("kill", "persevere")


def why_next(row: ExperimentRow | None) -> str:
    """One line: why this hypothesis is the one to test this week (``row``: the first of ``next_to_test``)."""
    if row is None:
        return "no hypotheses yet: frame one with %%hypothesis, or draft some with %hypotheses --draft 3"
    if settled(row):
        return "nothing open to test: every hypothesis is settled or decided; frame the next one"
    risk = f"{row.risk} risk" if row.risk else "risk not named"
    if row.evidence_level == "none":
        evidence_words = "no evidence yet"
    else:
        evidence_words = f"strongest evidence so far: {row.evidence_level}"
        if row.evidence:
            evidence_words += f" ({row.supports} supporting, {row.contradicts} contradicting)"
    return f"test next: {row.id} — {risk}, {evidence_words}"
