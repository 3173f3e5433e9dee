"""``generate`` / ``generate_many``: cache first, then concurrent calls on a private event loop.

A notebook kernel already runs an event loop in the main thread, so a batch runs on its own loop in a worker
thread; the main thread only waits, drives the progress bar and catches Ctrl-C. On Ctrl-C the batch is
cancelled (HTTP requests dropped, local generation stopped at the next token), the worker is joined and
``KeyboardInterrupt`` propagates: calls that had finished are cached whole, nothing partial is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import DiscoError, ProviderError
from .base import Call, Deadline, LLMState, Provider, check_deadline, state_of
from .cache import Cache, cache_dir, check_mode
from .registry import base_url, provider_class, resolve_provider
from .task import Generated, Provenance, Task, cache_key, prompt_hash

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..session import Session

_DONE = object()
_JOIN_AFTER_INTERRUPT_S = 10.0


def generate(session: Session, task: Task) -> Generated:
    """Answer one task with the session's provider (through the cache); one-line ``ProviderError`` on failure.

    Parameters
    ----------
    session
        Supplies the provider, model, deadline, concurrency and cache mode (``session.settings``).
    task
        What to ask and the pydantic type the answer must validate as.

    Returns
    -------
    Generated
        ``.value`` (a ``task.response_model`` instance) and ``.provenance``.
    """
    return generate_many(session, [task], progress=False)[0]


def generate_many(session: Session, tasks: Iterable[Task], progress: bool = True) -> list[Generated]:
    """Answer several tasks concurrently (at most ``settings.concurrency`` in flight), in input order.

    Cache hits return at once; the rest run together, so a batch takes about as long as its slowest call.
    A notebook progress bar (``tqdm.auto``) shows while two or more calls are in flight. If any call fails,
    the others still finish (and are cached) and one ``ProviderError`` line reports the failure.
    """
    tasks = list(tasks)
    if not tasks:
        return []
    settings = session.settings
    state = state_of(session)
    name, _automatic = resolve_provider(settings)
    cls = provider_class(name)
    model = cls.model_name(settings)

    if not cls.is_llm:
        drafter = cls(settings, state, threading.Event())
        return [
            Generated(
                drafter.draft(task),
                Provenance(
                    task=task.name,
                    provider=name,
                    model=model,
                    prompt_hash=prompt_hash(task.messages(), task.response_model),
                    offline=True,
                ),
            )
            for task in tasks
        ]

    mode = check_mode(settings.llm_cache)
    deadline = check_deadline(settings.deadline)
    cache = Cache.for_settings(settings)
    calls = [_call(task, name, model) for task in tasks]
    results: list[Generated | None] = [None] * len(calls)
    pending: list[int] = []
    for index, call in enumerate(calls):
        hit = cache.get(call) if mode != "off" else None
        if hit is not None:
            state.cache_hits += 1
            results[index] = Generated(hit, _provenance(call, cache_hit=True))
        elif mode == "replay":
            raise cache.miss(call)
        else:
            pending.append(index)

    if pending:
        batch = _Batch(
            provider_cls=cls,
            session_state=state,
            settings=settings,
            calls=[calls[i] for i in pending],
            deadline=deadline,
            concurrency=max(1, int(settings.concurrency or 1)),
            cache=cache if mode == "record" else None,
            progress=progress and len(pending) > 1,
        )
        for index, value in zip(pending, batch.run(), strict=True):
            results[index] = Generated(value, _provenance(calls[index], cache_hit=False))
    return results  # type: ignore[return-value]


def provider_info(session: Session) -> dict[str, Any]:
    """What ``%disco status`` shows: provider, model, base URL, key *names*, cache mode, folder and hits."""
    from . import _secrets

    settings = session.settings
    state = state_of(session)
    name, automatic = resolve_provider(settings)
    try:
        described = provider_class(name).describe(settings)
    except DiscoError:
        described = {"model": settings.model or "default", "unknown": True}
    return {
        "provider": name,
        "automatic": automatic,
        "model": described.get("model"),
        "base_url": described.get("base_url", base_url(settings)) if name == "openai" else None,
        "path": described.get("path"),
        "unknown": described.get("unknown", False),
        "keys": _secrets.keys_set(),
        "cache": settings.llm_cache,
        "cache_dir": str(cache_dir(settings)),
        "cache_hits": state.cache_hits,
        "calls": state.calls,
        "deadline": settings.deadline,
        "concurrency": settings.concurrency,
    }


# ------------------------------------------------------------------------------------------ internals


def _call(task: Task, provider: str, model: str) -> Call:
    messages = task.messages()
    return Call(
        task=task,
        messages=messages,
        provider=provider,
        model=model,
        key=cache_key(provider, model, messages, task.response_model, task.params()),
        prompt_hash=prompt_hash(messages, task.response_model),
    )


def _plain(call: Call, value: BaseModel) -> BaseModel:
    """An instance of exactly ``task.response_model``, as a replay would rebuild it.

    instructor returns a generated subclass carrying the raw completion; a JSON round trip gives the plain
    type, so a live answer and its replay compare equal and nothing of the transport leaks into artifacts.
    """
    return call.task.response_model.model_validate(value.model_dump(mode="json"))


def _provenance(call: Call, *, cache_hit: bool) -> Provenance:
    return Provenance(
        task=call.task.name,
        provider=call.provider,
        model=call.model,
        prompt_hash=call.prompt_hash,
        cache_hit=cache_hit,
        offline=False,
    )


class _Batch:
    """One batch of calls on a private event loop in a worker thread."""

    def __init__(
        self,
        *,
        provider_cls: type[Provider],
        session_state: LLMState,
        settings: Any,
        calls: list[Call],
        deadline: float,
        concurrency: int,
        cache: Cache | None,
        progress: bool,
    ) -> None:
        self.cancel = threading.Event()
        # Built here, in the caller's thread, so a missing key or model file fails before any thread starts.
        self.provider = provider_cls(settings, session_state, self.cancel)
        self.state = session_state
        self.calls = calls
        self.deadline = deadline
        self.concurrency = concurrency
        self.cache = cache
        self.progress = progress
        self.events: queue.Queue = queue.Queue()
        self.started = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.main_task: asyncio.Task | None = None
        self.outcome: list[Any] | None = None
        self.error: BaseException | None = None

    # ------------------------------------------------------------------------------------ caller side

    def run(self) -> list[BaseModel]:
        bar = self._bar()
        worker = threading.Thread(target=self._thread_main, name="disco-llm-batch", daemon=True)
        worker.start()
        try:
            while True:
                try:
                    event = self.events.get(timeout=0.1)
                except queue.Empty:
                    continue
                if event is _DONE:
                    break
                if bar is not None:
                    bar.update(1)
        except KeyboardInterrupt:
            self._interrupt()
            worker.join(_JOIN_AFTER_INTERRUPT_S)
            raise
        finally:
            if bar is not None:
                bar.close()
        worker.join()
        if self.error is not None:
            raise self.error
        return self._values(self.outcome or [])

    def _bar(self):
        if not self.progress:
            return None
        from tqdm.auto import tqdm

        label = f"{self.provider.name}:{self.calls[0].model}"
        return tqdm(total=len(self.calls), desc=label, unit="call", leave=False)

    def _interrupt(self) -> None:
        self.cancel.set()
        if not self.started.wait(1.0) or self.loop is None or self.main_task is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop closed in the meantime: nothing left to cancel
            self.loop.call_soon_threadsafe(self.main_task.cancel)

    def _values(self, outcome: list[Any]) -> list[BaseModel]:
        failures = [
            (call, out)
            for call, out in zip(self.calls, outcome, strict=True)
            if isinstance(out, BaseException)
        ]
        for _, out in failures:
            if not isinstance(out, DiscoError):
                raise out  # a bug, not a provider failure: keep its traceback
        if failures:
            call, first = failures[0]
            if len(self.calls) == 1:
                raise first
            raise ProviderError(
                f"{len(failures)} of {len(self.calls)} calls failed; {call.task.name}: {first.message}",
                example=first.example,
            )
        return outcome

    # ------------------------------------------------------------------------------------ worker side

    def _thread_main(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            self.loop = loop
            self.main_task = loop.create_task(self._main())
            self.started.set()
            self.outcome = loop.run_until_complete(self.main_task)
        except BaseException as err:  # cancelled by Ctrl-C, or a bug: the caller decides
            self.error = err
        finally:
            self.started.set()
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                loop.close()
                self.events.put(_DONE)

    async def _main(self) -> list[Any]:
        limit = asyncio.Semaphore(self.concurrency)
        try:
            return await asyncio.gather(
                *(self._one(limit, call) for call in self.calls), return_exceptions=True
            )
        finally:
            await self.provider.aclose()

    async def _one(self, limit: asyncio.Semaphore, call: Call) -> BaseModel:
        try:
            async with limit:
                deadline = Deadline(self.deadline)  # starts when the call does, not while it queues
                self.state.calls += 1
                try:
                    async with asyncio.timeout(deadline.seconds):
                        value = await self.provider.complete(call, deadline)
                except TimeoutError:
                    raise ProviderError(f"no answer from {self.provider.where} within {deadline}") from None
            value = _plain(call, value)
            if self.cache is not None:
                self.cache.put(call, value)
            return value
        finally:
            self.events.put(1)
