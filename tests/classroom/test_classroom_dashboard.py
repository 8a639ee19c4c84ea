"""`gdtui classroom`: a row per roster student from the class store and the server's session list, as
CSV and as a live Textual screen; and `--learner`, which keeps each student's progress apart."""

from __future__ import annotations

import csv
import io
import json
import os
import time
from datetime import UTC, datetime, timedelta

import pytest
from classroom_helpers import GDTUI
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import DataTable
from tmux_pane import TMUX, Pane

from gdtui.classroom.dashboard import (
    CELL_PADDING,
    COLUMNS,
    DashboardApp,
    class_rows,
    connected_learners,
    fit_lesson_column,
    seen,
)
from gdtui.cli import main
from gdtui.course import load_course
from gdtui.store import Store


def record(class_dir) -> None:
    """ada has finished the first lesson and is in the second; grace has not started."""
    course = load_course()
    first, second = course.lessons[0], course.lessons[1]
    with Store.open(class_dir, learner="ada") as store:
        for i, page in enumerate(first.pages):
            store.page_seen(first.slug, i)
            for ex in page.exercises:
                store.hint_used(first.slug, i, ex.id)
                store.attempt(first.slug, i, ex.id, "x", True)
        store.page_seen(second.slug, 0)


def mark_connected(class_dir, *names: str) -> None:
    sessions = [{"learner": n, "pid": os.getpid(), "since": 0} for n in names]
    (class_dir / "sessions.json").write_text(json.dumps({"server_pid": os.getpid(), "sessions": sessions}))


def test_rows_count_lessons_exercises_and_hints(class_dir):
    record(class_dir)
    mark_connected(class_dir, "ada")
    course = load_course()
    exercises = sum(len(p.exercises) for p in course.lessons[0].pages)
    with Store.open(class_dir) as store:
        ada, grace = class_rows(class_dir, course, store)
    assert (ada.name, ada.connected, ada.lessons_done, ada.exercises_done, ada.hints) == (
        "ada",
        True,
        1,
        exercises,
        exercises,
    )
    assert ada.lesson == f"{course.lessons[1].title} (page 1/{len(course.lessons[1].pages)})"
    assert ada.last_activity is not None
    assert (grace.name, grace.connected, grace.lesson, grace.lessons_done, grace.last_activity) == (
        "grace",
        False,
        "",
        0,
        None,
    )


def test_a_stale_session_list_counts_nobody_as_connected(class_dir):
    (class_dir / "sessions.json").write_text(
        json.dumps({"server_pid": 2**22 + 12345, "sessions": [{"learner": "ada", "pid": os.getpid()}]})
    )
    assert connected_learners(class_dir) == set()
    (class_dir / "sessions.json").write_text("{not json")
    assert connected_learners(class_dir) == set()


