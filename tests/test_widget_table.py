"""The live experiment table: the widget bundle, live updates, decisions from the widget, kernel-free output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from disco_magics import api
from disco_magics.model import ArmStats, ExperimentTable
from disco_magics.session import Session, Settings, get_session
from disco_magics.stats import evaluate
from disco_magics.widgets import ExperimentTableWidget, LiveExperimentTable, live_tables
from disco_magics.widgets.table import WIDGET_VIEW

from .conftest import H1, ONBOARDING

EXPERIMENTS = ExperimentTable.media_type()
WIDGET_DIR = Path(__file__).resolve().parents[1] / "disco_magics" / "widgets"


def record(
    session, hypothesis_id, control, treatment, *, n=2400, target=0.25, baseline=0.18, problem="onboarding"
):
    """Record a result the way %measure does: store it, move the status, tell the listeners."""
    arms = [
        ArmStats(name=name, kind="proportion", n=n, sum=round(rate * n), sum_squares=round(rate * n))
        for name, rate in (("control", control), ("checklist", treatment))
    ]
    result = evaluate(
        hypothesis=hypothesis_id,
        metric="invite_rate",
        target=target,
        control=arms[0],
        treatment=arms[1],
        baseline=baseline,
    )
    session.store.add_result(problem, result, status=result.verdict)
    session.notify("result", result)
    return result


class Published:
    """What the shell published: every display and display update."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def __call__(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        self.calls.append(
            {"data": data, "metadata": metadata, "transient": transient or {}, "update": update}
        )

    def tables(self) -> list[dict]:
        return [c for c in self.calls if EXPERIMENTS in c["data"]]

    def last(self, display_id: str) -> dict:
        return [c for c in self.tables() if c["transient"].get("display_id") == display_id][-1]


@pytest.fixture
def published(ip, monkeypatch) -> Published:
    sink = Published()
    monkeypatch.setattr(ip.display_pub, "publish", sink)
    return sink


@pytest.fixture
def framed(onboarding):
    onboarding.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.25 --risk value", H1)
    onboarding.run_cell_magic(
        "hypothesis",
        "H2 --metric paid_rate --target 0.08 --risk viability",
        "A longer <b>team</b> trial will raise paid_rate because teams need time & help",
    )
    return onboarding


@pytest.fixture(autouse=True)
def _close_tables():
    yield
    from disco_magics.widgets import live

    live._RUNNING_CELL.clear()
    for table in live_tables():
        table.close()


def shown(ip, published: Published, line: str = "") -> LiveExperimentTable:
    before = {t.display_id for t in live_tables()}
    ip.run_line_magic("experiments", line)
    new = [t for t in live_tables() if t.display_id not in before]
    assert len(new) == 1
    return new[0]


def ids(table: LiveExperimentTable) -> list[str]:
    return [row["id"] for row in table.widget.rows]


# ------------------------------------------------------------------------------------------- the bundle


def test_magic_shows_widget_with_static_html_and_json_under_a_display_id(framed, published):
    table = shown(framed, published)
    call = published.last(table.display_id)
    data = call["data"]
    assert call["update"] is False
    assert data[WIDGET_VIEW]["model_id"] == table.widget.model_id
    assert {"text/plain", "text/html", EXPERIMENTS} <= set(data)
    assert [r["id"] for r in data[EXPERIMENTS]["rows"]] == ["H1", "H2"]
    assert data[EXPERIMENTS]["problem"] == "onboarding"
    # the JSON is exactly the model's, so the JupyterLab renderer and Python read the same thing
    assert (
        ExperimentTable.model_validate(data[EXPERIMENTS]).rows[1].statement.startswith("A longer <b>team</b>")
    )
    assert 'data-hypothesis="H1"' in data["text/html"]
    assert "H1  invite_rate  0.18" in data["text/plain"]
    assert ids(table) == ["H1", "H2"]
    assert json.loads(table.widget.rows_json) == table.widget.rows == data[EXPERIMENTS]["rows"]
    assert table.widget.scope == "onboarding"


