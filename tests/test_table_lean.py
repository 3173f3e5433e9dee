"""A big experiment table (``LEAN_ROWS`` rows or more) republished by a live table: the HTML stays a
complete, readable table in fewer bytes, the JSON bundle names where its rows are, and the lab
extension reads the rows back from that HTML (its jest test reads the fixture this file keeps current).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

from disco_magics.display.table import COLUMNS, LEAN_ROWS, table_html
from disco_magics.model import ExperimentRow, ExperimentTable
from disco_magics.widgets import StaticTable
from disco_magics.widgets.table import static_bundle

FIXTURE = Path(__file__).resolve().parents[1] / "labextension" / "src" / "__tests__" / "lean-table.json"
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def sample_rows() -> list[ExperimentRow]:
    """Every kind of cell: results or none, a tiny p, thousands, post hoc, a long and an evil
    statement, a decision without evidence, rehearsals (with and without evidence), another problem."""
    common = dict(problem="onboarding", metric="invite_rate", baseline=0.18, target=0.25, updated_at=WHEN)
    return [
        ExperimentRow(
            id="H1", statement="A checklist will raise invite_rate because admins forget", risk="value",
            observed=0.2712, lift=0.0912, ci_low=0.0411, ci_high=0.1413, target_lift=0.07, n=12400,
            p_value=0.00002, verdict="validated", status="validated", decision="persevere",
            learning="Admins <b>love</b> it & ask for more", looks=2, **common,
        ),
        ExperimentRow(
            id="H2", statement="x " * 80 + "end", risk="usability", status="draft", rehearsal="validated", **common
        ),
        ExperimentRow(
            id="H3", statement='A "quoted" <i>banner</i> helps', observed=0.179, lift=-0.001, ci_low=-0.03,
            ci_high=0.028, n=800, p_value=0.049, verdict="inconclusive", rehearsal="invalidated", status="running",
            post_hoc=True,
            decision="kill", without_evidence=True, **common,
        ),
        ExperimentRow(
            id="H4", statement="Pricing copy matters", problem="pricing", metric="conversion", target=0.05,
            status="draft", updated_at=WHEN,
        ),
    ]


def fixture() -> dict:
    table = ExperimentTable(rows=sample_rows(), problem=None, generated_at=WHEN)
    return {
        "lean": table_html(table, lean=True),
        "full": table_html(table, lean=False),
        "rows": [row.model_dump(mode="json") for row in table.rows],
    }


def test_the_lab_extension_fixture_is_current():
    """labextension/src/__tests__/lean-table.json is what Python writes today
    (``DISCO_WRITE_FIXTURES=1 pytest tests/test_table_lean.py`` rewrites it)."""
    text = json.dumps(fixture(), ensure_ascii=False, indent=1) + "\n"
    if os.environ.get("DISCO_WRITE_FIXTURES"):
        FIXTURE.write_text(text, encoding="utf-8")
    assert FIXTURE.read_text(encoding="utf-8") == text


class Cells(HTMLParser):
    """The text of every body cell, as a browser's parser sees it (implied end tags included)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag == "td":
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False

    def handle_data(self, data):
        if self._in_body and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


def test_the_lean_html_has_every_cell_of_the_full_one():
    full, lean = Cells(), Cells()
    full.feed(fixture()["full"])
    lean.feed(fixture()["lean"])
    assert len(lean.rows) == 4 and all(len(r) == len(COLUMNS) for r in lean.rows)
    assert lean.rows == full.rows  # the drawing was the only thing dropped (the CI is text in both)
    html = fixture()["lean"]
    assert "<svg" not in html and "</td>" not in html and "<i>" not in html and "&lt;i&gt;" in html


def big_table(count: int) -> ExperimentTable:
    rows = [
        ExperimentRow(
            id=f"H{i}", problem="onboarding", statement=f"Change {i} raises invite_rate", metric="invite_rate",
            target=0.25, observed=0.2 if i % 2 else None, updated_at=WHEN,
        )
        for i in range(count)
    ]
    return ExperimentTable(rows=rows, problem="onboarding", generated_at=WHEN)


def test_a_big_table_keeps_its_rows_in_the_html_and_says_so_in_the_json():
    small, big = big_table(LEAN_ROWS - 1), big_table(LEAN_ROWS)
    assert len(static_bundle(small)[ExperimentTable.media_type()]["rows"]) == LEAN_ROWS - 1
    bundle = static_bundle(big)
    payload = bundle[ExperimentTable.media_type()]
    assert payload["rows_in"] == "text/html" and payload["count"] == LEAN_ROWS and "rows" not in payload
    assert payload["problem"] == "onboarding" and "problems" not in payload
    assert f"H{LEAN_ROWS - 1}<td>" in bundle["text/html"] and "<svg" not in bundle["text/html"]
    assert bundle["text/plain"].startswith(f"Experiments — problem onboarding: {LEAN_ROWS:,} hypotheses")
    every = ExperimentTable(rows=big.rows, problem=None)
    assert static_bundle(every)[ExperimentTable.media_type()]["problems"] == ["onboarding"] * LEAN_ROWS


def test_the_row_by_row_html_follows_the_table_across_the_lean_threshold():
    static = StaticTable()
    for count in (3, LEAN_ROWS, LEAN_ROWS - 1, LEAN_ROWS + 2):
        table = big_table(count)
        dumps = [r.model_dump(mode="json") for r in table.rows]
        assert static.html(table.rows, dumps, "onboarding") == table_html(table), count
