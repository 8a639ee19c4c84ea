"""Exercises in lesson files: every malformed one named as `file: field: what was expected`, answers the
engine must be able to compute (checked by `gdtui check`), and judging right and wrong responses."""

import textwrap
from pathlib import Path

import pytest

from gdtui.course import CourseError, load_course
from gdtui.course.check import check_course
from gdtui.course.exercises import judge

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "ui-course"

SCENE = """
[page.scene]
problem = "secret-number"
optimizer = "gd"
lr = 0.1
start = [5.0]
steps = 10
"""


def course(tmp_path: Path, exercise: str, scene: str = SCENE) -> Path:
    root = tmp_path / "c"
    (root / "one").mkdir(parents=True)
    (root / "course.toml").write_text('title = "T"\nlessons = ["one"]\n')
    (root / "one" / "p.md").write_text("# P\n")
    (root / "one" / "lesson.toml").write_text(
        'title = "One"\nsummary = "S"\n\n[[page]]\ntitle = "P"\ntext = "p.md"\n'
        + scene
        + textwrap.dedent(exercise)
    )
    return root


def issues(root: Path) -> list[str]:
    with pytest.raises(CourseError) as err:
        load_course(root)
    return [str(i) for i in err.value.issues]


@pytest.mark.parametrize(
    ("exercise", "expected"),
    [
        (
            '[[page.exercise]]\nid = "a"\nkind = "essay"\nprompt = "?"\n',
            "c/one/lesson.toml: page[1].exercise[1].kind: one of: number, choice, predict",
        ),
        ('[[page.exercise]]\nid = "a"\nkind = "number"\n', "c/one/lesson.toml: page[1].exercise[1].prompt:"),
        (
            '[[page.exercise]]\nid = "a"\nkind = "number"\nprompt = "?"\n',
            "c/one/lesson.toml: page[1].exercise[1].answer: a table saying what to read off the scene",
        ),
        (
            '[[page.exercise]]\nid = "a"\nkind = "number"\nprompt = "?"\nanswer = { of = "speed" }\n',
            "c/one/lesson.toml: page[1].exercise[1].answer.of: one of: theta, loss, grad_norm, lr, steps, diverged_at",
        ),
        (
            '[[page.exercise]]\nid = "a"\nkind = "number"\nprompt = "?"\n'
            'answer = { of = "theta", changes = { mu = 1 } }\n',
            "c/one/lesson.toml: page[1].exercise[1].answer.changes: a table of scene changes; keys among: one of: lr,",
        ),
        (
            '[[page.exercise]]\nid = "a"\nkind = "number"\nprompt = "?"\nsets = "alpha"\nexpect = "diverged"\n',
            "c/one/lesson.toml: page[1].exercise[1].sets: one of: lr, momentum, batch_size, steps",
        ),
        (
            '[[page.exercise]]\nid = "a"\nkind = "choice"\nprompt = "?"\noptions = ["x", "y"]\ncorrect = 3\n',
            "c/one/lesson.toml: page[1].exercise[1].correct: the number of the right option, 1 to 2",
        ),
        (
            '[[page.exercise]]\nid = "a"\nkind = "predict"\nprompt = "?"\noutcomes = { diverged = "boom" }\n',
            "c/one/lesson.toml: page[1].exercise[1].outcomes: at least two outcomes to choose between",
        ),
        (
            '[[page.exercise]]\nid = "a"\nkind = "choice"\nprompt = "?"\noptions = ["x", "y"]\ncorrect = 1\n'
            '[[page.exercise]]\nid = "a"\nkind = "choice"\nprompt = "?"\noptions = ["x", "y"]\ncorrect = 2\n',
            "c/one/lesson.toml: page[1].exercise[2].id: an id not used by another exercise on this page (a)",
        ),
        (
            '[[page.exercise]]\nid = "a"\nkind = "choice"\nprompt = "?"\noptions = ["x"]\ncorrect = 1\nhint = "h"\n',
            "c/one/lesson.toml: page[1].exercise[1].hint: no such field",
        ),
    ],
    ids=[
        "kind",
        "prompt",
        "no-answer",
        "reading",
        "changes",
        "sets",
        "correct",
        "outcomes",
        "duplicate-id",
        "unknown-key",
    ],
)
def test_malformed_exercises_are_named(tmp_path, exercise, expected):
    found = issues(course(tmp_path, exercise))
    assert any(line.startswith(expected) for line in found), found


def test_a_number_exercise_needs_a_scene(tmp_path):
    found = issues(
        course(
            tmp_path,
            '[[page.exercise]]\nid = "a"\nkind = "number"\nprompt = "?"\nanswer = { of = "theta" }\n',
            scene="",
        )
    )
    assert found == [
        "c/one/lesson.toml: page[1].exercise[1].kind: a page with a [page.scene] (a number "
        "exercise is worked out from it)"
    ]


def test_check_runs_the_engine_for_answers_and_outcomes(tmp_path):
    root = course(
        tmp_path,
        """
        [[page.exercise]]
        id = "late"
        kind = "number"
        prompt = "?"
        answer = { of = "theta", step = 50 }

        [[page.exercise]]
        id = "never"
        kind = "number"
        prompt = "?"
        answer = { of = "diverged_at" }

        [[page.exercise]]
        id = "guess"
        kind = "predict"
        prompt = "?"
        outcomes = { converged = "settles", diverged = "flies off" }
        """,
    )
    load_course(root)  # loading does not run the engine
    assert [str(i) for i in check_course(root)] == [
        "c/one/lesson.toml: page[1].exercise[1].answer: something the engine can read off the scene (the "
        "run has points 0 to 10, not 50)",
        "c/one/lesson.toml: page[1].exercise[2].answer: something the engine can read off the scene (the "
        "run did not diverge (it ended max_steps))",
        "c/one/lesson.toml: page[1].exercise[3].outcomes: an outcome for what the scene really does "
        "(max_steps)",
    ]


def test_judging_a_computed_answer_within_its_tolerance():
    page = load_course(FIXTURE).lessons[0].pages[0]
    first_step = page.exercises[0]  # θ after one step from 5 with α = 0.1: 5 − 0.1·(2·5 − 4) = 4.4
    assert judge(first_step, page.scene, "4.4").correct
    assert judge(first_step, page.scene, " 4.4000000001 ").correct  # within tol = 1e-9
    assert not judge(first_step, page.scene, "4.41").correct
    assert judge(first_step, page.scene, "four").message == "Type a number (got 'four')."


def test_judging_a_setting_by_running_the_scene():
    page = load_course(FIXTURE).lessons[0].pages[2]
    find = page.exercises[1]  # an lr that makes secret-number diverge within 100 steps
    assert judge(find, page.scene, "1.5").correct  # |1 − 2α| = 2: the distance doubles each step
    verdict = judge(find, page.scene, "0.25")
    assert not verdict.correct and "ended max_steps after 100 steps" in verdict.message
    assert "refuses" in judge(find, page.scene, "0").message


def test_judging_a_prediction_by_the_scenes_real_outcome():
    page = load_course(FIXTURE).lessons[0].pages[2]
    predict = page.exercises[0]
    assert judge(predict, page.scene, "diverged").correct
    assert judge(predict, page.scene, "max_steps").message == "Not quite — watch: fly off"
