"""Bad input stops at one clear line: every magic and every ``disco`` command, fed a table of bad inputs.

Each case must give exactly one ``UsageError`` line (the CLI: a non-zero exit and one line on stderr), no
traceback, no write to the store or to disk, and a kernel that keeps working. The table covers, for each
magic: empty input, unknown flags, wrong types, unbalanced quotes, 1 MB bodies and lines, bytes that are
not UTF-8 (decoded with surrogateescape, as Python does for undecodable file names and argv) and NUL
bytes. A property-based fuzz (Hypothesis) of argument strings and spec bodies finds only ``UsageError``.
``test_magics.py`` and friends hold the cases this table does not repeat.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError
from sqlalchemy import func, select

import disco_magics
from disco_magics.session import get_session
from disco_magics.store import schema

from .conftest import H1

MB = 1_000_000
NOT_UTF8 = b"caf\xe9 \xff\xfe".decode("utf-8", "surrogateescape")  # latin-1 and garbage, as Python reads them
SPEC = """variant: choice(control=0.5, checklist=0.5)
invited: bernoulli(0.18)
invited[variant=checklist]: bernoulli(0.27)
user: sequence(u)
"""
#: ten billion rows of SPEC need ~700 GB: refused on any machine, never attempted
TOO_MANY_ROWS = "10000000000"


def frame(shell):
    """Hypothesis H1, a DataFrame ``trials`` and a synthetic dataset linked to H1, on the current problem."""
    rng = np.random.default_rng(5)
    variant = np.where(np.arange(2000) % 2 == 0, "control", "checklist")
    shell.user_ns["trials"] = pd.DataFrame(
        {"variant": variant, "invited": rng.random(2000) < 0.2, "plan": "free"}
    )
    shell.user_ns["not_a_frame"] = 42
    with contextlib.redirect_stdout(io.StringIO()):
        shell.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.25 --risk value", H1)
        shell.run_cell_magic("synth", "rehearsal --rows 1000 --seed 1 --for H1", SPEC)
    return shell


@pytest.fixture
def framed(onboarding):
    return frame(onboarding)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One framed shell for the whole bad-input table, built once (the table is long).

    Sharing is sound here because it is what is tested: every case must leave the store and the folder
    exactly as they were, and each case compares them before and after.
    """
    from IPython.testing.globalipapp import get_ipython

    from disco_magics.magics import load
    from disco_magics.session import set_session

    from .conftest import LLM_ENV, ONBOARDING

    folder = tmp_path_factory.mktemp("shared")
    saved = {name: os.environ.pop(name) for name in LLM_ENV if name in os.environ}
    os.environ["DISCO_STORE"] = str(folder / "store.db")
    cwd = os.getcwd()
    os.chdir(folder)
    shell = get_ipython()
    previous = set_session(None)
    magics = load(shell)
    shell.reset()
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            shell.run_cell_magic("problem", "onboarding", ONBOARDING)
        yield frame(shell), folder
    finally:
        magics.session.close()
        set_session(previous)
        os.chdir(cwd)
        os.environ.pop("DISCO_STORE", None)
        os.environ.update(saved)


def snapshot(folder: Path) -> tuple[dict[str, int], list[str]]:
    """Rows in every table of the store, and every file in the working folder but the store's own."""
    engine = get_session().store.engine
    with engine.connect() as c:
        rows = {
            name: c.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in schema.metadata.tables.items()
        }
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if not p.name.startswith("store.db"))
    return rows, files


def one_usage_error_line(shell, kind: str, name: str, line: str, cell: str | None) -> str:
    with pytest.raises(UsageError) as err:
        if kind == "cell":
            shell.run_cell_magic(name, line, cell)
        else:
            shell.run_line_magic(name, line)
    assert type(err.value) is UsageError  # a subclass would print a traceback (ipython#14024)
    text = str(err.value)
    assert text and "\n" not in text and "\r" not in text, text
    assert len(text) < 500, text[:600]
    text.encode("utf-8")  # printable and sendable to the notebook: no lone surrogates
    assert "Traceback" not in text
    return text


