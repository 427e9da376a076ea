"""verify_answer over a fixed sample of textbook problems with reference answers
(tests/core/data/verify_sample.jsonl, CC BY 3.0): a reference is never contradicted, and a
wrong answer made from it (a changed number, a dropped root, a flipped sign, a wrong bracket)
is never verified. The full measurement is tests/bench/answer_check_scale.py."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from desktop_app.core.answers import is_equivalent
from desktop_app.core.verify import verify_answer
from tests.bench.answer_check_data import wrong_answers

SAMPLE = Path(__file__).parent / "data" / "verify_sample.jsonl"
ROWS = [json.loads(line) for line in SAMPLE.open(encoding="utf-8")]
TIMEOUT_S = 30.0


def reference(row: dict[str, str]) -> str:
    answer = row["answer"].strip()
    if answer.startswith("$") and answer.endswith("$") and answer.count("$") == 2:
        return answer[1:-1].strip()
    return answer


@functools.cache
def checked(question: str, answer: str) -> str:
    """verify_answer's check, once per pair (the coverage test reuses the first test's)."""
    verdict = verify_answer(question, answer, timeout=TIMEOUT_S)
    return f"{verdict}: {verdict.reason}"


def _id(row: dict[str, object]) -> str:
    return f"{row['line']}"


@pytest.mark.parametrize("row", ROWS, ids=[_id(r) for r in ROWS])
def test_a_reference_answer_is_never_contradicted(row: dict[str, str]) -> None:
    """GIVEN a textbook problem and its reference answer THEN not contradicted; unless the
    reference itself is wrong (a typo in the book, noted in the line), then contradicted."""
    verdict = checked(row["question"], reference(row))
    if "reference_wrong" in row:
        assert verdict.startswith("contradicted"), verdict
    else:
        assert not verdict.startswith("contradicted"), verdict


@pytest.mark.parametrize("row", ROWS, ids=[_id(r) for r in ROWS])
def test_a_wrong_answer_is_never_verified(row: dict[str, str]) -> None:
    """GIVEN wrong answers made from the reference THEN none is verified."""
    answer = reference(row)
    for kind, wrong in wrong_answers(answer):
        if is_equivalent(wrong, answer, timeout=TIMEOUT_S):
            continue  # the change kept the value (e.g. the sign of 0)
        verdict = verify_answer(row["question"], wrong, timeout=TIMEOUT_S)
        assert verdict != "verified", f"{kind}: {wrong!r}: {verdict.reason}"


def test_the_sample_is_checked_in_good_part() -> None:
    """GIVEN the sample THEN a good share of the references is verified, so the two tests
    above test checks that ran, not only problems left unchecked."""
    verified = [
        r
        for r in ROWS
        if verify_answer(r["question"], reference(r), timeout=TIMEOUT_S) == "verified"
    ]
    assert len(verified) >= len(ROWS) // 3, len(verified)
