"""Where something was declared: the notebook (and cell) a problem, hypothesis, result or decision came from."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import DiscoModel


class Origin(DiscoModel):
    """The notebook and cell a model was made in, when the kernel knows them.

    ``notebook`` is the path the kernel was given (``JPY_SESSION_NAME``: absolute under JupyterLab and
    ``disco run``, else relative to the server root); readers make it relative to their own root
    (``api.portfolio``). ``cell`` is the nbformat cell id the front end sent with the execute request.
    """

    notebook: str | None = Field(default=None, max_length=4_000)
    cell: str | None = Field(default=None, max_length=200)


def _unknown(value: Any) -> bool:
    return value is None


def origin_field() -> Any:
    """The optional ``origin`` field of a stored model: left out of its JSON (stored and displayed) when
    unknown, so stores and saved outputs written before provenance existed read and compare the same."""
    return Field(
        default=None,
        exclude_if=_unknown,
        description="The notebook and cell this was declared in, when known.",
    )
