"""%prototype and disco_magics.api.prototype: drafted offline, written under prototypes/ID/ with a manifest,
never over a file the user changed, launcher inserted (not run), stored so %measure --events finds its events."""

from __future__ import annotations

import ast
import json
import os

import pytest
from IPython.core.error import UsageError

from disco_magics import api
from disco_magics.events import metric_events
from disco_magics.prototypes import MANIFEST, read_manifest
from disco_magics.session import get_session

from .conftest import H1


@pytest.fixture
def framed(onboarding):
    onboarding.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.30 --risk value", H1)
    onboarding.run_cell_magic(
        "hypothesis",
        "H2 --metric paid_rate --target 0.10 --risk viability",
        "We believe a team plan at $12 per seat for trial admins will raise paid conversion because teams ask.",
    )
    onboarding.run_cell_magic(
        "hypothesis",
        "H3 --metric invite_rate --target 0.25 --risk usability",
        "We believe an invite button on the first dashboard will raise invites because admins can't find it.",
    )
    inserted: list[tuple[str, bool]] = []
    onboarding.set_next_input = lambda text, replace=False: inserted.append((text, replace))
    onboarding.inserted = inserted
    return onboarding


def store():
    return get_session().store


def test_prototype_writes_files_stores_it_and_inserts_the_launcher(framed, clean_env, capsys):
    framed.run_line_magic("prototype", "H1")
    out = capsys.readouterr().out
    assert "Prototype H1 [fake-door]" in out and "no LLM wrote this" in out
    folder = clean_env / "prototypes" / "H1"
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST, "app.ipynb", "app.py"]
    ((code, replace),) = framed.inserted
    assert replace is False
    ast.parse(code)
    assert "runpy.run_path('prototypes/H1/app.py')" in code and "%measure H1 --events" in code
    manifest = read_manifest(folder, "H1")
    (version,) = manifest.versions
    assert version.folder == "." and set(version.files) == {"app.py", "app.ipynb"}
    (stored,) = store().artifacts("prototype", "onboarding/H1")
    assert (stored["exposure_event"], stored["conversion_event"]) == ("exposed", "clicked_cta")
    assert stored["provenance"]["offline"] is True and stored["kind"] == "fake-door"
    h = store().hypothesis("onboarding", "H1")
    assert metric_events(get_session(), h) == ("exposed", "clicked_cta")
    assert store().events("H1") == [] and h.status == "draft"  # drafting ran nothing


def test_several_ids_one_cell_default_kinds_follow_risk(framed, clean_env):
    framed.run_line_magic("prototype", "H1 H2 H3")
    kinds = {a["hypothesis"]: a["kind"] for a in store().artifacts("prototype")}
    assert kinds == {"H1": "fake-door", "H2": "landing-page", "H3": "mockup"}
    ((code, _),) = framed.inserted
    tree = ast.parse(code)
    shown = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "display"]
    assert len(shown) == 3
    assert (clean_env / "prototypes" / "H2" / "index.html").is_file()
    assert "$12 per seat" in (clean_env / "prototypes" / "H2" / "index.html").read_text()


def test_kind_option_no_insert_and_out(framed, clean_env):
    framed.run_line_magic("prototype", "H1 --kind wizard_of_oz --no-insert --out 'my protos'")
    assert framed.inserted == []
    assert (clean_env / "my protos" / "H1" / "app.py").is_file()
    (made,) = api.prototype("H1", kind="landing-page", out="it's here")
    ast.parse(made.launcher)
    assert 'folder="it\'s here"' in made.launcher


BAD = [
    ("", "%prototype needs a hypothesis ID"),
    ("H9", "unknown hypothesis 'H9' in problem onboarding; known: H1, H2, H3"),
    (
        "H1 --kind hologram",
        "unknown prototype kind 'hologram'; choose one of concierge, fake-door, landing-page",
    ),
    ("H1 --kind", "%prototype: argument --kind: expected one argument"),
    ("H1 'unbalanced", "%prototype: No closing quotation"),
]


@pytest.mark.parametrize(("line", "message"), BAD)
def test_bad_input_is_one_line_and_changes_nothing(framed, clean_env, line, message):
    with pytest.raises(UsageError) as caught:
        framed.run_line_magic("prototype", line)
    text = str(caught.value)
    assert message in text and "\n" not in text and "e.g. %prototype H1" in text
    assert not (clean_env / "prototypes").exists()
    assert store().artifacts("prototype") == [] and framed.inserted == []


def test_an_unknown_id_among_several_drafts_none(framed, clean_env):
    with pytest.raises(UsageError):
        framed.run_line_magic("prototype", "H1 H7")
    assert not (clean_env / "prototypes").exists()


# ------------------------------------------------------------------------------------------- versions


def test_rerun_keeps_the_version_and_a_user_edit_gets_a_new_folder(framed, clean_env, capsys):
    folder = clean_env / "prototypes" / "H1"
    (first,) = api.prototype("H1")
    assert first.version == 1 and set(first.written) == {"app.py", "app.ipynb"}
    (again,) = api.prototype("H1")
    assert again.version == 1 and again.written == [] and set(again.unchanged) == {"app.py", "app.ipynb"}
    edited = (folder / "app.py").read_text().replace("Try it now", "Show me")
    (folder / "app.py").write_text(edited)
    capsys.readouterr()
    framed.run_line_magic("prototype", "H1")
    out = capsys.readouterr().out
    assert (folder / "app.py").read_text() == edited  # the user's change is kept
    assert (folder / "v2" / "app.py").is_file() and "Try it now" in (folder / "v2" / "app.py").read_text()
    assert "changed since it was generated" in out and "v2" in out
    assert "prototypes/H1/v2/app.py" in framed.inserted[-1][0]
    (third,) = api.prototype("H1")  # v2 is untouched: it is refreshed in place
    assert third.version == 2 and third.notes == []
    versions = read_manifest(folder, "H1").versions
    assert [(v.version, v.folder) for v in versions] == [(1, "."), (2, "v2")]
    (folder / "v2" / "app.ipynb").write_text("{}")
    (fourth,) = api.prototype("H1")
    assert fourth.version == 3 and (folder / "v3" / "app.py").is_file()
    assert (folder / "v2" / "app.ipynb").read_text() == "{}"


