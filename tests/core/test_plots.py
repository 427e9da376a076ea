"""What gets plotted for a problem: the choice, the window, the marked points and the breaks."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pytest

from desktop_app.core.events import PlotReady, to_json
from desktop_app.core.plots import PlotSpec, Series, plot_for


@dataclass(frozen=True)
class Case:
    """A problem as the app sees it and what its plot must show."""

    id: str
    transcript: str
    question: str
    answer: str
    kind: str | None  # None: nothing to plot
    points: list[tuple[float, float]] = field(default_factory=list)  # must be marked
    variable: str = "x"
    asymptotes: list[float] = field(default_factory=list)


PI = math.pi
CASES = [
    # functions of one variable: roots and extrema marked
    Case("quadratic-roots", "Find the roots of $f(x) = x^2 - 5x + 6$.", "", "2, 3", "function",
         [(2, 0), (3, 0), (2.5, -0.25)]),
    Case("quartic-critical", "Find all critical points of the function $y=x^{4}-2 x^{2}+3$.",
         "", "x=0, \\pm 1", "function", [(-1, 2), (0, 3), (1, 2)]),
    Case("rational-sketch", "Sketch the graph of $f(x) = \\frac{1}{x^2-1}$.", "", "", "function",
         [(0, -1)], asymptotes=[-1, 1]),
    Case("tangent-graph", "Graph $y = \\tan x$.", "", "", "function", [(0, 0)],
         asymptotes=[-PI / 2, PI / 2]),
    Case("typed-zeros", "", "find the zeros of f(x) = x^3 - x", "-1, 0, 1", "function",
         [(-1, 0), (0, 0), (1, 0)]),
    Case("max-on-interval", "Find the maximum of $f(x) = -x^2 + 4x + 1$ on $[0, 3]$.", "", "5",
         "function", [(2, 5)]),
    # equations in one unknown: both sides, the solutions marked
    Case("quadratic-equation", "Solve $x^2 - 5x + 6 = 0$.", "", "x = 2, 3", "equation",
         [(2, 0), (3, 0)]),
    Case("typed-linear", "", "Solve 2x + 3 = 7 for x.", "2", "equation", [(2, 7)]),
    Case("exponential", "Solve the equation analytically: $5^{2 x-1}=125$", "", "2", "equation",
         [(2, 125)]),
    Case("absolute-value", "What are the solutions to $|x+3|=6$?", "", "3, -9", "equation",
         [(3, 6), (-9, 6)]),
    Case("other-letter", "Solve: $n^{2}+4 n=12$", "", "2,-6", "equation", [(-6, 12), (2, 12)],
         variable="n"),
    Case("transcendental", "Solve $e^{x} = 3 - x$.", "", "0.792", "equation",
         [(0.79206, 2.20794)]),
    Case("trig-in-domain", "Solve $\\sin x = \\frac{1}{2}$ for $0 \\le x \\le 2\\pi$.", "",
         "\\frac{\\pi}{6}, \\frac{5\\pi}{6}", "equation", [(PI / 6, 0.5), (5 * PI / 6, 0.5)]),
    # inequalities: the boundaries marked, the solution shaded
    Case("quadratic-inequality", "Solve the inequality $x^2 - 3 < 0$.", "",
         "(-\\sqrt{3}, \\sqrt{3})", "inequality", [(-math.sqrt(3), 0), (math.sqrt(3), 0)]),
    Case("rational-inequality", "Solve $\\frac{x-1}{x+2} \\geq 0$.", "", "", "inequality",
         [(1, 0)], asymptotes=[-2]),
    Case("chained-inequality", "Solve $-1 < 2x + 1 < 5$.", "", "(-1, 2)", "inequality",
         [(-1, -1), (2, 5)]),
    Case("linear-inequality", "", "Solve 2x + 3 >= 7", "x \\ge 2", "inequality", [(2, 7)]),
    # systems of two equations in x and y: both curves, the intersections marked
    Case("linear-system", "Solve the system $x + y = 3$ and $x - y = 1$.", "", "(2, 1)",
         "system", [(2, 1)]),
    Case("cases-system", "What is the solution (x,y) to the system of equations "
         "$\\begin{cases} y=4x+6 \\\\ -5x-y=21 \\end{cases}$?", "", "(-3,-6)", "system",
         [(-3, -6)]),
    Case("hyperbolas", "Solve the following systems of equation: \n$x y=90$ \n$(x-5)(y+1)=120$",
         "", "(45,2),(-10,-9)", "system", [(45, 2), (-10, -9)], asymptotes=[0, 5]),
    Case("circle-and-line", "Where does the line $y = x + 1$ meet the circle $x^2 + y^2 = 25$?",
         "", "(3,4), (-4,-3)", "system", [(3, 4), (-4, -3)]),
    Case("parallel-lines", "How many solutions does the system of equations "
         "$\\begin{cases} y=4x+1 \\\\ y=4x+3 \\end{cases}$ have?", "", "0", "system", []),
    # derivatives: the tangent at the point, or the derivative beside the function
    Case("tangent-at-x", "Find the equation of the tangent line to $y = x^2$ at $x = 1$.", "",
         "y = 2x - 1", "derivative", [(1, 1)]),
    Case("tangent-at-pi-half", "Find the tangent line to $f(x) = \\sin x$ at "
         "$x = \\frac{\\pi}{2}$.", "", "y = 1", "derivative", [(PI / 2, 1)]),
    Case("f-prime-at", "Let $f(x) = x^3$. Find $f'(2)$.", "", "12", "derivative", [(2, 8)]),
    Case("derivative-only", "Find the derivative of the function: $\\frac{\\sin x}{e^{x}}$", "",
         "\\frac{\\cos x-\\sin x}{e^{x}}", "derivative", []),
    Case("prime-notation", "Find $f^{\\prime}(x)$ for $f(x) = x^3 - 3x$.", "", "3x^2 - 3",
         "derivative", [(-1, 2), (1, -2)]),
    Case("coincide", "Where do the lines $y = 2x + 1$ and $y = -x + 4$ coincide?", "", "(1, 3)",
         "system", [(1, 3)]),
    Case("d-dx", "Compute $\\frac{d}{dx}\\left(x^3 - 2x\\right)$.", "", "3x^2 - 2", "derivative",
         []),
    # integrals: the area between the bounds shaded
    Case("definite-x-squared", "Evaluate $\\int_0^2 x^2 \\, dx$.", "", "\\frac{8}{3}",
         "integral", [(0, 0), (2, 4)]),
    Case("definite-sin-t", "Compute the value of the integral: $\\int_{0}^{\\pi} \\sin t d t $",
         "", "2", "integral", [(0, 0), (PI, 0)], variable="t"),
    Case("area-between", "Find the area between $y = x^2$ and $y = x$.", "", "\\frac{1}{6}",
         "integral", [(0, 0), (1, 1)]),
    Case("area-under-words", "", "Find the area under y = x^2 from x = 1 to x = 3", "26/3",
         "integral", [(1, 1), (3, 9)]),
    Case("antiderivative", "Find the antiderivative of the function: $x^{3 / 2}$", "",
         "2 x^{5 / 2} / 5+C", "integral", [(0, 0)]),
    Case("improper-pole", "Evaluate $\\int_{-1}^{1} \\frac{1}{x^2} dx$.", "", "\\infty",
         "integral", [], asymptotes=[0]),
    Case("improper-infinite", "Evaluate $\\int_0^\\infty e^{-x} dx$.", "", "1", "integral",
         [(0, 1)]),
    # nothing to plot
    Case("word-problem", "John has 5 apples and gives 2 away. How many are left?", "", "3", None),
    Case("divisibility", "How many positive integers less than 100 are divisible by 7?", "", "14",
         None),
    Case("arrangements", "In how many ways can 5 people sit in a row?", "", "120", None),
    Case("determinant", "Find the determinant of $\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 "
         "\\end{pmatrix}$.", "", "-2", None),
    Case("simplify", "Simplify: $-10-4(n-5)$", "", "10-4n", None),
    Case("remainder", "Find the remainder when $2^{100}$ is divided by $7$.", "", "2", None),
    Case("sum", "Evaluate $\\sum_{k=1}^{10} k^2$.", "", "385", None),
    Case("binomial", "Compute $\\binom{10}{3}$.", "", "120", None),
    Case("percent", "What is $15\\%$ of $80$?", "", "12", None),
    Case("units", "A car traveling at $48 \\mathrm{mph}$ overtakes a cyclist riding at "
         "$12 \\mathrm{mph}$ with a 3-hour head start. How far from the start?", "", "48", None),
    Case("gcd", "Find the greatest common divisor of $84$ and $120$.", "", "12", None),
    Case("empty", "", "", "", None),
]  # fmt: skip


def _marked(spec: PlotSpec, x: float, y: float) -> bool:
    size = max(1.0, abs(x), abs(y))
    return any(abs(p.x - x) <= 1e-3 * size and abs(p.y - y) <= 1e-3 * size for p in spec.points)


def _finite_pairs(series: Series) -> list[tuple[float, float, float, float]]:
    """Consecutive samples both defined: the segments a plotting library draws."""
    pairs = []
    for i in range(len(series.x) - 1):
        x0, y0, x1, y1 = series.x[i], series.y[i], series.x[i + 1], series.y[i + 1]
        if all(math.isfinite(v) for v in (x0, y0, x1, y1)):
            pairs.append((x0, y0, x1, y1))
    return pairs


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_what_is_plotted(case: Case) -> None:
    """GIVEN a problem (transcript, question, final answer) WHEN its plot is chosen THEN the kind
    is right, the points that matter are marked and in view, and no curve crosses a pole."""
    spec = plot_for(case.transcript, case.question, case.answer)
    if case.kind is None:
        assert spec is None
        return
    assert spec is not None
    assert spec.kind == case.kind
    assert spec.variable == case.variable
    (x0, x1), (y0, y1) = spec.x_range, spec.y_range
    for x, y in case.points:
        assert _marked(spec, x, y), f"({x}, {y}) not among {spec.points}"
    for point in spec.points:
        assert x0 <= point.x <= x1, point
        assert y0 <= point.y <= y1, point
        assert point.label
    for pole in case.asymptotes:
        assert any(abs(a - pole) < 1e-6 for a in spec.asymptotes), spec.asymptotes
    for series in spec.series:
        inside = [
            (x, y)
            for x, y in zip(series.x, series.y, strict=True)
            if x0 <= x <= x1 and y0 <= y <= y1
        ]
        assert len(inside) > 10, f"{series.name} barely shows"
        for a, ya, b, yb in _finite_pairs(series):  # no vertical line across the window at a pole
            across = any(a < pole < b for pole in spec.asymptotes)
            assert not (across and abs(yb - ya) > y1 - y0), f"{series.name} crosses a pole"


def test_the_table_covers_every_kind_and_nothing() -> None:
    """GIVEN the table WHEN counted THEN it holds at least 30 problems, of every kind and none."""
    kinds = {c.kind for c in CASES}
    assert len(CASES) >= 30
    assert kinds == {"function", "equation", "inequality", "system", "derivative", "integral", None}
    assert sum(c.kind is None for c in CASES) >= 10


# -- the window -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("transcript", "must_show"),
    [
        ("Solve $x^2 - 2000x = 0$.", [0, 2000]),  # far-apart roots
        ("Solve the system $xy = 90$ and $(x-5)(y+1) = 120$.", [-10, 45]),
        ("Evaluate $\\int_{10}^{12} x \\, dx$.", [10, 12]),  # bounds away from the origin
        ("Find the tangent to $y = \\ln x$ at $x = 20$.", [20]),
        ("Sketch $y = \\frac{x}{x - 7}$.", [7]),  # the asymptote nearby
    ],
)
def test_window_shows_the_points_that_matter(transcript: str, must_show: list[float]) -> None:
    """GIVEN a problem whose key points are far from the origin or far apart WHEN the window is
    picked THEN every one of them is inside it, with room around it."""
    spec = plot_for(transcript, "", None)
    assert spec is not None
    x0, x1 = spec.x_range
    margin = 0.04 * (x1 - x0)
    for x in must_show:
        assert x0 + margin <= x <= x1 - margin, (x, spec.x_range)


def test_window_follows_the_stated_domain() -> None:
    """GIVEN a function on [0, 3] WHEN plotted THEN the window is that interval, a little padded."""
    spec = plot_for("Find the maximum of $f(x) = -x^2 + 4x + 1$ on $[0, 3]$.", "", "5")
    assert spec is not None
    assert -0.5 < spec.x_range[0] < 0
    assert 3 < spec.x_range[1] < 3.5


def test_window_keeps_to_where_the_function_exists() -> None:
    """GIVEN √(x - 2) WHEN plotted THEN the window does not show a wide empty stretch left of 2."""
    spec = plot_for("Find the domain of the function $f(x) = \\sqrt{x - 2}$.", "", "[2, \\infty)")
    assert spec is not None
    assert 1 <= spec.x_range[0] < 2
    assert _marked(spec, 2, 0)


def test_oscillating_function_gets_a_few_periods_not_dozens() -> None:
    """GIVEN sin x WHEN plotted THEN the window holds a few periods (roots near the origin)."""
    spec = plot_for("Graph $y = \\sin x$.", "", None)
    assert spec is not None
    width = spec.x_range[1] - spec.x_range[0]
    assert 2 * PI <= width <= 6 * PI
    assert _marked(spec, 0, 0)


def test_y_window_ignores_a_poles_run_off() -> None:
    """GIVEN 1/(x^2 - 1) WHEN plotted THEN the y window shows the body of the curve, not ±1e6."""
    spec = plot_for("Sketch the graph of $f(x) = \\frac{1}{x^2-1}$.", "", None)
    assert spec is not None
    assert -20 < spec.y_range[0] < -1
    assert 1 < spec.y_range[1] < 20


# -- the pieces a student looks for ---------------------------------------------------------------


def test_system_intersections_are_exact_points() -> None:
    """GIVEN a circle and a line WHEN plotted THEN both curves are drawn (the circle whole and
    round) and their two intersections are marked."""
    spec = plot_for("Solve $x^2 + y^2 = 25$ and $y = x + 1$.", "", None)
    assert spec is not None
    assert spec.kind == "system"
    assert [p.kind for p in spec.points] == ["intersection", "intersection"]
    assert {(round(p.x, 9), round(p.y, 9)) for p in spec.points} == {(-4, -3), (3, 4)}
    assert spec.equal_axes
    circle = next(s for s in spec.series if s.text == "x^2 + y^2 = 25")
    radii = [math.hypot(x, y) for x, y in zip(circle.x, circle.y, strict=True) if math.isfinite(x)]
    assert len(radii) > 100
    assert all(abs(r - 5) < 0.05 for r in radii)
    assert min(circle.x) < -4.9
    assert max(circle.x) > 4.9


def test_tangent_line_is_exact_and_touches_the_curve() -> None:
    """GIVEN a tangent problem WHEN plotted THEN the tangent series is y = 2x - 1 and the tangent
    point (1, 1) is marked."""
    spec = plot_for("Find the equation of the tangent line to $y = x^2$ at $x = 1$.", "", None)
    assert spec is not None
    tangent = next(s for s in spec.series if s.role == "tangent")
    assert tangent.text == "2x - 1"
    assert tangent.name == "tangent: y = 2x - 1"
    assert next(p for p in spec.points if p.kind == "tangent").label == "(1, 1)"
    for x, y in zip(tangent.x, tangent.y, strict=True):
        assert y == pytest.approx(2 * x - 1, abs=1e-9)


def test_derivative_without_a_point_plots_f_prime() -> None:
    """GIVEN "find the derivative" WHEN plotted THEN f and f' are both drawn."""
    spec = plot_for("Find the derivative of the function: $x^3 - 3x$", "", "3x^2 - 3")
    assert spec is not None
    derivative = next(s for s in spec.series if s.role == "derivative")
    assert derivative.text == "3x^2 - 3"
    assert derivative.name == "f'(x) = 3x^2 - 3"


