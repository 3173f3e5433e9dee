"""Browser test fixtures: a real JupyterLab on loopback and headless Chromium driven by Playwright.

Register with ``pytest_plugins = ["tests.browser"]``. Tests that use them are marked ``browser``.

* ``jupyter_lab`` (session): ``jupyter lab`` on 127.0.0.1, a free port, a random token and a fresh root
  directory; yields a ``JupyterLab`` (``url``, ``token``, ``root_dir``, helpers to call the REST API and
  to open notebooks); stopped (kernels first) at the end.
* ``browser`` (session): headless Debian Chromium (``/usr/bin/chromium``), never a downloaded one.
* ``page`` (function): a fresh page; console errors and page errors are collected in ``console``.
* ``artifacts``: the ``test-artifacts/`` folder (gitignored) for screenshots.

The helpers drive JupyterLab through its command registry (the server runs with
``--LabApp.expose_app_in_browser``), so tests do not depend on menu layouts; assertions should use
role-based locators and what a user sees.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"

#: environment variables a test server must not inherit (keys, the developer's store and LLM settings)
_SCRUBBED = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "DISCO_PROVIDER",
    "DISCO_MODEL",
    "DISCO_LLM_CACHE",
    "DISCO_STORE",
)

#: user settings for a quiet JupyterLab: no news or update checks (no network), no notification toasts
_LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class JupyterLab:
    """A running JupyterLab server."""

    url: str  # base URL, ending with "/"
    token: str
    root_dir: Path
    process: subprocess.Popen
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------------------------- REST API

    def api(self, method: str, path: str, body: Any = None, timeout: float = 30) -> Any:
        """Call the server's REST API (``path`` relative to ``/api/``); returns the decoded JSON or None."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}api/{path.lstrip('/')}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
        return json.loads(text) if text else None

    def kernels(self) -> list[dict[str, Any]]:
        return self.api("GET", "kernels")

    def shutdown_kernels(self) -> None:
        for kernel in self.kernels():
            with contextlib.suppress(urllib.error.HTTPError):
                self.api("DELETE", f"kernels/{kernel['id']}")

    def sessions(self) -> list[dict[str, Any]]:
        return self.api("GET", "sessions")

    # ------------------------------------------------------------------------------------ notebooks

    def write_notebook(self, name: str, cells: list[str | tuple[str, str]], kernel: str = "python3") -> Path:
        """Write an unexecuted notebook into the root dir; a cell is code, or ``("markdown", text)``."""
        import nbformat

        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": kernel, "display_name": "Python 3", "language": "python"}
        for cell in cells:
            if isinstance(cell, tuple):
                kind, source = cell
                nb.cells.append(
                    nbformat.v4.new_markdown_cell(source)
                    if kind == "markdown"
                    else nbformat.v4.new_code_cell(source)
                )
            else:
                nb.cells.append(nbformat.v4.new_code_cell(cell))
        path = self.root_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(path))
        return path

    def read_notebook(self, name: str):
        import nbformat

        return nbformat.read(str(self.root_dir / name), as_version=4)

    def lab_url(self, path: str = "", reset: bool = True) -> str:
        """The URL that opens ``path`` (or just JupyterLab); ``reset`` starts from an empty workspace,
        so tabs left open by an earlier test do not come back."""
        query = f"{'reset&' if reset else ''}token={self.token}"
        return f"{self.url}lab/tree/{path}?{query}" if path else f"{self.url}lab?{query}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def start_jupyter_lab(
    root_dir: Path,
    home: Path,
    extra_args: list[str] | None = None,
    timeout: float = 120,
    app: str = "jupyterlab",
    env: dict[str, str] | None = None,
) -> JupyterLab:
    """Start ``jupyter lab`` (or ``app="notebook"``: Notebook 7, same extensions) on loopback and wait
    until ``/api/status`` answers (``env``: variables set for the server on top of the scrubbed
    environment, e.g. ``DISCO_STORE``)."""
    token = secrets.token_hex(24)
    port = free_port()
    settings_dir = home / "lab-settings"
    for name, value in _LAB_SETTINGS.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    extra_env = env or {}
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    env.update(
        **extra_env,
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(settings_dir),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        IPYTHONDIR=str(home / "ipython"),
        PYTHONUNBUFFERED="1",
    )
    log_path = home / "jupyter-lab.log"
    lab_only = ["--LabApp.expose_app_in_browser=True", "--LabServerApp.open_browser=False"]
    command = [
        sys.executable,
        "-m",
        app,
        "--allow-root",
        "--no-browser",
        f"--ServerApp.token={token}",
        "--ServerApp.ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root_dir}",
        *(lab_only if app == "jupyterlab" else []),
        "--ServerApp.log_level=WARN",
        *(extra_args or []),
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=root_dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    lab = JupyterLab(f"http://127.0.0.1:{port}/", token, root_dir, process, log_path, env)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {process.returncode}:\n{lab.log()[-4000:]}")
        try:
            lab.api("GET", "status", timeout=5)
            return lab
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            if time.monotonic() > deadline:
                stop_jupyter_lab(lab)
                raise RuntimeError(
                    f"jupyter lab did not answer within {timeout}s:\n{lab.log()[-4000:]}"
                ) from None
            time.sleep(0.3)


def stop_jupyter_lab(lab: JupyterLab) -> None:
    """Shut the kernels down, then the server (SIGTERM, then SIGKILL), by process id only."""
    if lab.process.poll() is None:
        with contextlib.suppress(urllib.error.URLError, OSError):
            lab.shutdown_kernels()
        lab.process.send_signal(signal.SIGTERM)
        try:
            lab.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            lab.process.kill()
            lab.process.wait(timeout=10)


@pytest.fixture(scope="session")
def jupyter_lab(tmp_path_factory) -> Iterator[JupyterLab]:
    """A JupyterLab server for the whole test session (startup takes 10-20 s on a small machine)."""
    root = tmp_path_factory.mktemp("lab-root")
    home = tmp_path_factory.mktemp("lab-home")
    lab = start_jupyter_lab(root, home)
    yield lab
    stop_jupyter_lab(lab)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright (no browser downloads)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Console:
    """What the page said: console messages, and errors (console errors and uncaught exceptions)."""

    messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def errors_except(self, *ignored: str) -> list[str]:
        return [e for e in self.errors if not any(part in e for part in ignored)]


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Lets the ``page`` fixture know whether the test failed (it then saves a screenshot).
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"_browser_report_{report.when}", report)


