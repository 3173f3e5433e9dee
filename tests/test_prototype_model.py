"""The Prototype schema's validators: what makes a drafted prototype usable (or re-asked), and the
offline templates of every kind, filled with awkward words, still pass them."""

from __future__ import annotations

import ast
import json

import pytest
from pydantic import ValidationError

from disco_magics.generate import templates
from disco_magics.generate.prototype import context_for, offline_draft
from disco_magics.model import Hypothesis, Metric, Problem
from disco_magics.model.prototype import (
    DRAFT_MODELS,
    MAX_FILES,
    NotebookDraft,
    PrototypeFile,
    ScriptDraft,
    WebDraft,
    check_html,
    check_path,
)

APP = """import disco_magics

def app(user=None, variant=None):
    disco_magics.track("H1", "exposed", user=user or "u1", variant=variant)
    disco_magics.track("H1", "clicked_cta", user=user or "u1", variant=variant)
"""
PAGE = '<!doctype html><html><body><button id="b">Go</button><script src="app.js"></script></body></html>'
JS = 'fetch("/events", {method: "POST", body: JSON.stringify({event: "exposed"})}); // clicked_cta'
EVENTS = [{"name": "exposed"}, {"name": "clicked_cta"}]


def notebook(**changes) -> dict:
    draft = {
        "title": "Fake door",
        "summary": "A card with a button.",
        "tests": "whether admins want it",
        "files": [{"path": "app.py", "language": "python", "content": APP}],
        "entry": "app.py",
        "run": "run app()",
        "events": EVENTS,
        "exposure_event": "exposed",
        "conversion_event": "clicked_cta",
    }
    return draft | changes


def web(**changes) -> dict:
    return (
        notebook(
            files=[
                {"path": "index.html", "language": "html", "content": PAGE},
                {"path": "app.js", "language": "javascript", "content": JS},
            ],
            entry="index.html",
        )
        | changes
    )


def error(model, data) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return str(caught.value)


def test_a_good_draft_of_each_shape_validates():
    assert NotebookDraft.model_validate(notebook()).entry == "app.py"
    assert WebDraft.model_validate(web()).file("index.html") is not None
    script = notebook(
        files=[
            {
                "path": "spike.py",
                "language": "python",
                "content": APP.replace("def app(user=None, variant=None)", "def run()"),
            }
        ],
        entry="spike.py",
    )
    assert ScriptDraft.model_validate(script).entry == "spike.py"


@pytest.mark.parametrize(
    "path",
    [
        "../x.py",
        "/etc/passwd",
        "a/../../x.py",
        "C:/x.py",
        "c:x.py",
        "a\\b.py",
        ".hidden.py",
        "a/.git/x.py",
        "a//b.py",
        "./a.py",
        "a/./b.py",
        "x\x00.py",
        "",
        "a b.py",
        "v2/app.py",
        "a/b/c/d/e.py",
        "x" * 130 + ".py",
        "~/x.py",
        "$HOME/x.py",
        "a;rm.py",
        "é.py",
    ],
)
def test_unsafe_paths_are_refused(path):
    with pytest.raises(ValueError):
        check_path(path)
    assert "files" in error(
        NotebookDraft, notebook(files=[{"path": path, "language": "python", "content": APP}])
    )


@pytest.mark.parametrize("path", ["app.py", "static/style.css", "a-b_c.1.js", "v2.py", "pages/v2/x.html"])
def test_safe_paths_pass(path):
    assert check_path(path) == path


def test_python_must_compile_and_match_its_extension():
    bad = notebook(files=[{"path": "app.py", "language": "python", "content": "def app(:\n  pass"}])
    assert "Python does not compile" in error(NotebookDraft, bad)
    assert "must end with .py" in error(
        NotebookDraft,
        notebook(files=[{"path": "app.txt", "language": "python", "content": APP}], entry="app.txt"),
    )
    nul = notebook(files=[{"path": "app.py", "language": "python", "content": "x = 1\x00"}])
    message = error(NotebookDraft, nul)
    assert "NUL" in message or "null bytes" in message


@pytest.mark.parametrize(
    "html",
    ["<div><span>x</div>", "<div>", "</section>", "plain words, no elements", "<ul><li>a</ul></div>"],
)
def test_html_must_be_well_formed(html):
    with pytest.raises(ValueError):
        check_html(html)


