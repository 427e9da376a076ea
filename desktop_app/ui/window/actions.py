"""The main window's actions as data, and the toolbar and menus built from them in one place."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QUrl
from PySide6.QtGui import QAction, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import QApplication, QComboBox, QMainWindow, QToolBar, QWidget

from desktop_app.resources_path import action_icon_file
from desktop_app.ui.i18n import plain_text

ICON_STROKE = "#3C3C46"  # the colour the SVG icons are drawn in
CONTEXT = "MainWindow"  # the actions' texts are translated as the window's own
translate = QCoreApplication.translate
Key = QKeySequence.StandardKey
# The English names; mode_label() gives the one to show.
MODES = (
    ("cot", str(QT_TRANSLATE_NOOP("MainWindow", "Step by step"))),
    ("tir", str(QT_TRANSLATE_NOOP("MainWindow", "With Python (TIR)"))),
)


@dataclass(frozen=True)
class ActionSpec:
    """One action: the window gets it as `<name>_action`; `handler` names the slot it runs."""

    name: str
    text: str  # English, marked for translation
    shortcut: Key | str | None
    handler: str
    tip: str = ""  # the tooltip when it is not the text itself
    icon: str = ""  # the SVG in resources/icons/actions, drawn in the palette's colour
    enabled: bool = True


ACTIONS = (
    ActionSpec(
        "new",
        str(QT_TRANSLATE_NOOP("MainWindow", "&New Problem")),
        Key.New,
        "new_conversation",
        icon="new-conversation",
    ),
    ActionSpec(
        "snip",
        str(QT_TRANSLATE_NOOP("MainWindow", "S&nip Screen")),
        "Ctrl+Shift+S",
        "snip",
        str(QT_TRANSLATE_NOOP("MainWindow", "Snip a region of the screen")),
        icon="snip",
    ),
    ActionSpec(
        "open",
        str(QT_TRANSLATE_NOOP("MainWindow", "&Open Image…")),
        Key.Open,
        "open_image",
        icon="open",
    ),
    ActionSpec(
        "paste",
        str(QT_TRANSLATE_NOOP("MainWindow", "&Paste Image")),
        Key.Paste,
        "paste",
        icon="paste",
    ),
    ActionSpec(
        "solve",
        str(QT_TRANSLATE_NOOP("MainWindow", "&Solve")),
        "Ctrl+Return",
        "solve",
        icon="solve",
    ),
    ActionSpec(
        "stop",
        str(QT_TRANSLATE_NOOP("MainWindow", "S&top")),
        "Esc",
        "stop",
        icon="stop",
        enabled=False,
    ),
    ActionSpec(
        "regenerate",
        str(QT_TRANSLATE_NOOP("MainWindow", "&Regenerate")),
        "Ctrl+R",
        "regenerate",
        str(QT_TRANSLATE_NOOP("MainWindow", "Answer again")),
        enabled=False,
    ),
    ActionSpec(
        "copy_answer",
        str(QT_TRANSLATE_NOOP("MainWindow", "Copy &Final Answer")),
        "Ctrl+Shift+C",
        "copy_final_answer",
        icon="copy",
        enabled=False,
    ),
    ActionSpec(
        "copy_source",
        str(QT_TRANSLATE_NOOP("MainWindow", "Copy Answer as &Markdown")),
        "Ctrl+Shift+M",
        "copy_source",
        enabled=False,
    ),
    ActionSpec(
        "search",
        str(QT_TRANSLATE_NOOP("MainWindow", "Searc&h History")),
        Key.Find,
        "focus_search",
    ),
    ActionSpec(
        "unload",
        str(QT_TRANSLATE_NOOP("MainWindow", "&Unload Local Models")),
        None,
        "unload_local_models",
    ),
    ActionSpec(
        "export",
        str(QT_TRANSLATE_NOOP("MainWindow", "&Export Conversation…")),
        "Ctrl+E",
        "export_conversation",
    ),
    ActionSpec(
        "shortcuts",
        str(QT_TRANSLATE_NOOP("MainWindow", "&Keyboard Shortcuts")),
        "F1",
        "show_shortcuts",
    ),
    ActionSpec(
        "settings",
        str(QT_TRANSLATE_NOOP("MainWindow", "&Settings…")),
        Key.Preferences,
        "open_settings",
        icon="settings",
    ),
    ActionSpec(
        "logs",
        str(QT_TRANSLATE_NOOP("MainWindow", "Open &Log Folder")),
        None,
        "open_log_folder",
    ),
    ActionSpec("quit", str(QT_TRANSLATE_NOOP("MainWindow", "&Quit")), Key.Quit, "close"),
)
# The menus and the toolbar, by action name ("" is a separator).
MENUS = (
    (
        str(QT_TRANSLATE_NOOP("MainWindow", "&File")),
        ("new", "snip", "open", "paste", "", "settings", "", "quit"),
    ),
    (
        str(QT_TRANSLATE_NOOP("MainWindow", "&Answer")),
        ("solve", "stop", "regenerate", "", "copy_answer", "copy_source", "", "unload"),
    ),
    (str(QT_TRANSLATE_NOOP("MainWindow", "Hi&story")), ("search", "export")),
    (str(QT_TRANSLATE_NOOP("MainWindow", "&Help")), ("shortcuts", "logs")),
)
TOOLBAR = ("new", "snip", "open", "paste", "", "mode", "samples", "solve", "stop")


def mode_label(mode: str) -> str:
    """The solving mode's name in the UI language."""
    return translate(CONTEXT, dict(MODES)[mode])


