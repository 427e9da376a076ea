"""Problems with reference answers for measuring answer checking at scale, and wrong answers
made from the references (a changed number, a dropped root, a flipped sign, a wrong bracket).

The problems are Qwen2.5-Math's evaluation sets, in ../shared/data/qwen25-math-eval (see its
README for source and licences); QWEN_MATH_EVAL_DATA points elsewhere.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# shared/data lies beside the checkout (../shared) or one folder up; QWEN_MATH_EVAL_DATA wins.
_BESIDE = next(
    (
        root / "shared" / "data" / "qwen25-math-eval"
        for root in (ROOT.parent, ROOT.parent.parent)
        if (root / "shared" / "data" / "qwen25-math-eval").is_dir()
    ),
    ROOT.parent / "shared" / "data" / "qwen25-math-eval",
)
DATA = Path(os.environ.get("QWEN_MATH_EVAL_DATA", _BESIDE))
FILES = (
    "college_math", "gaokao2023en", "minerva_math", "olympiadbench", "sat_math", "amc23",
    "cn_middle_school",
)  # fmt: skip


@dataclass(frozen=True)
class Item:
    """One problem: where it is from, its subject, its text and its reference answer."""

    source: str
    subject: str
    key: str
    problem: str
    answer: str


def load(name: str) -> Iterator[Item]:
    """The problems of one evaluation file, with their reference answers as LaTeX."""
    path = DATA / f"{name}.jsonl"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        item = _item(name, number, row)
        if item is not None and item.answer.strip():
            yield item


def available() -> bool:
    """Whether the evaluation files are on this machine."""
    return all((DATA / f"{name}.jsonl").is_file() for name in FILES)


def _item(name: str, number: int, row: dict[str, object]) -> Item | None:
    key = f"{name}:{number}"
    if name == "college_math":
        return Item(name, str(row["data_topic"]).split(".")[-1], key, str(row["question"]),
                    _strip_dollars(str(row["answer"])))  # fmt: skip
    if name == "gaokao2023en":
        return Item(name, "gaokao", key, str(row["question"]), _strip_dollars(str(row["answer"])))
    if name == "minerva_math":
        answer = _last_boxed(str(row["solution"]))
        return Item(
            name, str(row["type"]).split("(")[0].strip(), key, str(row["problem"]), answer or ""
        )
    if name == "olympiadbench":
        answers = row.get("final_answer") or []
        context = str(row.get("context") or "")
        problem = f"{context}\n\n{row['question']}" if context.strip() else str(row["question"])
        answer = _strip_dollars(str(answers[0])) if isinstance(answers, list) and answers else ""
        return Item(name, str(row.get("subfield") or "olympiad"), key, problem, answer)
    if name == "sat_math":
        options = str(row["options"])
        chosen = re.search(rf"{row['Answer']}\)\s*(.*?)(?=\s+[A-D]\)|$)", options, re.DOTALL)
        answer = _strip_dollars(chosen.group(1)) if chosen else ""
        return Item(name, "sat", key, f"{row['question']}\n\n{options}", answer)
    if name == "amc23":
        value = row["answer"]
        answer = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        return Item(name, "amc", key, str(row["problem"]), answer)
    if name == "cn_middle_school":
        return Item(name, "cn_middle_school", key, str(row["question"]), str(row["answer"]))
    return None


def _strip_dollars(text: str) -> str:
    text = text.strip()
    if text.startswith("$") and text.endswith("$") and text.count("$") == 2:
        return text[1:-1].strip()
    return text


def _last_boxed(text: str) -> str | None:
    start = text.rfind("\\boxed{")
    if start < 0:
        return None
    depth, i = 0, start + len("\\boxed")
    for j in range(i, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return text[i + 1 : j]
    return None


# -- wrong answers --------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.\\])(\d+)(?:\.(\d+))?(?![\w.])")
_TOP_COMMA = re.compile(r",")


def wrong_answers(answer: str) -> list[tuple[str, str]]:
    """(kind, wrong answer) pairs made from a reference answer; each differs in value."""
    made = []
    for kind, maker in (
        ("changed number", _changed_number),
        ("dropped root", _dropped_root),
        ("flipped sign", _flipped_sign),
        ("wrong bracket", _wrong_bracket),
    ):
        wrong = maker(answer)
        if wrong is not None and wrong.strip() != answer.strip():
            made.append((kind, wrong))
    return made


def _changed_number(answer: str) -> str | None:
    """The last number in the answer plus one (in its last digit for a decimal)."""
    matches = [m for m in _NUMBER.finditer(answer) if not _inside_command(answer, m.start())]
    if not matches:
        return None
    last = matches[-1]
    whole, fraction = last.group(1), last.group(2)
    if fraction:
        bumped = str(int(whole + fraction) + 1).rjust(len(whole + fraction), "0")
        new = f"{bumped[: -len(fraction)] or '0'}.{bumped[-len(fraction) :]}"
    else:
        new = str(int(whole) + 1)
    return answer[: last.start()] + new + answer[last.end() :]


def _inside_command(text: str, index: int) -> bool:
    """Whether a number is part of a command argument that is not a value (\\sqrt[3], ^{\\circ})."""
    before = text[max(0, index - 6) : index]
    return before.endswith("\\sqrt[") or before.endswith("_{") or before.endswith("_")


def _dropped_root(answer: str) -> str | None:
    """A list of two or more values without its last one (at the top level only)."""
    parts = _split_top(answer)
    if len(parts) < 2:
        return None
    return ", ".join(p.strip() for p in parts[:-1])


def _flipped_sign(answer: str) -> str | None:
    """The answer negated: a leading minus dropped, or one added."""
    body = answer.strip()
    if re.search(r"[<>=]|\\[lg]eq?|\\in\b|\\cup|\\\{|^[\[(]", body) or "," in body:
        return None
    if body.startswith("-"):
        return body[1:].strip()
    return f"-({body})" if re.search(r"[+\-]", body[1:]) else f"-{body}"


def _wrong_bracket(answer: str) -> str | None:
    """An interval with its first bracket swapped: ( for [ or [ for (."""
    match = re.search(r"(\\left)?([\[(])([^\[\]()]*,[^\[\]()]*)(\\right)?([\])])", answer)
    if match is None or "\\infty" in match.group(3).split(",")[0]:
        return None
    opening = "(" if match.group(2) == "[" else "["
    return answer[: match.start(2)] + opening + answer[match.start(2) + 1 :]


def _split_top(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and text[i + 1 : i + 2] in "{}":
            depth += 1 if text[i + 1] == "{" else -1
            i += 2
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return [p for p in parts if p.strip()]
