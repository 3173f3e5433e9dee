"""The read-only portfolio route of the jupyter_server extension, on a real JupyterLab server (loopback).

The store is a real SQLite file in the server root, written by the plain-Python API as a kernel would.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from disco_magics import api
from disco_magics.model import Origin
from disco_magics.session import Session, Settings

from .browser import start_jupyter_lab, stop_jupyter_lab

pytestmark = pytest.mark.slow

ROUTE = "disco-magics/portfolio"
PASSWORD = "hunter2-never-shown"


def fetch(lab, method: str = "GET", token: str | None = None, path: str = ROUTE, body: bytes | None = None):
    """(status, decoded JSON or text) of one request; ``token=None`` sends no credentials."""
    headers = {"Authorization": f"token {token}"} if token else {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(f"{lab.url}{path}", data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        status, text = err.code, err.read().decode(errors="replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("server-root")
    home = tmp_path_factory.mktemp("server-home")
    lab = start_jupyter_lab(root, home)
    yield lab
    stop_jupyter_lab(lab)


def declare(root, notebook: str, problem: str, ids: list[str]) -> None:
    """What running a notebook at ``root/notebook`` leaves in the default store beside it."""
    session = Session(settings=Settings(store=str(root / ".disco" / "discovery.db")))
    session.locate = lambda: Origin(notebook=str(root / notebook), cell="cell-1")
    try:
        api.problem(problem, "Admins don't invite.\nmetric: invite_rate = share inviting (baseline 0.18)", session=session)
        for hid in ids:
            api.hypothesis(hid, "We believe a checklist lifts invites.", metric="invite_rate", target=0.25, session=session)
        api.measure(ids[0], observed=0.27, n=2400, baseline_n=2400, session=session)
    finally:
        session.close()


def test_unauthenticated_request_is_refused(lab):
    status, body = fetch(lab, token=None)
    assert status == 403
    assert "problems" not in str(body)


def test_a_missing_store_is_an_empty_portfolio_with_a_reason_then_the_store_once_written(lab):
    status, body = fetch(lab, token=lab.token)
    assert status == 200
    assert body["problems"] == []
    assert body["reason"].startswith("no store at ") and "\n" not in body["reason"]
    assert not (lab.root_dir / ".disco").exists()  # reading never creates the store

    declare(lab.root_dir, "team/onboarding.ipynb", "onboarding", ["H1", "H2"])
    status, body = fetch(lab, token=lab.token)
    assert status == 200 and body["reason"] is None
    [problem] = body["problems"]
    assert problem["name"] == "onboarding"
    assert problem["notebook"] == "team/onboarding.ipynb"  # relative to the server root
    rows = {h["id"]: h for h in problem["hypotheses"]}
    assert rows["H1"]["status"] == "validated" and rows["H1"]["verdict"] == "validated"
    assert rows["H2"]["status"] == "draft" and rows["H2"]["verdict"] is None
    assert rows["H1"]["cell"] == "cell-1" and rows["H2"]["notebook"] == "team/onboarding.ipynb"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_there_is_no_write_route(lab, method):
    before = (lab.root_dir / ".disco" / "discovery.db").read_bytes() if (lab.root_dir / ".disco").exists() else b""
    status, _ = fetch(lab, method=method, token=lab.token, body=b"{}" if method != "DELETE" else None)
    assert status == 405
    after = (lab.root_dir / ".disco" / "discovery.db").read_bytes() if (lab.root_dir / ".disco").exists() else b""
    assert after == before


def test_a_password_in_the_store_url_is_never_echoed(tmp_path):
    url = f"postgresql://disco:{PASSWORD}@127.0.0.1:1/nowhere"
    (tmp_path / "root").mkdir()
    lab = start_jupyter_lab(tmp_path / "root", tmp_path / "home", env={"DISCO_STORE": url})
    try:
        status, body = fetch(lab, token=lab.token)
        log = lab.log()
    finally:
        stop_jupyter_lab(lab)
    assert status == 200, body
    assert body["problems"] == []
    assert body["store"] == "postgresql://disco:***@127.0.0.1:1/nowhere"
    assert body["reason"] and "\n" not in body["reason"]
    assert PASSWORD not in json.dumps(body)
    assert PASSWORD not in log


def test_an_unchanged_store_answers_304_to_the_panel_poll(lab):
    declare(lab.root_dir, "etag.ipynb", "etag_problem", ["H1"])
    first = urllib.request.Request(f"{lab.url}{ROUTE}", headers={"Authorization": f"token {lab.token}"})
    with urllib.request.urlopen(first, timeout=30) as response:
        etag = response.headers["ETag"]
        assert "etag_problem" in response.read().decode()
    assert etag
    again = urllib.request.Request(
        f"{lab.url}{ROUTE}", headers={"Authorization": f"token {lab.token}", "If-None-Match": etag}
    )
    with pytest.raises(urllib.error.HTTPError) as unchanged:
        urllib.request.urlopen(again, timeout=30)
    assert unchanged.value.code == 304
