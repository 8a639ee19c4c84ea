"""The course loader: a good fixture course loads into the frozen schema, and each broken fixture course
is refused with every problem listed as `file: field: what was expected`."""

from pathlib import Path

import pytest

from gdtui.course import CourseError, RunSpec, load_course

COURSES = Path(__file__).resolve().parents[1] / "data" / "courses"

PROBLEMS = (
    "secret-number, noisy-secret-number, two-squares, wavy, bowl, rosenbrock, himmelblau, saddle, "
    "linear-regression, logistic, svm-slice, svm-plane"
)
OPTIMIZERS = "gd, sgd, momentum, nesterov, adagrad, rmsprop, adam, newton, random-search, random-local-search"
CONTROLS = "run, optimizer, lr, momentum, batch_size, schedule, start, speed"
SCENE_FIELDS = (
    "problem, optimizer, lr, hyper, label, expect, run, start, steps, batch_size, schedule, seed, tol, "
    "controls, speed, view, target"
)


def issues_of(name: str) -> list[str]:
    with pytest.raises(CourseError) as caught:
        load_course(COURSES / name)
    return [str(issue) for issue in caught.value.issues]


# -- the good course ---------------------------------------------------------------------------------
def test_good_course_loads_lessons_in_manifest_order():
    course = load_course(COURSES / "good")
    assert course.title == "A good course"
    assert [lesson.slug for lesson in course.lessons] == ["basics", "race"]
    assert [lesson.title for lesson in course.lessons] == ["Basics", "Race"]
    assert course.lesson("race").summary == "Two optimizers on the bowl."


def test_pages_carry_their_markdown_text_and_source_file():
    basics = load_course(COURSES / "good").lesson("basics")
    assert [page.title for page in basics.pages] == ["One step", "Words only"]
    assert basics.pages[1].text == "# Words only\n\nNo scene on this page.\n"
    assert basics.pages[1].source == COURSES / "good" / "basics" / "02-words.md"
    assert basics.pages[1].scene is None


def test_single_run_scene_takes_its_run_from_the_scene_table():
    scene = load_course(COURSES / "good").lesson("basics").pages[0].scene
    assert scene.problem == "secret-number"
    assert scene.runs == (RunSpec(optimizer="gd", lr=0.5, expect="converged"),)
    assert scene.start == (5.0,)
    assert (scene.steps, scene.tol, scene.speed) == (10, 0.001, 2.0)
    assert scene.controls == ("lr", "start")


def test_scene_defaults_apply_where_the_lesson_says_nothing():
    scene = load_course(COURSES / "good").lesson("basics").pages[0].scene
    assert (scene.schedule, scene.seed, scene.batch_size) == ("constant", 0, None)


def test_race_scene_keeps_each_run_with_its_own_settings():
    scene = load_course(COURSES / "good").lesson("race").pages[0].scene
    assert scene.runs == (
        RunSpec(optimizer="gd", lr=0.1, expect="max_steps"),
        RunSpec(
            optimizer="momentum", lr=0.05, hyper={"momentum": 0.5}, label="heavy ball", expect="max_steps"
        ),
    )
    assert [run.name for run in scene.runs] == ["gd", "heavy ball"]
    assert (scene.schedule, scene.seed, scene.steps) == ("step:every=10,gamma=0.5", 3, 50)


def test_loaded_scene_builds_one_engine_stepper_per_run():
    scene = load_course(COURSES / "good").lesson("race").pages[0].scene
    steppers = scene.steppers()
    assert [s.optimizer.name for s in steppers] == ["gd", "momentum"]
    assert steppers[1].optimizer.hyper["momentum"] == 0.5


def test_course_folder_may_be_given_as_a_string():
    assert load_course(str(COURSES / "good")).title == "A good course"


