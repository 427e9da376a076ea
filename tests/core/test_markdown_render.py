"""render_markdown and StreamingRenderer: math protected, output safe, streaming incremental."""

from __future__ import annotations

import pytest

from desktop_app.core import markdown_render
from desktop_app.core.markdown_render import StreamingRenderer, render_markdown


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a $x^2$ b", r'<span class="math inline">\(x^2\)</span>'),
        (r"a \(x^2\) b", r'<span class="math inline">\(x^2\)</span>'),
        ("a $$x^2$$ b", r'<span class="math display">\[x^2\]</span>'),
        (r"a \[x^2\] b", r'<span class="math display">\[x^2\]</span>'),
        ("$$\nx^2\n$$", '<div class="math display">\\[\nx^2\n\\]</div>'),
        ("\\[\nx^2\n\\]", '<div class="math display">\\[\nx^2\n\\]</div>'),
        ("\\begin{align}\na &= b\n\\end{align}", "\\begin{align}\na &amp;= b\n\\end{align}</div>"),
        (r"so \begin{cases}1\end{cases} ok", r'display">\begin{cases}1\end{cases}</span>'),
        (
            "$a*b*c$ and $x_1 + y_1$",
            r'\(a*b*c\)</span> and <span class="math inline">\(x_1 + y_1\)',
        ),
        (r"$\{a\}\\b$", r"\(\{a\}\\b\)"),
        (r"$a\$b$", r"\(a\$b\)"),
    ],
)
def test_all_four_delimiters_become_escaped_math(source: str, expected: str) -> None:
    """GIVEN math in any Qwen delimiter THEN it is one math element MathJax can read."""
    assert expected in render_markdown(source)


@pytest.mark.parametrize(
    "source",
    [
        "It costs $5 and $10.",
        "from $20,000 to $30,000",
        "$x$5 is not math",
        "$ x$ is not math",
        r"escaped \$x\$ is not math",
        "`$x$` is code",
        "```\n$x$ and \\(y\\)\n```",
        "    $x$ indented code",
        r"\\(x\\) is two backslashes",
    ],
)
def test_dollars_and_code_that_are_not_math_stay_text(source: str) -> None:
    """GIVEN currency, escapes or code THEN no math element is produced."""
    assert 'class="math' not in render_markdown(source)


def test_markdown_never_mangles_math() -> None:
    """GIVEN math full of Markdown syntax THEN emphasis, escapes and breaks stay untouched."""
    html = render_markdown(r"$a_1 * b_2 * c$ and \(x_{i}\_y \\ z\)")
    assert r"\(a_1 * b_2 * c\)" in html
    assert r"\(x_{i}\_y \\ z\)" in html
    assert "<em>" not in html


def test_display_math_keeps_blank_lines_and_list_containers() -> None:
    """GIVEN display math in a list, a quote, or with blank lines THEN it stays one block."""
    assert "\\[\na\n\nb\n\\]" in render_markdown("$$\na\n\nb\n$$")
    in_list = render_markdown("1. First\n   \\[\n   x_1 < y\n   \\]\n2. Second")
    assert '<li>First<div class="math display">\\[\nx_1 &lt; y\n\\]</div>' in in_list
    assert "\\[\nx\n\\]" in render_markdown("> $$\n> x\n> $$")


def test_html_is_escaped_never_passed_through() -> None:
    """GIVEN raw HTML in text or math THEN it appears escaped."""
    html = render_markdown('<script>alert(1)</script> <img src=x onerror="x"> $</span><b>$')
    assert "<script" not in html
    assert "<img" not in html
    assert "<b>" not in html
    assert r"\(&lt;/span&gt;&lt;b&gt;\)" in html


@pytest.mark.parametrize(
    ("source", "link"),
    [
        ("[a](https://example.com/x)", '<a href="https://example.com/x">a</a>'),
        ("[a](http://example.com)", '<a href="http://example.com">a</a>'),
        ("[a](mailto:me@example.com)", '<a href="mailto:me@example.com">a</a>'),
        ("<https://example.com>", '<a href="https://example.com">'),
        ("[a](javascript:alert(1))", None),
        ("[a](JAVASCRIPT:alert(1))", None),
        ("[a](data:text/html;base64,PHNjcmlwdD4=)", None),
        ("[a](file:///etc/passwd)", None),
        ("[a](relative/path)", None),
        ("<javascript:alert(1)>", None),
    ],
)
def test_only_web_and_mail_links_survive(source: str, link: str | None) -> None:
    """GIVEN a link THEN only http, https and mailto become anchors."""
    html = render_markdown(source)
    if link is None:
        assert "<a" not in html
    else:
        assert link in html


def test_images_become_alt_text() -> None:
    """GIVEN images, remote or not THEN no <img> is emitted, only the alt text."""
    html = render_markdown("![a plot](http://127.0.0.1:9/x.png) ![](data:image/png;base64,AA==)")
    assert "<img" not in html
    assert '<span class="image-alt">a plot</span>' in html


def test_tables_and_strikethrough_are_enabled() -> None:
    """GIVEN GFM tables and ~~strike~~ THEN both render."""
    html = render_markdown("| a | b |\n|---|---|\n| $x$ | ~~y~~ |")
    assert "<table>" in html
    assert "<s>y</s>" in html
    assert r"\(x\)" in html


