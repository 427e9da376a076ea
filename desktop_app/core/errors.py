"""Errors the user can read: one clear sentence each, mapped to the CLI's exit codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.core.terminal_text import terminal_line

if TYPE_CHECKING:
    import threading


class AppError(Exception):
    """An error whose message is a sentence fit to show the user."""

    exit_code = 1


class UsageError(AppError):
    """The command line or request was malformed."""

    exit_code = 2


class ImageError(AppError):
    """The image cannot be used (not an image, corrupt, too large...)."""

    exit_code = 3


class ConfigError(AppError):
    """Configuration or authentication problem: missing or invalid key, unknown model."""

    exit_code = 4


class MissingKeyError(ConfigError):
    """No API key for the cloud service: an interactive caller can ask for one and retry."""


class BackendError(AppError):
    """The backend or the network failed."""

    exit_code = 5


class Cancelled(AppError):
    """The user stopped the work."""

    exit_code = 130

    def __init__(self, message: str = "Stopped.") -> None:
        super().__init__(message)


def raise_if_cancelled(cancel: threading.Event) -> None:
    """The check every loop makes: raise Cancelled once the user has asked to stop.

    Raised `from None`: inside an `except` block (a socket the stop cut), the cut is the stop,
    not an error of its own.
    """
    if cancel.is_set():
        raise Cancelled() from None


class StreamInterrupted(BackendError):
    """The connection dropped after part of the answer arrived; the caller keeps that part."""

    def __init__(
        self, message: str = "The connection dropped mid-answer; the partial answer was kept."
    ) -> None:
        super().__init__(message)


def one_line(text: str, limit: int = 200, *, secret: str | None = None) -> str:
    """Someone else's message, fit to quote in one of our sentences: one line, no control
    characters or escape codes, no trailing period, `secret` masked, at most `limit`
    characters (an ellipsis marks a cut)."""
    line = terminal_line(text).rstrip(".")
    if secret:
        line = line.replace(secret, "***")
    return line if len(line) <= limit else line[: limit - 1] + "…"