# ----------------------------------------------------------------------------------------- the table

CASES = [
    # (kind, magic, line, cell, the message must contain)
    # %%problem
    ("cell", "problem", "1st", "Statement.", "not a valid name"),
    ("cell", "problem", "p extra words", "Statement.", "unrecognized arguments: extra words"),
    ("cell", "problem", 'p "unclosed', "Statement.", "No closing quotation"),
    ("cell", "problem", "p", "x" * MB, "statement: String should have at most 20000 characters"),
    ("cell", "problem", "p", ("A statement line.\n" * 60_000), "statement: String should have at most 20000"),
    (
        "cell",
        "problem",
        "p",
        "Statement.\n" + "constraint: c\n" * 80_000,
        "constraints: List should have at most 50",
    ),
    ("cell", "problem", "p " + "x" * MB, "Statement.", "the arguments are 1,000,002 characters long"),
    ("cell", "problem", "p", "Statement " + NOT_UTF8, "statement"),
    ("cell", "problem", "p", "Statement.\nsegment: admins " + NOT_UTF8, "segment"),
    ("cell", "problem", "p" + NOT_UTF8, "Statement.", "bytes that are not UTF-8"),
    ("cell", "problem", "p", "State\x00ment.", "statement holds a NUL byte"),
    ("cell", "problem", "p", "Statement.\nmetric: rate\x00 = x (baseline 0.1)", "metric needs a name first"),
    ("cell", "problem", "p\x00", "Statement.", "a NUL byte"),
    # %%hypothesis
    ("cell", "hypothesis", "--metric invite_rate --target 0.3", "text", "%%hypothesis needs an ID"),
    ("cell", "hypothesis", "H9 --targt 0.3", "text", "unrecognized arguments: --targt"),
    (
        "cell",
        "hypothesis",
        "H9 --metric invite_rate --target 1e999",
        "text",
        "--target must be a finite number",
    ),
    (
        "cell",
        "hypothesis",
        "H9 --metric invite_rate --target 0.3 --baseline nan",
        "text",
        "--baseline must be a number",
    ),
    ("cell", "hypothesis", "H9 --metric invite_rate --target 0x1F", "text", "--target must be a number"),
    ("cell", "hypothesis", "H9 --metric invite_rate --target 0.3 --risk 3", "text", "unknown risk '3'"),
    ("cell", "hypothesis", "9H --metric invite_rate --target 0.3", "text", "not a valid name"),
    ("cell", "hypothesis", 'H9 --metric "invite_rate --target 0.3', "text", "No closing quotation"),
    (
        "cell",
        "hypothesis",
        "H9 --metric invite_rate --target 0.3",
        "x" * MB,
        "statement: String should have at most",
    ),
    ("cell", "hypothesis", "H9 --target 0.3 " + "-" * MB, "text", "the arguments are"),
    ("cell", "hypothesis", "H9 --metric invite_rate --target 0.3", "Because " + NOT_UTF8, "statement"),
    ("cell", "hypothesis", "H9 --metric " + NOT_UTF8, "text", "bytes that are not UTF-8"),
    (
        "cell",
        "hypothesis",
        "H9 --metric invite_rate --target 0.3",
        "Because\x00 admins",
        "statement holds a NUL byte",
    ),
    ("cell", "hypothesis", "H9 --metric invite_rate\x00 --target 0.3", "text", "a NUL byte"),
    # %measure
    ("line", "measure", "   ", None, "%measure needs a hypothesis ID"),
    ("line", "measure", "H1 --obsrved 0.2 --n 10", None, "unrecognized arguments"),
    ("line", "measure", "H1 --observed 0.2 --n 2.5", None, "--n must be a whole number"),
    (
        "line",
        "measure",
        "H1 --observed 0.2 --n 99999999999999999999999",
        None,
        "n of arm treatment must be at most",
    ),
    ("line", "measure", "H1 --observed 0.2 --n 100 --baseline-n 99999999999999999999999", None, "at most"),
    ("line", "measure", "H1 --observed 0.2 --n 100 --baseline inf", None, "--baseline must be a number"),
    (
        "line",
        "measure",
        "H1 --data not_a_frame --group variant",
        None,
        "'not_a_frame' is a int, not a DataFrame",
    ),
    ("line", "measure", "H1 --data trials --group variant --split 0/0", None, "--split must be two positive"),
    ("line", "measure", "H1 --observed '0.2 --n 10", None, "No closing quotation"),
    ("line", "measure", "H1 --observed " + "9" * MB, None, "the arguments are"),
    ("line", "measure", "H1 --problem " + NOT_UTF8, None, "bytes that are not UTF-8"),
    ("line", "measure", "H1\x00 --observed 0.2 --n 10", None, "a NUL byte"),
    # %%synth
    ("cell", "synth", "t", "   \n  ", "the dataset needs a spec"),
    ("cell", "synth", "t --rowz 10", SPEC, "unrecognized arguments: --rowz"),
    ("cell", "synth", "t --rows 1e3", SPEC, "--rows must be a whole number"),
    ("cell", "synth", "t --rows 1000000000000", SPEC, "--rows must be between 1 and 10,000,000,000"),
    ("cell", "synth", f"t --rows {TOO_MANY_ROWS}", SPEC, "more than half of the"),
    ("cell", "synth", "t --seed x", SPEC, "--seed must be a whole number"),
    ("cell", "synth", "1t", SPEC, "NAME must be a Python variable name"),
    ("cell", "synth", "class", SPEC, "NAME must be a Python variable name"),
    ("cell", "synth", "my-data", SPEC, "NAME must be a Python variable name"),
    ("cell", "synth", 't --out "x.csv', SPEC, "No closing quotation"),
    ("cell", "synth", "t", "x" * MB, "could not find any column"),
    ("cell", "synth", "t", "x: choice(" + "a=1," * 250_000 + "b=1)", "line 1"),
    ("cell", "synth", "t", "x: bernoulli(0.5)\n" * 60_000, "should have at most 200"),
    ("cell", "synth", "t", "x: bernoulli(0.5)\n" + NOT_UTF8, "line 2"),
    ("cell", "synth", "t", "x: choice(a" + NOT_UTF8 + "=1)", "line 1"),
    ("cell", "synth", "t" + NOT_UTF8, SPEC, "bytes that are not UTF-8"),
    ("cell", "synth", "t", "x: choice(a\x00=1, b=1)", "holds a NUL byte"),
    ("cell", "synth", "t", "x: sequence(u\x00)", "holds a NUL byte"),
    ("cell", "synth", "t --out a\x00.csv", SPEC, "a NUL byte"),
    # %simulate
    ("line", "simulate", "", None, "%simulate needs a hypothesis ID"),
    ("line", "simulate", "H1 --runz 5", None, "unrecognized arguments: --runz"),
    ("line", "simulate", "H1 --runs many", None, "--runs must be a whole number"),
    ("line", "simulate", "H1 --runs 0", None, "--runs must be between 1"),
    ("line", "simulate", "H1 --runs 10000000", None, "runs must be a whole number from 1 to 1,000,000"),
    ("line", "simulate", "H1 --rows 2", None, "--rows must be between 4"),
    ("line", "simulate", f"H1 --rows {TOO_MANY_ROWS}", None, "more than half of the"),
    ("line", "simulate", "H1 --seed '1", None, "No closing quotation"),
    ("line", "simulate", "H1 " + "x" * MB, None, "the arguments are"),
    ("line", "simulate", NOT_UTF8, None, "bytes that are not UTF-8"),
    ("line", "simulate", "H1\x00", None, "a NUL byte"),
    # %experiments
    ("line", "experiments", "--nope", None, "unrecognized arguments: --nope"),
    ("line", "experiments", "stray words", None, "unrecognized arguments: stray words"),
    ("line", "experiments", "--export", None, "expected one argument"),
    ("line", "experiments", "--problem 1bad", None, "unknown problem '1bad'"),
    ("line", "experiments", "--export 'unclosed.csv", None, "No closing quotation"),
    ("line", "experiments", "--export " + "x" * MB + ".csv", None, "the arguments are"),
    ("line", "experiments", "--export " + NOT_UTF8 + ".csv", None, "bytes that are not UTF-8"),
    ("line", "experiments", "--export a\x00b.csv", None, "a NUL byte"),
    # %disco
    ("line", "disco", "status extra", None, "%disco status takes no arguments"),
    ("line", "disco", "use", None, "%disco use needs one PROVIDER[:MODEL]"),
    ("line", "disco", "use openai gpt", None, "%disco use needs one PROVIDER[:MODEL]"),
    ("line", "disco", "report --bogus", None, "--bogus"),
    ("line", "disco", "report --out report.pdf", None, "use .md or .html"),
    ("line", "disco", 'use "openai', None, "No closing quotation"),
    ("line", "disco", "use " + "x" * MB, None, "the arguments are"),
    ("line", "disco", "use openai:" + NOT_UTF8, None, "bytes that are not UTF-8"),
    ("line", "disco", "report --out r\x00.md", None, "a NUL byte"),
]