@pytest.mark.parametrize(
    ("source", "pending"),
    [
        ("so $x^2 +", "$x^2 +"),
        (r"so \(x", r"\(x"),
        (r"so \[x", r"\[x"),
        ("so $$x", "$$x"),
        ("$$\nx =", "$$\nx ="),
        ("\\begin{align}\na &= b", "\\begin{align}\na &amp;= b"),
    ],
)
def test_unclosed_math_in_the_tail_is_pending_source(source: str, pending: str) -> None:
    """GIVEN math whose closing has not arrived THEN the tail shows it as escaped source."""
    html = render_markdown(source, pending=True)
    assert 'class="math-pending">' + pending in html
    assert 'class="math ' not in html
    assert "math-pending" not in render_markdown(source)


def test_a_price_in_the_tail_is_not_pending() -> None:
    """GIVEN "$5" mid-stream THEN it is shown as text, not as math source."""
    assert "math-pending" not in render_markdown("It costs $5 so far", pending=True)


def collect(renderer: StreamingRenderer, text: str, size: int = 1) -> tuple[list[str], str]:
    """Stream text in fixed-size deltas; return all finished blocks and the last tail."""
    blocks: list[str] = []
    tail = ""
    for start in range(0, len(text), size):
        update = renderer.feed(text[start : start + size])
        blocks.extend(update.new_blocks)
        tail = update.tail
    return blocks, tail


def test_blocks_finish_at_blank_lines_outside_code_and_math() -> None:
    """GIVEN blank lines inside a fence and inside $$ THEN blocks end only at the real ones."""
    text = (
        "# Title\n\nPara $x$.\n\n```python\na = 1\n\nb = 2\n```\n\n"
        "$$\na\n\nb\n$$\n\n1. one\n\n   continued\n\n2. two\n\nTail \\(y"
    )
    blocks, tail = collect(StreamingRenderer(), text)

    assert blocks == [
        "<h1>Title</h1>\n",
        '<p>Para <span class="math inline">\\(x\\)</span>.</p>\n',
        '<pre><code class="language-python">a = 1\n\nb = 2\n</code></pre>\n',
        '<div class="math display">\\[\na\n\nb\n\\]</div>\n',
        "<ol>\n<li>\n<p>one</p>\n<p>continued</p>\n</li>\n</ol>\n",
        '<ol start="2">\n<li>two</li>\n</ol>\n',
    ]
    assert tail == '<p>Tail <span class="math-pending">\\(y</span></p>\n'


@pytest.mark.parametrize("size", [1, 3, 7, 1000])
def test_streamed_blocks_match_rendering_the_whole(size: int) -> None:
    """GIVEN any delta size THEN blocks + finish equal rendering the full text at once."""
    paragraphs = [f"Step {i}: $a_{i} = {i}$ and \\[b_{i}\\]" for i in range(12)]
    text = "\n\n".join(paragraphs)
    renderer = StreamingRenderer()
    blocks, _ = collect(renderer, text, size)
    final = renderer.finish()

    assert final.tail == ""
    assert "".join(blocks + list(final.new_blocks)) == render_markdown(text)


def test_finish_renders_the_tail_as_final_text_and_reset_forgets() -> None:
    """GIVEN an unclosed price at the end WHEN finished THEN it is plain text."""
    renderer = StreamingRenderer()
    renderer.feed("Done.\n\nIt costs $5")
    assert renderer.finish().new_blocks == ("<p>It costs $5</p>\n",)

    renderer.feed("```\nopen fence\n\n")
    renderer.reset()
    assert renderer.feed("New\n\nanswer").new_blocks == ("<p>New</p>\n",)


def test_a_stray_display_delimiter_does_not_swallow_the_answer() -> None:
    """GIVEN a $$ that never closes THEN blocks still finish after a bounded number of lines."""
    text = "Oops $$ stray\n\n" + "".join(f"Line {i}.\n\n" for i in range(100))
    blocks, tail = collect(StreamingRenderer(), text, size=5)
    assert len(blocks) > 30  # given up on after 60 lines, then one block per line again
    assert blocks[-1] == "<p>Line 98.</p>\n"
    assert len(tail) < 200


def test_tail_work_per_delta_does_not_grow_with_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN answers 1x and 4x long WHEN streamed per character THEN rendering work is linear."""
    rendered: list[int] = []
    real = markdown_render.render_markdown

    def counting(text: str, *, pending: bool = False) -> str:
        rendered.append(len(text))
        return real(text, pending=pending)

    monkeypatch.setattr(markdown_render, "render_markdown", counting)
    paragraph = "We have $x^2 + y^2 = r^2$ so \\(r > 0\\), hence\n\n$$\n\\frac{a}{b} = c\n$$\n\n"

    def work(repeats: int) -> int:
        rendered.clear()
        collect(StreamingRenderer(), paragraph * repeats)
        return sum(rendered)

    short, long = work(10), work(40)

    assert max(rendered) <= len(paragraph)  # never more than one block at a time
    assert long / short <= 4.2


def test_model_output_cannot_link_to_the_pages_own_controls() -> None:
    """GIVEN links to the page's action URLs in an answer THEN none becomes a link."""
    html = render_markdown(
        "[a](action/copy-final) [b](qmath://answer/action/copy-final) [c](/action/copy-final)"
    )
    assert "<a" not in html
