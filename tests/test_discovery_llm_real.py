"""The front of the loop against real servers on loopback: drafted hypotheses, evidence signals and the
narrative through llama.cpp's OpenAI-compatible server (SmolLM2-135M: nonsense, but schema-bound), and the
record/replay cache for the three new tasks (recorded from a loopback server, replayed with it stopped)."""

from __future__ import annotations

import time

import pytest
from IPython.core.error import UsageError

from disco_magics import api
from disco_magics.session import get_session
from tests.llm_servers import FaultServer, fault_server, llama_server, ok  # noqa: F401

from .conftest import H1

NOTES = "She never invited anyone because she thought the product was for analysts only."


def counts():
    return get_session().store.counts()


@pytest.fixture
def real(onboarding, llama_server):  # noqa: F811
    onboarding.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.30 --risk value", H1)
    settings = get_session().settings
    settings.provider, settings.model, settings.base_url = "openai", "smollm2", llama_server.url
    settings.llm_cache, settings.deadline, settings.concurrency = "off", 120.0, 2
    inserted: list[str] = []
    onboarding.set_next_input = lambda text, replace=False: inserted.append(text)
    onboarding.inserted = inserted
    return onboarding


@pytest.mark.llm
@pytest.mark.slow
def test_drafted_hypotheses_from_a_real_small_model_are_valid_or_one_line(real):
    before = counts()
    start = time.monotonic()
    try:
        real.run_line_magic("hypotheses", "--draft 2")
    except UsageError as err:
        print(f"\nllama.cpp + SmolLM2-135M, %hypotheses --draft 2: {err} ({time.monotonic() - start:.1f} s)")
        assert "\n" not in str(err) and real.inserted == []
        assert "cannot reach" not in str(err)  # the server answered: the one line is about its answer
    else:
        print(f"\nllama.cpp drafts in {time.monotonic() - start:.1f} s:\n" + "\n\n".join(real.inserted))
        assert len(real.inserted) == 2
        for cell in real.inserted:  # every draft runs as a %%hypothesis cell, lint-clean
            line, body = cell.removeprefix("%%hypothesis ").split("\n", 1)
            real.run_cell_magic("hypothesis", line, body)
            assert get_session().store.hypothesis("onboarding", line.split()[0]).warnings == []
        before["hypotheses"] += 2
    assert counts() == before


@pytest.mark.llm
@pytest.mark.slow
def test_an_evidence_signal_from_a_real_small_model_is_a_suggestion_or_one_line(real, capsys):
    before = counts()
    capsys.readouterr()
    try:
        real.run_cell_magic("evidence", "H1 --kind interview --source 'call, 2026-11-30'", NOTES)
    except UsageError as err:
        print(f"\nllama.cpp + SmolLM2-135M, %%evidence without --signal: {err}")
        assert "\n" not in str(err) and "cannot reach" not in str(err)
    else:
        out = capsys.readouterr().out
        assert out.startswith("Suggested signal for H1: ") and "nothing stored" in out
        assert "%%evidence H1 --kind interview --source 'call, 2026-11-30' --signal " in out
    assert counts() == before


@pytest.mark.llm
@pytest.mark.slow
def test_a_narrative_from_a_real_small_model_quotes_only_stored_numbers_or_is_one_line(real):
    real.run_line_magic("measure", "H1 --observed 0.27 --n 2400 --baseline 0.18 --baseline-n 2400")
    try:
        made = api.report(narrate=True)
    except Exception as err:
        from disco_magics.errors import ProviderError

        assert isinstance(err, ProviderError) and "\n" not in str(err) and "cannot reach" not in str(err)
        print(f"\nllama.cpp + SmolLM2-135M, --narrate: {err}")
        return
    from disco_magics.generate.narrative import stored_numbers, unsupported_number

    section = made.problems[0]
    for paragraph in section.narrative:
        assert unsupported_number(paragraph, [*stored_numbers(section), 95, 0.95, 0.05, 5]) is None


# ------------------------------------------------------------------------------------- record / replay


def test_the_new_tasks_replay_from_the_cache_with_the_server_stopped(onboarding, clean_env):
    onboarding.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.25 --risk value", H1)
    onboarding.run_line_magic("measure", "H1 --observed 0.27 --n 2400 --baseline 0.18 --baseline-n 2400")
    draft = {
        "statement": "We believe a team template gallery for trial admins will raise invite_rate because admins "
        "think in teams.",
        "metric": "invite_rate",
        "target": 0.24,
        "risk": "value",
        "test": "fake-door",
        "test_plan": "a gallery button shown to twenty trial admins",
    }
    suggestion = {"signal": "supports", "quotes": ["She never invited anyone"], "why": "no teammate invited"}
    narrative = {"paragraphs": ["We learned that 27% of trials invited a teammate, above the 25% target."]}
    settings = get_session().settings
    server = FaultServer().start()
    try:
        settings.provider, settings.model, settings.base_url = "openai", "fault-model", server.url
        settings.llm_cache, settings.deadline, settings.concurrency = "record", 20.0, 1
        server.play(ok(draft))
        drafted = api.drafted_hypotheses(1, progress=False)
        server.play(ok(suggestion))
        suggested = api.suggest_evidence_signal("H1", NOTES, "interview")
        server.play(ok(narrative))
        narrated = api.report(narrate=True).problems[0].narrative
        assert len(server.requests) == 1  # play() forgets earlier requests: one call per task
    finally:
        server.stop()
    settings.llm_cache = "replay"
    assert api.drafted_hypotheses(1, progress=False).cells == drafted.cells
    again = api.suggest_evidence_signal("H1", NOTES, "interview")
    assert again.suggestion == suggested.suggestion and "replayed from the cache" in again.notice
    assert api.report(narrate=True).problems[0].narrative == narrated
    assert len(list((clean_env / "llm-cache").glob("*.json"))) == 3
