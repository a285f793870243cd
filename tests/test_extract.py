"""Reader-mode extraction: the article stays, boilerplate goes, garbage becomes ParseError.

The pages in `tests/data/pages/` were written for these tests (none is copied from a real site
or from the shared corpus). Assertions read the article the way a user does: the extracted HTML
rendered to plain text by the article pane's own renderer.
"""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import pytest
from lxml import html as lxml_html

from newstui.article.extract import MAX_INPUT_BYTES, Extracted, extract_article
from newstui.article.merge import fill_gaps
from newstui.article.render import html_to_rich, plain_text
from newstui.core.errors import ParseError

PAGES = Path(__file__).parent / "data" / "pages"
NEWS_URL = "https://courier.example/news/2024/05/night-ferries"
BLOG_URL = "https://workbench.example/2023/11/receiver/"


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def shown(extracted: Extracted, url: str) -> str:
    """What the article pane shows for the extracted HTML, link list included."""
    return plain_text(html_to_rich(extracted.html, base_url=url), width=200, with_links=True)


@pytest.fixture(scope="module")
def news() -> tuple[Extracted, str]:
    extracted = extract_article(page("boilerplate.html"), NEWS_URL)
    return extracted, shown(extracted, NEWS_URL)


@pytest.fixture(scope="module")
def blog() -> tuple[Extracted, str]:
    extracted = extract_article(page("blog_boilerplate.html"), BLOG_URL)
    return extracted, shown(extracted, BLOG_URL)


# --- the article is kept ------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "After an absence of eleven winters, the overnight ferries",  # first paragraph
        "Two battery-electric vessels, built at the Kasund shipyard",  # text around a link
        "A timetable built around the last bus",  # subheading
        "We listened to the people who actually wait on the jetty in February.",  # quote
        "continue through an ordinary freeze.",  # last paragraph
    ],
)
def test_news_article_text_is_kept(news: tuple[Extracted, str], sentence: str) -> None:
    assert sentence in news[1]


@pytest.mark.parametrize(
    "sentence",
    [
        "The receiver arrived in a cardboard box",
        "I replaced every paper capacitor in the audio stage",
        "that is not a bad way to spend a second life.",
    ],
)
def test_blog_article_text_is_kept(blog: tuple[Extracted, str], sentence: str) -> None:
    assert sentence in blog[1]


# --- each piece of boilerplate is gone ----------------------------------------------------


@pytest.mark.parametrize(
    ("piece", "needle"),
    [
        ("cookie banner", "We use cookies"),
        ("cookie button", "Accept all cookies"),
        ("navigation", "Weather"),
        ("login link", "Log in"),
        ("share buttons", "Share on Facebook"),
        ("share by email", "Email this story"),
        ("newsletter heading", "The Morning Lake"),
        ("newsletter prompt", "Sign up for our morning newsletter"),
        ("newsletter form", "Subscribe"),
        ("read-more promo", "Bridge vote postponed"),
        ("share-your-story heading", "Share your story"),
        ("share-your-story trailer", "Send your videos and photos to us"),
        ("related heading", "Related articles"),
        ("related list", "Ice roads to close early"),
        ("sidebar", "Most read"),
        ("sidebar list", "Mayor opens new fish market"),
        ("advert", "Advertisement"),
        ("footer", "All rights reserved"),
        ("script", "TRACKER-SCRIPT-TEXT"),
        ("style", "font-family"),
    ],
)
def test_news_boilerplate_is_gone(news: tuple[Extracted, str], piece: str, needle: str) -> None:
    extracted, text = news
    assert needle not in text, piece
    assert needle not in extracted.html, piece


@pytest.mark.parametrize(
    ("piece", "needle"),
    [
        ("bold 'Related' heading", "Related"),
        ("related link list", "Building a simple valve tester"),
        ("share bar heading", "Share this"),
        ("share bar buttons", "Twitter"),
        ("like widget", "Like this"),
        ("like widget leftovers", "Loading"),
        ("related-posts grid", "Similar posts"),
        ("related-post excerpt", "crystal radio with two of my grandchildren"),
        ("share-your-story paragraph", "Share your story"),
        ("send-your-videos paragraph", "Send your videos and photos"),
        ("newsletter line", "Subscribe to our newsletter"),
    ],
)
def test_blog_boilerplate_is_gone(blog: tuple[Extracted, str], piece: str, needle: str) -> None:
    assert needle not in blog[1], piece


