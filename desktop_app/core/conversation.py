"""Multi-turn solver messages: earlier turns as real chat history, trimmed to the 4K context."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from desktop_app.core import prompts
from desktop_app.core.backends.base import ChatMessage

if TYPE_CHECKING:
    from desktop_app.core.history.models import Conversation
    from desktop_app.core.solve_request import SolveRequest

TokenCounter = Callable[[str], int]

# Qwen2.5-Math has a 4,096-token context; DashScope caps its input at 3,072 tokens, which also
# leaves a local model 1,024 tokens to answer in. The estimate below is approximate, so a
# reserve keeps an underestimate from overflowing the real limit.
MAX_INPUT_TOKENS = 3072
ESTIMATE_RESERVE_TOKENS = 256
DEFAULT_BUDGET_TOKENS = MAX_INPUT_TOKENS - ESTIMATE_RESERVE_TOKENS
# ChatML wraps each message in `<|im_start|>role\n ... <|im_end|>\n`: about five tokens.
MESSAGE_OVERHEAD_TOKENS = 5
# Measured on Qwen's BPE, LaTeX-heavy text runs ~3.2 characters a token (commands, braces and
# operators split finely) and English prose ~4, so 3.2 errs on the safe side for both.
CHARS_PER_TOKEN = 3.2


def approx_tokens(text: str) -> int:
    """Estimate Qwen tokens without a tokenizer: one per digit, ~3.2 characters for the rest."""
    # Qwen's pre-tokenizer splits numbers into single digits, so a long number costs one token
    # per digit: counting digits apart keeps numeric problems from being underestimated.
    digits = sum(c.isdigit() for c in text)
    return digits + math.ceil((len(text) - digits) / CHARS_PER_TOKEN)


def count_message_tokens(
    messages: Sequence[ChatMessage], count_tokens: TokenCounter = approx_tokens
) -> int:
    """The estimated prompt size of `messages`, ChatML framing included."""
    return sum(count_tokens(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in messages)


def followup_messages(
    transcript: str,
    turns: Sequence[tuple[str, str]],
    new_question: str,
    mode: prompts.Mode = "cot",
    *,
    budget_tokens: int = DEFAULT_BUDGET_TOKENS,
    count_tokens: TokenCounter = approx_tokens,
) -> list[ChatMessage]:
    """Messages asking `new_question` after `turns` (question, answer), oldest dropped to fit.

    The problem is never dropped: the transcript, or for a typed problem the first question,
    stays in the first user message. Turns without an answer (failed before any text) are
    left out. When even the problem and the new question exceed the budget they are still
    returned whole: cutting a problem would make it a different problem.
    """
    transcript = transcript.strip()
    pairs = [(q.strip(), a.strip()) for q, a in turns]
    # A typed problem has no transcript: its first question is the problem statement.
    problem = pairs[0][0] if pairs and not transcript else ""
    kept = [(index, q, a) for index, (q, a) in enumerate(pairs) if a]
    start = 0
    while True:
        messages = _messages(transcript, problem, kept[start:], new_question.strip(), mode)
        if start >= len(kept) or count_message_tokens(messages, count_tokens) <= budget_tokens:
            return messages
        start += 1


def _messages(
    transcript: str,
    problem: str,
    kept: Sequence[tuple[int, str, str]],
    new_question: str,
    mode: prompts.Mode,
) -> list[ChatMessage]:
    questions = [q for _, q, _ in kept] + [new_question]
    opening = questions[0]
    if problem and (not kept or kept[0][0] != 0):
        # The turn that stated the problem was dropped (or failed): keep its text anyway.
        opening = "\n\n".join(part for part in (problem, opening) if part)
    messages = prompts.solver_messages(transcript, opening, mode)
    for (_, _, answer), question in zip(kept, questions[1:], strict=True):
        messages.append({"role": "assistant", "content": answer})
        messages.append({"role": "user", "content": question})
    return messages


def conversation_markdown(transcript: str, turns: Sequence[tuple[str, str]]) -> str:
    """One Markdown document for the answer view: the problem, then each question and answer."""
    parts = [f"**Problem.** {transcript.strip()}"] if transcript.strip() else []
    for question, answer in turns:
        parts.append(question_markdown(question) + (answer.strip() or "_No answer was saved._"))
    return "\n\n---\n\n".join(parts)


def question_markdown(question: str) -> str:
    """The heading shown above an answer: the question as a quote (empty when there is none)."""
    lines = question.strip().splitlines()
    # A quote keeps the user's Markdown and math as typed, and reads as "you asked".
    return "".join(f"> {line}\n" for line in lines) + "\n" if lines else ""


def follow_up(conversation: Conversation, question: str) -> tuple[SolveRequest, str]:
    """The request asking `question` as the next turn of a saved conversation (its answered
    turns as memory), and the Markdown shown above the new answer meanwhile."""
    from desktop_app.core.solve_request import SolveRequest

    history = tuple((t.question, t.answer) for t in conversation.turns if t.answer)
    shown = conversation_markdown("", history) + "\n\n---\n\n" + question_markdown(question)
    return SolveRequest(
        question=question, transcript=conversation.transcript, history=history
    ), shown
