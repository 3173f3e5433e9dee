"""Drafted hypotheses: %hypotheses --draft N and disco.draft_hypotheses, offline and through a loopback
OpenAI-compatible server (the fault server plays the model's answers)."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from disco_magics import api
from disco_magics.generate.hypotheses import HypothesisDraft, draft_model, offline_drafts
from disco_magics.parse.cells import parse_problem
from disco_magics.session import get_session
from tests.llm_servers import fault_server, ok  # noqa: F401

from .conftest import H1, ONBOARDING

VAGUE = """Small agencies sign up but we don't really know why most of them go quiet after the first week.
segment: agencies with 2-20 people on the free plan
metric: week2_active = share of new workspaces active in their second week (baseline 0.22)
metric: projects_per_workspace = projects created in the first 14 days (baseline 1.4)
metric: churn_rate = share of paying agencies cancelling within 60 days (baseline 0.09)
constraint: one engineer for six weeks
"""


def counts():
    return get_session().store.counts()


@pytest.fixture
def shell(onboarding):
    inserted: list[str] = []
    onboarding.set_next_input = lambda text, replace=False: inserted.append(text)
    onboarding.inserted = inserted
    return onboarding


def test_offline_drafts_are_distinct_lint_clean_and_say_no_llm_wrote_them(shell, capsys):
    before = counts()
    shell.run_line_magic("hypotheses", "--draft 4")
    out = capsys.readouterr().out
    assert out.startswith("4 hypothesis drafts for problem onboarding (drafted offline by rules from the problem's own")
    assert "no LLM wrote these" in out
    assert counts() == before  # never stored until run
    assert len(shell.inserted) == 4 and len(set(shell.inserted)) == 4
    assert [c.split()[1] for c in shell.inserted] == ["H1", "H2", "H3", "H4"]
    risks = set()
    for cell in shell.inserted:  # each inserted cell runs as it is, lint-clean
        line, body = cell.removeprefix("%%hypothesis ").split("\n", 1)
        shell.run_cell_magic("hypothesis", line, body)
        stored = get_session().store.hypothesis("onboarding", line.split()[0])
        assert stored.warnings == [] and stored.statement.startswith("We believe")
        assert stored.direction == "increase" and stored.target > stored.baseline
        assert "Cheapest test: " in stored.statement
        risks.add(stored.risk)
    assert risks == {"value", "usability", "feasibility", "viability"}
    shell.inserted.clear()
    shell.run_line_magic("hypotheses", "--draft 2 --no-insert")
    assert shell.inserted == []
    (drafts,) = [h.id for h in api.draft_hypotheses(1)]
    assert drafts == "H5"  # the next free ID


def test_the_display_bundle_carries_the_cells_for_the_lab_extension(session):
    api.problem("onboarding", ONBOARDING)
    made = api.drafted_hypotheses(3, focus="a sample dashboard <b>pre-filled</b> with their data")
    data, _ = made._repr_mimebundle_()
    payload = data["application/vnd.disco.hypothesis-drafts+json"]
    assert payload["cells"] == made.cells and len(payload["cells"]) == 3
    assert all("a sample dashboard <b>pre-filled</b> with their data" in c for c in made.cells)
    assert "<b>pre-filled" not in data["text/html"] and "&lt;b&gt;pre-filled" in data["text/html"]
    assert [h.warnings for h in made.hypotheses] == [[], [], []]
    assert all(h.status == "draft" for h in made.hypotheses) and counts()["hypotheses"] == 0


def test_a_vague_problem_gets_drafts_on_every_metric_and_the_right_side(session):
    api.problem("agencies", VAGUE)
    drafts = api.draft_hypotheses(12)
    assert len({h.statement for h in drafts}) == 12
    assert {h.metric for h in drafts} == {"week2_active", "projects_per_workspace", "churn_rate"}
    for h in drafts:
        if h.metric == "churn_rate":
            assert h.target < h.baseline and " lower churn_rate " in h.statement
        else:
            assert h.target > h.baseline and " raise " in h.statement
        if h.metric != "projects_per_workspace":
            assert 0 < h.target < 1


@pytest.mark.parametrize("n", [1, 5, 20])
def test_twenty_drafts_from_one_metric_are_distinct(n):
    problem = parse_problem("p", "People leave.\nmetric: kept = share kept (baseline 0.5)")
    drafts = offline_drafts(problem, n)
    assert len(drafts) == n and len({(d.statement, d.target) for d in drafts}) == n


def test_the_draft_schema_refuses_what_the_hypothesis_cell_would_refuse():
    problem = parse_problem("onboarding", ONBOARDING)
    model = draft_model(problem)
    good = dict(
        statement="We believe a checklist for trial admins will raise invite_rate because they miss teams.",
        metric="invite_rate",
        target=0.3,
        risk="value",
        test="fake-door",
        test_plan="a button that offers it",
    )
    model(**good)
    for change, message in [
        ({"target": 0.1}, "the text says the metric goes up, but the target is below the baseline"),
        ({"target": 0.18}, "the target must differ from the baseline 0.18"),
        ({"target": 3.0}, "target 3 is outside [0, 1]"),
        ({"metric": "nps"}, "metric must be one of the problem's: invite_rate, paid_rate"),
        ({"statement": "A checklist for trial admins will raise invite_rate because x."}, 'must start with "We believe"'),
        ({"statement": "We believe a checklist for trial admins will raise invite_rate a lot."}, "because-clause"),
        (
            {"statement": "We believe a checklist for admins will raise invite_rate from 18% to 25% because x."},
            "--target 0.3 contradicts 0.25 in the text",
        ),
    ]:
        with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
            model(**{**good, **change})


BAD = [
    ("--draft 0", "--draft must be between 1 and 20, not 0"),
    ("--draft 21", "--draft must be between 1 and 20, not 21"),
    ("--draft three", "--draft must be a whole number, not 'three'"),
    ("", "%hypotheses needs --draft N"),
    ("--draft 2 --problem nope", "unknown problem 'nope'; known: onboarding"),
    ("--draft 2 --nope", "%hypotheses: unrecognized arguments: --nope"),
]


@pytest.mark.parametrize(("line", "message"), BAD)
def test_bad_input_is_one_usage_error_line(shell, line, message):
    before = counts()
    with pytest.raises(UsageError) as err:
        shell.run_line_magic("hypotheses", line)
    assert type(err.value) is UsageError and str(err.value).startswith(message), str(err.value)
    assert "\n" not in str(err.value)
    assert counts() == before and shell.inserted == []
    assert shell.run_cell("1 + 1").result == 2


def test_a_problem_without_metrics_or_baselines(shell):
    shell.run_cell_magic("problem", "bare", "People are unhappy and we don't know why.")
    with pytest.raises(UsageError, match=r"^problem bare has no metrics to draft hypotheses for"):
        shell.run_line_magic("hypotheses", "--draft 3")
    shell.run_cell_magic("problem", "bare", "People are unhappy.\nmetric: nps = net promoter score")
    with pytest.raises(UsageError, match=r"^no metric of problem bare has a baseline"):
        shell.run_line_magic("hypotheses", "--draft 3")


def test_no_problem_yet(ip):
    with pytest.raises(UsageError, match="^no problem yet"):
        ip.run_line_magic("hypotheses", "--draft 3")


def test_the_api_refuses_bad_counts(session):
    from disco_magics.errors import ValidationFailed

    api.problem("onboarding", ONBOARDING)
    for n in (0, -1, 21, True, 2.5):
        with pytest.raises(ValidationFailed, match="draft between 1 and 20"):
            api.draft_hypotheses(n)


# ------------------------------------------------------------------------------------------ LLM path


def answer(statement: str, metric: str, target: float, risk: str, test: str = "fake-door") -> dict:
    return {"statement": statement, "metric": metric, "target": target, "risk": risk, "test": test,
            "test_plan": "offer it to twenty trial admins and count who asks"}


@pytest.fixture
def llm_shell(shell, fault_server):  # noqa: F811
    settings = get_session().settings
    settings.provider, settings.model, settings.base_url = "openai", "fault-model", fault_server.url
    settings.llm_cache, settings.deadline, settings.concurrency = "off", 20.0, 1
    return shell


def test_drafts_through_the_llm_are_validated_and_re_asked(llm_shell, fault_server, capsys):  # noqa: F811
    shell = llm_shell
    shell.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.30 --risk value", H1)
    wrong_side = answer("We believe hiding the invite button for trial admins will raise invite_rate because x.",
                        "invite_rate", 0.10, "value")
    fault_server.play(
        ok(wrong_side),  # re-asked: the target is below the baseline of a metric the text raises
        ok(answer("We believe a team template gallery for trial admins will raise invite_rate because admins "
                  "think in teams.", "invite_rate", 0.25, "value")),
        ok(answer("We believe a one-click invite from the first dashboard for trial admins will raise paid_rate "
                  "because teams convert.", "paid_rate", 0.08, "usability", "mockup")),
    )
    capsys.readouterr()
    shell.run_line_magic("hypotheses", "--draft 2 --focus 'team templates'")
    out = capsys.readouterr().out
    assert out.startswith("2 hypothesis drafts for problem onboarding (drafted by openai:fault-model)")
    assert len(fault_server.requests) == 3
    first = fault_server.requests[0]
    assert "team templates" in first["messages"][-1]["content"]  # the focus travels as data
    assert [c.splitlines()[0] for c in shell.inserted] == [
        "%%hypothesis H2 --metric invite_rate --target 0.25 --risk value",
        "%%hypothesis H3 --metric paid_rate --target 0.08 --risk usability",
    ]
    assert counts()["hypotheses"] == 1


def test_duplicates_are_re_asked_then_one_clear_line(llm_shell, fault_server):  # noqa: F811
    same = answer("We believe a checklist for trial admins will raise invite_rate because they miss teams.",
                  "invite_rate", 0.25, "value")
    fault_server.play(ok(same))  # every call answers the same: it fits draft 1's schema only
    with pytest.raises(UsageError) as err:
        llm_shell.run_line_magic("hypotheses", "--draft 2")
    assert str(err.value) == (
        "1 of 2 calls failed; hypothesis_draft: model output did not match HypothesisDraft after 3 attempts: "
        "metric: input should be 'paid_rate'"
    )
    assert llm_shell.inserted == []


def test_the_draft_schema_is_json_schema_with_enums_for_the_model():
    problem = parse_problem("onboarding", ONBOARDING)
    schema = draft_model(problem, "paid_rate", "viability").model_json_schema()
    assert schema["title"] == "HypothesisDraft"
    assert schema["properties"]["metric"]["const"] == "paid_rate"
    assert schema["properties"]["risk"]["const"] == "viability"
    assert "interview" in schema["properties"]["test"]["enum"]
    assert HypothesisDraft.model_json_schema()["properties"]["statement"]["maxLength"] == 500


def test_duplicate_drafts_are_dropped_and_asked_again(llm_shell, fault_server):  # noqa: F811
    text = "We believe a checklist for trial admins will raise invite_rate and paid_rate because they miss teams."
    fault_server.play(
        ok(answer(text, "invite_rate", 0.25, "value")),
        ok(answer(text, "paid_rate", 0.08, "usability", "mockup")),  # the same statement: a duplicate
        ok(answer("We believe a sample team dashboard for trial admins will raise invite_rate because they "
                  "see teammates' work.", "invite_rate", 0.22, "value")),
    )
    drafts = api.draft_hypotheses(2)
    assert [h.target for h in drafts] == [0.25, 0.22] and len(fault_server.requests) == 3
    again = fault_server.requests[2]
    assert again["temperature"] == 0.8 and "already_drafted" in again["messages"][-1]["content"]
