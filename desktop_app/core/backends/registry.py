"""Builds the backends the settings ask for, lazily, so nothing heavy loads before it is used."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from desktop_app.core.backends.base import RetryNotice
from desktop_app.core.errors import ConfigError
from desktop_app.core.pipeline import Backends
from desktop_app.core.secrets import ENV_VAR, get_api_key
from desktop_app.core.settings import Settings

if TYPE_CHECKING:
    from desktop_app.core.backends.dashscope_cloud import DashScopeBackend

MISSING_KEY = (
    f"No DashScope API key is set: put it in the {ENV_VAR} environment variable "
    "or enter it in the app."
)


def build_backends(
    settings: Settings,
    *,
    reader_model: str | None = None,
    solver_model: str | None = None,
    on_retry: RetryNotice | None = None,
    api_key: Callable[[], str | None] = get_api_key,
) -> Backends:
    """Cloud backends for both stages; the key is looked up only when a stage first runs."""
    reader_name = reader_model or settings.cloud.reader_model
    solver_name = solver_model or settings.cloud.solver_model

    @cache
    def cloud() -> DashScopeBackend:
        from desktop_app.core.backends.dashscope_cloud import DashScopeBackend

        key = api_key()
        if not key:
            raise ConfigError(MISSING_KEY)
        return DashScopeBackend(
            api_key=key,
            region=settings.cloud.region,
            reader_model=reader_name,
            solver_model=solver_name,
            request_timeout=settings.cloud.request_timeout,
            on_retry=on_retry,
        )

    return Backends(reader=cloud, solver=cloud, reader_model=reader_name, solver_model=solver_name)