def build_actions(
    window: QMainWindow,
    handlers: Mapping[str, Callable[[], object]],
    mode: QComboBox,
    samples: QComboBox,
) -> dict[str, QAction]:
    """Create the window's actions, its toolbar (with the `mode` and `samples` boxes) and its
    menus; each action runs `handlers[spec.handler]`. Returns the actions by name."""
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        text = translate(CONTEXT, spec.text)
        action = QAction(text, window)
        if spec.shortcut is not None:
            action.setShortcut(QKeySequence(spec.shortcut))
        if plain_text(text) != text.replace("&", ""):  # "求解(&S)": Qt would show "求解(S)"
            action.setIconText(plain_text(text))
        tip = translate(CONTEXT, spec.tip) if spec.tip else plain_text(text).rstrip("…")
        action.setToolTip(tip)
        action.setEnabled(spec.enabled)
        handler = handlers[spec.handler]
        action.triggered.connect(lambda _checked=False, run=handler: run())
        window.addAction(action)
        actions[spec.name] = action
    refresh_icons(actions)
    toolbar = QToolBar(translate("MainWindow", "Main", "the toolbar's name"))
    toolbar.setObjectName("mainToolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    window.addToolBar(toolbar)
    for name in TOOLBAR:
        if name in ("mode", "samples"):
            toolbar.addWidget(mode if name == "mode" else samples)
        elif name:
            toolbar.addAction(actions[name])
        else:
            toolbar.addSeparator()
    for title, names in MENUS:
        menu = window.menuBar().addMenu(translate(CONTEXT, title))
        for name in names:
            if name:
                menu.addAction(actions[name])
            else:
                menu.addSeparator()
    return actions


def mode_box() -> QComboBox:
    """The toolbar's choice of solving mode (its data: "cot" or "tir")."""
    box = QComboBox()
    box.setObjectName("modeBox")
    for mode, _label in MODES:
        box.addItem(mode_label(mode), mode)
    box.setAccessibleName(translate("MainWindow", "Solving mode"))
    box.setToolTip(
        translate("MainWindow", "Step by step (chain of thought), or with Python run in a sandbox")
    )
    return box


def shortcuts_text(window: QWidget) -> str:
    """Every action with a shortcut, one per line, for the shortcuts overview."""
    lines = []
    for action in window.actions():
        sequence = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if sequence:
            lines.append(f"{plain_text(action.text()).rstrip('…'):<28} {sequence}")
    return "\n".join(lines)


def show_shortcuts(window: QWidget) -> None:
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


def refresh_icons(actions: Mapping[str, QAction]) -> None:
    """Draw the toolbar icons in the palette's text colour, so they suit light and dark."""
    color = QApplication.palette().windowText().color().name()  # current even mid-switch
    for spec in ACTIONS:
        if spec.icon and spec.name in actions:
            svg = action_icon_file(spec.icon).read_text(encoding="utf-8")
            pixmap = QPixmap()
            pixmap.loadFromData(svg.replace(ICON_STROKE, color).encode(), "SVG")
            actions[spec.name].setIcon(QIcon(pixmap))
