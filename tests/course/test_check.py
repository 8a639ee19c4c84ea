"""`gdtui check`: every scene is run headless and each declared `expect` confirmed; `run_check` prints
one issue a line and a summary, and returns the exit code."""

import io
from pathlib import Path

import pytest

from gdtui.course.check import check_course, run_check

COURSES = Path(__file__).resolve().parents[1] / "data" / "courses"


def check_output(root) -> tuple[int, str]:
    out = io.StringIO()
    return run_check(root, out=out), out.getvalue()


def test_good_course_has_no_issues():
    assert check_course(COURSES / "good") == []


def test_run_that_ends_otherwise_than_expected_is_an_issue():
    # lr 1.1 on (θ − 2)²: the gap 3 grows ×1.2 a step, the loss 9·1.44^k first passes 1e12 at k = 70;
    # in the race lr 0.5 lands on 2 at once and stops at step 2, while lr 1.0 bounces 5, −1, 5, … for all
    # 10 steps.
    assert [str(issue) for issue in check_course(COURSES / "wrong-expect")] == [
        "wrong-expect/one/lesson.toml: page[1].scene.expect: max_steps (the run ended diverged after 70 steps)",
        "wrong-expect/one/lesson.toml: page[2].scene.run[2].expect: converged "
        "(the run ended max_steps after 10 steps)",
    ]


def test_load_issues_are_returned_without_running_scenes():
    assert [str(issue) for issue in check_course(COURSES / "no-manifest")] == [
        "no-manifest/course.toml: file: a TOML file here (missing)"
    ]


def test_clean_course_prints_summary_and_exits_0():
    assert check_output(COURSES / "good") == (0, "checked 2 lessons, 3 pages, 2 scenes: no problems\n")


def test_failed_expectations_print_each_issue_then_the_count_and_exit_1():
    code, text = check_output(COURSES / "wrong-expect")
    assert code == 1
    assert text.splitlines()[2:] == ["checked 1 lesson, 2 pages, 2 scenes: 2 problems"]
    assert text.splitlines()[0].startswith("wrong-expect/one/lesson.toml: page[1].scene.expect: max_steps")


@pytest.mark.parametrize(
    ("name", "summary"),
    [
        ("no-manifest", "the course did not load: 1 problem"),
        ("bad-manifest", "the course did not load: 3 problems"),
    ],
    ids=["one-problem", "three-problems"],
)
def test_course_that_does_not_load_prints_its_issues_and_exits_1(name, summary):
    code, text = check_output(COURSES / name)
    assert code == 1
    lines = text.splitlines()
    assert lines[-1] == summary
    assert lines[:-1] == [str(issue) for issue in check_course(COURSES / name)]