def test_static_html_is_escaped_and_widget_rows_carry_raw_text(framed, published):
    framed.run_cell_magic(
        "hypothesis",
        "H3 --metric invite_rate --target 0.3",
        'An <img src=x onerror="alert(1)"> banner <script>alert(2)</script> will raise invite_rate because',
    )
    table = shown(framed, published)
    html = published.last(table.display_id)["data"]["text/html"]
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    row = next(r for r in table.widget.rows if r["id"] == "H3")
    assert "<script>alert(2)</script>" in row["statement"]  # the widget puts it in with textContent


def test_widget_code_builds_the_dom_without_html_strings_or_network():
    js = re.sub(r"(?m)^\s*//.*$", "", (WIDGET_DIR / "table.js").read_text())  # code, not comments
    for forbidden in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "fetch(",
        "import(",
        "eval(",
    ):
        assert forbidden not in js, forbidden
    assert re.findall(r"https?://[^\s\"']+", js) == [
        "http://www.w3.org/2000/svg"
    ]  # a namespace, not a request
    assert "export default { initialize, render }" in js
    assert "url(" not in (WIDGET_DIR / "table.css").read_text()


def test_widget_is_an_anywidget_with_its_esm_and_css():
    widget = ExperimentTableWidget()
    state = widget.get_state()
    assert "export default" in state["_esm"] and ".disco-xt" in state["_css"]
    assert state["decisions"] == ["persevere", "pivot", "kill", "iterate"]
    assert {"rows_json", "scope", "sort", "filters", "notice", "table_key"} <= set(state)
    widget.close()


# -------------------------------------------------------------------------------------------- live


def test_result_hypothesis_and_decision_update_every_displayed_table(framed, published):
    session = get_session()
    first = shown(framed, published)
    everything = shown(framed, published, "--all")
    assert ids(first) == ids(everything) == ["H1", "H2"]

    record(session, "H1", 0.18, 0.27)
    for table in (first, everything):
        row = table.widget.rows[0]
        assert (row["verdict"], row["status"]) == ("validated", "validated")
        assert row["n"] == 4800 and row["lift"] == pytest.approx(0.09, abs=1e-3)
        update = published.last(table.display_id)
        assert update["update"] is True
        assert update["data"][WIDGET_VIEW]["model_id"] == table.widget.model_id
        assert update["data"][EXPERIMENTS]["rows"][0]["verdict"] == "validated"
        assert "validated" in update["data"]["text/html"]

    framed.run_cell_magic(
        "hypothesis", "H3 --metric invite_rate --target 0.3", "A banner will raise invite_rate because"
    )
    assert ids(first) == ids(everything) == ["H1", "H2", "H3"]
    assert "H3" in published.last(first.display_id)["data"]["text/html"]

    # re-running a hypothesis with a new target replaces its row
    framed.run_cell_magic(
        "hypothesis", "H3 --metric invite_rate --target 0.35", "A banner will raise invite_rate because"
    )
    assert first.widget.rows[2]["target"] == 0.35

    api.decide("H1", "persevere", learning="admins invite once they see a team feature")
    for table in (first, everything):
        assert json.loads(table.widget.rows_json) == table.widget.rows  # what the browser gets
        row = table.widget.rows[0]
        assert (row["decision"], row["learning"], row["without_evidence"]) == (
            "persevere",
            "admins invite once they see a team feature",
            False,
        )
        assert "persevere" in published.last(table.display_id)["data"]["text/html"]


