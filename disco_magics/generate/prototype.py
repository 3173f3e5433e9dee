"""Drafting prototypes: through the LLM layer when one is configured, else by the offline templates.

``draft_prototypes`` is the one place that chooses: every caller (``api.prototype``, ``%prototype``) goes
through it. The LLM gets a ``Task`` whose response model is the kind's ``PrototypeDraft`` (validators re-ask
through instructor) and whose offline drafter is the template; the answer comes back as data and is never run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import ValidationFailed
from ..model.prototype import DRAFT_MODELS, Prototype, PrototypeDraft, PrototypeProvenance
from . import templates
from .templates import OFFLINE_NOTICE, Context

if TYPE_CHECKING:
    from ..model import Hypothesis, Problem
    from ..session import Session

__all__ = ["PROTOTYPE_EXAMPLE", "context_for", "draft_prototypes", "offline_draft", "resolve_kind"]

PROTOTYPE_EXAMPLE = "%prototype H1 --kind fake-door"
DEFAULT_PRICE = "$29 / month"

SYSTEM = """You are a product engineer who builds the thinnest possible prototype that tests one product
hypothesis with real users, in hours. You answer with the prototype's complete files and nothing else.

Rules:
- Build exactly the kind asked for ({kind}: {purpose}). Keep it small: one to three files.
- Every file is complete and runs as written; paths are relative (letters, digits, _ - . /).
- Log exactly the events you declare. exposure_event is logged when a user sees the thing being tested,
  conversion_event when the user does what the hypothesis' metric counts.
{where_rules}
- Never collect passwords or payment details; a price may be shown, nothing is charged.
- Use only the standard library{libraries}. No network calls except the ones described above."""

WHERE_RULES = {
    "notebook": """- It is an ipywidgets app for a Jupyter notebook and Voila. The entry file (app.py) defines
  app(user=None, variant=None) that returns the widget, and logs events with
  disco_magics.track("{id}", EVENT, user=user, variant=variant, problem="{problem}")
  (import disco_magics). A missing user gets a fresh random id. Show text with widgets.HTML and
  html.escape, or widgets.Label.""",
    "web": """- It is a static web page served by `disco serve`: the entry is index.html at the top of the folder,
  with JavaScript in a separate .js file (<script src="app.js">): inline <script> bodies and on*=
  attributes are blocked by the server's Content-Security-Policy. The page keeps a random user id in
  localStorage and sends each event with fetch("/events", {{method: "POST", headers: {{"Content-Type":
  "application/json"}}, body: JSON.stringify({{event, user, variant}})}}); variant comes from ?variant= or
  is null. No external scripts, fonts or images.""",
    "script": """- It is a Python script. The entry file defines run() that performs the riskiest technical step
  for real several times and logs each trial as one user with
  disco_magics.track("{id}", EVENT, user=trial_id, problem="{problem}") (import disco_magics);
  `python FILE` calls run().""",
}

INSTRUCTIONS = (
    "Draft a {kind} prototype that tests this hypothesis. Use the hypothesis' own words in the copy, and "
    "make {conversion_hint} the conversion event."
)


# ----------------------------------------------------------------------------------------------- kind


def resolve_kind(kind: str | None, h: Hypothesis) -> str:
    """The kind asked for, else the default for the hypothesis' risk; an unknown kind lists the known."""
    known = templates.kinds()
    if kind is None:
        return templates.default_kind(h.risk)
    wanted = str(kind).strip().lower().replace("_", "-")
    if wanted not in known:
        raise ValidationFailed(
            f"unknown prototype kind {str(kind)[:30]!r}; choose one of {', '.join(known)}",
            example=PROTOTYPE_EXAMPLE,
        )
    return wanted


# -------------------------------------------------------------------------------------------- context

_BELIEVE = re.compile(r"^\s*(?:we\s+)?(?:believe|think|bet|expect)\s+(?:that\s+)?", re.IGNORECASE)
_WILL = re.compile(
    r"\s+(?:will|would|should|can|could|is going to|are going to|helps?|raises?|rises?|increases?|reduces?"
    r"|lifts?|improves?|grows?|drops?|falls?|goes up|goes down)\s+",
    re.IGNORECASE,
)
_BECAUSE = re.compile(r"\b(?:because|since|as)\s+(.+)$", re.IGNORECASE | re.DOTALL)
_PRICE = re.compile(
    r"(?:[$€£]\s?\d+(?:[.,]\d{1,2})?(?:\s*(?:/|per|a)\s*(?:month|mo|year|yr|seat|user))?)"
    r"|(?:\d+(?:[.,]\d{1,2})?\s?(?:USD|EUR|GBP|dollars|euros)(?:\s*(?:/|per|a)\s*(?:month|year|seat|user))?)",
    re.IGNORECASE,
)
_RATE_WORDS = re.compile(
    r"^(?:the\s+)?(?:share|percentage|percent|proportion|rate|fraction|number|count|%)\s+of\s+", re.IGNORECASE
)


