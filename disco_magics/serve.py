"""``disco serve ID``: put a web prototype in front of real users and collect its events.

A small Starlette app on uvicorn serves the files of the prototype's latest version and accepts its events on
``POST /events`` (JSON ``{event, user, variant?, value?, id?}``, at most 16 KB, validated by pydantic; only
the events the prototype declared). It binds to loopback unless told otherwise. Nothing else on disk is
reachable: a request path with ``..``, an encoded slash, a NUL, a hidden segment (``.disco-manifest.json``),
an absolute form, or a symlink that leads out of the folder gets a 4xx and no content.

Pages are sent with a Content-Security-Policy that allows only the prototype's own files: no inline script,
no third-party scripts, and events can only go back to this server.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import mimetypes
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from .errors import DiscoError, NotFoundError, ValidationFailed
from .model._base import NAME_PATTERN

if TYPE_CHECKING:
    from .model import Hypothesis
    from .session import Session

__all__ = ["MAX_BODY", "EventIn", "RunningServer", "Served", "create_app", "resolve", "serve", "start"]

MAX_BODY = 16 * 1024
SERVE_EXAMPLE = "disco serve H1 --port 8765"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
_BAD_CHARS = frozenset(chr(c) for c in range(32)) | {"\x7f", "\\", ":"}

EventName = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]


class EventIn(BaseModel):
    """One event from the page: who did what, in which variant."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    event: EventName
    user: str = Field(min_length=1, max_length=128)
    variant: EventName | None = None
    value: float | None = None
    id: EventName | None = Field(default=None, description="The hypothesis ID; must be the one served.")

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("value must be a finite number")
        return value


@dataclass(frozen=True)
class Served:
    """What one server serves: a hypothesis' web prototype, its folder and its declared events."""

    hypothesis: str
    problem: str
    kind: str
    folder: Path  # the version folder, resolved
    events: frozenset[str]
    excluded: frozenset[str]  # other versions' folders inside the first version's folder


def resolve(hypothesis_id: str, root: str | os.PathLike, session: Session) -> Served:
    """The web prototype of ``hypothesis_id`` under ``root`` (``prototypes``): its latest version."""
    from .model import NAME_RE
    from .prototypes import read_manifest

    if not NAME_RE.match(hypothesis_id or ""):
        raise ValidationFailed(f"{str(hypothesis_id)[:40]!r} is not a hypothesis ID", example=SERVE_EXAMPLE)
    base = Path(root) / hypothesis_id
    manifest = read_manifest(base, hypothesis_id)
    if manifest is None or not manifest.versions:
        raise NotFoundError(
            f"no prototype for {hypothesis_id} in {root}: draft one first",
            example=f"%prototype {hypothesis_id} --kind landing-page",
        )
    latest = manifest.versions[-1]
    h: Hypothesis = session.resolve_hypothesis(hypothesis_id, latest.problem, example=SERVE_EXAMPLE)
    if latest.where != "web":
        how = (
            "run its cell in the notebook, or voila app.ipynb in its folder"
            if latest.where == "notebook"
            else (f"run it with python {base / latest.folder / latest.entry}")
        )
        raise ValidationFailed(
            f"{hypothesis_id}'s prototype is a {latest.kind} ({latest.where}), not a web page: {how}",
            example=f"%prototype {hypothesis_id} --kind landing-page",
        )
    folder = Path(os.path.realpath(base / latest.folder))
    if not (folder / "index.html").is_file():
        raise NotFoundError(f"{base / latest.folder} has no index.html", example=SERVE_EXAMPLE)
    others = frozenset(v.folder for v in manifest.versions if v.folder not in (".", latest.folder))
    return Served(
        hypothesis=h.id,
        problem=h.problem,
        kind=latest.kind,
        folder=folder,
        events=frozenset(latest.events),
        excluded=others if latest.folder == "." else frozenset(),
    )


# --------------------------------------------------------------------------------------------- the app


class _SecurityHeaders:
    """Adds the security headers to every response (pure ASGI, so streaming responses keep streaming)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _refuse(status: int, reason: str):
    from starlette.responses import PlainTextResponse

    return PlainTextResponse(reason, status_code=status, headers={"cache-control": "no-store"})


def _safe_file(served: Served, path: str, raw_path: bytes) -> Path | int:
    """The file a request path names, or the 4xx status to refuse it with."""
    raw = raw_path.lower()
    if b"%2f" in raw or b"%5c" in raw or b"%00" in raw or b"\\" in raw:
        return 400  # an encoded separator or NUL has no honest use in a prototype's URL
    if not path.startswith("/") or path.startswith("//"):
        return 400
    relative = path[1:]
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    segments = relative.split("/")
    for segment in segments:
        if segment in ("", ".", ".."):
            return 400
        if segment.startswith(".") or any(ch in _BAD_CHARS for ch in segment):
            return 404  # hidden files (the manifest) and odd names are not served
    if segments[0] in served.excluded:
        return 404
    folder = served.folder
    candidate = folder.joinpath(*segments)
    real = Path(os.path.realpath(candidate))
    if not real.is_relative_to(folder) or not real.is_file():
        return 404
    return real


def create_app(served: Served, session: Session, *, allowed_hosts: list[str] | None = None):
    """The ASGI app: ``GET``/``HEAD`` the prototype's files, ``POST /events`` its events."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.requests import Request
    from starlette.responses import FileResponse, Response
    from starlette.routing import Route

    from . import api

    async def files(request: Request):
        found = _safe_file(served, request.scope["path"], request.scope.get("raw_path") or b"")
        if isinstance(found, int):
            return _refuse(found, "bad request" if found == 400 else "not found")
        media_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        if media_type.startswith("text/") or media_type in ("application/javascript", "application/json"):
            media_type += "; charset=utf-8"
        return FileResponse(found, media_type=media_type, headers={"cache-control": "no-cache"})

    async def events(request: Request):
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return _refuse(415, "send JSON: Content-Type application/json")
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
            return _refuse(413, f"the body is larger than {MAX_BODY} bytes")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return _refuse(413, f"the body is larger than {MAX_BODY} bytes")
        try:
            event = EventIn.model_validate_json(bytes(body))
        except ValidationError as err:
            fields = ", ".join(sorted({".".join(str(p) for p in e["loc"]) or "body" for e in err.errors()}))
            return _refuse(422, f"invalid event ({fields or 'body'}); send {{event, user, variant}}")
        if event.id is not None and event.id != served.hypothesis:
            return _refuse(404, "unknown prototype ID")
        if event.event not in served.events:
            return _refuse(422, "unknown event for this prototype")
        try:
            await run_in_threadpool(
                api.track,
                served.hypothesis,
                event.event,
                event.user,
                event.variant,
                event.value,
                problem=served.problem,
                session=session,
            )
        except DiscoError as err:
            return _refuse(422, err.message[:200])
        return Response(status_code=204, headers={"cache-control": "no-store"})

    middleware = [Middleware(_SecurityHeaders)]
    if allowed_hosts:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))
    return Starlette(
        routes=[
            Route("/events", events, methods=["POST"]),
            Route("/{path:path}", files, methods=["GET", "HEAD"]),
        ],
        middleware=middleware,
    )


