"""The learner's own runs in a race: `Scene.steppers(runs=...)` changes one run's optimizer and rate and
leaves the others (and the shared start, budget and target) alone; the `run` control is checked in lesson
files; exercises read a run with such changes, and the step at which it reached the scene's target.

The bowl is ½(x² + 10y²): one GD step takes x to (1 − α)x and y to (1 − 10α)y."""

import pytest

from gdtui.course import CourseError, RunSpec, Scene, load_course
from gdtui.course.check import check_course
from gdtui.course.exercises import compute_answer, scene_run
from gdtui.course.schema import Answer, RunChange
from gdtui.engine import ConfigError

RACE = Scene(
    problem="bowl",
    runs=(
        RunSpec("gd", lr=0.1),
        RunSpec("momentum", lr=0.05, hyper={"momentum": 0.5}),
        RunSpec("gd", lr=0.02, label="slow gd"),
    ),
    start=(2.0, 1.0),
    steps=5,
    target=0.01,
)


def one_step(stepper):
    stepper.run(1)
    return [float(v) for v in stepper.theta]


def test_a_changed_run_gets_its_own_optimizer_and_rate_and_the_others_stay():
    gd, momentum, slow = RACE.steppers(runs=(None, RunChange(optimizer="gd", lr=0.05)))
    assert one_step(momentum) == pytest.approx([2.0 * 0.95, 1.0 * 0.5])  # now gd with α = 0.05
    assert momentum.optimizer.name == "gd" and float(momentum.schedule.lr) == 0.05
    assert one_step(gd) == pytest.approx([1.8, 0.0])  # the scene's own α = 0.1
    assert float(slow.schedule.lr) == 0.02
    assert all(s.max_steps == 5 and list(s.start) == [2.0, 1.0] for s in (gd, momentum, slow))


def test_a_rate_alone_keeps_the_runs_optimizer_and_hyperparameters():
    run = RACE.steppers(runs=(None, RunChange(lr=0.1)))[1]
    assert run.optimizer.name == "momentum" and run.optimizer.hyper["momentum"] == 0.5
    assert float(run.schedule.lr) == 0.1


def test_another_optimizer_drops_the_scenes_rate_and_hyperparameters_for_that_run():
    adam = RACE.steppers(runs=(None, RunChange(optimizer="adam")))[1]
    assert "momentum" not in adam.optimizer.hyper
    assert float(adam.schedule.lr) == 0.1  # adam's own default, not the scene's 0.05 for momentum
    nesterov = RACE.steppers(runs=(None, RunChange(optimizer="nesterov")))[1]
    assert nesterov.optimizer.hyper["momentum"] == 0.9  # nesterov's own μ, not the scene's 0.5 for momentum
    back = RACE.steppers(runs=(None, RunChange(optimizer="momentum")))[1]
    assert back.optimizer.hyper["momentum"] == 0.5 and float(back.schedule.lr) == 0.05


def test_newton_in_one_run_solves_the_bowl_in_one_step():
    newton = RACE.steppers(runs=(RunChange(optimizer="newton"),))[0]
    assert one_step(newton) == pytest.approx([0.0, 0.0])


@pytest.mark.parametrize(
    "runs",
    [(None, RunChange(optimizer="sgd")), (RunChange(optimizer="nope"),), (None, None, None, RunChange())],
    ids=["sgd-needs-data", "unknown-optimizer", "a-fourth-run-of-three"],
)
def test_a_run_change_the_engine_refuses_is_a_config_error(runs):
    with pytest.raises(ConfigError):
        RACE.steppers(runs=runs)


# -- exercises ----------------------------------------------------------------------------------------
def test_changes_in_an_answer_go_to_the_answers_run_in_a_race():
    second = scene_run(RACE, {"optimizer": "gd", "lr": 0.05}, run=2)
    assert second.optimizer == "gd" and [float(v) for v in second.theta[1]] == pytest.approx([1.9, 0.5])
    first = scene_run(RACE, {"optimizer": "gd", "lr": 0.05}, run=1)  # run 1 as before: α 0.1 → 0.05
    assert [float(v) for v in first.theta[1]] == pytest.approx([1.9, 0.5])
    untouched = scene_run(RACE, {"lr": 0.05}, run=3)
    assert float(untouched.lr[0]) == 0.05
    assert float(scene_run(RACE, {"lr": 0.05}, run=1).lr[0]) == 0.05