# -- broken courses ----------------------------------------------------------------------------------
BROKEN = {
    "bad-toml": [
        "bad-toml/one/lesson.toml: file: valid TOML (line 4, column 7: Expected '=' after a key in a "
        "key/value pair)",
    ],
    "missing-markdown": [
        "missing-markdown/one/lesson.toml: page[2].text: a Markdown file beside lesson.toml "
        "(missing: 02-missing.md)",
        "missing-markdown/one/lesson.toml: page[3].text: the name of a Markdown file beside lesson.toml, "
        "ending in .md (got '../01.md')",
    ],
    "unknown-names": [
        f"unknown-names/one/lesson.toml: page[1].scene.problem: one of: {PROBLEMS}",
        f"unknown-names/one/lesson.toml: page[2].scene.optimizer: one of: {OPTIMIZERS}",
        f"unknown-names/one/lesson.toml: page[3].scene.controls[2]: one of: {CONTROLS}",
        "unknown-names/one/lesson.toml: page[3].scene.controls[3]: each control once",
    ],
    "bad-hyper": [
        "bad-hyper/one/lesson.toml: page[1].scene.hyper.momentum: momentum must be in [0, 1), got 1.5",
        "bad-hyper/one/lesson.toml: page[2].scene.hyper.momentum: no such hyperparameter; gd takes: none",
        "bad-hyper/one/lesson.toml: page[3].scene.hyper.beta: no such hyperparameter; adam takes: "
        "beta1, beta2, eps",
    ],
    "wrong-start": [
        "wrong-start/one/lesson.toml: page[1].scene.start: a list of 2 numbers ([x, y]) for rosenbrock",
        "wrong-start/one/lesson.toml: page[2].scene.start: a list of 1 number ([θ]) for secret-number",
    ],
    "bad-values": [
        "bad-values/one/lesson.toml: page[1].scene.lr: a number > 0",
        "bad-values/one/lesson.toml: page[1].scene.expect: one of: converged, max_steps, diverged",
        "bad-values/one/lesson.toml: page[1].scene.steps: a whole number ≥ 1",
        "bad-values/one/lesson.toml: page[1].scene.batch_size: no batch_size (rosenbrock has no data set; "
        "these do: secret-number, noisy-secret-number, linear-regression, logistic)",
        "bad-values/one/lesson.toml: page[1].scene.schedule: a schedule such as step:every=10,gamma=0.5 "
        "(schedule step: every must be a whole number ≥ 1, got 0)",
        "bad-values/one/lesson.toml: page[1].scene.seed: a whole number ≥ 0",
        "bad-values/one/lesson.toml: page[1].scene.tol: a number ≥ 0",
        "bad-values/one/lesson.toml: page[1].scene.speed: a number > 0",
    ],
    "unknown-fields": [
        "unknown-fields/one/lesson.toml: author: no such field; expected one of: title, summary, page",
        "unknown-fields/one/lesson.toml: page[1].txt: no such field; expected one of: title, text, scene, exercise",
        "unknown-fields/one/lesson.toml: page[1].text: a string (missing)",
        f"unknown-fields/one/lesson.toml: page[1].scene.colour: no such field; expected one of: {SCENE_FIELDS}",
    ],
    "no-manifest": [
        "no-manifest/course.toml: file: a TOML file here (missing)",
    ],
    "bad-manifest": [
        "bad-manifest/course.toml: lessons[2]: a lesson folder beside course.toml (missing: two/lesson.toml)",
        "bad-manifest/course.toml: lessons[3]: a lesson listed once (one is lessons[1])",
        "bad-manifest/course.toml: lessons[4]: a lesson folder name (letters, digits, - and _)",
    ],
    "race-mistakes": [
        "race-mistakes/one/lesson.toml: page[1].scene.run: at least two [[page.scene.run]] tables "
        "(for one run, put `optimizer` in the scene)",
        "race-mistakes/one/lesson.toml: page[2].scene.optimizer: only in a single-run scene; in a race give "
        "it in each [[page.scene.run]]",
        "race-mistakes/one/lesson.toml: page[2].scene.run[2].label: a label unlike the other runs' "
        "(run[1] is also 'gd')",
        "race-mistakes/one/lesson.toml: page[2].scene.controls[1]: a control a race can use "
        "(optimizer swaps the optimizer of a single-run scene; in a race, add the run control to pick "
        "which run it changes)",
    ],
    "engine-rules": [
        "engine-rules/one/lesson.toml: page[1].scene: settings the engine accepts (sgd samples examples "
        "from a data set; choose one of: secret-number, noisy-secret-number, linear-regression, logistic)",
    ],
}


@pytest.mark.parametrize(("name", "expected"), BROKEN.items(), ids=list(BROKEN))
def test_broken_course_lists_every_issue_as_file_field_expected(name, expected):
    assert issues_of(name) == expected


def test_missing_course_folder_is_one_issue_naming_the_folder_as_given(tmp_path):
    with pytest.raises(CourseError) as caught:
        load_course(tmp_path / "nowhere")
    assert [str(i) for i in caught.value.issues] == [
        f"{tmp_path / 'nowhere'}: folder: an existing course folder holding course.toml"
    ]


def test_course_error_message_is_the_issue_lines():
    with pytest.raises(CourseError, match=r"^no-manifest/course.toml: file: a TOML file here \(missing\)$"):
        load_course(COURSES / "no-manifest")


def test_course_without_title_or_lessons_names_both(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "course.toml").write_text("# nothing yet\n")
    assert [str(i) for i in _issues(tmp_path / "empty")] == [
        "empty/course.toml: title: a string (missing)",
        "empty/course.toml: lessons: a list of lesson folder names, in order (missing)",
    ]


def test_lesson_without_pages_or_summary_names_both(tmp_path):
    root = tmp_path / "c"
    (root / "x").mkdir(parents=True)
    (root / "course.toml").write_text('title = "C"\nlessons = ["x"]\n')
    (root / "x" / "lesson.toml").write_text('title = "X"\nsummary = """two\nlines"""\n')
    assert [str(i) for i in _issues(root)] == [
        "c/x/lesson.toml: summary: a single line",
        "c/x/lesson.toml: page: one or more [[page]] tables (missing)",
    ]


def _issues(root):
    with pytest.raises(CourseError) as caught:
        load_course(root)
    return caught.value.issues
