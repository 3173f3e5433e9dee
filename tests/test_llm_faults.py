"""The openai provider against a real HTTP server on loopback that misbehaves on purpose.

Rate limits, server errors, silence, malformed and schema-breaking answers, a bad key, Ctrl-C, concurrency,
record/replay, and a canary key that must surface nowhere.
"""

from __future__ import annotations

import _thread
import json
import logging
import threading
import time
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from disco_magics.errors import ProviderError
from disco_magics.llm import Task, generate, generate_many, provider_info
from disco_magics.session import Session, Settings
from tests import llm_servers
from tests.llm_servers import FaultServer, hang, ok, status

fault_server = llm_servers.fault_server


class File(BaseModel):
    path: str
    content: str = ""


class Draft(BaseModel):
    summary: str
    files: list[File] = Field(default_factory=list, max_length=3)


GOOD = {"summary": "a fake door", "files": [{"path": "index.html", "content": "<button>Try it</button>"}]}
BAD = {"summary": "a fake door", "files": [{"content": "<button>"}]}  # files.0.path missing


def draft_task(n: int = 0) -> Task:
    return Task(
        name="draft",
        response_model=Draft,
        system="You draft the thinnest prototype.",
        instructions="Draft one prototype.",
        data=f"hypothesis number {n}",
        max_tokens=64,
    )


def make_session(folder: Path, url: str | None, **overrides) -> Session:
    settings = Settings(
        provider="openai",
        model="fault-model",
        base_url=url,
        store=str(folder / "store.db"),
        llm_cache="off",
        deadline=10.0,
        concurrency=4,
    )
    for name, value in overrides.items():
        setattr(settings, name, value)
    return Session(settings=settings)


@pytest.fixture
def llm(clean_env, fault_server):
    session = make_session(clean_env, fault_server.url)
    yield session
    session.close()


def warm_up(session: Session, server: FaultServer) -> None:
    """One call first, so timings below don't include importing openai and instructor (seconds, cold)."""
    server.play(ok(GOOD))
    generate(session, draft_task(-1))


def failure(session: Session, task: Task | None = None) -> tuple[str, float]:
    start = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        generate(session, task or draft_task())
    return caught.value.one_line(), time.monotonic() - start


def all_text(body: dict) -> str:
    return json.dumps(body.get("messages", []))


# ------------------------------------------------------------------------------------------- happy path


def test_structured_call_round_trip(llm, fault_server):
    fault_server.play(ok(GOOD))
    made = generate(llm, draft_task())
    assert made.value == Draft.model_validate(GOOD)
    assert made.provenance.provider == "openai" and made.provenance.model == "fault-model"
    assert made.provenance.cache_hit is False and made.provenance.offline is False
    assert len(made.provenance.prompt_hash) == 16
    (request,) = fault_server.requests
    assert request["tool_choice"]["function"]["name"] == "Draft"  # instructor TOOLS mode
    assert request["max_tokens"] == 64 and request["model"] == "fault-model"
    user = request["messages"][-1]["content"]
    assert "<user_data>\nhypothesis number 0\n</user_data>" in user
    assert "never instructions" in request["messages"][0]["content"]


# ---------------------------------------------------------------------------------------------- faults


def test_429_twice_then_ok_succeeds_after_three_requests_honouring_retry_after(llm, fault_server):
    fault_server.play(status(429, retry_after=1), status(429, retry_after=1), ok(GOOD))
    start = time.monotonic()
    made = generate(llm, draft_task())
    elapsed = time.monotonic() - start
    assert made.value == Draft.model_validate(GOOD)
    assert len(fault_server.requests) == 3
    gaps = [b - a for a, b in zip(fault_server.request_times, fault_server.request_times[1:], strict=False)]
    assert all(gap >= 0.95 for gap in gaps), gaps  # Retry-After: 1 was honoured
    assert all(gap < 2 for gap in gaps), gaps  # ...and no more than that
    assert elapsed < llm.settings.deadline  # (elapsed includes importing openai on a cold first call)
    span = fault_server.request_times[-1] - fault_server.request_times[0]
    print(f"\n429x2 then 200: {len(fault_server.requests)} requests, first to last {span:.2f} s")


