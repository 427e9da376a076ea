"""Self-consistency's grouping: sampled final answers that mean the same form one group."""

from __future__ import annotations

from desktop_app.core.checking.equivalence import equivalent


def group_answers(answers: list[str]) -> list[int]:
    """The group of each answer, numbered in order of first appearance.

    An answer joins the first group whose representative (its first answer) it is equivalent
    to, by math-verify with this app's rules; otherwise it starts a new group. Comparing with
    the representative alone keeps the groups from drifting (a ~ b and b ~ c never pull c in
    unless c ~ a), and costs one comparison per answer and group.
    """
    representatives: list[str] = []
    groups: list[int] = []
    for answer in answers:
        group = next((i for i, ref in enumerate(representatives) if equivalent(answer, ref)), None)
        if group is None:
            group = len(representatives)
            representatives.append(answer)
        groups.append(group)
    return groups
