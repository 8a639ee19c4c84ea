"""`gdtui classroom`: a row per roster student from the class store and the server's session list, as
CSV and as a live Textual screen; and `--learner`, which keeps each student's progress apart."""

from __future__ import annotations

import csv
import io
import json
import os

from textual.widgets import DataTable

from gdtui.classroom.dashboard import DashboardApp, class_rows, connected_learners
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
            assert table.get_row("ada")[1] == "yes" and table.get_row("ada")[3] == f"1/{len(course.lessons)}"
            assert "2 connected" in str(app.screen.query_one("#class-notice").render())
