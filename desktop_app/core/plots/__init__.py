"""What to plot for a problem: functions, curves and marked points, as data (no drawing).

`plot_for(transcript, question, answer)` reads the problem and returns a `PlotSpec` (or None
when there is nothing to plot); `sample_function(text, x_range)` samples what a user typed;
`resample(spec, x_range)` samples a spec's curves again over another window. Everything here
is pure and bounded, so it can run in a worker process with a deadline.
"""

from __future__ import annotations

import logging
from typing import Any

from desktop_app.core.plots.curves import curve_from_typed, sample, sample_function
from desktop_app.core.plots.expressions import PlotInputError
from desktop_app.core.plots.spec import Area, Band, Marker, PlotSpec, Series

__all__ = [
    "Area",
    "Band",
    "Marker",
    "PlotInputError",
    "PlotSpec",
    "Series",
    "plot_for",
    "resample",
    "sample_function",
]

log = logging.getLogger(__name__)


def plot_for(transcript: str, question: str, answer: str | None = None) -> PlotSpec | None:
    """The plot for a problem (its transcript, the question, the final answer), or None."""
    from desktop_app.core.plots.building import (
        build_derivative,
        build_function,
        build_relation,
        build_system,
    )
    from desktop_app.core.plots.choose import read_problem
    from desktop_app.core.plots.integrals import build_integral

    builders: dict[str, Any] = {
        "function": build_function,
        "equation": build_relation,
        "inequality": build_relation,
        "system": build_system,
        "derivative": build_derivative,
        "integral": build_integral,
    }
    try:
        problem = read_problem(transcript, question, answer)
        return None if problem is None else builders[problem.kind](problem)
    except RecursionError:
        return None
    except Exception as error:  # model text is hostile input: SymPy raises many kinds on it
        log.debug("no plot: %s: %s", type(error).__name__, error)
        return None


def resample(
    spec: PlotSpec, x_range: tuple[float, float], y_range: tuple[float, float] | None = None
) -> PlotSpec:
    """The spec's curves sampled again over another window (markers and areas kept)."""
    from dataclasses import replace

    y_range = y_range or spec.y_range
    series = []
    for old in spec.series:
        curve = curve_from_typed(old.text, spec.variable)
        fresh = sample(curve, x_range, y_range)[0]
        series.append(replace(fresh, name=old.name, latex=old.latex, role=old.role))
    return replace(spec, series=tuple(series), x_range=x_range, y_range=y_range)