def test_filter_spares_a_wrapper_whose_class_looks_like_boilerplate() -> None:
    """A class word like "share" on the article's own container must not take the article."""
    paragraphs = "".join(
        f"<p>Paragraph {n} about the harbour works: the cranes, the divers and the tides that "
        f"decide when concrete can be poured into the new caisson walls.</p>"
        for n in range(6)
    )
    html = (
        "<html><head><title>Harbour works</title></head><body>"
        f'<div class="article share-enabled social"><h1>Harbour works</h1>{paragraphs}'
        "<p>Related to the tides, divers work only at slack water.</p></div></body></html>"
    )
    text = shown(extract_article(html, "https://example.com/h"), "https://example.com/h")
    assert "Paragraph 0 about the harbour works" in text
    assert "Paragraph 5 about the harbour works" in text
    assert "Related to the tides, divers work only at slack water." in text


def _review_with_box(box: str) -> str:
    """A review of a kettle whose article container ends with `box`."""
    paragraphs = "".join(
        f"<p>Day {n} with the copper kettle: it boiled a litre in four minutes, the handle "
        f"stayed cool and the whistle could be heard from the far end of the garden.</p>"
        for n in range(8)
    )
    return (
        "<html><head><title>A week with the copper kettle</title></head><body>"
        f'<div class="article-body"><h1>A week with the copper kettle</h1>{paragraphs}{box}'
        "</div></body></html>"
    )


def test_a_newsletter_box_with_prose_of_its_own_is_kept() -> None:
    """Readability.js keeps a `newsletter`-classed block: with paragraphs of its own (a paid
    newsletter's plans) it is part of the article as the reference reads it, and reader mode
    must not score below plain readability there. A one-line sign-up prompt still goes."""
    plans = "".join(
        f"<h2>{plan}</h2><p>{price} a {period}.</p><p>A plan for readers who {why}, with every "
        f"issue in the archive and the weekly letter on Sunday mornings.</p>"
        f'<a href="https://letters.example/checkout?plan={plan}"><button>SUBSCRIBE</button></a>'
        for plan, price, period, why in (
            ("Monthly", "$5", "month", "want to try it first and may cancel at any time"),
            ("Annual", "$50", "year", "know they will read it every single week"),
        )
    )
    box = (
        '<div class="newsletter-wrapper"><p>Sign up for Kettle Notes, a paid weekly letter '
        f"about small appliances that last.</p>{plans}</div>"
    )
    url = "https://review.example/kettle"
    text = shown(extract_article(_review_with_box(box), url), url)
    assert "Day 7 with the copper kettle" in text
    assert "Sign up for Kettle Notes" in text
    assert "with every issue in the archive" in text
    short = '<div class="newsletter-wrapper"><p>Get Kettle Notes every week.</p></div>'
    text = shown(extract_article(_review_with_box(short), url), url)
    assert "Day 7 with the copper kettle" in text
    assert "Get Kettle Notes" not in text


# --- metadata -----------------------------------------------------------------------------


def test_metadata_from_open_graph_and_meta(news: tuple[Extracted, str]) -> None:
    extracted, text = news
    assert extracted.title == "Night ferries return to the northern lakes"
    assert extracted.author == "Ingrid Holm"
    assert extracted.published == "2024-05-14T06:30:00+02:00"
    assert extracted.title not in text  # the header shows it; the body does not repeat it


def test_metadata_from_json_ld_graph(blog: tuple[Extracted, str]) -> None:
    extracted, _ = blog
    assert extracted.title == "Restoring a 1962 shortwave receiver"
    assert extracted.author == "Tomasz Wrona"
    assert extracted.published == "2023-11-02T18:05:00Z"


def test_title_falls_back_to_title_element_without_site_name() -> None:
    body = "<p>" + "A sentence of the article body that goes on. " * 10 + "</p>"
    html = f"<html><head><title>Lamps of the old lighthouse - Coast Weekly</title></head>{body}"
    assert extract_article(html, "https://example.com/x").title == "Lamps of the old lighthouse"


def test_result_is_a_frozen_value(news: tuple[Extracted, str]) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        news[0].title = "changed"  # type: ignore[misc]


# --- links, scripts, styles ---------------------------------------------------------------


