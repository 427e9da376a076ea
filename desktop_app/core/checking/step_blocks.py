"""The checker process's step task: one finished block of an answer, judged in context.

The app process keeps what the earlier blocks established (values found, recent equations,
time spent: a `StepContext`) as an opaque token that this task made, and hands it back with
the next block. So the chain of blocks survives a checker that was stopped and restarted:
the new child picks up from the last token. The token is a pickle of the context (it holds
SymPy expressions, which have no plain-data form short of code to evaluate); only a checker
child reads it, and the app process only stores and passes it on, so it never crosses from
a process with fewer rights into one with more.
"""

from __future__ import annotations

import base64
import pickle
from dataclasses import replace
from typing import Any

from desktop_app.core.step_check import StepContext, check_block

__all__ = ["check_block_task"]


def check_block_task(
    text: str, index: int, offset: int, token: str | None, budget_s: float
) -> dict[str, Any]:
    """Judge the block `text` (block `index`, at `offset` in the answer) after `token`.

    Returns {"steps": [[verdict, before, after, reason, kind, start, end], ...],
    "context": the token to pass with the next block}. Without a token the chain starts
    afresh, with `budget_s` seconds for the whole answer.
    """
    context = _context(token) if token else StepContext(budget_s=budget_s)
    checked = check_block(text, replace(context, block=index), offset=offset)
    steps = [
        [r.verdict, r.before, r.after, r.reason, r.kind, r.start, r.end] for r in checked.results
    ]
    return {"steps": steps, "context": _token(checked.context)}


def _token(context: StepContext) -> str:
    return base64.b64encode(pickle.dumps(context, protocol=pickle.HIGHEST_PROTOCOL)).decode()


def _context(token: str) -> StepContext:
    context = pickle.loads(base64.b64decode(token))
    if not isinstance(context, StepContext):
        raise TypeError("not a step context")
    return context
