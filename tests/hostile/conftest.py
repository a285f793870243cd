"""The reader's fixtures (a real app on a real SQLite file) for the hostile-input suite."""

from tests.ui.conftest import _no_user_themes, _utc_local_time, db_path, make_app

__all__ = ["_no_user_themes", "_utc_local_time", "db_path", "make_app"]
