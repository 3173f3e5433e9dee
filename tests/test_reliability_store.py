"""What the store promises, proven with real processes on SQLite and on a real PostgreSQL server.

* A writer killed with SIGKILL at a random moment loses nothing whose call returned, and leaves nothing
  partial: every acknowledged result is stored, every stored row parses back into a full ``Result``, and the
  database's own checker finds nothing wrong.
* Four processes writing at once never show the user "database is locked", and every result lands.
* Eight processes opening a brand-new store at once create its schema exactly once, without an error.
* A read-only or unreachable store fails with one clear line; the tool never deletes SQLite's ``-wal`` or
  ``-shm`` files (they hold committed data); a backup goes through SQLite's online backup API.

Sizes fit CI; ``--long`` runs the big versions.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from disco_magics.errors import StoreError
from disco_magics.model import Hypothesis
from disco_magics.model.result import Result
from disco_magics.session import Session, Settings
from disco_magics.store import Store, schema
from disco_magics.store.schema import SCHEMA_VERSION

from . import store_fixtures
from .conftest import H1, ONBOARDING
from .store_fixtures import fresh_postgres_database

backend = store_fixtures.backend  # the fixture: SQLite and PostgreSQL, a brand-new store each

WORKER = Path(__file__).parent / "workers" / "store_worker.py"
HYPOTHESES = ("H1", "H2", "H3", "H4")


def long_run(request) -> bool:
    return bool(request.config.getoption("--long"))


# ------------------------------------------------------------------------------------------------ helpers


class Worker:
    """``tests/workers/store_worker.py`` in its own process; a thread collects its acknowledgements."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        environ = {k: v for k, v in os.environ.items() if k != "DISCO_STORE"}
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**environ, **(env or {})},
        )
        self.acks: list[tuple[str, int]] = []
        self.lines: list[str] = []
        self.stderr = ""
        self.ready = threading.Event()
        self._out = threading.Thread(target=self._read_stdout, daemon=True)
        self._err = threading.Thread(target=self._read_stderr, daemon=True)
        self._out.start()
        self._err.start()

    def _read_stdout(self) -> None:
        for line in self.proc.stdout:
            words = line.split()
            if words[:1] == ["ready"]:
                self.ready.set()
            elif words[:1] == ["ack"]:
                self.acks.append((words[1], int(words[2])))
            else:
                self.lines.append(line.rstrip("\n"))
        self.ready.set()  # EOF: it died before it was ready; wait_ready reports it

    def _read_stderr(self) -> None:
        self.stderr = self.proc.stderr.read()

    def wait_ready(self, timeout: float = 120) -> None:
        assert self.ready.wait(timeout), "the worker did not start in time"
        assert self.proc.poll() is None, (
            f"the worker died while starting: {self.stderr or self.proc.returncode}"
        )

    def go(self) -> None:
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        self.proc.kill()  # SIGKILL: no cleanup, no atexit, no rollback by the process itself
        self.proc.wait(timeout=60)
        self._join()

    def finish(self, timeout: float = 600) -> int:
        self.proc.wait(timeout=timeout)
        self._join()
        return self.proc.returncode

    def _join(self) -> None:
        self._out.join(timeout=60)
        self._err.join(timeout=60)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(BrokenPipeError, OSError):  # the process is gone
                stream.close()


def release(workers: list[Worker]) -> None:
    """Wait until every worker has imported everything, then let them all go at the same instant."""
    for worker in workers:
        worker.wait_ready()
    for worker in workers:
        worker.go()


def seed(url: str) -> None:
    """A problem with four hypotheses to record results against."""
    import disco_magics as disco

    session = Session(settings=Settings(store=url))
    try:
        disco.problem("onboarding", ONBOARDING, session=session)
        for hypothesis_id in HYPOTHESES:
            disco.hypothesis(
                hypothesis_id, H1, metric="invite_rate", target=0.3, risk="value", session=session
            )
    finally:
        session.close()


def result_json() -> str:
    """One real Result, as the append workers copy it."""
    from disco_magics.stats import arm_from_rate, evaluate

    made = evaluate(
        hypothesis="H1",
        metric="invite_rate",
        target=0.3,
        control=0.18,
        treatment=arm_from_rate("treatment", 0.2, 2400),
        source="aggregates",
    )
    return made.model_dump_json()


