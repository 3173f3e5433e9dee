"""Shared pieces of the pydantic schema."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationInfo, model_validator

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$"
NAME_RE = re.compile(NAME_PATTERN)

#: A name users type: problem names, hypothesis IDs, metric names, dataset names.
Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]


#: validation context for JSON read back from the store: it was checked for NUL bytes when it was written,
#: so reading skips that walk over every string (the portfolio reads tens of thousands of models)
STORED: dict[str, bool] = {"stored": True}

#: (data, metadata) of a display bundle, as ``_repr_mimebundle_`` returns it
Bundle = tuple[dict[str, Any], dict[str, Any]]

#: Renders a model as its display bundle. ``disco_magics.display`` installs it when it is imported, so
#: data flows one way: ``model`` knows nothing of ``display``. Until then a model shows as text and JSON.
_renderer: Callable[[DiscoModel], Bundle] | None = None


def set_renderer(renderer: Callable[[DiscoModel], Bundle] | None) -> None:
    """Install how every model is displayed (called by ``disco_magics.display`` on import)."""
    global _renderer
    _renderer = renderer


def utcnow() -> datetime:
    return datetime.now(UTC)


def _has_nul(value: Any) -> bool:
    """A NUL byte in a string, or in the strings of a list or dict (nested models check themselves)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False  # numbers, dates, None, nested models (which check themselves): no generator per scalar


#: value types that cannot hold text
_NO_TEXT = frozenset({int, float, bool, type(None), datetime, date})


class DiscoModel(BaseModel):
    """Base of every stored, displayed and LLM-returned type: strict about unknown fields."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=True)

    #: the ``application/vnd.disco.<bundle_kind>+json`` media type of this type's display bundle
    bundle_kind: ClassVar[str] = ""

    @model_validator(mode="after")
    def _no_nul_bytes(self, info: ValidationInfo) -> DiscoModel:
        # Every text is stored, displayed and exported; PostgreSQL refuses NUL in text and most readers
        # of CSV or HTML choke on it. Refused here, the same for a user's cell and an LLM's answer.
        if info.context is not None and info.context.get("stored"):
            return self
        for name, value in self.__dict__.items():
            if type(value) in _NO_TEXT:  # most fields of a result: skipped without a call (store reads)
                continue
            if _has_nul(value):
                raise ValueError(f"{name} holds a NUL byte (\\x00); remove it")
        return self

    @classmethod
    def media_type(cls) -> str:
        return f"application/vnd.disco.{cls.bundle_kind}+json"

    def _repr_mimebundle_(self, include=None, exclude=None) -> Bundle | None:
        """Rich display in any notebook, by the renderer ``display`` installs (see ``set_renderer``)."""
        if not self.bundle_kind:
            return None
        if _renderer is None:
            return {"text/plain": repr(self), self.media_type(): self.model_dump(mode="json")}, {}
        return _renderer(self)
