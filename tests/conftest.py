"""Test-wide setup: headless Qt and the answer page's URL scheme, before any QApplication."""

from __future__ import annotations

import os
import sys

# Tests import torch directly too: keep Triton out as the app does (see core/heavy_imports.py),
# or torch crashes once a web view has loaded Mesa's LLVM into this process.
sys.modules.setdefault("triton", None)  # type: ignore[arg-type]

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Chromium's sandbox refuses to run as root (containers, CI).
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")

from desktop_app.app import prepare_environment  # noqa: E402  (after the env is set)
from desktop_app.ui.answer.scheme import register_scheme  # noqa: E402

prepare_environment()  # the app's own web engine switches, so pages run as they do in the app

register_scheme()  # QtWebEngine only accepts schemes registered before the QApplication


import gc  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _delete_widgets_before_qt_exits() -> Iterator[None]:
    """Delete every widget (and so every web page) before the QApplication goes away.

    A web page still alive when its profile is released makes QtWebEngine crash at exit.
    """
    yield
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
        gc.collect()
