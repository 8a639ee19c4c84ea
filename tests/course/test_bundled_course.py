"""The course that ships with gdtui: found through the installed package, clean under `gdtui check`
(every scene run headless), and listed by pyproject.toml so a non-editable install carries it."""

import tomllib
from pathlib import Path

from gdtui.course import bundled_root, load_course
from gdtui.course.check import check_course

REPO = Path(__file__).resolve().parents[2]


def test_bundled_course_is_found_as_the_lessons_folder():
    root = bundled_root()
    assert root.name == "lessons"
    assert (root / "course.toml").is_file()


def test_bundled_course_lists_its_lessons_in_order():
    course = load_course()
    assert [lesson.slug for lesson in course.lessons] == [
        "supervised-learning",
        "loss",
        "strategies",
        "gradients",
        "gradient-descent",
        "sgd",
        "mini-batch",
        "momentum",
        "schedules",
        "adaptive-race",
        "newton",
        "capstone",
    ]


def test_every_bundled_scene_ends_as_it_declares():
    assert check_course(None) == []


def test_every_page_of_the_two_first_lessons_has_a_scene_and_every_run_an_expectation():
    course = load_course()
    for lesson in (course.lesson("gradient-descent"), course.lesson("adaptive-race")):
        for page in lesson.pages:
            assert page.scene is not None, (lesson.slug, page.title)
            assert all(run.expect for run in page.scene.runs), (lesson.slug, page.title)


def test_adaptive_race_opens_with_four_distinct_optimizers():
    scene = load_course().lesson("adaptive-race").pages[0].scene
    assert [run.optimizer for run in scene.runs] == ["gd", "momentum", "rmsprop", "adam"]
    assert len({run.name for run in scene.runs}) == 4


def test_pyproject_ships_every_gdtui_package_and_the_lessons():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    on_disk = {
        ".".join(path.parent.relative_to(REPO).parts)
        for path in (REPO / "gdtui").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    missing = on_disk - set(config["packages"])
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml"
    assert config["package-dir"]["gdtui.lessons"] == "lessons"
    assert "**/*" in config["package-data"]["gdtui.lessons"]