def test_definite_integral_area_is_shaded_between_the_bounds() -> None:
    """GIVEN ∫_0^2 x^2 dx WHEN plotted THEN the shaded area spans exactly [0, 2] under the curve,
    labelled with its value 8/3."""
    spec = plot_for("Evaluate $\\int_0^2 x^2 \\, dx$.", "", "\\frac{8}{3}")
    assert spec is not None
    (area,) = spec.areas
    assert area.label == "∫ = 2.667"
    assert min(area.x) == pytest.approx(0)
    assert max(area.x) == pytest.approx(2)
    for x, low, high in zip(area.x, area.lower, area.upper, strict=True):
        assert low == 0
        assert high == pytest.approx(x * x, rel=1e-9, abs=1e-12)


def test_area_between_two_curves_uses_their_crossings() -> None:
    """GIVEN the area between y = x^2 and y = x WHEN plotted THEN it is shaded from 0 to 1 between
    the two curves, labelled 1/6."""
    spec = plot_for("Find the area between $y = x^2$ and $y = x$.", "", None)
    assert spec is not None
    (area,) = spec.areas
    assert area.label == "area = 0.167"
    assert min(area.x) == pytest.approx(0, abs=1e-9)
    assert max(area.x) == pytest.approx(1)


def test_antiderivative_from_the_answer_only_when_it_checks_out() -> None:
    """GIVEN an antiderivative problem WHEN the answer differentiates back THEN F is drawn; a
    wrong answer is not."""
    right = plot_for("Find the antiderivative: $\\int 3x^2 \\, dx$", "", "x^3 + C")
    wrong = plot_for("Find the antiderivative: $\\int 3x^2 \\, dx$", "", "x^4 + C")
    assert right is not None
    assert wrong is not None
    assert [s.text for s in right.series if s.role == "antiderivative"] == ["x^3"]
    assert not [s for s in wrong.series if s.role == "antiderivative"]


