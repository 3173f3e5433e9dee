"""The store on real SQLite files, across processes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from disco_magics.errors import StoreError
from disco_magics.model import Decision
from disco_magics.parse.cells import parse_hypothesis, parse_problem
from disco_magics.store import Store, resolve_url
from disco_magics.store.schema import SCHEMA_VERSION

from .conftest import H1, ONBOARDING


def run_python(code: str, **env) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_resolve_url(tmp_path, monkeypatch):
    monkeypatch.delenv("DISCO_STORE", raising=False)
    monkeypatch.chdir(tmp_path)
    assert resolve_url() == f"sqlite:///{tmp_path}/.disco/discovery.db"
    assert resolve_url("postgresql://u@h/db") == "postgresql://u@h/db"
    monkeypatch.setenv("DISCO_STORE", str(tmp_path / "x.db"))
    assert resolve_url() == f"sqlite:///{tmp_path}/x.db"


def test_sqlite_is_wal_with_schema_version(tmp_path):
    store = Store(tmp_path / "s.db")
    raw = sqlite3.connect(tmp_path / "s.db")
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("select value from disco_meta where key='schema_version'").fetchone()[0] == str(
        SCHEMA_VERSION
    )
    store.close()


def test_second_process_sees_what_the_first_wrote(tmp_path):
    path = tmp_path / "shared.db"
    run_python(
        f"""
        from disco_magics.store import Store
        from disco_magics.parse.cells import parse_problem, parse_hypothesis
        s = Store({str(path)!r})
        p = parse_problem("onboarding", {ONBOARDING!r})
        s.save_problem(p)
        s.save_hypothesis(parse_hypothesis("H1", {H1!r}, p, target=0.3, metric="invite_rate"))
        """
    )
    out = run_python(
        f"""
        from disco_magics.store import Store
        s = Store({str(path)!r})
        print(s.current_problem_name(), [h.id for h in s.hypotheses("onboarding")], s.hypothesis("onboarding", "H1").target)
        """
    )
    assert out.split() == ["onboarding", "['H1']", "0.3"]


def test_many_processes_create_a_new_store_at_once(tmp_path):
    path = tmp_path / "new.db"
    code = f"from disco_magics.store import Store; Store({str(path)!r}).counts(); print('ok')"
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(6)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e.decode() for _, e in outs]
    raw = sqlite3.connect(path)
    assert raw.execute("select count(*) from disco_meta where key='schema_version'").fetchone()[0] == 1


def test_decisions_and_latest(tmp_path):
    store = Store(tmp_path / "s.db")
    p = parse_problem("onboarding", ONBOARDING)
    store.save_problem(p)
    store.save_hypothesis(parse_hypothesis("H1", H1, p, metric="invite_rate", target=0.3))
    store.add_decision("onboarding", Decision(hypothesis="H1", decision="pivot", learning="a"))
    store.add_decision("onboarding", Decision(hypothesis="H1", decision="kill", learning="b"))
    latest = store.latest("decisions")
    assert latest[("onboarding", "H1")].decision == "kill"
    assert [d.decision for d in store.decisions("onboarding", "H1")] == ["pivot", "kill"]
    assert store.latest_decisions("onboarding") == {("onboarding", "H1"): store.decisions("onboarding", "H1")[-1]}


def test_results_come_back_typed(tmp_path):
    from disco_magics import stats
    from disco_magics.model import ExperimentRow, Result

    store = Store(tmp_path / "s.db")
    p = parse_problem("onboarding", ONBOARDING)
    store.save_problem(p)
    h = parse_hypothesis("H1", H1, p, metric="invite_rate", target=0.3)
    store.save_hypothesis(h)
    made = [
        stats.evaluate(
            hypothesis="H1",
            metric="invite_rate",
            target=0.3,
            control=stats.arm_from_rate("control", 0.18, 2000),
            treatment=stats.arm_from_rate("treatment", rate, 2000),
            look=look,
        )
        for look, rate in ((1, 0.2), (2, 0.31))
    ]
    for result in made:
        store.add_result("onboarding", result, status=result.verdict)
    stored = store.results("onboarding", "H1")
    assert [type(r) for r in stored] == [Result, Result]
    assert stored == made  # every field survives the round trip, nothing extra rides along
    latest = store.latest_results("onboarding")[("onboarding", "H1")]
    assert latest == made[-1]
    row = ExperimentRow.from_evidence(store.hypothesis("onboarding", "H1"), latest)
    assert (row.looks, row.n, row.lift) == (2, 4000, latest.lift)


def test_newer_schema_is_refused_not_broken(tmp_path):
    path = tmp_path / "s.db"
    Store(path).close()
    raw = sqlite3.connect(path)
    raw.execute("update disco_meta set value='999' where key='schema_version'")
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match="has schema 999, newer than this disco_magics understands"):
        Store(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_read_only_folder_is_one_clear_line(tmp_path):  # pragma: no cover - CI runs as root
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    with pytest.raises(StoreError, match="cannot"):
        Store(folder / "sub" / "s.db")


def test_unreachable_path_is_one_clear_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError) as err:
        Store(blocker / "s.db")
    assert str(err.value).startswith("cannot create the store folder")
    assert "\n" not in str(err.value)


def test_backup_uses_sqlite_backup(tmp_path):
    store = Store(tmp_path / "s.db")
    store.save_problem(parse_problem("onboarding", ONBOARDING))
    copy = store.backup(tmp_path / "copy.db")
    assert Store(copy).problem("onboarding").name == "onboarding"