def stored(url: str) -> tuple[list[Result], list[Hypothesis]]:
    """Every result and hypothesis row, each parsed back into its full model (a partial row fails here)."""
    engine = Store(url).engine
    try:
        with engine.connect() as c:
            rows = c.execute(
                select(
                    schema.results.c.hypothesis,
                    schema.results.c.look,
                    schema.results.c.verdict,
                    schema.results.c.data,
                )
            ).all()
            hypotheses = c.execute(select(schema.hypotheses.c.id, schema.hypotheses.c.data)).all()
    finally:
        engine.dispose()
    results = []
    for hypothesis_id, look, verdict, data in rows:
        result = Result.model_validate_json(data)
        assert (result.hypothesis, result.look, result.verdict) == (hypothesis_id, look, verdict), data
        results.append(result)
    parsed = []
    for hypothesis_id, data in hypotheses:
        h = Hypothesis.model_validate_json(data)
        assert h.id == hypothesis_id
        parsed.append(h)
    return results, parsed


# ------------------------------------------------------------------------------ SIGKILL at a random moment


def test_a_killed_writer_loses_nothing_acknowledged_and_leaves_nothing_partial(backend, request, tmp_path):
    """Two processes record results; one is killed with SIGKILL at a random moment, again and again.

    The steady writer goes through ``disco.measure`` (reads, statistics, then one write transaction with
    the status update); the victim appends results as fast as it can, so most kills land inside a write.
    """
    repetitions = 50 if long_run(request) else 5
    seed(backend.url)
    rng = random.Random()
    seed_value = rng.randrange(2**32)
    rng.seed(seed_value)
    stop = tmp_path / "stop"
    steady = Worker("record", backend.url, "H2", "1", "0", "--stop", str(stop))
    release([steady])
    killed: set[int] = set()
    template = result_json()
    for repetition in range(repetitions):
        victim = Worker(
            "append",
            backend.url,
            "H1",
            str(repetition * 1_000_000 + 1),
            "1000000",
            env={"DISCO_TEST_RESULT": template},
        )
        release([victim])
        time.sleep(rng.uniform(0.0, 0.4))
        victim.kill()
        assert victim.proc.returncode == -9, victim.stderr
        killed |= {n for h, n in victim.acks}
        steady_acks = {n for h, n in list(steady.acks)}
        results, hypotheses = stored(backend.url)
        kept = {r.look for r in results if r.hypothesis == "H1"}
        measured = {r.treatment.n for r in results if r.hypothesis == "H2"}
        context = f"repetition {repetition}, random seed {seed_value}"
        assert killed <= kept, f"{context}: acknowledged but lost: {sorted(killed - kept)[:10]}"
        assert steady_acks <= measured, (
            f"{context}: acknowledged but lost: {sorted(steady_acks - measured)[:10]}"
        )
        assert {h.id for h in hypotheses} == set(HYPOTHESES), context
        assert backend.integrity_problems() == [], context
    stop.touch()
    assert steady.finish() == 0, steady.stderr
    assert "locked" not in steady.stderr and "Traceback" not in steady.stderr
    results, _ = stored(backend.url)
    assert {n for h, n in steady.acks} <= {r.treatment.n for r in results if r.hypothesis == "H2"}
    assert killed, "no kill landed after a write: the test proved nothing"
    assert steady.acks, "the steady writer never wrote"
    if backend.kind == "sqlite":
        assert not any(p.name.endswith(".partial") for p in backend.path.parent.iterdir())


# ------------------------------------------------------------------------------ four writers at once


def test_four_writers_at_once_never_see_database_is_locked(backend, request):
    per_process = 5_000 if long_run(request) else 500
    seed(backend.url)
    template = result_json()
    workers = [
        Worker(
            "append",
            backend.url,
            "H1",
            str(i * 1_000_000 + 1),
            str(per_process),
            env={"DISCO_TEST_RESULT": template},
        )
        for i in range(4)
    ]
    release(workers)
    for worker in workers:
        assert worker.finish() == 0, worker.stderr
        assert worker.stderr == "", worker.stderr  # in particular no "database is locked"
        assert len(worker.acks) == per_process
    results, _ = stored(backend.url)
    assert len(results) == 4 * per_process
    assert {r.look for r in results} == {n for w in workers for _, n in w.acks}
    assert Store(backend.url).count_results("onboarding", "H1") == 4 * per_process
    assert backend.integrity_problems() == []


# ------------------------------------------------------------------------- eight openers of a new store


