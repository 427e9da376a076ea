"""Exporting a conversation as Markdown, its image written beside it and linked relatively."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from desktop_app.core.history.export_checks import checks_markdown
from desktop_app.core.history.export_samples import samples_markdown
from desktop_app.core.history.models import Conversation, Turn

SampleParts = Callable[[Turn], list[str]]  # a turn's samples as Markdown parts

_STATUS_NOTES = {
    "streaming": "The answer was still streaming when this was exported.",
    "cancelled": "The answer was stopped before it finished.",
    "failed": "The answer failed before it finished.",
    "interrupted": "The app closed before the answer finished.",
}


def to_markdown(
    conversation: Conversation,
    image_ref: str | None,
    *,
    answer_text: Callable[[Turn], str] | None = None,
    samples: SampleParts = samples_markdown,
) -> str:
    """The conversation as Markdown; `image_ref` is how the document points at its image.

    `answer_text` gives each turn's answer as written into the document (the HTML export
    adds placeholders for its step marks; by default the answer as saved), `samples` what
    follows the answer of a turn that sampled several solutions.
    """
    created = datetime.fromtimestamp(conversation.created_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"# {conversation.title}", f"_Saved by Qwen Math on {created}._"]
    if image_ref is not None:
        parts.append(f"![The problem as captured]({_link(image_ref)})")
    if conversation.transcript.strip():
        parts += ["## Problem", conversation.transcript.strip()]
    for number, turn in enumerate(conversation.turns, start=1):
        answer = answer_text(turn) if answer_text is not None else turn.answer
        parts += _turn_markdown(turn, answer, number, len(conversation.turns), samples)
    return "\n\n".join(parts) + "\n"


def export_markdown(conversation: Conversation, image: Path | None, target: Path) -> list[Path]:
    """Write `target` (and the image as `<target stem>.png` beside it); returns files written."""
    written: list[Path] = []
    image_ref = None
    if image is not None and image.exists():
        image_copy = target.with_name(f"{target.stem}.png")
        shutil.copyfile(image, image_copy)
        written.append(image_copy)
        image_ref = image_copy.name
    target.write_text(to_markdown(conversation, image_ref), encoding="utf-8")
    written.insert(0, target)
    return written


def _turn_markdown(
    turn: Turn, answer: str, number: int, total: int, samples: SampleParts
) -> list[str]:
    suffix = f" {number}" if total > 1 else ""
    parts: list[str] = []
    if turn.question.strip():
        parts += [f"## Question{suffix}", turn.question.strip()]
    parts += [f"## Solution{suffix}", answer.strip() or "_No answer was saved._"]
    if turn.final_answer:
        parts.append(f"**Final answer:** ${turn.final_answer}$")
    parts += checks_markdown(turn)
    parts += samples(turn)
    note = _STATUS_NOTES.get(turn.status)
    if note is not None:
        parts.append(
            f"> {note}" + (f" {turn.error}" if turn.status == "failed" and turn.error else "")
        )
    models = " and ".join(m for m in (turn.reader_model, turn.solver_model) if m)
    if models:
        parts.append(f"_Models: {models}._")
    return parts


def _link(ref: str) -> str:
    # Angle brackets let a Markdown link hold spaces and parentheses in a file name.
    return f"<{ref}>" if any(c in ref for c in " ()") else ref
