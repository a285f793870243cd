"""`newstui doctor`: check the database, and rebuild it when it is damaged.

The check is SQLite's own integrity check. A damaged file is rebuilt from every row SQLite can
still read (`newstui.store.recover`): read marks and bookmarks in readable pages survive; the
damaged file is kept beside the new one. Feeds come back from feeds.toml at the next start, and
entries lost with unreadable pages come back with the next refresh, as unread.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from newstui.core.timefmt import utc_now
from newstui.store.recover import check, recover


def doctor_command(db_path: Path, *, out: TextIO | None = None) -> int:
    """Check `db_path` and rebuild it if damaged; 0 when it is (now) usable."""
    out = out or sys.stdout
    if not db_path.exists():
        print(f"{db_path}: no database yet; nothing to check", file=out)
        return 0
    verdict = check(db_path)
    if verdict.ok:
        print(f"{db_path}: ok (SQLite's integrity check found no problem)", file=out)
        return 0
    more = len(verdict.problems) - 1
    also = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
    print(f"{db_path}: damaged: {verdict.problems[0]}{also}", file=out)
    print("Rebuilding it from every row that can still be read...", file=out, flush=True)
    done = recover(db_path, now=utc_now())
    print(
        f"Kept {done.entries} entries ({done.read} read, {done.bookmarks} bookmarked) "
        f"of {done.feeds} feeds"
        + (f"; {done.skipped_ranges} unreadable parts skipped." if done.skipped_ranges else "."),
        file=out,
    )
    print(f"The damaged file is kept as {done.damaged_copy}", file=out)
    return 0
