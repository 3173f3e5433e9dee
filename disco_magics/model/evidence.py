"""Evidence from real users: what was heard or seen, which hypothesis it speaks to, and which way.

Evidence never changes a verdict (verdicts come from measurements); it is counted and shown with the
hypothesis, and it raises the hypothesis' *evidence level* (none → qualitative → prototype → experiment).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar, Literal, get_args

from pydantic import Field, field_validator

from ._base import DiscoModel, Name, utcnow
from .hypothesis import Hypothesis

EvidenceKind = Literal["interview", "observation", "survey", "support", "analytics"]
EVIDENCE_KINDS: tuple[str, ...] = get_args(EvidenceKind)

Signal = Literal["supports", "contradicts", "neutral"]
SIGNALS: tuple[str, ...] = get_args(Signal)

#: the strongest evidence a hypothesis has so far, weakest first
EvidenceLevel = Literal["none", "qualitative", "prototype", "experiment"]
EVIDENCE_LEVELS: tuple[str, ...] = get_args(EvidenceLevel)

#: notes longer than this are a paste gone wrong (a whole export), not notes from one call
MAX_NOTES = 1_000_000


class Evidence(DiscoModel):
    """One piece of evidence: ``%%evidence H1 --kind interview --source "..." --signal supports``."""

    bundle_kind = "evidence"

    hypothesis: Name
    problem: Name
    kind: EvidenceKind
    source: str = Field(default="", max_length=500, description="Who or where it came from, and when.")
    signal: Signal
    text: str = Field(min_length=1, max_length=MAX_NOTES, description="The notes, in the user's own words.")
    recorded_at: datetime = Field(default_factory=utcnow)

    @property
    def excerpt(self) -> str:
        """The notes on one line, cut to a quotable length."""
        words = " ".join(self.text.split())
        return words if len(words) <= 240 else words[:239].rstrip() + "…"


class SignalSuggestion(DiscoModel):
    """What an LLM reads in the notes: the signal, and the quotes behind it (verbatim from the notes)."""

    #: the notes the quotes must come from; set on the per-call subclass (``suggestion_model``)
    notes: ClassVar[str] = ""

    signal: Signal = Field(description="Whether the notes support, contradict or say nothing about the hypothesis.")
    quotes: list[str] = Field(
        min_length=1,
        max_length=3,
        description="One to three short quotes copied word for word from the notes that show the signal.",
    )
    why: str = Field(default="", max_length=300, description="One sentence: why these quotes give this signal.")

    @field_validator("quotes")
    @classmethod
    def _verbatim(cls, quotes: list[str]) -> list[str]:
        flat = " ".join(cls.notes.split()).lower()
        for quote in quotes:
            if len(quote) > 300:
                raise ValueError("a quote is longer than 300 characters; quote a sentence, not the notes")
            words = " ".join(quote.strip().strip("\"'“”").split()).lower()
            if not words or (flat and words not in flat):
                raise ValueError(f"quote {quote[:60]!r} is not in the notes: copy the words exactly")
        return quotes


def suggestion_model(notes: str) -> type[SignalSuggestion]:
    """``SignalSuggestion`` checking its quotes against ``notes`` (same name and schema: the cache key holds)."""
    return type("SignalSuggestion", (SignalSuggestion,), {"notes": notes, "__module__": __name__})


def evidence_level(evidence: Iterable[Evidence] | int, results: Iterable[Any]) -> str:
    """The strongest evidence so far: ``experiment`` (a measured result), ``prototype`` (a result measured
    on a prototype's tracked events), ``qualitative`` (logged evidence), else ``none``.

    The one place that decides it. Rehearsals — results on data the tool synthesized — are never
    evidence: a result marked ``rehearsal`` is skipped here.
    """
    real = [r for r in results if not r.rehearsal]
    if any(getattr(r, "source", "data") != "events" for r in real):
        return "experiment"
    if real:
        return "prototype"
    count = evidence if isinstance(evidence, int) else sum(1 for _ in evidence)
    return "qualitative" if count else "none"


class HypothesisEvidence(DiscoModel):
    """A hypothesis with the evidence logged for it: what ``%%evidence`` shows (the hypothesis card)."""

    bundle_kind = "hypothesis-evidence"

    hypothesis: Hypothesis
    evidence: list[Evidence] = Field(default_factory=list)
    level: EvidenceLevel = "none"
    added: int | None = Field(default=None, description="Index in ``evidence`` of the piece just logged.")

    def count(self, signal: str) -> int:
        return sum(1 for e in self.evidence if e.signal == signal)


class SuggestedSignal(DiscoModel):
    """An LLM's reading of the notes, shown as a suggestion: nothing is stored until the user confirms it
    by re-running the cell with ``--signal``."""

    bundle_kind = "evidence-suggestion"

    hypothesis: Name
    suggestion: SignalSuggestion
    cell: str = Field(description="The cell to run to confirm the suggestion.")
    notice: str = Field(description="Who suggested it.")
