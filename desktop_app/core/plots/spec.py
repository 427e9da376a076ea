"""The plot spec: what to draw, as plain data that travels as an event, as JSON and to a page.

Sampled values are Python floats; a NaN y (or x) is a gap where the curve is broken (a pole,
a jump, outside the domain). In JSON a gap is `null`, since JSON has no NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from desktop_app.core.events import PlotPoint, PlotReady

SPEC_VERSION = 1
PlotKind = Literal["function", "equation", "inequality", "system", "derivative", "integral"]
SeriesRole = Literal[
    "function", "side", "curve", "derivative", "tangent", "antiderivative", "user"
]  # fmt: skip
MarkerKind = Literal["root", "extremum", "intersection", "tangent", "bound", "solution"]
_KINDS = ("function", "equation", "inequality", "system", "derivative", "integral")
_ROLES = ("function", "side", "curve", "derivative", "tangent", "antiderivative", "user")
_MARKERS = ("root", "extremum", "intersection", "tangent", "bound", "solution")
_MAX_JSON_POINTS = 20_000  # per array: far more than any sampler makes, far less than memory


@dataclass(frozen=True)
class Series:
    """One sampled curve: its name for the legend, its source as LaTeX and as plain text.

    `text` is what `sample_function` accepts, so the series can be sampled again over
    another range; an implicit curve's text is its equation (`x^2 + y^2 = 25`).
    """

    name: str
    latex: str
    text: str
    role: SeriesRole
    x: tuple[float, ...]
    y: tuple[float, ...]


@dataclass(frozen=True)
class Marker:
    """A marked point: a root, an extremum, an intersection, the tangent point, a bound."""

    x: float
    y: float
    label: str
    kind: MarkerKind


@dataclass(frozen=True)
class Area:
    """A shaded area between `lower` and `upper` over `x` (a definite integral's area)."""

    label: str
    x: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]


@dataclass(frozen=True)
class Band:
    """A stretch of the x axis (an inequality's solution); None ends are unbounded."""

    label: str
    start: float | None
    end: float | None
    closed_start: bool = False
    closed_end: bool = False


