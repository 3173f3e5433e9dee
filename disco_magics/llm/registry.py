"""Provider names → provider classes, loaded on first use; which provider is in force.

Adding a provider is one file with a ``Provider`` subclass and one ``register_provider`` line.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ..errors import ParseError
from . import _secrets

if TYPE_CHECKING:
    from ..session import Settings
    from .base import Provider

_PROVIDERS: dict[str, str | type[Provider]] = {
    "openai": "disco_magics.llm.openai:OpenAIProvider",
    "local": "disco_magics.llm.local:LocalProvider",
    "offline": "disco_magics.llm.offline:OfflineProvider",
}


def register_provider(name: str, target: str | type[Provider]) -> None:
    """Make ``%disco use NAME`` work: ``target`` is a ``Provider`` subclass or ``"module:Class"``."""
    _PROVIDERS[name.lower()] = target


def provider_names() -> tuple[str, ...]:
    return tuple(_PROVIDERS)


def provider_class(name: str) -> type[Provider]:
    target = _PROVIDERS.get(name.lower())
    if target is None:
        raise ParseError(
            f"unknown provider {name[:30]!r}; choose one of {', '.join(_PROVIDERS)}",
            example="%disco use openai:gpt-4o-mini",
        )
    if isinstance(target, str):
        module, _, attr = target.partition(":")
        target = getattr(importlib.import_module(module), attr)
        _PROVIDERS[name.lower()] = target
    return target


def base_url(settings: Settings) -> str | None:
    """``OPENAI_BASE_URL`` from the settings (environment, ``%config``), else from ``.env``."""
    return settings.base_url or _secrets.dotenv().get("OPENAI_BASE_URL") or None


def resolve_provider(settings: Settings) -> tuple[str, bool]:
    """(name, automatic): the chosen provider, else openai when a key or base URL is set, else offline."""
    if settings.provider:
        return settings.provider.lower(), False
    if _secrets.lookup("OPENAI_API_KEY") or base_url(settings):
        return "openai", True
    return "offline", True
