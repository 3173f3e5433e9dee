"""The LLM layer: every generative feature goes through ``generate`` / ``generate_many``.

Build a ``Task`` (name, pydantic response model, system prompt, the user's material as data, an offline
drafter, sampling limits), hand it to ``generate(session, task)`` and get back a ``Generated`` (``.value``,
the validated object, and ``.provenance``). The session decides the provider (``openai``, ``local``,
``offline``), the model, the deadline, the concurrency and the record/replay cache.

    from disco_magics.llm import Task, generate

    task = Task(name="learning_card", response_model=Card, system="You write learning cards...",
                instructions="Summarise what was learned.", data=result, offline=lambda: card_from(result),
                max_tokens=400)
    made = generate(session, task)          # made.value: Card; made.provenance: Provenance

Failures are one ``ProviderError`` line: rate limit, no answer within the deadline, output that never matched
the schema, a missing key. Importing this package imports pydantic only; openai, instructor and llama_cpp
load inside the provider that needs them.
"""

from __future__ import annotations

from ._runner import generate, generate_many, provider_info
from .base import Call, Deadline, Provider
from .registry import provider_class, provider_names, register_provider, resolve_provider
from .task import DATA_RULE, OFFLINE_NOTICE, Generated, Provenance, Task, data_block

__all__ = [
    "DATA_RULE",
    "OFFLINE_NOTICE",
    "Call",
    "Deadline",
    "Generated",
    "Provenance",
    "Provider",
    "Task",
    "data_block",
    "generate",
    "generate_many",
    "provider_class",
    "provider_info",
    "provider_names",
    "register_provider",
    "resolve_provider",
]