@dataclass(frozen=True)
class PlotSpec:
    """Everything a view needs to draw a problem's plot; no drawing code in here."""

    kind: PlotKind
    variable: str
    title: str
    series: tuple[Series, ...]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    points: tuple[Marker, ...] = ()
    areas: tuple[Area, ...] = ()
    bands: tuple[Band, ...] = ()
    asymptotes: tuple[float, ...] = field(default=())  # x of vertical asymptotes
    equal_axes: bool = False  # one unit is as long on both axes (a circle stays round)

    @property
    def functions(self) -> tuple[str, ...]:
        """The plain text of each plotted function, once each, in order."""
        return tuple(dict.fromkeys(s.text for s in self.series))

    def to_event(self) -> PlotReady:
        """The pipeline's `plot` event for this spec (the whole spec rides along as JSON data)."""
        points = tuple(PlotPoint(_round(m.x), _round(m.y), m.label) for m in self.points)
        x_range = (self.x_range[0], self.x_range[1])
        return PlotReady(self.functions, points, x_range, spec=self.to_json())

    def with_series(self, *series: Series) -> PlotSpec:
        """This spec with more series (a function the user typed)."""
        return replace(self, series=(*self.series, *series))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (gaps as null, values rounded to 6 significant digits)."""
        return {
            "version": SPEC_VERSION,
            "kind": self.kind,
            "variable": self.variable,
            "title": self.title,
            "functions": list(self.functions),
            "series": [series_to_json(s) for s in self.series],
            "points": [
                {"x": _round(m.x), "y": _round(m.y), "label": m.label, "kind": m.kind}
                for m in self.points
            ],
            "areas": [
                {
                    "label": a.label,
                    "x": _numbers(a.x),
                    "lower": _numbers(a.lower),
                    "upper": _numbers(a.upper),
                }
                for a in self.areas
            ],
            "bands": [
                {
                    "label": b.label,
                    "start": _number(b.start),
                    "end": _number(b.end),
                    "closed_start": b.closed_start,
                    "closed_end": b.closed_end,
                }
                for b in self.bands
            ],
            "asymptotes": _numbers(self.asymptotes),
            "x_range": _numbers(self.x_range),
            "y_range": _numbers(self.y_range),
            "equal_axes": self.equal_axes,
        }

    @classmethod
    def from_json(cls, data: Any) -> PlotSpec:
        """A spec from `to_json` output (history, the page); ValueError when it is malformed."""
        try:
            return _spec_from_json(data)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ValueError(f"not a plot: {error}") from None


def series_to_json(series: Series) -> dict[str, Any]:
    """One series as JSON (what the page's addSeries takes)."""
    return {
        "name": series.name,
        "latex": series.latex,
        "text": series.text,
        "role": series.role,
        "x": _numbers(series.x),
        "y": _numbers(series.y),
    }


def series_from_json(data: Any) -> Series:
    """A series from `series_to_json` output; ValueError (or KeyError, TypeError) if malformed."""
    x, y = _floats(data["x"]), _floats(data["y"])
    if len(x) != len(y):
        raise ValueError("x and y differ in length")
    return Series(
        _text(data["name"]),
        _text(data["latex"]),
        _text(data["text"]),
        _choice(data["role"], _ROLES),
        x,
        y,
    )


def _spec_from_json(data: Any) -> PlotSpec:
    if data.get("version") != SPEC_VERSION:
        raise ValueError(f"unknown version {data.get('version')!r}")
    points = tuple(
        Marker(_float(p["x"]), _float(p["y"]), _text(p["label"]), _choice(p["kind"], _MARKERS))
        for p in data["points"]
    )
    areas = tuple(
        Area(_text(a["label"]), _floats(a["x"]), _floats(a["lower"]), _floats(a["upper"]))
        for a in data["areas"]
    )
    bands = tuple(
        Band(
            _text(b["label"]),
            _optional(b["start"]),
            _optional(b["end"]),
            bool(b["closed_start"]),
            bool(b["closed_end"]),
        )
        for b in data["bands"]
    )
    x_range, y_range = _floats(data["x_range"]), _floats(data["y_range"])
    if len(x_range) != 2 or len(y_range) != 2:
        raise ValueError("a range has two ends")
    return PlotSpec(
        kind=_choice(data["kind"], _KINDS),
        variable=_text(data["variable"]),
        title=_text(data["title"]),
        series=tuple(series_from_json(s) for s in data["series"]),
        x_range=(x_range[0], x_range[1]),
        y_range=(y_range[0], y_range[1]),
        points=points,
        areas=areas,
        bands=bands,
        asymptotes=_floats(data["asymptotes"]),
        equal_axes=data.get("equal_axes") is True,
    )


def _round(value: float) -> float:
    """Six significant digits: plenty for a screen, and short JSON."""
    if not math.isfinite(value) or value == 0:
        return value
    return round(value, 5 - math.floor(math.log10(abs(value))))


def _number(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    rounded = _round(float(value))
    return int(rounded) if rounded.is_integer() and abs(rounded) < 1e15 else rounded


def _numbers(values: tuple[float, ...]) -> list[float | None]:
    return [_number(v) for v in values]


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{value!r} is not a number")
    return float(value)


def _optional(value: Any) -> float | None:
    return None if value is None else _float(value)


def _floats(values: Any) -> tuple[float, ...]:
    if not isinstance(values, list) or len(values) > _MAX_JSON_POINTS:
        raise ValueError("expected a list of numbers")
    return tuple(math.nan if v is None else _float(v) for v in values)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not text")
    return value[:500]


def _choice(value: Any, allowed: tuple[str, ...]) -> Any:
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of {allowed}")
    return value
