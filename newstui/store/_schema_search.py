"""The search index's migration steps' SQL (schema v9, v11, v12: issue 13), for
`newstui/store/schema.py`'s MIGRATIONS. Released steps: never edited, only new ones added there.
"""

from __future__ import annotations

from newstui.core.searchtext import TAG_MARK

_INDEXED = (
    "{0} <= (SELECT indexed_upto FROM search_state)"
    " AND NOT EXISTS (SELECT 1 FROM search_stale WHERE entry = {0})"
)
"""SQL: the entry with id {0} has its row in the index (see newstui/store/_search_index.py)."""


def _unindex(entry: str) -> str:
    """Trigger body: take the entry's row out while the view still shows its old values."""
    return (
        f"DELETE FROM search WHERE rowid = {entry};"
        f" INSERT INTO search_stale (entry) VALUES ({entry});"
    )


_FEED_INDEXED = "SELECT id FROM entries WHERE feed_url = old.url AND " + _INDEXED.format(
    "entries.id"
)

V9 = f"""
-- The search index without its own copy of the text (issue 13): an external-content FTS5
-- table over a view that computes the indexed columns from the stored entry; triggers take a
-- row out before anything the view reads changes (newstui/store/_search_index.py).
DROP TRIGGER entries_search_delete;
DROP TABLE search;
CREATE VIEW search_source AS SELECT e.id AS id,
    newstui_index('title', e.title, NULL) AS title,
    newstui_index('author', e.author, NULL) AS author,
    newstui_index('feed', COALESCE(f.user_title, f.title, f.url), NULL) AS feed,
    newstui_index('body', e.content_html, e.summary_html) AS body,
    newstui_index('page', t.html, NULL) AS page,
    newstui_index('cjk_title', e.title, NULL) AS cjk_title,
    newstui_index('cjk_body', e.content_html, e.summary_html) AS cjk_body,
    newstui_index('cjk_page', t.html, NULL) AS cjk_page,
    newstui_index('tags', f.tags,
        (SELECT group_concat(tag, char(31)) FROM entry_tags WHERE entry = e.id)) AS tags
    FROM entries e JOIN feeds f ON f.url = e.feed_url LEFT JOIN full_texts t ON t.entry = e.id;
-- tokenchars: the private-use mark that starts each tag token (newstui.core.searchtext).
CREATE VIRTUAL TABLE search USING fts5 (
    title, author, feed, body, page, cjk_title, cjk_body, cjk_page, tags,
    content = 'search_source', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2 tokenchars ''{TAG_MARK}'''
);
INSERT INTO search (search, rank) VALUES ('automerge', 16);
CREATE TRIGGER search_entry_changed BEFORE UPDATE OF title, author, content_html, summary_html,
    feed_url ON entries
    WHEN (old.title IS NOT new.title OR old.author IS NOT new.author
        OR old.content_html IS NOT new.content_html OR old.summary_html IS NOT new.summary_html
        OR old.feed_url IS NOT new.feed_url) AND {_INDEXED.format("old.id")}
    BEGIN {_unindex("old.id")} END;
CREATE TRIGGER search_entry_deleted BEFORE DELETE ON entries WHEN {_INDEXED.format("old.id")}
    BEGIN DELETE FROM search WHERE rowid = old.id; END;
CREATE TRIGGER search_feed_changed BEFORE UPDATE OF title, user_title, tags ON feeds
    WHEN COALESCE(old.user_title, old.title, old.url)
        IS NOT COALESCE(new.user_title, new.title, new.url) OR old.tags IS NOT new.tags
    BEGIN
        DELETE FROM search WHERE rowid IN ({_FEED_INDEXED});
        INSERT INTO search_stale (entry) {_FEED_INDEXED};
    END;
CREATE TRIGGER search_feed_deleted BEFORE DELETE ON feeds
    BEGIN
        DELETE FROM search WHERE rowid IN ({_FEED_INDEXED});
        INSERT INTO search_stale (entry) {_FEED_INDEXED};
    END;
CREATE TRIGGER search_page_added BEFORE INSERT ON full_texts
    WHEN new.html IS NOT NULL AND {_INDEXED.format("new.entry")}
    BEGIN {_unindex("new.entry")} END;
CREATE TRIGGER search_page_changed BEFORE UPDATE OF html ON full_texts
    WHEN old.html IS NOT new.html AND {_INDEXED.format("old.entry")}
    BEGIN {_unindex("old.entry")} END;
-- A page deleted with its entry (a cascade: the entry row is gone) is out of the index already.
CREATE TRIGGER search_page_deleted BEFORE DELETE ON full_texts
    WHEN old.html IS NOT NULL AND EXISTS (SELECT 1 FROM entries WHERE id = old.entry)
        AND {_INDEXED.format("old.entry")}
    BEGIN {_unindex("old.entry")} END;
CREATE TRIGGER search_tag_added BEFORE INSERT ON entry_tags
    WHEN NOT EXISTS (SELECT 1 FROM entry_tags WHERE entry = new.entry AND tag = new.tag)
        AND {_INDEXED.format("new.entry")}
    BEGIN {_unindex("new.entry")} END;
CREATE TRIGGER search_tag_deleted BEFORE DELETE ON entry_tags
    WHEN EXISTS (SELECT 1 FROM entries WHERE id = old.entry) AND {_INDEXED.format("old.entry")}
    BEGIN {_unindex("old.entry")} END;
-- Search joins its matches to these columns: read from this index, not from the entry rows
-- (where `sort_at` and `hidden` sit behind kilobytes of HTML): 3-4x faster per match.
CREATE INDEX entries_facts ON entries (id, feed_url, sort_at, read, bookmarked, hidden);
-- Saved views' unread counts are kept up to date from what changed since the last count
-- (newstui/store/view_queries.py); any change to an old entry's state (read, bookmarked,
-- hidden, a filter's tag) or to which feeds are visible bumps this, and the next count reads
-- the unread entries and the matches of views that ask about state (is:, tag:) again.
ALTER TABLE search_state ADD COLUMN state_changes INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER count_entry_state AFTER UPDATE OF read, bookmarked, hidden ON entries
    WHEN old.read IS NOT new.read OR old.bookmarked IS NOT new.bookmarked
        OR old.hidden IS NOT new.hidden
    BEGIN UPDATE search_state SET state_changes = state_changes + 1; END;
CREATE TRIGGER count_tag_added AFTER INSERT ON entry_tags
    BEGIN UPDATE search_state SET state_changes = state_changes + 1; END;
CREATE TRIGGER count_entry_deleted AFTER DELETE ON entries WHEN old.read = 0
    BEGIN UPDATE search_state SET state_changes = state_changes + 1; END;
CREATE TRIGGER count_feed_shown AFTER UPDATE OF hidden ON feeds
    WHEN old.hidden IS NOT new.hidden
    BEGIN UPDATE search_state SET state_changes = state_changes + 1; END;
UPDATE search_state SET indexed_upto = 0;
DELETE FROM search_stale;
"""


