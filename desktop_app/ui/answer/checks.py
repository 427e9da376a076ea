"""How the answer view words the checks, in the UI language: the final-answer card's check,
the step marks and the summary line above the final answer.

The CLI and the exports say the same in English (core/check_words.py).
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

CONTEXT = "AnswerChecks"
translate = QCoreApplication.translate

# The card's words for each outcome of verify_answer.
CARD_LABELS = {
    "verified": str(QT_TRANSLATE_NOOP("AnswerChecks", "Verified by SymPy")),
    "contradicted": str(QT_TRANSLATE_NOOP("AnswerChecks", "Contradicted")),
    "unchecked": str(QT_TRANSLATE_NOOP("AnswerChecks", "Not checked")),
}


def card_label(check: str) -> str:
    """The card's words for `check` ("verified", "contradicted", "unchecked")."""
    return translate(CONTEXT, CARD_LABELS.get(check, CARD_LABELS["unchecked"]))


def page_labels() -> dict[str, str]:
    """The words the page's checks script shows itself (titles of marks and of the badge)."""
    return {
        "why": translate("AnswerChecks", "Show why"),
        "ok": translate("AnswerChecks", "Step checked by SymPy"),
        "wrong": translate("AnswerChecks", "Wrong step: show the counterexample"),
    }


def summary_text(checked: int, wrong: int) -> str:
    """'12 steps checked, 1 wrong' ('' when no step was checked)."""
    if checked <= 0:
        return ""
    if checked == 1:
        if wrong:
            return translate("AnswerChecks", "1 step checked, 1 wrong")
        return translate("AnswerChecks", "1 step checked, none wrong")
    if wrong:
        return translate("AnswerChecks", "{checked} steps checked, {wrong} wrong").format(
            checked=checked, wrong=wrong
        )
    return translate("AnswerChecks", "{checked} steps checked, none wrong").format(checked=checked)
