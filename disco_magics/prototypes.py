"""Prototype files on disk: write them under ``prototypes/ID/``, never over a file the user changed.

A manifest (``prototypes/ID/.disco-manifest.json``) records, per version, the folder and the SHA-256 of every
file the tool wrote. A re-draft overwrites a file only when it is still byte for byte what was generated;
when the user changed one, the whole draft goes to a new version folder (``prototypes/ID/v2/``) and says so.

Also here: the launcher cell the magic inserts (built by the tool from fixed text, never from model text)
and the small notebook that serves an in-notebook prototype with Voila. Nothing here runs a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import Field, ValidationError, field_validator

from .errors import StoreError, ValidationFailed
from .files import write_bytes_atomic
from .model import DiscoModel, Name, utcnow
from .model.prototype import VERSION_DIR_RE, Prototype, check_path

__all__ = [
    "MANIFEST",
    "Manifest",
    "ManifestVersion",
    "Written",
    "joined",
    "latest_version",
    "launcher",
    "read_manifest",
    "voila_notebook",
    "write_prototype",
]

MANIFEST = ".disco-manifest.json"
VOILA_NOTEBOOK = "app.ipynb"
_IDENTIFIER = re.compile(r"\W")


class ManifestVersion(DiscoModel):
    """One drafted version: where its files are, what they hashed to when written, and its events."""

    version: int = Field(ge=1)
    folder: str = Field(max_length=20, description="'.' for the first version, else 'v2', 'v3'...")
    kind: str = Field(max_length=40)
    where: str = Field(max_length=20)
    entry: str = Field(max_length=200)
    problem: Name
    events: list[Name] = Field(default_factory=list, max_length=50)
    exposure_event: Name
    conversion_event: Name
    files: dict[str, str] = Field(default_factory=dict, description="path -> sha256 of what was written")
    written_at: datetime = Field(default_factory=utcnow)

    @field_validator("folder")
    @classmethod
    def _folder(cls, value: str) -> str:
        if value != "." and not VERSION_DIR_RE.match(value):
            raise ValueError(f"version folder {value[:20]!r} must be '.' or v2, v3...")
        return value

    @field_validator("files")
    @classmethod
    def _paths(cls, value: dict[str, str]) -> dict[str, str]:
        for path in value:
            if path != VOILA_NOTEBOOK:
                check_path(path)
        return value


class Manifest(DiscoModel):
    format: int = 1
    hypothesis: Name
    versions: list[ManifestVersion] = Field(default_factory=list, max_length=1000)


@dataclass
class Written:
    """What ``write_prototype`` did."""

    root: Path  # prototypes/ID
    folder: Path  # the version folder the files are in
    version: int
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(root: Path, hypothesis: str) -> Manifest | None:
    """The manifest in ``root`` (``prototypes/ID``), or None when there is none or it cannot be read."""
    path = root / MANIFEST
    if not path.is_file() or path.is_symlink():
        return None
    try:
        manifest = Manifest.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, ValueError):
        return None
    return manifest if manifest.hypothesis == hypothesis else None


def latest_version(root: Path, hypothesis: str) -> ManifestVersion | None:
    manifest = read_manifest(root, hypothesis)
    return manifest.versions[-1] if manifest and manifest.versions else None


def _inside(root: Path, path: Path) -> bool:
    """True when ``path`` resolves inside ``root`` (symlinks followed)."""
    try:
        return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root))
    except OSError:
        return False


def _changed_by_user(root: Path, folder: Path, relative: str, data: bytes, recorded: dict[str, str]) -> bool:
    """True when writing ``relative`` would overwrite something that is not the tool's untouched output."""
    target = folder / relative
    # Every existing part of the way must be a real folder inside the prototype folder, not a link out.
    for parent in [folder, *[folder / p for p in Path(relative).parents if str(p) != "."]]:
        if parent.is_symlink() or (parent.exists() and not parent.is_dir()) or not _inside(root, parent):
            return True
    if not os.path.lexists(target):
        return False
    if target.is_symlink() or not target.is_file():
        return True
    current = _sha(target.read_bytes())
    return current != _sha(data) and recorded.get(relative) != current