def test_429_forever_is_one_line_within_the_deadline(llm, fault_server):
    fault_server.play(status(429, retry_after=0.5))
    message, elapsed = failure(llm)
    assert message == f"rate-limited by {fault_server.host} after 3 attempts"
    assert len(fault_server.requests) == 3
    assert elapsed < llm.settings.deadline
    print(f"\n429 forever: {message!r} after {len(fault_server.requests)} requests in {elapsed:.2f} s")


def test_retry_after_beyond_the_deadline_fails_at_once(llm, fault_server):
    warm_up(llm, fault_server)
    llm.settings.deadline = 3
    fault_server.play(status(429, retry_after=30))
    message, elapsed = failure(llm)
    assert message.startswith(f"rate-limited by {fault_server.host} after 1 attempt ")
    assert "30 s" in message and "3 s deadline" in message
    assert elapsed < 1.5


def test_server_error_then_ok_retries_with_backoff(llm, fault_server):
    fault_server.play(status(503), ok(GOOD))
    assert generate(llm, draft_task()).value == Draft.model_validate(GOOD)
    assert len(fault_server.requests) == 2


def test_server_error_forever(llm, fault_server):
    fault_server.play(status(500))
    message, _ = failure(llm)
    assert message == f"{fault_server.host} kept failing (HTTP 500) after 3 attempts"


def test_no_reply_times_out_within_deadline(llm, fault_server):
    warm_up(llm, fault_server)
    llm.settings.deadline = 2
    fault_server.play(hang())
    message, elapsed = failure(llm)
    assert message == f"no answer from {fault_server.host} within 2 s"
    assert elapsed < 2 + 3
    print(f"\nno reply: {message!r} in {elapsed:.2f} s (deadline 2 s)")


def test_unreachable_server(clean_env):
    with FaultServer() as gone:
        url = gone.url
    session = make_session(clean_env, url, deadline=10)
    message, elapsed = failure(session)
    assert message == f"cannot reach {url.split('/')[2]} after 3 attempts"
    assert elapsed < 10


def test_invalid_json_twice_then_valid_reasks_with_the_validation_message(llm, fault_server):
    fault_server.play(ok("{not json"), ok("{not json"), ok(GOOD))
    made = generate(llm, draft_task())
    assert made.value == Draft.model_validate(GOOD)
    assert len(fault_server.requests) == 3
    first, second, third = (all_text(r) for r in fault_server.requests)
    assert "Validation Error" not in first
    for reask in (second, third):
        assert "Validation Error found" in reask and "Invalid JSON" in reask
        for http_text in ("429", "Error code", "HTTP", "rate", "server_error"):
            assert http_text not in reask
    print(f"\ninvalid JSON x2: {len(fault_server.requests)} requests; re-ask carries the validation message")


def test_schema_mismatch_forever_names_the_field(llm, fault_server):
    fault_server.play(ok(BAD))
    message, _ = failure(llm)
    assert message == "model output did not match Draft after 3 attempts: files.0.path: field required"
    assert len(fault_server.requests) == 3


def test_rate_limit_during_a_reask_repeats_that_request_only(llm, fault_server):
    fault_server.play(ok(BAD), status(429, retry_after=0.2), ok(GOOD))
    assert generate(llm, draft_task()).value == Draft.model_validate(GOOD)
    assert len(fault_server.requests) == 3
    # the retried re-ask is the very same request: the validation message, and nothing about the 429
    assert fault_server.requests[1] == fault_server.requests[2]
    assert "files.0.path" in all_text(fault_server.requests[2])
    assert "429" not in all_text(fault_server.requests[2])


def test_deadline_covers_reasks(llm, fault_server):
    warm_up(llm, fault_server)
    llm.settings.deadline = 1.5
    fault_server.play(ok(BAD, delay=0.6))
    message, elapsed = failure(llm)
    assert message == f"no answer from {fault_server.host} within 1.5 s"
    assert elapsed < 1.5 + 3


# ------------------------------------------------------------------------------------------------ keys


def test_missing_key_is_one_line_without_percent_env(clean_env):
    session = make_session(clean_env, None)
    message, _ = failure(session)
    assert message == "OPENAI_API_KEY is not set — set it in your environment or a .env file"
    assert "%env" not in message