def test_relative_links_and_images_are_resolved_against_the_url() -> None:
    url = "https://city.example/news/2024/trams/story.html"
    extracted = extract_article(page("links_and_scripts.html"), url)
    html = extracted.html
    assert 'href="https://city.example/about/history-society"' in html
    assert 'href="https://city.example/news/2024/archive/1931-map.html"' in html
    assert 'href="https://city.example/news/2024/trams/photos/index.html?page=2"' in html
    assert 'href="https://cdn.example.net/maps/market.png"' in html
    assert 'src="https://city.example/news/2024/trams/images/shelter.jpg"' in html
    assert 'href="/' not in html and 'href="../' not in html and 'src="images/' not in html


def test_links_into_the_page_itself_become_text() -> None:
    url = "https://city.example/news/2024/trams/story.html"
    extracted = extract_article(page("links_and_scripts.html"), url)
    text = shown(extracted, url)
    assert "asphalt[1]" in text  # the footnote mark stays, as text
    assert "#note-1" not in extracted.html
    assert "Click here to pre-order" in text  # a javascript: link, now plain text
    assert url not in text.split("Links:")[-1]


def test_scripts_styles_and_handlers_are_gone() -> None:
    extracted = extract_article(page("links_and_scripts.html"), "https://city.example/t")
    html = extracted.html.lower()
    for marker in ("inline-script-marker", "script-variable-marker", "style-text-marker"):
        assert marker not in html
    assert "noscript-marker" not in html
    for dangerous in ("<script", "<style", "onclick", "javascript:", "steal()"):
        assert dangerous not in html


# --- encodings ----------------------------------------------------------------------------


def test_latin1_declared_page_is_decoded_as_windows_1252() -> None:
    """Browsers read iso-8859-1 as windows-1252; the page uses €, curly quotes and a dash."""
    extracted = extract_article(page("cp1252.html"), "https://quay.example/cafe")
    text = shown(extracted, "https://quay.example/cafe")
    assert extracted.title == "Café culture on the quay"
    assert "smørrebrød, crème brûlée" in text
    assert "Zoë Sørensen" in text and "naïve" in text
    assert "€ 4" in text and "“reasonable for the view” – a view" in text  # noqa: RUF001
    assert "\ufffd" not in text


def test_charset_from_the_http_header_when_the_page_declares_none() -> None:
    body = "Привет, мир! Это короткая статья о зимней рыбалке на северных озёрах. " * 6  # noqa: RUF001
    html = f"<html><head><title>Рыбалка</title></head><body><p>{body}</p></body></html>"
    extracted = extract_article(
        html.encode("koi8-r"), "https://ru.example/a", content_type="text/html; charset=KOI8-R"
    )
    assert extracted.title == "Рыбалка"
    assert "зимней рыбалке на северных озёрах" in shown(extracted, "https://ru.example/a")


def test_valid_utf8_wins_over_a_stale_meta_charset() -> None:
    body = "这是一篇关于北方湖泊冬季渡轮的文章，内容足够长，可以作为正文。" * 4  # noqa: RUF001
    html = f'<html><head><meta charset="gb2312"><title>渡轮</title></head><body><p>{body}</p>'
    extracted = extract_article(html.encode("utf-8"), "https://cn.example/a")
    assert "北方湖泊冬季渡轮" in shown(extracted, "https://cn.example/a")


# --- hostile text -------------------------------------------------------------------------


def test_escape_sequences_and_controls_are_removed() -> None:
    hostile = page("boilerplate.html").decode("utf-8")
    hostile = hostile.replace(
        "Night ferries return to the northern lakes",
        "Night\x1b]0;owned-title\x07 ferries return\x1b[2J to the northern lakes",
    ).replace(
        "eleven winters",
        "eleven\x1b]52;c;Y2xpcGJvYXJk\x07 winters\x9b31m\x00\x1b[31m",
    )
    extracted = extract_article(hostile.encode("utf-8"), NEWS_URL)
    everything = extracted.title + extracted.html + shown(extracted, NEWS_URL)
    for bad in ("\x1b", "\x07", "\x9b", "\x00", "owned-title", "Y2xpcGJvYXJk", "[2J", "31m"):
        assert bad not in everything
    assert extracted.title == "Night ferries return to the northern lakes"
    assert "eleven winters" in shown(extracted, NEWS_URL)


def test_a_stray_c1_character_does_not_swallow_the_rest_of_the_page() -> None:
    """U+009D starts an 8-bit OSC string; left in, it would eat everything up to a terminator."""
    html = page("boilerplate.html").decode("utf-8").replace("eleven winters", "eleven\x9d winters")
    text = shown(extract_article(html, NEWS_URL), NEWS_URL)
    assert "eleven winters" in text
    assert "continue through an ordinary freeze." in text