def _shown(text: str) -> str:
    return ascii(text[:24]) + (f"+{len(text) - 24}" if len(text) > 24 else "")


def _id(case) -> str:
    _, name, line, cell, _ = case
    return f"{name} {_shown(line)}" + (f" / {_shown(cell)}" if cell is not None else "")


@pytest.mark.parametrize(("kind", "name", "line", "cell", "message"), CASES, ids=[_id(c) for c in CASES])
def test_bad_input_is_one_line_no_write_kernel_alive(shared, kind, name, line, cell, message):
    shell, folder = shared
    before = snapshot(folder)
    text = one_usage_error_line(shell, kind, name, line, cell)
    assert message in text, text
    assert snapshot(folder) == before
    assert shell.run_cell("1 + 1").result == 2


@pytest.mark.parametrize(
    "source",
    [
        "%%problem p\n" + "x" * MB,
        "%%problem p extra\nStatement.",
        "%measure H1 --n 'x",
        "%measure H1 --observed 0.2 --n 99999999999999999999999",
        f"%%synth t --rows {TOO_MANY_ROWS}\n" + SPEC,
        "%simulate H1 --runs 0",
        "%experiments --nope",
        "%disco frobnicate",
        "%%hypothesis H9 --target 0.3\nBecause\x00 admins",
        "%measure " + "x " * (MB // 2),
    ],
    ids=lambda s: ascii(s[:30]),
)
def test_a_bad_cell_prints_one_line_and_no_traceback(framed, capfd, source):
    """What the user sees when a cell runs: IPython's ``UsageError: ...`` line, and nothing else."""
    capfd.readouterr()
    result = framed.run_cell(source)
    out, err = capfd.readouterr()
    assert type(result.error_in_exec) is UsageError
    shown = (out + err).strip().splitlines()
    assert len(shown) == 1 and shown[0].startswith("UsageError: "), shown[:5]
    assert framed.run_cell("1 + 1").result == 2


def test_variables_still_expand_in_magic_lines(framed, clean_env):
    """The magics expand ``{name}`` and ``$name`` themselves (after bounding the line), as IPython did."""
    framed.user_ns["where"] = "table"
    framed.user_ns["hid"] = "H1"
    with contextlib.redirect_stdout(io.StringIO()):
        framed.run_line_magic("experiments", "--export {where}.csv")
        framed.run_line_magic("measure", "$hid --observed 0.27 --n 2400")
    assert (clean_env / "table.csv").exists()
    assert get_session().store.count_results("onboarding", "H1") == 1


def test_the_api_refuses_what_the_magics_refuse(framed):
    """The same inputs through the plain-Python API: one clear project error, nothing written."""
    import disco_magics as disco
    from disco_magics.errors import DiscoError

    store = get_session().store
    before = store.counts()
    attempts = [
        lambda: disco.problem("p", "State\x00ment"),
        lambda: disco.problem("p", "Statement " + NOT_UTF8),
        lambda: disco.hypothesis("H9", "x" * MB, metric="invite_rate", target=0.3),
        lambda: disco.measure("H1", observed=0.2, n=10**30),
        lambda: disco.measure("H1", observed=0.2, n=100, problem=NOT_UTF8),
        lambda: disco.measure("H1\x00", observed=0.2, n=100),
        lambda: disco.measure("x" * MB, observed=0.2, n=100),
        lambda: disco.track("H1", "exposed", user="u" + NOT_UTF8),
        lambda: disco.synth(SPEC, rows=int(TOO_MANY_ROWS)),
        lambda: disco.experiments(problem=NOT_UTF8),
        lambda: disco.decide("H1", "kill", learning="x\x00"),
        lambda: disco.report(problem="x" * MB),
    ]
    for attempt in attempts:
        with pytest.raises(DiscoError) as err:
            attempt()
        assert "\n" not in str(err.value) and len(str(err.value)) < 500
        str(err.value).encode("utf-8")
    assert store.counts() == before


# ------------------------------------------------------------------------------------------------ fuzz

FLAGS = [
    "--metric",
    "--target",
    "--baseline",
    "--risk",
    "--problem",
    "--data",
    "--group",
    "--control",
    "--observed",
    "--n",
    "--baseline-n",
    "--split",
    "--rows",
    "--seed",
    "--for",
    "--runs",
    "--all",
    "--export",
    "--out",
    "--events",
    "H1",
    "H9",
    "trials",
    "invite_rate",
    "0.3",
    "-1",
    "1e999",
    "nan",
    "'",
    '"',
    "{",
    "}",
    "$",
    "\x00",
    NOT_UTF8,
    "status",
    "report",
    "x.md",
    "x.pdf",
]
argument_strings = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(FLAGS) | st.text(max_size=6), max_size=8).map(" ".join),
).map(lambda line: line.replace("\n", " ").replace("\r", " "))

