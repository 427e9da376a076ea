"""How one history row looks: thumbnail, title, time, and the day-group header above it."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QDateTime,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTime,
)
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import QStyledItemDelegate, QWidget

from desktop_app.core.history.store import HistoryStore
from desktop_app.ui.history.model import GROUPS, Role, group_label
from desktop_app.ui.i18n import SOURCE_LANGUAGE, current_language

if TYPE_CHECKING:
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QStyleOptionViewItem

ROW_H, HEADER_H, THUMB, PAD = 52, 26, 40, 8
_Index = QModelIndex | QPersistentModelIndex
_THUMB_CACHE = 256  # decoded thumbnails kept: a few screens' worth, so memory stays flat


def time_label(timestamp: float, group: str | None, now: float) -> str:
    """A short time for a row: the clock today, the weekday this week, else the date."""
    moment = datetime.fromtimestamp(timestamp)
    if group in GROUPS[:2]:
        return moment.strftime("%H:%M")
    language = current_language()
    if language != SOURCE_LANGUAGE:
        return _translated_time_label(moment, group, now, QLocale(language))
    if group == GROUPS[2]:
        return moment.strftime("%a %H:%M")
    if moment.year == datetime.fromtimestamp(now).year:
        return f"{moment.day} {moment:%b}"
    return f"{moment.day} {moment:%b %Y}"


def _translated_time_label(moment: datetime, group: str | None, now: float, locale: QLocale) -> str:
    """time_label in another language: the formats are Qt date formats in the catalogue."""
    when = QDateTime(
        QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute)
    )
    if group == GROUPS[2]:
        fmt = QCoreApplication.translate("HistorySidebar", "ddd HH:mm", "Qt date format")
    elif moment.year == datetime.fromtimestamp(now).year:
        fmt = QCoreApplication.translate("HistorySidebar", "d MMM", "Qt date format")
    else:
        fmt = QCoreApplication.translate("HistorySidebar", "d MMM yyyy", "Qt date format")
    return locale.toString(when, fmt)


class HistoryDelegate(QStyledItemDelegate):
    """Draws a row (thumbnail, elided title, grey time) under its day header when one starts."""

    def __init__(
        self, store: HistoryStore, now: Callable[[], float], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._store, self._now = store, now
        self._thumbs: OrderedDict[str, QPixmap | None] = OrderedDict()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        """One row, plus a header when it starts a day group."""
        return QSize(200, ROW_H + (HEADER_H if index.data(Role.GROUP_STARTS) else 0))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        """Paint the header, the selection, the thumbnail and the two lines of text."""
        # ~10 ms of enum classes on the first row painted, not at start-up
        from PySide6.QtGui import QFont
        from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

        painter.save()
        rect = QRect(option.rect)
        palette = option.palette
        muted = palette.color(palette.ColorGroup.Normal, palette.ColorRole.PlaceholderText)
        if index.data(Role.GROUP_STARTS):
            header = QRect(rect.left() + PAD, rect.top(), rect.width() - 2 * PAD, HEADER_H)
            font = QFont(option.font)
            font.setPointSizeF(font.pointSizeF() * 0.85)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(muted)
            align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom
            title = group_label(str(index.data(Role.GROUP)))
            painter.drawText(header.adjusted(0, 0, 0, -4), align, title)
            rect.setTop(rect.top() + HEADER_H)
        item = QStyleOptionViewItem(option)
        item.rect = rect
        widget = option.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, item, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        self._paint_thumb(painter, index, QRect(rect.left() + PAD, rect.top() + 6, THUMB, THUMB))
        text_left = rect.left() + 2 * PAD + THUMB
        width = rect.right() - PAD - text_left
        role = palette.ColorRole.HighlightedText if selected else palette.ColorRole.Text
        font = QFont(option.font)
        painter.setFont(font)
        painter.setPen(palette.color(role))
        title = painter.fontMetrics().elidedText(
            str(index.data()), Qt.TextElideMode.ElideRight, width
        )
        painter.drawText(QRect(text_left, rect.top() + 7, width, 20), 0, title)
        font.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(font)
        painter.setPen(palette.color(role) if selected else muted)
        stamp = float(index.data(Role.UPDATED_AT))
        detail = time_label(stamp, index.data(Role.GROUP), self._now())
        if snippet := index.data(Role.SNIPPET):
            detail = f"{detail} · {snippet}"
        detail = painter.fontMetrics().elidedText(detail, Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRect(text_left, rect.top() + 28, width, 18), 0, detail)
        painter.restore()

    def updateEditorGeometry(  # noqa: N802 (Qt API)
        self, editor: QWidget, option: QStyleOptionViewItem, index: _Index
    ) -> None:
        """Edit the title where it is drawn."""
        rect = QRect(option.rect)
        top = rect.top() + (HEADER_H if index.data(Role.GROUP_STARTS) else 0)
        left = rect.left() + 2 * PAD + THUMB - 3
        editor.setGeometry(QRect(left, top + 4, rect.right() - PAD - left, 24))

    def _paint_thumb(self, painter: QPainter, index: _Index, box: QRect) -> None:
        ratio = painter.device().devicePixelRatioF()
        pixmap = self._thumb(index.data(Role.IMAGE_SHA256), ratio)
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        painter.setPen(QColor(0, 0, 0, 30))
        painter.setBrush(QColor(128, 128, 128, 28))
        painter.drawRoundedRect(box, 5, 5)
        if pixmap is None:
            painter.setPen(QColor(128, 128, 128))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, "∑")
            return
        size = pixmap.deviceIndependentSize()
        x = box.left() + (box.width() - round(size.width())) // 2
        painter.drawPixmap(x, box.top() + (box.height() - round(size.height())) // 2, pixmap)

    def _thumb(self, sha256: str | None, ratio: float) -> QPixmap | None:
        """The thumbnail scaled once to the box at the screen's pixel ratio (cached, bounded)."""
        if sha256 is None:
            return None
        if sha256 in self._thumbs:
            self._thumbs.move_to_end(sha256)
            return self._thumbs[sha256]
        pixmap: QPixmap | None = QPixmap(str(self._store.images.thumb_path(sha256)))
        if pixmap is not None and not pixmap.isNull():
            side = round(THUMB * ratio)
            pixmap = pixmap.scaled(
                side,
                side,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            pixmap.setDevicePixelRatio(ratio)
        else:
            pixmap = None
        self._thumbs[sha256] = pixmap
        if len(self._thumbs) > _THUMB_CACHE:
            self._thumbs.popitem(last=False)
        return pixmap
