"""The offline drafter's prototype kinds: one module per kind, found by name.

A kind module defines

``KIND``
    its name as users type it (``fake-door``);
``WHERE``
    ``notebook`` (an ipywidgets app, also for Voila), ``web`` (served by ``disco serve``) or ``script``;
``DEFAULT_FOR``
    the hypothesis risks it is the default kind for (a tuple, often empty);
``PURPOSE``
    one line: what this kind of prototype tests (shown to the LLM and in ``%prototype?``);
``draft(ctx: Context) -> PrototypeDraft``
    a working prototype built from the hypothesis' own words.

Adding a kind is adding one module here. Everything the user wrote reaches the generated code only through
``py`` (a Python literal), ``text`` (escaped HTML) or ``js`` (a JSON literal safe inside a script), so quotes,
``</script>`` or triple quotes in a hypothesis cannot break out of the template.
"""

from __future__ import annotations

import html
import importlib
import json
import pkgutil
import re
from dataclasses import dataclass
from functools import cache
from types import ModuleType

__all__ = ["OFFLINE_NOTICE", "Context", "default_kind", "fill", "js", "kinds", "module", "py", "text"]

#: what every offline draft says about itself (the LLM layer's OFFLINE_NOTICE, repeated so this package
#: does not depend on it)
OFFLINE_NOTICE = "drafted offline by rules from your own words — no LLM wrote this"

_MARKER = re.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True)
class Context:
    """The hypothesis in the pieces a template needs, all plain text from the user's own words."""

    hypothesis: str
    problem: str
    statement: str
    change: str  # what we change: "a guided onboarding checklist for new trial admins"
    reason: str  # why we believe it: "admins don't see that the product is built for teams" (may be "")
    segment: str  # for whom: the problem's segment, or "users"
    task: str  # what the metric counts a user doing: "inviting a teammate within 7 days"
    metric: str
    metric_description: str
    baseline: float | None
    target: float
    risk: str | None
    price: str  # for prototypes that show a price: "$29 / month"
    price_assumed: bool

    @property
    def title(self) -> str:
        words = self.change[:1].upper() + self.change[1:]
        return words if len(words) <= 90 else words[:87].rstrip() + "…"

    @property
    def move(self) -> str:
        """'invite_rate from 0.18 to 0.3'"""
        start = f" from {self.baseline:g}" if self.baseline is not None else ""
        return f"{self.metric}{start} to {self.target:g}"


def py(value: object) -> str:
    """A Python literal for ``value`` (``repr`` of a str is always a valid, inert literal)."""
    return repr(value)


def text(value: object) -> str:
    """``value`` as HTML text (escaped, quotes included)."""
    return html.escape(str(value), quote=True)


def js(value: object) -> str:
    """A JSON/JavaScript literal that cannot close a ``<script>`` element or a line."""
    encoded = json.dumps(value, ensure_ascii=False)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        encoded = encoded.replace(raw, escaped)
    return encoded


def docstring_text(value: str) -> str:
    """User words made safe inside a triple-quoted docstring (no quotes, backslashes or odd line ends)."""
    cleaned = " ".join(str(value).replace("\\", "/").replace('"', "'").split())
    return cleaned


def fill(template: str, **values: str) -> str:
    """Replace ``{{name}}`` markers; every marker must have a value and every value a marker."""
    used: set[str] = set()

    def swap(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"template marker {{{{{name}}}}} has no value")
        used.add(name)
        return values[name]

    filled = _MARKER.sub(swap, template)
    unused = set(values) - used
    if unused:
        raise KeyError(f"values without a marker: {', '.join(sorted(unused))}")
    return filled


@cache
def _modules() -> dict[str, ModuleType]:
    found: dict[str, ModuleType] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        found[mod.KIND] = mod
    return dict(sorted(found.items()))


def kinds() -> tuple[str, ...]:
    """Every known kind, sorted."""
    return tuple(_modules())


def module(kind: str) -> ModuleType:
    """The module of ``kind``; ``KeyError`` when there is none."""
    return _modules()[kind]


def default_kind(risk: str | None) -> str:
    """The kind that fits a hypothesis' risk (value -> fake-door when the risk is not named)."""
    wanted = risk or "value"
    for kind, mod in _modules().items():
        if wanted in getattr(mod, "DEFAULT_FOR", ()):
            return kind
    return "fake-door"
