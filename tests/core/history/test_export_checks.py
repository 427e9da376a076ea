"""Exports carry the checks: the Markdown has the check, its reason and the wrong steps; the
HTML also marks each checked step beside its formula, and stays inert however hostile."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from desktop_app.core.history.export import to_markdown
from desktop_app.core.history.export_html import export_html, to_html
from desktop_app.core.history.store import HistoryStore
from desktop_app.core.verify import check_steps

SOLUTION = (
    "We solve $2x + 3 = 11$.\n\n"
    "Subtract 3: $2x = 8$, so $x = 4$.\n\n"
    "Check: $2x + 3 = 2(4) + 3 = 12$.\n\n"
    "She sells 16 - 3 = 13 eggs.\n\n"
    "The answer is $\\boxed{4}$."
)
REASON = "x = 4 solves 2x + 3 = 11, and there are no other solutions."
WRONG = "the left side is 11, the right side is 12"


def saved(store: HistoryStore, answer: str = SOLUTION, **fields: Any) -> str:
    """A conversation whose one turn was solved and checked as the recorder saves it."""
    steps = [
        {"before": r.before, "after": r.after, "verdict": r.verdict, "reason": r.reason,
         "start": r.start, "end": r.end}
        for r in check_steps(answer)
    ]  # fmt: skip
    conv_id = store.create_conversation(None, fields.pop("transcript", ""), title="Checked")
    turn = store.add_turn(conv_id, fields.pop("question", "Solve $2x + 3 = 11$."))
    values: dict[str, Any] = {"answer": answer, "status": "complete", "final_answer": "4"}
    values |= {"final_check": "verified", "final_reason": REASON, "details": {"steps": steps}}
    values.update(fields)
    store.update_turn(turn, **values)
    return conv_id


def test_markdown_export_has_the_check_its_reason_and_the_wrong_steps(
    store: HistoryStore,
) -> None:
    """GIVEN a checked turn with one wrong step WHEN exported as Markdown THEN the check and
    its reason follow the final answer, then the step count and the wrong step with why."""
    text = to_markdown(store.get(saved(store)), None)
    tail = text[text.index("**Final answer:**") :]
    assert tail.startswith(
        "**Final answer:** $4$\n\n"
        "**Check:** Verified by SymPy: x = 4 solves 2x + 3 = 11, and there are no other "
        "solutions.\n\n"
        "**Steps:** 5 checked, 1 wrong\n\n"
        f"- Wrong: $2(4) + 3$ → $12$: {WRONG}\n"
    )
    assert SOLUTION in text  # the answer itself is exported unchanged


def test_markdown_export_makes_reasons_inert(store: HistoryStore) -> None:
    """GIVEN a reason holding Markdown and HTML WHEN exported THEN it is escaped text."""
    hostile = "<script>x</script> [link](javascript:x) $\\href{javascript:x}{y}$ *bold*"
    text = to_markdown(store.get(saved(store, final_reason=hostile)), None)
    line = next(line for line in text.splitlines() if line.startswith("**Check:**"))
    assert line == (
        "**Check:** Verified by SymPy: \\<script\\>x\\</script\\> \\[link\\](javascript:x) "
        "\\$\\\\href{javascript:x}{y}\\$ \\*bold\\*"
    )


def test_markdown_export_without_checks_is_as_before(store: HistoryStore) -> None:
    """GIVEN a turn with no check and no steps WHEN exported THEN no checks paragraph."""
    conv_id = store.create_conversation(None, "", title="Plain")
    turn = store.add_turn(conv_id, "What is 2 + 2?")
    store.update_turn(turn, answer="It is 4.", status="complete")
    text = to_markdown(store.get(conv_id), None)
    assert "**Check:**" not in text
    assert "**Steps:**" not in text


def marks_in(page: str) -> list[tuple[str, str]]:
    """(class, what comes just before) of every step mark in an exported page."""
    found = []
    for match in re.finditer(r'<span class="step-mark (ok|wrong)"', page):
        found.append((match.group(1), page[max(0, match.start() - 40) : match.start()]))
    return found


def test_html_export_marks_each_checked_step_beside_its_formula(store: HistoryStore) -> None:
    """GIVEN a checked turn WHEN exported as HTML THEN a tick follows each right formula, a
    red mark and its counterexample follow the wrong one, and the check's reason is there."""
    page = to_html(store.get(saved(store)), None)
    marks = marks_in(page)
    assert [kind for kind, _ in marks] == ["ok", "ok", "wrong", "ok"]
    assert marks[0][1].endswith("\\(2x = 8\\)</span>")
    assert marks[1][1].endswith("\\(x = 4\\)</span>")
    assert marks[2][1].endswith("\\(2x + 3 = 2(4) + 3 = 12\\)</span>")
    assert marks[3][1].endswith("16 - 3 = 13")
    assert f'<span class="step-note wrong">{WRONG}</span>' in page
    assert REASON in page
    assert "<strong>Steps:</strong> 5 checked, 1 wrong" in page
    assert ".step-mark.wrong" in page  # the checks' stylesheet came along
    assert not re.search("[\U000f0000-\U000ffffd]", page)  # no placeholder left over


