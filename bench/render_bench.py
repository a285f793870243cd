"""Time `html_to_rich` on a generated ~200 KB article (median of 5 runs).

The budget (issue "Articles worth reading in a terminal") is well under 0.3 s for conversion;
*opening* such an article in a Textual app (rich `Text` in a `Static`, key to text on screen)
was measured at 0.29 s before newstui was written, and the conversion must be the small part.
Laying the result out (what the widget does on first paint) is timed too, since a resize
repeats it.

    .venv/bin/python bench/render_bench.py
"""

from __future__ import annotations

import statistics
import time

from rich.console import Console

from newstui.article.render import html_to_rich

_SECTION = """
<h2>Section {n}: notes on the design</h2>
<p>This is paragraph {n} of a long article with <a href="/post/{n}">a relative link</a>, some
<em>emphasis</em>, <strong>strong text</strong>, <code>inline_code({n})</code> and a long URL
<a href="https://example.com/a/very/long/path/{n}?with=query&amp;and=more">https://example.com/a/very/long/path/{n}?with=query&amp;and=more</a>.
Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut
labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco.</p>
<ul><li>First point with <b>bold</b> text</li><li>Second point<ul><li>nested point</li></ul></li>
<li>Third point that is rather long and will wrap across several lines in a narrow
terminal</li></ul>
<blockquote><p>A quotation that goes on for a while, so that it wraps and every wrapped line gets
its bar.</p></blockquote>
<pre class="language-python"><code>def function_{n}(x):
    return x * {n}  # comment
</code></pre>
<p><img src="/img/{n}.png" alt="figure {n}" width="600" height="400"> Caption text follows.</p>
"""


def make_article(size: int = 200_000) -> str:
    parts = ["<h1>A long generated article</h1>"]
    n = 0
    while sum(map(len, parts)) < size:
        parts.append(_SECTION.format(n=n))
        n += 1
    parts.append(
        "<table><tr><th>name</th><th>value</th></tr>"
        + "".join(f"<tr><td>row {i}</td><td>{i * i}</td></tr>" for i in range(20))
        + "</table>"
    )
    return "".join(parts)


def median_seconds(function: object, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    html = make_article()
    html_to_rich("<p>warm up</p><pre class='language-python'>x = 1</pre>")
    convert = median_seconds(lambda: html_to_rich(html, base_url="https://example.com/"))
    rendered = html_to_rich(html, base_url="https://example.com/")
    console = Console(width=100, file=open("/dev/null", "w"), color_system="truecolor")  # noqa: SIM115
    lay_out = median_seconds(lambda: console.render_lines(rendered.renderable, pad=False))
    print(f"article: {len(html):,} bytes, {len(rendered.links)} links")
    print(f"html_to_rich: {convert * 1000:.1f} ms (median of 5)")
    print(f"layout at width 100 (render_lines): {lay_out * 1000:.1f} ms (median of 5)")


if __name__ == "__main__":
    main()