V11 = """
-- The search index merges its segments less often (issue 13): a refresh writes one segment per
-- batch of entries (feeds/refresh.py INDEX_BATCH), and FTS5 merged every 16 of a level (v9),
-- rewriting each entry again at each level: ~40 % of FTS5's cost of indexing a cold refresh's
-- 25,000 entries (measured). At 64 a level's segments are merged once, all at a time, as
-- crisismerge (16 by default, which made 64 moot) also says; queries read up to 64 segments a
-- level, which on the 100,000-entry benchmark store costs no measurable search time.
INSERT INTO search (search, rank) VALUES ('automerge', 64);
INSERT INTO search (search, rank) VALUES ('crisismerge', 64);
"""


V12 = """
-- Search without the costs that did not depend on the query (issue 13, newstui/store/search.py):
-- the hidden feeds are found in this index (almost always empty) instead of a scan of feeds;
CREATE INDEX feeds_hidden ON feeds (url) WHERE hidden = 1;
-- tag: reads each feed's tags from this table, kept by triggers, not by parsing every feed's
-- JSON list (json_each over 2,000 feeds: ~0.8 ms a query);
CREATE TABLE feed_tags (
    tag             TEXT NOT NULL COLLATE NOCASE,
    feed            TEXT NOT NULL,
    PRIMARY KEY (tag, feed)
) WITHOUT ROWID;
INSERT OR IGNORE INTO feed_tags (tag, feed)
    SELECT t.value, f.url FROM feeds f, json_each(f.tags) t;
CREATE TRIGGER feed_tags_added AFTER INSERT ON feeds WHEN new.tags IS NOT NULL
    BEGIN
        INSERT OR IGNORE INTO feed_tags (tag, feed) SELECT value, new.url FROM json_each(new.tags);
    END;
CREATE TRIGGER feed_tags_changed AFTER UPDATE OF url, tags ON feeds
    WHEN old.url IS NOT new.url OR old.tags IS NOT new.tags
    BEGIN
        DELETE FROM feed_tags WHERE feed = old.url;
        INSERT OR IGNORE INTO feed_tags (tag, feed) SELECT value, new.url FROM json_each(new.tags);
    END;
CREATE TRIGGER feed_tags_deleted AFTER DELETE ON feeds
    BEGIN DELETE FROM feed_tags WHERE feed = old.url; END;
-- and every row put in the index is counted (newstui/store/_search_index.py), so that counts
-- of the phrases in at least half the entries, which bm25 ranks by nothing, stay provably
-- true while the index changes (newstui/store/_search_rank.py).
ALTER TABLE search_state ADD COLUMN inserted INTEGER NOT NULL DEFAULT 0;
"""
