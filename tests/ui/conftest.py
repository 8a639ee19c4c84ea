"""Shared by the UI tests: the small fixture course and a fresh progress store per test."""

from pathlib import Path

import pytest

from gdtui.store import Store

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "ui-course"


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path)
    yield opened
    opened.close()
