"""Log records never carry an API key, even when code logs one by mistake."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from desktop_app.logging_setup import configure_logging


def test_keys_are_masked_in_the_log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a key in the environment WHEN a message or traceback holds it THEN it is masked."""
    monkeypatch.setenv("QWEN_MATH_HOME", str(tmp_path))
    monkeypatch.setenv("DASHSCOPE_API_KEY", "abc-secret-123456")
    path = configure_logging(debug=False)
    assert path is not None
    log = logging.getLogger("test.leak")
    log.warning("calling with key %s", "abc-secret-123456")
    log.warning("header Authorization: Bearer sk-live1234567890")
    try:
        raise RuntimeError("bad key abc-secret-123456")
    except RuntimeError:
        log.exception("failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text()
    assert "calling with key ***" in text
    assert "Bearer sk-***" in text
    assert "bad key ***" in text
    assert "abc-secret-123456" not in text
    assert "sk-live1234567890" not in text
    for handler in list(logging.getLogger().handlers):
        logging.getLogger().removeHandler(handler)
        handler.close()
