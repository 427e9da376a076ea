"""Settings: TOML round trip, schema version, clear errors, and no secrets written."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.errors import ConfigError
from desktop_app.core.settings import Settings, load_settings, parse_settings, save_settings


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
    assert "schema_version = 1" in text
    assert "key" not in text.lower().replace("api_key", "!")  # no key field at all
    assert [p.name for p in path.parent.iterdir()] == ["settings.toml"]  # no temp left


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("this is = not toml [", "not valid TOML"),
        ("schema_version = 99", "newer version"),
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