# --- no article -----------------------------------------------------------------------------


def test_login_form_is_not_an_article() -> None:
    with pytest.raises(ParseError) as caught:
        extract_article(page("login.html"), "https://accounts.example/login")
    assert caught.value.kind == "no-article"
    assert str(caught.value) == "no readable article found on the page"


def test_a_page_of_links_is_not_an_article() -> None:
    links = "".join(
        f'<li><a href="/story/{n}">Story number {n} of the day</a></li>' for n in range(40)
    )
    with pytest.raises(ParseError):
        extract_article(f"<html><body><ul>{links}</ul></body></html>", "https://example.com/")


@pytest.mark.parametrize(
    "garbage",
    [
        pytest.param(b"", id="empty"),
        pytest.param("", id="empty-str"),
        pytest.param(b"  \n\t ", id="whitespace"),
        pytest.param(b"<html></html>", id="empty-document"),
        pytest.param(b"<html><body><p>Hello.</p></body></html>", id="too-short"),
        pytest.param(os.urandom(100_000), id="random-bytes"),
        pytest.param(b"\x00" * 10_000, id="nul-bytes"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + os.urandom(20_000), id="pdf"),
        pytest.param(b'{"items": [1, 2, 3]}', id="json"),
        pytest.param(b"<div>" * 1_000_000, id="5MB-nested-divs"),
        pytest.param(b"<div>text " * 600_000, id="6MB-nested-divs-with-text"),
        pytest.param(b"<table><tr><td>" * 200_000, id="nested-tables"),
        pytest.param(b'<meta charset="base64"><p>\xff\xfe</p>', id="bytes-codec-label"),
        pytest.param(b'<meta charset="utf-7"><p>+ADw-script+AD4-alert(1)</p>', id="utf-7"),
        pytest.param(b'<?xml version="1.0" encoding="latin-1"?><p>x</p>', id="xml-declaration"),
        pytest.param("<p>\ud800 lone surrogate</p>", id="lone-surrogate"),
        pytest.param(b"\x1b]0;title\x07" * 1000, id="only-escape-sequences"),
    ],
)
def test_garbage_raises_only_parse_error(garbage: bytes | str) -> None:
    start = time.perf_counter()
    with pytest.raises(ParseError) as caught:
        extract_article(garbage, "https://example.com/page")
    assert caught.value.kind == "no-article"
    assert time.perf_counter() - start < 10  # generous: a hang, not a slow machine, fails this


def test_oversized_input_is_cut_not_rejected() -> None:
    html = page("boilerplate.html") + b"<!-- padding -->" + b" " * (MAX_INPUT_BYTES + 1_000_000)
    extracted = extract_article(html, NEWS_URL)
    assert "After an absence of eleven winters" in shown(extracted, NEWS_URL)


# --- tables -------------------------------------------------------------------------------


def test_table_header_cells_survive_extraction() -> None:
    """readability-lxml deletes cells whose class says "header" or "footer" (issue 11, defect
    5: a data table lost its whole header row); a table keeps every cell."""
    url = "https://harbour.example/2024/gauges"
    text = shown(extract_article(page("data_table.html"), url), url)
    for header in ("Readings logged", "Largest error", "Days offline"):
        assert header in text
    assert "Outer buoy" in text
    assert "all rights reserved" not in text  # the page's own footer div still goes


# --- two libraries: readability's article, filled from trafilatura's ----------------------

FIGURES_URL = "https://coast.example/2025/skarv"


def test_figures_readability_drops_are_put_back_in_place() -> None:
    """readability-lxml's cleaning drops both photos and their captions from this page;
    trafilatura keeps them, and they go back where they were, between the same paragraphs."""
    extracted = extract_article(page("figures.html"), FIGURES_URL)
    text = shown(extracted, FIGURES_URL)
    order = [
        "This winter is the last.",
        "[image: The lighthouse on Skarv Point at dusk, its lamp already lit]",
        "Skarv Point at dusk: the lamp is lit by hand",
        "“People think it is lonely work,”",
        "The lens itself, a first-order Fresnel lens",
        "[image: A page of the keepers' ledger from the storm of 1953]",
        "The ledger for the night of the storm of 1953",
        "What the keepers will miss most",
    ]
    positions = [text.find(piece) for piece in order]
    assert -1 not in positions, [p for p, at in zip(order, positions, strict=True) if at < 0]
    assert positions == sorted(positions)
    assert "https://coast.example/img/ledger.jpg" in text  # the image's link, made absolute


