"""Evidence signal: an LLM reads interview (or other) notes and suggests supports / contradicts / neutral,
with the quotes behind it. There is no offline drafter: reading a signal from notes is the user's call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.evidence import SignalSuggestion, suggestion_model

if TYPE_CHECKING:
    from ..llm import Generated
    from ..model import Hypothesis
    from ..session import Session

SYSTEM = """You help a product team read notes from real users against one hypothesis. Decide whether the notes
support the hypothesis, contradict it, or say nothing about it (neutral). Back the signal with one to three
short quotes copied word for word from the notes. Do not invent facts or numbers."""

INSTRUCTIONS = "Which way do these notes point for the hypothesis? Quote the notes exactly."


def suggestion_task(hypothesis: Hypothesis, kind: str, source: str, notes: str):
    from ..llm import Task

    return Task(
        name="evidence_signal",
        response_model=suggestion_model(notes),
        system=SYSTEM,
        data={
            "hypothesis": {"id": hypothesis.id, "statement": hypothesis.statement, "metric": hypothesis.metric},
            "evidence": {"kind": kind, "source": source, "notes": notes},
        },
        instructions=INSTRUCTIONS,
        max_tokens=400,
    )


def suggest_signal(session: Session, hypothesis: Hypothesis, kind: str, source: str, notes: str) -> Generated:
    """One structured call; ``.value`` is a ``SignalSuggestion`` whose quotes are in the notes."""
    from ..llm import generate

    made = generate(session, suggestion_task(hypothesis, kind, source, notes))
    value = made.value
    if type(value) is not SignalSuggestion:  # the per-call subclass: hand back the plain type
        value = SignalSuggestion.model_validate(value.model_dump())
    from ..llm import Generated as _Generated

    return _Generated(value, made.provenance)
