"""The thinnest prototype that tests a hypothesis: its files, how it runs, and the events that make its metric.

``PrototypeDraft`` is what a drafter writes — an LLM through instructor (it is the ``response_model``) or the
offline templates. Its validators are the contract: Python files parse, HTML is well formed, paths stay inside
the prototype's folder (those two checks live in ``_file_checks.py``), the entry point exists and the metric's
two events are named and logged. A bad LLM answer fails the same checks as a bad template and is re-asked.
``Prototype`` adds what the tool knows (the hypothesis, the kind, provenance) and is what the store keeps.

Nothing here runs, imports or renders a file's content: Python is checked with ``ast.parse`` only.
"""

from __future__ import annotations

import ast
import json
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from ._base import NAME_PATTERN, DiscoModel, Name, utcnow
from ._file_checks import MAX_PATH_CHARS, VERSION_DIR_RE, check_html, check_path, inline_script

__all__ = [
    "DRAFT_MODELS",
    "LANGUAGES",
    "RUNS_IN",
    "VERSION_DIR_RE",
    "DraftedPrototype",
    "NotebookDraft",
    "Prototype",
    "PrototypeDraft",
    "PrototypeEvent",
    "PrototypeFile",
    "PrototypeProvenance",
    "ScriptDraft",
    "WebDraft",
    "check_html",
    "check_path",
    "inline_script",
]

Language = Literal["python", "html", "css", "javascript", "json", "markdown", "text"]
LANGUAGES: tuple[str, ...] = get_args(Language)

#: where a prototype runs: an ipywidgets app (notebook and Voila), a web page (``disco serve``), a script
RunsIn = Literal["notebook", "web", "script"]
RUNS_IN: tuple[str, ...] = get_args(RunsIn)

#: which extensions each language may use; a mismatch is an error the LLM is asked to fix
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "python": (".py",),
    "html": (".html", ".htm"),
    "css": (".css",),
    "javascript": (".js", ".mjs"),
    "json": (".json",),
    "markdown": (".md",),
    "text": (".txt", ".csv"),
}

MAX_FILES = 12
MAX_FILE_CHARS = 60_000
MAX_LINES = 800
MAX_LINE_CHARS = 1_000  # llama.cpp's grammar handles string bounds up to about this

KIND_PATTERN = r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"

OneLine = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=r"^[^\r\n\x00]*$")]
#: an event or other identifier: the pattern bounds it, and maxLength tells a small model so in the schema
EventName = Annotated[str, StringConstraints(pattern=NAME_PATTERN, max_length=64)]
Line = Annotated[str, StringConstraints(max_length=MAX_LINE_CHARS)]
Kind = Annotated[str, StringConstraints(min_length=2, max_length=40, pattern=KIND_PATTERN)]


def _top_level_functions(tree: ast.Module) -> set[str]:
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


class PrototypeFile(DiscoModel):
    """One file of the prototype, written under ``prototypes/ID/``.

    The text travels as ``lines`` (each bounded): llama.cpp turns a JSON schema's ``maxLength`` into a grammar
    that unrolls every character, and a string bound of a whole file's size crashes its server; a bounded
    list of bounded lines does not. ``content`` is the whole text; ``PrototypeFile(content=...)`` works too.
    """

    path: str = Field(
        max_length=MAX_PATH_CHARS,
        description="Relative path inside the prototype folder, e.g. app.py or static/style.css. "
        "Letters, digits, _ - . and / only.",
    )
    language: Language = Field(description="The file's language; must match its extension.")
    lines: list[Line] = Field(
        min_length=1, max_length=MAX_LINES, description="The whole file, one line per item, in order."
    )

    # file text is kept byte for byte (the base model strips strings)
    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=False)

    @model_validator(mode="before")
    @classmethod
    def _from_content(cls, data: Any) -> Any:
        if isinstance(data, dict) and "content" in data and "lines" not in data:
            data = dict(data)
            content = data.pop("content")
            if isinstance(content, str):
                data["lines"] = content.removesuffix("\n").split("\n")
            else:
                data["lines"] = content
        return data

    @property
    def content(self) -> str:
        """The file's text, ending with a newline."""
        return "\n".join(self.lines) + "\n"

    @model_validator(mode="after")
    def _valid(self) -> PrototypeFile:
        check_path(self.path)
        if sum(len(line) + 1 for line in self.lines) > MAX_FILE_CHARS:
            raise ValueError(f"{self.path} is longer than {MAX_FILE_CHARS} characters: keep it thin")
        suffix = "." + self.path.rsplit(".", 1)[-1].lower() if "." in self.path.rsplit("/", 1)[-1] else ""
        if suffix not in EXTENSIONS[self.language]:
            raise ValueError(
                f"{self.path}: a {self.language} file must end with {' or '.join(EXTENSIONS[self.language])}"
            )
        if self.language == "python":
            try:
                ast.parse(self.content, filename=self.path)
            except SyntaxError as err:
                raise ValueError(
                    f"{self.path} line {err.lineno}: Python does not compile: {err.msg}"
                ) from None
            except ValueError as err:  # e.g. NUL bytes
                raise ValueError(f"{self.path}: Python does not compile: {err}") from None
        elif self.language == "html":
            try:
                check_html(self.content)
            except ValueError as err:
                raise ValueError(f"{self.path}: {err}") from None
        elif self.language == "json":
            try:
                json.loads(self.content)
            except ValueError as err:
                raise ValueError(f"{self.path}: JSON does not parse: {err}") from None
        return self


