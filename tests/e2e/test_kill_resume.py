"""End to end: progress is saved as it happens. The installed `gdtui`, mid-lesson in tmux at 80×24, is
killed with SIGKILL (no chance to save anything on the way out); `gdtui progress` then shows what the
learner did, and `gdtui` reopened resumes there: the home screen shows the lesson's progress and opening
the lesson lands on the page where the learner was."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tmux_pane import TMUX, Pane

from gdtui.course import load_course
from gdtui.course.exercises import compute_answer

GDTUI = Path(sys.executable).with_name("gdtui")  # pip installs the console script beside the interpreter
LESSON = "loss"

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed here (CI installs it)")


@pytest.fixture
def panes(tmp_path):
    assert GDTUI.exists(), "install the package (README's test command) so the gdtui command exists"
    made: list[Pane] = []

    def make(name: str) -> Pane:
        made.append(Pane("gdtui-e2e-kill", tmp_path, name))
        return made[-1]

    yield make
    for pane in made:
        pane.kill()


def target_page(lesson) -> tuple[int, object]:
    """The first page after the first whose first exercise is a number with a computed answer and hints:
    `h` unfolds its hint (the first unsolved exercise with hints) and Tab reaches its field first."""
    for index, page in enumerate(lesson.pages):
        first = page.exercises[0] if page.exercises else None
        if index and first and first.kind == "number" and first.answer is not None and first.hints:
            return index, first
    raise AssertionError(f"{lesson.slug} has no page to test on")


def wait_until(done, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def typing(screen: str) -> bool:
    """A text field has the focus: the footer leaves out the letter keys, which type instead."""
    footer = screen.rstrip().splitlines()[-1]
    return "esc Back" in footer and "n Next" not in footer


def tab_until(pane: Pane, landed, what: str, tries: int = 3, timeout: float = 5.0) -> None:
    """Tab, and wait until `landed(screen)`; Tab again if it does not (a screen whose focus was still
    unset gives the first Tab to the page's text). Keys sent before the focus has moved would go to the
    widget that had it, so nothing is typed until it has."""
    for _ in range(tries):
        pane.keys("Tab")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if landed(pane.text()):
                return
            time.sleep(0.1)
    raise AssertionError(f"never saw {what}; the pane shows:\n{pane.text()}")


def progress_row(data: Path, title: str) -> list[str]:
    """The lesson's row of `gdtui progress`: title, pages seen, exercises solved, hints, last activity."""
    done = subprocess.run(
        [str(GDTUI), "progress", "--data-dir", str(data)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    line = next((line for line in done.stdout.splitlines() if line.startswith(title + "  ")), None)
    assert line is not None, done.stdout
    return re.split(r"\s{2,}", line)


def test_kill_9_mid_lesson_keeps_progress_and_reopening_resumes_there(panes, tmp_path):
    lesson = load_course().lesson(LESSON)
    pages, exercises = len(lesson.pages), sum(len(page.exercises) for page in lesson.pages)
    index, exercise = target_page(lesson)
    answer = compute_answer(lesson.pages[index].scene, exercise.answer)
    data = tmp_path / "data"

    app = panes("app")
    app.start(f"exec {GDTUI} --data-dir {data} --lesson {LESSON}")  # exec: the pane's process is gdtui
    app.wait_for(rf"{re.escape(lesson.title)}  ·  1/{pages}")
    for page in range(2, index + 2):
        app.keys("n")
        app.wait_for(rf"·  {page}/{pages}  {re.escape(lesson.pages[page - 1].title)}")
    app.keys("h")
    app.wait_for(rf"hint \(1/{len(exercise.hints)}\)")
    tab_until(app, typing, "the exercise's field to take the focus")
    app.keys(repr(answer))
    app.wait_for(re.escape(repr(answer)))  # typed into the field
    app.keys("Enter")
    app.wait_for(r"✓ Right")

    pid = int(app.tmux("display-message", "-p", "-t", "app", "#{pane_pid}").stdout)
    assert "gdtui" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not app.alive(), "the killed gdtui's pane to close")

    row = progress_row(data, lesson.title)
    assert row[1:4] == [f"{index + 1}/{pages}", f"1/{exercises}", "1"], row

    home = panes("home")
    home.start(f"exec {GDTUI} --data-dir {data}")
    seen = rf"{index + 1}/{pages} pages · 1/{exercises} exercises · 1 hint\b"
    home.wait_for(rf"◐ {re.escape(lesson.title)}\s+{seen}")
    home.keys("Enter")  # the home screen starts on the lesson the learner was in
    home.wait_for(
        rf"{re.escape(lesson.title)}  ·  {index + 1}/{pages}  {re.escape(lesson.pages[index].title)}"
    )
    # the solved exercise's field is disabled: Tab reaches its hint button, which scrolls into view (a Tab
    # that lands while the page is still being laid out may not scroll: go round the focus chain again)
    tab_until(home, lambda screen: "✓ Solved" in screen, "the solved exercise", tries=10, timeout=2.0)
    home.wait_for(rf"hint \(1/{len(exercise.hints)}\)")  # the hint unfolded before the kill
    home.keys("q")
    wait_until(lambda: not home.alive(), "q to end gdtui")
