"""Each offline-drafted kind's inserted cell, run in a fresh kernel: it runs, simulated users click through
its widgets (or visit its page over HTTP), and ``%measure ID --events`` turns their events into a result.

Also: a notebook whose cells carry crafted "cached code" in their metadata runs nothing from it on Run All.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

import disco_magics as disco
from disco_magics import api

from .conftest import H1, ONBOARDING

pytestmark = pytest.mark.slow

FIND = '''
def find(widget, name):
    """The first widget below ``widget`` with CSS class ``name`` (what a user would click)."""
    if name in getattr(widget, "_dom_classes", ()):
        return widget
    for child in getattr(widget, "children", ()):
        hit = find(child, name)
        if hit is not None:
            return hit
    return None
'''


@pytest.fixture
def session(session, clean_env, monkeypatch):
    """The test's session, and the same store for every kernel the test starts."""
    monkeypatch.setenv("DISCO_STORE", str(clean_env / "store.db"))
    return session


def framed(session, risk: str = "value") -> None:
    api.problem("onboarding", ONBOARDING, session=session)
    api.hypothesis("H1", H1, metric="invite_rate", target=0.30, risk=risk, session=session)


def run_cells(folder, cells: list[str], timeout: int = 120):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    return notebook


def outputs_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif "data" in output:
            parts.append(output["data"].get("text/plain", ""))
    return "".join(parts)


def drafted(session, kind: str) -> str:
    (made,) = api.prototype("H1", kind=kind, session=session)
    assert made.prototype.kind == kind and made.prototype.provenance.offline
    return made.launcher


def measured(session, notebook) -> None:
    text = outputs_text(notebook.cells[-1])
    assert "H1" in text and any(word in text.upper() for word in ("VALIDATED", "INVALIDATED", "INCONCLUSIVE"))
    stored = session.store.results("onboarding", "H1")
    assert stored and stored[-1].source == "events"


SIMULATIONS = {
    "fake-door": FIND
    + """
for i in range(80):
    variant = "control" if i % 2 else "treatment"
    box = H1_prototype["app"](user=f"u{i}", variant=variant)
    if (variant == "treatment" and i % 4 != 1) or (variant == "control" and i % 10 == 1):
        find(box, "disco-cta").click()
        find(box, "disco-cta").click()  # a second click is not a second conversion
        if i % 3 == 0:
            find(box, "disco-follow-up").click()
""",
    "mockup": FIND
    + """
for i in range(60):
    variant = "control" if i % 2 else "treatment"
    box = H1_prototype["app"](user=f"u{i}", variant=variant)
    finishes = (variant == "treatment" and i % 6 != 0) or (variant == "control" and i % 6 == 1)
    if finishes:
        for _ in range(3):
            find(box, "disco-next").click()
        assert find(box, "disco-next").disabled
    else:
        find(box, "disco-next").click()
        find(box, "disco-back").click()
        find(box, "disco-stuck").click()
""",
    "concierge": FIND
    + """
for i in range(60):
    variant = "control" if i % 2 else "treatment"
    box = H1_prototype["app"](user=f"u{i}", variant=variant)
    if (variant == "treatment" and i % 3 != 2) or (variant == "control" and i % 8 == 1):
        find(box, "disco-note").value = f"set it up for team {i}"
        find(box, "disco-cta").click()
requests = H1_prototype["requests"]()
assert requests and requests[0]["note"].startswith("set it up")
H1_prototype["fulfil"](requests[0]["user"], requests[0]["variant"])
""",
    "wizard-of-oz": FIND
    + """
panel = H1_prototype["operator"]()
users = []
for i in range(40):
    variant = "control" if i % 2 else "treatment"
    box = H1_prototype["app"](user=f"u{i}", variant=variant)
    find(box, "disco-question").value = f"which teammates should I invite first? ({i})"
    find(box, "disco-send").click()
    users.append((i, variant, box))
for i, variant, box in users:
    if i % 2:
        find(panel, "disco-refresh").click()
        find(panel, "disco-reply").value = "Invite the two people you share dashboards with."
        find(panel, "disco-answer").click()
    else:
        (request,) = [r for r in H1_prototype["pending"]() if r["user"] == f"u{i}"]
        H1_prototype["answer"](request["id"], "Start with your team lead.")
for i, variant, box in users:
    find(box, "disco-check").click()
    helps = (variant == "treatment" and i % 8 != 0) or (variant == "control" and i % 8 == 1)
    find(box, "disco-cta" if helps else "disco-reject").click()
assert H1_prototype["pending"]() == []
""",
    "spike": """
H1_spike["run"](trials=10, variant=None)
""",
    "landing-page": """
import httpx

url = H1_server.url
with httpx.Client(base_url=url, timeout=10) as client:
    page = client.get("/")
    assert page.status_code == 200 and "<h1>" in page.text
    assert client.get("/app.js").status_code == 200
    for i in range(60):
        variant = "control" if i % 2 else "treatment"
        user = f"visitor-{i}"
        assert client.post("/events", json={"event": "exposed", "user": user, "variant": variant}).status_code == 204
        if (variant == "treatment" and i % 3 != 2) or (variant == "control" and i % 9 == 1):
            r = client.post("/events", json={"event": "clicked_buy", "user": user, "variant": variant})
            assert r.status_code == 204
    assert client.post("/events", json={"event": "rm_rf", "user": "x"}).status_code == 422
H1_server.stop()
print("stopped", H1_server.running)
""",
}


