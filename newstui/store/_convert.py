"""Conversions between Python values and their stored form. Times are whole UTC epoch seconds."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from newstui.core.models import Enclosure
from newstui.core.rows import enclosures_json, epoch

__all__ = ["enclosures_from_json", "enclosures_json", "epoch", "from_epoch"]


def from_epoch(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def enclosures_from_json(value: str | None) -> tuple[Enclosure, ...]:
    if not value:
        return ()
    return tuple(Enclosure(url, kind, length) for url, kind, length in json.loads(value))
