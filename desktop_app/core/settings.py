"""Typed settings stored as TOML in the config dir, with a schema version."""

from __future__ import annotations

import os
import tempfile
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from desktop_app.core.errors import ConfigError

SCHEMA_VERSION = 1
Region = Literal["beijing", "international"]
REGIONS: tuple[Region, ...] = ("beijing", "international")


@dataclass
class CloudSettings:
    """DashScope: region and the models for each stage (the key lives in the keyring)."""

    region: Region = "beijing"
    reader_model: str = "qwen-vl-max-latest"
    solver_model: str = "qwen2.5-math-72b-instruct"
    request_timeout: float = 120.0


@dataclass
class SolveSettings:
    """How problems are solved."""

    mode: Literal["cot", "tir"] = "cot"


@dataclass
class Settings:
    """Everything in settings.toml."""

    schema_version: int = SCHEMA_VERSION
    cloud: CloudSettings = field(default_factory=CloudSettings)
    solve: SolveSettings = field(default_factory=SolveSettings)


def _section(cls: type[Any], raw: object, name: str) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"The [{name}] section of settings.toml is not a table.")
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in known:  # unknown keys are ignored so older apps read newer files' extras
            default = getattr(cls(), key)
            if type(default) is float and type(value) is int:
                value = float(value)
            if type(value) is not type(default):
                raise ConfigError(f"The setting {name}.{key} in settings.toml has the wrong type.")
            values[key] = value
    return cls(**values)


def parse_settings(text: str) -> Settings:
    """Settings from TOML text; a bad file is a ConfigError with one sentence."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"settings.toml is not valid TOML ({exc}).") from None
    version = raw.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise ConfigError("settings.toml was written by a newer version of Qwen Math.")
    settings = Settings(
        cloud=_section(CloudSettings, raw.get("cloud", {}), "cloud"),
        solve=_section(SolveSettings, raw.get("solve", {}), "solve"),
    )
    if settings.cloud.region not in REGIONS:
        raise ConfigError("The region in settings.toml must be 'beijing' or 'international'.")
    if settings.solve.mode not in ("cot", "tir"):
        raise ConfigError("The mode in settings.toml must be 'cot' or 'tir'.")
    return settings


def load_settings(path: Path) -> Settings:
    """Settings from `path`, or the defaults when it does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        raise ConfigError(f"Could not read {path.name} ({exc.strerror}).") from None
    return parse_settings(text)


def save_settings(settings: Settings, path: Path) -> None:
    """Write settings atomically (temp file, fsync, rename) so a crash never leaves half a file."""
    import tomli_w

    path.parent.mkdir(parents=True, exist_ok=True)
    data = asdict(settings)
    data["schema_version"] = SCHEMA_VERSION
    fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            tomli_w.dump(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
