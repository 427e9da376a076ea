"""The sidebar's data: conversations newest first, a page at a time, or a search's hits."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from enum import IntEnum

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from desktop_app.core.history.models import ConversationSummary, SearchHit
from desktop_app.core.history.store import HistoryStore

PAGE_SIZE = 50  # ~3 screens of rows: enough to scroll into before the next page
# The day groups' keys (what Role.GROUP holds), in English; group_label() gives the header.
GROUPS = (
    str(QT_TRANSLATE_NOOP("HistoryModel", "Today")),
    str(QT_TRANSLATE_NOOP("HistoryModel", "Yesterday")),
    str(QT_TRANSLATE_NOOP("HistoryModel", "Earlier this week")),
    str(QT_TRANSLATE_NOOP("HistoryModel", "Earlier this month")),
    str(QT_TRANSLATE_NOOP("HistoryModel", "Older")),
)

_Index = QModelIndex | QPersistentModelIndex


class Role(IntEnum):
    """What the delegate asks the model for, beyond the display title."""

    ID = Qt.ItemDataRole.UserRole + 1
    UPDATED_AT = Qt.ItemDataRole.UserRole + 2
    IMAGE_SHA256 = Qt.ItemDataRole.UserRole + 3
    GROUP = Qt.ItemDataRole.UserRole + 4
    GROUP_STARTS = Qt.ItemDataRole.UserRole + 5  # the first row of its day group
    SNIPPET = Qt.ItemDataRole.UserRole + 6


def day_group(timestamp: float, now: float, first_weekday: int = 0) -> str:
    """The sidebar group of a local-time timestamp relative to `now` (weeks start Monday)."""
    day, today = datetime.fromtimestamp(timestamp).date(), datetime.fromtimestamp(now).date()
    if day >= today:  # a clock set back must not push the newest work into "Older"
        return GROUPS[0]
    if day == today - timedelta(days=1):
        return GROUPS[1]
    week_start = today - timedelta(days=(today.weekday() - first_weekday) % 7)
    if day >= week_start:
        return GROUPS[2]
    if day >= date(today.year, today.month, 1):
        return GROUPS[3]
    return GROUPS[4]


def group_label(group: str) -> str:
    """A day group's header in the UI language."""
    return QCoreApplication.translate("HistoryModel", group)


class HistoryListModel(QAbstractListModel):
    """Conversations from a HistoryStore, loaded lazily; or, while searching, the hits."""

    def __init__(
        self,
        store: HistoryStore,
        now: Callable[[], float] = time.time,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store, self._now = store, now
        self._rows: list[ConversationSummary] = []
        self._groups: list[str] = []  # each row's day group, computed once as rows arrive
        self._snippets: dict[str, str] = {}
        self._ids: set[str] = set()
        self._hidden: set[str] = set()  # deleted in the view, awaiting the real delete
        self._exhausted = False
        self._query = ""
        self._today = now()

    # -- Qt model API --------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        """Rows loaded so far (a flat list has none under an item)."""
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: N802, B008
        """Whether the store holds rows not loaded yet (never while searching)."""
        return not parent.isValid() and not self._query and not self._exhausted

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: N802, B008
        """Load the next page from the store."""
        if not self.canFetchMore(parent):
            return
        # Hidden rows still hold their place in the store's order, so the offset counts them.
        page = self._store.list(PAGE_SIZE, len(self._rows) + len(self._hidden))
        self._exhausted = len(page) < PAGE_SIZE
        self._append(page)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Title for display and editing; id, time, image, day group for the delegate."""
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return row.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.title
        if role == Role.ID:
            return row.id
        if role == Role.UPDATED_AT:
            return row.updated_at
        if role == Role.IMAGE_SHA256:
            return row.image_sha256
        if role == Role.SNIPPET:
            return self._snippets.get(row.id)
        if role == Role.GROUP:
            return None if self._query else self._groups[index.row()]
        if role == Role.GROUP_STARTS:
            return not self._query and self._group_starts(index.row())
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        """Rows can be selected and renamed in place."""
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def setData(  # noqa: N802 (Qt API)
        self, index: _Index, value: object, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        """Renaming a row renames the conversation in the store."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        self.rename(self._rows[index.row()].id, str(value))
        return True

    # -- our API -------------------------------------------------------------------------

    @property
    def searching(self) -> bool:
        """Whether the rows are search hits rather than the whole history."""
        return bool(self._query)

    def reload(self) -> None:
        """Re-read the whole history, keeping about as many rows loaded as before."""
        self._today = self._now()
        wanted = max(PAGE_SIZE, 0 if self._query else len(self._rows))
        self.beginResetModel()
        self._clear()
        self._query = ""
        page = self._store.list(wanted, 0)
        self._exhausted = len(page) < wanted
        self._append(page, notify=False)
        self.endResetModel()

    def show_hits(self, query: str, hits: Sequence[SearchHit]) -> None:
        """Show search hits for `query` (newest first) instead of the whole history."""
        self._today = self._now()
        self.beginResetModel()
        self._clear()
        self._query = query
        self._append([hit.conversation for hit in hits], notify=False)
        self._snippets = {hit.conversation.id: hit.snippet for hit in hits}
        self.endResetModel()

    def row_of(self, conv_id: str) -> int:
        """The row showing `conv_id`, or -1 when it is not loaded."""
        if conv_id not in self._ids:
            return -1
        return next(i for i, row in enumerate(self._rows) if row.id == conv_id)

    def rename(self, conv_id: str, title: str) -> None:
        """Rename in the store, then show the title it kept (an empty one restores the default)."""
        self._store.rename(conv_id, title)
        row = self.row_of(conv_id)
        if row >= 0:
            fresh = self._store.get(conv_id)
            old = self._rows[row]
            self._rows[row] = ConversationSummary(
                old.id, fresh.title, old.created_at, old.updated_at, old.image_sha256
            )
            self.dataChanged.emit(self.index(row), self.index(row))

    def hide(self, conv_id: str) -> ConversationSummary | None:
        """Take a row out of the view (the store is untouched); returns what was shown."""
        self._hidden.add(conv_id)
        row = self.row_of(conv_id)
        if row < 0:
            return None
        self.beginRemoveRows(QModelIndex(), row, row)
        summary = self._rows.pop(row)
        self._groups.pop(row)
        self._ids.discard(conv_id)
        self.endRemoveRows()
        if row < len(self._rows):  # the next row may now start a day group
            self.dataChanged.emit(self.index(row), self.index(row))
        return summary

    def unhide(self, conv_id: str) -> None:
        """Let a hidden row show again on the next reload (undo)."""
        self._hidden.discard(conv_id)

    def forget(self, conv_id: str) -> None:
        """The conversation is gone from the store: stop counting it as hidden."""
        self._hidden.discard(conv_id)

    # -- internals -----------------------------------------------------------------------

    def _clear(self) -> None:
        self._rows, self._groups, self._ids, self._snippets = [], [], set(), {}
        self._query = ""
        self._exhausted = False

    def _append(self, page: Sequence[ConversationSummary], notify: bool = True) -> None:
        # Offsets shift when a conversation is saved between pages: skip any row seen already.
        fresh = [s for s in page if s.id not in self._ids and s.id not in self._hidden]
        if not fresh:
            return
        first = len(self._rows)
        if notify:
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._rows.extend(fresh)
        self._groups.extend(day_group(s.updated_at, self._today) for s in fresh)
        self._ids.update(s.id for s in fresh)
        if notify:
            self.endInsertRows()

    def _group_starts(self, row: int) -> bool:
        return row == 0 or self._groups[row - 1] != self._groups[row]
