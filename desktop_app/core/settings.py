"""Typed settings stored as TOML in the config dir, with a schema version."""

from __future__ import annotations

import os
import re
import stat
import tempfile
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from desktop_app.core.errors import ConfigError

SCHEMA_VERSION = 2
Region = Literal["beijing", "international"]
REGIONS: tuple[Region, ...] = ("beijing", "international")
THEMES = ("system", "light", "dark")
LANGUAGES = ("system", "en", "zh_CN")
RETENTION_DAYS = (0, 30, 90, 365)  # 0 keeps history forever
MAX_SAMPLES = 16  # self-consistency's most samples (core/sampling.py)
CONTINUATIONS = ("vllm", "partial", "plain")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_SETTINGS_BYTES = 2**20  # settings are a few kilobytes; a bigger file is not ours
# Headers that carry credentials belong in the keyring or the environment, never in the file.
_SECRET_HEADERS = frozenset({"authorization", "api-key", "x-api-key", "proxy-authorization"})


@dataclass
class CloudSettings:
    """DashScope: region and the models for each stage (the key lives in the keyring)."""

    region: Region = "beijing"
    reader_model: str = "qwen-vl-max-latest"
    solver_model: str = "qwen2.5-math-72b-instruct"
    request_timeout: float = 120.0


@dataclass
class NetworkSettings:
    """Limits on one streamed answer from a server, so a stalled or endless stream ends.

    `no_progress_seconds`: the most time without new answer text once the reply has started
    (keep-alive comments do not count); `answer_deadline_seconds`: the most time one streamed
    reply may take in all. The local backend honours the deadline (its own silence limit
    allows for a slow first token on a CPU).
    """

    no_progress_seconds: float = 120.0
    answer_deadline_seconds: float = 900.0


@dataclass
class ServerProfile:
    """One OpenAI-compatible server; the key is never stored here, only where to find it."""

    name: str = ""
    base_url: str = ""
    api_key_env: str = ""  # environment variable holding the key
    keyring_entry: str = ""  # or: keyring user name under the app's keyring service
    reader_model: str = ""
    solver_model: str = ""
    extra_headers: dict[str, str] = field(default_factory=dict)
    continuation: str = "vllm"  # how a final assistant message is continued: see ADR 004
    request_timeout: float = 120.0


@dataclass
class BackendChoice:
    """Which backend runs each stage: "cloud", "local", "openai" or "openai:<profile name>"."""

    reader: str = "cloud"
    solver: str = "cloud"


@dataclass
class LocalSettings:
    """Local Transformers models: Hugging Face ids or folders on disk."""

    reader_model: str = "Qwen/Qwen2-VL-2B-Instruct"
    solver_model: str = "Qwen/Qwen2.5-Math-1.5B-Instruct"
    device: str = "auto"  # auto | cuda | cuda:N | mps | cpu
    max_new_tokens: int = 2048
    idle_unload_minutes: float = 10.0
    allow_download: bool = False


@dataclass
class SolveSettings:
    """How problems are solved."""

    mode: Literal["cot", "tir"] = "cot"
    tir_consent: bool = False  # the user allowed model-written code to run, once and for all
    samples: int = 1  # the window's self-consistency choice: solutions sampled and voted on


@dataclass
class UiSettings:
    """How the window looks: "system" follows the desktop."""

    theme: str = "system"  # system | light | dark
    language: str = "system"  # system | en | zh_CN


@dataclass
class HistorySettings:
    """How long solved problems are kept."""

    retention_days: int = 0  # 0 keeps them forever


@dataclass
class Settings:
    """Everything in settings.toml."""

    schema_version: int = SCHEMA_VERSION
    cloud: CloudSettings = field(default_factory=CloudSettings)
    solve: SolveSettings = field(default_factory=SolveSettings)
    backends: BackendChoice = field(default_factory=BackendChoice)
    local: LocalSettings = field(default_factory=LocalSettings)
    servers: list[ServerProfile] = field(default_factory=list)
    ui: UiSettings = field(default_factory=UiSettings)
    history: HistorySettings = field(default_factory=HistorySettings)
    network: NetworkSettings = field(default_factory=NetworkSettings)

    def server(self, name: str) -> ServerProfile | None:
        """The server profile called `name`, or None."""
        return next((p for p in self.servers if p.name == name), None)


