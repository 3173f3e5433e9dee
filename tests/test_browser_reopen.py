"""Run today, read tomorrow: a notebook executed and saved without widget state (as JupyterLab saves by
default), reopened in a real JupyterLab with a new kernel, shows its experiment table, not an error."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from .browser import VISIBLE_NOTEBOOK, notebook_cell, open_notebook, run_all_cells, run_command
from .conftest import H1, ONBOARDING

pytestmark = [pytest.mark.browser, pytest.mark.slow]
pytest.importorskip("playwright.sync_api")

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
EXPERIMENTS = "application/vnd.disco.experiments+json"
ERRORS = ("model not found", "Error displaying widget", "Loading widget")

RECORD = textwrap.dedent(
    """
    from disco_magics.model import ArmStats
    from disco_magics.session import get_session
    from disco_magics.stats import evaluate

    arms = [ArmStats(name=name, kind="proportion", n=2400, sum=round(r * 2400), sum_squares=round(r * 2400))
            for name, r in (("control", 0.18), ("checklist", 0.27))]
    result = evaluate(hypothesis="H1", metric="invite_rate", target=0.25, control=arms[0],
                      treatment=arms[1], baseline=0.18)
    get_session().store.add_result("onboarding", result, status=result.verdict)
    get_session().notify("result", result)
    """
)
CELLS = [
    "%load_ext disco_magics",
    f"%%problem onboarding\n{ONBOARDING}",
    f"%%hypothesis H1 --metric invite_rate --target 0.25 --risk value\n{H1}",
    "%%hypothesis H2 --metric paid_rate --target 0.08 --risk viability\n"
    "A longer team trial will raise paid_rate because teams need time to see value",
    "%experiments",
    RECORD,  # after the table is shown: the saved copy follows by display_id
    "import disco_magics as disco\ndisco.decide('H2', 'kill', learning='Teams needed a reason, not time')",
]
TABLE_CELL = CELLS.index("%experiments")


@pytest.fixture(scope="module")
def executed(jupyter_lab) -> str:
    """The notebook run headless by nbclient in the lab's root, saved without widget state, then trusted
    the way `jupyter trust` does it for the lab server."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    NotebookClient(
        nb,
        timeout=180,
        kernel_name="python3",
        store_widget_state=False,
        resources={"metadata": {"path": str(jupyter_lab.root_dir)}},
    ).execute()
    name = "reopen.ipynb"
    path = jupyter_lab.root_dir / name
    nbformat.write(nb, str(path))
    assert "widgets" not in nb.metadata
    data = nb.cells[TABLE_CELL].outputs[0]["data"]
    assert {WIDGET_VIEW, EXPERIMENTS, "text/html"} <= set(data)
    trust = [str(Path(sys.executable).parent / "jupyter-trust"), str(path)]
    subprocess.run(trust, env=jupyter_lab.env, check=True, capture_output=True, timeout=60)
    return name


def untrusted_copy(lab, name: str) -> str:
    copy = json.loads((lab.root_dir / name).read_text())
    copy["metadata"]["copied_from"] = name  # the signature no longer matches
    target = f"untrusted-{name}"
    (lab.root_dir / target).write_text(json.dumps(copy))
    return target


def cell_trusted(page, index: int) -> bool:
    return page.evaluate(
        "(i) => window.jupyterapp.shell.currentWidget.content.model.cells.get(i).trusted", index
    )


def assert_saved_table_shows(page) -> None:
    output = notebook_cell(page, TABLE_CELL).locator(".jp-OutputArea-output")
    rows = output.get_by_test_id("disco-experiment-row")
    rows.first.wait_for()
    assert rows.count() == 2 and rows.first.is_visible()
    assert [r.get_attribute("data-hypothesis") for r in rows.all()] == ["H1", "H2"]
    text = output.inner_text()
    assert "validated" in text and "kill" in text and "Teams needed a reason, not time" in text
    assert "Saved copy, not live" in output.get_by_role("note").inner_text()
    # ipywidgets gives up on a missing model after 2 s: wait longer, then read every output, hidden or not
    time.sleep(3)
    everything = page.locator(f"{VISIBLE_NOTEBOOK} .jp-OutputArea").all_text_contents()
    assert not [t for t in everything if any(error in t for error in ERRORS)], everything