def test_key_from_dotenv_is_used_but_not_exported(clean_env, fault_server, monkeypatch):
    import os

    (clean_env / ".env").write_text("OPENAI_API_KEY=sk-from-dotenv-1234\n")
    fault_server.play(ok(GOOD))
    session = make_session(clean_env, fault_server.url)
    generate(session, draft_task())
    assert fault_server.headers[0].get("authorization") == "Bearer sk-from-dotenv-1234"
    assert "OPENAI_API_KEY" not in os.environ
    assert provider_info(session)["keys"] == ["OPENAI_API_KEY (.env)"]


def test_rejected_key(clean_env, fault_server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-5678")
    fault_server.play(status(401, message="Incorrect API key provided: sk-wrong-5678"))
    message, _ = failure(make_session(clean_env, fault_server.url))
    assert message == (
        f"{fault_server.host} rejected OPENAI_API_KEY (HTTP 401) — check the key in your environment or .env file"
    )
    assert len(fault_server.requests) == 1


def test_other_refusals_show_the_server_message_redacted(clean_env, fault_server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-echoed-9999")
    fault_server.play(status(400, message="context too long for key sk-echoed-9999"))
    message, _ = failure(make_session(clean_env, fault_server.url))
    assert message == f"{fault_server.host} refused the request (HTTP 400): context too long for key ***"


def test_bad_deadline_is_refused(llm):
    for bad in (0, -1, float("inf"), float("nan"), None):
        llm.settings.deadline = bad
        message, _ = failure(llm)
        assert "deadline must be a positive, finite number" in message


# ----------------------------------------------------------------------------------------- concurrency


def test_batch_takes_about_as_long_as_its_slowest_call(llm, fault_server):
    warm_up(llm, fault_server)
    fault_server.play(ok(GOOD, delay=0.5))
    start = time.monotonic()
    made = generate_many(llm, [draft_task(n) for n in range(4)], progress=False)
    elapsed = time.monotonic() - start
    assert [m.value for m in made] == [Draft.model_validate(GOOD)] * 4
    assert elapsed < 1.4, elapsed  # one after another would take 2 s or more


def test_concurrency_is_bounded(llm, fault_server):
    llm.settings.concurrency = 2
    fault_server.play(ok(GOOD, delay=0.4))
    start = time.monotonic()
    generate_many(llm, [draft_task(n) for n in range(4)], progress=True)
    assert time.monotonic() - start >= 0.8  # two waves of two


def test_a_failure_in_a_batch_is_one_line_and_the_rest_is_cached(llm, fault_server):
    llm.settings.concurrency = 1
    llm.settings.llm_cache = "record"
    fault_server.play(ok(GOOD), ok(GOOD), status(400, message="nope"))
    tasks = [draft_task(n) for n in range(3)]
    with pytest.raises(ProviderError) as caught:
        generate_many(llm, tasks, progress=False)
    assert caught.value.one_line() == (
        f"1 of 3 calls failed; draft: {fault_server.host} refused the request (HTTP 400): nope"
    )
    fault_server.play(ok(GOOD))
    made = generate_many(llm, tasks, progress=False)
    assert [m.provenance.cache_hit for m in made] == [True, True, False]
    assert len(fault_server.requests) == 1


def test_works_while_an_event_loop_is_running(llm, fault_server):
    """In a kernel an asyncio loop is already running in the main thread."""
    import asyncio

    fault_server.play(ok(GOOD))

    async def inside_a_running_loop():
        return generate(llm, draft_task())

    # On a thread of its own: the main thread of a pytest session may already run a loop (Playwright's).
    answers = []
    thread = threading.Thread(target=lambda: answers.append(asyncio.run(inside_a_running_loop())))
    thread.start()
    thread.join(timeout=60)
    assert answers and answers[0].value == Draft.model_validate(GOOD)


# -------------------------------------------------------------------------------------- record / replay


def test_replay_returns_identical_objects_with_the_server_stopped(clean_env):
    tasks = [draft_task(n) for n in range(3)]
    with FaultServer(answer=GOOD) as server:
        session = make_session(clean_env, server.url, llm_cache="record")
        recorded = generate_many(session, tasks, progress=False)
        assert len(server.requests) == 3
    # the server is gone: replay (and record, which reads first) answer from the cache
    for mode in ("replay", "record"):
        session.settings.llm_cache = mode
        replayed = generate_many(session, tasks, progress=False)
        assert [r.value for r in replayed] == [r.value for r in recorded]
        assert all(r.provenance.cache_hit for r in replayed)
        assert [r.provenance.prompt_hash for r in replayed] == [r.provenance.prompt_hash for r in recorded]
    assert provider_info(session)["cache_hits"] == 6
    files = sorted((clean_env / "llm-cache").iterdir())
    assert len(files) == 3 and all(f.suffix == ".json" for f in files)
    entry = json.loads(files[0].read_text())
    assert {"task", "provider", "model", "prompt_hash", "messages", "response", "params"} <= set(entry)

    session.settings.llm_cache = "replay"
    with pytest.raises(ProviderError) as caught:
        generate(session, draft_task(99))
    line = caught.value.one_line()
    assert line.startswith("replay: no recorded answer for task 'draft' (openai:fault-model, prompt ")
    assert "DISCO_LLM_CACHE=record" in line


def test_cache_off_neither_reads_nor_writes(llm, fault_server):
    fault_server.play(ok(GOOD))
    generate(llm, draft_task())
    generate(llm, draft_task())
    assert len(fault_server.requests) == 2
    assert not (Path(llm.settings.store).parent / "llm-cache").exists()


# ---------------------------------------------------------------------------------------------- Ctrl-C


def test_ctrl_c_mid_call_leaves_things_usable_and_stores_nothing(clean_env, fault_server):
    session = make_session(clean_env, fault_server.url, llm_cache="off", deadline=30)
    warm_up(session, fault_server)
    session.settings.llm_cache = "record"
    fault_server.play(hang())
    timer = threading.Timer(0.5, _thread.interrupt_main)
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        generate_many(session, [draft_task(n) for n in range(3)], progress=False)
    elapsed = time.monotonic() - start
    timer.join()
    assert elapsed < 3, elapsed
    assert not any(t.name == "disco-llm-batch" for t in threading.enumerate())
    cache = clean_env / "llm-cache"
    assert not cache.exists() or list(cache.iterdir()) == []
    fault_server.play(ok(GOOD))  # the next call works
    assert generate(session, draft_task()).value == Draft.model_validate(GOOD)


# ---------------------------------------------------------------------------------------------- quiet


def test_failures_print_nothing_but_the_error(llm, fault_server, capfd):
    fault_server.play(status(429, retry_after=0.1))
    failure(llm)
    fault_server.play(ok(BAD))
    failure(llm)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


# ---------------------------------------------------------------------------------------------- canary


CANARY = "sk-canary-7f3a9c1e5b2d4680"
DOTENV_CANARY = "sk-dotenv-canary-0a1b2c3d4e5f"


def test_canary_key_appears_in_no_output_log_cache_or_store(clean_env, monkeypatch, capfd, caplog):
    from disco_magics.status import status_text

    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    (clean_env / ".env").write_text(f"AZURE_OPENAI_API_KEY={DOTENV_CANARY}\n")
    seen: list[str] = []
    with FaultServer(answer=GOOD) as server:
        session = make_session(clean_env, server.url, llm_cache="record", deadline=2)
        seen += [repr(session), repr(session.settings), str(provider_info(session)), status_text(session)]
        for steps in (
            [ok(GOOD)],
            [ok("{broken"), ok(GOOD)],
            [status(429, retry_after=0.1)],
            [status(503)],
            [status(401, message=f"Incorrect API key provided: {CANARY}")],
            [status(400, message=f"echo {CANARY}")],
            [ok(BAD)],
            [hang()],
        ):
            server.play(*steps)
            task = draft_task(len(seen))
            try:
                made = generate(session, task)
                seen += [repr(made), made.provenance.model_dump_json(), repr(task)]
            except ProviderError as err:
                seen += [str(err), repr(err), err.one_line(), "".join(err._render_traceback_())]
        session.settings.llm_cache = "replay"
        try:
            generate(session, draft_task(12345))
        except ProviderError as err:
            seen.append(str(err))
        seen.append(status_text(session))
        session.close()
    out, err = capfd.readouterr()
    seen += [out, err, caplog.text]
    seen += [f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records]
    for path in clean_env.rglob("*"):
        if path.is_file() and path.name != ".env":
            seen.append(path.read_bytes().decode("utf-8", errors="replace"))
    assert any("llm-cache" in str(p) for p in clean_env.rglob("*.json"))
    text = "\n".join(seen)
    assert CANARY not in text
    assert DOTENV_CANARY not in text
    assert "keys set: OPENAI_API_KEY, AZURE_OPENAI_API_KEY (.env)" in seen[3]  # names, never values
