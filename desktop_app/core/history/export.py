"""Exporting a conversation as Markdown, its image and plots written beside it and linked."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from desktop_app.core.history.export_checks import checks_markdown
from desktop_app.core.history.export_samples import samples_markdown
from desktop_app.core.history.models import Conversation, Turn
from desktop_app.core.history.saved_plots import conversation_plots, data_url, plot_alt, plot_image

SampleParts = Callable[[Turn], list[str]]  # a turn's samples as Markdown parts

_STATUS_NOTES = {
    "streaming": "The answer was still streaming when this was exported.",
    "cancelled": "The answer was stopped before it finished.",
    "failed": "The answer failed before it finished.",
    "interrupted": "The app closed before the answer finished.",
}

PlotRef = tuple[str, str]  # how the document points at a plot image, and its alternative text


def to_markdown(
    conversation: Conversation,
    image_ref: str | None,
    plot_refs: Mapping[int, PlotRef] | None = None,
    *,
    answer_text: Callable[[Turn], str] | None = None,
    samples: SampleParts = samples_markdown,
) -> str:
    """The conversation as Markdown; `image_ref` is how the document points at its image,
    `plot_refs` at each turn's plot (by turn index): a file name, or a data URL.

    `answer_text` gives each turn's answer as written into the document (the HTML export
    adds placeholders for its step marks; by default the answer as saved), `samples` what
    follows the answer (and its plot) of a turn that sampled several solutions.
    """
    parts = title_sections(conversation)
    if image_ref is not None:
        parts.append(f"![The problem as captured]({_link(image_ref)})")
    parts += problem_sections(conversation)
    for index, turn in enumerate(conversation.turns):
        answer = answer_text(turn) if answer_text is not None else turn.answer
        solution, notes = turn_sections(turn, answer, index + 1, len(conversation.turns))
        plot = (plot_refs or {}).get(index)
        if plot is not None:
            ref, alt = plot
            solution.append(f"![{alt}]({_link(ref)})")
        parts += solution + samples(turn) + notes
    return "\n\n".join(parts) + "\n"


def export_markdown(conversation: Conversation, image: Path | None, target: Path) -> list[Path]:
    """Write `target`, the image as `<target stem>.png` beside it and each plot as
    `<target stem>-plot[-N].png`; returns the files written."""
    written: list[Path] = []
    image_ref = None
    if image is not None and image.exists():
        image_copy = target.with_name(f"{target.stem}.png")
        shutil.copyfile(image, image_copy)
        written.append(image_copy)
        image_ref = image_copy.name
    plot_refs: dict[int, PlotRef] = {}
    plots = conversation_plots(conversation)
    for index, spec in plots.items():
        png = plot_image(spec, "png")
        if png is None:
            continue
        suffix = f"-{index + 1}" if len(plots) > 1 else ""
        plot_file = target.with_name(f"{target.stem}-plot{suffix}.png")
        plot_file.write_bytes(png)
        written.append(plot_file)
        plot_refs[index] = (plot_file.name, plot_alt(spec))
    target.write_text(to_markdown(conversation, image_ref, plot_refs), encoding="utf-8")
    written.insert(0, target)
    return written


def inline_plot_refs(conversation: Conversation) -> dict[int, PlotRef]:
    """Each turn's plot as a PNG data URL: for a Markdown document with no folder (stdout)."""
    refs: dict[int, PlotRef] = {}
    for index, spec in conversation_plots(conversation).items():
        png = plot_image(spec, "png")
        if png is not None:
            refs[index] = (data_url(png, "png"), plot_alt(spec))
    return refs


def title_sections(conversation: Conversation) -> list[str]:
    """The title and the saved-on line, as Markdown paragraphs."""
    created = datetime.fromtimestamp(conversation.created_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [f"# {conversation.title}", f"_Saved by Qwen Math on {created}._"]


def problem_sections(conversation: Conversation) -> list[str]:
    """The problem's transcript under its heading (nothing when there is none)."""
    if not conversation.transcript.strip():
        return []
    return ["## Problem", conversation.transcript.strip()]


def turn_sections(turn: Turn, answer: str, number: int, total: int) -> tuple[list[str], list[str]]:
    """A turn as Markdown paragraphs: (question, solution, final answer and its checks) and
    (notes); a turn's plot and samples go between the two. `answer` is the answer as written
    into the document."""
    suffix = f" {number}" if total > 1 else ""
    parts: list[str] = []
    if turn.question.strip():
        parts += [f"## Question{suffix}", turn.question.strip()]
    parts += [f"## Solution{suffix}", answer.strip() or "_No answer was saved._"]
    if turn.final_answer:
        parts.append(f"**Final answer:** ${turn.final_answer}$")
    parts += checks_markdown(turn)
    notes: list[str] = []
    note = _STATUS_NOTES.get(turn.status)
    if note is not None:
        notes.append(
            f"> {note}" + (f" {turn.error}" if turn.status == "failed" and turn.error else "")
        )
    models = " and ".join(m for m in (turn.reader_model, turn.solver_model) if m)
    if models:
        notes.append(f"_Models: {models}._")
    return parts, notes


def _link(ref: str) -> str:
    # Angle brackets let a Markdown link hold spaces and parentheses in a file name.
    return f"<{ref}>" if any(c in ref for c in " ()") else ref
