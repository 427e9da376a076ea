"""A reopened conversation in the answer view: what was saved with it, shown again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.ui.answer.samples import show_saved_samples

if TYPE_CHECKING:
    from desktop_app.core.history.models import Conversation
    from desktop_app.ui.answer.view import AnswerView


def show_saved_conversation(view: AnswerView, conversation: Conversation) -> None:
    """Its questions and answers; the last answer's samples when it was a vote; the newest
    plot that still loads."""
    from desktop_app.core.conversation import conversation_markdown
    from desktop_app.ui.answer.plot_input import show_saved_plot  # a worker, json: not at start-up

    turns = [(t.question, t.answer) for t in conversation.turns]
    view.set_markdown(conversation_markdown("", turns))
    show_saved_samples(view, conversation.turns)
    show_saved_plot(view, conversation)
