"""The ``%%synth`` column-spec grammar -> :class:`~disco_magics.model.dataset.DatasetSpec`.

One line per column, blank lines and ``#`` comments ignored::

    variant: choice(control=0.5, checklist=0.5)
    seats: poisson(3)                  # seats bought
    company: fake.company
    invited: bernoulli(0.18)
    invited[variant=checklist]: bernoulli(0.27)

This module owns the syntax and the line numbers; the rules that span lines (duplicate columns, unknown
condition columns, weights that do not sum to 1) are the model's validators, so a spec written by an LLM
meets the same checks. Every error is a :class:`~disco_magics.errors.ParseError` naming the line.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from typing import Any

from pydantic import ValidationError

from ..errors import ParseError
from ..model._base import NAME_RE
from ..model.dataset import ColumnSpec, DatasetSpec, SpecRuleError
from ..model.distributions import DISTRIBUTIONS, Choice, ChoiceOption, Fake

__all__ = ["KNOWN_DISTRIBUTIONS", "looks_like_spec", "parse_spec"]

#: As error messages list them: every distribution of the grammar, in the contract's order.
KNOWN_DISTRIBUTIONS = ", ".join("fake.PROVIDER" if kind == "fake" else kind for kind in DISTRIBUTIONS)

_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A spec line as a whole: head, colon, a call (maybe unclosed) or fake.x, an optional comment.
_SPEC_LINE_RE = re.compile(
    r"""\s*[A-Za-z_][\w.\-]*\s*(\[[^\]]*\]?)?\s*:\s*
        (fake\s*\.\s*\w*(\(\s*\))?|[A-Za-z_]\w*\s*\([^()]*\)?)\s*(\#.*)?""",
    re.VERBOSE,
)
_TYPE_WORDS = {float: "a number", int: "a whole number", date: "a date like 2026-01-01", str: "text"}


def parse_spec(text: str) -> DatasetSpec:
    """Parse a column spec.

    Parameters
    ----------
    text
        The body of a ``%%synth`` cell written in the grammar.

    Returns
    -------
    DatasetSpec
        The columns and overrides in order, each with its line number; ``notes`` records what was
        adjusted (e.g. choice weights normalised to sum to 1).

    Raises
    ------
    ParseError
        With the line number and what was expected, e.g. ``line 3: poisson( needs a closing parenthesis``.
    """
    columns = []
    for number, raw in enumerate(text.splitlines(), start=1):
        code, comment = _split_comment(raw, number)
        if code.strip():
            columns.append(_parse_line(code, comment, number))
    if not columns:
        raise ParseError("the spec has no columns", example="seats: poisson(3)")
    try:
        return DatasetSpec(columns=columns)
    except ValidationError as err:
        raise _spec_error(err) from None


def looks_like_spec(text: str) -> bool:
    """True when ``text`` reads as a column spec rather than prose.

    At least half of the non-blank, non-comment lines must have the shape ``name: call(...)``,
    ``name[...]: call(...)`` or ``name: fake.x`` — even with a typo inside, so that a broken spec gets a
    line-numbered error instead of being sent to the LLM as prose.
    """
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        return False
    shaped = sum(1 for line in lines if _SPEC_LINE_RE.fullmatch(line))
    return shaped >= 1 and 2 * shaped >= len(lines)


# ------------------------------------------------------------------------------------------ lexing


def _scan(text: str, number: int):
    """Yield ``(index, char, depth)`` for characters outside double quotes; depth counts ``(`` and ``[``."""
    depth = 0
    quoted = False
    escaped = False
    for index, char in enumerate(text):
        if quoted:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
            continue
        if char == '"':
            quoted = True
            continue
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        yield index, char, depth
    if quoted:
        raise ParseError(
            'a double quote " is not closed', line=number, example='city: choice("New York"=0.4, Paris=0.6)'
        )


def _split_comment(raw: str, number: int) -> tuple[str, str]:
    for index, char, depth in _scan(raw, number):
        if char == "#" and depth == 0:
            return raw[:index], raw[index + 1 :].strip()
    return raw, ""


def _split_top(text: str, sep: str, number: int) -> list[str]:
    """Split on ``sep`` outside quotes."""
    parts, start = [], 0
    for index, char, _ in _scan(text, number):
        if char == sep:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _find(text: str, wanted: str, number: int) -> int:
    """Index of the first ``wanted`` outside quotes, or -1."""
    return next((index for index, char, _ in _scan(text, number) if char == wanted), -1)


def _unquote(token: str) -> tuple[str, bool]:
    token = token.strip()
    if len(token) >= 2 and token[0] == token[-1] == '"':
        return re.sub(r"\\(.)", r"\1", token[1:-1]), True
    return token, False


# ------------------------------------------------------------------------------------------ lines


def _parse_line(code: str, comment: str, number: int) -> ColumnSpec:
    colon = _colon(code, number)
    head, body = code[:colon], code[colon + 1 :].strip()
    name, conditions = _parse_head(head, number)
    distribution = _parse_distribution(body, name, number)
    try:
        return ColumnSpec(
            name=name, conditions=conditions, distribution=distribution, comment=comment, line=number
        )
    except ValidationError as err:
        raise ParseError(_first_message(err), line=number) from None


