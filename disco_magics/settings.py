"""What the user can configure, defined once: each setting's name, default, help and environment variable.

The traitlets below are the one definition. ``DiscoMagics`` inherits them, so ``%config DiscoMagics.model = ...``
works and ``%config DiscoMagics`` lists them with their help; ``Settings``, the session's plain copy that the
LLM layer and the store read, is derived from the same traits (its fields and defaults), and ``from_env``
fills it from the variables named here. To add a setting, add one trait.
"""

from __future__ import annotations

import os
from dataclasses import field, make_dataclass
from typing import Any

from traitlets import Float, HasTraits, Int, Unicode

__all__ = ["CONFIGURABLE", "SettingTraits", "Settings"]


class SettingTraits(HasTraits):
    """The settings as traitlets; ``config=True`` marks those ``%config DiscoMagics.NAME`` can set."""

    provider = Unicode(None, allow_none=True, help="LLM provider: openai, local or offline.").tag(
        config=True, env="DISCO_PROVIDER"
    )
    model = Unicode(None, allow_none=True, help="Model name (openai) or GGUF path (local).").tag(
        config=True, env="DISCO_MODEL"
    )
    store = Unicode(None, allow_none=True, help="Store path or database URL (default .disco/discovery.db).").tag(
        config=True, env="DISCO_STORE"
    )
    llm_cache = Unicode("record", help="LLM cache mode: record, replay or off.").tag(
        config=True, env="DISCO_LLM_CACHE", lower=True
    )
    deadline = Float(60.0, help="Total seconds one LLM call may take, retries included.").tag(config=True)
    concurrency = Int(4, help="LLM calls in flight at once.").tag(config=True)
    base_url = Unicode(None, allow_none=True, help="OpenAI-compatible server (from OPENAI_BASE_URL).").tag(
        env="OPENAI_BASE_URL"
    )


#: the settings ``%config DiscoMagics.NAME`` can set, in declaration order
CONFIGURABLE: tuple[str, ...] = tuple(
    name for name in vars(SettingTraits) if name in SettingTraits.class_trait_names(config=True)
)

#: every setting's trait, in declaration order
_TRAITS = {name: trait for name, trait in vars(SettingTraits).items() if name in SettingTraits.class_traits()}


def _from_env(cls, environ: dict[str, str] | None = None):
    """Settings from the environment (``os.environ`` by default); unset or empty variables keep the default."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name, trait in _TRAITS.items():
        variable = trait.metadata.get("env")
        raw = env.get(variable) if variable else None
        if raw:
            values[name] = raw.lower() if trait.metadata.get("lower") else raw
    return cls(**values)


#: The session's settings: a plain dataclass whose fields and defaults are the traits above. It checks
#: nothing itself: ``%config`` validates through the traits, and the LLM layer checks what it uses
#: (a deadline of 0 or None is refused with one clear line when a call is made).
Settings = make_dataclass(
    "Settings",
    [(name, Any, field(default=trait.default_value)) for name, trait in _TRAITS.items()],
    namespace={
        "__doc__": "What the user can configure (environment, ``%config DiscoMagics.*``, ``%disco use``).",
        "from_env": classmethod(_from_env),
    },
)
Settings.__module__ = __name__  # make_dataclass's module= argument needs Python 3.12
