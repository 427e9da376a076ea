"""The DashScope API key: the environment first, then the OS keyring. Never stored elsewhere."""

from __future__ import annotations

import logging
import os

from desktop_app.core.errors import ConfigError

ENV_VAR = "DASHSCOPE_API_KEY"
KEYRING_SERVICE = "qwen-math-desktop"
KEYRING_USER = "dashscope-api-key"
MISSING_KEY = (
    f"No DashScope API key is set: put it in the {ENV_VAR} environment variable "
    "or enter it in the app."
)

log = logging.getLogger(__name__)


def get_api_key() -> str | None:
    """The key from DASHSCOPE_API_KEY, else from the keyring, else None."""
    key = os.environ.get(ENV_VAR, "").strip()
    return key or keyring_get(KEYRING_USER)


def keyring_get(entry: str) -> str | None:
    """The secret stored under `entry` in the OS keyring, stripped; None if none or no keyring."""
    try:
        import keyring

        stored = keyring.get_password(KEYRING_SERVICE, entry)
    except Exception as exc:  # any keyring backend failure means "no stored key"
        log.info("keyring unavailable: %s", type(exc).__name__)
        return None
    return stored.strip() if stored and stored.strip() else None


def store_api_key(key: str) -> None:
    """Keep the key in the OS keyring; a ConfigError says so when there is none."""
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, KEYRING_USER, key.strip())
    except Exception as exc:
        raise ConfigError(
            f"The key could not be saved in the system keyring ({type(exc).__name__}); "
            f"set the {ENV_VAR} environment variable instead."
        ) from None
