"""A self-consistency turn's samples in exports: listed after the answer in Markdown,
folded away (one `<details>` each) in the standalone HTML page."""

from __future__ import annotations

import html
import secrets

from desktop_app.core.history.models import SavedSample, Turn


def vote_line(turn: Turn) -> str:
    """One sentence: how many samples gave the final answer (Markdown, math delimited)."""
    total = len(turn.samples)
    if turn.votes == 0:
        return f"None of the {total} samples gave a final answer."
    return f"{turn.votes} of {total} samples gave the final answer."


def sample_heading(sample: SavedSample) -> str:
    """`Sample 3: $2$ (the answer above)`, as Markdown."""
    answer = f"${sample.final_answer}$" if sample.final_answer else "no final answer"
    shown = " (the answer above)" if sample.majority else ""
    return f"Sample {sample.position + 1}: {answer}{shown}"


def samples_markdown(turn: Turn) -> list[str]:
    """The turn's samples as Markdown parts: the vote, then each sample's text."""
    if not turn.samples:
        return []
    parts = [f"**Samples.** {vote_line(turn)}"]
    for sample in turn.samples:
        parts += [f"#### {sample_heading(sample)}", sample.answer.strip() or "_Empty._"]
    return parts


class SamplesHtml:
    """For the HTML export: stands in a placeholder paragraph for each turn's samples while
    the Markdown renders (its renderer lets no HTML through), then puts the folded samples
    in their place."""

    def __init__(self) -> None:
        # Random, so no text of the conversation can be mistaken for a placeholder.
        self._mark = f"QMATHSAMPLES{secrets.token_hex(8)}N"
        self._turns: list[Turn] = []

    def __call__(self, turn: Turn) -> list[str]:
        """The Markdown parts for `turn`: one placeholder (none without samples)."""
        if not turn.samples:
            return []
        self._turns.append(turn)
        return [f"{self._mark}{len(self._turns) - 1}"]

    def fill(self, rendered: str) -> str:
        """`rendered` HTML with every placeholder replaced by its turn's folded samples."""
        for index, turn in enumerate(self._turns):
            rendered = rendered.replace(f"<p>{self._mark}{index}</p>", _folded(turn), 1)
        return rendered


def _folded(turn: Turn) -> str:
    from desktop_app.core.markdown_render import render_markdown

    items = [f'<p class="samples-vote">{_inline(vote_line(turn))}</p>']
    for sample in turn.samples:
        kind = "sample majority" if sample.majority else "sample"
        body = render_markdown(sample.answer.strip() or "_Empty._")
        items.append(
            f'<details class="{kind}"><summary>{_inline(sample_heading(sample))}</summary>'
            f'<div class="sample-body">{body}</div></details>'
        )
    return '<section class="samples">' + "".join(items) + "</section>\n"


def _inline(markdown: str) -> str:
    """One line of Markdown as inline HTML (without its paragraph)."""
    from desktop_app.core.markdown_render import render_markdown

    rendered = render_markdown(markdown).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>"):
        return rendered[3:-4]
    return html.escape(markdown)
