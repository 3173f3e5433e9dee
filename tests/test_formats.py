"""One formatting module (``disco_magics.formats``), one palette, one lift drawing — read the same everywhere."""

from __future__ import annotations

import re

import pytest

from disco_magics import formats, stats
from disco_magics.display import _html
from disco_magics.display._palette import BADGE, INK, palette_css
from disco_magics.display.lift import lift_bar, lift_chart
from disco_magics.display.result import VERDICT_COLOURS
from disco_magics.model import ExperimentRow, Hypothesis, Result
from disco_magics.stats import _format


@pytest.mark.parametrize(
    ("p", "short", "sentence"),
    [
        (0.0496, "0.0496", "p = 0.0496"),  # 3 digits would print 0.050 and read as not significant
        (0.0504, "0.050", "p = 0.050"),  # above alpha either way: three digits are honest
        (0.034, "0.034", "p = 0.034"),
        (0.2, "0.200", "p = 0.200"),
        (0.0004, "<0.001", "p < 0.001"),
    ],
)
def test_p_values_never_round_across_alpha_in_tables_or_sentences(p, short, sentence):
    assert formats.p_value_short(p) == short
    assert _html.fmt_p(p) == short  # the table and report cells
    assert formats.p_value(p) == sentence == _format.fmt_p(p)  # the verdicts' reasons


def test_stats_and_display_share_the_same_functions():
    assert _format.fmt_value is formats.value and _format.fmt_change is formats.change
    assert _html.fmt is formats.number
    assert formats.value("proportion", 0.271) == "27.1%" and formats.change("proportion", 0.091) == "+9.1 pp"
    assert formats.number(None) == "—" and formats.number(2400) == "2,400" and formats.number(0.18) == "0.18"


def test_one_palette_for_badges_cards_and_the_widget():
    css = palette_css()
    for word, (fg, bg) in BADGE.items():
        assert f".disco-xt-{word} {{ color: {fg}; background: {bg}; }}" in css
        badge = _html.badge(word)
        assert f"color:{fg};background:{bg}" in badge
    for verdict, (fg, bg) in VERDICT_COLOURS.items():
        assert fg == INK[verdict] and bg == BADGE[verdict][1]
    from disco_magics.widgets.table import ExperimentTableWidget

    assert css in ExperimentTableWidget._css


def _result(control_mean: float, target: float) -> Result:
    return stats.evaluate(
        hypothesis="H1",
        metric="invite_rate",
        target=target,
        control=stats.arm_from_rate("control", control_mean, 4000),
        treatment=stats.arm_from_rate("treatment", control_mean + 0.05, 4000),
        baseline=0.18,
    )


def _hypothesis(baseline: float) -> Hypothesis:
    return Hypothesis(
        id="H1", problem="onboarding", statement="We believe a checklist helps.", metric="invite_rate",
        baseline=baseline, target=0.3,
    )


def test_target_lift_is_computed_once_and_carried_to_the_row_and_the_json():
    result = _result(control_mean=0.22, target=0.3)
    assert result.target_lift == pytest.approx(0.3 - 0.22)  # from the reference, not the baseline 0.18
    payload = result.model_dump(mode="json")
    assert payload["target_lift"] == pytest.approx(0.08)
    assert Result.model_validate(payload) == result  # the derived field is dropped on the way back in
    row = ExperimentRow.from_evidence(_hypothesis(0.18), result)
    assert row.target_lift == result.target_lift


def _xs(svg: str) -> tuple[float, float, float]:
    """(CI start, CI end, target) x positions of a compact lift bar."""
    (ci_low, ci_high) = re.search(r'<line x1="([\d.]+)" y1="9.0" x2="([\d.]+)"', svg).groups()
    (target,) = re.findall(r'<line x1="([\d.]+)" y1="1"', svg)
    return float(ci_low), float(ci_high), float(target)


def test_the_table_bar_marks_the_target_where_the_result_card_does():
    # control 0.22, target 0.26: the target needs +4 pp, inside the lift's CI (~+3 to +7 pp); measured from
    # the declared baseline 0.18 (the old table bar) it would have sat at +8 pp, beyond the CI
    result = _result(control_mean=0.22, target=0.26)
    row = ExperimentRow.from_evidence(_hypothesis(0.18), result)
    low, high, target = _xs(lift_bar(row))
    assert low < target < high
    # the hypothesis' declared baseline no longer moves the target: only the result's reference does
    assert lift_bar(row) == lift_bar(ExperimentRow.from_evidence(_hypothesis(0.10), result))
    assert "target +4 pp" in lift_chart(result)
