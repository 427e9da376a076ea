"""Builds the backends the settings and flags ask for, per stage, and lazily."""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from desktop_app.core.backends.base import RetryNotice, Role
from desktop_app.core.backends.cancel_watch import StreamLimits
from desktop_app.core.backends.openai_compatible import KEY_ENV
from desktop_app.core.errors import ConfigError, MissingKeyError, UsageError
from desktop_app.core.secrets import MISSING_KEY, get_api_key, keyring_get
from desktop_app.core.settings import ServerProfile, Settings
from desktop_app.core.solve_request import Backends

if TYPE_CHECKING:
    from desktop_app.core.backends.dashscope_cloud import DashScopeBackend

BASE_URL_ENV = "OPENAI_BASE_URL"
LOCAL_MODULE = "desktop_app.core.backends.local.backend"
NO_SERVER = (
    "No OpenAI-compatible server is set: pass --base-url, set OPENAI_BASE_URL, "
    "or choose a server in the settings."
)
LOCAL_MISSING = (
    "The local backend is not installed in this version; use the cloud or an "
    "OpenAI-compatible server."
)


def build_backends(
    settings: Settings,
    *,
    reader: str | None = None,
    solver: str | None = None,
    backend: str | None = None,
    base_url: str | None = None,
    reader_model: str | None = None,
    solver_model: str | None = None,
    on_retry: RetryNotice | None = None,
    on_warning: Callable[[str], None] | None = None,
    api_key: Callable[[], str | None] = get_api_key,
    keep_warm: bool = True,
) -> Backends:
    """Backends per stage: `reader`/`solver` beat `backend`, which beats the settings.

    A choice is "cloud", "local", "openai" or "openai:<profile>"; plain "openai" means the
    --base-url server, else the stage's profile in the settings, else OPENAI_BASE_URL, else
    the only profile. Keys are looked up, and errors raised, only when a stage first runs.
    """
    choice = {
        "reader": reader or backend or settings.backends.reader,
        "solver": solver or backend or settings.backends.solver,
    }
    for value in choice.values():
        if value.partition(":")[0] not in ("cloud", "local", "openai"):
            raise UsageError(f"Unknown backend {value!r}: use cloud, local or openai[:PROFILE].")
    flags = {"reader": reader_model, "solver": solver_model}

    @cache
    def cloud() -> DashScopeBackend:
        from desktop_app.core.backends.dashscope_cloud import DashScopeBackend

        key = api_key()
        if not key:
            raise MissingKeyError(MISSING_KEY)
        return DashScopeBackend(
            api_key=key,
            region=settings.cloud.region,
            reader_model=reader_model or settings.cloud.reader_model,
            solver_model=solver_model or settings.cloud.solver_model,
            request_timeout=settings.cloud.request_timeout,
            on_retry=on_retry,
            limits=stream_limits(settings),
        )

    @cache
    def local() -> Any:
        # One instance for both stages: a local model must never run twice at once.
        local_settings = settings.local
        return _local_backend(
            reader_model or local_settings.reader_model,
            solver_model or local_settings.solver_model,
            device=local_settings.device,
            max_new_tokens=local_settings.max_new_tokens,
            idle_unload_s=local_settings.idle_unload_minutes * 60 if keep_warm else None,
            allow_download=local_settings.allow_download,
            on_warning=on_warning,
            answer_deadline_s=settings.network.answer_deadline_seconds,
        )

    def model_name(stage: Role) -> str:
        kind = choice[stage].partition(":")[0]
        section = {"cloud": settings.cloud, "local": settings.local}.get(kind)
        if flags[stage] or section is not None:
            return flags[stage] or str(getattr(section, f"{stage}_model"))
        try:
            profile = server_profile(settings, stage, choice[stage], base_url)
        except ConfigError:
            return ""  # the factory raises it when the stage runs
        return str(getattr(profile, f"{stage}_model"))

    def factory(stage: Role) -> Callable[[], Any]:
        kind = choice[stage].partition(":")[0]
        if kind == "cloud":
            return cloud
        if kind == "local":
            return local

        @cache
        def openai() -> Any:
            profile = server_profile(settings, stage, choice[stage], base_url)
            return openai_backend(
                profile, stage, model_name(stage), on_retry, stream_limits(settings)
            )

        return openai

    return Backends(
        reader=factory("reader"),
        solver=factory("solver"),
        reader_model=model_name("reader"),
        solver_model=model_name("solver"),
    )


