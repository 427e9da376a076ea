"""The answer's plot in the window: a reopened conversation's saved plot, and the functions
the user types under it (read from the page's request, sampled in the checker process on a
worker thread, answered with a curve or one sentence)."""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot

from desktop_app.ui.workers import Worker, start_worker

if TYPE_CHECKING:
    from desktop_app.core.history.models import Turn
    from desktop_app.ui.answer.view import AnswerView

log = logging.getLogger(__name__)

TYPED_TIMEOUT_S = 5.0  # parsing and sampling one typed formula; SymPy is loaded already
MAX_TYPED = 200  # characters, as the page's box allows


def show_saved_plot(view: AnswerView, turns: Sequence[Turn]) -> None:
    """A reopened conversation: show the newest plot saved with it that still loads."""
    from desktop_app.core.history.saved_plots import last_plot

    plot = last_plot(turns)
    if plot is not None:
        view.show_plot(plot.to_json())


class TypedFunctions(QObject):
    """Turns the page's `plot-function/{json}` requests into sampled series, one at a time.

    `on_series(series_json)` and `on_error(sentence)` are called on the GUI thread, and only for
    the plot that is still shown: `reset()` (a new plot, a cleared page) drops late answers.
    """

    def __init__(
        self,
        on_series: Callable[[dict[str, Any]], None],
        on_error: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._on_series, self._on_error = on_series, on_error
        self._variable = "x"
        self._worker: Worker | None = None
        self._plot = 0  # which plot is shown; answers for an older one are dropped
        self._working_for = 0
        self._next: tuple[str, tuple[float, float], tuple[float, float] | None] | None = None

    def reset(self, variable: str = "x") -> None:
        """A new plot (of `variable`) is shown, or none: forget what was asked for the old one.

        A sampling in progress is left to finish (stopping it would restart the checker) and
        its answer dropped."""
        self._plot += 1
        self._variable = variable if variable.isalpha() and len(variable) <= 8 else "x"
        self._next = None

    def request(self, payload: str) -> None:
        """The page asked for a typed function (JSON: text, x_range, y_range)."""
        try:
            text, x_range, y_range = _parse(payload)
        except ValueError as exc:
            self._on_error(self.tr("That could not be read: {reason}").format(reason=exc))
            return
        self._next = (text, x_range, y_range)
        if self._worker is None:
            self._start_next()

    def shutdown(self) -> None:
        """Stop the sampling in progress (the window or view is closing)."""
        self._next = None
        if self._worker is not None:
            self._worker.cancel()

    def _start_next(self) -> None:
        if self._next is None:
            return
        (text, x_range, y_range), self._next = self._next, None
        variable = self._variable

        def sample(cancel: threading.Event) -> Any:
            from desktop_app.core.check_worker import run_check

            return run_check(
                "plot_function",
                text,
                list(x_range),
                None if y_range is None else list(y_range),
                variable,
                timeout=TYPED_TIMEOUT_S,
                cancel=cancel,
            )

        self._working_for = self._plot
        self._worker = start_worker(
            sample,
            "plot-function",
            returned=self._on_returned,
            errored=self._on_errored,
            finished=self._on_finished,
        )

    @Slot(object)
    def _on_returned(self, result: Any) -> None:
        if self.sender() is not self._worker or self._working_for != self._plot:
            return
        if isinstance(result, dict) and isinstance(result.get("series"), dict):
            self._on_series(result["series"])
        elif isinstance(result, dict) and isinstance(result.get("error"), str):
            self._on_error(result["error"])
        else:
            self._on_error(self.tr("That function could not be drawn."))

    @Slot(object)
    def _on_errored(self, exc: BaseException) -> None:
        if self.sender() is not self._worker or self._working_for != self._plot:
            return
        from desktop_app.core.check_worker import CheckCancelled, CheckTimeout

        if isinstance(exc, CheckCancelled):
            return
        log.info("typed function not drawn: %s", exc)
        if isinstance(exc, CheckTimeout):
            self._on_error(self.tr("That function took too long to draw."))
        else:
            self._on_error(self.tr("That function could not be drawn just now; please try again."))

    @Slot()
    def _on_finished(self) -> None:
        if self.sender() is not self._worker:
            return
        self._worker = None
        self._start_next()


def _parse(payload: str) -> tuple[str, tuple[float, float], tuple[float, float] | None]:
    """The request's text and ranges; ValueError (a reason for the user) when malformed."""
    try:
        data = json.loads(payload)
    except ValueError:
        raise ValueError("the request is not JSON.") from None
    if not isinstance(data, dict):
        raise ValueError("the request is not an object.")
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("there is no function in it.")
    if len(text) > MAX_TYPED:
        raise ValueError(f"a function can be at most {MAX_TYPED} characters long.")
    x_range = _range(data.get("x_range"))
    if x_range is None:
        raise ValueError("the plot's range is missing.")
    return text.strip(), x_range, _range(data.get("y_range"))


def _range(value: Any) -> tuple[float, float] | None:
    if not isinstance(value, list) or len(value) != 2:
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return None
    low, high = float(value[0]), float(value[1])
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        return None
    return low, high
