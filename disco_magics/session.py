"""The one stateful object: configuration, the store, the current problem and live listeners.

``Settings`` (defined from the traitlets in ``settings.py``) is re-exported here.

``load_ipython_extension`` installs a Session for the kernel; the plain-Python API uses a lazily created
default one. Tests build their own on ``tmp_path``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import NotFoundError
from .settings import Settings

Listener = Callable[[str, Any], None]


@dataclass
class Session:
    settings: Settings = field(default_factory=Settings.from_env)
    current_problem: str | None = None
    _store: Any = field(default=None, repr=False)
    _listeners: list[Listener] = field(default_factory=list, repr=False)
    _llm: Any = field(default=None, repr=False)
    #: where the code running now lives (``origin.kernel_origin`` in a kernel); None outside notebooks
    locate: Callable[[], Any] | None = field(default=None, repr=False)

    # --------------------------------------------------------------------------------------------- store

    @property
    def store(self):
        """The store, opened on first use (so ``%load_ext`` never imports SQLAlchemy)."""
        if self._store is None:
            from .store import Store

            self._store = Store(self.settings.store)
        return self._store

    def use_store(self, store: str | None) -> None:
        if self._store is not None:
            self._store.close()
        self._store = None
        self.settings.store = store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # ----------------------------------------------------------------------------------------- listeners

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(kind, obj)`` after each change; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def notify(self, kind: str, obj: Any) -> None:
        for listener in list(self._listeners):
            listener(kind, obj)

    def origin(self):
        """The notebook and cell running now (an ``Origin``), or None when unknown; never raises."""
        if self.locate is None:
            return None
        try:
            return self.locate()
        except Exception:  # provenance is a courtesy: it must never stop a declaration being stored
            return None

    # ---------------------------------------------------------------------------------------- resolution

    def problem_name(self, name: str | None = None) -> str | None:
        return name or self.current_problem or self.store.current_problem_name()

    def resolve_problem(self, name: str | None = None, *, example: str | None = None):
        """The named problem, else the current one; a clear error when there is none."""
        wanted = self.problem_name(name)
        if wanted is None:
            raise NotFoundError(
                "no problem yet: run a %%problem cell first", example=example or "%%problem onboarding"
            )
        problem = self.store.problem(wanted) if _is_name(wanted) else None
        if problem is None:
            known = ", ".join(p.name for p in self.store.problems()) or "none yet"
            raise NotFoundError(
                f"unknown problem {str(wanted)[:40]!r}; known: {known}", example="%%problem onboarding"
            )
        return problem

    def resolve_hypothesis(self, hypothesis_id: str, problem: str | None = None, *, example: str | None = None):
        """Hypothesis ID in the named or current problem, else the only one with that ID anywhere."""
        example = example or "%measure H1 --observed 0.27 --n 2400"
        wanted = self.problem_name(problem)
        if wanted is not None and not _is_name(wanted):
            self.resolve_problem(wanted, example=example)  # raises: no such problem can exist
        if wanted is not None and _is_name(hypothesis_id):
            found = self.store.hypothesis(wanted, hypothesis_id)
            if found is not None:
                return found
        if problem is None and _is_name(hypothesis_id):
            matches = self.store.hypotheses(hypothesis_id=hypothesis_id)
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                where = ", ".join(h.problem for h in matches)
                raise NotFoundError(
                    f"{hypothesis_id} exists in several problems ({where}); name one with --problem", example=example
                )
        scope = self.store.hypotheses(wanted) if wanted else self.store.hypotheses()
        known = ", ".join(h.id for h in scope) or "none yet"
        where = f" in problem {wanted}" if wanted else ""
        raise NotFoundError(
            f"unknown hypothesis {str(hypothesis_id)[:40]!r}{where}; known: {known}", example=example
        )


def _is_name(name: str) -> bool:
    """Whether ``name`` could name something stored; anything else (NUL bytes, undecodable bytes, 1 MB of
    text) is unknown without asking the database, which may not even accept it as a parameter."""
    from .model._base import NAME_RE

    return isinstance(name, str) and NAME_RE.match(name) is not None


_default: Session | None = None


def get_session() -> Session:
    """The session the plain-Python API uses: the kernel's after ``%load_ext``, else a default one."""
    global _default
    if _default is None:
        _default = Session()
    return _default


def set_session(session: Session | None) -> Session | None:
    """Install ``session`` as the default; returns the previous one."""
    global _default
    previous, _default = _default, session
    return previous