DISTRIBUTIONS = [
    "choice(a=0.5, b=0.5)",
    "bernoulli(0.2)",
    "poisson(3)",
    "normal(0, 1)",
    "lognormal(0, 1)",
    "uniform(0, 1)",
    "integer(1, 5)",
    "date(2026-01-01, 2026-03-31)",
    "fake.company",
    "sequence(u)",
    "bernoulli(",
    "choice()",
    "poisson(-1)",
    "normal(0, -1)",
    "fake.nope",
    "bernoulli(2)",
    "choice(a=1)",
    "integer(5, 1)",
    "date(2026-13-01, 2026-01-01)",
]
spec_line = st.builds(
    lambda name, cond, dist: f"{name}{cond}: {dist}",
    st.sampled_from(["x", "y", "variant", "1bad", "a b", ""]) | st.text(max_size=5),
    st.sampled_from(["", "[x=a]", "[variant=b]", "[nope=1]", "[x=]"]),
    st.sampled_from(DISTRIBUTIONS) | st.text(max_size=12),
)
spec_bodies = st.one_of(st.text(max_size=200), st.lists(spec_line, max_size=6).map("\n".join))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=argument_strings)
def test_fuzz_line_magics_raise_only_one_line_usage_errors(framed, line):
    for name in ("measure", "simulate", "experiments", "plan"):
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                framed.run_line_magic(name, line)
        except UsageError as err:
            assert type(err) is UsageError and "\n" not in str(err)
            str(err).encode("utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=argument_strings)
def test_fuzz_disco_raises_only_one_line_usage_errors(framed, line):
    # no network: a fuzzed `use openai` must not be followed by an LLM call, and none is made here
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            framed.run_line_magic("disco", line)
    except UsageError as err:
        assert type(err) is UsageError and "\n" not in str(err)
        str(err).encode("utf-8")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=argument_strings, body=spec_bodies)