class PrototypeEvent(DiscoModel):
    """An event the prototype logs with ``disco_magics.track`` (notebook) or ``POST /events`` (web)."""

    name: EventName = Field(description="Short identifier, e.g. exposed, clicked_cta.")
    description: str = Field(default="", max_length=200, description="When it is logged, in a few words.")


class PrototypeDraft(DiscoModel):
    """What a drafter writes: the thinnest prototype that tests one hypothesis.

    Notebook prototypes are ipywidgets apps: the entry Python file defines ``app(user=None, variant=None)``
    returning a widget, and logs events with ``disco_magics.track(ID, event, user=..., variant=...)``.
    Web prototypes have ``index.html`` at the top, which sends its events as JSON ``{event, user, variant}``
    with ``POST /events``. Script prototypes define ``run()`` in the entry Python file and log with
    ``disco_magics.track``.
    """

    runs_in: ClassVar[str] = ""

    title: OneLine = Field(description="A short name for the prototype, one line.")
    summary: str = Field(min_length=1, max_length=1_000, description="What the user sees and does.")
    tests: str = Field(
        min_length=1, max_length=1_000, description="Which assumption it tests and how the metric answers it."
    )
    files: list[PrototypeFile] = Field(
        min_length=1, max_length=MAX_FILES, description="Every file, complete."
    )
    entry: str = Field(max_length=MAX_PATH_CHARS, description="The file that starts the prototype.")
    run: str = Field(
        min_length=1, max_length=1_000, description="How to run it and put it in front of users."
    )
    events: list[PrototypeEvent] = Field(min_length=2, max_length=12, description="Every event it logs.")
    exposure_event: EventName = Field(description="The event logged when a user sees the thing being tested.")
    conversion_event: EventName = Field(
        description="The event logged when a user does what the metric counts."
    )

    @model_validator(mode="after")
    def _consistent(self) -> PrototypeDraft:
        paths = [f.path for f in self.files]
        lowered = [p.lower() for p in paths]
        if len(set(lowered)) != len(lowered):
            raise ValueError("two files have the same path")
        for p in lowered:
            if any(other.startswith(p + "/") for other in lowered):
                raise ValueError(f"{p} is both a file and a folder")
        if sum(len(f.content) for f in self.files) > 3 * MAX_FILE_CHARS:
            raise ValueError(f"the files together exceed {3 * MAX_FILE_CHARS} characters: keep it thin")
        if self.entry not in paths:
            raise ValueError(f"entry {self.entry[:60]!r} is not one of the files ({', '.join(paths)})")
        names = [e.name for e in self.events]
        if len(set(names)) != len(names):
            raise ValueError("two events have the same name")
        for field in ("exposure_event", "conversion_event"):
            if getattr(self, field) not in names:
                raise ValueError(
                    f"{field} {getattr(self, field)!r} is not one of the events ({', '.join(names)})"
                )
        if self.exposure_event == self.conversion_event:
            raise ValueError("exposure_event and conversion_event must be different events")
        code = "\n".join(f.content for f in self.files if f.language in ("python", "html", "javascript"))
        for field in ("exposure_event", "conversion_event"):
            if getattr(self, field) not in code:
                raise ValueError(f"no file logs the {field} {getattr(self, field)!r}")
        self._check_entry(self.runs_in)
        return self

    def file(self, path: str) -> PrototypeFile | None:
        return next((f for f in self.files if f.path == path), None)

    def _check_entry(self, kind: str) -> None:
        if not kind:
            return
        entry = self.file(self.entry)
        assert entry is not None
        if kind == "web":
            if self.entry != "index.html":
                raise ValueError("a web prototype's entry must be index.html")
            pages = "\n".join(f.content for f in self.files if f.language in ("html", "javascript"))
            if "/events" not in pages:
                raise ValueError("the web page must send its events with POST /events")
            for f in self.files:
                if f.language == "html" and (inline := inline_script(f.content)):
                    raise ValueError(
                        f"{f.path}: {inline}; put JavaScript in a .js file loaded with <script src=...> "
                        "(the server's Content-Security-Policy blocks inline script)"
                    )
            return
        wanted = "app" if kind == "notebook" else "run"
        if entry.language != "python":
            raise ValueError(f"a {kind} prototype's entry must be a Python file defining {wanted}()")
        if wanted not in _top_level_functions(ast.parse(entry.content)):
            raise ValueError(f"{self.entry} must define a top-level function {wanted}()")
        python = "\n".join(f.content for f in self.files if f.language == "python")
        if "track(" not in python:
            raise ValueError("the prototype must log its events with disco_magics.track(...)")


