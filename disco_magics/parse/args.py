"""Typed values from magic argument strings: numbers, counts, splits, names of notebook variables."""

from __future__ import annotations

import re
from typing import Any

from ..errors import NotFoundError, ParseError, ValidationFailed
from .cells import parse_number

MEASURE_EXAMPLE = "%measure H1 --observed 0.27 --n 2400 --baseline 0.18 --baseline-n 2400"


def parse_value(raw: str, what: str) -> float:
    return parse_number(raw, what, MEASURE_EXAMPLE)


def parse_count(raw: str, what: str) -> int:
    text = str(raw).strip().replace(",", "").replace("_", "")
    if not re.fullmatch(r"[-+]?\d+", text):
        raise ParseError(f"{what} must be a whole number of users, not {str(raw)[:30]!r}", example=MEASURE_EXAMPLE)
    value = int(text)
    if value <= 0:
        raise ValidationFailed(f"{what} must be at least 1, not {value}", example=MEASURE_EXAMPLE)
    return value


def parse_split(raw: str) -> tuple[float, float]:
    """``50/50``, ``0.4,0.6`` or ``40:60`` → shares that sum to 1."""
    parts = re.split(r"[/,:]", str(raw).strip())
    example = "%measure H1 --data trials --metric invited --group variant --split 50/50"
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 2 or min(values) <= 0 or any(v != v for v in values):
        raise ParseError(f"--split must be two positive shares like 50/50, not {str(raw)[:30]!r}", example=example)
    total = sum(values)
    return values[0] / total, values[1] / total


def user_dataframe(namespace: dict[str, Any], name: str):
    """The DataFrame called ``name`` in the notebook; a clear error naming the DataFrames there are."""
    value = namespace.get(name)
    if value is None or not _is_dataframe(value):
        frames = sorted(k for k, v in namespace.items() if not k.startswith("_") and _is_dataframe(v))
        what = "no variable" if value is None else f"{name!r} is a {type(value).__name__}, not a DataFrame;"
        known = ", ".join(frames[:20]) or "none yet (make one with %%synth or pandas)"
        lead = f"{what} named {name!r} in the notebook;" if value is None else what
        raise NotFoundError(f"{lead} DataFrames: {known}", example="%measure H1 --data trials --group variant")
    return value


def user_text(namespace: dict[str, Any], raw: str, what: str, example: str) -> str:
    """``--sql NAME`` / ``--connection NAME``: the string in variable NAME, else the (quoted) text itself.

    A bare name must be a variable holding text (a query, a URL kept out of the notebook's source); anything
    else is the literal value, one pair of outer quotes removed (IPython keeps them).
    """
    text = str(raw).strip()
    if text.isidentifier():
        value = namespace.get(text)
        if isinstance(value, str):
            return value
        held = sorted(k for k, v in namespace.items() if not k.startswith("_") and isinstance(v, str))[:20]
        known = ", ".join(held) or "none"
        what_is = "no variable" if value is None else f"a {type(value).__name__}, not text, in variable"
        raise NotFoundError(
            f"{what} {text!r}: {what_is} named {text!r} in the notebook; variables holding text: {known}",
            example=example,
        )
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return text


def _is_dataframe(value: Any) -> bool:
    cls = type(value)
    return cls.__name__ == "DataFrame" and cls.__module__.startswith("pandas")


def parse_whole(raw: str, what: str, example: str, minimum: int = 0, maximum: int = 10**10) -> int:
    """A whole number option (``--rows 20_000``, ``--seed 7``) within bounds."""
    text = str(raw).strip().replace(",", "").replace("_", "")
    if not re.fullmatch(r"[-+]?\d+", text):
        raise ParseError(f"{what} must be a whole number, not {str(raw)[:30]!r}", example=example)
    value = int(text)
    if not minimum <= value <= maximum:
        raise ValidationFailed(f"{what} must be between {minimum:,} and {maximum:,}, not {value:,}", example=example)
    return value