def test_fuzz_synth_lines_and_spec_bodies_raise_only_usage_errors(framed, line, body):
    for name, args in (
        ("synth", f"fuzzed --rows 50 --seed 1 {line}"),
        ("synth", "fuzzed --rows 50 --seed 1"),
    ):
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                framed.run_cell_magic(name, args, body)
        except UsageError as err:
            assert type(err) is UsageError and "\n" not in str(err)
            str(err).encode("utf-8")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=argument_strings, body=st.text(max_size=300))
def test_fuzz_problem_and_hypothesis_bodies_raise_only_usage_errors(framed, line, body):
    """Beyond test_magics' fuzz: structured flags, NUL and undecodable bytes, bodies with key lines."""
    for name, args, text in (
        ("problem", f"fuzzed {line}", body),
        ("problem", "fuzzed", f"A statement.\nmetric: m = x (baseline 0.1)\n{body}"),
        ("hypothesis", f"H7 {line}", body or "text"),
    ):
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                framed.run_cell_magic(name, args, text)
        except UsageError as err:
            assert type(err) is UsageError and "\n" not in str(err)
            str(err).encode("utf-8")


# ------------------------------------------------------------------------------------------- the CLI


def run_cli(argv: list[str], cwd: Path) -> tuple[int, str, str]:
    """``disco ARGV`` in this process: (exit status, stdout, stderr); a traceback would escape as an error."""
    from disco_magics.cli import main

    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exit_:
                code = exit_.code
    finally:
        os.chdir(previous)
    return code, out.getvalue(), err.getvalue()


