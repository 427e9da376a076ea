"""Theme: dark palette, the answer page's theme, and the window state kept with QSettings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QSplitter

from desktop_app.ui.theme import (
    ThemeNotifier,
    answer_page_theme,
    apply_theme,
    dark_palette,
    theme_notifier,
)
from desktop_app.ui.window.state import restore_window_state, save_window_state


@pytest.fixture
def app(qapp: QApplication) -> Any:
    """The application, put back to the light theme afterwards."""
    yield qapp
    apply_theme(qapp, "light")


def lightness(app: QApplication) -> int:
    return app.palette().color(QPalette.ColorRole.Window).lightness()


def test_dark_gives_a_dark_window(app: QApplication, qtbot: Any) -> None:
    """GIVEN the dark choice THEN Fusion draws windows dark, and light brings them back."""
    notifier = theme_notifier(app)
    with qtbot.waitSignal(notifier.page_theme_changed, timeout=1000) as signal:
        assert apply_theme(app, "dark") == "dark"
    assert signal.args == ["dark"]
    assert app.style().name().lower() == "fusion"
    assert lightness(app) < 80
    window = QMainWindow()
    qtbot.addWidget(window)
    assert window.palette().color(QPalette.ColorRole.Window).lightness() < 80
    assert apply_theme(app, "light") == "light"
    assert lightness(app) > 180
    assert theme_notifier(app) is notifier  # one per application


def test_light_at_start_on_a_dark_desktop_is_light(
    app: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a desktop that gives the app dark colours WHEN a new start applies the light
    choice THEN the window is light; "system" on a light desktop leaves the style alone."""
    hints = type(app.styleHints())
    monkeypatch.setattr(hints, "colorScheme", lambda self: Qt.ColorScheme.Light)
    app.setPalette(dark_palette())  # as a dark desktop theme would
    starts = [ThemeNotifier(app), ThemeNotifier(app)]  # fresh: nothing applied, as at start-up
    starts[0].apply("light")
    assert lightness(app) > 180
    style = app.style()
    starts[1].apply("system")
    assert app.style() is style
    # dark colours from a desktop that reports no colour scheme: the page will be light, so
    # the window is made light too
    monkeypatch.setattr(hints, "colorScheme", lambda self: Qt.ColorScheme.Unknown)
    app.setPalette(dark_palette())
    starts.append(ThemeNotifier(app))
    starts[2].apply("system")
    assert answer_page_theme("system") == "light"
    assert lightness(app) > 180
    for notifier in starts:
        notifier.deleteLater()


@pytest.mark.parametrize(
    ("choice", "scheme", "expected"),
    [
        ("light", Qt.ColorScheme.Dark, "light"),
        ("dark", Qt.ColorScheme.Light, "dark"),
        ("system", Qt.ColorScheme.Dark, "dark"),
        ("system", Qt.ColorScheme.Light, "light"),
        ("system", Qt.ColorScheme.Unknown, "light"),
    ],
)
def test_answer_page_theme_follows_the_choice(
    app: QApplication, monkeypatch: pytest.MonkeyPatch, choice: str, scheme: Any, expected: str
) -> None:
    """GIVEN a choice and the desktop's scheme THEN the page gets the matching theme."""
    hints = type(app.styleHints())
    monkeypatch.setattr(hints, "colorScheme", lambda self: scheme)
    assert answer_page_theme(choice) == expected


def test_system_choice_follows_a_desktop_change(
    app: QApplication, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN "system" WHEN the desktop turns dark THEN the palette and the page follow."""
    hints = type(app.styleHints())
    scheme = {"now": Qt.ColorScheme.Light}
    monkeypatch.setattr(hints, "colorScheme", lambda self: scheme["now"])
    apply_theme(app, "system")
    notifier = theme_notifier(app)
    scheme["now"] = Qt.ColorScheme.Dark
    with qtbot.waitSignal(notifier.page_theme_changed, timeout=1000) as signal:
        notifier._on_scheme_changed(Qt.ColorScheme.Dark)  # what colorSchemeChanged delivers
    assert signal.args == ["dark"]
    assert lightness(app) < 80


def test_window_state_round_trip_under_qwen_math_home(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a portable home WHEN the state is saved and restored THEN sizes come back from it."""
    monkeypatch.setenv("QWEN_MATH_HOME", str(tmp_path / "home"))

    def make() -> tuple[QMainWindow, QSplitter]:
        window = QMainWindow()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        for text in ("a", "b", "c"):
            splitter.addWidget(QLabel(text))
        window.setCentralWidget(splitter)
        qtbot.addWidget(window)
        return window, splitter

    window, splitter = make()
    window.setGeometry(40, 50, 620, 420)  # inside the 800x600 offscreen screen
    window.show()
    qtbot.waitExposed(window)
    splitter.setSizes([100, 200, 320])
    sizes = splitter.sizes()
    save_window_state(window, splitter)
    files = list((tmp_path / "home" / "config").rglob("*.ini"))
    assert len(files) == 1, files
    again, again_splitter = make()
    assert restore_window_state(again, again_splitter)
    again.show()
    qtbot.waitExposed(again)
    assert again.size() == window.size()
    assert again_splitter.sizes() == sizes


def test_nothing_saved_restores_nothing(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a fresh home THEN restore says so and changes nothing."""
    monkeypatch.setenv("QWEN_MATH_HOME", str(tmp_path / "fresh"))
    window, splitter = QMainWindow(), QSplitter()
    qtbot.addWidget(window)
    assert not restore_window_state(window, splitter)
