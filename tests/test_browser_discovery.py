"""The front of the loop in a real JupyterLab and headless Chromium: `%hypotheses --draft 3` leaves three
`%%hypothesis` cells below it, in order, never run; the Discovery panel lists `%%evidence` cells under their
hypothesis."""

from __future__ import annotations

import pytest

from .browser import notebook_cell, open_notebook, run_all_cells, run_command

pytestmark = [pytest.mark.browser, pytest.mark.slow]
pytest.importorskip("playwright.sync_api")

PANEL = "#disco-magics-panel"
PROBLEM = """%%problem agencies
Small agencies sign up, set up a first project, then most of them go quiet.
segment: agencies with 2-20 people on the free plan
metric: week2_active = share of new agency workspaces active in their second week (baseline 0.22)
metric: client_invites = share of workspaces inviting a client within 14 days (baseline 0.08)"""
EVIDENCE = """%%evidence H1 --kind interview --source "call with an agency founder" --signal supports
We set up one project and then didn't know what the tool was for."""


def sources(page) -> list[str]:
    return page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.content.widgets.map(w => w.model.sharedModel.getSource())"
    )


def test_drafts_become_cells_and_evidence_shows_in_the_panel(jupyter_lab, page, console, artifacts):
    lab = jupyter_lab
    lab.write_notebook("drafts.ipynb", ["%load_ext disco_magics", PROBLEM, "%hypotheses --draft 3", EVIDENCE])
    open_notebook(page, lab, "drafts.ipynb")
    run_all_cells(page)
    page.wait_for_function("() => window.jupyterapp.shell.currentWidget.content.widgets.length === 7")
    cells = sources(page)
    assert cells[:3] == ["%load_ext disco_magics", PROBLEM, "%hypotheses --draft 3"]
    assert [c.split("\n")[0].split()[1] for c in cells[3:6]] == ["H1", "H2", "H3"]  # in order, each once
    assert all(c.startswith("%%hypothesis ") and "\nWe believe " in c for c in cells[3:6])
    assert cells[6] == EVIDENCE
    assert notebook_cell(page, 2).inner_text().count("no LLM wrote these") == 1

    run_command(page, "disco-magics:show-panel")
    panel = page.locator(PANEL)
    heard = panel.locator('[data-testid="disco-hypothesis"][data-hypothesis="H1"]').get_by_test_id("disco-heard")
    heard.wait_for()
    assert "Heard from users: 1 (1 supporting, 0 contradicting)" in heard.inner_text()
    assert "didn't know what the tool was for" in heard.inner_text()
    panel.screenshot(path=str(artifacts / "discovery-panel-evidence.png"))
    heard.get_by_role("button", name="Go to evidence cell for H1").click()
    page.wait_for_function("() => window.jupyterapp.shell.currentWidget.content.activeCellIndex === 6")
    assert console.errors_except("favicon") == []
