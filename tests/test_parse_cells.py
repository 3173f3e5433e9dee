"""%%problem and %%hypothesis bodies → models, without IPython."""

from __future__ import annotations

import pytest

from disco_magics.errors import DiscoError, NotFoundError, ParseError, ValidationFailed
from disco_magics.parse.cells import parse_hypothesis, parse_number, parse_problem

from .conftest import H1, ONBOARDING


@pytest.fixture
def problem():
    return parse_problem("onboarding", ONBOARDING)


def test_problem_statement_and_keys(problem):
    assert problem.statement.startswith("Trial admins don't reach")
    assert problem.statement.endswith("few convert.")
    assert problem.segment == "trial admins at companies with 10-200 employees"
    assert [(m.name, m.baseline) for m in problem.metrics] == [("invite_rate", 0.18), ("paid_rate", 0.06)]
    assert problem.metrics[0].description == "share of trials inviting a teammate within 7 days"
    assert problem.constraints == ["no pricing changes this quarter"]


def test_problem_baseline_in_percent_and_outcome():
    p = parse_problem("p", "Stuck.\nmetric: activation (baseline 35%)\noutcome: more teams activate")
    assert p.metrics[0].baseline == pytest.approx(0.35)
    assert p.metrics[0].description == ""
    assert p.outcome == "more teams activate"


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("p", "", "problem p needs a statement"),
        ("p", "segment: admins", "problem p needs a statement"),
        ("p", "Stmt\nmetric: = no name", "line 2: metric needs a name first"),
        ("p", "Stmt\nmetric: a (baseline 1)\nmetric: a", "line 3: metric a is declared twice"),
        ("p", "Stmt\nsegment: a\nnot a key line", "line 3: expected `key: value`"),
        ("p", "Stmt\nsegment:", "line 2: segment: needs a value"),
        ("1bad", "Stmt", "problem name '1bad' is not a valid name"),
        ("", "Stmt", "problem name is missing"),
    ],
)
def test_problem_errors(name, body, message):
    with pytest.raises(ParseError) as err:
        parse_problem(name, body)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_hypothesis_from_options(problem):
    h = parse_hypothesis("H1", H1, problem, metric="invite_rate", target="0.30", risk="value")
    assert (h.metric, h.target, h.baseline, h.risk, h.status) == ("invite_rate", 0.30, 0.18, "value", "draft")
    assert h.direction == "increase"
    assert h.warnings == []


def test_hypothesis_from_text(problem):
    h = parse_hypothesis(
        "H2", "A paid_rate banner for admins lifts it from 6% to 8% because of urgency.", problem
    )
    assert (h.metric, h.baseline, h.target) == ("paid_rate", pytest.approx(0.06), pytest.approx(0.08))
    h = parse_hypothesis(
        "H3", "Invites for admins rise to 0.25 because of a nudge.", problem, metric="invite_rate"
    )
    assert (h.target, h.baseline) == (0.25, 0.18)


def test_lone_to_in_text_never_contradicts_an_option(problem):
    h = parse_hypothesis(
        "H4", "Admins with up to 3 seats invite more", problem, metric="invite_rate", target=0.3
    )
    assert h.target == 0.3


def test_lint_is_gentle(problem):
    h = parse_hypothesis("H5", "Fewer invites", problem, metric="invite_rate", target=0.3)
    assert any("no risk named" in w for w in h.warnings)
    assert any("goes down" in w for w in h.warnings)
    assert any("because" in w for w in h.warnings)
    same = parse_hypothesis("H6", "x because y", problem, metric="invite_rate", target=0.18, risk="value")
    assert any("equals the baseline" in w for w in same.warnings)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"metric": "nope", "target": 0.3},
            NotFoundError,
            "unknown metric 'nope' for problem onboarding; known: invite_rate, paid_rate",
        ),
        ({"metric": "invite_rate"}, ValidationFailed, "no target for H1"),
        ({"metric": "invite_rate", "target": "abc"}, ParseError, "--target must be a number"),
        ({"metric": "invite_rate", "target": 1.5}, ValidationFailed, "target 1.5 is outside [0, 1]"),
        ({"metric": "invite_rate", "target": 0.3, "risk": "money"}, ValidationFailed, "unknown risk 'money'"),
        ({"target": 0.3}, ValidationFailed, "which metric does H1 move?"),
    ],
)
def test_hypothesis_errors(problem, kwargs, error, message):
    with pytest.raises(error) as err:
        parse_hypothesis("H1", "We believe x because y", problem, **kwargs)
    assert str(err.value).startswith(message)
    assert " — e.g. %%hypothesis" in str(err.value)


def test_contradiction_between_option_and_text(problem):
    with pytest.raises(ValidationFailed, match="--target 0.3 contradicts 0.25 in the text"):
        parse_hypothesis("H1", "invite_rate goes from 18% to 25%", problem, target=0.3)


def test_hypothesis_before_problem_and_empty_body(problem):
    with pytest.raises(NotFoundError, match="no problem yet"):
        parse_hypothesis("H1", "text", None, target=0.3)
    with pytest.raises(ParseError, match="needs a statement"):
        parse_hypothesis("H1", "   ", problem, target=0.3)


@pytest.mark.parametrize(
    ("raw", "value"), [("0.3", 0.3), ("30%", 0.3), (" 12.5 ", 12.5), ("-1", -1.0), ("1e-2", 0.01)]
)
def test_parse_number(raw, value):
    assert parse_number(raw, "x", "e") == pytest.approx(value)


@pytest.mark.parametrize("raw", ["nan", "inf", "", "0.3.1", "thirty"])
def test_parse_number_rejects(raw):
    with pytest.raises(DiscoError):
        parse_number(raw, "x", "e")