@pytest.mark.parametrize("kind", sorted(SIMULATIONS))
def test_inserted_cell_runs_in_a_fresh_kernel_and_its_events_measure(kind, session, clean_env):
    framed(session)
    launcher = drafted(session, kind)
    notebook = run_cells(
        clean_env,
        [
            "%load_ext disco_magics",
            launcher,
            SIMULATIONS[kind],
            "%measure H1 --events",
        ],
    )
    events = session.store.events("H1")
    prototype = session.store.artifacts("prototype", "onboarding/H1")[-1]
    names = {e["event"] for e in events}
    assert {prototype["exposure_event"], prototype["conversion_event"]} <= names
    measured(session, notebook)
    if kind == "landing-page":
        assert "stopped False" in outputs_text(notebook.cells[2])
    if kind == "spike":
        assert sum(e["event"] == "attempted" for e in events) == 30  # the cell's run() (20) and 10 more
    if kind == "fake-door":
        treatment = {e["user"] for e in events if e["event"] == "clicked_cta" and e["variant"] == "treatment"}
        clicks = [e for e in events if e["event"] == "clicked_cta"]
        assert len(clicks) == len({e["user"] for e in clicks}) and treatment


def test_voila_notebook_of_an_in_notebook_kind_runs_in_its_folder(session, clean_env, monkeypatch):
    framed(session)
    api.prototype("H1", kind="fake-door", session=session)
    folder = clean_env / "prototypes" / "H1"
    notebook = nbformat.read(folder / "app.ipynb", as_version=4)
    monkeypatch.delenv("DISCO_STORE", raising=False)  # a Voila kernel starts in the folder without it
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    (cell,) = notebook.cells
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.outputs)
    assert [e["event"] for e in session.store.events("H1")] == ["exposed"]
    assert not (folder / ".disco").exists()


def test_run_all_runs_nothing_from_cell_metadata(session, clean_env):
    """Crafted "cached code" in cell metadata and outputs is never executed when the notebook runs."""
    canary = clean_env / "PWNED"
    payload = f"open({str(canary)!r}, 'w').write('owned')"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("%load_ext disco_magics"),
        nbformat.v4.new_code_cell(f"%%problem onboarding\n{ONBOARDING}"),
        nbformat.v4.new_code_cell(f"%%hypothesis H1 --metric invite_rate --target 0.30 --risk value\n{H1}"),
        nbformat.v4.new_code_cell("%prototype H1"),
        nbformat.v4.new_code_cell("%prototype H1 --kind landing-page --no-insert"),
    ]
    for cell in notebook.cells[3:]:
        cell.metadata.update(
            {
                "disco": {
                    "code": payload,
                    "launcher": payload,
                    "cached_code": payload,
                    "prototype": {"files": [{"path": "app.py", "language": "python", "content": payload}]},
                },
                "cached_code": payload,
                "jupyter": {"source_hidden": False},
            }
        )
        cell.outputs = [
            nbformat.v4.new_output(
                "display_data",
                data={"text/plain": payload, "application/vnd.disco.prototype+json": {"launcher": payload}},
                metadata={"disco": {"code": payload}},
            )
        ]
    path = clean_env / "crafted.ipynb"
    nbformat.write(notebook, path)
    executed = nbformat.read(path, as_version=4)
    NotebookClient(
        executed, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(clean_env)}}
    ).execute()
    assert not canary.exists()
    assert (clean_env / "prototypes" / "H1" / "index.html").is_file()
    assert session.store.events("H1") == []  # drafting inserted code; nothing ran it
    text = json.dumps([c.outputs for c in executed.cells[3:]])
    assert "no LLM wrote this" in text
    assert disco  # the public package imported fine alongside