def cli_files(tmp: Path) -> dict[str, str]:
    (tmp / "binary.ipynb").write_bytes(b"\xff\xfe\x00 not text")
    (tmp / "not-a-notebook.ipynb").write_text('{"cells": 3}')
    (tmp / "bad-cell.ipynb").write_text(
        '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": 5}]}'
    )
    (tmp / "broken.ipynb").write_text('{"cells":\n[\n\n')
    (tmp / "huge.ipynb").write_text("x" * MB)
    (tmp / "notes.txt").write_text("not a database")
    (tmp / "folder").mkdir()
    return {"store": str(tmp / "store.db")}


CLI_CASES = [
    ([], "disco: no command given"),
    (["--bogus"], "disco: error: unrecognized arguments: --bogus"),
    (["run", "binary.ipynb"], "disco: cannot read binary.ipynb"),
    (["run", "not-a-notebook.ipynb"], "disco: cannot read not-a-notebook.ipynb: not a valid notebook"),
    (["run", "bad-cell.ipynb"], "disco: cannot read bad-cell.ipynb: not a valid notebook"),
    (["run", "broken.ipynb"], "disco: cannot read broken.ipynb"),
    (["run", "huge.ipynb"], "disco: cannot read huge.ipynb"),
    (["run", "folder"], "disco: run: no notebook at folder"),
    (["run", "x" * MB], "disco: run: no notebook at xxx"),
    (["run", "a\x00b.ipynb"], "disco: run: no notebook at a\\x00b.ipynb"),
    (["run", NOT_UTF8 + ".ipynb"], "disco: run: no notebook at caf\\udce9"),
    (["run", "--timeout", "soon", "x.ipynb"], "disco run: error: argument --timeout: invalid int value"),
    (["report", "--store"], "disco report: error: argument --store: expected one argument"),
    (["report", "--store", "folder"], "disco: report: cannot "),
    (["report", "--store", "notes.txt"], "disco: report: cannot open the store at"),
    (["report", "--store", "notes.txt/sub.db"], "disco: report: cannot create the store folder"),
    (["report", "--store", "a\x00b.db"], "disco: report: cannot open the store at 'a\\x00b.db'"),
    (["report", "--store", "postgresql://disco@127.0.0.1:1/none"], "disco: report: cannot "),
    (["report", "--store", "{store}", "--problem", "1bad"], "disco: report: unknown problem '1bad'"),
    (["report", "--store", "{store}", "--problem", NOT_UTF8], "disco: report: unknown problem 'caf\\udce9"),
    (["report", "--store", "{store}", "--problem", "x" * MB], "disco: report: unknown problem 'xxx"),
    (
        ["report", "--store", "{store}", "--out", "notes.txt/r.md"],
        "disco: report: cannot write notes.txt/r.md",
    ),
    (["report", "--store", "{store}", "--out", "r\x00.md"], "disco: report: cannot write 'r\\x00.md'"),
    (["init", ""], "disco: init: '' is not a valid name"),
    (["init", "a\x00"], "disco: init: 'a\\x00' is not a valid name"),
    (["init", NOT_UTF8], "is not a valid name"),
    (["init", "x" * MB], "is not a valid name"),
    (["init", "fine", "--dir", "notes.txt"], "disco: init: cannot write notes.txt/fine.ipynb"),
    (["init", "fine", "--dir", "/proc/no/such"], "disco: init: cannot write"),
    (["init", "fine", "--dir", "d\x00"], "disco: init: cannot write 'd\\x00/fine.ipynb'"),
    (["serve"], "disco serve: error: the following arguments are required: id"),
    (["serve", "H1", "--port", "http"], "disco serve: error: argument --port: invalid int value"),
]


