"""The provider protocol, the per-call deadline and the session's LLM state.

A provider is one class behind ``Provider`` in one file; the registry maps a name to it. Provider modules
import their heavy libraries (openai, instructor, llama_cpp) inside methods, so that resolving a provider
for a cache hit or for ``%disco status`` never imports them.
"""

from __future__ import annotations

import contextvars
import logging
import math
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import ProviderError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..session import Session, Settings
    from .task import Task

#: attempts for one HTTP request (429, 5xx, connection errors), and for a schema-valid answer
HTTP_ATTEMPTS = 3
VALIDATION_ATTEMPTS = 3


class Deadline:
    """One total time budget for a call, retries and re-asks included."""

    def __init__(self, seconds: float) -> None:
        self.seconds = check_deadline(seconds)
        self._end = time.monotonic() + self.seconds

    def remaining(self) -> float:
        return max(0.0, self._end - time.monotonic())

    def expired(self) -> bool:
        return time.monotonic() >= self._end

    def __str__(self) -> str:
        return f"{self.seconds:g} s"


def check_deadline(seconds: Any) -> float:
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ProviderError(
            f"the LLM deadline must be a positive, finite number of seconds, not {seconds!r}",
            example="%config DiscoMagics.deadline = 60",
        )
    return value


@dataclass(frozen=True)
class Call:
    """A task resolved against a provider: what is sent, and under which cache key."""

    task: Task
    messages: list[dict[str, str]]
    provider: str
    model: str
    key: str
    prompt_hash: str


@dataclass
class LLMState:
    """What the LLM layer keeps in ``Session._llm``: counters and loaded local models."""

    cache_hits: int = 0
    calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    resources: dict[str, Any] = field(default_factory=dict, repr=False)


def state_of(session: Session) -> LLMState:
    if session._llm is None:
        session._llm = LLMState()
    return session._llm


class Provider(ABC):
    """One way of answering a ``Task``. Subclasses live one to a file and register in ``registry``."""

    #: the name users type in ``%disco use NAME[:MODEL]``
    name: ClassVar[str]
    #: False for the rule-based drafter: no cache, no thread, no deadline
    is_llm: ClassVar[bool] = True

    @classmethod
    @abstractmethod
    def model_name(cls, settings: Settings) -> str:
        """The model as recorded in provenance and the cache key. Cheap: no heavy imports, no I/O."""

    @classmethod
    def describe(cls, settings: Settings) -> dict[str, Any]:
        """What ``%disco status`` shows about this provider (never a secret)."""
        return {"model": cls.model_name(settings), "base_url": None}

    def __init__(self, settings: Settings, state: LLMState, cancel: threading.Event) -> None:
        self.settings = settings
        self.state = state
        self.cancel = cancel

    #: where answers come from, for one-line errors ("no answer from <where> within 60 s")
    where: str = "the provider"

    @abstractmethod
    async def complete(self, call: Call, deadline: Deadline) -> BaseModel:
        """A validated ``call.task.response_model`` instance, or a ``ProviderError`` (one line)."""

    def draft(self, task: Task) -> BaseModel:  # pragma: no cover - only the offline provider drafts
        raise NotImplementedError

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most providers hold nothing to release
        """Release what ``__init__`` opened (inside the batch's event loop)."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}:{self.model_name(self.settings)}>"


# ------------------------------------------------------------------------------ shared by the providers


def attempts(n: int) -> str:
    return f"{n} attempt" + ("" if n == 1 else "s")


def validation_failure(err: BaseException, task: Task) -> ProviderError:
    """One line from instructor's ``InstructorRetryException`` after the re-asks ran out."""
    tries = getattr(err, "n_attempts", None) or VALIDATION_ATTEMPTS
    failed = getattr(err, "failed_attempts", None) or []
    last = failed[-1].exception if failed else (err.__cause__ or err)
    model = task.response_model.__name__
    return ProviderError(
        f"model output did not match {model} after {attempts(tries)}: {describe_invalid(last)}"
    )


def describe_invalid(exc: BaseException) -> str:
    """``files.0.path: field required`` from a pydantic ValidationError; a first line otherwise."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            first = errors()[0]
        except Exception:
            first = None
        if first:
            where = ".".join(str(part) for part in first.get("loc", ()))
            message = str(first.get("msg", "invalid"))
            message = message[:1].lower() + message[1:]
            return f"{where}: {message}" if where else message
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


# instructor logs every API failure and every exhausted retry at ERROR before raising it; we turn each into
# one line for the user, so inside our calls those records are duplicates (and would print to a notebook's
# stderr). Only records emitted during our own calls are dropped.
_IN_CALL: contextvars.ContextVar[bool] = contextvars.ContextVar("disco_llm_in_call", default=False)


class _DuringOurCalls(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _IN_CALL.get()


_filter_installed = False


def quiet_instructor_during_call() -> contextvars.Token:
    """Mark the current context as inside a disco call; returns the token for ``_IN_CALL.reset``."""
    global _filter_installed
    if not _filter_installed:
        logging.getLogger("instructor.v2.retry").addFilter(_DuringOurCalls())
        _filter_installed = True
    return _IN_CALL.set(True)


def end_quiet(token: contextvars.Token) -> None:
    _IN_CALL.reset(token)
