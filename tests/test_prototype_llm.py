"""%prototype through the LLM layer: a real OpenAI-compatible server on loopback (the fault server plays the
model's answers; the llama.cpp server runs a real tiny model).

What a model writes is data: it is validated (a bad answer is re-asked), written to files, stored and shown
escaped — never executed, evaluated or rendered as live HTML by the tool.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from IPython.core.error import UsageError

from disco_magics import api
from disco_magics.session import get_session
from tests.llm_servers import fault_server, llama_server, ok  # noqa: F401

from .conftest import H1

SCRIPT = "<script>alert('owned')</script>"


def hostile_answer(canary: Path, web: bool = False) -> dict:
    """A schema-valid answer whose code would create ``canary`` if anything ran it."""
    payload = f"import pathlib\npathlib.Path({str(canary)!r}).write_text('owned')\n"
    app = (
        payload + "import disco_magics\n\n"
        "def app(user=None, variant=None):\n"
        "    disco_magics.track('H1', 'exposed', user=user or 'u', variant=variant)\n"
        "    disco_magics.track('H1', 'clicked_cta', user=user or 'u', variant=variant)\n"
        f"    return {SCRIPT!r}\n"
    )
    files = [
        {"path": "app.py", "language": "python", "content": app},
        {"path": "__init__.py", "language": "python", "content": payload},
        {"path": "sitecustomize.py", "language": "python", "content": payload},
        {"path": "conftest.py", "language": "python", "content": payload},
        {"path": "notes.md", "language": "markdown", "content": f"# {SCRIPT}\n```\n{payload}```\n"},
    ]
    entry = "app.py"
    if web:
        page = (
            f"<!doctype html><html><head><title>{SCRIPT}</title></head><body>"
            '<h1>Try it</h1><script src="app.js"></script></body></html>'
        ).replace(SCRIPT, "&lt;script&gt;")
        files = [
            {"path": "index.html", "language": "html", "content": page},
            {
                "path": "app.js",
                "language": "javascript",
                "content": "fetch('/events', {method: 'POST'}); // exposed clicked_cta\n" + payload,
            },
            files[1],
        ]
        entry = "index.html"
    for f in files:  # as a model writes them: the schema's form, one line per item
        f["lines"] = f.pop("content").removesuffix("\n").split("\n")
    return {
        "title": f"Door {SCRIPT}",
        "summary": f"{SCRIPT}<img src=x onerror=alert(2)> the summary\n# not a comment\nimport os",
        "tests": f"whether it works {SCRIPT}",
        "files": files,
        "entry": entry,
        "run": "Run it.\n%load_ext evil\n" + SCRIPT,
        "events": [{"name": "exposed", "description": SCRIPT}, {"name": "clicked_cta"}],
        "exposure_event": "exposed",
        "conversion_event": "clicked_cta",
    }


@pytest.fixture
def llm_shell(onboarding, fault_server):  # noqa: F811
    onboarding.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.30 --risk value", H1)
    onboarding.run_cell_magic(
        "hypothesis",
        "H2 --metric paid_rate --target 0.10 --risk viability",
        "A $12 team plan will raise paid rate.",
    )
    settings = get_session().settings
    settings.provider, settings.model, settings.base_url = "openai", "fault-model", fault_server.url
    settings.llm_cache, settings.deadline = "off", 20.0
    inserted: list[str] = []
    onboarding.set_next_input = lambda text, replace=False: inserted.append(text)
    onboarding.inserted = inserted
    return onboarding


def test_a_hostile_answer_runs_nowhere(llm_shell, fault_server, clean_env, capsys):  # noqa: F811
    canary = clean_env / "OWNED"
    fault_server.play(ok(hostile_answer(canary)))
    llm_shell.run_line_magic("prototype", "H1")
    out = capsys.readouterr().out
    folder = clean_env / "prototypes" / "H1"
    assert (folder / "sitecustomize.py").is_file() and "write_text('owned')" in (
        folder / "app.py"
    ).read_text()
    (stored,) = get_session().store.artifacts("prototype", "onboarding/H1")
    assert stored["provenance"]["provider"] == "openai" and stored["provenance"]["model"] == "fault-model"
    assert "drafted by openai:fault-model" in out
    (launcher,) = llm_shell.inserted
    assert "alert" not in launcher and "import os" not in launcher and "evil" not in launcher
    assert "runpy.run_path('prototypes/H1/app.py')" in launcher
    (made,) = api.prototype("H1")  # again through the API (the answer repeats), and display every form
    data, _ = made._repr_mimebundle_()
    assert "<script" not in data["text/html"].lower() and "&lt;script&gt;" in data["text/html"]
    assert "<img" not in data["text/html"]
    assert "alert" not in data["text/markdown"] and "owned" not in data["text/markdown"]
    assert "<script" not in json.dumps(data["application/vnd.disco.prototype+json"]["prototype"]["files"])
    import disco_magics as disco

    disco.track("H1", "exposed", user="u1")
    disco.track("H1", "clicked_cta", user="u1")
    disco.measure("H1", events=True)  # reads the stored answer for its event names
    assert not canary.exists()


def test_a_hostile_web_answer_is_served_as_data(llm_shell, fault_server, clean_env):  # noqa: F811
    from starlette.testclient import TestClient

    from disco_magics.serve import create_app, resolve

    canary = clean_env / "OWNED"
    fault_server.play(ok(hostile_answer(canary, web=True)))
    (made,) = api.prototype("H2")
    assert made.prototype.where == "web" and made.prototype.kind == "landing-page"
    session = get_session()
    with TestClient(
        create_app(resolve("H2", "prototypes", session), session), base_url="http://127.0.0.1"
    ) as client:
        page = client.get("/")
        assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
        assert client.get("/__init__.py").text.startswith("import pathlib")  # served as a file, not run
        assert client.post("/events", json={"event": "clicked_cta", "user": "u1"}).status_code == 204
    assert not canary.exists()


def test_an_answer_that_breaks_the_rules_is_re_asked(llm_shell, fault_server, clean_env):  # noqa: F811
    good = hostile_answer(clean_env / "OWNED")
    bad = json.loads(json.dumps(good))
    bad["files"][0]["path"] = "../escape.py"
    bad["entry"] = "../escape.py"
    fault_server.play(ok(bad), ok(good))
    (made,) = api.prototype("H1")
    assert made.prototype.entry == "app.py" and made.prototype.files[0].path == "app.py"
    assert len(fault_server.requests) == 2
    retry = json.dumps(fault_server.requests[1]["messages"])
    assert "must stay inside the prototype folder" in retry
    assert not (clean_env / "prototypes" / "escape.py").exists() and not (clean_env / "escape.py").exists()


def test_an_answer_that_never_fits_is_one_line_and_writes_nothing(llm_shell, fault_server, clean_env):  # noqa: F811
    bad = hostile_answer(clean_env / "OWNED")
    bad["files"][0]["lines"] = ["def app(:"]
    fault_server.play(ok(bad))
    with pytest.raises(UsageError) as caught:
        llm_shell.run_line_magic("prototype", "H1")
    assert "\n" not in str(caught.value) and "did not match NotebookDraft after 3 attempts" in str(
        caught.value
    )
    assert not (clean_env / "prototypes").exists()
    assert get_session().store.artifacts("prototype") == [] and llm_shell.inserted == []


def test_prompt_carries_the_hypothesis_as_data_and_the_contract(llm_shell, fault_server, clean_env):  # noqa: F811
    fault_server.play(ok(hostile_answer(clean_env / "OWNED")))
    api.prototype("H1", kind="fake-door")
    (request,) = fault_server.requests
    system, user = request["messages"][0]["content"], request["messages"][-1]["content"]
    assert "ipywidgets" in system and "app(user=None, variant=None)" in system
    assert 'disco_magics.track("H1"' in system and 'problem="onboarding"' in system
    assert "<user_data>" in user and "guided onboarding checklist" in user
    assert request["max_tokens"] == 4096
    properties = request["tools"][0]["function"]["parameters"]["properties"]
    assert properties["files"]["maxItems"] == 12


@pytest.mark.llm
@pytest.mark.slow
def test_real_llama_cpp_server(onboarding, llama_server, clean_env):  # noqa: F811
    """A real (tiny) model: its prototype either passes every validator or fails as one line; nothing runs."""
    onboarding.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.30 --risk value", H1)
    settings = get_session().settings
    settings.provider, settings.model, settings.base_url = "openai", "smollm2", llama_server.url
    settings.llm_cache, settings.deadline = "off", 120.0
    inserted: list[str] = []
    onboarding.set_next_input = lambda text, replace=False: inserted.append(text)
    try:
        onboarding.run_line_magic("prototype", "H1")
    except UsageError as err:
        print(f"\nllama.cpp + SmolLM2-135M: {err}")
        assert "\n" not in str(err)
        assert not (clean_env / "prototypes").exists() and inserted == []
        return
    (stored,) = get_session().store.artifacts("prototype", "onboarding/H1")
    assert stored["provenance"]["provider"] == "openai" and not stored["provenance"]["offline"]
    assert (clean_env / "prototypes" / "H1" / stored["entry"]).is_file() and len(inserted) == 1
