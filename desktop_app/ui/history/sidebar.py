"""HistorySidebar: saved conversations by day, searchable, renamable, deletable with undo."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.history.models import SearchHit
from desktop_app.core.history.store import HistoryStore
from desktop_app.ui.history.delegate import HEADER_H, PAD, HistoryDelegate
from desktop_app.ui.history.model import HistoryListModel, Role

if TYPE_CHECKING:
    from desktop_app.ui.history.search import SearchRunner

SEARCH_DEBOUNCE_MS = 150
UNDO_MS = 5000
_Index = QModelIndex | QPersistentModelIndex


class HistoryListView(QListView):
    """The list itself: remembers where the mouse went down; Return opens, Delete deletes."""

    open_requested = Signal(str)
    delete_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.press = QPoint()  # where the last press was, in viewport coordinates

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        """Note the press (a click on a day header opens nothing), then select as usual."""
        self.press = event.position().toPoint()
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        """Return/Enter opens the current row and Delete deletes it, unless renaming."""
        conv_id = self.currentIndex().data(Role.ID)
        if conv_id and self.state() != QAbstractItemView.State.EditingState:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.open_requested.emit(str(conv_id))
                return
            if event.key() == Qt.Key.Key_Delete:
                self.delete_requested.emit(str(conv_id))
                return
        super().keyPressEvent(event)


class HistorySidebar(QWidget):
    """The list of saved conversations; it renames and deletes them in the store itself."""

    conversation_opened = Signal(str)
    conversation_deleted = Signal(str)  # once the delete is final (after the undo window)
    new_conversation_requested = Signal()

    def __init__(
        self,
        store: HistoryStore,
        parent: QWidget | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._now = now
        self._pending: str | None = None  # the conversation whose delete can still be undone
        self.model = HistoryListModel(store, now, self)
        self._build()
        self._undo_timer = QTimer(self, singleShot=True, interval=UNDO_MS)
        self._undo_timer.timeout.connect(self.commit_pending_delete)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._on_search)
        # A search reads the database: a few milliseconds at 100,000 conversations, far more on
        # a slow or busy disk, so it runs on a worker thread; only the newest search's hits
        # are shown.
        self._searcher: SearchRunner | None = None  # made by the first search
        self._search_tag = 0
        app = QCoreApplication.instance()
        if app is not None:  # quitting within the undo window still deletes
            app.aboutToQuit.connect(self.shutdown)
        self.model.reload()
        self._update_empty()

    def _build(self) -> None:
        self.search_edit = QLineEdit(
            placeholderText=self.tr("Search history"), clearButtonEnabled=True
        )
        self.search_edit.setAccessibleName(self.tr("Search history"))
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.new_button = QPushButton(self.tr("New"))
        self.new_button.setToolTip(self.tr("Start a new problem"))
        self.new_button.clicked.connect(lambda: self.new_conversation_requested.emit())
        self.list_view = HistoryListView()
        self.list_view.open_requested.connect(self.conversation_opened)
        self.list_view.delete_requested.connect(self.delete)
        self.list_view.setModel(self.model)
        self.list_view.setItemDelegate(HistoryDelegate(self._store, self._now, self.list_view))
        self.list_view.setFrameShape(QListView.Shape.NoFrame)
        self.list_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.list_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list_view.customContextMenuRequested.connect(self._on_context_menu)
        self.list_view.clicked.connect(self._on_clicked)
        self.list_view.setAccessibleName(self.tr("History"))
        self.empty_label = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.empty_label.setEnabled(False)
        self.undo_label = QLabel()
        self.undo_button = QPushButton(self.tr("Undo"))
        self.undo_button.clicked.connect(self.undo_delete)
        self.undo_bar = QWidget()
        undo_row = QHBoxLayout(self.undo_bar)
        undo_row.setContentsMargins(PAD, 4, PAD, 4)
        undo_row.addWidget(self.undo_label, 1)
        undo_row.addWidget(self.undo_button)
        self.undo_bar.hide()
        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.new_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.setSpacing(4)
        column.addLayout(top)
        column.addWidget(self.list_view, 1)
        column.addWidget(self.empty_label)
        column.addWidget(self.undo_bar)

    # -- public API ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the store (after a conversation was saved or updated); keeps the selection."""
        if self.search_edit.text().strip():
            self._on_search()
            return
        current = self.list_view.currentIndex().data(Role.ID)
        self.model.reload()
        if current:
            self.select(str(current))
        self._update_empty()

    def focus_search(self) -> None:
        """Put the cursor in the search box, its text selected."""
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def select(self, conv_id: str) -> None:
        """Highlight a conversation without opening it (loading pages until it shows up)."""
        row = self.model.row_of(conv_id)
        while row < 0 and self.model.canFetchMore() and self.model.rowCount() < 2000:
            self.model.fetchMore()
            row = self.model.row_of(conv_id)
        if row < 0:
            self.list_view.clearSelection()
            return
        index = self.model.index(row)
        self.list_view.setCurrentIndex(index)
        self.list_view.scrollTo(index)

    def delete(self, conv_id: str) -> None:
        """Remove a conversation from view now; delete it for real unless undone in time."""
        self.commit_pending_delete()
        summary = self.model.hide(conv_id)
        self._pending = conv_id
        title = summary.title if summary is not None else self.tr("conversation")
        elided = self.undo_label.fontMetrics().elidedText(
            self.tr("Deleted “{title}”").format(title=title), Qt.TextElideMode.ElideMiddle, 220
        )
        self.undo_label.setText(elided)
        self.undo_bar.show()
        self._undo_timer.start()
        self._update_empty()

    def undo_delete(self) -> None:
        """Bring back the conversation deleted last."""
        conv_id, self._pending = self._pending, None
        self._undo_timer.stop()
        self.undo_bar.hide()
        if conv_id is not None:
            self.model.unhide(conv_id)
            self.refresh()

    def commit_pending_delete(self) -> None:
        """Delete for real what is waiting in the undo window (also on quit)."""
        conv_id, self._pending = self._pending, None
        self._undo_timer.stop()
        self.undo_bar.hide()
        if conv_id is None:
            return
        self._store.delete(conv_id)
        self.model.forget(conv_id)
        self.conversation_deleted.emit(conv_id)

    def shutdown(self) -> None:
        """Make a pending delete final and stop a search under way (on close and on quit)."""
        self._search_timer.stop()
        self.commit_pending_delete()
        if self._searcher is not None:
            self._searcher.shutdown()

    def rename(self, conv_id: str, title: str) -> None:
        """Rename a conversation (an empty title brings back the default one)."""
        self.model.rename(conv_id, title)

    # -- events --------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        """A delete still in its undo window becomes final when the sidebar closes."""
        self.shutdown()
        super().closeEvent(event)

    def _on_clicked(self, index: QModelIndex) -> None:
        rect = self.list_view.visualRect(index)
        if index.data(Role.GROUP_STARTS) and self.list_view.press.y() < rect.top() + HEADER_H:
            return  # a click on a day header opens nothing
        self.conversation_opened.emit(str(index.data(Role.ID)))

    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.list_view.indexAt(pos)
        if not index.isValid():
            return
        conv_id = str(index.data(Role.ID))
        menu = QMenu(self)
        menu.addAction(self.tr("Open"), lambda: self.conversation_opened.emit(conv_id))
        menu.addAction(self.tr("Rename"), lambda: self.list_view.edit(index))
        menu.addAction(self.tr("Delete"), lambda: self.delete(conv_id))
        menu.exec(self.list_view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _on_search(self) -> None:
        query = self.search_edit.text().strip()
        if query:
            self._search_tag = self._search_runner().search(query)
            return
        self._search_tag = 0  # hits still on their way are for an older text
        self.model.reload()
        self._update_empty()

    def _search_runner(self) -> SearchRunner:
        if self._searcher is None:
            from desktop_app.ui.history.search import SearchRunner

            self._searcher = SearchRunner(self._store.path, self)
            self._searcher.found.connect(self._on_found)
        return self._searcher

    def _on_found(self, tag: int, query: str, hits: Sequence[SearchHit]) -> None:
        if tag != self._search_tag:
            return
        self.model.show_hits(query, hits)
        self._update_empty()

    def _update_empty(self) -> None:
        empty = self.model.rowCount() == 0
        self.empty_label.setText(
            self.tr("No matches.") if self.model.searching else self.tr("No saved problems yet.")
        )
        self.empty_label.setVisible(empty)
        self.list_view.setVisible(not empty)
