"""Changing feeds.toml the way a careful person would: only the lines of the change move.

`newstui add`, `remove`, `import` and the reader's dialogs all edit through `FeedsFile`. The
file is edited as text: every comment, blank line, key order, quoting style and line ending
outside the changed `[[feeds]]` block stays byte for byte as it was. tomlkit (its only home)
renders the new values, so quoting and escaping are TOML's; a whole-document tomlkit round trip
is not used, because it moves `[[feeds]]` tables that sit after other tables and drops the
comments above a removed table's successor.

Every edit is checked before it is kept: the new text must load with `config.parse_config` and
give exactly the expected feed list, else nothing changes. `save()` writes atomically (a
temporary file in the same directory, fsync, rename, the file's permissions kept), writes through
a symlink to its target, and refuses when the file changed on disk since it was read. When the
file is the bundled starter list, the edit goes to a copy in the user config dir instead.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

import tomlkit

from newstui.core import paths
from newstui.core.atomic_file import atomic_write, locked
from newstui.core.config import Config, parse_config
from newstui.core.errors import ConfigError, ConfigWriteError
from newstui.core.models import FeedSpec
from newstui.core.toml_blocks import (
    FEEDS,
    Block,
    blank_lines_after,
    blank_lines_before,
    feed_blocks,
    line_end,
    line_start,
    style,
)
from newstui.core.tomlpos import Statement, statements


class _Keep:
    """The default of `FeedsFile.edit`'s fields: leave this one as it is."""


KEEP: Final = _Keep()


