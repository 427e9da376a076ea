"""Self-consistency's vote: sampled solutions grouped by what their final answers mean.

`\\frac{1}{2}` and `0.5` are one answer, so grouping is math-verify's equivalence, run in
the checker process (core/check_worker.py) with one deadline for the whole grouping. Answers
written identically (but for spaces) are grouped here without asking it. If the checker
fails or runs out of time, the answers are grouped by their text alone and the vote says so.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Sequence

from desktop_app.core.answers import final_answer
from desktop_app.core.errors import Cancelled
from desktop_app.core.events import SampleAnswer, SamplesVoted

GROUP_TIMEOUT_S = 20.0  # for all the comparisons of one vote (each takes milliseconds)
BY_TEXT_NOTICE = (
    "The samples' answers could not all be compared in time, so they were grouped by how "
    "they are written."
)
log = logging.getLogger(__name__)


def vote(solutions: Sequence[str], cancel: threading.Event | None = None) -> SamplesVoted:
    """Group the solutions' final answers and pick the majority (see `tally`)."""
    answers = [final_answer(solution) for solution in solutions]
    groups, by_equivalence = group_final_answers(answers, cancel)
    majority, votes = tally(groups)
    samples = tuple(
        SampleAnswer(text, answer, group)
        for text, answer, group in zip(solutions, answers, groups, strict=True)
    )
    return SamplesVoted(samples, majority, votes, by_equivalence)


def tally(groups: Sequence[int | None]) -> tuple[int, int]:
    """(index of the majority sample, its votes): the biggest group's first sample.

    A tie goes to the group that appeared first; with no answers at all, the first sample
    and no votes.
    """
    counts = Counter(group for group in groups if group is not None)
    if not counts:
        return 0, 0
    best = min(counts, key=lambda group: (-counts[group], groups.index(group)))
    return groups.index(best), counts[best]


def group_final_answers(
    answers: Sequence[str | None], cancel: threading.Event | None = None
) -> tuple[list[int | None], bool]:
    """The group of each answer (None for a missing one), numbered in order of appearance,
    and whether they were grouped by equivalence (else by text, the checker having failed)."""
    from desktop_app.core.check_worker import CheckCancelled, CheckError, run_check

    keys = [None if answer is None else "".join(answer.split()) for answer in answers]
    distinct: dict[str, int] = {}  # text without spaces -> its index among the distinct
    for key in keys:
        if key is not None:
            distinct.setdefault(key, len(distinct))
    firsts = [str(answers[keys.index(key)]) for key in distinct]
    by_equivalence = True
    grouped: list[int] = list(range(len(firsts)))
    if len(firsts) > 1:
        try:
            reply = run_check("group_answers", firsts, timeout=GROUP_TIMEOUT_S, cancel=cancel)
        except CheckCancelled:
            raise Cancelled() from None
        except CheckError as exc:
            log.info("samples grouped by text: %s", exc)
            by_equivalence = False
        else:
            if _valid(reply, len(firsts)):
                grouped = reply
            else:
                by_equivalence = False
    return [None if key is None else grouped[distinct[key]] for key in keys], by_equivalence


def _valid(reply: object, size: int) -> bool:
    """Whether the checker's reply is one group number per answer, numbered in order."""
    if not isinstance(reply, list) or len(reply) != size:
        return False
    seen = -1
    for group in reply:
        if not isinstance(group, int) or isinstance(group, bool) or not 0 <= group <= seen + 1:
            return False
        seen = max(seen, group)
    return True
