"""Model → mimebundle: ``text/plain``, escaped ``text/html`` and ``application/vnd.disco.<kind>+json``.

``display`` depends on ``model`` only. Renderers are looked up by type name, so a new displayable type
adds one entry to ``_RENDERERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _problem(obj) -> tuple[str, str]:
    from .cards import problem_html, problem_text

    return problem_text(obj), problem_html(obj)


def _hypothesis(obj) -> tuple[str, str]:
    from .cards import hypothesis_html, hypothesis_text

    return hypothesis_text(obj), hypothesis_html(obj)


def _decision(obj) -> tuple[str, str]:
    from .cards import decision_html, decision_text

    return decision_text(obj), decision_html(obj)


def _experiments(obj) -> tuple[str, str]:
    from .table import table_html, table_text

    return table_text(obj), table_html(obj)


def _result(obj) -> tuple[str, str]:
    from .result import result_bundle

    data = result_bundle(obj)
    return data["text/plain"], data["text/html"]


def _report(obj) -> tuple[str, str]:
    from .report import report_html, report_text

    return report_text(obj), report_html(obj)


def _plan(obj) -> tuple[str, str]:
    from .plan import plan_html, plan_text

    return plan_text(obj), plan_html(obj)


def _peeking(obj) -> tuple[str, str]:
    from .plan import peeking_html, peeking_text

    return peeking_text(obj), peeking_html(obj)


_RENDERERS: dict[str, Callable[[Any], tuple[str, str]]] = {
    "Problem": _problem,
    "Hypothesis": _hypothesis,
    "Decision": _decision,
    "ExperimentTable": _experiments,
    "Result": _result,
    "LearningReport": _report,
    "Plan": _plan,
    "PeekingSimulation": _peeking,
}


def register(type_name: str, renderer: Callable[[Any], tuple[str, str]]) -> None:
    _RENDERERS[type_name] = renderer


def bundle(obj, metadata: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The display bundle of a model: (data, metadata)."""
    renderer = _RENDERERS.get(type(obj).__name__)
    payload = obj.model_dump(mode="json")
    if renderer is None:
        return {"text/plain": repr(obj), obj.media_type(): payload}, dict(metadata or {})
    text, html = renderer(obj)
    return {"text/plain": text, "text/html": html, obj.media_type(): payload}, dict(metadata or {})