class FeedsFile:
    """One feeds.toml read for editing. Edits change `text`; nothing touches disk until `save`."""

    def __init__(self, source: Path, target: Path, raw: bytes, *, starter: bool) -> None:
        self.source = source
        """The file that was read (the bundled list, when `starter`)."""
        self.target = target
        """The file `save` writes: `source`, or the user's copy of the starter list."""
        self.starter = starter
        """True when the first save copies the bundled starter list to `target`."""
        self._raw = raw
        text = raw.decode("utf-8")  # the caller loaded it already: it is valid UTF-8 TOML
        self._bom = text.startswith("\ufeff")
        self.text = text.removeprefix("\ufeff")
        self._newline = "\r\n" if "\r\n" in self.text else "\n"
        self.config: Config = parse_config(target, self.text)

    @classmethod
    def open(cls, path: Path, *, user_config_dir: Path | None = None) -> FeedsFile:
        """Read `path` (the active feeds.toml) for editing.

        Raises:
            ConfigError: the file is unreadable or invalid: fix it before editing it.
        """
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise ConfigError(path, None, "", f"cannot read: {error.strerror or error}") from None
        if _same_file(path, paths.bundled_feeds_file()):
            target = (user_config_dir or paths.user_config_dir()) / "feeds.toml"
            return cls(path, target, raw, starter=True)
        return cls(path, Path(os.path.realpath(path)), raw, starter=False)

    @property
    def feeds(self) -> tuple[FeedSpec, ...]:
        return self.config.feeds

    def find(self, url: str) -> FeedSpec | None:
        return next((spec for spec in self.feeds if spec.url == url), None)

    # -- edits ----------------------------------------------------------------------------

    def add(self, *specs: FeedSpec) -> None:
        """Append a `[[feeds]]` table for each spec after the last feed (or at the end): one
        edit however many (an import of thousands checks the file once)."""
        known = {spec.url for spec in self.feeds}
        for spec in specs:
            if spec.url in known:
                raise ConfigWriteError(f"{self.target}: {spec.url} is already in the file")
            known.add(spec.url)
        if not specs:
            return
        blocks, inline = self._blocks()
        if inline is not None:
            new = self._edit_inline(
                inline, lambda array: [array.append(_inline_table(spec)) for spec in specs]
            )
        else:
            nl, text = self._newline, self.text
            indent, key_indent, literal = style(text, blocks[-1]) if blocks else ("", "", False)
            bodies = []
            for spec in specs:
                lines = [f"{indent}[[feeds]]"] + [
                    f"{key_indent}{key} = {_value(value, literal)}" for key, value in _fields(spec)
                ]
                bodies.append(nl + nl.join(lines) + nl)
            at = blocks[-1].end if blocks else len(text)
            head = text[:at]
            if head and not head.endswith("\n"):
                head += nl
            if not head:  # an empty file: no blank line above the first table
                bodies[0] = bodies[0].removeprefix(nl)
            new = head + "".join(bodies) + text[at:]
        self._accept(new, (*self.feeds, *specs))

    def remove(self, url: str) -> FeedSpec:
        """Delete the feed's table (and one blank line beside it); returns what it said."""
        spec = self._known(url)
        index = self.feeds.index(spec)
        blocks, inline = self._blocks()
        if inline is not None:
            new = self._edit_inline(inline, lambda array: array.__delitem__(index))
        else:
            # One blank-line separator goes with the table: the one before it (where `add`
            # puts one), or after it when the table opens the file.
            text, block = self.text, blocks[index]
            start = blank_lines_before(text, block.start)
            end = blank_lines_after(text, block.end) if block.start == 0 else block.end
            new = text[:start] + text[end:]
        self._accept(new, tuple(s for s in self.feeds if s.url != url))
        return spec

    def edit(
        self,
        url: str,
        *,
        title: str | _Keep | None = KEEP,
        tags: Sequence[str] | _Keep = KEEP,
        full_text: bool | _Keep = KEEP,
    ) -> None:
        """Change a feed's title, tags or full_text in place; None, () or False remove the key.
        Only the changed keys' text is replaced; a new key goes on its own line."""
        changes: dict[str, object] = {}
        if not isinstance(title, _Keep):
            changes["title"] = title
        if not isinstance(tags, _Keep):
            changes["tags"] = tags
        if not isinstance(full_text, _Keep):
            changes["full_text"] = full_text
        self.edit_all({url: changes})

    def edit_all(self, changes: Mapping[str, Mapping[str, object]]) -> None:
        """`edit` for many feeds in one go: {url: {"title": ..., "tags": ...}}."""
        feeds = list(self.feeds)
        index_of = {spec.url: i for i, spec in enumerate(feeds)}
        planned: dict[int, dict[str, object]] = {}
        for url, change in changes.items():
            if url not in index_of:
                raise ConfigWriteError(f"{self.target}: no feed {url}")
            index = index_of[url]
            clean = _clean_changes(change)
            expected = dataclasses.replace(feeds[index], **clean)  # type: ignore[arg-type]
            if expected != feeds[index]:
                feeds[index] = expected
                planned[index] = clean
        if not planned:
            return
        blocks, inline = self._blocks()
        if inline is not None:

            def change_all(array: object) -> None:
                for index in planned:
                    array[index] = _inline_table(feeds[index])  # type: ignore[index]

            new = self._edit_inline(inline, change_all)
        else:
            new = self.text
            # From the last table backwards: earlier offsets stay valid.
            for index in sorted(planned, key=lambda i: blocks[i].start, reverse=True):
                new = _edit_block(new, blocks[index], planned[index], self._newline)
        self._accept(new, tuple(feeds))

    def add_view(self, name: str, query: str) -> None:
        """Append a `[[views]]` table (a saved search) after the last one, or at the end."""
        text, nl = self.text, self._newline
        blocks = list(feed_blocks(text, statements(text), ("views",)))
        at = blocks[-1].end if blocks else len(text)
        head = text[:at]
        if head and not head.endswith("\n"):
            head += nl
        body = nl.join(["[[views]]", f"name = {_value(name)}", f"query = {_value(query)}"])
        self._accept(head + (nl if head else "") + body + nl + text[at:], self.feeds)

    # -- saving ---------------------------------------------------------------------------

    @property
    def changed(self) -> bool:
        return (("\ufeff" if self._bom else "") + self.text).encode() != self._raw

    def save(self) -> Path:
        """Write the edited text to `target` atomically; returns `target`.

        Raises:
            ConfigWriteError: the file changed on disk since it was read (another editor, a
                second newstui), the user's copy of the starter list appeared meanwhile, or the
                write failed. The file on disk is then as it was.
        """
        data = (("\ufeff" if self._bom else "") + self.text).encode()
        target = self.target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with locked(target):
                self._check_unchanged()
                mode = target.stat().st_mode & 0o7777 if target.exists() else 0o644
                atomic_write(target, data, mode)
        except OSError as error:
            raise ConfigWriteError(
                f"{target}: cannot write: {error.strerror or error}; nothing changed"
            ) from None
        self._raw, self.source, self.starter = data, target, False
        return target

    def _check_unchanged(self) -> None:
        if self.starter:
            if self.target.exists():
                raise ConfigWriteError(
                    f"{self.target}: appeared while newstui was editing a copy of the starter "
                    "list; nothing changed (run the command again to edit it)"
                )
            return
        try:
            now = self.target.read_bytes()
        except FileNotFoundError:
            now = None
        if now != self._raw:
            raise ConfigWriteError(
                f"{self.target}: changed on disk since newstui read it; not overwritten "
                "(run the command again)"
            )

    # -- helpers --------------------------------------------------------------------------

    def _known(self, url: str) -> FeedSpec:
        spec = self.find(url)
        if spec is None:
            raise ConfigWriteError(f"{self.target}: no feed {url}")
        return spec

    def _accept(self, new: str, expected: tuple[FeedSpec, ...]) -> None:
        """Keep `new` only if it loads and lists exactly `expected`: a safety net under the
        text surgery, so a bug cannot write a file that loses or changes other feeds."""
        try:
            config = parse_config(self.target, new)
        except ConfigError as error:
            raise ConfigWriteError(
                f"{self.target}: the edit was refused ({error.problem})"
            ) from None
        same_rest = config.settings == self.config.settings and dict(config.keymap) == dict(
            self.config.keymap
        )
        if config.feeds != expected or not same_rest:
            raise ConfigWriteError(
                f"{self.target}: the edit was refused (it would have changed other feeds)"
            )
        self.text, self.config = new, config

    def _blocks(self) -> tuple[list[Block], Statement | None]:
        """The `[[feeds]]` tables in order, or the `feeds = [...]` statement when the file
        writes its feeds as one inline array."""
        found = statements(self.text)
        inline = next((s for s in found if s.kind == "key" and s.table + s.names == FEEDS), None)
        if inline is not None:
            return [], inline
        return list(feed_blocks(self.text, found)), None

    def _edit_inline(self, statement: Statement, change: object) -> str:
        """Apply `change(array)` to the text of a `feeds = [...]` statement via tomlkit."""
        piece = self.text[statement.start : statement.end]
        document = tomlkit.parse(piece)
        change(document["feeds"])  # type: ignore[operator]
        return self.text[: statement.start] + tomlkit.dumps(document) + self.text[statement.end :]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _fields(spec: FeedSpec) -> list[tuple[str, object]]:
    """The keys a new table gets, in the order the starter list writes them."""
    fields: list[tuple[str, object]] = [("url", spec.url)]
    if spec.title:
        fields.append(("title", spec.title))
    if spec.tags:
        fields.append(("tags", list(spec.tags)))
    if spec.refresh_interval:
        fields.append(("refresh_interval", f"{int(spec.refresh_interval.total_seconds())}s"))
    if spec.user_agent:
        fields.append(("user_agent", spec.user_agent))
    if spec.full_text:
        fields.append(("full_text", True))
    return fields


