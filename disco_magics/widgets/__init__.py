"""The live experiment table: an anywidget over the model, and the controller that keeps it current.

Importing this package imports anywidget and ipywidgets; the magics import it on first use only.
"""

from .live import LiveExperimentTable, flush_stale_tables, live_tables, track_cells
from .table import ExperimentTableWidget, StaticTable, static_bundle

__all__ = [
    "ExperimentTableWidget",
    "LiveExperimentTable",
    "StaticTable",
    "flush_stale_tables",
    "live_tables",
    "static_bundle",
    "track_cells",
]
