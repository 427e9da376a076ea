"""Asks once before the model's Python code may run in the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QWidget

Consent = Literal["once", "always"] | None
ConsentPrompt = Callable[[QWidget], Consent]

CONTEXT = "TirConsent"
translate = QCoreApplication.translate

# How the final answer was checked, as the window words it ("" for unchecked), in English;
# check_note() gives it in the UI language.
CHECK_NOTES = {
    "verified": str(QT_TRANSLATE_NOOP("TirConsent", "matches the code's output")),
    "contradicted": str(QT_TRANSLATE_NOOP("TirConsent", "differs from the code's output")),
    "unchecked": "",
}


def check_note(check: str) -> str:
    """CHECK_NOTES[check] in the UI language ("" for unchecked)."""
    note = CHECK_NOTES[check]
    return translate(CONTEXT, note) if note else ""


def ask_tir_consent(parent: QWidget, *, offer_once: bool = True) -> Consent:
    """Explain TIR and ask: allow once (unless not offered), always, or not at all."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(translate("TirConsent", "Run the model's Python code?"))
    box.setText(
        translate(
            "TirConsent",
            "In this mode Qwen writes Python and Qwen Math runs it to check its reasoning.",
        )
    )
    box.setInformativeText(
        translate(
            "TirConsent",
            "The code runs in a sandbox: a separate process with no network, no access to your "
            "keys, your home folder's secrets or your history, and limits on time and memory.",
        )
    )
    once = None
    if offer_once:
        once = box.addButton(
            translate("TirConsent", "Allow Once"), QMessageBox.ButtonRole.AcceptRole
        )
    always = box.addButton(translate("TirConsent", "Always Allow"), QMessageBox.ButtonRole.YesRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    if clicked is always:
        return "always"
    if once is not None and clicked is once:
        return "once"
    return None