def open_at_once(url: str, processes: int = 8) -> None:
    workers = [Worker("open", url) for _ in range(processes)]
    release(workers)
    for worker in workers:
        assert worker.finish() == 0, worker.stderr
        assert worker.stderr == "", worker.stderr
        assert worker.lines and worker.lines[0].startswith("opened {'problems': 0"), worker.lines
    engine = create_engine(url if "://" in url else f"sqlite:///{url}")
    try:
        with engine.connect() as c:
            versions = (
                c.execute(select(schema.meta.c.value).where(schema.meta.c.key == "schema_version"))
                .scalars()
                .all()
            )
            tables = {name for name in schema.metadata.tables if engine.dialect.has_table(c, name)}
            assert c.execute(select(func.count()).select_from(schema.meta)).scalar_one() == 1
    finally:
        engine.dispose()
    assert versions == [str(SCHEMA_VERSION)]
    assert tables == set(schema.metadata.tables)


def test_eight_processes_open_a_brand_new_store_at_once(backend, request, tmp_path):
    open_at_once(backend.url)
    for attempt in range(4 if long_run(request) else 0):
        if backend.kind == "sqlite":
            open_at_once(str(tmp_path / f"again{attempt}" / "store.db"))
        else:
            with fresh_postgres_database(os.environ["DISCO_TEST_POSTGRES_URL"]) as url:
                open_at_once(url)


# --------------------------------------------------------------------------- read-only and unreachable

AS_NOBODY = """
import os, sys
from disco_magics.errors import StoreError
from disco_magics.parse.cells import parse_problem
from disco_magics.store import Store
import sqlalchemy.dialects.sqlite.pysqlite, sqlite3  # loaded before losing access to root's files
if os.geteuid() == 0:
    os.setgid(65534)
    os.setuid(65534)
try:
    Store(sys.argv[1]).save_problem(parse_problem("later", "A statement."))
    print("WROTE")
except StoreError as err:
    print("StoreError:", err)
"""


