"""`newstui read URL [--full-text]`: print an article with the reader's own renderer.

Styled on a terminal, plain wrapped text when piped. A URL that is a stored entry's link uses
the store (and its cached full text); any other URL is fetched and its article extracted.
"""

from __future__ import annotations

import dataclasses
import io
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from rich.console import Console, Group

from newstui.article.compose import READING_WIDTH, render_entry
from newstui.article.render import plain_lines
from newstui.core.config import Config
from newstui.core.models import Entry
from newstui.core.text import clean_line
from newstui.core.timefmt import utc_now
from newstui.feeds.fulltext import fetch_page
from newstui.store import Store

PIPE_WIDTH = 80
"""Piped output is wrapped for an 80-column reader (pagers, mail, diffs)."""


async def read_command(
    config: Config, db_path: Path, url: str, *, full_text: bool, out: TextIO | None = None
) -> int:
    """Print the article at `url`; exit 1 (with one line on stderr) when there is none."""
    out = out or sys.stdout
    with Store(db_path) as store:
        entry_id = store.entry_id_for_link(url)
        entry = store.entry(entry_id) if entry_id is not None else None
        if entry is None or full_text:
            html, title, error = await _full_text(config, store, entry, url)
            if error is not None:
                print(f"newstui: {clean_line(url)}: {error}", file=sys.stderr)
                return 1
            entry = _with_body(entry, url, html or "", title)
    if out.isatty():
        article = render_entry(entry)
        width = min(shutil.get_terminal_size().columns, READING_WIDTH)
        styled = io.StringIO()
        Console(file=styled, width=width, highlight=False, force_terminal=True).print(
            Group(article.header, "", article.body)
        )
        page(styled.getvalue(), out)
    else:
        out.write(piped_text(entry))
    return 0


def page(text: str, out: TextIO) -> None:
    """Show `text` on the terminal through the user's pager, as git does: `$PAGER`, else
    `less` with LESS=FRX (quit if it fits one screen, keep colours, leave it on screen);
    PAGER=cat (or empty) or a missing pager prints it directly."""
    command = shlex.split(os.environ.get("PAGER", "less"))
    if not command or command[0] == "cat":
        out.write(text)
        return
    env = {**os.environ, "LESS": os.environ.get("LESS", "FRX")}
    try:
        subprocess.run(command, input=text, text=True, env=env, check=False)
    except OSError:
        out.write(text)


def piped_text(entry: Entry, width: int = PIPE_WIDTH) -> str:
    """The article as plain text wrapped at `width`, with the link list one URL per line
    (never folded, so each can be copied)."""
    article = render_entry(entry, list_links=False)
    text = "\n".join(plain_lines(Group(article.header, "", article.body), width)) + "\n"
    if article.links:
        text += "\nLinks\n" + "".join(f"[{n}] {url}\n" for n, url in enumerate(article.links, 1))
    return text


async def _full_text(
    config: Config, store: Store, entry: Entry | None, url: str
) -> tuple[str | None, str | None, str | None]:
    """(html, title, error) from the cache, else from the web (and then cached)."""
    if entry is not None:
        cached = store.full_text(entry.id)
        if cached is not None and cached.html:
            return cached.html, None, None
    page = await fetch_page(url, config.settings, typed_by_user=True)  # the user chose it
    if entry is not None:
        store.save_full_text(entry.id, url, html=page.html, error=page.error, now=utc_now())
    return page.html, page.title, page.error


def page_entry(url: str, html: str, title: str | None) -> Entry:
    """An entry for a web page that is not in the store (`newstui read` of any URL)."""
    now = utc_now()
    return Entry(
        id=0,
        feed_url=url,
        guid=url,
        title=title or url,
        link=url,
        author=None,
        published_at=now,
        updated_at=None,
        first_seen_at=now,
        summary_html=None,
        content_html=html,
        feed_title=urlsplit(url).hostname or url,
    )


def _with_body(entry: Entry | None, url: str, html: str, title: str | None) -> Entry:
    if entry is not None:
        return dataclasses.replace(entry, content_html=html, summary_html=None)
    return page_entry(url, html, title)
