"""What a prototype's files must be, checked without running them: a safe relative path, HTML whose
elements are closed and nested, and whether a page holds inline script (which ``disco serve`` blocks).

Plain functions raising ``ValueError``, so the ``PrototypeFile`` and ``PrototypeDraft`` validators turn a
bad template and a bad LLM answer into the same message.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = [
    "MAX_DEPTH",
    "MAX_PATH_CHARS",
    "PATH_RE",
    "VERSION_DIR_RE",
    "check_html",
    "check_path",
    "inline_script",
]

MAX_PATH_CHARS = 120
MAX_DEPTH = 4

# Segments start with a letter, digit or underscore: no hidden files, no ``..``, nothing to quote.
_SEGMENT = r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,59}"
PATH_RE = re.compile(rf"^{_SEGMENT}(?:/{_SEGMENT})*$")
#: top-level folders named like this hold later versions of a prototype (``prototypes/H1/v2/``)
VERSION_DIR_RE = re.compile(r"^v\d+$")


def check_path(path: str) -> str:
    """``path`` if it is a safe, relative path inside the prototype folder; ``ValueError`` otherwise."""
    if not isinstance(path, str) or not path:
        raise ValueError("a file path must be a non-empty string")
    if len(path) > MAX_PATH_CHARS:
        raise ValueError(f"file path {path[:40]!r}... is longer than {MAX_PATH_CHARS} characters")
    if "\x00" in path:
        raise ValueError("a file path must not contain NUL")
    if path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path):
        raise ValueError(f"file path {path[:60]!r} must be relative to the prototype folder, not absolute")
    if "\\" in path:
        raise ValueError(f"file path {path[:60]!r} must use / between folders")
    segments = path.split("/")
    if any(s in ("", ".", "..") for s in segments):
        raise ValueError(
            f"file path {path[:60]!r} must stay inside the prototype folder (no '.', '..' or '//')"
        )
    if not PATH_RE.match(path):
        raise ValueError(
            f"file path {path[:60]!r} may use only letters, digits, '_', '-', '.' and '/', "
            "and no part may start with '.'"
        )
    if len(segments) > MAX_DEPTH:
        raise ValueError(f"file path {path[:60]!r} is nested deeper than {MAX_DEPTH} levels")
    if len(segments) > 1 and VERSION_DIR_RE.match(segments[0]):
        raise ValueError(f"file path {path[:60]!r}: top-level folders v2, v3... are reserved for versions")
    return path


# HTML elements whose end tag may be left out (HTML5 optional end tags), and void elements.
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_OPTIONAL_END = frozenset(
    [
        "html",
        "head",
        "body",
        "p",
        "li",
        "dt",
        "dd",
        "option",
        "optgroup",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "tfoot",
        "colgroup",
        "caption",
        "rb",
        "rt",
        "rp",
    ]
)


class _TagBalance(HTMLParser):
    """Checks that every end tag closes an open element (optional end tags aside)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []
        self.problems: list[str] = []
        self.elements = 0

    def handle_starttag(self, tag, attrs) -> None:
        self.elements += 1
        if tag not in _VOID:
            self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag, attrs) -> None:
        self.elements += 1

    def handle_endtag(self, tag) -> None:
        if tag in _VOID:
            return
        if not any(open_tag == tag for open_tag, _ in self.stack):
            self.problems.append(f"line {self.getpos()[0]}: </{tag}> closes nothing")
            return
        while self.stack:
            open_tag, line = self.stack.pop()
            if open_tag == tag:
                return
            if open_tag not in _OPTIONAL_END:
                self.problems.append(f"line {line}: <{open_tag}> is not closed before </{tag}>")


def check_html(text: str) -> None:
    """``ValueError`` unless ``text`` is well-formed HTML (elements closed and nested)."""
    parser = _TagBalance()
    try:
        parser.feed(text)
        parser.close()
    except Exception as err:  # HTMLParser is lenient; anything it does raise is a parse failure
        raise ValueError(f"HTML does not parse: {err}") from None
    if parser.elements == 0:
        raise ValueError("HTML has no elements")
    parser.problems += [
        f"line {line}: <{tag}> is never closed" for tag, line in parser.stack if tag not in _OPTIONAL_END
    ]
    if parser.problems:
        raise ValueError("HTML is not well formed: " + "; ".join(parser.problems[:3]))


class _InlineScript(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: str | None = None
        self._in_script = False

    def handle_starttag(self, tag, attrs) -> None:
        for name, _ in attrs:
            if name.lower().startswith("on") and self.found is None:
                self.found = f"<{tag} {name}=...> is an inline event handler"
            if name.lower() in ("href", "src", "action") and self.found is None:
                value = dict(attrs).get(name) or ""
                if value.strip().lower().startswith("javascript:"):
                    self.found = f"<{tag} {name}='javascript:...'> is inline script"
        self._in_script = tag == "script" and not dict(attrs).get("src")

    def handle_endtag(self, tag) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data) -> None:
        if self._in_script and data.strip() and self.found is None:
            self.found = "a <script> element has inline code"


def inline_script(text: str) -> str | None:
    """What inline script ``text`` holds (a ``<script>`` body, an ``on*=`` handler), or None."""
    parser = _InlineScript()
    parser.feed(text)
    parser.close()
    return parser.found
