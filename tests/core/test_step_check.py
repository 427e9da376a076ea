"""Step checking: which steps are judged, the counterexample a wrong one gets, and the traps."""

from __future__ import annotations

import time

import pytest

from desktop_app.core.step_check import (
    StepContext,
    StepResult,
    check_block,
    check_steps,
)


def wrong(solution: str) -> list[StepResult]:
    return [r for r in check_steps(solution) if r.verdict == "wrong"]


# -- wrong steps: kind, the step, and the counterexample shown to the student -------------------

WRONG: list[tuple[str, str, str, str, str]] = [
    # (solution, kind, before, after, reason)
    (
        "So \\(18 - 6 = 13\\) flamingos.",
        "arithmetic", "18 - 6", "13", "the left side is 12, the right side is 13",
    ),
    (
        "$$4 \\times 2^3 = 4 \\times 8 = 36$$",
        "arithmetic", "4 \\times 8", "36", "the left side is 32, the right side is 36",
    ),
    (
        "She sells 16 - 3 - 4 = 8 eggs a day.",
        "arithmetic", "16 - 3 - 4", "8", "the left side is 9, the right side is 8",
    ),
    (
        "The profit is $5,000 x 2.5% = $12,500.00 this month.",
        "arithmetic", "$5,000 x 2.5%", "$12,500.00",
        "the left side is 125, the right side is 12500",
    ),
    (
        "\\[ \\frac{40}{5} = 3 \\text{ dollars} \\]",
        "arithmetic", "\\frac{40}{5}", "3 \\text{ dollars}",
        "the left side is 8, the right side is 3",
    ),
    (
        "Expanding, $(x+1)^2 = x^2 + x + 1$.",
        "identity", "(x+1)^2", "x^2 + x + 1", "at x = 2 the left side is 9, the right side is 7",
    ),
    (
        "$$f'(x) = 3x^2 - 6x = 3x(x - 3)$$",
        "identity", "3x^2 - 6x", "3x(x - 3)", "at x = 2 the left side is 0, the right side is -6",
    ),
    (
        "\\begin{align*} (a+b)^2 &= a^2 + 2ab + b^2 \\\\ &= a^2 + ab + b^2 \\end{align*}",
        "identity", "a^2 + 2ab + b^2", "a^2 + ab + b^2",
        "at a = 2, b = 3 the left side is 25, the right side is 19",
    ),
    (
        "$2x + 3 = 11$, so $2x = 14$.",
        "derivation", "2x + 3 = 11", "2x = 14",
        "x = 4 solves 2x + 3 = 11, but in 2x = 14 the left side is 8, the right side is 14",
    ),
    (
        "$$\\frac{d}{dx}\\left(x^3\\right) = 3x$$",
        "calculus", "\\frac{d}{dx}\\left(x^3\\right)", "3x",
        "at x = 2 the left side is 12, the right side is 6",
    ),
    (
        "$$\\int_0^1 x^2\\,dx = \\frac{1}{2}$$",
        "calculus", "\\int_0^1 x^2\\,dx", "\\frac{1}{2}",
        "the left side is 0.333333, the right side is 1/2",
    ),
    (
        "$$\\int 2x\\,dx = x^2 + 2x + C$$",
        "calculus", "\\int 2x\\,dx", "x^2 + 2x + C",
        "at x = 2 the derivative of the result is 6, the integrand is 4",
    ),
    (
        "We find $x = 4$, so $x^2 + 1 = 4^2 - 1$.",
        "substitution", "x^2 + 1", "4^2 - 1",
        "with x = 4 (found above) the left side is 17, the right side is 15",
    ),
    (
        "$-2x > 8$, so dividing by $-2$, $x > -4$.",
        "inequality", "-2x > 8", "x > -4", "x = -5 satisfies -2x > 8 but not x > -4",
    ),
    (
        "$\\frac{2}{3} \\approx 0.5$",
        "arithmetic", "\\frac{2}{3}", "0.5", "the left side is 2/3, not about 0.5",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("solution", "kind", "before", "after", "reason"), WRONG)
def test_a_wrong_step_is_found_with_a_counterexample(
    solution: str, kind: str, before: str, after: str, reason: str
) -> None:
    """GIVEN a solution with one wrong step WHEN checked THEN that step is wrong, and why."""
    found = wrong(solution)
    assert [(r.kind, r.before, r.after, r.reason) for r in found] == [(kind, before, after, reason)]


# -- right steps: judged and ticked ---------------------------------------------------------------

EVERYWHERE = "equal for every value (checked at 6 points)"
OK: list[tuple[str, str, str]] = [
    # (solution, kind, reason)
    ("\\(1/3 \\times 18 = 6\\)", "arithmetic", "both sides are 6"),
    ("$100/3 = 33.33$", "arithmetic", "both sides are 33.33"),
    ("Mishka spent 3 \u00d7 $16.50 = $49.50 on shorts.", "arithmetic", "both sides are 99/2"),
    ("$\\pi \\approx 3.14$", "arithmetic", "3.14159 is about 3.14"),
    ("$3 < \\frac{7}{2}$", "arithmetic", "3 < 7/2 holds"),
    ("Expanding, $(x+1)^2 = x^2 + 2x + 1$.", "identity", EVERYWHERE),
    ("$$\\frac{d}{dx}(\\sin x) = \\cos x$$", "calculus", EVERYWHERE),
    ("$$\\int 2x\\,dx = x^2 + C$$", "calculus", "its derivative is the integrand"),
    ("$2x + 3 = 11$, so $2x = 8$.", "derivation", "same solutions as 2x + 3 = 11: x = 4"),
    (
        "$x - 1 = 2$. Squaring, $(x-1)^2 = 4$.",
        "derivation", "keeps every solution of x - 1 = 2 (it may add some, as squaring does)",
    ),
    ("We find $x = 4$. Then $2x + 3 = 2(4) + 3$.", "substitution", "both sides are 11"),
    ("$-2x > 8$, so dividing by $-2$, $x < -4$.", "inequality", "same solutions as -2x > 8"),
]  # fmt: skip


@pytest.mark.parametrize(("solution", "kind", "reason"), OK)
def test_a_right_step_is_ticked(solution: str, kind: str, reason: str) -> None:
    """GIVEN a correct step WHEN checked THEN it is judged ok, with what was checked."""
    results = check_steps(solution)
    assert [(r.verdict, r.kind, r.reason) for r in results] == [("ok", kind, reason)]


# -- traps: steps that change the problem on purpose, or whose meaning is not plain ---------------

TRAPS: list[str] = [
    # dividing by an expression that may be zero: a solution is lost on purpose or by mistake
    "$x^2 = 3x$. Dividing by $x$, $x = 3$.",
    # taking a root keeps one sign
    "$x^2 = 9$, so $x = 3$.",
    # squaring a root equation
    "$\\sqrt{x + 1} = x - 1$. Squaring both sides, $x + 1 = x^2 - 2x + 1$.",
    # a domain restriction decides the sign
    "Because $x \\ge 3$, $|x - 3| = x - 3$.",
    "Since $x > 0$, $\\sqrt{x^2} = x$ and $\\ln(x^2) = 2\\ln x$.",
    # a new variable
    "Let $u = x^2$. Then $x^4 - 5x^2 + 4 = 0$ becomes $u^2 - 5u + 4 = 0$.",
    # approximations
    "$\\sqrt{2} \\approx 1.41$ and $800/3 = 266$ bags and $5/3 = 1.6$.",
    "$\\frac{1}{6.7102 \\times 10^{-7} m} = 1.4903 \\times 10^{6} m^{-1}$",
    # let / suppose / cases / a contradiction written on purpose
    "Suppose $x = 5$. Then $x + 1 = 7$, which is false.",
    "$(x-2)(x-3) = 0$, so $x - 2 = 0$ or $x - 3 = 0$, so $x = 2$ or $x = 3$.",
    "If $x = 2$, then $x + 1 = 3$. If $x = 5$, then $x + 1 = 6$.",
    "For $n = 1$: $2^1 = 2$. For $n = 2$: $2^2 = 4$.",
    "Otherwise $0 = 1$, a contradiction.",
    "We consider $x > -1$ (that is, $x + 1 > 0$) and $x < -1$ (that is, $x + 1 < 0$).",
    # an equation, and a relation given in the problem used in passing
    "$\\frac{x}{2} = \\frac{x+1}{3}$ and $t = \\frac{x-1}{6} = \\frac{x}{7}$",
    "Since $a + b = 5$, $a^2 + b^2 = (a+b)^2 - 2ab = 25 - 2ab$.",
    # modular arithmetic, ranges, indices, bases
    "$2^{10} = 1024 \\equiv 4 \\pmod{5}$",
    "$1 + 2 + \\dots + 10 = 56$",
    "$a_{n+1} = a_n + 2$ and $55_{20} = 105$",
    # units and conversions
    "$2 \\text{ hours} = 120 \\text{ minutes}$ and $32.0 \\mathrm{~g} = 1$ mole",
    # functions defined elsewhere, derivatives of unknown functions
    "$f(2) = 7$, $g'(x) = 2x$ and $\\frac{dP}{dr} = -g\\rho$",
    # vectors, matrices, degrees, segment names, the letter e
    "$\\begin{pmatrix}1\\\\2\\end{pmatrix} = \\begin{pmatrix}1\\\\3\\end{pmatrix}$",
    "$\\mathbf{v} = (1, 2)$ and $\\sin 30^\\circ = \\frac{1}{2}$ and $AB = AC + 1$",
    "$\\frac{a e}{f} = \\frac{229 a}{f}$",
    # code and its output are not steps
    "```python\nprint(2 + 2)\n```\n\n```output\n5\n```",
    # a formula split across two math spans
    "so $m^{2}-n^{2}=1444-$ $1369=75$.",
]


@pytest.mark.parametrize("solution", TRAPS)
def test_a_trap_is_never_called_wrong(solution: str) -> None:
    """GIVEN a step that changes the problem on purpose or is unclear WHEN checked THEN no wrong."""
    assert wrong(solution) == []


# -- where a step is: offsets, blocks, streaming --------------------------------------------------

SOLUTION = (
    "First, $2x + 3 = 11$.\n\n"
    "Subtracting 3, $2x = 14$.\n\n"
    "```python\nx = 7\n```\n\n"
    "So $$x = 7$$ and $7 \\times 3 = 22$."
)


def test_each_result_points_at_its_formula_in_the_solution() -> None:
    """GIVEN several blocks WHEN checked THEN offsets and block indexes locate each step."""
    results = check_steps(SOLUTION)
    assert [(r.verdict, r.block) for r in results] == [("wrong", 1), ("ok", 3), ("wrong", 3)]
    for r in results:
        assert r.after in SOLUTION[r.start : r.end]
    assert SOLUTION[results[0].start : results[0].end] == "$2x = 14$"


def test_blocks_checked_one_by_one_give_the_whole_solution_s_results() -> None:
    """GIVEN a streamed answer's blocks WHEN checked one by one THEN the results are the same."""
    context = StepContext()
    streamed: list[StepResult] = []
    offset = 0
    for block in SOLUTION.split("\n\n"):
        checked = check_block(block, context, offset=offset)
        streamed.extend(checked.results)
        context = checked.context
        offset += len(block) + 2
    assert streamed == check_steps(SOLUTION)
    assert context.block == 4


def test_checking_is_pure() -> None:
    """GIVEN one context WHEN a block is checked twice THEN equal results, the context unchanged."""
    context = StepContext()
    first = check_block("$2x + 3 = 11$, so $2x = 8$.", context)
    second = check_block("$2x + 3 = 11$, so $2x = 8$.", context)
    assert first == second
    assert context == StepContext()


# -- hostile input: bounded time, no exception ----------------------------------------------------


@pytest.mark.parametrize(
    "solution",
    [
        "$9^{9^{9}} = 1$",
        "$2^{100000} = 1$",
        "$$" + "(x+1)" * 400 + " = 0$$",
        "$" * 1000,
        "\\[ \\frac{ = \\]",
        "$x = $ and $= 3$ and $$\\begin{align} & = \\\\ &= \\end{align}$$",
        "",
        "\x00\ufffd $1 = 1$",
    ],
)
def test_hostile_input_is_answered_quickly(solution: str) -> None:
    """GIVEN huge, broken or odd input WHEN checked THEN nothing is wrong, within a second."""
    check_steps("$1 + 1 = 2$")  # the parser's one-off import is not what is timed
    started = time.perf_counter()
    assert wrong(solution) == []
    assert time.perf_counter() - started < 1.0


def test_the_time_budget_leaves_steps_out_instead_of_waiting() -> None:
    """GIVEN no time budget WHEN a solution is checked THEN nothing is judged, nothing guessed."""
    assert check_steps("$18 - 6 = 13$", budget_s=0.0) == []
