"""The article renderer: golden HTML inputs, styles of key spans, links, and hostile input.

Golden files: `tests/data/html/NAME.html` is rendered at width 60 (links resolved against
`BASE_URL`, link list appended) and compared with `NAME.expected.txt`. After a deliberate change,
regenerate with `NEWSTUI_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_render_html.py` and read
every diff before committing it.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from rich.style import Style
from rich.text import Text

from newstui.article.render import Document, Rendered, RenderStyles, html_to_rich, plain_text
from newstui.article.render._document import Paragraph, TableBlock

DATA = Path(__file__).parent / "data" / "html"
BASE_URL = "https://example.com/blog/post.html"
GOLDEN = sorted(path.stem for path in DATA.glob("*.html"))


def paragraphs(rendered: Rendered) -> list[Text]:
    return [block.text for block in rendered.renderable.blocks if isinstance(block, Paragraph)]


def styles_at(rendered: Rendered, needle: str) -> list[Style]:
    """Every style that applies to the first character of `needle` (base style first)."""
    for text in paragraphs(rendered):
        offset = text.plain.find(needle)
        if offset >= 0:
            found = [text.style] if isinstance(text.style, Style) else []
            found += [
                span.style
                for span in text.spans
                if span.start <= offset < span.end and isinstance(span.style, Style)
            ]
            return found
    raise AssertionError(f"{needle!r} not in the rendered text")


def combined(rendered: Rendered, needle: str) -> Style:
    return Style.combine([Style(), *styles_at(rendered, needle)])


def ansi(rendered: Rendered, width: int = 80) -> str:
    """What a colour terminal would receive."""
    console = Console(
        file=io.StringIO(), width=width, force_terminal=True, color_system="truecolor"
    )
    console.print(rendered.renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


# --- golden files ------------------------------------------------------------------------------


def test_there_is_a_fixture_per_construct():
    assert len(GOLDEN) >= 15


@pytest.mark.parametrize("name", GOLDEN)
def test_golden(name: str):
    rendered = html_to_rich((DATA / f"{name}.html").read_text("utf-8"), base_url=BASE_URL)
    actual = plain_text(rendered, 60, with_links=True) + "\n"
    expected_path = DATA / f"{name}.expected.txt"
    if os.environ.get("NEWSTUI_UPDATE_GOLDEN"):
        expected_path.write_text(actual, "utf-8")
    assert actual == expected_path.read_text("utf-8")


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_lines_fit_and_have_no_blank_runs(name: str):
    rendered = html_to_rich((DATA / f"{name}.html").read_text("utf-8"), base_url=BASE_URL)
    for width in (20, 33, 60, 120):
        text = plain_text(rendered, width)
        lines = text.split("\n")
        assert all(Text(line).cell_len <= width for line in lines)
        assert "\n\n\n" not in text
        assert lines[0].strip() and lines[-1].strip()


# --- styles ------------------------------------------------------------------------------------


def test_key_spans_carry_their_role_styles():
    styles = RenderStyles()
    rendered = html_to_rich(
        "<h1>Head one</h1><h2>Head two</h2><h5>Head five</h5>"
        "<p><strong>strong</strong> <em>emph</em> <code>codey</code> <a href='https://x.org'>"
        "linky</a> <u>under</u> <del>gone</del> <mark>marked</mark> <sup>up</sup></p>"
        "<blockquote>quoted</blockquote><figure><img alt='pic'><figcaption>capt</figcaption>"
        "</figure><dl><dt>termy</dt><dd>def</dd></dl>",
        styles=styles,
    )
    assert combined(rendered, "Head one") == styles.heading1
    assert combined(rendered, "Head one").bold
    assert combined(rendered, "Head two") == styles.heading2
    assert combined(rendered, "Head five") == styles.heading3
    assert combined(rendered, "strong").bold
    assert combined(rendered, "emph").italic
    assert combined(rendered, "codey") == styles.code
    assert combined(rendered, "linky") == styles.link
    assert combined(rendered, "[1]") == styles.link_number
    assert combined(rendered, "under").underline
    assert combined(rendered, "gone").strike
    assert combined(rendered, "marked") == styles.mark
    assert combined(rendered, "up") == styles.small
    assert combined(rendered, "quoted") == styles.quote
    assert combined(rendered, "[image: pic]") == styles.image
    assert combined(rendered, "capt") == styles.caption
    assert combined(rendered, "termy") == styles.strong


def test_inner_inline_style_wins_over_outer():
    styles = RenderStyles().with_overrides({"strong": "red", "link": "blue"})
    rendered = html_to_rich("<b>bold <a href='https://x.org'>link</a></b>", styles=styles)
    assert combined(rendered, "link").color == Style.parse("blue").color
    assert combined(rendered, "link").bold


def test_quote_bar_and_rule_use_their_styles():
    styles = RenderStyles().with_overrides({"quote_bar": "green", "hr": "magenta"})
    rendered = html_to_rich("<blockquote>q</blockquote><hr>", styles=styles)
    quote = rendered.renderable.blocks[0]
    assert quote.first_prefix.plain == "▌ "
    assert quote.first_prefix.spans[0].style == styles.quote_bar
    output = ansi(rendered)
    assert "32m▌" in output  # green (and dim) bar
    assert "35m───" in output  # magenta (and dim) rule


def test_table_header_uses_table_header_style():
    rendered = html_to_rich("<table><tr><th>H1</th><th>H2</th></tr><tr><td>a</td><td>b</td></tr>")
    (table,) = [b for b in rendered.renderable.blocks if isinstance(b, TableBlock)]
    assert table.header
    assert table.header_style == RenderStyles().table_header
    assert "\x1b[1mH1" in ansi(rendered)


def test_code_with_known_language_is_highlighted():
    python = html_to_rich('<pre><code class="language-python">def f():\n    return 1</code></pre>')
    (text,) = paragraphs(python)
    assert text.plain == "def f():\n    return 1"
    assert text.style == RenderStyles().code_block
    assert any(span.style for span in text.spans)
    for attribute in ('class="lang-py"', 'class="highlight-python"'):
        (again,) = paragraphs(html_to_rich(f"<pre {attribute}>x = 1</pre>"))
        assert again.spans
    (unknown,) = paragraphs(html_to_rich('<pre class="language-nosuchthing">x = 1</pre>'))
    assert not unknown.spans


def test_hidden_parts_of_a_code_block_are_dropped():
    html = '<pre><span aria-hidden="true">$ </span>ls<script>x()</script> /tmp<br>ok</pre>'
    assert plain_text(html_to_rich(html)) == "  ls /tmp\n  ok"


def test_highlighting_has_a_budget():
    code = "x = 1\n" * 5000  # 30,000 characters: more than one article may highlight
    (text,) = paragraphs(html_to_rich(f'<pre class="language-python">{code}</pre>'))
    assert not text.spans


def test_code_block_background_fills_the_width():
    styles = RenderStyles().with_overrides({"code_block": "on blue"})
    rendered = html_to_rich("<pre>ab</pre>", styles=styles)
    output = ansi(rendered, 40)
    assert "\x1b[44mab" in output
    assert "\x1b[44m" + " " * 36 in output  # 40 columns - 2 indent - 2 characters


LONG_PYTHON = """<pre><code class="language-python">def handler(request):
    if request.method == "POST" and request.user.is_authenticated and not request.user.banned:
        return render(request, "thanks.html", {"name": request.user.first_name, "at": now()})
    return None
