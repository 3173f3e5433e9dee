"""The experiment table in a real JupyterLab, driven like a user would in headless Chromium."""

from __future__ import annotations

import contextlib
import json
import textwrap

import pytest

from disco_magics.model import ExperimentTable

from .browser import (
    notebook_cell,
    open_notebook,
    run_all_cells,
    run_command,
    save_notebook,
    wait_kernel_idle,
)
from .conftest import H1, ONBOARDING

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PlaywrightTimeout = pytest.importorskip("playwright.sync_api").TimeoutError

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

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

CELLS = [
    "%load_ext disco_magics",
    f"%%problem onboarding\n{ONBOARDING}",
    f"%%hypothesis H1 --metric invite_rate --target 0.25 --risk value\n{H1}",
    "%%hypothesis H2 --metric paid_rate --target 0.08 --risk viability\n"
    "A longer <b>team</b> trial will raise paid_rate because teams need time to see value",
    RECORD,
    "%experiments",
    # Everything below runs after the table is shown: it must appear without re-running %experiments.
    "%%hypothesis H3 --metric invite_rate --target 0.22 --risk usability\n"
    "An invite button in the dashboard header will raise invite_rate because admins cannot find invites",
    "record('H1', 0.18, 0.27)\nrecord('H3', 0.18, 0.19, n=300, target=0.22)",
]
TABLE_CELL = CELLS.index("%experiments")


def visible_ids(table) -> list[str]:
    return table.locator("tr.disco-xt-row").evaluate_all("rows => rows.map(r => r.dataset.hypothesis)")


