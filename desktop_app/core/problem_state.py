"""The problem the window is working on, kept in one Qt-free place.

The window and its answer run share one ProblemState: the window writes what the user chose
(a new image, an opened conversation, the solving mode), the run records what it started and
which conversation it was saved in. Neither keeps a copy, so the run never asks the window.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_app.core.prompts import Mode
    from desktop_app.core.solve_request import SolveRequest


@dataclass(frozen=True)
class Run:
    """A request as it was started; Regenerate starts it again."""

    request: SolveRequest
    conversation_id: str | None  # the conversation it continues; None starts a new one
    shown: str  # the earlier turns shown above its answer (Markdown)


@dataclass
class ProblemState:
    """What a question typed next continues, what Regenerate repeats, and how to solve."""

    conversation_id: str | None = None  # the open conversation: a typed question continues it
    image: bytes | None = None  # the new problem's image, as read from its file or the screen
    mode: Mode = "cot"
    samples: int = 1
    last_run: Run | None = None

    def new_problem(self, image: bytes | None = None) -> None:
        """Start afresh: no conversation open, `image` (if any) the problem."""
        self.conversation_id, self.image = None, image

    def open(self, conversation_id: str) -> None:
        """A saved conversation is open: a question typed next is its next turn."""
        self.conversation_id, self.image = conversation_id, None

    def prepare(self, request: SolveRequest) -> SolveRequest:
        """`request` with the chosen mode and number of samples."""
        return replace(request, mode=self.mode, samples=self.samples)

    def begin(self, request: SolveRequest, conversation_id: str | None, shown: str = "") -> Run:
        """Record the run being started: it is the one Regenerate repeats."""
        self.last_run = Run(request, conversation_id, shown)
        return self.last_run

    def saved(self, run: Run, conversation_id: str) -> None:
        """`run` was saved in `conversation_id`, which is now the open one, unless another run
        began or another conversation was opened meanwhile."""
        if run is self.last_run and self.conversation_id in (None, run.conversation_id):
            self.conversation_id = conversation_id