def test_html_export_cannot_be_forged_or_injected(store: HistoryStore) -> None:
    """GIVEN placeholders typed into the problem and a link title, and markup in a reason WHEN
    exported THEN no extra mark appears, no markup goes into an attribute, and the reason is
    escaped text."""
    forged = "\U000f0000\U000f0001\U000f0002"
    answer = 'See [this](https://example.com "2 + 2 = 5") now.\n\nSo 1 + 1 = 2 here.'
    start = answer.index("2 + 2 = 5")
    steps = [
        {"before": "2 + 2", "after": "5", "verdict": "wrong", "reason": "<img src=x onerror=y>",
         "start": start, "end": start + 9},
        {"before": "1 + 1", "after": "2", "verdict": "ok", "reason": "both sides are 2",
         "start": answer.index("1 + 1"), "end": answer.index("1 + 1") + 9},
    ]  # fmt: skip
    conv_id = saved(store, answer, transcript=f"Problem {forged}", question=forged,
                    details={"steps": steps})  # fmt: skip
    page = to_html(store.get(conv_id), None)
    assert [kind for kind, _ in marks_in(page)] == ["ok"]  # the one in the link's title dropped
    assert '<a href="https://example.com" title="2 + 2 = 5">this</a>' in page
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=y&gt;" in page  # listed as a wrong step, as text


def test_html_export_renders_its_marks_offline(
    qtbot: Any, store: HistoryStore, tmp_path: Path
) -> None:
    """GIVEN the exported file WHEN a browser opens it THEN the math typesets without errors
    and the marks show beside their formulas, the wrong one with its counterexample."""
    from PySide6.QtCore import QUrl
    from PySide6.QtWebEngineWidgets import QWebEngineView

    from tests.ui.conftest import ARTIFACTS, run_js, wait_js

    conversation = store.get(saved(store))
    path = export_html(conversation, None, tmp_path / "checked.html")
    view = QWebEngineView()
    view.resize(800, 900)
    view.show()
    try:
        with qtbot.waitSignal(view.page().loadFinished, timeout=20000):
            view.page().load(QUrl.fromLocalFile(str(path)))
        wait_js(qtbot, view, "document.querySelectorAll('mjx-container').length >= 8", 20)
        state = json.loads(
            run_js(
                qtbot,
                view,
                """JSON.stringify({errors: document.querySelectorAll('mjx-merror').length,
                    marks: Array.from(document.querySelectorAll('.step-mark'), (m) => m.className),
                    note: document.querySelector('.step-note.wrong').innerText})""",
            )
        )
        assert state == {
            "errors": 0,
            "marks": ["step-mark ok", "step-mark ok", "step-mark wrong", "step-mark ok"],
            "note": WRONG,
        }
        qtbot.wait(200)
        (ARTIFACTS / "checks").mkdir(parents=True, exist_ok=True)
        assert view.grab().save(str(ARTIFACTS / "checks" / "export_html.png"))
    finally:
        view.close()
        view.deleteLater()
        qtbot.wait(20)