def test_a_table_follows_its_own_problem_only(framed, published):
    session = get_session()
    onboarding_table = shown(framed, published)
    framed.run_cell_magic(
        "problem", "pricing", "Nobody finds the price.\nmetric: upgrade_rate (baseline 0.02)"
    )
    framed.run_cell_magic(
        "hypothesis", "P1 --target 0.03", "A price page for admins will raise upgrade_rate because"
    )
    everything = shown(framed, published, "--all")
    updates = len(published.tables())
    record(session, "P1", 0.02, 0.021, target=0.03, baseline=0.02, problem="pricing")
    assert ids(onboarding_table) == ["H1", "H2"]  # the current problem changed, the table did not
    assert [(r["problem"], r["id"]) for r in everything.widget.rows][-1] == ("pricing", "P1")
    assert everything.widget.rows[-1]["verdict"] is not None
    # only the --all table republished
    assert {c["transient"]["display_id"] for c in published.tables()[updates:]} == {everything.display_id}
    assert everything.widget.scope is None


def test_unchanged_rows_publish_nothing(framed, published):
    table = shown(framed, published)
    before = len(published.tables())
    get_session().notify("decision", SimpleNamespace(hypothesis="H1"))  # nothing new in the store
    get_session().notify("result", SimpleNamespace(hypothesis="NOT_HERE"))
    assert len(published.tables()) == before
    table.refresh()
    assert len(published.tables()) == before


def test_a_failing_refresh_never_fails_the_users_cell(framed, published, monkeypatch):
    table = shown(framed, published)

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(api, "experiment_row", broken)
    framed.run_cell_magic(
        "hypothesis", "H3 --metric invite_rate --target 0.3", "A banner will raise invite_rate because"
    )
    assert get_session().store.hypothesis("onboarding", "H3") is not None
    assert table.widget.notice["level"] == "error" and "disk on fire" in table.widget.notice["text"]


# --------------------------------------------------------------------------------------- decisions


def browser_says(table: LiveExperimentTable, **content) -> dict:
    """What the view sends when the user saves a row (model.send)."""
    table.widget._handle_message(table.widget, {"type": "decide", "problem": "onboarding", **content}, [])
    return table.widget.notice


def test_decision_from_the_widget_is_stored_with_its_learning_and_survives_a_restart(
    framed, published, tmp_path
):
    session = get_session()
    record(session, "H1", 0.18, 0.27)
    table = shown(framed, published)
    notice = browser_says(
        table, id="H1", decision="persevere", learning="Checklists work for admins", request=7
    )
    assert notice == {
        "key": "onboarding/H1",
        "level": "ok",
        "text": "Saved persevere",
        "seq": 1,
        "request": 7,
    }
    stored = session.store.decisions("onboarding", "H1")[-1]
    assert (stored.decision, stored.learning, stored.without_evidence) == (
        "persevere",
        "Checklists work for admins",
        False,
    )
    assert table.widget.rows[0]["decision"] == "persevere"
    assert "Checklists work for admins" in published.last(table.display_id)["data"]["text/html"]

    # a decision without evidence is allowed, and flagged
    notice = browser_says(table, id="H2", decision="kill", learning="No one asked for longer trials")
    assert notice["level"] == "warn" and "flagged" in notice["text"]
    assert table.widget.rows[1]["without_evidence"] is True
    assert "⚑" in published.last(table.display_id)["data"]["text/html"]

    # a new kernel on the same store sees both
    fresh = Session(settings=Settings(store=session.settings.store))
    try:
        rows = {r.id: r for r in api.experiment_table("onboarding", session=fresh).rows}
    finally:
        fresh.close()
    assert (rows["H1"].decision, rows["H1"].learning) == ("persevere", "Checklists work for admins")
    assert (rows["H2"].decision, rows["H2"].without_evidence) == ("kill", True)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ({"id": "H1", "decision": "abandon"}, "unknown decision 'abandon'"),
        ({"id": "H9", "decision": "kill"}, "unknown hypothesis 'H9'"),
        ({"id": "H1", "decision": "kill", "learning": "x" * 20_001}, "not saved"),
    ],
)
def test_a_bad_decision_from_the_widget_stores_nothing_and_says_why(framed, published, content, says):
    table = shown(framed, published)
    notice = browser_says(table, **content)
    assert notice["level"] == "error" and says in notice["text"]
    assert get_session().store.counts()["decisions"] == 0


