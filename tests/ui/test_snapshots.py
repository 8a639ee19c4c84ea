"""Snapshot tests: each screen at 80×24 and 120×40, with the scene stepped by hand (never playing), so
every frame is deterministic. Update after a deliberate change with `pytest --snapshot-update` and look
at the new SVGs before committing them."""

from pathlib import Path

import pytest

from gdtui.course import load_course
from gdtui.store import Store
from gdtui.ui.app import GdtuiApp

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "ui-course"
SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


def app(tmp_path, lesson=None):
    return GdtuiApp(load_course(FIXTURE), Store.open(tmp_path), lesson)


async def settle(pilot):
    await pilot.pause(0.3)  # the plots redraw on their own timer


@SIZES
def test_home_screen(snap_compare, size, tmp_path):
    assert snap_compare(app(tmp_path), terminal_size=size, run_before=settle)


@SIZES
def test_lesson_screen_after_three_steps(snap_compare, size, tmp_path):
    assert snap_compare(app(tmp_path, "one-d"), terminal_size=size, press=["s", "s", "s"], run_before=settle)


@SIZES
def test_race_screen_after_twenty_steps(snap_compare, size, tmp_path):
    assert snap_compare(app(tmp_path, "race"), terminal_size=size, press=["s"] * 20, run_before=settle)


@SIZES
def test_help_screen(snap_compare, size, tmp_path):
    assert snap_compare(
        app(tmp_path, "one-d"), terminal_size=size, press=["question_mark"], run_before=settle
    )


def test_too_small_screen(snap_compare, tmp_path):
    assert snap_compare(app(tmp_path), terminal_size=(60, 20), run_before=settle)
