"""What to solve and what solves it: the pipeline's inputs, cheap to import at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_app.core.backends.base import Reader, Solver
    from desktop_app.core.prompts import Mode


@dataclass(frozen=True)
class SolveRequest:
    """One problem: raw image bytes and/or a question (or an already corrected transcript)."""

    image: bytes | None = None
    question: str = ""
    transcript: str | None = None
    mode: Mode = "cot"
    history: tuple[tuple[str, str], ...] = ()  # earlier (question, answer) turns, oldest first
    samples: int = 1  # solutions to sample and vote on; 1 is one greedy solution

    @property
    def reads_image(self) -> bool:
        """Whether the reader runs: there is an image and no transcript of it yet."""
        return self.image is not None and self.transcript is None


@dataclass(frozen=True)
class Backends:
    """What runs each stage; built lazily so a text-only solve never needs a reader."""

    reader: Callable[[], Reader]
    solver: Callable[[], Solver]
    reader_model: str
    solver_model: str
