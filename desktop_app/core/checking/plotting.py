"""The plot tasks of the checker process: a problem's plot, and a function the user typed.

Both return plain JSON data (the checker's protocol) and never raise for bad input: a formula
that cannot be drawn is a sentence for the user, an unplottable problem is None.
"""

from __future__ import annotations

from typing import Any

import numpy  # noqa: F401  (loaded while the checker starts, not when the first plot is due)

from desktop_app.core.plots import PlotInputError, plot_for, sample_function
from desktop_app.core.plots.spec import series_to_json

MAX_TYPED = 200  # characters: the page's box allows no more


def problem_plot(transcript: str, question: str, answer: str | None) -> dict[str, Any] | None:
    """The problem's plot as `PlotSpec.to_json()` data, or None when there is nothing to plot."""
    spec = plot_for(transcript, question, answer)
    return None if spec is None else spec.to_json()


def typed_function(
    text: str, x_range: list[float], y_range: list[float] | None, variable: str
) -> dict[str, Any]:
    """`{"series": ...}` (series_to_json data) for what the user typed, or `{"error": SENTENCE}`."""
    if len(text) > MAX_TYPED:
        return {"error": f"A function can be at most {MAX_TYPED} characters long."}
    try:
        series = sample_function(
            text,
            (float(x_range[0]), float(x_range[1])),
            None if y_range is None else (float(y_range[0]), float(y_range[1])),
            variable,
        )
    except PlotInputError as error:
        return {"error": str(error)}
    except (ArithmeticError, RecursionError, TypeError, ValueError):  # typed text is hostile input
        return {"error": "That function could not be drawn; try writing it another way."}
    return {"series": series_to_json(series)}
