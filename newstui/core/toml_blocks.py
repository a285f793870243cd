"""Where the tables of a TOML text sit, as offsets: for editing a file in place.

Pure text: `newstui.core.config_writer` decides what to change, this module only says where.
Built on `newstui.core.tomlpos.statements`, which skips over strings and multi-line values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from newstui.core.tomlpos import Statement

FEEDS = ("feeds",)


@dataclasses.dataclass(frozen=True, slots=True)
class Block:
    """Where one `[[feeds]]` table sits in the text."""

    start: int
    """Start of the header's line."""
    end: int
    """Just past its last line: keys, their comments, comment lines right after them."""
    keys: dict[str, Statement]


def feed_blocks(
    text: str, found: list[Statement], names: tuple[str, ...] = FEEDS
) -> Iterator[Block]:
    """The tables of the array of tables `names` (`[[feeds]]`), in order."""
    headers = [i for i, s in enumerate(found) if s.kind != "key"]
    for position, i in enumerate(headers):
        header = found[i]
        if header.kind != "array" or header.names != names:
            continue
        stop = headers[position + 1] if position + 1 < len(headers) else len(found)
        keys = {s.names[0]: s for s in found[i + 1 : stop] if len(s.names) == 1}
        last = found[stop - 1].end if stop - 1 > i else header.end
        end = line_end(text, last)
        limit = line_start(text, found[stop].start) if stop < len(found) else len(text)
        # Comment lines right after the keys belong to the table (`# full_text = true`),
        # unless they sit right on the next header, which they then describe.
        cursor = end
        while cursor < limit and text[cursor : line_end(text, cursor)].lstrip().startswith("#"):
            cursor = line_end(text, cursor)
        if cursor >= limit and stop < len(found):
            cursor = end
        yield Block(line_start(text, header.start), cursor, keys)


def line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def line_end(text: str, offset: int) -> int:
    """Offset just past the newline ending the line at `offset` (or the text's end)."""
    newline = text.find("\n", offset)
    return len(text) if newline < 0 else newline + 1


def blank_lines_after(text: str, offset: int) -> int:
    while offset < len(text) and not text[offset : line_end(text, offset)].strip():
        offset = line_end(text, offset)
    return offset


def blank_lines_before(text: str, offset: int) -> int:
    while offset > 0:
        start = line_start(text, offset - 1)
        if text[start:offset].strip():
            break
        offset = start
    return offset


def style(text: str, block: Block) -> tuple[str, str, bool]:
    """The last table's header indent, key indent and whether its URL is a 'literal' string,
    so a new table looks like its neighbours."""
    header = text[block.start : line_end(text, block.start)]
    indent = header[: len(header) - len(header.lstrip())]
    url = block.keys.get("url")
    if url is None:
        return indent, indent, False
    key_line = text[line_start(text, url.start) : url.start]
    value = text[url.start : url.end].split("=", 1)[1].lstrip()
    return indent, key_line if not key_line.strip() else indent, value.startswith("'")