</code></pre>"""


@pytest.mark.parametrize("width", [30, 44, 60])
def test_long_code_lines_continue_marked_at_their_own_indent(width: int):
    """Issue 11, defect 9: a wrapped code line used to continue at the block's left edge,
    which reads as a new (dedented) Python statement."""
    lines = plain_text(html_to_rich(LONG_PYTHON), width=width).splitlines()
    assert lines[0] == "  def handler(request):" and lines[-1] == "      return None"
    statements = [line for line in lines if "↪" not in line]
    assert [len(line) - len(line.lstrip()) for line in statements] == [2, 6, 10, 6]
    indent = 0
    for line in lines:
        assert len(line) <= width
        if "↪" not in line:
            indent = len(line) - len(line.lstrip())
        else:  # continues the statement above: indented like it, then the mark, then code
            assert line.startswith(" " * indent + "↪ ") and line[indent + 2] != " ", line
    code = "".join(line.strip().removeprefix("↪ ") for line in lines)
    source = LONG_PYTHON.split(">", 2)[2].split("</code>")[0]
    assert code.replace(" ", "") == "".join(source.split())


def test_code_continuation_mark_is_dim_and_background_fills_the_line():
    styles = RenderStyles().with_overrides({"code_block": "on blue"})
    rendered = html_to_rich("<pre>    " + "word " * 20 + "</pre>", styles=styles)
    lines = plain_text(rendered, 40).splitlines()
    assert len(lines) == 4 and all(line.startswith("      ↪ word") for line in lines[1:])
    console = Console(file=io.StringIO(), width=40)
    drawn = console.render_lines(rendered.renderable, console.options, pad=False)
    marks = [segment for line in drawn for segment in line if "↪" in segment.text]
    assert len(marks) == 3 and all(mark.style and mark.style.dim for mark in marks)
    for line in drawn:  # every line, continuations too, has the block's background to the edge
        assert sum(len(s.text) for s in line if s.style and s.style.bgcolor) >= 36


def test_code_that_fits_is_not_marked():
    assert "↪" not in plain_text(html_to_rich(LONG_PYTHON), width=100)


def test_text_folds_long_words():
    rendered = html_to_rich("<p>" + "x" * 100 + "</p>")
    (text,) = paragraphs(rendered)
    assert text.no_wrap is False
    assert text.overflow == "fold"
    assert plain_text(rendered, 30).split("\n") == ["x" * 30] * 3 + ["x" * 10]


def test_with_overrides_layers_colours_over_attributes():
    styles = RenderStyles().with_overrides({"heading1": Style(color="red"), "link": "green"})
    assert styles.heading1.bold and styles.heading1.color == Style.parse("red").color
    assert styles.link.underline and styles.link.color == Style.parse("green").color
    with pytest.raises(ValueError, match="unknown render style role"):
        RenderStyles().with_overrides({"haeding1": "red"})
    with pytest.raises(ValueError, match="bad style"):
        RenderStyles().with_overrides({"link": "not a [style"})


# --- links -------------------------------------------------------------------------------------


def test_links_are_numbered_in_order_and_deduplicated():
    rendered = html_to_rich(
        "<a href='https://a.org'>a</a> <a href='https://b.org'>b</a> "
        "<a href='https://a.org'>a again</a> <img src='https://c.org/i.png' alt='c'>"
    )
    assert rendered.links == ("https://a.org", "https://b.org", "https://c.org/i.png")
    assert plain_text(rendered) == "a[1] b[2] a again[1]\n[image: c][3]"


def test_relative_links_resolve_against_base_url():
    html = "<a href='../x'>x</a> <a href='/y?q=1#f'>y</a> <a href='//cdn.org/z'>z</a>"
    rendered = html_to_rich(html, base_url="https://example.com/a/b/post")
    assert rendered.links == (
        "https://example.com/a/x",
        "https://example.com/y?q=1#f",
        "https://cdn.org/z",
    )


def test_relative_links_without_base_are_plain_text():
    rendered = html_to_rich("<a href='/x'>x</a> <img src='i.png' alt='i'>")
    assert rendered.links == ()
    assert plain_text(rendered) == "x\n[image: i]"
    assert combined(rendered, "x") == Style()


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<b>x</b>",
        "vbscript:x",
        "file:///etc/passwd",
        "#top",
        "http://[::1",
        "",
    ],
)
def test_only_http_https_and_mailto_get_numbers(href: str):
    rendered = html_to_rich(f'<a href="{href}">text</a>', base_url=BASE_URL)
    assert rendered.links == ()
    assert plain_text(rendered) == "text"


def test_mailto_gets_a_number_but_images_need_http():
    rendered = html_to_rich("<a href='mailto:a@b.org'>mail</a><img src='mailto:a@b.org'>")
    assert rendered.links == ("mailto:a@b.org",)


def test_control_characters_in_urls_are_removed():
    rendered = html_to_rich('<a href="https://x.org/\x1b]52;c;QQ==\x07a">t</a>')
    assert rendered.links == ("https://x.org/a",)


# --- dropped content ---------------------------------------------------------------------------


def test_invisible_and_active_content_is_dropped():
    html = (DATA / "dropped.html").read_text("utf-8")
    rendered = html_to_rich(html, base_url=BASE_URL)
    text = plain_text(rendered)
    for word in ("script", "style", "noscript", "template", "form", "hidden", "display", "aria"):
        assert word not in text
    assert "Subscribe" not in text and "stray" not in text and "svg" not in text
    assert rendered.links == ()  # the tracking pixels left no numbers behind


@pytest.mark.parametrize(
    "attributes",
    ['width="1" height="1"', 'width="0"', 'height="2"', 'width="2px" height="300"', "hidden"],
)
def test_tracking_pixels_are_dropped(attributes: str):
    rendered = html_to_rich(f'<p>a<img src="https://t.example/p.gif" {attributes}>b</p>')
    assert rendered.links == ()
    assert plain_text(rendered) == "ab"


def test_iframe_becomes_a_link_line():
    rendered = html_to_rich("<p>a</p><iframe src='https://v.example/e/1'>fallback</iframe>b")
    assert plain_text(rendered) == "a\n\n[embedded: v.example][1]\n\nb"
    assert rendered.links == ("https://v.example/e/1",)


# --- hostile input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "literal",
    ["[@click=app.quit]x[/]", "[WIP]", "foo [/bar", "[b]x[/b]", ":smile:", "[/", "\\[x]"],
)
def test_markup_like_text_survives_literally(literal: str):
    escaped = literal.replace("&", "&amp;").replace("<", "&lt;")
    rendered = html_to_rich(f"<h2>{escaped}</h2><p>{escaped}</p><ul><li>{escaped}</li></ul>")
    assert plain_text(rendered) == f"{literal}\n\n{literal}\n\n• {literal}"
    for text in paragraphs(rendered):
        assert not text.spans  # nothing was parsed into a style
    assert ansi(rendered).count(literal) == 3


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("a\x1b]52;c;aGVsbG8=\x07b", "ab"),  # clipboard write (OSC 52)
        ("a\x1b]2;title\x1b\\b", "ab"),  # window title
        ("a\x1b[2J\x1b[Hb", "ab"),  # clear screen, cursor home
        ("a\x9b31mb", "ab"),  # 8-bit CSI
        ("a\x9d0;t\x9cb", "ab"),  # 8-bit OSC
        ("a\x00\x07\x08\x7fb", "ab"),  # NUL, BEL, BS, DEL
        ("a\u202eb", "ab"),  # right-to-left override
        ("a&#27;[2Jb", "ab"),  # escape written as a character reference
    ],
)
def test_escape_sequences_are_stripped(dirty: str, clean: str):
    html = f"<p>{dirty}</p><pre>{dirty}</pre><a href='https://x.org'>{dirty}</a>"
    rendered = html_to_rich(html)
    assert plain_text(rendered) == f"{clean}\n\n  {clean}\n\n{clean}[1]"
    output = ansi(rendered)
    assert "\x1b]" not in output and "\x9b" not in output and "\x1b[2J" not in output


def test_control_characters_in_attributes_are_stripped():
    rendered = html_to_rich('<img alt="x\x1b[2Jy\x9b1m" src="https://i.org/a.png">')
    assert plain_text(rendered) == "[image: xy][1]"


@pytest.mark.slow
def test_five_megabyte_body_renders():
    body = "<p>" + "</p><p>".join(f"Paragraph {n} " + "word " * 200 for n in range(5000)) + "</p>"
    assert len(body) > 5_000_000
    rendered = html_to_rich(body)
    text = plain_text(rendered, 100)
    assert text.startswith("Paragraph 0 word")
    assert text.rstrip().endswith("word")
    assert text.count("Paragraph") == 5000


def test_five_megabyte_single_word_renders():
    rendered = html_to_rich("<p>" + "x" * 5_000_000 + "</p>")
    console = Console(file=io.StringIO(), width=200)
    assert len(console.render_lines(rendered.renderable, pad=False)) == 25_000


def test_ten_thousand_nested_divs_render():
    html = "<p>before</p>" + "<div>" * 10_000 + "deep" + "</div>" * 10_000 + "<p>after</p>"
    assert plain_text(html_to_rich(html)) == "before\n\ndeep\n\nafter"


@pytest.mark.parametrize("tag", ["blockquote", "ul><li", "b", "table><tr><td", "a href='http://x'"])
def test_ten_thousand_levels_of_anything_do_not_raise(tag: str):
    html = f"<{tag}>" * 10_000 + "deep"
    text = plain_text(html_to_rich(html), 60)
    assert "deep" in text or "nested too deeply" in text


def test_indentation_stops_growing_past_the_nesting_limit():
    html = "<ul><li>" * 100 + "leaf"
    text = plain_text(html_to_rich(html), 200)
    assert text.rstrip().endswith("leaf")
    assert max(len(line) for line in text.split("\n")) < 60


@pytest.mark.parametrize(
    "html",
    [
        "<p>unclosed <b>bold <i>italic <a href='http://x.org'>link",
        "</p></div></li></td></tr></table>",
        "<table><td>cell without row<caption>late caption</caption><tr><th>x",
        "<ol start='-5' type='i'><li>a</li></ol><ol start='99999999999999999999'><li>b</ol>",
        "<li value='x'>stray item</li><dd>stray definition</dd><td>stray cell</td>",
        "<<<>>><p <p>>>&&&;;&#xD800;&#0;&#x110000;&bogus;",
        "<pre><pre><pre>nested pre</pre></pre></pre>",
        '<img src="x" alt="unclosed',
        "<a href='http://a.org'><a href='http://b.org'>nested links</a></a>",
        "\x00\x01<p>\ud800 lone surrogate</p>",
        '<?xml version="1.0" encoding="latin-1"?><meta charset="latin-1"><p>é</p>',
        "<table><caption>only a caption</caption></table>",
        "<table><tr><td><table><tr><td>in</td><td>ner</td></tr></table></td><td>x</td></tr>",
    ],
)
def test_broken_html_renders(html: str):
    rendered = html_to_rich(html, base_url=BASE_URL)
    for width in (1, 5, 80):
        plain_text(rendered, width)
        ansi(rendered, width)


@pytest.mark.parametrize("html", ["", "   \n\t", "<!-- only a comment -->", "<script>x</script>"])
def test_empty_input_renders_nothing(html: str):
    rendered = html_to_rich(html)
    assert rendered.links == ()
    assert plain_text(rendered) == ""


# --- layout ------------------------------------------------------------------------------------


def test_width_caps_the_layout():
    rendered = html_to_rich("<p>" + "word " * 50 + "</p><hr>", width=40)
    lines = plain_text(rendered, 100).split("\n")
    assert max(len(line) for line in lines) == 40
    assert lines[-1] == "─" * 40


def test_table_is_a_grid_when_it_fits_and_rows_when_it_does_not():
    html = "<table><tr><th>Name</th><th>Value</th></tr><tr><td>alpha</td><td>1</td></tr></table>"
    rendered = html_to_rich(html)
    assert "┌" in plain_text(rendered, 40)
    assert plain_text(rendered, 14) == "Name │ Value\nalpha │ 1"


def test_a_resize_needs_no_new_conversion():
    rendered = html_to_rich("<ul><li>" + "word " * 30 + "</li></ul>")
    narrow, wide = plain_text(rendered, 30), plain_text(rendered, 90)
    assert narrow.split("\n")[1].startswith("  word")  # hanging indent at both widths
    assert len(wide.split("\n")) < len(narrow.split("\n"))


def test_tiny_widths_drop_indentation_instead_of_breaking():
    rendered = html_to_rich("<blockquote><ul><li><blockquote>text here</blockquote></li></ul>")
    assert plain_text(rendered, 8) == "text\nhere"
    assert "".join(plain_text(rendered, 1).split()) == "texthere"


def test_document_is_one_renderable_for_a_widget():
    rendered = html_to_rich("<p>x</p>")
    assert isinstance(rendered.renderable, Document)
    assert hasattr(rendered.renderable, "__rich_console__")
    assert hasattr(rendered.renderable, "__rich_measure__")


def test_plain_text_has_no_escape_codes():
    rendered = html_to_rich("<h1>a</h1><pre class='language-python'>x = 1</pre><b>c</b>")
    assert "\x1b" not in plain_text(rendered)


# --- speed and hygiene -------------------------------------------------------------------------


def test_two_hundred_kilobytes_convert_whole():
    """A big article converts completely: every section's heading, link and code is there.
    (Its speed is measured by bench/render_bench.py, not asserted here.)"""
    section = (
        "<h2>Heading {n}</h2><p>Text with <a href='/l{n}'>a link</a>, <em>emphasis</em> and "
        "<code>code</code>. " + "Lorem ipsum dolor sit amet. " * 10 + "</p>"
        "<ul><li>one</li><li>two<ul><li>three</li></ul></li></ul>"
        "<blockquote><p>quote</p></blockquote><pre class='language-python'>x = {n}</pre>"
    )
    html = "".join(section.format(n=n) for n in range(400))
    assert len(html) > 200_000
    rendered = html_to_rich(html, base_url=BASE_URL)
    text = plain_text(rendered, 100)
    assert all(f"Heading {n}" in text and f"x = {n}" in text for n in range(400))
    assert len(rendered.links) == 400


def test_render_package_never_imports_textual():
    code = (
        "import sys, newstui.article.render;"
        " assert not any(m.startswith('textual') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
