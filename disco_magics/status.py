"""``%disco status`` and ``%disco use``: what is configured, never a secret's value."""

from __future__ import annotations

import os

from .errors import ParseError
from .session import Session

PROVIDERS = ("openai", "local", "offline")
KEY_VARIABLES = ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY")


def parse_use(spec: str) -> tuple[str, str | None]:
    """``openai:gpt-4o-mini`` → ('openai', 'gpt-4o-mini'); ``local:/m.gguf``; ``offline``."""
    provider, _, model = spec.partition(":")
    provider = provider.strip().lower()
    if provider not in PROVIDERS:
        raise ParseError(
            f"unknown provider {provider[:30]!r}; choose one of {', '.join(PROVIDERS)}",
            example="%disco use openai:gpt-4o-mini",
        )
    return provider, (model.strip() or None)


def effective_provider(session: Session) -> str:
    """The provider in force: the chosen one, else openai when a key or base URL is set, else offline."""
    chosen = session.settings.provider
    if chosen:
        return chosen
    if os.environ.get("OPENAI_API_KEY") or session.settings.base_url:
        return "openai"
    return "offline"


def status_text(session: Session) -> str:
    settings = session.settings
    keys = [name for name in KEY_VARIABLES if os.environ.get(name)]
    lines = [
        f"provider: {effective_provider(session)}" + ("" if settings.provider else " (automatic)"),
        f"model:    {settings.model or 'default'}",
        f"base URL: {settings.base_url or 'default'}",
        f"keys set: {', '.join(keys) if keys else 'none'}",
        f"cache:    {settings.llm_cache}",
    ]
    store = session.store
    counts = store.counts()
    lines.append(f"store:    {store.describe()}")
    lines.append("counts:   " + ", ".join(f"{n} {name}" for name, n in counts.items()))
    current = session.problem_name()
    lines.append(f"problem:  {current or 'none yet'}")
    return "\n".join(lines)
