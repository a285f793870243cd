"""Date labels in the headline list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newstui.core.timefmt import LABEL_WIDTH, headline_date

NOW = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)


def test_labels_from_today_back_to_other_years() -> None:
    assert headline_date(NOW - timedelta(hours=2), NOW, UTC) == "13:30"
    assert headline_date(NOW - timedelta(days=2), NOW, UTC) == "Mon"
    assert headline_date(datetime(2026, 1, 9, tzinfo=UTC), NOW, UTC) == "Jan 9"
    # Before this year: month and year, so last December is not mistaken for "a year ago".
    assert headline_date(datetime(2025, 12, 20, tzinfo=UTC), NOW, UTC) == "Dec 2025"
    assert headline_date(datetime(2019, 5, 1, tzinfo=UTC), NOW, UTC) == "May 2019"
    assert len("Dec 2025") <= LABEL_WIDTH
