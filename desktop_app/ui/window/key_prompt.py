"""Asks the user for the DashScope API key and keeps it in the OS keyring."""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from desktop_app.core.errors import ConfigError
from desktop_app.core.secrets import ENV_VAR, store_api_key

CONTEXT = "KeyPrompt"
translate = QCoreApplication.translate


def ask_api_key(parent: QWidget) -> bool:
    """Ask for a key; store it in the keyring (or this session only). False when cancelled."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox  # when asked, not at start

    key, ok = QInputDialog.getText(
        parent,
        translate("KeyPrompt", "DashScope API key"),
        translate(
            "KeyPrompt",
            "Qwen Math reads and solves problems with Alibaba DashScope.\n"
            "Paste your DashScope API key (it is kept in the system keyring):",
        ),
        QLineEdit.EchoMode.Password,
    )
    key = key.strip()
    if not ok or not key:
        return False
    try:
        store_api_key(key)
    except ConfigError as exc:
        message = translate("KeyPrompt", "{reason} It is used for this session only.").format(
            reason=exc
        )
        QMessageBox.warning(parent, translate("KeyPrompt", "Key not saved"), message)
        os.environ[ENV_VAR] = key  # this process only; never written anywhere
    return True
