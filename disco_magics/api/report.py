"""``%disco report``: the learning report, shown or written to .md/.html."""

from __future__ import annotations

from ..session import Session
from ._common import _session, _standalone_html


def report(
    out: str | None = None,
    problem: str | None = None,
    *,
    all: bool = True,
    narrate: bool = False,
    session: Session | None = None,
):
    """The learning report (problem, metrics, hypotheses ordered by risk, evidence, decisions, learnings).

    With ``out`` (.md or .html) it is also written there, atomically. With ``narrate`` and an LLM
    configured, each problem with results gets "we learned" paragraphs drafted from the stored results
    (every number in them checked against those results); offline the report keeps its template.
    Returns a ``LearningReport``.
    """
    from ..model.report import RISK_ORDER, LearningCard, LearningReport, ProblemReport

    s = _session(session)
    store = s.store
    problems = [s.resolve_problem(problem)] if problem else store.problems()
    from ..model import evidence_level

    every_result = store.results_by_hypothesis()  # the latest look and the evidence level, one read
    results = {key: looks[-1] for key, looks in every_result.items()}
    decisions = store.latest_decisions()
    sections = []
    for p in problems:
        heard: dict[str, list] = {}  # one read of the problem's evidence, not one per hypothesis
        for piece in store.evidence(p.name):
            heard.setdefault(piece.hypothesis, []).append(piece)
        cards = []
        for h in sorted(store.hypotheses(p.name), key=lambda h: (RISK_ORDER.index(h.risk), h.id)):
            result = results.get((p.name, h.id))
            logged = heard.get(h.id, [])
            cards.append(
                LearningCard(
                    hypothesis=h,
                    result=result,
                    looks=result.look if result is not None else 0,
                    decision=decisions.get((p.name, h.id)),
                    evidence=logged,
                    evidence_level=evidence_level(logged, every_result.get((p.name, h.id), [])),
                )
            )
        sections.append(ProblemReport(problem=p, cards=cards))
    if narrate:
        from ..status import effective_provider

        if effective_provider(s) != "offline":
            from ..generate.narrative import narrate as draft_narrative

            for section, (paragraphs, notice) in zip(sections, draft_narrative(s, sections), strict=True):
                section.narrative, section.narrative_notice = paragraphs, notice
    made = LearningReport(problems=sections)
    if out:
        from pathlib import Path

        from ..display.report import report_html, report_markdown
        from ..errors import ParseError
        from ..files import write_text_atomic

        suffix = Path(out).suffix.lower()
        if suffix not in (".md", ".html"):
            raise ParseError(
                f"cannot write the report to {Path(out).name[:60]!r}: use .md or .html",
                example="%disco report --out report.md",
            )
        text = report_markdown(made) if suffix == ".md" else _standalone_html(report_html(made))
        write_text_atomic(out, text)
    return made
