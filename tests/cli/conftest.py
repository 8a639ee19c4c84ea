"""The CLI tests keep gdtui's course cache in their own folder, never the user's."""

import pytest


@pytest.fixture(autouse=True)
def course_cache(tmp_path, monkeypatch):
    folder = tmp_path / "course-cache"
    monkeypatch.setenv("GDTUI_CACHE_DIR", str(folder))
    return folder