def test_other_messages_are_ignored(framed, published):
    table = shown(framed, published)
    table.widget._handle_message(table.widget, {"type": "something-else"}, [])
    table.widget._handle_message(table.widget, "not a dict", [])
    assert table.widget.notice == {}


# ------------------------------------------------------------------------------------------- closing


def test_closing_the_widget_stops_following_the_session(framed, published):
    session = get_session()
    table = shown(framed, published)
    listeners = len(session._listeners)
    table.widget.close()
    assert table.closed and table not in live_tables()
    assert len(session._listeners) == listeners - 1
    before = len(published.tables())
    framed.run_cell_magic(
        "hypothesis", "H3 --metric invite_rate --target 0.3", "A banner will raise invite_rate because"
    )
    assert len(published.tables()) == before
    table.close()  # twice is fine


def test_rerunning_or_deleting_a_cell_closes_its_table(framed, published):
    from disco_magics.widgets.live import track_cells

    track_cells(framed)
    track_cells(framed)  # once per shell
    trackers = [cb for cb in framed.events.callbacks["pre_run_cell"] if type(cb).__name__ == "_CellTracker"]
    assert len(trackers) == 1
    old = shown(framed, published)
    other = shown(framed, published)
    old.cell_id, other.cell_id = "cell-a", "cell-b"
    framed.events.trigger("pre_run_cell", SimpleNamespace(cell_id="cell-a"))
    assert old.closed and not other.closed
    framed.events.trigger("post_run_cell", None)
    framed.events.trigger("pre_run_cell", SimpleNamespace(cell_id=None))
    framed.events.trigger("post_run_cell", None)
    assert not other.closed


def test_a_running_cell_updates_the_widget_at_once_and_the_saved_copy_once_at_its_end(framed, published):
    table = shown(framed, published)  # installs the cell hooks
    framed.user_ns["seen"] = []
    framed.user_ns["table"] = table
    framed.user_ns["published"] = published
    before = len(published.tables())
    framed.run_cell(
        "import disco_magics as disco\n"
        "disco.decide('H1', 'kill', learning='one')\n"
        "seen.append((table.widget.rows[0]['decision'], len(published.tables())))\n"
        "disco.decide('H2', 'pivot', learning='two')\n"
        "seen.append((table.widget.rows[1]['decision'], len(published.tables())))\n"
    )
    # the widget had each decision as soon as it was made; nothing was republished during the cell
    assert framed.user_ns["seen"] == [("kill", before), ("pivot", before)]
    updates = published.tables()[before:]
    assert len(updates) == 1 and updates[0]["update"] is True
    assert "one" in updates[0]["data"]["text/html"] and "two" in updates[0]["data"]["text/html"]


def test_the_static_table_built_row_by_row_is_the_whole_table_html(framed, published):
    from disco_magics.display.table import table_html
    from disco_magics.widgets import StaticTable

    session = get_session()
    record(session, "H1", 0.18, 0.27)
    framed.run_cell_magic(
        "hypothesis",
        "H3 --metric invite_rate --target 0.3",
        'A "quoted" <i>banner</i> will raise invite_rate because',
    )
    api.decide("H2", "kill", learning="a & b <c>")
    table = api.experiment_table("onboarding")
    dumps = [r.model_dump(mode="json") for r in table.rows]
    static = StaticTable()
    assert static.html(table.rows, dumps, "onboarding") == table_html(table)
    record(session, "H1", 0.18, 0.30)  # one row changes: the cache renders that row only
    table = api.experiment_table("onboarding")
    dumps = [r.model_dump(mode="json") for r in table.rows]
    assert static.html(table.rows, dumps, "onboarding") == table_html(table)
    assert static.html([], [], "onboarding") == table_html(ExperimentTable(problem="onboarding"))


