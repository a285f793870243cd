# ruff: noqa: RUF001, RUF002
"""Line breaking in articles: Chinese and Japanese fill their lines (issue 11, defect 8).

Before, lines broke only at ASCII spaces, so a Chinese paragraph with a few numbers in it came
out as `特斯拉一家公司在 12 月 14 日一夜暴涨 283` / `亿美元（约为 1850`: half-empty lines.
Checked the way a reader sees it: the article rendered to plain lines at several widths.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from newstui.article.compose import render_entry
from newstui.article.render import html_to_rich, plain_lines, plain_text
from newstui.article.render._wrap import wrap_text
from newstui.core.models import Entry

CHINESE = (
    "特斯拉一家公司在 12 月 14 日一夜暴涨 283 亿美元（约为 1850 亿元人民币），市值首次突破"
    " 6000 亿美元。分析人士认为，这一轮上涨主要来自投资者对其自动驾驶业务的乐观预期，以及公司"
    "即将被纳入标普 500 指数的消息。“我们从未见过这样的行情，”一位在上海工作的交易员说，"
    "“很多人整夜没睡，盯着屏幕等开盘。”不过也有人提醒，股价在短时间内涨得太快，回调的风险"
    "同样不容忽视。"
)
JAPANESE = (
    "東京都は十四日、新しい交通計画を発表した。計画では、二〇三〇年までに都内の路線バスを"
    "すべて電気自動車に置き換えるほか、自転車専用レーンを現在の三倍に増やす。「都民の移動を"
    "もっと自由に、もっと静かにしたい」と知事は記者会見で語った。一方、タクシー業界からは"
    "「充電設備の整備が追いつかない」という声も上がっており、ジャーナリストの間でも意見は"
    "分かれている。"
)
NO_LINE_START = set("，。、」）！？：；』》〉】…—ー・”’ぁぃぅぇぉっゃゅょァィゥェォッャュョ")
NO_LINE_END = set("「（《『〈【“‘")
WIDTHS = [20, 31, 40, 57, 80]


def lines_of(paragraph: str, width: int) -> list[str]:
    return plain_text(html_to_rich(f"<p>{paragraph}</p>"), width=width).splitlines()


def check_filled(lines: list[str], width: int) -> None:
    """Every line but the last is full, unless the next line starts with a piece that cannot
    be split (a number, a Latin word) or a character carried down with the closing mark after
    it (a line may not start with the mark itself)."""
    for line, following in pairwise(lines):
        assert cell_len(line) <= width
        gap = width - cell_len(line)
        word = re.match(r"[A-Za-z0-9.,%]+", following)
        if word:
            assert gap <= cell_len(word.group()), (line, following)  # word + its space
        elif len(following) > 1 and following[1] in NO_LINE_START:
            assert gap <= 4, (line, following)
        else:
            assert gap <= 2, (line, following)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("paragraph", [CHINESE, JAPANESE], ids=["chinese", "japanese"])
def test_cjk_paragraph_fills_every_line(paragraph: str, width: int) -> None:
    lines = lines_of(paragraph, width)
    assert "".join(lines).replace(" ", "") == paragraph.replace(" ", "")  # nothing lost
    check_filled(lines, width)
    assert len(lines) <= cell_len(paragraph) // (width - 4) + 1


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("paragraph", [CHINESE, JAPANESE], ids=["chinese", "japanese"])
def test_cjk_lines_respect_the_punctuation_rules(paragraph: str, width: int) -> None:
    lines = lines_of(paragraph, width)
    for line in lines[1:]:
        assert line[0] not in NO_LINE_START, line
    for line in lines[:-1]:
        assert line[-1] not in NO_LINE_END, line


def test_doubled_dashes_and_ellipses_stay_together() -> None:
    text = "他说——这是最后一次——然后沉默了……很久很久……没有人再开口说话了。" * 3
    for width in range(12, 41):
        lines = lines_of(text, width)
        for line, following in pairwise(lines):
            for mark in "—…":
                assert not (line.endswith(mark) and following.startswith(mark)), (width, line)


def test_a_cjk_title_wraps_between_characters() -> None:
    title = "特斯拉一夜暴涨 283 亿美元，市值首次突破 6000 亿美元，分析人士称自动驾驶业务是关键"
    now = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    entry = Entry(
        id=1, feed_url="https://news.example/feed", guid="1", title=title,
        link="https://news.example/a", author=None, published_at=now, updated_at=None,
        first_seen_at=now, summary_html=None, content_html="<p>正文。</p>",
        feed_title="News",
    )  # fmt: skip
    for width in (24, 33, 50):
        lines = plain_lines(render_entry(entry).header, width)
        title_lines = lines[: next(i for i, line in enumerate(lines) if "News" in line)]
        assert "".join(title_lines).replace(" ", "") == title.replace(" ", "")
        check_filled(title_lines, width)
        assert not any(line[0] in NO_LINE_START for line in title_lines)


def test_latin_words_are_never_split_in_mixed_text() -> None:
    text = (
        "The exhibition in 東京 opens on Friday with photographs from seventeen countries and "
        "a restored projector that visitors may operate themselves under supervision."
    )
    words = set(text.split())
    for width in range(14, 60, 3):
        for line in lines_of(text, width):
            latin = {word for word in line.split() if word.isascii()}
            assert latin <= words, (width, line)


def test_text_without_cjk_wraps_exactly_as_rich_does() -> None:
    console = Console(file=io.StringIO(), width=200)
    text = Text(
        "  Indented first line, then a fairly long sentence with a verylongunbreakableword"
        "thatgoesonandon and more words after it.\nSecond line here."
    )
    for width in (7, 13, 25, 40):
        ours = [line.plain for line in wrap_text(text, console, width)]
        theirs = [line.plain for line in text.wrap(console, width, overflow="fold")]
        assert ours == theirs


def test_the_quick_check_agrees_with_the_pattern() -> None:
    """`_breakable` (a `max` before the pattern) says what the breakable-character class says,
    on texts of several alphabets, symbols and the edges of the CJK blocks."""
    import random

    from newstui.article.render._wrap import _BREAKABLE, _breakable

    pattern = re.compile(f"[{_BREAKABLE}]")
    pools = [
        "abc xyz 123 ,.;",
        "éàüßñø œ",
        "“quoted” — ‘dash’ … €",
        "Ελληνικά Кириллица עברית العربية",
        "\u2e7f\u2e80\u2fff\u3000\u303f\u4e00\u9fff\uac00\uff01\uffef\uffff",
        "東京都 公园 カタカナ ひらがな 한국어",
        "🙂🚀 \U00020000\U0003ffff\U00040000",
    ]
    rng = random.Random(11)
    for _ in range(3000):
        chosen = rng.sample(pools, rng.randint(1, 3))
        text = "".join(rng.choice(rng.choice(chosen)) for _ in range(rng.randint(0, 30)))
        assert _breakable(text) == bool(pattern.search(text)), repr(text)


def test_an_article_without_cjk_compiles_no_cjk_pattern() -> None:
    """The wrapper's CJK patterns (~10 ms to compile, on the way to the reader's first article)
    are compiled only when a text has a character they are about: not at import, not for Latin
    text with accents, curly quotes and dashes."""
    import subprocess
    import sys

    script = """
import re
compiled = []
real = re.compile
def compile(pattern, flags=0):
    if isinstance(pattern, str) and "\\u2e80" in pattern:
        compiled.append(pattern)
    return real(pattern, flags)
re.compile = compile
from rich.text import Text
from rich.console import Console
from newstui.article.render._wrap import wrap_text
console = Console(width=40)
wrap_text(Text("Café “naïve” — déjà vu… Ελληνικά, кириллица " * 5), console, 30)
print(len(compiled))
wrap_text(Text("東京都は十四日、新しい交通計画を発表した。" * 3), console, 30)
print(len(compiled))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert out == ["0", "2"]
