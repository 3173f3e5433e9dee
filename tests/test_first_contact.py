"""What a new user and a team meet in their first week (issue 11).

The experiment table as a pandas frame, files a teammate can read, a silent database server, an in-memory
store that says so, and kernels that write the same names or measure the same hypothesis at the same instant.
"""

from __future__ import annotations

import io
import os
import socket
import stat
import sys
import threading
import time
from contextlib import redirect_stderr
from pathlib import Path

import pytest
from IPython.core.error import UsageError

import disco_magics as disco

from . import store_fixtures
from .conftest import H1
from .test_reliability_store import Worker, release

backend = store_fixtures.backend


# ----------------------------------------------------------------------------- the table as a pandas frame


def _two_hypotheses(ip):
    ip.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.30 --risk value", H1)
    ip.run_cell_magic("hypothesis", "H2 --metric paid_rate --target 0.09 --risk viability", H1)
    disco.measure("H1", observed=0.3, n=4000, baseline=0.18, baseline_n=4000)


def test_the_experiment_frame_behaves_like_any_pandas_frame(onboarding, tmp_path):
    import pandas as pd

    _two_hypotheses(onboarding)
    frame = disco.experiments()
    assert frame.loc["H1", "verdict"] == "validated"  # indexed by ID
    assert list(frame["id"]) == ["H1", "H2"]  # and the column is still there
    flat = frame.reset_index()  # raised "cannot insert id, already exists"
    assert list(flat["id"]) == ["H1", "H2"]
    by_status = frame.groupby("status")["id"].count().to_dict()
    assert by_status == {"draft": 1, "validated": 1}
    frame.to_csv(tmp_path / "board.csv", index=False)
    back = pd.read_csv(tmp_path / "board.csv")
    assert list(back["id"]) == ["H1", "H2"] and back.loc[0, "verdict"] == "validated"


# ------------------------------------------------------------------------------------ files for people


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(Path(path).stat().st_mode)


def test_files_for_people_honour_the_umask_and_the_llm_cache_stays_private(onboarding, tmp_path, umask_022):
    _two_hypotheses(onboarding)
    onboarding.run_line_magic("experiments", f"--export {tmp_path / 'board.csv'}")
    onboarding.run_line_magic("experiments", f"--export {tmp_path / 'board.html'}")
    disco.report(out=str(tmp_path / "report.md"))
    onboarding.run_cell_magic(
        "synth", f"trials --rows 100 --seed 1 --out {tmp_path / 'trials.parquet'}", "invited: bernoulli(0.2)\n"
    )
    made = disco.prototype("H1", kind="fake-door", out=str(tmp_path / "prototypes"), progress=False)[0]
    for name in ("board.csv", "board.html", "report.md", "trials.parquet"):
        assert _mode(tmp_path / name) == 0o644, name
    files = [p for p in Path(made.folder).rglob("*") if p.is_file()]
    assert files and {_mode(p) for p in files} == {0o644}

    from disco_magics.files import write_text_atomic

    os.umask(0o027)  # a stricter team umask is honoured too
    write_text_atomic(tmp_path / "strict.md", "x")
    assert _mode(tmp_path / "strict.md") == 0o640
    write_text_atomic(tmp_path / "secret.json", "x", private=True)
    assert _mode(tmp_path / "secret.json") == 0o600


# ------------------------------------------------------------------------------------ a silent server


