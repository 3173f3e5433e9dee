"""Secrets and generated code, end to end: a canary key through every example notebook and the LLM failure
paths, saved as notebooks, and a scan proving no code path runs or injects what a model returned."""

from __future__ import annotations

import ast
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from .llm_servers import FaultServer, hang, ok, status

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "disco_magics"
CANARY = "sk-proj-CANARY-4d9f2b7e1a6c8305-secret"


def pieces(secret: str, size: int = 8) -> set[str]:
    return {secret[i : i + size] for i in range(len(secret) - size + 1)}


def leaks(folder: Path) -> list[str]:
    """Every file under ``folder`` holding any 8-character piece of the canary (binary files included)."""
    found = []
    needles = [p.encode() for p in pieces(CANARY) if "CANARY" in p or "secret" in p or "4d9f2b" in p]
    needles += [CANARY.encode()]
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if any(n in data for n in needles):
                found.append(str(path.relative_to(folder)))
    return found


def run_notebook(path: Path, env: dict[str, str]) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits this process' environment
    try:
        NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    nbformat.write(notebook, path)
    return notebook


@pytest.mark.slow
def test_canary_key_through_every_example_notebook(tmp_path):
    work = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", work, ignore=shutil.ignore_patterns(".disco", "prototypes", "*.py"))
    env = {"OPENAI_API_KEY": CANARY, "DISCO_PROVIDER": "offline", "DISCO_STORE": str(tmp_path / "store.db")}
    for notebook in sorted(work.glob("*.ipynb")):
        executed = run_notebook(notebook, env)
        errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
        assert errors == [], f"{notebook.name}: {errors[:1]}"
    assert leaks(tmp_path) == []


FAILURES = {
    "401": [status(401, message="Incorrect API key provided: sk-proj-****secret")],
    "429": [status(429, retry_after=0.1)],
    "timeout": [hang()],
    "invalid output": [ok(arguments="{not json")],
}


@pytest.mark.slow
@pytest.mark.parametrize("failure", list(FAILURES))
def test_canary_key_through_llm_failure_paths_in_a_saved_notebook(tmp_path, failure):
    with FaultServer(FAILURES[failure]) as server:
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [
            nbformat.v4.new_code_cell(c)
            for c in (
                "%load_ext disco_magics",
                "%config DiscoMagics.deadline = 4.0",
                "%%problem p\nAdmins are stuck.\nmetric: activation = share activating (baseline 0.2)",
                "%%hypothesis H1 --target 0.3 --risk value\nA checklist for admins raises activation because x",
                "%prototype H1",
                "%disco status",
                "%experiments",
            )
        ]
        path = tmp_path / "failing.ipynb"
        nbformat.write(notebook, path)
        env = {
            "OPENAI_API_KEY": CANARY,
            "OPENAI_BASE_URL": server.url,
            "DISCO_PROVIDER": "openai",
            "DISCO_MODEL": "fault-model",
            "DISCO_STORE": str(tmp_path / "store.db"),
        }
        executed = run_notebook(path, env)
        assert server.requests, "the failure path never reached the server"
    prototype_outputs = executed.cells[4].outputs
    # IPython shows a UsageError as one line on stderr, without a traceback
    assert [(o.output_type, o.get("name")) for o in prototype_outputs] == [("stream", "stderr")]
    line = prototype_outputs[0]["text"].strip()
    assert line.startswith("UsageError: ") and "\n" not in line, line
    status_text = "".join(o.get("text", "") for o in executed.cells[5].outputs)
    assert "OPENAI_API_KEY" in status_text  # the name of the key, never its value
    assert leaks(tmp_path) == []
    assert not (tmp_path / "prototypes").exists()  # a failed draft writes nothing


# ------------------------------------------------------------------------------------ nothing is executed

FORBIDDEN_CALLS = {"exec", "eval", "compile", "__import__", "execfile"}
FORBIDDEN_ATTRIBUTES = {"run_cell", "run_cell_magic", "run_line_magic", "ex", "ev", "run_path", "system", "popen"}


def test_the_package_never_executes_or_evaluates_text():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {func.id}()")
            if isinstance(func, ast.Attribute) and func.attr in FORBIDDEN_ATTRIBUTES:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} .{func.attr}()")
    assert offenders == []


def test_front_ends_build_dom_from_text_only():
    """The widget and the lab extension never hand document or model text to an HTML parser."""
    sources = [*(PACKAGE / "widgets").glob("*.js"), *(ROOT / "labextension" / "src").glob("*.ts")]
    assert sources
    pattern = re.compile(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|new Function|\beval\(")
    offenders = [
        f"{p.relative_to(ROOT)}:{n}" for p in sources for n, line in enumerate(p.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
