"""The ``openai`` provider: instructor (TOOLS mode) over the official ``openai.AsyncOpenAI`` client.

Works with any OpenAI-compatible server through ``OPENAI_BASE_URL`` (OpenAI, Azure, Ollama, vLLM, llama.cpp,
LM Studio). TOOLS mode, because some compatible servers (llama.cpp's among them) reject ``response_format``
of type ``json_schema``.

Two retry loops, one deadline. The client's own retries are off (``max_retries=0``); ``_send`` retries
429, 408/409, 5xx and connection errors itself, honouring ``Retry-After`` and never past the deadline. It
sits *underneath* instructor (``instructor.patch(create=_send)``, which is what ``instructor.from_openai``
does with ``client.chat.completions.create``), so a rate limit during a re-ask repeats that one request
instead of restarting the conversation, and instructor's re-asks only ever carry validation messages —
HTTP failures leave as a ``ProviderError`` and are never fed back to the model.
"""

from __future__ import annotations

import asyncio
import os
import random
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlparse

from ..errors import ProviderError
from . import _secrets, registry
from .base import (
    HTTP_ATTEMPTS,
    VALIDATION_ATTEMPTS,
    Call,
    Deadline,
    LLMState,
    Provider,
    attempts,
    end_quiet,
    quiet_instructor_during_call,
    validation_failure,
)

if TYPE_CHECKING:
    import threading

    from pydantic import BaseModel

    from ..session import Settings

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_HOST = "api.openai.com"
MISSING_KEY = "OPENAI_API_KEY is not set — set it in your environment or a .env file"
_TRANSIENT_STATUS = {408, 409, 429}


def host_of(url: str | None) -> str:
    return (urlparse(url).netloc or url or DEFAULT_HOST) if url else DEFAULT_HOST


class OpenAIProvider(Provider):
    name: ClassVar[str] = "openai"

    @classmethod
    def model_name(cls, settings: Settings) -> str:
        return (
            settings.model
            or os.environ.get("DISCO_MODEL")
            or _secrets.dotenv().get("DISCO_MODEL")
            or DEFAULT_MODEL
        )

    @classmethod
    def describe(cls, settings: Settings) -> dict[str, Any]:
        return {"model": cls.model_name(settings), "base_url": registry.base_url(settings)}

    def __init__(self, settings: Settings, state: LLMState, cancel: threading.Event) -> None:
        super().__init__(settings, state, cancel)
        url = registry.base_url(settings)
        self.where = host_of(url)
        key = _secrets.lookup("OPENAI_API_KEY")
        self._has_key = bool(key)
        if not key:
            if self.where == DEFAULT_HOST:
                raise ProviderError(MISSING_KEY)
            key = "unused"  # local OpenAI-compatible servers ignore it; the client insists on one
        self._redact = _secrets.redactor(key)

        import openai

        # The key goes straight into the client and is kept nowhere else on this object.
        self._client = openai.AsyncOpenAI(api_key=key, base_url=url, max_retries=0, timeout=settings.deadline)

    async def aclose(self) -> None:
        await self._client.close()

    # ---------------------------------------------------------------------------------------------- call

    async def complete(self, call: Call, deadline: Deadline) -> BaseModel:
        import instructor
        from instructor.core import IncompleteOutputException, InstructorRetryException

        token = quiet_instructor_during_call()
        try:
            create = instructor.patch(create=self._sender(deadline), mode=instructor.Mode.TOOLS)
            return await create(
                response_model=call.task.response_model,
                messages=[dict(m) for m in call.messages],
                model=call.model,
                max_retries=VALIDATION_ATTEMPTS - 1,
                **call.task.params(),
            )
        except InstructorRetryException as err:
            if isinstance(err.__cause__, ProviderError):
                raise err.__cause__ from None
            raise validation_failure(err, call.task) from None
        except IncompleteOutputException:
            raise ProviderError(
                f"model output for {call.task.name!r} was cut off at max_tokens={call.task.max_tokens}"
            ) from None
        finally:
            end_quiet(token)

    def _sender(self, deadline: Deadline):
        """``chat.completions.create`` with deadline-bound retries of transient HTTP failures."""
        import openai

        completions = self._client.chat.completions

        async def send(*args: Any, **kwargs: Any) -> Any:
            attempt = 0
            while True:
                attempt += 1
                if deadline.expired():
                    raise self._no_answer(deadline)
                try:
                    return await completions.create(*args, timeout=max(deadline.remaining(), 0.05), **kwargs)
                except openai.APITimeoutError:
                    raise self._no_answer(deadline) from None
                except openai.APIConnectionError:
                    failure, wait = f"cannot reach {self.where} after {attempts(attempt)}", None
                except openai.APIStatusError as err:
                    status = err.status_code
                    if status not in _TRANSIENT_STATUS and status < 500:
                        raise self._refused(err, call_model=kwargs.get("model")) from None
                    failure = (
                        f"rate-limited by {self.where} after {attempts(attempt)}"
                        if status == 429
                        else f"{self.where} kept failing (HTTP {status}) after {attempts(attempt)}"
                    )
                    wait = retry_after(err)
                if attempt >= HTTP_ATTEMPTS:
                    raise ProviderError(failure)
                asked = wait is not None
                if wait is None:
                    wait = min(0.5 * 2 ** (attempt - 1), 8.0) * (0.75 + 0.5 * random.random())
                if wait >= deadline.remaining():
                    if asked:
                        failure += f" (it asked to wait {wait:.3g} s, beyond the {deadline} deadline)"
                    raise ProviderError(failure)
                await asyncio.sleep(wait)

        return send

    def _no_answer(self, deadline: Deadline) -> ProviderError:
        return ProviderError(f"no answer from {self.where} within {deadline}")

    def _refused(self, err: Any, call_model: str | None) -> ProviderError:
        status = err.status_code
        if status in (401, 403):
            if not self._has_key:
                return ProviderError(f"{self.where} wants a key (HTTP {status}) — {MISSING_KEY}")
            return ProviderError(
                f"{self.where} rejected OPENAI_API_KEY (HTTP {status}) — check the key in your environment or .env file"
            )
        if status == 404:
            return ProviderError(
                f"{self.where} answered HTTP 404 for model {call_model!r} — check the model name and "
                "OPENAI_BASE_URL (it usually ends in /v1)",
                example="%disco use openai:gpt-4o-mini",
            )
        body = err.body if isinstance(err.body, dict) else {}
        detail = " ".join(str(body.get("message") or "").split())[:200]
        detail = self._redact(detail)
        return ProviderError(
            f"{self.where} refused the request (HTTP {status})" + (f": {detail}" if detail else "")
        )


def retry_after(err: Any) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms`` or ``Retry-After``), if it said."""
    response = getattr(err, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    try:
        if (ms := headers.get("retry-after-ms")) is not None:
            return max(0.0, float(ms) / 1000)
    except ValueError:
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        from datetime import UTC, datetime

        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None