def test_target_step_is_the_first_step_at_or_under_the_target():
    # from (1, 0), GD halves x each step with α = 0.5: loss ½·4⁻ᵏ ≤ 0.01 first at k = 3 (½·4⁻² = 0.03125)
    scene = Scene(
        problem="bowl",
        runs=(RunSpec("gd", lr=0.1), RunSpec("adam", lr=0.1)),
        start=(1.0, 0.0),
        steps=30,
        target=0.01,
    )
    assert compute_answer(scene, Answer("target_step", run=1, changes={"lr": 0.5})) == 3
    # α = 0.1: ½·0.81ᵏ ≤ 0.01 first at k = 19 (0.81¹⁸ = 0.0225, 0.81¹⁹ = 0.0182 < 0.02)
    assert compute_answer(scene, Answer("target_step", run=1)) == 19
    assert compute_answer(scene, Answer("target_step", run=2, changes={"optimizer": "gd", "lr": 0.5})) == 3
    with pytest.raises(ConfigError, match="never reached the target"):
        compute_answer(scene, Answer("target_step", run=1, changes={"lr": 0.001}))


def test_target_step_needs_a_scene_with_a_target():
    untargeted = Scene(problem="bowl", runs=(RunSpec("gd"),))
    with pytest.raises(ConfigError, match="no target"):
        compute_answer(untargeted, Answer("target_step"))


# -- lesson files -------------------------------------------------------------------------------------
def lesson(tmp_path, scene: str, exercise: str = ""):
    root = tmp_path / "c"
    (root / "one").mkdir(parents=True)
    (root / "course.toml").write_text('title = "T"\nlessons = ["one"]\n')
    (root / "one" / "p.md").write_text("# P\n")
    (root / "one" / "lesson.toml").write_text(
        f'title = "One"\nsummary = "S"\n\n[[page]]\ntitle = "P"\ntext = "p.md"\n\n{scene}\n{exercise}'
    )
    return root


RACE_TOML = """
[page.scene]
problem = "bowl"
target = 0.01
controls = {controls}

[[page.scene.run]]
optimizer = "gd"
lr = 0.1

[[page.scene.run]]
optimizer = "adam"
lr = 0.5
"""


def issues(root) -> list[str]:
    with pytest.raises(CourseError) as caught:
        load_course(root)
    return [str(issue) for issue in caught.value.issues]


def test_a_race_with_the_run_control_may_show_optimizer_and_lr(tmp_path):
    root = lesson(tmp_path, RACE_TOML.format(controls='["run", "optimizer", "lr"]'))
    scene = load_course(root).lessons[0].pages[0].scene
    assert scene.controls == ("run", "optimizer", "lr")


@pytest.mark.parametrize(
    ("scene", "expected"),
    [
        (
            RACE_TOML.format(controls='["optimizer", "lr"]'),
            "c/one/lesson.toml: page[1].scene.controls[1]: a control a race can use (optimizer swaps the "
            "optimizer of a single-run scene; in a race, add the run control to pick which run it changes)",
        ),
        (
            '[page.scene]\nproblem = "bowl"\noptimizer = "gd"\ncontrols = ["run", "lr"]\n',
            "c/one/lesson.toml: page[1].scene.controls[1]: a control this scene can use (run picks one run "
            "of a race; this scene has one run)",
        ),
        (
            RACE_TOML.format(controls='["run", "start"]'),
            "c/one/lesson.toml: page[1].scene.controls[1]: optimizer or lr beside it (run picks the run "
            "whose optimizer and lr they change)",
        ),
    ],
    ids=["optimizer-in-a-race-without-run", "run-in-a-single-run-scene", "run-alone"],
)
def test_misused_run_control_is_named(tmp_path, scene, expected):
    assert issues(lesson(tmp_path, scene)) == [expected]


def test_check_computes_target_step_answers_and_names_a_run_that_never_gets_there(tmp_path):
    exercise = """
[[page.exercise]]
id = "reach"
kind = "number"
prompt = "?"
answer = { of = "target_step", run = 2, changes = { optimizer = "gd", lr = 0.1 } }

[[page.exercise]]
id = "never"
kind = "number"
prompt = "?"
answer = { of = "target_step", run = 1, changes = { lr = 0.0001 } }
"""
    root = lesson(tmp_path, RACE_TOML.format(controls='["run", "optimizer", "lr"]'), exercise)
    assert [str(i) for i in check_course(root)] == [
        "c/one/lesson.toml: page[1].exercise[2].answer: something the engine can read off the scene (the "
        "run never reached the target 0.01 (it ended max_steps))"
    ]
