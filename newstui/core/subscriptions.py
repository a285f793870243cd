"""Which feed a name or an address means: shared by the commands and the reader's dialogs.

Pure: feed lists in, answers out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

from newstui.core.config import normalize_url
from newstui.core.models import FeedSpec


def web_address(raw: str) -> str | None:
    """`raw` as an http(s) URL; a bare `example.org/blog` means https."""
    text = raw.strip()
    if text and "://" not in text and not text.startswith("/"):
        text = "https://" + text
    url = normalize_url(text)
    return url if url and url.startswith(("http://", "https://")) else None


def split_tags(text: str) -> tuple[str, ...]:
    """Tags as typed in a dialog: comma-separated, spaces inside a tag kept."""
    return tuple(dict.fromkeys(tag.strip() for tag in text.split(",") if tag.strip()))


def url_key(url: str) -> str:
    """What two spellings of one feed address share: no scheme difference (http/https), no
    `www.`, no trailing slash, no fragment. For the "already subscribed" check only."""
    normal = normalize_url(url) or url.strip()
    parts = urlsplit(normal)
    host = (parts.hostname or "").removeprefix("www.")
    port = f":{parts.port}" if parts.port else ""
    path = parts.path.rstrip("/")
    return urlunsplit(("", host + port, path, parts.query, ""))


def already_subscribed(
    specs: Sequence[FeedSpec], urls: Iterable[str], moved: Mapping[str, str] | None = None
) -> FeedSpec | None:
    """The feed among `specs` that any of `urls` names, also through a recorded permanent
    redirect (`moved`: feed URL -> where it moved) or an http/https variant; else None."""
    keys = {url_key(url) for url in urls if url}
    for spec in specs:
        known = {url_key(spec.url)}
        if moved and moved.get(spec.url):
            known.add(url_key(moved[spec.url]))
        if known & keys:
            return spec
    return None


def match_feeds(
    specs: Sequence[FeedSpec], name: str, titles: Mapping[str, str] | None = None
) -> list[FeedSpec]:
    """The feeds `name` means: its URL, else its title (any case), else the feeds whose title
    or URL start with it. More than one means the name is ambiguous. `titles` gives the feeds'
    own titles (from the store) for feeds whose `title` feeds.toml does not set."""
    titles = titles or {}

    def title(spec: FeedSpec) -> str:
        return (spec.title or titles.get(spec.url) or "").casefold()

    wanted = name.strip()
    if not wanted:
        return []
    normal = normalize_url(wanted)
    exact = [s for s in specs if s.url in (wanted, normal)]
    if exact:
        return exact
    lowered = wanted.casefold()
    titled = [s for s in specs if title(s) == lowered]
    if titled:
        return titled
    return [
        s for s in specs if title(s).startswith(lowered) or s.url.casefold().startswith(lowered)
    ]
