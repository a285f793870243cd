"""`[[views]]` and `[[filters]]` in feeds.toml: read into frozen objects, every mistake reported as
one `path:line: place: problem` line."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstui.core.config import load_config
from newstui.core.errors import ConfigError
from newstui.core.query import describe

GOOD = """\
[[feeds]]
url = "https://example.org/feed.xml"

[[views]]
name = "Rust"
query = "rust OR tag:rust"

[[filters]]
query = "title:sponsored"
action = "hide"

[[filters]]
query = 'author:"Ada Lovelace"'
tag = "ada"
"""


def _load(tmp_path: Path, text: str):
    path = tmp_path / "feeds.toml"
    path.write_text(text, "utf-8")
    return load_config(path)


def test_views_and_filters_are_read_in_order(tmp_path: Path) -> None:
    config = _load(tmp_path, GOOD)
    [view] = config.views
    assert (view.name, view.query, describe(view.node)) == (
        "Rust",
        "rust OR tag:rust",
        "OR(word:rust, tag:rust)",
    )
    hide, tag = config.filters
    assert (hide.action, hide.tag, hide.key) == ("hide", None, "title:sponsored → hide")
    assert (tag.action, tag.tag, tag.key) == ("tag", "ada", 'author:"Ada Lovelace" → tag ada')


ERRORS = [
    (
        '[[views]]\nname = "x"\nquery = \'rust "async\'\n',
        3,
        "views[1].query: column 6: unclosed quote",
    ),
    ('[[views]]\nquery = "rust"\n', 1, "views[1]: missing required key 'name'"),
    ('[[views]]\nname = "x"\nquery = "a"\nsort = "date"\n', 4, "views[1]: unknown key 'sort'"),
    (
        '[[views]]\nname = "A"\nquery = "a"\n[[views]]\nname = "a"\nquery = "b"\n',
        5,
        "views[2].name: a view named 'a' is already defined",
    ),
    ('views = "rust"\n', 1, "views: expected [[views]] tables with 'name' and 'query'"),
    (
        '[[filters]]\nquery = "ads"\naction = "delete"\n',
        3,
        'filters[1].action: expected one of "mark-read", "hide", "bookmark", not \'delete\'',
    ),
    (
        '[[filters]]\nquery = "ads"\n',
        1,
        'filters[1]: needs either an action ("mark-read", "hide", "bookmark") or a tag',
    ),
    (
        '[[filters]]\nquery = "ads"\naction = "hide"\ntag = "x"\n',
        1,
        'filters[1]: needs either an action ("mark-read", "hide", "bookmark") or a tag',
    ),
    ('[[filters]]\naction = "hide"\n', 1, "filters[1]: missing required key 'query'"),
    (
        '[[filters]]\nquery = "is:nope"\naction = "hide"\n',
        2,
        "filters[1].query: column 1: is: takes unread, read, bookmarked, hidden",
    ),
    ('[[filters]]\nquery = ""\naction = "hide"\n', 2, "filters[1].query: must not be empty"),
    ('[[filters]]\nquery = "x"\ntag = 3\n', 3, "filters[1].tag: expected a string, not 3"),
]


@pytest.mark.parametrize(("text", "line", "message"), ERRORS)
def test_mistakes_name_file_line_and_problem(tmp_path: Path, text: str, line: int, message: str):
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    assert str(caught.value) == f"{tmp_path / 'feeds.toml'}:{line}: {message}"


def test_the_bundled_examples_are_valid(tmp_path: Path) -> None:
    """The [[views]] and [[filters]] examples of the bundled feeds.toml, uncommented, load."""
    text = (Path(__file__).parents[1] / "feeds.toml").read_text("utf-8")
    block = text[text.index("# Saved searches") : text.index("# Each feed")]
    examples = [line[4:] for line in block.splitlines() if line.startswith("#   ")]
    config = _load(tmp_path, "\n".join(examples) + "\n")
    assert [v.name for v in config.views] == ["Rust this week"]
    assert [(f.action, f.tag) for f in config.filters] == [("hide", None), ("tag", "ada")]