def _value(value: object, literal: bool = False) -> str:
    """TOML text for a value; 'literal' strings when the file uses them and the value allows."""
    if isinstance(value, str):
        can = literal and "'" not in value and not any(ord(c) < 32 for c in value)
        return tomlkit.string(value, literal=can).as_string()
    return tomlkit.item(value).as_string()


def _inline_table(spec: FeedSpec) -> object:
    table = tomlkit.inline_table()
    table.update(dict(_fields(spec)))
    return table


_ORDER = ("url", "title", "tags", "refresh_interval", "user_agent", "full_text")


def _edit_block(text: str, block: Block, changes: dict[str, object], nl: str) -> str:
    """Replace, delete or add the changed keys of one table, from the end backwards so the
    earlier offsets stay valid."""
    edits: list[tuple[int, int, str]] = []
    _, key_indent, _ = style(text, block)
    for key, value in changes.items():
        present = block.keys.get(key)
        if present is not None:
            assignment = text[present.start : present.end]
            equals = assignment.index("=") + 1
            old_value = assignment[equals:].lstrip()
            value_start = present.start + len(assignment) - len(old_value)
            if value in (None, (), False):
                start = line_start(text, present.start)
                edits.append((start, line_end(text, present.end), ""))
            else:
                rendered = _value(_plain(value), old_value.startswith("'"))
                edits.append((value_start, present.end, rendered))
        elif value not in (None, (), False):
            earlier = [block.keys[k] for k in _ORDER[: _ORDER.index(key)] if k in block.keys]
            anchor = max((s.end for s in earlier), default=None)
            at = line_end(text, anchor) if anchor is not None else block.end
            line = f"{key_indent}{key} = {_value(_plain(value))}{nl}"
            if at == len(text) and not text.endswith("\n"):
                line = nl + line.removesuffix(nl)
            edits.append((at, at, line))
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _clean_changes(change: Mapping[str, object]) -> dict[str, object]:
    clean: dict[str, object] = {}
    for key, value in change.items():
        if key == "title":
            clean[key] = (str(value or "")).strip() or None
        elif key == "tags":
            tags = value if isinstance(value, list | tuple) else ()
            clean[key] = tuple(dict.fromkeys(str(t).strip() for t in tags if str(t).strip()))
        elif key == "full_text":
            clean[key] = bool(value)
        else:
            raise ValueError(f"cannot edit {key!r}")
    return clean


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value
