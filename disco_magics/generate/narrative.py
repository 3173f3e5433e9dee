"""``%disco report --narrate``: the "we learned" paragraphs drafted from the stored results.

The response model's validator refuses any number in the text that is not in the stored results (a rounding
of one of them is fine), so a model that invents a figure is re-asked; after the re-asks run out, one line.
Offline there is no narrative: the report keeps its template.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

if TYPE_CHECKING:
    from ..model.report import ProblemReport
    from ..session import Session

SYSTEM = """You write the "what we learned" part of a product discovery report, for the team and its
stakeholders. Plain words, short paragraphs, each starting with "We learned". Say what the results mean for
the problem and what the team decided. Use only numbers that appear in the data, written as they appear
there; never compute new ones and never invent any."""

INSTRUCTIONS = "Write one to three short paragraphs about what the team learned on this problem."

#: conventions the report itself uses (95% intervals, the 0.05 threshold) are not results but may be named
_CONVENTIONS = (95.0, 0.95, 0.05, 5.0)
_NUMBER = re.compile(r"(?<![A-Za-z_\d.])(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|\.\d+)(?P<pct>\s?%|\s?percent\b)?")


class Narrative(BaseModel):
    """The paragraphs; every number in them is one of ``allowed`` (set on the per-call subclass)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    allowed: ClassVar[tuple[float, ...]] = ()

    paragraphs: list[Annotated[str, StringConstraints(min_length=1, max_length=700)]] = Field(
        min_length=1, max_length=3, description='One to three short paragraphs, each starting "We learned".'
    )

    @field_validator("paragraphs")
    @classmethod
    def _only_stored_numbers(cls, paragraphs: list[str]) -> list[str]:
        for text in paragraphs:
            if "\x00" in text:
                raise ValueError("a paragraph holds a NUL byte")
            bad = unsupported_number(text, cls.allowed)
            if bad is not None:
                raise ValueError(f"the number {bad} is not in the stored results; use only numbers from the data")
        return paragraphs


def narrative_model(allowed: Iterable[float]) -> type[Narrative]:
    values = tuple(sorted({float(v) for v in allowed if v is not None and math.isfinite(v)} | set(_CONVENTIONS)))
    return type("Narrative", (Narrative,), {"allowed": values, "__module__": __name__})


def unsupported_number(text: str, allowed: Iterable[float]) -> str | None:
    """The first number in ``text`` that is no rounding of an allowed value (or of it as a percentage)."""
    values = list(allowed)
    for match in _NUMBER.finditer(text):
        raw = match.group("num")
        token = float(raw.replace(",", ""))
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        tolerance = 0.5 * 10 ** (-decimals) + 1e-9
        scales = (100.0,) if match.group("pct") else (1.0, 100.0)
        if not any(abs(token - abs(v) * scale) <= tolerance for v in values for scale in scales):
            return raw + ("%" if match.group("pct") else "")
    return None


def stored_numbers(section: ProblemReport) -> list[float]:
    """Every number of the section's stored results: what a narrative may quote."""
    numbers: list[float] = []
    for card in section.cards:
        r = card.result
        if r is None:
            continue
        numbers += [r.observed, r.target, r.reference, r.lift, r.ci_low, r.ci_high, r.p_value, r.chance_to_beat]
        numbers += [r.observed_ci_low, r.observed_ci_high, float(card.looks), float(sum(r.n.values()))]
        numbers += [float(n) for n in r.n.values()]
        numbers += [v for v in (r.baseline, r.relative_lift, r.rel_ci_low, r.rel_ci_high) if v is not None]
        if r.required_n_per_arm is not None:
            numbers.append(float(r.required_n_per_arm))
        # the stored reason states the result in words, with its own roundings: those figures are stored too
        for match in _NUMBER.finditer(r.reason):
            value = float(match.group("num").replace(",", ""))
            numbers.append(value / 100 if match.group("pct") else value)
    return numbers


def narrative_data(section: ProblemReport) -> dict:
    from ..formats import number

    cards = []
    for card in section.cards:
        h, r = card.hypothesis, card.result
        entry = {
            "id": h.id,
            "believed": card.believed,
            "risk": h.risk,
            "metric": h.metric,
            "decision": card.decision.decision if card.decision else None,
            "learning": card.decision.learning if card.decision else None,
            "evidence_from_users": card.heard_summary or None,
        }
        if r is not None:
            entry["result"] = {
                "verdict": r.verdict,
                "reason": r.reason,
                "observed": number(r.observed),
                "target": number(r.target),
                "reference": number(r.reference),
                "lift": number(r.lift),
                "ci_95": [number(r.ci_low), number(r.ci_high)],
                "p_value": number(r.p_value),
                "users": sum(r.n.values()),
            }
        cards.append(entry)
    return {"problem": section.problem.name, "statement": section.problem.statement, "hypotheses": cards}


def narrate(session: Session, sections: list[ProblemReport], *, progress: bool = True) -> list[tuple[list[str], str]]:
    """(paragraphs, notice) per section with results, through the LLM; sections without results get none."""
    from ..llm import Task, generate_many

    tasks, where = [], []
    for index, section in enumerate(sections):
        numbers = stored_numbers(section)
        if not numbers:
            continue
        tasks.append(
            Task(
                name="narrative",
                response_model=narrative_model(numbers),
                system=SYSTEM,
                data=narrative_data(section),
                instructions=INSTRUCTIONS,
                max_tokens=700,
            )
        )
        where.append(index)
    made = generate_many(session, tasks, progress=progress) if tasks else []
    out: list[tuple[list[str], str]] = [([], "") for _ in sections]
    for index, generated in zip(where, made, strict=True):
        out[index] = (list(generated.value.paragraphs), f"{generated.notice}; every number checked against the stored results")
    return out
