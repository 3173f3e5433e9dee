"""Model → mimebundle: ``text/plain``, escaped ``text/html`` and ``application/vnd.disco.<kind>+json``.

``display`` depends on ``model`` only, never the other way: importing this package installs ``bundle``
as the models' renderer (``model._base.set_renderer``), and ``%load_ext`` registers it with IPython's
display formatter by name, without importing anything heavy. Renderers are looked up by type name, so a
new displayable type adds one entry to ``_RENDERERS`` (text and HTML) or ``_BUNDLES`` (a whole bundle).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model._base import set_renderer


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


def _portfolio(obj) -> tuple[str, str]:
    from .portfolio import portfolio_html, portfolio_text

    return portfolio_text(obj), portfolio_html(obj)


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
    "Portfolio": _portfolio,
}


def _drafted_prototype(obj) -> tuple[dict[str, Any], dict[str, Any]]:
    from .prototype import drafted_bundle

    return drafted_bundle(obj)


#: types whose bundle is more than text and HTML (extra media types, a trimmed JSON payload)
_BUNDLES: dict[str, Callable[[Any], tuple[dict[str, Any], dict[str, Any]]]] = {
    "DraftedPrototype": _drafted_prototype,
}


def register(type_name: str, renderer: Callable[[Any], tuple[str, str]]) -> None:
    _RENDERERS[type_name] = renderer


#: stored, never displayed: ``origin`` (the notebook's own path and cell) would put the author's absolute
#: paths into every saved output, and make saved outputs differ from machine to machine
_NOT_SHOWN = {"origin"}


def bundle(obj, metadata: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The display bundle of a model: (data, metadata)."""
    whole = _BUNDLES.get(type(obj).__name__)
    if whole is not None:
        data, meta = whole(obj)
        return data, {**meta, **(metadata or {})}
    renderer = _RENDERERS.get(type(obj).__name__)
    payload = obj.model_dump(mode="json", exclude=_NOT_SHOWN)
    if renderer is None:
        return {"text/plain": repr(obj), obj.media_type(): payload}, dict(metadata or {})
    text, html = renderer(obj)
    return {"text/plain": text, "text/html": html, obj.media_type(): payload}, dict(metadata or {})


def ipython_bundle(obj) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """IPython's mimebundle printer for every ``DiscoModel`` (a type without a bundle kind shows as text)."""
    return bundle(obj) if obj.bundle_kind else None


set_renderer(bundle)
