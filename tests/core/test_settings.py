"""Settings: TOML round trip, schema version, clear errors, and no secrets written."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from desktop_app.core.errors import ConfigError
from desktop_app.core.settings import (
    MAX_SETTINGS_BYTES,
    Settings,
    load_settings,
    parse_settings,
    save_settings,
)


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    """GIVEN no settings file THEN the defaults are the documented models."""
    settings = load_settings(tmp_path / "settings.toml")
    assert settings.cloud.reader_model == "qwen-vl-max-latest"
    assert settings.cloud.solver_model == "qwen2.5-math-72b-instruct"
    assert settings.cloud.region == "beijing"


def test_round_trip_is_atomic_and_versioned(tmp_path: Path) -> None:
    """GIVEN changed settings WHEN saved and loaded THEN they match and carry the version."""
    settings = Settings()
    settings.cloud.region = "international"
    settings.solve.mode = "tir"
    path = tmp_path / "cfg" / "settings.toml"
    save_settings(settings, path)
    assert load_settings(path) == settings
    text = path.read_text()
    assert "schema_version = 2" in text
    assert "key" not in text.lower().replace("api_key", "!")  # no key field at all
    assert [p.name for p in path.parent.iterdir()] == ["settings.toml"]  # no temp left


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("this is = not toml [", "not valid TOML"),
        ("schema_version = 99", "newer version"),
        ("schema_version = 3", "newer version"),
        ('[ui]\ntheme = "neon"', "theme"),
        ('[ui]\nlanguage = "klingon"', "language"),
        ("[history]\nretention_days = -1", "cannot be negative"),
        ("[history]\nretention_days = 'forever'", "wrong type"),
        ('[cloud]\nregion = "mars"', "region"),
        ("[cloud]\nrequest_timeout = 'soon'", "wrong type"),
        ("cloud = 3", "not a table"),
    ],
)
def test_bad_files_are_one_clear_sentence(text: str, fragment: str) -> None:
    """GIVEN a broken settings file THEN a ConfigError names the problem in one sentence."""
    with pytest.raises(ConfigError) as info:
        parse_settings(text)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message
    assert info.value.exit_code == 4


def test_unknown_keys_are_ignored() -> None:
    """GIVEN a key a newer app added THEN this app still reads the file."""
    settings = parse_settings('[cloud]\nfuture_option = true\nsolver_model = "m"')
    assert settings.cloud.solver_model == "m"


PROFILES_TOML = """
schema_version = 1

[backends]
reader = "cloud"
solver = "openai:Lab vLLM"

[[servers]]
name = "Lab vLLM"
base_url = "http://gpu-box:8000/v1"
api_key_env = "VLLM_API_KEY"
reader_model = "Qwen/Qwen2.5-VL-7B-Instruct"
solver_model = "Qwen/Qwen2.5-Math-72B-Instruct"

[servers.extra_headers]
X-Team = "math"