@pytest.fixture
def world_readable(tmp_path):
    """A folder an unprivileged user can reach (pytest's own tmp folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="disco-ro-"))
    folder.chmod(0o755)
    yield folder
    folder.chmod(0o700)
    for path in sorted(folder.rglob("*"), reverse=True):
        path.chmod(0o700)
    subprocess.run(["rm", "-rf", str(folder)], check=True)


@pytest.mark.parametrize("case", ["read-only file", "read-only folder, new store"])
def test_a_read_only_store_is_one_clear_line_and_is_left_alone(world_readable, case):
    store = world_readable / "store.db"
    if case == "read-only file":
        seed(str(store))
        sqlite3.connect(store).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
        store.chmod(0o444)
        for sidecar in world_readable.iterdir():
            sidecar.chmod(0o444)
    else:
        store = world_readable / "new.db"
    world_readable.chmod(0o555)
    before = {p.name: p.read_bytes() for p in world_readable.iterdir()}
    ran = subprocess.run(
        [sys.executable, "-c", AS_NOBODY, str(store)], capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("StoreError: cannot "), ran.stdout
    assert re.search(r"readonly|read-only|unable to open|Permission denied", lines[0]), lines[0]
    assert {p.name: p.read_bytes() for p in world_readable.iterdir()} == before


UNREACHABLE_SQLITE = {
    "a folder": lambda tmp: tmp,
    "not a database": lambda tmp: (tmp / "notes.txt", (tmp / "notes.txt").write_text("hello " * 1000))[0],
    "under a file": lambda tmp: (tmp / "file", (tmp / "file").write_text("x"))[0] / "sub" / "s.db",
    "in /proc": lambda tmp: Path("/proc/self/disco/s.db"),
    "a NUL byte": lambda tmp: str(tmp / "a\x00b.db"),
}


@pytest.mark.parametrize("case", list(UNREACHABLE_SQLITE))
def test_an_unreachable_sqlite_store_is_one_clear_line(tmp_path, case, ip):
    target = UNREACHABLE_SQLITE[case](tmp_path)
    with pytest.raises(StoreError) as err:
        Store(target)
    message = str(err.value)
    assert message.startswith("cannot ") and "\n" not in message, message
    # and through a magic: exactly one UsageError line, nothing else changes
    from IPython.core.error import UsageError

    from disco_magics.session import get_session

    get_session().use_store(str(target))  # what `%config DiscoMagics.store = ...` does
    with pytest.raises(UsageError) as used:
        ip.run_cell_magic("problem", "onboarding", ONBOARDING)
    assert type(used.value) is UsageError and str(used.value).startswith("cannot ")
    assert "\n" not in str(used.value)
    assert ip.run_cell("1 + 1").result == 2


UNREACHABLE_POSTGRES = {
    "refused port": "postgresql://disco@127.0.0.1:1/disco_test",
    "no such database": "postgresql://disco@127.0.0.1:55432/no_such_database_here",
    "no such user": "postgresql://nobody_here@127.0.0.1:55432/disco_test",
    "no such host": "postgresql://disco@no-such-host.invalid:5432/disco_test",
    "unknown driver": "postgresql+nosuchdriver://disco@127.0.0.1/disco_test",
    "unknown dialect": "nosuchdb://somewhere/x",
}


@pytest.mark.parametrize("case", list(UNREACHABLE_POSTGRES))
def test_an_unreachable_database_url_is_one_clear_line(case):
    url = UNREACHABLE_POSTGRES[case]
    if case in ("no such database", "no such user") and not os.environ.get("DISCO_TEST_POSTGRES_URL"):
        pytest.skip("needs the test PostgreSQL server")
    started = time.monotonic()
    with pytest.raises(StoreError) as err:
        Store(url)
    message = str(err.value)
    assert message.startswith("cannot ") and "the store at " in message, message
    assert "\n" not in message and len(message) < 400, message
    assert time.monotonic() - started < 30


# ------------------------------------------------------------------------------ -wal and -shm stay


def test_committed_data_in_the_wal_survives_a_kill_and_no_wal_or_shm_is_ever_deleted(tmp_path, monkeypatch):
    url = str(tmp_path / "store.db")
    seed(url)
    victim = Worker("append", url, "H1", "1", "1000000", env={"DISCO_TEST_RESULT": result_json()})
    release([victim])
    deadline = time.monotonic() + 60
    while len(victim.acks) < 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    victim.kill()
    acked = {n for _, n in victim.acks}
    wal, shm = Path(f"{url}-wal"), Path(f"{url}-shm")
    # the killed writer never checkpointed: its committed results live only in the WAL
    assert wal.exists() and wal.stat().st_size > 0 and shm.exists()

    deleted: list[str] = []

    def spy(original):
        def unlink(path, *args, **kwargs):
            deleted.append(os.fspath(path))
            return original(path, *args, **kwargs)

        return unlink

    monkeypatch.setattr(os, "unlink", spy(os.unlink))
    monkeypatch.setattr(os, "remove", spy(os.remove))
    monkeypatch.setattr(Path, "unlink", lambda self, missing_ok=False: (deleted.append(str(self)), None)[1])
    import shutil

    monkeypatch.setattr(shutil, "rmtree", lambda path, *a, **k: deleted.append(os.fspath(path)))

    store = Store(url)
    assert acked <= {r.look for r in store.results("onboarding", "H1")}
    store.add_result("onboarding", Result.model_validate_json(result_json()))
    store.backup(tmp_path / "copy.db")
    store.close()
    Store(url).close()
    with pytest.raises(StoreError):
        Store(tmp_path)  # a failing open cleans nothing up either
    assert not [p for p in deleted if p.endswith(("-wal", "-shm"))], deleted


def test_the_package_never_names_the_wal_or_shm_files():
    """Nothing in the tool refers to SQLite's sidecar files, so nothing can delete them by mistake — but
    the portfolio server, which only stats the WAL to notice a teammate's write (never opens, moves or
    deletes anything)."""
    package = Path(__import__("disco_magics").__file__).parent
    naming = {
        str(path.relative_to(package)): path.read_text(encoding="utf-8")
        for path in package.rglob("*.py")
        if re.search(r"""["'][^"'\n]*-(wal|shm)\b""", path.read_text(encoding="utf-8"))
    }
    assert set(naming) <= {"server/handlers.py"}
    for text in naming.values():
        assert not re.search(r"\bunlink\(|\bremove\(|rmtree|\brename\(|\breplace\(|\bopen\(", text)


# ------------------------------------------------------------------------------------------- backups


