"""Binding ids, presets and the README's key table, which must never drift from the app."""

from __future__ import annotations

import re
from pathlib import Path

from newstui.ui.bindings import PRESETS, check_keymap, keymap_table, known_bindings, normalize_key

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in README.read_text("utf-8").splitlines():
        if match := re.match(r"^\| `([a-z-]+\.[a-z0-9-]+)` \| (.+?) \| (.+?) \| (.+?) \|$", line):
            rows.append(tuple(cell.strip().strip("`") for cell in match.groups()))
    return rows


def test_readme_key_table_matches_the_real_bindings() -> None:
    assert readme_rows() == keymap_table()


def test_every_binding_has_an_id_description_and_help() -> None:
    for binding_id, binding in known_bindings().items():
        assert re.fullmatch(r"[a-z]+\.[a-z0-9-]+", binding_id)
        assert binding.description and binding.tooltip


def test_default_keys_do_not_clash() -> None:
    assert check_keymap({}).problems == []
    assert check_keymap({}, "newsboat").problems == []


def test_presets_only_name_real_bindings() -> None:
    for preset in PRESETS.values():
        assert set(preset) <= set(known_bindings())


def test_user_keymap_overrides_preset_and_reports_problems() -> None:
    check = check_keymap(
        {"entry.toggle-reed": "x", "entry.toggle-read": "x, M", "nav.down": ""}, "newsboat"
    )
    assert check.keymap["entry.toggle-read"] == "x,M"
    assert check.keymap["nav.down"] == "J,down"  # the preset, since the user's entry is empty
    assert "unknown binding id 'entry.toggle-reed' (did you mean 'entry.toggle-read'?)" in (
        check.problems
    )
    assert "'nav.down' has no keys" in check.problems


def test_clash_is_reported_not_resolved() -> None:
    check = check_keymap({"feed.refresh": "m"})
    assert check.problems == ["key 'm' is bound to both entry.toggle-read and feed.refresh"]


def test_key_names_are_normalised_like_textual() -> None:
    assert normalize_key("?") == "question_mark"
    assert normalize_key(" . ") == "full_stop"
    assert normalize_key("ctrl+b") == "ctrl+b"
