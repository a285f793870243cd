"""Moving in from newsboat: its `urls` file and the entries of its `cache.db`.

`urls` lines are `URL tag "tag with spaces" "~Custom title" ...`; tags starting with `!` hide a
feed in newsboat (imported all the same, and noted); `query:` feeds become saved views
(`[[views]]`) when their filter has a newstui query (`newstui.feeds.newsboat_query`), else they
are listed as skipped, as are `exec:` and `filter:` lines (newsboat features newstui lacks).

The entries of `cache.db` keep their identity: newstui's `guid` for an entry is the feed's guid,
else its link (`newstui.feeds.parse`). newsboat stores the feed's guid too, but for entries
without one it stores link + the raw date text; that suffix is taken off again, so a refresh
after the import finds each entry under the guid it already has, and neither duplicates it nor
resets its read state.
"""

from __future__ import annotations

import hashlib
import shlex
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from newstui.core.config import normalize_url
from newstui.core.htmlclean import sanitize_html
from newstui.core.models import Enclosure, ParsedEntry
from newstui.core.text import clean_line
from newstui.feeds.imports import ImportedFeed, ImportList
from newstui.feeds.parse import MAX_ID_LENGTH
from newstui.store import ImportedEntry, NewsboatCache, NewsboatItem

_UNSUPPORTED = ("exec:", "filter:")


def parse_urls(path: Path, text: str) -> ImportList:
    """The feeds of a newsboat `urls` file; broken lines are listed in `problems`."""
    found = ImportList(path, "newsboat urls")
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"line {number}"
        try:
            words = shlex.split(line, comments=False, posix=True)
        except ValueError as error:  # an unclosed quote
            found.problems.append(f"{where}: cannot read ({error}), skipped")
            continue
        if not words:
            continue
        target, tags = words[0], words[1:]
        lowered = target.lower()
        if lowered.startswith("query:"):
            _, name, expression = [*target.split(":", 2), "", ""][:3]
            found.views.append((where, clean_line(name, limit=200), expression))
            continue
        if lowered.startswith(_UNSUPPORTED):
            kind = lowered.split(":", 1)[0]
            found.skipped.append(f"{where}: {kind}: feeds are not supported ({line[:120]})")
            continue
        url = normalize_url(target)
        if url is None or not url.startswith(("http://", "https://")):
            found.problems.append(f"{where}: not an http(s) URL: {target[:200]!r}, skipped")
            continue
        title, kept, hidden = None, [], False
        for tag in tags:
            if tag.startswith("~"):
                title = clean_line(tag[1:], limit=200) or None
            elif tag.startswith("!"):
                hidden = True
            elif clean_line(tag):
                kept.append(clean_line(tag, limit=200))
        note = "hidden in newsboat (a ! tag): imported and shown" if hidden else None
        found.add(ImportedFeed(url, title, tuple(dict.fromkeys(kept)), note), where)
    return found


def newsboat_files(env: Mapping[str, str], home: Path | None = None) -> list[Path]:
    """Where newsboat keeps `urls` and `cache.db`: `~/.newsboat/` when it exists, else the XDG
    config and data directories (newsboat's own order). Only files that exist."""
    home = home or Path(env.get("HOME") or Path.home())
    dotdir = home / ".newsboat"
    if dotdir.is_dir():
        candidates = [dotdir / "urls", dotdir / "cache.db"]
    else:
        config = Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "newsboat"
        data = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share") / "newsboat"
        candidates = [config / "urls", data / "cache.db"]
    return [path for path in candidates if path.is_file()]


def cache_entries(cache: NewsboatCache) -> dict[str, list[ImportedEntry]]:
    """newsboat's stored items per (normalized) feed URL, with their read and flag state:
    any flag (newsboat's one-letter marks) makes a bookmark."""
    out: dict[str, list[ImportedEntry]] = {}
    for item in cache.items:
        feed_url = normalize_url(item.feed_url)
        if feed_url is None or not feed_url.startswith(("http://", "https://")):
            continue
        entry = _entry(item)
        out.setdefault(feed_url, []).append(
            ImportedEntry(entry, read=not item.unread, bookmarked=bool(item.flags.strip()))
        )
    return out


def cache_feeds(cache: NewsboatCache) -> dict[str, tuple[str, str | None]]:
    """newsboat's `rss_feed` per normalized URL: (the feed's own title, its site URL)."""
    out: dict[str, tuple[str, str | None]] = {}
    for raw, (title, site) in cache.feeds.items():
        url = normalize_url(raw)
        if url:
            is_web = site.lower().startswith(("http://", "https://"))
            out[url] = (clean_line(title, limit=200), site if is_web else None)
    return out


def newstui_guid(item: NewsboatItem) -> str:
    """The guid newstui's parser gives the entry newsboat stored as `item`."""
    guid, link = item.guid, item.url
    if link and guid.startswith(link) and guid != link and _is_date(guid[len(link) :]):
        guid = link  # newsboat's fallback for entries without a guid: link + pubDate text
    guid = clean_line(guid, limit=100_000) or clean_line(link, limit=4000)
    if len(guid) > MAX_ID_LENGTH:
        return "sha1:" + hashlib.sha1(guid.encode()).hexdigest()
    return guid


def _is_date(text: str) -> bool:
    text = text.strip()
    if not text:
        return False
    try:
        parsedate_to_datetime(text)
        return True
    except (TypeError, ValueError, IndexError):
        pass
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


def _entry(item: NewsboatItem) -> ParsedEntry:
    link = item.url if item.url.lower().startswith(("http://", "https://")) else None
    published = datetime.fromtimestamp(item.published, UTC) if item.published > 0 else None
    enclosure = item.enclosure_url
    enclosures = (
        (Enclosure(enclosure, clean_line(item.enclosure_type, limit=100) or None),)
        if enclosure.lower().startswith(("http://", "https://"))
        else ()
    )
    return ParsedEntry(
        guid=newstui_guid(item),
        title=clean_line(item.title) or "(untitled)",
        link=link,
        author=clean_line(item.author, limit=200) or None,
        published_at=published,
        updated_at=None,
        summary_html=None,
        content_html=sanitize_html(item.content, link or item.feed_url) or None
        if item.content.strip()
        else None,
        enclosures=enclosures,
    )