def test_the_table_in_jupyterlab(jupyter_lab, page, console, artifacts):
    lab = jupyter_lab
    lab.write_notebook("experiments.ipynb", CELLS)
    open_notebook(page, lab, "experiments.ipynb")
    run_command(page, "application:toggle-left-area")  # room for the whole table
    run_all_cells(page)

    widget = notebook_cell(page, TABLE_CELL).locator(".disco-xt")
    table = widget.get_by_role("table")
    # H3 and both results arrived after %experiments ran: the table followed the kernel.
    table.locator('tr[data-hypothesis="H3"]').wait_for()
    page.wait_for_function(
        "() => document.querySelector('.disco-xt tr[data-hypothesis=\"H3\"] .disco-xt-c-verdict')"
        "?.textContent.includes('inconclusive')"
    )
    assert visible_ids(table) == ["H1", "H2", "H3"]
    h1 = table.locator('tr[data-hypothesis="H1"]')
    assert h1.locator(".disco-xt-c-status").inner_text() == "validated"
    assert h1.locator(".disco-xt-c-lift").inner_text().startswith("+0.09")
    assert h1.locator(".disco-xt-c-n").inner_text() == "4,800"
    assert h1.get_by_role("img").count() == 1  # the lift bar
    assert widget.get_by_role("button", name="1 validated").is_visible()
    assert (
        table.locator('tr[data-hypothesis="H2"] .disco-xt-statement')
        .inner_text()
        .startswith("A longer <b>team</b> trial")
    )  # shown as text, never as markup

    # Sort by n, both ways; empty cells stay last.
    table.get_by_role("button", name="n", exact=True).click()
    page.wait_for_function(
        "() => document.querySelector('.disco-xt tr.disco-xt-row').dataset.hypothesis === 'H3'"
    )
    assert visible_ids(table) == ["H3", "H1", "H2"]
    table.get_by_role("button", name="n", exact=True).click()
    page.wait_for_function(
        "() => document.querySelector('.disco-xt tr.disco-xt-row').dataset.hypothesis === 'H1'"
    )
    assert visible_ids(table) == ["H1", "H3", "H2"]
    assert table.locator("th.disco-xt-c-n").get_attribute("aria-sort") == "descending"

    # Filter by status and by risk, then clear.
    widget.get_by_role("combobox", name="Filter by status").select_option("validated")
    page.wait_for_function("() => document.querySelectorAll('.disco-xt tr.disco-xt-row').length === 1")
    assert visible_ids(table) == ["H1"]
    widget.get_by_role("combobox", name="Filter by status").select_option("")
    widget.get_by_role("combobox", name="Filter by risk").select_option("viability")
    page.wait_for_function("() => document.querySelectorAll('.disco-xt tr.disco-xt-row').length === 1")
    assert visible_ids(table) == ["H2"]
    widget.get_by_role("combobox", name="Filter by risk").select_option("")
    page.wait_for_function("() => document.querySelectorAll('.disco-xt tr.disco-xt-row').length === 3")

    # Decide in the widget: H2 has no result, so the decision is allowed and flagged.
    learning = "Teams did not need more time; they needed a reason to invite"
    table.get_by_role("combobox", name="Decision for H2").select_option("kill")
    table.get_by_role("textbox", name="Learning for H2").fill(learning)
    table.get_by_role("button", name="Save decision for H2").click()
    h2_row = table.locator('tr[data-hypothesis="H2"]')
    h2_row.get_by_text("Saved kill; flagged: no result recorded for H2").wait_for()
    assert h2_row.get_by_text("no evidence").is_visible()
    assert widget.get_by_role("status").filter(has_text="H2: Saved kill").count() == 1  # for screen readers

    # ... and persevere on H1, which has evidence: not flagged.
    table.get_by_role("combobox", name="Decision for H1").select_option("persevere")
    table.get_by_role("textbox", name="Learning for H1").fill(
        "Admins invite once the checklist shows teammates"
    )
    table.get_by_role("textbox", name="Learning for H1").press("Control+Enter")
    table.locator('tr[data-hypothesis="H1"]').get_by_text("Saved persevere").wait_for()
    assert table.locator('tr[data-hypothesis="H1"]').get_by_text("no evidence").count() == 0

    # The store has both, read from this process (the kernel wrote them).
    from disco_magics.store import Store

    store = Store(str(lab.root_dir / ".disco" / "discovery.db"))
    try:
        h2 = store.decisions("onboarding", "H2")[-1]
        h1 = store.decisions("onboarding", "H1")[-1]
    finally:
        store.close()
    assert (h2.decision, h2.learning, h2.without_evidence) == ("kill", learning, True)
    assert (h1.decision, h1.without_evidence) == ("persevere", False)

    table.locator('tr[data-hypothesis="H3"]').get_by_role("button", name="Show details of H3").click()
    details = table.locator(".disco-xt-details")
    details.wait_for()
    assert "Why" in details.inner_text() and "No result recorded yet" not in details.inner_text()
    page.mouse.move(0, 0)
    widget.scroll_into_view_if_needed()
    widget.screenshot(path=str(artifacts / "experiment-table.png"))

    # The saved notebook carries the last state as static HTML and JSON, next to the widget view.
    save_notebook(page, lab, "experiments.ipynb")
    saved = lab.read_notebook("experiments.ipynb")
    outputs = saved.cells[TABLE_CELL].outputs
    assert len(outputs) == 1
    data = outputs[0]["data"]
    assert {WIDGET_VIEW, "text/html", ExperimentTable.media_type()} <= set(data)
    assert learning in data["text/html"] and "kill" in data["text/html"]
    rows = {r.id: r for r in ExperimentTable.model_validate(data[ExperimentTable.media_type()]).rows}
    assert (rows["H1"].decision, rows["H2"].decision, rows["H3"].verdict) == (
        "persevere",
        "kill",
        "inconclusive",
    )
    assert console.errors == []

    # Without the kernel that drew it. An untrusted copy (as from GitHub or email) shows the static
    # table: JupyterLab's sanitized text/html, or the disco labextension's rendering of the JSON when
    # it is installed. The trusted original shows what the widget manager does without the model.
    lab.shutdown_kernels()
    copy = json.loads((lab.root_dir / "experiments.ipynb").read_text())
    copy["metadata"]["copied"] = True
    (lab.root_dir / "experiments-copy.ipynb").write_text(json.dumps(copy))
    open_notebook(page, lab, "experiments-copy.ipynb", kernel_ready=False)
    static = notebook_cell(page, TABLE_CELL).locator(".jp-OutputArea-output")
    static.get_by_text(learning).first.wait_for()
    text = static.inner_text()
    assert all(word in text for word in ("H1", "H2", "H3", "persevere", "kill", "inconclusive")), text
    static.scroll_into_view_if_needed()
    static.screenshot(path=str(artifacts / "experiment-table-static.png"))

    open_notebook(page, lab, "experiments.ipynb")
    wait_kernel_idle(page)
    # The trusted original in a new kernel: the widget's model is gone, the labextension shows the saved
    # copy (ipywidgets alone would say "Error displaying widget: model not found").
    output = notebook_cell(page, TABLE_CELL).locator(".jp-OutputArea")
    output.get_by_test_id("disco-saved-copy").wait_for()
    assert output.get_by_test_id("disco-experiment-row").count() == 3
    assert "Saved copy, not live" in output.inner_text()
    with contextlib.suppress(PlaywrightTimeout):  # ipywidgets gives up on a missing model after 2 s
        page.wait_for_function(
            "el => el.textContent.includes('model not found')", arg=output.element_handle(), timeout=3_000
        )
    assert "model not found" not in output.text_content() and "Loading widget" not in output.text_content()
    output.screenshot(path=str(artifacts / "experiment-table-new-kernel.png"))
