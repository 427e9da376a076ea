"""The official Qwen prompts, verbatim, and how solver messages are built from them."""

from __future__ import annotations

from typing import Literal

from desktop_app.core.backends.base import ChatMessage

Mode = Literal["cot", "tir"]

# The Qwen2.5-Math demo's reader prompt, verbatim.
READER_PROMPT = (
    "Please describe the math-related content in this image, ensuring that any LaTeX formulas "
    "are correctly transcribed. Non-mathematical details do not need to be described."
)

# The Qwen2.5-Math README's system prompts, verbatim.
COT_SYSTEM_PROMPT = "Please reason step by step, and put your final answer within \\boxed{}."
TIR_SYSTEM_PROMPT = (
    "Please integrate natural language reasoning with programs to solve the problem above, "
    "and put your final answer within \\boxed{}."
)


def problem_text(transcript: str, question: str) -> str:
    """The user turn for a problem: the demo's wording when both an image and a question exist."""
    transcript, question = transcript.strip(), question.strip()
    if transcript and question:
        return f"Image description: {transcript}\n\nUser question: {question}"
    return transcript or question


def solver_messages(transcript: str, question: str, mode: Mode = "cot") -> list[ChatMessage]:
    """Messages for a first solve of a problem."""
    system = COT_SYSTEM_PROMPT if mode == "cot" else TIR_SYSTEM_PROMPT
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": problem_text(transcript, question)},
    ]