def _colon(code: str, number: int) -> int:
    depth_zero = [index for index, char, depth in _scan(code, number) if char == ":" and depth == 0]
    if depth_zero:
        return depth_zero[0]
    bracket = _find(code, "[", number)
    if bracket > 0 and _find(code, "]", number) < 0:
        name = code[:bracket].strip()
        raise ParseError(
            f"{name}[ needs a closing bracket ]",
            line=number,
            example=f"{name}[variant=checklist]: bernoulli(0.27)",
        )
    words = code.split()
    if len(words) >= 2 and NAME_RE.fullmatch(words[0]):
        message = f"expected 'column: distribution'; a colon is missing after '{words[0]}'"
    else:
        message = f"expected 'column: distribution', got '{code.strip()}'"
    raise ParseError(message, line=number, example="seats: poisson(3)")


def _parse_head(head: str, number: int) -> tuple[str, dict[str, str]]:
    head = head.strip()
    bracket = _find(head, "[", number)
    name = (head if bracket < 0 else head[:bracket]).strip()
    if not name:
        raise ParseError("a column name is missing before ':'", line=number, example="seats: poisson(3)")
    if not NAME_RE.fullmatch(name):
        raise ParseError(
            f"'{name}' is not a valid column name; use letters, digits and _, starting with a letter",
            line=number,
            example="signup_date: date(2026-01-01, 2026-03-31)",
        )
    if bracket < 0:
        return name, {}
    inside = head[bracket + 1 :]
    close = _find(inside, "]", number)
    example = f"{name}[variant=checklist]: bernoulli(0.27)"
    if close < 0:
        raise ParseError(f"{name}[ needs a closing bracket ]", line=number, example=example)
    trailing = inside[close + 1 :].strip()
    if trailing:
        raise ParseError(f"unexpected text '{trailing}' after {name}[...]", line=number, example=example)
    inside = inside[:close]
    if not inside.strip():
        raise ParseError(
            f"{name}[] has no condition; write {name}[column=value]", line=number, example=example
        )
    conditions: dict[str, str] = {}
    for part in _split_top(inside, ",", number):
        equals = _find(part, "=", number)
        column = part[:equals].strip() if equals >= 0 else ""
        value, _ = _unquote(part[equals + 1 :]) if equals >= 0 else ("", False)
        if not column or not value:
            raise ParseError(
                f"condition '{part.strip()}' needs the form column=value", line=number, example=example
            )
        if not NAME_RE.fullmatch(column):
            raise ParseError(f"'{column}' in {name}[...] is not a column name", line=number, example=example)
        if column in conditions:
            raise ParseError(
                f"condition column '{column}' appears twice in {name}[...]", line=number, example=example
            )
        conditions[column] = value
    return name, conditions


def _parse_distribution(body: str, column: str, number: int) -> Any:
    if not body:
        raise ParseError(
            f"a distribution is missing after '{column}:'; known: {KNOWN_DISTRIBUTIONS}",
            line=number,
            example="seats: poisson(3)",
        )
    fake = re.fullmatch(r"fake\s*\.\s*(\w*)\s*(.*)", body, re.DOTALL)
    if fake:
        return _parse_fake(fake.group(1), fake.group(2).strip(), number)
    call = _IDENT_RE.match(body)
    if not call:
        raise ParseError(
            f"expected a distribution after '{column}:', got '{body}'; known: {KNOWN_DISTRIBUTIONS}",
            line=number,
            example="seats: poisson(3)",
        )
    kind, rest = call.group(0), body[call.end() :].strip()
    if kind == "fake":
        raise ParseError("fake needs a provider, as fake.PROVIDER", line=number, example=Fake.example)
    if kind not in DISTRIBUTIONS:
        close = difflib.get_close_matches(kind, list(DISTRIBUTIONS), n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ParseError(
            f"unknown distribution '{kind}'{hint}; known: {KNOWN_DISTRIBUTIONS}",
            line=number,
            example="seats: poisson(3)",
        )
    cls = DISTRIBUTIONS[kind]
    if not rest:
        raise ParseError(f"{kind} needs its arguments in parentheses", line=number, example=cls.example)
    if not rest.startswith("("):
        raise ParseError(f"expected '(' after {kind}, got '{rest}'", line=number, example=cls.example)
    close = next((i for i, char, depth in _scan(rest, number) if char == ")" and depth == 0), -1)
    if close < 0:
        raise ParseError(f"{kind}( needs a closing parenthesis", line=number, example=cls.example)
    trailing = rest[close + 1 :].strip()
    if trailing:
        raise ParseError(f"unexpected text '{trailing}' after {kind}(...)", line=number, example=cls.example)
    args = _split_args(rest[1:close], kind, number, cls.example)
    if cls is Choice:
        return _parse_choice(args, number)
    return _build(cls, args, number)


def _parse_fake(provider: str, rest: str, number: int) -> Fake:
    if not provider:
        raise ParseError("fake. needs a provider name", line=number, example=Fake.example)
    if rest and re.fullmatch(r"\(\s*\)", rest) is None:
        raise ParseError(
            f"fake.{provider} takes no arguments, got '{rest}'", line=number, example=Fake.example
        )
    try:
        return Fake(provider=provider)
    except ValidationError as err:
        raise ParseError(_first_message(err), line=number, example=Fake.example) from None


def _split_args(inside: str, kind: str, number: int, example: str) -> list[tuple[str | None, str, bool]]:
    """``a, b=c`` -> ``[(None, 'a', quoted), ('b', 'c', quoted)]``."""
    if not inside.strip():
        return []
    args = []
    for part in _split_top(inside, ",", number):
        if not part.strip():
            raise ParseError(f"{kind}(...) has an empty argument", line=number, example=example)
        equals = _find(part, "=", number)
        if equals < 0:
            value, quoted = _unquote(part)
            args.append((None, value, quoted))
        else:
            key, _ = _unquote(part[:equals])
            value, quoted = _unquote(part[equals + 1 :])
            if not key or not value:
                raise ParseError(
                    f"{kind}(...) has an incomplete argument '{part.strip()}'", line=number, example=example
                )
            args.append((key, value, quoted))
    return args


def _number(text: str) -> float | None:
    """``0.18``, ``18%``, ``1_000`` -> float; anything else -> None."""
    text = text.strip()
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1].strip(), 0.01
    try:
        return float(text) * scale
    except ValueError:
        return None


