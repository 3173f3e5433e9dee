"""The Portfolio view in a real JupyterLab and headless Chromium: two notebooks with different problems
run headless (``disco run``) into one store, JupyterLab opened with neither notebook open, the view lists
both problems with the right statuses, and clicking a hypothesis opens its notebook at its cell."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from .browser import (
    VISIBLE_NOTEBOOK,
    open_notebook,
    run_all_cells,
    run_command,
    start_jupyter_lab,
    stop_jupyter_lab,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
pytest.importorskip("playwright.sync_api")

DOCS = Path(__file__).resolve().parents[1] / "docs"
VIEW = "#disco-magics-portfolio"

ONBOARDING = [
    "%load_ext disco_magics",
    "%%problem onboarding\nTrial admins don't reach a first shared dashboard, so few invite a teammate.\n"
    "metric: invite_rate = share of trials inviting a teammate within 7 days (baseline 0.18)",
    "%%hypothesis H1 --metric invite_rate --target 0.25 --risk value\n"
    "We believe a guided onboarding checklist will raise invites from 18% to 25%.",
    "%%hypothesis H2 --metric invite_rate --target 0.22 --risk usability\n"
    "We believe a clearer invite button will raise invites from 18% to 22%.",
    "%measure H1 --observed 0.27 --n 2400 --baseline-n 2400",
]

PRICING = [
    "%load_ext disco_magics",
    "%%problem pricing\nSmall teams leave at the paywall because the team plan looks expensive.\n"
    "metric: paid_rate = share of trials converting to paid within 30 days (baseline 0.06)",
    "%%hypothesis H1 --metric paid_rate --target 0.09 --risk viability\n"
    "We believe a per-seat price will raise conversion from 6% to 9%.",
    "%measure H1 --observed 0.05 --n 3000 --baseline-n 3000",
    'import disco_magics as disco\ndisco.decide("H1", "kill", learning="small teams did not convert on price")',
]


def write_notebook(path: Path, cells: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return nb


def disco_run(root: Path, notebook: str, store: Path) -> None:
    ran = subprocess.run(
        [sys.executable, "-m", "disco_magics.cli", "run", notebook, "--inplace", "--no-progress"],
        cwd=root,
        env={**os.environ, "DISCO_STORE": str(store)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr


@pytest.fixture(scope="module")
def team_lab(tmp_path_factory):
    """Two notebooks run headless into the store in the server root; then the server starts."""
    root = tmp_path_factory.mktemp("team-root")
    store = root / ".disco" / "discovery.db"
    onboarding = write_notebook(root / "onboarding.ipynb", ONBOARDING)
    pricing = write_notebook(root / "team" / "pricing.ipynb", PRICING)
    disco_run(root, "onboarding.ipynb", store)
    disco_run(root, "team/pricing.ipynb", store)
    lab = start_jupyter_lab(root, tmp_path_factory.mktemp("team-home"))
    lab.cell_ids = {"onboarding": [c.id for c in onboarding.cells], "pricing": [c.id for c in pricing.cells]}
    yield lab
    stop_jupyter_lab(lab)


def test_the_portfolio_shows_every_notebook_and_opens_a_hypothesis_at_its_cell(page, console, team_lab):
    page.goto(team_lab.lab_url())  # JupyterLab, with neither notebook open
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.commands.hasCommand('disco-magics:show-portfolio')",
        timeout=90_000,
    )
    assert page.evaluate("() => window.jupyterapp.shell.currentWidget === null || !window.jupyterapp.shell.currentWidget.sessionContext")
    page.evaluate("() => window.jupyterapp.restored.then(() => true)")  # the layout restorer is done
    run_command(page, "disco-magics:show-portfolio")
    view = page.locator(VIEW)
    view.get_by_test_id("disco-portfolio-problem").first.wait_for()
    problems = [p.get_attribute("data-problem") for p in view.get_by_test_id("disco-portfolio-problem").all()]
    assert sorted(problems) == ["onboarding", "pricing"]

    def status(problem: str, hypothesis: str) -> str | None:
        row = view.locator(
            f'[data-testid="disco-portfolio-hypothesis"][data-problem="{problem}"][data-hypothesis="{hypothesis}"]'
        )
        return row.get_attribute("data-status")

    assert status("onboarding", "H1") == "validated"
    assert status("onboarding", "H2") == "draft"
    assert status("pricing", "H1") == "invalidated"
    killed = view.locator('[data-testid="disco-portfolio-hypothesis"][data-problem="pricing"]')
    assert "kill" in killed.get_by_test_id("disco-decision").inner_text()
    summary = view.get_by_test_id("disco-portfolio-summary").inner_text()
    assert summary.startswith("2 problems · 3 hypotheses")
    assert "1 killed" in summary

    # The status filter: killed bets only.
    view.get_by_label("Filter by status").select_option("killed")
    page.wait_for_function(
        f"() => document.querySelectorAll('{VIEW} [data-testid=\"disco-portfolio-hypothesis\"]').length === 1"
    )
    view.get_by_label("Filter by status").select_option("")

    # Clicking a hypothesis opens its notebook (in a sub-folder) at the hypothesis' cell.
    view.get_by_role("button", name="Open hypothesis H1 of pricing").click()
    page.locator(f"{VISIBLE_NOTEBOOK} .jp-Cell").first.wait_for(timeout=60_000)
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " return w && w.context && w.context.path === 'team/pricing.ipynb'"
        " && w.content.activeCell && w.content.activeCell.model.sharedModel.getSource().startsWith('%%hypothesis H1'); }",
        timeout=60_000,
    )
    active_id = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.activeCell.model.id")
    assert active_id == team_lab.cell_ids["pricing"][2]
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "portfolio.png"))  # the view beside the notebook it opened

    assert console.errors_except("favicon", "Failed to load resource") == []


def test_a_kernel_started_by_jupyterlab_records_its_notebook_and_cells(page, team_lab):
    """Provenance from a real JupyterLab kernel: JPY_SESSION_NAME and the cellId JupyterLab sends."""
    nb = write_notebook(
        team_lab.root_dir / "lab-run.ipynb",
        [
            "%load_ext disco_magics",
            "%%problem activation\nNew accounts never reach the aha moment.\n"
            "metric: activation_rate = share activated in 7 days (baseline 0.2)",
            "%%hypothesis H1 --metric activation_rate --target 0.3 --risk value\n"
            "We believe a sample dashboard will raise activation from 20% to 30%.",
        ],
    )
    open_notebook(page, team_lab, "lab-run.ipynb")
    run_all_cells(page)
    status, body = fetch_portfolio(team_lab)
    assert status == 200, body
    [activation] = [p for p in body["problems"] if p["name"] == "activation"]
    assert (activation["notebook"], activation["cell"]) == ("lab-run.ipynb", nb.cells[1].id)
    [h1] = activation["hypotheses"]
    assert (h1["notebook"], h1["cell"]) == ("lab-run.ipynb", nb.cells[2].id)


def fetch_portfolio(lab):
    import json
    import urllib.request

    request = urllib.request.Request(
        f"{lab.url}disco-magics/portfolio", headers={"Authorization": f"token {lab.token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())
