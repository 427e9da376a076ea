"""The history's value types, and how a conversation gets its default title."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from desktop_app.core.errors import UsageError

TurnStatus = Literal["streaming", "complete", "cancelled", "failed", "interrupted"]
TURN_STATUSES: tuple[TurnStatus, ...] = (
    "streaming",
    "complete",
    "cancelled",
    "failed",
    "interrupted",
)
TITLE_MAX_CHARS = 60
UNTITLED = "Untitled problem"

# Markdown decoration at the start of a line says nothing about the problem itself.
_LINE_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)]\s+)*")
_DISPLAY_DELIMITERS = re.compile(r"^\s*(?:\$\$|\\\[)\s*|\s*(?:\$\$|\\\])\s*$")


class UnknownConversation(UsageError):
    """No conversation has the id the user gave."""

    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"No conversation with id {conversation_id}.")


@dataclass(frozen=True)
class SavedSample:
    """One sampled solution of a self-consistency turn (see Turn.samples)."""

    position: int  # in the order the samples were requested, from 0
    answer: str  # the whole solution text
    final_answer: str | None
    group: int | None  # the group of equivalent final answers; None: it boxed none
    majority: bool = False  # the sample shown as the turn's answer


@dataclass(frozen=True)
class Turn:
    """One question asked about a conversation's problem, and the answer it got."""

    id: int
    conversation_id: str
    position: int
    question: str
    answer: str
    final_answer: str | None
    final_check: str | None
    status: TurnStatus
    error: str | None
    reader_model: str | None
    solver_model: str | None
    created_at: float
    updated_at: float
    final_reason: str | None = None
    # What was checked with the answer, as saved: "steps" (a list of step checks, each with
    # before, after, verdict, reason, start, end) and "plot" (a core.plots spec as JSON).
    details: Mapping[str, Any] = field(default_factory=dict)
    # Self-consistency: every sample, in order (empty for a single solution). The turn's
    # `answer` is the majority sample's text.
    samples: tuple[SavedSample, ...] = ()

    @property
    def votes(self) -> int:
        """How many samples share the majority sample's final answer (0 without samples)."""
        chosen = next((s for s in self.samples if s.majority), None)
        if chosen is None or chosen.group is None:
            return 0
        return sum(1 for s in self.samples if s.group == chosen.group)


@dataclass(frozen=True)
class ConversationSummary:
    """What a history list needs about a conversation: no transcript, no turns."""

    id: str
    title: str
    created_at: float
    updated_at: float
    image_sha256: str | None


@dataclass(frozen=True)
class Conversation:
    """A whole conversation: the problem (image and transcript) and its turns, oldest first."""

    id: str
    title: str
    created_at: float
    updated_at: float
    image_sha256: str | None
    transcript: str
    turns: tuple[Turn, ...]


@dataclass(frozen=True)
class SearchHit:
    """A conversation matching a search, with a snippet around the match."""

    conversation: ConversationSummary
    snippet: str


def derive_title(transcript: str, question: str = "") -> str:
    """A short default title: the first meaningful line of the transcript, else the question."""
    for source in (transcript, question):
        for line in source.splitlines():
            text = _DISPLAY_DELIMITERS.sub("", _LINE_PREFIX.sub("", line))
            text = " ".join(text.split())
            if text:
                return shorten(text)
    return UNTITLED


def shorten(text: str, limit: int = TITLE_MAX_CHARS) -> str:
    """`text` cut to `limit` characters at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # Cutting at a space keeps a LaTeX command or number whole; a single long token is cut anyway.
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"
