"""disco_magics: product discovery as a hands-on craft, in a notebook.

``%load_ext disco_magics`` registers the magics; the same operations are plain functions here.
Attributes load on first use (PEP 562), so loading the extension imports nothing heavy.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "decide",
    "experiments",
    "hypothesis",
    "load_ipython_extension",
    "measure",
    "plan",
    "problem",
    "prototype",
    "report",
    "results",
    "simulate",
    "synth",
    "track",
]

_API = {
    "problem",
    "hypothesis",
    "experiments",
    "experiment_table",
    "decide",
    "measure",
    "synth",
    "simulate",
    "plan",
    "prototype",
    "track",
    "report",
    "results",
}


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(".api", __name__), name)
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("disco-magics")
        except PackageNotFoundError:
            return "0.0.0+unknown"
    raise AttributeError(f"module 'disco_magics' has no attribute {name!r}")


def load_ipython_extension(ipython) -> None:
    """``%load_ext disco_magics``: register the magics and install the kernel's session."""
    from .magics import load

    load(ipython)


def unload_ipython_extension(ipython) -> None:
    from .session import get_session

    get_session().close()


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "disco-magics"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """The read-only portfolio route (``disco_magics.server``), enabled on install."""
    return [{"module": "disco_magics.server"}]
