"""Exporting a conversation from the window: Markdown with its image, or one offline page.

The file is written on a worker: an export with a plot draws it with matplotlib (about two
seconds the first time), which must not freeze the window.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from desktop_app.core.history.store import HistoryStore

if TYPE_CHECKING:
    from desktop_app.core.history.models import Conversation
    from desktop_app.ui.workers import Worker

translate = QCoreApplication.translate


def export_conversation(
    parent: QWidget,
    store: HistoryStore,
    conversation_id: str,
    target: Path | None,
    done: Callable[[list[Path], str], None],
) -> Worker | None:
    """Write the conversation (asking where when `target` is None) on a worker; `done` gets
    the files written and a status sentence. None when the user chose no file."""
    conversation = store.get(conversation_id)
    if target is None:
        target = _ask_target(parent, conversation.title)
        if target is None:
            return None
    image = store.image_path(conversation)
    from desktop_app.ui.workers import start_worker

    def written(paths: list[Path]) -> None:
        done(paths, translate("MainWindow", "Exported to {path}.").format(path=target))

    def failed(exc: BaseException) -> None:
        # A full or read-only disk says why; anything else is a bug, logged by the worker.
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        done([], translate("MainWindow", "The export failed: {reason}.").format(reason=reason))

    return start_worker(
        lambda _cancel: write_export(conversation, image, target),
        "export",
        returned=written,
        errored=failed,
    )


def write_export(conversation: Conversation, image: Path | None, target: Path) -> list[Path]:
    """The files of the export: one .html page, or the .md with its image and plots beside it."""
    from desktop_app.core.history.export import export_markdown
    from desktop_app.core.history.export_html import export_html

    if target.suffix.lower() in (".html", ".htm"):
        return [export_html(conversation, image, target)]
    return export_markdown(conversation, image, target)


def _ask_target(parent: QWidget, title: str) -> Path | None:
    from PySide6.QtWidgets import QFileDialog

    name, _ = QFileDialog.getSaveFileName(
        parent,
        translate("MainWindow", "Export conversation"),
        f"{title[:40] or 'problem'}.md",
        translate("MainWindow", "Markdown (*.md);;Web page that works offline (*.html)"),
    )
    return Path(name) if name else None