[[servers]]
name = "Ollama on this PC"
base_url = "http://localhost:11434/v1"
solver_model = "qwen2-math:7b"
continuation = "plain"
"""


def test_server_profiles_and_stage_choice_parse() -> None:
    """GIVEN profiles in settings.toml THEN they load, and the stage choice names one."""
    settings = parse_settings(PROFILES_TOML)
    assert settings.backends.solver == "openai:Lab vLLM"
    lab = settings.server("Lab vLLM")
    assert lab is not None
    assert lab.extra_headers == {"X-Team": "math"}
    assert lab.continuation == "vllm"
    assert [p.name for p in settings.servers] == ["Lab vLLM", "Ollama on this PC"]


def test_profiles_round_trip_without_any_key(tmp_path: Path) -> None:
    """GIVEN profiles WHEN saved and loaded THEN equal, now version 2, and no key value."""
    settings = parse_settings(PROFILES_TOML)
    path = tmp_path / "settings.toml"
    save_settings(settings, path)
    assert load_settings(path) == settings
    assert "schema_version = 2" in path.read_text()
    assert "sk-" not in path.read_text()


def test_a_version_1_file_without_profiles_still_loads() -> None:
    """GIVEN a file written before profiles existed THEN both stages stay on the cloud."""
    settings = parse_settings('schema_version = 1\n[cloud]\nregion = "international"\n')
    assert (settings.backends.reader, settings.backends.solver) == ("cloud", "cloud")
    assert settings.servers == []


def test_presets_are_valid_profiles() -> None:
    """GIVEN the offered presets THEN each passes the same checks a saved profile does."""
    from desktop_app.core.settings import _check_profile, preset_profiles

    presets = preset_profiles()
    settings = Settings(servers=presets)
    for profile in presets:
        _check_profile(profile, settings)
    assert {p.name for p in presets} == {"Lab vLLM", "DashScope compatible", "Ollama on this PC"}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[backends]\nsolver = "gpu"', "must be cloud, local, or openai:<server name>"),
        ('[backends]\nreader = "openai:Nowhere"', "unknown server 'Nowhere'"),
        ('[[servers]]\nname = "A"\nbase_url = "ftp://x"', "http(s) base_url"),
        ('[[servers]]\nname = ""\nbase_url = "http://x"', "name of its own"),
        (
            '[[servers]]\nname = "A"\nbase_url = "http://x"\napi_key_env = "sk-abc123"',
            "not hold the key itself",
        ),
        (
            '[[servers]]\nname = "A"\nbase_url = "http://x"\n'
            '[servers.extra_headers]\nAuthorization = "Bearer sk-1"',
            "keep keys in api_key_env",
        ),
        ('[[servers]]\nname = "A"\nbase_url = "http://x"\ncontinuation = "magic"', "'vllm'"),
        ("servers = 3", "[[servers]] tables"),
    ],
)
def test_bad_profiles_are_one_clear_sentence(text: str, fragment: str) -> None:
    """GIVEN a broken profile or stage choice THEN a ConfigError names the problem."""
    with pytest.raises(ConfigError) as info:
        parse_settings(text)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_a_version_1_file_loads_and_saves_as_version_2(tmp_path: Path) -> None:
    """GIVEN a version 1 file WHEN loaded and saved THEN it keeps its values and becomes v2."""
    path = tmp_path / "settings.toml"
    path.write_text(PROFILES_TOML, encoding="utf-8")
    settings = load_settings(path)
    assert settings.schema_version == 2
    assert (settings.ui.theme, settings.ui.language) == ("system", "system")
    assert settings.history.retention_days == 0
    assert settings.backends.solver == "openai:Lab vLLM"
    save_settings(settings, path)
    text = path.read_text()
    assert "schema_version = 2" in text
    assert "[ui]" in text
    assert "[history]" in text
    assert load_settings(path) == settings


def test_ui_and_history_settings_round_trip(tmp_path: Path) -> None:
    """GIVEN a theme, a language and a retention WHEN saved and loaded THEN they are kept."""
    settings = Settings()
    settings.ui.theme, settings.ui.language = "dark", "zh_CN"
    settings.history.retention_days = 90
    path = tmp_path / "settings.toml"
    save_settings(settings, path)
    assert load_settings(path) == settings


# -- files that are not settings at all ---------------------------------------------------------


def _one_sentence(error: ConfigError, fragment: str) -> None:
    message = str(error)
    assert fragment in message, message
    assert "\n" not in message
    assert message.endswith(".")
    assert error.exit_code == 4


def test_a_file_that_is_not_utf8_is_one_sentence(tmp_path: Path) -> None:
    """GIVEN settings.toml in Latin-1 THEN a ConfigError says it is not UTF-8, where."""
    path = tmp_path / "settings.toml"
    path.write_bytes('[ui]\ntheme = "dark"  # réglé\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    _one_sentence(info.value, "is not UTF-8 text (byte 25 ")


@pytest.mark.parametrize(
    "text",
    ["x = " + "[" * 5000 + "]" * 5000, "x = " + "{a = " * 5000 + "}" * 5000],
    ids=["arrays", "inline-tables"],
)
def test_a_file_nested_5000_deep_is_one_sentence(tmp_path: Path, text: str) -> None:
    """GIVEN nesting deep enough to exhaust the parser's recursion THEN one sentence."""
    path = tmp_path / "settings.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    _one_sentence(info.value, "nests arrays or tables too deeply")