# ------------------------------------------------------------------------------------------- running


def _require_server_libraries() -> None:
    import importlib.util

    missing = [name for name in ("starlette", "uvicorn") if importlib.util.find_spec(name) is None]
    if missing:
        raise ValidationFailed(
            f"serving prototypes needs {' and '.join(missing)}: pip install 'disco-magics[serve]'",
            example=SERVE_EXAMPLE,
        )


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _allowed_hosts(host: str) -> list[str] | None:
    """Loopback servers answer only to loopback names (a DNS-rebinding page cannot reach them)."""
    return ["localhost", "127.0.0.1", "[::1]", "::1"] if is_loopback(host) else None


def _bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as err:
        raise ValidationFailed(
            f"cannot listen on {host}:{port}: {err.strerror or err}", example=SERVE_EXAMPLE
        ) from None
    sock.set_inheritable(True)
    return sock


def _url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def _server(app, *, quiet: bool):
    import uvicorn

    config = uvicorn.Config(
        app,
        log_level="warning" if quiet else "info",
        access_log=not quiet,
        server_header=False,
        proxy_headers=False,
        timeout_keep_alive=5,
        limit_concurrency=200,
        h11_max_incomplete_event_size=MAX_BODY,
    )
    return uvicorn.Server(config)


def serve(
    id: str,
    host: str = "127.0.0.1",
    port: int = 8765,
    folder: str | os.PathLike = "prototypes",
    store: str | None = None,
) -> int:
    """Serve hypothesis ``id``'s web prototype until Ctrl-C; the ``disco serve`` command. Returns 0."""
    from .session import Session, Settings

    _require_server_libraries()
    session = Session(settings=Settings(store=store or os.environ.get("DISCO_STORE") or None))
    try:
        served = resolve(id, folder, session)
        sock = _bind(host, port)
        url = _url(host, sock)
        print(
            f"serving {served.hypothesis}'s {served.kind} from {served.folder} at {url} — events go to "
            f"{session.store.describe()}; Ctrl-C stops",
            file=sys.stderr,
        )
        if not is_loopback(host):
            print(
                f"note: {host} is not loopback: anyone who can reach this machine can open the page",
                file=sys.stderr,
            )
        server = _server(create_app(served, session, allowed_hosts=_allowed_hosts(host)), quiet=False)
        try:
            server.run(sockets=[sock])
        finally:
            sock.close()
        return 0
    finally:
        session.close()


class RunningServer:
    """A prototype server running in a background thread of the kernel (``start``)."""

    def __init__(
        self, served: Served, url: str, server, thread: threading.Thread, sock: socket.socket
    ) -> None:
        self.served = served
        self.url = url
        self._server = server
        self._thread = thread
        self._sock = sock

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving (open connections get a moment to finish)."""
        self._server.should_exit = True
        self._thread.join(timeout)
        with contextlib.suppress(OSError):
            self._sock.close()

    def __repr__(self) -> str:
        state = "serving" if self.running else "stopped"
        return (
            f"{self.served.hypothesis} · {self.served.kind}: {state} at {self.url} "
            f"(events: {', '.join(sorted(self.served.events))}); stop with .stop()"
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        return {"text/plain": repr(self)}


def start(
    id: str,
    folder: str | os.PathLike = "prototypes",
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    session: Session | None = None,
) -> RunningServer:
    """Serve ``id``'s web prototype from the notebook, in a background thread, on the session's store.

    ``port=None`` takes the first free port from 8765. Returns a handle with ``.url`` and ``.stop()``.
    """
    from .session import get_session

    _require_server_libraries()
    s = session if session is not None else get_session()
    served = resolve(id, folder, s)
    if port is None:
        sock = None
        for candidate in [*range(8765, 8785), 0]:
            try:
                sock = _bind(host, candidate)
                break
            except ValidationFailed:
                continue
        assert sock is not None
    else:
        sock = _bind(host, port)
    server = _server(create_app(served, s, allowed_hosts=_allowed_hosts(host)), quiet=True)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"disco-serve-{id}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        server.should_exit = True
        raise ValidationFailed(f"the server for {id} did not start", example=SERVE_EXAMPLE)
    return RunningServer(served, _url(host, sock), server, thread, sock)
