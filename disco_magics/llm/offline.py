"""The ``offline`` provider: the task's own rule-based drafter, used when no LLM is configured.

Nothing is sent anywhere and nothing is cached (the rules are deterministic, so re-running them *is* the
replay). Provenance says ``offline=True``; the drafter's output says that no LLM wrote it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ..errors import ProviderError
from .base import Call, Deadline, Provider

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..session import Settings
    from .task import Task

MODEL = "rules"


class OfflineProvider(Provider):
    name: ClassVar[str] = "offline"
    is_llm: ClassVar[bool] = False
    where = "the offline drafter"

    @classmethod
    def model_name(cls, settings: Settings) -> str:
        return MODEL

    def draft(self, task: Task) -> BaseModel:
        if task.offline is None:
            raise ProviderError(
                f"no LLM is configured and task {task.name!r} has no offline drafter — set OPENAI_API_KEY in "
                "your environment or a .env file, or choose a model",
                example="%disco use local",
            )
        made = task.offline()
        if not isinstance(made, task.response_model):
            made = task.response_model.model_validate(made)
        return made

    async def complete(self, call: Call, deadline: Deadline) -> BaseModel:
        return self.draft(call.task)