def test_what_readability_rules_out_by_class_is_not_put_back() -> None:
    """An embedded tweet (class "twitter-tweet") is ruled out by readability before it scores
    anything, as Readability.js does; trafilatura would keep it, but does not get to."""
    text = shown(extract_article(page("figures.html"), FIGURES_URL), FIGURES_URL)
    assert "Wish us calm seas" not in text
    assert "Coast Weekly. All rights reserved." not in text
    assert "Weather" not in text


def _tree(html: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(html, create_parent="div")


_STORY = [
    "The ferry left the quay at six, two hours late, with forty passengers aboard.",
    "Ice had closed the northern channel overnight and the captain waited for daylight.",
    "By noon the wind dropped and the crossing ended without further trouble.",
]


def _paragraph(n: int) -> str:
    return f"<p>{_STORY[n - 1]}</p>"


def test_only_blocks_between_agreed_passages_are_filled_in() -> None:
    ours = _tree(_paragraph(1) + _paragraph(2) + _paragraph(3))
    theirs = _tree(
        "<p>A teaser for another story, before the article.</p>"
        + _paragraph(1)
        + "<p>A caption readability dropped, between one and two.</p>"
        + _paragraph(2)
        + _paragraph(3)
        + "<p>Read next: a list of other stories after the article.</p>"
    )
    assert fill_gaps(ours, theirs, "https://example.com/") == 1
    texts = [p.text_content() for p in ours]
    assert texts[1] == "A caption readability dropped, between one and two."
    assert len(texts) == 4 and "teaser" not in " ".join(texts) and "Read next" not in texts[-1]


def test_the_edges_come_from_trafilatura_when_readability_chose_a_part_of_the_article() -> None:
    """On a page laid out in tables readability can pick one cell: the story alone. When
    trafilatura's article holds all of it and more than twice its words, what trafilatura has
    before and after the story is the rest of the article, and it comes in, in order."""
    before = [
        "<p>Fables for every day of the year, read aloud in the evening by the fire.</p>",
        "<p>Today's fable comes from the old collection the harbour school still uses.</p>",
    ]
    after = [
        "<p>The moral: wanting what another holds costs you what you already have.</p>",
        "<p>Tomorrow's fable: the fox and the crow, with pictures by the pupils themselves.</p>",
        "<p>Every fable of this month, one a day, with the ones from the years before it.</p>",
    ]
    ours = _tree(_paragraph(1) + _paragraph(2))
    theirs = _tree("".join(before) + _paragraph(1) + _paragraph(2) + "".join(after))
    assert fill_gaps(ours, theirs, "https://example.com/") == 5
    expected = [_tree(block)[0].text_content() for block in before]
    expected += _STORY[:2] + [_tree(block)[0].text_content() for block in after]
    assert [p.text_content() for p in ours] == expected


def test_an_image_described_by_text_already_there_comes_back_without_the_description() -> None:
    ours = _tree(_paragraph(1) + _paragraph(2))
    theirs = _tree(
        _paragraph(1)
        + '<img src="https://example.com/a.jpg" alt="The ferry left the quay at six">'
        + '<img src="https://example.com/b.jpg" alt="A harbour crane at night">'
        + _paragraph(2)
    )
    assert fill_gaps(ours, theirs, "https://example.com/") == 2
    images = list(ours.iter("img"))
    assert [image.get("alt") for image in images] == [None, "A harbour crane at night"]


def test_filling_leaves_an_article_alone_when_there_is_nothing_to_agree_on() -> None:
    ours = _tree(_paragraph(1))
    theirs = _tree("<p>Something else entirely, about another subject.</p>")
    assert fill_gaps(ours, theirs, "https://example.com/") == 0
    assert len(ours) == 1


def test_only_an_h1_or_h2_repeating_the_title_is_dropped() -> None:
    body = "".join(f"<p>{sentence} {sentence}</p>" for sentence in _STORY)
    for tag, kept in (("h1", False), ("h2", False), ("h3", True)):
        html = (
            "<html><head><title>Winter crossings</title></head><body><article>"
            f"<{tag}>Winter crossings</{tag}>{body}</article></body></html>"
        )
        text = shown(extract_article(html, "https://example.com/w"), "https://example.com/w")
        assert ("Winter crossings" in text) is kept, tag
