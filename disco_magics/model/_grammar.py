"""The spec grammar's words, shared by the distributions and the dataset spec.

How values print back (``format_number``, ``format_token``), the yes/no words, the kinds of value a
column holds, and ``SpecRuleError`` (a broken rule, carrying its line for a line-numbered ParseError).
"""

from __future__ import annotations

import difflib
import re
from typing import Literal

__all__ = [
    "FALSE_WORDS",
    "KIND_WORDS",
    "TRUE_WORDS",
    "SpecRuleError",
    "ValueKind",
    "close_matches",
    "format_number",
    "format_token",
    "parse_bool_word",
]

#: What a column holds once sampled; an override must give the same kind as its base line.
ValueKind = Literal["bool", "int", "float", "date", "category", "text"]

#: The kind of value a column holds, in words, for error messages.
KIND_WORDS: dict[str, str] = {
    "bool": "yes/no",
    "int": "whole numbers",
    "float": "decimal numbers",
    "date": "dates",
    "category": "categories",
    "text": "text",
}

_TOKEN_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
TRUE_WORDS = frozenset({"true", "yes", "1", "y"})
FALSE_WORDS = frozenset({"false", "no", "0", "n"})


class SpecRuleError(ValueError):
    """A rule of the spec is broken; carries the line (when parsed) for a line-numbered ParseError."""

    def __init__(
        self, message: str, *, line: int | None = None, where: str = "", example: str | None = None
    ) -> None:
        self.message = message
        self.line = line
        self.example = example
        prefix = f"line {line}: " if line is not None else (f"{where}: " if where else "")
        super().__init__(prefix + message)


def format_number(value: float | int) -> str:
    """Shortest text that reads back as the same number (``3.0`` prints as ``3``)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def format_token(text: str) -> str:
    """A value as the grammar writes it: bare when it is a simple word, else double-quoted."""
    if _TOKEN_RE.fullmatch(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def close_matches(word: str, candidates: list[str] | tuple[str, ...], n: int = 3) -> list[str]:
    return difflib.get_close_matches(word, list(candidates), n=n, cutoff=0.6)


def parse_bool_word(value: str) -> bool | None:
    """``true``/``yes``/``1`` -> True, ``false``/``no``/``0`` -> False, anything else -> None."""
    word = value.strip().lower()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None
