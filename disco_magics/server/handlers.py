"""The portfolio route: GET only, behind Jupyter's authentication, never a password, never a 500.

The JSON is built in a worker thread (the server's event loop keeps serving) and kept while the store
is unchanged: for SQLite the database and its WAL file's size and modification time tell, so a panel
polling every few seconds costs two ``stat`` calls; Tornado's ETag turns an unchanged body into a 304.
A database server has no cheap fingerprint, so its portfolio is kept for ``SERVER_STORE_TTL_S``.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from . import PORTFOLIO_ROUTE

#: seconds a portfolio read from a database server is reused (SQLite is re-read whenever it changes)
SERVER_STORE_TTL_S = 3.0


#: left out of the served JSON: the view shows none of them, and ``reason`` alone is ~40% of the bytes
_NOT_SERVED = {"problems": {"__all__": {"hypotheses": {"__all__": {"reason", "target_lift"}}}}}


class PortfolioCache:
    """The last portfolio JSON of one store, rebuilt when the store changes."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._key: object = None
        self._json = b""
        self._rows: dict = {}  # api.portfolio's reuse: rows unchanged since the last build

    def _fingerprint(self, url: str) -> object:
        if url.startswith("sqlite:///"):
            path = url.removeprefix("sqlite:///")
            stamp = []
            for name in (path, f"{path}-wal"):
                try:
                    st = os.stat(name)
                    stamp.append((st.st_mtime_ns, st.st_size))
                except OSError:
                    stamp.append(None)
            return (url, *stamp)
        return (url, int(time.monotonic() // SERVER_STORE_TTL_S))

    def json(self) -> bytes:
        from ..api.portfolio import portfolio, portfolio_store_url
        from ..errors import DiscoError

        try:
            url = portfolio_store_url(self.root)
        except DiscoError:
            url = None
        key = self._fingerprint(url) if url else None
        with self._lock:
            if key is not None and key == self._key:
                return self._json
            made = portfolio(root=self.root, reuse=self._rows).model_dump_json(exclude=_NOT_SERVED).encode()
            self._key, self._json = key, made
            return made


class PortfolioHandler(APIHandler):
    """``GET``: the portfolio as JSON. No other method exists (Tornado answers 405)."""

    def initialize(self, cache: PortfolioCache) -> None:
        self.cache = cache

    @tornado.web.authenticated
    async def get(self) -> None:
        body = await asyncio.to_thread(self.cache.json)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(body)


def setup_handlers(serverapp) -> None:
    web_app = serverapp.web_app
    root = str(Path(serverapp.root_dir).expanduser().absolute())
    route = url_path_join(web_app.settings["base_url"], PORTFOLIO_ROUTE)
    web_app.add_handlers(".*$", [(route, PortfolioHandler, {"cache": PortfolioCache(root)})])
    serverapp.log.info("disco_magics: portfolio at %s (store: %s)", route, _shown_store(root))


def _shown_store(root: str) -> str:
    from ..api.portfolio import portfolio_store_url
    from ..errors import DiscoError
    from ..store.repository import describe_url

    try:
        return describe_url(portfolio_store_url(root))
    except DiscoError as err:
        return err.message