class NotebookDraft(PrototypeDraft):
    """An ipywidgets app: ``app(user=None, variant=None)`` returns the widget; works in Voila too."""

    runs_in: ClassVar[str] = "notebook"


class WebDraft(PrototypeDraft):
    """A web page served by ``disco serve``: ``index.html`` posts its events to ``/events``."""

    runs_in: ClassVar[str] = "web"


class ScriptDraft(PrototypeDraft):
    """A script: ``run()`` in the entry file does the work and logs each trial."""

    runs_in: ClassVar[str] = "script"


DRAFT_MODELS: dict[str, type[PrototypeDraft]] = {
    "notebook": NotebookDraft,
    "web": WebDraft,
    "script": ScriptDraft,
}


class PrototypeProvenance(DiscoModel):
    """Who drafted the prototype (never a key)."""

    provider: str = Field(max_length=60)
    model: str = Field(default="", max_length=200)
    prompt_hash: str = Field(default="", max_length=80)
    cache_hit: bool = False
    offline: bool = False
    notice: str = Field(default="", max_length=300, description="One line shown next to the prototype.")


class Prototype(PrototypeDraft):
    """A drafted prototype as the store keeps it: the draft plus what the tool knows."""

    bundle_kind: ClassVar[str] = "prototype"

    hypothesis: Name
    problem: Name
    kind: Kind
    where: RunsIn = Field(description="notebook, web or script")
    provenance: PrototypeProvenance
    created_at: datetime = Field(default_factory=utcnow)

    @model_validator(mode="after")
    def _entry_for_where(self) -> Prototype:
        self._check_entry(self.where)
        return self

    @classmethod
    def from_draft(
        cls,
        draft: PrototypeDraft,
        *,
        hypothesis: str,
        problem: str,
        kind: str,
        provenance: PrototypeProvenance,
    ) -> Prototype:
        where = draft.runs_in or "notebook"
        return cls(
            **draft.model_dump(),
            hypothesis=hypothesis,
            problem=problem,
            kind=kind,
            where=where,
            provenance=provenance,
        )


class DraftedPrototype(DiscoModel):
    """What ``%prototype`` reports: the prototype, where its files went, and the cell that launches it."""

    bundle_kind: ClassVar[str] = "prototype"

    prototype: Prototype
    folder: str = Field(description="The folder the files were written to.")
    version: int = Field(ge=1)
    written: list[str] = Field(default_factory=list, description="Files written or updated.")
    unchanged: list[str] = Field(default_factory=list, description="Files already as drafted.")
    notes: list[str] = Field(default_factory=list, description="What the user should know, in words.")
    launcher: str = Field(description="The code inserted as the next cell (never run by the tool).")
