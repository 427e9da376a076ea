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