def server_profile(
    settings: Settings, stage: Role, choice: str, base_url: str | None = None
) -> ServerProfile:
    """The OpenAI-compatible server a stage's choice means (see build_backends)."""
    kind, _, name = choice.partition(":")
    if kind != "openai":
        raise ConfigError(f"The {stage} does not use an OpenAI-compatible server.")
    if name:
        profile = settings.server(name)
        if profile is None:
            raise ConfigError(f"There is no server named {name!r} in the settings.")
        return profile
    if base_url:  # an ad-hoc server gets only OPENAI_API_KEY, never a profile's key
        return ServerProfile(name="--base-url", base_url=base_url)
    configured = getattr(settings.backends, stage).partition(":")
    if configured[0] == "openai" and settings.server(configured[2]) is not None:
        return settings.server(configured[2])  # type: ignore[return-value]
    env_url = os.environ.get(BASE_URL_ENV, "").strip()
    if env_url:
        return ServerProfile(name=BASE_URL_ENV, base_url=env_url)
    if len(settings.servers) == 1:
        return settings.servers[0]
    raise ConfigError(NO_SERVER)


def profile_api_key(profile: ServerProfile) -> tuple[str | None, str]:
    """A profile's key and where it came from: its env var, its keyring entry, or OPENAI_API_KEY."""
    if profile.api_key_env:
        key = os.environ.get(profile.api_key_env, "").strip()
        if not key:
            raise ConfigError(
                f"The server {profile.name!r} takes its key from the {profile.api_key_env} "
                "environment variable, which is not set."
            )
        return key, f"the {profile.api_key_env} environment variable"
    if profile.keyring_entry:
        stored = keyring_get(profile.keyring_entry)
        if not stored:
            raise ConfigError(
                f"The server {profile.name!r} takes its key from the keyring entry "
                f"{profile.keyring_entry!r}, which is empty or unavailable."
            )
        return stored, f"the keyring entry {profile.keyring_entry!r}"
    # No key at all is normal for vLLM and Ollama; the backend then sends "EMPTY".
    return os.environ.get(KEY_ENV, "").strip() or None, f"the {KEY_ENV} variable"


def stream_limits(settings: Settings) -> StreamLimits:
    """The [network] settings as the limits the cloud backends put on a streamed reply."""
    network = settings.network
    return StreamLimits(network.no_progress_seconds, network.answer_deadline_seconds)


def openai_backend(
    profile: ServerProfile,
    stage: Role,
    model: str,
    on_retry: RetryNotice | None = None,
    limits: StreamLimits | None = None,
) -> Any:
    """An OpenAICompatibleBackend for one stage of a profile; the model must be named."""
    from desktop_app.core.backends.openai_compatible import OpenAICompatibleBackend

    if not model:
        flag = "--reader-model" if stage == "reader" else "--solver-model"
        raise ConfigError(
            f"No {stage} model is set for the server {profile.name!r}: pass {flag} or set "
            f"{stage}_model in its settings."
        )
    key, source = profile_api_key(profile)
    return OpenAICompatibleBackend(
        base_url=profile.base_url,
        reader_model=model if stage == "reader" else profile.reader_model,
        solver_model=model if stage == "solver" else profile.solver_model,
        api_key=key,
        key_source=source,
        extra_headers=profile.extra_headers,
        continuation=profile.continuation,  # type: ignore[arg-type]  # checked by settings
        request_timeout=profile.request_timeout,
        on_retry=on_retry,
        limits=limits,
    )


def test_connection(profile: ServerProfile) -> list[str]:
    """The models a profile's server lists; a ConfigError or BackendError says what failed."""
    from desktop_app.core.backends.openai_compatible import list_models

    key, source = profile_api_key(profile)
    return list_models(
        profile.base_url, api_key=key, key_source=source, extra_headers=profile.extra_headers
    )


test_connection.__test__ = False  # type: ignore[attr-defined]  # pytest must not collect it


def _local_backend(reader_model: str, solver_model: str, **options: Any) -> Any:
    """The local Transformers backend (it checks for the optional extra itself)."""
    if importlib.util.find_spec(LOCAL_MODULE) is None:
        raise ConfigError(LOCAL_MISSING)
    module = importlib.import_module(LOCAL_MODULE)
    return module.LocalTransformersBackend(reader_model, solver_model, **options)


__all__ = [
    "LOCAL_MISSING",
    "NO_SERVER",
    "build_backends",
    "openai_backend",
    "profile_api_key",
    "server_profile",
    "stream_limits",
    "test_connection",
]