def test_a_device_or_a_link_to_one_is_refused_without_reading(tmp_path: Path) -> None:
    """GIVEN settings.toml linked to /dev/zero THEN it is refused at once, not read forever."""
    path = tmp_path / "settings.toml"
    path.symlink_to("/dev/zero")
    started = time.monotonic()
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert time.monotonic() - started < 1
    _one_sentence(info.value, "settings.toml is a device, not a text file")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    """GIVEN settings.toml that is a named pipe with no writer THEN refused, no hang."""
    path = tmp_path / "settings.toml"
    os.mkfifo(path)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    _one_sentence(info.value, "settings.toml is a pipe, not a text file")


def test_a_folder_is_refused(tmp_path: Path) -> None:
    """GIVEN a folder named settings.toml THEN one sentence."""
    path = tmp_path / "settings.toml"
    path.mkdir()
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    _one_sentence(info.value, "settings.toml is a folder")


def test_a_huge_file_is_refused_after_a_bounded_read(tmp_path: Path) -> None:
    """GIVEN a settings file of several megabytes THEN refused: it cannot be ours."""
    path = tmp_path / "settings.toml"
    path.write_bytes(b"# " + b"x" * (MAX_SETTINGS_BYTES + 10) + b"\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    _one_sentence(info.value, "larger than 1 MB")


def test_network_limits_have_sane_defaults_and_round_trip(tmp_path: Path) -> None:
    """GIVEN no [network] section THEN the defaults bound a stalled or endless stream; set
    values survive a save and load."""
    defaults = Settings().network
    assert 10 <= defaults.no_progress_seconds <= 300
    assert defaults.no_progress_seconds < defaults.answer_deadline_seconds <= 3600
    settings = parse_settings("[network]\nno_progress_seconds = 5\nanswer_deadline_seconds = 60")
    assert (settings.network.no_progress_seconds, settings.network.answer_deadline_seconds) == (
        5.0,
        60.0,
    )
    path = tmp_path / "settings.toml"
    save_settings(settings, path)
    assert load_settings(path).network == settings.network


@pytest.mark.parametrize(
    "text", ["[network]\nno_progress_seconds = 0", "[network]\nanswer_deadline_seconds = -1"]
)
def test_network_limits_must_be_positive(text: str) -> None:
    """GIVEN a zero or negative time limit THEN one sentence."""
    with pytest.raises(ConfigError) as info:
        parse_settings(text)
    _one_sentence(info.value, "must be positive")


def test_the_number_of_samples_round_trips_and_defaults_to_one(tmp_path: Path) -> None:
    """GIVEN the window's Samples choice WHEN saved and loaded THEN it is kept; default 1."""
    assert Settings().solve.samples == 1
    settings = Settings()
    settings.solve.samples = 8
    path = tmp_path / "settings.toml"
    save_settings(settings, path)
    assert load_settings(path).solve.samples == 8


@pytest.mark.parametrize("value", ["0", "17", "-4"])
def test_samples_out_of_range_are_one_clear_sentence(value: str) -> None:
    """GIVEN a hand-edited samples outside 1..16 THEN one sentence names the setting."""
    with pytest.raises(ConfigError) as caught:
        parse_settings(f"[solve]\nsamples = {value}\n")
    _one_sentence(caught.value, "samples in settings.toml must be a whole number from 1 to 16")