class CommWire:
    """Every comm message the widgets send, as the kernel would (comm.create_comm swapped out)."""

    def __init__(self, monkeypatch) -> None:
        import comm
        from comm.base_comm import BaseComm

        self.messages: list[dict] = []
        wire = self

        class RecordingComm(BaseComm):
            def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
                wire.messages.append({"msg_type": msg_type, "data": data or {}})

        monkeypatch.setattr(comm, "create_comm", lambda *args, **kwargs: RecordingComm(*args, **kwargs))

    def since(self, start: int) -> list[dict]:
        return [m["data"] for m in self.messages[start:] if m["msg_type"] == "comm_msg"]


def test_an_update_sends_the_changed_rows_only_and_the_trait_stays_whole(framed, published, monkeypatch):
    wire = CommWire(monkeypatch)
    session = get_session()
    for i in range(3, 13):
        framed.run_cell_magic("hypothesis", f"H{i} --metric invite_rate --target 0.3", f"Change {i} because")
    table = shown(framed, published)
    start = len(wire.messages)
    record(session, "H1", 0.18, 0.27)
    sent = wire.since(start)
    patches = [m["content"] for m in sent if m.get("method") == "custom"]
    states = [m["state"] for m in sent if m.get("method") == "update"]
    assert len(patches) == 1 and patches[0]["type"] == "rows" and patches[0]["remove"] == []
    assert [r["id"] for r in json.loads(patches[0]["upsert"])] == ["H1"]
    assert json.loads(patches[0]["upsert"])[0]["verdict"] == "validated"
    assert all("rows_json" not in state for state in states)  # the thousand-row text is not sent again
    # ... yet the trait is whole: a frontend that connects now gets every row, as they are
    assert json.loads(table.widget.get_state()["rows_json"]) == table.widget.rows
    assert table.widget.rows[0]["verdict"] == "validated" and len(table.widget.rows) == 12

    # Most rows changing at once (a new problem scope, a big import) syncs the whole text again.
    start, seq = len(wire.messages), table.widget.rows_seq
    rows = [{**row, "learning": "all new"} for row in table.widget.rows]
    table.widget.set_rows(rows, "onboarding", "2026-01-01T00:00:00Z")
    sent = wire.since(start)
    assert any("rows_json" in m.get("state", {}) for m in sent)
    assert not any(m.get("method") == "custom" for m in sent)
    assert table.widget.rows_seq == seq + 1


def test_the_static_table_is_classes_and_one_stylesheet(framed, published):
    record(get_session(), "H1", 0.18, 0.27)
    api.decide("H2", "kill", learning="no")
    html = published.last(shown(framed, published).display_id)["data"]["text/html"]
    assert html.count("<style>") == 1 and " style=" not in html
    css = html[html.index("<style>") + 7 : html.index("</style>")]
    # every rule is scoped to the table: an output's stylesheet applies to the whole page
    selectors = [sel for group in re.findall(r"([^{}]+)\{[^{}]*\}", css) for sel in group.split(",")]
    assert len(selectors) > 10 and all(sel.startswith(".disco-experiments") for sel in selectors), selectors
    assert '<b class="dx-validated">validated</b>' in html and 'class="dx-lift dx-validated"' in html
    assert "⚑" in html  # H2 decided without evidence


def test_the_python_object_displays_itself(framed, published):
    from IPython.display import display

    table = LiveExperimentTable("onboarding")
    display(table)
    assert published.last(table.display_id)["data"][WIDGET_VIEW]["model_id"] == table.widget.model_id
    assert "2 hypotheses, live" in repr(table)


