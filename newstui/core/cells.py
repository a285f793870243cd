"""Text measured in terminal cells: CJK and most emoji take two, combining marks none.

`len()` counts characters, so a Chinese title "fits" in 40 columns at 40 characters and then
takes 80 on screen. Plain tables written outside Textual (`newstui status`) measure with these.
"""

from __future__ import annotations

from rich.cells import cell_len, get_character_cell_size

__all__ = ["cell_len", "fit_cells", "pad_cells"]

_TRAILING = " ,;:-/\u2013\u2014\u00b7"  # and the dashes and the middle dot


def fit_cells(text: str, width: int) -> str:
    """`text` in at most `width` cells, ending at a word with "…" when it had to be cut.

    Inside a word the cut moves back to the last space when that keeps half of the
    width; otherwise (one long word, a URL) the word is cut. Wide (CJK) characters are words of
    their own, as in line breaking, and are never split.
    """
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    room, used, end = width - 1, 0, 0
    for index, char in enumerate(text):
        size = get_character_cell_size(char)
        if used + size > room:
            break
        used, end = used + size, index + 1
    head = text[:end]
    if head and _inside_word(head[-1], text[end]):
        space = head.rfind(" ")
        if space > 0 and cell_len(head[:space]) >= room // 2:
            head = head[:space]
    return head.rstrip(_TRAILING) + "…"


def _inside_word(before: str, after: str) -> bool:
    if before.isspace() or after.isspace():
        return False
    return get_character_cell_size(before) == 1 and get_character_cell_size(after) == 1


def pad_cells(text: str, width: int, *, right: bool = False) -> str:
    """`text` (already fitted) padded with spaces to exactly `width` cells."""
    gap = " " * max(width - cell_len(text), 0)
    return gap + text if right else text + gap
