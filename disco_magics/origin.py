"""Which notebook and cell the kernel is running now: the provenance stamped on what the user declares.

Duck-typed on the shell (nothing here imports IPython). The notebook is ``JPY_SESSION_NAME``, which
jupyter_server (>= 2) puts in the environment of every kernel it starts for a notebook, and ``disco run``
puts in its kernel's; the cell is the ``cellId`` JupyterLab (and ``disco run``) send in the execute
request's metadata, which ipykernel keeps as the parent header of the running cell.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model.origin import Origin

#: the environment variable jupyter_server sets to the notebook's path in the kernels it starts
SESSION_VARIABLE = "JPY_SESSION_NAME"


def current_cell(shell: Any) -> str | None:
    """The nbformat id of the cell being executed, when the front end sent one."""
    get_parent = getattr(shell, "get_parent", None)  # ipykernel's shell: the running request's message
    parent = get_parent() if callable(get_parent) else getattr(shell, "parent_header", None)
    metadata = (parent or {}).get("metadata") or {}
    cell = metadata.get("cellId")
    return str(cell)[:200] if cell else None


def kernel_origin(shell: Any) -> Origin | None:
    """Where the code running in ``shell`` lives, or None when neither the notebook nor the cell is known."""
    notebook = os.environ.get(SESSION_VARIABLE) or None
    cell = current_cell(shell)
    if notebook is None and cell is None:
        return None
    from .model.origin import Origin  # here, so %load_ext imports no pydantic

    return Origin(notebook=notebook[:4_000] if notebook else None, cell=cell)