def test_csv_lists_every_roster_student(class_dir, capsys):
    record(class_dir)
    assert main(["classroom", str(class_dir), "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["student"] for r in rows] == ["ada", "grace"]
    assert rows[0]["lessons_done"] == "1" and rows[0]["connected"] == "0"
    assert rows[1]["lesson"] == "" and rows[1]["last_activity"] == ""


def test_the_learner_option_keeps_progress_apart(class_dir, capsys):
    record(class_dir)
    assert main(["--data-dir", str(class_dir), "--learner", "grace", "progress"]) == 0
    assert "No progress yet." in capsys.readouterr().out
    assert main(["--data-dir", str(class_dir), "--learner", "ada", "progress"]) == 0
    assert "No progress yet." not in capsys.readouterr().out


async def test_the_dashboard_screen_shows_every_student_and_refreshes(class_dir):
    course = load_course()
    with Store.open(class_dir) as store:
        app = DashboardApp(class_dir, course, store)
        async with app.run_test(size=(120, 30)) as pilot:
            table = app.screen.query_one(DataTable)
            assert table.row_count == 2
            assert table.get_row("grace")[1:3] == ["no", "-"]
            record(class_dir)
            mark_connected(class_dir, "ada", "grace")
            await pilot.press("r")
            ada = table.get_row("ada")
            assert (
                ada[1] == "yes"
                and ada[2] == f"2 {course.lessons[1].title}"
                and ada[3] == "1/" + str(len(course.lessons[1].pages))
            )
            assert ada[4] == f"1/{len(course.lessons)}"
            assert "2 connected" in str(app.screen.query_one("#class-notice").render())


def table_width(rows) -> int:
    return sum(max(len(c) for c in column) + CELL_PADDING for column in zip(COLUMNS, *rows, strict=True))


def test_a_long_lesson_title_is_shortened_to_what_the_other_columns_leave():
    # the other columns, as wide as their widest cell or heading: Student 7, On 3, Page 5, Done 5,
    # Solved 7, Hints 5, Seen 8 = 40, and 2 cells of padding each for all 8 columns: 56; 80 leaves 24
    row = (
        "student",
        "yes",
        "5 Gradient descent and the learning rate",
        "10/11",
        "12/12",
        "119/119",
        "0",
        "14:03:12",
    )
    (fitted,) = fit_lesson_column([row], 80)
    # 23 characters and "…" fill the 24; the space the cut leaves at the end goes
    assert fitted[2] == "5 Gradient descent and…"
    assert fitted[:2] == row[:2] and fitted[3:] == row[3:]
    assert table_width([fitted]) == 79
    assert fit_lesson_column([row], 200) == [row]  # room enough: untouched


cell = st.text(alphabet="abcdefghij /0123456789", max_size=30)


@given(rows=st.lists(st.tuples(*[cell] * len(COLUMNS)), min_size=1, max_size=6), width=st.integers(40, 200))
def test_the_table_fits_whenever_the_other_columns_leave_room_for_the_lesson_heading(rows, width):
    fitted = fit_lesson_column(rows, width)
    assert [r[:2] + r[3:] for r in fitted] == [r[:2] + r[3:] for r in rows]  # only the lesson changes
    for before, after in zip(rows, fitted, strict=True):
        assert after[2] == before[2] or (after[2].endswith("…") and before[2].startswith(after[2][:-1]))
    narrowest = table_width([(*r[:2], "Lesson", *r[3:]) for r in rows])
    assert table_width(fitted) <= max(width, narrowest)


def test_last_activity_shows_the_time_today_and_the_date_before():
    now = datetime(2026, 12, 7, 15, 30, tzinfo=UTC).astimezone()
    assert seen(now - timedelta(minutes=5), now) == (now - timedelta(minutes=5)).strftime("%H:%M:%S")
    assert seen(now - timedelta(days=3), now) == (now - timedelta(days=3)).strftime("%b %d")
    assert seen(None, now) == "-"


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed here (CI installs it)")
def test_a_class_taller_than_the_screen_reads_whole_at_80x24(class_dir, tmp_path):
    """The installed `gdtui classroom` in a terminal: with 32 students every column heading shows, a long
    lesson title ends in "…", and the table scrolls between the title and the notice and footer."""
    course = load_course()
    with (class_dir / "roster.toml").open("a", encoding="utf-8") as roster:
        roster.writelines(f"\n[students.student{i:02d}]\nkeys = []\n" for i in range(30))
    lesson = max(course.lessons, key=lambda lesson: len(lesson.title))
    with Store.open(class_dir, learner="student00") as store:
        store.page_seen(lesson.slug, 0)
    pane = Pane("gdtui-dashboard", tmp_path, "dash")
    try:
        pane.start(f"{GDTUI} classroom {class_dir}")
        lines = pane.wait_for("32 students on the roster, 0 connected").splitlines()
        assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
        assert lines[0].startswith(" Class ") and lines[1].split() == list(COLUMNS)
        row = next(line for line in lines if "student00" in line)
        assert f" {course.lessons.index(lesson) + 1} " in row and "…" in row and " 1/" in row
        assert "32 students on the roster" in lines[-2] and "Refresh" in lines[-1]
        pane.keys("q")
        deadline = time.monotonic() + 10
        while pane.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not pane.alive()
    finally:
        pane.kill()
