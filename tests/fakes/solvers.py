"""A scripted solver for the sampling tests: answers from a list, from any thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence

from desktop_app.core.backends.base import ChatMessage, Sampling
from desktop_app.core.errors import raise_if_cancelled


class ScriptedSolver:
    """Hands out `answers` one per solve (an exception is raised), after `delay` seconds in
    which a cancel is honoured; records each call's sampling and stop strings."""

    def __init__(self, answers: Sequence[str | Exception], delay: float = 0.0) -> None:
        self._answers = list(answers)
        self._lock = threading.Lock()
        self.delay = delay
        self.samplings: list[Sampling | None] = []
        self.stops: list[tuple[str, ...]] = []

    def read(self, image_png: bytes, prompt: str, cancel: threading.Event) -> Iterator[str]:
        yield "unused"

    def solve(
        self,
        messages: list[ChatMessage],
        cancel: threading.Event,
        *,
        stop: Sequence[str] = (),
        sampling: Sampling | None = None,
    ) -> Iterator[str]:
        with self._lock:
            answer = self._answers.pop(0)
            self.samplings.append(sampling)
            self.stops.append(tuple(stop))
        deadline = time.monotonic() + self.delay
        while time.monotonic() < deadline:
            raise_if_cancelled(cancel)
            time.sleep(0.01)
        raise_if_cancelled(cancel)
        if isinstance(answer, Exception):
            raise answer
        yield answer