def test_load_ext_does_not_import_the_widget_stack(tmp_path):
    code = textwrap.dedent(
        """
        import sys, json
        from IPython.testing.globalipapp import get_ipython
        ip = get_ipython()
        ip.run_line_magic("load_ext", "disco_magics")
        print(json.dumps(sorted(m for m in ("anywidget", "ipywidgets", "disco_magics.widgets") if m in sys.modules)))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


# ---------------------------------------------------------------------------------- saved notebooks

RECORD = textwrap.dedent(
    """
    from disco_magics.model import ArmStats
    from disco_magics.session import get_session
    from disco_magics.stats import evaluate

    def record(h, control, treatment, n=2400, target=0.25, baseline=0.18):
        arms = [ArmStats(name=name, kind="proportion", n=n, sum=round(r * n), sum_squares=round(r * n))
                for name, r in (("control", control), ("checklist", treatment))]
        result = evaluate(hypothesis=h, metric="invite_rate", target=target, control=arms[0],
                          treatment=arms[1], baseline=baseline)
        get_session().store.add_result("onboarding", result, status=result.verdict)
        get_session().notify("result", result)
    """
)


def executed_notebook(tmp_path: Path):
    """Run a discovery notebook with nbclient (a real kernel) and save it."""
    import nbformat
    from nbclient import NotebookClient

    cells = [
        "%load_ext disco_magics",
        f"%%problem onboarding\n{ONBOARDING}",
        f"%%hypothesis H1 --metric invite_rate --target 0.25 --risk value\n{H1}",
        "%experiments",
        # after the table is shown: a new hypothesis, a result and a decision reach it by display_id
        "%%hypothesis H2 --metric invite_rate --target 0.22 --risk usability\n"
        "An <em>invite</em> button in the header will raise invite_rate because admins cannot find it",
        RECORD + "\nrecord('H1', 0.18, 0.27)",
        "import disco_magics as disco\ndisco.decide('H2', 'kill', learning='Nobody <b>misses</b> the button')",
    ]
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    client = NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    path = tmp_path / "discovery.ipynb"
    nbformat.write(nb, str(path))
    return nbformat.read(str(path), as_version=4)


@pytest.mark.slow
def test_a_saved_notebook_keeps_the_last_state_of_the_table(clean_env):
    nb = executed_notebook(clean_env)
    outputs = nb.cells[3].outputs
    assert len(outputs) == 1, outputs
    data = outputs[0]["data"]
    assert {WIDGET_VIEW, "text/html", "text/plain", EXPERIMENTS} <= set(data)

    # the static table shows what happened after %experiments ran: kept current by display_id
    html = data["text/html"]
    assert 'data-hypothesis="H1"' in html and 'data-hypothesis="H2"' in html
    assert "validated" in html and "kill" in html and "⚑" in html
    assert "Nobody &lt;b&gt;misses&lt;/b&gt; the button" in html and "<em>" not in html
    table = ExperimentTable.model_validate(data[EXPERIMENTS])
    rows = {r.id: r for r in table.rows}
    assert rows["H1"].verdict == "validated" and rows["H1"].n == 4800
    assert (rows["H2"].decision, rows["H2"].learning, rows["H2"].without_evidence) == (
        "kill",
        "Nobody <b>misses</b> the button",
        True,
    )

    # nbviewer / nbconvert without widget state (as JupyterLab saves by default) show the static table
    from nbconvert import HTMLExporter

    nb.metadata.pop("widgets", None)
    page, _ = HTMLExporter().from_notebook_node(nb)
    assert 'data-hypothesis="H2"' in page and "Experiments — problem onboarding" in page


def test_an_unknown_problem_is_one_line_and_leaves_nothing_behind(framed, published):
    from IPython.core.error import UsageError

    before = len(get_session()._listeners)
    with pytest.raises(UsageError, match="unknown problem 'nope'"):
        framed.run_line_magic("experiments", "--problem nope")
    assert live_tables() == [] and len(get_session()._listeners) == before


def test_a_table_shown_before_any_problem_fills_as_the_work_starts(ip, published):
    table = shown(ip, published)
    assert table.scope is None and table.widget.rows == []
    assert "No hypotheses yet" in published.last(table.display_id)["data"]["text/html"]
    ip.run_cell_magic("problem", "onboarding", ONBOARDING)
    ip.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.25", H1)
    assert ids(table) == ["H1"]
    assert 'data-hypothesis="H1"' in published.last(table.display_id)["data"]["text/html"]
