"""The JupyterLab extension in a real JupyterLab and headless Chromium: the Discovery panel, the insert
commands and the kernel-free rendering of saved outputs, on the shipped example notebook."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .browser import notebook_cell, open_notebook, run_command

pytestmark = [pytest.mark.browser, pytest.mark.slow]
pytest.importorskip("playwright.sync_api")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "01-onboarding-activation.ipynb"
PANEL = "#disco-magics-panel"


@pytest.fixture
def example(jupyter_lab) -> str:
    name = "panel-example.ipynb"
    shutil.copy(EXAMPLE, jupyter_lab.root_dir / name)
    return name


def active_cell_index(page) -> int:
    return page.evaluate("() => window.jupyterapp.shell.currentWidget.content.activeCellIndex")


def cell_source(page, index: int) -> str:
    return page.evaluate(
        "(i) => window.jupyterapp.shell.currentWidget.content.widgets[i].model.sharedModel.getSource()", index
    )


def test_panel_lists_the_saved_discovery_and_jumps_to_cells(page, console, jupyter_lab, example, artifacts):
    # Opened without running anything: all the panel knows comes from the document and its saved outputs.
    open_notebook(page, jupyter_lab, example, kernel_ready=False)
    run_command(page, "disco-magics:show-panel")
    panel = page.locator(PANEL)
    panel.wait_for()
    problem = panel.get_by_test_id("disco-problem")
    assert problem.get_attribute("aria-label") == "Problem onboarding"
    assert [m.get_attribute("data-metric") for m in panel.get_by_test_id("disco-metric").all()] == [
        "invite_rate",
        "paid_rate",
    ]
    hypothesis = panel.locator('[data-testid="disco-hypothesis"][data-hypothesis="H1"]')
    assert hypothesis.get_attribute("data-status") == "validated"
    assert "0.25" in hypothesis.get_by_test_id("disco-target").inner_text()
    panel.screenshot(path=str(artifacts / "discovery-panel.png"))

    # Clicking the hypothesis selects its cell.
    notebook_cell(page, 0).click()
    hypothesis.get_by_role("button", name="Go to hypothesis H1").click()
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.content.activeCell.model.sharedModel.getSource()"
        ".startsWith('%%hypothesis H1')"
    )
    selected = active_cell_index(page)
    assert cell_source(page, selected).startswith("%%hypothesis H1")

    # The insert command adds a hypothesis template cell below, for the problem above.
    count = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.widgets.length")
    run_command(page, "disco-magics:insert-hypothesis")
    page.wait_for_function(
        f"() => window.jupyterapp.shell.currentWidget.content.widgets.length === {count + 1}"
    )
    inserted = cell_source(page, active_cell_index(page))
    assert inserted.startswith("%%hypothesis H2")
    assert "--metric invite_rate" in inserted

    assert console.errors_except("favicon", "Failed to load resource") == []


def test_saved_experiment_table_renders_from_its_bundle(page, console, jupyter_lab, example, artifacts):
    open_notebook(page, jupyter_lab, example, kernel_ready=False)
    table = page.get_by_test_id("disco-experiments").first
    table.scroll_into_view_if_needed()
    table.wait_for()
    rows = table.get_by_test_id("disco-experiment-row")
    assert rows.count() == 1
    text = rows.first.text_content()
    assert "H1" in text and "validated" in text and "persevere" in text
    table.screenshot(path=str(artifacts / "experiment-table-saved.png"))
    result = page.locator('[data-testid="disco-result"]').first
    if result.count():
        assert "validated" in result.inner_text().lower()
    assert console.errors_except("favicon", "Failed to load resource") == []


def test_saved_learning_report_renders_from_its_bundle(page, console, jupyter_lab, example, artifacts):
    open_notebook(page, jupyter_lab, example, kernel_ready=False)
    report = page.get_by_role("region", name="Learning report")
    report.scroll_into_view_if_needed()
    report.wait_for()
    card = report.get_by_test_id("disco-learning-card").first
    assert card.get_attribute("aria-label") == "Learning H1"
    facts = card.locator("dt").all_inner_texts()
    assert facts == ["We believed", "We observed", "We learned", "Therefore we will"]
    assert "persevere" in card.inner_text()
    report.screenshot(path=str(artifacts / "learning-report-saved.png"))
    assert console.errors_except("favicon", "Failed to load resource") == []
