"""Extracting the final \\boxed{} answer with brace matching."""

from __future__ import annotations

import pytest

from desktop_app.core.answers import extract_boxed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("so \\boxed{42}.", "42"),
        ("\\boxed{1} then \\boxed{\\frac{1}{2}}", "\\frac{1}{2}"),
        ("\\boxed{\\left\\{ x \\right\\}}", "\\left\\{ x \\right\\}"),
        ("\\boxed {x^{2}+1}", "x^{2}+1"),
        ("\\fbox{7}", "7"),
        ("\\boxed{3} and an unfinished \\boxed{4", "3"),
        ("no answer here", None),
        ("\\boxed{", None),
    ],
)
def test_extract_boxed(text: str, expected: str | None) -> None:
    """GIVEN a solution WHEN extracting THEN the last complete boxed content is returned."""
    assert extract_boxed(text) == expected


# -- equivalence --------------------------------------------------------------------------------

from desktop_app.core.answers import check_answer, is_equivalent, normalise  # noqa: E402

T, F = True, False
EQUIVALENCE: list[tuple[str, str, bool]] = [
    # identical and spelling
    ("42", "42", T),
    ("42", "43", F),
    ("-7", "-7", T),
    ("-7", "7", F),
    ("0", "0", T),
    ("0", "-0", T),
    ("3.0", "3", T),
    ("2.50", "2.5", T),
    (".5", "0.5", T),
    ("1/2", "0.5", T),
    ("$5$", "5", T),
    ("\\(5\\)", "5", T),
    ("\\[5\\]", "5", T),
    ("5.", "5", T),
    (" 5 ", "5", T),
    ("+5", "5", T),
    ("5", "50", F),
    ("1", "-1", F),
    ("100", "1000", F),
    ("7", "", F),
    # fractions vs decimals
    ("\\frac{1}{2}", "0.5", T),
    ("\\dfrac{1}{2}", "\\frac{1}{2}", T),
    ("\\tfrac{3}{4}", "0.75", T),
    ("\\frac12", "0.5", T),
    ("\\frac{1}{3}", "0.3333", T),
    ("\\frac{1}{3}", "0.33", F),
    ("\\frac{2}{3}", "0.6667", T),
    ("\\frac{2}{3}", "0.667", F),
    ("\\frac{-1}{2}", "-0.5", T),
    ("-\\frac{1}{2}", "\\frac{-1}{2}", T),
    ("\\frac{1}{2}", "-0.5", F),
    ("\\frac{4}{8}", "\\frac12", T),
    ("\\frac{22}{7}", "\\pi", F),
    ("\\frac{7}{2}", "3\\frac{1}{2}", T),
    ("3\\frac{1}{2}", "3.5", T),
    ("\\frac{10}{4}", "2.5", T),
    ("\\frac{1}{2}", "\\frac{2}{1}", F),
    ("1/3", "\\frac{1}{3}", T),
    ("\\frac{\\frac{1}{2}}{2}", "0.25", T),
    ("\\frac{3}{5}", "60\\%", T),
    ("\\frac{9}{10}", "0.99", F),
    ("{\\frac{1}{2}}", "0.5", T),
    ("\\frac{1}{8}", "0.125", T),
    ("\\frac{5}{6}", "0.8333", T),
    ("\\frac{100}{3}", "33.333", T),
    ("\\frac{100}{3}", "33.3", F),
    # degrees and percent
    ("30^\\circ", "30", T),
    ("30^{\\circ}", "30", T),
    ("30°", "30", T),
    ("30^\\circ", "60", F),
    ("90^\\circ", "\\frac{\\pi}{2}", F),
    ("45\\degree", "45", T),
    ("50\\%", "50", T),
    ("50\\%", "0.5", T),
    ("50%", "50", T),
    ("12.5\\%", "0.125", T),
    ("25\\%", "0.3", F),
    ("50\\%", "5", F),
    ("\\frac{1}{4}", "25\\%", T),
    ("33\\%", "0.5", F),
    # units and text
    ("5\\text{ cm}", "5", T),
    ("5 \\text{cm}^2", "5", T),
    ("12\\text{ meters}", "12", T),
    ("\\$12", "12", T),
    ("12\\text{ dollars}", "13", F),
    ("\\text{(B)}", "(B)", T),
    ("\\text{B}", "B", T),
    ("\\textbf{4}", "4", T),
    ("\\mbox{7}", "7", T),
    ("3\\mathrm{kg}", "3", T),
    ("\\text{yes}", "\\text{no}", F),
    ("\\text{Yes}", "Yes", T),
    ("4\\text{ hours}", "240", F),
    # spacing commands and thousands separators
    ("1,000", "1000", T),
    ("1{,}000", "1000", T),
    ("12,345,678", "12345678", T),
    ("1\\,000", "1000", T),
    ("1\\!000", "1000", T),
    ("1,000.5", "1000.5", T),
    ("1,000", "100", F),
    ("10\\,000", "10000", T),
    ("2,5", "2.5", F),
    ("1 000 000", "1000000", T),
    # sqrt forms
    ("\\sqrt{2}", "1.4142", T),
    ("\\sqrt2", "\\sqrt{2}", T),
    ("2\\sqrt{2}", "\\sqrt{8}", T),
    ("\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}", T),
    ("\\sqrt{3}", "1.73", F),
    ("\\sqrt[3]{8}", "2", T),
    ("\\sqrt[3]{27}", "3", T),
    ("3\\sqrt{3}", "\\sqrt{27}", T),
    ("\\sqrt{2}+\\sqrt{3}", "\\sqrt{3}+\\sqrt{2}", T),
    ("\\sqrt{12}", "2\\sqrt{3}", T),
    ("\\sqrt{12}", "3\\sqrt{2}", F),
    ("\\frac{\\sqrt{3}}{3}", "0.57735", T),
    ("\\sqrt{2}", "2", F),
    ("5\\sqrt{5}", "\\sqrt{125}", T),
    ("\\sqrt{x^2}", "x", F),
    ("-\\sqrt{2}", "\\sqrt{2}", F),
    ("1+\\sqrt{5}", "\\sqrt{5}+1", T),
    ("\\frac{1+\\sqrt{5}}{2}", "1.618", T),
    # pi multiples
    ("\\pi", "3.14159", T),
    ("2\\pi", "6.2832", T),
    ("\\frac{\\pi}{2}", "\\frac{1}{2}\\pi", T),
    ("\\pi/4", "\\frac{\\pi}{4}", T),
    ("3\\pi", "\\pi", F),
    ("\\pi", "3.14", F),
    ("\\frac{3\\pi}{4}", "0.75\\pi", T),
    ("4\\pi r^2", "4r^2\\pi", T),
    ("2\\pi", "\\pi 2", T),
    ("\\frac{\\pi}{3}", "60", F),
    ("\\pi^2", "9.8696", T),
    ("16\\pi", "50.27", T),
    # scientific notation
    ("1.5\\times10^{3}", "1500", T),
    ("3 \\times 10^5", "300000", T),
    ("1.5e3", "1500", T),
    ("2\\cdot10^{-3}", "0.002", T),
    ("6.02\\times 10^{23}", "6.02e23", T),
    ("1e-3", "0.001", T),
    ("1.5\\times10^{3}", "150", F),
    ("10^{6}", "1000000", T),
    ("2^{10}", "1024", T),
    ("2^{10}", "1000", F),
    ("5\\times10^{-7}", "5e-7", T),
    # negative signs
    ("-3", "-3.0", T),
    ("-3", "3", F),
    ("-(3)", "-3", T),
    ("-\\frac{3}{4}", "-0.75", T),
    ("- 5", "-5", T),
    ("−5", "-5", F),
    ("-x", "x", F),
    ("-(x-1)", "1-x", T),
    ("-0.5", "0.5", F),
    # variables and expressions
    ("x=3", "3", T),
    ("x = 3", "3", T),
    ("3", "y=3", T),
    ("x=3", "4", F),
    ("a=\\frac{1}{2}", "0.5", T),
    ("x^2+2x+1", "(x+1)^2", T),
    ("x^2-1", "(x-1)(x+1)", T),
    ("x^2+1", "(x+1)^2", F),
    ("2x", "x+x", T),
    ("2x+3", "3+2x", T),
    ("\\frac{x}{2}", "0.5x", T),
    ("xy", "yx", T),
    ("x^2", "x*x", T),
    ("a+b", "b+a", T),
    ("a-b", "b-a", F),
    ("\\frac{1}{x}", "x^{-1}", T),
    ("\\sin^2 x+\\cos^2 x", "1", F),
    ("\\ln(e)", "1", F),
    ("\\log(100)", "4.60517", T),
    ("2^x", "x^2", F),
    ("\\sqrt{x}", "x^{1/2}", T),
    ("\\frac{x+1}{x}", "1+\\frac{1}{x}", T),
    ("n(n+1)/2", "\\frac{n^2+n}{2}", T),
    ("n!", "n", F),
    ("\\binom{5}{2}", "10", T),
    ("\\binom{5}{2}", "5", F),
    ("|x|", "x", F),
    # equations
    ("y=2x+1", "y=1+2x", T),
    ("y=2x+1", "2x+1=y", T),
    ("2y=4x+2", "y=2x+1", T),
    ("y=2x+1", "y=2x-1", F),
    ("x^2+y^2=1", "y^2+x^2=1", T),
    ("x+y=3", "x-y=3", F),
    ("y=x", "x=y", T),
    ("x=2", "x=3", F),
    ("y=\\frac{1}{2}x", "2y=x", T),
    # intervals: brackets must match
    ("[1,2]", "[1,2]", T),
    ("(1,2]", "(1,2]", T),
    ("(1,2]", "[1,2]", F),
    ("[1,2)", "[1,2]", F),
    ("(1,2)", "[1,2]", F),
    ("(-\\infty,3)", "(-\\infty, 3)", T),
    ("(-\\infty,3]", "(-\\infty,3)", F),
    ("\\left(0, \\frac{1}{2}\\right]", "(0,0.5]", T),
    ("[0,\\infty)", "[0,\\infty)", T),
    ("(-\\infty,-1)\\cup(1,\\infty)", "(-\\infty,-1) \\cup (1,\\infty)", T),
    ("(-\\infty,-1)\\cup(1,\\infty)", "(-\\infty,-1] \\cup (1,\\infty)", F),
    ("[2,5]", "[2,6]", F),
    ("(1,2)", "(2,1)", F),
    ("[\\frac{1}{2}, 1]", "[0.5,1]", T),
    # tuples and order
    ("(1,2)", "(1,2)", T),
    ("(1, 2)", "(1,2)", T),
    ("(2,1)", "(1,2)", F),
    ("(1,2,3)", "(1,2)", F),
    ("(\\frac{1}{2},3)", "(0.5,3)", T),
    ("(-1,2)", "(1,-2)", F),
    ("(3,4)", "3,4", F),
    ("(0,0)", "(0, 0)", T),
    ("(1,\\sqrt{2})", "(1, 1.41421)", T),
    # bare lists are solution sets
    ("1,2", "2,1", T),
    ("1, 2", "1,2", T),
    ("1,2", "1,3", F),
    ("-2,2", "2,-2", T),
    ("x=1,x=2", "1,2", T),
    ("1,2,3", "3,2,1", T),
    ("1,2", "1,2,3", F),
    ("\\pm 2", "2", F),
    # sets
    ("\\{1,2\\}", "\\{2,1\\}", T),
    ("\\{1,2\\}", "\\{1,3\\}", F),
    ("\\{1,2\\}", "\\{1,2,3\\}", F),
    ("\\left\\{1,2\\right\\}", "\\{1,2\\}", T),
    ("\\{\\frac{1}{2}\\}", "\\{0.5\\}", T),
    ("\\{1,2\\}", "(1,2)", F),
    # matrices
    ("\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}", T),
    ("\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "\\begin{pmatrix}1&2\\\\4&3\\end{pmatrix}", F),
    ("\\begin{pmatrix}1\\\\2\\end{pmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}", T),
    (
        "\\begin{pmatrix}\\frac{1}{2}\\\\2\\end{pmatrix}",
        "\\begin{pmatrix}0.5\\\\2\\end{pmatrix}",
        T,
    ),
    ("\\begin{pmatrix}1&2\\end{pmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}", F),
    ("\\begin{pmatrix}1&2\\end{pmatrix}", "(1,2)", F),
    # infinity and odd input
    ("\\infty", "\\infty", T),
    ("-\\infty", "\\infty", F),
    ("\\infty", "oo", T),
    ("\\frac{1}{0}", "1", F),
    ("", "", T),
    ("\\frac{", "1", F),
    ("\\unknown{3}", "3", F),
    ("9^{9^{9^{9}}}", "1", F),
    ("__import__('os')", "0", F),
    ("a.b", "1", F),
    ("\\text{none}", "\\text{None}", F),
    ("\\emptyset", "\\emptyset", T),
]


@pytest.mark.parametrize(("pred", "ref", "expected"), EQUIVALENCE)
def test_is_equivalent(pred: str, ref: str, expected: bool) -> None:
    """GIVEN a prediction and a reference THEN equivalence matches the expectation."""
    assert is_equivalent(pred, ref) is expected


def test_the_table_is_large_and_balanced() -> None:
    """The equivalence table covers at least 200 pairs with both outcomes."""
    assert len(EQUIVALENCE) >= 200
    assert sum(e for _, _, e in EQUIVALENCE) > 60
    assert sum(not e for _, _, e in EQUIVALENCE) > 60


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\\dfrac{1}{2}", "\\frac{1}{2}"),
        ("\\left( 1, 2 \\right]", "(1,2]"),
        ("30^{\\circ}", "30"),
        ("5\\text{ cm}", "5"),
        ("50\\%", "50"),
        ("1,000.", "1000"),
        ("$x = 3$", "x=3"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    """GIVEN a raw answer THEN its normal form drops presentation-only marks."""
    assert normalise(raw) == expected


# -- the TIR check ------------------------------------------------------------------------------

CODE = "```python\nprint(1/3)\n```\n"


@pytest.mark.parametrize(
    ("solution", "expected"),
    [
        (
            CODE + "```output\n0.3333333333333333\n```\nSo \\boxed{\\frac{1}{3}}.",
            ("\\frac{1}{3}", "verified"),
        ),
        (
            CODE + "```output\n0.25\n```\nSo \\boxed{\\frac{1}{3}}.",
            ("\\frac{1}{3}", "contradicted"),
        ),
        (CODE + "```output\n[-2, 2]\n```\n\\boxed{2, -2}", ("2, -2", "verified")),
        (CODE + "```output\nx**2 + 1\n```\n\\boxed{x^2+1}", ("x^2+1", "verified")),
        (
            CODE + "```output\nsqrt(2)/2\n```\n\\boxed{\\frac{\\sqrt{2}}{2}}",
            ("\\frac{\\sqrt{2}}{2}", "verified"),
        ),
        (CODE + "```output\nthe roots\n```\n\\boxed{7}", ("7", "unchecked")),
        (CODE + "```output\nTimeoutError: stopped\n```\n\\boxed{7}", ("7", "unchecked")),
        ("No code at all. \\boxed{5}", ("5", "unchecked")),
        (CODE + "```output\n5\n```\nno box", (None, "unchecked")),
        (CODE + "```output\n1\n```\n" + CODE + "```output\n6\n```\n\\boxed{6}", ("6", "verified")),
        (CODE + "```output\nx=1\n8\n```\n\\boxed{8}", ("8", "verified")),
    ],
)
def test_check_answer(solution: str, expected: tuple[str | None, str]) -> None:
    """GIVEN a TIR solution THEN the answer is checked against the last code output's value."""
    assert check_answer(solution) == expected