class SilentServer:
    """A TCP server on loopback that accepts every connection and never says a word (a hung PostgreSQL)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self._stop = True
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def silent_server():
    server = SilentServer()
    yield server
    server.close()


def test_a_silent_postgresql_server_is_one_line_within_seconds(ip, silent_server, monkeypatch):
    pytest.importorskip("psycopg")
    url = f"postgresql://disco:hunter2secret@127.0.0.1:{silent_server.port}/discovery"
    monkeypatch.setenv("DISCO_STORE_CONNECT_TIMEOUT", "2")
    ip.run_line_magic("config", f"DiscoMagics.store = '{url}'")
    started = time.monotonic()
    with pytest.raises(UsageError) as caught:
        ip.run_cell_magic("problem", "onboarding", "Admins never invite.\nmetric: invite_rate = share (baseline 0.1)\n")
    elapsed = time.monotonic() - started
    message = str(caught.value)
    assert type(caught.value) is UsageError
    assert elapsed < 8, f"took {elapsed:.1f} s"
    assert f"127.0.0.1:{silent_server.port}" in message and "DISCO_STORE_CONNECT_TIMEOUT" in message
    assert "hunter2secret" not in message and "\n" not in message
    assert silent_server.accepted, "the driver never reached the server"
    # the kernel keeps working: point it at a file and carry on
    ip.run_line_magic("config", "DiscoMagics.store = 'again.db'")
    ip.run_cell_magic("problem", "onboarding", "Admins never invite.\nmetric: invite_rate = share (baseline 0.1)\n")
    assert disco.experiments().empty


def test_the_statement_timeout_is_set_on_a_real_server(monkeypatch):
    url = os.environ.get(store_fixtures.POSTGRES_ENV)
    if not url:
        pytest.skip("needs the loopback PostgreSQL of scripts/test.sh")
    from sqlalchemy import text

    from disco_magics.store import Store

    with store_fixtures.fresh_postgres_database(url) as database:
        store = Store(database, statement_timeout=1.5)
        try:
            with store.engine.connect() as c:
                assert c.execute(text("SHOW statement_timeout")).scalar() == "1500ms"
                with pytest.raises(Exception, match="statement timeout"):
                    c.execute(text("SELECT pg_sleep(5)"))
        finally:
            store.close()
        monkeypatch.setenv("DISCO_STORE_STATEMENT_TIMEOUT", "nope")
        from disco_magics.errors import StoreError

        with pytest.raises(StoreError, match="DISCO_STORE_STATEMENT_TIMEOUT must be a number"):
            Store(database)


# ------------------------------------------------------------------------------------ in-memory store


def test_an_in_memory_store_says_it_is_lost_at_exit(ip, monkeypatch):
    ip.run_line_magic("config", "DiscoMagics.store = 'sqlite://'")
    captured = io.StringIO()
    with redirect_stderr(captured):
        ip.run_cell_magic("problem", "onboarding", "Admins never invite.\nmetric: invite_rate = share (baseline 0.1)\n")
        ip.run_cell_magic("hypothesis", "H1 --metric invite_rate --target 0.2 --risk value", H1)
    assert captured.getvalue().count("lost when the kernel exits") == 1  # once, at the first write
    out = io.StringIO()
    from contextlib import redirect_stdout

    with redirect_stdout(out):
        status = ip.run_line_magic("disco", "status")
    shown = out.getvalue() + str(status or "") + repr(status)
    assert "lost when the kernel exits" in shown
    assert list(disco.experiments()["id"]) == ["H1"]  # one database for the whole kernel, not one per connection


# ------------------------------------------------------------------------------------ several kernels


def test_kernels_declaring_the_same_names_at_once_all_succeed(backend):
    opener = Worker("open", backend.url)
    release([opener])
    assert opener.finish() == 0, opener.stderr  # the schema exists; only the declarations race
    for _round in range(3):
        workers = [Worker("declare", backend.url, "H1", "1", "5") for _ in range(6)]
        release(workers)
        for worker in workers:
            assert worker.finish() == 0, worker.stderr
            assert "duplicate key" not in worker.stderr and worker.stderr == "", worker.stderr
            assert len(worker.acks) == 5
    from disco_magics.store import Store

    store = Store(backend.url)
    try:
        assert [p.name for p in store.problems()] == ["onboarding"]
        assert [(h.problem, h.id) for h in store.hypotheses()] == [("onboarding", "H1")]
        assert store.current_problem_name() == "onboarding"
    finally:
        store.close()


def test_kernels_measuring_the_same_hypothesis_at_once_get_distinct_looks(backend):
    from disco_magics.session import Session, Settings

    session = Session(settings=Settings(store=backend.url))
    try:
        disco.problem("onboarding", "Admins never invite.\nmetric: invite_rate = share (baseline 0.18)\n", session=session)
        disco.hypothesis("H1", H1, metric="invite_rate", target=0.3, risk="value", session=session)
    finally:
        session.close()
    workers = [Worker("record", backend.url, "H1", str(1000 * (i + 1)), "6") for i in range(4)]
    release(workers)
    for worker in workers:
        assert worker.finish() == 0, worker.stderr
    session = Session(settings=Settings(store=backend.url))
    try:
        looks = sorted(r.look for r in session.store.results("onboarding", "H1"))
    finally:
        session.close()
    assert looks == list(range(1, 25))


# ------------------------------------------------------------------------------------------- disco run


def test_disco_run_does_not_print_the_tcp_encryption_warning(tmp_path):
    import subprocess

    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("print(1 + 1)")]
    path = tmp_path / "tiny.ipynb"
    nbformat.write(notebook, path)
    env = {k: v for k, v in os.environ.items() if k != "DISCO_STORE"} | {"DISCO_STORE": str(tmp_path / "s.db")}
    ran = subprocess.run(
        [sys.executable, "-m", "disco_magics.cli", "run", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=tmp_path,
    )
    assert ran.returncode == 0, ran.stderr
    assert "without encryption" not in ran.stderr and "encrypt" not in ran.stderr.lower(), ran.stderr

    failing = tmp_path / "failing.ipynb"
    notebook.cells = [nbformat.v4.new_code_cell("1 / 0")]
    nbformat.write(notebook, failing)
    ran = subprocess.run(
        [sys.executable, "-m", "disco_magics.cli", "run", str(failing)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=tmp_path,
    )
    assert ran.returncode == 1 and "ZeroDivisionError" in ran.stderr  # real errors still show
