"""The course cache: a course that loaded cleanly is read back unchanged and without the engine, while
any change to its files (or to gdtui's code) loads and validates it afresh, errors included."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import gdtui
from gdtui.course import CourseError, cache, load_course

COURSES = Path(__file__).resolve().parents[1] / "data" / "courses"


@pytest.fixture
def course_dir(tmp_path) -> Path:
    """A copy of the good fixture course, free to edit."""
    return Path(shutil.copytree(COURSES / "good", tmp_path / "course"))


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("course-*.json"))


def test_a_cached_course_equals_a_fresh_load_including_its_paths(course_dir, tmp_path):
    fresh = load_course(course_dir)
    assert load_course(course_dir, cache=tmp_path / "cache") == fresh  # loaded, then remembered
    assert len(entries(tmp_path / "cache")) == 1
    assert load_course(course_dir, cache=tmp_path / "cache") == fresh  # read back


def test_the_bundled_course_read_back_from_the_cache_does_not_load_the_engine(tmp_path):
    load_course(cache=tmp_path)
    script = (
        "import sys; from pathlib import Path; from gdtui.course import load_course; "
        f"course = load_course(cache=Path({str(tmp_path)!r})); "
        "print(len(course.lessons), 'numpy' in sys.modules, 'gdtui.engine' in sys.modules)"
    )
    # the child must import the very gdtui this process imported (its code is part of the cache key): from
    # the repository's root, `python -c` would take the source tree over an installed (non-editable) copy
    here = str(Path(gdtui.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": here}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path, env=env
    ).stdout
    assert out.split() == [str(len(load_course().lessons)), "False", "False"]


def test_an_edited_page_is_read_afresh(course_dir, tmp_path):
    load_course(course_dir, cache=tmp_path)
    (course_dir / "basics" / "01-step.md").write_text("# Edited\n", encoding="utf-8")
    assert load_course(course_dir, cache=tmp_path).lesson("basics").pages[0].text == "# Edited\n"


def test_a_course_broken_after_it_was_cached_is_refused_with_its_errors(course_dir, tmp_path):
    load_course(course_dir, cache=tmp_path)
    toml = course_dir / "basics" / "lesson.toml"
    toml.write_text(toml.read_text().replace('optimizer = "gd"', 'optimizer = "gradient"'), encoding="utf-8")
    with pytest.raises(CourseError) as caught:
        load_course(course_dir, cache=tmp_path)
    assert any("page[1].scene.optimizer" in str(issue) for issue in caught.value.issues)


def test_a_broken_course_is_never_cached(tmp_path):
    for _ in range(2):
        with pytest.raises(CourseError):
            load_course(COURSES / "unknown-names", cache=tmp_path)
    assert entries(tmp_path) == []


def test_a_change_to_gdtuis_code_invalidates_the_cache(course_dir, tmp_path, monkeypatch):
    load_course(course_dir, cache=tmp_path)
    assert cache.read(tmp_path, course_dir) is not None
    monkeypatch.setattr(cache, "_code_fingerprint", lambda: "other code")
    assert cache.read(tmp_path, course_dir) is None


def test_a_damaged_or_foreign_entry_is_ignored_and_rewritten(course_dir, tmp_path):
    fresh = load_course(course_dir, cache=tmp_path)
    (entry,) = entries(tmp_path)
    for damage in ("{not json", json.dumps({"format": cache.FORMAT}), json.dumps([1, 2])):
        entry.write_text(damage, encoding="utf-8")
        assert load_course(course_dir, cache=tmp_path) == fresh
    assert cache.read(tmp_path, course_dir) == fresh


def test_a_cache_folder_that_cannot_be_written_only_costs_time(course_dir, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would go")
    assert load_course(course_dir, cache=blocked) == load_course(course_dir)