def test_backup_copies_what_is_only_in_the_wal_while_others_write(tmp_path):
    url = str(tmp_path / "store.db")
    seed(url)
    store = Store(url)
    for look in range(1, 6):
        store.add_result(
            "onboarding", Result.model_validate_json(result_json()).model_copy(update={"look": look})
        )
    # A plain file copy would miss these: they are committed, but still only in the WAL.
    plain = tmp_path / "plain-copy.db"
    plain.write_bytes(Path(url).read_bytes())
    assert count_rows(plain) == 0
    writers = [
        Worker(
            "append", url, "H3", str(i * 1_000_000 + 1), "1000000", env={"DISCO_TEST_RESULT": result_json()}
        )
        for i in range(2)
    ]
    release(writers)
    while sum(len(w.acks) for w in writers) < 50:
        time.sleep(0.01)
    before = {n for w in writers for _, n in list(w.acks)}
    copy = store.backup(tmp_path / "backup" / "copy.db")
    for writer in writers:
        writer.kill()
    assert sorted(p.name for p in copy.parent.iterdir()) == ["copy.db"]  # self-contained, no partial left
    raw = sqlite3.connect(copy)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    results, _ = stored(str(copy))
    assert {r.look for r in results if r.hypothesis == "H1"} == set(range(1, 6))
    assert before <= {r.look for r in results if r.hypothesis == "H3"}
    store.close()


def count_rows(path: Path) -> int:
    """Results in a database file read alone, without its WAL (0 when the table is not even there)."""
    raw = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return raw.execute("select count(*) from disco_results").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        raw.close()


def test_backup_replaces_the_destination_only_when_complete(tmp_path):
    store = Store(tmp_path / "store.db")
    seed(str(tmp_path / "store.db"))
    destination = tmp_path / "old.db"
    destination.write_text("an older export, not even a database")
    store.backup(destination)
    assert Store(destination).problem("onboarding").name == "onboarding"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (
            lambda tmp: (tmp / "file", (tmp / "file").write_text("x"))[0] / "copy.db",
            "cannot back up the store to ",
        ),
        (lambda tmp: tmp / "store.db", "onto itself"),
        (lambda tmp: str(tmp / "a\x00.db"), "cannot back up the store to "),
    ],
    ids=["under a file", "onto itself", "NUL byte"],
)
def test_a_failed_backup_is_one_line_and_leaves_no_partial_file(tmp_path, where, message):
    store = Store(tmp_path / "store.db")
    with pytest.raises(StoreError) as err:
        store.backup(where(tmp_path))
    assert message in str(err.value) and "\n" not in str(err.value)
    assert not [p for p in tmp_path.rglob("*.partial")]


def test_backup_of_a_postgresql_store_says_what_to_use():
    url = os.environ.get(store_fixtures.POSTGRES_ENV)
    if not url:
        pytest.skip(f"{store_fixtures.POSTGRES_ENV} is unset")
    with fresh_postgres_database(url) as database:
        store = Store(database)
        with pytest.raises(StoreError, match="use pg_dump for PostgreSQL"):
            store.backup("copy.db")
        store.close()


# ------------------------------------------------------------------------- the same API on both backends


def test_the_api_works_the_same_on_both_backends(backend, monkeypatch, tmp_path):
    """``DISCO_STORE=postgresql://...`` is a drop-in for a team: the full loop, through the default session."""
    import disco_magics as disco
    from disco_magics.session import set_session

    monkeypatch.setenv("DISCO_STORE", backend.url)
    monkeypatch.chdir(tmp_path)
    previous = set_session(None)
    try:
        disco.problem("onboarding", ONBOARDING)
        disco.hypothesis("H1", H1, metric="invite_rate", target=0.25, risk="value")
        result = disco.measure("H1", observed=0.27, n=2400, baseline=0.18, baseline_n=2400)
        disco.decide("H1", "persevere", learning="admins invite when they see a team feature")
        disco.track("H1", "exposed", user="u1", variant="checklist")
        frame = disco.experiments()
        assert frame.loc["H1", "verdict"] == result.verdict == "validated"
        assert frame.loc["H1", "decision"] == "persevere"
        from disco_magics.session import get_session

        assert get_session().store.counts() == {
            "problems": 1,
            "hypotheses": 1,
            "results": 1,
            "decisions": 1,
            "events": 1,
            "evidence": 0,
        }
        assert (
            get_session()
            .store.describe()
            .startswith("postgresql://" if backend.kind == "postgresql" else str(tmp_path))
        )
    finally:
        from disco_magics.session import get_session

        get_session().close()
        set_session(previous)