def test_existing_files_without_a_manifest_are_the_users(framed, clean_env):
    folder = clean_env / "prototypes" / "H1"
    folder.mkdir(parents=True)
    (folder / "app.py").write_text("# my own app\n")
    (made,) = api.prototype("H1")
    assert made.version == 2 and (folder / "app.py").read_text() == "# my own app\n"
    assert "changed since it was generated" in made.notes[0]


def test_a_kind_change_removes_only_untouched_stale_files(framed, clean_env):
    folder = clean_env / "prototypes" / "H1"
    api.prototype("H1", kind="fake-door")
    (made,) = api.prototype("H1", kind="spike")
    assert made.version == 1 and (folder / "spike.py").is_file()
    assert not (folder / "app.py").exists() and not (folder / "app.ipynb").exists()


def test_never_writes_through_a_symlink(framed, clean_env, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "target.py"
    outside.write_text("precious\n")
    folder = clean_env / "prototypes" / "H1"
    api.prototype("H1")
    (folder / "app.py").unlink()
    (folder / "app.py").symlink_to(outside)
    (made,) = api.prototype("H1")
    assert made.version == 2 and outside.read_text() == "precious\n"
    (folder / "v3").symlink_to(outside.parent, target_is_directory=True)
    (folder / "v2" / "app.py").write_text("edited\n")
    (made,) = api.prototype("H1")
    assert made.version == 4 and outside.read_text() == "precious\n"
    assert sorted(p.name for p in outside.parent.iterdir()) == ["target.py"]


def test_a_prototypes_folder_that_is_a_link_is_refused(framed, clean_env, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (clean_env / "prototypes").mkdir()
    (clean_env / "prototypes" / "H1").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(UsageError, match="not a plain folder"):
        framed.run_line_magic("prototype", "H1")
    assert list(elsewhere.iterdir()) == []


def test_manifest_that_does_not_parse_is_treated_as_absent(framed, clean_env):
    api.prototype("H1")
    folder = clean_env / "prototypes" / "H1"
    (folder / MANIFEST).write_text('{"hypothesis": "H1", "versions": [{"folder": "../../etc"}]}')
    (made,) = api.prototype("H1")  # identical files are not a conflict even without a manifest
    assert made.version == 1 and "could not be read" in made.notes[0]


# ------------------------------------------------------------------------------------------- measuring


def test_events_tracked_with_the_prototypes_names_measure(framed):
    import disco_magics as disco

    api.prototype("H2")  # landing page: exposed -> clicked_buy
    for i in range(200):
        variant = "control" if i % 2 else "treatment"
        disco.track("H2", "exposed", user=f"u{i}", variant=variant)
        if (variant == "treatment" and i % 4 != 0) or (variant == "control" and i % 10 == 1):
            disco.track("H2", "clicked_buy", user=f"u{i}", variant=variant)
    result = disco.measure("H2", events=True)
    assert result.control.n == 100 and result.treatment.n == 100
    assert result.treatment.sum == 50 and result.control.sum == 20
    assert store().hypothesis("onboarding", "H2").status == result.verdict


# ------------------------------------------------------------------------------------------- display


def test_the_card_escapes_and_offers_a_copy_button(framed):
    (made,) = api.prototype("H1")
    data, _ = made._repr_mimebundle_()
    html = data["text/html"]
    assert html.count("<button") == 1 and "navigator.clipboard.writeText" in html
    assert "<script" not in html.lower()
    assert "H1_prototype = runpy.run_path(&#x27;prototypes/H1/app.py&#x27;)" in html
    assert data["text/markdown"].count("```python") == 1
    payload = data["application/vnd.disco.prototype+json"]
    assert "lines" not in json.dumps(payload["prototype"]["files"])
    assert payload["prototype"]["exposure_event"] == "exposed"


def test_public_api_is_plain_python(session, clean_env):
    from .conftest import ONBOARDING

    api.problem("onboarding", ONBOARDING, session=session)
    api.hypothesis("H1", H1, metric="invite_rate", target=0.30, risk="feasibility", session=session)
    (made,) = api.prototype("H1", session=session)
    assert made.prototype.kind == "spike" and made.prototype.where == "script"
    assert os.path.isfile(clean_env / "prototypes" / "H1" / "spike.py")
    assert 'H1_spike["run"]()' in made.launcher


@pytest.mark.parametrize("kind", ["fake-door", "landing-page", "spike"])
def test_the_launcher_is_fixed_code_whatever_the_folder_is_called(framed, kind):
    (made,) = api.prototype("H1", kind=kind, out="odd\nimport os; os.system('x')\n#")
    statements = [type(node).__name__ for node in ast.parse(made.launcher).body]
    assert statements == ["Import" if kind != "landing-page" else "ImportFrom", "Assign", "Expr"]
    assert all(line.startswith("#") for line in made.launcher.splitlines()[:4])
