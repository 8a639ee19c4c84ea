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


def test_views_and_targets_with_nothing_to_show_are_issues():
    # bowl ½(x² + 10y²) at [0, 0]: centered differences are exactly 0 = ∇L for every h; secret-number's
    # examples all have y − x = 2, so every per-example gradient is 2(θ − 2): no batch differs from another;
    # from loss 19.25, 5 steps of gd/momentum at α = 0.1 get no lower than 0.485 (momentum), far above 1e-9;
    # a target of 100 is met at step 0; secret-number's box is [-2, 6]; 1e308·x overflows.
    assert [str(issue) for issue in check_course(COURSES / "broken-views")] == [
        "broken-views/one/lesson.toml: page[1].scene.start: a θ where the gradient check has errors to draw "
        "(at the run's start [0, 0] the centered difference's relative error is finite and above 0 for "
        "fewer than two h: a stationary point?)",
        "broken-views/one/lesson.toml: page[2].scene.view: a scene whose mini-batch gradients vary (at the "
        "run's start [5] every example has the same gradient: the variance is 0 for every B)",
        "broken-views/one/lesson.toml: page[3].scene.target: a loss some run reaches (the lowest is "
        "0.485317, by heavy ball)",
        "broken-views/one/lesson.toml: page[4].scene.target: a loss below the start's (the runs start at "
        "loss 19.25)",
        "broken-views/one/lesson.toml: page[5].scene.start: a start inside secret-number's plotting box "
        "[-2, 6] (got [50])",
        "broken-views/one/lesson.toml: page[6].scene.start: a start where the fit view's model is finite "
        "(ŷ at [1e+308, 1e+308] is not)",
    ]


def test_every_view_with_something_to_show_and_a_target_one_run_reaches_are_clean():
    assert check_course(COURSES / "good-views") == []


def test_an_engine_error_in_a_view_is_reported_as_an_issue_not_raised(monkeypatch):
    from gdtui.engine import DataProblem

    def no_model(self, theta, x):
        raise ValueError(f"{self.name} has no feature map to predict with")

    monkeypatch.setattr(DataProblem, "predict", no_model)
    code, text = check_output(COURSES / "good-views")
    assert code == 1
    assert text.splitlines() == [
        "good-views/one/lesson.toml: page[1].scene.view: a fit view the engine can compute "
        "(ValueError: linear-regression has no feature map to predict with)",
        "checked 1 lesson, 4 pages, 4 scenes: 1 problem",
    ]