def _next_folder(root: Path, manifest: Manifest | None) -> tuple[int, str]:
    numbers = [v.version for v in manifest.versions] if manifest else []
    if root.is_dir():
        numbers += [int(p.name[1:]) for p in root.iterdir() if VERSION_DIR_RE.match(p.name)]
    number = max([1, *numbers]) + 1
    return number, f"v{number}"


def write_prototype(proto: Prototype, out: str | os.PathLike, *, store_path: str | None = None) -> Written:
    """Write ``proto``'s files under ``out/ID/``, keeping every file the user changed.

    Parameters
    ----------
    proto
        The drafted prototype (its paths are already validated as relative and inside the folder).
    out
        The prototypes folder (``prototypes`` by default in the magic).
    store_path
        The SQLite store's path, written into the Voila notebook of in-notebook prototypes so that its
        events reach the same store; None for other stores (the notebook then reads ``DISCO_STORE``).

    Returns
    -------
    Written
        The version folder, what was written or left as it was, and notes in words.
    """
    root = Path(out) / proto.hypothesis
    if root.is_symlink() or (root.exists() and not root.is_dir()):
        raise ValidationFailed(
            f"{root} is not a plain folder; choose another prototypes folder with --out",
            example="%prototype H1 --out prototypes",
        )
    files = {f.path: f.content.encode("utf-8") for f in proto.files}
    if proto.where == "notebook":
        files[VOILA_NOTEBOOK] = voila_notebook(proto, store_path).encode("utf-8")
    manifest = read_manifest(root, proto.hypothesis)
    notes: list[str] = []
    if root.joinpath(MANIFEST).exists() and manifest is None:
        notes.append(f"{root / MANIFEST} could not be read; existing files were treated as yours")
    latest = manifest.versions[-1] if manifest and manifest.versions else None
    number, folder_name = (latest.version, latest.folder) if latest else (1, ".")
    recorded = latest.files if latest else {}
    folder = root / folder_name
    changed = [p for p, data in files.items() if _changed_by_user(root, folder, p, data, recorded)]
    if changed:
        shown = ", ".join(str(folder / p) for p in changed[:3])
        number, folder_name = _next_folder(root, manifest)
        folder = root / folder_name
        recorded = {}
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        notes.append(
            f"{shown}{more} changed since it was generated, so this draft went to a new version folder "
            f"{folder} (your changes are kept)"
        )
    done = Written(root=root, folder=folder, version=number, notes=notes)
    try:
        for relative, data in files.items():
            target = folder / relative
            if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
                done.unchanged.append(relative)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink() or not _inside(root, target.parent):
                raise ValidationFailed(
                    f"{relative} would be written outside {root}; nothing was written there"
                )
            write_bytes_atomic(target, data)
            done.written.append(relative)
        _remove_stale(root, folder, recorded, files)
    except OSError as err:
        raise StoreError(f"cannot write the prototype under {root}: {err.strerror or err}") from None
    entry = ManifestVersion(
        version=number,
        folder=folder_name,
        kind=proto.kind,
        where=proto.where,
        entry=proto.entry,
        problem=proto.problem,
        events=[e.name for e in proto.events],
        exposure_event=proto.exposure_event,
        conversion_event=proto.conversion_event,
        files={p: _sha(data) for p, data in files.items()},
    )
    kept = [v for v in (manifest.versions if manifest else []) if v.version != number]
    updated = Manifest(hypothesis=proto.hypothesis, versions=[*kept, entry])
    write_bytes_atomic(root / MANIFEST, (updated.model_dump_json(indent=2) + "\n").encode("utf-8"))
    return done


def _remove_stale(root: Path, folder: Path, recorded: dict[str, str], files: dict[str, bytes]) -> None:
    """Delete files an earlier draft of this version wrote, that this one does not, if still untouched."""
    for relative, digest in recorded.items():
        if relative in files:
            continue
        target = folder / relative
        untouched = target.is_file() and not target.is_symlink() and _inside(root, target)
        if untouched and _sha(target.read_bytes()) == digest:
            target.unlink()


