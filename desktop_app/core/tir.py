"""Tool-integrated reasoning: the model writes Python, the sandbox runs it, the output goes back.

The loop is Qwen-Agent's: generate until "```output"; when the text ends inside or just after
a ```python block, run the last such block, append "```output\\n...\\n```\\n" to the SAME
assistant message and let the model continue it; at most `max_rounds` code runs.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING

from desktop_app.core.backends.base import ChatMessage, Sampling, Solver
from desktop_app.core.errors import raise_if_cancelled
from desktop_app.core.events import AnswerDelta, CodeBlock, CodeOutput

if TYPE_CHECKING:
    from desktop_app.core.sandbox import SandboxResult

CODE_STOP = "```output"
MAX_CODE_ROUNDS = 4
_OPEN = re.compile(r"```python[^\n]*\n")

CodeRunner = Callable[[str, threading.Event], "SandboxResult"]
TirEvent = AnswerDelta | CodeBlock | CodeOutput


def sandbox_runner(source: str, cancel: threading.Event) -> SandboxResult:
    """The default runner: the real sandbox with its default limits."""
    from desktop_app.core.sandbox import run_code  # only TIR needs it: keep start-up light

    return run_code(source, cancel=cancel)


def pending_code(text: str) -> tuple[str, str] | None:
    """(code, text to add to close it) when `text` ends inside or right after a python block."""
    opens = list(_OPEN.finditer(text))
    if not opens:
        return None
    last = opens[-1]
    body = text[last.end() :]
    stripped = body.rstrip()
    if "```" not in body:  # stopped inside the block: close it
        return body.strip("\n"), ("" if text.endswith("\n") else "\n") + "```\n"
    if stripped.endswith("```") and stripped.count("```") == 1:
        return stripped[:-3].strip("\n"), "" if text.endswith("\n") else "\n"
    return None


def run_tir(
    solver: Solver,
    messages: list[ChatMessage],
    cancel: threading.Event,
    *,
    runner: CodeRunner = sandbox_runner,
    max_rounds: int = MAX_CODE_ROUNDS,
    sampling: Sampling | None = None,
) -> Generator[TirEvent, None, str]:
    """Yield the model's text and each code run; return the whole assistant message.

    With `sampling` every generation of the loop samples (self-consistency); else greedy.
    """
    assistant = ""
    rounds = 0
    options = {"sampling": sampling} if sampling is not None else {}
    while True:
        chat = list(messages)
        if assistant:
            chat.append({"role": "assistant", "content": assistant})
        stop = (CODE_STOP,) if rounds < max_rounds else ()
        for delta in solver.solve(chat, cancel, stop=stop, **options):
            assistant += delta
            yield AnswerDelta(delta)
        raise_if_cancelled(cancel)
        pending = pending_code(assistant) if rounds < max_rounds else None
        if pending is None:
            return assistant
        code, closing = pending
        if closing:
            assistant += closing
            yield AnswerDelta(closing)
        rounds += 1
        yield CodeBlock(code)
        result = runner(code, cancel)
        raise_if_cancelled(cancel)
        yield CodeOutput(result.output, result.status)
        # The output is part of the assistant message the model continues, so it is part of
        # the answer stream too: the view shows it, history keeps it, exports include it.
        block = f"{CODE_STOP}\n{result.output}\n```\n"
        assistant += block
        yield AnswerDelta(block)