def test_a_trusted_notebook_reopened_in_a_new_kernel_shows_its_saved_table(
    page, console, jupyter_lab, executed, artifacts
):
    open_notebook(page, jupyter_lab, executed)  # a new kernel: the widget's model is gone
    assert cell_trusted(page, TABLE_CELL)
    run_command(page, "application:toggle-left-area")
    assert_saved_table_shows(page)
    notebook_cell(page, TABLE_CELL).scroll_into_view_if_needed()
    page.mouse.move(0, 0)
    # docs/experiment-table-reopened.png is a copy of this one
    page.locator(VISIBLE_NOTEBOOK).screenshot(path=str(artifacts / "experiment-table-reopened.png"))

    # Running the notebook again in the new kernel gives the live widget back, in the same place.
    run_all_cells(page)
    widget = notebook_cell(page, TABLE_CELL).locator(".disco-xt")
    widget.locator('tr.disco-xt-row[data-hypothesis="H2"]').wait_for()
    assert widget.locator("tr.disco-xt-row").count() == 2
    assert notebook_cell(page, TABLE_CELL).get_by_test_id("disco-saved-copy").count() == 0
    widget.locator('tr[data-hypothesis="H1"] .disco-xt-c-verdict').get_by_text("validated").wait_for()
    assert console.errors_except("favicon", "Failed to load resource") == []


def test_an_untrusted_copy_shows_the_saved_table_too(page, console, jupyter_lab, executed):
    name = untrusted_copy(jupyter_lab, executed)
    open_notebook(page, jupyter_lab, name)
    assert not cell_trusted(page, TABLE_CELL)
    assert_saved_table_shows(page)
    assert console.errors_except("favicon", "Failed to load resource") == []


def test_nbconvert_html_shows_the_static_table(jupyter_lab, executed):
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(jupyter_lab.root_dir / executed), as_version=4)
    page, _ = HTMLExporter().from_notebook_node(nb)
    assert 'data-hypothesis="H1"' in page and 'data-hypothesis="H2"' in page
    assert "Teams needed a reason, not time" in page and ".disco-experiments table{" in page
    assert "model not found" not in page


@pytest.fixture(scope="module")
def lab_without_extension(tmp_path_factory):
    """JupyterLab with the disco-magics lab extension disabled: what a colleague without it sees."""
    from .browser import start_jupyter_lab, stop_jupyter_lab

    root = tmp_path_factory.mktemp("plain-lab-root")
    home = tmp_path_factory.mktemp("plain-lab-home")
    page_config = home / "config" / "labconfig" / "page_config.json"
    page_config.parent.mkdir(parents=True)
    page_config.write_text(json.dumps({"disabledExtensions": {"disco-magics": True}}))
    lab = start_jupyter_lab(root, home)
    yield lab
    stop_jupyter_lab(lab)


def test_jupyterlab_without_the_extension_shows_the_static_html_of_an_untrusted_copy(
    page, jupyter_lab, executed, lab_without_extension, artifacts
):
    lab = lab_without_extension
    (lab.root_dir / executed).write_text((jupyter_lab.root_dir / executed).read_text())
    name = untrusted_copy(lab, executed)
    open_notebook(page, lab, name)
    assert page.evaluate("() => window.jupyterapp.hasPlugin('disco-magics:live-table')") is False
    output = notebook_cell(page, TABLE_CELL).locator(".jp-OutputArea-output")
    # JupyterLab's sanitizer keeps the table and its words, drops the stylesheet, the drawings and the
    # data attributes; the verdicts stay apart as bold words.
    rows = output.locator("tbody tr")
    rows.filter(has_text="Teams needed a reason, not time").wait_for()
    assert rows.count() == 2
    assert [r.locator("td").first.inner_text() for r in rows.all()] == ["H1", "H2"]
    assert output.locator("b", has_text="validated").count() == 2 and "kill" in rows.nth(1).inner_text()
    output.screenshot(path=str(artifacts / "experiment-table-without-extension.png"))


@pytest.fixture(scope="module")
def notebook7(tmp_path_factory):
    """Notebook 7 (it loads the same lab extensions as JupyterLab)."""
    pytest.importorskip("notebook")
    from .browser import start_jupyter_lab, stop_jupyter_lab

    lab = start_jupyter_lab(
        tmp_path_factory.mktemp("nb7-root"), tmp_path_factory.mktemp("nb7-home"), app="notebook"
    )
    yield lab
    stop_jupyter_lab(lab)


