"""Restyling the parts of a line that a search matched. Presentational: the screen hands the
widgets a `Marker` (text -> spans); no query or store here."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from rich.segment import Segment
from rich.style import Style

Marker = Callable[[str], Sequence[tuple[int, int]]]
"""The [start, end) character spans of a text to show as matches."""


def mark_segments(segments: Sequence[Segment], marker: Marker, style: Style) -> list[Segment]:
    """`segments` with the characters `marker` finds in their joined text restyled."""
    spans = marker("".join(segment.text for segment in segments if not segment.control))
    if not spans:
        return list(segments)
    out: list[Segment] = []
    position = 0
    for segment in segments:
        if segment.control:
            out.append(segment)
            continue
        start, end = position, position + len(segment.text)
        position = end
        cuts = sorted(
            {start, end, *(min(end, max(start, edge)) for span in spans for edge in span)}
        )
        for left, right in itertools.pairwise(cuts):
            piece = segment.text[left - start : right - start]
            inside = any(s <= left and right <= e for s, e in spans)
            base = segment.style or Style()
            out.append(Segment(piece, base + style if inside else segment.style))
    return out
