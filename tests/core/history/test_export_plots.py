"""A conversation's plots in its exports: a PNG beside the Markdown file (or inside it as a
data URL on stdout), and plots saved by another version or damaged on disk skipped."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from desktop_app.core.history.export import export_markdown, inline_plot_refs, to_markdown
from desktop_app.core.history.saved_plots import conversation_plots, last_plot, turn_plot
from desktop_app.core.history.store import HistoryStore
from desktop_app.core.plots import PlotSpec, plot_for

ROOTS = "Find the roots of $f(x) = x^2 - 5x + 6$."
PNG_LINK = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")


@pytest.fixture(scope="module")
def roots_plot() -> dict[str, Any]:
    spec = plot_for(ROOTS, "", "2, 3")
    assert spec is not None
    return spec.to_json()


@pytest.fixture(scope="module")
def sine_plot() -> dict[str, Any]:
    spec = plot_for("Graph $y = \\sin x$.", "", None)
    assert spec is not None
    return spec.to_json()


def saved(store: HistoryStore, turns: list[dict[str, Any] | None]) -> str:
    """A conversation with one turn per entry, each with that plot saved (None: no plot)."""
    conv_id = store.create_conversation(None, ROOTS)
    for number, plot in enumerate(turns, start=1):
        turn = store.add_turn(conv_id, f"Question {number}")
        details = None if plot is None else {"plot": plot}
        store.update_turn(turn, answer=f"Answer {number}.", status="complete", details=details)
    return conv_id


def assert_plot_png(data: bytes) -> None:
    """A real PNG picture of a plot: the right size, mostly white, with coloured curves."""
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    assert image.size == (1008, 633)  # 7 x 4.4 inches at 144 dpi
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None
    white = max(count for count, colour in colours if colour == (255, 255, 255))
    assert white > image.size[0] * image.size[1] // 2
    blue = sum(count for count, (r, g, b) in colours if b > 150 and r < 100)
    assert blue > 500  # the curve, drawn in the palette's first colour


def test_markdown_export_writes_the_plot_beside_it(
    store: HistoryStore, roots_plot: dict[str, Any], tmp_path: Path
) -> None:
    """GIVEN a turn saved with its plot WHEN exported as Markdown THEN a PNG of the plot is
    written beside the file and linked under the solution, with a description."""
    conversation = store.get(saved(store, [roots_plot]))
    written = export_markdown(conversation, None, tmp_path / "roots.md")
    assert written == [tmp_path / "roots.md", tmp_path / "roots-plot.png"]
    markdown = written[0].read_text(encoding="utf-8")
    (alt, ref), *_ = PNG_LINK.findall(markdown)
    assert (alt, ref) == ("Plot of y = x^2 - 5x + 6", "roots-plot.png")
    assert markdown.index("## Solution") < markdown.index("](roots-plot.png)")
    assert_plot_png((tmp_path / ref).read_bytes())


def test_several_plots_and_a_damaged_one(
    store: HistoryStore, roots_plot: dict[str, Any], sine_plot: dict[str, Any], tmp_path: Path
) -> None:
    """GIVEN three turns: a plot, one saved by an unknown version, another plot, and a fourth
    with no plot WHEN exported THEN each good plot gets its own file named by its turn; the
    damaged one is skipped without an error."""
    damaged = {**roots_plot, "version": 99}
    conversation = store.get(saved(store, [roots_plot, damaged, sine_plot, None]))
    assert sorted(conversation_plots(conversation)) == [0, 2]
    assert turn_plot(conversation.turns[1]) is None
    assert last_plot(conversation.turns) == PlotSpec.from_json(sine_plot)
    written = export_markdown(conversation, None, tmp_path / "three.md")
    assert [p.name for p in written] == ["three.md", "three-plot-1.png", "three-plot-3.png"]
    markdown = written[0].read_text(encoding="utf-8")
    links = [ref for _, ref in PNG_LINK.findall(markdown)]
    assert links == ["three-plot-1.png", "three-plot-3.png"]
    assert markdown.index("Answer 1.") < markdown.index(links[0]) < markdown.index("Answer 2.")
    assert markdown.index("Answer 3.") < markdown.index(links[1]) < markdown.index("Answer 4.")


def test_markdown_with_nowhere_to_write_carries_the_plot_inside(
    store: HistoryStore, roots_plot: dict[str, Any]
) -> None:
    """GIVEN a Markdown document with no folder (stdout) THEN the plot is a PNG data URL."""
    conversation = store.get(saved(store, [roots_plot]))
    markdown = to_markdown(conversation, None, inline_plot_refs(conversation))
    ((alt, ref),) = PNG_LINK.findall(markdown)
    assert alt == "Plot of y = x^2 - 5x + 6"
    assert ref.startswith("data:image/png;base64,")
    assert_plot_png(base64.b64decode(ref.split(",", 1)[1]))


def test_markdown_without_plot_refs_names_no_image(
    store: HistoryStore, roots_plot: dict[str, Any]
) -> None:
    """GIVEN `history show` (plain Markdown for a terminal) THEN no image is put in it."""
    conversation = store.get(saved(store, [roots_plot]))
    assert "![" not in to_markdown(conversation, None)


def test_a_voted_turn_shows_its_plot_before_its_samples(
    store: HistoryStore, roots_plot: dict[str, Any], tmp_path: Path
) -> None:
    """GIVEN a turn decided by a vote of samples and saved with its plot WHEN exported as
    Markdown and as HTML THEN the plot follows the final answer and the samples follow the plot,
    in both."""
    from desktop_app.core.history.export_html import to_html
    from desktop_app.core.history.models import SavedSample

    conv_id = store.create_conversation(None, ROOTS)
    turn = store.add_turn(conv_id, "")
    store.update_turn(
        turn, answer="Factor: $\\boxed{2, 3}$.", final_answer="2, 3", status="complete",
        details={"plot": roots_plot},
    )  # fmt: skip
    store.set_samples(
        turn, [SavedSample(0, "Factor: $\\boxed{2, 3}$.", "2, 3", 0, True),
               SavedSample(1, "Guess: $\\boxed{1}$.", "1", 1, False)],
    )  # fmt: skip
    conversation = store.get(conv_id)
    markdown = export_markdown(conversation, None, tmp_path / "voted.md")[0].read_text("utf-8")
    final, plot = markdown.index("**Final answer:**"), markdown.index("](voted-plot.png)")
    assert final < plot < markdown.index("**Samples.**") < markdown.index("Guess:")
    page = to_html(conversation, None)
    final, plot = page.index("Final answer:</strong>"), page.index('<figure class="plot">')
    assert final < plot < page.index('<section class="samples">') < page.index("Guess:")
