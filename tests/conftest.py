"""Shared fixtures: a real IPython shell with the extension loaded on a store in ``tmp_path``."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["tests.browser"]

LLM_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "DISCO_PROVIDER",
    "DISCO_MODEL",
    "DISCO_LLM_CACHE",
    "DISCO_STORE",
)


def pytest_addoption(parser):
    parser.addoption(
        "--long", action="store_true", default=False, help="run the large versions of slow tests"
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--long"):
        return
    skip = pytest.mark.skip(reason="needs --long")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def clean_env(tmp_path, monkeypatch):
    """No LLM configuration from the developer's environment; the working directory is ``tmp_path``."""
    for name in LLM_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def session(clean_env):
    from disco_magics.session import Session, Settings, set_session

    s = Session(settings=Settings(store=str(clean_env / "store.db")))
    previous = set_session(s)
    yield s
    s.close()
    set_session(previous)


@pytest.fixture
def ip(clean_env, monkeypatch):
    """A real ``InteractiveShell`` with ``disco_magics`` loaded on a fresh store."""
    from IPython.testing.globalipapp import get_ipython

    from disco_magics.session import set_session

    monkeypatch.setenv("DISCO_STORE", str(clean_env / "store.db"))
    shell = get_ipython()
    previous = set_session(None)
    from disco_magics.magics import load

    # %config writes into the one global shell's config, which every later DiscoMagics loads: a test's
    # ``%config DiscoMagics.store = 'sqlite://'`` must not become the next test's store.
    shell.config.pop("DiscoMagics", None)
    magics = load(shell)
    shell.reset()
    yield shell
    magics.session.close()
    shell.config.pop("DiscoMagics", None)
    set_session(previous)


@pytest.fixture
def onboarding(ip):
    ip.run_cell_magic("problem", "onboarding", ONBOARDING)
    return ip


ONBOARDING = """Trial admins don't reach a first shared dashboard, so most trials never invite a
teammate and few convert.
segment: trial admins at companies with 10-200 employees
metric: invite_rate = share of trials inviting a teammate within 7 days (baseline 0.18)
metric: paid_rate = share of trials converting to paid within 30 days (baseline 0.06)
constraint: no pricing changes this quarter
"""

H1 = """We believe a guided onboarding checklist for new trial admins will raise the share
who invite a teammate within 7 days, because admins don't see that the product is
built for teams.
"""

os.environ.setdefault("PYTHONHASHSEED", "0")
