"""Hidden start-up check for bundles and CI: QWEN_MATH_SELFTEST=1 renders a formula and quits.

With the variable set, the GUI shows `$\\frac{1}{2}$` in the answer view, waits until MathJax
has typeset it into the page, prints `SELFTEST OK <n mjx-container>` and exits 0; if the
window or the formula does not appear within SELFTEST_TIMEOUT_S it prints `SELFTEST FAILED
<reason>` on stderr and exits 1. It proves a bundle carries Qt, QtWebEngine, the answer page
and MathJax, without a network, a key or a display (QT_QPA_PLATFORM=offscreen).
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer

if TYPE_CHECKING:
    from desktop_app.ui.window.main_window import MainWindow

ENV_VAR = "QWEN_MATH_SELFTEST"
FORMULA = r"$\frac{1}{2}$"
SELFTEST_TIMEOUT_S = 45.0
POLL_INTERVAL_MS = 100
# -1 until MathJax has started and finished every queued typeset, then the rendered count.
_COUNT_SCRIPT = (
    "(typeof typesetIdle === 'function' && typesetIdle())"
    " ? document.querySelectorAll('mjx-container svg').length : -1"
)


def run_selftest(window: MainWindow) -> None:
    """Render a formula in `window`'s answer view; print the verdict and quit the event loop."""
    _SelfTest(window).start()


class _SelfTest(QObject):
    """Polls the page until the formula is typeset or time runs out (owned by the window)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._deadline = time.monotonic() + SELFTEST_TIMEOUT_S
        self._done = False
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_INTERVAL_MS)
        self._timer.timeout.connect(self._on_poll)

    def start(self) -> None:
        """Queue the formula (the view holds it until its page has loaded) and start polling."""
        self._window.answer_view.set_markdown(FORMULA)
        self._timer.start()

    def _on_poll(self) -> None:
        if self._done:
            return
        if time.monotonic() > self._deadline:
            reason = "no window" if not self._window.isVisible() else "no typeset formula"
            self._finish(f"SELFTEST FAILED {reason} after {SELFTEST_TIMEOUT_S:.0f} s", 1)
            return
        view = self._window.answer_view
        if self._window.isVisible() and view.ready:
            view.page().runJavaScript(_COUNT_SCRIPT, 0, self._on_count)

    def _on_count(self, count: object) -> None:
        if not self._done and isinstance(count, int | float) and count > 0:
            self._finish(f"SELFTEST OK {int(count)}", 0)

    def _finish(self, line: str, code: int) -> None:
        self._done = True
        self._timer.stop()
        stream = sys.stdout if code == 0 else sys.stderr
        print(line, file=stream, flush=True)
        QCoreApplication.exit(code)
