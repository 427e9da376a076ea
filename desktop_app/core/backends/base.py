"""The protocol every backend speaks: plain generators of text deltas with a cancel token."""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Literal, Protocol, TypedDict


class ChatMessage(TypedDict):
    """One chat turn, as all chat APIs take it."""

    role: Literal["system", "user", "assistant"]
    content: str


# The two roles a backend can play: the reader turns the image into text, the solver solves it.
Role = Literal["reader", "solver"]

# Called before a retry with (attempt number, delay in seconds, reason sentence).
RetryNotice = Callable[[int, float, str], None]


class Reader(Protocol):
    """Turns an image of a problem into Markdown + LaTeX text, streamed."""

    def read(self, image_png: bytes, prompt: str, cancel: threading.Event) -> Iterator[str]:
        """Yield the transcription in increments; stop promptly when `cancel` is set."""
        ...


class Solver(Protocol):
    """Continues a chat with the assistant's reply, streamed.

    When the last message is the assistant's, the backend continues that message (TIR feeds
    code output back this way) and yields only the new text. Generation ends before any of
    `stop`; the stop string itself is not yielded.
    """

    def solve(
        self, messages: list[ChatMessage], cancel: threading.Event, *, stop: Sequence[str] = ()
    ) -> Iterator[str]:
        """Yield the reply in increments; stop promptly when `cancel` is set."""
        ...


def png_data_url(png: bytes) -> str:
    """PNG bytes as a data: URL, the form vision APIs (and web pages) take inline."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