def preset_profiles() -> list[ServerProfile]:
    """Starting points the settings dialog offers; none is saved until the user adds it."""
    return [
        ServerProfile("Lab vLLM", "http://localhost:8000/v1", api_key_env="VLLM_API_KEY",
                      reader_model="Qwen/Qwen2.5-VL-7B-Instruct",
                      solver_model="Qwen/Qwen2.5-Math-72B-Instruct"),
        ServerProfile("DashScope compatible", "https://dashscope.aliyuncs.com/compatible-mode/v1",
                      api_key_env="DASHSCOPE_API_KEY", reader_model="qwen-vl-max-latest",
                      solver_model="qwen2.5-math-72b-instruct", continuation="partial"),
        ServerProfile("Ollama on this PC", "http://localhost:11434/v1",
                      reader_model="qwen2.5vl:7b", solver_model="qwen2-math:7b",
                      continuation="plain"),
    ]  # fmt: skip


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
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        raise ConfigError("settings.toml nests arrays or tables too deeply to be read.") from None
    version = raw.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise ConfigError("settings.toml was written by a newer version of Qwen Math.")
    raw = migrate(raw, version)
    servers = raw.get("servers", [])
    if not isinstance(servers, list):
        raise ConfigError("The servers in settings.toml must be [[servers]] tables.")
    settings = Settings(
        cloud=_section(CloudSettings, raw.get("cloud", {}), "cloud"),
        solve=_section(SolveSettings, raw.get("solve", {}), "solve"),
        backends=_section(BackendChoice, raw.get("backends", {}), "backends"),
        local=_section(LocalSettings, raw.get("local", {}), "local"),
        servers=[_section(ServerProfile, p, "servers") for p in servers],
        ui=_section(UiSettings, raw.get("ui", {}), "ui"),
        history=_section(HistorySettings, raw.get("history", {}), "history"),
        network=_section(NetworkSettings, raw.get("network", {}), "network"),
    )
    for profile in settings.servers:
        _check_profile(profile, settings)
    for stage in ("reader", "solver"):
        _check_choice(getattr(settings.backends, stage), stage, settings)
    if settings.cloud.region not in REGIONS:
        raise ConfigError("The region in settings.toml must be 'beijing' or 'international'.")
    if settings.solve.mode not in ("cot", "tir"):
        raise ConfigError("The mode in settings.toml must be 'cot' or 'tir'.")
    if not 1 <= settings.solve.samples <= MAX_SAMPLES:
        raise ConfigError(
            f"The samples in settings.toml must be a whole number from 1 to {MAX_SAMPLES}."
        )
    if settings.ui.theme not in THEMES:
        raise ConfigError("The theme in settings.toml must be 'system', 'light' or 'dark'.")
    if settings.ui.language not in LANGUAGES:
        raise ConfigError("The language in settings.toml must be 'system', 'en' or 'zh_CN'.")
    if settings.history.retention_days < 0:
        raise ConfigError("The history retention_days in settings.toml cannot be negative.")
    network = settings.network
    if not (network.no_progress_seconds > 0 and network.answer_deadline_seconds > 0):
        raise ConfigError("The [network] time limits in settings.toml must be positive.")
    return settings


def migrate(raw: dict[str, Any], version: int) -> dict[str, Any]:
    """The raw table of an older schema brought up to SCHEMA_VERSION (the input is not changed)."""
    raw = dict(raw)
    if version < 2:
        # Version 2 added [ui] and [history]; their defaults are what version 1 behaved like.
        raw.setdefault("ui", {})
        raw.setdefault("history", {})
    raw["schema_version"] = SCHEMA_VERSION
    return raw


def _check_profile(profile: ServerProfile, settings: Settings) -> None:
    """One sentence for the first problem in a server profile."""
    name = profile.name
    if not name.strip() or [p.name for p in settings.servers].count(name) > 1:
        raise ConfigError("Every server in settings.toml needs a name of its own.")
    if not profile.base_url.startswith(("http://", "https://")):
        raise ConfigError(f"The server {name!r} in settings.toml needs an http(s) base_url.")
    if profile.api_key_env and not _ENV_NAME.fullmatch(profile.api_key_env):
        raise ConfigError(
            f"The api_key_env of server {name!r} must name an environment variable, "
            "not hold the key itself."
        )
    for header, value in profile.extra_headers.items():
        if not isinstance(value, str):
            raise ConfigError(f"The extra header {header!r} of server {name!r} is not text.")
        if header.lower() in _SECRET_HEADERS:
            raise ConfigError(
                f"The server {name!r} sets the {header} header in settings.toml; keep keys in "
                "api_key_env or keyring_entry instead."
            )
    if profile.continuation not in CONTINUATIONS:
        raise ConfigError(
            f"The continuation of server {name!r} must be 'vllm', 'partial' or 'plain'."
        )


def _check_choice(choice: str, stage: str, settings: Settings) -> None:
    """A stage's backend is cloud, local, openai, or openai:<a profile that exists>."""
    if choice in ("cloud", "local", "openai"):
        return
    kind, _, name = choice.partition(":")
    if kind != "openai" or not name:
        raise ConfigError(
            f"The {stage} backend in settings.toml must be cloud, local, or openai:<server name>."
        )
    if settings.server(name) is None:
        raise ConfigError(f"The {stage} backend in settings.toml names an unknown server {name!r}.")


def load_settings(path: Path) -> Settings:
    """Settings from `path`, or the defaults when it does not exist."""
    data = _read_settings_file(path)
    if data is None:
        return Settings()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path.name} is not UTF-8 text (byte {exc.start + 1} is not); save it as UTF-8."
        ) from None
    return parse_settings(text)


def _read_settings_file(path: Path) -> bytes | None:
    """The file's bytes (None if there is none): a regular file only, read with a bound.

    Opened non-blocking so a FIFO cannot hang the open; then a device, pipe or folder is
    refused before any byte is read, since /dev/zero or a pipe would never end.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"Could not read {path.name} ({exc.strerror}).") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "folder" if stat.S_ISDIR(mode) else "pipe" if stat.S_ISFIFO(mode) else "device"
        raise ConfigError(f"{path.name} is a {kind}, not a text file; move it aside.")
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(MAX_SETTINGS_BYTES + 1)
        except OSError as exc:
            raise ConfigError(f"Could not read {path.name} ({exc.strerror}).") from None
    if len(data) > MAX_SETTINGS_BYTES:
        raise ConfigError(f"{path.name} is larger than 1 MB, too large for a settings file.")
    return data


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


def needs_welcome(settings: Settings, api_key_present: bool) -> bool:
    """True when nothing is set up: no DashScope key, no local models, no server."""
    if api_key_present or settings.servers:
        return False
    stages = (settings.backends.reader, settings.backends.solver)
    if any(choice != "cloud" for choice in stages):
        return False  # the user chose local or a server already
    defaults = LocalSettings()
    local = settings.local
    return (local.reader_model, local.solver_model) == (
        defaults.reader_model,
        defaults.solver_model,
    )
