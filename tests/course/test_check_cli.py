"""The literal command: the installed `gdtui check lessons/` passes on the course in this repository and
says how much it checked; on a broken copy of one lesson it names the file, the field and what was
expected, one line per problem, and exits non-zero without a traceback."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from gdtui.course import load_course

REPO = Path(__file__).resolve().parents[2]
GDTUI = Path(sys.executable).with_name("gdtui")  # pip installs the console script beside the interpreter


def gdtui_check(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    assert GDTUI.exists(), "install the package (README's test command) so the gdtui command exists"
    return subprocess.run([str(GDTUI), "check", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_gdtui_check_lessons_passes_and_counts_what_it_ran():
    course = load_course(REPO / "lessons")
    pages = [page for lesson in course.lessons for page in lesson.pages]
    scenes = sum(page.scene is not None for page in pages)
    done = gdtui_check("lessons/", cwd=REPO)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == [
        f"checked 12 lessons, {len(pages)} pages, {scenes} scenes: no problems"
    ]
    assert len(course.lessons) == 12


def test_gdtui_check_on_a_broken_lesson_names_file_field_and_expectation(tmp_path):
    shutil.copytree(REPO / "lessons", tmp_path / "lessons")
    lesson = tmp_path / "lessons" / "loss" / "lesson.toml"
    text = lesson.read_text()
    first = re.search(r"(?m)^steps = \d+$", text)  # the first scene's step budget
    assert first is not None
    lesson.write_text(text[: first.start()] + "steps = 0" + text[first.end() :])
    page = text[: first.start()].count("[[page]]")

    done = gdtui_check("lessons", cwd=tmp_path)
    assert done.returncode == 1  # `gdtui check --help`: "exit 1 if there are any"
    assert done.stderr == "" and "Traceback" not in done.stdout
    assert done.stdout.splitlines() == [
        f"lessons/loss/lesson.toml: page[{page}].scene.steps: a whole number ≥ 1",
        "the course did not load: 1 problem",
    ]
