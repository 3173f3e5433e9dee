"""The read-only jupyter_server extension: the team's portfolio over REST, without a kernel.

``GET {base_url}disco-magics/portfolio`` returns ``api.portfolio`` of the store the notebooks use: the
server's ``DISCO_STORE``, else ``.disco/discovery.db`` in the server root (the default store of every
notebook in the root folder). Notebooks in sub-folders write their own ``.disco/discovery.db``; set
``DISCO_STORE`` for the server and the kernels to share one store. Enabled on install by
``jupyter-config/jupyter_server_config.d/disco_magics.json``.
"""

from __future__ import annotations

from typing import Any

#: the URL of the one route, under the server's base URL
PORTFOLIO_ROUTE = "disco-magics/portfolio"


def _load_jupyter_server_extension(serverapp: Any) -> None:
    from .handlers import setup_handlers

    setup_handlers(serverapp)
