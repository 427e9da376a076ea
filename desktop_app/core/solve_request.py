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


@dataclass(frozen=True)
class Backends:
    """What runs each stage; built lazily so a text-only solve never needs a reader."""

    reader: Callable[[], Reader]
    solver: Callable[[], Solver]
    reader_model: str
    solver_model: str
