"""What `gdtui` checks before it takes the terminal, when the course comes from the cache: a course
that was clean and is broken now is still refused, with its problems, at the next start."""

import gc
import shutil
from pathlib import Path

from gdtui.cli import main

GOOD = Path(__file__).resolve().parents[1] / "data" / "courses" / "good"
NO_TERMINAL = "gdtui: error: the course needs a terminal; for headless runs use `gdtui trace`\n"


def test_a_course_broken_since_it_last_started_is_refused_with_its_problems(tmp_path, capsys, course_cache):
    course = Path(shutil.copytree(GOOD, tmp_path / "course"))
    assert main(["--lessons", str(course)]) == 2  # the course loads (and is cached); no terminal here
    assert capsys.readouterr().err == NO_TERMINAL
    assert len(list(course_cache.glob("course-*.json"))) == 1
    assert main(["--lessons", str(course)]) == 2  # read back from the cache
    assert capsys.readouterr().err == NO_TERMINAL
    toml = course / "basics" / "lesson.toml"
    toml.write_text(toml.read_text().replace("lr = 0.5", "lr = -0.5"), encoding="utf-8")
    assert main(["--lessons", str(course)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("course/basics/lesson.toml: page[1].scene.lr: ")
    assert err[-1] == "gdtui: error: the course has 1 problem(s); `gdtui check` lists them"


def test_an_empty_cache_setting_turns_the_cache_off(tmp_path, capsys, course_cache, monkeypatch):
    monkeypatch.setenv("GDTUI_CACHE_DIR", "")
    assert main(["--lessons", str(GOOD)]) == 2
    assert capsys.readouterr().err == NO_TERMINAL
    assert not course_cache.exists()


def test_the_cycle_collector_is_back_on_when_gdtui_stops_before_the_app(capsys):
    assert main([]) == 2  # no terminal here: refused after the course loaded with collection paused
    assert gc.isenabled()
