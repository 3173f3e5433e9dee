"""``disco serve``: a real server in a subprocess on a free loopback port, probed with httpx and raw sockets.

It serves the prototype's files and accepts its declared events (validated, at most 16 KB); nothing else on
disk is reachable, however the path is spelled.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from disco_magics import api
from disco_magics.session import Session, Settings

from .conftest import H1, LLM_ENV, ONBOARDING

SECRET = "TOP-SECRET-NOT-A-PROTOTYPE"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in LLM_ENV}


def disco(*args: str, cwd: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "disco_magics.cli", *args],
        cwd=cwd,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A project folder with a landing page for H1, a fake door for H2, and secrets beside them."""
    root = tmp_path_factory.mktemp("site")
    session = Session(settings=Settings(provider="offline", store=str(root / "store.db")))
    api.problem("onboarding", ONBOARDING, session=session)
    api.hypothesis("H1", H1, metric="invite_rate", target=0.30, risk="viability", session=session)
    api.hypothesis("H2", H1, metric="invite_rate", target=0.30, risk="value", session=session)
    previous = Path.cwd()
    os.chdir(root)
    try:
        (page,) = api.prototype("H1", session=session)
        (door,) = api.prototype("H2", session=session)
    finally:
        os.chdir(previous)
    assert page.prototype.kind == "landing-page" and door.prototype.kind == "fake-door"
    (root / "secret.txt").write_text(SECRET)
    folder = root / "prototypes" / "H1"
    (folder / "leak.txt").symlink_to(root / "secret.txt")
    (folder / "outside").symlink_to(root, target_is_directory=True)
    (folder / "inside.html").symlink_to(folder / "index.html")
    session.close()
    return root


