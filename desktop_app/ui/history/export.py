"""Exporting a conversation from the window: Markdown with its image, or one offline page."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from desktop_app.core.history.store import HistoryStore

translate = QCoreApplication.translate


def export_conversation(
    parent: QWidget, store: HistoryStore, conversation_id: str, target: Path | None = None
) -> tuple[list[Path], str]:
    """Write the conversation (asking where when `target` is None); (files, status sentence)."""
    from desktop_app.core.history.export import export_markdown
    from desktop_app.core.history.export_html import export_html

    conversation = store.get(conversation_id)
    if target is None:
        from PySide6.QtWidgets import QFileDialog

        name, _ = QFileDialog.getSaveFileName(
            parent,
            translate("MainWindow", "Export conversation"),
            f"{conversation.title[:40] or 'problem'}.md",
            translate("MainWindow", "Markdown (*.md);;Web page that works offline (*.html)"),
        )
        if not name:
            return [], ""
        target = Path(name)
    image = store.image_path(conversation)
    try:
        if target.suffix.lower() in (".html", ".htm"):
            written = [export_html(conversation, image, target)]
        else:
            written = export_markdown(conversation, image, target)
    except OSError as exc:
        failed = translate("MainWindow", "The export failed: {reason}.")
        return [], failed.format(reason=exc.strerror)
    return written, translate("MainWindow", "Exported to {path}.").format(path=target)
