"""The main window's actions, toolbar and menus, built in one place."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QUrl
from PySide6.QtGui import QAction, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import QApplication, QComboBox, QToolBar

from desktop_app.resources_path import action_icon_file
from desktop_app.ui.i18n import plain_text

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow

ICON_STROKE = "#3C3C46"  # the colour the SVG icons are drawn in
CONTEXT = "MainWindow"  # the actions' texts are translated as the window's own
translate = QCoreApplication.translate
# The English names; mode_label() gives the one to show.
MODES = (
    ("cot", QT_TRANSLATE_NOOP("MainWindow", "Step by step")),
    ("tir", QT_TRANSLATE_NOOP("MainWindow", "With Python (TIR)")),
)


def mode_label(mode: str) -> str:
    """The solving mode's name in the UI language."""
    return translate(CONTEXT, dict(MODES)[mode])


def _action(
    window: MainWindow, text: str, shortcut: object, slot: Callable[[], object], tip: str = ""
) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(shortcut)  # type: ignore[arg-type]
    if plain_text(text) != text.replace("&", ""):  # "求解(&S)": Qt would show "求解(S)"
        action.setIconText(plain_text(text))
    action.setToolTip(f"{tip or plain_text(text).rstrip('…')}")
    action.triggered.connect(lambda _checked=False: slot())
    window.addAction(action)
    return action


def build_actions(window: MainWindow) -> None:
    """Create the window's actions (as attributes), its toolbar and its menus."""
    w = window
    key = QKeySequence.StandardKey
    w.new_action = _action(w, translate("MainWindow", "&New Problem"), key.New, w.new_conversation)
    w.snip_action = _action(
        w,
        translate("MainWindow", "S&nip Screen"),
        "Ctrl+Shift+S",
        w.snip,
        translate("MainWindow", "Snip a region of the screen"),
    )
    w.open_action = _action(w, translate("MainWindow", "&Open Image…"), key.Open, w.open_image)
    w.paste_action = _action(w, translate("MainWindow", "&Paste Image"), key.Paste, w.paste)
    w.solve_action = _action(w, translate("MainWindow", "&Solve"), "Ctrl+Return", w.solve)
    w.stop_action = _action(w, translate("MainWindow", "S&top"), "Esc", w.stop)
    w.stop_action.setEnabled(False)
    w.regenerate_action = _action(
        w,
        translate("MainWindow", "&Regenerate"),
        "Ctrl+R",
        w.regenerate,
        translate("MainWindow", "Answer again"),
    )
    w.copy_answer_action = _action(
        w, translate("MainWindow", "Copy &Final Answer"), "Ctrl+Shift+C", w.copy_final_answer
    )
    w.copy_source_action = _action(
        w, translate("MainWindow", "Copy Answer as &Markdown"), "Ctrl+Shift+M", w.copy_source
    )
    w.search_action = _action(
        w, translate("MainWindow", "Searc&h History"), key.Find, w.focus_search
    )
    w.unload_action = _action(
        w, translate("MainWindow", "&Unload Local Models"), None, w.unload_local_models
    )
    w.export_action = _action(
        w, translate("MainWindow", "&Export Conversation…"), "Ctrl+E", w.export_conversation
    )
    w.shortcuts_action = _action(
        w, translate("MainWindow", "&Keyboard Shortcuts"), "F1", lambda: show_shortcuts(w)
    )
    w.settings_action = _action(
        w, translate("MainWindow", "&Settings…"), key.Preferences, w.open_settings
    )
    w.logs_action = _action(w, translate("MainWindow", "Open &Log Folder"), None, open_log_folder)
    quit_action = _action(w, translate("MainWindow", "&Quit"), key.Quit, w.close)
    for action in (w.regenerate_action, w.copy_answer_action, w.copy_source_action):
        action.setEnabled(False)

    w.iconed_actions = {
        "new-conversation": w.new_action,
        "snip": w.snip_action,
        "open": w.open_action,
        "paste": w.paste_action,
        "solve": w.solve_action,
        "stop": w.stop_action,
        "copy": w.copy_answer_action,
        "settings": w.settings_action,
    }
    refresh_icons(w)

    w.mode_box = QComboBox()
    for mode, _label in MODES:
        w.mode_box.addItem(mode_label(mode), mode)
    w.mode_box.setAccessibleName(translate("MainWindow", "Solving mode"))
    w.mode_box.setToolTip(
        translate("MainWindow", "Step by step (chain of thought), or with Python run in a sandbox")
    )

    toolbar = QToolBar(translate("MainWindow", "Main", "the toolbar's name"))
    toolbar.setObjectName("mainToolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    w.addToolBar(toolbar)
    toolbar.addActions([w.new_action, w.snip_action, w.open_action, w.paste_action])
    toolbar.addSeparator()
    toolbar.addWidget(w.mode_box)
    toolbar.addActions([w.solve_action, w.stop_action])

    menus = w.menuBar()
    file_menu = menus.addMenu(translate("MainWindow", "&File"))
    file_menu.addActions([w.new_action, w.snip_action, w.open_action, w.paste_action])
    file_menu.addSeparator()
    file_menu.addAction(quit_action)
    answer_menu = menus.addMenu(translate("MainWindow", "&Answer"))
    answer_menu.addActions([w.solve_action, w.stop_action, w.regenerate_action])
    answer_menu.addSeparator()
    answer_menu.addActions([w.copy_answer_action, w.copy_source_action])
    answer_menu.addSeparator()
    answer_menu.addAction(w.unload_action)
    history_menu = menus.addMenu(translate("MainWindow", "Hi&story"))
    history_menu.addActions([w.search_action, w.export_action])
    help_menu = menus.addMenu(translate("MainWindow", "&Help"))
    help_menu.addActions([w.shortcuts_action, w.logs_action])
    file_menu.insertAction(quit_action, w.settings_action)
    file_menu.insertSeparator(quit_action)


def shortcuts_text(window: MainWindow) -> str:
    """Every action with a shortcut, one per line, for the shortcuts overview."""
    lines = []
    for action in window.actions():
        sequence = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if sequence:
            lines.append(f"{plain_text(action.text()).rstrip('…'):<28} {sequence}")
    return "\n".join(lines)


def show_shortcuts(window: MainWindow) -> None:
    """List every keyboard shortcut in a small dialog."""
    import html

    from PySide6.QtWidgets import QMessageBox

    title = translate("MainWindow", "Keyboard shortcuts")
    box = QMessageBox(QMessageBox.Icon.NoIcon, title, "", parent=window)
    box.setText(f"<pre>{html.escape(shortcuts_text(window))}</pre>")
    box.open()


def open_log_folder() -> None:
    """Open the folder holding the log files in the file manager."""
    from PySide6.QtGui import QDesktopServices

    from desktop_app.logging_setup import log_dir

    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def refresh_icons(window: MainWindow) -> None:
    """Draw the toolbar icons in the palette's text colour, so they suit light and dark."""
    color = QApplication.palette().windowText().color().name()  # current even mid-switch
    for name, action in window.iconed_actions.items():
        svg = action_icon_file(name).read_text(encoding="utf-8")
        pixmap = QPixmap()
        pixmap.loadFromData(svg.replace(ICON_STROKE, color).encode(), "SVG")
        action.setIcon(QIcon(pixmap))
