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
    "verified": str(QT_TRANSLATE_NOOP("TirConsent", "verified by SymPy")),
    "contradicted": str(QT_TRANSLATE_NOOP("TirConsent", "contradicted by SymPy")),
    "unchecked": "",
}


# What the sandbox gives on this machine (core.sandbox.isolation()), as the consent dialog
# says it: where the OS offers no isolation we can rely on, the user is told so.
SANDBOX_NOTES = {
    "bubblewrap": str(
        QT_TRANSLATE_NOOP(
            "TirConsent",
            "The code runs in a sandbox: it sees none of your files, keys or history, has no "
            "network, cannot reach other programs, and is limited in time, memory and processes.",
        )
    ),
    "namespaces": str(
        QT_TRANSLATE_NOOP(
            "TirConsent",
            "The code runs in a separate process with no network and limits on time and memory, "
            "but without bubblewrap it can still read files your account can read. Install the "
            "bubblewrap package for a full sandbox.",
        )
    ),
    "seatbelt": str(
        QT_TRANSLATE_NOOP(
            "TirConsent",
            "The code runs under the macOS sandbox profile: no network, no writing outside its own "
            "folder, no reading of your home folder, limits on time and memory. Apple no longer "
            "develops that tool, so this is weaker than the sandbox on Linux.",
        )
    ),
    "limits": str(
        QT_TRANSLATE_NOOP(
            "TirConsent",
            "On this system the code only has limits on time, memory and processes: it is not "
            "isolated, and can read and change your files and use the network. Allow it only if "
            "you accept that.",
        )
    ),
}


def sandbox_note(level: str | None = None) -> str:
    """What the sandbox protects on this machine (or for `level`), in the UI language."""
    if level is None:
        from desktop_app.core.sandbox import isolation  # only when the dialog opens

        level = isolation()
    return translate(CONTEXT, SANDBOX_NOTES.get(level, SANDBOX_NOTES["limits"]))


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
    box.setInformativeText(sandbox_note())
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
