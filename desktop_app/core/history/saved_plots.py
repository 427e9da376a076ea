"""The plots saved with a conversation's turns, loaded back for the window and the exports.

A turn keeps its plot as `details["plot"]` (`PlotSpec.to_json()`). What loads is checked like
any input: a plot saved by another version, or damaged on disk, is skipped, never an error.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Sequence
from typing import Literal

from desktop_app.core.history.models import Conversation, Turn
from desktop_app.core.plots.spec import PlotSpec

log = logging.getLogger(__name__)

_MIME = {"png": "image/png", "svg": "image/svg+xml"}


def turn_plot(turn: Turn) -> PlotSpec | None:
    """The plot saved with `turn`, or None (none saved, or one that no longer loads)."""
    data = turn.details.get("plot")
    if data is None:
        return None
    try:
        return PlotSpec.from_json(data)
    except ValueError as exc:
        log.warning("turn %s: saved plot skipped: %s", turn.id, exc)
        return None


def conversation_plots(conversation: Conversation) -> dict[int, PlotSpec]:
    """Each turn's plot by the turn's index in `conversation.turns` (turns without one left out)."""
    plots = {index: turn_plot(turn) for index, turn in enumerate(conversation.turns)}
    return {index: spec for index, spec in plots.items() if spec is not None}


def last_plot(turns: Sequence[Turn]) -> PlotSpec | None:
    """The newest turn's plot that loads (what a reopened conversation shows), or None."""
    for turn in reversed(turns):
        spec = turn_plot(turn)
        if spec is not None:
            return spec
    return None


def plot_image(spec: PlotSpec, fmt: Literal["png", "svg"]) -> bytes | None:
    """The plot as a PNG or SVG image, or None if it cannot be drawn (the export goes on)."""
    from desktop_app.core.plot_image import plot_png, plot_svg  # matplotlib: only when exporting

    try:
        return plot_png(spec) if fmt == "png" else plot_svg(spec)
    except Exception as exc:  # a plot is an extra: an odd saved value must not stop an export
        log.warning("plot image skipped: %s: %s", type(exc).__name__, exc)
        return None


def data_url(image: bytes, fmt: Literal["png", "svg"]) -> str:
    """An image as a data: URL, for documents that cannot have files beside them."""
    return f"data:{_MIME[fmt]};base64,{base64.b64encode(image).decode('ascii')}"


def plot_alt(spec: PlotSpec) -> str:
    """A short description of the plot for an image's alternative text (one line, no brackets)."""
    text = f"Plot of {spec.title}" if spec.title else "Plot"
    return re.sub(r"[\[\]\s]+", " ", text).strip()[:200]