def _clean(text: str, limit: int) -> str:
    words = " ".join(str(text).split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def _change(statement: str) -> str:
    first = re.split(r"(?<=[.!?])\s", " ".join(statement.split()), maxsplit=1)[0]
    body = _BELIEVE.sub("", first)
    head = _WILL.split(body, maxsplit=1)[0]
    head = _BECAUSE.sub("", head).strip(" ,.;:")
    return _clean(head or body, 160) or "the change"


def _task(metric_description: str, metric: str) -> str:
    text = _RATE_WORDS.sub("", metric_description.strip())
    match = re.search(r"\b\w+ing\b.*", text)
    if match:
        return _clean(match.group(0).rstrip(" ."), 100)
    return _clean(text or metric.replace("_", " "), 100)


def context_for(h: Hypothesis, problem: Problem | None) -> Context:
    """The hypothesis in the plain-text pieces the templates fill in."""
    metric = problem.metric(h.metric) if problem is not None else None
    description = metric.description if metric is not None else ""
    found = _BECAUSE.search(" ".join(h.statement.split()))
    reason = _clean(found.group(1).rstrip(" ."), 300) if found else ""
    change = _change(h.statement)
    if reason and (len(change.split()) < 2 or change.lower() == h.metric.lower()):
        # "invite_rate rises because of a checklist": the change is in the reason
        change = _clean(re.sub(r"^of\s+", "", reason), 160)
    price = _PRICE.search(h.statement)
    return Context(
        hypothesis=h.id,
        problem=h.problem,
        statement=_clean(h.statement, 1_000),
        change=change,
        reason=reason,
        segment=_clean(problem.segment, 160) if problem is not None and problem.segment else "our users",
        task=_task(description, h.metric),
        metric=h.metric,
        metric_description=_clean(description, 300),
        baseline=h.baseline,
        target=h.target,
        risk=h.risk,
        price=_clean(price.group(0), 40) if price else DEFAULT_PRICE,
        price_assumed=price is None,
    )


# --------------------------------------------------------------------------------------------- drafting


def offline_draft(ctx: Context, kind: str) -> PrototypeDraft:
    """The template's prototype of ``kind`` for ``ctx`` (no LLM)."""
    return templates.module(kind).draft(ctx)


def _offline_provenance() -> PrototypeProvenance:
    return PrototypeProvenance(provider="offline", model="templates", offline=True, notice=OFFLINE_NOTICE)


def _task_for(ctx: Context, kind: str):
    from ..llm.task import Task

    mod = templates.module(kind)
    where = mod.WHERE
    rules = WHERE_RULES[where].format(id=ctx.hypothesis, problem=ctx.problem)
    system = SYSTEM.format(
        kind=kind,
        purpose=mod.PURPOSE,
        where_rules=rules,
        libraries=" and ipywidgets" if where == "notebook" else "",
    )
    data = {
        "hypothesis": {
            "id": ctx.hypothesis,
            "statement": ctx.statement,
            "risk": ctx.risk,
            "metric": ctx.metric,
            "metric_description": ctx.metric_description,
            "baseline": ctx.baseline,
            "target": ctx.target,
        },
        "problem": ctx.problem,
        "segment": ctx.segment,
        "kind": kind,
        "price_to_show": ctx.price if where == "web" else None,
    }
    return Task(
        name="prototype",
        response_model=DRAFT_MODELS[where],
        system=system,
        data=data,
        instructions=INSTRUCTIONS.format(kind=kind, conversion_hint=f"'{ctx.task}'"),
        offline=lambda: offline_draft(ctx, kind),
        max_tokens=4096,
    )


def _llm_layer():
    """The LLM layer's ``generate_many`` (it runs the offline drafter itself when no LLM is configured)."""
    try:
        from ..llm import generate_many
    except ImportError:  # pragma: no cover - the layer ships with the package; kept so drafting never breaks
        return None
    return generate_many


def draft_prototypes(
    session: Session,
    hypotheses: Sequence[Hypothesis],
    kind: str | None = None,
    *,
    progress: bool = True,
) -> list[Prototype]:
    """One prototype per hypothesis, drafted concurrently (LLM layer) or by the offline templates.

    Parameters
    ----------
    session
        The session: its provider decides LLM or offline; its store gives each hypothesis' problem.
    hypotheses
        The hypotheses to draft for, in order.
    kind
        A kind for all of them; ``None`` picks each hypothesis' default from its risk.
    progress
        Show a progress bar while several are drafted.

    Returns
    -------
    list[Prototype]
        In the order of ``hypotheses``, each with its provenance. Nothing in them has been run.
    """
    problems = {h.problem: session.store.problem(h.problem) for h in hypotheses}
    jobs = [(h, resolve_kind(kind, h), context_for(h, problems[h.problem])) for h in hypotheses]
    generate_many = _llm_layer()
    if generate_many is not None:
        answers = generate_many(session, [_task_for(ctx, k) for _, k, ctx in jobs], progress=progress)
        return [
            Prototype.from_draft(
                made.value,
                hypothesis=h.id,
                problem=h.problem,
                kind=k,
                provenance=_provenance(made.provenance),
            )
            for (h, k, _), made in zip(jobs, answers, strict=True)
        ]
    drafted = []
    for h, k, ctx in _progress(jobs, progress):
        drafted.append(
            Prototype.from_draft(
                offline_draft(ctx, k),
                hypothesis=h.id,
                problem=h.problem,
                kind=k,
                provenance=_offline_provenance(),
            )
        )
    return drafted


def _provenance(made) -> PrototypeProvenance:
    if made.offline:
        return _offline_provenance()
    return PrototypeProvenance(
        provider=made.provider,
        model=made.model,
        prompt_hash=made.prompt_hash,
        cache_hit=made.cache_hit,
        offline=False,
        notice=made.describe()[:300],
    )


def _progress(items: list, enabled: bool):
    if not enabled or len(items) < 2:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc="prototypes", unit="draft")
