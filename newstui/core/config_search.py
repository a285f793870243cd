"""The `[[views]]` and `[[filters]]` tables of feeds.toml (issue 13), checked by `config`.

```toml
[[views]]                       # listed under the smart views, with an unread count
name = "Rust"
query = "rust OR tag:rust -is:read"

[[filters]]                     # applied, in order, to each new entry as it is stored
query = "title:sponsored OR feed:ads"
action = "hide"                 # "mark-read", "hide" or "bookmark"
[[filters]]
query = "author:\"Ada Lovelace\""
tag = "ada"                     # or give the entry a tag instead of an action
```

Queries are parsed here, once, so a bad query is reported like any other mistake in the file:
`feeds.toml:14: filters[2].query: column 7: unclosed quote`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newstui.core.config import _Checker
    from newstui.core.query import Node

VIEW_KEYS = ("name", "query")
FILTER_KEYS = ("query", "action", "tag")
ACTIONS = ("mark-read", "hide", "bookmark")
MAX_VIEWS = 100
MAX_FILTERS = 200


@dataclass(frozen=True, slots=True)
class SavedView:
    """One `[[views]]` table: a named query shown as a list of entries."""

    name: str
    query: str
    node: Node


@dataclass(frozen=True, slots=True)
class Filter:
    """One `[[filters]]` table: what to do with each new entry the query matches."""

    query: str
    action: str
    """`mark-read`, `hide`, `bookmark`, or `tag` (then `tag` names the tag)."""
    node: Node
    tag: str | None = None

    @property
    def key(self) -> str:
        """How `status` names the filter, and how its catch count is kept: query and action,
        so reordering the filters keeps every count."""
        what = f"tag {self.tag}" if self.action == "tag" else self.action
        return f"{self.query} → {what}"


def check_views(checker: _Checker, value: object) -> tuple[SavedView, ...]:
    tables = _tables(checker, value, "views", "[[views]] tables with 'name' and 'query'")
    views: list[SavedView] = []
    names: dict[str, int] = {}
    for index, table in enumerate(tables):
        path = ("views", index)
        checker.known_keys(table, path, VIEW_KEYS)
        for key in VIEW_KEYS:
            if key not in table:
                checker.fail(path, f"missing required key '{key}'")
        name = checker.text_line(table["name"], (*path, "name"))
        first = names.setdefault(name.casefold(), index)
        if first != index:
            checker.fail((*path, "name"), f"a view named {name!r} is already defined")
        query, node = _query(checker, table["query"], (*path, "query"))
        views.append(SavedView(name, query, node))
    return tuple(views)


def check_filters(checker: _Checker, value: object) -> tuple[Filter, ...]:
    tables = _tables(checker, value, "filters", "[[filters]] tables with 'query' and 'action'")
    filters: list[Filter] = []
    for index, table in enumerate(tables):
        path = ("filters", index)
        checker.known_keys(table, path, FILTER_KEYS)
        if "query" not in table:
            checker.fail(path, "missing required key 'query'")
        query, node = _query(checker, table["query"], (*path, "query"))
        if ("action" in table) == ("tag" in table):
            checker.fail(path, 'needs either an action ("mark-read", "hide", "bookmark") or a tag')
        if "tag" in table:
            tag = checker.text_line(table["tag"], (*path, "tag"))
            filters.append(Filter(query, "tag", node, tag))
            continue
        action = checker.string(table["action"], (*path, "action"))
        if action not in ACTIONS:
            choices = ", ".join(f'"{a}"' for a in ACTIONS)
            checker.fail((*path, "action"), f"expected one of {choices}, not {action!r}")
        filters.append(Filter(query, action, node))
    return tuple(filters)


def _tables(checker: _Checker, value: object, key: str, expected: str) -> list[dict[str, Any]]:
    limit = MAX_VIEWS if key == "views" else MAX_FILTERS
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        checker.fail((key,), f"expected {expected}")
    if len(value) > limit:
        checker.fail((key, limit), f"at most {limit} [[{key}]] tables")
    return value


def _query(checker: _Checker, value: object, path: tuple[str | int, ...]) -> tuple[str, Node]:
    # Imported here: the reader's launch builds these classes from its kept copy of feeds.toml
    # (`newstui.core.config_copy`) without parsing a query, and the parser is ~20 ms to import.
    from newstui.core.query import QueryError, parse_query

    query = checker.text_line(value, path)
    try:
        return query, parse_query(query)
    except QueryError as error:
        checker.fail(path, str(error))
