"""The Result card: text, escaped HTML with an SVG of the lift, and the JSON that round-trips."""

from __future__ import annotations

import json
import re

import pytest

from disco_magics.display.result import VERDICT_COLOURS, result_bundle
from disco_magics.model import ArmStats, Result
from disco_magics.stats import arm_from_rate, evaluate


def prop(name: str, n: int, hits: int) -> ArmStats:
    return ArmStats(name=name, kind="proportion", n=n, sum=hits, sum_squares=hits)


@pytest.fixture
def validated() -> Result:
    return evaluate(
        hypothesis="H1",
        metric="invite_rate",
        target=0.30,
        baseline=0.18,
        control=prop("control", 5000, 900),
        treatment=prop("checklist", 5000, 1550),
    )


def test_bundle_has_text_html_and_json(validated):
    bundle = result_bundle(validated)
    assert set(bundle) == {"text/plain", "text/html", "application/vnd.disco.result+json"}
    text = bundle["text/plain"]
    assert text.startswith("H1 · invite_rate — VALIDATED")
    assert validated.reason in text
    assert "n=     5,000" in text and "lift: +13 pp (95% CI +11.3 pp to +14.7 pp)" in text
    assert "chance to beat: >99.9%" in text
    assert Result.model_validate(bundle[Result.media_type()]) == validated
    json.dumps(bundle[Result.media_type()], allow_nan=False)


def test_html_card_has_verdict_colour_and_svg(validated):
    card = result_bundle(validated)["text/html"]
    fg, bg = VERDICT_COLOURS["validated"]
    assert fg in card and bg in card
    svg = re.search(r"<svg .*?</svg>", card).group(0)
    assert 'class="target"' in svg and 'class="ci"' in svg and 'class="lift"' in svg
    assert "target +12 pp" in svg
    assert "<script" not in card.lower()


@pytest.mark.parametrize(
    ("control", "treatment", "verdict"),
    [
        (prop("control", 5000, 900), prop("checklist", 5000, 750), "invalidated"),
        (prop("control", 200, 36), prop("checklist", 200, 40), "inconclusive"),
    ],
)
def test_other_verdicts_are_coloured(control, treatment, verdict):
    result = evaluate(
        hypothesis="H1",
        metric="invite_rate",
        target=0.22,
        baseline=0.18,
        control=control,
        treatment=treatment,
    )
    assert result.verdict == verdict
    card = result_bundle(result)["text/html"]
    assert VERDICT_COLOURS[verdict][0] in card and f"disco-{verdict}" in card


def test_reason_metric_and_arm_names_are_escaped():
    hostile = "<img src=x onerror=alert(1)>"
    result = evaluate(
        hypothesis="H1",
        metric=hostile,
        target=0.30,
        baseline=0.18,
        control=prop("<script>alert(1)</script>", 5000, 900),
        treatment=prop("b&b", 5000, 1000),
    )
    result = result.model_copy(update={"reason": result.reason + ' "</p><script>x()</script>'})
    bundle = result_bundle(result)
    card = bundle["text/html"]
    assert "<script" not in card and "<img" not in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card and "b&amp;b" in card
    assert "&lt;img src=x onerror=alert(1)&gt;" in card
    assert "onerror" in bundle["text/plain"]  # the plain text is not HTML: left as typed


def test_fixed_baseline_card_and_required_n():
    result = evaluate(
        hypothesis="H2",
        metric="paid_rate",
        target=0.08,
        control=0.06,
        treatment=arm_from_rate("pricing_page", 0.065, 400),
        source="aggregates",
    )
    assert result.verdict == "inconclusive"
    bundle = result_bundle(result)
    assert "fixed baseline" in bundle["text/plain"]
    assert "needed for 80% power" in bundle["text/plain"]
    assert f"{result.required_n_per_arm:,} in pricing_page" in bundle["text/html"]
    assert Result.model_validate(bundle[Result.media_type()]) == result


def test_a_rehearsal_card_says_so_names_its_data_and_escapes_it(validated):
    from disco_magics.model import Provenance

    made = Provenance(name="trials", seed=7, rows=10_000, planted=["plan[variant=<b>x</b>]: bernoulli(0.3)"])
    rehearsal = validated.model_copy(update={"rehearsal": True, "provenance": made})
    bundle = result_bundle(rehearsal)
    lines = bundle["text/plain"].splitlines()
    assert lines[0] == "H1 · invite_rate — REHEARSAL · VALIDATED"
    assert lines[1].startswith("Rehearsal: what the analysis would say on synthetic data with the effect you planted")
    assert lines[2] == "Measured on " + made.describe() + "."
    page = bundle["text/html"]
    assert 'class="disco-rehearsal"' in page and "disco-rehearsal-card" in page
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    back = Result.model_validate(bundle[Result.media_type()])
    assert back.rehearsal and back.provenance == made
    # a real result carries none of it
    assert "REHEARSAL" not in result_bundle(validated)["text/plain"]
    assert "disco-rehearsal" not in result_bundle(validated)["text/html"]


def test_synthetic_provenance_without_the_rehearsal_flag_is_refused(validated):
    from disco_magics.model import Provenance

    with pytest.raises(ValueError, match="must be a rehearsal"):
        Result.model_validate(
            validated.model_dump() | {"provenance": Provenance(seed=1, rows=1).model_dump()}
        )
