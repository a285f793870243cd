"""`newstui sync [--json]` and `newstui status` with a real Miniflux: counts, exit codes, one-line
errors that name no secret, and each feed's origin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newstui.cli import main
from newstui.store import Store
from tests.support.miniflux import MinifluxServer, User
from tests.sync.conftest import Site, server_entries, subscribe


def write_config(tmp_path: Path, sync: str, feeds: str = "") -> list[str]:
    config = tmp_path / "feeds.toml"
    config.write_text(sync + feeds, encoding="utf-8")
    config.chmod(0o600)
    return ["--config", str(config), "--data-dir", str(tmp_path / "data")]


def token_table(server: MinifluxServer, token_line: str) -> str:
    return f'[sync]\nserver = "miniflux"\nurl = "{server.url}/"\n{token_line}\n'


def test_sync_json_then_status_shows_origins(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    remote = site.feed([("a", "Alpha"), ("b", "Beta")], title="On the server")
    subscribe(mf_server, mf_user, remote, category="News")
    # The key comes from a command, as `pass show miniflux` would print it.
    secret_file = tmp_path / "key"
    secret_file.write_text(mf_user.token + "\n")
    args = write_config(
        tmp_path,
        token_table(mf_server, f'token_command = "cat {secret_file}"'),
        '[[feeds]]\nurl = "https://local.example/feed.xml"\n',
    )

    assert main([*args, "sync", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["format"] == 1
    assert (report["pulled"], report["new"], report["pushed"], report["feeds"]) == (2, 2, 0, 1)
    assert report["error"] is None and report["server"] == "miniflux 2.2.6"

    assert main([*args, "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    origins = {feed["url"]: feed["origin"] for feed in status["feeds"]}
    assert origins == {remote: "server", "https://local.example/feed.xml": "local"}
    assert status["sync"]["changes_waiting"] == 0 and status["sync"]["last_error"] is None
    assert main([*args, "status"]) == 0
    table = capsys.readouterr().out
    assert "Sync: miniflux" in table and "server" in table and "local" in table

    assert main([*args, "sync"]) == 0
    assert capsys.readouterr().out.startswith("Synced with miniflux 2.2.6 in ")


def test_rejected_credentials_exit_1_with_one_line(
    mf_server: MinifluxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "wrong-" + "k" * 30
    args = write_config(tmp_path, token_table(mf_server, f'token = "{secret}"'))
    assert main([*args, "sync"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "newstui: sync: the sync server rejected the credentials\n"
    assert secret not in captured.out + captured.err
    assert main([*args, "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sync"]["last_error"] == (
        "the sync server rejected the credentials"
    )


def test_unreachable_server_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.support.miniflux import free_port

    table = f'[sync]\nserver = "miniflux"\nurl = "http://127.0.0.1:{free_port()}"\ntoken = "t"\n'
    args = write_config(tmp_path, table)
    assert main([*args, "sync"]) == 1
    assert capsys.readouterr().err == (
        "newstui: sync: cannot reach the sync server: connection refused\n"
    )


def test_a_failing_token_command_says_so_without_its_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "leaky"
    script.write_text("#!/bin/sh\necho 'half-secret' >&2\nexit 3\n")
    script.chmod(0o700)
    table = f'[sync]\nserver = "miniflux"\nurl = "http://127.0.0.1:9"\ntoken_command = "{script}"\n'
    assert main([*write_config(tmp_path, table), "sync"]) == 1
    err = capsys.readouterr().err
    assert err == "newstui: sync: [sync] token_command: exited with status 3\n"


def test_no_sync_table_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*write_config(tmp_path, ""), "sync"]) == 2
    assert "no [sync] table" in capsys.readouterr().err


def test_a_world_readable_token_is_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = write_config(tmp_path, '[sync]\nserver = "miniflux"\nurl = "http://127.0.0.1:9"\n'
                        'token = "t"\n')
    (tmp_path / "feeds.toml").chmod(0o644)
    assert main([*args, "status", "--json"]) == 0
    warning = json.loads(capsys.readouterr().out)["sync"]["warning"]
    assert warning.startswith(f"{tmp_path / 'feeds.toml'}:4: sync.token: the file is readable")


def test_filters_judge_entries_a_sync_brings(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """`[[filters]]` apply to new server entries as to a refresh's; a read mark one gives is
    the user's own, so it goes to the server on the same sync."""
    remote = site.feed([("a", "Sponsored: buy now"), ("b", "Crypto winter"), ("c", "News")])
    subscribe(mf_server, mf_user, remote)
    filters = (
        '[[filters]]\nquery = "sponsored"\naction = "hide"\n\n'
        '[[filters]]\nquery = "crypto"\naction = "mark-read"\n'
    )
    args = write_config(tmp_path, token_table(mf_server, f'token = "{mf_user.token}"'), filters)
    assert main([*args, "sync"]) == 0
    capsys.readouterr()
    with Store(tmp_path / "data" / "newstui.db") as store:
        by_title = {e.title: e for e in store.entries()}
        assert set(by_title) == {"Crypto winter", "News"}, "the sponsored one is hidden"
        assert by_title["Crypto winter"].read and not by_title["News"].read
        assert sum(store.filter_hits().values()) == 2
        assert store.pending_marks() == [], "the filter's read mark was pushed"
    on_server = server_entries(mf_server, mf_user)
    assert on_server["Crypto winter"]["status"] == "read"
    assert on_server["News"]["status"] == "unread"
    assert on_server["Sponsored: buy now"]["status"] == "unread", "hidden is newstui's own"
