"""A podcast episode says how long it is: `<itunes:duration>` and JSON Feed's
`duration_in_seconds`, in the article header ("audio/mpeg · 48.0 MB · 1:02:03"), in
`newstui read`, and in `newstui search --json`.

Feeds write durations as free text ("01:02:03", "1:17:07", "54:04", "3723", "TBD"); what is
not a plausible length shows nothing rather than a wrong one.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newstui import cli
from newstui.core.durations import format_duration, parse_duration
from newstui.feeds.parse import parse_feed
from tests.support.httpserver import HTTPServer, Response

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
MEDIA = "http://search.yahoo.com/mrss/"


@pytest.mark.parametrize(
    ("written", "seconds", "shown"),
    [
        ("01:02:03", 3723, "1:02:03"),
        ("1:17:07", 4627, "1:17:07"),
        ("54:04", 3244, "54:04"),  # minutes and seconds (how acast writes an hour's episode)
        ("2:21", 141, "2:21"),  # a 2.8 MB trailer: two minutes, not two hours
        ("75:30", 4530, "1:15:30"),
        ("3723", 3723, "1:02:03"),
        (" 45 ", 45, "0:45"),
        ("3723.6", 3724, "1:02:04"),
        (1800, 1800, "30:00"),  # JSON Feed: a number
        (1800.4, 1800, "30:00"),
    ],
)
def test_durations_as_feeds_write_them(written: object, seconds: int, shown: str) -> None:
    assert parse_duration(written) == seconds
    assert format_duration(parse_duration(written)) == shown


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "TBD",
        "-1",
        "0",
        "00:00:00",
        "99:99",
        "1:60:00",
        "1:2:3:4",
        "1h 2m",
        "1e5",
        "99999999",
        None,
        True,
        -5,
        float("nan"),
        float("inf"),
        [],
    ],
)
def test_garbage_is_no_duration(garbage: object) -> None:
    assert parse_duration(garbage) is None
    assert format_duration(parse_duration(garbage)) == ""


def _episode(guid: str, duration: str, extra: str = "") -> str:
    return (
        f"<item><guid isPermaLink='false'>{guid}</guid><title>Episode {guid}</title>"
        f"<link>https://pod.example/{guid}</link><pubDate>Fri, 27 Feb 2026 08:00:00 GMT</pubDate>"
        f"<description>Show notes of episode {guid}.</description>"
        f'<enclosure url="https://pod.example/{guid}.mp3" type="audio/mpeg" length="48000000"/>'
        f"{duration}{extra}</item>"
    )


PODCAST = (
    f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:itunes="{ITUNES}"'
    f' xmlns:media="{MEDIA}"><channel><title>Loopback Radio</title>'
    "<link>https://pod.example/</link>"
    + _episode("hms", "<itunes:duration>01:02:03</itunes:duration>")
    + _episode("ms", "<itunes:duration>54:04</itunes:duration>")
    + _episode("sec", "<itunes:duration>3723</itunes:duration>")
    + _episode("tbd", "<itunes:duration>TBD</itunes:duration>")
    + _episode("none", "")
    + _episode(
        "media",
        "",
        '<media:content url="https://pod.example/media.mp3" duration="600" type="audio/mpeg"/>',
    )
    + "</channel></rss>"
).encode()


def test_itunes_duration_and_media_content_duration_are_parsed() -> None:
    feed = parse_feed("https://pod.example/feed.xml", PODCAST, now=NOW)

    durations = {entry.guid: entry.enclosures[0].duration for entry in feed.entries}
    assert durations == {
        "hms": 3723, "ms": 3244, "sec": 3723, "tbd": None, "none": None, "media": 600,
    }  # fmt: skip


def test_json_feed_duration_in_seconds_is_per_attachment() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "JSON Radio",
            "items": [
                {
                    "id": "1",
                    "content_text": "Notes",
                    "attachments": [
                        {
                            "url": "https://j.example/1.mp3",
                            "mime_type": "audio/mpeg",
                            "duration_in_seconds": 3723,
                        },
                        {"url": "https://j.example/1.ogg", "duration_in_seconds": "soon"},
                        {"url": "https://j.example/1.m4a", "duration_in_seconds": 10**40},
                    ],
                }
            ],
        }
    ).encode()

    feed = parse_feed("https://j.example/feed.json", body, now=NOW)

    assert [e.duration for e in feed.entries[0].enclosures] == [3723, None, None]


# --- what a user sees: a refresh from the loopback server, then read and search ---------------


def test_refreshed_episode_shows_its_duration_in_read_and_search_json(
    http_server: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = http_server.route(
        "/podcast.xml",
        Response(200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, PODCAST),
    )
    config = tmp_path / "feeds.toml"
    config.write_text(f'[settings]\nparse_workers = 1\n\n[[feeds]]\nurl = "{url}"\n')
    common = ["--config", str(config), "--data-dir", str(tmp_path / "data")]
    assert cli.main([*common, "refresh"]) == 0
    capsys.readouterr()

    assert cli.main([*common, "read", "https://pod.example/hms"]) == 0
    header = capsys.readouterr().out.splitlines()[:4]
    assert header[0] == "Episode hms"
    assert header[2] == "♪ audio/mpeg · 48.0 MB · 1:02:03"

    assert cli.main([*common, "read", "https://pod.example/tbd"]) == 0
    assert "♪ audio/mpeg · 48.0 MB\n" in capsys.readouterr().out, "garbage shows nothing"

    assert cli.main([*common, "search", "has:enclosure", "--json"]) == 0
    results = {r["link"]: r for r in json.loads(capsys.readouterr().out)["results"]}
    assert results["https://pod.example/ms"]["enclosures"] == [
        {
            "url": "https://pod.example/ms.mp3",
            "type": "audio/mpeg",
            "size_bytes": 48_000_000,
            "duration_seconds": 3244,
        }
    ]
    assert results["https://pod.example/none"]["enclosures"][0]["duration_seconds"] is None
