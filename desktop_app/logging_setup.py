"""Logging: a rotating file in the user log dir, secrets masked, stderr only with --debug."""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

from desktop_app.core.paths import app_dirs
from desktop_app.core.terminal_text import terminal_text

LOG_FILE = "qwen-math.log"
# DashScope and OpenAI-style keys; masked even when they reach a log by accident.
_KEY_PATTERN = re.compile(r"\b(sk-[A-Za-z0-9_\-]{6,})")
_SECRET_VARS = ("DASHSCOPE_API_KEY", "OPENAI_API_KEY")


class RedactSecrets(logging.Filter):
    """Replaces API keys in log records with a mask, whatever logged them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _mask(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _mask(record.exc_text)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class _QuietFileHandler(logging.handlers.RotatingFileHandler):
    """The log file; when the disk fails (full, read-only) records are dropped in silence.

    logging's default prints "--- Logging error ---" and a traceback on stderr for every
    record that cannot be written: on a full disk that is every line of the run.
    """

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802  (logging API)
        pass


class _TerminalFormatter(logging.Formatter):
    """Debug lines on stderr carry model and server text: no escape codes reach the terminal."""

    def format(self, record: logging.LogRecord) -> str:
        return terminal_text(super().format(record))


def _mask(text: str) -> str:
    for var in _SECRET_VARS:
        secret = os.environ.get(var, "").strip()
        if len(secret) >= 6:
            text = text.replace(secret, "***")
    return _KEY_PATTERN.sub("sk-***", text)


def log_dir() -> Path:
    """The folder holding the log files."""
    return app_dirs().logs


def configure_logging(*, debug: bool) -> Path | None:
    """Log to a rotating file (and to stderr with --debug); returns the file, if it opened."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    redact = RedactSecrets()
    path: Path | None = log_dir() / LOG_FILE
    try:
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = _QuietFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        file_handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
        file_handler.addFilter(redact)
        root.addHandler(file_handler)
    except OSError:
        path = None  # a read-only home must not stop the app
    if debug:
        stream = logging.StreamHandler()
        stream.setFormatter(_TerminalFormatter("%(levelname)s %(name)s: %(message)s"))
        stream.addFilter(redact)
        root.addHandler(stream)
    else:
        # the SDK logs a full traceback for every network failure; we report one sentence
        logging.getLogger("dashscope").setLevel(logging.CRITICAL)
    for noisy in ("urllib3", "httpx", "httpcore", "openai", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path