@pytest.mark.parametrize(
    "html",
    [PAGE, "<p>one<p>two", "<ul><li>a<li>b</ul>", "<br><img src=x.png><input>", "<table><tr><td>1</table>"],
)
def test_html_with_optional_end_tags_passes(html):
    check_html(html)


def with_page(content: str) -> dict:
    return web(
        files=[
            {"path": "index.html", "language": "html", "content": content},
            {"path": "app.js", "language": "javascript", "content": JS},
        ]
    )


def test_web_pages_have_no_inline_script():
    assert "inline code" in error(WebDraft, with_page("<html><body><script>go()</script></body></html>"))
    assert "inline event handler" in error(
        WebDraft, with_page('<html><body><button onclick="x()">b</button></body></html>')
    )
    assert "inline script" in error(
        WebDraft, with_page('<html><body><a href=" JavaScript:go()">a</a></body></html>')
    )
    assert "index.html" in error(WebDraft, web(entry="app.js"))
    silent = web(files=[{"path": "index.html", "language": "html", "content": "<p>exposed clicked_cta</p>"}])
    assert "POST /events" in error(WebDraft, silent)


def test_events_and_entry_are_checked():
    assert "is not one of the events" in error(NotebookDraft, notebook(conversion_event="bought"))
    assert "must be different" in error(NotebookDraft, notebook(conversion_event="exposed"))
    assert "at least 2" in error(NotebookDraft, notebook(events=[{"name": "exposed"}]))
    assert "same name" in error(NotebookDraft, notebook(events=[*EVENTS, {"name": "exposed"}]))
    silent = notebook(events=[*EVENTS, {"name": "bought"}], conversion_event="bought")
    assert "no file logs the conversion_event 'bought'" in error(NotebookDraft, silent)
    assert "is not one of the files" in error(NotebookDraft, notebook(entry="main.py"))
    no_app = notebook(
        files=[{"path": "app.py", "language": "python", "content": APP.replace("def app", "def main")}]
    )
    assert "top-level function app()" in error(NotebookDraft, no_app)
    untracked = notebook(
        files=[
            {
                "path": "app.py",
                "language": "python",
                "content": "def app(user=None, variant=None):\n    return 'exposed clicked_cta'\n",
            }
        ]
    )
    assert "disco_magics.track" in error(NotebookDraft, untracked)
    assert "same path" in error(NotebookDraft, notebook(files=[notebook()["files"][0]] * 2))
    both = notebook(
        files=[notebook()["files"][0], {"path": "app.py/x.py", "language": "python", "content": "x=1"}]
    )
    assert "both a file and a folder" in error(NotebookDraft, both)
    assert "event" in error(NotebookDraft, notebook(events=[{"name": "bad name!"}, {"name": "clicked_cta"}]))


def test_every_list_and_string_is_bounded():
    """A small model must not loop: the JSON schema the LLM sees bounds every list and string."""

    def walk(schema, defs, seen, where="") -> list[str]:
        problems = []
        if "$ref" in schema:
            name = schema["$ref"].split("/")[-1]
            if name in seen:
                return []
            return walk(defs[name], defs, seen | {name}, name)
        for option in schema.get("anyOf", []):
            problems += walk(option, defs, seen, where)
        kind = schema.get("type")
        if kind == "array" and "maxItems" not in schema:
            problems.append(f"{where}: list without maxItems")
        if kind == "string" and "maxLength" not in schema and "enum" not in schema and "const" not in schema:
            problems.append(f"{where}: string without maxLength")
        if schema.get("maxLength", 0) > 1000:  # llama.cpp's server crashes on grammars for longer strings
            problems.append(f"{where}: maxLength {schema['maxLength']} is more than llama.cpp handles")
        for name, sub in schema.get("properties", {}).items():
            problems += walk(sub, defs, seen, f"{where}.{name}")
        if "items" in schema:
            problems += walk(schema["items"], defs, seen, f"{where}[]")
        return problems

    for model in DRAFT_MODELS.values():
        schema = model.model_json_schema()
        assert walk(schema, schema.get("$defs", {}), frozenset()) == []
    too_many = notebook(
        files=[{"path": f"f{i}.py", "language": "python", "content": "x = 1"} for i in range(MAX_FILES + 1)]
    )
    assert "at most" in error(NotebookDraft, too_many)
    assert "at most" in error(NotebookDraft, notebook(title="x" * 121))
    assert "title" in error(NotebookDraft, notebook(title="two\nlines"))
    with pytest.raises(ValidationError):
        PrototypeFile(path="a.py", language="python", content="x" * 60_001)


