"""Provenance and the portfolio: where each declaration came from, and every problem of a store at once."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from disco_magics import api
from disco_magics.model import Hypothesis, Origin
from disco_magics.session import Session, Settings, get_session

PROBLEM = "Admins don't invite.\nmetric: invite_rate = share inviting (baseline 0.18)"


@pytest.fixture
def running_cell(ip, monkeypatch):
    """The shell as ipykernel runs a JupyterLab cell: the notebook in the environment, the cell id in
    the request's metadata (ipykernel's shell keeps it as its parent header)."""
    monkeypatch.setenv("JPY_SESSION_NAME", "/srv/team/notebooks/onboarding.ipynb")
    ip.parent_header = {"metadata": {"cellId": "cell-problem"}}
    yield ip
    del ip.parent_header


def test_magics_record_the_notebook_and_cell_of_each_declaration(running_cell):
    ip = running_cell
    ip.run_cell_magic("problem", "onboarding", PROBLEM)
    ip.parent_header = {"metadata": {"cellId": "cell-h1"}}
    ip.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.25", "We believe a checklist helps.")
    ip.parent_header = {"metadata": {"cellId": "cell-measure"}}
    ip.run_line_magic("measure", "H1 --observed 0.27 --n 2400 --baseline-n 2400")
    ip.parent_header = {"metadata": {"cellId": "cell-decide"}}
    decided = api.decide("H1", "persevere", learning="admins invite")

    store = get_session().store  # the kernel's session, installed by %load_ext
    notebook = "/srv/team/notebooks/onboarding.ipynb"
    assert store.problem("onboarding").origin == Origin(notebook=notebook, cell="cell-problem")
    assert store.hypothesis("onboarding", "H1").origin == Origin(notebook=notebook, cell="cell-h1")
    assert store.results("onboarding", "H1")[0].origin == Origin(notebook=notebook, cell="cell-measure")
    assert store.decisions("onboarding", "H1")[0].origin == decided.origin == Origin(notebook=notebook, cell="cell-decide")
    # a status change (the measurement) keeps the hypothesis' origin
    assert store.hypothesis("onboarding", "H1").status == "validated"


def test_provenance_is_left_out_when_unknown_and_never_displayed(running_cell):
    from disco_magics.display import bundle

    plain = Hypothesis(id="H1", problem="p", statement="x", metric="m", target=1.0)
    assert "origin" not in plain.model_dump_json()  # stores written before provenance read the same
    stamped = plain.model_copy(update={"origin": Origin(notebook="/home/alice/nb.ipynb", cell="c")})
    assert "origin" in stamped.model_dump_json()
    data, _ = bundle(stamped)
    assert "/home/alice" not in json.dumps(data)  # saved outputs carry no author's paths


def test_outside_a_notebook_nothing_is_stamped(session):
    made = api.problem("onboarding", PROBLEM, session=session)
    assert made.origin is None


def declare(store, notebook: str | None, problem: str, ids: list[str], measure: bool = True) -> None:
    session = Session(settings=Settings(store=str(store)))
    session.locate = lambda: Origin(notebook=notebook, cell=f"{problem}-cell") if notebook else None
    try:
        api.problem(problem, PROBLEM, session=session)
        for hid in ids:
            api.hypothesis(hid, "We believe a change helps.", metric="invite_rate", target=0.25, risk="value", session=session)
        if measure:
            api.measure(ids[0], observed=0.27, n=2400, baseline_n=2400, session=session)
            api.decide(ids[-1], "kill", learning="no | pipe\nnewline", session=session)
    finally:
        session.close()


def test_the_portfolio_spans_notebooks_with_paths_relative_to_the_root(tmp_path):
    store = tmp_path / ".disco" / "discovery.db"
    declare(store, str(tmp_path / "onboarding.ipynb"), "onboarding", ["H1", "H2"])
    declare(store, str(tmp_path / "team" / "pricing.ipynb"), "pricing", ["H1"], measure=False)
    declare(store, "/elsewhere/other.ipynb", "elsewhere", ["H9"], measure=False)
    made = api.portfolio(str(store), root=tmp_path)
    assert made.reason is None
    by_name = {p.name: p for p in made.problems}
    assert set(by_name) == {"onboarding", "pricing", "elsewhere"}
    onboarding = {h.id: h for h in by_name["onboarding"].hypotheses}
    assert (onboarding["H1"].status, onboarding["H1"].verdict) == ("validated", "validated")
    assert onboarding["H2"].decision == "kill" and onboarding["H2"].killed
    assert onboarding["H1"].notebook == "onboarding.ipynb" and onboarding["H1"].cell == "onboarding-cell"
    assert by_name["pricing"].hypotheses[0].notebook == "team/pricing.ipynb"
    assert by_name["elsewhere"].notebook == "/elsewhere/other.ipynb"  # outside the root: as it is
    assert made.counts() == {"validated": 1, "draft": 3, "killed": 1}


def test_a_missing_store_is_empty_with_a_reason_and_is_not_created(tmp_path):
    made = api.portfolio(root=tmp_path)
    assert made.problems == [] and made.reason.startswith("no store at ")
    assert not (tmp_path / ".disco").exists()


def test_an_unreachable_store_hides_its_password(tmp_path):
    made = api.portfolio("postgresql://disco:s3cret-pw@127.0.0.1:1/x", root=tmp_path)
    assert made.problems == [] and made.reason and "\n" not in made.reason
    assert "s3cret-pw" not in made.model_dump_json()
    assert made.store == "postgresql://disco:***@127.0.0.1:1/x"


def disco(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "disco_magics.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_disco_portfolio_prints_markdown_and_writes_escaped_html(tmp_path):
    store = tmp_path / ".disco" / "discovery.db"
    declare(store, str(tmp_path / "onboarding.ipynb"), "onboarding", ["H1", "H2"])
    printed = disco("portfolio", "--store", str(store), cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert "## onboarding" in printed.stdout
    assert "| H1 | value | validated · evidence: experiment | validated |" in printed.stdout
    assert "no \\| pipe newline" in printed.stdout  # a learning cannot break the table
    written = disco("portfolio", "--store", str(store), "--out", "portfolio.html", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    html = (tmp_path / "portfolio.html").read_text()
    assert "<h2>onboarding</h2>" in html and "onboarding.ipynb" in html
    bad = disco("portfolio", "--out", "portfolio.txt", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "use .md or .html" in bad.stderr


def test_a_kept_reuse_dict_revalidates_only_what_changed(tmp_path):
    store = tmp_path / ".disco" / "discovery.db"
    declare(store, str(tmp_path / "onboarding.ipynb"), "onboarding", ["H1", "H2", "H3"], measure=False)
    reuse: dict = {}
    first = {h.id: h for h in api.portfolio(str(store), root=tmp_path, reuse=reuse).hypotheses}
    session = Session(settings=Settings(store=str(store)))
    try:
        api.measure("H2", observed=0.27, n=2400, baseline_n=2400, session=session)
        api.decide("H3", "pivot", learning="try the team plan", session=session)
        api.hypothesis("H4", "We believe a new idea.", metric="invite_rate", target=0.3, session=session)
    finally:
        session.close()
    second = {h.id: h for h in api.portfolio(str(store), root=tmp_path, reuse=reuse).hypotheses}
    assert second["H1"] is first["H1"]  # unchanged: reused, not validated again
    assert second["H2"].status == "validated" and second["H2"] is not first["H2"]
    assert second["H3"].decision == "pivot" and second["H3"].learning == "try the team plan"
    assert set(second) == {"H1", "H2", "H3", "H4"}
    assert api.portfolio(str(store), root=tmp_path).model_dump(exclude={"generated_at"}) == api.portfolio(
        str(store), root=tmp_path, reuse=reuse
    ).model_dump(exclude={"generated_at"})
