"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Files are written for people (exports, reports, prototypes, notebooks): they get the permissions the
user's umask gives a new file (usually 0644), so a teammate can read them. ``private=True`` keeps
``mkstemp``'s 0600, for what only this user should read (the LLM cache).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import StoreError


def write_text_atomic(path: str | os.PathLike, text: str, *, private: bool = False) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"), private=private)


def _umask() -> int:
    """The process umask: from ``/proc`` on Linux (no race with other threads), else by setting it and
    putting it back (there is no getter)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_bytes_atomic(path: str | os.PathLike, data: bytes, *, private: bool = False) -> Path:
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            if not private:  # mkstemp makes 0600; a file for people gets what the umask allows
                os.fchmod(fd, 0o666 & ~_umask())
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as err:
        raise StoreError(f"cannot write {target}: {err.strerror or err}") from None
    except ValueError as err:  # a NUL byte in the path ("embedded null byte")
        raise StoreError(f"cannot write {str(target)[:200]!r}: {err}") from None
    return target
