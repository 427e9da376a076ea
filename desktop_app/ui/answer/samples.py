"""Self-consistency in the answer view: progress while the samples run, then the majority
answer with its share of the vote and every sample, folded (resources/answer/samples.js)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

if TYPE_CHECKING:
    from desktop_app.core.events import Event, SamplesVoted
    from desktop_app.core.history.models import Turn
    from desktop_app.ui.answer.view import AnswerView

# Shown in the main window, so they keep its translation context.
translate = QCoreApplication.translate

# One sample as the page shows it: (text, final answer or None, in the majority's group,
# the one shown as the answer).
Shown = tuple[str, str | None, bool, bool]


class SamplesPresenter:
    """Turns a run's sample events into the answer view's samples panel and status lines."""

    def __init__(self, view: AnswerView, status: Callable[[str], None]) -> None:
        self._view, self._status = view, status

    def handle(self, event: Event) -> bool:
        """Show `event` if it is a sample event; False for any other (the caller shows it)."""
        from desktop_app.core.events import SampleProgress, SamplesVoted

        if isinstance(event, SampleProgress):
            text = progress_text(event.finished, event.total, event.failed)
            self._view.show_sample_progress(event.finished, event.total, text)
            self._status(text)
            return True
        if isinstance(event, SamplesVoted):
            self._view.show_samples(voted_page_data(event))
            return True
        return False


def show_saved_samples(view: AnswerView, turns: Sequence[Turn]) -> None:
    """A reopened conversation: when its last answer was a vote, show it and its samples."""
    data = saved_page_data(turns[-1]) if turns else None
    if data is not None:
        view.show_samples(data)


def progress_text(finished: int, total: int, failed: int = 0) -> str:
    """ "3 of 8 samples finished" (and how many failed), in the UI language."""
    if finished == 0:
        return translate("MainWindow", "Sampling {total} solutions…").format(total=total)
    text = translate("MainWindow", "{finished} of {total} samples finished").format(
        finished=finished, total=total
    )
    if failed:
        text += translate("MainWindow", " ({failed} failed)").format(failed=failed)
    return text


def voted_page_data(voted: SamplesVoted) -> dict[str, Any]:
    """What samples.js's setSamples takes, for a vote that just happened."""
    chosen = voted.samples[voted.majority]
    shown = [
        (
            s.text,
            s.final_answer,
            s.group is not None and s.group == chosen.group,
            i == voted.majority,
        )
        for i, s in enumerate(voted.samples)
    ]
    return page_data(shown, voted.votes)


def saved_page_data(turn: Turn) -> dict[str, Any] | None:
    """What setSamples takes for a saved turn, or None when it has no samples."""
    if not turn.samples:
        return None
    chosen = next((s for s in turn.samples if s.majority), turn.samples[0])
    shown = [
        (
            s.answer,
            s.final_answer,
            s.group is not None and s.group == chosen.group,
            s is chosen,
        )
        for s in turn.samples
    ]
    return page_data(shown, turn.votes)


def page_data(samples: Sequence[Shown], votes: int) -> dict[str, Any]:
    """The vote line and each sample: rendered answers and bodies, labels as plain text."""
    from desktop_app.core.markdown_render import render_markdown

    def inline(answer: str | None) -> str:
        if answer is None:
            return ""
        html = render_markdown(f"${answer}$").strip()
        return html.removeprefix("<p>").removesuffix("</p>")

    chosen = next((s for s in samples if s[3]), samples[0])
    total = len(samples)
    if votes:
        share = translate("MainWindow", "{votes} of {total} samples").format(
            votes=votes, total=total
        )
    else:
        share = translate("MainWindow", "No sample gave a final answer")
    cards = []
    for number, (text, answer, agrees, is_chosen) in enumerate(samples, start=1):
        if is_chosen:
            note = translate("MainWindow", "majority, shown above")
        elif answer is None:
            note = translate("MainWindow", "no final answer")
        else:
            note = translate("MainWindow", "agrees") if agrees else ""
        cards.append(
            {
                "title": translate("MainWindow", "Sample {number}").format(number=number),
                "answer": inline(answer),
                "note": note,
                "body": render_markdown(text),
                "majority": is_chosen,
            }
        )
    return {
        "label": translate("MainWindow", "Majority answer"),
        "answer": inline(chosen[1]) if votes else "",
        "share": share,
        "samples": cards,
    }
