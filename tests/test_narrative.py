"""The learning report quotes evidence from real users; ``--narrate`` drafts "we learned" paragraphs whose
every number is one of the stored results (a loopback server plays the model)."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from disco_magics import api
from disco_magics.generate.narrative import narrative_model, unsupported_number
from disco_magics.session import get_session
from tests.llm_servers import fault_server, ok  # noqa: F401

from .conftest import H1

NOTES = "She never invited anyone because she thought the product was for analysts only."


@pytest.fixture
def measured(onboarding):
    onboarding.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.25 --risk value", H1)
    onboarding.run_line_magic("measure", "H1 --observed 0.27 --n 2400 --baseline 0.18 --baseline-n 2400")
    onboarding.run_cell_magic("evidence", "H1 --kind interview --source 'call, 2026-11-30' --signal supports", NOTES)
    return onboarding


def test_the_report_quotes_the_evidence(measured, tmp_path):
    made = api.report(out=str(tmp_path / "r.md"))
    text = (tmp_path / "r.md").read_text()
    assert "- **We heard** 1 piece of evidence (1 supporting, 0 contradicting):" in text
    assert f"  - supports (interview, call, 2026-11-30): “{NOTES}”" in text
    html = made._repr_mimebundle_()[0]["text/html"]
    assert "We heard" in html and "analysts only" in html
    assert made.problems[0].cards[0].evidence_level == "experiment"


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("We learned invites rose to 27% against a target of 25%.", None),
        ("We learned invites rose to 0.27 (p 0.0001) with 4,800 users.", None),
        ("We learned H1 holds: 27 percent invited.", None),
        ("We learned invites rose to 31%.", "31%"),
        ("We learned it works for 3 teams.", "3"),
        ("We learned that 0.3 is a rounding of 0.27.", None),
        ("We learned that 0.5 is reachable.", "0.5"),
    ],
)
def test_numbers_must_come_from_the_stored_results(text, bad):
    allowed = [0.27, 0.25, 0.18, 0.0001, 4800.0, 2400.0]
    assert unsupported_number(text, allowed) == bad


def test_the_narrative_model_refuses_an_invented_number():
    model = narrative_model([0.27, 0.25])
    model(paragraphs=["We learned invites reached 27%, above the 25% target."])
    with pytest.raises(ValueError, match="the number 40% is not in the stored results"):
        model(paragraphs=["We learned invites grew 40%."])


@pytest.fixture
def llm(measured, fault_server):  # noqa: F811
    settings = get_session().settings
    settings.provider, settings.model, settings.base_url = "openai", "fault-model", fault_server.url
    settings.llm_cache, settings.deadline = "off", 20.0
    return measured


def test_narrate_re_asks_an_invented_number_and_shows_the_paragraphs(llm, fault_server, tmp_path, capsys):  # noqa: F811
    invented = {"paragraphs": ["We learned invites doubled for 40% of teams."]}
    honest = {"paragraphs": ["We learned the checklist works: 27% of trials invited a teammate, above the 25% target."]}
    fault_server.play(ok(invented), ok(honest))
    llm.run_line_magic("disco", f"report --narrate --out {tmp_path}/r.md")
    text = (tmp_path / "r.md").read_text()
    assert "### What we learned\n\nWe learned the checklist works: 27% of trials" in text
    assert "every number checked against the stored results" in text
    assert len(fault_server.requests) == 2
    assert "0.27" in fault_server.requests[0]["messages"][-1]["content"]
    fault_server.play(ok(invented))
    with pytest.raises(UsageError, match="^model output did not match Narrative after 3 attempts: paragraphs"):
        llm.run_line_magic("disco", "report --narrate")


def test_narrate_offline_keeps_the_template(measured, capsys):
    capsys.readouterr()
    measured.run_line_magic("disco", "report --narrate")
    out = capsys.readouterr().out
    assert out.startswith("--narrate: no LLM is configured; the report keeps its template")
    assert "What we learned" not in out and "We believed" in out


def test_the_cli_report_takes_narrate_and_keeps_the_template_offline(measured, clean_env, capsys):
    from disco_magics.cli import main

    capsys.readouterr()
    assert main(["report", "--store", str(clean_env / "store.db"), "--narrate"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Learning report") and "What we learned" not in out
    assert "- **We heard** 1 piece of evidence (1 supporting, 0 contradicting):" in out