def test_notebook_7_shows_the_saved_table_of_a_trusted_notebook_in_a_new_kernel(
    page, console, jupyter_lab, executed, notebook7, artifacts
):
    (notebook7.root_dir / executed).write_text((jupyter_lab.root_dir / executed).read_text())
    trust = [str(Path(sys.executable).parent / "jupyter-trust"), str(notebook7.root_dir / executed)]
    subprocess.run(trust, env=notebook7.env, check=True, capture_output=True, timeout=60)
    page.goto(f"{notebook7.url}notebooks/{executed}?token={notebook7.token}")
    page.get_by_text("Trusted", exact=True).wait_for(timeout=90_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-Notebook-ExecutionIndicator, .jp-KernelStatus')]"
        ".length === 0 || document.body.textContent.includes('Python 3')",
        timeout=90_000,
    )
    cell = page.locator(".jp-Cell").nth(TABLE_CELL)
    cell.scroll_into_view_if_needed()
    output = cell.locator(".jp-OutputArea-output")
    output.get_by_test_id("disco-experiment-row").first.wait_for()
    assert output.get_by_test_id("disco-experiment-row").count() == 2
    assert "Saved copy, not live" in output.inner_text()
    time.sleep(3)  # longer than ipywidgets takes to give up on a missing model
    text = page.locator(".jp-OutputArea").all_text_contents()
    assert not [t for t in text if any(error in t for error in ERRORS)], text
    output.screenshot(path=str(artifacts / "experiment-table-notebook7.png"))
    # Notebook 7 itself throws "reading 'schema'" while loading settings here, with or without disco
    assert console.errors_except("favicon", "Failed to load resource", "reading 'schema'") == []


# ---------------------------------------------------------------- a big table (its rows in the HTML only)

BIG = 250  # over LEAN_ROWS: the bundle says rows_in text/html


@pytest.fixture(scope="module")
def big_saved(jupyter_lab) -> str:
    """A saved notebook whose %experiments output is a live table of ``BIG`` rows, bundled as the
    kernel publishes it (``static_bundle``), its widget model gone; not trusted."""
    import nbformat

    from disco_magics.model import ExperimentRow, ExperimentTable
    from disco_magics.widgets.table import static_bundle

    rows = [
        ExperimentRow(
            id=f"H{i}", problem="onboarding", metric="invite_rate", baseline=0.18, target=0.25,
            statement="A <i>bold</i> checklist & more" if i == 3 else f"Change {i} raises invite_rate",
            **(
                dict(observed=0.27, lift=0.09, ci_low=0.04, ci_high=0.14, n=4800, p_value=0.0001,
                     verdict="validated", status="validated", decision="persevere", learning=f"note {i}")
                if i % 2 == 0 else {}
            ),
        )
        for i in range(BIG)
    ]
    data = static_bundle(ExperimentTable(rows=rows, problem="onboarding"))
    assert "rows" not in data[EXPERIMENTS] and "</td>" not in data["text/html"]
    data[WIDGET_VIEW] = {"version_major": 2, "version_minor": 1, "model_id": "gone"}
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("%experiments", outputs=[nbformat.v4.new_output("display_data", data)])]
    name = "big-table.ipynb"
    nbformat.write(nb, str(jupyter_lab.root_dir / name))
    return name


def test_a_big_saved_table_reads_its_rows_from_the_html(page, console, jupyter_lab, big_saved):
    open_notebook(page, jupyter_lab, big_saved)
    output = notebook_cell(page, 0).locator(".jp-OutputArea-output")
    rows = output.get_by_test_id("disco-experiment-row")
    rows.first.wait_for()
    assert rows.count() == BIG
    assert rows.nth(0).get_attribute("data-hypothesis") == "H0" and "validated" in rows.nth(0).inner_text()
    assert "A <i>bold</i> checklist & more" in rows.nth(3).inner_text()
    assert "Saved copy, not live" in output.get_by_role("note").inner_text()
    assert console.errors_except("favicon", "Failed to load resource") == []


def test_a_big_saved_table_in_nbconvert_and_in_a_lab_without_the_extension(
    page, jupyter_lab, big_saved, lab_without_extension
):
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(jupyter_lab.root_dir / big_saved), as_version=4)
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert f"<tr><td>H{BIG - 1}<td>" in html and "note 248" in html

    lab = lab_without_extension
    (lab.root_dir / big_saved).write_text((jupyter_lab.root_dir / big_saved).read_text())
    open_notebook(page, lab, big_saved)
    rows = notebook_cell(page, 0).locator(".jp-OutputArea-output tbody tr")
    rows.filter(has_text="note 248").wait_for()
    assert rows.count() == BIG
    cells = rows.nth(0).locator("td")
    from disco_magics.display.table import COLUMNS

    assert cells.count() == len(COLUMNS) and cells.nth(0).inner_text() == "H0"
    assert cells.nth([key for key, _ in COLUMNS].index("verdict")).inner_text() == "validated"
    assert rows.nth(3).locator("td").nth(1).inner_text() == "A <i>bold</i> checklist & more"
