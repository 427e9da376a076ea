"""The TIR consent dialog says what the sandbox protects on this operating system."""

from __future__ import annotations

from typing import Any

from desktop_app.core.sandbox import isolation
from desktop_app.ui.tir_consent import SANDBOX_NOTES, sandbox_note


def test_each_protection_level_has_its_own_sentence(qapp: Any) -> None:
    """GIVEN each level the core names THEN the dialog has a distinct sentence for it, and an
    unknown one reads as the weakest."""
    notes = {level: sandbox_note(level) for level in ("bubblewrap", "namespaces", "seatbelt")}
    assert len(set(notes.values())) == 3
    assert sandbox_note("limits") == sandbox_note("something new")
    assert "not isolated" in sandbox_note("limits")
    assert "can still read files" in sandbox_note("namespaces")


def test_the_note_for_this_machine_is_the_one_for_its_level(qapp: Any) -> None:
    """GIVEN this machine THEN the dialog's note is the one for the level the core reports."""
    assert isolation() in SANDBOX_NOTES
    assert sandbox_note() == sandbox_note(isolation())