def test_inequality_band_ends_open_or_closed() -> None:
    """GIVEN (x-1)/(x+2) ≥ 0 WHEN plotted THEN the solution is (-∞, -2) ∪ [1, ∞): open at the
    pole, closed at the root."""
    spec = plot_for("Solve $\\frac{x-1}{x+2} \\geq 0$.", "", None)
    assert spec is not None
    assert [b.label for b in spec.bands] == ["(-∞, -2)", "[1, ∞)"]
    first, second = spec.bands
    assert first.start is None
    assert first.end == pytest.approx(-2)
    assert not first.closed_end
    assert second.start == pytest.approx(1)
    assert second.closed_start
    assert second.end is None


def test_definitions_substitute_into_later_formulas() -> None:
    """GIVEN f defined, then f(x) > 0 asked WHEN plotted THEN the inequality is x^2 - 4 > 0."""
    spec = plot_for("Let $f(x) = x^2 - 4$. Solve $f(x) > 0$.", "", None)
    assert spec is not None
    assert spec.kind == "inequality"
    assert [b.label for b in spec.bands] == ["(-∞, -2)", "(2, ∞)"]


# -- the spec as an event and as JSON -------------------------------------------------------------


def test_spec_becomes_the_contracts_plot_event() -> None:
    """GIVEN a plot WHEN turned into the event THEN its JSON is the contract's `plot` object."""
    spec = plot_for("Solve $x^2 - 5x + 6 = 0$.", "", "2, 3")
    assert spec is not None
    event = spec.to_event()
    assert isinstance(event, PlotReady)
    data = to_json(event)
    assert data == {
        "type": "plot",
        "functions": ["x^2 - 5x + 6"],
        "points": [{"x": 2.0, "y": 0.0, "label": "x = 2"}, {"x": 3.0, "y": 0.0, "label": "x = 3"}],
        "x_range": [spec.x_range[0], spec.x_range[1]],
    }
    json.dumps(data)