# ------------------------------------------------------------------------------------------- templates

AWKWARD = (
    'We believe a "one-click" invite \'\'\' """ </script><script>alert(1)</script> {{id}} \\ for admins '
    "will raise invites\u2028 because <b>teams</b> matter & $5/month is fair."
)


def context(statement: str = AWKWARD, segment: str = 'admins "who" </title> \\ {{x}}'):
    problem = Problem(
        name="onboarding",
        statement="x",
        segment=segment,
        metrics=[
            Metric(name="invite_rate", description="share of trials inviting a teammate", baseline=0.18)
        ],
    )
    h = Hypothesis(
        id="H1",
        problem="onboarding",
        statement=statement,
        metric="invite_rate",
        target=0.3,
        baseline=0.18,
        risk="value",
    )
    return context_for(h, problem)


def test_kinds_and_defaults_follow_the_risk():
    assert templates.kinds() == ("concierge", "fake-door", "landing-page", "mockup", "spike", "wizard-of-oz")
    assert {r: templates.default_kind(r) for r in ("value", "usability", "feasibility", "viability")} == {
        "value": "fake-door",
        "usability": "mockup",
        "feasibility": "spike",
        "viability": "landing-page",
    }
    assert templates.default_kind(None) == "fake-door"
    for kind in templates.kinds():
        module = templates.module(kind)
        assert module.WHERE in DRAFT_MODELS and module.PURPOSE and kind == module.KIND


@pytest.mark.parametrize("kind", templates.kinds())
def test_templates_keep_awkward_words_inert(kind):
    draft = offline_draft(context(), kind)
    assert type(draft) is DRAFT_MODELS[templates.module(kind).WHERE]
    assert "no LLM wrote this" in draft.run
    for f in draft.files:
        if f.language == "python":
            tree = ast.parse(f.content)
            literals = [
                n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            ]
            assert any("</script><script>alert(1)</script>" in s for s in literals)  # words kept, as data
            assert not any(
                isinstance(n, ast.Call) and getattr(n.func, "id", "") == "alert" for n in ast.walk(tree)
            )
        if f.language == "html":
            assert "<script>alert" not in f.content and "&lt;/script&gt;" in f.content
            check_html(f.content)
        if f.language == "javascript":
            assert "admins" not in f.content  # the script is constant: no user words in code
        assert "{{" not in f.content.replace("{{id}}", "").replace("{{x}}", "")


def test_context_reads_the_hypothesis_words():
    ctx = context(
        "We believe a guided onboarding checklist for new trial admins will raise the share who invite a "
        "teammate within 7 days, because admins don't see that the product is built for teams.",
        "trial admins",
    )
    assert ctx.change == "a guided onboarding checklist for new trial admins"
    assert ctx.reason == "admins don't see that the product is built for teams"
    assert ctx.task == "inviting a teammate"
    assert (ctx.price, ctx.price_assumed) == ("$29 / month", True)
    priced = context("A team plan at $12 per seat will raise paid conversion because teams ask for it.")
    assert (priced.price, priced.price_assumed) == ("$12 per seat", False)


def test_stored_form_keeps_the_metric_event_names():
    from disco_magics.generate.prototype import _offline_provenance
    from disco_magics.model.prototype import Prototype

    proto = Prototype.from_draft(
        offline_draft(context(), "landing-page"),
        hypothesis="H1",
        problem="onboarding",
        kind="landing-page",
        provenance=_offline_provenance(),
    )
    dumped = json.loads(proto.model_dump_json())
    assert dumped["exposure_event"] == "exposed" and dumped["conversion_event"] == "clicked_buy"
    assert dumped["where"] == "web" and dumped["provenance"]["offline"] is True
    assert Prototype.model_validate(dumped) == proto
