"""The protocol every backend speaks: plain generators of text deltas with a cancel token."""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypedDict

from desktop_app.core.errors import AppError


class ChatMessage(TypedDict):
    """One chat turn, as all chat APIs take it."""

    role: Literal["system", "user", "assistant"]
    content: str


# The two roles a backend can play: the reader turns the image into text, the solver solves it.
Role = Literal["reader", "solver"]

# Called before a retry with (attempt number, delay in seconds, reason sentence).
RetryNotice = Callable[[int, float, str], None]


@dataclass(frozen=True)
class Sampling:
    """Sampled decoding instead of greedy: what self-consistency asks of every backend."""

    temperature: float = 0.7
    top_p: float = 0.8


# Qwen's recipe for sampling Qwen2.5-Math (its generation_config and evaluation scripts).
QWEN_SAMPLING = Sampling(temperature=0.7, top_p=0.8)


class Reader(Protocol):
    """Turns an image of a problem into Markdown + LaTeX text, streamed."""

    def read(self, image_png: bytes, prompt: str, cancel: threading.Event) -> Iterator[str]:
        """Yield the transcription in increments; stop promptly when `cancel` is set."""
        ...


class Solver(Protocol):
    """Continues a chat with the assistant's reply, streamed.

    When the last message is the assistant's, the backend continues that message (TIR feeds
    code output back this way) and yields only the new text. Generation ends before any of
    `stop`; the stop string itself is not yielded. Decoding is greedy unless `sampling` is
    given (self-consistency passes it; a solver that never samples may leave it out).
    """

    def solve(
        self,
        messages: list[ChatMessage],
        cancel: threading.Event,
        *,
        stop: Sequence[str] = (),
        sampling: Sampling | None = None,
    ) -> Iterator[str]:
        """Yield the reply in increments; stop promptly when `cancel` is set."""
        ...


# Called from the generating thread with how many of a batch's samples have finished.
FinishedCount = Callable[[int], None]


class BatchSolver(Protocol):
    """A solver that samples several replies in one batched generation (the local backend)."""

    def solve_batch(
        self,
        messages: list[ChatMessage],
        n: int,
        cancel: threading.Event,
        *,
        sampling: Sampling,
        on_finished: FinishedCount | None = None,
    ) -> list[str | AppError]:
        """`n` sampled replies, each its text or the error that kept it from finishing."""
        ...


def png_data_url(png: bytes) -> str:
    """PNG bytes as a data: URL, the form vision APIs (and web pages) take inline."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
