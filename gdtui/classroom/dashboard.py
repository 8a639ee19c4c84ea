"""The teacher's dashboard: one row per roster student, read from the class store and the server's list
of open sessions; a Textual screen that refreshes itself, or CSV for a grade book."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ..course.schema import Course
from ..store import Store
from .roster import RosterError, load_roster
from .server import STATUS

REFRESH_S = 2.0
#: The screen's columns; "Lesson" takes the width the others leave (a long title ends in "…").
COLUMNS = ("Student", "On", "Lesson", "Page", "Done", "Solved", "Hints", "Seen")
LESSON_COLUMN = COLUMNS.index("Lesson")
CELL_PADDING = 2  # DataTable's cell_padding, on both sides of every column
SCROLLBAR = 2  # the table's vertical scrollbar, when the class does not fit the screen


@dataclass(frozen=True)
class StudentRow:
    name: str
    connected: bool
    lesson_number: int  # 1-based place of the current lesson in the course; 0 before the first page
    lesson_title: str  # "" before the first page
    page: int  # 1-based page of the current lesson
    pages: int
    lessons_done: int
    lessons_total: int
    exercises_done: int
    exercises_total: int
    hints: int
    last_activity: datetime | None

    @property
    def lesson(self) -> str:
        """Where the student is: "Title (page 2/6)", or "" before the first page."""
        return f"{self.lesson_title} (page {self.page}/{self.pages})" if self.lesson_title else ""

    def cells(self) -> tuple[str, ...]:
        """The row as the screen shows it, one string per COLUMNS (the lesson numbered, not yet shortened)."""
        return (
            self.name,
            "yes" if self.connected else "no",
            f"{self.lesson_number} {self.lesson_title}" if self.lesson_title else "-",
            f"{self.page}/{self.pages}" if self.lesson_title else "-",
            f"{self.lessons_done}/{self.lessons_total}",
            f"{self.exercises_done}/{self.exercises_total}",
            str(self.hints),
            seen(self.last_activity),
        )


def seen(when: datetime | None, now: datetime | None = None) -> str:
    """Last activity in the teacher's local time: the time of day if it was today, else the date."""
    if when is None:
        return "-"
    local, today = when.astimezone(), (now or datetime.now().astimezone()).astimezone().date()
    return local.strftime("%H:%M:%S") if local.date() == today else local.strftime("%b %d")


def fit_lesson_column(rows: list[tuple[str, ...]], width: int) -> list[tuple[str, ...]]:
    """Shorten the lesson titles so that the table's columns fit `width` cells: the lesson column gets what
    the other columns (as wide as their widest cell or heading) leave, at least its heading's width."""
    widest = [max(len(c) for c in column) for column in zip(COLUMNS, *rows, strict=True)]
    others = sum(widest) - widest[LESSON_COLUMN] + CELL_PADDING * len(COLUMNS)
    room = max(len(COLUMNS[LESSON_COLUMN]), width - others)
    return [tuple(_shorten(c, room) if i == LESSON_COLUMN else c for i, c in enumerate(row)) for row in rows]


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def connected_learners(class_dir: Path) -> set[str]:
    """Students with a session open, from the status file of a running server (a stale file left by a
    server that died, or a session whose app has gone, counts as not connected)."""
    try:
        status = json.loads((Path(class_dir) / STATUS).read_text(encoding="utf-8"))
        if not _alive(int(status["server_pid"])):
            return set()
        return {s["learner"] for s in status["sessions"] if _alive(int(s["pid"]))}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid > 0


def class_rows(class_dir: Path, course: Course, store: Store) -> list[StudentRow]:
    """A row per roster student, in roster order."""
    names = list(load_roster(class_dir).students)
    online = connected_learners(class_dir)
    totals = {
        lesson.slug: (len(lesson.pages), sum(len(p.exercises) for p in lesson.pages))
        for lesson in course.lessons
    }
    all_exercises = sum(m for _, m in totals.values())
    numbers = {lesson.slug: i for i, lesson in enumerate(course.lessons, 1)}
    rows = []
    for name in names:
        summary = {s.lesson: s for s in store.summary(name) if s.lesson in totals}
        done = sum(
            s.pages_seen >= totals[slug][0] and s.solved >= totals[slug][1] for slug, s in summary.items()
        )
        where = store.position(name)
        slug, page = where if where and where[0] in totals else ("", 0)
        rows.append(
            StudentRow(
                name,
                name in online,
                numbers.get(slug, 0),
                course.lesson(slug).title if slug else "",
                page + 1,
                totals[slug][0] if slug else 0,
                done,
                len(course.lessons),
                sum(min(s.solved, totals[slug][1]) for slug, s in summary.items()),
                all_exercises,
                sum(s.hints_used for s in summary.values()),
                store.last_activity(name),
            )
        )
    return rows


def write_csv(rows: Iterable[StudentRow], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["student", "connected", "lesson", "lessons_done", "exercises_done", "hints", "last_activity"]
    )
    for r in rows:
        when = r.last_activity.isoformat() if r.last_activity else ""
        writer.writerow([r.name, int(r.connected), r.lesson, r.lessons_done, r.exercises_done, r.hints, when])


class DashboardScreen(Screen):
    """The class at a glance; re-read every REFRESH_S seconds."""

    BINDINGS = [Binding("r", "refresh_now", "Refresh"), Binding("q", "app.quit", "Quit")]

    def __init__(self, class_dir: Path, course: Course, store: Store) -> None:
        super().__init__()
        self.class_dir, self.course, self.store = class_dir, course, store
        self._rows: list[StudentRow] = []

    def compose(self) -> ComposeResult:
        yield Static(f"[b]Class[/b] {self.class_dir}  ·  {self.course.title}", id="class-title")
        yield DataTable(id="students", cursor_type="row", zebra_stripes=True)
        yield Static("", id="class-notice")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.action_refresh_now()
        self.set_interval(REFRESH_S, self.action_refresh_now)

    def action_refresh_now(self) -> None:
        table = self.query_one(DataTable)
        notice = self.query_one("#class-notice", Static)
        try:
            rows = class_rows(self.class_dir, self.course, self.store)
        except (RosterError, OSError) as e:  # a roster mid-edit: keep the last table, say why
            notice.update(f"[red]{e}[/red]")
            return
        self._rows = rows
        self._fill(table)
        online = sum(r.connected for r in rows)
        notice.update(f"{len(rows)} students on the roster, {online} connected")

    def on_resize(self) -> None:
        self._fill(self.query_one(DataTable))

    def _fill(self, table: DataTable) -> None:
        """The rows, their lesson titles shortened to fit the screen's width (the table spans it, and has
        all its height but the title, notice and footer lines: dashboard.tcss)."""
        rows = self._rows
        fits = self.size.height - 3 - 1 >= len(rows)  # a heading line, then a line a student
        width = self.size.width - (0 if fits else SCROLLBAR)
        cursor = table.cursor_row
        table.clear()
        for row, cells in zip(rows, fit_lesson_column([r.cells() for r in rows], width), strict=True):
            table.add_row(*cells, key=row.name)
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))


class DashboardApp(App):
    CSS_PATH = "dashboard.tcss"
    TITLE = "gdtui classroom"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, class_dir: Path, course: Course, store: Store) -> None:
        super().__init__()
        self.class_dir, self.course, self.store = class_dir, course, store

    def on_mount(self) -> None:
        self.push_screen(DashboardScreen(self.class_dir, self.course, self.store))
