"""The magics in a real IPython shell: happy paths, and bad input as exactly one UsageError line."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError

from disco_magics.session import get_session

from .conftest import H1, ONBOARDING


def counts():
    return get_session().store.counts()


def test_problem_and_hypothesis_are_stored_and_displayed(onboarding, capsys):
    onboarding.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.30 --risk value", H1)
    out = capsys.readouterr().out
    assert "Hypothesis H1 [draft] invite_rate 0.18 → 0.3 (value)" in out
    store = get_session().store
    assert store.problem("onboarding").metric("paid_rate").baseline == 0.06
    h = store.hypothesis("onboarding", "H1")
    assert (h.target, h.baseline, h.risk) == (0.30, 0.18, "value")


def test_rerun_replaces_and_last_problem_is_current(onboarding):
    onboarding.run_cell_magic(
        "hypothesis", "H1 --target 0.30", "invite_rate rises because of a checklist for admins"
    )
    onboarding.run_cell_magic(
        "hypothesis", "H1 --target 0.25", "invite_rate rises because of a checklist for admins"
    )
    assert counts()["hypotheses"] == 1
    assert get_session().store.hypothesis("onboarding", "H1").target == 0.25
    onboarding.run_cell_magic(
        "problem", "pricing", "Nobody finds the price.\nmetric: upgrade_rate (baseline 0.02)"
    )
    onboarding.run_cell_magic("hypothesis", "P1 --target 0.03", "A price page for admins because they ask")
    assert get_session().store.hypothesis("pricing", "P1").metric == "upgrade_rate"
    onboarding.run_cell_magic("problem", "onboarding", ONBOARDING)
    onboarding.run_cell_magic("hypothesis", "H2 --metric paid_rate --target 0.08", "x because y")
    assert get_session().store.hypothesis("onboarding", "H2") is not None


def test_experiments_and_export(onboarding, tmp_path, capsys):
    onboarding.run_cell_magic(
        "hypothesis", "H1 --metric invite_rate --target 0.3", "Checklist <b>for</b> admins"
    )
    onboarding.run_line_magic("experiments", "")
    assert "H1  invite_rate  0.18" in capsys.readouterr().out
    for suffix in ("csv", "md", "html"):
        onboarding.run_line_magic("experiments", f"--export {tmp_path}/t.{suffix}")
        text = (tmp_path / f"t.{suffix}").read_text()
        assert "invite_rate" in text
    assert "<b>for</b>" not in (tmp_path / "t.html").read_text()
    assert "&lt;b&gt;for&lt;/b&gt;" in (tmp_path / "t.html").read_text()


def test_python_api_matches_the_contract(session):
    import disco_magics as disco

    p = disco.problem("onboarding", ONBOARDING)
    h = disco.hypothesis("H1", H1, metric="invite_rate", target=0.30, risk="value")
    assert p.name == "onboarding" and h.baseline == 0.18
    frame = disco.experiments()
    assert list(frame["id"]) == ["H1"] and frame.loc["H1", "target"] == 0.30
    d = disco.decide("H1", "iterate", learning="too early")
    assert d.without_evidence is True
    assert disco.experiments().loc["H1", "decision"] == "iterate"


# --------------------------------------------------------------------------------------------- bad input

BAD = [
    # (magic kind, name, line, cell, expected message start)
    ("cell", "problem", "", "Statement", "%%problem needs a NAME — e.g. %%problem onboarding"),
    ("cell", "problem", "p --nope", "Statement", "%%problem: unrecognized arguments: --nope"),
    # IPython itself answers an empty cell body, before the magic runs (still one UsageError line)
    ("cell", "problem", "p", "", "%%problem is a cell magic, but the cell body is empty."),
    ("cell", "problem", "p", "   \n  ", "problem p needs a statement"),
    ("cell", "hypothesis", "", "text", "%%hypothesis needs an ID"),
    ("cell", "hypothesis", "H9 --nope 1", "text", "%%hypothesis: unrecognized arguments: --nope 1"),
    (
        "cell",
        "hypothesis",
        "H9 --metric nope --target 0.3",
        "text",
        "unknown metric 'nope' for problem onboarding; known: invite_rate, paid_rate",
    ),
    (
        "cell",
        "hypothesis",
        "H9 --metric invite_rate --target 0.3 --risk money",
        "text",
        "unknown risk 'money'; choose one of value, usability, feasibility, viability",
    ),
    (
        "cell",
        "hypothesis",
        "H9 --metric invite_rate --target abc",
        "text",
        "--target must be a number like 0.30 or 30%, not 'abc'",
    ),
    (
        "cell",
        "hypothesis",
        "H9 --metric invite_rate --target 3",
        "text",
        "target 3 is outside [0, 1], but invite_rate is a rate",
    ),
    ("cell", "hypothesis", "H9 --metric invite_rate --target 0.3", " \n", "hypothesis H9 needs a statement"),
    ("cell", "hypothesis", "H9 --metric invite_rate", "text", "no target for H9"),
    (
        "cell",
        "hypothesis",
        "H9 --metric invite_rate --target 0.3 --problem nope",
        "text",
        "unknown problem 'nope'; known: onboarding",
    ),
    ("cell", "hypothesis", "H9 --target '0.3", "text", "%%hypothesis: No closing quotation"),
    (
        "line",
        "experiments",
        "--export t.xlsx",
        None,
        "cannot export to 't.xlsx': the extension must be one of .csv, .md, .html",
    ),
    ("line", "experiments", "--problem nope", None, "unknown problem 'nope'"),
    ("line", "disco", "frobnicate", None, "%disco: unknown command 'frobnicate'; known: status, use, report"),
    (
        "line",
        "disco",
        "use nonsense",
        None,
        "unknown provider 'nonsense'; choose one of openai, local, offline",
    ),
]


@pytest.mark.parametrize(
    ("kind", "name", "line", "cell", "message"), BAD, ids=[f"{b[1]} {b[2]!r} {b[3]!r}" for b in BAD]
)
def test_bad_input_is_one_usage_error_line_and_stores_nothing(onboarding, kind, name, line, cell, message):
    before = counts()
    with pytest.raises(UsageError) as err:
        if kind == "cell":
            onboarding.run_cell_magic(name, line, cell)
        else:
            onboarding.run_line_magic(name, line)
    assert type(err.value) is UsageError
    text = str(err.value)
    assert text.startswith(message), text
    assert "\n" not in text
    assert " — e.g. " in text or name == "experiments" or "cell body is empty" in text
    assert counts() == before
    # the kernel keeps working
    assert onboarding.run_cell("1 + 1").result == 2


def test_hypothesis_before_any_problem(ip):
    result = ip.run_cell("%%hypothesis H1 --target 0.3\ntext")
    assert type(result.error_in_exec) is UsageError
    assert str(result.error_in_exec).startswith("no problem yet: run a %%problem cell before the hypotheses")
    assert counts()["hypotheses"] == 0


def test_unwritable_export_path(onboarding, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UsageError, match="cannot write"):
        onboarding.run_line_magic("experiments", f"--export {blocker}/sub/t.csv")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=st.text(max_size=60), cell=st.text(max_size=200))
def test_fuzz_arguments_raise_only_usage_error(onboarding, line, cell):
    line = line.replace("\n", " ")
    for name in ("hypothesis", "problem"):
        try:
            onboarding.run_cell_magic(name, line, cell)
        except UsageError as err:
            assert type(err) is UsageError
            assert "\n" not in str(err)
    try:
        onboarding.run_line_magic("experiments", line)
    except UsageError as err:
        assert "\n" not in str(err)


def test_status_flags_an_unknown_cache_mode(ip, monkeypatch, capsys):
    monkeypatch.setattr(get_session().settings, "llm_cache", "bogus")
    ip.run_line_magic("disco", "status")
    line = next(t for t in capsys.readouterr().out.splitlines() if t.startswith("cache:"))
    assert "'bogus' is not a cache mode (record, replay or off)" in line
