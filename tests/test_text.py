"""Text from strangers is made terminal-safe: escape sequences out, every script left intact.

A title that survives with an escape sequence in it can retitle the window, clear the screen or
write the user's clipboard (OSC 52) the moment it is shown; a cleaner that is too eager mangles
Arabic, Hebrew, CJK or emoji headlines. Both are visible to the user.
"""

from __future__ import annotations

import pytest

from newstui.core.text import clean_block, clean_line, strip_controls

ESC = "\x1b"
BEL = "\x07"
ST = ESC + "\\"

HOSTILE = {
    "CSI colour": f"Breaking{ESC}[31;1m news{ESC}[0m",
    "CSI clear screen": f"Breaking{ESC}[2J{ESC}[H news",
    "CSI private mode": f"Breaking{ESC}[?1049h news",
    "OSC title, BEL": f"Breaking{ESC}]0;pwned{BEL} news",
    "OSC title, ST": f"Breaking{ESC}]2;pwned{ST} news",
    "OSC 52 clipboard, BEL": f"Breaking{ESC}]52;c;cm0gLXJmIH4={BEL} news",
    "OSC 52 clipboard, ST": f"Breaking{ESC}]52;c;cm0gLXJmIH4={ST} news",
    "OSC 8 hyperlink": f"Breaking{ESC}]8;;https://evil.example{ST} news{ESC}]8;;{ST}",
    "8-bit CSI": "Breaking\x9b31m news",
    "8-bit OSC": "Breaking\x9d0;pwned\x9c news",
    "DCS": f"Breaking{ESC}P1$r0m{ST} news",
    "8-bit DCS": "Breaking\x90q#0;2;0;0;0\x9c news",
    "APC": f"Breaking{ESC}_Gf=100;AAAA{ST} news",
    "RIS reset": f"Breaking{ESC}c news",
    "charset select": f"Breaking{ESC}(0 news",
    "C0 controls": "Break\x00\x08ing\x7f news",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_clean_line_removes_whole_escape_sequences(text: str) -> None:
    cleaned = clean_line(text)
    assert cleaned == "Breaking news"


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_clean_block_removes_whole_escape_sequences(text: str) -> None:
    assert clean_block(text) == "Breaking news"


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_strip_controls_removes_sequences_for_html(text: str) -> None:
    cleaned = strip_controls(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in cleaned)
    assert "pwned" not in cleaned
    assert "evil" not in cleaned


def test_an_unterminated_osc_loses_its_escape_and_keeps_the_text() -> None:
    # Without ESC the rest is inert text; swallowing it could eat a whole article when
    # mangled text holds a stray introducer.
    cleaned = clean_line(f"Headline{ESC}]52;c;cm0gLXJmIH4= and more")
    assert ESC not in cleaned
    assert cleaned.startswith("Headline") and cleaned.endswith("and more")


def test_a_stray_c1_introducer_does_not_swallow_the_text() -> None:
    assert clean_line("caf\x9d and the rest of the story") == "caf and the rest of the story"


@pytest.mark.parametrize(
    "override",
    ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"],
)
def test_bidi_embeddings_overrides_and_isolates_are_removed(override: str) -> None:
    # "exe.txt" rendered backwards would disguise an executable as a text file.
    assert clean_line(f"invoice{override}txt.exe") == "invoicetxt.exe"
    assert clean_block(f"invoice{override}txt.exe") == "invoicetxt.exe"


@pytest.mark.parametrize(
    "text",
    [
        "مرحبا بالعالم",  # Arabic
        "שלום עולם",  # Hebrew
        "العدد \u200f123\u200f",  # RLM marks order numbers in RTL text: kept
        "\u200e(c) שלום",  # LRM: kept
        "東京で新しい駅が開業",  # Japanese
        "中文新闻标题",  # Chinese
        "한국어 뉴스",  # Korean
        "Launch day 🚀 👨\u200d👩\u200d👧\u200d👦 🇺🇦",  # emoji, ZWJ sequence, flag
        "Crème brûlée à la carte",  # precomposed accents
    ],
)
def test_scripts_and_emoji_are_intact(text: str) -> None:
    assert clean_line(text) == text
    assert clean_block(text) == text


def test_decomposed_accents_are_normalised_not_dropped() -> None:
    assert clean_line("Cafe\u0301") == "Café"


def test_clean_line_collapses_newlines_tabs_and_runs_of_spaces() -> None:
    assert clean_line("  First\nsecond\r\nthird\rfourth\t\tfifth   sixth  ") == (
        "First second third fourth fifth sixth"
    )


def test_clean_block_keeps_lines_and_paragraphs() -> None:
    text = "First line\r\nsecond line\n\nNew paragraph\twith a tab\rlast"
    assert clean_block(text) == "First line\nsecond line\n\nNew paragraph\twith a tab\nlast"


def test_clean_block_squeezes_many_blank_lines_and_trims() -> None:
    assert clean_block("\n\n  top\n\n\n\n\nbottom \n\n") == "top\n\nbottom"


@pytest.mark.parametrize("empty", [None, ""])
def test_nothing_in_nothing_out(empty: str | None) -> None:
    assert clean_line(empty) == ""
    assert clean_block(empty) == ""


def test_clean_line_caps_length_with_an_ellipsis() -> None:
    cleaned = clean_line("x" * 5000)
    assert len(cleaned) == 1000
    assert cleaned.endswith("…")
    assert clean_line("abcdefghijkl", limit=10) == "abcdefghi…"


def test_clean_line_under_or_at_the_cap_is_untouched() -> None:
    assert clean_line("abcdefghij", limit=10) == "abcdefghij"


def test_the_cap_counts_text_after_cleaning() -> None:
    # Escape sequences don't use up the budget, and no half sequence is left at the cut.
    text = f"{ESC}]0;{'a' * 50}{BEL}Headline"
    assert clean_line(text, limit=10) == "Headline"


def test_cap_does_not_leave_a_dangling_space_before_the_ellipsis() -> None:
    assert clean_line("abcd efghijkl", limit=6) == "abcd…"


def test_long_lines_are_cut_at_a_word() -> None:
    from newstui.core.text import cut_at_word

    message = "not a valid feed: line 3, column 7: invalid control character in a string value"
    cut = clean_line(message, limit=50)
    assert len(cut) <= 50 and cut.endswith("…")
    assert cut == "not a valid feed: line 3, column 7: invalid…"
    assert cut_at_word("x" * 80, 20) == "x" * 19 + "…"  # one long word: cut where it is
    assert cut_at_word("short", 20) == "short"


@pytest.mark.parametrize(
    "text",
    [
        "Plain ASCII title",
        "tab\tand\nnewline",
        "carriage\r\nreturn",
        "esc \x1b[31mred\x1b[0m",
        "bell\x07 and del\x7f",
        "nul\x00",
        "caf\u00e9 d\u00e9compos\u0065\u0301",
        "caf\u00e9 na\u00efve Z\u00fcrich \u00a0\u00bb",
        "caf\u00e9\x85 with a C1 control",
        "caf\u00e9 \x1b[31m",
        "caf\u00e9 \u2013 dash",
        "\u6f22\u5b57",
        "\u00e9\ud800",
        "\u202eevil",
        "c1 \x9b31m",
        "",
        " ",
        "<p>Some <a href='https://example.com/'>HTML</a></p>\n" * 50,
    ],
)
def test_plain_ascii_shortcut_gives_what_the_patterns_give(text: str) -> None:
    """The fast path for plain ASCII text returns what the full cleaning returns."""
    import re
    import unicodedata

    from newstui.core import text as module

    full = unicodedata.normalize("NFC", text)
    full = module._SEQUENCES.sub("", full).replace("\r\n", "\n").replace("\r", "\n")
    full = module._BIDI_OVERRIDES.sub("", module._CONTROLS.sub("", full))
    assert module._strip(text) == full
    expected = module._CONTROLS.sub("", module._SEQUENCES.sub("", text))
    assert strip_controls(text) == expected
    plain = not re.search(r"[^ -~\t\n\u00a0-\u00ff]", text)
    assert module._is_plain_latin1(text) == plain


def test_nfc_leaves_latin1_alone() -> None:
    """Why plain Latin-1 text may skip normalization: no character or pair of them changes."""
    import unicodedata

    chars = [chr(c) for c in [*range(0x20, 0x7F), *range(0xA0, 0x100)]]
    for a in chars:
        for b in chars:
            assert unicodedata.normalize("NFC", a + b) == a + b
