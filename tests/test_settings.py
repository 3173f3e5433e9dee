"""Settings are defined once, as traitlets: the magics' ``%config`` traits and the session's ``Settings`` agree."""

from __future__ import annotations

import dataclasses

from disco_magics.magics import DiscoMagics
from disco_magics.session import Settings as SessionSettings
from disco_magics.settings import CONFIGURABLE, Settings, SettingTraits


def test_settings_fields_and_defaults_are_the_traits():
    traits = SettingTraits.class_traits()
    fields = {f.name: f.default for f in dataclasses.fields(Settings)}
    assert fields == {name: trait.default_value for name, trait in traits.items()}
    assert fields["llm_cache"] == "record" and fields["deadline"] == 60.0 and fields["concurrency"] == 4
    assert SessionSettings is Settings  # the old import path still works


def test_the_magics_configure_exactly_the_configurable_settings():
    assert set(DiscoMagics.class_trait_names(config=True)) == set(CONFIGURABLE)
    assert set(CONFIGURABLE) == {"provider", "model", "store", "llm_cache", "deadline", "concurrency"}
    assert "base_url" not in CONFIGURABLE  # from OPENAI_BASE_URL only
    assert DiscoMagics.class_traits()["deadline"].help == SettingTraits.class_traits()["deadline"].help


def test_from_env_reads_the_variables_named_on_the_traits():
    env = {
        "DISCO_PROVIDER": "local",
        "DISCO_MODEL": "/m/tiny.gguf",
        "DISCO_STORE": "/data/s.db",
        "DISCO_LLM_CACHE": "REPLAY",
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
    }
    assert Settings.from_env(env) == Settings(
        provider="local",
        model="/m/tiny.gguf",
        store="/data/s.db",
        llm_cache="replay",
        base_url="http://127.0.0.1:9/v1",
    )
    assert Settings.from_env({"DISCO_PROVIDER": "", "DISCO_LLM_CACHE": ""}) == Settings()


def test_config_reaches_the_session_and_the_environment_fills_the_rest(ip):
    from disco_magics.session import get_session

    try:
        ip.run_line_magic("config", "DiscoMagics.concurrency = 2")
        ip.run_line_magic("config", "DiscoMagics.llm_cache = 'off'")
        settings = get_session().settings
        assert (settings.concurrency, settings.llm_cache) == (2, "off")
        assert settings.store.endswith("store.db")  # DISCO_STORE, as the fixture set it
        ip.run_line_magic("config", "DiscoMagics.concurrency = 'many'")  # the trait refuses it (IPython logs why)
        assert get_session().settings.concurrency == 2
    finally:  # %config writes into the shell's config, which every later DiscoMagics would load
        for name in ("concurrency", "llm_cache"):
            ip.config.DiscoMagics.pop(name, None)
