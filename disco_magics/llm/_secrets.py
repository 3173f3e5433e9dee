"""Keys from the environment or a ``.env`` file — read, never exported, printed, logged or stored.

``.env`` is read with python-dotenv's ``dotenv_values`` (no ``os.environ`` side effect), found from the
working directory upwards, and re-read only when the file changes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

KEY_VARIABLES = ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY")

_cached: tuple[tuple[str, int] | None, dict[str, str]] = (None, {})


def _dotenv_path() -> Path | None:
    here = Path.cwd()
    for folder in (here, *here.parents):
        candidate = folder / ".env"
        if candidate.is_file():
            return candidate
    return None


def dotenv() -> dict[str, str]:
    """The ``.env`` values (empty when there is none)."""
    global _cached
    path = _dotenv_path()
    if path is None:
        return {}
    try:
        stamp = (str(path), path.stat().st_mtime_ns)
    except OSError:
        return {}
    if _cached[0] != stamp:
        from dotenv import dotenv_values

        values = {k: v for k, v in dotenv_values(path).items() if v}
        _cached = (stamp, values)
    return _cached[1]


def lookup(name: str) -> str | None:
    """The environment's value, else ``.env``'s, else None."""
    return os.environ.get(name) or dotenv().get(name) or None


def source(name: str) -> str | None:
    """Where ``name`` is set: ``"environment"``, ``".env"`` or None. Never the value."""
    if os.environ.get(name):
        return "environment"
    if dotenv().get(name):
        return ".env"
    return None


def keys_set() -> list[str]:
    """Names of the key variables that are set, with ``(.env)`` when that is where they come from."""
    found = []
    for name in KEY_VARIABLES:
        where = source(name)
        if where:
            found.append(name if where == "environment" else f"{name} (.env)")
    return found


def redactor(*secrets: str | None) -> Callable[[str], str]:
    """A function that masks every occurrence of the given secrets in a text (for server messages)."""
    live = [s for s in secrets if s and len(s) >= 4]

    def redact(text: str) -> str:
        for secret in live:
            text = text.replace(secret, "***")
        return text

    return redact