# ------------------------------------------------------------------------------------------ launcher


def _one_line(value: str, limit: int = 160) -> str:
    """Text safe inside a ``#`` comment: printable, one line."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in str(value))
    return " ".join(cleaned.split())[:limit]


def _variable(hypothesis: str, suffix: str) -> str:
    name = _IDENTIFIER.sub("_", hypothesis)
    return f"{name}_{suffix}"


def launcher(proto: Prototype, folder: str | os.PathLike, out: str | os.PathLike) -> str:
    """The cell that launches the prototype from the notebook, from fixed text.

    Only validated names (ID, kind, events), validated relative paths and the user's own ``--out`` (as a
    Python literal in code, as one printable line in comments) appear in it; no text written by a model does.
    """
    where = Path(folder).as_posix()
    entry = f"{where}/{proto.entry}"
    notice = _one_line(proto.provenance.notice or proto.provenance.provider)
    runs = "serves that page on loopback" if proto.where == "web" else "runs that code in this kernel"
    head = [
        f"# {proto.hypothesis} · {proto.kind} prototype ({notice})",
        f"# Read {_one_line(entry, 200)} before you run this cell: running it {runs}.",
        f"# Events {proto.exposure_event} -> {proto.conversion_event} go to the store; "
        f"then: %measure {proto.hypothesis} --events",
    ]
    if proto.where == "notebook":
        name = _variable(proto.hypothesis, "prototype")
        voila = _one_line(f"{where}/{VOILA_NOTEBOOK}", 200)
        head.insert(2, f"# Each app() is one user; for real users: voila {voila}")
        body = ["import runpy", "", f"{name} = runpy.run_path({entry!r})", f'{name}["app"]()']
    elif proto.where == "web":
        name = _variable(proto.hypothesis, "server")
        out_text = Path(out).as_posix()
        serve_dir = "" if out_text == "prototypes" else f" --dir {_one_line(out_text, 200)}"
        head.insert(
            2, f"# For real users, from a terminal: disco serve {proto.hypothesis} --host 0.0.0.0{serve_dir}"
        )
        body = [
            "from disco_magics.serve import start",
            "",
            f"{name} = start({proto.hypothesis!r}, folder={out_text!r})  # loopback; {name}.stop() ends it",
            name,
        ]
    else:
        name = _variable(proto.hypothesis, "spike")
        head.insert(2, f"# From a terminal: python {_one_line(entry, 200)}")
        body = ["import runpy", "", f"{name} = runpy.run_path({entry!r})", f'{name}["run"]()']
    return "\n".join(head + body)


def joined(launchers: list[str]) -> str:
    """Several launchers as one cell: each one's last line (a bare name or call we wrote) is displayed."""
    if len(launchers) == 1:
        return launchers[0]
    cells = []
    for code in launchers:
        lines = code.splitlines()
        cells.append("\n".join([*lines[:-1], f"display({lines[-1]})"]))
    return "\n\n".join(cells)


def voila_notebook(proto: Prototype, store_path: str | None) -> str:
    """A one-cell notebook that shows the app to each Voila visitor (``voila app.ipynb`` in its folder)."""
    lines = [
        f"# {proto.hypothesis} · {proto.kind} prototype for Voila: each visitor is one user.",
        f"# Written by disco_magics; the app itself is {proto.entry}: read it before serving.",
        "import os",
        "import runpy",
        "",
    ]
    if store_path:
        lines.append(
            f"os.environ.setdefault('DISCO_STORE', {str(store_path)!r})  # the drafting notebook's store"
        )
    else:
        lines.append("# Events go to the store named by DISCO_STORE: set it before starting voila.")
    lines.append(f'runpy.run_path({proto.entry!r})["app"]()')
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "disco-prototype",
                "metadata": {},
                "outputs": [],
                "source": [line + "\n" for line in lines[:-1]] + [lines[-1]],
            }
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1) + "\n"