@pytest.mark.parametrize("case", [c for c in CASES if c.kind], ids=[c.id for c in CASES if c.kind])
def test_spec_round_trips_through_json(case: Case) -> None:
    """GIVEN any plot WHEN written as JSON text and read back THEN nothing is lost (gaps stay
    gaps) and the JSON is strict (no NaN)."""
    spec = plot_for(case.transcript, case.question, case.answer)
    assert spec is not None
    text = json.dumps(spec.to_json(), allow_nan=False)
    again = PlotSpec.from_json(json.loads(text))
    assert again.to_json() == spec.to_json()
    assert len(text) < 120_000  # kept with the conversation: small


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"version": 99},
        {"version": 1, "kind": "function"},
        {**{"version": 1}, "kind": "pie"},
    ],
)
def test_malformed_json_is_a_value_error(data: object) -> None:
    """GIVEN JSON that is not a plot WHEN read THEN ValueError (never another exception)."""
    with pytest.raises(ValueError, match="not a plot"):
        PlotSpec.from_json(data)


def test_tampered_series_is_refused() -> None:
    """GIVEN a stored plot whose arrays were tampered with WHEN read THEN ValueError."""
    spec = plot_for("Graph $y = x^2$.", "", None)
    assert spec is not None
    data = spec.to_json()
    data["series"][0]["y"] = data["series"][0]["y"][:-1]
    with pytest.raises(ValueError, match="not a plot"):
        PlotSpec.from_json(data)
    data = spec.to_json()
    data["points"][0]["x"] = "2"
    with pytest.raises(ValueError, match="not a plot"):
        PlotSpec.from_json(data)
