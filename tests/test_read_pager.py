"""newstui read on a terminal: through the pager."""

from __future__ import annotations

from datetime import UTC, datetime

NOW = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)


def test_read_on_a_terminal_goes_through_the_pager(tmp_path, monkeypatch) -> None:
    """Rough edge: `newstui read` on a terminal pages its output through $PAGER, like git."""
    import asyncio
    import io
    import sys

    from newstui.commands.read import read_command
    from newstui.core.config import Config, Settings
    from newstui.core.models import FeedSpec, ParsedEntry, ParsedFeed
    from newstui.store import Store

    feed = "https://tech.example/feed.xml"
    db = tmp_path / "n.db"
    with Store(db) as store:
        store.sync_feeds([FeedSpec(feed)], now=NOW)
        story = ParsedEntry(
            guid="1",
            title="Paged story",
            link="https://tech.example/1",
            content_html="<p>Body of the paged story.</p>",
        )
        store.save_fetch(
            feed,
            ParsedFeed("rss20", entries=(story,)),
            now=NOW,
            etag=None,
            last_modified=None,
            body_hash=None,
            next_due_at=NOW,
        )
    paged = tmp_path / "paged.txt"
    pager = tmp_path / "pager.py"
    pager.write_text(f"import sys, os\nopen({str(paged)!r}, 'w').write(os.environ['LESS'] + '|' "
                     "+ sys.stdin.read())\n")  # fmt: skip
    monkeypatch.setenv("PAGER", f"{sys.executable} {pager}")
    monkeypatch.delenv("LESS", raising=False)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    config = Config(
        path=tmp_path / "feeds.toml", feeds=(FeedSpec(feed),), settings=Settings(), keymap={}
    )
    assert asyncio.run(read_command(config, db, "https://tech.example/1", full_text=False,
                                    out=out)) == 0  # fmt: skip
    assert out.getvalue() == ""  # nothing printed past the pager
    text = paged.read_text()
    assert text.startswith("FRX|") and "Paged story" in text and "\x1b[" in text
    monkeypatch.setenv("PAGER", "cat")
    asyncio.run(read_command(config, db, "https://tech.example/1", full_text=False, out=out))
    assert "Paged story" in out.getvalue()
