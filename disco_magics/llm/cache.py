"""Record/replay cache: one JSON file per answer in ``llm-cache/`` beside the store.

Plain and inspectable (open any file to see the task, provider, model, messages and the answer), written
atomically (a temporary file in the same folder, then ``os.replace``), keyed by provider, model, messages,
response schema and parameters. Modes (``DISCO_LLM_CACHE``): ``record`` (default: read, and write new
answers), ``replay`` (read only; a miss is an error naming the call), ``off``.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ProviderError, StoreError
from ..files import write_text_atomic

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..session import Settings
    from .base import Call

MODES = ("record", "replay", "off")
FORMAT_VERSION = 1


def check_mode(mode: str | None) -> str:
    value = (mode or "record").strip().lower()
    if value not in MODES:
        raise ProviderError(
            f"unknown LLM cache mode {value[:20]!r}; choose record, replay or off",
            example="DISCO_LLM_CACHE=replay",
        )
    return value


def cache_dir(settings: Settings) -> Path:
    """``llm-cache/`` beside a SQLite store file; ``.disco/llm-cache`` for a server database."""
    store = settings.store or os.environ.get("DISCO_STORE") or str(Path(".disco") / "discovery.db")
    if store.startswith("sqlite:///"):
        store = store.removeprefix("sqlite:///")
    elif "://" in store:
        return (Path(".disco") / "llm-cache").absolute()
    return Path(store).expanduser().absolute().parent / "llm-cache"


class Cache:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @classmethod
    def for_settings(cls, settings: Settings) -> Cache:
        return cls(cache_dir(settings))

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def get(self, call: Call) -> BaseModel | None:
        """The recorded answer, validated again against the response model; None when absent or unreadable."""
        try:
            text = self.path(call.key).read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as err:
            raise ProviderError(f"cannot read the LLM cache {self.folder}: {err.strerror or err}") from None
        try:
            entry = json.loads(text)
            return call.task.response_model.model_validate(entry["response"])
        except Exception:
            return None  # a hand-edited or truncated file counts as a miss; record mode rewrites it

    def put(self, call: Call, value: BaseModel) -> Path:
        entry: dict[str, Any] = {
            "version": FORMAT_VERSION,
            "key": call.key,
            "task": call.task.name,
            "provider": call.provider,
            "model": call.model,
            "prompt_hash": call.prompt_hash,
            "response_model": call.task.response_model.__name__,
            "params": call.task.params(),
            "recorded": datetime.now(UTC).isoformat(timespec="seconds"),
            "messages": call.messages,
            "response": value.model_dump(mode="json"),
        }
        target = self.path(call.key)
        text = json.dumps(entry, indent=2, ensure_ascii=False) + "\n"
        try:
            write_text_atomic(target, text, private=True)
        except StoreError as err:
            raise ProviderError(f"cannot write the LLM cache {self.folder}: {err.message}") from None
        return target

    def miss(self, call: Call) -> ProviderError:
        """The replay-mode error for a call that was never recorded."""
        return ProviderError(
            f"replay: no recorded answer for task {call.task.name!r} ({call.provider}:{call.model}, "
            f"prompt {call.prompt_hash}) in {self.folder} — run it once with DISCO_LLM_CACHE=record"
        )