@pytest.mark.parametrize(("argv", "message"), CLI_CASES, ids=[ascii(" ".join(c[0])[:40]) for c in CLI_CASES])
def test_bad_cli_invocations_exit_non_zero_with_one_line(tmp_path, argv, message):
    names = cli_files(tmp_path)
    argv = [a.replace("{store}", names["store"]) for a in argv]
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = run_cli(argv, tmp_path)
    assert code not in (0, None), (code, out, err)
    lines = err.splitlines()
    assert len(lines) == 1, err[:1000]
    assert lines[0].startswith(message) or message in lines[0], lines[0][:300]
    assert len(lines[0]) < 500 and "Traceback" not in err
    lines[0].encode("utf-8")
    # nothing written but, at most, the (empty) store a report opened
    after = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("store.db"))
    assert after == before


@pytest.mark.parametrize(
    "argv",
    [[b"init", b"caf\xe9"], [b"report", b"--problem", b"\xff\xfe"], [b"run", b"\xff.ipynb"], [b"nope"]],
    ids=["init latin-1", "report undecodable", "run undecodable", "unknown command"],
)
def test_the_real_disco_command_with_undecodable_argv(tmp_path, argv):
    """A real process: argv bytes that are not UTF-8 reach Python through surrogateescape."""
    ran = subprocess.run(
        [sys.executable, "-m", "disco_magics.cli", *argv],
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
        env={**os.environ, "DISCO_STORE": str(tmp_path / "store.db")},
    )
    assert ran.returncode != 0
    lines = ran.stderr.splitlines()
    assert len(lines) == 1 and b"Traceback" not in ran.stderr, ran.stderr
    lines[0].decode("utf-8")


# ------------------------------------------------------------------------------------ exception classes


def package_modules():
    for info in pkgutil.walk_packages(disco_magics.__path__, "disco_magics."):
        yield info.name


def test_no_exception_class_of_the_project_derives_directly_from_base_exception():
    """jupyter-ai's flaw: a BaseException subclass escapes ``except Exception`` and kills loops."""
    offenders, checked = [], 0
    for name in package_modules():
        try:
            module = importlib.import_module(name)
        except ImportError:  # an optional extra is not installed (llama-cpp...): the AST scan below covers it
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != name or not issubclass(cls, BaseException):
                continue
            checked += 1
            if BaseException in cls.__bases__ or not issubclass(cls, Exception):
                offenders.append(f"{name}.{cls.__qualname__}")
    assert checked >= 6  # DiscoError and its family at least
    assert offenders == []


def test_no_class_in_the_source_names_base_exception_as_a_base():
    """The same by reading the source, so modules that need an optional extra are covered too."""
    import ast

    package = Path(disco_magics.__file__).parent
    offenders = []
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(base) for base in node.bases}
                if bases & {
                    "BaseException",
                    "builtins.BaseException",
                    "KeyboardInterrupt",
                    "SystemExit",
                    "GeneratorExit",
                }:
                    offenders.append(f"{path.relative_to(package)}:{node.name}")
    assert offenders == []
