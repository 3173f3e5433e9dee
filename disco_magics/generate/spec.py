"""Spec from prose: the LLM drafts a DatasetSpec; with no LLM, the offline drafter reads the user's words."""

from __future__ import annotations

OFFLINE_NOTE = "drafted offline from your words — no LLM wrote it"


def draft_spec(session, prose: str):
    """(DatasetSpec, note): the note says who drafted it, so the user knows to check and paste it."""
    from .offline_spec import draft_spec_from_prose

    llm = _llm_draft(session, prose)
    if llm is not None:
        return llm
    return draft_spec_from_prose(prose), OFFLINE_NOTE


def _llm_draft(session, prose: str):
    """Through the LLM layer when a provider other than offline is configured; None otherwise."""
    try:
        from ..llm import Task, generate  # the LLM layer (issue 5)
    except ImportError:
        return None
    from ..model.dataset import DatasetSpec
    from ..status import effective_provider
    from .offline_spec import draft_spec_from_prose

    if effective_provider(session) == "offline":
        return None
    task = Task(
        name="dataset_spec",
        response_model=DatasetSpec,
        system=(
            "You design synthetic datasets for rehearsing a product experiment's analysis. Answer with a "
            "DatasetSpec: one column per field the description names, realistic distributions, and the "
            "planted effect as an override on the group column when the description has one."
        ),
        data=prose,
        offline=lambda: draft_spec_from_prose(prose),
    )
    made = generate(session, task)
    who = "offline drafter" if made.provenance.offline else f"{made.provenance.provider}:{made.provenance.model}"
    return made.value, f"drafted by {who} — check it, then paste it into the cell to skip this step"
