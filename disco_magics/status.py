"""``%disco status`` and ``%disco use``: what is configured, never a secret's value."""

from __future__ import annotations

from .errors import ParseError
from .llm._secrets import KEY_VARIABLES
from .llm.registry import provider_names, resolve_provider
from .session import Session

__all__ = ["KEY_VARIABLES", "PROVIDERS", "effective_provider", "parse_use", "status_text", "use_text"]

PROVIDERS = provider_names()


def parse_use(spec: str) -> tuple[str, str | None]:
    """``openai:gpt-4o-mini`` → ('openai', 'gpt-4o-mini'); ``local`` (bundled model); ``local:/m.gguf``; ``offline``.

    A local model file is checked here, so a wrong path fails at ``%disco use`` rather than at the first call.
    """
    provider, _, model = spec.partition(":")
    provider, model = provider.strip().lower(), model.strip() or None
    if provider not in provider_names():
        raise ParseError(
            f"unknown provider {provider[:30]!r}; choose one of {', '.join(provider_names())}",
            example="%disco use openai:gpt-4o-mini",
        )
    if provider == "offline" and model:
        raise ParseError("the offline drafter takes no model", example="%disco use offline")
    if provider == "local":
        from .llm.local import check_model_path

        check_model_path(model)
    return provider, model


def effective_provider(session: Session) -> str:
    """The provider in force: the chosen one, else openai when a key or base URL is set, else offline."""
    return resolve_provider(session.settings)[0]


def use_text(session: Session) -> str:
    """The one line ``%disco use`` prints: what is now in force."""
    from .llm import provider_info

    info = provider_info(session)
    where = f", base URL: {info['base_url']}" if info.get("base_url") else ""
    return f"provider: {info['provider']}, model: {info['model']}{where}"


def status_text(session: Session) -> str:
    from .llm import provider_info

    info = provider_info(session)
    provider = info["provider"] + (" (automatic)" if info["automatic"] else "")
    if info["unknown"]:
        provider += " — unknown provider; choose one of " + ", ".join(provider_names())
    model = str(info["model"])
    if info["provider"] == "offline":
        model += " (no LLM: rule-based drafts that say so)"
    elif info.get("path"):
        model += f" ({info['path']})"
    if info["provider"] == "openai":
        base = info["base_url"] or "default (https://api.openai.com/v1)"
    else:
        base = "not used"
    keys = info["keys"]
    lines = [
        f"provider: {provider}",
        f"model:    {model}",
        f"base URL: {base}",
        f"keys set: {', '.join(keys) if keys else 'none'}",
        f"cache:    {_cache_mode(info['cache'])}, {info['cache_hits']} hit{'' if info['cache_hits'] == 1 else 's'} "
        f"this session, {info['calls']} call{'' if info['calls'] == 1 else 's'} made — {info['cache_dir']}",
        f"limits:   {_seconds(info['deadline'])} deadline per call, {info['concurrency']} calls at once",
    ]
    store = session.store
    counts = store.counts()
    lines.append(f"store:    {store.describe()}")
    lines.append("counts:   " + ", ".join(f"{n} {name}" for name, n in counts.items()))
    current = session.problem_name()
    lines.append(f"problem:  {current or 'none yet'}")
    return "\n".join(lines)


def _seconds(value) -> str:
    try:
        return f"{float(value):g} s"
    except (TypeError, ValueError):
        return repr(value)


def _cache_mode(mode: str) -> str:
    """The cache mode, or a warning when DISCO_LLM_CACHE holds something no LLM call would accept."""
    from .errors import DiscoError
    from .llm.cache import check_mode

    try:
        return check_mode(mode)
    except DiscoError:
        return f"{mode[:20]!r} is not a cache mode (record, replay or off): LLM calls will refuse it"
