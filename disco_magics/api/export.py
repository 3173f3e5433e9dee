"""``%experiments --export``: the experiment table written to a file, atomically."""

from __future__ import annotations

from ..session import Session
from ._common import _standalone_html
from .experiments import experiment_table

EXPORT_FORMATS = (".csv", ".md", ".html")


def export_experiments(
    path: str, problem: str | None = None, all: bool = False, *, session: Session | None = None
) -> str:
    """Write the experiment table to ``path`` (.csv, .md or .html, by extension), atomically."""
    from pathlib import Path

    from ..display.table import table_csv, table_html, table_markdown
    from ..errors import ParseError
    from ..files import write_text_atomic

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ParseError(
            f"cannot export to {target.name[:60]!r}: the extension must be one of {', '.join(EXPORT_FORMATS)}",
            example="%experiments --export experiments.md",
        )
    table = experiment_table(problem, all, session=session)
    if suffix == ".csv":
        text = table_csv(table)
    elif suffix == ".md":
        text = table_markdown(table)
    else:
        text = _standalone_html(table_html(table, lean=False))  # a file read once: the lift drawings too
    write_text_atomic(target, text)
    return str(target)
