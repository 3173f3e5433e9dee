"""Shared pieces of the pydantic schema."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, StringConstraints

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$"
NAME_RE = re.compile(NAME_PATTERN)

#: A name users type: problem names, hypothesis IDs, metric names, dataset names.
Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]


def utcnow() -> datetime:
    return datetime.now(UTC)


class DiscoModel(BaseModel):
    """Base of every stored, displayed and LLM-returned type: strict about unknown fields."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=True)

    #: the ``application/vnd.disco.<bundle_kind>+json`` media type of this type's display bundle
    bundle_kind: ClassVar[str] = ""

    @classmethod
    def media_type(cls) -> str:
        return f"application/vnd.disco.{cls.bundle_kind}+json"

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Rich display in any notebook; the rendering lives in ``display`` (imported on first show)."""
        if not self.bundle_kind:
            return None
        from ..display import bundle

        return bundle(self)