@pytest.fixture(scope="module")
def server(site):
    port = free_port()
    process = disco("serve", "H1", "--port", str(port), "--store", str(site / "store.db"), cwd=site)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"disco serve exited: {process.stderr.read()}")
        try:
            httpx.get(base + "/", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield base, port
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
    # Ctrl-C / SIGTERM ends it cleanly; its first line said where it serves and where events go
    assert "serving H1's landing-page" in process.stderr.read()


@pytest.fixture
def client(server):
    base, _ = server
    with httpx.Client(base_url=base, timeout=10) as c:
        yield c


def store_events(site) -> list[dict]:
    session = Session(settings=Settings(store=str(site / "store.db")))
    try:
        return session.store.events("H1")
    finally:
        session.close()


def raw(
    port: int,
    target: str,
    *,
    method: str = "GET",
    host: str | None = None,
    body: bytes = b"",
    headers: str = "",
) -> tuple[int, bytes]:
    """Send ``target`` byte for byte (no client-side normalisation of ``..`` or encodings)."""
    host = host or f"127.0.0.1:{port}"
    head = f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{headers}"
    if body:
        head += f"Content-Length: {len(body)}\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n" + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.partition(b"\r\n\r\n")[2]


# ------------------------------------------------------------------------------------------ the files


def test_serves_the_page_and_its_files_with_a_strict_policy(client):
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>" in page.text and "no LLM wrote this" in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy and "unsafe-eval" not in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "server" not in page.headers
    assert client.get("/index.html").text == page.text
    assert client.get("/app.js").headers["content-type"].split(";")[0] in (
        "text/javascript",
        "application/javascript",
    )
    assert client.get("/style.css").headers["content-type"].startswith("text/css")
    assert client.head("/").status_code == 200
    assert client.get("/inside.html").status_code == 200  # a link that stays inside is fine


TRAVERSALS = [
    "/../secret.txt",
    "/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/.%2e/secret.txt",
    "/%2e%2e%2fsecret.txt",
    "/..%2fsecret.txt",
    "/..%2Fsecret.txt",
    "/%2e%2e%5csecret.txt",
    "/..%5csecret.txt",
    "/..\\secret.txt",
    "/%252e%252e/secret.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "//secret.txt",
    "/" + "%2e%2e/" * 8 + "etc/passwd",
    "/../../../../../../etc/passwd",
    "/etc/passwd",
    "/%2fetc%2fpasswd",
    "http://127.0.0.1/../secret.txt",
    "/leak.txt",
    "/outside/secret.txt",
    "/outside/store.db",
    "/.disco-manifest.json",
    "/%2edisco-manifest.json",
    "/index.html%00.js",
    "/%00",
    "/index.html%00",
    "/./index.html/../../secret.txt",
    "/C:/Windows/win.ini",
    "/C:%5cWindows%5cwin.ini",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_nothing_outside_the_prototype_is_reachable(server, site, target):
    _, port = server
    status, body = raw(port, target)
    assert 400 <= status < 500, (target, status)
    assert SECRET.encode() not in body
    assert b"SQLite" not in body and b"root:" not in body and b"sha256" not in body.lower()
    assert len(body) < 200  # a short reason, never a file


def test_nul_in_the_raw_path_is_refused(server):
    _, port = server
    status, body = raw(port, "/index.html\x00.js")
    assert 400 <= status < 500 and b"<h1>" not in body


def test_other_methods_and_hosts_are_refused(server, client):
    _, port = server
    assert client.put("/index.html", content=b"x").status_code == 405
    assert client.delete("/events").status_code == 405
    assert client.get("/events").status_code == 404
    status, body = raw(port, "/", host="evil.example")  # a DNS-rebinding page cannot reach a loopback server
    assert status == 400 and b"<h1>" not in body


# ------------------------------------------------------------------------------------------ the events


def test_events_are_validated_and_stored(client, site):
    before = len(store_events(site))
    ok = client.post("/events", json={"event": "exposed", "user": "visitor-1", "variant": "treatment"})
    assert ok.status_code == 204 and ok.content == b""
    assert (
        client.post("/events", json={"event": "clicked_buy", "user": "visitor-1", "id": "H1"}).status_code
        == 204
    )
    events = store_events(site)
    assert len(events) == before + 2
    assert events[-2]["event"] == "exposed" and events[-2]["variant"] == "treatment"


BAD_EVENTS = [
    ({"event": "rm_rf", "user": "u"}, 422),  # not an event this prototype declared
    ({"event": "exposed", "user": "u", "id": "H2"}, 404),  # another prototype's ID
    ({"event": "exposed", "user": "u", "id": "NOPE"}, 404),
    ({"event": "exposed"}, 422),
    ({"event": "exposed", "user": ""}, 422),
    ({"event": "exposed", "user": "u" * 129}, 422),
    ({"event": "exposed", "user": "u", "variant": "<script>"}, 422),
    ({"event": "<img src=x onerror=alert(1)>", "user": "u"}, 422),
    ({"event": "exposed", "user": "u", "admin": True}, 422),
    ({"event": "exposed", "user": "u", "value": "lots"}, 422),
    ([1, 2, 3], 422),
    ("exposed", 422),
]


@pytest.mark.parametrize(("body", "status"), BAD_EVENTS)
def test_bad_events_are_refused(client, site, body, status):
    before = len(store_events(site))
    response = client.post("/events", json=body)
    assert response.status_code == status, response.text
    assert "<script>" not in response.text and "onerror" not in response.text
    assert len(store_events(site)) == before


def test_malformed_oversized_and_non_json_bodies_are_refused(client, server, site):
    _, port = server
    before = len(store_events(site))
    assert (
        client.post("/events", content=b"{not json", headers={"content-type": "application/json"}).status_code
        == 422
    )
    assert client.post("/events", content=b"event=exposed&user=u").status_code == 415
    assert (
        client.post(
            "/events", content=b'{"event":"exposed","user":"u"}', headers={"content-type": "text/plain"}
        ).status_code
        == 415
    )
    big = json.dumps({"event": "exposed", "user": "u", "variant": None, "pad": "x" * (17 * 1024)}).encode()
    assert (
        client.post("/events", content=big, headers={"content-type": "application/json"}).status_code == 413
    )

    def chunks():  # no Content-Length: the server counts as it reads
        for _ in range(40):
            yield b" " * 1024
        yield b'{"event":"exposed","user":"u"}'

    chunked = client.post("/events", content=chunks(), headers={"content-type": "application/json"})
    assert chunked.status_code == 413
    status, _ = raw(
        port,
        "/events",
        method="POST",
        body=b"{}",
        headers="Content-Type: application/json\r\nContent-Length: 99999999\r\n",
    )
    assert 400 <= status < 500
    inf = b'{"event":"exposed","user":"u","value":1e999}'
    assert (
        client.post("/events", content=inf, headers={"content-type": "application/json"}).status_code == 422
    )
    assert len(store_events(site)) == before


def test_events_from_the_page_measure(client, site):
    for i in range(120):
        variant = "control" if i % 2 else "treatment"
        user = f"m-{i}"
        client.post("/events", json={"event": "exposed", "user": user, "variant": variant}).raise_for_status()
        if (variant == "treatment" and i % 3) or (variant == "control" and i % 10 == 1):
            client.post(
                "/events", json={"event": "clicked_buy", "user": user, "variant": variant}
            ).raise_for_status()
    session = Session(settings=Settings(store=str(site / "store.db")))
    try:
        result = api.measure("H1", events=True, session=session)
        assert result.treatment.name == "treatment" and result.control.name == "control"
        assert result.treatment.n >= 60 and result.lift > 0
        assert session.store.hypothesis("onboarding", "H1").status == result.verdict
    finally:
        session.close()


# ---------------------------------------------------------------------------------------- the command


def finished(*args: str, cwd: Path) -> tuple[int, str]:
    process = disco(*args, cwd=cwd)
    try:
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    return process.returncode, err


def test_serve_refuses_what_it_cannot_serve(site, server):
    store = str(site / "store.db")
    code, err = finished("serve", "H9", "--store", store, cwd=site)
    assert code == 2 and err.count("\n") == 1 and "no prototype for H9" in err
    code, err = finished("serve", "H2", "--store", store, cwd=site)
    assert code == 2 and "is a fake-door (notebook), not a web page" in err and "voila" in err
    code, err = finished("serve", "../H1", "--store", store, cwd=site)
    assert code == 2 and "is not a hypothesis ID" in err
    _, busy = server
    code, err = finished("serve", "H1", "--port", str(busy), "--store", store, cwd=site)
    assert code == 2 and f"cannot listen on 127.0.0.1:{busy}" in err
