"""The project's error family.

Domain code raises these; the magic layer turns each into exactly one
``IPython.core.error.UsageError`` line (a subclass would print a traceback, ipython#14024).
Every message is one line that says what was wrong, and where it helps, an example of the right form.
"""

from __future__ import annotations

import re

__all__ = [
    "DiscoError",
    "NotFoundError",
    "ParseError",
    "ProviderError",
    "SourceError",
    "StoreError",
    "ValidationFailed",
]


class DiscoError(Exception):
    """Base of every error the tool raises on purpose; ``str(err)`` is the one line a user sees."""

    def __init__(self, message: str, *, example: str | None = None, line: int | None = None) -> None:
        message = " ".join(str(message).split()) if "\n" in str(message) else str(message)
        self.message = printable(message)
        self.example = example
        self.line = line
        super().__init__(self.one_line())

    def one_line(self) -> str:
        text = self.message
        if self.line is not None and not text.startswith("line "):
            text = f"line {self.line}: {text}"
        if self.example:
            text = f"{text} — e.g. {self.example}"
        return text

    def _render_traceback_(self) -> list[str]:
        # IPython shows this instead of a traceback when the error escapes a plain code cell.
        return [f"{type(self).__name__}: {self.one_line()}"]


#: control characters and lone surrogates (bytes decoded with surrogateescape)
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def printable(text: str) -> str:
    """Escape what a terminal or a notebook cannot show, or cannot even encode: ``\\x00``, ``\\udcff``.

    A message quoting the user's input must stay one printable line; a lone surrogate would make
    writing it to stdout, or sending it to the notebook as JSON, fail with a traceback of its own.
    """
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class ParseError(DiscoError):
    """A cell body, spec line or argument string could not be understood."""


class ValidationFailed(DiscoError):
    """Input parsed, but breaks a rule of the domain (unknown metric, target equal to baseline...)."""


class NotFoundError(DiscoError):
    """A problem, hypothesis, dataset or column the user named does not exist."""


class StoreError(DiscoError):
    """The store cannot be opened or written."""


class SourceError(DiscoError):
    """A data source (a database to measure from) cannot be reached, or did not answer in time."""


class ProviderError(DiscoError):
    """An LLM provider failed: rate limit, timeout, bad key, output that never matched the schema."""