@pytest.fixture
def page(browser, console: Console, request):
    """A fresh page (1400x900) in its own context; console output lands in the ``console`` fixture.
    When the test fails, a screenshot of the page is saved as ``test-artifacts/<test>-failure.png``."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    new_page = context.new_page()
    new_page.set_default_timeout(30_000)

    def on_console(message) -> None:
        text = f"{message.type}: {message.text}"
        console.messages.append(text)
        if message.type == "error":
            console.errors.append(text)

    new_page.on("console", on_console)
    new_page.on("pageerror", lambda err: console.errors.append(f"pageerror: {err}"))
    yield new_page
    report = getattr(request.node, "_browser_report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        try:
            new_page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-failure.png"), full_page=True)
        except Exception as err:  # a crashed page has no screenshot; the test's own error says more
            print(f"no failure screenshot: {err}")
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# ------------------------------------------------------------------------------------------ lab helpers


def open_notebook(
    page, lab: JupyterLab, path: str, kernel_ready: bool = True, timeout: float = 90_000
) -> None:
    """Open ``path`` in JupyterLab and wait until it is shown (and its kernel idle, unless told not to)."""
    page.goto(lab.lab_url(path))
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=timeout)
    page.locator(f"{VISIBLE_NOTEBOOK} .jp-Cell").first.wait_for(timeout=timeout)
    if kernel_ready:
        wait_kernel_idle(page, timeout=timeout)


#: the notebook in the current tab (other open notebooks are in hidden tabs)
VISIBLE_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def current_notebook_js(expression: str) -> str:
    """Wrap a JS expression that uses ``panel`` (the current NotebookPanel)."""
    return (
        "() => { const app = window.jupyterapp; const panel = app.shell.currentWidget;"
        f" if (!panel || !panel.sessionContext) return null; return ({expression}); }}"
    )


def wait_kernel_idle(page, timeout: float = 90_000) -> None:
    page.wait_for_function(
        current_notebook_js(
            "panel.sessionContext.session && panel.sessionContext.session.kernel"
            " && panel.sessionContext.session.kernel.status === 'idle'"
        ),
        timeout=timeout,
    )


def notebook_cell(page, index: int):
    """Cell ``index`` of the current notebook, scrolled into view (JupyterLab skips rendering cells that
    are off screen, so their outputs are not visible until then)."""
    cell = page.locator(f"{VISIBLE_NOTEBOOK} .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    return cell


def run_command(page, command: str, args: dict[str, Any] | None = None) -> Any:
    """Execute a JupyterLab command (e.g. ``notebook:run-all-cells``, ``docmanager:save``)."""
    return page.evaluate(
        "([command, args]) => window.jupyterapp.commands.execute(command, args)", [command, args or {}]
    )


def run_all_cells(page, timeout: float = 120_000) -> None:
    """Run every cell and wait until none is queued or running and the kernel is idle."""
    run_command(page, "notebook:run-all-cells")
    wait_cells_done(page, timeout)


def wait_cells_done(page, timeout: float = 120_000) -> None:
    # A cell shows "[*]:" while queued or running.
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{VISIBLE_NOTEBOOK} .jp-InputArea-prompt')]"
        ".every(p => !p.textContent.includes('*'))",
        timeout=timeout,
    )
    wait_kernel_idle(page, timeout)


def save_notebook(page, lab: JupyterLab, path: str, timeout: float = 30) -> None:
    """Save the current notebook and wait until the file on disk has changed."""
    target = lab.root_dir / path
    before = target.stat().st_mtime_ns if target.exists() else 0
    run_command(page, "docmanager:save")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if target.exists() and target.stat().st_mtime_ns != before:
            time.sleep(0.2)  # let the write finish
            return
        time.sleep(0.1)
    raise AssertionError(f"{path} was not saved within {timeout}s")