def _parse_choice(args: list[tuple[str | None, str, bool]], number: int) -> Choice:
    if not args:
        raise ParseError("choice needs at least one option", line=number, example=Choice.example)
    weighted = [key is not None for key, _, _ in args]
    if any(weighted) and not all(weighted):
        raise ParseError(
            "choice needs a weight for every option or for none", line=number, example=Choice.example
        )
    options = []
    for key, value, _ in args:
        if key is None:
            options.append({"value": value, "weight": 1.0 / len(args)})
            continue
        weight = _number(value)
        if weight is None:
            raise ParseError(
                f"choice: the weight of '{key}' must be a number, got '{value}'",
                line=number,
                example=Choice.example,
            )
        options.append({"value": key, "weight": weight})
    try:
        return Choice(options=[ChoiceOption(**option) for option in options])
    except ValidationError as err:
        raise ParseError(_first_message(err), line=number, example=Choice.example) from None


def _build(cls: Any, args: list[tuple[str | None, str, bool]], number: int) -> Any:
    params = cls.params()
    kind = cls.model_fields["kind"].default
    values: dict[str, str] = {}
    positional = [arg for arg in args if arg[0] is None]
    if len(positional) > len(params):
        raise ParseError(
            f"{kind} takes {_count(len(params))} ({', '.join(params)}), got {len(args)}",
            line=number,
            example=cls.example,
        )
    for param, (_, value, _) in zip(params, positional, strict=False):
        values[param] = value
    for key, value, _ in args:
        if key is None:
            continue
        if key not in params:
            raise ParseError(
                f"{kind} has no parameter '{key}'; its parameters: {', '.join(params)}",
                line=number,
                example=cls.example,
            )
        if key in values:
            raise ParseError(f"{kind}: {key} is given twice", line=number, example=cls.example)
        values[key] = value
    missing = [param for param in params if param not in values]
    if missing:
        raise ParseError(
            f"{kind} needs {_count(len(params))} ({', '.join(params)}), got {len(values)}",
            line=number,
            example=cls.example,
        )
    typed: dict[str, Any] = {}
    for param, value in values.items():
        annotation = cls.model_fields[param].annotation
        if annotation is float:
            number_value = _number(value)
            if number_value is None:
                raise ParseError(
                    f"{kind}: {param} must be a number, got '{value}'", line=number, example=cls.example
                )
            typed[param] = number_value
        else:
            typed[param] = value
    try:
        return cls(**typed)
    except ValidationError as err:
        raise ParseError(_first_message(err, kind, values), line=number, example=cls.example) from None


def _count(n: int) -> str:
    return "1 argument" if n == 1 else f"{n} arguments"


def _first_message(err: ValidationError, kind: str = "", raw: dict[str, str] | None = None) -> str:
    """One readable sentence from the first pydantic error."""
    first = err.errors(include_url=False)[0]
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, ValueError):
        return str(cause)
    field = str(first["loc"][-1]) if first.get("loc") else ""
    if raw is not None and field in raw:
        cls = DISTRIBUTIONS.get(kind)
        annotation = cls.model_fields[field].annotation if cls and field in cls.model_fields else str
        return f"{kind}: {field} must be {_TYPE_WORDS.get(annotation, 'valid')}, got '{raw[field]}'"
    return f"{field}: {first['msg']}" if field else first["msg"]


def _spec_error(err: ValidationError) -> ParseError:
    first = err.errors(include_url=False)[0]
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, SpecRuleError):
        return ParseError(cause.message, line=cause.line, example=cause.example)
    return ParseError(_first_message(err))
