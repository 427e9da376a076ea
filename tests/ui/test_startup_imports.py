"""What the window loads before it is shown: only what its first frame needs (ADR 007)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Each of these has a feature that loads it later: a solve, the first page load, a dialog,
# the Sketch tab, the welcome page, the tray (after the first paint), the key check.
LATER = (
    "torch",
    "transformers",
    "dashscope",
    "openai",
    "keyring",
    "PIL",
    "markdown_it",
    "json",
    "ctypes",
    "sympy",
    "math_verify",
    "desktop_app.core.pipeline",
    "desktop_app.core.checks",
    "desktop_app.core.check_worker",
    "desktop_app.core.sampling",
    "desktop_app.core.voting",
    "desktop_app.core.events",
    "desktop_app.core.solve_request",
    "desktop_app.core.backends.registry",
    "desktop_app.ui.answer.page",
    "desktop_app.ui.answer.server",
    "desktop_app.ui.answer.solve_worker",
    "desktop_app.ui.sketch.panel",
    "desktop_app.ui.answer.welcome",
    "desktop_app.ui.window.tray",
    "desktop_app.ui.settings.dialog",
    "desktop_app.ui.settings.local_page",
    "desktop_app.core.images",
    "desktop_app.ui.workers",
    "desktop_app.ui.problem.image_loader",
    "desktop_app.ui.history.search",
)

PROBE = textwrap.dedent(
    """
    import sys
    from desktop_app import app as composition

    make = composition.create_main_window

    def probed(*args):
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        window = make(*args)
        show = window.show
        def report():
            pane = window.answer_pane
            print("LOADED", ",".join(m for m in LATER if m in sys.modules))
            print("FIRST", type(pane.currentWidget()).__name__, window.isVisible())
            QTimer.singleShot(200, after)
        def after():
            pane = window.answer_pane
            import gc
            tray = "desktop_app.ui.window.tray" in sys.modules
            collecting = gc.isenabled() and gc.get_freeze_count() > 0
            arenas = "ctypes" in sys.modules  # the C heap's arenas were capped
            print("AFTER", type(pane.currentWidget()).__name__, tray, collecting, arenas)
            QApplication.instance().quit()
        def show_then_report():
            show()
            QTimer.singleShot(0, report)
        window.show = show_then_report
        return window

    composition.create_main_window = probed
    composition.run_gui()
    """
)


def test_window_is_shown_before_the_later_features_load(tmp_path: Path) -> None:
    """GIVEN a fresh start WHEN the window is shown THEN none of the later features is loaded,
    the answer pane shows its plain page, and the answer view takes its place right after;
    the garbage collector, paused for start-up, runs again; the C heap's arenas are capped."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox",
        "QWEN_MATH_HOME": str(tmp_path),
    }
    script = f"LATER = {LATER!r}\n{PROBE}"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    assert done.returncode == 0, done.stderr[-2000:]
    assert lines["LOADED"].strip() == "", f"loaded before the window was shown: {lines['LOADED']}"
    assert lines["FIRST"] == "QWidget True"  # the plain page, in a shown window
    # after the first paint: the answer view, the tray, the garbage collector back on with
    # the start-up's objects frozen out of its scans, and the malloc arenas capped
    assert lines["AFTER"] == "AnswerView True True True"
