"""The transcript editor: read-only while streaming, then editable; Re-solve sends the edit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop_app.ui.problem.transcript_editor import TranscriptEditor
from tests.ui.conftest import ARTIFACTS, wait_js
from tests.ui.helpers import has_ink, shown_web_widget

STREAM = ["Solve ", "$x^2 - 5x ", "+ 6 = 0$", " for $x$."]


@pytest.fixture
def editor(qtbot: Any) -> Iterator[TranscriptEditor]:
    with shown_web_widget(qtbot, TranscriptEditor(), 640, 240) as widget:
        yield widget


def stream(editor: TranscriptEditor) -> None:
    editor.clear()
    editor.set_streaming(True)
    for delta in STREAM:
        editor.append_text(delta)


def test_streaming_is_read_only_then_editable(qtbot: Any, editor: TranscriptEditor) -> None:
    """GIVEN the reader streaming THEN typing does nothing; WHEN it ends THEN edits count."""
    stream(editor)
    assert editor.is_streaming()
    assert editor.text() == "".join(STREAM)
    assert not editor.resolve_button.isEnabled()
    editor.editor.setFocus()
    qtbot.keyClicks(editor.editor, "zzz")
    assert editor.text() == "".join(STREAM)
    assert not editor.is_modified()
    editor.set_streaming(False)
    assert not editor.is_modified()
    assert editor.resolve_button.isEnabled()
    editor.editor.moveCursor(editor.editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor.editor, " Also $y$.")
    assert editor.is_modified()
    assert editor.text().endswith("for $x$. Also $y$.")


def test_resolve_emits_the_corrected_text(qtbot: Any, editor: TranscriptEditor) -> None:
    """GIVEN a corrected transcript WHEN Re-solve is clicked THEN the correction is emitted."""
    stream(editor)
    editor.set_streaming(False)
    editor.editor.selectAll()
    qtbot.keyClicks(editor.editor, "Solve $x^2 - 5x + 4 = 0$.")
    with qtbot.waitSignal(editor.resolve_requested, timeout=1000) as blocker:
        qtbot.mouseClick(editor.resolve_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["Solve $x^2 - 5x + 4 = 0$."]
    editor.set_text("fresh")
    assert not editor.is_modified()


def test_preview_typesets_the_transcript(qtbot: Any, editor: TranscriptEditor) -> None:
    """GIVEN a streamed transcript WHEN Preview is on THEN its math is typeset beside it."""
    stream(editor)
    editor.preview_toggle.click()
    assert editor.preview_shown()
    editor.set_streaming(False)
    assert editor.preview is not None
    count = wait_js(
        qtbot,
        editor.preview,
        "typesetIdle() && document.querySelectorAll('#answer mjx-container').length",
    )
    assert count == 2
    qtbot.waitUntil(lambda: has_ink(editor.preview.grab().toImage()), timeout=5000)
    ARTIFACTS.mkdir(exist_ok=True)
    assert editor.grab().save(str(ARTIFACTS / "transcript_editor.png"))
    editor.preview_toggle.click()
    assert not editor.preview_shown()
